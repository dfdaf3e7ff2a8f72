//! CORS for browser apps (public clients): discovery, JWKS, token,
//! userinfo and revocation answer the origins of public clients' redirect
//! URIs, and no other. No credentials: these endpoints never read cookies.

use app::server::store::oidc::clients;
use app::server::AppState;
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue, Method, StatusCode};

/// What a browser app may send: a bearer token or Basic, and a form body.
const ALLOW_HEADERS: &str = "authorization, content-type";
const ALLOW_METHODS: &str = "GET, POST";
/// Two hours: Chromium's cap on a cached preflight.
const MAX_AGE_SECS: &str = "7200";

pub async fn cors(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let Some(origin) = req.headers().get(header::ORIGIN).cloned() else { return next.run(req).await };
    let allowed = match (origin.to_str(), clients::public_origins(&state.db).await) {
        (Ok(origin), Ok(origins)) => origins.iter().any(|o| o == origin),
        (_, Err(e)) => return crate::middleware::error_response(&e),
        (Err(_), _) => false,
    };
    let preflight =
        req.method() == Method::OPTIONS && req.headers().contains_key(header::ACCESS_CONTROL_REQUEST_METHOD);
    let mut res = if preflight {
        // Refused: no CORS headers, so the browser stops before the real request.
        let status = if allowed { StatusCode::NO_CONTENT } else { StatusCode::FORBIDDEN };
        status.into_response()
    } else {
        next.run(req).await
    };
    let headers = res.headers_mut();
    headers.append(header::VARY, HeaderValue::from_static("origin"));
    if allowed {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, origin);
        if preflight {
            headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, HeaderValue::from_static(ALLOW_METHODS));
            headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, HeaderValue::from_static(ALLOW_HEADERS));
            headers.insert(header::ACCESS_CONTROL_MAX_AGE, HeaderValue::from_static(MAX_AGE_SECS));
        } else {
            // A bearer error's details, and a rate limit's wait, are for the app to read.
            headers.insert(
                header::ACCESS_CONTROL_EXPOSE_HEADERS,
                HeaderValue::from_static("www-authenticate, retry-after"),
            );
        }
    }
    res
}
