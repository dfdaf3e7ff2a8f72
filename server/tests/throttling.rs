//! Guessing limits over HTTP: failed logins per account and per address,
//! sign-ups per address, password length caps, the per-address limit on
//! failed codes, and what may reset the second-factor counter.

mod common;

use common::{code_now, enroll, ok, pending_login, Backend, Client, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    failed_logins_lock_the_account_for_a_capped_wait_with_retry_after,
    failed_logins_are_limited_per_address_across_accounts,
    sign_ups_are_limited_per_address,
    overlong_passwords_are_refused_on_every_path,
    an_attackers_failed_codes_never_block_another_accounts_correct_code,
    a_password_only_reauthentication_does_not_reset_the_code_counter,
    an_enrollment_check_code_does_not_reset_the_counter,
    a_failed_login_writes_the_same_rows_whether_or_not_the_email_exists,
    counters_are_deleted_once_their_window_and_wait_are_over,
);

/// A server function call that also returns the `Retry-After` header.
async fn call_with_retry_after(c: &Client, name: &str, args: &[(&str, &str)]) -> (StatusCode, Value, Option<u64>) {
    let (status, body, headers) = c.call_with_headers(name, args).await;
    let retry_after = headers.get("retry-after").and_then(|v| v.to_str().ok()).and_then(|v| v.parse().ok());
    (status, body, retry_after)
}

async fn log_in(c: &Client, email: &str, password: &str) -> (StatusCode, Value, Option<u64>) {
    call_with_retry_after(c, "log_in", &[("email", email), ("password", password)]).await
}

fn wrong_code(right: &str) -> String {
    format!("{:06}", (right.parse::<u32>().unwrap() + 500_000) % 1_000_000)
}

