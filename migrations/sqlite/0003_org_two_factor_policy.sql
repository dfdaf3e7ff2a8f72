-- "Require two-factor authentication" per organization, with a grace period.
ALTER TABLE organizations ADD COLUMN require_two_factor INTEGER NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN grace_days INTEGER NOT NULL DEFAULT 0;
-- When the requirement was switched on: the grace period runs from here.
ALTER TABLE organizations ADD COLUMN required_since INTEGER;

CREATE TABLE audit_events (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    actor_id   INTEGER REFERENCES users(id) ON DELETE SET NULL,
    kind       TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '',
    created_at INTEGER NOT NULL
);
CREATE INDEX audit_events_org ON audit_events(org_id, created_at);

-- A message shown to the user at their next visit (e.g. "an admin reset your 2FA").
ALTER TABLE users ADD COLUMN notice TEXT;
