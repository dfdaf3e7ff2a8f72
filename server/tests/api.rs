//! The REST API (/api/v1) over HTTP: tokens and their scopes, Basic with a
//! password before and after two-factor authentication, application
//! passwords, revoked, expired and garbled tokens, the organization routes
//! as the UI does them, the organization's switch, and bad input.

mod common;

use common::api::{self, Auth, ALL_SCOPES};
use common::{code_now, enroll, join_org, ok, Backend, TestServer, PASSWORD};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};

on_both_backends!(
    a_token_reads_the_account_and_each_scope_opens_only_its_routes,
    basic_with_the_password_stops_at_two_factor_and_an_application_password_goes_on,
    revoked_expired_and_garbled_tokens_get_401_and_are_logged,
    organization_routes_do_what_the_members_tab_does,
    the_organization_switch_refuses_tokens_and_application_passwords,
    bad_input_gets_a_clear_4xx,
    failed_basic_logins_count_toward_the_login_forms_lockout,
);

fn bearer(token: &str) -> Auth {
    Auth::Bearer(token.to_string())
}

async fn a_token_reads_the_account_and_each_scope_opens_only_its_routes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, email) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let read = api::token(&owner, "read", 30).await;
    assert!(read.starts_with("pcl_pat_") && read.len() == 46, "{read}");

    let me = api::get(&server, "/me", &bearer(&read)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.body);
    assert_eq!(me.body["email"], email.as_str());
    assert_eq!(me.body["authenticated_with"], "personal_access_token");
    assert_eq!(me.body["scopes"], json!(["read"]));
    let log = api::get(&server, "/me/security-log", &bearer(&read)).await;
    assert_eq!(log.status, StatusCode::OK);
    assert_eq!(log.body["items"][0]["kind"], "api_token_created", "{}", log.body);

    // A read token changes nothing.
    let invite = json!({ "email": "new@example.com", "role": "member" });
    let refused = api::call(&server, Method::POST, "/orgs/acme/members", &bearer(&read), Some(invite.clone())).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert!(refused.body["message"].as_str().unwrap().contains("\"write\" scope"), "{}", refused.body);
    let requirement = json!({ "required": false, "grace_days": 0 });
    let path = "/orgs/acme/two-factor-requirement";
    let put = api::call(&server, Method::PUT, path, &bearer(&read), Some(requirement.clone())).await;
    assert_eq!(put.status, StatusCode::FORBIDDEN);

    // A write token invites but does not read, nor administer.
    let write = api::token(&owner, "write", 90).await;
    let invited = api::call(&server, Method::POST, "/orgs/acme/members", &bearer(&write), Some(invite)).await;
    assert_eq!(invited.status, StatusCode::CREATED, "{}", invited.body);
    assert_eq!(api::get(&server, "/me", &bearer(&write)).await.status, StatusCode::FORBIDDEN);
    let put = api::call(&server, Method::PUT, path, &bearer(&write), Some(requirement.clone())).await;
    assert_eq!(put.status, StatusCode::FORBIDDEN);

    // admin:org administers.
    let admin = api::token(&owner, "admin:org", 365).await;
    let put =
        api::call(&server, Method::PUT, "/orgs/acme/two-factor-requirement", &bearer(&admin), Some(requirement)).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);

    // The Account page lists them with their last use, never the secret.
    let listed = ok(&owner, "my_api_credentials", &[]).await;
    let tokens = listed["tokens"].as_array().unwrap();
    assert_eq!(tokens.len(), 3);
    let used = tokens.iter().find(|t| t["scopes"] == json!(["read"])).unwrap();
    assert_eq!(used["last_used_ip"], "127.0.0.1");
    assert!(used["last_used_at"].as_i64().is_some());
    assert!(!listed.to_string().contains(&read), "the secret is shown once only");
    // Stored as a hash only.
    let db = server.db().await;
    let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM api_tokens").fetch_all(&db).await.unwrap();
    assert!(stored.iter().all(|(h,)| h.len() == 64 && !h.contains("pcl_")));

    // Creating one needs the password.
    let (status, body) = owner
        .call("create_api_token", &[("name", "x"), ("read", "true"), ("expires_in_days", "30"), ("password", "nope")])
        .await;
    assert_eq!((status, body["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("password")), "{body}");
    let (status, _) = owner
        .call("create_api_token", &[("name", "x"), ("read", "true"), ("expires_in_days", "7"), ("password", PASSWORD)])
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "only 30, 90, 365 or none");
}

async fn basic_with_the_password_stops_at_two_factor_and_an_application_password_goes_on(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (user, email) = server.user("Ann").await;
    let basic = Auth::Basic(email.clone(), PASSWORD.to_string());
    let me = api::get(&server, "/me", &basic).await;
    assert_eq!((me.status, me.body["authenticated_with"].clone()), (StatusCode::OK, json!("password")));

    let factors = enroll(&server, &user).await;
    let refused = api::get(&server, "/me", &basic).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refused.body["message"],
        format!(
            "Two-factor authentication is enabled for {email}: use a personal access token or an application password"
        )
    );
    assert!(refused.headers["www-authenticate"].to_str().unwrap().contains("Basic"), "{:?}", refused.headers);

    // An application password (made with the password and a code) works over Basic.
    let (status, body) = user.call("create_app_password", &[("name", "Mail"), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "a code is needed with 2FA on: {body}");
    let app_password = api::app_password(&user, &code_now_later(&server, &factors.secret)).await;
    assert!(app_password.starts_with("pcl_app_"));
    let me = api::get(&server, "/me", &Auth::Basic(email.to_uppercase(), app_password.clone())).await;
    assert_eq!((me.status, me.body["authenticated_with"].clone()), (StatusCode::OK, json!("application_password")));
    // Only over Basic, only for its own account, and never in the login form.
    assert_eq!(api::get(&server, "/me", &bearer(&app_password)).await.status, StatusCode::UNAUTHORIZED);
    let (_, other) = server.user("Bob").await;
    assert_eq!(
        api::get(&server, "/me", &Auth::Basic(other, app_password.clone())).await.status,
        StatusCode::UNAUTHORIZED
    );
    let form = server.client();
    let (status, body) = form.call("log_in", &[("email", &email), ("password", &app_password)]).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::UNAUTHORIZED, json!("invalid_credentials")));

    // A personal access token made with a code works too.
    let token = api::token_with_code(&user, ALL_SCOPES, 0, &code_now_later(&server, &factors.secret)).await;
    assert_eq!(api::get(&server, "/me", &bearer(&token)).await.status, StatusCode::OK);

    // Revoking the application password ends it.
    let listed = ok(&user, "my_api_credentials", &[]).await;
    let id = listed["app_passwords"][0]["id"].to_string();
    ok(&user, "revoke_api_credential", &[("id", &id)]).await;
    let gone = Auth::Basic(email.clone(), app_password);
    let refused = api::get(&server, "/me", &gone).await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    // The words of a wrong password: "revoked" would confirm that email and password belong together.
    assert_eq!(refused.body["message"], "Invalid email or password", "{}", refused.body);
    // And it counts as one: the account's login allowance (5 a day) runs out, it is never reset.
    let mut statuses = Vec::new();
    for _ in 0..5 {
        statuses.push(api::get(&server, "/me", &gone).await.status);
    }
    assert!(statuses.contains(&StatusCode::TOO_MANY_REQUESTS), "{statuses:?}");
    let log = ok(&user, "security_log", &[("page", "0")]).await.to_string();
    assert!(log.contains("API"), "the owner sees the attempts: {log}");
}

