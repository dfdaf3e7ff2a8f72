#!/usr/bin/env bash
# The README's front-end figures, measured in one run: the release hydrate wasm (raw, gzip -9,
# served brotli) and the time from navigation start to hydration finished in headless Chromium on
# a throttled network (end2end/perf/hydrate-time.mjs: 1.6 Mbit/s, 150 ms round trip, cold cache,
# median of RUNS loads), for Portcullis's login page and for a bare Leptos 0.8 hello
# (end2end/perf/hello: a router, one page, one server function) built with the same toolchain and
# wasm profile. Both servers are debug builds serving the release site, as scripts/test.sh does.
# Usage: scripts/front-end-figures.sh [RUNS=10]   (prints a Markdown table)
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
scripts/bootstrap.sh dev
RUNS="${1:-10}"
HELLO="$ROOT/end2end/perf/hello"
say() { printf '\033[1;34m[front-end-figures]\033[0m %s\n' "$*" >&2; }

say "building Portcullis's release site and debug server"
scripts/build.sh site >&2
cargo build -p server --bin portcullis >&2
cp "$CARGO_TARGET_DIR/release/hash.txt" "$CARGO_TARGET_DIR/debug/hash.txt"
say "building the bare hello the same way"
# A target dir of its own: Portcullis's hash.txt stays as it is, and a test run need not wait for it.
HELLO_TARGET="$CACHE/hello-target"
(cd "$HELLO" && export CARGO_TARGET_DIR="$HELLO_TARGET" && cargo leptos build --release --precompress --frontend-only &&
  cargo leptos build --server-only) >&2

SCRATCH="$(mktemp -d "${TMPDIR:-/tmp}/portcullis-figures.XXXXXX")"
PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$SCRATCH"
}
trap cleanup EXIT
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # url pid log
  for _ in $(seq 1 100); do
    curl -fsS -o /dev/null "$1" 2>/dev/null && return 0
    kill -0 "$2" 2>/dev/null || { cat "$3" >&2; echo "the server for $1 did not start" >&2; exit 1; }
    sleep 0.1
  done
  echo "$1 did not answer in 10 s" >&2; exit 1
}

PORTCULLIS_PORT="$(free_port)"
mkdir -p "$SCRATCH/data"
LEPTOS_SITE_ROOT="$SITE_ROOT" PORTCULLIS_DATA_DIR="$SCRATCH/data" LEPTOS_SITE_ADDR="127.0.0.1:$PORTCULLIS_PORT" RUST_LOG=warn \
  "$CARGO_TARGET_DIR/debug/portcullis" > "$SCRATCH/portcullis.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$PORTCULLIS_PORT/readyz" "$!" "$SCRATCH/portcullis.log"

HELLO_PORT="$(free_port)"
LEPTOS_OUTPUT_NAME=bare-hello LEPTOS_SITE_ROOT="$HELLO/target/site" LEPTOS_SITE_PKG_DIR=pkg LEPTOS_SITE_ADDR="127.0.0.1:$HELLO_PORT" \
  "$HELLO_TARGET/debug/bare-hello" > "$SCRATCH/hello.log" 2>&1 &
PIDS+=($!)
wait_for "http://127.0.0.1:$HELLO_PORT/" "$!" "$SCRATCH/hello.log"

row() { # name pkg-dir url
  local file raw gz br timing
  read -r file raw gz br < <(scripts/wasm-size.sh "$2")
  say "measuring $3 ($RUNS cold loads)"
  timing="$(cd end2end && node perf/hydrate-time.mjs "$3" "$RUNS")"
  python3 - "$1" "$raw" "$gz" "$br" "$timing" <<'PY'
import json, sys
name, raw, gz, br, timing = sys.argv[1:]
t = json.loads(timing)
print(f"| {name} | {int(raw):,} | {int(gz):,} | {int(br):,} | {t['median_ms']:,} ({t['min_ms']:,}–{t['max_ms']:,}) | {t['ttfb_median_ms']:,} |")
PY
}

echo "| build (release wasm, wasm-opt) | raw | gzip -9 | brotli (served) | hydrated, ms: median (min–max) | first byte, ms |"
echo "| --- | --- | --- | --- | --- | --- |"
row "Portcullis, login page" "$SITE_ROOT/pkg" "http://127.0.0.1:$PORTCULLIS_PORT/login"
row "bare Leptos hello" "$HELLO/target/site/pkg" "http://127.0.0.1:$HELLO_PORT/"
ratio() { python3 -c "import sys; print(f'{int(sys.argv[1]) / int(sys.argv[2]):.2f}')" "$1" "$2"; }
read -r _ _ ours_gz _ < <(scripts/wasm-size.sh "$SITE_ROOT/pkg")
read -r _ _ hello_gz _ < <(scripts/wasm-size.sh "$HELLO/target/site/pkg")
echo
echo "Portcullis's wasm is $(ratio "$ours_gz" "$hello_gz") times the bare hello's (gzip -9); $RUNS loads each, $(chromium --version 2>/dev/null || echo Chromium)."

say "measuring click-to-paint of the Members tab ($RUNS runs each way)"
paint="$(cd end2end && node perf/click-to-paint.mjs "http://127.0.0.1:$PORTCULLIS_PORT" "$RUNS")"
python3 - "$paint" <<'PY'
import json, sys
t = json.loads(sys.argv[1])
print()
print("| click on \"Members\" (Settings tab) to the Members tab | painted, ms: median (min–max) | interactive, ms |")
print("| --- | --- | --- |")
for name, label in (("client_side", "client-side navigation (navigate.js)"), ("full_load", "full document load")):
    p, i = t[name]["painted"], t[name]["interactive"]
    print(f"| {label} | {p['median_ms']:,} ({p['min_ms']:,}–{p['max_ms']:,}) | {i['median_ms']:,} ({i['min_ms']:,}–{i['max_ms']:,}) |")
PY
