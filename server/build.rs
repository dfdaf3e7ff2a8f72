//! Embeds the built site in the binary when `PORTCULLIS_EMBED_SITE` names its folder
//! (wasm, js, css, public files and their brotli and gzip copies, from
//! `cargo leptos build --release --precompress --frontend-only`), with the hash file
//! that names the js, wasm and css. Then `portcullis` runs with nothing beside it.
//! Without it, nothing is embedded and the server serves a folder (`--site-root`),
//! as `cargo leptos watch` wants.

use std::path::{Path, PathBuf};
use std::{env, fs};

fn main() {
    println!("cargo:rerun-if-env-changed=PORTCULLIS_EMBED_SITE");
    println!("cargo:rerun-if-env-changed=PORTCULLIS_EMBED_HASHES");
    let out = PathBuf::from(env::var_os("OUT_DIR").unwrap_or_else(|| fail("cargo sets OUT_DIR")));
    let site = env::var("PORTCULLIS_EMBED_SITE").ok().filter(|s| !s.trim().is_empty());
    let built_in = if site.is_some() { "embedded" } else { "not embedded: it serves --site-root" };
    println!("cargo:rustc-env=PORTCULLIS_SITE_BUILT_IN={built_in}");
    let (folder, hashes) = match site {
        Some(site) => embed(Path::new(&site), &out),
        None => {
            // rust-embed needs a folder: an empty one embeds nothing.
            let empty = out.join("no-site");
            fs::create_dir_all(&empty).unwrap_or_else(|e| fail(&format!("{}: {e}", empty.display())));
            (empty, String::new())
        }
    };
    let hash_copy = out.join("site-hashes.txt");
    fs::write(&hash_copy, hashes).unwrap_or_else(|e| fail(&format!("{}: {e}", hash_copy.display())));
    println!("cargo:rustc-env=PORTCULLIS_SITE_FOLDER={}", folder.display());
}

fn embed(site: &Path, out: &Path) -> (PathBuf, String) {
    let site = site.canonicalize().unwrap_or_else(|e| fail(&format!("PORTCULLIS_EMBED_SITE={}: {e}", site.display())));
    if !site.join("pkg").is_dir() {
        fail(&format!(
            "PORTCULLIS_EMBED_SITE={}: no pkg folder in it: build the site first \
             (cargo leptos build --release --precompress --frontend-only)",
            site.display()
        ));
    }
    // cargo-leptos writes the hash file next to the release binary: <target>/release/hash.txt,
    // and OUT_DIR is <target>/<profile>/build/server-…/out.
    let hash_file = env::var_os("PORTCULLIS_EMBED_HASHES").map(PathBuf::from).unwrap_or_else(|| {
        out.ancestors().nth(4).map(|target| target.join("release").join("hash.txt")).unwrap_or_default()
    });
    let hashes = fs::read_to_string(&hash_file).unwrap_or_else(|e| {
        fail(&format!("the site's hash file {} (PORTCULLIS_EMBED_HASHES): {e}", hash_file.display()))
    });
    // A changed or added file means a new build: cargo scans a folder named here.
    println!("cargo:rerun-if-changed={}", site.display());
    println!("cargo:rerun-if-changed={}", hash_file.display());
    (site, hashes)
}

fn fail(message: &str) -> ! {
    eprintln!("error: {message}");
    std::process::exit(1)
}
