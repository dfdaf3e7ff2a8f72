//! Cross-cutting HTTP protections: CSRF, clickjacking, the content policy.

use app::error::AppError;
use app::server::store::events::RequestMeta;
use app::server::{guards::client_ip, AppState};
use axum::body::Body;
use axum::extract::{ConnectInfo, Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderMap, HeaderValue, Method, StatusCode};

/// What the protections need to know of the configuration.
#[derive(Clone, Copy)]
pub struct Web {
    /// The browser reaches us over HTTPS (secure cookies are on).
    pub https: bool,
}

/// Refuses state-changing requests that a browser marks as cross-site.
/// Browsers send `Sec-Fetch-Site` (and `Origin`) on every POST; clients that
/// are not browsers send neither and carry no ambient cookies to abuse.
pub async fn reject_cross_site(State(web): State<Web>, req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || same_origin(&req, web.https)
        || cookieless(req.uri().path())
    {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
    error_response(&AppError::forbidden("Cross-site requests are not allowed."))
}

/// The OpenID Connect endpoints that applications call with their own
/// credentials (client secret, bearer token), never with our cookies: a
/// cross-site caller gains nothing a direct one would not.
fn cookieless(path: &str) -> bool {
    use app::oidc::discovery::{INTROSPECTION, REVOCATION, TOKEN, USERINFO};
    [TOKEN, USERINFO, REVOCATION, INTROSPECTION].contains(&path)
}

/// `Origin` must be our scheme and host: http://host is another origin than https://host.
fn same_origin(req: &Request, https: bool) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            let scheme = if https { "https" } else { "http" };
            !host.is_empty() && origin.eq_ignore_ascii_case(&format!("{scheme}://{host}"))
        }
    }
}

/// Server functions take the bodies our forms send, and nothing else: a
/// `text/plain` or multipart POST is what a cross-site form would forge.
pub async fn form_bodies_only(req: Request, next: Next) -> Response {
    if req.method() != Method::POST || !is_server_fn(req.uri().path()) {
        return next.run(req).await;
    }
    let headers = req.headers();
    let form = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().eq_ignore_ascii_case("application/x-www-form-urlencoded"));
    let empty = headers.get(header::TRANSFER_ENCODING).is_none()
        && headers.get(header::CONTENT_LENGTH).is_none_or(|v| v.as_bytes() == b"0");
    if form == Some(true) || (form.is_none() && empty) {
        return next.run(req).await;
    }
    error_response(&AppError::UnsupportedMediaType {
        message: "Send the form as application/x-www-form-urlencoded.".to_string(),
    })
}

/// Server functions live under /api/, the REST API under /api/v1/ (JSON, its own errors).
fn is_server_fn(path: &str) -> bool {
    path.starts_with("/api/") && !path.starts_with("/api/v1/")
}

/// Server functions answer every error with 500 by default. Their body is an
/// `AppError`, which knows its proper status: 4xx for the user's mistakes
/// (including arguments that do not parse), 5xx only for ours.
pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let is_server_fn = is_server_fn(req.uri().path());
    let res = next.run(req).await;
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return error_response(&AppError::Internal);
    };
    let Ok(err) = serde_json::from_slice::<AppError>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    // The server function's other headers (cookies a login step set) stay.
    let (error_parts, body) = error_response(&err).into_parts();
    parts.status = error_parts.status;
    parts.headers.remove(header::CONTENT_LENGTH);
    parts.headers.extend(error_parts.headers);
    Response::from_parts(parts, body)
}

/// The one wire format of every error, from server functions, routes and
/// middleware alike: the `AppError` as JSON with its `message`, the status it
/// names, and `Retry-After` where it says when to come back.
pub fn error_response(err: &AppError) -> Response {
    let status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    // Every error body carries the sentence a person reads, for clients other than ours.
    let mut body = serde_json::to_value(err).unwrap_or_default();
    if let Some(fields) = body.as_object_mut() {
        fields.entry("message").or_insert_with(|| err.to_string().into());
    }
    let mut res = (status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response();
    if let Some(secs) = err.retry_after_secs() {
        res.headers_mut().insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    res
}

/// The per-response nonce of the Content-Security-Policy; the router hands it to
/// Leptos, whose hydration scripts then carry it.
#[derive(Clone)]
pub struct CspNonce(pub String);

/// Scripts run only with this response's nonce (and what they load); the
/// wasm bundle needs 'wasm-unsafe-eval'; styles and images come from us.
fn content_security_policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'nonce-{nonce}' 'strict-dynamic' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
         connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

pub async fn security_headers(State(web): State<Web>, mut req: Request, next: Next) -> Response {
    // Pages and server functions carry personal data, setup keys and backup
    // codes: no cache may keep them. Only the site's own files may be cached.
    let bundle = req.uri().path().starts_with("/pkg/");
    let nonce = hex::encode(rand::random::<[u8; 16]>());
    req.extensions_mut().insert(CspNonce(nonce.clone()));
    let mut res = next.run(req).await;
    let cacheable = bundle || res.extensions().get::<crate::site::SiteFile>().is_some();
    let headers = res.headers_mut();
    if !cacheable {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy(&nonce)) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    if web.https {
        headers.insert(header::STRICT_TRANSPORT_SECURITY, HeaderValue::from_static("max-age=31536000"));
    }
    res
}

/// Where one request came from: the client's address (behind trusted proxies) and browser.
pub fn request_meta(
    state: &AppState,
    peer: Option<&ConnectInfo<std::net::SocketAddr>>,
    headers: &HeaderMap,
) -> RequestMeta {
    let forwarded: Vec<&str> = headers.get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    let ip = peer.map(|p| client_ip::client_ip(p.0.ip(), &forwarded, &state.settings.trusted_proxies));
    let user_agent = headers.get(header::USER_AGENT).and_then(|v| v.to_str().ok()).map(str::to_string);
    RequestMeta { ip, user_agent, browser: None }
}
