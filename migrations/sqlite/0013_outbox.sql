-- Messages that leave the building (mail now; SMS and webhooks later), written
-- in the transaction of the change they tell about, so that a rolled-back
-- change sends nothing, and delivered after the commit by a worker.
-- A message is its kind and structured parameters, worded when delivered.
CREATE TABLE outbox (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    kind            TEXT    NOT NULL,
    -- The account it is for (gone with the account), and the parameters as JSON.
    user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    params          TEXT    NOT NULL,
    created_at      INTEGER NOT NULL,
    -- Not before this time (retries back off).
    next_attempt_at INTEGER NOT NULL,
    attempts        INTEGER NOT NULL DEFAULT 0,
    -- A worker's claim: until this time the row is that worker's (a conditional UPDATE takes it).
    claimed_by      TEXT,
    claimed_until   INTEGER,
    delivered_at    INTEGER,
    -- The last delivery error (no message content), and when delivery was given up.
    last_error      TEXT,
    failed_at       INTEGER
);
CREATE INDEX outbox_due ON outbox(delivered_at, failed_at, next_attempt_at);
