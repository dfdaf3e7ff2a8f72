//! The names of the site's static files. With `hash-files` (cargo-leptos)
//! the js, wasm and css in `/pkg` carry a hash of their content in their
//! names, listed in a hash file next to the server binary: a name never
//! changes meaning, so browsers may keep the files for a year, and a new
//! release is fetched at once because its names are new.

use std::sync::OnceLock;

/// `css: <hash>` from the hash file, read once at start.
static CSS_HASH: OnceLock<Option<String>> = OnceLock::new();

/// Reads the hash file's `css` line; without one the plain name is used.
pub fn init(hash_file: Option<&std::path::Path>) {
    let hash = hash_file.and_then(|path| std::fs::read_to_string(path).ok()).and_then(|text| css_hash(&text));
    let _ = CSS_HASH.set(hash);
}

fn css_hash(hash_file: &str) -> Option<String> {
    hash_file.lines().find_map(|line| {
        let (kind, hash) = line.split_once(':')?;
        let hash = hash.trim();
        let safe = !hash.is_empty() && hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        (kind.trim() == "css" && safe).then(|| hash.to_string())
    })
}

/// The stylesheet's address, e.g. `/pkg/portcullis.Xq9….css`.
pub fn stylesheet() -> String {
    match CSS_HASH.get().and_then(Option::as_deref) {
        Some(hash) => format!("/pkg/portcullis.{hash}.css"),
        None => "/pkg/portcullis.css".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::css_hash;

    #[test]
    fn the_css_line_of_a_hash_file_names_the_stylesheet() {
        let file = "js: AbC_1-x\nwasm: Zz9\ncss: q8Uk-3_f\n";
        assert_eq!(css_hash(file).as_deref(), Some("q8Uk-3_f"));
    }

    #[test]
    fn a_hash_file_without_a_usable_css_line_means_the_plain_name() {
        assert_eq!(css_hash("js: a\nwasm: b\n"), None);
        assert_eq!(css_hash("css: ../evil\n"), None);
        assert_eq!(css_hash("css: \n"), None);
    }
}
