#!/usr/bin/env bash
# Benchmark of the OpenID Connect token endpoint: authorization code
# redemptions per second, on SQLite and on PostgreSQL (when one answers), and
# beside them panva's oidc-provider (npm, end2end/perf/oidc-provider-bench.mjs)
# redeeming its own codes for the same kind of client, measured by the same tool.
# Builds the release server and server/examples/bench_oidc.rs, starts a fresh
# server per backend on a throwaway database, runs the tool, stops the server.
# Not part of scripts/test.sh.
#
#   scripts/bench-oidc.sh                                   # 20 s per backend, concurrency 8
#   scripts/bench-oidc.sh --duration 30 --concurrency 16    # arguments go to the tool
#   BENCH_BACKENDS="sqlite oidc-provider" scripts/bench-oidc.sh
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
SERVER_PID="" PG_ADMIN="" PG_DB="" PEER_PID=""
cleanup() {
  if [ -n "$PEER_PID" ]; then kill -TERM "$PEER_PID" 2>/dev/null || true; wait "$PEER_PID" 2>/dev/null || true; fi
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
    PORTCULLIS_TRUSTED_PROXIES=127.0.0.1 \
    "$SERVER_BIN" serve >"$SCRATCH/$backend.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 300); do
    curl -fs "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break
    kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SCRATCH/$backend.log"; exit 1; }
    sleep 0.1
  done
  "$BENCH_BIN" --url "http://127.0.0.1:$port" "$@" | tee "$SCRATCH/$backend.out"
  kill -TERM "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null || true; SERVER_PID=""
}

# The peer, on the same machine, with the same redirect URI, PKCE verifier and tool.
peer() {
  say "=== oidc-provider ==="
  (cd end2end && BENCH_REDIRECT_URI="http://127.0.0.1:9/callback" \
    BENCH_VERIFIER="bench-verifier-bench-verifier-bench-verifier-0123456789" \
    exec node perf/oidc-provider-bench.mjs) >"$SCRATCH/peer.lines" 2>"$SCRATCH/peer.log" &
  PEER_PID=$!
  for _ in $(seq 100); do [ "$(wc -l <"$SCRATCH/peer.lines")" -ge 3 ] && break; sleep 0.1; done
  [ "$(wc -l <"$SCRATCH/peer.lines")" -ge 3 ] || { cat "$SCRATCH/peer.log" >&2; exit 1; }
  local issuer client_id secret
  { read -r issuer; read -r client_id; read -r secret; } <"$SCRATCH/peer.lines"
  "$BENCH_BIN" --peer "$issuer" --client-id "$client_id" --client-secret "$secret" "$@" | tee "$SCRATCH/oidc-provider.out"
  kill -TERM "$PEER_PID"; wait "$PEER_PID" 2>/dev/null || true; PEER_PID=""
}

BACKENDS="${BENCH_BACKENDS:-sqlite postgres oidc-provider}"
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
case " $BACKENDS " in *" oidc-provider "*) peer "$@" ;; esac

echo
echo "| token endpoint | code redemptions/s | p50 ms | p99 ms |"
echo "| --- | --- | --- | --- |"
for name in SQLite PostgreSQL oidc-provider; do
  [ -f "$SCRATCH/$name.out" ] || continue
  label="$name"; [ "$name" = oidc-provider ] || label="Portcullis, $name"
  sed -n 's/.*= \([0-9]*\)\/s .*p50 \([0-9.]*\) ms, p99 \([0-9.]*\) ms.*/\1 \2 \3/p' "$SCRATCH/$name.out" |
    while read -r rate p50 p99; do echo "| $label | $rate | $p50 | $p99 |"; done
done
echo
echo "($(nproc) cores, $(date -u +%F), release build; the tool, the server and the database share the machine)"
