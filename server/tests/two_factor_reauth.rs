//! Who controls 2FA: a session alone must not. Reveal wants the password and
//! an app code, starting an enrollment in an old session the password,
//! turning 2FA on or off ends the account's other sessions, an enrollment
//! overtaken by 2FA turned on elsewhere is void, and loosening an
//! organization's requirement is for owners who prove themselves again.

mod common;

use app::twofactor::totp::TotpSecret;
use common::{code_now, enroll, join_org, ok, pending_login, Backend, Client, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    reveal_needs_the_password_and_a_current_app_code,
    a_backup_code_cannot_reveal_the_others,
    disable_needs_a_second_factor_besides_the_password,
    an_old_session_gives_the_password_again_to_start_an_enrollment,
    enabling_two_factor_ends_the_other_sessions_and_renews_this_one,
    disabling_two_factor_ends_the_other_sessions_and_renews_this_one,
    an_enrollment_overtaken_by_two_factor_enabled_elsewhere_is_void,
    checking_a_code_after_two_factor_was_enabled_is_refused_with_a_conflict,
    two_sessions_finishing_at_once_enable_one_secret,
    admins_cannot_switch_the_requirement_off_or_lengthen_the_grace_period,
    owners_loosen_the_requirement_only_with_password_and_code,
    admins_may_switch_the_requirement_on_but_not_shorten_it,
);

/// A later 30-second step: a code's step is accepted once.
fn next_step(server: &TestServer) {
    server.advance_clock(30);
}

fn field(body: &Value) -> &str {
    body["field"].as_str().unwrap_or("")
}

fn message(body: &Value) -> &str {
    body["message"].as_str().unwrap_or("")
}

/// Another browser logged in to the same account (password, then a code when 2FA is on).
async fn another_login(server: &TestServer, email: &str, secret: Option<&TotpSecret>) -> Client {
    match secret {
        None => {
            let c = server.client();
            ok(&c, "log_in", &[("email", email), ("password", PASSWORD)]).await;
            c
        }
        Some(secret) => {
            next_step(server);
            let c = pending_login(server, email).await;
            ok(&c, "verify_login", &[("code", &code_now(server, secret))]).await;
            c
        }
    }
}

async fn reveal_needs_the_password_and_a_current_app_code(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, _) = server.user("Ann").await;
    let e = enroll(&server, &c).await;
    next_step(&server);

    let (status, body) = c.call("reveal_codes", &[("password", PASSWORD)]).await;
    assert_eq!(
        (status, field(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "code"),
        "the password alone reveals nothing: {body}"
    );
    let code = code_now(&server, &e.secret);
    let (status, body) = c.call("reveal_codes", &[("password", "wrong password"), ("code", &code)]).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "password"), "{body}");
    let revealed = ok(&c, "reveal_codes", &[("password", PASSWORD), ("code", &code)]).await;
    let codes: Vec<&str> = revealed.as_array().unwrap().iter().map(|c| c["code"].as_str().unwrap()).collect();
    assert_eq!(codes, e.codes.iter().map(String::as_str).collect::<Vec<_>>());
    let (status, body) = c.call("reveal_codes", &[("password", PASSWORD), ("code", &code)]).await;
    assert_eq!(
        (status, field(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "code"),
        "the same code is not accepted twice: {body}"
    );
}

async fn a_backup_code_cannot_reveal_the_others(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, _) = server.user("Ben").await;
    let e = enroll(&server, &c).await;
    let (status, body) = c.call("reveal_codes", &[("password", PASSWORD), ("code", &e.codes[0])]).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "code"), "{body}");
    assert!(message(&body).contains("backup code cannot reveal"), "{body}");
    assert_eq!(ok(&c, "two_factor_status", &[]).await["codes_left"], 5, "the backup code was not spent");
}

async fn disable_needs_a_second_factor_besides_the_password(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, _) = server.user("Cy").await;
    enroll(&server, &c).await;
    let (status, body) = c.call("disable_two_factor", &[("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "no code at all: {body}");
    let (status, body) = c.call("disable_two_factor", &[("password", PASSWORD), ("code", "")]).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "code"), "{body}");
    let (status, body) = c.call("disable_two_factor", &[("password", PASSWORD), ("code", "123456")]).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "code"), "a wrong code: {body}");
    assert_eq!(ok(&c, "two_factor_status", &[]).await["enabled"], true);
}

