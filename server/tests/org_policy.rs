// The Account page's view type (islands included) is deep: this test crate links the whole app.
#![recursion_limit = "256"]
//! "Require two-factor authentication": the owner precondition, enforcement
//! on every organization route, the grace period, and switching it off.

mod common;

use common::{api, code_now, enroll, join_org, ok, Backend, Client, TestServer};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    requiring_needs_every_owner_and_the_actor_to_have_two_factor,
    a_member_without_two_factor_is_refused_on_every_org_route_and_only_there,
    grace_period_then_enforcement_then_switching_off_restores_access,
    plain_members_cannot_see_or_change_settings,
    admin_reset_follows_roles_needs_the_password_and_sends_the_member_back_to_enrollment,
    audit_log_lists_changes_with_their_actor_for_managers_only,
    allowing_another_kind_of_second_factor_is_for_owners_with_their_code,
);

/// Every server function, sorted into those scoped to one organization (they
/// take its `slug` and must pass the compliance gate) and the rest. A new
/// server function fails this test until it is put in one of the lists.
const ORG_SCOPED: [&str; 22] = [
    "load_org",
    "set_upstream_mfa_requirement",
    "set_remembered_browsers",
    "set_verified_emails_requirement",
    "load_org_settings",
    "add_member",
    "change_role",
    "remove_member",
    "set_two_factor_requirement",
    "reset_member_two_factor",
    "audit_log",
    "org_invitations",
    "cancel_invitation",
    "leave_org",
    "load_applications",
    "register_application",
    "regenerate_client_secret",
    "set_application_disabled",
    "update_application",
    "delete_application",
    "set_api_access",
    "set_allowed_factors",
];
/// Invitations act on the signed-in invitee's own invitations, by id and email, not through an organization.
/// The OpenID Connect ones act on the user's own sign-ins and consents: the
/// organization's rules are applied by the authorization flow itself.
const ACCOUNT_LEVEL: [&str; 69] = [
    "current_user",
    "sign_up",
    "log_in",
    "log_out",
    "verify_login",
    "my_orgs",
    "create_org",
    "two_factor_status",
    "start_enrollment",
    "check_enrollment_code",
    "finish_enrollment",
    "cancel_enrollment",
    "reveal_codes",
    "regenerate_codes",
    "disable_two_factor",
    "notice",
    "dismiss_notice",
    "security_log",
    "my_invitations",
    "accept_invitation",
    "decline_invitation",
    "load_authorization",
    "decide_consent",
    "my_applications",
    "revoke_application",
    "load_logout",
    "end_session",
    "my_api_credentials",
    "create_api_token",
    "create_app_password",
    "revoke_api_credential",
    "security_keys",
    "start_key_registration",
    "finish_key_registration",
    "start_key_confirmation",
    "finish_key_confirmation",
    "rename_security_key",
    "remove_security_key",
    "start_key_login",
    "finish_key_login",
    "start_passkey_login",
    "finish_passkey_login",
    "login_methods",
    "change_email",
    "change_password",
    "load_email_status",
    "forgot_password",
    "my_sessions",
    "resend_verification",
    "load_reset_form",
    "reset_password",
    "sign_out_everywhere_else",
    "sign_out_session",
    "verify_email",
    "load_browser_settings",
    "forget_browser",
    "set_new_browser_mail",
    "login_providers",
    "connected_accounts",
    "connect_provider",
    "disconnect_provider",
    "remove_password",
    "start_sms_enrollment",
    "resend_sms_code",
    "check_sms_code",
    "finish_sms_enrollment",
    "remove_sms",
    "set_preferred_method",
    "send_login_sms",
];

