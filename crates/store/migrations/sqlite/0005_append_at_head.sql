-- `INSERT OR REPLACE` (and `REPLACE`) deletes the row in its way and inserts its own, and
-- SQLite fires no delete trigger for that delete unless recursive_triggers is on, so the
-- triggers of migration 1 let a replace rewrite any entry. An insert must instead add the
-- entry after the last one, with a hash no entry has: a replace of an existing entry (its
-- seq is taken) or one aimed at another entry's hash (the UNIQUE hash would delete it) is
-- refused before SQLite looks for a conflict.
CREATE TRIGGER change_log_append_at_head BEFORE INSERT ON change_log
WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq), 0) + 1 FROM change_log)
  OR EXISTS (SELECT 1 FROM change_log WHERE hash = NEW.hash)
BEGIN
    SELECT RAISE(ABORT, 'change_log is append-only: a new entry must follow the last one');
END;

-- The same hole in proposals: a replace would rewrite a settled proposal.
CREATE TRIGGER proposals_insert_new BEFORE INSERT ON proposals
WHEN EXISTS (SELECT 1 FROM proposals WHERE id = NEW.id)
BEGIN
    SELECT RAISE(ABORT, 'proposals are kept: settle them instead');
END;
