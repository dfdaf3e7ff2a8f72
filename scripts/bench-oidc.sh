#!/usr/bin/env bash
# Benchmark of the OpenID Connect token endpoint: authorization code
# redemptions per second, on SQLite and on PostgreSQL (when one answers).
# Builds the release server and server/examples/bench_oidc.rs, starts a fresh
# server per backend on a throwaway database, runs the tool, stops the server.
# Not part of scripts/test.sh.
#
#   scripts/bench-oidc.sh                                   # 20 s per backend, concurrency 8
#   scripts/bench-oidc.sh --duration 30 --concurrency 16    # arguments go to the tool
#   BENCH_BACKENDS=sqlite scripts/bench-oidc.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
say() { printf '\033[1;34m[bench-oidc]\033[0m %s\n' "$*"; }

say "building the release server and the benchmark tool"
cargo build --release -p server --bin portcullis --example bench_oidc
SERVER_BIN="$CARGO_TARGET_DIR/release/portcullis"
BENCH_BIN="$CARGO_TARGET_DIR/release/examples/bench_oidc"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/portcullis-bench-oidc.XXXXXX")"
SERVER_PID="" PG_ADMIN="" PG_DB=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  if [ -n "$PG_DB" ]; then psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS \"$PG_DB\" WITH (FORCE)" >/dev/null 2>&1 || true; fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

run() {
  local backend="$1" database_url="$2"
  shift 2
  local port
  port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  mkdir -p "$SCRATCH/$backend"
  say "=== $backend ==="
  env -u DATABASE_URL ${database_url:+DATABASE_URL="$database_url"} PORTCULLIS_DATA_DIR="$SCRATCH/$backend" \
    LEPTOS_SITE_ADDR="127.0.0.1:$port" PORTCULLIS_PUBLIC_URL="http://127.0.0.1:$port" RUST_LOG=warn \
    "$SERVER_BIN" serve >"$SCRATCH/$backend.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SCRATCH/$backend.log"; exit 1; }
    sleep 0.1
  done
  "$BENCH_BIN" --url "http://127.0.0.1:$port" "$@"
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

BACKENDS="${BENCH_BACKENDS:-sqlite postgres}"
case " $BACKENDS " in *" sqlite "*) run SQLite "" "$@" ;; esac
case " $BACKENDS " in *" postgres "*)
  PG_ADMIN="${PORTCULLIS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
  if command -v psql >/dev/null && psql -q "$PG_ADMIN" -c "SELECT 1" >/dev/null 2>&1; then
    PG_DB="portcullis_bench_oidc_$$"
    psql -q "$PG_ADMIN" -c "CREATE DATABASE \"$PG_DB\"" >/dev/null
    run PostgreSQL "$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$PG_ADMIN" "$PG_DB")" "$@"
  else
    say "PostgreSQL skipped: no psql, or no server at $PG_ADMIN"
  fi ;;
esac
