//! Answers to plain form posts: every page's forms post to server functions
//! (pages are server-rendered; only islands run in the browser), and a plain
//! post wants a page next, where a `fetch` from an island wants the data.

use http::header::{ACCEPT, HOST, REFERER};
use leptos::prelude::use_context;

fn parts() -> Option<http::request::Parts> {
    use_context::<http::request::Parts>()
}

/// Whether the request is a plain form post (it accepts HTML), not a `fetch`.
fn is_plain_form() -> bool {
    parts()
        .and_then(|p| p.headers.get(ACCEPT).and_then(|v| v.to_str().ok()).map(|a| a.contains("text/html")))
        .unwrap_or(false)
}

/// Sends a plain form post on to `path` with a 302; a `fetch` gets the answer
/// and goes on itself.
pub fn redirect_plain_form(path: &str) {
    if is_plain_form() {
        leptos_axum::redirect(path);
    }
}

/// Sends a plain form post that succeeded back to the page it came from, with
/// `name=value` in the query for that page to say what happened (the words
/// stay on the page). The earlier error (`__err`) or notice is dropped; only
/// the referer's path and query are used, so the answer stays on this site.
pub fn back_with_notice(name: &str, value: &str) {
    back_with_notices(&[(name, value)]);
}

/// `back_with_notice` with several values.
pub fn back_with_notices(notices: &[(&str, &str)]) {
    if !is_plain_form() {
        return;
    }
    let Some(parts) = parts() else { return };
    let header = |name| parts.headers.get(name).and_then(|v: &http::HeaderValue| v.to_str().ok());
    let (Some(back), Some(host)) = (header(REFERER), header(HOST)) else { return };
    if let Some(path) = page_with_notice(back, host, notices) {
        leptos_axum::redirect(&path);
    }
}

/// The referer's path and query (it must be on this site: a path, or a URL of
/// this host), without earlier errors or notices, plus `name=value`. The notice
/// itself travels in the flash cookie (see the server's `flash` middleware).
fn page_with_notice(referer: &str, host: &str, notices: &[(&str, &str)]) -> Option<String> {
    let url = match url::Url::parse(referer) {
        // Another site's page (or this path on another host) is not ours to send the browser to.
        Ok(url) if authority(&url) != Some(host.to_ascii_lowercase()) => return None,
        Ok(url) => url,
        Err(_) => url::Url::parse("http://local").and_then(|b| b.join(referer)).ok()?,
    };
    let kept: Vec<(String, String)> = url
        .query_pairs()
        .filter(|(k, _)| k != "__err" && k != "__path" && !notices.iter().any(|(name, _)| k == name))
        .map(|(k, v)| (k.into_owned(), v.into_owned()))
        .collect();
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.extend_pairs(kept);
    query.extend_pairs(notices);
    let path = crate::applications::local_path(url.path())?;
    Some(format!("{path}?{}", query.finish()))
}

/// `host[:port]` as a `Host` header names it.
fn authority(url: &url::Url) -> Option<String> {
    let host = url.host_str()?;
    Some(match url.port() {
        Some(port) => format!("{host}:{port}"),
        None => host.to_string(),
    })
}

#[cfg(test)]
mod tests {
    use super::page_with_notice;

    #[test]
    fn the_notice_replaces_an_earlier_error_and_notice_and_keeps_the_rest() {
        assert_eq!(
            page_with_notice(
                "http://127.0.0.1:3000/orgs/acme?filter=enabled&__err=x&__path=%2Fapi%2Fa&saved=old",
                "127.0.0.1:3000",
                &[("saved", "1")]
            ),
            Some("/orgs/acme?filter=enabled&saved=1".to_string())
        );
        assert_eq!(
            page_with_notice("/orgs/acme/settings", "127.0.0.1:3000", &[("saved", "api access")]),
            Some("/orgs/acme/settings?saved=api+access".to_string())
        );
    }

    #[test]
    fn only_the_path_of_a_same_origin_referer_is_used() {
        assert_eq!(page_with_notice("https://evil.example/orgs/acme", "id.example.com", &[("saved", "1")]), None);
        assert_eq!(page_with_notice("http://id.example.com:8080/orgs/acme", "id.example.com", &[("saved", "1")]), None);
        assert_eq!(
            page_with_notice("https://id.example.com/orgs/acme", "id.example.com", &[("saved", "1")]),
            Some("/orgs/acme?saved=1".to_string())
        );
    }
}
