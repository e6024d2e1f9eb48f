-- Checkpoints signed with the log key, a secret kept outside the database (HMAC-SHA256 of
-- the entry's seq and hash; see docs/security.md). One after every write made with the
-- key; each vouches for its entry and, through the hash chain, every entry before it.
-- Append-only like the log: rows are never changed or removed, and a new checkpoint must
-- come after the last one (so a REPLACE cannot rewrite one either).
CREATE TABLE log_checkpoints (
    seq        INTEGER PRIMARY KEY REFERENCES change_log (seq),
    hash       TEXT    NOT NULL,
    key_id     TEXT    NOT NULL,
    mac        TEXT    NOT NULL,
    made_at_us INTEGER NOT NULL
);
CREATE TRIGGER log_checkpoints_no_update BEFORE UPDATE ON log_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'log_checkpoints is append-only');
END;
CREATE TRIGGER log_checkpoints_no_delete BEFORE DELETE ON log_checkpoints
BEGIN
    SELECT RAISE(ABORT, 'log_checkpoints is append-only');
END;
CREATE TRIGGER log_checkpoints_after_the_last BEFORE INSERT ON log_checkpoints
WHEN NEW.seq <= (SELECT COALESCE(MAX(seq), 0) FROM log_checkpoints)
BEGIN
    SELECT RAISE(ABORT, 'log_checkpoints is append-only: a new checkpoint must follow the last one');
END;
