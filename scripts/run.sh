#!/usr/bin/env bash
# Builds Portcullis (release) and serves it at http://127.0.0.1:3000 with SQLite in ./data.
# Extra arguments go to the server: `scripts/run.sh demo`, `scripts/run.sh --help`.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
scripts/bootstrap.sh run
echo "[run] building (release; the first build takes a while)"
scripts/build.sh
# Security keys, passkeys and OpenID Connect need a public URL with a domain name:
# where this server listens, unless you say otherwise.
if [ -z "${PORTCULLIS_PUBLIC_URL:-}" ] && [ -z "${PORTCULLIS_ADDR:-}" ] && [ -z "${LEPTOS_SITE_ADDR:-}" ]; then
  export PORTCULLIS_PUBLIC_URL="http://localhost:3000"
  echo "[run] open http://localhost:3000 (PORTCULLIS_PUBLIC_URL; set it yourself to change it)"
fi
exec "$CARGO_TARGET_DIR/release/portcullis" "$@"
