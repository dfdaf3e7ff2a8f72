// The Account page's view type (islands included) is deep: this test crate links the whole app.
#![recursion_limit = "256"]
//! Text messages as a second factor, against a gateway of our own that
//! speaks Twilio's Messages API: setting up a number, signing in with a
//! texted code (once, the latest only), the resend wait, the lockout, every
//! limit on sends, the countries allowed, retries, a silent gateway, the
//! webhook's signature, and removing the number.

mod common;

use common::sms::{env_of, Gateway, Mode, FROM, SID, TOKEN, WEBHOOK_SECRET};
use common::{code_now, enroll, ok, Backend, Client, TestServer, PASSWORD};
use reqwest::StatusCode;

on_both_backends!(
    setting_up_a_number_texts_a_code_and_signs_in_with_it,
    a_texted_code_works_once_and_only_the_latest_one,
    wrong_texted_codes_count_in_the_same_lockout_as_app_codes,
    sends_are_limited_per_account_per_number_and_per_day,
    numbers_are_checked_and_limited_to_the_countries_allowed,
    a_failing_gateway_is_retried_and_a_silent_one_holds_no_request,
    the_webhook_is_signed_with_the_shared_secret,
    without_a_gateway_sms_is_not_offered,
    the_app_and_sms_together_the_preferred_method_and_removing_it,
    an_organization_decides_whether_texted_codes_count_and_a_reset_removes_the_number,
    an_account_with_text_messages_only_adds_the_app_with_a_backup_code,
    a_texted_code_expires_after_five_minutes,
    sends_are_limited_per_client_address,
    a_code_sent_to_a_number_typed_before_does_not_verify_another,
    an_account_with_text_messages_only_confirms_changes_with_a_backup_code,
);

const PHONE: &str = "+1 (415) 555-0123";
const E164: &str = "+14155550123";
const MASKED: &str = "+1 ••• ••• 01 23";

async fn sms_server(backend: Backend, gateway: &Gateway, more: &[(&str, &str)]) -> TestServer {
    let env = gateway.twilio_env();
    TestServer::start_with(backend, &env_of(&env, more)).await
}

/// Sets up `phone` for a user without 2FA; the gateway's `n`th message is its code.
async fn set_up(gateway: &Gateway, client: &Client, phone: &str, n: usize) -> Vec<String> {
    ok(client, "start_sms_enrollment", &[("phone", phone), ("password", PASSWORD)]).await;
    let code = gateway.code(n).await;
    let codes = ok(client, "check_sms_code", &[("code", &code)]).await;
    ok(client, "finish_sms_enrollment", &[]).await;
    codes.as_array().unwrap().iter().map(|c| c.as_str().unwrap().to_string()).collect()
}

async fn log_in(server: &TestServer, email: &str) -> Client {
    let c = server.client();
    assert_eq!(ok(&c, "log_in", &[("email", email), ("password", PASSWORD)]).await, "SecondFactorRequired");
    c
}

async fn start(c: &Client, phone: &str) -> (StatusCode, serde_json::Value) {
    c.call("start_sms_enrollment", &[("phone", phone), ("password", PASSWORD)]).await
}

async fn texted(c: &Client, code: &str) -> (StatusCode, serde_json::Value) {
    c.call("verify_login", &[("code", code), ("texted", "true")]).await
}

