//! Managing applications: the Applications tab (owners and admins, every
//! change audited), the CLI, signing-key rotation and re-sealing after a
//! server key rotation, and the user's "Revoke".

mod common;

use common::oidc::{self, authorize, handle_in, location, register, sign_in, tokens_for, userinfo, verified, Attempt};
use common::{code_now, enroll, join_org, ok, Backend, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    owners_and_admins_manage_applications_and_every_change_is_audited,
    the_cli_registers_and_lists_applications,
    a_rotated_signing_key_stays_published_until_its_tokens_expired,
    reencrypt_reseals_the_signing_keys,
    revoking_an_application_ends_its_tokens_and_asks_consent_again,
    an_application_admits_the_organizations_its_managers_also_manage_each_under_its_own_rules,
    an_application_may_shorten_its_refresh_tokens_life,
);

fn stdout(output: &std::process::Output) -> String {
    format!("{}{}", String::from_utf8_lossy(&output.stdout), String::from_utf8_lossy(&output.stderr))
}

async fn owners_and_admins_manage_applications_and_every_change_is_audited(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let factors = enroll(&server, &owner).await;
    let (plain, plain_email) = server.user("Pia").await;
    join_org(&owner, &plain, "acme", &plain_email, "member").await;
    let (status, _) = plain.call("load_applications", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = plain
        .call("register_application", &[("slug", "acme"), ("name", "X"), ("redirect_uris", oidc::REDIRECT_URI)])
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // Bad registrations say what is wrong.
    for (uris, field) in [
        ("http://wiki.example.com/cb", "redirect_uris"),
        ("", "redirect_uris"),
        ("https://a.test/cb#x", "redirect_uris"),
    ] {
        let (status, body) =
            owner.call("register_application", &[("slug", "acme"), ("name", "Wiki"), ("redirect_uris", uris)]).await;
        assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some(field)), "{uris}: {body}");
    }
    let app = register(&owner, "acme", false, &[]).await;
    let page = ok(&owner, "load_applications", &[("slug", "acme")]).await;
    assert_eq!(page["issuer"], server.base);
    let listed = &page["applications"][0];
    assert_eq!((listed["client_id"].as_str(), listed["public"].as_bool()), (Some(app.client_id.as_str()), Some(false)));
    assert!(!page.to_string().contains("pcs_"), "the secret is shown once, at registration: {page}");
    let db = server.db().await;
    let (stored,): (String,) = sqlx::query_as("SELECT secret_hash FROM oidc_clients").fetch_one(&db).await.unwrap();
    assert!(!stored.contains(app.secret.as_deref().unwrap()) && stored.len() == 64, "hashed at rest");

    // Regenerating needs the password and, with 2FA, a code; the old secret stops working.
    let args = |password: &'static str, code: &str| {
        vec![
            ("slug", "acme".to_string()),
            ("client_id", app.client_id.clone()),
            ("password", password.to_string()),
            ("code", code.to_string()),
        ]
    };
    let call = |args: Vec<(&'static str, String)>| {
        let owner = &owner;
        async move {
            let args: Vec<(&str, &str)> = args.iter().map(|(k, v)| (*k, v.as_str())).collect();
            owner.call("regenerate_client_secret", &args).await
        }
    };
    let (status, body) = call(args("wrong password", "123456")).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("password")), "{body}");
    server.advance_clock(30);
    let regenerated = call(args(PASSWORD, &code_now(&server, &factors.secret))).await;
    assert_eq!(regenerated.0, StatusCode::OK, "{}", regenerated.1);
    let fresh = oidc::App {
        client_id: app.client_id.clone(),
        secret: regenerated.1["client_secret"].as_str().map(str::to_string),
    };
    assert_ne!(fresh.secret, app.secret);
    let probe = [("grant_type", "refresh_token"), ("refresh_token", "pcr_x")];
    assert_eq!(oidc::token(&server, &app, &probe).await.0, StatusCode::UNAUTHORIZED, "the old secret");
    assert_eq!(oidc::token(&server, &fresh, &probe).await.1["error"], "invalid_grant", "the new one authenticates");

    // Disabled: no sign-in, no token; enabled again: both work.
    let tokens = tokens_for(&server, &owner, &fresh).await;
    ok(&owner, "set_application_disabled", &[("slug", "acme"), ("client_id", &app.client_id), ("disabled", "true")])
        .await;
    let res = authorize(&owner, &Attempt::new().query(&fresh, &[])).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert_eq!(oidc::token(&server, &fresh, &probe).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(userinfo(&server, tokens["access_token"].as_str().unwrap()).await.0, StatusCode::UNAUTHORIZED);
    ok(&owner, "set_application_disabled", &[("slug", "acme"), ("client_id", &app.client_id), ("disabled", "false")])
        .await;
    assert_eq!(userinfo(&server, tokens["access_token"].as_str().unwrap()).await.0, StatusCode::OK);

    // An admin may manage too; deleting removes everything of the application.
    let (admin, admin_email) = server.user("Abe").await;
    join_org(&owner, &admin, "acme", &admin_email, "admin").await;
    ok(&admin, "delete_application", &[("slug", "acme"), ("client_id", &app.client_id)]).await;
    assert_eq!(userinfo(&server, tokens["access_token"].as_str().unwrap()).await.0, StatusCode::UNAUTHORIZED);
    let (status, _) = admin.call("delete_application", &[("slug", "acme"), ("client_id", &app.client_id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let kinds: Vec<(String,)> =
        sqlx::query_as("SELECT kind FROM audit_events WHERE kind LIKE 'application%' ORDER BY id")
            .fetch_all(&db)
            .await
            .unwrap();
    let kinds: Vec<String> = kinds.into_iter().map(|k| k.0).collect();
    assert_eq!(
        kinds,
        [
            "application_registered",
            "application_secret_regenerated",
            "application_disabled",
            "application_enabled",
            "application_deleted"
        ]
    );
    let log = ok(&owner, "audit_log", &[("slug", "acme")]).await;
    assert_eq!(log["entries"][0]["what"], "Application deleted");
    assert_eq!(log["entries"][0]["actor"], "Abe");
    // Another organization's manager cannot touch Acme's applications.
    let (other, _) = server.user("Otto").await;
    ok(&other, "create_org", &[("name", "Other"), ("slug", "other")]).await;
    let app2 = register(&owner, "acme", true, &[]).await;
    let (status, _) = other.call("delete_application", &[("slug", "other"), ("client_id", &app2.client_id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = other.call("delete_application", &[("slug", "acme"), ("client_id", &app2.client_id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "not a member: the organization does not exist for them");
}

async fn the_cli_registers_and_lists_applications(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let output =
        server.run(&["clients", "add", "--org", "acme", "--name", "CI", "--redirect-uri", oidc::REDIRECT_URI], &[]);
    assert!(output.status.success(), "{}", stdout(&output));
    let made: Value = serde_json::from_slice(&output.stdout).unwrap();
    let app = oidc::App {
        client_id: made["client_id"].as_str().unwrap().to_string(),
        secret: made["client_secret"].as_str().map(str::to_string),
    };
    assert!(app.secret.as_deref().is_some_and(|s| s.starts_with("pcs_")), "{made}");
    let public = server.run(
        &["clients", "add", "--org", "acme", "--name", "SPA", "--redirect-uri", oidc::REDIRECT_URI, "--public"],
        &[],
    );
    let public: Value = serde_json::from_slice(&public.stdout).unwrap();
    assert!(public["client_secret"].is_null(), "{public}");
    let list = server.run(&["clients", "list", "--org", "acme"], &[]);
    let list: Value = serde_json::from_slice(&list.stdout).unwrap();
    let names: Vec<&str> = list.as_array().unwrap().iter().map(|a| a["name"].as_str().unwrap()).collect();
    assert_eq!(names, ["CI", "SPA"]);
    assert!(!list.to_string().contains("pcs_"));
    let refused =
        server.run(&["clients", "add", "--org", "nope", "--name", "X", "--redirect-uri", oidc::REDIRECT_URI], &[]);
    assert!(!refused.status.success() && stdout(&refused).contains("nope"), "{}", stdout(&refused));
    let refused = server.run(&["clients", "add", "--org", "acme", "--name", "X", "--redirect-uri", "ftp://x"], &[]);
    assert!(!refused.status.success(), "{}", stdout(&refused));
    // The application works, and the audit log names the operator.
    let tokens = tokens_for(&server, &owner, &app).await;
    assert!(tokens["id_token"].is_string());
    let log = ok(&owner, "audit_log", &[("slug", "acme")]).await;
    assert!(log.to_string().contains("by the operator (command line)"), "{log}");
}

async fn jwks(server: &TestServer) -> Vec<String> {
    let keys: Value = reqwest::get(format!("{}/oidc/jwks", server.base)).await.unwrap().json().await.unwrap();
    keys["keys"].as_array().unwrap().iter().map(|k| k["kid"].as_str().unwrap().to_string()).collect()
}

async fn a_rotated_signing_key_stays_published_until_its_tokens_expired(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let app = register(&owner, "acme", false, &[]).await;
    let before = tokens_for(&server, &owner, &app).await;
    let (old_header, _) = verified(&server, before["id_token"].as_str().unwrap()).await;
    // One RS256 and one ES256 key.
    let published = jwks(&server).await;
    assert!(published.len() == 2 && published.contains(&old_header["kid"].as_str().unwrap().to_string()));
    let output = server.run(&["signing-key", "rotate"], &[]);
    assert!(output.status.success() && stdout(&output).contains("2 previous key"), "{}", stdout(&output));
    let after = tokens_for(&server, &owner, &app).await;
    let (new_header, _) = verified(&server, after["id_token"].as_str().unwrap()).await;
    assert_ne!(new_header["kid"], old_header["kid"]);
    assert_eq!(jwks(&server).await.len(), 4, "the old keys still verify the tokens they signed");
    verified(&server, before["id_token"].as_str().unwrap()).await;
    // ID tokens live 600 s; with 300 s for clock skew the old keys are withdrawn after 900 s.
    server.advance_clock(901);
    let now_published = jwks(&server).await;
    assert_eq!(now_published.len(), 2);
    assert!(now_published.contains(&new_header["kid"].as_str().unwrap().to_string()));
    assert!(!now_published.contains(&old_header["kid"].as_str().unwrap().to_string()));
}

async fn reencrypt_reseals_the_signing_keys(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let app = register(&owner, "acme", false, &[]).await;
    tokens_for(&server, &owner, &app).await;
    let kids = jwks(&server).await;
    let old_key = server.key_file();
    let new_key = stdout(&server.run(&["new-key"], &[])).trim().to_string();
    let rotating = [("PORTCULLIS_SECRET_KEY", new_key.as_str()), ("PORTCULLIS_PREVIOUS_SECRET_KEYS", old_key.as_str())];
    let output = server.run(&["reencrypt"], &rotating);
    assert!(
        stdout(&output).contains("re-sealed 2 values under the current key; 0 were already"),
        "{}",
        stdout(&output)
    );
    server.restart(&[("PORTCULLIS_SECRET_KEY", &new_key)]).await;
    assert_eq!(jwks(&server).await, kids, "the same key, opened with the new server key");
    let owner = owner.on(&server);
    let app_tokens = {
        let attempt = Attempt::new();
        let url = sign_in(&owner, &attempt.query(&app, &[])).await;
        let query = url.replace(oidc::REDIRECT_URI, "");
        let code = url::form_urlencoded::parse(query.trim_start_matches('?').as_bytes())
            .find(|(k, _)| k == "code")
            .unwrap()
            .1
            .to_string();
        oidc::redeem(&server, &app, &code, &attempt.verifier).await
    };
    assert_eq!(app_tokens.0, StatusCode::OK, "{}", app_tokens.1);
    verified(&server, app_tokens.1["id_token"].as_str().unwrap()).await;
}

async fn revoking_an_application_ends_its_tokens_and_asks_consent_again(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let app = register(&owner, "acme", false, &[]).await;
    let tokens = tokens_for(&server, &owner, &app).await;
    let mine = ok(&owner, "my_applications", &[]).await;
    assert_eq!(mine[0]["name"], "Wiki");
    assert_eq!(mine[0]["org_name"], "Acme");
    assert_eq!(mine[0]["scopes"], serde_json::json!(["openid", "profile", "email", "orgs"]));
    ok(&owner, "revoke_application", &[("client_id", &app.client_id)]).await;
    assert_eq!(ok(&owner, "my_applications", &[]).await, serde_json::json!([]));
    assert_eq!(userinfo(&server, tokens["access_token"].as_str().unwrap()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        oidc::refresh(&server, &app, tokens["refresh_token"].as_str().unwrap()).await.0,
        StatusCode::BAD_REQUEST
    );
    let (status, _) = owner.call("revoke_application", &[("client_id", &app.client_id)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = authorize(&owner, &Attempt::new().query(&app, &[("prompt", "none")])).await;
    assert_eq!(oidc::params_of(&oidc::location(&res))["error"], "consent_required");
    let log = ok(&owner, "security_log", &[]).await;
    assert!(log.to_string().contains("Revoked an application's access"), "{log}");
}

/// What an authorization shows `browser`: the prompt's name and its fields.
async fn prompt_for(browser: &common::Client, app: &oidc::App) -> Value {
    let next = location(&authorize(browser, &Attempt::new().query(app, &[])).await);
    assert!(next.starts_with("/oidc/authorize/prompt?"), "{next}");
    ok(browser, "load_authorization", &[("request", &handle_in(&next))]).await
}

async fn an_application_admits_the_organizations_its_managers_also_manage_each_under_its_own_rules(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (olivia, olivia_email) = server.user("Olivia").await;
    ok(&olivia, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let app = register(&olivia, "acme", false, &[]).await;
    let (bea, _) = server.user("Bea").await;
    ok(&bea, "create_org", &[("name", "Beta"), ("slug", "beta")]).await;
    let (max, max_email) = server.user("Max").await;
    join_org(&bea, &max, "beta", &max_email, "member").await;
    let edit = |admit: &'static str| {
        vec![
            ("slug", "acme"),
            ("client_id", app.client_id.as_str()),
            ("name", "Wiki"),
            ("redirect_uris", oidc::REDIRECT_URI),
            // As a browser posts the checkboxes (the brackets percent-encoded).
            ("also_admit[]", admit),
        ]
    };
    assert_eq!(prompt_for(&max, &app).await["NotMember"]["org"], "Acme");

    // Olivia does not manage Beta: she cannot open Acme's application to its members,
    // and an organization that does not exist looks no different.
    let mut said = Vec::new();
    for slug in ["beta", "nowhere"] {
        let (status, body) = olivia.call("update_application", &edit(slug)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        said.push(body["message"].as_str().unwrap().replace(slug, "<slug>"));
    }
    assert!(said[0].contains("organizations you manage"), "{said:?}");
    assert_eq!(said[0], said[1], "an organization one does not manage reads as one that does not exist");
    let listed = ok(&olivia, "load_applications", &[("slug", "acme")]).await;
    assert_eq!(listed["applications"][0]["also_admits"], serde_json::json!([]));
    assert_eq!(listed["also_manages"], serde_json::json!([]));

    // Once an admin of Beta too, she can.
    join_org(&bea, &olivia, "beta", &olivia_email, "admin").await;
    let listed = ok(&olivia, "load_applications", &[("slug", "acme")]).await;
    assert_eq!(listed["also_manages"], serde_json::json!([{ "slug": "beta", "name": "Beta" }]));
    ok(&olivia, "update_application", &edit("beta")).await;
    let listed = ok(&olivia, "load_applications", &[("slug", "acme")]).await;
    assert_eq!(listed["applications"][0]["also_admits"], serde_json::json!([{ "slug": "beta", "name": "Beta" }]));
    let tokens = tokens_for(&server, &max, &app).await;
    let (stranger, _) = server.user("Sam").await;
    assert_eq!(prompt_for(&stranger, &app).await["NotMember"]["org"], "Acme or Beta");

    // Beta's rule reaches its members in Acme's application: Max must set up 2FA first.
    enroll(&server, &bea).await;
    ok(&bea, "set_two_factor_requirement", &[("slug", "beta"), ("require", "true"), ("grace_days", "0")]).await;
    assert!(prompt_for(&max, &app).await.get("EnrollTwoFactor").is_some());
    let refresh = tokens["refresh_token"].as_str().unwrap();
    assert_eq!(oidc::refresh(&server, &app, refresh).await.0, StatusCode::BAD_REQUEST);

    // Taking Beta off needs no right over it; its members are refused again.
    let mut only_acme = edit("");
    only_acme.pop();
    ok(&olivia, "update_application", &only_acme).await;
    assert_eq!(prompt_for(&max, &app).await["NotMember"]["org"], "Acme");

    let log = ok(&olivia, "audit_log", &[("slug", "acme")]).await.to_string();
    assert!(log.contains("also admits members of Beta"), "{log}");
    // The operator may admit any organization; an unknown one is named.
    let out =
        server.run(&["clients", "update", "--org", "acme", "--client-id", &app.client_id, "--also-admit", "x"], &[]);
    assert!(
        !out.status.success() && stdout(&out).contains("No organization with the address \"x\""),
        "{}",
        stdout(&out)
    );
    let out =
        server.run(&["clients", "update", "--org", "acme", "--client-id", &app.client_id, "--also-admit", "beta"], &[]);
    assert!(out.status.success(), "{}", stdout(&out));
    let listed = stdout(&server.run(&["clients", "list", "--org", "acme"], &[]));
    assert!(listed.contains("\"also_admits\": [\n      \"beta\"\n    ]"), "{listed}");
}

async fn an_application_may_shorten_its_refresh_tokens_life(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let app = register(&owner, "acme", true, &[]).await;
    let edit = |secs: &'static str| {
        vec![
            ("slug", "acme"),
            ("client_id", app.client_id.as_str()),
            ("name", "Wiki"),
            ("redirect_uris", oidc::REDIRECT_URI),
            ("refresh_token_secs", secs),
        ]
    };
    for wrong in ["60", "2592001"] {
        let (status, body) = owner.call("update_application", &edit(wrong)).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}: {body}");
        assert!(body.to_string().contains("between one hour and 30 days"), "{body}");
    }
    assert!(owner.call("update_application", &edit("soon")).await.0.is_client_error());
    ok(&owner, "update_application", &edit("3600")).await;
    let listed = ok(&owner, "load_applications", &[("slug", "acme")]).await;
    assert_eq!(listed["applications"][0]["refresh_token_secs"], 3600);

    // Used within the hour, a refresh token gives a new one for another hour; unused for an hour, it is gone.
    let tokens = tokens_for(&server, &owner, &app).await;
    server.advance_clock(3500);
    let (status, renewed) = oidc::refresh(&server, &app, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{renewed}");
    server.advance_clock(3601);
    let (status, body) = oidc::refresh(&server, &app, renewed["refresh_token"].as_str().unwrap()).await;
    assert_eq!((status, &body["error"]), (StatusCode::BAD_REQUEST, &serde_json::json!("invalid_grant")));

    // Back to the default: 30 days.
    ok(&owner, "update_application", &edit("2592000")).await;
    let listed = ok(&owner, "load_applications", &[("slug", "acme")]).await;
    assert_eq!(listed["applications"][0]["refresh_token_secs"], Value::Null);
    let log = ok(&owner, "audit_log", &[("slug", "acme")]).await.to_string();
    assert!(log.contains("refresh tokens last 1 hour"), "{log}");
}
