-- Membership by consent: an owner or admin invites an email address, the person behind it accepts or declines.
CREATE TABLE invitations (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    org_id     INTEGER NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email      TEXT    NOT NULL, -- normalized (trimmed, lowercased) like users.email; no account needs to use it
    role       TEXT    NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    invited_by INTEGER REFERENCES users(id) ON DELETE SET NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    UNIQUE (org_id, email)
);
CREATE INDEX invitations_email ON invitations(email);
