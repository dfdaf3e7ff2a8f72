-- When the session's owner last proved who they are (password at login, or
-- again when asked): sensitive steps ask for the password when this is old.
ALTER TABLE sessions ADD COLUMN authenticated_at INTEGER NOT NULL DEFAULT 0;
UPDATE sessions SET authenticated_at = created_at;
