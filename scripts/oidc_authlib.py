#!/usr/bin/env python3
"""A relying party we did not write: Python's Authlib signs in to Portcullis.

Run by server/tests/oidc_authlib.rs against a test server. The application
side is Authlib (authorization URL with PKCE S256 and nonce, code exchange
with client_secret_basic, ID token validation against the JWKS with its
CodeIDToken rules, userinfo, refresh, revocation); the user's browser is a
requests session that logs in with the password and a TOTP code and clicks
"Allow". Prints a JSON summary; exits non-zero on any failure.

Environment: ISSUER, CLIENT_ID, CLIENT_SECRET, REDIRECT_URI, EMAIL, PASSWORD,
TOTP_SECRET (base32).
"""
import base64, hashlib, hmac, json, os, secrets, struct, sys, time
from urllib.parse import parse_qs, urlsplit

import requests
from authlib.integrations.requests_client import OAuth2Session
from authlib.jose import JsonWebKey, jwt
from authlib.oidc.core import CodeIDToken

env = os.environ
issuer, client_id, client_secret = env["ISSUER"], env["CLIENT_ID"], env["CLIENT_SECRET"]
redirect_uri = env["REDIRECT_URI"]


def totp(secret_b32: str, at: float) -> str:
    """RFC 6238 with SHA-1, 6 digits, 30 s (what authenticator apps compute)."""
    key = base64.b32decode(secret_b32.replace(" ", "").upper())
    digest = hmac.new(key, struct.pack(">Q", int(at) // 30), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1_000_000)


# The test server's clock may run ahead of this one (the tests move it): validate at its time.
server_time = lambda: time.time() + float(env.get("CLOCK_OFFSET", "0"))


def check(condition, message):
    if not condition:
        raise SystemExit(f"authlib relying party: {message}")


meta = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=10).json()
check(meta["issuer"] == issuer, f"issuer {meta['issuer']!r}")
jwks = JsonWebKey.import_key_set(requests.get(meta["jwks_uri"], timeout=10).json())

# The application starts the sign-in.
rp = OAuth2Session(client_id, client_secret, scope="openid profile email orgs", redirect_uri=redirect_uri,
                   code_challenge_method="S256", token_endpoint_auth_method="client_secret_basic")
verifier, nonce = secrets.token_urlsafe(48), secrets.token_urlsafe(16)
url, state = rp.create_authorization_url(meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce)

# The user's browser: redirected to log in (password, then TOTP), back, "Allow".
browser = requests.Session()
json_accept = {"Accept": "application/json"}
res = browser.get(url, allow_redirects=False, timeout=10)
check(res.status_code == 303 and res.headers["Location"].startswith("/login?continue="), f"to login: {res.status_code} {res.headers.get('Location')}")
back = parse_qs(urlsplit(res.headers["Location"]).query)["continue"][0]
step = browser.post(f"{issuer}/api/log_in", data={"email": env["EMAIL"], "password": env["PASSWORD"], "next": back}, headers=json_accept, timeout=10)
check(step.json() == "SecondFactorRequired", f"log_in: {step.text}")
code = totp(env["TOTP_SECRET"], server_time())
step = browser.post(f"{issuer}/api/verify_login", data={"code": code, "next": back}, headers=json_accept, timeout=10)
check(step.status_code == 200, f"verify_login: {step.status_code} {step.text}")
res = browser.get(f"{issuer}{back}", allow_redirects=False, timeout=10)
location = res.headers.get("Location", "")
if location.startswith("/oidc/authorize/prompt"):
    request = parse_qs(urlsplit(location).query)["request"][0]
    prompt = browser.post(f"{issuer}/api/load_authorization", data={"request": request}, headers=json_accept, timeout=10).json()
    check("Consent" in prompt, f"consent page: {prompt}")
    nxt = browser.post(f"{issuer}/api/decide_consent", data={"request": request, "allow": "true"}, headers=json_accept, timeout=10).json()
    location = browser.get(f"{issuer}{nxt}", allow_redirects=False, timeout=10).headers.get("Location", "")
check(location.startswith(redirect_uri), f"back to the application: {location}")

# The application redeems the code and checks the ID token.
token = rp.fetch_token(meta["token_endpoint"], authorization_response=location, code_verifier=verifier)
claims = jwt.decode(token["id_token"], jwks, claims_cls=CodeIDToken,
                    claims_options={"iss": {"essential": True, "value": issuer}},
                    claims_params={"nonce": nonce, "client_id": client_id, "access_token": token["access_token"]})
claims.validate(now=int(server_time()), leeway=5)
header = json.loads(base64.urlsafe_b64decode(token["id_token"].split(".")[0] + "=="))
check(header["alg"] in meta["id_token_signing_alg_values_supported"], f"alg {header}")
check(claims["amr"] == ["pwd", "otp"], f"amr {claims['amr']}")
check(claims["email"] == env["EMAIL"], f"email {claims}")

info = rp.get(meta["userinfo_endpoint"]).json()
check(info["sub"] == claims["sub"] and info["email"] == env["EMAIL"], f"userinfo {info}")

old_refresh = token["refresh_token"]
refreshed = rp.refresh_token(meta["token_endpoint"], refresh_token=old_refresh)
check(refreshed["refresh_token"] != old_refresh, "the refresh token rotates")
refreshed_claims = jwt.decode(refreshed["id_token"], jwks, claims_cls=CodeIDToken,
                              claims_options={"iss": {"essential": True, "value": issuer}},
                              claims_params={"client_id": client_id})
refreshed_claims.validate(now=int(server_time()), leeway=5)
check(refreshed_claims["sub"] == claims["sub"], "the same subject after a refresh")

revoked = rp.revoke_token(meta["revocation_endpoint"], token=refreshed["refresh_token"], token_type_hint="refresh_token")
check(revoked.status_code == 200, f"revocation: {revoked.status_code}")
after = requests.get(meta["userinfo_endpoint"], headers={"Authorization": f"Bearer {refreshed['access_token']}"}, timeout=10)
check(after.status_code == 401, f"userinfo after revocation: {after.status_code}")

print(json.dumps({"sub": claims["sub"], "amr": claims["amr"], "acr": claims["acr"], "alg": header["alg"],
                  "userinfo_email": info["email"], "refreshed": True, "revoked": True}))
