//! Two-factor authentication over HTTP against the real server: enrollment,
//! the login second step, replay, races, softlock, regenerate and disable.

mod common;

use app::twofactor::totp::TotpSecret;
use common::{assert_one_of_a_race_wins, code_now, enroll, ok, pending_login, Backend, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    enroll_then_log_in_with_a_code,
    enrollment_checks_the_code_and_persists_nothing_early,
    a_code_is_accepted_once,
    twenty_concurrent_submissions_of_one_code_succeed_once,
    a_backup_code_works_once_even_when_raced,
    softlock_after_five_failures_across_sessions_then_release,
    the_delay_doubles_with_each_further_failure,
    regenerate_needs_password_and_code_and_kills_the_old_set,
    disable_needs_reauthentication,
    a_pending_login_reaches_nothing_but_the_second_step,
    secrets_and_codes_are_never_stored_in_the_clear,
    a_code_from_a_clock_minutes_behind_is_refused_with_the_reason,
);

/// Moves to a fresh 30-second step: replay protection wants a later one.
fn next_step(server: &TestServer) {
    server.advance_clock(30);
}

async fn enroll_then_log_in_with_a_code(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Alice").await;
    let status = ok(&c, "two_factor_status", &[]).await;
    assert_eq!(status["enabled"], false);

    let start = ok(&c, "start_enrollment", &[]).await;
    assert!(start["qr_svg"].as_str().unwrap().starts_with("<svg"));
    assert_eq!(start["account"], email.as_str());
    let key = start["setup_key"].as_str().unwrap();
    assert_eq!(key.split(' ').count(), 8, "grouped in fours: {key}");
    let secret = TotpSecret::from_base32(key).unwrap();
    assert_eq!(secret.as_bytes().len(), 20);

    let code = code_now(&server, &secret);
    let spaced = format!("{} {}", &code[..3], &code[3..]);
    let codes = ok(&c, "check_enrollment_code", &[("code", &spaced)]).await;
    assert_eq!(codes.as_array().unwrap().len(), 5);
    assert_eq!(ok(&c, "two_factor_status", &[]).await["enabled"], false, "nothing persists before the final step");
    ok(&c, "finish_enrollment", &[]).await;
    let status = ok(&c, "two_factor_status", &[]).await;
    assert_eq!((status["enabled"].clone(), status["codes_left"].clone()), (Value::Bool(true), 5.into()));

    ok(&c, "log_out", &[]).await;
    let pending = pending_login(&server, &email).await;
    assert!(pending.session_cookie().is_none(), "no session before the second factor");
    assert!(pending.me().await.is_null());
    next_step(&server);
    let done = ok(&pending, "verify_login", &[("code", &code_now(&server, &secret))]).await;
    assert_eq!(done["backup_codes_left"], Value::Null);
    assert_eq!(pending.me().await["email"], email.as_str());
}

