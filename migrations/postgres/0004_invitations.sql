-- Membership by consent: an owner or admin invites an email address, the person behind it accepts or declines.
CREATE TABLE invitations (
    id         BIGSERIAL PRIMARY KEY,
    org_id     BIGINT  NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email      TEXT    NOT NULL, -- normalized (trimmed, lowercased) like users.email; no account needs to use it
    role       TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    invited_by BIGINT REFERENCES users(id) ON DELETE SET NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    UNIQUE (org_id, email)
);
CREATE INDEX invitations_email ON invitations(email);