async fn an_old_session_gives_the_password_again_to_start_an_enrollment(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Dee").await;
    ok(&c, "start_enrollment", &[]).await;
    server.advance_clock(5 * 60);

    let (status, body) = c.call("start_enrollment", &[]).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "password"), "{body}");
    assert!(message(&body).contains("enter your password again"), "{body}");
    let (status, body) = c.call("start_enrollment", &[("password", "wrong password")]).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "password"), "{body}");
    assert!(message(&body).contains("not right"), "{body}");
    ok(&c, "start_enrollment", &[("password", PASSWORD)]).await;
    // The password given counts as a fresh authentication for a few minutes.
    server.advance_clock(4 * 60);
    ok(&c, "start_enrollment", &[]).await;

    // A fresh login is a fresh authentication too.
    server.advance_clock(10 * 60);
    assert_eq!(c.call("start_enrollment", &[]).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let fresh = another_login(&server, &email, None).await;
    ok(&fresh, "start_enrollment", &[]).await;
}

async fn enabling_two_factor_ends_the_other_sessions_and_renews_this_one(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Eli").await;
    let other = another_login(&server, &email, None).await;
    assert_eq!(other.me().await["email"], email.as_str());
    let before = c.session_cookie().unwrap();

    enroll(&server, &c).await;
    assert!(other.me().await.is_null(), "the other session ended");
    let after = c.session_cookie().unwrap();
    assert_ne!(before, after, "this session has a fresh id");
    assert_eq!(c.me().await["email"], email.as_str(), "and goes on");
    let replay = server.client();
    replay.set_session_cookie(&before);
    assert!(replay.me().await.is_null(), "the old id is dead");
    let (sessions,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM sessions").fetch_one(&server.db().await).await.unwrap();
    assert_eq!(sessions, 1);
}

async fn disabling_two_factor_ends_the_other_sessions_and_renews_this_one(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Fen").await;
    let e = enroll(&server, &c).await;
    let other = another_login(&server, &email, Some(&e.secret)).await;
    assert_eq!(other.me().await["email"], email.as_str());
    let before = c.session_cookie().unwrap();

    next_step(&server);
    ok(&c, "disable_two_factor", &[("password", PASSWORD), ("code", &code_now(&server, &e.secret))]).await;
    assert!(other.me().await.is_null(), "the other session ended");
    assert_ne!(c.session_cookie().unwrap(), before, "this session has a fresh id");
    assert_eq!(c.me().await["email"], email.as_str());
    let replay = server.client();
    replay.set_session_cookie(&before);
    assert!(replay.me().await.is_null());
    let kinds: Vec<(String,)> =
        sqlx::query_as("SELECT kind FROM security_events WHERE kind LIKE 'two_factor%' ORDER BY id")
            .fetch_all(&server.db().await)
            .await
            .unwrap();
    assert_eq!(kinds.into_iter().map(|k| k.0).collect::<Vec<_>>(), ["two_factor_enabled", "two_factor_disabled"]);
}

/// Starts an enrollment and checks its code: ready for "I've Saved my Codes".
async fn verified_enrollment(server: &TestServer, c: &Client) -> TotpSecret {
    let start = ok(c, "start_enrollment", &[]).await;
    let secret = TotpSecret::from_base32(start["setup_key"].as_str().unwrap()).unwrap();
    ok(c, "check_enrollment_code", &[("code", &code_now(server, &secret))]).await;
    secret
}

async fn an_enrollment_overtaken_by_two_factor_enabled_elsewhere_is_void(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (a, email) = server.user("Gus").await;
    let b = another_login(&server, &email, None).await;
    let a_secret = verified_enrollment(&server, &a).await;
    // Meanwhile 2FA is turned on, and off again, from the other browser.
    let e = enroll(&server, &b).await;
    next_step(&server);
    ok(&b, "disable_two_factor", &[("password", PASSWORD), ("code", &code_now(&server, &e.secret))]).await;

    let (status, body) = a.call("finish_enrollment", &[]).await;
    assert!(status.is_client_error(), "the older enrollment does not turn 2FA on: {status} {body}");
    assert_eq!(ok(&b, "two_factor_status", &[]).await["enabled"], false, "nothing changed");
    let (enrollments,): (i64,) =
        sqlx::query_as("SELECT COUNT(*) FROM totp_enrollments").fetch_one(&server.db().await).await.unwrap();
    assert_eq!(enrollments, 0);
    let _ = a_secret;
}

async fn checking_a_code_after_two_factor_was_enabled_is_refused_with_a_conflict(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (a, email) = server.user("Hal").await;
    let b = another_login(&server, &email, None).await;
    let start = ok(&a, "start_enrollment", &[]).await;
    let a_secret = TotpSecret::from_base32(start["setup_key"].as_str().unwrap()).unwrap();
    let e = enroll(&server, &b).await;

    let (status, body) = a.call("check_enrollment_code", &[("code", &code_now(&server, &a_secret))]).await;
    assert!(status.is_client_error() && status != StatusCode::OK, "{status} {body}");
    // Logged in again, the old setup is gone: 2FA is on with the other secret.
    let a = another_login(&server, &email, Some(&e.secret)).await;
    let (status, body) = a.call("check_enrollment_code", &[("code", &code_now(&server, &a_secret))]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(a.call("finish_enrollment", &[]).await.0, StatusCode::CONFLICT);
}

async fn two_sessions_finishing_at_once_enable_one_secret(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (a, email) = server.user("Ida").await;
    let b = another_login(&server, &email, None).await;
    let a_secret = verified_enrollment(&server, &a).await;
    let b_secret = verified_enrollment(&server, &b).await;
    let (ra, rb) = tokio::join!(a.call("finish_enrollment", &[]), b.call("finish_enrollment", &[]));
    let results = [ra, rb];
    assert_eq!(results.iter().filter(|(s, _)| *s == StatusCode::OK).count(), 1, "{results:?}");
    assert!(results.iter().all(|(s, _)| s.is_success() || s.is_client_error()), "{results:?}");
    let winner = if results[0].0 == StatusCode::OK { &a_secret } else { &b_secret };
    another_login(&server, &email, Some(winner)).await;
}

/// An organization with an owner and an admin, both with 2FA.
struct Org {
    owner: Client,
    owner_secret: TotpSecret,
    admin: Client,
    admin_secret: TotpSecret,
}

async fn org(server: &TestServer) -> Org {
    let (owner, _) = server.user("Olivia").await;
    let (admin, admin_email) = server.user("Adam").await;
    let owner_secret = enroll(server, &owner).await.secret;
    let admin_secret = enroll(server, &admin).await.secret;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner, &admin, "acme", &admin_email, "admin").await;
    Org { owner, owner_secret, admin, admin_secret }
}

async fn set(c: &Client, require: bool, grace: &str, reauth: &[(&str, &str)]) -> (StatusCode, Value) {
    let mut args = vec![("slug", "acme"), ("grace_days", grace)];
    if require {
        args.push(("require", "true"));
    }
    args.extend_from_slice(reauth);
    c.call("set_two_factor_requirement", &args).await
}

async fn policy(server: &TestServer) -> (bool, i64) {
    let (required, grace): (i64, i64) = sqlx::query_as("SELECT require_two_factor, grace_days FROM organizations")
        .fetch_one(&server.db().await)
        .await
        .unwrap();
    (required == 1, grace)
}

/// The requirement's audit rows: their kind, and their detail as the Audit log words it.
async fn audit_kinds(server: &TestServer) -> Vec<(String, String)> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, detail FROM audit_events WHERE kind LIKE 'two_factor%' ORDER BY id")
            .fetch_all(&server.db().await)
            .await
            .unwrap();
    rows.into_iter().map(|(kind, stored)| (kind.clone(), app::server::words::audit::detail(&kind, &stored))).collect()
}

