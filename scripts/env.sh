# Sourced by the scripts: where caches live, so fresh clones (CI) reuse builds.
CACHE="${PORTCULLIS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portcullis}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$CACHE/target}"
export PATH="$HOME/.cargo/bin:$CACHE/tools/node_modules/.bin:$PATH"
# cargo-leptos writes the site (wasm, js, css, public/) to target/site in the checkout.
SITE_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)/target/site"

# The benchmarks' load generator: Debian's wrk, installed on first use.
need_wrk() {
  command -v wrk >/dev/null && return 0
  printf '[bench] installing wrk (Debian)\n' >&2
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; } \
    || { echo "wrk is missing and could not be installed: apt-get install wrk" >&2; exit 1; }
}