async fn enrollment_checks_the_code_and_persists_nothing_early(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Bea").await;
    let start = ok(&c, "start_enrollment", &[]).await;
    let secret = TotpSecret::from_base32(start["setup_key"].as_str().unwrap()).unwrap();

    let (status, body) = c.call("finish_enrollment", &[]).await;
    assert_eq!(status, StatusCode::CONFLICT, "no finishing before a right code: {body}");
    let (status, body) = c.call("check_enrollment_code", &[("code", "12345")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(body["message"], "Enter the 6-digit code from your authenticator app.");
    let right = code_now(&server, &secret);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 500_000) % 1_000_000);
    let (status, body) = c.call("check_enrollment_code", &[("code", &wrong)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let message = body["message"].as_str().unwrap();
    assert!(
        message.starts_with(&format!("Code {wrong} is not a valid two-factor authentication code for user {email}.")),
        "{message}"
    );
    assert!(message.contains("UTC"), "names the server's time: {message}");

    // Another session of the same user cannot complete this enrollment.
    let other = server.client();
    ok(&other, "log_in", &[("email", &email), ("password", PASSWORD)]).await;
    let (status, _) = other.call("check_enrollment_code", &[("code", &right)]).await;
    assert_eq!(status, StatusCode::CONFLICT);

    ok(&c, "cancel_enrollment", &[]).await;
    let (status, _) = c.call("check_enrollment_code", &[("code", &right)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "a cancelled enrollment is gone");
    assert_eq!(ok(&c, "two_factor_status", &[]).await["enabled"], false);
    let row: (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM totp_enrollments").fetch_one(&server.db().await).await.unwrap();
    assert_eq!(row.0, 0);

    // An enrollment left unfinished expires.
    ok(&c, "start_enrollment", &[]).await;
    server.advance_clock(16 * 60);
    let (status, _) = c.call("finish_enrollment", &[]).await;
    assert_eq!(status, StatusCode::CONFLICT);
}

async fn a_code_is_accepted_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Cid").await;
    let e = enroll(&server, &c).await;
    // The enrollment's own code cannot log in.
    let enrollment_code = code_now(&server, &e.secret);
    let (status, _) = pending_login(&server, &email).await.call("verify_login", &[("code", &enrollment_code)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    next_step(&server);
    let code = code_now(&server, &e.secret);
    ok(&pending_login(&server, &email).await, "verify_login", &[("code", &code)]).await;
    let (status, body) = pending_login(&server, &email).await.call("verify_login", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "replayed within the same step: {body}");
    // Nor an earlier step's code still inside the drift window.
    next_step(&server);
    let (status, _) = pending_login(&server, &email).await.call("verify_login", &[("code", &code)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

async fn twenty_concurrent_submissions_of_one_code_succeed_once(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Dan").await;
    let e = enroll(&server, &c).await;
    next_step(&server);
    let mut clients = Vec::new();
    for _ in 0..20 {
        clients.push(pending_login(&server, &email).await);
    }
    assert_one_of_a_race_wins(&clients, &code_now(&server, &e.secret)).await;
}

async fn a_backup_code_works_once_even_when_raced(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Eve").await;
    let e = enroll(&server, &c).await;
    let (a, b) = (pending_login(&server, &email).await, pending_login(&server, &email).await);
    let code = e.codes[0].to_uppercase();
    let args = [("code", code.as_str()), ("recovery", "true")];
    let (ra, rb) = tokio::join!(a.call("verify_login", &args), b.call("verify_login", &args));
    let wins: Vec<_> = [&ra, &rb].into_iter().filter(|(s, _)| *s == StatusCode::OK).collect();
    assert_eq!(wins.len(), 1, "{ra:?} {rb:?}");
    assert_eq!(wins[0].1["backup_codes_left"], 4);

    let (status, body) = pending_login(&server, &email).await.call("verify_login", &args).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("used already"), "{body}");
    next_step(&server);
    let revealed = ok(&c, "reveal_codes", &[("password", PASSWORD), ("code", &code_now(&server, &e.secret))]).await;
    let used: Vec<bool> = revealed.as_array().unwrap().iter().map(|c| c["used"].as_bool().unwrap()).collect();
    assert_eq!(used, [true, false, false, false, false]);
    assert_eq!(revealed[1]["code"], e.codes[1].as_str());
    next_step(&server);
    let (status, _) =
        c.call("reveal_codes", &[("password", "wrong password"), ("code", &code_now(&server, &e.secret))]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "reveal needs the password");
}

async fn softlock_after_five_failures_across_sessions_then_release(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Fay").await;
    let e = enroll(&server, &c).await;
    next_step(&server);
    let right = code_now(&server, &e.secret);
    let wrong = format!("{:06}", (right.parse::<u32>().unwrap() + 500_000) % 1_000_000);
    for i in 0..5 {
        // Each failure from a different pending login: the count is per account.
        let (status, body) = pending_login(&server, &email).await.call("verify_login", &[("code", &wrong)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "failure {i}: {body}");
    }
    let pending = pending_login(&server, &email).await;
    let (status, body) = pending.call("verify_login", &[("code", &right)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let message = body["message"].as_str().unwrap();
    assert!(message.starts_with("Too many attempts. Try again in ") && message.ends_with(" seconds."), "{message}");
    assert!(body["retry_after_secs"].as_u64().is_some_and(|s| s <= 30), "{body}");
    // Re-authentication shares the counter.
    let (status, _) = c.call("reveal_codes", &[("password", PASSWORD), ("code", &right)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);

    server.advance_clock(31);
    let code = code_now(&server, &e.secret);
    ok(&pending, "verify_login", &[("code", &code)]).await;
    // Success reset the counter: four more failures do not lock.
    next_step(&server);
    for _ in 0..4 {
        let (status, _) = pending_login(&server, &email).await.call("verify_login", &[("code", &wrong)]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    ok(&pending_login(&server, &email).await, "verify_login", &[("code", &code_now(&server, &e.secret))]).await;

    let kinds: Vec<(String,)> =
        sqlx::query_as("SELECT kind FROM security_events").fetch_all(&server.db().await).await.unwrap();
    let kinds: Vec<_> = kinds.into_iter().map(|k| k.0).collect();
    for kind in ["two_factor_enabled", "failed_code", "lockout"] {
        assert!(kinds.iter().any(|k| k == kind), "{kind} missing from {kinds:?}");
    }
}

async fn the_delay_doubles_with_each_further_failure(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Gus").await;
    let e = enroll(&server, &c).await;
    let wrong = format!("{:06}", (code_now(&server, &e.secret).parse::<u32>().unwrap() + 500_000) % 1_000_000);
    let pending = pending_login(&server, &email).await;
    for _ in 0..5 {
        pending.call("verify_login", &[("code", &wrong)]).await;
    }
    server.advance_clock(31);
    let (status, _) = pending.call("verify_login", &[("code", &wrong)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = pending.call("verify_login", &[("code", &wrong)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert!((31..=60).contains(&body["retry_after_secs"].as_u64().unwrap()), "{body}");
}

async fn regenerate_needs_password_and_code_and_kills_the_old_set(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Hal").await;
    let e = enroll(&server, &c).await;
    next_step(&server);
    let code = code_now(&server, &e.secret);
    let (status, _) = c.call("regenerate_codes", &[("password", "wrong password"), ("code", &code)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = c.call("regenerate_codes", &[("password", PASSWORD), ("code", "")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let fresh = ok(&c, "regenerate_codes", &[("password", PASSWORD), ("code", &code)]).await;
    let fresh: Vec<String> = fresh.as_array().unwrap().iter().map(|v| v.as_str().unwrap().to_string()).collect();
    assert_eq!(fresh.len(), 5);
    assert!(fresh.iter().all(|f| !e.codes.contains(f)));

    let (status, _) =
        pending_login(&server, &email).await.call("verify_login", &[("code", &e.codes[1]), ("recovery", "true")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the old set died");
    let done =
        ok(&pending_login(&server, &email).await, "verify_login", &[("code", &fresh[2]), ("recovery", "true")]).await;
    assert_eq!(done["backup_codes_left"], 4);
}

async fn disable_needs_reauthentication(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Ivy").await;
    let e = enroll(&server, &c).await;
    next_step(&server);
    let code = code_now(&server, &e.secret);
    let (status, body) = c.call("disable_two_factor", &[("password", "wrong password"), ("code", &code)]).await;
    assert_eq!((status, body["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, "password".into()));
    let (status, body) = c.call("disable_two_factor", &[("password", PASSWORD), ("code", "000000x")]).await;
    assert_eq!((status, body["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, "code".into()));
    assert_eq!(ok(&c, "two_factor_status", &[]).await["enabled"], true);
    // A backup code does it too.
    ok(&c, "disable_two_factor", &[("password", PASSWORD), ("code", &e.codes[4])]).await;
    assert_eq!(ok(&c, "two_factor_status", &[]).await["enabled"], false);
    let body = ok(&server.client(), "log_in", &[("email", &email), ("password", PASSWORD)]).await;
    assert_eq!(body["LoggedIn"]["email"], email.as_str(), "only the password now");
    let _ = e.setup_key;
}

async fn a_pending_login_reaches_nothing_but_the_second_step(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Jo").await;
    let e = enroll(&server, &c).await;
    ok(&c, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let pending = pending_login(&server, &email).await;
    assert!(pending.me().await.is_null());
    for (name, args) in [
        ("start_enrollment", vec![]),
        ("two_factor_status", vec![]),
        ("reveal_codes", vec![("password", PASSWORD), ("code", "123456")]),
        ("my_orgs", vec![]),
        ("create_org", vec![("name", "X"), ("slug", "xx")]),
        ("load_org", vec![("slug", "acme")]),
    ] {
        let (status, body) = pending.call(name, &args).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{name}: {body}");
    }
    let res = pending.get("/account").await;
    assert!(res.status().is_redirection(), "pages too: {}", res.status());

    server.advance_clock(301);
    let (status, _) = pending.call("verify_login", &[("code", &code_now(&server, &e.secret))]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the pending login expired");
    // Without a pending login the second step is closed.
    let (status, _) = server.client().call("verify_login", &[("code", "123456")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn secrets_and_codes_are_never_stored_in_the_clear(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, _) = server.user("Kim").await;
    let e = enroll(&server, &c).await;
    let db = server.db().await;
    let (sealed,): (Vec<u8>,) =
        sqlx::query_as("SELECT secret_sealed FROM totp_credentials").fetch_one(&db).await.unwrap();
    assert!(!sealed.windows(20).any(|w| w == e.secret.as_bytes()));
    let key = e.setup_key.replace(' ', "");
    assert!(!String::from_utf8_lossy(&sealed).contains(&key));
    let rows: Vec<(String, Vec<u8>)> =
        sqlx::query_as("SELECT lookup_hash, code_sealed FROM backup_codes").fetch_all(&db).await.unwrap();
    assert_eq!(rows.len(), 5);
    for (hash, sealed) in rows {
        for code in &e.codes {
            assert!(!hash.contains(code.as_str()) && !String::from_utf8_lossy(&sealed).contains(code.as_str()));
        }
    }
    // Responses with secrets are never cached.
    let res = c.http.post(format!("{}/api/start_enrollment", server.base)).send().await.unwrap();
    assert_eq!(res.headers()["cache-control"], "no-store");
}

/// The Hub seed's troubleshooting: a phone whose clock is minutes off gets
/// codes that "expire before you have a chance to enter them". Such a code is
/// refused, and the person is told why; a code of a future step is refused
/// with nothing said (it would become valid: saying so would help a guesser).
async fn a_code_from_a_clock_minutes_behind_is_refused_with_the_reason(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (ann, email) = server.user("Ann").await;
    let factors = enroll(&server, &ann).await;
    server.advance_clock(30);
    let step = app::twofactor::totp::step_of(server.now());
    let browser = pending_login(&server, &email).await;
    let behind = factors.secret.code_at_step(step - 10, 6);
    let (status, body) = browser.call("verify_login", &[("code", &behind)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains("Your device's clock looks 5 minutes behind"), "{body}");
    let ahead = factors.secret.code_at_step(step + 4, 6);
    let (status, body) = browser.call("verify_login", &[("code", &ahead)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let said = body["message"].as_str().unwrap();
    assert!(said.starts_with("That code is not valid") && !said.contains("clock"), "{body}");
    // Neither was accepted: the right code still signs in.
    ok(&browser, "verify_login", &[("code", &code_now(&server, &factors.secret))]).await;
}
