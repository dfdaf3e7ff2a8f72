-- Two-factor authentication. Secrets and backup codes are sealed with AES-256-GCM
-- (see app/src/twofactor/secret_box.rs); nothing secret is stored in the clear.
CREATE TABLE totp_credentials (
    user_id       INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    secret_sealed BLOB    NOT NULL,
    last_step     INTEGER NOT NULL, -- replay protection: only later steps are accepted
    enabled_at    INTEGER NOT NULL
);

CREATE TABLE backup_codes (
    user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    lookup_hash TEXT    NOT NULL, -- HMAC of the code, to find it without decrypting
    code_sealed BLOB    NOT NULL, -- for "Reveal codes"
    used_at     INTEGER,
    PRIMARY KEY (user_id, position)
);
CREATE INDEX backup_codes_lookup ON backup_codes(user_id, lookup_hash);

-- An enrollment in progress, bound to the session that started it. Nothing
-- reaches totp_credentials until "I've Saved my Codes".
CREATE TABLE totp_enrollments (
    session_hash  TEXT    PRIMARY KEY REFERENCES sessions(token_hash) ON DELETE CASCADE,
    user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    secret_sealed BLOB    NOT NULL,
    verified_step INTEGER,
    codes_sealed  BLOB,
    expires_at    INTEGER NOT NULL
);

-- Password accepted, second factor still due. Grants nothing but the second step.
CREATE TABLE pending_logins (
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    expires_at INTEGER NOT NULL
);

CREATE TABLE second_factor_attempts (
    user_id      INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE security_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind       TEXT    NOT NULL,
    ip         TEXT,
    user_agent TEXT,
    created_at INTEGER NOT NULL
);
CREATE INDEX security_events_user ON security_events(user_id, created_at);
