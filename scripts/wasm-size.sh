#!/usr/bin/env bash
# Prints "<file> <raw> <gzip -9> <brotli>" (bytes) for the one hydrate wasm in a site's pkg
# directory (default: Portcullis's); brotli is the served .br file, "-" without --precompress.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PKG="${1:-$ROOT/target/site/pkg}"
shopt -s nullglob
wasm=("$PKG"/*.wasm)
[ "${#wasm[@]}" -eq 1 ] || { echo "expected one .wasm in $PKG, found ${#wasm[@]}: build the release site first" >&2; exit 1; }
file="${wasm[0]}"
br="-"
[ -f "$file.br" ] && br=$(stat -c %s "$file.br")
echo "$(basename "$file") $(stat -c %s "$file") $(gzip -9 -c "$file" | wc -c) $br"
