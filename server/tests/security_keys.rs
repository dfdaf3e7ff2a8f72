//! Security keys and passkeys (WebAuthn) over HTTP, with a software
//! authenticator: registration, the login's second step, passkey sign-in,
//! and every bad answer refused with a 4xx that stores nothing.

mod common;

use common::authenticator::{Quirks, SoftAuthenticator};
use common::{enroll, join_org, ok, pending_login, Backend, Client, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_backends!(
    a_first_key_turns_two_factor_on_and_then_logs_in_as_the_second_step,
    bad_answers_are_refused_store_nothing_and_count_toward_the_lockout,
    a_passkey_signs_in_alone_and_satisfies_an_organization_requiring_two_factor,
    removing_renaming_and_what_an_organization_allows,
    an_organization_allowing_the_app_only_gives_a_key_only_member_no_tokens,
    anonymous_passkey_sign_ins_store_nothing_and_are_limited_per_address,
    adding_a_factor_to_a_protected_account_needs_a_current_second_factor,
    an_admin_reset_removes_the_members_keys,
    without_a_domain_in_the_public_url_security_keys_are_off,
    a_key_only_account_proves_itself_with_a_key_before_every_protection_change,
);

/// A server whose public URL names a domain (WebAuthn refuses IP addresses).
async fn keys_server(backend: Backend) -> TestServer {
    let mut server = TestServer::start(backend).await;
    server.restart(&[("PORTCULLIS_PUBLIC_URL", "http://localhost:{port}")]).await;
    server
}

fn origin(server: &TestServer) -> String {
    server.base.replace("127.0.0.1", "localhost")
}

async fn add_key(client: &Client, key: &mut SoftAuthenticator, name: &str) -> Value {
    let start = ok(client, "start_key_registration", &[("name", name)]).await;
    let answer = key.register(&start["options"]);
    let ceremony = start["ceremony"].as_str().unwrap();
    ok(client, "finish_key_registration", &[("ceremony", ceremony), ("credential", &answer.to_string())]).await
}

/// "Confirm with your security key": the next protection change within minutes may go ahead.
async fn confirm_with(client: &Client, key: &mut SoftAuthenticator) {
    let start = ok(client, "start_key_confirmation", &[]).await;
    let answer = key.authenticate(&start["options"]).to_string();
    let ceremony = start["ceremony"].as_str().unwrap();
    ok(client, "finish_key_confirmation", &[("ceremony", ceremony), ("credential", &answer)]).await;
}

/// Adds `key` to an account with 2FA, proven with a code from its app.
async fn add_key_with_code(client: &Client, key: &mut SoftAuthenticator, name: &str, code: &str) -> Value {
    let start = ok(client, "start_key_registration", &[("name", name), ("password", PASSWORD), ("code", code)]).await;
    let answer = key.register(&start["options"]);
    let ceremony = start["ceremony"].as_str().unwrap();
    ok(client, "finish_key_registration", &[("ceremony", ceremony), ("credential", &answer.to_string())]).await
}

/// Starts the second step and answers with `answer(options)`.
async fn second_step(client: &Client, answer: impl FnOnce(&Value) -> Value) -> (StatusCode, Value) {
    let start = ok(client, "start_key_login", &[]).await;
    let credential = answer(&start["options"]).to_string();
    client
        .call("finish_key_login", &[("ceremony", start["ceremony"].as_str().unwrap()), ("credential", &credential)])
        .await
}

async fn passkey_sign_in(client: &Client, answer: impl FnOnce(&Value) -> Value) -> (StatusCode, Value) {
    let start = ok(client, "start_passkey_login", &[]).await;
    let credential = answer(&start["options"]).to_string();
    let ceremony = start["ceremony"].as_str().unwrap();
    client.call("finish_passkey_login", &[("ceremony", ceremony), ("credential", &credential)]).await
}

async fn count(server: &TestServer, sql: &str) -> i64 {
    sqlx::query_scalar(sql).fetch_one(&server.db().await).await.unwrap()
}

async fn log_entries(client: &Client) -> Vec<String> {
    let log = ok(client, "security_log", &[("page", "0")]).await;
    log["entries"].as_array().unwrap().iter().map(|e| e["what"].as_str().unwrap().to_string()).collect()
}

async fn a_first_key_turns_two_factor_on_and_then_logs_in_as_the_second_step(backend: Backend) {
    let server = keys_server(backend).await;
    let (ann, email) = server.user("Ann").await;
    let mut key = SoftAuthenticator::new(&origin(&server));

    let added = add_key(&ann, &mut key, "  YubiKey ").await;
    assert_eq!(added["key"]["name"], "YubiKey");
    assert_eq!(added["key"]["kind"], "security_key");
    assert_eq!(added["backup_codes"].as_array().unwrap().len(), 5, "the first key turns 2FA on: {added}");
    let status = ok(&ann, "two_factor_status", &[]).await;
    assert_eq!((status["enabled"].clone(), status["authenticator_app"].clone()), (json!(true), json!(false)));
    assert_eq!((status["security_keys"].clone(), status["codes_left"].clone()), (json!(1), json!(5)));
    assert!(!ann.me().await.is_null(), "the session went on, with a fresh id");

    // A second key, confirmed with the first: no new codes.
    let mut laptop = SoftAuthenticator::synced(&origin(&server));
    confirm_with(&ann, &mut key).await;
    let second = add_key(&ann, &mut laptop, "Laptop").await;
    assert_eq!(second["backup_codes"], json!([]));
    assert_eq!(second["key"]["kind"], "synced_passkey");
    let keys = ok(&ann, "security_keys", &[]).await;
    assert_eq!((keys["available"].clone(), keys["keys"].as_array().unwrap().len()), (json!(true), 2));
    // The same key again is refused by the exclude list... or, if an authenticator ignores it, here.
    confirm_with(&ann, &mut key).await;
    let start = ok(&ann, "start_key_registration", &[("name", "Again")]).await;
    assert_eq!(start["options"]["publicKey"]["excludeCredentials"].as_array().unwrap().len(), 2);

    // Password, then the key.
    let c = pending_login(&server, &email).await;
    let (status, body) = second_step(&c, |o| key.authenticate(o)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["next"], "/");
    assert_eq!(c.me().await["email"], email.as_str());
    let proofs = count(&server, "SELECT COUNT(*) FROM sessions WHERE proof = 'pwd+hwk'").await;
    assert_eq!(proofs, 1, "the session says how it began");
    let entries = log_entries(&c).await;
    assert!(entries.iter().any(|e| e == "Signed in with a security key"), "{entries:?}");
    assert!(entries.iter().any(|e| e == "Security key added"), "{entries:?}");

    // The pending login is gone: the same answer again finds nothing.
    let (status, _) = c.call("finish_key_login", &[("ceremony", "x"), ("credential", "{}")]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn bad_answers_are_refused_store_nothing_and_count_toward_the_lockout(backend: Backend) {
    let server = keys_server(backend).await;
    let (ann, email) = server.user("Ann").await;
    let mut key = SoftAuthenticator::new(&origin(&server));

    // Registration from another origin: refused, nothing stored, 2FA stays off.
    let start = ok(&ann, "start_key_registration", &[("name", "YubiKey")]).await;
    let evil = Quirks { origin: Some("http://evil.example".into()), ..Quirks::default() };
    let answer = key.clone().register_with(&start["options"], &evil).to_string();
    let ceremony = start["ceremony"].as_str().unwrap();
    let (status, body) = ann.call("finish_key_registration", &[("ceremony", ceremony), ("credential", &answer)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // ... and the ceremony was used by that refusal.
    let (status, _) = ann.call("finish_key_registration", &[("ceremony", ceremony), ("credential", &answer)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    let start = ok(&ann, "start_key_registration", &[("name", "YubiKey")]).await;
    let wrong_rp = Quirks { rp_id: Some("example.com".into()), ..Quirks::default() };
    let answer = key.clone().register_with(&start["options"], &wrong_rp).to_string();
    let ceremony = start["ceremony"].as_str().unwrap();
    let (status, _) = ann.call("finish_key_registration", &[("ceremony", ceremony), ("credential", &answer)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "another relying party");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM webauthn_credentials").await, 0);
    assert_eq!(ok(&ann, "two_factor_status", &[]).await["enabled"], false);

    add_key(&ann, &mut key, "YubiKey").await;
    let c = pending_login(&server, &email).await;
    let sessions_before = count(&server, "SELECT COUNT(*) FROM sessions").await;
    // 1. Another origin.
    let (status, body) = second_step(&c, |o| key.authenticate_with(o, &evil)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    // 2. A challenge that expired.
    let start = ok(&c, "start_key_login", &[]).await;
    server.advance_clock(301);
    let c = pending_login(&server, &email).await; // the first pending login expired too
    let late = key.authenticate(&start["options"]).to_string();
    let (status, _) =
        c.call("finish_key_login", &[("ceremony", start["ceremony"].as_str().unwrap()), ("credential", &late)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "expired, and bound to another pending login");
    // 3. Malformed.
    let start = ok(&c, "start_key_login", &[]).await;
    let (status, _) = c
        .call("finish_key_login", &[("ceremony", start["ceremony"].as_str().unwrap()), ("credential", "{\"id\":")])
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // 4. An unknown credential.
    let mut stranger = SoftAuthenticator::new(&origin(&server));
    stranger.register(&json!({"publicKey": {"challenge": "AAAA", "user": {"id": "AAAA"}}}));
    let (status, _) = second_step(&c, |o| {
        let mut o = o.clone();
        o["publicKey"]["allowCredentials"] = json!([]);
        stranger.authenticate(&o)
    })
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM sessions").await, sessions_before, "no session from a bad answer");

    // A good login moves the counter (and clears the failures)...
    let (status, body) = second_step(&c, |o| key.authenticate(o)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    // ... a replay of an answer with a fresh ceremony is refused (its challenge is another) ...
    let c = pending_login(&server, &email).await;
    let start = ok(&c, "start_key_login", &[]).await;
    let old = start["options"].clone();
    let answer = key.authenticate(&old);
    let ceremony = start["ceremony"].as_str().unwrap();
    ok(&c, "finish_key_login", &[("ceremony", ceremony), ("credential", &answer.to_string())]).await;
    let c = pending_login(&server, &email).await;
    let start = ok(&c, "start_key_login", &[]).await;
    let ceremony = start["ceremony"].as_str().unwrap();
    let (status, _) = c.call("finish_key_login", &[("ceremony", ceremony), ("credential", &answer.to_string())]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a replayed assertion");
    // ... and a counter that goes backwards is a clone warning.
    let cloned = Quirks { counter: Some(1), ..Quirks::default() };
    let (status, _) = second_step(&c, |o| key.authenticate_with(o, &cloned)).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "counter regression");
    let warnings =
        count(&server, "SELECT COUNT(*) FROM security_events WHERE kind = 'security_key_clone_warning'").await;
    assert_eq!(warnings, 1);
    // Three more failures make five: the account's second factor pauses.
    for _ in 0..3 {
        let (status, _) = second_step(&c, |o| key.authenticate_with(o, &evil)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let (status, _) = second_step(&c, |o| key.authenticate(o)).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the same lockout as wrong codes");
    let failed = count(&server, "SELECT COUNT(*) FROM security_events WHERE kind = 'security_key_failed'").await;
    assert!(failed >= 5, "each refusal is in the security log: {failed}");
}

async fn a_passkey_signs_in_alone_and_satisfies_an_organization_requiring_two_factor(backend: Backend) {
    let server = keys_server(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let (max, max_email) = server.user("Max").await;
    let mut owner_key = SoftAuthenticator::synced(&origin(&server));
    let mut max_key = SoftAuthenticator::new(&origin(&server));
    add_key(&owner, &mut owner_key, "Phone").await;
    add_key(&max, &mut max_key, "YubiKey").await;

    // Passkey alone, on a fresh browser.
    let c = server.client();
    let (status, body) = passkey_sign_in(&c, |o| {
        assert!(o["publicKey"].get("allowCredentials").is_none_or(|a| a.as_array().is_some_and(Vec::is_empty)));
        max_key.authenticate(o)
    })
    .await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(c.me().await["email"], max_email.as_str());
    assert_eq!(count(&server, "SELECT COUNT(*) FROM sessions WHERE proof = 'passkey'").await, 1);
    // Without user verification it is one factor only: refused.
    let c2 = server.client();
    let (status, _) = passkey_sign_in(&c2, |o| {
        max_key.authenticate_with(o, &Quirks { no_user_verification: true, ..Quirks::default() })
    })
    .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(c2.me().await.is_null());
    // A ceremony is used once.
    let start = ok(&c2, "start_passkey_login", &[]).await;
    let answer = max_key.authenticate(&start["options"]).to_string();
    let ceremony = start["ceremony"].as_str().unwrap();
    ok(&c2, "finish_passkey_login", &[("ceremony", ceremony), ("credential", &answer)]).await;
    let (status, _) =
        server.client().call("finish_passkey_login", &[("ceremony", ceremony), ("credential", &answer)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "replayed");

    // Keys are 2FA: the owner may require it, and a member whose only factor is a key gets in.
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner, &c, "acme", &max_email, "member").await;
    let (status, body) =
        owner.call("set_two_factor_requirement", &[("slug", "acme"), ("require", "true"), ("grace_days", "0")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let (status, body) = c.call("load_org", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let members = ok(&owner, "load_org", &[("slug", "acme")]).await;
    assert!(members["members"].as_array().unwrap().iter().all(|m| m["two_factor"] == true), "{members}");
}

async fn removing_renaming_and_what_an_organization_allows(backend: Backend) {
    let server = keys_server(backend).await;
    let (ann, email) = server.user("Ann").await;
    let mut key = SoftAuthenticator::new(&origin(&server));
    let added = add_key(&ann, &mut key, "YubiKey").await;
    let id = added["key"]["id"].to_string();
    let code = added["backup_codes"][0].as_str().unwrap().to_string();

    ok(&ann, "rename_security_key", &[("id", &id), ("name", "Blue key")]).await;
    assert_eq!(ok(&ann, "security_keys", &[]).await["keys"][0]["name"], "Blue key");
    let (status, _) = ann.call("rename_security_key", &[("id", &id), ("name", " ")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let (status, _) = ann.call("rename_security_key", &[("id", "999999"), ("name", "x")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // The last second factor stays while an organization requires 2FA.
    ok(&ann, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    ok(&ann, "set_two_factor_requirement", &[("slug", "acme"), ("require", "true"), ("grace_days", "0")]).await;
    let remove = [("id", id.as_str()), ("password", PASSWORD), ("code", code.as_str())];
    let (status, body) = ann.call("remove_security_key", &remove).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body["message"].as_str().unwrap().contains("Acme requires it"), "{body}");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM webauthn_credentials").await, 1);

    // "Allowed second factors": keys only; a member with the app only is refused, with a key let in.
    let (bob, bob_email) = server.user("Bob").await;
    join_org(&ann, &bob, "acme", &bob_email, "member").await;
    let enrolled = enroll(&server, &bob).await;
    let (status, _) = ann.call("set_allowed_factors", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "at least one kind");
    ok(&ann, "set_allowed_factors", &[("slug", "acme"), ("security_keys", "true")]).await;
    let (status, body) = bob.call("load_org", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let mut bob_key = SoftAuthenticator::new(&origin(&server));
    server.advance_clock(30); // the enrollment's step is used
    let code_now = common::code_now(&server, &enrolled.secret);
    let bob_added = add_key_with_code(&bob, &mut bob_key, "Bob's key", &code_now).await;
    assert_eq!(bob_added["backup_codes"], json!([]), "2FA was on already");
    ok(&bob, "load_org", &[("slug", "acme")]).await;
    // Bob keeps the app, so his key may go (password and a code from the app).
    server.advance_clock(30);
    let code_now = common::code_now(&server, &enrolled.secret);
    let bob_id = bob_added["key"]["id"].to_string();
    ok(&bob, "remove_security_key", &[("id", &bob_id), ("password", PASSWORD), ("code", &code_now)]).await;
    assert_eq!(ok(&bob, "two_factor_status", &[]).await["enabled"], true);
    let audit = ok(&ann, "audit_log", &[("slug", "acme"), ("page", "0")]).await.to_string();
    assert!(audit.contains("Allowed second factors changed"), "{audit}");

    // Without the requirement, the last key goes and 2FA with it: a wrong password first changes nothing.
    // Allowing the app again would be a weaker rule: owners only, re-authenticated with a second factor of
    // their own: Ann has keys only, so with one of them confirmed just before.
    let loosen = [("slug", "acme"), ("security_keys", "true"), ("authenticator_app", "true"), ("password", PASSWORD)];
    let (status, body) = ann.call("set_allowed_factors", &loosen).await;
    assert_eq!((status, body["reason"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("key_confirmation_needed")));
    confirm_with(&ann, &mut key).await;
    ok(&ann, "set_allowed_factors", &loosen).await;
    let (status, _) = ann.call("leave_org", &[("slug", "acme")]).await;
    assert!(status.is_client_error(), "the last owner stays");
    let (lone, lone_email) = server.user("Lone").await;
    let mut lone_key = SoftAuthenticator::new(&origin(&server));
    let lone_added = add_key(&lone, &mut lone_key, "Key").await;
    let lone_id = lone_added["key"]["id"].to_string();
    let lone_code = lone_added["backup_codes"][1].as_str().unwrap().to_string();
    let wrong = [("id", lone_id.as_str()), ("password", "wrong password"), ("code", lone_code.as_str())];
    let (status, _) = lone.call("remove_security_key", &wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    ok(&lone, "remove_security_key", &[("id", &lone_id), ("password", PASSWORD), ("code", &lone_code)]).await;
    let status = ok(&lone, "two_factor_status", &[]).await;
    assert_eq!((status["enabled"].clone(), status["codes_left"].clone()), (json!(false), json!(0)));
    assert!(!lone.me().await.is_null(), "the session continues with a fresh id");
    let c = server.client();
    assert_eq!(
        ok(&c, "log_in", &[("email", &lone_email), ("password", PASSWORD)]).await["LoggedIn"]["email"],
        lone_email.as_str()
    );
    let _ = email;
}

async fn an_organization_allowing_the_app_only_gives_a_key_only_member_no_tokens(backend: Backend) {
    use common::oidc::{self, authorize, handle_in, location, params_of, Attempt};
    let server = keys_server(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    enroll(&server, &owner).await;
    let app = oidc::register(&owner, "acme", false, &[]).await;
    let (max, max_email) = server.user("Max").await;
    join_org(&owner, &max, "acme", &max_email, "member").await;
    add_key(&max, &mut SoftAuthenticator::new(&origin(&server)), "YubiKey").await;
    let attempt = Attempt::new();
    let url = oidc::sign_in(&max, &attempt.query(&app, &[])).await;
    let (status, tokens) = oidc::redeem(&server, &app, &params_of(&url)["code"], &attempt.verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");

    ok(&owner, "set_two_factor_requirement", &[("slug", "acme"), ("require", "true"), ("grace_days", "0")]).await;
    ok(&owner, "set_allowed_factors", &[("slug", "acme"), ("authenticator_app", "true")]).await;
    let (status, _) = max.call("load_org", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "a key is not the app");
    let next = location(&authorize(&max, &Attempt::new().query(&app, &[])).await);
    let prompt = ok(&max, "load_authorization", &[("request", &handle_in(&next))]).await;
    assert_eq!(prompt["EnrollTwoFactor"]["org"], "Acme", "{prompt}");
    let silent = location(&authorize(&max, &Attempt::new().query(&app, &[("prompt", "none")])).await);
    assert_eq!(params_of(&silent)["error"], "interaction_required", "{silent}");
    let (status, body) = oidc::refresh(&server, &app, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    let (status, _) = oidc::userinfo(&server, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn anonymous_passkey_sign_ins_store_nothing_and_are_limited_per_address(backend: Backend) {
    let server = keys_server(backend).await;
    let (ann, _) = server.user("Ann").await;
    let mut key = SoftAuthenticator::synced(&origin(&server));
    add_key(&ann, &mut key, "Phone").await;
    let anonymous = server.client();
    let mut refused = 0;
    for _ in 0..125 {
        let (status, _) = anonymous.call("start_passkey_login", &[]).await;
        if status == StatusCode::TOO_MANY_REQUESTS {
            refused += 1;
        } else {
            assert_eq!(status, StatusCode::OK);
        }
    }
    assert_eq!(refused, 5, "120 a minute per address");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM webauthn_ceremonies").await, 0, "nothing stored");
    assert_eq!(count(&server, "SELECT COUNT(*) FROM used_handles").await, 0);
    // A sealed ceremony still signs in, once.
    server.advance_clock(60);
    let c = server.client();
    let start = ok(&c, "start_passkey_login", &[]).await;
    let answer = key.authenticate(&start["options"]).to_string();
    let ceremony = start["ceremony"].as_str().unwrap();
    ok(&c, "finish_passkey_login", &[("ceremony", ceremony), ("credential", &answer)]).await;
    let (status, _) =
        server.client().call("finish_passkey_login", &[("ceremony", ceremony), ("credential", &answer)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "replayed");
    let mut forged = ceremony.to_string();
    forged.push('A');
    let (status, _) =
        server.client().call("finish_passkey_login", &[("ceremony", &forged), ("credential", &answer)]).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

async fn adding_a_factor_to_a_protected_account_needs_a_current_second_factor(backend: Backend) {
    let server = keys_server(backend).await;
    // An account with the authenticator app, signed in on two browsers; one cookie is stolen.
    let (ann, email) = server.user("Ann").await;
    let factors = enroll(&server, &ann).await;
    let other = pending_login(&server, &email).await;
    server.advance_clock(30);
    ok(&other, "verify_login", &[("code", &common::code_now(&server, &factors.secret))]).await;
    let stolen = ann.on(&server);
    for args in [vec![("name", "Mine")], vec![("name", "Mine"), ("password", PASSWORD)]] {
        let (status, body) = stolen.call("start_key_registration", &args).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("code")), "{body}");
    }
    let wrong = [("name", "Mine"), ("password", PASSWORD), ("code", "000000")];
    let (status, _) = stolen.call("start_key_registration", &wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(count(&server, "SELECT COUNT(*) FROM webauthn_ceremonies").await, 0, "nothing started");
    // The owner, with a code from the app: the key is added, the other browser signed out, the owner told.
    server.advance_clock(30);
    let code = common::code_now(&server, &factors.secret);
    let mut phone = SoftAuthenticator::synced(&origin(&server));
    let added = add_key_with_code(&ann, &mut phone, "Phone", &code).await;
    assert_eq!(added["backup_codes"], json!([]));
    assert!(other.me().await.is_null(), "the other session ended");
    assert!(!ann.me().await.is_null(), "this one goes on, with a fresh id");
    let notice = ok(&ann, "notice", &[]).await;
    assert!(notice.as_str().unwrap().contains("\"Phone\") was added to your account"), "{notice}");

    // An account whose 2FA is keys only confirms with a key: to add another, and to set up the app.
    let (bob, _) = server.user("Bob").await;
    let mut bob_key = SoftAuthenticator::new(&origin(&server));
    add_key(&bob, &mut bob_key, "YubiKey").await;
    let (status, body) = bob.call("start_key_registration", &[("name", "Second"), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    assert!(body["message"].as_str().unwrap().contains("confirm with one of your security keys"), "{body}");
    let (status, body) = bob.call("start_enrollment", &[("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the app too: {body}");
    confirm_with(&bob, &mut bob_key).await;
    ok(&bob, "start_enrollment", &[]).await;
    // A confirmation is good for one change...
    let (status, _) = bob.call("start_key_registration", &[("name", "Second")]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "used by the enrollment");
    // ... within five minutes.
    confirm_with(&bob, &mut bob_key).await;
    server.advance_clock(301);
    let (status, _) = bob.call("start_key_registration", &[("name", "Second"), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "expired");
    let entries = log_entries(&bob).await;
    assert!(entries.iter().any(|e| e == "Confirmed with a security key"), "{entries:?}");
}

async fn an_admin_reset_removes_the_members_keys(backend: Backend) {
    let server = keys_server(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let owner_factor = enroll(&server, &owner).await;
    let (max, max_email) = server.user("Max").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner, &max, "acme", &max_email, "member").await;
    let mut key = SoftAuthenticator::new(&origin(&server));
    add_key(&max, &mut key, "YubiKey").await;
    let page = ok(&owner, "load_org", &[("slug", "acme")]).await;
    let max_id = page["members"].as_array().unwrap().iter().find(|m| m["email"] == max_email.as_str()).unwrap()
        ["user_id"]
        .to_string();
    server.advance_clock(30); // the enrollment's step is used
    let code = common::code_now(&server, &owner_factor.secret);
    let args = [("slug", "acme"), ("user_id", max_id.as_str()), ("password", PASSWORD), ("code", code.as_str())];
    ok(&owner, "reset_member_two_factor", &args).await;
    assert_eq!(count(&server, "SELECT COUNT(*) FROM webauthn_credentials").await, 0);
    let c = server.client();
    let outcome = ok(&c, "log_in", &[("email", &max_email), ("password", PASSWORD)]).await;
    assert!(outcome.get("LoggedIn").is_some(), "no second factor is left: {outcome}");
}

async fn without_a_domain_in_the_public_url_security_keys_are_off(backend: Backend) {
    let server = TestServer::start(backend).await; // http://127.0.0.1:<port>
    let (ann, _) = server.user("Ann").await;
    let keys = ok(&ann, "security_keys", &[]).await;
    assert_eq!(keys["available"], false);
    let (status, body) = ann.call("start_key_registration", &[("name", "YubiKey")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    assert!(body["message"].as_str().unwrap().contains("PORTCULLIS_PUBLIC_URL"));
    let (status, _) = server.client().call("start_passkey_login", &[]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

/// Re-authentication takes whichever second factor the account holds: with
/// keys only, a key confirmed moments before, used once, by the change it
/// authorizes (a refused change leaves it unused).
async fn a_key_only_account_proves_itself_with_a_key_before_every_protection_change(backend: Backend) {
    let server = keys_server(backend).await;
    let (bob, _) = server.user("Bob").await;
    let mut key = SoftAuthenticator::new(&origin(&server));
    let first = add_key(&bob, &mut key, "YubiKey").await;
    let shown: Vec<Value> = first["backup_codes"].as_array().unwrap().clone();
    assert_eq!(shown.len(), 5, "the first key turned 2FA on: {first}");

    // A stolen cookie without the key: nothing revealed, replaced, created or turned off.
    let nothing = [("password", ""), ("code", "")];
    for endpoint in ["reveal_codes", "regenerate_codes", "disable_two_factor"] {
        let (status, body) = bob.call(endpoint, &nothing).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{endpoint}: {body}");
        assert!(body["message"].as_str().unwrap().contains("confirm with one of your security keys"), "{body}");
    }
    let token = [("name", "ci"), ("read", "true"), ("expires_in_days", "30")];
    let (status, _) = bob.call("create_api_token", &token).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);

    // With the key: the codes as shown at enrollment, once per confirmation.
    confirm_with(&bob, &mut key).await;
    let revealed = ok(&bob, "reveal_codes", &nothing).await;
    let revealed: Vec<Value> = revealed.as_array().unwrap().iter().map(|c| c["code"].clone()).collect();
    assert_eq!(revealed, shown);
    let (status, _) = bob.call("reveal_codes", &nothing).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "the confirmation was used");
    confirm_with(&bob, &mut key).await;
    let fresh = ok(&bob, "regenerate_codes", &nothing).await;
    assert_eq!(fresh.as_array().unwrap().len(), 5);
    assert_ne!(fresh.as_array().unwrap(), &shown, "a new set");
    confirm_with(&bob, &mut key).await;
    let made = ok(&bob, "create_api_token", &token).await;
    assert!(made["secret"].as_str().is_some_and(|s| !s.is_empty()), "{made}");

    // An owner with keys only switches an organization's requirement off with a key.
    ok(&bob, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let on = [("slug", "acme"), ("require", "true"), ("grace_days", "0")];
    ok(&bob, "set_two_factor_requirement", &on).await;
    let off = [("slug", "acme"), ("require", "false"), ("grace_days", "0")];
    let (status, _) = bob.call("set_two_factor_requirement", &off).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "not without the key");
    confirm_with(&bob, &mut key).await;
    ok(&bob, "set_two_factor_requirement", &off).await;

    // A confirmation expires; then 2FA goes off with a fresh one.
    confirm_with(&bob, &mut key).await;
    server.advance_clock(301);
    let (status, _) = bob.call("disable_two_factor", &nothing).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "expired");
    confirm_with(&bob, &mut key).await;
    ok(&bob, "disable_two_factor", &nothing).await;
    assert_eq!(count(&server, "SELECT COUNT(*) FROM webauthn_credentials").await, 0);
    let entries = log_entries(&bob).await;
    for what in ["Backup codes revealed", "Backup codes regenerated", "Two-factor authentication disabled"] {
        assert!(entries.iter().any(|e| e == what), "{what}: {entries:?}");
    }
}
