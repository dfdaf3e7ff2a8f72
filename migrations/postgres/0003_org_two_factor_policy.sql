-- "Require two-factor authentication" per organization, with a grace period.
ALTER TABLE organizations ADD COLUMN require_two_factor BIGINT NOT NULL DEFAULT 0;
ALTER TABLE organizations ADD COLUMN grace_days BIGINT NOT NULL DEFAULT 0;
-- When the requirement was switched on: the grace period runs from here.
ALTER TABLE organizations ADD COLUMN required_since BIGINT;

CREATE TABLE audit_events (
    id         BIGSERIAL PRIMARY KEY,
    org_id     BIGINT NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    actor_id   BIGINT REFERENCES users(id) ON DELETE SET NULL,
    kind       TEXT    NOT NULL,
    detail     TEXT    NOT NULL DEFAULT '',
    created_at BIGINT NOT NULL
);
CREATE INDEX audit_events_org ON audit_events(org_id, created_at);

-- A message shown to the user at their next visit (e.g. "an admin reset your 2FA").
ALTER TABLE users ADD COLUMN notice TEXT;
