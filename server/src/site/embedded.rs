//! The site built into the binary (server/build.rs names the folder at build time).

use axum::body::{Body, Bytes};
use axum::extract::Request;
use axum::routing::get;
use axum::Router;
use http::request::Parts;
use http::{header, HeaderMap, HeaderValue, Response, StatusCode};
use rust_embed::RustEmbed;

#[derive(RustEmbed)]
#[folder = "$PORTCULLIS_SITE_FOLDER"]
struct Files;

const HASHES: &str = include_str!(concat!(env!("OUT_DIR"), "/site-hashes.txt"));

pub fn present() -> bool {
    Files::iter().next().is_some()
}

pub fn hashes() -> Option<&'static str> {
    Some(HASHES).filter(|text| !text.trim().is_empty())
}

pub fn pkg<S: Clone + Send + Sync + 'static>(cache: &'static str) -> Router<S> {
    let serve = move |req: Request| async move {
        let path = format!("pkg/{}", req.uri().path().trim_start_matches('/'));
        respond(&path, req.headers(), cache).unwrap_or_else(|| status(StatusCode::NOT_FOUND))
    };
    Router::new().fallback(get(serve))
}

pub fn public_file(req: &Parts) -> Option<Response<Body>> {
    let path = req.uri.path().trim_start_matches('/');
    // /pkg is served above with its own cache rule.
    if path.starts_with("pkg/") {
        return None;
    }
    respond(path, &req.headers, super::REVALIDATE)
}

/// The file, from its brotli or gzip copy when the browser accepts one; 304 when the
/// browser's copy is current.
fn respond(path: &str, headers: &HeaderMap, cache: &'static str) -> Option<Response<Body>> {
    let file = Files::get(path)?;
    // Weak: the same validator for every encoding of the same content.
    let etag = format!("W/\"{}\"", hex::encode(&file.metadata.sha256_hash()[..16]));
    let accept = headers.get(header::ACCEPT_ENCODING).and_then(|v| v.to_str().ok()).unwrap_or("");
    let fresh = headers
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|tags| tags.split(',').any(|tag| tag.trim() == etag || tag.trim() == "*"));
    let mut builder = Response::builder()
        .header(header::ETAG, &etag)
        .header(header::CACHE_CONTROL, cache)
        .header(header::VARY, "accept-encoding");
    if fresh {
        return builder.status(StatusCode::NOT_MODIFIED).body(Body::empty()).ok();
    }
    let copy = [("br", ".br"), ("gzip", ".gz")]
        .into_iter()
        .filter(|(coding, _)| accepts(accept, coding))
        .find_map(|(coding, suffix)| Some((coding, Files::get(&format!("{path}{suffix}"))?)));
    let body = match copy {
        Some((coding, copy)) => {
            builder = builder.header(header::CONTENT_ENCODING, coding);
            copy.data
        }
        None => file.data,
    };
    let body = match body {
        std::borrow::Cow::Borrowed(bytes) => Bytes::from_static(bytes),
        std::borrow::Cow::Owned(bytes) => Bytes::from(bytes),
    };
    let mime = HeaderValue::from_str(file.metadata.mimetype()).ok()?;
    builder.header(header::CONTENT_TYPE, mime).header(header::CONTENT_LENGTH, body.len()).body(Body::from(body)).ok()
}

fn status(code: StatusCode) -> Response<Body> {
    let mut res = Response::new(Body::empty());
    *res.status_mut() = code;
    res
}

/// Whether an Accept-Encoding header accepts `coding` (named, or `*`, with a q above zero).
fn accepts(header: &str, coding: &str) -> bool {
    header.split(',').any(|item| {
        let mut parts = item.split(';');
        let name = parts.next().unwrap_or("").trim();
        let q = parts
            .find_map(|p| p.trim().strip_prefix("q=").map(|q| q.trim().parse::<f32>().unwrap_or(0.0)))
            .unwrap_or(1.0);
        (name.eq_ignore_ascii_case(coding) || name == "*") && q > 0.0
    })
}

#[cfg(test)]
mod tests {
    use super::accepts;

    #[test]
    fn an_encoding_is_accepted_when_named_or_starred_with_a_positive_quality() {
        assert!(accepts("gzip, deflate, br, zstd", "br"));
        assert!(accepts("gzip;q=0.5", "gzip"));
        assert!(accepts("*", "br"));
        assert!(!accepts("gzip", "br"));
        assert!(!accepts("br;q=0, gzip", "br"));
        assert!(!accepts("", "gzip"));
    }
}
