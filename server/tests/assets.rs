//! `/pkg`: hashed names cached for a year, precompressed variants as the
//! browser accepts them, revalidation without hashes, and the pages naming
//! the hashed stylesheet.

mod common;

use common::{Backend, TestServer};
use reqwest::header::{ACCEPT_ENCODING, CACHE_CONTROL, CONTENT_ENCODING, VARY};
use reqwest::StatusCode;

/// A scratch site root, removed afterwards.
struct Site(std::path::PathBuf);

impl Site {
    fn new(name: &str) -> Self {
        let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("portcullis-site-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn path(&self) -> &std::path::Path {
        &self.0
    }
}

impl Drop for Site {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A site as `cargo leptos build --precompress` with `hash-files` leaves it,
/// each variant with a body that tells which one was served.
fn hashed_site(root: &std::path::Path) -> std::path::PathBuf {
    let pkg = root.join("pkg");
    std::fs::create_dir_all(&pkg).unwrap();
    for (name, body) in [
        ("portcullis.Css9_x.css", "plain css"),
        ("portcullis.Css9_x.css.gz", "gzip css"),
        ("portcullis.Css9_x.css.br", "brotli css"),
        ("portcullis.Wq1-z.wasm", "plain wasm"),
    ] {
        std::fs::write(pkg.join(name), body).unwrap();
    }
    let hash_file = root.join("hash.txt");
    std::fs::write(&hash_file, "js: Js7\nwasm: Wq1-z\ncss: Css9_x\n").unwrap();
    hash_file
}

#[tokio::test]
async fn hashed_files_are_immutable_and_served_precompressed() {
    let mut server = TestServer::start(Backend::Sqlite).await;
    let site = Site::new("hashed");
    let hash_file = hashed_site(site.path());
    server
        .restart(&[
            ("LEPTOS_SITE_ROOT", site.path().to_str().unwrap()),
            ("LEPTOS_HASH_FILE_NAME", hash_file.to_str().unwrap()),
        ])
        .await;
    let http = reqwest::Client::new();
    let css = format!("{}/pkg/portcullis.Css9_x.css", server.base);

    for (accepts, encoding, body) in
        [("br, gzip", Some("br"), "brotli css"), ("gzip", Some("gzip"), "gzip css"), ("identity", None, "plain css")]
    {
        let res = http.get(&css).header(ACCEPT_ENCODING, accepts).send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK);
        assert_eq!(res.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable");
        assert!(res.headers().get_all(VARY).iter().any(|v| v == "accept-encoding"), "Vary: accept-encoding");
        assert_eq!(res.headers().get(CONTENT_ENCODING).map(|v| v.to_str().unwrap()), encoding, "{accepts}");
        assert_eq!(res.text().await.unwrap(), body);
    }
    // No variant on disk: the file itself, still immutable.
    let wasm = http
        .get(format!("{}/pkg/portcullis.Wq1-z.wasm", server.base))
        .header(ACCEPT_ENCODING, "br")
        .send()
        .await
        .unwrap();
    assert_eq!(
        (wasm.headers().get(CONTENT_ENCODING), wasm.headers()[CACHE_CONTROL].to_str().unwrap()),
        (None, "public, max-age=31536000, immutable")
    );
    // A missing file is not cached for a year.
    let missing = http.get(format!("{}/pkg/portcullis.Old.css", server.base)).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert_ne!(
        missing.headers().get(CACHE_CONTROL).map(|v| v.to_str().unwrap()),
        Some("public, max-age=31536000, immutable")
    );

    // Pages name the hashed stylesheet, and stay uncacheable.
    let page = http.get(format!("{}/login", server.base)).send().await.unwrap();
    assert_eq!(page.headers()[CACHE_CONTROL], "no-store");
    assert!(page.text().await.unwrap().contains("href=\"/pkg/portcullis.Css9_x.css\""));
}

#[tokio::test]
async fn without_hashed_names_the_browser_revalidates() {
    let mut server = TestServer::start(Backend::Sqlite).await;
    let site = Site::new("plain");
    std::fs::create_dir_all(site.path().join("pkg")).unwrap();
    std::fs::write(site.path().join("pkg/portcullis.css"), "plain css").unwrap();
    let no_hash_file = site.path().join("absent-hash.txt");
    server
        .restart(&[
            ("LEPTOS_SITE_ROOT", site.path().to_str().unwrap()),
            ("LEPTOS_HASH_FILE_NAME", no_hash_file.to_str().unwrap()),
        ])
        .await;
    let res = reqwest::get(format!("{}/pkg/portcullis.css", server.base)).await.unwrap();
    assert_eq!((res.status(), res.headers()[CACHE_CONTROL].to_str().unwrap()), (StatusCode::OK, "no-cache"));
    let page = reqwest::get(format!("{}/login", server.base)).await.unwrap().text().await.unwrap();
    assert!(page.contains("href=\"/pkg/portcullis.css\""));
}

/// The binary as shipped: copied alone into an empty folder and started there, it
/// serves its pages, the wasm, js and css they name (brotli, immutable) and the
/// public files (revalidated with an ETag) from the site built into it.
#[tokio::test]
async fn the_binary_runs_from_an_empty_folder_with_its_site_built_in() {
    if option_env!("PORTCULLIS_EMBED_SITE").is_none() {
        eprintln!("skipped: this build has no site built in (scripts/test.sh sets PORTCULLIS_EMBED_SITE)");
        return;
    }
    let folder = Site::new("alone");
    let binary = folder.path().join("portcullis");
    std::fs::copy(env!("CARGO_BIN_EXE_portcullis"), &binary).unwrap();
    assert_eq!(std::fs::read_dir(folder.path()).unwrap().count(), 1, "nothing but the binary");
    let port = common::free_port();
    let mut child = std::process::Command::new(&binary)
        .env_clear()
        .current_dir(folder.path())
        .env("PORTCULLIS_DATA_DIR", folder.path().join("data"))
        .env("PORTCULLIS_ADDR", format!("127.0.0.1:{port}"))
        .env("RUST_LOG", "warn")
        .stdout(std::process::Stdio::null())
        .spawn()
        .unwrap();
    let base = format!("http://127.0.0.1:{port}");
    let http = reqwest::Client::builder().no_gzip().no_brotli().build().unwrap();
    let mut page = None;
    for _ in 0..300 {
        if let Ok(res) = http.get(format!("{base}/login")).send().await {
            page = Some(res.text().await.unwrap());
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let page = page.expect("the server answers");
    let named = |ext: &str| {
        let at = page.find(&format!(".{ext}\"")).unwrap_or_else(|| panic!("the page names a .{ext}"));
        let start = page[..at].rfind("\"/pkg/portcullis.").expect("a hashed name") + 1;
        page[start..at + ext.len() + 1].to_string()
    };
    for (path, kind) in [(named("wasm"), "application/wasm"), (named("js"), "javascript"), (named("css"), "text/css")] {
        let res = http.get(format!("{base}{path}")).header(ACCEPT_ENCODING, "gzip, deflate, br").send().await.unwrap();
        assert_eq!(res.status(), StatusCode::OK, "{path}");
        assert_eq!(res.headers()[CONTENT_ENCODING], "br", "{path}");
        assert_eq!(res.headers()[CACHE_CONTROL], "public, max-age=31536000, immutable", "{path}");
        assert!(res.headers()["content-type"].to_str().unwrap().contains(kind), "{path}");
        assert!(!res.bytes().await.unwrap().is_empty());
    }
    // Without brotli or gzip: the file itself (the wasm's magic number).
    let wasm = http.get(format!("{base}{}", named("wasm"))).send().await.unwrap();
    assert_eq!(wasm.headers().get(CONTENT_ENCODING), None);
    assert_eq!(&wasm.bytes().await.unwrap()[..4], b"\0asm");
    // A public file is revalidated: its ETag answers 304.
    let icon = http.get(format!("{base}/favicon.svg")).send().await.unwrap();
    assert_eq!((icon.status(), icon.headers()[CACHE_CONTROL].to_str().unwrap()), (StatusCode::OK, "no-cache"));
    let etag = icon.headers()["etag"].clone();
    let again = http.get(format!("{base}/favicon.svg")).header("if-none-match", etag).send().await.unwrap();
    assert_eq!(again.status(), StatusCode::NOT_MODIFIED);
    // Anything else is the app's 404 page.
    let missing = http.get(format!("{base}/pkg/portcullis.Old.wasm")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    let missing = http.get(format!("{base}/no-such-page")).send().await.unwrap();
    assert_eq!(missing.status(), StatusCode::NOT_FOUND);
    assert!(missing.text().await.unwrap().contains("<main"));
    let _ = child.kill();
    let _ = child.wait();
}
