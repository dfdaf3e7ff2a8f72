-- Personal access tokens and application passwords for the REST API
-- (/api/v1). Only the SHA-256 of each secret is stored: the secrets carry
-- 190 random bits, so a fast hash cannot be reversed, and a lookup by hash
-- is one indexed read per request.
CREATE TABLE api_tokens (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    kind         TEXT    NOT NULL, -- 'personal_access_token' | 'application_password'
    name         TEXT    NOT NULL,
    token_hash   TEXT    NOT NULL UNIQUE,
    scopes       TEXT    NOT NULL, -- space-separated: read write admin:org
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT,          -- NULL: never
    last_used_at BIGINT,
    last_used_ip TEXT,
    revoked_at   BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens(user_id);

-- "Allow personal access tokens and application passwords for this organization's data".
ALTER TABLE organizations ADD COLUMN allow_api_tokens BIGINT NOT NULL DEFAULT 1;