async fn setting_up_a_number_texts_a_code_and_signs_in_with_it(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[]).await;
    let (c, email) = server.user("Sam").await;
    assert_eq!(ok(&c, "two_factor_status", &[]).await["sms_offered"], true);

    let sent = ok(&c, "start_sms_enrollment", &[("phone", PHONE), ("password", PASSWORD)]).await;
    assert_eq!((sent["masked"].as_str(), sent["sent"].as_bool()), (Some(MASKED), Some(true)), "{sent}");
    let message = &gateway.wait_for(1).await[0];
    assert_eq!((message.to.as_str(), message.from.as_str()), (E164, FROM));
    use base64::Engine;
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"));
    assert_eq!(message.auth.as_deref(), Some(format!("Basic {basic}").as_str()));
    assert!(message.body.contains(" is your Portcullis sign-in code."), "{}", message.body);
    assert!(message.body.ends_with(&format!("#{}", message.code())), "WebOTP's line: {}", message.body);

    let (status, body) = c.call("check_sms_code", &[("code", "12345")]).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("code")), "{body}");
    let codes = ok(&c, "check_sms_code", &[("code", &message.code())]).await;
    assert_eq!(
        codes.as_array().map(Vec::len),
        Some(app::twofactor::backup_codes::COUNT),
        "the backup codes, as for the app: {codes}"
    );
    ok(&c, "finish_sms_enrollment", &[]).await;
    let status = ok(&c, "two_factor_status", &[]).await;
    assert_eq!((status["enabled"].as_bool(), status["sms"].as_str()), (Some(true), Some(MASKED)), "{status}");

    // At rest: the number sealed, the code hashed.
    let db = server.db().await;
    let sealed: Vec<u8> = sqlx::query_scalar("SELECT phone_sealed FROM sms_credentials").fetch_one(&db).await.unwrap();
    assert!(!String::from_utf8_lossy(&sealed).contains("4155550123"));
    let hashes: Vec<String> = sqlx::query_scalar("SELECT code_hash FROM sms_sends").fetch_all(&db).await.unwrap();
    assert!(hashes.iter().all(|h| h.len() == 64 && *h != message.code()));
    db.close().await;
    let log = ok(&c, "security_log", &[("page", "0")]).await.to_string();
    assert!(log.contains("Phone number for text messages set") && log.contains("Sign-in code texted"), "{log}");

    // The login texts the code as its second step opens.
    let login = log_in(&server, &email).await;
    let methods = ok(&login, "login_methods", &[]).await;
    assert_eq!(methods["texts_first"], true, "SMS is this account's only code: {methods}");
    assert_eq!(methods["sms"]["masked"], MASKED);
    let code = gateway.code(2).await;
    ok(&login, "verify_login", &[("code", &code), ("texted", "true")]).await;
    let sessions = ok(&login, "my_sessions", &[]).await.to_string();
    assert!(sessions.contains("Password and text message"), "{sessions}");

    // "Use a recovery code" still works.
    let login = log_in(&server, &email).await;
    ok(&login, "verify_login", &[("code", codes[0].as_str().unwrap()), ("recovery", "true")]).await;
}

async fn a_texted_code_works_once_and_only_the_latest_one(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[]).await;
    let (c, email) = server.user("Sam").await;
    set_up(&gateway, &c, PHONE, 1).await;

    let first = log_in(&server, &email).await;
    let code = gateway.code(2).await;
    ok(&first, "verify_login", &[("code", &code), ("texted", "true")]).await;
    // Another login: a new code; the used one opens nothing.
    let second = log_in(&server, &email).await;
    let newer = gateway.code(3).await;
    assert_eq!(texted(&second, &code).await.0, StatusCode::UNPROCESSABLE_ENTITY);

    // "Send the code again": not within the minute, then a new code that replaces the last.
    let (status, body) = second.call("send_login_sms", &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    server.advance_clock(60);
    let again = ok(&second, "send_login_sms", &[]).await;
    assert_eq!(again["resend_in_secs"], 60);
    let latest = gateway.code(4).await;
    if latest != newer {
        assert_eq!(texted(&second, &newer).await.0, StatusCode::UNPROCESSABLE_ENTITY, "replaced by the latest");
    }
    ok(&second, "verify_login", &[("code", &latest), ("texted", "true")]).await;
    // Only the pending login's holder may ask for a text.
    assert_eq!(server.client().call("send_login_sms", &[]).await.0, StatusCode::UNAUTHORIZED);
}

async fn wrong_texted_codes_count_in_the_same_lockout_as_app_codes(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[]).await;
    let (c, email) = server.user("Sam").await;
    set_up(&gateway, &c, PHONE, 1).await;
    let login = log_in(&server, &email).await;
    let right = gateway.code(2).await;
    let wrong = if right == "000000" { "111111" } else { "000000" };
    for _ in 0..5 {
        assert_eq!(texted(&login, wrong).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, body) = texted(&login, &right).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "locked out, even with the right code: {body}");
    let log = ok(&c, "security_log", &[("page", "0")]).await.to_string();
    assert!(log.contains("Wrong two-factor code") && log.contains("Too many wrong codes"), "{log}");
}