async fn admins_cannot_switch_the_requirement_off_or_lengthen_the_grace_period(backend: Backend) {
    let server = TestServer::start(backend).await;
    let o = org(&server).await;
    assert_eq!(set(&o.admin, true, "3", &[]).await.0, StatusCode::OK);
    next_step(&server);
    let code = code_now(&server, &o.admin_secret);
    let reauth = [("password", PASSWORD), ("code", code.as_str())];
    let (status, body) = set(&o.admin, false, "0", &reauth).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(message(&body).contains("Only owners"), "{body}");
    let (status, body) = set(&o.admin, true, "30", &reauth).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a longer grace period lets members in for longer: {body}");
    assert_eq!(policy(&server).await, (true, 3), "nothing changed");
    assert_eq!(audit_kinds(&server).await.len(), 1, "refusals leave no entry");
}

async fn owners_loosen_the_requirement_only_with_password_and_code(backend: Backend) {
    let server = TestServer::start(backend).await;
    let o = org(&server).await;
    assert_eq!(set(&o.owner, true, "1", &[]).await.0, StatusCode::OK);

    let (status, body) = set(&o.owner, false, "0", &[]).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "password"), "{body}");
    next_step(&server);
    let code = code_now(&server, &o.owner_secret);
    let (status, body) = set(&o.owner, true, "14", &[("password", PASSWORD)]).await;
    assert_eq!(
        (status, field(&body)),
        (StatusCode::UNPROCESSABLE_ENTITY, "code"),
        "the password alone is not enough: {body}"
    );
    let (status, body) = set(&o.owner, false, "0", &[("password", "wrong password"), ("code", &code)]).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "password"), "{body}");
    assert_eq!(policy(&server).await, (true, 1), "nothing changed");

    ok(
        &o.owner,
        "set_two_factor_requirement",
        &[("slug", "acme"), ("require", "true"), ("grace_days", "14"), ("password", PASSWORD), ("code", &code)],
    )
    .await;
    assert_eq!(policy(&server).await, (true, 14));
    next_step(&server);
    let code = code_now(&server, &o.owner_secret);
    ok(
        &o.owner,
        "set_two_factor_requirement",
        &[("slug", "acme"), ("grace_days", "0"), ("password", PASSWORD), ("code", &code)],
    )
    .await;
    assert_eq!(policy(&server).await, (false, 0));
    let audit = audit_kinds(&server).await;
    assert_eq!(audit.len(), 3, "{audit:?}");
    assert_eq!(audit[1].0, "two_factor_required");
    assert!(audit[1].1.contains("14 days (was 1)") && audit[1].1.contains("password and code"), "{audit:?}");
    assert_eq!(audit[2].0, "two_factor_not_required");
    assert!(audit[2].1.contains("password and code"), "{audit:?}");
}

