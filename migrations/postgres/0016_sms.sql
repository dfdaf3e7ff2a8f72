-- Text messages (SMS) as a second factor: the weakest one offered, with
-- every code sent kept (hashed) so that codes are single use and sends are
-- bounded.

-- An account's verified number. E.164, sealed with the server key like TOTP secrets.
CREATE TABLE sms_credentials (
    user_id      BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
    phone_sealed BYTEA    NOT NULL,
    enabled_at   BIGINT NOT NULL
);

-- A number being set up (the "Two Factor Auth" dialog, or "Change number"),
-- bound to the session that asked: nothing touches the account until the
-- code it was sent is checked and, with 2FA off, the backup codes saved.
CREATE TABLE sms_enrollments (
    session_hash TEXT    PRIMARY KEY REFERENCES sessions(token_hash) ON DELETE CASCADE,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    phone_sealed BYTEA    NOT NULL,
    verified     BIGINT NOT NULL DEFAULT 0,
    codes_sealed BYTEA, -- backup codes made at the check, when 2FA was off
    expires_at   BIGINT NOT NULL
);

-- Every code texted. The code only as a keyed hash; used once (`used_at`, a
-- conditional UPDATE). `purpose` and `bound_to` say what it may open: a
-- pending login (its token's hash) or an enrollment (its session's hash).
CREATE TABLE sms_sends (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    purpose      TEXT    NOT NULL,
    bound_to     TEXT    NOT NULL,
    code_hash    TEXT    NOT NULL,
    sent_at      BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    used_at      BIGINT
);
CREATE INDEX sms_sends_bound ON sms_sends(bound_to, purpose);
CREATE INDEX sms_sends_expires ON sms_sends(expires_at);

-- All codes sent on a day (UTC), across instances: `--sms-daily-limit`.
CREATE TABLE sms_daily (
    day  BIGINT PRIMARY KEY, -- days since 1970-01-01
    sent BIGINT NOT NULL
);

-- "Allowed second factors" gains SMS; organizations keep allowing what they allowed.
ALTER TABLE organizations ADD COLUMN allow_sms BIGINT NOT NULL DEFAULT 1;

-- The method asked for first at login, where the account has several ('authenticator_app', 'sms').
ALTER TABLE users ADD COLUMN preferred_factor TEXT;
