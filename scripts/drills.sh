#!/usr/bin/env bash
# Fault drills, with figures for the README (not part of scripts/test.sh: about three minutes,
# and drill 2 restarts the machine's PostgreSQL). Loopback only, every wait bounded.
#   1. kill -9 one of two instances on one PostgreSQL during a load: the other keeps serving.
#   2. restart PostgreSQL during the load: 503s that fail fast, /readyz not ready, back within seconds.
#   3. SIGTERM during the load: the requests in flight finish.
#   4. a full disk under SQLite (a 4 MB tmpfs, where the machine allows mounting one): 503s, no corruption.
# After each, every account, login and enrollment that was answered with success must be in the database.
# Needs: the debug binary (cargo build -p server), psql, PostgreSQL on 127.0.0.1:5432 (trust);
# drill 2 needs pg_ctlcluster and root, drill 4 needs mount (both say so and skip otherwise).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
BIN="${PORTCULLIS_BIN:-$CARGO_TARGET_DIR/debug/portcullis}"
[ -x "$BIN" ] || { echo "build the server first: cargo build -p server (or set PORTCULLIS_BIN)" >&2; exit 1; }
PG_ADMIN="${PORTCULLIS_TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
WORK="$(mktemp -d)"
KEY="$("$BIN" new-key)"
PIDS=()
DB=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill -9 "$pid" 2>/dev/null || true; done
  [ -n "$DB" ] && psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null 2>&1 || true
  mountpoint -q "$WORK/full" 2>/dev/null && umount "$WORK/full" || true
  rm -rf "$WORK"
}
trap cleanup EXIT
say() { printf '\n\033[1;34m== %s\033[0m\n' "$*"; }
port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# start NAME DATABASE_URL DATA_DIR: an instance on a free port; prints "PID URL" (the caller
# runs it in a subshell, so it records the PID itself: `launch`).
start() {
  local name="$1" url="$2" data="$3" p
  p="$(port)"
  mkdir -p "$data"
  DATABASE_URL="$url" PORTCULLIS_DATA_DIR="$data" PORTCULLIS_SECRET_KEY="$KEY" PORTCULLIS_ADDR="127.0.0.1:$p" \
    PORTCULLIS_TRUSTED_PROXIES=127.0.0.1 PORTCULLIS_DB_ACQUIRE_TIMEOUT=2 RUST_LOG=warn \
    "$BIN" serve >"$WORK/$name.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$p/readyz" >/dev/null 2>&1 && { echo "$pid http://127.0.0.1:$p"; return; }
    sleep 0.1
  done
  cat "$WORK/$name.log" >&2
  echo "instance $name did not start" >&2
  exit 1
}

# launch VAR_PID VAR_URL NAME DATABASE_URL DATA_DIR
launch() {
  local line
  line="$(start "$3" "$4" "$5")" || exit 1
  printf -v "$1" '%s' "${line%% *}"
  printf -v "$2" '%s' "${line#* }"
  PIDS+=("${line%% *}")
}

# new_pg NAME: a throwaway database; sets DB and URL.
new_pg() {
  DB="portcullis_drill_$$_$1"
  psql -q "$PG_ADMIN" -c "CREATE DATABASE \"$DB\"" >/dev/null
  URL="$(python3 -c 'import sys, urllib.parse as u; p = u.urlsplit(sys.argv[1]); print(u.urlunsplit(p._replace(path="/" + sys.argv[2])))' "$PG_ADMIN" "$DB")"
}

drop_pg() { psql -q "$PG_ADMIN" -c "DROP DATABASE IF EXISTS \"$DB\" WITH (FORCE)" >/dev/null; DB=""; }

load() { python3 scripts/drills.py load --targets "$1" --seconds "$2" --workers "${WORKERS:-8}" --out "$3"; }
check() { python3 scripts/drills.py check --database-url "$1" --results "$2"; }
field() { python3 -c 'import json,sys; d=json.load(open(sys.argv[1]))["requests"][sys.argv[2]]; print(d[sys.argv[3]])' "$@"; }

say "1. kill -9 one of two instances on one PostgreSQL during the load"
new_pg kill
launch A_PID A a "$URL" "$WORK/a"
launch B_PID B b "$URL" "$WORK/b"
load "$A,$B" 20 "$WORK/kill.json" &
LOAD=$!
sleep 7
kill -9 "$A_PID"
wait "$LOAD"
check "$URL" "$WORK/kill.json"
for f in cut_off not_listening status_5xx status_503; do
  [ "$(field "$WORK/kill.json" "$B" "$f")" = 0 ] || { echo "the surviving instance answered $f" >&2; exit 1; }
