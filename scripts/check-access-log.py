#!/usr/bin/env python3
"""Reads the server log of a whole Playwright run (every walk a person does:
sign-up, 2FA, reset, OpenID Connect, SMS, upstream sign-in) and checks that the
access log has a line per request and that no secret reached the log."""
import re
import sys

# Colours (the text format writes them even to a file) would hide "route=" and such.
log = re.sub(r"\x1b\[[0-9;]*m", "", open(sys.argv[1], encoding="utf-8", errors="replace").read())
answered = [line for line in log.splitlines() if "answered" in line and "route=" in line]
if len(answered) < 20:
    sys.exit(f"only {len(answered)} access log lines: is the access log on?")
for line in answered[:5]:
    for field in ("id=", "method=", "route=", "client=", "status=", "latency_ms="):
        if field not in line:
            sys.exit(f"an access log line without {field}: {line}")
secrets = {
    "the test accounts' password": "correct horse battery",
    "a client secret": "pcs_",
    "an access token": "pca_",
    "a refresh token": "pcr_",
    "an authorization code": "pcc_",
    "a sign-in request handle": "pcq_",
    "a session cookie": "portcullis_session=",
    "the upstream client secret": "upstream-secret",
    "the SMS gateway token": "e2e-twilio-token",
    "a form body": "password=",
    "a query string": "token=",
}
for what, text in secrets.items():
    if text in log:
        where = next(line for line in log.splitlines() if text in line)
        sys.exit(f"{what} is in the server log: {where[:300]}")
if re.search(r"(?i)\b(authorization|cookie):", log):
    sys.exit("a request header is in the server log")
print(f"access log: {len(answered)} lines, no secret in {len(log)} bytes of log")
