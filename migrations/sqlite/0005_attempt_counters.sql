-- Guessing limits, one counter per scope and subject: an account's second
-- factor (subject: the user id), an account's password logins (a keyed hash
-- of the email typed, registered or not), an address's failed logins and an
-- address's sign-ups (the address, IPv6 by its /64).
CREATE TABLE attempt_counters (
    scope        TEXT    NOT NULL,
    subject      TEXT    NOT NULL,
    failures     INTEGER NOT NULL DEFAULT 0,
    locked_until INTEGER NOT NULL DEFAULT 0,
    window_start INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (scope, subject)
);

INSERT INTO attempt_counters (scope, subject, failures, locked_until, window_start)
    SELECT 'second_factor', CAST(user_id AS TEXT), failures, locked_until, CAST(strftime('%s', 'now') AS INTEGER)
    FROM second_factor_attempts WHERE failures > 0;

DROP TABLE second_factor_attempts;
