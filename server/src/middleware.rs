//! Cross-cutting HTTP protections: CSRF and clickjacking.

use app::error::AppError;
use axum::body::Body;
use axum::extract::Request;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use http::{HeaderValue, Method, StatusCode, header};

/// Refuses state-changing requests that a browser marks as cross-site.
/// Browsers send `Sec-Fetch-Site` (and `Origin`) on every POST; clients that
/// are not browsers send neither and carry no ambient cookies to abuse.
pub async fn reject_cross_site(req: Request, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) || same_origin(&req) {
        return next.run(req).await;
    }
    tracing::warn!(path = %req.uri().path(), "refused a cross-site request");
    let body = r#"{"code":"forbidden","message":"Cross-site requests are not allowed."}"#;
    (StatusCode::FORBIDDEN, [(header::CONTENT_TYPE, "application/json")], Body::from(body)).into_response()
}

fn same_origin(req: &Request) -> bool {
    let headers = req.headers();
    if let Some(site) = headers.get("sec-fetch-site").and_then(|v| v.to_str().ok()) {
        return matches!(site, "same-origin" | "none");
    }
    match headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) {
        None => true,
        Some(origin) => {
            let host = headers.get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("");
            let origin_host = origin.split_once("://").map(|(_, rest)| rest).unwrap_or("");
            !host.is_empty() && origin_host.eq_ignore_ascii_case(host)
        }
    }
}

/// Server functions answer every error with 500 by default. Their body is an
/// `AppError`, which knows its proper status: 4xx for the user's mistakes
/// (including arguments that do not parse), 5xx only for ours.
pub async fn server_fn_error_status(req: Request, next: Next) -> Response {
    let is_server_fn = req.uri().path().starts_with("/api/");
    let res = next.run(req).await;
    if !is_server_fn || res.status() != StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let Ok(bytes) = axum::body::to_bytes(body, 64 * 1024).await else {
        return (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response();
    };
    let Ok(err) = serde_json::from_slice::<AppError>(&bytes) else {
        return Response::from_parts(parts, Body::from(bytes));
    };
    parts.status = StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    parts.headers.insert(header::CONTENT_TYPE, HeaderValue::from_static("application/json"));
    parts.headers.remove(header::CONTENT_LENGTH);
    // 429 and 503 say when to come back, for clients other than ours too.
    if let Some(secs) = err.retry_after_secs() {
        parts.headers.insert(header::RETRY_AFTER, HeaderValue::from(secs));
    }
    // Every error body carries the sentence a person reads, for clients other than ours.
    let mut body = serde_json::to_value(&err).unwrap_or_default();
    if let Some(fields) = body.as_object_mut() {
        fields.entry("message").or_insert_with(|| err.to_string().into());
    }
    Response::from_parts(parts, Body::from(body.to_string()))
}

pub async fn security_headers(req: Request, next: Next) -> Response {
    // Pages and server functions carry personal data, setup keys and backup
    // codes: no cache may keep them. Only the static bundle may be cached.
    let cacheable = req.uri().path().starts_with("/pkg/") || req.uri().path() == "/favicon.svg";
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    if !cacheable {
        headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    headers.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    headers.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("frame-ancestors 'none'"));
    headers.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    headers.insert(header::REFERRER_POLICY, HeaderValue::from_static("same-origin"));
    res
}
