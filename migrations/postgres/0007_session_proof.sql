-- How the session's owner proved who they are when it began: 'pwd' (password
-- only), 'pwd+totp' or 'pwd+backup_code'. Applications signing in through
-- Portcullis learn it as the ID token's `amr`; a session whose second factor
-- was not used never claims one.
ALTER TABLE sessions ADD COLUMN proof TEXT NOT NULL DEFAULT 'pwd';
