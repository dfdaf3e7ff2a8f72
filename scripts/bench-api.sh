#!/usr/bin/env bash
# Benchmark of the REST API: authenticated GET /api/v1/me requests per second
# with a personal access token, against the same server's static file
# throughput (/favicon.svg, and /pkg/portcullis.css) measured in the same run, with wrk.
# Builds the release server, starts it on a throwaway SQLite database on
# the loopback, makes an account and a token, runs wrk twice, stops it.
# Installs wrk (Debian) on first use. Not part of scripts/test.sh.
#
#   scripts/bench-api.sh                          # 10 s each, 2 threads, 32 connections
#   BENCH_SECS=20 BENCH_CONNECTIONS=64 scripts/bench-api.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
say() { printf '\033[1;34m[bench-api]\033[0m %s\n' "$*"; }
SECS="${BENCH_SECS:-10}"
CONNECTIONS="${BENCH_CONNECTIONS:-32}"
THREADS="${BENCH_THREADS:-2}"

need_wrk

if [ -z "${PORTCULLIS_BIN:-}" ]; then
  say "building the release server"
  cargo build --release -p server --bin portcullis
fi
SERVER_BIN="${PORTCULLIS_BIN:-$CARGO_TARGET_DIR/release/portcullis}"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/portcullis-bench-api.XXXXXX")"
SERVER_PID=""
cleanup() {
  if [ -n "$SERVER_PID" ]; then kill -TERM "$SERVER_PID" 2>/dev/null || true; wait "$SERVER_PID" 2>/dev/null || true; fi
  rm -rf "$SCRATCH"
}
trap cleanup EXIT

# The static files, served by the same fallback as the built site's: the favicon (192 bytes,
# about the size of the /me answer) and the stylesheet (the built one when there is one).
SITE="$SCRATCH/site"
mkdir -p "$SITE/pkg"
cp public/favicon.svg "$SITE/favicon.svg"
if [ -f "$SITE_ROOT/pkg/portcullis.css" ]; then cp "$SITE_ROOT/pkg/portcullis.css" "$SITE/pkg/"; else cp style/main.css "$SITE/pkg/portcullis.css"; fi

PORT="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
BASE="http://127.0.0.1:$PORT"
env -u DATABASE_URL PORTCULLIS_DATA_DIR="$SCRATCH/data" LEPTOS_SITE_ADDR="127.0.0.1:$PORT" LEPTOS_SITE_ROOT="$SITE" \
  RUST_LOG=warn "$SERVER_BIN" serve >"$SCRATCH/server.log" 2>&1 &
SERVER_PID=$!
for _ in $(seq 300); do
  curl -fs "$BASE/readyz" >/dev/null 2>&1 && break
  kill -0 "$SERVER_PID" 2>/dev/null || { cat "$SCRATCH/server.log"; exit 1; }
  sleep 0.1
done

TOKEN="$(scripts/api-token.sh "$BASE" read)"
curl -fsS -o /dev/null -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/me" || { echo "the token does not work" >&2; exit 1; }
for file in /favicon.svg /pkg/portcullis.css; do
  curl -fsS -o /dev/null "$BASE$file" || { echo "no static file at $file" >&2; exit 1; }
done

rps() { awk '/Requests\/sec/ { print $2 }'; }
say "static file: GET /favicon.svg, ${SECS}s, $THREADS threads, $CONNECTIONS connections"
STATIC_OUT="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECS}s" --latency "$BASE/favicon.svg")"
echo "$STATIC_OUT"
say "static file: GET /pkg/portcullis.css ($(wc -c <"$SITE/pkg/portcullis.css") bytes)"
CSS_OUT="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECS}s" --latency "$BASE/pkg/portcullis.css")"
echo "$CSS_OUT"
say "API: GET /api/v1/me with a personal access token"
API_OUT="$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECS}s" --latency -H "Authorization: Bearer $TOKEN" "$BASE/api/v1/me")"
echo "$API_OUT"
STATIC_RPS="$(rps <<<"$STATIC_OUT")"
CSS_RPS="$(rps <<<"$CSS_OUT")"
API_RPS="$(rps <<<"$API_OUT")"
NON2XX="$(awk '/Non-2xx/ { print $NF }' <<<"$API_OUT")"
[ -z "$NON2XX" ] || { echo "the API answered $NON2XX non-2xx responses: the figure is not of authenticated requests" >&2; exit 1; }
say "result: GET /api/v1/me with a token: $API_RPS req/s; static /favicon.svg: $STATIC_RPS req/s ($(python3 -c "print(f'{$API_RPS/$STATIC_RPS*100:.1f}')")% of it); static /pkg/portcullis.css: $CSS_RPS req/s"
