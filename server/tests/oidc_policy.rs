//! The organization's policy reaches the applications: members only, the
//! 2FA requirements, prompt=none, max_age and prompt=login; and malformed
//! requests get the error the specification names, never a 500, and never
//! a redirect to an address that is not registered.

mod common;

use app::factors::{self, Kind, Kinds, OrgRule};
use common::oidc::{
    self, authorize, code_in, handle_in, location, params_of, redeem, register, sign_in, verified, Attempt,
};
use common::{api, code_now, enroll, join_org, ok, Backend, Client, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::json;

on_both_backends!(
    a_non_member_gets_a_page_and_the_application_access_denied,
    an_organization_requiring_two_factor_sends_members_to_enroll_then_on,
    a_factor_the_organization_does_not_allow_gets_no_tokens_for_its_applications,
    an_application_requiring_two_factor_wants_the_second_factor_used,
    prompt_none_never_shows_a_page,
    max_age_and_prompt_login_ask_for_the_password_again,
    a_password_given_for_another_step_is_no_login_for_an_application,
    malformed_requests_get_the_named_error_and_never_a_500,
    anonymous_requests_store_nothing_and_are_limited_per_address,
    a_request_handle_works_only_in_the_browser_that_started_it,
    without_a_public_url_the_endpoints_say_the_feature_is_off,
    every_gate_gives_the_answer_of_the_one_compliance_rule,
);

/// "acme" with its owner (2FA on) and a confidential application.
async fn acme(server: &TestServer) -> (Client, oidc::App) {
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    enroll(server, &owner).await;
    let app = register(&owner, "acme", false, &[]).await;
    (owner, app)
}

async fn log_in(browser: &Client, email: &str) {
    let outcome = ok(browser, "log_in", &[("email", email), ("password", PASSWORD)]).await;
    assert!(outcome.get("LoggedIn").is_some(), "{outcome}");
}

async fn a_non_member_gets_a_page_and_the_application_access_denied(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (_, app) = acme(&server).await;
    let (stranger, _) = server.user("Sam").await;
    let attempt = Attempt::new();
    let res = authorize(&stranger, &attempt.query(&app, &[])).await;
    let next = location(&res);
    assert!(next.starts_with("/oidc/authorize/prompt?"), "{next}");
    let prompt = ok(&stranger, "load_authorization", &[("request", &handle_in(&next))]).await;
    let back = prompt["NotMember"]["back"].as_str().unwrap_or_else(|| panic!("{prompt}"));
    assert_eq!(prompt["NotMember"]["org"], "Acme");
    // Consent cannot be forced past membership.
    let path = ok(&stranger, "decide_consent", &[("request", &handle_in(&next)), ("allow", "true")]).await;
    assert!(location(&stranger.get(path.as_str().unwrap()).await).starts_with("/oidc/authorize/prompt"));
    // After one of our pages (a form post's redirects) the last hop is a page that navigates by
    // itself: the browser would hold a 303 to another origin against the page's form-action 'self'.
    let res = stranger
        .http
        .get(format!("{}{back}", server.base))
        .header("sec-fetch-site", "same-origin")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-security-policy"].to_str().unwrap().contains("form-action 'self'"));
    let html = res.text().await.unwrap();
    assert!(
        html.contains(
            "<meta http-equiv=\"refresh\" content=\"0;url=http://127.0.0.1:9/callback?error=access_denied&amp;"
        ),
        "{html}"
    );
    let res = stranger.get(back).await;
    let url = location(&res);
    let params = params_of(&url);
    assert!(url.starts_with(oidc::REDIRECT_URI), "{url}");
    assert_eq!((params["error"].as_str(), params["state"].as_str()), ("access_denied", attempt.state.as_str()));
    // The page's hand-over cannot be pointed elsewhere.
    let forged = back.replace("127.0.0.1%3A9", "evil.test");
    let res = stranger.get(&forged).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::BAD_REQUEST, String::new()), "{forged}");
    let res = authorize(&stranger, &Attempt::new().query(&app, &[("prompt", "none")])).await;
    assert_eq!(params_of(&location(&res))["error"], "access_denied");
}