#[test]
fn every_server_function_is_classified() {
    let mut registered: Vec<String> = leptos::server_fn::axum::server_fn_paths()
        .map(|(path, _)| path.trim_start_matches("/api/").to_string())
        .collect();
    registered.sort();
    let mut known: Vec<String> = ORG_SCOPED.iter().chain(ACCOUNT_LEVEL.iter()).map(|n| n.to_string()).collect();
    known.sort();
    assert_eq!(registered, known, "classify new server functions in ORG_SCOPED or ACCOUNT_LEVEL");
}

struct Acme {
    owner: Client,
    member: Client,
    member_email: String,
    member_id: String,
}

async fn acme(server: &TestServer) -> Acme {
    let (owner, _) = server.user("Olivia").await;
    let (member, member_email) = server.user("Max").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    join_org(&owner, &member, "acme", &member_email, "admin").await;
    let page = ok(&owner, "load_org", &[("slug", "acme")]).await;
    let member_id = page["members"].as_array().unwrap().iter().find(|m| m["email"] == member_email.as_str()).unwrap()
        ["user_id"]
        .to_string();
    Acme { owner, member, member_email, member_id }
}

async fn require(c: &Client, grace_days: &str) -> (StatusCode, Value) {
    c.call("set_two_factor_requirement", &[("slug", "acme"), ("require", "true"), ("grace_days", grace_days)]).await
}

/// Moves the clock in steps shorter than the session idle timeout, using each session.
async fn advance_keeping_sessions(server: &TestServer, secs: i64, clients: &[&Client]) {
    let mut left = secs;
    while left > 0 {
        let step = left.min(10 * 3600);
        server.advance_clock(step);
        left -= step;
        for c in clients {
            assert!(!c.me().await.is_null(), "session kept alive");
        }
    }
}

/// Arguments that reach each org-scoped function's gate.
fn args_for<'a>(name: &str, member_id: &'a str) -> Vec<(&'static str, &'a str)> {
    match name {
        "add_member" => vec![("slug", "acme"), ("email", "nobody@example.com"), ("role", "member")],
        "change_role" => vec![("slug", "acme"), ("user_id", member_id), ("role", "member")],
        "remove_member" => vec![("slug", "acme"), ("user_id", member_id)],
        "reset_member_two_factor" => {
            vec![("slug", "acme"), ("user_id", member_id), ("password", common::PASSWORD), ("code", "123456")]
        }
        "cancel_invitation" => vec![("slug", "acme"), ("invitation_id", "1")],
        "set_two_factor_requirement" => vec![("slug", "acme"), ("require", "false"), ("grace_days", "0")],
        "set_api_access" => vec![("slug", "acme"), ("allow", "false")],
        "set_allowed_factors" => vec![("slug", "acme"), ("authenticator_app", "true")],
        "register_application" => {
            vec![("slug", "acme"), ("name", "Wiki"), ("redirect_uris", "https://wiki.example.com/cb")]
        }
        "update_application" => vec![
            ("slug", "acme"),
            ("client_id", "pcl_0"),
            ("name", "Wiki"),
            ("redirect_uris", "https://wiki.example.com/cb"),
        ],
        "regenerate_client_secret" | "set_application_disabled" | "delete_application" => {
            vec![("slug", "acme"), ("client_id", "pcl_0"), ("password", common::PASSWORD)]
        }
        _ => vec![("slug", "acme")],
    }
}

