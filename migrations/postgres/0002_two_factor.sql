-- Two-factor authentication. Secrets and backup codes are sealed with AES-256-GCM
-- (see app/src/twofactor/secret_box.rs); nothing secret is stored in the clear.
CREATE TABLE totp_credentials (
    user_id       BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret_sealed BYTEA    NOT NULL,
    last_step     BIGINT NOT NULL, -- replay protection: only later steps are accepted
    enabled_at    BIGINT NOT NULL
);

CREATE TABLE backup_codes (
    user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    position    BIGINT NOT NULL,
    lookup_hash TEXT    NOT NULL, -- HMAC of the code, to find it without decrypting
    code_sealed BYTEA    NOT NULL, -- for "Reveal codes"
    used_at     BIGINT,
    PRIMARY KEY (user_id, position)
);
CREATE INDEX backup_codes_lookup ON backup_codes(user_id, lookup_hash);

-- An enrollment in progress, bound to the session that started it. Nothing
-- reaches totp_credentials until "I've Saved my Codes".
CREATE TABLE totp_enrollments (
    session_hash  TEXT    PRIMARY KEY REFERENCES sessions(token_hash) ON DELETE CASCADE,
    user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_sealed BYTEA    NOT NULL,
    verified_step BIGINT,
    codes_sealed  BYTEA,
    expires_at    BIGINT NOT NULL
);

-- Password accepted, second factor still due. Grants nothing but the second step.
CREATE TABLE pending_logins (
    token_hash TEXT    PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at BIGINT NOT NULL
);

CREATE TABLE second_factor_attempts (
    user_id      BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    failures     BIGINT NOT NULL DEFAULT 0,
    locked_until BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE security_events (
    id         BIGSERIAL PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    ip         TEXT,
    user_agent TEXT,
    created_at BIGINT NOT NULL
);
CREATE INDEX security_events_user ON security_events(user_id, created_at);
