//! The site's static files: `/pkg` (the wasm bundle, its JavaScript glue, the
//! stylesheet) and the public files (`/favicon.svg`, `/webauthn.js`, …).
//!
//! A release build embeds them (server/build.rs): the binary then needs nothing
//! beside it. `--site-root` serves a folder instead, as `cargo leptos watch` wants.
//! Either way they are served as the browser accepts them, from brotli or gzip
//! copies made at build time (`--precompress`), never compressed on the fly; hashed
//! names in `/pkg` never change meaning, so they are cached for a year
//! (`immutable`), and everything else is revalidated, so an upgrade never runs a
//! stale bundle.

mod embedded;
mod folder;

use std::path::{Path, PathBuf};

use axum::body::Body;
use axum::Router;
use http::request::Parts;
use http::Response;

pub(crate) const IMMUTABLE: &str = "public, max-age=31536000, immutable";
pub(crate) const REVALIDATE: &str = "no-cache";

/// Marks a response as one of the site's public files, which may be cached
/// (revalidated), unlike pages (middleware::security_headers).
#[derive(Clone, Copy, Debug)]
pub struct SiteFile;

/// Where the site's files come from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Site {
    /// Built into this binary.
    Embedded,
    /// A folder on disk (`--site-root`), with the hash file next to the binary.
    Folder(PathBuf),
}

impl Site {
    /// A folder named by the operator wins; then the embedded site; then
    /// `target/site`, where cargo-leptos builds it.
    pub fn choose(site_root: Option<&Path>) -> Site {
        match site_root {
            Some(folder) => Site::Folder(folder.to_path_buf()),
            None if embedded::present() => Site::Embedded,
            None => Site::Folder(PathBuf::from("target/site")),
        }
    }

    /// The hash file's text (`js: …`, `wasm: …`, `css: …`), when the names are hashed.
    pub fn hashes(&self, hash_file_name: &str) -> Option<String> {
        match self {
            Site::Embedded => embedded::hashes().map(str::to_string),
            Site::Folder(_) => {
                let exe = std::env::current_exe().ok()?;
                std::fs::read_to_string(exe.parent()?.join(hash_file_name)).ok()
            }
        }
    }

    /// The folder Leptos is told about. An embedded site has none: a path no file can be in.
    pub fn root(&self) -> String {
        match self {
            Site::Embedded => "/nonexistent/portcullis-site".to_string(),
            Site::Folder(folder) => folder.display().to_string(),
        }
    }

    /// `/pkg`, nested by the router.
    pub fn pkg<S: Clone + Send + Sync + 'static>(&self, hashed: bool) -> Router<S> {
        let cache = if hashed { IMMUTABLE } else { REVALIDATE };
        match self {
            Site::Embedded => embedded::pkg(cache),
            Site::Folder(folder) => folder::pkg(&folder.join("pkg"), cache),
        }
    }

    /// A public file (`/favicon.svg`) for a GET or HEAD, or None: the app renders the page.
    pub async fn public_file(&self, req: &Parts) -> Option<Response<Body>> {
        if !matches!(req.method, http::Method::GET | http::Method::HEAD) {
            return None;
        }
        let mut file = match self {
            Site::Embedded => embedded::public_file(req),
            Site::Folder(folder) => folder::public_file(folder, req).await,
        }?;
        file.extensions_mut().insert(SiteFile);
        Some(file)
    }
}

#[cfg(test)]
mod tests {
    use super::Site;
    use std::path::{Path, PathBuf};

    #[test]
    fn a_folder_the_operator_names_wins_over_the_embedded_site() {
        assert_eq!(Site::choose(Some(Path::new("/srv/site"))), Site::Folder(PathBuf::from("/srv/site")));
    }
}
