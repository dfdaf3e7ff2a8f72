-- Security keys and passkeys (WebAuthn). A credential is webauthn-rs's Passkey
-- as JSON: a public key and its counter, nothing secret.

-- The random user handle (a UUID) that keys store for passkey sign-in: never
-- the account's number or email. Set at the first key.
ALTER TABLE users ADD COLUMN webauthn_handle TEXT;
CREATE UNIQUE INDEX users_webauthn_handle ON users(webauthn_handle);

CREATE TABLE webauthn_credentials (
    id              BIGSERIAL PRIMARY KEY,
    user_id         BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    credential_id   TEXT    NOT NULL UNIQUE, -- base64url, as the browser names it
    name            TEXT    NOT NULL,
    passkey         TEXT    NOT NULL,        -- webauthn-rs Passkey (JSON)
    sign_count      BIGINT NOT NULL,        -- clone detection: must grow (or stay 0)
    backup_eligible BIGINT NOT NULL,        -- 1: a synced passkey can be
    backed_up       BIGINT NOT NULL,        -- 1: it is synced now
    created_at      BIGINT NOT NULL,
    last_used_at    BIGINT
);
CREATE INDEX webauthn_credentials_user ON webauthn_credentials(user_id);

-- A registration or authentication in progress: the challenge's state, bound
-- to the session (registration), the pending login (second step) or nothing
-- (passkey sign-in), used once (DELETE ... RETURNING), expiring.
CREATE TABLE webauthn_ceremonies (
    id_hash    TEXT    PRIMARY KEY,
    kind       TEXT    NOT NULL, -- 'register' | 'second_factor' | 'passkey'
    binding    TEXT    NOT NULL, -- session hash, pending-login hash, or ''
    user_id    BIGINT REFERENCES users(id) ON DELETE CASCADE,
    key_name   TEXT,
    state      TEXT    NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX webauthn_ceremonies_expiry ON webauthn_ceremonies(expires_at);

-- "Allowed second factors": an organization requiring 2FA accepts these.
ALTER TABLE organizations ADD COLUMN allow_totp BIGINT NOT NULL DEFAULT 1;
ALTER TABLE organizations ADD COLUMN allow_webauthn BIGINT NOT NULL DEFAULT 1;
