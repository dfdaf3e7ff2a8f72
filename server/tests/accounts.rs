//! Sign up, log in, log out and sessions, over HTTP against the real server.

mod common;

use common::{Backend, TestServer, PASSWORD};
use reqwest::StatusCode;

on_both_backends!(
    sign_up_rules_are_enforced_with_specific_messages,
    emails_are_unique_case_insensitively,
    login_and_logout,
    login_issues_a_new_session_id_and_kills_the_old_one,
    idle_and_absolute_expiry,
    session_cookie_is_http_only_and_same_site,
    the_security_log_shows_logins_and_failures_newest_first_paginated,
    x_forwarded_for_counts_only_from_a_trusted_proxy,
);

async fn sign_up_rules_are_enforced_with_specific_messages(backend: Backend) {
    let server = TestServer::start(backend).await;
    let c = server.client();
    let cases: [(&[(&str, &str)], &str, &str); 5] = [
        (&[("name", "Al"), ("email", "al@example.com"), ("password", "short")], "password", "at least 8"),
        (&[("name", "Al"), ("email", "not-an-email"), ("password", PASSWORD)], "email", "valid email"),
        (&[("name", "  "), ("email", "al@example.com"), ("password", PASSWORD)], "name", "Enter your name"),
        (&[("name", "Al"), ("email", "al@example.com"), ("password", &"x".repeat(1025))], "password", "at most 1024"),
        (&[("name", "Al"), ("email", ""), ("password", PASSWORD)], "email", "Enter your email"),
    ];
    for (args, field, message) in cases {
        let (status, body) = c.call("sign_up", args).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert_eq!(body["code"], "validation");
        assert_eq!(body["field"], field);
        assert!(body["message"].as_str().unwrap().contains(message), "{body}");
    }
    assert_eq!(c.me().await, serde_json::Value::Null, "no account was made");
}

async fn emails_are_unique_case_insensitively(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (_, email) = server.user("Alice").await;
    let (status, body) = server
        .client()
        .call("sign_up", &[("name", "Other"), ("email", &email.to_uppercase()), ("password", PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("already exists"), "{body}");
}

async fn login_and_logout(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (_, email) = server.user("Alice").await;
    let c = server.client();

    for (who, password) in [(email.as_str(), "wrong password"), ("nobody@example.com", PASSWORD), ("garbage", PASSWORD)]
    {
        let (status, body) = c.call("log_in", &[("email", who), ("password", password)]).await;
        assert_eq!(status, StatusCode::UNAUTHORIZED);
        assert_eq!(body["code"], "invalid_credentials", "one answer for every failure: {body}");
        assert_eq!(body["message"], "Invalid email or password");
    }
    assert!(c.me().await.is_null());

    let (status, body) = c.call("log_in", &[("email", &email.to_uppercase()), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(c.me().await["email"], email.as_str());

    let token = c.session_cookie().unwrap();
    let (status, _) = c.call("log_out", &[]).await;
    assert_eq!(status, StatusCode::OK);
    assert!(c.me().await.is_null());
    // The row is gone: the old token does not come back to life.
    c.set_session_cookie(&token);
    assert!(c.me().await.is_null());
}

async fn login_issues_a_new_session_id_and_kills_the_old_one(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Alice").await;
    let before = c.session_cookie().expect("signed up and in");
    let (status, _) = c.call("log_in", &[("email", &email), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::OK);
    let after = c.session_cookie().unwrap();
    assert_ne!(before, after);

    let attacker = server.client();
    attacker.set_session_cookie(&before);
    assert!(attacker.me().await.is_null(), "a fixated session id grants nothing");
}

async fn idle_and_absolute_expiry(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Alice").await;
    server.advance_clock(11 * 3600);
    assert_eq!(c.me().await["email"], email.as_str(), "still inside the idle window");
    server.advance_clock(12 * 3600 + 1);
    assert!(c.me().await.is_null(), "idle for more than 12 hours");

    // Used every few hours, a session still ends 14 days after login.
    let (status, _) = c.call("log_in", &[("email", &email), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::OK);
    for _ in 0..(14 * 24 / 6) {
        server.advance_clock(6 * 3600);
        if c.me().await.is_null() {
            return;
        }
    }
    panic!("the session outlived its absolute expiry");
}

async fn session_cookie_is_http_only_and_same_site(backend: Backend) {
    let server = TestServer::start(backend).await;
    let res = server
        .client()
        .http
        .post(format!("{}/api/sign_up", server.base))
        .form(&[("name", "Al"), ("email", "al@example.com"), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    let cookie = res.headers().get("set-cookie").unwrap().to_str().unwrap().to_string();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"), "{cookie}");
}

async fn the_security_log_shows_logins_and_failures_newest_first_paginated(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, email) = server.user("Alice").await;
    let (status, _) = server.client().call("log_in", &[("email", &email), ("password", "wrong password")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
    for _ in 0..21 {
        server.advance_clock(1);
        let (status, _) = c.call("log_in", &[("email", &email), ("password", PASSWORD)]).await;
        assert_eq!(status, StatusCode::OK);
    }
    let first = c.call("security_log", &[]).await.1;
    assert_eq!(first["entries"].as_array().unwrap().len(), 20);
    assert_eq!(first["entries"][0]["what"], "Logged in");
    assert_eq!(first["entries"][0]["ip"], "127.0.0.1");
    assert_eq!(first["has_more"], true);
    let second = c.call("security_log", &[("page", "1")]).await.1;
    let older: Vec<_> =
        second["entries"].as_array().unwrap().iter().map(|e| e["what"].as_str().unwrap().to_string()).collect();
    assert_eq!(older, ["Logged in", "Failed login (wrong password)"]);
    assert_eq!(second["has_more"], false);
    // Someone else's log is not reachable: the log is always the caller's own.
    let (other, _) = server.user("Bob").await;
    assert_eq!(other.call("security_log", &[]).await.1["entries"].as_array().unwrap().len(), 0);
    let html = c.get("/account").await.text().await.unwrap();
    assert!(html.contains("Security log") && html.contains("Logged in"));
}

async fn log_in_forwarded_for(server: &TestServer, email: &str, forwarded_for: &str) {
    let res = server
        .client()
        .http
        .post(format!("{}/api/log_in", server.base))
        .header("X-Forwarded-For", forwarded_for)
        .form(&[("email", email), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
}

async fn x_forwarded_for_counts_only_from_a_trusted_proxy(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    let (c, email) = server.user("Alice").await;
    log_in_forwarded_for(&server, &email, "198.51.100.7").await;
    let log = c.call("security_log", &[]).await.1;
    assert_eq!(log["entries"][0]["ip"], "127.0.0.1", "a client cannot choose its address: {log}");

    server.restart(&[("PORTCULLIS_TRUSTED_PROXIES", "10.0.0.0/8,127.0.0.1")]).await;
    // The first entry is the client's own claim; the proxy appended what it saw.
    log_in_forwarded_for(&server, &email, "203.0.113.1, 198.51.100.7").await;
    let log = c.on(&server).call("security_log", &[]).await.1;
    assert_eq!(log["entries"][0]["ip"], "198.51.100.7", "{log}");
}
