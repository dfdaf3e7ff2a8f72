-- An invitation is accepted with a one-time code that the inviter passes on
-- (an email address nobody verified proves nothing). Only a keyed hash of the
-- code is kept; invitations sent before have none and must be sent again.
ALTER TABLE invitations ADD COLUMN code_hash TEXT;
-- Wrong codes so far: the fifth voids the invitation.
ALTER TABLE invitations ADD COLUMN failed_attempts INTEGER NOT NULL DEFAULT 0;
