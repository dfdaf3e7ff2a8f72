//! Signing in through another identity provider (the JetBrains Hub seed's
//! "third-party auth modules"), against panva's `oidc-provider` as the
//! upstream issuer: sign-up, the second factor asked for password logins
//! only, no takeover through a vouched-for address, the answer bound to the
//! browser and used once, keys checked and rotated, an unreachable provider,
//! and an account that drops its password to meet a 2FA requirement.

mod common;

use common::upstream::{add_provider, request_cookie, walk, Idp};
use common::{code_now, enroll, join_org, ok, Backend, Client, TestServer, PASSWORD};
use reqwest::StatusCode;
use serde_json::Value;

on_both_backends!(
    a_provider_signs_up_a_new_account_and_signs_it_in_again,
    a_connected_account_skips_the_code_a_password_login_asks_for,
    an_address_an_account_has_is_never_taken_over_through_a_provider,
    an_answer_is_bound_to_its_browser_used_once_and_from_the_issuer_asked,
    tokens_signed_with_an_unknown_key_are_refused_and_a_rotated_key_is_fetched,
    an_unreachable_provider_says_so_and_passwords_still_work,
    an_account_without_a_password_meets_its_organizations_two_factor_requirement,
    an_organization_may_ask_provider_sign_ins_for_several_factors,
);

async fn setup(backend: Backend, sign_up: bool) -> Option<(TestServer, Idp, i64)> {
    let server = TestServer::start(backend).await;
    let idp = Idp::start(&server)?;
    let extra: &[&str] = if sign_up { &["--allow-sign-up"] } else { &[] };
    let id = add_provider(&server, "Acme SSO", &idp.issuer, extra);
    Some((server, idp, id))
}

async fn page_text(res: reqwest::Response) -> (StatusCode, String) {
    (res.status(), res.text().await.unwrap_or_default())
}

/// The upstream sign-in's end: where the callback sends the browser.
fn location(res: &reqwest::Response) -> &str {
    res.headers().get("location").and_then(|v| v.to_str().ok()).unwrap_or("")
}

async fn identities(server: &TestServer) -> i64 {
    let db = server.db().await;
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM upstream_identities").fetch_one(&db).await.unwrap();
    db.close().await;
    n
}

