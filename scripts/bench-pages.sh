#!/usr/bin/env bash
# Pages beside their baselines, in one run on the loopback: a bare axum hello
# (server/examples/bare_axum.rs), the bare Leptos hello's server-rendered page
# (end2end/perf/hello), and Portcullis's /healthz, /login, a signed-in /account and an
# organization's Members tab (release builds, SQLite). wrk, 1 thread, 16 connections,
# BENCH_SECS (8) each. Prints requests per second, p50 and p99, and each figure's share of
# both baselines. Not part of scripts/test.sh: figures are benchmarks, not tests.
#
#   scripts/bench-pages.sh
#   BENCH_SECS=20 BENCH_CONNECTIONS=32 scripts/bench-pages.sh
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
scripts/bootstrap.sh run >&2
say() { printf '\033[1;34m[bench-pages]\033[0m %s\n' "$*" >&2; }
SECS="${BENCH_SECS:-8}"
CONNECTIONS="${BENCH_CONNECTIONS:-16}"

need_wrk

if [ -z "${PORTCULLIS_BIN:-}" ]; then
  say "building Portcullis (release, site built in) and the bare axum hello"
  scripts/build.sh >&2
fi
cargo build --release -p server --example bare_axum >&2
HELLO="$ROOT/end2end/perf/hello"
HELLO_TARGET="$CACHE/hello-target"
say "building the bare Leptos hello's server (release; its page is what is measured, not its wasm)"
(cd "$HELLO" && CARGO_TARGET_DIR="$HELLO_TARGET" cargo build --release --features ssr --bin bare-hello) >&2

SERVER_BIN="${PORTCULLIS_BIN:-$CARGO_TARGET_DIR/release/portcullis}"
SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/portcullis-bench-pages.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill -TERM "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
ready() {
  for _ in $(seq 300); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done
  echo "nothing answers at $1" >&2; exit 1
}

AXUM_PORT="$(port)"
"$CARGO_TARGET_DIR/release/examples/bare_axum" "127.0.0.1:$AXUM_PORT" &
PIDS+=($!)
HELLO_PORT="$(port)"
(cd "$HELLO" && LEPTOS_OUTPUT_NAME=bare-hello LEPTOS_SITE_ROOT="$SCRATCH/hello-site" LEPTOS_SITE_PKG_DIR=pkg \
  LEPTOS_SITE_ADDR="127.0.0.1:$HELLO_PORT" exec "$HELLO_TARGET/release/bare-hello") >"$SCRATCH/hello.log" 2>&1 &
PIDS+=($!)
PORT="$(port)"
BASE="http://127.0.0.1:$PORT"
env -u DATABASE_URL PORTCULLIS_DATA_DIR="$SCRATCH/data" PORTCULLIS_ADDR="127.0.0.1:$PORT" RUST_LOG=warn \
  "$SERVER_BIN" serve >"$SCRATCH/server.log" 2>&1 &
PIDS+=($!)
ready "http://127.0.0.1:$AXUM_PORT/healthz"
ready "http://127.0.0.1:$HELLO_PORT/"
ready "$BASE/readyz"

# A signed-in person with an organization: sign up and create it as a browser would.
JAR="$SCRATCH/jar"
post() { curl -fsS -b "$JAR" -c "$JAR" -H 'Accept: application/json' "$BASE/api/$1" "${@:2}" >/dev/null; }
post sign_up --data-urlencode "name=Bench" --data-urlencode "email=bench@example.com" \
  --data-urlencode "password=bench pages password"
post create_org --data-urlencode "name=Bench" --data-urlencode "slug=bench"
COOKIE="$(awk '{ sub(/^#HttpOnly_/, "") } !/^#/ && NF >= 7 { printf "%s%s=%s", sep, $6, $7; sep="; " }' "$JAR")"
for page in /account /orgs/bench; do
  grep -q 'Log out' <(curl -fsS -H "Cookie: $COOKIE" "$BASE$page") || { echo "$page is not signed in" >&2; exit 1; }
done

# wrk's requests/s, p50 and p99 (ms) for a URL, and refuses a run with errors or non-2xx answers.
measure() {
  local out
  out="$(wrk -t1 -c"$CONNECTIONS" -d"${SECS}s" --latency "${@:2}" "$1")"
  if grep -qE 'Non-2xx|Socket errors' <<<"$out"; then echo "$out" >&2; echo "errors measuring $1" >&2; exit 1; fi
  awk '
    function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
    / 50%/ { p50 = ms($2) } / 99%/ { p99 = ms($2) } /Requests\/sec/ { rps = $2 }
    END { printf "%.0f %.2f %.2f\n", rps, p50, p99 }' <<<"$out"
}

say "measuring, ${SECS}s each"
declare -A RPS P50 P99
ROWS=("bare axum 0.8 /healthz" "bare Leptos hello, its page" "Portcullis /healthz" "Portcullis /login, anonymous"
  "Portcullis /account, signed in" "Portcullis Members tab, signed in")
URLS=("http://127.0.0.1:$AXUM_PORT/healthz" "http://127.0.0.1:$HELLO_PORT/" "$BASE/healthz" "$BASE/login"
  "$BASE/account" "$BASE/orgs/bench")
for i in "${!ROWS[@]}"; do
  if [ "$i" -ge 4 ]; then read -r r a b < <(measure "${URLS[$i]}" -H "Cookie: $COOKIE")
  else read -r r a b < <(measure "${URLS[$i]}"); fi
  RPS[$i]=$r P50[$i]=$a P99[$i]=$b
  say "${ROWS[$i]}: $r req/s"
done
echo
echo "| path | req/s | p50 ms | p99 ms | share of bare axum | share of the Leptos hello |"
echo "| --- | --- | --- | --- | --- | --- |"
for i in "${!ROWS[@]}"; do
  share() { python3 -c "print(f'{$1 / $2 * 100:.1f} %')"; }
  echo "| ${ROWS[$i]} | ${RPS[$i]} | ${P50[$i]} | ${P99[$i]} | $(share "${RPS[$i]}" "${RPS[0]}") | $(share "${RPS[$i]}" "${RPS[1]}") |"
done
echo
echo "($(nproc) cores, $(date -u +%F), wrk -t1 -c$CONNECTIONS -d${SECS}s, release builds, SQLite)"