async fn sends_are_limited_per_account_per_number_and_per_day(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[("PORTCULLIS_SMS_DAILY_LIMIT", "12")]).await;
    // Per account: five an hour.
    let (a, _) = server.user("Ann").await;
    assert_eq!(start(&a, PHONE).await.0, StatusCode::OK);
    for _ in 0..4 {
        server.advance_clock(60);
        assert_eq!(a.call("resend_sms_code", &[]).await.0, StatusCode::OK);
    }
    server.advance_clock(60);
    let (status, body) = a.call("resend_sms_code", &[]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{body}");
    let log = ok(&a, "security_log", &[("page", "0")]).await.to_string();
    assert!(log.contains("Text message refused: too many sent"), "{log}");

    // Per number: ten a day, across accounts.
    let (b, _) = server.user("Bob").await;
    assert_eq!(start(&b, PHONE).await.0, StatusCode::OK);
    for _ in 0..4 {
        server.advance_clock(60);
        assert_eq!(b.call("resend_sms_code", &[]).await.0, StatusCode::OK);
    }
    let (d, _) = server.user("Dee").await;
    let (status, body) = start(&d, PHONE).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the number's eleventh code today: {body}");

    // Per day, for the whole server: 12 here, so two more to other numbers, then none.
    assert_eq!(start(&d, "+1 415 555 0124").await.0, StatusCode::OK);
    let (e, _) = server.user("Eve").await;
    assert_eq!(start(&e, "+1 415 555 0125").await.0, StatusCode::OK);
    let (f, _) = server.user("Fay").await;
    let (status, body) = start(&f, "+1 415 555 0126").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the day's limit: {body}");
    assert_eq!(gateway.wait_for(12).await.len(), 12, "every send that was allowed, and no other");
}

async fn numbers_are_checked_and_limited_to_the_countries_allowed(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[("PORTCULLIS_SMS_ALLOWED_COUNTRIES", "DE,FR")]).await;
    let (c, _) = server.user("Sam").await;
    let (status, body) = start(&c, PHONE).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("phone")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("numbers in US"), "{body}");
    let (status, body) = start(&c, "030 12345678").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(body["message"].as_str().unwrap().contains("international form"), "{body}");
    let sent = ok(&c, "start_sms_enrollment", &[("phone", "+49 30 12345678"), ("password", PASSWORD)]).await;
    assert_eq!(sent["masked"], "+49 ••• ••• 56 78");
    assert_eq!(gateway.wait_for(1).await[0].to, "+493012345678");
}

