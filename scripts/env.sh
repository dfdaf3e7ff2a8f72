# Sourced by the scripts: where caches live, so fresh clones (CI) reuse builds.
CACHE="${PORTCULLIS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portcullis}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
export PATH="$HOME/.cargo/bin:$CACHE/tools/node_modules/.bin:$PATH"
# cargo-leptos writes the site (wasm, js, css, public/) to target/site in the checkout.
SITE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/site"
