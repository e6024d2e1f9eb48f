-- The change log: append-only, hash-chained. recorded_at_us is record time in
-- microseconds since the Unix epoch (UTC), exactly as hashed; the view below shows it
-- as a timestamptz for people using psql.
CREATE TABLE change_log (
    seq            BIGINT PRIMARY KEY,
    recorded_at_us BIGINT NOT NULL,
    author         TEXT   NOT NULL,
    reason         TEXT   NOT NULL,
    change_json    TEXT   NOT NULL,
    prev_hash      TEXT   NOT NULL,
    hash           TEXT   NOT NULL UNIQUE
);
CREATE INDEX change_log_recorded_at ON change_log (recorded_at_us);

CREATE VIEW change_log_readable AS
SELECT seq,
       to_timestamp(recorded_at_us / 1000000.0) AS recorded_at,
       author,
       reason,
       change_json::jsonb AS change,
       hash
FROM change_log;

-- Refuse updates, deletes and truncation. A superuser can drop these triggers; the hash
-- chain is what then shows the tampering.
CREATE FUNCTION change_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'change_log is append-only: corrections are new entries';
END;
$$;
CREATE TRIGGER change_log_no_update BEFORE UPDATE OR DELETE ON change_log
    FOR EACH ROW EXECUTE FUNCTION change_log_append_only();
CREATE TRIGGER change_log_no_truncate BEFORE TRUNCATE ON change_log
    FOR EACH STATEMENT EXECUTE FUNCTION change_log_append_only();

CREATE TABLE users (
    name          TEXT   PRIMARY KEY,
    role          TEXT   NOT NULL CHECK (role IN ('viewer', 'editor', 'approver', 'admin')),
    created_at_us BIGINT NOT NULL
);

CREATE TABLE api_tokens (
    id            TEXT   PRIMARY KEY,
    user_name     TEXT   NOT NULL REFERENCES users (name),
    label         TEXT   NOT NULL,
    token_hash    TEXT   NOT NULL,
    created_at_us BIGINT NOT NULL,
    revoked_at_us BIGINT
);
CREATE INDEX api_tokens_user ON api_tokens (user_name);

CREATE TABLE sessions (
    id_hash       TEXT   PRIMARY KEY,
    user_name     TEXT   NOT NULL REFERENCES users (name),
    csrf          TEXT   NOT NULL,
    created_at_us BIGINT NOT NULL,
    expires_at_us BIGINT NOT NULL
);
CREATE INDEX sessions_expiry ON sessions (expires_at_us);
