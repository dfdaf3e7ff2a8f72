#!/usr/bin/env bash
# Load test: builds the release server and the load tool (server/examples/load/),
# then for SQLite, and PostgreSQL when one is available, starts a fresh server on
# a throwaway database, runs the tool against it and stops the server.
#
#   scripts/load.sh                                  # 30 s per backend, concurrency 16
#   scripts/load.sh --duration 60 --concurrency 32   # extra arguments go to the load tool
#   LOAD_BACKENDS=sqlite scripts/load.sh             # one backend only (sqlite or postgres)
#   LOAD_MIXES=logins scripts/load.sh                # one mix only (mixed or logins)
#
# Each backend runs two mixes on the same server: "mixed" (half page loads, half logins)
# and "logins" (logins only, `--pages 0`), each with its own freshly seeded accounts.
#
# PostgreSQL: PORTCULLIS_TEST_DATABASE_URL (a database on which we may CREATE and
# DROP databases), else postgres://postgres@127.0.0.1:5432/postgres if it answers.
# Server settings pass through the environment, e.g. PORTCULLIS_DB_MAX_CONNECTIONS=20.
# Exits non-zero when any run had a failed request.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh

say() { printf '\033[1;34m[load]\033[0m %s\n' "$*"; }
warn() { printf '\033[1;31m[load] %s\033[0m\n' "$*" >&2; }

scripts/bootstrap.sh
say "building the release server and the load tool (the first build takes a while)"
scripts/build.sh
cargo build --release -p server --example load
SERVER_BIN="$CARGO_TARGET_DIR/release/portcullis"
LOAD_BIN="$CARGO_TARGET_DIR/release/examples/load"

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/portcullis-load.XXXXXX")"
SERVER_PID=""
PG_ADMIN_URL=""
PG_DATABASE=""

stop_server() {
  [ -n "$SERVER_PID" ] || return 0
  # SIGTERM: the server finishes requests in flight, then exits.
  kill -TERM "$SERVER_PID" 2>/dev/null || true
  for _ in $(seq 100); do
    kill -0 "$SERVER_PID" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$SERVER_PID" 2>/dev/null; then
    warn "server $SERVER_PID ignored SIGTERM for 10 s; killing it"
    kill -KILL "$SERVER_PID" 2>/dev/null || true
  fi
  wait "$SERVER_PID" 2>/dev/null || true
  SERVER_PID=""
}

drop_postgres_database() {
  [ -n "$PG_DATABASE" ] || return 0
  psql "$PG_ADMIN_URL" -qc "DROP DATABASE IF EXISTS \"$PG_DATABASE\" WITH (FORCE)" >/dev/null || warn "could not drop database $PG_DATABASE"
  PG_DATABASE=""
}

cleanup() {
  stop_server
  drop_postgres_database
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The admin URL with another database name (keeps ?query parameters).
with_database() {
  local url="$1" name="$2" query=""
  case "$url" in *\?*) query="?${url#*\?}"; url="${url%%\?*}" ;; esac
  printf '%s/%s%s' "${url%/*}" "$name" "$query"
}

postgres_admin_url() {
  if [ -n "${PORTCULLIS_TEST_DATABASE_URL:-}" ]; then
    printf '%s' "$PORTCULLIS_TEST_DATABASE_URL"
  elif timeout 1 bash -c 'exec 3<>/dev/tcp/127.0.0.1/5432' 2>/dev/null; then
    printf '%s' "postgres://postgres@127.0.0.1:5432/postgres"
  fi
}