async fn a_failing_gateway_is_retried_and_a_silent_one_holds_no_request(backend: Backend) {
    let gateway = Gateway::start(Mode::FailOnce).await;
    let server = sms_server(backend, &gateway, &[]).await;
    let (c, _) = server.user("Sam").await;
    ok(&c, "start_sms_enrollment", &[("phone", PHONE), ("password", PASSWORD)]).await;
    gateway.wait_for(1).await;
    // The retry comes 5 s later on the server's clock, which stands still until moved.
    let db = server.db().await;
    for _ in 0..100 {
        let attempts: i64 =
            sqlx::query_scalar("SELECT attempts FROM outbox WHERE kind = 'sms_code'").fetch_one(&db).await.unwrap();
        if attempts == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    server.advance_clock(5);
    let received = gateway.wait_for(2).await;
    assert_eq!(received[0].code(), received[1].code(), "the same message, tried again");
    db.close().await;

    let silent = Gateway::start(Mode::Silent).await;
    let server = sms_server(backend, &silent, &[]).await;
    let (c, _) = server.user("Sam").await;
    // The answer comes at once: the gateway is the outbox's to wait for, not the request's.
    ok(&c, "start_sms_enrollment", &[("phone", PHONE), ("password", PASSWORD)]).await;
    assert_eq!(silent.wait_for(1).await.len(), 1, "the gateway has it and is not answering");
    ok(&c, "two_factor_status", &[]).await;
}

async fn the_webhook_is_signed_with_the_shared_secret(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let env = gateway.webhook_env();
    let server = TestServer::start_with(backend, &env_of(&env, &[])).await;
    let (c, _) = server.user("Sam").await;
    ok(&c, "start_sms_enrollment", &[("phone", PHONE), ("password", PASSWORD)]).await;
    let message = gateway.wait_for(1).await.remove(0);
    assert_eq!(message.to, E164);
    let signature = message.signature.clone().expect("a signature header");
    let (t, v1) = signature.split_once(',').expect("t=…,v1=…");
    let t = t.strip_prefix("t=").expect("t=");
    use hmac::Mac;
    let mut mac = hmac::Hmac::<sha2::Sha256>::new_from_slice(WEBHOOK_SECRET.as_bytes()).unwrap();
    mac.update(format!("{t}.{}", message.from).as_bytes());
    assert_eq!(v1.strip_prefix("v1="), Some(hex::encode(mac.finalize().into_bytes()).as_str()));
    ok(&c, "check_sms_code", &[("code", &message.code())]).await;
}

async fn without_a_gateway_sms_is_not_offered(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (c, _) = server.user("Sam").await;
    assert_eq!(ok(&c, "two_factor_status", &[]).await["sms_offered"], false);
    let (status, body) = c.call("start_sms_enrollment", &[("phone", PHONE), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
}

async fn the_app_and_sms_together_the_preferred_method_and_removing_it(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[]).await;
    let (c, email) = server.user("Sam").await;
    let app = enroll(&server, &c).await;
    server.advance_clock(30);
    // With 2FA on, a number is added with the password and a current code; no new backup codes.
    let (status, body) = c.call("start_sms_enrollment", &[("phone", PHONE), ("password", PASSWORD)]).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("code")), "{body}");
    let code = code_now(&server, &app.secret);
    ok(&c, "start_sms_enrollment", &[("phone", PHONE), ("password", PASSWORD), ("code", &code)]).await;
    let texted_code = gateway.code(1).await;
    assert_eq!(ok(&c, "check_sms_code", &[("code", &texted_code)]).await, serde_json::json!([]));
    ok(&c, "finish_sms_enrollment", &[]).await;
    let status = ok(&c, "two_factor_status", &[]).await;
    assert_eq!((status["authenticator_app"].as_bool(), status["sms"].as_str()), (Some(true), Some(MASKED)));

    // The app comes first until SMS is preferred.
    let login = log_in(&server, &email).await;
    assert_eq!(ok(&login, "login_methods", &[]).await["texts_first"], false);
    ok(&c, "set_preferred_method", &[("method", "sms")]).await;
    let login = log_in(&server, &email).await;
    assert_eq!(ok(&login, "login_methods", &[]).await["texts_first"], true);
    ok(&login, "verify_login", &[("code", &gateway.code(2).await), ("texted", "true")]).await;

    // Removing SMS: the password and a second factor; 2FA stays on with the app.
    server.advance_clock(30);
    let (status, _) = login.call("remove_sms", &[("password", PASSWORD), ("code", "000000")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    server.advance_clock(30);
    let code = code_now(&server, &app.secret);
    ok(&login, "remove_sms", &[("password", PASSWORD), ("code", &code)]).await;
    let status = ok(&login, "two_factor_status", &[]).await;
    assert_eq!((status["enabled"].as_bool(), status["sms"].is_null()), (Some(true), true), "{status}");
    let log = ok(&login, "security_log", &[("page", "0")]).await.to_string();
    assert!(log.contains("Phone number for text messages removed"), "{log}");
}

async fn an_organization_decides_whether_texted_codes_count_and_a_reset_removes_the_number(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[]).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let app = enroll(&server, &owner).await;
    let (mia, mia_email) = server.user("Mia").await;
    common::join_org(&owner, &mia, "acme", &mia_email, "member").await;
    set_up(&gateway, &mia, PHONE, 1).await;
    server.advance_clock(30);
    ok(&owner, "set_two_factor_requirement", &[("slug", "acme"), ("require", "true"), ("grace_days", "0")]).await;
    ok(&mia, "load_org", &[("slug", "acme")]).await;
    let settings = ok(&owner, "load_org_settings", &[("slug", "acme")]).await;
    assert_eq!(
        (settings["allowed_factors"]["sms"].as_bool(), settings["sms_offered"].as_bool()),
        (Some(true), Some(true))
    );

    // Text messages no longer count: with SMS only, Mia is refused until she sets up another factor.
    let allow = [("slug", "acme"), ("authenticator_app", "true"), ("security_keys", "true"), ("sms", "false")];
    ok(&owner, "set_allowed_factors", &allow).await;
    let (status, body) = mia.call("load_org", &[("slug", "acme")]).await;
    assert_eq!((status, body["code"].as_str()), (StatusCode::FORBIDDEN, Some("two_factor_required")), "{body}");

    // "Reset 2FA" removes the number with the rest.
    let page = ok(&owner, "load_org", &[("slug", "acme")]).await;
    let mia_id = page["members"].as_array().unwrap().iter().find(|m| m["email"] == mia_email.as_str()).unwrap()
        ["user_id"]
        .to_string();
    server.advance_clock(30);
    let code = code_now(&server, &app.secret);
    let reset = [("slug", "acme"), ("user_id", mia_id.as_str()), ("password", PASSWORD), ("code", code.as_str())];
    ok(&owner, "reset_member_two_factor", &reset).await;
    assert!(mia.me().await.is_null(), "a reset ends the member's sessions");
    let again = server.client();
    ok(&again, "log_in", &[("email", &mia_email), ("password", PASSWORD)]).await;
    let status = ok(&again, "two_factor_status", &[]).await;
    assert_eq!((status["enabled"].as_bool(), status["sms"].is_null()), (Some(false), true), "{status}");
}

async fn an_account_with_text_messages_only_adds_the_app_with_a_backup_code(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[]).await;
    let (c, _) = server.user("Sam").await;
    let codes = set_up(&gateway, &c, PHONE, 1).await;
    let (status, body) = c.call("start_enrollment", &[]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert_eq!(body["reason"], "backup_code_needed_to_add_factor", "{body}");
    let start = ok(&c, "start_enrollment", &[("password", PASSWORD), ("code", &codes[0])]).await;
    assert!(start["setup_key"].is_string(), "{start}");
}

async fn a_texted_code_expires_after_five_minutes(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[]).await;
    let (c, _) = server.user("Sam").await;
    ok(&c, "start_sms_enrollment", &[("phone", PHONE), ("password", PASSWORD)]).await;
    let old = gateway.code(1).await;
    server.advance_clock(app::twofactor::sms::CODE_SECS);
    let (status, body) = c.call("check_sms_code", &[("code", &old)]).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("code")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("has expired"), "{body}");
    ok(&c, "resend_sms_code", &[]).await;
    let new = gateway.code(2).await;
    ok(&c, "check_sms_code", &[("code", &new)]).await;
}

