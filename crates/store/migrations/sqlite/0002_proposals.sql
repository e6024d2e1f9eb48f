-- Who decided a proposal, as a field of each log entry the decision wrote (canonical
-- JSON of the decision, covered by the entry's hash); NULL for every other entry.
ALTER TABLE change_log ADD COLUMN decision_json TEXT;

-- Changes waiting for a second person. A proposal is settled once: approved (its change
-- published as log entry decided_seq) or rejected (a workflow-step entry decided_seq).
CREATE TABLE proposals (
    id              INTEGER PRIMARY KEY,
    proposed_by     TEXT    NOT NULL,
    proposed_at_us  INTEGER NOT NULL,
    base_revision   INTEGER NOT NULL,
    reason          TEXT    NOT NULL,
    change_json     TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'published', 'rejected')),
    decided_by      TEXT,
    decided_at_us   INTEGER,
    decision_reason TEXT,
    decided_seq     INTEGER REFERENCES change_log (seq),
    CHECK (state = 'pending' OR (decided_by IS NOT NULL AND decided_at_us IS NOT NULL
                                 AND decision_reason IS NOT NULL AND decided_seq IS NOT NULL)),
    -- Four eyes, kept by the database as well as by the code.
    CHECK (state <> 'published' OR decided_by <> proposed_by)
);
CREATE INDEX proposals_state ON proposals (state);

CREATE TRIGGER proposals_settled_once BEFORE UPDATE ON proposals
WHEN OLD.state <> 'pending'
BEGIN
    SELECT RAISE(ABORT, 'a settled proposal cannot change');
END;
CREATE TRIGGER proposals_no_delete BEFORE DELETE ON proposals
BEGIN
    SELECT RAISE(ABORT, 'proposals are kept: settle them instead');
END;
