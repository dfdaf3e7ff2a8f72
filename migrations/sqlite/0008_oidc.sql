-- Portcullis as an OpenID Connect provider. Codes, tokens, request handles
-- and client secrets are stored only as SHA-256 hashes; signing keys sealed
-- with the server key.
CREATE TABLE oidc_clients (
    id                        INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id                 TEXT    NOT NULL UNIQUE,
    org_id                    INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name                      TEXT    NOT NULL,
    secret_hash               TEXT,   -- NULL: a public client (PKCE, no secret)
    redirect_uris             TEXT    NOT NULL, -- one per line, matched exactly
    post_logout_redirect_uris TEXT    NOT NULL DEFAULT '',
    require_two_factor        INTEGER NOT NULL DEFAULT 0,
    disabled                  INTEGER NOT NULL DEFAULT 0,
    created_at                INTEGER NOT NULL
);
CREATE INDEX oidc_clients_org ON oidc_clients(org_id);

-- A validated authorization request waiting for its user to log in or consent.
CREATE TABLE oidc_requests (
    id_hash        TEXT    PRIMARY KEY,
    client_id      INTEGER NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    redirect_uri   TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    state          TEXT,
    nonce          TEXT,
    code_challenge TEXT,
    prompt         TEXT    NOT NULL DEFAULT '',
    max_age        INTEGER,
    session_hash   TEXT,    -- the session at the time: prompt=login and max_age need another one
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL
);

CREATE TABLE oidc_codes (
    code_hash      TEXT    PRIMARY KEY,
    client_id      INTEGER NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    user_id        INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redirect_uri   TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    nonce          TEXT,
    code_challenge TEXT,
    auth_time      INTEGER NOT NULL,
    proof          TEXT    NOT NULL,
    created_at     INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    redeemed_at    INTEGER, -- single use: set by one conditional UPDATE
    grant_id       TEXT     -- what the redemption issued, revoked if the code comes again
);

-- One sign-in of a user to an application: every token it leads to hangs off it.
CREATE TABLE oidc_grants (
    id         TEXT    PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope      TEXT    NOT NULL,
    auth_time  INTEGER NOT NULL,
    proof      TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX oidc_grants_user ON oidc_grants(user_id, client_id);

CREATE TABLE oidc_tokens (
    token_hash TEXT    PRIMARY KEY,
    grant_id   TEXT    NOT NULL REFERENCES oidc_grants(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_at INTEGER NOT NULL,
    used_at    INTEGER -- a refresh token, once rotated; using it again revokes the grant
);
CREATE INDEX oidc_tokens_grant ON oidc_tokens(grant_id);

-- "Allow", remembered per user and application.
CREATE TABLE oidc_consents (
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id  INTEGER NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    scope      TEXT    NOT NULL,
    granted_at INTEGER NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

CREATE TABLE oidc_sign_ins (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    client_id  INTEGER NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    proof      TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);
CREATE INDEX oidc_sign_ins_client ON oidc_sign_ins(client_id, created_at);

-- ES256 keys; the newest unretired one signs. Retired keys stay published
-- until every token they signed has expired.
CREATE TABLE oidc_signing_keys (
    kid        TEXT    PRIMARY KEY,
    key_sealed BLOB    NOT NULL,
    created_at INTEGER NOT NULL,
    retired_at INTEGER
);