async fn sends_are_limited_per_client_address(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[]).await;
    // Thirty an hour from one address: six accounts, each to a number of its own, five codes each.
    for n in 0..6 {
        let (c, _) = server.user("Sam").await;
        let phone = format!("+1 415 555 01{n:02}");
        assert_eq!(start(&c, &phone).await.0, StatusCode::OK);
        for _ in 0..4 {
            server.advance_clock(60);
            assert_eq!(c.call("resend_sms_code", &[]).await.0, StatusCode::OK);
        }
    }
    let (c, _) = server.user("Sam").await;
    let (status, body) = start(&c, "+1 415 555 0190").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the address's thirty-first code this hour: {body}");
    assert_eq!(gateway.wait_for(30).await.len(), 30);
}

async fn a_code_sent_to_a_number_typed_before_does_not_verify_another(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[]).await;
    let (c, _) = server.user("Sam").await;
    ok(&c, "start_sms_enrollment", &[("phone", PHONE), ("password", PASSWORD)]).await;
    let first = gateway.code(1).await;
    // Another number in the same dialog: within the minute no code goes out yet, and the first one is void.
    let (status, _) = start(&c, "+1 415 555 0199").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(c.call("check_sms_code", &[("code", &first)]).await.0, StatusCode::UNPROCESSABLE_ENTITY);
    server.advance_clock(60);
    ok(&c, "resend_sms_code", &[]).await;
    let texted = gateway.wait_for(2).await;
    assert_eq!(texted[1].to, "+14155550199", "the code goes to the number now being set up");
    ok(&c, "check_sms_code", &[("code", &texted[1].code())]).await;
}

async fn an_account_with_text_messages_only_confirms_changes_with_a_backup_code(backend: Backend) {
    let gateway = Gateway::start(Mode::Answer).await;
    let server = sms_server(backend, &gateway, &[]).await;
    let (c, email) = server.user("Sam").await;
    let codes = set_up(&gateway, &c, PHONE, 1).await;
    let new = format!("new-{email}");
    // A 6-digit code is no app's code here: the refusal asks for a backup code.
    let (status, body) = c.call("change_email", &[("email", &new), ("password", PASSWORD), ("code", "123456")]).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("code")), "{body}");
    assert!(body["message"].as_str().unwrap().contains("backup codes"), "{body}");
    ok(&c, "change_email", &[("email", &new), ("password", PASSWORD), ("code", &codes[1])]).await;
}