async fn requiring_needs_every_owner_and_the_actor_to_have_two_factor(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = acme(&server).await;
    let (status, body) = require(&org.owner, "0").await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body["message"].as_str().unwrap().contains("Olivia ("), "names who lacks it: {body}");

    enroll(&server, &org.owner).await;
    // A co-owner without 2FA blocks it too, and is named.
    let (co, co_email) = server.user("Cora").await;
    join_org(&org.owner, &co, "acme", &co_email, "owner").await;
    let (status, body) = require(&org.owner, "0").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(
        body["message"].as_str().unwrap().contains("Cora (") && !body["message"].as_str().unwrap().contains("Olivia"),
        "{body}"
    );
    enroll(&server, &co).await;
    // An admin acting without 2FA is named as well.
    let (status, body) = require(&org.member, "0").await;
    assert_eq!(status, StatusCode::CONFLICT);
    assert!(body["message"].as_str().unwrap().contains("Max ("), "{body}");
    let (status, body) = require(&org.owner, "2").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "2 days is not offered: {body}");
    let (status, body) = require(&org.owner, "0").await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let settings = ok(&org.owner, "load_org_settings", &[("slug", "acme")]).await;
    assert_eq!(settings["require_two_factor"], true);
    let kinds: Vec<(String,)> =
        sqlx::query_as("SELECT kind FROM audit_events ORDER BY id").fetch_all(&server.db().await).await.unwrap();
    let kinds: Vec<_> = kinds.into_iter().map(|k| k.0).collect();
    assert_eq!(
        kinds,
        [
            "org_created",
            "member_invited",
            "invitation_accepted",
            "member_invited",
            "invitation_accepted",
            "two_factor_required"
        ],
        "refused attempts leave no entry"
    );
}

