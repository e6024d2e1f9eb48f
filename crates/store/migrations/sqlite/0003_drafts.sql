-- Changes being drafted in the browser: the form's fields as typed, private to the owner
-- until proposed (then `proposal` names the proposal).
CREATE TABLE drafts (
    id            INTEGER PRIMARY KEY,
    owner         TEXT    NOT NULL,
    kind          TEXT    NOT NULL,
    fields_json   TEXT    NOT NULL,
    created_at_us INTEGER NOT NULL,
    updated_at_us INTEGER NOT NULL,
    proposal      INTEGER REFERENCES proposals (id)
);
CREATE INDEX drafts_owner ON drafts (owner, updated_at_us);
