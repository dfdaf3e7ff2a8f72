//! The OpenID Connect endpoints: discovery, JWKS, authorization (and its
//! continuation after login), token, userinfo, revocation, and the
//! hand-overs back to applications. They only adapt HTTP to the use cases
//! in `app::server::flows::oidc`.

mod authorize;
pub mod backchannel;
pub mod cli;
mod cors;
mod token;

use app::server::flows::oidc::{Ctx, FEATURE_OFF};
use app::server::store::events::RequestMeta;
use app::server::AppState;
use axum::extract::{ConnectInfo, FromRef, FromRequestParts};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use http::request::Parts;
use http::{header, HeaderMap, HeaderValue, StatusCode};
use serde_json::json;

pub fn routes<S>(state: AppState) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    AppState: axum::extract::FromRef<S>,
{
    use app::oidc::discovery::{AUTHORIZE, JWKS, REVOCATION, TOKEN, USERINFO};
    // What a browser app (a public client) calls from its own origin.
    let browser_apps = Router::new()
        .route("/.well-known/openid-configuration", get(discovery))
        .route(JWKS, get(jwks))
        .route(TOKEN, axum::routing::post(token::token))
        .route(USERINFO, get(token::userinfo).post(token::userinfo))
        .route(REVOCATION, axum::routing::post(token::revoke))
        .layer(axum::middleware::from_fn_with_state(state, cors::cors));
    Router::new()
        .merge(browser_apps)
        .route(AUTHORIZE, get(authorize::authorize))
        .route(app::server::flows::oidc::authorize::CONTINUE_PATH, get(authorize::resume))
        .route(app::server::flows::oidc::authorize::RETURN_PATH, get(authorize::denied))
        .route(app::server::flows::oidc::account::LOGOUT_RETURN_PATH, get(authorize::logout_return))
        // Servers only (a gateway, an API): no CORS.
        .route(app::oidc::discovery::INTROSPECTION, axum::routing::post(token::introspect))
}

/// One OpenID Connect request: the server's state and where the request came
/// from. While `--public-url` is unset every endpoint answers 404 instead:
/// a page for browsers (`PAGE`), JSON for programs.
pub struct Endpoint<const PAGE: bool> {
    state: AppState,
    meta: RequestMeta,
}

/// Endpoints people's browsers reach.
pub type Browser = Endpoint<true>;
/// Endpoints applications' servers call.
pub type Program = Endpoint<false>;

impl<const PAGE: bool> Endpoint<PAGE> {
    pub fn cx(&self) -> Ctx<'_> {
        Ctx::new(&self.state, &self.meta)
    }
}

impl<S, const PAGE: bool> FromRequestParts<S> for Endpoint<PAGE>
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Response> {
        let state = AppState::from_ref(state);
        if state.settings.public_url.is_none() {
            return Err(feature_off(PAGE));
        }
        let peer = parts.extensions.get::<ConnectInfo<std::net::SocketAddr>>();
        let meta = crate::middleware::request_meta(&state, peer, &parts.headers);
        Ok(Self { state, meta })
    }
}

/// 404 while `--public-url` is not set: JSON for programs, a page for people.
fn feature_off(html: bool) -> Response {
    if html {
        return page(StatusCode::NOT_FOUND, "Not enabled", FEATURE_OFF);
    }
    (
        StatusCode::NOT_FOUND,
        [(header::CONTENT_TYPE, "application/json")],
        json!({ "error": "not_found", "error_description": FEATURE_OFF }).to_string(),
    )
        .into_response()
}

async fn discovery(endpoint: Program) -> Response {
    match &endpoint.state.settings.public_url {
        Some(issuer) => json_response(StatusCode::OK, &app::oidc::discovery::document(issuer)),
        None => feature_off(false),
    }
}

async fn jwks(endpoint: Program) -> Response {
    let state = &endpoint.state;
    let now = state.clock.now();
    // The first keys are made on first use, so that a fresh server publishes them before any token.
    for alg in app::applications::SigningAlg::ALL {
        if let Err(e) = app::server::store::oidc::keys::current(&state.db, &state.keys, alg, now).await {
            return crate::middleware::error_response(&e);
        }
    }
    match app::server::store::oidc::keys::published(&state.db, &state.keys, now).await {
        Ok(keys) => json_response(StatusCode::OK, &json!({ "keys": keys })),
        Err(e) => crate::middleware::error_response(&e),
    }
}

/// JSON; the middleware adds `Cache-Control: no-store` (tokens must never be cached).
pub fn json_response(status: StatusCode, body: &serde_json::Value) -> Response {
    (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
}

/// A plain page for errors no application may be told about (unknown
/// client, unregistered redirect URI): never a redirect.
pub fn page(status: StatusCode, title: &str, message: &str) -> Response {
    let (title, message) = (app::ui::escape_html(title), app::ui::escape_html(message));
    let css = app::ui::assets::stylesheet();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Portcullis</title><link rel=\"stylesheet\" href=\"{css}\"></head>\
         <body><main id=\"main\"><section class=\"card narrow\"><h1>{title}</h1><p role=\"alert\">{message}</p>\
         <a class=\"button\" href=\"/\">Go to Portcullis</a></section></main></body></html>"
    );
    (status, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

/// A refusal on one of the sign-in pages that are not the app's own
/// (authorization, upstream sign-in): its words, status and `Retry-After`.
pub fn refusal_page(e: &app::error::AppError, what: &str) -> Response {
    if e.status() >= 500 {
        tracing::warn!(error = %e, "{what} failed");
    }
    let status = StatusCode::from_u16(e.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let mut res = page(status, "Cannot sign you in", &e.to_string());
    if let Some(secs) = e.retry_after_secs() {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    res
}

/// Sends the browser to an application. After one of our own pages (a form
/// post, or a redirect chain that began with one), the last hop is a page
/// that navigates by itself: browsers apply the page's CSP `form-action
/// 'self'` to every redirect that follows a form submission, so a 303 to
/// the application would be blocked there. Programs and cross-site
/// arrivals get the 303.
pub fn hand_over(headers: &HeaderMap, url: &str) -> Response {
    let after_our_page = headers.get("sec-fetch-site").is_some_and(|v| v.as_bytes() == b"same-origin");
    if !after_our_page {
        return match HeaderValue::from_str(url) {
            Ok(location) => (StatusCode::SEE_OTHER, [(header::LOCATION, location)]).into_response(),
            Err(_) => page(StatusCode::BAD_REQUEST, "Cannot continue", "The application's address is malformed."),
        };
    }
    let url = app::ui::escape_html(url);
    let css = app::ui::assets::stylesheet();
    let html = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta http-equiv=\"refresh\" content=\"0;url={url}\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"><title>Returning to the application · Portcullis</title>\
         <link rel=\"stylesheet\" href=\"{css}\"></head><body><main id=\"main\"><section class=\"card narrow\">\
         <h1>Returning to the application…</h1><p><a class=\"button primary\" href=\"{url}\">Continue</a></p></section></main></body></html>"
    );
    (StatusCode::OK, [(header::CONTENT_TYPE, "text/html; charset=utf-8")], html).into_response()
}

pub fn session_token(headers: &HeaderMap) -> Option<String> {
    app::server::store::sessions::token_from_headers(headers, app::server::store::sessions::COOKIE_NAME)
}
