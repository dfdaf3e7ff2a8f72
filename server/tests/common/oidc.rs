//! Driving the OpenID Connect provider as an application (relying party)
//! would: authorization requests through a browser-like client, token
//! requests from the application's server.

use super::{ok, Client, TestServer};
use base64::Engine;
use reqwest::StatusCode;
use serde_json::Value;

pub const REDIRECT_URI: &str = "http://127.0.0.1:9/callback";

/// A registered application.
#[derive(Debug, Clone)]
pub struct App {
    pub client_id: String,
    pub secret: Option<String>,
}

/// Registers an application of `slug` through the Applications tab's server function.
pub async fn register(manager: &Client, slug: &str, public: bool, extra: &[(&str, &str)]) -> App {
    let mut args = vec![
        ("slug", slug),
        ("name", "Wiki"),
        ("redirect_uris", REDIRECT_URI),
        ("post_logout_redirect_uris", "http://127.0.0.1:9/bye"),
        ("public", if public { "true" } else { "false" }),
    ];
    args.extend_from_slice(extra);
    let made = ok(manager, "register_application", &args).await;
    App {
        client_id: made["client_id"].as_str().unwrap().to_string(),
        secret: made["client_secret"].as_str().map(str::to_string),
    }
}

/// One authorization attempt's secrets: PKCE verifier, state, nonce.
pub struct Attempt {
    pub verifier: String,
    pub state: String,
    pub nonce: String,
}

impl Attempt {
    pub fn new() -> Self {
        let random = || format!("{:032x}{:032x}", rand::random::<u128>(), rand::random::<u128>());
        Self { verifier: random(), state: random()[..16].to_string(), nonce: random()[..20].to_string() }
    }

    /// The authorization URL's query, with `changes` replacing or adding (an empty value removes).
    pub fn query(&self, app: &App, changes: &[(&str, &str)]) -> String {
        let challenge = app::oidc::pkce::s256(&self.verifier);
        let mut params: Vec<(String, String)> = [
            ("response_type", "code"),
            ("client_id", app.client_id.as_str()),
            ("redirect_uri", REDIRECT_URI),
            ("scope", "openid profile email orgs"),
            ("state", self.state.as_str()),
            ("nonce", self.nonce.as_str()),
            ("code_challenge", challenge.as_str()),
            ("code_challenge_method", "S256"),
        ]
        .iter()
        .filter(|(k, _)| !changes.iter().any(|(c, _)| c == k))
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect();
        params.extend(changes.iter().filter(|(_, v)| !v.is_empty()).map(|(k, v)| (k.to_string(), v.to_string())));
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        query.extend_pairs(params);
        query.finish()
    }
}

/// Where a response sends the browser.
pub fn location(res: &reqwest::Response) -> String {
    res.headers().get("location").map(|l| l.to_str().unwrap().to_string()).unwrap_or_default()
}

/// The query parameters of a URL.
pub fn params_of(url: &str) -> std::collections::HashMap<String, String> {
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or("");
    url::form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

/// `GET /oidc/authorize` as the browser.
pub async fn authorize(browser: &Client, query: &str) -> reqwest::Response {
    browser.get(&format!("/oidc/authorize?{query}")).await
}

/// The request handle in a prompt page or login continuation URL.
pub fn handle_in(location: &str) -> String {
    let params = params_of(location);
    if let Some(handle) = params.get("request") {
        return handle.clone();
    }
    params_of(params.get("continue").expect("a continue parameter")).get("request").expect("a request handle").clone()
}

/// Follows the flow as a signed-in user who clicks "Allow" when asked; returns the application's URL.
pub async fn sign_in(browser: &Client, query: &str) -> String {
    let res = authorize(browser, query).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{}", res.text().await.unwrap_or_default());
    let mut next = location(&res);
    if next.starts_with("/oidc/authorize/prompt") {
        let prompt = ok(browser, "load_authorization", &[("request", &handle_in(&next))]).await;
        assert!(prompt.get("Consent").is_some(), "expected consent: {prompt}");
        let path = ok(browser, "decide_consent", &[("request", &handle_in(&next)), ("allow", "true")]).await;
        let res = browser.get(path.as_str().unwrap()).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        next = location(&res);
    }
    assert!(next.starts_with(REDIRECT_URI), "back to the application: {next}");
    next
}

/// The code (and checks the state and issuer) in the application's URL.
pub fn code_in(server: &TestServer, url: &str, attempt: &Attempt) -> String {
    let params = params_of(url);
    assert_eq!(params.get("state"), Some(&attempt.state), "{url}");
    assert_eq!(params.get("iss"), Some(&server.base), "{url}");
    params.get("code").unwrap_or_else(|| panic!("no code in {url}")).clone()
}

/// A token request from the application's server (client_secret_basic, or the client id for public clients).
pub async fn token(server: &TestServer, app: &App, form: &[(&str, &str)]) -> (StatusCode, Value) {
    let http = reqwest::Client::new();
    let mut form: Vec<(&str, &str)> = form.to_vec();
    let mut request = http.post(format!("{}/oidc/token", server.base));
    match &app.secret {
        Some(secret) => request = request.basic_auth(&app.client_id, Some(secret)),
        None => form.push(("client_id", &app.client_id)),
    }
    let res = request.form(&form).send().await.unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

pub async fn redeem(server: &TestServer, app: &App, code: &str, verifier: &str) -> (StatusCode, Value) {
    token(
        server,
        app,
        &[
            ("grant_type", "authorization_code"),
            ("code", code),
            ("redirect_uri", REDIRECT_URI),
            ("code_verifier", verifier),
        ],
    )
    .await
}

pub async fn refresh(server: &TestServer, app: &App, refresh_token: &str) -> (StatusCode, Value) {
    token(server, app, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await
}

pub async fn userinfo(server: &TestServer, access_token: &str) -> (StatusCode, Value) {
    let res = reqwest::Client::new()
        .get(format!("{}/oidc/userinfo", server.base))
        .bearer_auth(access_token)
        .send()
        .await
        .unwrap();
    let status = res.status();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Checks the ID token's signature against the published JWKS and returns its header and claims.
pub async fn verified(server: &TestServer, id_token: &str) -> (Value, Value) {
    let jwks: Value = reqwest::get(format!("{}/oidc/jwks", server.base)).await.unwrap().json().await.unwrap();
    let claims = app::oidc::jws::verify(id_token, jwks["keys"].as_array().unwrap()).expect("a valid signature");
    let header = id_token.split('.').next().unwrap();
    let header = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(header).unwrap();
    (serde_json::from_slice(&header).unwrap(), claims)
}

/// A complete sign-in: authorization, "Allow" if asked, redemption. Returns the token response.
pub async fn tokens_for(server: &TestServer, browser: &Client, app: &App) -> Value {
    let attempt = Attempt::new();
    let url = sign_in(browser, &attempt.query(app, &[])).await;
    let (status, tokens) = redeem(server, app, &code_in(server, &url, &attempt), &attempt.verifier).await;
    assert_eq!(status, StatusCode::OK, "{tokens}");
    tokens
}
