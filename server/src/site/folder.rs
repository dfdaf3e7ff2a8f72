//! The site from a folder on disk (`--site-root`): development and `cargo leptos watch`.

use std::path::Path;

use axum::body::Body;
use axum::Router;
use http::request::Parts;
use http::{header, HeaderValue, Request, Response};
use tower::ServiceExt;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

pub fn pkg<S: Clone + Send + Sync + 'static>(dir: &Path, cache: &'static str) -> Router<S> {
    let cache_control = HeaderValue::from_static(cache);
    // Only a file found is cacheable: a 404 must not be kept for a year.
    let for_files = move |res: &Response<_>| res.status().is_success().then(|| cache_control.clone());
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, for_files))
        .layer(SetResponseHeaderLayer::appending(header::VARY, |_: &Response<Body>| {
            Some(HeaderValue::from_static("accept-encoding"))
        }))
}

/// The file at the request's path under `folder`, if there is one.
pub async fn public_file(folder: &Path, req: &Parts) -> Option<Response<Body>> {
    let mut probe = Request::builder().method(&req.method).uri(&req.uri).body(Body::empty()).ok()?;
    *probe.headers_mut() = req.headers.clone();
    let res = ServeDir::new(folder).precompressed_br().precompressed_gzip().oneshot(probe).await.ok()?;
    let found = res.status().is_success() || res.status() == http::StatusCode::NOT_MODIFIED;
    let mut res = found.then(|| res.map(Body::new))?;
    // Revalidated (Last-Modified), never kept blindly: an upgrade changes these files in place.
    res.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static(super::REVALIDATE));
    Some(res)
}