async fn a_provider_signs_up_a_new_account_and_signs_it_in_again(backend: Backend) {
    let Some((server, _idp, id)) = setup(backend, true).await else { return };
    let (_, login_page) = page_text(server.client().get("/login").await).await;
    assert!(login_page.contains("Sign in with Acme SSO"), "the login page offers the provider");
    assert!(login_page.contains(&format!("/login/upstream/{id}")));

    let browser = server.client();
    let res = walk(&browser, &format!("/login/upstream/{id}"), Some("alice")).await.back(&browser).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/"));
    let me = browser.me().await;
    assert_eq!(me["email"], "alice@upstream.test", "{me}");
    assert_eq!(me["name"], "alice");
    let connected = ok(&browser, "connected_accounts", &[]).await;
    assert_eq!(connected["has_password"], false, "{connected}");
    assert!(connected["providers"][0]["connected_since"].is_i64(), "{connected}");
    let log = ok(&browser, "security_log", &[("page", "0")]).await.to_string();
    assert!(log.contains("Signed in through another identity provider"), "{log}");

    // Again, in another browser: the same account, not a second one.
    let again = server.client();
    let res = walk(&again, &format!("/login/upstream/{id}?continue=/account"), Some("alice")).await.back(&again).await;
    assert_eq!(location(&res), "/account", "the sign-in goes on where it was asked to");
    assert_eq!(again.me().await["id"], me["id"]);
    assert_eq!(identities(&server).await, 1);

    // The provider's own second factor (its `amr`) is how this session began.
    let sessions = ok(&browser, "my_sessions", &[]).await.to_string();
    assert!(sessions.contains("\"Another identity provider\""), "{sessions}");
    let strong = server.client();
    walk(&strong, &format!("/login/upstream/{id}"), Some("mfa-erin")).await.back(&strong).await;
    let sessions = ok(&strong, "my_sessions", &[]).await.to_string();
    assert!(sessions.contains("Another identity provider, with several factors"), "{sessions}");

    // An address the provider did not verify makes no account.
    let unverified = server.client();
    let (status, text) = page_text(
        walk(&unverified, &format!("/login/upstream/{id}"), Some("unverified-bob")).await.back(&unverified).await,
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(text.contains("did not confirm your email address"), "{text}");
    assert!(unverified.me().await.is_null());
}

async fn a_connected_account_skips_the_code_a_password_login_asks_for(backend: Backend) {
    let Some((server, _idp, id)) = setup(backend, false).await else { return };
    let (olivia, email) = server.user("Olivia").await;
    let factors = enroll(&server, &olivia).await;
    server.advance_clock(30);
    let id_arg = id.to_string();

    // Connecting asks for the password and, with 2FA on, a code.
    let (status, body) = olivia.call("connect_provider", &[("provider_id", &id_arg), ("password", PASSWORD)]).await;
    assert_eq!((status, body["field"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("code")), "{body}");
    let wrong = [("provider_id", id_arg.as_str()), ("password", "wrong password"), ("code", "123456")];
    let (status, body) = olivia.call("connect_provider", &wrong).await;
    assert_eq!(body["reason"], "wrong_password", "{status} {body}");
    let code = code_now(&server, &factors.secret);
    let args = [("provider_id", id_arg.as_str()), ("password", PASSWORD), ("code", code.as_str())];
    let url = ok(&olivia, "connect_provider", &args).await;
    let url = url.as_str().expect("the provider's URL");
    assert!(url.starts_with(&_idp.issuer), "{url}");
    let res = walk(&olivia, url, Some("olivia")).await.back(&olivia).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/account"));
    let connected = ok(&olivia, "connected_accounts", &[]).await;
    assert_eq!(connected["providers"][0]["email"], "olivia@upstream.test", "{connected}");
    assert_eq!(connected["can_remove_password"], true);

    // The Hub rule: a password login asks for the code, the provider's sign-in does not.
    let by_password = server.client();
    assert_eq!(ok(&by_password, "log_in", &[("email", &email), ("password", PASSWORD)]).await, "SecondFactorRequired");
    let by_provider = server.client();
    let res = walk(&by_provider, &format!("/login/upstream/{id}"), Some("olivia")).await.back(&by_provider).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(by_provider.me().await["email"], email.as_str());
    assert!(by_provider.session_cookie().is_some());

    // Disconnecting leaves the password; the identity then signs in to no account.
    ok(&olivia, "disconnect_provider", &[("provider_id", &id_arg)]).await;
    let (status, body) = olivia.call("disconnect_provider", &[("provider_id", &id_arg)]).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{body}");
    let stranger = server.client();
    let (status, text) =
        page_text(walk(&stranger, &format!("/login/upstream/{id}"), Some("olivia")).await.back(&stranger).await).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{text}");
    assert!(text.contains("No account here is connected to your Acme SSO account"), "{text}");
    let log = ok(&olivia, "security_log", &[("page", "0")]).await.to_string();
    assert!(log.contains("Identity provider connected") && log.contains("Acme SSO"), "{log}");
}

async fn an_address_an_account_has_is_never_taken_over_through_a_provider(backend: Backend) {
    let Some((server, _idp, id)) = setup(backend, true).await else { return };
    let (owner, email) = server.user("Olivia").await;
    // The provider vouches for Olivia's address (verified): still no way in.
    let intruder = server.client();
    let (status, text) =
        page_text(walk(&intruder, &format!("/login/upstream/{id}"), Some(&email)).await.back(&intruder).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("Sign in with your password and connect Acme SSO from your Account page."), "{text}");
    assert!(intruder.me().await.is_null());
    assert_eq!(identities(&server).await, 0, "nothing was linked");
    let connected = ok(&owner, "connected_accounts", &[]).await;
    assert!(connected["providers"][0]["connected_since"].is_null(), "{connected}");
}

async fn an_answer_is_bound_to_its_browser_used_once_and_from_the_issuer_asked(backend: Backend) {
    let Some((server, _idp, id)) = setup(backend, true).await else { return };
    let start = format!("/login/upstream/{id}");

    // Another browser (no request cookie) cannot use this browser's answer.
    let browser = server.client();
    let answer = walk(&browser, &start, Some("carol")).await;
    let other = server.client();
    let (status, text) = page_text(answer.back(&other).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("not started in this browser"), "{text}");

    // Used once: the same answer with the same cookie, replayed.
    let sealed = request_cookie(&browser).expect("the request cookie");
    let res = answer.back(&browser).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let replay = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let res =
        replay.get(&answer.callback).header("Cookie", format!("portcullis_upstream={sealed}")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "a replayed answer is refused");
    assert!(res.headers().get("set-cookie").is_none_or(|c| !c.to_str().unwrap().starts_with("portcullis_session=")));

    // A changed state, or an issuer that is not the one asked (RFC 9207), signs nobody in.
    let c = server.client();
    let answer = walk(&c, &start, Some("carol")).await;
    assert!(answer.callback.contains("iss="), "oidc-provider names itself: {}", answer.callback);
    let res = c.http.get(answer.with("state", "forged")).send().await.unwrap();
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let c = server.client();
    let answer = walk(&c, &start, Some("carol")).await;
    let (status, text) = page_text(c.http.get(answer.with("iss", "http://127.0.0.1:1")).send().await.unwrap()).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("its issuer did not match"), "{text}");
    assert!(c.me().await.is_null());

    // "Cancel" at the provider comes back as its error, shown as such.
    let c = server.client();
    let (status, text) = page_text(walk(&c, &start, None).await.back(&c).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("Acme SSO did not sign you in"), "{text}");
    assert!(text.contains("Nothing was changed."));
    assert!(c.me().await.is_null());
}

async fn tokens_signed_with_an_unknown_key_are_refused_and_a_rotated_key_is_fetched(backend: Backend) {
    let Some((server, idp, id)) = setup(backend, true).await else { return };
    let start = format!("/login/upstream/{id}");
    // Known keys first (cached by the sign-in).
    let c = server.client();
    assert_eq!(walk(&c, &start, Some("dave")).await.back(&c).await.status(), StatusCode::SEE_OTHER);

    idp.control("wrong-keys").await;
    let c = server.client();
    let (status, text) = page_text(walk(&c, &start, Some("dave")).await.back(&c).await).await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{text}");
    assert!(text.contains("could not be verified"), "{text}");
    assert!(c.me().await.is_null());

    // A new key, published: fetched once when a token names it.
    idp.control("right-keys").await;
    idp.control("rotate").await;
    let c = server.client();
    assert_eq!(walk(&c, &start, Some("dave")).await.back(&c).await.status(), StatusCode::SEE_OTHER);
    assert_eq!(c.me().await["email"], "dave@upstream.test");
}

async fn an_unreachable_provider_says_so_and_passwords_still_work(backend: Backend) {
    let server = TestServer::start(backend).await;
    // A port nothing listens on.
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let id = add_provider(&server, "Gone SSO", &format!("http://127.0.0.1:{closed}"), &[]);
    let (_, email) = server.user("Olivia").await;

    // The login page never waits for it; it looks in the background and says so next time.
    let mut said = String::new();
    for _ in 0..50 {
        said = page_text(server.client().get("/login").await).await.1;
        if said.contains("Unavailable right now") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(said.contains("Sign in with Gone SSO") && said.contains("could not be reached"), "{said}");
    let (status, text) = page_text(server.client().get(&format!("/login/upstream/{id}")).await).await;
    assert_eq!(status, StatusCode::CONFLICT, "{text}");
    assert!(text.contains("Gone SSO is unavailable right now"), "{text}");
    let c = server.client();
    let answer = ok(&c, "log_in", &[("email", &email), ("password", PASSWORD)]).await;
    assert_eq!(answer["LoggedIn"]["email"], email.as_str(), "{answer}");
    let (status, _) = page_text(server.client().get("/login/upstream/999").await).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

async fn connect(server: &TestServer, c: &Client, id: i64, login: &str) {
    let url = ok(c, "connect_provider", &[("provider_id", &id.to_string()), ("password", PASSWORD)]).await;
    let res = walk(c, url.as_str().unwrap(), Some(login)).await.back(c).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/account"), "{}", server.base);
}

async fn an_account_without_a_password_meets_its_organizations_two_factor_requirement(backend: Backend) {
    let Some((server, _idp, id)) = setup(backend, false).await else { return };
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    enroll(&server, &owner).await;
    let (mia, mia_email) = server.user("Mia").await;
    join_org(&owner, &mia, "acme", &mia_email, "member").await;
    server.advance_clock(30);
    ok(&owner, "set_two_factor_requirement", &[("slug", "acme"), ("require", "true"), ("grace_days", "0")]).await;
    let (status, body) = mia.call("load_org", &[("slug", "acme")]).await;
    assert_eq!((status, body["code"].clone()), (StatusCode::FORBIDDEN, "two_factor_required".into()));

    // Without a provider or a passkey the password is her only way in.
    let (status, body) = mia.call("remove_password", &[("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    connect(&server, &mia, id, "mia").await;
    let elsewhere = server.client();
    ok(&elsewhere, "log_in", &[("email", &mia_email), ("password", PASSWORD)]).await;
    let (status, body) = mia.call("remove_password", &[("password", "wrong password")]).await;
    assert_eq!((status, body["reason"].as_str()), (StatusCode::UNPROCESSABLE_ENTITY, Some("wrong_password")));
    ok(&mia, "remove_password", &[("password", PASSWORD)]).await;
    assert!(elsewhere.me().await.is_null(), "her other sessions ended");

    // The Hub rule: signing in only through the provider, she complies.
    ok(&mia, "load_org", &[("slug", "acme")]).await;
    let page: Value = ok(&owner, "load_org", &[("slug", "acme")]).await;
    let row = page["members"].as_array().unwrap().iter().find(|m| m["email"] == mia_email.as_str()).unwrap().clone();
    assert_eq!(row["complies"], true, "{row}");
    assert_eq!(row["signs_in_with"], serde_json::json!(["Acme SSO"]), "{row}");
    let (status, _) = server.client().call("log_in", &[("email", &mia_email), ("password", PASSWORD)]).await;
    assert_eq!(status, StatusCode::UNAUTHORIZED, "the old password no longer works");
    let c = server.client();
    assert_eq!(
        walk(&c, &format!("/login/upstream/{id}"), Some("mia")).await.back(&c).await.status(),
        StatusCode::SEE_OTHER
    );
    ok(&c, "load_org", &[("slug", "acme")]).await;

    // Her last way in stays.
    let (status, body) = c.call("disconnect_provider", &[("provider_id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.to_string().contains("no way to sign in"), "{body}");

    // Without a password, connecting another provider needs a recent sign-in instead.
    let beta = add_provider(&server, "Beta SSO", &_idp.issuer, &[]);
    let url = ok(&c, "connect_provider", &[("provider_id", &beta.to_string())]).await;
    let res = walk(&c, url.as_str().unwrap(), Some("mia")).await.back(&c).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/account"));
    server.advance_clock(11 * 60);
    let (status, body) = c.call("connect_provider", &[("provider_id", &id.to_string())]).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "{body}");
    assert!(body.to_string().contains("sign in again"), "{body}");
}

async fn an_organization_may_ask_provider_sign_ins_for_several_factors(backend: Backend) {
    let Some((server, _idp, id)) = setup(backend, false).await else { return };
    let (owner, _) = server.user("Olivia").await;
    ok(&owner, "create_org", &[("name", "Acme"), ("slug", "acme")]).await;
    let factors = enroll(&server, &owner).await;
    let (mia, mia_email) = server.user("Mia").await;
    join_org(&owner, &mia, "acme", &mia_email, "member").await;
    let mia_factors = enroll(&server, &mia).await;
    server.advance_clock(30);
    let id_arg = id.to_string();
    for (who, secret, login) in [(&owner, &factors.secret, "olivia"), (&mia, &mia_factors.secret, "mfa-mia")] {
        let code = code_now(&server, secret);
        let args = [("provider_id", id_arg.as_str()), ("password", PASSWORD), ("code", code.as_str())];
        let url = ok(who, "connect_provider", &args).await;
        walk(who, url.as_str().unwrap(), Some(login)).await.back(who).await;
    }
    let settings = ok(&owner, "load_org_settings", &[("slug", "acme")]).await;
    assert_eq!(settings["require_upstream_mfa"], false, "the Hub rule is the default: {settings}");

    // A plain member may not decide it; an owner may, and it is audited.
    let (status, _) = mia.call("set_upstream_mfa_requirement", &[("slug", "acme"), ("require", "true")]).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    ok(&owner, "set_upstream_mfa_requirement", &[("slug", "acme"), ("require", "true")]).await;
    let audit = ok(&owner, "audit_log", &[("slug", "acme"), ("page", "0")]).await.to_string();
    assert!(audit.contains("Several factors required from identity providers"), "{audit}");

    // Olivia's provider said only "pwd": her code is asked for before any session.
    server.advance_clock(30);
    let c = server.client();
    let res = walk(&c, &format!("/login/upstream/{id}"), Some("olivia")).await.back(&c).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/login/two-factor"));
    assert!(c.me().await.is_null(), "half-way is not signed in");
    ok(&c, "verify_login", &[("code", &code_now(&server, &factors.secret))]).await;
    let sessions = ok(&c, "my_sessions", &[]).await.to_string();
    assert!(sessions.contains("Another identity provider, with several factors"), "{sessions}");

    // Mia's provider said it used several factors: no code here.
    let c = server.client();
    let res = walk(&c, &format!("/login/upstream/{id}"), Some("mfa-mia")).await.back(&c).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/"));
    assert_eq!(c.me().await["email"], mia_email.as_str());

    // Switched off (owners only), the provider's word is enough again.
    ok(&owner, "set_upstream_mfa_requirement", &[("slug", "acme"), ("require", "false")]).await;
    let c = server.client();
    let res = walk(&c, &format!("/login/upstream/{id}"), Some("olivia")).await.back(&c).await;
    assert_eq!((res.status(), location(&res)), (StatusCode::SEE_OTHER, "/"));
}