done
echo "survivor: $(field "$WORK/kill.json" "$B" ok) requests answered, p50 $(field "$WORK/kill.json" "$B" p50_ms) ms, p99 $(field "$WORK/kill.json" "$B" p99_ms) ms, none failed; the killed one lost $(field "$WORK/kill.json" "$A" cut_off) in flight"
kill "$B_PID" 2>/dev/null || true

say "2. restart PostgreSQL during the load"
PG_VERSION="$(ls /etc/postgresql 2>/dev/null | sort -n | tail -1)"
if [ "$(id -u)" -ne 0 ] || ! command -v pg_ctlcluster >/dev/null || [ -z "$PG_VERSION" ]; then
  echo "skipped: needs root and pg_ctlcluster (Debian's PostgreSQL) to restart the server"
else
  launch A_PID A a2 "$URL" "$WORK/a2"
  load "$A" 25 "$WORK/restart.json" &
  LOAD=$!
  sleep 5
  pg_ctlcluster "$PG_VERSION" main stop -m fast
  STOPPED=$(date +%s.%N)
  READY="$(curl -s -o /dev/null -w '%{http_code}' "$A/readyz")"
  sleep 3
  pg_ctlcluster "$PG_VERSION" main start
  STARTED=$(date +%s.%N)
  for _ in $(seq 1 300); do curl -fsS "$A/readyz" >/dev/null 2>&1 && break; sleep 0.05; done
  BACK=$(date +%s.%N)
  wait "$LOAD"
  check "$URL" "$WORK/restart.json"
  [ "$READY" = 503 ] || { echo "/readyz answered $READY while the database was down" >&2; exit 1; }
  [ "$(field "$WORK/restart.json" "$A" status_5xx)" = 0 ] || { echo "a 5xx other than 503" >&2; exit 1; }
  SLOWEST="$(field "$WORK/restart.json" "$A" slowest_failure_s)"
  python3 -c "import sys; sys.exit(float('$SLOWEST') > 3.0)" || { echo "a failure took $SLOWEST s (acquire timeout 2 s)" >&2; exit 1; }
  echo "while down (3 s): $(field "$WORK/restart.json" "$A" status_503) requests answered 503, the slowest in $SLOWEST s; /readyz 503; ready again $(python3 -c "print(round($BACK - $STARTED, 2))") s after PostgreSQL started"
  kill "$A_PID" 2>/dev/null || true
fi
drop_pg

say "3. SIGTERM during the load"
new_pg term
launch A_PID A a3 "$URL" "$WORK/a3"
load "$A" 12 "$WORK/term.json" &
LOAD=$!
sleep 5
kill -TERM "$A_PID"
wait "$LOAD"
check "$URL" "$WORK/term.json"
for f in cut_off status_5xx; do
  [ "$(field "$WORK/term.json" "$A" "$f")" = 0 ] || { echo "a request in flight at SIGTERM got $f" >&2; exit 1; }
done
echo "$(field "$WORK/term.json" "$A" ok) requests answered, none cut off; after the stop, $(field "$WORK/term.json" "$A" not_listening) found nothing listening (a load balancer's next instance takes them)"
drop_pg

say "4. a full disk under SQLite"
mkdir -p "$WORK/full"
if ! mount -t tmpfs -o size=4m tmpfs "$WORK/full" 2>/dev/null; then
  echo "skipped: this machine does not allow mounting a small tmpfs (needs root and CAP_SYS_ADMIN)"
else
  SQLITE="sqlite://$WORK/full/portcullis.db"
  launch A_PID A a4 "$SQLITE" "$WORK/full"
  load "$A" 25 "$WORK/full.json"
  kill -TERM "$A_PID"; sleep 1
  INTEGRITY="$(sqlite3 "$WORK/full/portcullis.db" 'PRAGMA integrity_check')"
  [ "$INTEGRITY" = ok ] || { echo "integrity_check: $INTEGRITY" >&2; exit 1; }
  check "$SQLITE" "$WORK/full.json"
  [ "$(field "$WORK/full.json" "$A" status_5xx)" = 0 ] || { echo "a 5xx other than 503 on a full disk" >&2; exit 1; }
  grep -q "disk is full" "$WORK/a4.log" || true
  echo "$(field "$WORK/full.json" "$A" ok) requests answered before the disk filled, then $(field "$WORK/full.json" "$A" status_503) answered 503 (\"The server's disk is full, so nothing was saved\"); PRAGMA integrity_check: ok"
fi
say "all drills passed"
