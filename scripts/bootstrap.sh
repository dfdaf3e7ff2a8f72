#!/usr/bin/env bash
# Installs everything Portcullis needs to build and test, idempotently.
# Tools go to caches outside the checkout so that fresh clones (CI) stay fast.
# `scripts/bootstrap.sh run` installs only what building and running need
# (scripts/run.sh): no Chromium, Apache, leptosfmt, Python tools or test packages.
# `scripts/bootstrap.sh dev` adds cargo-leptos, for `cargo leptos watch`.
set -euo pipefail
MODE="${1:-test}"
case "$MODE" in test | run | dev) ;; *) echo "usage: $0 [test|run|dev]" >&2; exit 2 ;; esac
testing() { [ "$MODE" != run ]; }

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CACHE="${PORTCULLIS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/portcullis}"
TOOLS="$CACHE/tools"
mkdir -p "$TOOLS"

say() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*"; }
die() { printf '\033[1;31m[bootstrap] %s\033[0m\n' "$*" >&2; exit 1; }

export PATH="$HOME/.cargo/bin:$TOOLS/node_modules/.bin:$PATH"

command -v cargo >/dev/null || die "cargo is missing: install the Rust toolchain with rustup (https://rustup.rs) first."
command -v rustup >/dev/null || die "rustup is missing: Portcullis needs rustup to add the wasm32 target."
command -v npm >/dev/null || die "npm is missing: install Node.js 18+ with npm (apt-get install nodejs npm)."

# Installs Debian packages, as root or through sudo; $1 says why they are needed.
apt_install() {
  local why="$1" sudo=""
  shift
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || die "$why: run 'apt-get install $*' as root, or install sudo."
    sudo="sudo"
  fi
  command -v apt-get >/dev/null || die "$why and apt-get is not available: install $*."
  say "installing Debian $*"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "$@" >/dev/null
}

# 1. wasm target
if ! rustup target list --installed | grep -q '^wasm32-unknown-unknown$'; then
  say "adding rust target wasm32-unknown-unknown"
  rustup target add wasm32-unknown-unknown
fi

# 1b. the formatter and linter that scripts/test.sh gates on
for component in $(testing && echo rustfmt clippy); do
  if ! rustup component list --installed | grep -q "^$component"; then
    say "adding rust component $component"
    rustup component add "$component"
  fi
done

# 1d. OpenSSL headers and pkg-config: webauthn-rs (security keys and passkeys) links OpenSSL through openssl-sys
if ! { command -v pkg-config >/dev/null && pkg-config --exists openssl; }; then
  apt_install "OpenSSL headers are missing" libssl-dev pkg-config
fi

# 1c. leptosfmt, which formats `view!` macros (rustfmt leaves them alone) and which scripts/test.sh
# gates on. It builds in the background while the steps below run, and the end of this script
# waits for it. Its own throwaway target dir (cargo install's default) so that it never waits
# for the lock on $CARGO_TARGET_DIR. opt-level 0 builds in a third of the CPU time of a release
# build and still formats the whole app in about a second.
LEPTOSFMT_VERSION=0.1.33
LEPTOSFMT_LOG="$CACHE/leptosfmt-install.log"
LEPTOSFMT_PID=""
stop_leptosfmt_build() { [ -z "$LEPTOSFMT_PID" ] || kill "$LEPTOSFMT_PID" 2>/dev/null || true; }
trap stop_leptosfmt_build EXIT
if testing && ! leptosfmt --version 2>/dev/null | grep -q " $LEPTOSFMT_VERSION\$"; then
  say "installing leptosfmt $LEPTOSFMT_VERSION in the background (a minute or two, once; log: $LEPTOSFMT_LOG)"
  (
    unset CARGO_TARGET_DIR
    export CARGO_PROFILE_RELEASE_OPT_LEVEL=0 CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16
    exec cargo install leptosfmt --version "$LEPTOSFMT_VERSION" --locked
  ) >"$LEPTOSFMT_LOG" 2>&1 &
  LEPTOSFMT_PID=$!
fi

