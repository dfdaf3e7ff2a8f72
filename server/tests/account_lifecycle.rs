//! The account lifecycle against the real server and a real SMTP server on
//! the loopback (`common::smtp`): verified addresses, password change and
//! reset (with the second factor), the sessions an account can see and end,
//! and the mail each change sends, as it arrived.

mod common;

use common::smtp::SmtpSink;
use common::{code_now, enroll, ok, Backend, Client, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    a_new_address_is_verified_with_the_mailed_link_once,
    an_unverified_address_cannot_accept_an_invitation,
    changing_the_password_ends_the_other_sessions_and_tells_the_owner,
    a_reset_link_works_once_and_not_after_thirty_minutes,
    a_reset_on_a_two_factor_account_needs_the_code,
    forgot_password_answers_the_same_for_an_unknown_address,
    the_sessions_list_shows_each_browser_and_ends_one,
    a_refused_delivery_is_retried_and_two_instances_send_each_message_once,
    the_id_token_and_me_say_whether_the_address_is_verified,
    changing_the_email_verifies_the_new_address_and_tells_the_old_one,
    an_organization_that_requires_verified_addresses_lets_in_verified_members_only,
);

const NEW_PASSWORD: &str = "a much longer passphrase";

async fn mail_server(backend: Backend) -> (TestServer, SmtpSink) {
    let sink = SmtpSink::start().await;
    let mut server = TestServer::start(backend).await;
    server
        .restart(&[("PORTCULLIS_SMTP_URL", &sink.url()), ("PORTCULLIS_MAIL_FROM", "Portcullis <id@portcullis.test>")])
        .await;
    (server, sink)
}

/// Signs up through the form, as a person does (the address stays unverified).
async fn sign_up(server: &TestServer, name: &str) -> (Client, String) {
    let client = server.client();
    let email = format!("{}-{}@example.com", name.to_lowercase(), rand::random::<u32>());
    ok(&client, "sign_up", &[("name", name), ("email", &email), ("password", PASSWORD)]).await;
    (client, email)
}

/// The token of the link in `mail` to `path` ("/verify-email").
fn token_in(mail: &common::smtp::Received, server: &TestServer, path: &str) -> String {
    let link =
        mail.link(&format!("{}{path}?token=", server.base)).unwrap_or_else(|| panic!("no link in {}", mail.text()));
    link.split("token=").nth(1).unwrap().to_string()
}

