-- As in SQLite's migration 5: an insert must add the entry right after the last one.
-- PostgreSQL has no REPLACE (an upsert fires the update trigger), so this only keeps the
-- two backends refusing the same writes: an entry out of place is refused, not left to
-- the hash chain to find.
CREATE FUNCTION change_log_append_at_head() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq IS DISTINCT FROM (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_log) THEN
        RAISE EXCEPTION 'change_log is append-only: a new entry must follow the last one';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER change_log_append_at_head BEFORE INSERT ON change_log
    FOR EACH ROW EXECUTE FUNCTION change_log_append_at_head();
