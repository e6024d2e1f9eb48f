-- Who decided a proposal, as a field of each log entry the decision wrote (canonical
-- JSON of the decision, covered by the entry's hash); NULL for every other entry.
ALTER TABLE change_log ADD COLUMN decision_json TEXT;

CREATE OR REPLACE VIEW change_log_readable AS
SELECT seq,
       to_timestamp(recorded_at_us / 1000000.0) AS recorded_at,
       author,
       reason,
       change_json::jsonb AS change,
       hash,
       decision_json::jsonb AS decision
FROM change_log;

-- Changes waiting for a second person. A proposal is settled once: approved (its change
-- published as log entry decided_seq) or rejected (a workflow-step entry decided_seq).
CREATE TABLE proposals (
    id              BIGINT PRIMARY KEY,
    proposed_by     TEXT   NOT NULL,
    proposed_at_us  BIGINT NOT NULL,
    base_revision   BIGINT NOT NULL,
    reason          TEXT   NOT NULL,
    change_json     TEXT   NOT NULL,
    state           TEXT   NOT NULL CHECK (state IN ('pending', 'published', 'rejected')),
    decided_by      TEXT,
    decided_at_us   BIGINT,
    decision_reason TEXT,
    decided_seq     BIGINT REFERENCES change_log (seq),
    CHECK (state = 'pending' OR (decided_by IS NOT NULL AND decided_at_us IS NOT NULL
                                 AND decision_reason IS NOT NULL AND decided_seq IS NOT NULL)),
    -- Four eyes, kept by the database as well as by the code.
    CHECK (state <> 'published' OR decided_by <> proposed_by)
);
CREATE INDEX proposals_state ON proposals (state);

CREATE FUNCTION proposals_settled_once() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'proposals are kept: settle them instead';
    END IF;
    IF OLD.state <> 'pending' THEN
        RAISE EXCEPTION 'a settled proposal cannot change';
    END IF;
    RETURN NEW;
END;
$$;
CREATE TRIGGER proposals_settled_once BEFORE UPDATE OR DELETE ON proposals
    FOR EACH ROW EXECUTE FUNCTION proposals_settled_once();