async fn a_new_address_is_verified_with_the_mailed_link_once(backend: Backend) {
    let (server, sink) = mail_server(backend).await;
    let (ann, email) = sign_up(&server, "Ann").await;
    let mail = sink.wait_for_subject(&email, "Verify your email address").await;
    assert_eq!(mail.from, "id@portcullis.test");
    assert!(mail.text().starts_with("Hi Ann,"), "{}", mail.text());
    assert!(mail.part("text/html").unwrap().contains("Verify email address"));
    let token = token_in(&mail, &server, "/verify-email");
    assert_eq!(ok(&ann, "load_email_status", &[]).await["verified"], false);

    // Opened in another browser (a phone's mail app): no session needed.
    let phone = server.client();
    ok(&phone, "verify_email", &[("token", &token)]).await;
    assert_eq!(ok(&ann, "load_email_status", &[]).await["verified"], true);
    let (status, body) = phone.call("verify_email", &[("token", &token)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "a link works once: {body}");
    assert_eq!(body["reason"], "verify_link_gone");
    let (status, _) = phone.call("verify_email", &[("token", "not-a-token")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // Asking again when verified says so; the log has the row.
    let (status, body) = ann.call("resend_verification", &[]).await;
    assert_eq!((status, body["reason"].as_str()), (StatusCode::CONFLICT, Some("already_verified")));
    let log = ok(&ann, "security_log", &[("page", "0")]).await;
    assert!(log.to_string().contains("Email address verified"), "{log}");
}

async fn an_unverified_address_cannot_accept_an_invitation(backend: Backend) {
    let (server, sink) = mail_server(backend).await;
    let (owner, _) = server.user("Owner").await;
    ok(&owner, "create_org", &[("name", "Verified Co"), ("slug", "verified-co")]).await;
    let (bob, email) = sign_up(&server, "Bob").await;
    let code = common::invite(&owner, "verified-co", &email, "member").await;
    let invited = sink.wait_for_subject(&email, "invited you to Verified Co").await;
    assert!(invited.text().contains("Owner invited you to join the organization Verified Co"), "{}", invited.text());
    assert_eq!(ok(&bob, "my_invitations", &[]).await, Value::Array(vec![]), "not shown before the address is verified");
    let (status, body) = bob.call("accept_invitation", &[("invitation_id", "1"), ("code", &code)]).await;
    assert_eq!((status, body["reason"].as_str()), (StatusCode::FORBIDDEN, Some("verified_address_needed")), "{body}");

    let mail = sink.wait_for_subject(&email, "Verify your email address").await;
    ok(&server.client(), "verify_email", &[("token", &token_in(&mail, &server, "/verify-email"))]).await;
    let invitations = ok(&bob, "my_invitations", &[]).await;
    let id = invitations[0]["id"].as_i64().expect("shown once verified").to_string();
    assert_eq!(ok(&bob, "accept_invitation", &[("invitation_id", &id), ("code", &code)]).await, "verified-co");
}

async fn changing_the_password_ends_the_other_sessions_and_tells_the_owner(backend: Backend) {
    let (server, sink) = mail_server(backend).await;
    let (ann, email) = server.user("Ann").await;
    let laptop = server.client();
    ok(&laptop, "log_in", &[("email", &email), ("password", PASSWORD)]).await;

    let (status, body) =
        ann.call("change_password", &[("current_password", "wrong password!"), ("password", NEW_PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) =
        ann.call("change_password", &[("current_password", PASSWORD), ("password", "password123")]).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (StatusCode::UNPROCESSABLE_ENTITY, Some("common_password")),
        "{body}"
    );

    let before = ann.session_cookie();
    ok(&ann, "change_password", &[("current_password", PASSWORD), ("password", NEW_PASSWORD)]).await;
    assert_ne!(ann.session_cookie(), before, "this session goes on under a fresh id");
    assert_eq!(ann.me().await["email"], email.as_str(), "this browser stays signed in");
    assert!(laptop.me().await.is_null(), "the other browser is signed out");
    let mail = sink.wait_for_subject(&email, "Your password was changed").await;
    assert!(mail.text().contains("The password of your account was changed."), "{}", mail.text());

    let fresh = server.client();
    let (status, _) = fresh.call("log_in", &[("email", &email), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password is gone");
    ok(&fresh, "log_in", &[("email", &email), ("password", NEW_PASSWORD)]).await;
}

/// Asks for a reset link and returns the token of the `nth` reset mail to `email` (1-based).
async fn request_reset(server: &TestServer, sink: &SmtpSink, email: &str, nth: usize) -> String {
    ok(&server.client(), "forgot_password", &[("email", email)]).await;
    for _ in 0..150 {
        let resets: Vec<_> =
            sink.to(email).into_iter().filter(|m| m.subject().contains("Reset your password")).collect();
        if resets.len() >= nth {
            return token_in(&resets[nth - 1], server, "/reset-password");
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("reset mail {nth} to {email} did not arrive");
}

async fn a_reset_link_works_once_and_not_after_thirty_minutes(backend: Backend) {
    let (server, sink) = mail_server(backend).await;
    let (ann, email) = server.user("Ann").await;
    let token = request_reset(&server, &sink, &email, 1).await;
    let form = ok(&server.client(), "load_reset_form", &[("token", &token)]).await;
    assert_eq!(form["code_needed"], false);

    let stranger = server.client();
    ok(&stranger, "reset_password", &[("token", &token), ("password", NEW_PASSWORD)]).await;
    assert!(ann.me().await.is_null(), "every session ends");
    let (status, body) =
        stranger.call("reset_password", &[("token", &token), ("password", "another passphrase")]).await;
    assert_eq!((status, body["reason"].as_str()), (StatusCode::NOT_FOUND, Some("reset_link_gone")), "used once");
    ok(&server.client(), "log_in", &[("email", &email), ("password", NEW_PASSWORD)]).await;
    sink.wait_for_subject(&email, "Your password was changed").await;
    let changed = sink.to(&email).into_iter().find(|m| m.subject() == "Your password was changed").unwrap();
    assert!(changed.text().contains("reset with a link sent to this address"), "{}", changed.text());

    // A later link expires after 30 minutes.
    let token = request_reset(&server, &sink, &email, 2).await;
    server.advance_clock(30 * 60 + 1);
    let (status, body) = server.client().call("load_reset_form", &[("token", &token)]).await;
    assert_eq!((status, body["reason"].as_str()), (StatusCode::NOT_FOUND, Some("reset_link_gone")));
    let (status, _) =
        server.client().call("reset_password", &[("token", &token), ("password", "third passphrase!")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn a_reset_on_a_two_factor_account_needs_the_code(backend: Backend) {
    let (server, sink) = mail_server(backend).await;
    let (ann, email) = server.user("Ann").await;
    let enrolled = enroll(&server, &ann).await;
    let token = request_reset(&server, &sink, &email, 1).await;
    let form = ok(&server.client(), "load_reset_form", &[("token", &token)]).await;
    assert_eq!((form["code_needed"].clone(), form["has_app"].clone()), (Value::Bool(true), Value::Bool(true)));

    let thief = server.client();
    let (status, body) = thief.call("reset_password", &[("token", &token), ("password", NEW_PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the mailbox alone is not enough: {body}");
    let (status, body) =
        thief.call("reset_password", &[("token", &token), ("code", "000000"), ("password", NEW_PASSWORD)]).await;
    assert_eq!((status, body["reason"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_code")), "{body}");
    // The link survived the wrong code, and the password did not change.
    ok(&server.client(), "log_in", &[("email", &email), ("password", PASSWORD)]).await;

    server.advance_clock(30);
    let code = code_now(&server, &enrolled.secret);
    ok(&server.client(), "reset_password", &[("token", &token), ("code", &code), ("password", NEW_PASSWORD)]).await;
    let pending = server.client();
    assert_eq!(ok(&pending, "log_in", &[("email", &email), ("password", NEW_PASSWORD)]).await, "SecondFactorRequired");

    // A backup code does it too, and the mail says how many are left.
    let token = request_reset(&server, &sink, &email, 2).await;
    let backup = enrolled.codes[0].clone();
    ok(&server.client(), "reset_password", &[("token", &token), ("code", &backup), ("password", PASSWORD)]).await;
    let used = sink.wait_for_subject(&email, "A backup code was used").await;
    assert!(used.text().contains("4 are left."), "{}", used.text());
}

async fn forgot_password_answers_the_same_for_an_unknown_address(backend: Backend) {
    let (server, sink) = mail_server(backend).await;
    let (_, email) = server.user("Ann").await;
    let known = server.client().call("forgot_password", &[("email", &email)]).await;
    let unknown = server.client().call("forgot_password", &[("email", "nobody@example.com")]).await;
    assert_eq!(known, unknown, "the same answer");
    assert_eq!(known.0, StatusCode::OK);
    sink.wait_for(&email, 1).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert!(sink.to("nobody@example.com").is_empty());
    // Limited per address typed, known or not, the same way.
    for _ in 0..2 {
        server.client().call("forgot_password", &[("email", &email)]).await;
        server.client().call("forgot_password", &[("email", "nobody@example.com")]).await;
    }
    let (known, _) = server.client().call("forgot_password", &[("email", &email)]).await;
    let (unknown, _) = server.client().call("forgot_password", &[("email", "nobody@example.com")]).await;
    assert_eq!((known, unknown), (StatusCode::TOO_MANY_REQUESTS, StatusCode::TOO_MANY_REQUESTS));
}

async fn the_sessions_list_shows_each_browser_and_ends_one(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (ann, email) = server.user("Ann").await;
    let phone = server.client();
    let res = phone
        .http
        .post(format!("{}/api/log_in", server.base))
        .header("Accept", "application/json")
        .header("User-Agent", "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) Version/17.0 Mobile Safari/604.1")
        .form(&[("email", email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let listed = ok(&ann, "my_sessions", &[]).await;
    let rows = listed.as_array().unwrap();
    assert_eq!(rows.len(), 2, "{listed}");
    let this = rows.iter().find(|r| r["current"] == true).expect("this browser");
    let other = rows.iter().find(|r| r["current"] == false).expect("the phone");
    assert_eq!(other["browser"], "Safari on iOS");
    assert_eq!(other["address"], "127.0.0.1");
    assert_eq!(this["how"], "Password");

    // Another account cannot end Ann's session, and nobody ends their own through it.
    let (eve, _) = server.user("Eve").await;
    let id = other["id"].as_str().unwrap();
    let (status, _) = eve.call("sign_out_session", &[("id", id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(!phone.me().await.is_null());
    let (status, _) = ann.call("sign_out_session", &[("id", this["id"].as_str().unwrap())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "the current session is ended with Log out");

    ok(&ann, "sign_out_session", &[("id", id)]).await;
    assert!(phone.me().await.is_null());
    assert_eq!(ok(&ann, "my_sessions", &[]).await.as_array().unwrap().len(), 1);

    // Sign out everywhere else.
    let laptop = server.client();
    ok(&laptop, "log_in", &[("email", &email), ("password", PASSWORD)]).await;
    assert_eq!(ok(&ann, "sign_out_everywhere_else", &[]).await, 1);
    assert!(laptop.me().await.is_null());
    assert_eq!(ann.me().await["email"], email.as_str());
}

async fn a_refused_delivery_is_retried_and_two_instances_send_each_message_once(backend: Backend) {
    let (server, sink) = mail_server(backend).await;
    let second = server.another_instance().await;
    sink.refuse_next(1);
    let (ann, email) = sign_up(&server, "Ann").await;
    // Refused once (451): retried after the backoff.
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    assert!(sink.to(&email).is_empty(), "the first try was refused");
    server.advance_clock(app::server::store::outbox::backoff_secs(
        app::server::store::outbox::MessageKind::PasswordReset,
        1,
    ));
    sink.wait_for(&email, 1).await;

    // Many messages, two workers: each arrives once.
    let mut accounts = vec![email.clone()];
    for i in 0..6 {
        let (_, email) = sign_up(if i % 2 == 0 { &server } else { &second }, "Many").await;
        accounts.push(email);
    }
    for email in &accounts {
        sink.wait_for(email, 1).await;
    }
    tokio::time::sleep(std::time::Duration::from_secs(5)).await;
    for email in &accounts {
        assert_eq!(sink.to(email).len(), 1, "{email} got its verification mail once");
    }
    drop(ann);
}

async fn the_id_token_and_me_say_whether_the_address_is_verified(backend: Backend) {
    let (server, sink) = mail_server(backend).await;
    let (ann, email) = sign_up(&server, "Ann").await;
    let args = [("name", "script"), ("read", "true"), ("expires_in_days", "30"), ("password", PASSWORD)];
    let token = ok(&ann, "create_api_token", &args).await;
    let bearer = token["secret"].as_str().unwrap().to_string();
    let me = |bearer: String| {
        let http = reqwest::Client::new();
        let url = format!("{}/api/v1/me", server.base);
        async move { http.get(url).bearer_auth(bearer).send().await.unwrap().json::<Value>().await.unwrap() }
    };
    assert_eq!(me(bearer.clone()).await["email_verified"], false);
    let mail = sink.wait_for_subject(&email, "Verify your email address").await;
    ok(&server.client(), "verify_email", &[("token", &token_in(&mail, &server, "/verify-email"))]).await;
    assert_eq!(me(bearer).await["email_verified"], true);
}

async fn changing_the_email_verifies_the_new_address_and_tells_the_old_one(backend: Backend) {
    let (server, sink) = mail_server(backend).await;
    let (ann, old) = server.user("Ann").await;
    let new = format!("ann.new-{}@example.com", rand::random::<u32>());
    let (status, body) = ann.call("change_email", &[("email", &new), ("password", "wrong password!")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    ok(&ann, "change_email", &[("email", &new), ("password", PASSWORD)]).await;
    let status = ok(&ann, "load_email_status", &[]).await;
    assert_eq!((status["email"].as_str(), status["verified"].as_bool()), (Some(new.as_str()), Some(false)));
    let told = sink.wait_for_subject(&old, "Your email address was changed").await;
    assert!(told.text().contains("a********@example.com"), "the new address, masked: {}", told.text());
    let mail = sink.wait_for_subject(&new, "Verify your email address").await;
    ok(&server.client(), "verify_email", &[("token", &token_in(&mail, &server, "/verify-email"))]).await;
    assert_eq!(ok(&ann, "load_email_status", &[]).await["verified"], true);
    ok(&server.client(), "log_in", &[("email", &new), ("password", PASSWORD)]).await;
}

async fn an_organization_that_requires_verified_addresses_lets_in_verified_members_only(backend: Backend) {
    let (server, sink) = mail_server(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let (max, max_email) = server.user("Max").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let (admin, admin_email) = server.user("Ada").await;
    common::join_org(&owner, &admin, "acme", &admin_email, "admin").await;
    common::join_org(&owner, &max, "acme", &max_email, "member").await;

    // Max moves to a new address, not yet verified; then the organization requires verified ones.
    let new = format!("max.new-{}@example.com", rand::random::<u32>());
    ok(&max, "change_email", &[("email", &new), ("password", PASSWORD)]).await;
    let (status, body) = max.call("set_verified_emails_requirement", &[("slug", "acme"), ("require", "true")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a plain member cannot: {body}");
    ok(&admin, "set_verified_emails_requirement", &[("slug", "acme"), ("require", "true")]).await;
    let (status, body) = admin.call("set_verified_emails_requirement", &[("slug", "acme"), ("require", "false")]).await;
    assert_eq!(
        (status, body["reason"].as_str()),
        (StatusCode::FORBIDDEN, Some("owners_only_stop_requiring_verified_emails"))
    );
    let (status, body) = max.call("load_org", &[("slug", "acme")]).await;
    assert_eq!((status, body["reason"].as_str()), (StatusCode::FORBIDDEN, Some("verified_address_required")), "{body}");
    assert!(body["message"].as_str().unwrap().starts_with("Acme requires a verified email address."));
    ok(&owner, "load_org", &[("slug", "acme")]).await;

    // Only the link for the new address reaches it (the sign-up link, sent late, went to the old one).
    let mail = sink.wait_for_subject(&new, "Verify your email address").await;
    assert!(mail.text().contains(&new), "{}", mail.text());
    ok(&server.client(), "verify_email", &[("token", &token_in(&mail, &server, "/verify-email"))]).await;
    ok(&max, "load_org", &[("slug", "acme")]).await;
    let settings = ok(&owner, "load_org_settings", &[("slug", "acme")]).await;
    assert_eq!(settings["require_verified_emails"], true);
    let audit = ok(&owner, "audit_log", &[("slug", "acme")]).await.to_string();
    assert!(audit.contains("Verified email addresses required"), "{audit}");
}
