//! The names of the site's js, wasm and css, and the tags that load them.
//!
//! With `hash-files` (cargo-leptos) the files in `/pkg` carry a hash of their
//! content in their names, listed in a hash file (built into the binary, or next
//! to it): a name never changes meaning, so browsers may keep the files for a
//! year, and a new release is fetched at once because its names are new. The
//! names are read once at start, not at every page as Leptos's own
//! `HydrationScripts` does.

use std::sync::OnceLock;

use leptos::prelude::*;

/// The file names in /pkg without their extensions, e.g. `portcullis.Xq9…`.
#[derive(Debug, PartialEq, Eq)]
struct Names {
    js: String,
    wasm: String,
    css: String,
}

static NAMES: OnceLock<Names> = OnceLock::new();

const OUTPUT_NAME: &str = "portcullis";

/// Reads the hash file's text (`js: …`, `wasm: …`, `css: …`); without one the plain names are used.
pub fn init(hash_file: Option<&str>) {
    let _ = NAMES.set(names(hash_file.unwrap_or("")));
}

fn names(hash_file: &str) -> Names {
    let named = |kind: &str| match hash_of(hash_file, kind) {
        Some(hash) => format!("{OUTPUT_NAME}.{hash}"),
        None => OUTPUT_NAME.to_string(),
    };
    Names { js: named("js"), wasm: named("wasm"), css: named("css") }
}

fn hash_of(hash_file: &str, wanted: &str) -> Option<String> {
    hash_file.lines().find_map(|line| {
        let (kind, hash) = line.split_once(':')?;
        let hash = hash.trim();
        let safe = !hash.is_empty() && hash.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
        (kind.trim() == wanted && safe).then(|| hash.to_string())
    })
}

fn current() -> &'static Names {
    NAMES.get_or_init(|| names(""))
}

/// The stylesheet's address, e.g. `/pkg/portcullis.Xq9….css`.
pub fn stylesheet() -> String {
    format!("/pkg/{}.css", current().css)
}

/// Loads the wasm, then hydrates each island (`<leptos-island data-component>`)
/// in document order, outer before inner, as Leptos's islands mode expects: an
/// island inside another's `<leptos-children>` first runs the callback that
/// element carries. Publishes `__hydrateIsland` for islands that arrive later
/// (public/navigate.js).
const ISLANDS: &str = r#"((js, wasm) => {
  const callbacks = [];
  async function hydrateIsland(element, name, mod) {
    const hydrate = mod[name];
    if (!hydrate) return console.warn(`Could not find WASM function for the island ${name}.`);
    const pending = callbacks[callbacks.length - 1];
    if (pending) pending();
    await hydrate(element);
  }
  async function walk(node, mod) {
    if (node.nodeType !== Node.ELEMENT_NODE) return;
    const tag = node.tagName.toLowerCase();
    if (tag === "leptos-island") await hydrateIsland(node, node.dataset.component || null, mod);
    if (tag === "leptos-children") callbacks.push(node.$$on_hydrate);
    for (const child of node.children) await walk(child, mod);
    if (tag === "leptos-children") callbacks.pop();
  }
  const start = () => import(js).then((mod) => {
    mod.default({ module_or_path: wasm }).then(() => {
      mod.hydrate();
      walk(document.body, mod);
    });
    window.__hydrateIsland = (element, name) => hydrateIsland(element, name, mod);
  });
  if ("requestIdleCallback" in window) window.requestIdleCallback(start);
  else start();
})"#;

/// Preloads the js and wasm and starts the islands, with this response's CSP nonce.
#[component]
pub fn SiteScripts() -> impl IntoView {
    // Islands mode: the server renders no hydration markers outside islands.
    if let Some(context) = Owner::current_shared_context() {
        context.set_is_hydrating(false);
    }
    let names = current();
    let js = format!("/pkg/{}.js", names.js);
    let wasm = format!("/pkg/{}.wasm", names.wasm);
    let start = format!("{ISLANDS}({js:?}, {wasm:?});");
    view! {
        <link rel="modulepreload" href=js crossorigin="anonymous" />
        <link rel="preload" href=wasm r#as="fetch" r#type="application/wasm" crossorigin="anonymous" />
        <script type="module" nonce=use_nonce()>
            {start}
        </script>
    }
}

#[cfg(test)]
mod tests {
    use super::{names, Names};

    #[test]
    fn each_line_of_a_hash_file_names_its_file() {
        let file = "js: AbC_1-x\nwasm: Zz9\ncss: q8Uk-3_f\n";
        let expected =
            Names { js: "portcullis.AbC_1-x".into(), wasm: "portcullis.Zz9".into(), css: "portcullis.q8Uk-3_f".into() };
        assert_eq!(names(file), expected);
    }

    #[test]
    fn a_missing_or_unusable_line_means_the_plain_name() {
        let names = names("js: a\ncss: ../evil\nwasm: \n");
        assert_eq!(
            (names.js.as_str(), names.wasm.as_str(), names.css.as_str()),
            ("portcullis.a", "portcullis", "portcullis")
        );
    }
}
