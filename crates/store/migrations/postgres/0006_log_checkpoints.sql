-- Checkpoints signed with the log key, a secret kept outside the database (HMAC-SHA256 of
-- the entry's seq and hash; see docs/security.md). One after every write made with the
-- key; each vouches for its entry and, through the hash chain, every entry before it.
-- Append-only like the log.
CREATE TABLE log_checkpoints (
    seq        BIGINT PRIMARY KEY REFERENCES change_log (seq),
    hash       TEXT   NOT NULL,
    key_id     TEXT   NOT NULL,
    mac        TEXT   NOT NULL,
    made_at_us BIGINT NOT NULL
);
CREATE FUNCTION log_checkpoints_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.seq <= (SELECT COALESCE(MAX(seq), 0) FROM log_checkpoints) THEN
            RAISE EXCEPTION 'log_checkpoints is append-only: a new checkpoint must follow the last one';
        END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'log_checkpoints is append-only';
END;
$$;
CREATE TRIGGER log_checkpoints_append_only BEFORE INSERT OR UPDATE OR DELETE ON log_checkpoints
    FOR EACH ROW EXECUTE FUNCTION log_checkpoints_append_only();
CREATE TRIGGER log_checkpoints_no_truncate BEFORE TRUNCATE ON log_checkpoints
    FOR EACH STATEMENT EXECUTE FUNCTION log_checkpoints_append_only();