# 2. cargo-leptos, for `cargo leptos watch` and the front-end benchmarks (uses wasm-bindgen and
# wasm-opt from PATH thanks to no_downloads): `dev` only. The scripts build and test without it
# (scripts/build.sh), and its own build takes 18 minutes on 2 cores.
CARGO_LEPTOS_VERSION=0.3.10
if [ "$MODE" = dev ] && ! cargo leptos --version 2>/dev/null | grep -q "$CARGO_LEPTOS_VERSION"; then
  say "installing cargo-leptos $CARGO_LEPTOS_VERSION (a few minutes, once)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install cargo-leptos --version "$CARGO_LEPTOS_VERSION" --locked --features no_downloads
fi

# 3. wasm-bindgen-cli at exactly the version in Cargo.lock
WB_VERSION="$(awk '/^name = "wasm-bindgen"$/{getline; gsub(/version = |"/,""); print; exit}' "$ROOT/Cargo.lock" 2>/dev/null || true)"
[ -n "$WB_VERSION" ] || die "could not read the wasm-bindgen version from Cargo.lock"
if ! wasm-bindgen --version 2>/dev/null | grep -q " $WB_VERSION\$"; then
  say "installing wasm-bindgen-cli $WB_VERSION (matches Cargo.lock)"
  CARGO_PROFILE_RELEASE_LTO=false CARGO_PROFILE_RELEASE_CODEGEN_UNITS=16 \
    cargo install wasm-bindgen-cli --version "$WB_VERSION" --force
fi

# 4. wasm-opt from npm's binaryen (Debian's is too old for current wasm-bindgen output)
BINARYEN_VERSION=132.0.0
if ! [ -x "$TOOLS/node_modules/.bin/wasm-opt" ] || ! grep -q "\"version\": \"$BINARYEN_VERSION\"" "$TOOLS/node_modules/binaryen/package.json" 2>/dev/null; then
  say "installing wasm-opt (npm binaryen@$BINARYEN_VERSION) into $TOOLS"
  npm install --prefix "$TOOLS" --no-audit --no-fund "binaryen@$BINARYEN_VERSION" >/dev/null
fi

if ! testing; then
  say "ready to build and run: wasm-bindgen $WB_VERSION, wasm-opt $(wasm-opt --version 2>/dev/null | awk '{print $3}')"
  exit 0
fi

# 5. Chromium for Playwright (never Playwright's own browser download)
if ! [ -x "${CHROMIUM_PATH:-/usr/bin/chromium}" ]; then
  apt_install "Chromium is missing (or set CHROMIUM_PATH)" chromium
fi

# 5b. Apache with mod_auth_openidc (an OpenID-certified relying party) for end2end/tests/apache.spec.ts
if ! [ -x /usr/sbin/apache2 ] || ! [ -f /usr/lib/apache2/modules/mod_auth_openidc.so ]; then
  apt_install "Apache and mod_auth_openidc are missing" apache2 libapache2-mod-auth-openidc
fi

# 5c. systemd-analyze checks deploy/portcullis.service (server/tests/operations.rs)
if ! command -v systemd-analyze >/dev/null; then
  apt_install "systemd-analyze is missing" systemd
fi

# 5d. promtool (Debian's prometheus package) checks /metrics (server/tests/metrics.rs)
if ! command -v promtool >/dev/null; then
  apt_install "promtool is missing" prometheus
fi

# 6. end2end npm packages
if [ -f "$ROOT/end2end/package.json" ]; then
  if ! [ -d "$ROOT/end2end/node_modules" ] || [ "$ROOT/end2end/package-lock.json" -nt "$ROOT/end2end/node_modules/.package-lock.json" ]; then
    say "installing end2end npm packages"
    (cd "$ROOT/end2end" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund >/dev/null)
  fi
fi

