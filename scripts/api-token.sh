#!/usr/bin/env bash
# Prints a personal access token for a fresh account on a running server,
# made the way a person makes one (sign up, then "Generate token" with the
# password), for the API benchmark and fuzz scripts.
#
#   scripts/api-token.sh http://127.0.0.1:3000 "read write admin:org" [org-slug]
# With an org slug, the account also creates that organization (so org routes have one to act on).
set -euo pipefail
BASE="$1"
SCOPES="${2:-read}"
ORG="${3:-}"
JAR="$(mktemp)"
trap 'rm -f "$JAR"' EXIT
EMAIL="api-$(date +%s%N)-$$@example.com"
PASSWORD="api token password $$"
post() { curl -fsS -b "$JAR" -c "$JAR" -H 'Accept: application/json' "$BASE/api/$1" "${@:2}"; }
post sign_up --data-urlencode "name=API" --data-urlencode "email=$EMAIL" --data-urlencode "password=$PASSWORD" >/dev/null
if [ -n "$ORG" ]; then
  post create_org --data-urlencode "name=$ORG" --data-urlencode "slug=$ORG" >/dev/null
fi
ARGS=(--data-urlencode "name=script" --data-urlencode "expires_in_days=30" --data-urlencode "password=$PASSWORD")
for scope in $SCOPES; do
  case "$scope" in
    read) ARGS+=(--data-urlencode "read=true") ;;
    write) ARGS+=(--data-urlencode "write=true") ;;
    admin:org) ARGS+=(--data-urlencode "admin_org=true") ;;
  esac
done
post create_api_token "${ARGS[@]}" | python3 -c 'import json, sys; print(json.load(sys.stdin)["secret"])'
