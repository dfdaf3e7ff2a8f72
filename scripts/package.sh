#!/usr/bin/env bash
# Builds a release tarball in dist/: the one binary (its site built in), README, LICENSE,
# CHANGELOG, SECURITY, the systemd unit, an example configuration and the reverse-proxy
# examples. `scripts/package.sh --no-build` packs the binary scripts/build.sh last made.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/env.sh
[ "${1:-}" = "--no-build" ] || { scripts/bootstrap.sh run; scripts/build.sh; }
BIN="$CARGO_TARGET_DIR/release/portcullis"
[ -x "$BIN" ] || { echo "no release binary at $BIN: run scripts/build.sh" >&2; exit 1; }
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
NAME="portcullis-$VERSION-$(uname -m)-linux"
STAGE="$(mktemp -d)"
trap 'rm -rf "$STAGE"' EXIT
mkdir -p "$STAGE/$NAME/deploy" dist
# Symbols stay behind (the build keeps them, for perf): the binary ships stripped.
objcopy --strip-all "$BIN" "$STAGE/$NAME/portcullis"
"$STAGE/$NAME/portcullis" --version >/dev/null
grep -q 'embedded' <("$STAGE/$NAME/portcullis" --version) || {
  echo "the binary has no site built in: build it with scripts/build.sh" >&2
  exit 1
}
cp README.md LICENSE CHANGELOG.md SECURITY.md "$STAGE/$NAME/"
cp deploy/portcullis.service deploy/portcullis.env.example deploy/nginx.conf deploy/Caddyfile "$STAGE/$NAME/deploy/"
tar -C "$STAGE" --owner=0 --group=0 --sort=name -czf "dist/$NAME.tar.gz" "$NAME"
(cd dist && sha256sum "$NAME.tar.gz" > "$NAME.tar.gz.sha256")
echo "dist/$NAME.tar.gz ($(du -h "dist/$NAME.tar.gz" | cut -f1); binary $(du -h "$STAGE/$NAME/portcullis" | cut -f1))"
