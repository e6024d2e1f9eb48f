-- Sessions are bound to what opened them: an API token (and end when it is revoked) or an
-- OpenID Connect sign-in. Sessions from before this migration were bound to nothing, so
-- they are ended here and their users sign in again. Each session has a public handle, so
-- that its owner or an admin can list and end it without its secret id.
DROP TABLE sessions;
CREATE TABLE sessions (
    id_hash       TEXT    PRIMARY KEY,
    handle        TEXT    NOT NULL UNIQUE,
    user_name     TEXT    NOT NULL REFERENCES users (name),
    csrf          TEXT    NOT NULL,
    origin        TEXT    NOT NULL CHECK (origin IN ('token', 'oidc')),
    token_id      TEXT    REFERENCES api_tokens (id),
    created_at_us INTEGER NOT NULL,
    expires_at_us INTEGER NOT NULL,
    CHECK ((origin = 'token') = (token_id IS NOT NULL))
);
CREATE INDEX sessions_expiry ON sessions (expires_at_us);
CREATE INDEX sessions_user ON sessions (user_name);
CREATE INDEX sessions_token ON sessions (token_id);

-- A disabled user's tokens and sign-ins are refused.
ALTER TABLE users ADD COLUMN disabled_at_us INTEGER;
-- The OpenID Connect identity (issuer and subject) a user signs in as, if any.
ALTER TABLE users ADD COLUMN oidc_subject TEXT;
CREATE UNIQUE INDEX users_oidc_subject ON users (oidc_subject);