# 7. PostgreSQL for the PostgreSQL half of the integration suite
postgres_answers() { (exec 3<>/dev/tcp/127.0.0.1/5432) 2>/dev/null; }
if [ -z "${PORTCULLIS_TEST_DATABASE_URL:-}" ] && ! postgres_answers; then
  if [ "${CI:-}" = "true" ] || [ "${PORTCULLIS_INSTALL_POSTGRES:-}" = "1" ]; then
    [ "$(id -u)" -eq 0 ] || die "PostgreSQL is needed (CI=true) but none answers on 127.0.0.1:5432: start one, or set PORTCULLIS_TEST_DATABASE_URL=postgres://user@host/db."
    command -v apt-get >/dev/null || die "PostgreSQL is needed (CI=true) and apt-get is not available: set PORTCULLIS_TEST_DATABASE_URL."
    say "installing Debian postgresql for the tests (local connections trusted)"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
    PG_VERSION="$(ls /etc/postgresql | sort -n | tail -1)"
    HBA="/etc/postgresql/$PG_VERSION/main/pg_hba.conf"
    grep -q "^host all all 127.0.0.1/32 trust" "$HBA" || sed -i '1i host all all 127.0.0.1/32 trust' "$HBA"
    pg_ctlcluster "$PG_VERSION" main start 2>/dev/null || pg_ctlcluster "$PG_VERSION" main reload
    for _ in $(seq 1 50); do postgres_answers && break; sleep 0.2; done
    postgres_answers || die "PostgreSQL was installed but does not answer on 127.0.0.1:5432."
  else
    say "PostgreSQL: none on 127.0.0.1:5432 and PORTCULLIS_TEST_DATABASE_URL is unset, so the integration suite runs on SQLite only (PORTCULLIS_INSTALL_POSTGRES=1 installs Debian's)."
  fi
fi

# 8. Python's Authlib (a second OpenID Connect relying party for the tests) and Schemathesis
# (scripts/fuzz-api.sh: generated input against the REST API's OpenAPI document), in a virtualenv in the cache
AUTHLIB_VERSION=1.6.5
REQUESTS_VERSION=2.34.2
SCHEMATHESIS_VERSION=4.32.5
VENV="$CACHE/venv"
if ! "$VENV/bin/python" -c "import authlib, requests, sys; sys.exit(authlib.__version__ != '$AUTHLIB_VERSION')" 2>/dev/null; then
  command -v python3 >/dev/null || die "python3 is missing: install Python 3 (apt-get install python3 python3-venv)."
  say "installing Authlib $AUTHLIB_VERSION into $VENV (for the OpenID Connect tests)"
  python3 -m venv "$VENV" || die "python3 -m venv failed: apt-get install python3-venv"
  "$VENV/bin/pip" install -q --disable-pip-version-check "authlib==$AUTHLIB_VERSION" "requests==$REQUESTS_VERSION"
fi
if ! "$VENV/bin/schemathesis" --version 2>/dev/null | grep -q " $SCHEMATHESIS_VERSION\$"; then
  say "installing Schemathesis $SCHEMATHESIS_VERSION into $VENV (for scripts/fuzz-api.sh)"
  "$VENV/bin/pip" install -q --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi

# 1c, continued: the background leptosfmt build must have succeeded.
if [ -n "$LEPTOSFMT_PID" ]; then
  say "waiting for the leptosfmt build"
  if ! wait "$LEPTOSFMT_PID"; then
    LEPTOSFMT_PID=""
    tail -n 30 "$LEPTOSFMT_LOG" >&2
    die "installing leptosfmt $LEPTOSFMT_VERSION failed (whole log: $LEPTOSFMT_LOG)"
  fi
  LEPTOSFMT_PID=""
fi
leptosfmt --version 2>/dev/null | grep -q " $LEPTOSFMT_VERSION\$" || die "leptosfmt $LEPTOSFMT_VERSION is not on PATH after installing it (see $LEPTOSFMT_LOG)"

say "ready: ${MODE}: leptosfmt $LEPTOSFMT_VERSION, wasm-bindgen $WB_VERSION, wasm-opt $(wasm-opt --version 2>/dev/null | awk '{print $3}'), $("${CHROMIUM_PATH:-/usr/bin/chromium}" --version 2>/dev/null)"
