#!/usr/bin/env bash
# Runs every test: Rust unit and integration tests per crate and feature, a
# wasm32 check of the browser crate, the release bundle's size budget, then
# Playwright in Chromium against the release site on a throwaway database, on
# SQLite and on PostgreSQL.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
scripts/bootstrap.sh
# A CI checkout is new each time: incremental caches would never be reused, only fill the disk.
if [ "${CI:-}" = "true" ]; then export CARGO_INCREMENTAL=0; fi

step() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }

step "formatting (rustfmt.toml, leptosfmt.toml for view! macros) and lints (workspace lints, clippy -D warnings)"
cargo fmt --all --check
# leptosfmt exits 1 on a diff, but a file it cannot parse only gets a ❌ line: fail on both.
if ! VIEW_CHECK="$(leptosfmt --check app frontend server 2>&1)" || grep -q '❌' <<<"$VIEW_CHECK"; then
  printf '%s\n' "$VIEW_CHECK" | grep -v '^✅' >&2 || true
  echo "leptosfmt: view! macros not formatted (or a file it cannot parse): run 'leptosfmt app frontend server && cargo fmt --all'" >&2
  exit 1
fi
cargo clippy -p app --features ssr --lib -- -D warnings
cargo clippy -p server --bins --examples -- -D warnings
# Imports run one way: no circles between files, no import from a lower layer to a higher one.
python3 scripts/check-layers.py

step "unit tests: app (ssr)"
cargo test -p app --features ssr
step "wasm32: frontend and app (hydrate), with clippy"
cargo clippy -p frontend --target wasm32-unknown-unknown -- -D warnings

step "build the site as users get it (release wasm through wasm-opt, hashed, precompressed) and check its size"
scripts/build.sh site
scripts/bundle-size.sh
# From here on the server binaries have that site built in (server/build.rs), as the release one
# scripts/build.sh makes: they run from any folder with nothing beside them. The Playwright walks
# below run the debug server the integration tests build (target/debug/portcullis).
export PORTCULLIS_EMBED_SITE="$SITE_ROOT" PORTCULLIS_EMBED_HASHES="$CARGO_TARGET_DIR/release/hash.txt"

step "integration tests: server (each on SQLite and on PostgreSQL)"
cargo test -p server
step "REST API fuzzing against its OpenAPI document (Schemathesis, short run)"
PORTCULLIS_BIN="$CARGO_TARGET_DIR/debug/portcullis" scripts/fuzz-api.sh --max-time 45 --max-examples 15

