#!/usr/bin/env bash
# Builds what users get, with plain cargo, wasm-bindgen and wasm-opt (no cargo-leptos, whose own
# build takes longer than Portcullis's: it stays for `cargo leptos watch`):
#
#   scripts/build.sh site   # the site in target/site: the release wasm through wasm-opt, its
#                           # JavaScript glue, the stylesheet and public/, hashed names, and
#                           # brotli and gzip copies; the names in $CARGO_TARGET_DIR/release/hash.txt
#   scripts/build.sh        # that site, then $CARGO_TARGET_DIR/release/portcullis with it built in
#                           # (server/build.rs): the binary runs with nothing beside it
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
say() { printf '\033[1;34m[build]\033[0m %s\n' "$*"; }
WHAT="${1:-all}"
case "$WHAT" in site | all) ;; *) echo "usage: $0 [site]" >&2; exit 2 ;; esac

NAME=portcullis
FRONT_TARGET="$CARGO_TARGET_DIR/front"
HASH_FILE="$CARGO_TARGET_DIR/release/hash.txt"

say "the browser's wasm (release, profile wasm-release)"
cargo build --package=frontend --lib --target=wasm32-unknown-unknown --no-default-features \
  --profile=wasm-release --target-dir="$FRONT_TARGET"
OUT="$(mktemp -d)"
trap 'rm -rf "$OUT"' EXIT
wasm-bindgen --target=web --out-name="$NAME" --out-dir="$OUT" \
  "$FRONT_TARGET/wasm32-unknown-unknown/wasm-release/frontend.wasm"
say "wasm-opt -Oz"
wasm-opt -Oz --enable-bulk-memory --enable-nontrapping-float-to-int "$OUT/${NAME}_bg.wasm" -o "$OUT/$NAME.wasm"

say "the site in $SITE_ROOT (hashed names, brotli and gzip copies)"
node scripts/pack-site.mjs "$OUT" "$SITE_ROOT" "$HASH_FILE"

[ "$WHAT" = all ] || exit 0
say "the server (release), with the site built in"
PORTCULLIS_EMBED_SITE="$SITE_ROOT" PORTCULLIS_EMBED_HASHES="$HASH_FILE" \
  cargo build --release --package=server --bin=portcullis --no-default-features
say "built $CARGO_TARGET_DIR/release/portcullis ($(du -h "$CARGO_TARGET_DIR/release/portcullis" | cut -f1))"
