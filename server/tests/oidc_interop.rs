//! What the applications people connect expect of a provider: RS256 or
//! ES256 per client, CORS for browser apps (public clients) only, `groups`
//! and `preferred_username`, and token introspection (RFC 7662).

mod common;

use common::oidc::{self, register, tokens_for, userinfo, verified, Attempt, REDIRECT_URI};
use common::{code_now, enroll, ok, pending_login, Backend, TestServer};
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_backends!(
    each_application_gets_id_tokens_signed_with_the_algorithm_it_registered,
    browser_apps_call_the_endpoints_from_their_own_origin_and_no_other_origin_may,
    groups_and_preferred_username_come_with_their_scopes,
    introspection_tells_a_client_of_its_own_tokens_and_a_resource_server_of_its_organizations,
    an_application_is_edited_in_its_tab_and_at_the_command_line_and_every_edit_is_audited,
    applications_learn_of_logouts_and_revocations_over_the_back_channel,
    an_application_asking_for_a_code_gets_one_even_from_a_remembered_browser,
    a_service_gets_a_token_of_its_own_that_its_organizations_resource_server_can_introspect,
);

/// An owner of "acme" with 2FA, signed in with password and TOTP.
async fn setup(server: &TestServer) -> (common::Client, String) {
    let (browser, email, _) = setup_with_factors(server).await;
    (browser, email)
}

async fn setup_with_factors(server: &TestServer) -> (common::Client, String, common::Enrolled) {
    let (owner, email) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let factors = enroll(server, &owner).await;
    server.advance_clock(30);
    let browser = pending_login(server, &email).await;
    ok(&browser, "verify_login", &[("code", &code_now(server, &factors.secret))]).await;
    (browser, email, factors)
}

async fn jwks(server: &TestServer) -> Vec<Value> {
    let jwks: Value = reqwest::get(format!("{}/oidc/jwks", server.base)).await.unwrap().json().await.unwrap();
    jwks["keys"].as_array().unwrap().clone()
}

async fn each_application_gets_id_tokens_signed_with_the_algorithm_it_registered(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, _) = setup(&server).await;
    // Both keys are published before any token, so that a new relying party finds the one it needs.
    let published = jwks(&server).await;
    let algs: Vec<_> = published.iter().map(|k| (k["alg"].as_str().unwrap(), k["kty"].as_str().unwrap())).collect();
    assert_eq!(algs.len(), 2, "{published:?}");
    assert!(algs.contains(&("RS256", "RSA")) && algs.contains(&("ES256", "EC")), "{algs:?}");
    assert!(published.iter().all(|k| k.get("d").is_none() && k.get("p").is_none()), "no private parts");

    let rs = register(&browser, "acme", false, &[]).await;
    let es = register(&browser, "acme", false, &[("id_token_alg", "ES256")]).await;
    for (app, alg) in [(&rs, "RS256"), (&es, "ES256")] {
        let tokens = tokens_for(&server, &browser, app).await;
        let (header, claims) = verified(&server, tokens["id_token"].as_str().unwrap()).await;
        assert_eq!(header["alg"], alg);
        assert_eq!(claims["aud"], app.client_id.as_str());
        let key = published.iter().find(|k| k["kid"] == header["kid"]).expect("signed by a published key");
        assert_eq!(key["alg"], alg);
    }
    let listed = ok(&browser, "load_applications", &[("slug", "acme")]).await;
    let algs: Vec<_> = listed["applications"].as_array().unwrap().iter().map(|a| a["id_token_alg"].clone()).collect();
    assert!(algs.contains(&json!("RS256")) && algs.contains(&json!("ES256")), "{listed}");
    // An algorithm we do not offer is a clear refusal, not a default.
    let (status, _) = browser
        .call(
            "register_application",
            &[("slug", "acme"), ("name", "Old"), ("redirect_uris", REDIRECT_URI), ("id_token_alg", "HS256")],
        )
        .await;
    assert!(status.is_client_error(), "{status}");

    // Rotation makes a new key of each; the old ones stay published while tokens they signed are valid.
    let out = server.run(&["signing-key", "rotate"], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let after = jwks(&server).await;
    assert_eq!(after.len(), 4, "two new and two retired: {after:?}");
    let tokens = tokens_for(&server, &browser, &rs).await;
    let (header, _) = verified(&server, tokens["id_token"].as_str().unwrap()).await;
    assert!(!published.iter().any(|k| k["kid"] == header["kid"]), "signed with the new RS256 key");
    server.advance_clock(3600);
    assert_eq!(jwks(&server).await.len(), 2, "the retired keys are gone once their tokens expired");
}