async fn an_organization_requiring_two_factor_sends_members_to_enroll_then_on(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, app) = acme(&server).await;
    let (member, email) = server.user("Max").await;
    join_org(&owner, &member, "acme", &email, "member").await;
    ok(&owner, "set_two_factor_requirement", &[("slug", "acme"), ("require", "true"), ("grace_days", "0")]).await;
    let attempt = Attempt::new();
    let res = authorize(&member, &attempt.query(&app, &[])).await;
    let next = location(&res);
    let handle = handle_in(&next);
    let prompt = ok(&member, "load_authorization", &[("request", &handle)]).await;
    assert_eq!(prompt["EnrollTwoFactor"]["org"], "Acme", "{prompt}");
    assert_eq!(prompt["EnrollTwoFactor"]["by_app"], false);
    enroll(&server, &member).await;
    let prompt = ok(&member, "load_authorization", &[("request", &handle)]).await;
    assert!(prompt.get("Consent").is_some(), "after enrolling, the flow goes on: {prompt}");
    let path = ok(&member, "decide_consent", &[("request", &handle), ("allow", "true")]).await;
    let url = location(&member.get(path.as_str().unwrap()).await);
    let (status, tokens) = redeem(&server, &app, &code_in(&server, &url, &attempt), &attempt.verifier).await;
    assert_eq!(status, StatusCode::OK);
    let (_, claims) = verified(&server, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["amr"], json!(["pwd"]), "enrolling is no second factor used at login: {claims}");
}

async fn a_factor_the_organization_does_not_allow_gets_no_tokens_for_its_applications(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, app) = acme(&server).await;
    let (member, email) = server.user("Max").await;
    join_org(&owner, &member, "acme", &email, "member").await;
    enroll(&server, &member).await;
    let tokens = oidc::tokens_for(&server, &member, &app).await;
    ok(&owner, "set_two_factor_requirement", &[("slug", "acme"), ("require", "true"), ("grace_days", "0")]).await;
    ok(&owner, "set_allowed_factors", &[("slug", "acme"), ("security_keys", "true")]).await;
    // The organization's pages refuse the member: the app is not an allowed factor.
    let (status, _) = member.call("load_org", &[("slug", "acme")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    // So do its applications, as for a member without 2FA.
    let next = location(&authorize(&member, &Attempt::new().query(&app, &[])).await);
    let prompt = ok(&member, "load_authorization", &[("request", &handle_in(&next))]).await;
    assert_eq!(prompt["EnrollTwoFactor"]["org"], "Acme", "{prompt}");
    let attempt = Attempt::new();
    let params = params_of(&location(&authorize(&member, &attempt.query(&app, &[("prompt", "none")])).await));
    assert_eq!((params["error"].as_str(), params["state"].as_str()), ("interaction_required", attempt.state.as_str()));
    let (status, body) = oidc::refresh(&server, &app, tokens["refresh_token"].as_str().unwrap()).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")), "{body}");
    let (status, _) = oidc::userinfo(&server, tokens["access_token"].as_str().unwrap()).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);
}

async fn an_application_requiring_two_factor_wants_the_second_factor_used(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = acme(&server).await;
    let strict = register(&owner, "acme", false, &[("require_two_factor", "true")]).await;
    let (member, email) = server.user("Max").await;
    join_org(&owner, &member, "acme", &email, "member").await;
    let attempt = Attempt::new();
    let next = location(&authorize(&member, &attempt.query(&strict, &[])).await);
    let handle = handle_in(&next);
    assert_eq!(ok(&member, "load_authorization", &[("request", &handle)]).await["EnrollTwoFactor"]["by_app"], true);
    let factors = enroll(&server, &member).await;
    // 2FA is on, but this session began with the password alone: log in again, with the code.
    let res = member.get(&oidc_continue(&handle)).await;
    let next = location(&res);
    assert!(next.starts_with("/login?continue="), "{next}");
    assert_eq!(handle_in(&next), handle);
    let outcome = ok(&member, "log_in", &[("email", &email), ("password", PASSWORD)]).await;
    assert_eq!(outcome, "SecondFactorRequired");
    server.advance_clock(30);
    ok(&member, "verify_login", &[("code", &code_now(&server, &factors.secret))]).await;
    let prompt = ok(&member, "load_authorization", &[("request", &handle)]).await;
    assert!(prompt.get("Consent").is_some(), "{prompt}");
    let path = ok(&member, "decide_consent", &[("request", &handle), ("allow", "true")]).await;
    let url = location(&member.get(path.as_str().unwrap()).await);
    let (_, tokens) = redeem(&server, &strict, &code_in(&server, &url, &attempt), &attempt.verifier).await;
    let (_, claims) = verified(&server, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["amr"], json!(["pwd", "otp"]));
}

