//! The access log: one line per request with its method, route template,
//! status, latency, client address and request id (tower-http's `TraceLayer`),
//! in the text or JSON format chosen. The route template is logged, never the
//! path or query (`/reset-password?token=…` carries a token), and never a
//! header or a body: no cookie, Authorization header, password or code.
//!
//! The request id comes from a trusted proxy's `x-request-id`, or is made
//! here; it is echoed back, and every log line written while the request is
//! served carries it (its span).

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{ConnectInfo, MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use http::{HeaderName, Method};
use ipnet::IpNet;
use tower_http::request_id::{MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer};
use tower_http::trace::TraceLayer;
use tracing::Span;

pub const REQUEST_ID: HeaderName = HeaderName::from_static("x-request-id");

/// What `RUST_LOG` names to see (or hide) the access log.
pub const TARGET: &str = "portcullis::access";

/// Wraps every route of `router` (the outermost layers: a refused request is logged too).
pub fn layer<S: Clone + Send + Sync + 'static>(router: Router<S>, trusted: &[IpNet]) -> Router<S> {
    let trusted: Arc<[IpNet]> = trusted.into();
    let for_span = trusted.clone();
    router
        .layer(axum::middleware::from_fn(measure))
        .layer(PropagateRequestIdLayer::new(REQUEST_ID))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(move |req: &Request| span(req, &for_span))
                .on_request(())
                .on_response(|res: &Response, latency: Duration, _: &Span| {
                    let latency_ms = u64::try_from(latency.as_millis()).unwrap_or(u64::MAX);
                    tracing::info!(target: TARGET, status = res.status().as_u16(), latency_ms, "answered");
                })
                // A 5xx is in the line above; tower-http's own failure line would say it twice.
                .on_failure(()),
        )
        .layer(SetRequestIdLayer::new(REQUEST_ID, RandomId))
        .layer(axum::middleware::from_fn_with_state(trusted, trusted_request_id))
}

/// The route template, never the path (a path or query may carry a token).
fn route(req: &Request) -> &str {
    // Static files have no route of their own: their folder stands for them.
    match req.extensions().get::<MatchedPath>() {
        Some(matched) => matched.as_str(),
        None if req.uri().path().starts_with("/pkg/") => "/pkg/{file}",
        None => "(static file or none)",
    }
}

fn span(req: &Request, trusted: &[IpNet]) -> Span {
    // The fields are worked out only when the access log is on (the macro's arguments are lazy).
    tracing::info_span!(
        target: TARGET,
        "request",
        id = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).unwrap_or("-"),
        method = %req.method(),
        route = route(req),
        client = %Client(client(req, trusted)),
    )
}

/// The client's address, or "-".
struct Client(Option<std::net::IpAddr>);

impl std::fmt::Display for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            Some(ip) => ip.fmt(f),
            None => f.write_str("-"),
        }
    }
}

fn peer(req: &Request) -> Option<std::net::IpAddr> {
    req.extensions().get::<ConnectInfo<SocketAddr>>().map(|c| c.0.ip())
}

fn client(req: &Request, trusted: &[IpNet]) -> Option<std::net::IpAddr> {
    let forwarded: Vec<&str> =
        req.headers().get_all("x-forwarded-for").iter().filter_map(|v| v.to_str().ok()).collect();
    peer(req).map(|ip| app::server::guards::client_ip::client_ip(ip, &forwarded, trusted))
}

/// Counts the request and its time by route template, method and status (`/metrics`).
async fn measure(req: Request, next: Next) -> Response {
    // Without a recorder (`--metrics-addr` unset) there is nothing to count into.
    if !crate::metrics::installed() {
        return next.run(req).await;
    }
    let route = route(&req).to_string();
    // Methods are bounded to the known ones: a client's invented method is "other".
    let method = match *req.method() {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        Method::PUT => "PUT",
        Method::DELETE => "DELETE",
        Method::PATCH => "PATCH",
        _ => "other",
    };
    let started = std::time::Instant::now();
    let res = next.run(req).await;
    let status = status_label(res.status());
    metrics::counter!("portcullis_http_requests_total", "method" => method, "route" => route.clone(), "status" => status)
        .increment(1);
    metrics::histogram!("portcullis_http_request_duration_seconds", "route" => route)
        .record(started.elapsed().as_secs_f64());
    res
}

/// The status as a label, without an allocation for the common ones.
fn status_label(status: http::StatusCode) -> metrics::SharedString {
    match status.as_u16() {
        200 => "200".into(),
        204 => "204".into(),
        302 => "302".into(),
        303 => "303".into(),
        304 => "304".into(),
        400 => "400".into(),
        401 => "401".into(),
        403 => "403".into(),
        404 => "404".into(),
        429 => "429".into(),
        code => code.to_string().into(),
    }
}

/// A client's own `x-request-id` is dropped (it could forge or flood the log's ids);
/// a trusted proxy's is kept when it looks like an id.
async fn trusted_request_id(State(trusted): State<Arc<[IpNet]>>, mut req: Request, next: Next) -> Response {
    let from_proxy = peer(&req).is_some_and(|ip| trusted.iter().any(|net| net.contains(&ip)));
    let usable = req.headers().get(REQUEST_ID).and_then(|v| v.to_str().ok()).is_some_and(looks_like_an_id);
    if !(from_proxy && usable) {
        req.headers_mut().remove(REQUEST_ID);
    }
    next.run(req).await
}

fn looks_like_an_id(id: &str) -> bool {
    (1..=64).contains(&id.len()) && id.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(&b))
}

/// 128 random bits, as 32 hex characters.
#[derive(Clone, Copy)]
struct RandomId;

impl MakeRequestId for RandomId {
    fn make_request_id<B>(&mut self, _: &http::Request<B>) -> Option<RequestId> {
        http::HeaderValue::from_str(&hex::encode(rand::random::<[u8; 16]>())).ok().map(RequestId::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_request_id_is_short_and_plain() {
        assert!(looks_like_an_id("5f0c2a9e-1b7d-4c1e-9a55-0b3f2d6e8a41"));
        assert!(looks_like_an_id("req:42"));
        assert!(!looks_like_an_id(""));
        assert!(!looks_like_an_id(&"a".repeat(65)));
        assert!(!looks_like_an_id("a b"));
        assert!(!looks_like_an_id("a\"}{"));
    }
}