/// A preflight and a request from `origin`, as a browser sends them.
async fn from_origin(server: &TestServer, origin: &str, path: &str) -> (reqwest::Response, reqwest::Response) {
    let http = reqwest::Client::new();
    let url = format!("{}{path}", server.base);
    let preflight = http
        .request(reqwest::Method::OPTIONS, &url)
        .header("origin", origin)
        .header("access-control-request-method", "POST")
        .header("access-control-request-headers", "content-type")
        .send()
        .await
        .unwrap();
    let get = http.get(&url).header("origin", origin).send().await.unwrap();
    (preflight, get)
}

fn allowed_origin(res: &reqwest::Response) -> Option<String> {
    res.headers().get("access-control-allow-origin").map(|v| v.to_str().unwrap().to_string())
}

async fn browser_apps_call_the_endpoints_from_their_own_origin_and_no_other_origin_may(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, _) = setup(&server).await;
    // oidc::REDIRECT_URI is http://127.0.0.1:9/callback: its origin is the SPA's.
    let spa = register(&browser, "acme", true, &[]).await;
    let spa_origin = "http://127.0.0.1:9";
    // A confidential client's origin is not a browser app's: its server calls the endpoints.
    let web = "http://127.0.0.1:8";
    ok(
        &browser,
        "register_application",
        &[("slug", "acme"), ("name", "Portal"), ("redirect_uris", &format!("{web}/cb")), ("public", "false")],
    )
    .await;

    for path in ["/oidc/token", "/oidc/userinfo", "/oidc/revoke", "/oidc/jwks", "/.well-known/openid-configuration"] {
        let (preflight, get) = from_origin(&server, spa_origin, path).await;
        assert_eq!(preflight.status(), StatusCode::NO_CONTENT, "{path}");
        assert_eq!(allowed_origin(&preflight).as_deref(), Some(spa_origin), "{path}");
        let methods = preflight.headers()["access-control-allow-methods"].to_str().unwrap();
        assert!(methods.contains("POST"), "{path}: {methods}");
        assert!(preflight.headers()["access-control-allow-headers"].to_str().unwrap().contains("authorization"));
        assert!(preflight.headers().get("access-control-allow-credentials").is_none(), "never with cookies");
        assert_eq!(allowed_origin(&get).as_deref(), Some(spa_origin), "{path}");
        assert!(get.headers()["vary"].to_str().unwrap().to_ascii_lowercase().contains("origin"), "{path}");

        for stranger in ["http://evil.test", web, "null", "http://127.0.0.1:9.evil.test"] {
            let (preflight, get) = from_origin(&server, stranger, path).await;
            assert_eq!(preflight.status(), StatusCode::FORBIDDEN, "{path} from {stranger}");
            assert_eq!(allowed_origin(&preflight), None, "{path} from {stranger}");
            assert_eq!(allowed_origin(&get), None, "{path} from {stranger}");
        }
    }
    // Pages and the authorization endpoint are never opened to other origins.
    let (preflight, _) = from_origin(&server, spa_origin, "/oidc/authorize").await;
    assert_eq!(allowed_origin(&preflight), None);

    // The SPA redeems its code from the browser: the answer carries its origin.
    let attempt = Attempt::new();
    let url = oidc::sign_in(&browser, &attempt.query(&spa, &[])).await;
    let code = oidc::code_in(&server, &url, &attempt);
    let res = reqwest::Client::new()
        .post(format!("{}/oidc/token", server.base))
        .header("origin", spa_origin)
        .form(&[
            ("grant_type", "authorization_code"),
            ("code", code.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", attempt.verifier.as_str()),
            ("client_id", spa.client_id.as_str()),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(allowed_origin(&res).as_deref(), Some(spa_origin));

    // Disabled, the application's origin is no longer allowed.
    ok(&browser, "set_application_disabled", &[("slug", "acme"), ("client_id", &spa.client_id), ("disabled", "true")])
        .await;
    let (preflight, _) = from_origin(&server, spa_origin, "/oidc/token").await;
    assert_eq!((preflight.status(), allowed_origin(&preflight)), (StatusCode::FORBIDDEN, None));
}

async fn groups_and_preferred_username_come_with_their_scopes(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, email) = setup(&server).await;
    ok(&browser, "create_org", &[("name", "Globex"), ("slug", "globex")]).await;
    let app = register(&browser, "acme", false, &[]).await;
    let attempt = Attempt::new();
    let url = oidc::sign_in(&browser, &attempt.query(&app, &[("scope", "openid profile groups")])).await;
    let (status, tokens) =
        oidc::redeem(&server, &app, &oidc::code_in(&server, &url, &attempt), &attempt.verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!(tokens["scope"], "openid profile groups");
    let (_, claims) = verified(&server, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["groups"], json!(["acme", "acme:owner", "globex", "globex:owner"]), "{claims}");
    assert_eq!(claims["preferred_username"], email.as_str());
    assert!(claims.get("orgs").is_none() && claims.get("email").is_none(), "only what was asked: {claims}");
    let (_, info) = userinfo(&server, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(info["groups"], claims["groups"]);
    let discovery: Value =
        reqwest::get(format!("{}/.well-known/openid-configuration", server.base)).await.unwrap().json().await.unwrap();
    for claim in ["groups", "preferred_username"] {
        assert!(discovery["claims_supported"].as_array().unwrap().contains(&json!(claim)), "{claim}");
    }
}

async fn introspect(server: &TestServer, caller: &oidc::App, token: &str) -> (StatusCode, Value) {
    let mut request = reqwest::Client::new().post(format!("{}/oidc/introspect", server.base));
    let mut form = vec![("token", token)];
    match &caller.secret {
        Some(secret) => request = request.basic_auth(&caller.client_id, Some(secret)),
        None => form.push(("client_id", &caller.client_id)),
    }
    let res = request.form(&form).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

async fn introspection_tells_a_client_of_its_own_tokens_and_a_resource_server_of_its_organizations(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, _) = setup(&server).await;
    let app = register(&browser, "acme", false, &[]).await;
    let neighbour = register(&browser, "acme", false, &[]).await;
    let api = register(&browser, "acme", false, &[("resource_server", "true")]).await;
    let spa = register(&browser, "acme", true, &[]).await;
    ok(&browser, "create_org", &[("name", "Globex"), ("slug", "globex")]).await;
    let foreign_api = register(&browser, "globex", false, &[("resource_server", "true")]).await;

    let tokens = tokens_for(&server, &browser, &app).await;
    let (access, refresh) = (tokens["access_token"].as_str().unwrap(), tokens["refresh_token"].as_str().unwrap());
    let (status, answer) = introspect(&server, &app, access).await;
    assert_eq!(status, StatusCode::OK);
    let (_, claims) = verified(&server, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(answer["active"], true, "{answer}");
    assert_eq!(
        (&answer["client_id"], &answer["sub"], &answer["scope"], &answer["token_type"]),
        (&json!(app.client_id), &claims["sub"], &json!("openid profile email orgs"), &json!("Bearer"))
    );
    assert_eq!((&answer["acr"], &answer["amr"]), (&claims["acr"], &claims["amr"]));
    assert_eq!(answer["exp"].as_i64().unwrap() - answer["iat"].as_i64().unwrap(), 600);
    assert_eq!(answer["iss"], server.base);
    assert_eq!(introspect(&server, &app, refresh).await.1["token_type"], "refresh_token");
    // The organization's resource server may; a neighbour, a public client and another organization's API may not.
    assert_eq!(introspect(&server, &api, access).await.1["active"], true);
    assert_eq!(introspect(&server, &neighbour, access).await.1, json!({ "active": false }));
    assert_eq!(introspect(&server, &foreign_api, access).await.1, json!({ "active": false }));
    let (status, body) = introspect(&server, &spa, access).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    let wrong = oidc::App { client_id: app.client_id.clone(), secret: Some("pcs_wrong".into()) };
    assert_eq!(introspect(&server, &wrong, access).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(introspect(&server, &app, "pca_unknown").await.1, json!({ "active": false }));
    let res = reqwest::Client::new()
        .post(format!("{}/oidc/introspect", server.base))
        .basic_auth(&app.client_id, app.secret.as_deref())
        .form(&[("token_type_hint", "access_token")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST, "the token parameter is missing");

    // Revoked: inactive. Expired: inactive.
    let other = tokens_for(&server, &browser, &app).await;
    let res = reqwest::Client::new()
        .post(format!("{}/oidc/revoke", server.base))
        .basic_auth(&app.client_id, app.secret.as_deref())
        .form(&[("token", other["refresh_token"].as_str().unwrap())])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(introspect(&server, &app, other["access_token"].as_str().unwrap()).await.1, json!({ "active": false }));
    server.advance_clock(601);
    assert_eq!(introspect(&server, &app, access).await.1, json!({ "active": false }));
    assert_eq!(introspect(&server, &app, refresh).await.1["active"], true, "a refresh token lives longer");
    // A rotated refresh token is spent.
    let (status, _) = oidc::refresh(&server, &app, refresh).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(introspect(&server, &app, refresh).await.1, json!({ "active": false }));
}

async fn an_application_is_edited_in_its_tab_and_at_the_command_line_and_every_edit_is_audited(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, _) = setup(&server).await;
    let app = register(&browser, "acme", false, &[]).await;
    let edit = |name: &'static str, uris: &'static str, extra: &'static [(&'static str, &'static str)]| {
        let mut args =
            vec![("slug", "acme"), ("client_id", app.client_id.as_str()), ("name", name), ("redirect_uris", uris)];
        args.extend_from_slice(extra);
        args
    };
    let moved = "http://127.0.0.1:9/callback\nhttp://127.0.0.1:9/other";
    ok(
        &browser,
        "update_application",
        &edit(
            "Wiki 2",
            moved,
            &[
                ("id_token_alg", "ES256"),
                ("backchannel_logout_uri", "http://127.0.0.1:9/backchannel"),
                ("require_two_factor", "true"),
            ],
        ),
    )
    .await;
    let listed = ok(&browser, "load_applications", &[("slug", "acme")]).await;
    let edited = &listed["applications"][0];
    assert_eq!(
        (&edited["name"], &edited["id_token_alg"], &edited["backchannel_logout_uri"], &edited["require_two_factor"]),
        (&json!("Wiki 2"), &json!("ES256"), &json!("http://127.0.0.1:9/backchannel"), &json!(true)),
        "{listed}"
    );
    assert_eq!(edited["redirect_uris"], json!(["http://127.0.0.1:9/callback", "http://127.0.0.1:9/other"]));
    assert_eq!(edited["public"], false, "still confidential: the secret still works");
    let tokens = tokens_for(&server, &browser, &app).await;
    assert_eq!(verified(&server, tokens["id_token"].as_str().unwrap()).await.0["alg"], "ES256");

    // A bad address is refused by field, and nothing changes.
    let (status, body) = browser.call("update_application", &edit("Wiki 3", "ftp://x", &[])).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
    let (status, body) = browser
        .call("update_application", &edit("Wiki 3", moved, &[("backchannel_logout_uri", "http://example.com/bc")]))
        .await;
    assert!(status.is_client_error(), "{body}");
    let (status, _) = browser
        .call(
            "update_application",
            &[("slug", "acme"), ("client_id", "pcl_nobody"), ("name", "X"), ("redirect_uris", moved)],
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let listed = ok(&browser, "load_applications", &[("slug", "acme")]).await;
    assert_eq!(listed["applications"][0]["name"], "Wiki 2");

    // The operator changes only what they name.
    // (With the server's public URL, as its operator runs it: the loopback back-channel URI stays allowed.)
    let update = ["clients", "update", "--org", "acme", "--client-id", &app.client_id, "--id-token-alg", "RS256"];
    let out = server.run(&update, &[]);
    assert!(!out.status.success(), "without the public URL the loopback URI is refused");
    let out = server.run(&update, &[("PORTCULLIS_PUBLIC_URL", &server.base)]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let listed = ok(&browser, "load_applications", &[("slug", "acme")]).await;
    let edited = &listed["applications"][0];
    assert_eq!((&edited["name"], &edited["id_token_alg"]), (&json!("Wiki 2"), &json!("RS256")));
    assert_eq!(edited["backchannel_logout_uri"], "http://127.0.0.1:9/backchannel");
    let log = ok(&browser, "audit_log", &[("slug", "acme")]).await.to_string();
    assert!(log.contains("Application edited"), "{log}");
    assert!(log.contains("ID tokens ES256") && log.contains("back-channel logout"), "{log}");
    assert!(log.contains("by the operator (command line)"), "{log}");
}

/// An application's back-channel logout endpoint: keeps the tokens posted to
/// it, and answers 503 to the first `fail_first` requests.
struct Receiver {
    url: String,
    tokens: std::sync::Arc<std::sync::Mutex<Vec<String>>>,
}

async fn receiver(fail_first: usize) -> Receiver {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let tokens = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = std::sync::Arc::new(AtomicUsize::new(0));
    let kept = tokens.clone();
    let app = axum::Router::new().route(
        "/backchannel",
        axum::routing::post(move |body: String| {
            let (kept, seen) = (kept.clone(), seen.clone());
            async move {
                if seen.fetch_add(1, Ordering::SeqCst) < fail_first {
                    return axum::http::StatusCode::SERVICE_UNAVAILABLE;
                }
                let token = url::form_urlencoded::parse(body.as_bytes())
                    .find(|(k, _)| k == "logout_token")
                    .map(|(_, v)| v.into_owned())
                    .unwrap_or_default();
                kept.lock().unwrap().push(token);
                axum::http::StatusCode::OK
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/backchannel", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    Receiver { url, tokens }
}

impl Receiver {
    /// Waits (a bounded while: the outbox worker runs every 2 s) for `n` tokens in all.
    async fn wait_for(&self, server: &TestServer, n: usize) -> Vec<String> {
        for _ in 0..60 {
            if self.tokens.lock().unwrap().len() >= n {
                break;
            }
            // Retries are due on the server's clock, which the test moves.
            server.advance_clock(10);
            tokio::time::sleep(std::time::Duration::from_millis(250)).await;
        }
        let tokens = self.tokens.lock().unwrap().clone();
        assert_eq!(tokens.len(), n, "{tokens:?}");
        tokens
    }
}

async fn applications_learn_of_logouts_and_revocations_over_the_back_channel(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, email, factors) = setup_with_factors(&server).await;
    let rp = receiver(1).await;
    let app = register(&browser, "acme", false, &[("backchannel_logout_uri", rp.url.as_str())]).await;
    let quiet = register(&browser, "acme", false, &[]).await;
    let tokens = tokens_for(&server, &browser, &app).await;
    tokens_for(&server, &browser, &quiet).await;
    let (_, id_claims) = verified(&server, tokens["id_token"].as_str().unwrap()).await;
    let sid = id_claims["sid"].as_str().expect("the ID token names its session").to_string();

    // Logging out tells the application (its first answer, a 503, is retried).
    ok(&browser, "log_out", &[]).await;
    let received = rp.wait_for(&server, 1).await;
    let (header, claims) = verified(&server, &received[0]).await;
    assert_eq!((header["typ"].as_str(), header["alg"].as_str()), (Some("logout+jwt"), Some("RS256")));
    assert_eq!((&claims["iss"], &claims["aud"]), (&json!(server.base), &json!(app.client_id)));
    assert_eq!((&claims["sub"], &claims["sid"]), (&id_claims["sub"], &json!(sid)));
    assert_eq!(claims["events"], json!({ "http://schemas.openid.net/event/backchannel-logout": {} }));
    assert!(claims.get("nonce").is_none() && claims["jti"].is_string());
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 120);

    // A new session's sign-in; "Revoke" on the Account page tells the application again.
    server.advance_clock(30);
    let browser = pending_login(&server, &email).await;
    ok(&browser, "verify_login", &[("code", &code_now(&server, &factors.secret))]).await;
    let again = tokens_for(&server, &browser, &app).await;
    let (_, again_claims) = verified(&server, again["id_token"].as_str().unwrap()).await;
    assert_ne!(again_claims["sid"], json!(sid), "a new session, a new sid");
    // Both sign-ins (the logged-out session's grant lives on for its refresh token) end, one token each.
    ok(&browser, "revoke_application", &[("client_id", &app.client_id)]).await;
    let received = rp.wait_for(&server, 3).await;
    let mut sids = Vec::new();
    for token in &received[1..] {
        sids.push(verified(&server, token).await.1["sid"].as_str().unwrap().to_string());
    }
    sids.sort();
    let mut expected = vec![sid.clone(), again_claims["sid"].as_str().unwrap().to_string()];
    expected.sort();
    assert_eq!(sids, expected);
    // Nothing was left to tell: logging out now sends nothing more.
    ok(&browser, "log_out", &[]).await;
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    assert_eq!(rp.tokens.lock().unwrap().len(), 3);

    // The operator resets the account's 2FA: every session ends, every application is told.
    server.advance_clock(30);
    let browser = pending_login(&server, &email).await;
    ok(&browser, "verify_login", &[("code", &code_now(&server, &factors.secret))]).await;
    let last = tokens_for(&server, &browser, &app).await;
    let (_, last_claims) = verified(&server, last["id_token"].as_str().unwrap()).await;
    let out = server.run(&["users", "reset-two-factor", &email], &[]);
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let received = rp.wait_for(&server, 4).await;
    assert_eq!(verified(&server, &received[3]).await.1["sid"], last_claims["sid"]);
}

async fn an_application_asking_for_a_code_gets_one_even_from_a_remembered_browser(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, email) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let factors = enroll(&server, &owner).await;
    let app = register(&owner, "acme", false, &[]).await;
    // A browser that ticked "remember": its next login asks for the password alone.
    let laptop = server.client();
    assert_eq!(
        ok(&laptop, "log_in", &[("email", &email), ("password", common::PASSWORD)]).await,
        "SecondFactorRequired"
    );
    server.advance_clock(30);
    ok(&laptop, "verify_login", &[("code", &code_now(&server, &factors.secret)), ("remember", "true")]).await;
    ok(&laptop, "log_out", &[]).await;
    let again = ok(&laptop, "log_in", &[("email", &email), ("password", common::PASSWORD)]).await;
    assert!(again.get("LoggedIn").is_some(), "{again}");

    // Without acr_values the remembered session is enough; asking for pwd+totp sends it to log in.
    let attempt = Attempt::new();
    let plain = oidc::sign_in(&laptop, &attempt.query(&app, &[])).await;
    let (_, tokens) = oidc::redeem(&server, &app, &oidc::code_in(&server, &plain, &attempt), &attempt.verifier).await;
    assert_eq!(
        verified(&server, tokens["id_token"].as_str().unwrap()).await.1["acr"],
        "urn:portcullis:acr:pwd+remembered"
    );
    let totp = "urn:portcullis:acr:pwd+totp";
    let res = oidc::authorize(&laptop, &attempt.query(&app, &[("acr_values", totp), ("prompt", "none")])).await;
    assert_eq!(oidc::params_of(&oidc::location(&res)).get("error").map(String::as_str), Some("login_required"));
    let attempt = Attempt::new();
    let res = oidc::authorize(&laptop, &attempt.query(&app, &[("acr_values", totp)])).await;
    let next = oidc::location(&res);
    assert!(next.starts_with("/login?continue="), "step-up, not a failure: {next}");
    let continue_path = oidc::params_of(&next)["continue"].clone();
    // The login asks for the code although the browser is remembered.
    let step =
        ok(&laptop, "log_in", &[("email", &email), ("password", common::PASSWORD), ("next", &continue_path)]).await;
    assert_eq!(step, "SecondFactorRequired");
    server.advance_clock(30);
    ok(&laptop, "verify_login", &[("code", &code_now(&server, &factors.secret))]).await;
    let url = oidc::location(&laptop.get(&continue_path).await);
    let (status, tokens) =
        oidc::redeem(&server, &app, &oidc::code_in(&server, &url, &attempt), &attempt.verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    let (_, claims) = verified(&server, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!((&claims["acr"], &claims["amr"]), (&json!(totp), &json!(["pwd", "otp"])));

    // The claims parameter asks the same; a session that has it signs in at once.
    let claims_param = format!(r#"{{"id_token":{{"acr":{{"essential":true,"values":["{totp}"]}}}}}}"#);
    let attempt = Attempt::new();
    let url = oidc::sign_in(&laptop, &attempt.query(&app, &[("claims", &claims_param)])).await;
    assert!(oidc::params_of(&url).contains_key("code"), "{url}");
    // A malformed claims parameter is the application's error, sent back to it.
    let res = oidc::authorize(&laptop, &Attempt::new().query(&app, &[("claims", "{oops")])).await;
    assert_eq!(oidc::params_of(&oidc::location(&res)).get("error").map(String::as_str), Some("invalid_request"));
    let discovery: Value =
        reqwest::get(format!("{}/.well-known/openid-configuration", server.base)).await.unwrap().json().await.unwrap();
    assert!(discovery["acr_values_supported"].as_array().unwrap().contains(&json!(totp)));
}

async fn a_service_gets_a_token_of_its_own_that_its_organizations_resource_server_can_introspect(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, _) = setup(&server).await;
    let ci = register(&browser, "acme", false, &[("service", "true")]).await;
    let api = register(&browser, "acme", false, &[("resource_server", "true")]).await;
    let web = register(&browser, "acme", false, &[]).await;
    let spa = register(&browser, "acme", true, &[("service", "true")]).await;
    let grant = [("grant_type", "client_credentials")];

    let (status, tokens) = oidc::token(&server, &ci, &grant).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!((tokens["token_type"].as_str(), tokens["expires_in"].as_i64()), (Some("Bearer"), Some(600)));
    assert!(tokens.get("refresh_token").is_none() && tokens.get("id_token").is_none(), "{tokens}");
    let token = tokens["access_token"].as_str().unwrap();
    let (_, answer) = introspect(&server, &api, token).await;
    assert_eq!((&answer["active"], &answer["client_id"]), (&json!(true), &json!(ci.client_id)), "{answer}");
    assert!(answer.get("sub").is_none(), "it names no user: {answer}");
    assert_eq!(introspect(&server, &web, token).await.1, json!({ "active": false }));
    assert_eq!(userinfo(&server, token).await.0, StatusCode::UNAUTHORIZED, "there is no user to describe");

    // Scopes are about people; applications not registered as services may not.
    let (status, body) = oidc::token(&server, &ci, &[("grant_type", "client_credentials"), ("scope", "openid")]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_scope")));
    for other in [&web, &spa] {
        let (status, body) = oidc::token(&server, other, &grant).await;
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unauthorized_client")), "{body}");
    }
    let listed = ok(&browser, "load_applications", &[("slug", "acme")]).await;
    let spa_listed =
        listed["applications"].as_array().unwrap().iter().find(|a| a["client_id"] == spa.client_id.as_str());
    assert_eq!(spa_listed.unwrap()["service"], false, "a public client has no secret to present");

    // Revoked by the service itself, or expired: inactive.
    let res = reqwest::Client::new()
        .post(format!("{}/oidc/revoke", server.base))
        .basic_auth(&ci.client_id, ci.secret.as_deref())
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(introspect(&server, &api, token).await.1, json!({ "active": false }));
    let (_, fresh) = oidc::token(&server, &ci, &grant).await;
    server.advance_clock(601);
    assert_eq!(introspect(&server, &api, fresh["access_token"].as_str().unwrap()).await.1, json!({ "active": false }));
}
