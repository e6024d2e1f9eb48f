-- The change log: append-only, hash-chained. recorded_at_us is record time in
-- microseconds since the Unix epoch (UTC), exactly as hashed.
CREATE TABLE change_log (
    seq            INTEGER PRIMARY KEY,
    recorded_at_us INTEGER NOT NULL,
    author         TEXT    NOT NULL,
    reason         TEXT    NOT NULL,
    change_json    TEXT    NOT NULL,
    prev_hash      TEXT    NOT NULL,
    hash           TEXT    NOT NULL UNIQUE
);
CREATE INDEX change_log_recorded_at ON change_log (recorded_at_us);

-- Refuse updates and deletes. Someone with the file can drop these triggers; the hash
-- chain is what then shows the tampering.
CREATE TRIGGER change_log_no_update BEFORE UPDATE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'change_log is append-only: corrections are new entries');
END;
CREATE TRIGGER change_log_no_delete BEFORE DELETE ON change_log
BEGIN
    SELECT RAISE(ABORT, 'change_log is append-only: corrections are new entries');
END;

CREATE TABLE users (
    name          TEXT    PRIMARY KEY,
    role          TEXT    NOT NULL CHECK (role IN ('viewer', 'editor', 'approver', 'admin')),
    created_at_us INTEGER NOT NULL
);

CREATE TABLE api_tokens (
    id            TEXT    PRIMARY KEY,
    user_name     TEXT    NOT NULL REFERENCES users (name),
    label         TEXT    NOT NULL,
    token_hash    TEXT    NOT NULL,
    created_at_us INTEGER NOT NULL,
    revoked_at_us INTEGER
);
CREATE INDEX api_tokens_user ON api_tokens (user_name);

CREATE TABLE sessions (
    id_hash       TEXT    PRIMARY KEY,
    user_name     TEXT    NOT NULL REFERENCES users (name),
    csrf          TEXT    NOT NULL,
    created_at_us INTEGER NOT NULL,
    expires_at_us INTEGER NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at_us);
