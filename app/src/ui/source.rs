//! The "Source" link every page carries: the AGPL (section 13) asks that
//! people using Portcullis over a network can get its source. An operator who
//! runs a modified version points it at theirs (`--source-url`).

use std::sync::OnceLock;

/// The project's own repository (the workspace's `repository`).
pub const DEFAULT: &str = env!("CARGO_PKG_REPOSITORY");

static SOURCE_URL: OnceLock<String> = OnceLock::new();

/// Set once at start; `None` keeps the project's own.
pub fn init(url: Option<&str>) {
    let _ = SOURCE_URL.set(url.unwrap_or(DEFAULT).to_string());
}

pub fn url() -> &'static str {
    SOURCE_URL.get().map_or(DEFAULT, String::as_str)
}

/// Only an http(s) URL is a link worth showing (checked at start).
#[cfg(feature = "ssr")]
pub fn valid(url: &str) -> bool {
    url::Url::parse(url).is_ok_and(|u| matches!(u.scheme(), "https" | "http") && u.host().is_some())
}

#[cfg(all(test, feature = "ssr"))]
mod tests {
    use super::*;

    #[test]
    fn the_source_link_is_an_http_url() {
        assert!(valid(DEFAULT), "the workspace's repository is a URL");
        assert!(valid("https://git.example.com/ops/portcullis-fork"));
        assert!(!valid("javascript:alert(1)"));
        assert!(!valid("/relative"));
    }
}
