-- A password given again for a sensitive step (enrolling, adding a key) is
-- not a login: it no longer moves `authenticated_at`, which OpenID Connect's
-- prompt=login, max_age and auth_time read.
ALTER TABLE sessions ADD COLUMN reauthenticated_at INTEGER;
-- A security key confirmed in this session for the next protection change
-- (adding an authenticator), used once and only for a few minutes.
ALTER TABLE sessions ADD COLUMN second_factor_confirmed_at INTEGER;
-- An access token's own scope when a refresh asked for less than the grant's.
ALTER TABLE oidc_tokens ADD COLUMN scope TEXT;
-- Authorization requests and passkey sign-ins are sealed into their handles
-- (nothing is stored before the person acts); a used handle's hash is kept
-- here until it would have expired, so that it is used once.
DROP TABLE oidc_requests;
CREATE TABLE used_handles (
    hash       TEXT    PRIMARY KEY,
    expires_at INTEGER NOT NULL
);
CREATE INDEX used_handles_expiry ON used_handles(expires_at);
