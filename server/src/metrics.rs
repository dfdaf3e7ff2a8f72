//! `GET /metrics` (Prometheus text) on a listener of its own, `--metrics-addr`,
//! off by default. It is not behind the sign-in gate: bind it to the loopback
//! or a private network the scraper reaches. It tells counts only (routes,
//! statuses, event kinds), never an account, an address or a secret.

use std::net::SocketAddr;

use app::server::store::outbox;
use app::server::AppState;
use axum::extract::State;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use metrics_exporter_prometheus::{Matcher, PrometheusBuilder, PrometheusHandle};

use crate::error::StartupError;

/// Seconds: from a cached page to a slow argon2 wait.
const BUCKETS: [f64; 11] = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0];

static INSTALLED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Whether a recorder takes the counts: without one the access layer skips its work.
pub fn installed() -> bool {
    INSTALLED.load(std::sync::atomic::Ordering::Relaxed)
}

/// Installs the recorder (once per process) and says what each metric means.
fn install() -> Result<PrometheusHandle, StartupError> {
    let failed = |e: metrics_exporter_prometheus::BuildError| StartupError::Config(format!("metrics: {e}"));
    let handle = PrometheusBuilder::new()
        .set_buckets_for_metric(Matcher::Suffix("_seconds".into()), &BUCKETS)
        .map_err(failed)?
        .install_recorder()
        .map_err(failed)?;
    INSTALLED.store(true, std::sync::atomic::Ordering::Relaxed);
    describe();
    Ok(handle)
}

fn describe() {
    use metrics::{describe_counter, describe_gauge, describe_histogram, Unit};
    describe_counter!(
        "portcullis_http_requests_total",
        "HTTP requests answered, by method, route template and status."
    );
    describe_histogram!(
        "portcullis_http_request_duration_seconds",
        Unit::Seconds,
        "Time to answer, by route template."
    );
    describe_counter!(
        "portcullis_security_events_total",
        "Rows written to users' security logs, by event (logged_in, login_failed, failed_code, lockout, ...)."
    );
    describe_counter!("portcullis_second_factor_passed_total", "Second factors that passed, by kind.");
    describe_counter!("portcullis_throttled_total", "Requests refused by a guessing limit, by counter.");
    describe_counter!("portcullis_oidc_tokens_total", "Tokens issued by the OpenID Connect token endpoint, by grant.");
    describe_gauge!("portcullis_password_hashing_queue", "Password hashes waiting for a hashing thread.");
    describe_histogram!(
        "portcullis_password_hashing_wait_seconds",
        Unit::Seconds,
        "How long a password hash waited for a thread."
    );
    describe_counter!(
        "portcullis_password_hashing_busy_total",
        "Requests refused with 503: the hashing queue was full."
    );
    describe_gauge!("portcullis_outbox_backlog", "Messages waiting for delivery, by channel.");
    describe_counter!(
        "portcullis_outbox_delivery_failures_total",
        "Deliveries that failed this time (retried later), by channel."
    );
    describe_gauge!("portcullis_db_pool_connections", "Database connections of this instance, idle or in use.");
    describe_counter!(
        "portcullis_totp_off_centre_total",
        "Authenticator codes that matched a time step off the centre, by where the device's clock is."
    );
    describe_gauge!(
        "portcullis_server_clock_offset_seconds",
        "The server clock's offset estimated from many accounts' codes (positive: behind)."
    );
}

/// Starts the metrics listener; its requests never reach the application's router.
pub async fn serve(addr: SocketAddr, state: AppState) -> Result<(), StartupError> {
    let handle = install()?;
    let listener = tokio::net::TcpListener::bind(addr).await.map_err(|source| StartupError::Listen { addr, source })?;
    let app = Router::new().route("/metrics", get(render)).with_state((handle, state));
    tracing::info!(%addr, "metrics at /metrics");
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "the metrics listener stopped");
        }
    });
    Ok(())
}

/// What is read at scrape time (the pool, the outbox's backlog), then everything as text.
async fn render(State((handle, state)): State<(PrometheusHandle, AppState)>) -> impl IntoResponse {
    let (size, idle) = (f64::from(state.db.size()), state.db.num_idle() as f64);
    metrics::gauge!("portcullis_db_pool_connections", "state" => "idle").set(idle);
    metrics::gauge!("portcullis_db_pool_connections", "state" => "in_use").set((size - idle).max(0.0));
    match outbox::backlog(&state.db).await {
        Ok(backlog) => {
            for (channel, waiting) in backlog {
                metrics::gauge!("portcullis_outbox_backlog", "channel" => channel.as_str()).set(waiting as f64);
            }
        }
        Err(e) => tracing::warn!(error = %e, "metrics: the outbox backlog could not be read"),
    }
    ([(http::header::CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")], handle.render())
}
