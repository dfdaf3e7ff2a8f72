-- What the applications people connect expect of a provider.

-- RS256 (the OpenID Connect default) beside ES256: one current key of each.
-- Keys made before this are ES256.
ALTER TABLE oidc_signing_keys ADD COLUMN alg TEXT NOT NULL DEFAULT 'ES256';

-- How each client's ID tokens are signed. Clients registered before this
-- keep ES256, what they were given; new ones get RS256 unless they ask.
ALTER TABLE oidc_clients ADD COLUMN id_token_alg TEXT NOT NULL DEFAULT 'ES256';

-- A resource server (an API behind a gateway) may introspect the tokens of
-- every application of its organization; other clients only their own.
ALTER TABLE oidc_clients ADD COLUMN resource_server INTEGER NOT NULL DEFAULT 0;

-- OpenID Connect Back-Channel Logout 1.0: where a logout token is posted
-- when a user signs out, is reset, or revokes the application.
ALTER TABLE oidc_clients ADD COLUMN backchannel_logout_uri TEXT;

-- The Portcullis session a sign-in came from (its public id, as "Where
-- you're signed in" shows it): the ID token's `sid`, and what a logout
-- token names when that session ends.
ALTER TABLE oidc_codes ADD COLUMN sid TEXT;
ALTER TABLE oidc_grants ADD COLUMN sid TEXT;
CREATE INDEX oidc_grants_sid ON oidc_grants(sid);

-- A service (a CI job, a daemon) may use the client credentials grant: an
-- access token that names no user, for a resource server that introspects.
ALTER TABLE oidc_clients ADD COLUMN service INTEGER NOT NULL DEFAULT 0;
CREATE TABLE oidc_service_tokens (
    token_hash TEXT    PRIMARY KEY,
    client_id  INTEGER NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    scope      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX oidc_service_tokens_expires ON oidc_service_tokens(expires_at);

-- A client may choose a shorter life for its refresh tokens than the default
-- 30 days (a browser app on shared machines); NULL is the default.
ALTER TABLE oidc_clients ADD COLUMN refresh_token_secs INTEGER;

-- Organizations whose members a client admits besides its own: a manager adds
-- only organizations they manage too; removing one needs no such right.
CREATE TABLE oidc_client_orgs (
    client_id INTEGER NOT NULL REFERENCES oidc_clients(id) ON DELETE CASCADE,
    org_id    INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    PRIMARY KEY (client_id, org_id)
);
CREATE INDEX oidc_client_orgs_org ON oidc_client_orgs(org_id);