fn oidc_continue(handle: &str) -> String {
    format!("/oidc/authorize/continue?request={handle}")
}

async fn prompt_none_never_shows_a_page(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, app) = acme(&server).await;
    let none = |a: &Attempt| a.query(&app, &[("prompt", "none")]);
    let anonymous = server.client();
    let attempt = Attempt::new();
    let params = params_of(&location(&authorize(&anonymous, &none(&attempt)).await));
    assert_eq!((params["error"].as_str(), params["state"].as_str()), ("login_required", attempt.state.as_str()));
    let params = params_of(&location(&authorize(&owner, &none(&Attempt::new())).await));
    assert_eq!(params["error"], "consent_required");
    sign_in(&owner, &Attempt::new().query(&app, &[])).await;
    let attempt = Attempt::new();
    let url = location(&authorize(&owner, &none(&attempt)).await);
    assert!(params_of(&url).contains_key("code"), "silent sign-in once allowed: {url}");
    // Without a session, the normal flow goes to the login page with a way back.
    let next = location(&authorize(&anonymous, &Attempt::new().query(&app, &[])).await);
    assert!(next.starts_with("/login?continue=%2Foidc%2Fauthorize%2Fcontinue%3Frequest%3Dpcq_"), "{next}");
}

async fn max_age_and_prompt_login_ask_for_the_password_again(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, app) = acme(&server).await;
    let (member, email) = server.user("Max").await;
    join_org(&owner, &member, "acme", &email, "member").await;
    sign_in(&member, &Attempt::new().query(&app, &[])).await;
    server.advance_clock(400);
    assert!(!member.me().await.is_null());
    // The password was given 400 s ago: max_age=300 wants it again, max_age=600 does not.
    let url = location(&authorize(&member, &Attempt::new().query(&app, &[("max_age", "600")])).await);
    assert!(params_of(&url).contains_key("code"), "{url}");
    let attempt = Attempt::new();
    let next = location(&authorize(&member, &attempt.query(&app, &[("max_age", "300")])).await);
    assert!(next.starts_with("/login?continue="), "{next}");
    let params = params_of(&location(
        &authorize(&member, &Attempt::new().query(&app, &[("max_age", "300"), ("prompt", "none")])).await,
    ));
    assert_eq!(params["error"], "login_required");
    log_in(&member, &email).await;
    let login_time = server.now();
    let url = location(&member.get(&oidc_continue(&handle_in(&next))).await);
    let (_, tokens) = redeem(&server, &app, &code_in(&server, &url, &attempt), &attempt.verifier).await;
    let (_, claims) = verified(&server, tokens["id_token"].as_str().unwrap()).await;
    assert!((claims["auth_time"].as_i64().unwrap() - login_time).abs() <= 2, "{claims}");
    // prompt=login asks even right after a login.
    let attempt = Attempt::new();
    let next = location(&authorize(&member, &attempt.query(&app, &[("prompt", "login")])).await);
    assert!(next.starts_with("/login?continue="), "{next}");
    log_in(&member, &email).await;
    let url = location(&member.get(&oidc_continue(&handle_in(&next))).await);
    assert!(params_of(&url).contains_key("code"), "{url}");
}

async fn a_password_given_for_another_step_is_no_login_for_an_application(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, app) = acme(&server).await;
    let (member, email) = server.user("Max").await;
    join_org(&owner, &member, "acme", &email, "member").await;
    sign_in(&member, &Attempt::new().query(&app, &[])).await;
    let login_time = server.now();
    let waiting = location(&authorize(&member, &Attempt::new().query(&app, &[("prompt", "login")])).await);
    assert!(waiting.starts_with("/login?continue="), "{waiting}");
    server.advance_clock(400);
    // The password again, for setting up 2FA: a re-authentication for that step, not a login.
    ok(&member, "start_enrollment", &[("password", PASSWORD)]).await;
    let next = location(&member.get(&oidc_continue(&handle_in(&waiting))).await);
    assert!(next.starts_with("/login?continue="), "prompt=login still wants a login: {next}");
    let next = location(&authorize(&member, &Attempt::new().query(&app, &[("max_age", "300")])).await);
    assert!(next.starts_with("/login?continue="), "max_age counts from the login: {next}");
    let attempt = Attempt::new();
    let url = location(&authorize(&member, &attempt.query(&app, &[])).await);
    let (_, tokens) = redeem(&server, &app, &code_in(&server, &url, &attempt), &attempt.verifier).await;
    let (_, claims) = verified(&server, tokens["id_token"].as_str().unwrap()).await;
    assert_eq!(claims["auth_time"].as_i64(), Some(login_time), "auth_time is the login's: {claims}");
    assert_eq!(claims["amr"], json!(["pwd"]));
}