# Starts the server on a port the OS picks; sets SERVER_PID and SERVER_URL.
# The tool is trusted as a proxy: seeding signs each account up "from" an
# address of its own, as separate people would, under the per-address limit.
start_server() {
  local data_dir="$1" database_url="$2" log="$3"
  env -u DATABASE_URL \
    PORTCULLIS_DATA_DIR="$data_dir" \
    ${database_url:+DATABASE_URL="$database_url"} \
    LEPTOS_SITE_ADDR="127.0.0.1:0" \
    PORTCULLIS_TRUSTED_PROXIES="${PORTCULLIS_TRUSTED_PROXIES:-127.0.0.1}" \
    RUST_LOG="${RUST_LOG:-warn}" \
    "$SERVER_BIN" serve >"$log" 2>&1 &
  SERVER_PID=$!
  # It prints its address once listening (after migrations).
  SERVER_URL=""
  for _ in $(seq 300); do
    SERVER_URL="$(grep -o 'running at http://[0-9.:]*' "$log" | head -n1 | sed 's/^running at //')" || true
    [ -n "$SERVER_URL" ] && break
    kill -0 "$SERVER_PID" 2>/dev/null || { warn "the server exited:"; cat "$log" >&2; SERVER_PID=""; return 1; }
    sleep 0.1
  done
  [ -n "$SERVER_URL" ] || { warn "the server did not start listening within 30 s:"; cat "$log" >&2; return 1; }
  for _ in $(seq 100); do
    curl -fs "$SERVER_URL/readyz" >/dev/null 2>&1 && return 0
    sleep 0.1
  done
  warn "$SERVER_URL/readyz did not answer within 10 s"
  return 1
}

# Runs the load tool against a fresh server; returns the tool's exit status.
load_backend() {
  local backend="$1" database_url="$2" status=0
  shift 2
  local data_dir="$SCRATCH/$backend" log="$SCRATCH/$backend.log"
  mkdir -p "$data_dir"
  echo
  say "=== $backend ==="
  start_server "$data_dir" "$database_url" "$log" || return 1
  say "server pid $SERVER_PID at $SERVER_URL"
  for mix in ${LOAD_MIXES:-mixed logins}; do
    case "$mix" in
      mixed) say "--- $backend: mixed (pages and logins) ---"
        "$LOAD_BIN" --url "$SERVER_URL" --server-pid "$SERVER_PID" "$@" || status=$? ;;
      logins) say "--- $backend: logins only ---"
        "$LOAD_BIN" --url "$SERVER_URL" --server-pid "$SERVER_PID" "$@" --pages 0 || status=$? ;;
      *) warn "unknown mix '$mix' in LOAD_MIXES (mixed, logins)"; status=1 ;;
    esac
  done
  stop_server
  # With RUST_LOG=warn anything logged is worth a look (database errors, timeouts).
  local logged
  logged="$(grep -vc 'running at' "$log" || true)"
  if [ "${logged:-0}" -gt 0 ]; then
    warn "the $backend server logged $logged lines; the first ones:"
    grep -v 'running at' "$log" | head -n 10 >&2
  fi
  return "$status"
}

BACKENDS="${LOAD_BACKENDS:-sqlite postgres}"
failed=0
for backend in $BACKENDS; do
  case "$backend" in
    sqlite)
      load_backend sqlite "" "$@" || failed=1
      ;;
    postgres)
      PG_ADMIN_URL="$(postgres_admin_url)"
      if [ -z "$PG_ADMIN_URL" ]; then
        say "PostgreSQL skipped: set PORTCULLIS_TEST_DATABASE_URL or start PostgreSQL on 127.0.0.1:5432"
        continue
      fi
      command -v psql >/dev/null || { warn "PostgreSQL skipped: psql is missing (apt-get install postgresql-client)"; failed=1; continue; }
      PG_DATABASE="portcullis_load_$$_$RANDOM"
      psql "$PG_ADMIN_URL" -qc "CREATE DATABASE \"$PG_DATABASE\"" >/dev/null
      load_backend postgres "$(with_database "$PG_ADMIN_URL" "$PG_DATABASE")" "$@" || failed=1
      drop_postgres_database
      ;;
    *)
      warn "unknown backend '$backend' in LOAD_BACKENDS (sqlite, postgres)"
      failed=1
      ;;
  esac
done
exit "$failed"