# Playwright against a debug server on a throwaway database: $1 names the
# backend, $2 is a DATABASE_URL (empty: SQLite in the temp data dir); $3, the
# host name the browser uses (default 127.0.0.1), and further arguments go to
# Playwright. WebAuthn needs a domain name: webauthn.spec.ts runs at localhost.
run_e2e() {
  local HOST="${3:-127.0.0.1}"
  step "Playwright end-to-end tests (Chromium, $1, $HOST${4:+, $4})"
  DATA_DIR="$(mktemp -d)"
  PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  # The loopback is trusted as a proxy so that the tests can sign accounts up "from" many addresses.
  # The server is its own OpenID Connect issuer: openid-client signs in through it.
  # Mail goes to a small SMTP server of the tests' own over the loopback; the tests read the files it writes.
  MAIL_DIR="$DATA_DIR/mail"
  node end2end/mail-sink.mjs "$MAIL_DIR" > "$DATA_DIR/sink.port" 2> "$DATA_DIR/sink.log" &
  SINK_PID=$!
  for _ in $(seq 1 300); do [ -s "$DATA_DIR/sink.port" ] && break; sleep 0.1; done
  [ -s "$DATA_DIR/sink.port" ] || { cat "$DATA_DIR/sink.log"; echo "the mail sink did not start"; exit 1; }
  # Another identity provider people may sign in through: panva's oidc-provider on the loopback.
  UPSTREAM_REDIRECT_URIS="http://$HOST:$PORT/login/upstream/callback" \
    node end2end/upstream-idp.mjs > "$DATA_DIR/idp.url" 2> "$DATA_DIR/idp.log" &
  IDP_PID=$!
  for _ in $(seq 1 300); do [ -s "$DATA_DIR/idp.url" ] && break; sleep 0.1; done
  [ -s "$DATA_DIR/idp.url" ] || { cat "$DATA_DIR/idp.log"; echo "the upstream identity provider did not start"; exit 1; }
  UPSTREAM_ISSUER="$(head -1 "$DATA_DIR/idp.url")"
  # Texted codes go to a gateway of the tests' own in the shape of Twilio's API; the tests read the files it writes.
  SMS_DIR="$DATA_DIR/sms"
  node end2end/sms-gateway.mjs "$SMS_DIR" > "$DATA_DIR/sms.url" 2> "$DATA_DIR/sms.log" &
  SMS_PID=$!
  for _ in $(seq 1 300); do [ -s "$DATA_DIR/sms.url" ] && break; sleep 0.1; done
  [ -s "$DATA_DIR/sms.url" ] || { cat "$DATA_DIR/sms.log"; echo "the SMS gateway did not start"; exit 1; }
  printf 'e2e-twilio-token' > "$DATA_DIR/sms.token"
  # A sender of its own: at localhost the public URL names no domain to send from.
  PORTCULLIS_SMTP_URL="smtp://127.0.0.1:$(cat "$DATA_DIR/sink.port")" PORTCULLIS_MAIL_FROM="Portcullis <portcullis@example.test>" \
  PORTCULLIS_SMS_GATEWAY=twilio PORTCULLIS_SMS_API_BASE="$(head -1 "$DATA_DIR/sms.url")" PORTCULLIS_SMS_ACCOUNT_SID=AC0e2e \
  PORTCULLIS_SMS_AUTH_TOKEN_FILE="$DATA_DIR/sms.token" PORTCULLIS_SMS_FROM=+14155550100 \
  DATABASE_URL="$2" PORTCULLIS_PUBLIC_URL="http://$HOST:$PORT" PORTCULLIS_TRUSTED_PROXIES=127.0.0.1 PORTCULLIS_DATA_DIR="$DATA_DIR" PORTCULLIS_ADDR="127.0.0.1:$PORT" \
    RUST_LOG=warn,portcullis::access=info "$CARGO_TARGET_DIR/debug/portcullis" > "$DATA_DIR/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$DATA_DIR/server.log"; echo "the server did not start"; exit 1; }
    sleep 0.1
  done
  printf 'upstream-secret' > "$DATA_DIR/upstream.secret"
  DATABASE_URL="$2" PORTCULLIS_DATA_DIR="$DATA_DIR" PORTCULLIS_PUBLIC_URL="http://$HOST:$PORT" RUST_LOG=warn \
    "$CARGO_TARGET_DIR/debug/portcullis" providers add --name "Acme SSO" --issuer "$UPSTREAM_ISSUER" \
    --client-id portcullis --client-secret-file "$DATA_DIR/upstream.secret" --allow-sign-up >/dev/null
  if ! (cd end2end && UPSTREAM_ISSUER="$UPSTREAM_ISSUER" PORTCULLIS_MAIL_DIR="$MAIL_DIR" PORTCULLIS_SMS_DIR="$SMS_DIR" PORTCULLIS_URL="http://$HOST:$PORT" npx playwright test "${@:4}"); then
    echo "--- server log ---"; tail -50 "$DATA_DIR/server.log"; exit 1
  fi
  # The whole walk's log: a line per request, and no password, code, cookie or token in it.
  python3 scripts/check-access-log.py "$DATA_DIR/server.log"
  kill "$SERVER_PID" "$SINK_PID" "$IDP_PID" "$SMS_PID"; wait "$SERVER_PID" "$SINK_PID" "$IDP_PID" "$SMS_PID" 2>/dev/null || true
  SERVER_PID=""; SINK_PID=""; IDP_PID=""; SMS_PID=""
  rm -rf "$DATA_DIR"
}

SERVER_PID=""
SINK_PID=""
IDP_PID=""
SMS_PID=""
PG_DB=""
PG_ADMIN="${PORTCULLIS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
cleanup() {
  [ -n "$SERVER_PID" ] && { kill "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; }
  [ -n "$SINK_PID" ] && { kill "$SINK_PID" 2>/dev/null || true; }
  [ -n "$IDP_PID" ] && { kill "$IDP_PID" 2>/dev/null || true; }
  [ -n "$SMS_PID" ] && { kill "$SMS_PID" 2>/dev/null || true; }
  [ -n "$PG_DB" ] && psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1
  return 0
}
trap cleanup EXIT

run_e2e SQLite ""
run_e2e SQLite "" localhost webauthn.spec.ts --project chromium

if command -v psql >/dev/null && psql -q "$PG_ADMIN" -c "SELECT 1" >/dev/null 2>&1; then
  PG_DB="portcullis_e2e_$$"
  psql -q "$PG_ADMIN" -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
  # The same server URL with the new database in place of the admin one; only the walks whose
  # outcome can depend on the database (end2end/playwright.config.ts).
  export PORTCULLIS_E2E_DATABASE_WALKS=1
  run_e2e PostgreSQL "$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$PG_ADMIN" "$PG_DB")"
elif [ "${CI:-}" = "true" ]; then
  echo "CI=true but PostgreSQL (psql and a server at $PG_ADMIN) is not available for the end-to-end run" >&2
  exit 1
else
  step "Playwright on PostgreSQL skipped: no psql, or no server at $PG_ADMIN"
fi
