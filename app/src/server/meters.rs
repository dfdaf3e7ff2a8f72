//! What Portcullis counts for its operators (Prometheus text at
//! `--metrics-addr`). The counters move where the use cases already record
//! what happened: a security event row, a settled code, a throttle's refusal,
//! a token issued, the hashing queue. Without a recorder installed (the
//! default), each call does nothing.

/// One row of a user's security log (`logged_in`, `login_failed`, `failed_code`, `lockout`, …).
pub fn security_event(event: &'static str) {
    metrics::counter!("portcullis_security_events_total", "event" => event).increment(1);
}

/// A second factor that passed, by kind (`totp`, `backup_code`, `sms`, `security_key`).
pub fn second_factor_passed(factor: &'static str) {
    metrics::counter!("portcullis_second_factor_passed_total", "factor" => factor).increment(1);
}

/// A request refused by a guessing limit, by its counter (`login_account`, `second_factor`, …).
pub fn throttled(scope: &'static str) {
    metrics::counter!("portcullis_throttled_total", "scope" => scope).increment(1);
}

/// Tokens issued by the OpenID Connect token endpoint, by grant.
pub fn tokens_issued(grant: &'static str) {
    metrics::counter!("portcullis_oidc_tokens_total", "grant" => grant).increment(1);
}

/// Password hashes waiting for a hashing thread (a gauge, moved by one).
pub fn hashing_queued(by: f64) {
    metrics::gauge!("portcullis_password_hashing_queue").increment(by);
}

/// How long a hash waited for its thread.
pub fn hashing_waited(seconds: f64) {
    metrics::histogram!("portcullis_password_hashing_wait_seconds").record(seconds);
}

/// A request refused with 503 because the hashing queue was full.
pub fn hashing_busy() {
    metrics::counter!("portcullis_password_hashing_busy_total").increment(1);
}

/// A message the outbox could not deliver this time (it is tried again later).
pub fn delivery_failed(channel: &'static str) {
    metrics::counter!("portcullis_outbox_delivery_failures_total", "channel" => channel).increment(1);
}

/// An authenticator code that matched a step off the centre, by where the device's clock is.
pub fn totp_off_centre(device: &'static str) {
    metrics::counter!("portcullis_totp_off_centre_total", "device" => device).increment(1);
}

/// The server clock's estimated offset, when many accounts' codes agree on one.
pub fn server_clock_offset(secs: i64) {
    metrics::gauge!("portcullis_server_clock_offset_seconds").set(secs as f64);
}
