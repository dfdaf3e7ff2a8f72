-- The account lifecycle: verified addresses, and the single-use links mailed
-- to verify an address or to reset a password.

-- When the account's current address was last proved by a link sent to it (NULL: not yet).
ALTER TABLE users ADD COLUMN email_verified_at INTEGER;

-- A message to another address than the account's (the old one after a change of address).
ALTER TABLE outbox ADD COLUMN to_address TEXT;

CREATE TABLE email_links (
    -- SHA-256 of the token in the link; the token itself is sealed only in the outbox row.
    token_hash TEXT    PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    -- 'verify' (prove `email` belongs to the account) or 'reset' (set a new password).
    purpose    TEXT    NOT NULL CHECK (purpose IN ('verify', 'reset')),
    -- The address the link was sent to: a verification proves this one, not a later one.
    email      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    -- Set by the one use that counts (a conditional UPDATE).
    used_at    INTEGER
);
CREATE INDEX email_links_user ON email_links(user_id, purpose);
CREATE INDEX email_links_expires ON email_links(expires_at);

-- "Where you're signed in": the browser and address a session began from.
ALTER TABLE sessions ADD COLUMN user_agent TEXT;
ALTER TABLE sessions ADD COLUMN ip TEXT;

-- An operator of the server (`portcullis operators add`): may create
-- organizations when `--org-creation operators` is set. NULL: not one.
ALTER TABLE users ADD COLUMN operator_since INTEGER;

-- The browsers an account signed in from (a cookie's random value, hashed):
-- a browser not seen before gets the "new sign-in" mail; one the person
-- chose to remember skips the code until remembered_until.
CREATE TABLE known_browsers (
    user_id          INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    browser_hash     TEXT    NOT NULL,
    user_agent       TEXT,
    ip               TEXT,
    first_seen       INTEGER NOT NULL,
    last_seen        INTEGER NOT NULL,
    remembered_until INTEGER,
    PRIMARY KEY (user_id, browser_hash)
);

-- "Email me when a new browser signs in" (the security mails cannot be turned off).
ALTER TABLE users ADD COLUMN new_browser_mail INTEGER NOT NULL DEFAULT 1;

-- An organization may forbid "Don't ask for a code on this browser" to its members.
ALTER TABLE organizations ADD COLUMN forbid_remembered_browsers INTEGER NOT NULL DEFAULT 0;

-- An organization may let in only members whose address is verified.
ALTER TABLE organizations ADD COLUMN require_verified_emails INTEGER NOT NULL DEFAULT 0;
