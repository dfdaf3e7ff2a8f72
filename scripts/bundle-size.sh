#!/usr/bin/env bash
# Prints the size of the browser bundle a release build ships (the hydrate wasm: raw, gzip -9 and
# the brotli file that is served) and fails when gzip exceeds the budget. Run after
# `cargo leptos build --release --precompress` (scripts/test.sh does).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# The budget, in bytes of gzip -9: half of what the fully hydrated app shipped (578,994).
WASM_GZIP_BUDGET=290000

PKG="$ROOT/target/site/pkg"
shopt -s nullglob
wasm=("$PKG"/*.wasm)
[ "${#wasm[@]}" -eq 1 ] || { echo "expected one .wasm in $PKG, found ${#wasm[@]}: build the release site first" >&2; exit 1; }
file="${wasm[0]}"
raw=$(stat -c %s "$file")
gz=$(gzip -9 -c "$file" | wc -c)
br="(no .br: build with --precompress)"
[ -f "$file.br" ] && br=$(stat -c %s "$file.br")
printf 'wasm %s: raw %s bytes, gzip -9 %s bytes, brotli %s bytes (budget: %s bytes gzip)\n' \
  "$(basename "$file")" "$raw" "$gz" "$br" "$WASM_GZIP_BUDGET"
if [ "$gz" -gt "$WASM_GZIP_BUDGET" ]; then
  echo "the browser bundle is over its budget by $((gz - WASM_GZIP_BUDGET)) bytes (gzip): make an island smaller, or move work to the server" >&2
  exit 1
fi