async fn admins_may_switch_the_requirement_on_but_not_shorten_it(backend: Backend) {
    let server = TestServer::start(backend).await;
    let o = org(&server).await;
    ok(&o.admin, "set_two_factor_requirement", &[("slug", "acme"), ("require", "true"), ("grace_days", "30")]).await;
    ok(&o.admin, "set_two_factor_requirement", &[("slug", "acme"), ("require", "true"), ("grace_days", "30")]).await;
    // A shorter deadline can shut members out sooner than they were told: owners only.
    let (status, body) = set(&o.admin, true, "7", &[]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = set(&o.owner, true, "7", &[]).await;
    assert_eq!((status, field(&body)), (StatusCode::UNPROCESSABLE_ENTITY, "password"), "{body}");
    next_step(&server);
    let code = code_now(&server, &o.owner_secret);
    ok(
        &o.owner,
        "set_two_factor_requirement",
        &[("slug", "acme"), ("require", "true"), ("grace_days", "7"), ("password", PASSWORD), ("code", &code)],
    )
    .await;
    assert_eq!(policy(&server).await, (true, 7));
    let audit = audit_kinds(&server).await;
    let details: Vec<_> = audit.iter().map(|a| a.1.as_str()).collect();
    assert_eq!(details[..2], ["grace period: 30 days", "grace period: 30 days"]);
    assert!(
        details[2].starts_with("grace period: 7 days (was 30)") && details[2].contains("password and code"),
        "{details:?}"
    );
}
