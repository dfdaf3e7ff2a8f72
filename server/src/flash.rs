//! One-shot messages after a plain form post. The error a server function
//! refused with (`__err`) and the notices pages show ("Invitation sent to
//! …") travel to the next page in a short-lived cookie that the server set,
//! never in the URL: a link anyone can write must not put a sentence of
//! theirs on our pages (a phishing aid on our origin).
//!
//! Pages read these values from their URL while rendering (Leptos reads
//! `__err`/`__path` itself), so the middleware takes them out of every page
//! request's URL and puts back only what the flash cookie carried, once.
//! The plain form's redirect is also kept on this site: a Referer naming
//! another origin is never followed.

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use http::{header, HeaderValue, Method, Uri};

use crate::middleware::Web;

const COOKIE: &str = "portcullis_flash";
/// Query parameters that only a flash may carry to a page.
const CARRIED: [&str; 15] = [
    "__err",
    "__path",
    "invited",
    "invitation_code",
    "saved",
    "joined",
    "codes_left",
    "verified",
    "sent",
    "reset",
    "ended",
    "forgotten",
    "notified",
    "connected",
    "disconnected",
];
/// Long enough for the redirect to be followed, short enough to be forgotten.
const MAX_AGE_SECS: u32 = 60;

fn is_server_fn(path: &str) -> bool {
    path.starts_with("/api/") && !path.starts_with("/api/v1/")
}

fn accepts_html(req: &Request) -> bool {
    req.headers().get(header::ACCEPT).and_then(|v| v.to_str().ok()).is_some_and(|a| a.contains("text/html"))
}

fn flash_cookie(req: &Request) -> Option<String> {
    app::server::store::sessions::token_from_headers(req.headers(), COOKIE)
}

fn pairs(query: &str) -> Vec<(String, String)> {
    url::form_urlencoded::parse(query.as_bytes()).into_owned().collect()
}

fn encode(pairs: &[(String, String)]) -> String {
    url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish()
}

/// `query` without the carried parameters, plus the flash's.
fn page_query(query: &str, flash: Option<&str>) -> String {
    let mut kept: Vec<(String, String)> =
        pairs(query).into_iter().filter(|(k, _)| !CARRIED.contains(&k.as_str())).collect();
    if let Some(flash) = flash {
        kept.extend(pairs(flash).into_iter().filter(|(k, _)| CARRIED.contains(&k.as_str())));
    }
    encode(&kept)
}

/// Splits a plain form's redirect into the path it may go to on this site
/// (`/` for another origin's) and the carried parameters, which go into the flash.
fn split_location(location: &str, origin: &str) -> (String, Vec<(String, String)>) {
    let Ok(base) = url::Url::parse(origin) else { return ("/".into(), Vec::new()) };
    let Ok(url) = base.join(location) else { return ("/".into(), Vec::new()) };
    if url.origin() != base.origin() {
        return ("/".into(), Vec::new());
    }
    let (carried, mut kept): (Vec<_>, Vec<_>) =
        url.query_pairs().into_owned().partition(|(k, _)| CARRIED.contains(&k.as_str()));
    // Which form failed stays visible too: the page's script puts back what was typed into it.
    kept.extend(carried.iter().filter(|(k, _)| k == "__path").cloned());
    let path = url.path().to_string();
    let path = if kept.is_empty() { path } else { format!("{path}?{}", encode(&kept)) };
    (path, carried)
}

fn set_cookie(value: &str, max_age: u32, web: Web) -> Option<HeaderValue> {
    let secure = if web.https { "; Secure" } else { "" };
    HeaderValue::from_str(&format!("{COOKIE}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age}{secure}")).ok()
}

/// A flash cookie carrying `pairs` (carried names only) to the next page, for routes that redirect themselves.
pub fn carry(pairs: &[(&str, &str)], https: bool) -> Option<String> {
    let carried: Vec<(String, String)> =
        pairs.iter().filter(|(k, _)| CARRIED.contains(k)).map(|(k, v)| (k.to_string(), v.to_string())).collect();
    set_cookie(&encode(&carried), MAX_AGE_SECS, Web { https })?.to_str().ok().map(str::to_string)
}

pub async fn flash(State(web): State<Web>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let html = accepts_html(&req);
    let plain_post = req.method() == Method::POST && is_server_fn(&path) && html;
    let page = req.method() == Method::GET && html && !is_server_fn(&path);
    let mut consumed = false;
    if page {
        let flash = flash_cookie(&req);
        let query = req.uri().query().unwrap_or("");
        if flash.is_some() || pairs(query).iter().any(|(k, _)| CARRIED.contains(&k.as_str())) {
            let query = page_query(query, flash.as_deref());
            let rewritten = if query.is_empty() { path.clone() } else { format!("{path}?{query}") };
            if let Ok(uri) = rewritten.parse::<Uri>() {
                *req.uri_mut() = uri;
            }
            consumed = flash.is_some();
        }
    }
    let host = req.headers().get(header::HOST).and_then(|v| v.to_str().ok()).unwrap_or("localhost");
    // Our origin as the browser sees it (the cross-site check compares `Origin` the same way).
    let origin = format!("{}://{host}", if web.https { "https" } else { "http" });
    let mut res = next.run(req).await;
    if plain_post {
        let location = res.headers().get(header::LOCATION).and_then(|v| v.to_str().ok()).map(str::to_string);
        if let Some(location) = location {
            let (path, carried) = split_location(&location, &origin);
            if let Ok(value) = HeaderValue::from_str(&path) {
                res.headers_mut().insert(header::LOCATION, value);
            }
            if let Some(cookie) =
                (!carried.is_empty()).then(|| set_cookie(&encode(&carried), MAX_AGE_SECS, web)).flatten()
            {
                res.headers_mut().append(header::SET_COOKIE, cookie);
                return res;
            }
        }
    }
    if consumed {
        if let Some(cookie) = set_cookie("", 0, web) {
            res.headers_mut().append(header::SET_COOKIE, cookie);
        }
    }
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    const OURS: &str = "http://127.0.0.1:3000";

    #[test]
    fn a_page_shows_only_what_the_flash_carried_never_the_urls_words() {
        assert_eq!(
            page_query("filter=enabled&__err=eyJ9&__path=%2Fapi%2Fx&invited=a%40evil.test", None),
            "filter=enabled"
        );
        assert_eq!(page_query("page=2", Some("invited=ann%40example.com&evil=1")), "page=2&invited=ann%40example.com");
    }

    #[test]
    fn a_plain_forms_redirect_stays_on_this_site_and_its_words_go_to_the_flash() {
        let (path, carried) = split_location("/orgs/acme?filter=all&invited=ann%40example.com", OURS);
        assert_eq!(path, "/orgs/acme?filter=all");
        assert_eq!(carried, vec![("invited".to_string(), "ann@example.com".to_string())]);
        let (path, carried) = split_location("http://127.0.0.1:3000/login?__path=%2Fapi%2Flog_in&__err=e30", OURS);
        assert_eq!((path.as_str(), carried.len()), ("/login?__path=%2Fapi%2Flog_in", 2));
        for foreign in ["https://evil.example/login?__err=e30", "//evil.example/x", "http://127.0.0.1:4000/login"] {
            assert_eq!(split_location(foreign, OURS), ("/".to_string(), Vec::new()), "{foreign}");
        }
    }
}
