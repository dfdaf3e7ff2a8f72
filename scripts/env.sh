# Sourced by the scripts: where caches live, so fresh clones (CI) reuse builds.
CACHE="${PORTCULLIS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portcullis}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
export PATH="$HOME/.cargo/bin:$CACHE/tools/node_modules/.bin:$PATH"
# cargo-leptos places the site under the target dir.
SITE_ROOT="$CARGO_TARGET_DIR/site"