async fn a_member_without_two_factor_is_refused_on_every_org_route_and_only_there(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = acme(&server).await;
    enroll(&server, &org.owner).await;
    ok(&org.member, "create_org", &[("name", "Other"), ("slug", "other")]).await;
    let token = api::token(&org.member, api::ALL_SCOPES, 30).await;
    assert_eq!(require(&org.owner, "0").await.0, StatusCode::OK);
    rest_routes_pass_the_same_gate(&server, &org, &token).await;

    for name in ORG_SCOPED {
        let (status, body) = org.member.call(name, &args_for(name, &org.member_id)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{name}: {body}");
        assert_eq!(body["code"], "two_factor_required", "{name}: {body}");
        assert!(body["message"].as_str().unwrap().starts_with("Acme requires two-factor authentication"), "{body}");
    }
    // Every page route of an organization, as the router knows them: a new page cannot be forgotten.
    let org_pages: Vec<String> = leptos_axum::generate_route_list(app::App)
        .iter()
        .map(|route| route.path().to_string())
        .filter(|path| path.contains("slug"))
        .map(|path| path.replace("{slug}", "acme").replace(":slug", "acme"))
        .collect();
    assert!(org_pages.len() >= 2, "{org_pages:?}");
    for path in &org_pages {
        let res = org.member.get(path).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "{path}");
        let html = res.text().await.unwrap();
        assert!(
            html.contains("Two-factor authentication required")
                && html.contains("Acme requires two-factor authentication"),
            "{path}"
        );
        assert!(!html.contains(&org.member_email) || html.contains("Account menu"), "{path} shows no member list");
    }
    assert_eq!(org.member.get("/orgs/acme/members.csv").await.status(), StatusCode::FORBIDDEN);

    // Everything else keeps working: the account, other organizations, logging out.
    ok(&org.member, "my_orgs", &[]).await;
    ok(&org.member, "two_factor_status", &[]).await;
    ok(&org.member, "load_org", &[("slug", "other")]).await;
    assert_eq!(org.member.get("/account").await.status(), StatusCode::OK);

    // Enrolling lets them in.
    enroll(&server, &org.member).await;
    ok(&org.member, "load_org", &[("slug", "acme")]).await;
    // And 2FA cannot be turned off while Acme requires it.
    let (status, body) =
        org.member.call("disable_two_factor", &[("password", common::PASSWORD), ("code", "123456")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert!(body["message"].as_str().unwrap().contains("Acme requires it"), "{body}");
}

/// Every REST route of an organization, as the OpenAPI document lists them
/// (the router registers routes only through it): a new one cannot skip the
/// gate. With a token and with Basic (the member has no 2FA), whatever the body.
async fn rest_routes_pass_the_same_gate(server: &TestServer, org: &Acme, token: &str) {
    let doc = api::get(server, "/openapi.json", &api::Auth::None).await.body;
    let paths = doc["paths"].as_object().expect("paths");
    let mut checked = 0;
    for (path, item) in paths.iter().filter(|(path, _)| path.contains("{slug}")) {
        let concrete = path.replace("{slug}", "acme").replace("{user_id}", &org.member_id);
        let methods = item
            .as_object()
            .unwrap()
            .keys()
            .filter(|k| ["get", "put", "post", "patch", "delete"].contains(&k.as_str()));
        for method in methods {
            let method: reqwest::Method = method.to_uppercase().parse().unwrap();
            let auths = [
                api::Auth::Bearer(token.to_string()),
                api::Auth::Basic(org.member_email.clone(), common::PASSWORD.into()),
            ];
            for auth in auths {
                let body = (method != reqwest::Method::GET).then(|| serde_json::json!({ "unknown": true }));
                let answer = api::call(server, method.clone(), &concrete, &auth, body).await;
                assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method} {path}: {}", answer.body);
                assert_eq!(answer.body["code"], "two_factor_required", "{method} {path}: {}", answer.body);
                let message = answer.body["message"].as_str().unwrap();
                assert!(message.starts_with("Acme requires two-factor authentication"), "{message}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 2 * 9, "every organization route was tried: {checked}");
    // Account routes and other organizations stay open.
    assert_eq!(api::get(server, "/me", &api::Auth::Bearer(token.to_string())).await.status, StatusCode::OK);
    assert_eq!(api::get(server, "/orgs/other", &api::Auth::Bearer(token.to_string())).await.status, StatusCode::OK);
}

async fn grace_period_then_enforcement_then_switching_off_restores_access(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = acme(&server).await;
    let owner_factors = enroll(&server, &org.owner).await;
    assert_eq!(require(&org.owner, "3").await.0, StatusCode::OK);

    let page = ok(&org.member, "load_org", &[("slug", "acme")]).await;
    assert!(page["two_factor_due"].as_i64().is_some(), "the banner's date: {page}");
    let html = org.member.get("/orgs/acme").await.text().await.unwrap();
    assert!(html.contains("Acme requires two-factor authentication by "), "banner");
    assert!(
        ok(&org.owner, "load_org", &[("slug", "acme")]).await["two_factor_due"].is_null(),
        "no banner for the compliant"
    );

    advance_keeping_sessions(&server, 3 * 86_400 - 60, &[&org.owner, &org.member]).await;
    ok(&org.member, "load_org", &[("slug", "acme")]).await;
    server.advance_clock(61);
    let (status, _) = org.member.call("load_org", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "grace is over");
    // A member added now must enroll before entering.
    let (late, late_email) = server.user("Lea").await;
    join_org(&org.owner, &late, "acme", &late_email, "member").await;
    assert_eq!(late.call("load_org", &[("slug", "acme")]).await.0, StatusCode::FORBIDDEN);

    let code = common::code_now(&server, &owner_factors.secret);
    ok(
        &org.owner,
        "set_two_factor_requirement",
        &[("slug", "acme"), ("grace_days", "0"), ("password", common::PASSWORD), ("code", &code)],
    )
    .await;
    ok(&org.member, "load_org", &[("slug", "acme")]).await;
    ok(&late, "load_org", &[("slug", "acme")]).await;
}

async fn plain_members_cannot_see_or_change_settings(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = acme(&server).await;
    let (plain, plain_email) = server.user("Pia").await;
    join_org(&org.owner, &plain, "acme", &plain_email, "member").await;
    let (status, body) = plain.call("load_org_settings", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, _) = plain.call("set_two_factor_requirement", &[("slug", "acme"), ("grace_days", "0")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let res = plain.get("/orgs/acme/settings").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.unwrap().contains("Only owners and admins"));
    let _ = org.member;
}

async fn reset(c: &Client, user_id: &str, password: &str, code: &str) -> (StatusCode, Value) {
    c.call("reset_member_two_factor", &[("slug", "acme"), ("user_id", user_id), ("password", password), ("code", code)])
        .await
}

fn id_of(page: &Value, email: &str) -> String {
    page["members"].as_array().unwrap().iter().find(|m| m["email"] == email).unwrap()["user_id"].to_string()
}

async fn admin_reset_follows_roles_needs_the_password_and_sends_the_member_back_to_enrollment(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = acme(&server).await; // Olivia owner, Max admin
    let (plain, plain_email) = server.user("Pia").await;
    let (admin2, admin2_email) = server.user("Abe").await;
    join_org(&org.owner, &plain, "acme", &plain_email, "member").await;
    join_org(&org.owner, &admin2, "acme", &admin2_email, "admin").await;
    let mut apps = Vec::new();
    for c in [&org.owner, &org.member, &plain, &admin2] {
        apps.push(enroll(&server, c).await.secret);
    }
    assert_eq!(require(&org.owner, "0").await.0, StatusCode::OK);
    let page = ok(&org.owner, "load_org", &[("slug", "acme")]).await;
    let owner_id =
        page["members"].as_array().unwrap().iter().find(|m| m["role"] == "owner").unwrap()["user_id"].to_string();
    let (plain_id, admin2_id) = (id_of(&page, &plain_email), id_of(&page, &admin2_email));
    server.advance_clock(30);
    let admin_code = code_now(&server, &apps[1]);

    // Admins may reset plain members only; plain members nobody.
    assert_eq!(reset(&org.member, &owner_id, common::PASSWORD, &admin_code).await.0, StatusCode::FORBIDDEN);
    assert_eq!(reset(&org.member, &admin2_id, common::PASSWORD, &admin_code).await.0, StatusCode::FORBIDDEN);
    assert_eq!(reset(&plain, &admin2_id, common::PASSWORD, &admin_code).await.0, StatusCode::FORBIDDEN);
    // The actor re-authenticates.
    let (status, body) = reset(&org.member, &plain_id, "wrong password", &admin_code).await;
    assert_eq!((status, body["field"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, "password".into()));
    assert_eq!(ok(&plain, "two_factor_status", &[]).await["enabled"], true);
    assert_eq!(reset(&org.member, &plain_id, common::PASSWORD, &admin_code).await.0, StatusCode::OK);
    server.advance_clock(30);
    let admin_code = code_now(&server, &apps[1]);
    assert_eq!(
        reset(&org.member, &plain_id, common::PASSWORD, &admin_code).await.0,
        StatusCode::CONFLICT,
        "nothing left to reset"
    );
    // Owners may reset admins. (The code is computed now: the test clock moves on with real time.)
    let owner_code = code_now(&server, &apps[0]);
    assert_eq!(reset(&org.owner, &admin2_id, common::PASSWORD, &owner_code).await.0, StatusCode::OK);

    // The member's sessions ended; at the next login (password only now) they are told once,
    // and must enroll again to enter Acme.
    assert!(plain.me().await.is_null(), "sessions of a reset member end");
    let login = ok(&plain, "log_in", &[("email", &plain_email), ("password", common::PASSWORD)]).await;
    assert_eq!(login["LoggedIn"]["name"], "Pia");
    assert_eq!(ok(&plain, "two_factor_status", &[]).await["enabled"], false);
    let notice = ok(&plain, "notice", &[]).await;
    assert!(notice.as_str().unwrap().starts_with("Max ("), "names the person: {notice}");
    assert!(notice.as_str().unwrap().contains("an admin of Acme, reset your two-factor authentication"), "{notice}");
    assert!(notice.as_str().unwrap().contains("Acme requires it"));
    assert_eq!(ok(&plain, "notice", &[]).await, notice, "shown until dismissed");
    ok(&plain, "dismiss_notice", &[]).await;
    assert!(ok(&plain, "notice", &[]).await.is_null(), "gone once dismissed");
    let (status, body) = plain.call("load_org", &[("slug", "acme")]).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::FORBIDDEN, "two_factor_required".into()));
    enroll(&server, &plain).await;
    ok(&plain, "load_org", &[("slug", "acme")]).await;

    let db = server.db().await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM security_events WHERE kind = 'two_factor_reset_by_admin'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(n, 2);
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM audit_events WHERE kind = 'member_two_factor_reset'")
        .fetch_one(&db)
        .await
        .unwrap();
    assert_eq!(n, 2);
}

async fn audit_log_lists_changes_with_their_actor_for_managers_only(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = acme(&server).await;
    enroll(&server, &org.owner).await;
    assert_eq!(require(&org.owner, "7").await.0, StatusCode::OK);
    let log = ok(&org.member, "audit_log", &[("slug", "acme")]).await;
    let entries = log["entries"].as_array().unwrap();
    assert_eq!(entries[0]["what"], "Two-factor authentication required", "newest first: {log}");
    assert_eq!(entries[0]["actor"], "Olivia");
    assert_eq!(entries[0]["detail"], "grace period: 7 days");
    assert_eq!(entries.last().unwrap()["what"], "Organization created", "the log begins with the organization");
    assert_eq!(log["has_more"], false);
    let (plain, plain_email) = server.user("Pia").await;
    join_org(&org.owner, &plain, "acme", &plain_email, "member").await;
    assert_eq!(plain.call("audit_log", &[("slug", "acme")]).await.0, StatusCode::FORBIDDEN);
}

async fn allowing_another_kind_of_second_factor_is_for_owners_with_their_code(backend: Backend) {
    let server = TestServer::start(backend).await;
    let org = acme(&server).await; // Max is an admin
    let owner_app = enroll(&server, &org.owner).await;
    let set = |c: &Client, app: &'static str, keys: &'static str, extra: Vec<(&'static str, String)>| {
        let mut args: Vec<(&str, String)> = vec![("slug", "acme".into())];
        if !app.is_empty() {
            args.push(("authenticator_app", app.into()));
        }
        if !keys.is_empty() {
            args.push(("security_keys", keys.into()));
        }
        args.extend(extra);
        let c = c.on(&server);
        async move {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            c.call("set_allowed_factors", &args).await
        }
    };
    // Tightening is for owners and admins.
    let (status, body) = set(&org.member, "", "true", vec![]).await;
    assert_eq!(status, StatusCode::OK, "an admin allows fewer kinds: {body}");
    // Allowing another kind again is a weaker rule: owners only, with their password and a code.
    let (status, body) = set(&org.member, "true", "true", vec![]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    let (status, body) = set(&org.owner, "true", "true", vec![]).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("password")), "{body}");
    let wrong = vec![("password", common::PASSWORD.to_string()), ("code", "000000".to_string())];
    let (status, _) = set(&org.owner, "true", "true", wrong).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    let settings = ok(&org.owner, "load_org_settings", &[("slug", "acme")]).await;
    assert_eq!(settings["allowed_factors"]["authenticator_app"], false, "refusals change nothing: {settings}");
    server.advance_clock(30); // the enrollment's step is used
    let code = code_now(&server, &owner_app.secret);
    let right = vec![("password", common::PASSWORD.to_string()), ("code", code)];
    let (status, body) = set(&org.owner, "true", "true", right).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let settings = ok(&org.owner, "load_org_settings", &[("slug", "acme")]).await;
    assert_eq!(settings["allowed_factors"]["authenticator_app"], true, "{settings}");
    let kinds: Vec<(String,)> = sqlx::query_as("SELECT kind FROM audit_events WHERE kind = 'allowed_factors_changed'")
        .fetch_all(&server.db().await)
        .await
        .unwrap();
    assert_eq!(kinds.len(), 2, "one row per change that happened");
}