/// The next 30-second step's code: a TOTP step is used once.
fn code_now_later(server: &TestServer, secret: &app::twofactor::totp::TotpSecret) -> String {
    server.advance_clock(30);
    code_now(server, secret)
}

async fn revoked_expired_and_garbled_tokens_get_401_and_are_logged(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (user, _) = server.user("Ann").await;
    let revoked = api::token(&user, "read", 30).await;
    let expiring = api::token(&user, "read", 30).await;
    let listed = ok(&user, "my_api_credentials", &[]).await;
    let id = listed["tokens"].as_array().unwrap().iter().map(|t| t["id"].as_i64().unwrap()).min().unwrap();
    ok(&user, "revoke_api_credential", &[("id", &id.to_string())]).await;
    let (status, _) = user.call("revoke_api_credential", &[("id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "revoked already");

    let answer = api::get(&server, "/me", &bearer(&revoked)).await;
    assert_eq!((answer.status, answer.body["code"].clone()), (StatusCode::UNAUTHORIZED, json!("unauthorized")));
    assert_eq!(answer.body["message"], "This token has been revoked.");
    assert_eq!(api::get(&server, "/me", &bearer(&expiring)).await.status, StatusCode::OK);

    let mut flipped = expiring.clone().into_bytes();
    flipped[12] = if flipped[12] == b'A' { b'B' } else { b'A' };
    let garbled = [
        String::from_utf8(flipped).unwrap(),
        "pcl_pat_short".to_string(),
        "not a token".to_string(),
        format!("{}X", expiring),
    ];
    for token in garbled {
        let answer = api::get(&server, "/me", &bearer(&token)).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{token}");
        assert!(answer.body["message"].as_str().unwrap().contains("copied whole"), "{}", answer.body);
    }
    for auth in [Auth::None, Auth::Raw("Digest abc".into()), Auth::Raw("Basic !!!".into()), Auth::Raw("Bearer".into())]
    {
        let answer = api::get(&server, "/me", &auth).await;
        assert_eq!(answer.status, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert!(answer.headers.contains_key("www-authenticate"), "{auth:?}");
        assert!(answer.body["message"].is_string());
    }

    server.advance_clock(30 * 86_400 + 1);
    let answer = api::get(&server, "/me", &bearer(&expiring)).await;
    assert_eq!(answer.status, StatusCode::UNAUTHORIZED);
    assert!(answer.body["message"].as_str().unwrap().starts_with("This token expired on "), "{}", answer.body);

    let db = server.db().await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM security_events WHERE kind = 'api_auth_failed'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(n, 2, "the revoked and the expired token's uses are in the owner's security log");
}

async fn organization_routes_do_what_the_members_tab_does(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let (max, max_email) = server.user("Max").await;
    let (pia, pia_email) = server.user("Pia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner, &max, "acme", &max_email, "member").await;
    join_org(&owner, &pia, "acme", &pia_email, "member").await;
    let owner_factors = enroll(&server, &owner).await;
    enroll(&server, &max).await;
    let token = api::token_with_code(&owner, ALL_SCOPES, 30, &code_now_later(&server, &owner_factors.secret)).await;
    let t = bearer(&token);

    let orgs = api::get(&server, "/orgs", &t).await;
    assert_eq!(orgs.body["items"][0]["slug"], "acme", "{}", orgs.body);
    assert_eq!(orgs.body["items"][0]["my_role"], "owner");
    assert_eq!(api::get(&server, "/orgs/acme", &t).await.body["name"], "Acme");
    assert_eq!(api::get(&server, "/orgs/nope", &t).await.status, StatusCode::NOT_FOUND);

    // Managers see emails, 2FA and token counts; plain members do not.
    let members = api::get(&server, "/orgs/acme/members", &t).await.body;
    let find = |members: &Value, name: &str| {
        members["items"].as_array().unwrap().iter().find(|m| m["name"] == name).cloned().unwrap()
    };
    let olivia = find(&members, "Olivia");
    assert_eq!((olivia["two_factor"].clone(), olivia["active_tokens"].clone()), (json!(true), json!(1)));
    assert_eq!(find(&members, "Pia")["email"], pia_email.as_str());
    let max_id = find(&members, "Max")["user_id"].as_i64().unwrap();
    // The Members tab shows the same count to owners and admins, and nothing to plain members.
    let tab = ok(&owner, "load_org", &[("slug", "acme")]).await;
    let row = tab["members"].as_array().unwrap().iter().find(|m| m["name"] == "Olivia").cloned().unwrap();
    assert_eq!(row["active_tokens"], 1, "{tab}");
    let tab = ok(&pia, "load_org", &[("slug", "acme")]).await;
    assert!(tab["members"].as_array().unwrap().iter().all(|m| m.get("active_tokens").is_none()), "{tab}");
    let pia_token = api::token(&pia, "read", 30).await;
    let seen_by_pia = api::get(&server, "/orgs/acme/members", &bearer(&pia_token)).await.body;
    let olivia = find(&seen_by_pia, "Olivia");
    assert!(
        olivia.get("email").is_none() && olivia.get("two_factor").is_none() && olivia.get("active_tokens").is_none()
    );
    assert_eq!(api::get(&server, "/orgs/acme/audit-log", &bearer(&pia_token)).await.status, StatusCode::FORBIDDEN);

    // Pages by cursor.
    let first = api::get(&server, "/orgs/acme/members?limit=2", &t).await.body;
    assert_eq!(first["items"].as_array().unwrap().len(), 2);
    let cursor = first["next_cursor"].as_str().unwrap().to_string();
    let second = api::get(&server, &format!("/orgs/acme/members?limit=2&cursor={cursor}"), &t).await.body;
    assert_eq!(second["items"].as_array().unwrap().len(), 1);
    assert!(second["next_cursor"].is_null());

    // Role, reset, removal: each with its audit row, as in the UI.
    let path = format!("/orgs/acme/members/{max_id}");
    let changed = api::call(&server, Method::PATCH, &path, &t, Some(json!({ "role": "admin" }))).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    server.advance_clock(30);
    let reauth = json!({ "password": PASSWORD, "code": code_now(&server, &owner_factors.secret) });
    let reset = api::call(&server, Method::POST, &format!("{path}/reset-two-factor"), &t, Some(reauth)).await;
    assert_eq!(reset.status, StatusCode::NO_CONTENT, "{}", reset.body);
    let olivia_id = find(&members, "Olivia")["user_id"].as_i64().unwrap();
    let last_owner = api::call(&server, Method::DELETE, &format!("/orgs/acme/members/{olivia_id}"), &t, None).await;
    assert_eq!(last_owner.status, StatusCode::CONFLICT, "{}", last_owner.body);
    assert_eq!(api::call(&server, Method::DELETE, &path, &t, None).await.status, StatusCode::NO_CONTENT);

    let requirement = json!({ "required": true, "grace_days": 7 });
    let put = api::call(&server, Method::PUT, "/orgs/acme/two-factor-requirement", &t, Some(requirement.clone())).await;
    assert_eq!((put.status, put.body.clone()), (StatusCode::OK, requirement.clone()));
    assert_eq!(api::get(&server, "/orgs/acme/two-factor-requirement", &t).await.body, requirement);

    let log = api::get(&server, "/orgs/acme/audit-log?limit=3", &t).await.body;
    let kinds: Vec<_> = log["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["two_factor_required", "member_removed", "member_two_factor_reset"], "{log}");
    // Details are stored as parameters and worded as the Audit tab words them.
    assert_eq!(log["items"][0]["detail"], "grace period: 7 days", "{log}");
    let rest =
        api::get(&server, &format!("/orgs/acme/audit-log?cursor={}", log["next_cursor"].as_str().unwrap()), &t).await;
    let kinds: Vec<_> = rest.body["items"].as_array().unwrap().iter().map(|e| e["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds.first(), Some(&"role_changed"));
    assert_eq!(kinds.last(), Some(&"org_created"));
}

async fn the_organization_switch_refuses_tokens_and_application_passwords(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    let (max, max_email) = server.user("Max").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner, &max, "acme", &max_email, "admin").await;
    let token = api::token(&max, ALL_SCOPES, 30).await;
    let app_password = api::app_password(&max, "").await;
    assert_eq!(api::get(&server, "/orgs/acme/members", &bearer(&token)).await.status, StatusCode::OK);

    let (status, _) = max.call("set_api_access", &[("slug", "acme"), ("allow", "false")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "owners only");
    ok(&owner, "set_api_access", &[("slug", "acme"), ("allow", "false")]).await;
    for auth in [bearer(&token), Auth::Basic(max_email.clone(), app_password.clone())] {
        let answer = api::get(&server, "/orgs/acme/members", &auth).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{auth:?}");
        assert!(answer.body["message"].as_str().unwrap().contains("does not allow personal access tokens"));
        assert_eq!(api::get(&server, "/me", &auth).await.status, StatusCode::OK, "the account is still theirs");
    }
    // Nor is the organization listed to them.
    let slugs = |body: serde_json::Value| -> Vec<String> {
        body["items"].as_array().unwrap().iter().map(|o| o["slug"].as_str().unwrap().to_string()).collect()
    };
    ok(&max, "create_org", &[("name", "Max's Lab"), ("slug", "lab")]).await;
    assert_eq!(slugs(api::get(&server, "/orgs", &bearer(&token)).await.body), ["lab"]);
    // The account's own password (no 2FA) is not a token.
    let basic = Auth::Basic(max_email.clone(), PASSWORD.to_string());
    assert_eq!(api::get(&server, "/orgs/acme/members", &basic).await.status, StatusCode::OK);
    assert_eq!(slugs(api::get(&server, "/orgs", &basic).await.body), ["acme", "lab"]);
    ok(&owner, "set_api_access", &[("slug", "acme"), ("allow", "true")]).await;
    assert_eq!(api::get(&server, "/orgs/acme/members", &bearer(&token)).await.status, StatusCode::OK);
    let log = ok(&owner, "audit_log", &[("slug", "acme")]).await;
    assert_eq!(log["entries"][0]["what"], "Personal access tokens and application passwords allowed", "{log}");
}

async fn bad_input_gets_a_clear_4xx(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let token = api::token(&owner, ALL_SCOPES, 30).await;
    let url = |path: &str| format!("{}/api/v1{path}", server.base);
    let http = reqwest::Client::new();
    let send = |method: Method, path: &str, content_type: Option<&str>, body: String| {
        let mut req = http.request(method, url(path)).bearer_auth(&token).body(body);
        if let Some(ct) = content_type {
            req = req.header("Content-Type", ct);
        }
        req.send()
    };
    let json_ct = Some("application/json");
    let cases: Vec<(Method, &str, Option<&str>, String, u16)> = vec![
        (Method::POST, "/orgs/acme/members", json_ct, "{\"email\": ".into(), 400),
        (Method::POST, "/orgs/acme/members", json_ct, "{\"email\": 5, \"role\": \"member\"}".into(), 422),
        (Method::POST, "/orgs/acme/members", json_ct, "{\"email\": \"a@b.c\", \"role\": \"king\"}".into(), 422),
        (
            Method::POST,
            "/orgs/acme/members",
            json_ct,
            "{\"email\": \"a@b.c\", \"role\": \"member\", \"x\": 1}".into(),
            422,
        ),
        (Method::POST, "/orgs/acme/members", None, "{\"email\": \"a@b.c\", \"role\": \"member\"}".into(), 415),
        (Method::POST, "/orgs/acme/members", json_ct, format!("{{\"email\": \"{}\"}}", "a".repeat(20_000)), 413),
        (Method::PATCH, "/orgs/acme/members/abc", json_ct, "{\"role\": \"admin\"}".into(), 400),
        (Method::PATCH, "/orgs/acme/members/999", json_ct, "{\"role\": \"admin\"}".into(), 404),
        (Method::GET, "/orgs/acme/audit-log?cursor=bogus", None, String::new(), 400),
        (Method::GET, "/orgs/acme/audit-log?limit=0", None, String::new(), 400),
        (Method::GET, "/me/security-log?limit=abc", None, String::new(), 400),
        (Method::GET, "/nowhere", None, String::new(), 404),
        (Method::DELETE, "/me", None, String::new(), 405),
        (
            Method::PUT,
            "/orgs/acme/two-factor-requirement",
            json_ct,
            "{\"required\": true, \"grace_days\": 2}".into(),
            422,
        ),
    ];
    for (method, path, ct, body, expected) in cases {
        let res = send(method.clone(), path, ct, body).await.expect("sent");
        let answer = api::answer(res).await;
        assert_eq!(answer.status.as_u16(), expected, "{method} {path}: {}", answer.body);
        assert!(
            answer.body["code"].is_string() && answer.body["message"].is_string(),
            "{method} {path}: {}",
            answer.body
        );
        assert_eq!(answer.headers["content-type"], "application/json", "{method} {path}");
    }
    let doc = api::get(&server, "/openapi.json", &Auth::None).await.body;
    assert_eq!(doc["openapi"], "3.1.0");
    assert!(
        doc["components"]["securitySchemes"]["bearer"].is_object()
            && doc["components"]["securitySchemes"]["basic"].is_object()
    );
}

async fn failed_basic_logins_count_toward_the_login_forms_lockout(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (_, email) = server.user("Ann").await;
    let wrong = Auth::Basic(email.clone(), "wrong password".to_string());
    for _ in 0..5 {
        let answer = api::get(&server, "/me", &wrong).await;
        assert_eq!(
            (answer.status, answer.body["code"].clone()),
            (StatusCode::UNAUTHORIZED, json!("invalid_credentials"))
        );
    }
    let answer = api::get(&server, "/me", &Auth::Basic(email.clone(), PASSWORD.to_string())).await;
    assert_eq!(answer.status, StatusCode::TOO_MANY_REQUESTS, "{}", answer.body);
    let (status, _) = server.client().call("log_in", &[("email", &email), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "the login form waits too");
    let db = server.db().await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM security_events WHERE kind = 'login_failed'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(n, 5, "each failure is in the security log");
}
