//! The authorization code flow end to end over HTTP: PKCE, the ID token's
//! claims and signature, userinfo, single-use codes, refresh rotation with
//! reuse detection, revocation and client authentication.

mod common;

use common::oidc::{self, code_in, redeem, refresh, register, sign_in, token, tokens_for, userinfo, verified, Attempt};
use common::{code_now, enroll, ok, pending_login, Backend, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::{json, Value};

on_both_backends!(
    a_password_and_totp_login_signs_in_with_pkce_and_a_verified_id_token,
    a_replayed_code_fails_and_revokes_what_the_first_redemption_issued,
    wrong_verifier_wrong_redirect_uri_and_expired_codes_are_refused,
    refresh_tokens_rotate_and_a_reused_one_revokes_the_family,
    a_refresh_may_ask_for_less_and_gets_only_that,
    revocation_ends_tokens_of_the_calling_client_only,
    client_authentication_is_checked_and_failures_are_limited,
);

/// An owner of "acme" with 2FA, signed in with password and TOTP, and a confidential application.
async fn setup(server: &TestServer) -> (common::Client, String, oidc::App) {
    let (owner, email) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let factors = enroll(server, &owner).await;
    let app = register(&owner, "acme", false, &[]).await;
    server.advance_clock(30);
    let browser = pending_login(server, &email).await;
    ok(&browser, "verify_login", &[("code", &code_now(server, &factors.secret))]).await;
    (browser, email, app)
}

async fn a_password_and_totp_login_signs_in_with_pkce_and_a_verified_id_token(backend: Backend) {
    let server = TestServer::start(backend).await;
    let discovery: serde_json::Value =
        reqwest::get(format!("{}/.well-known/openid-configuration", server.base)).await.unwrap().json().await.unwrap();
    assert_eq!(discovery["issuer"], server.base);
    assert_eq!(discovery["token_endpoint"], format!("{}/oidc/token", server.base));
    assert_eq!(discovery["id_token_signing_alg_values_supported"], json!(["RS256", "ES256"]));
    assert_eq!(discovery["code_challenge_methods_supported"], json!(["S256"]));

    let (browser, email, app) = setup(&server).await;
    assert!(app.secret.as_deref().is_some_and(|s| s.starts_with("pcs_")), "{app:?}");
    let attempt = Attempt::new();
    let url = sign_in(&browser, &attempt.query(&app, &[])).await;
    let login_time = server.now();
    let (status, tokens) = redeem(&server, &app, &code_in(&server, &url, &attempt), &attempt.verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    assert_eq!((tokens["token_type"].as_str(), tokens["expires_in"].as_i64()), (Some("Bearer"), Some(600)));
    assert!(tokens["access_token"].as_str().unwrap().starts_with("pca_"));
    assert!(tokens["refresh_token"].as_str().unwrap().starts_with("pcr_"));

    let (header, claims) = verified(&server, tokens["id_token"].as_str().unwrap()).await;
    // RS256: what a client that registered nothing expects (OpenID Connect Core §3.1.3.7).
    assert_eq!((header["alg"].as_str(), header["typ"].as_str()), (Some("RS256"), Some("JWT")));
    eprintln!(
        "ID token of a password+TOTP login: header {header}\nclaims {}",
        serde_json::to_string_pretty(&claims).unwrap()
    );
    assert_eq!(claims["iss"], server.base);
    assert_eq!(claims["aud"], app.client_id.as_str());
    assert_eq!(claims["nonce"], attempt.nonce.as_str());
    assert_eq!(claims["amr"], json!(["pwd", "otp"]));
    assert_eq!(claims["acr"], "urn:portcullis:acr:pwd+totp");
    assert_eq!(claims["email"], email.as_str());
    assert_eq!(claims["name"], "Olivia");
    assert_eq!(claims["orgs"], json!([{ "slug": "acme", "name": "Acme", "role": "owner" }]));
    let sub = claims["sub"].as_str().unwrap();
    assert!(!sub.contains('@'), "the subject is not the email");
    assert!((claims["auth_time"].as_i64().unwrap() - login_time).abs() <= 2, "{claims}");
    assert_eq!(claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(), 600);

    let (status, info) = userinfo(&server, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!((info["sub"].as_str(), info["email"].as_str()), (Some(sub), Some(email.as_str())));

    // Consent is remembered: the second sign-in goes straight back with a code, the same subject.
    let again = tokens_for(&server, &browser, &app).await;
    let (_, claims) = verified(&server, again["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["sub"], sub);
    // The Applications tab lists the sign-ins; the security log the "Allow".
    let page = ok(&browser, "load_applications", &[("slug", "acme")]).await;
    let sign_ins = &page["applications"][0]["recent_sign_ins"];
    assert_eq!(sign_ins.as_array().unwrap().len(), 2, "{page}");
    assert_eq!(sign_ins[0]["two_factor"], true);
    let log = ok(&browser, "security_log", &[]).await;
    assert!(log.to_string().contains("Allowed an application to sign you in"), "{log}");
}

async fn a_replayed_code_fails_and_revokes_what_the_first_redemption_issued(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, _, app) = setup(&server).await;
    let attempt = Attempt::new();
    let code = code_in(&server, &sign_in(&browser, &attempt.query(&app, &[])).await, &attempt);
    let (status, first) = redeem(&server, &app, &code, &attempt.verifier).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(userinfo(&server, first["access_token"].as_str().unwrap()).await.0, StatusCode::OK);
    let (status, body) = redeem(&server, &app, &code, &attempt.verifier).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    assert_eq!(userinfo(&server, first["access_token"].as_str().unwrap()).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(refresh(&server, &app, first["refresh_token"].as_str().unwrap()).await.0, StatusCode::BAD_REQUEST);
    let log = ok(&browser, "security_log", &[]).await;
    assert!(log.to_string().contains("a code or token was used twice"), "{log}");

    // Two redemptions racing: exactly one wins.
    let attempt = Attempt::new();
    let code = code_in(&server, &sign_in(&browser, &attempt.query(&app, &[])).await, &attempt);
    let (a, b) =
        tokio::join!(redeem(&server, &app, &code, &attempt.verifier), redeem(&server, &app, &code, &attempt.verifier));
    assert_eq!([a.0, b.0].iter().filter(|s| **s == StatusCode::OK).count(), 1, "{a:?} {b:?}");
}

async fn wrong_verifier_wrong_redirect_uri_and_expired_codes_are_refused(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, _, app) = setup(&server).await;
    let attempt = Attempt::new();
    let code = code_in(&server, &sign_in(&browser, &attempt.query(&app, &[])).await, &attempt);
    let invalid_grant = |r: (StatusCode, serde_json::Value)| {
        assert_eq!((r.0, r.1["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{}", r.1)
    };
    invalid_grant(redeem(&server, &app, &code, &Attempt::new().verifier).await);
    invalid_grant(
        token(
            &server,
            &app,
            &[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", oidc::REDIRECT_URI)],
        )
        .await,
    );
    invalid_grant(
        token(
            &server,
            &app,
            &[
                ("grant_type", "authorization_code"),
                ("code", &code),
                ("redirect_uri", "http://127.0.0.1:9/other"),
                ("code_verifier", &attempt.verifier),
            ],
        )
        .await,
    );
    // None of those used the code up: the right request still works.
    assert_eq!(redeem(&server, &app, &code, &attempt.verifier).await.0, StatusCode::OK);

    // Codes live 60 s.
    let attempt = Attempt::new();
    let code = code_in(&server, &sign_in(&browser, &attempt.query(&app, &[])).await, &attempt);
    server.advance_clock(61);
    invalid_grant(redeem(&server, &app, &code, &attempt.verifier).await);

    // Another application cannot redeem it either.
    let other = register(&browser, "acme", false, &[]).await;
    let attempt = Attempt::new();
    let code = code_in(&server, &sign_in(&browser, &attempt.query(&app, &[])).await, &attempt);
    invalid_grant(redeem(&server, &other, &code, &attempt.verifier).await);
    invalid_grant(redeem(&server, &app, "pcc_not-a-code", &attempt.verifier).await);
}

async fn refresh_tokens_rotate_and_a_reused_one_revokes_the_family(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, _, app) = setup(&server).await;
    let first = tokens_for(&server, &browser, &app).await;
    let old = first["refresh_token"].as_str().unwrap();
    let (status, second) = refresh(&server, &app, old).await;
    assert_eq!(status, StatusCode::OK, "{second}");
    assert_ne!(second["refresh_token"], first["refresh_token"]);
    let (_, claims) = verified(&server, second["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["amr"], json!(["pwd", "otp"]), "a refreshed ID token keeps how the user signed in");
    assert_eq!(userinfo(&server, second["access_token"].as_str().unwrap()).await.0, StatusCode::OK);

    // The old refresh token comes again: someone copied it. Everything of this sign-in is revoked.
    let (status, body) = refresh(&server, &app, old).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
    assert_eq!(refresh(&server, &app, second["refresh_token"].as_str().unwrap()).await.0, StatusCode::BAD_REQUEST);
    assert_eq!(userinfo(&server, second["access_token"].as_str().unwrap()).await.0, StatusCode::UNAUTHORIZED);
    // Another sign-in of the same user is not affected.
    let other = tokens_for(&server, &browser, &app).await;
    assert_eq!(refresh(&server, &app, other["refresh_token"].as_str().unwrap()).await.0, StatusCode::OK);
    // Access tokens expire after 10 minutes.
    server.advance_clock(601);
    assert_eq!(userinfo(&server, other["access_token"].as_str().unwrap()).await.0, StatusCode::UNAUTHORIZED);
}

async fn revoke(server: &TestServer, app: &oidc::App, token: &str) -> StatusCode {
    let res = reqwest::Client::new()
        .post(format!("{}/oidc/revoke", server.base))
        .basic_auth(&app.client_id, app.secret.as_deref())
        .form(&[("token", token)])
        .send()
        .await
        .unwrap();
    res.status()
}

async fn refresh_with(server: &TestServer, app: &oidc::App, refresh_token: &str, scope: &str) -> (StatusCode, Value) {
    token(server, app, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token), ("scope", scope)]).await
}

async fn a_refresh_may_ask_for_less_and_gets_only_that(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, email, app) = setup(&server).await;
    let tokens = tokens_for(&server, &browser, &app).await;
    let (status, narrow) = refresh_with(&server, &app, tokens["refresh_token"].as_str().unwrap(), "openid email").await;
    assert_eq!(status, StatusCode::OK, "{narrow}");
    assert_eq!(narrow["scope"], "openid email", "RFC 6749 section 6: the narrower scope");
    let (status, claims) = userinfo(&server, narrow["access_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(claims["email"], email.as_str());
    assert!(claims.get("name").is_none() && claims.get("orgs").is_none(), "{claims}");
    let (_, id_claims) = verified(&server, narrow["id_token"].as_str().unwrap()).await;
    assert!(id_claims.get("orgs").is_none(), "{id_claims}");
    // The refresh token keeps the grant's scope; wider than the grant stays refused.
    let (status, body) =
        refresh_with(&server, &app, narrow["refresh_token"].as_str().unwrap(), "openid email offline_access").await;
    assert!(status.is_client_error(), "{body}");
    let (status, full) = refresh(&server, &app, narrow["refresh_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::OK, "{full}");
    assert_eq!(full["scope"], tokens["scope"]);
    let (_, claims) = userinfo(&server, full["access_token"].as_str().unwrap()).await;
    assert!(claims.get("orgs").is_some(), "{claims}");
}

async fn revocation_ends_tokens_of_the_calling_client_only(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (browser, _, app) = setup(&server).await;
    let other = register(&browser, "acme", false, &[]).await;
    let tokens = tokens_for(&server, &browser, &app).await;
    let (access, refresh_token) = (tokens["access_token"].as_str().unwrap(), tokens["refresh_token"].as_str().unwrap());
    assert_eq!(revoke(&server, &other, refresh_token).await, StatusCode::OK, "answered alike");
    assert_eq!(userinfo(&server, access).await.0, StatusCode::OK, "another client cannot revoke it");
    assert_eq!(revoke(&server, &app, access).await, StatusCode::OK);
    assert_eq!(userinfo(&server, access).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(
        refresh(&server, &app, refresh_token).await.0,
        StatusCode::OK,
        "revoking an access token leaves the refresh token"
    );
    let tokens = tokens_for(&server, &browser, &app).await;
    assert_eq!(revoke(&server, &app, tokens["refresh_token"].as_str().unwrap()).await, StatusCode::OK);
    assert_eq!(
        userinfo(&server, tokens["access_token"].as_str().unwrap()).await.0,
        StatusCode::UNAUTHORIZED,
        "the whole grant"
    );
    assert_eq!(revoke(&server, &app, "pcr_unknown").await, StatusCode::OK);
}

async fn client_authentication_is_checked_and_failures_are_limited(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    // The tests' client stands behind a trusted proxy: X-Forwarded-For names the address.
    server.restart(&[("PORTCULLIS_TRUSTED_PROXIES", "127.0.0.1")]).await;
    let (browser, _, app) = setup(&server).await;
    let http = reqwest::Client::new();
    let attempt = Attempt::new();
    let code = code_in(&server, &sign_in(&browser, &attempt.query(&app, &[])).await, &attempt);
    let form = [
        ("grant_type", "authorization_code"),
        ("code", code.as_str()),
        ("redirect_uri", oidc::REDIRECT_URI),
        ("code_verifier", attempt.verifier.as_str()),
    ];
    // client_secret_post works like Basic.
    let mut post = form.to_vec();
    let secret = app.secret.clone().unwrap();
    post.extend([("client_id", app.client_id.as_str()), ("client_secret", secret.as_str())]);
    let res = http.post(format!("{}/oidc/token", server.base)).form(&post).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(res.headers()["cache-control"], "no-store");
    // A confidential client without its secret, or as a public client, is refused.
    let wrong = oidc::App { client_id: app.client_id.clone(), secret: None };
    let (status, body) = token(&server, &wrong, &form).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::UNAUTHORIZED, Some("invalid_client")));
    // Wrong secrets from one address: 401 with a Basic challenge, then waits for that address.
    let bad = oidc::App { client_id: app.client_id.clone(), secret: Some("pcs_wrong".into()) };
    let from = |address: &'static str, app: &oidc::App| {
        http.post(format!("{}/oidc/token", server.base))
            .header("x-forwarded-for", address)
            .basic_auth(&app.client_id, app.secret.as_deref())
            .form(&form)
    };
    for _ in 0..20 {
        let res = from("203.0.113.9", &bad).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::UNAUTHORIZED);
        assert!(res.headers()["www-authenticate"].to_str().unwrap().starts_with("Basic"));
    }
    let res = from("203.0.113.9", &bad).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS, "that address waits");
    assert!(res.headers().get("retry-after").is_some());
    let body: serde_json::Value = res.json().await.unwrap();
    assert_eq!(body["error"], "temporarily_unavailable");
    // The client_id is public: nobody's wrong secrets keep the application out. Its right secret
    // authenticates (the code was redeemed above: invalid_grant, not invalid_client), from anywhere.
    for address in ["198.51.100.7", "203.0.113.9"] {
        let res = from(address, &app).send().await.unwrap();
        let status = res.status();
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{address}");
    }
    let res = from("198.51.100.7", &bad).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNAUTHORIZED, "another address has its own count");
    server.advance_clock(31);
    let (status, body) = token(&server, &app, &[("grant_type", "password"), ("username", "x")]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("unsupported_grant_type")));
    let _ = PASSWORD;
}
