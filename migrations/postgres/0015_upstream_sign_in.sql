-- Signing in through another identity provider (an upstream OpenID Connect issuer).

-- An issuer the operator configured (`portcullis providers add`).
CREATE TABLE upstream_providers (
    id            BIGSERIAL PRIMARY KEY,
    name          TEXT    NOT NULL UNIQUE, -- "Acme SSO": on buttons, in logs and on the Members tab
    issuer        TEXT    NOT NULL,
    client_id     TEXT    NOT NULL,
    client_secret_sealed TEXT NOT NULL, -- base64 of the secret sealed with the server key, like TOTP secrets
    scopes        TEXT    NOT NULL,
    allow_sign_up BIGINT NOT NULL DEFAULT 0,
    button_label  TEXT,
    created_at    BIGINT NOT NULL
);

-- An account's identity at a provider: (provider, sub), never the email.
CREATE TABLE upstream_identities (
    provider_id BIGINT NOT NULL REFERENCES upstream_providers(id) ON DELETE CASCADE,
    subject     TEXT    NOT NULL,
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    email       TEXT, -- what the provider said at linking, shown to the owner only
    created_at  BIGINT NOT NULL,
    last_used_at BIGINT,
    PRIMARY KEY (provider_id, subject),
    UNIQUE (provider_id, user_id)
);
CREATE INDEX upstream_identities_user ON upstream_identities(user_id);

-- An organization may ask upstream sign-ins without a multi-factor claim for Portcullis's second factor.
ALTER TABLE organizations ADD COLUMN require_upstream_mfa BIGINT NOT NULL DEFAULT 0;

-- What a security-log row is about, where its kind needs it (the provider signed in through).
ALTER TABLE security_events ADD COLUMN detail TEXT;

-- How a login half-way began: 'password', or 'upstream' (an organization asks
-- a provider's sign-in without several factors for this server's code).
ALTER TABLE pending_logins ADD COLUMN first_step TEXT NOT NULL DEFAULT 'password';
