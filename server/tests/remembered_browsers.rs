//! "Don't ask for a code on this browser for 30 days" and the mail about a
//! sign-in from a browser not seen before, against the real server and a
//! real SMTP server on the loopback.

mod common;

use common::smtp::SmtpSink;
use common::{code_now, enroll, ok, Backend, Client, Enrolled, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    a_remembered_browser_skips_the_code_until_it_is_forgotten,
    a_password_change_and_an_organization_forget_remembered_browsers,
    a_new_browser_is_mailed_about_once_unless_the_owner_turned_it_off,
);

async fn mail_server(backend: Backend) -> (TestServer, SmtpSink) {
    let sink = SmtpSink::start().await;
    let mut server = TestServer::start(backend).await;
    server.restart(&[("PORTCULLIS_SMTP_URL", &sink.url())]).await;
    (server, sink)
}

/// Both steps of a login in `browser`; the code from the app (the clock moves on a step first,
/// so that every login has a code of its own).
async fn sign_in(server: &TestServer, browser: &Client, email: &str, enrolled: &Enrolled, remember: bool) {
    let step = ok(browser, "log_in", &[("email", email), ("password", PASSWORD)]).await;
    assert_eq!(step, "SecondFactorRequired");
    server.advance_clock(30);
    let code = code_now(server, &enrolled.secret);
    let remember = if remember { "true" } else { "false" };
    ok(browser, "verify_login", &[("code", &code), ("remember", remember)]).await;
}

async fn password_only(browser: &Client, email: &str) -> Value {
    ok(browser, "log_in", &[("email", email), ("password", PASSWORD)]).await
}

async fn a_remembered_browser_skips_the_code_until_it_is_forgotten(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (ann, email) = server.user("Ann").await;
    let enrolled = enroll(&server, &ann).await;

    let laptop = server.client();
    sign_in(&server, &laptop, &email, &enrolled, true).await;
    ok(&laptop, "log_out", &[]).await;
    let again = password_only(&laptop, &email).await;
    assert_eq!(again["LoggedIn"]["email"], email.as_str(), "no code asked: {again}");
    let sessions = ok(&laptop, "my_sessions", &[]).await;
    let mine = sessions.as_array().unwrap().iter().find(|s| s["current"] == true).unwrap().clone();
    assert_eq!(mine["how"], "Password, on a remembered browser");

    // Another browser is asked, and so is one that did not tick the box.
    assert_eq!(password_only(&server.client(), &email).await, "SecondFactorRequired");
    let phone = server.client();
    sign_in(&server, &phone, &email, &enrolled, false).await;
    ok(&phone, "log_out", &[]).await;
    assert_eq!(password_only(&phone, &email).await, "SecondFactorRequired");

    // Listed on the Account page; "Forget" and the laptop is asked again.
    let settings = ok(&ann, "load_browser_settings", &[]).await;
    let remembered = settings["remembered"].as_array().unwrap();
    assert_eq!(remembered.len(), 1, "{settings}");
    assert_eq!(remembered[0]["current"], false, "asked from Ann's first browser");
    let id = remembered[0]["id"].as_str().unwrap().to_string();
    let (status, body) = server.client().call("forget_browser", &[("id", &id)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "only the account forgets its browsers: {body}");
    ok(&ann, "forget_browser", &[("id", &id)]).await;
    let (status, body) = ann.call("forget_browser", &[("id", &id)]).await;
    assert_eq!((status, body["reason"].as_str()), (StatusCode::NOT_FOUND, Some("browser_gone")));
    ok(&laptop, "log_out", &[]).await;
    assert_eq!(password_only(&laptop, &email).await, "SecondFactorRequired");

    // Thirty days is the limit.
    let tablet = server.client();
    sign_in(&server, &tablet, &email, &enrolled, true).await;
    ok(&tablet, "log_out", &[]).await;
    server.advance_clock(30 * 24 * 3600 + 1);
    assert_eq!(password_only(&tablet, &email).await, "SecondFactorRequired");
}

async fn a_password_change_and_an_organization_forget_remembered_browsers(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (ann, email) = server.user("Ann").await;
    let enrolled = enroll(&server, &ann).await;
    let laptop = server.client();
    sign_in(&server, &laptop, &email, &enrolled, true).await;

    // Ann changes her password in another browser: the laptop must give a code again.
    server.advance_clock(30);
    let code = code_now(&server, &enrolled.secret);
    let new = "a much longer passphrase";
    ok(&ann, "change_password", &[("current_password", PASSWORD), ("code", &code), ("password", new)]).await;
    let step = ok(&laptop, "log_in", &[("email", &email), ("password", new)]).await;
    assert_eq!(step, "SecondFactorRequired");
    ok(
        &ann,
        "change_password",
        &[("current_password", new), ("code", &next_code(&server, &enrolled)), ("password", PASSWORD)],
    )
    .await;

    // An organization that forbids remembering: the box is ignored, and a remembered browser forgotten.
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Strict"), ("slug", "strict")]).await;
    let tablet = server.client();
    sign_in(&server, &tablet, &email, &enrolled, true).await;
    common::join_org(&owner, &ann, "strict", &email, "member").await;
    let (status, body) = ann.call("set_remembered_browsers", &[("slug", "strict"), ("allow", "false")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a plain member cannot: {body}");
    ok(&owner, "set_remembered_browsers", &[("slug", "strict"), ("allow", "false")]).await;
    ok(&tablet, "log_out", &[]).await;
    assert_eq!(password_only(&tablet, &email).await, "SecondFactorRequired", "forgotten when forbidden");
    let phone = server.client();
    sign_in(&server, &phone, &email, &enrolled, true).await;
    ok(&phone, "log_out", &[]).await;
    assert_eq!(password_only(&phone, &email).await, "SecondFactorRequired", "the box is ignored");
    let settings = ok(&owner, "load_org_settings", &[("slug", "strict")]).await;
    assert_eq!(settings["allow_remembered_browsers"], false);
    let audit = ok(&owner, "audit_log", &[("slug", "strict")]).await.to_string();
    assert!(audit.contains("Remembered browsers forbidden"), "{audit}");
}

fn next_code(server: &TestServer, enrolled: &Enrolled) -> String {
    server.advance_clock(30);
    code_now(server, &enrolled.secret)
}

async fn a_new_browser_is_mailed_about_once_unless_the_owner_turned_it_off(backend: Backend) {
    let (server, sink) = mail_server(backend).await;
    let (ann, email) = server.user("Ann").await;
    // The browser Ann signed up in is not news.
    ok(&ann, "log_out", &[]).await;
    password_only(&ann, &email).await;
    let laptop = server.client();
    password_only(&laptop, &email).await;
    let mail = sink.wait_for_subject(&email, "A new sign-in to your account").await;
    assert!(mail.text().contains("Address: 127.0.0.1"), "{}", mail.text());
    // The same browser again: no second mail.
    ok(&laptop, "log_out", &[]).await;
    password_only(&laptop, &email).await;

    ok(&ann, "set_new_browser_mail", &[("on", "false")]).await;
    assert_eq!(ok(&ann, "load_browser_settings", &[]).await["new_browser_mail"], false);
    password_only(&server.client(), &email).await;
    // A security mail still goes (and shows the mail above stayed the only one of its kind).
    ok(&ann, "sign_out_everywhere_else", &[]).await;
    enroll(&server, &ann).await;
    sink.wait_for_subject(&email, "Two-factor authentication is on").await;
    let new_browser = sink.to(&email).iter().filter(|m| m.subject() == "A new sign-in to your account").count();
    assert_eq!(new_browser, 1);
}
