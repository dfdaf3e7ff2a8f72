#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests per crate and feature, a
# wasm32 check of the browser crate, then Playwright in Chromium against a
# freshly built site on a throwaway database.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
scripts/bootstrap.sh

step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

step "unit tests: app (ssr)"
cargo test -p app --features ssr
step "integration tests: server"
cargo test -p server
step "wasm32 check: frontend"
cargo check -p frontend --target wasm32-unknown-unknown

step "build the site"
cargo leptos build

step "Playwright end-to-end tests (Chromium)"
DATA_DIR="$(mktemp -d)"
PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
LEPTOS_SITE_ROOT="$SITE_ROOT" PORTCULLIS_DATA_DIR="$DATA_DIR" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" \
  RUST_LOG=warn "$CARGO_TARGET_DIR/debug/portcullis" > "$DATA_DIR/server.log" 2>&1 &
SERVER_PID=$!
cleanup() { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; rm -rf "$DATA_DIR"; }
trap cleanup EXIT
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA_DIR/server.log"; echo "the server did not start"; exit 1; }
  sleep 0.1
done
if ! (cd end2end && PORTCULLIS_URL="http://127.0.0.1:$PORT" npx playwright test); then
  echo "--- server log ---"; tail -50 "$DATA_DIR/server.log"; exit 1
fi
