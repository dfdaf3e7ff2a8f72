//! `/pkg`: the wasm bundle, its JavaScript glue and the stylesheet.
//!
//! Served as the browser accepts them: brotli or gzip files made at build time
//! (`cargo leptos build --release --precompress`), never compressed on the fly.
//! With hashed names (`hash-files`) a file never changes, so it is cached for a
//! year (`immutable`); without them the browser revalidates every time, so an
//! upgrade never runs a stale bundle.

use axum::body::Body;
use axum::Router;
use http::{header, HeaderValue, Response};
use leptos::prelude::LeptosOptions;
use tower_http::services::ServeDir;
use tower_http::set_header::SetResponseHeaderLayer;

const IMMUTABLE: &str = "public, max-age=31536000, immutable";
const REVALIDATE: &str = "no-cache";

pub fn pkg<S: Clone + Send + Sync + 'static>(options: &LeptosOptions) -> Router<S> {
    let dir = std::path::Path::new(options.site_root.as_ref()).join(options.site_pkg_dir.as_ref());
    let cache_control = HeaderValue::from_static(if options.hash_files { IMMUTABLE } else { REVALIDATE });
    // Only a file found is cacheable; a 404 must not be kept for a year.
    let for_files = move |res: &Response<_>| res.status().is_success().then(|| cache_control.clone());
    let files = ServeDir::new(dir).precompressed_br().precompressed_gzip();
    Router::new()
        .fallback_service(files)
        .layer(SetResponseHeaderLayer::overriding(header::CACHE_CONTROL, for_files))
        .layer(SetResponseHeaderLayer::appending(header::VARY, |_: &Response<Body>| {
            Some(HeaderValue::from_static("accept-encoding"))
        }))
}