async fn failed_logins_lock_the_account_for_a_capped_wait_with_retry_after(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (_, email) = server.user("Ann").await;
    let c = server.client();
    for i in 0..5 {
        let (status, body, _) = log_in(&c, &email, "wrong password").await;
        assert_eq!(status, StatusCode::UNAUTHORIZED, "failure {i}: {body}");
    }
    // Even the right password waits now, or guessing would go on unlimited.
    let (status, body, retry_after) = log_in(&c, &email, PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(body["message"].as_str().unwrap().starts_with("Too many attempts. Try again in "), "{body}");
    assert!(retry_after.is_some_and(|s| (1..=30).contains(&s)), "Retry-After: {retry_after:?}");
    assert_eq!(Some(body["retry_after_secs"].as_u64().unwrap()), retry_after);
    // Another account is not affected.
    let (_, other) = server.user("Ben").await;
    assert_eq!(log_in(&server.client(), &other, PASSWORD).await.0, StatusCode::OK);

    // Each further failure doubles the wait, but never beyond 15 minutes,
    // so someone guessing cannot lock the owner out for longer than that.
    let mut wait = retry_after.unwrap();
    for _ in 0..8 {
        server.advance_clock(wait as i64 + 1);
        assert_eq!(log_in(&c, &email, "wrong password").await.0, StatusCode::UNAUTHORIZED);
        let (status, _, retry_after) = log_in(&c, &email, PASSWORD).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
        wait = retry_after.unwrap();
        assert!(wait <= 15 * 60, "{wait}");
    }
    assert!(wait > 10 * 60, "the wait grew: {wait}");
    server.advance_clock(wait as i64 + 1);
    let (status, body, _) = log_in(&c, &email, PASSWORD).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // The success cleared the count: one failure is free again.
    assert_eq!(log_in(&c, &email, "wrong password").await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(log_in(&c, &email, PASSWORD).await.0, StatusCode::OK);
    let kinds: Vec<(String,)> = sqlx::query_as("SELECT kind FROM security_events WHERE kind = 'login_lockout'")
        .fetch_all(&server.db().await)
        .await
        .unwrap();
    assert!(!kinds.is_empty(), "the lockout is in the security log");
}

async fn failed_logins_are_limited_per_address_across_accounts(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (_, email) = server.user("Cy").await;
    let c = server.client();
    // Spraying one password over many addresses' worth of accounts: each
    // account fails only once, the address runs out.
    let mut refused = None;
    for i in 0..40 {
        let (status, body, retry_after) = log_in(&c, &format!("sprayed-{i}@example.com"), "Summer2026!").await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused = Some((i, retry_after));
            break;
        }
        assert_eq!(status, StatusCode::UNAUTHORIZED, "{body}");
    }
    let (after, retry_after) = refused.expect("the address was limited");
    assert_eq!(after, 30, "30 failures per address are free");
    assert!(retry_after.is_some_and(|s| (1..=30).contains(&s)), "{retry_after:?}");
    assert_eq!(
        log_in(&c, &email, PASSWORD).await.0,
        StatusCode::TOO_MANY_REQUESTS,
        "while it waits, the address waits for everyone"
    );
    server.advance_clock(31);
    assert_eq!(log_in(&c, &email, PASSWORD).await.0, StatusCode::OK);
}

async fn sign_up(server: &TestServer, i: usize) -> (StatusCode, Value, Option<u64>) {
    let email = format!("new-{i}@example.com");
    call_with_retry_after(&server.client(), "sign_up", &[("name", "New"), ("email", &email), ("password", PASSWORD)])
        .await
}

async fn sign_ups_are_limited_per_address(backend: Backend) {
    let server = TestServer::start(backend).await;
    let c = server.client();
    for i in 0..20 {
        let (status, body, _) = sign_up(&server, i).await;
        assert_eq!(status, StatusCode::OK, "sign-up {i}: {body}");
    }
    let (status, body, retry_after) = sign_up(&server, 20).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    assert!(retry_after.is_some(), "{body}");
    // A refused sign-up made nothing, and logging in is not affected.
    assert_eq!(log_in(&c, "new-20@example.com", PASSWORD).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(log_in(&c, "new-3@example.com", PASSWORD).await.0, StatusCode::OK);
    server.advance_clock(retry_after.unwrap() as i64 + 1);
    assert_eq!(sign_up(&server, 20).await.0, StatusCode::OK);
}

async fn overlong_passwords_are_refused_on_every_path(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Dee").await;
    enroll(&server, &c).await;
    let long = "x".repeat(1025);
    let check = |(status, body): (StatusCode, Value), path: &str| {
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{path}: {body}");
        assert_eq!(body["field"], "password", "{path}: {body}");
        assert_eq!(body["message"], "A password has at most 1024 characters.", "{path}: {body}");
    };
    check(server.client().call("log_in", &[("email", &email), ("password", &long)]).await, "log_in");
    check(
        server.client().call("log_in", &[("email", "nobody@example.com"), ("password", &long)]).await,
        "log_in, unknown email",
    );
    check(
        server.client().call("sign_up", &[("name", "Al"), ("email", "al@example.com"), ("password", &long)]).await,
        "sign_up",
    );
    check(c.call("reveal_codes", &[("password", &long)]).await, "re-authentication");
    // 1024 characters are fine (and wrong).
    let (status, _) = server.client().call("log_in", &[("email", &email), ("password", &"x".repeat(1024))]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn an_attackers_failed_codes_never_block_another_accounts_correct_code(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (victim, victim_email) = server.user("Victim").await;
    let victim_2fa = enroll(&server, &victim).await;
    // Accounts the attacker made: each stays under its own lockout, together
    // they spend the address's allowance of failed codes.
    let mut attackers = Vec::new();
    for i in 0..10 {
        let (c, email) = server.user(&format!("Mallory{i}")).await;
        let e = enroll(&server, &c).await;
        attackers.push((pending_login(&server, &email).await, e));
    }
    server.advance_clock(30);
    for (pending, e) in &attackers {
        let wrong = wrong_code(&code_now(&server, &e.secret));
        for _ in 0..3 {
            let (status, body) = pending.call("verify_login", &[("code", &wrong)]).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        }
    }
    // The accounts that failed from this address wait, even with the right code...
    let (pending, e) = &attackers[0];
    let (status, body) = pending.call("verify_login", &[("code", &code_now(&server, &e.secret))]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    // ...but the victim's right code, from the same address, is evaluated and accepted.
    let victim_pending = pending_login(&server, &victim_email).await;
    let done = ok(&victim_pending, "verify_login", &[("code", &code_now(&server, &victim_2fa.secret))]).await;
    assert_eq!(done["backup_codes_left"], Value::Null);
    assert_eq!(victim_pending.me().await["email"], victim_email.as_str());
}

async fn a_password_only_reauthentication_does_not_reset_the_code_counter(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Eli").await;
    // Starting an enrollment with the password is a password-only re-authentication.
    let start = |password: &'static str| {
        let c = &c;
        async move { c.call("start_enrollment", &[("password", password)]).await }
    };
    // Right passwords alone never count as failures...
    for _ in 0..6 {
        assert_eq!(start(PASSWORD).await.0, StatusCode::OK);
    }
    // ...nor do they wipe the failures counted so far.
    for _ in 0..4 {
        assert_eq!(start("wrong password").await.0, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(start(PASSWORD).await.0, StatusCode::OK);
    }
    assert_eq!(start("wrong password").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, body) = start(PASSWORD).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "five failures lock, whatever came between: {body}");
    // Only the account's own second factor clears the count.
    server.advance_clock(31);
    let e = enroll(&server, &c).await;
    server.advance_clock(30);
    let pending = pending_login(&server, &email).await;
    ok(&pending, "verify_login", &[("code", &code_now(&server, &e.secret))]).await;
    for _ in 0..4 {
        let (status, body) = c.call("disable_two_factor", &[("password", "wrong password"), ("code", "123456")]).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    }
}

async fn an_enrollment_check_code_does_not_reset_the_counter(backend: Backend) {
    let server = TestServer::start(backend).await;
    // A session without 2FA guessing its own password in re-authentication
    // forms, with enrollment codes it can compute in between.
    let (c, _) = server.user("Fin").await;
    let start = |password: &'static str| {
        let c = &c;
        async move { c.call("start_enrollment", &[("password", password)]).await }
    };
    for _ in 0..4 {
        assert_eq!(start("wrong password").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let started = ok(&c, "start_enrollment", &[("password", PASSWORD)]).await;
    let secret = app::twofactor::totp::TotpSecret::from_base32(started["setup_key"].as_str().unwrap()).unwrap();
    ok(&c, "check_enrollment_code", &[("code", &code_now(&server, &secret))]).await;
    assert_eq!(start("wrong password").await.0, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(start("another wrong password").await.0, StatusCode::TOO_MANY_REQUESTS, "the fifth failure locked");
}

async fn a_failed_login_writes_the_same_rows_whether_or_not_the_email_exists(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (_, email) = server.user("Hugo").await;
    let db = server.db().await;
    let count = || async {
        let rows: Vec<(String, i64)> = sqlx::query_as(
            "SELECT scope, failures FROM attempt_counters WHERE scope LIKE 'login%' ORDER BY scope, failures",
        )
        .fetch_all(&server.db().await)
        .await
        .unwrap();
        rows
    };
    assert_eq!(log_in(&server.client(), &email, "wrong password").await.0, StatusCode::UNAUTHORIZED);
    let known = count().await;
    assert_eq!(log_in(&server.client(), "nobody@example.com", "wrong password").await.0, StatusCode::UNAUTHORIZED);
    let both = count().await;
    assert_eq!(known, [("login_account".to_string(), 1), ("login_address".to_string(), 1)]);
    assert_eq!(
        both,
        [("login_account".to_string(), 1), ("login_account".to_string(), 1), ("login_address".to_string(), 2)],
        "an unknown email is counted like a known one"
    );
    // Emails are not stored in the clear.
    let subjects: Vec<(String,)> = sqlx::query_as("SELECT subject FROM attempt_counters").fetch_all(&db).await.unwrap();
    assert!(subjects.iter().all(|(s,)| !s.contains("example.com")), "{subjects:?}");
}

async fn counters_are_deleted_once_their_window_and_wait_are_over(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    server.restart(&[("PORTCULLIS_CLEANUP_INTERVAL_SECS", "1")]).await;
    let (_, email) = server.user("Ida").await;
    assert_eq!(log_in(&server.client(), &email, "wrong password").await.0, StatusCode::UNAUTHORIZED);
    let db = server.db().await;
    let scopes = || async {
        let rows: Vec<(String,)> =
            sqlx::query_as("SELECT scope FROM attempt_counters ORDER BY scope").fetch_all(&db).await.unwrap();
        rows.into_iter().map(|r| r.0).collect::<Vec<_>>()
    };
    assert_eq!(scopes().await, ["login_account", "login_address", "sign_up_address"]);
    // The clean-up runs every second in the background: poll for its work.
    let cleaned_to = |expected: &'static [&'static str]| {
        let scopes = &scopes;
        async move {
            for _ in 0..50 {
                if scopes().await == expected {
                    return true;
                }
                tokio::time::sleep(std::time::Duration::from_millis(100)).await;
            }
            false
        }
    };
    server.advance_clock(2 * 3600);
    assert!(cleaned_to(&["login_account"]).await, "an address's counters last an hour: {:?}", scopes().await);
    server.advance_clock(24 * 3600);
    assert!(cleaned_to(&[]).await, "an account's a day: {:?}", scopes().await);
}