async fn malformed_requests_get_the_named_error_and_never_a_500(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, app) = acme(&server).await;
    let public = register(&owner, "acme", true, &[]).await;
    let attempt = Attempt::new();
    let redirected = [
        (&app, vec![("response_type", "token")], "unsupported_response_type"),
        (&app, vec![("scope", "profile")], "invalid_scope"),
        (&app, vec![("scope", "openid admin")], "invalid_scope"),
        (&app, vec![("code_challenge_method", "plain")], "invalid_request"),
        (&app, vec![("prompt", "none login")], "invalid_request"),
        (&app, vec![("max_age", "soon")], "invalid_request"),
        (&app, vec![("request", "eyJhbGciOiJub25lIn0.e30.")], "request_not_supported"),
        (&public, vec![("code_challenge", ""), ("code_challenge_method", "")], "invalid_request"),
    ];
    for (client, changes, error) in redirected {
        let res = authorize(&owner, &attempt.query(client, &changes)).await;
        let url = location(&res);
        assert!(url.starts_with(oidc::REDIRECT_URI), "{changes:?}: {url}");
        let params = params_of(&url);
        assert_eq!(
            (params["error"].as_str(), params["state"].as_str()),
            (error, attempt.state.as_str()),
            "{changes:?}"
        );
    }
    // Unknown client or unregistered redirect URI: a page, never a redirect.
    for changes in [
        vec![("redirect_uri", "https://evil.test/cb")],
        vec![("redirect_uri", "http://127.0.0.1:9/callback/")],
        vec![("client_id", "pcl_nobody")],
        vec![("client_id", "")],
        vec![("redirect_uri", "")],
    ] {
        let res = authorize(&owner, &attempt.query(&app, &changes)).await;
        assert_eq!(res.status(), StatusCode::BAD_REQUEST, "{changes:?}");
        assert!(res.headers().get("location").is_none(), "{changes:?}");
        let html = res.text().await.unwrap();
        assert!(html.contains("Cannot sign you in"), "{html}");
    }
    // Garbage anywhere: 4xx, never 5xx.
    let http = reqwest::Client::new();
    let base = &server.base;
    let garbage: Vec<reqwest::RequestBuilder> = vec![
        http.get(format!("{base}/oidc/authorize?%ff%fe=%00&client_id=%ff")),
        http.get(format!("{base}/oidc/authorize?client_id={}&client_id=x", app.client_id)),
        http.get(format!("{base}/oidc/authorize/continue?request=%00")),
        http.get(format!("{base}/oidc/authorize/continue")),
        http.get(format!("{base}/oidc/authorize/return?client_id=x&redirect_uri=y")),
        http.get(format!("{base}/oidc/logout/return?client_id=x")),
        http.post(format!("{base}/oidc/token")).body("grant_type=authorization_code&code=%ff%00"),
        http.post(format!("{base}/oidc/token")).header("content-type", "application/json").body("{}"),
        http.post(format!("{base}/oidc/token"))
            .header("authorization", "Basic !!!")
            .form(&[("grant_type", "refresh_token")]),
        http.post(format!("{base}/oidc/token"))
            .basic_auth(&app.client_id, app.secret.as_deref())
            .form(&[("grant_type", "refresh_token"), ("grant_type", "x")]),
        http.post(format!("{base}/oidc/token"))
            .basic_auth(&app.client_id, app.secret.as_deref())
            .form(&[("grant_type", "refresh_token"), ("refresh_token", "pcr_\u{0}")]),
        http.post(format!("{base}/oidc/token"))
            .basic_auth(&app.client_id, app.secret.as_deref())
            .form(&[("grant_type", "authorization_code")]),
        http.get(format!("{base}/oidc/userinfo")).header("authorization", "Bearer pca_nope"),
        http.get(format!("{base}/oidc/userinfo")).header("authorization", "Basic x"),
        http.post(format!("{base}/oidc/revoke")).form(&[("token", "x")]),
        http.get(format!("{base}/oidc/logout?id_token_hint=a.b.c&post_logout_redirect_uri=https://evil.test")),
        http.get(format!("{base}/oidc/authorize/prompt?request=pcq_nope")),
    ];
    for request in garbage {
        let res = request.send().await.unwrap();
        let (status, url) = (res.status(), res.url().to_string());
        assert!(status.is_client_error(), "{url}: {status}: {}", res.text().await.unwrap_or_default());
    }
    let (status, body) = oidc::token(&server, &app, &[("grant_type", "authorization_code"), ("code", "pcc_x")]).await;
    assert_eq!((status, body["error"].as_str()), (StatusCode::BAD_REQUEST, Some("invalid_grant")));
}

