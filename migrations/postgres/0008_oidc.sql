-- Portcullis as an OpenID Connect provider. Codes, tokens, request handles
-- and client secrets are stored only as SHA-256 hashes; signing keys sealed
-- with the server key.
CREATE TABLE oidc_clients (
    id                        BIGSERIAL PRIMARY KEY,
    client_id                 TEXT    NOT NULL UNIQUE,
    org_id                    BIGINT  NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name                      TEXT    NOT NULL,
    secret_hash               TEXT,   -- NULL: a public client (PKCE, no secret)
    redirect_uris             TEXT    NOT NULL, -- one per line, matched exactly
    post_logout_redirect_uris TEXT    NOT NULL DEFAULT '',
    require_two_factor        BIGINT  NOT NULL DEFAULT 0,
    disabled                  BIGINT  NOT NULL DEFAULT 0,
    created_at                BIGINT  NOT NULL
);
CREATE INDEX oidc_clients_org ON oidc_clients(org_id);

-- A validated authorization request waiting for its user to log in or consent.
CREATE TABLE oidc_requests (
    id_hash        TEXT    PRIMARY KEY,
    client_id      BIGINT  NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    redirect_uri   TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    state          TEXT,
    nonce          TEXT,
    code_challenge TEXT,
    prompt         TEXT    NOT NULL DEFAULT '',
    max_age        BIGINT,
    session_hash   TEXT,    -- the session at the time: prompt=login and max_age need another one
    created_at     BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL
);

CREATE TABLE oidc_codes (
    code_hash      TEXT    PRIMARY KEY,
    client_id      BIGINT  NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    user_id        BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    redirect_uri   TEXT    NOT NULL,
    scope          TEXT    NOT NULL,
    nonce          TEXT,
    code_challenge TEXT,
    auth_time      BIGINT  NOT NULL,
    proof          TEXT    NOT NULL,
    created_at     BIGINT  NOT NULL,
    expires_at     BIGINT  NOT NULL,
    redeemed_at    BIGINT, -- single use: set by one conditional UPDATE
    grant_id       TEXT     -- what the redemption issued, revoked if the code comes again
);

-- One sign-in of a user to an application: every token it leads to hangs off it.
CREATE TABLE oidc_grants (
    id         TEXT    PRIMARY KEY,
    client_id  BIGINT  NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    user_id    BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    scope      TEXT    NOT NULL,
    auth_time  BIGINT  NOT NULL,
    proof      TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX oidc_grants_user ON oidc_grants(user_id, client_id);

CREATE TABLE oidc_tokens (
    token_hash TEXT    PRIMARY KEY,
    grant_id   TEXT    NOT NULL REFERENCES oidc_grants(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL CHECK (kind IN ('access', 'refresh')),
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT  -- a refresh token, once rotated; using it again revokes the grant
);
CREATE INDEX oidc_tokens_grant ON oidc_tokens(grant_id);

-- "Allow", remembered per user and application.
CREATE TABLE oidc_consents (
    user_id    BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    client_id  BIGINT  NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    scope      TEXT    NOT NULL,
    granted_at BIGINT  NOT NULL,
    PRIMARY KEY (user_id, client_id)
);

CREATE TABLE oidc_sign_ins (
    id         BIGSERIAL PRIMARY KEY,
    client_id  BIGINT  NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    user_id    BIGINT  NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    proof      TEXT    NOT NULL,
    created_at BIGINT  NOT NULL
);
CREATE INDEX oidc_sign_ins_client ON oidc_sign_ins(client_id, created_at);

-- ES256 keys; the newest unretired one signs. Retired keys stay published
-- until every token they signed has expired.
CREATE TABLE oidc_signing_keys (
    kid        TEXT    PRIMARY KEY,
    key_sealed BYTEA   NOT NULL,
    created_at BIGINT  NOT NULL,
    retired_at BIGINT
);
