#!/usr/bin/env bash
# Builds Portcullis (release) and serves it at http://127.0.0.1:3000 with SQLite in ./data.
# Extra arguments go to the server: `scripts/run.sh demo`, `scripts/run.sh --help`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
scripts/bootstrap.sh
echo "[run] building (release; the first build takes a while)"
cargo leptos build --release --precompress
export LEPTOS_SITE_ROOT="$SITE_ROOT"
exec "$CARGO_TARGET_DIR/release/portcullis" "$@"