async fn anonymous_requests_store_nothing_and_are_limited_per_address(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (_, app) = acme(&server).await;
    let long_state = "s".repeat(2000);
    let mut statuses = Vec::new();
    for _ in 0..130 {
        let anonymous = server.client();
        let res = authorize(&anonymous, &Attempt::new().query(&app, &[("state", &long_state)])).await;
        if res.status() == StatusCode::TOO_MANY_REQUESTS {
            assert!(res.headers().get("retry-after").is_some());
        } else {
            assert!(location(&res).starts_with("/login?continue="));
        }
        statuses.push(res.status());
    }
    let refused = statuses.iter().filter(|s| **s == StatusCode::TOO_MANY_REQUESTS).count();
    assert_eq!(refused, 10, "120 a minute per address");
    // Nothing was stored: the requests are sealed into their handles.
    let db = server.db().await;
    let used: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM used_handles").fetch_one(&db).await.unwrap();
    assert_eq!(used, 0);
    // An overlong state is refused to the application.
    server.advance_clock(60);
    let attempt = Attempt::new();
    let res = authorize(&server.client(), &attempt.query(&app, &[("state", &"s".repeat(2001))])).await;
    assert_eq!(params_of(&location(&res))["error"], "invalid_request");
}

async fn a_request_handle_works_only_in_the_browser_that_started_it(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, app) = acme(&server).await;
    let (member, email) = server.user("Max").await;
    join_org(&owner, &member, "acme", &email, "member").await;
    let attempt = Attempt::new();
    let next = location(&authorize(&member, &attempt.query(&app, &[])).await);
    let handle = handle_in(&next);
    // The owner, signed in elsewhere, is handed the member's link.
    let (status, _) = owner.call("load_authorization", &[("request", &handle)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = owner.call("decide_consent", &[("request", &handle), ("allow", "true")]).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let res = owner.get(&oidc_continue(&handle)).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    assert!(location(&res).is_empty());
    // In the member's browser it goes on, and is used once.
    let path = ok(&member, "decide_consent", &[("request", &handle), ("allow", "true")]).await;
    let url = location(&member.get(path.as_str().unwrap()).await);
    let (status, _) = redeem(&server, &app, &code_in(&server, &url, &attempt), &attempt.verifier).await;
    assert_eq!(status, StatusCode::OK);
    let again = member.get(&oidc_continue(&handle)).await;
    assert_eq!(again.status(), StatusCode::BAD_REQUEST, "completed already");
}

async fn without_a_public_url_the_endpoints_say_the_feature_is_off(backend: Backend) {
    let mut server = TestServer::start(backend).await;
    server.restart(&[("PORTCULLIS_PUBLIC_URL", "")]).await;
    for path in ["/.well-known/openid-configuration", "/oidc/jwks", "/oidc/authorize?client_id=x", "/oidc/userinfo"] {
        let res = reqwest::get(format!("{}{path}", server.base)).await.unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{path}");
        assert!(res.text().await.unwrap().contains("PORTCULLIS_PUBLIC_URL"), "{path}");
    }
    let res = reqwest::Client::new()
        .post(format!("{}/oidc/token", server.base))
        .form(&[("grant_type", "x")])
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    // A public URL that is no issuer stops the start.
    let refused = server.run(&["migrate"], &[]);
    assert!(refused.status.success());
    let refused = server.run(&["reencrypt"], &[("PORTCULLIS_PUBLIC_URL", "http://id.example.com")]);
    assert!(!refused.status.success());
    assert!(String::from_utf8_lossy(&refused.stderr).contains("PORTCULLIS_PUBLIC_URL"), "{refused:?}");
}

/// One member as the gates see them, with what they hold and their credentials.
struct Gated {
    name: &'static str,
    client: Client,
    held: Kinds,
    token: String,
    refresh_token: String,
    access_token: String,
}

/// What each gate answers for `m`: let in (true) or refused (false).
async fn gates(server: &TestServer, app: &oidc::App, m: &mut Gated) -> [(&'static str, bool); 6] {
    // The page answers a refused member with 403 and the enrollment prompt.
    let page = m.client.get("/orgs/acme").await.status() == StatusCode::OK;
    let (status, _) = m.client.call("load_org", &[("slug", "acme")]).await;
    let server_function = status == StatusCode::OK;
    let rest =
        api::get(server, "/orgs/acme/members", &api::Auth::Bearer(m.token.clone())).await.status == StatusCode::OK;
    let attempt = Attempt::new();
    let params = params_of(&location(&authorize(&m.client, &attempt.query(app, &[("prompt", "none")])).await));
    let authorize = params.contains_key("code");
    let (status, body) = oidc::refresh(server, app, &m.refresh_token).await;
    let refresh = status == StatusCode::OK;
    if refresh {
        m.refresh_token = body["refresh_token"].as_str().unwrap().to_string();
        m.access_token = body["access_token"].as_str().unwrap().to_string();
    }
    let userinfo = oidc::userinfo(server, &m.access_token).await.0 == StatusCode::OK;
    [
        ("page", page),
        ("server function", server_function),
        ("REST", rest),
        ("authorize", authorize),
        ("token refresh", refresh),
        ("userinfo", userinfo),
    ]
}

/// Pages, server functions, REST, authorize, token refresh and userinfo let
/// a member in exactly when `factors::standing` does, through
/// an organization's requirement, grace period and allowed kinds changing.
async fn every_gate_gives_the_answer_of_the_one_compliance_rule(backend: Backend) {
    let server = TestServer::start(backend).await;
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let owner_factor = enroll(&server, &owner).await;
    let app = register(&owner, "acme", false, &[]).await;
    let mut members = Vec::new();
    for (name, with_app) in [("Max", true), ("Nina", false)] {
        let (client, email) = server.user(name).await;
        join_org(&owner, &client, "acme", &email, "member").await;
        let (held, token) = if with_app {
            let enrolled = enroll(&server, &client).await;
            server.advance_clock(30);
            let code = code_now(&server, &enrolled.secret);
            (Kinds::of([Kind::App]), api::token_with_code(&client, "read", 30, &code).await)
        } else {
            (Kinds::NONE, api::token(&client, "read", 30).await)
        };
        let tokens = oidc::tokens_for(&server, &client, &app).await;
        members.push(Gated {
            name,
            client,
            held,
            token,
            refresh_token: tokens["refresh_token"].as_str().unwrap().to_string(),
            access_token: tokens["access_token"].as_str().unwrap().to_string(),
        });
    }
    // Each step changes the settings (loosening ones with the owner's password and code), in
    // an order that keeps the owner let in until the last.
    let set = |function: &'static str, args: Vec<(&'static str, &'static str)>| (function, args);
    let require =
        |grace: &'static str| set("set_two_factor_requirement", vec![("require", "true"), ("grace_days", grace)]);
    let allow_keys_only = set("set_allowed_factors", vec![("security_keys", "true")]);
    let allow_all = set("set_allowed_factors", vec![("authenticator_app", "true"), ("security_keys", "true")]);
    let keys = Kinds::of([Kind::SecurityKey]);
    let steps = [
        (vec![], Kinds::ALL),
        (vec![require("7")], Kinds::ALL),
        (vec![allow_keys_only.clone()], keys),
        (vec![allow_all, require("0")], Kinds::ALL),
        (vec![allow_keys_only], keys),
    ];
    for (changes, allowed) in steps {
        for (function, mut args) in changes {
            server.advance_clock(30);
            let code = code_now(&server, &owner_factor.secret);
            args.extend([("slug", "acme"), ("password", PASSWORD), ("code", code.as_str())]);
            let (status, body) = owner.call(function, &args).await;
            assert!(status.is_success() || status.is_redirection(), "{function}: {body}");
        }
        // Not gated (the owner is refused at the last step): the organization as the owner's list has it.
        let orgs = ok(&owner, "my_orgs", &[]).await;
        let rule = OrgRule { deadline: orgs[0]["two_factor_deadline"].as_i64(), allowed, upstream_needs_mfa: false };
        for m in &mut members {
            let standing = factors::standing(factors::Account::with_password(m.held), rule, server.now());
            for (gate, let_in) in gates(&server, &app, m).await {
                assert_eq!(let_in, !standing.is_refused(), "{} at {gate}: {standing:?} under {rule:?}", m.name);
            }
        }
    }
}
