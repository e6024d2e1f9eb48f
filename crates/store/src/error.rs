//! Storage errors. Each says what went wrong and, where it can, what to do.

use crate::model::Revision;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The change was based on an old revision: someone else changed the register first.
    /// Nothing was written. The server maps this to HTTP 409.
    #[error("the register is at revision {current}, but this change was based on revision {expected}; reload and apply the change again")]
    Stale {
        expected: Revision,
        current: Revision,
    },
    #[error("the store has no genesis entry yet; bind it to a base register first (Store::ensure_genesis)")]
    NotInitialised,
    #[error("this store is bound to base register {stored}, but it is being opened with base {given}; use the store that belongs to this register, or a new one")]
    BaseMismatch { stored: String, given: String },
    /// A store bound to another base holds something people wrote, so it is not rebound.
    #[error("this store is bound to base register {stored}, but it is being opened with base {given}, and it holds {recorded}, written against its base, so it is not rebound; use the store that belongs to this register, or a new one")]
    NotRebound {
        stored: String,
        given: String,
        // Boxed: every result that can fail with a StoreError carries its size.
        recorded: Box<crate::model::Recorded>,
    },
    #[error("a genesis or rebind entry is written only by binding the store to its base register, never as a change")]
    GenesisNotFirst,
    #[error("unsupported store URL {0:?}: use sqlite://PATH (for example sqlite://vires.db or sqlite:///var/lib/vires/vires.db) or postgres://USER@HOST:PORT/DATABASE")]
    BadUrl(String),
    #[error("the database schema is at version {found}, newer than this vires knows ({known}); upgrade vires before using this database")]
    SchemaTooNew { found: i64, known: i64 },
    #[error("the database schema is at version {found} and this vires needs version {known}, but this database user may not change the schema ({detail}): run `vires migrate --db URL` as the database's owner")]
    MigrationNeeded {
        found: i64,
        known: i64,
        detail: String,
    },
    #[error("{0}")]
    Grant(String),
    #[error("entry {seq} of the change log is corrupt: {reason}; run `vires audit verify`")]
    Corrupt { seq: u64, reason: String },
    #[error("the database holds something this vires does not expect: {0}; run `vires audit verify` and check the schema")]
    Unexpected(String),
    #[error("cannot encode the change as JSON: {0}")]
    Json(String),
    #[error("unknown user {0:?}")]
    UnknownUser(String),
    #[error("user {0:?} already exists")]
    UserExists(String),
    #[error("unknown role {0:?}: use viewer, editor, approver or admin")]
    BadRole(String),
    #[error("unknown token {0:?}")]
    UnknownToken(String),
    #[error("cannot hash a secret: {0}")]
    Hashing(String),
    #[error("there is no proposal {0}")]
    UnknownProposal(u64),
    #[error("proposal {id} is already settled ({state}); nothing was changed")]
    ProposalSettled { id: u64, state: String },
    #[error("{user} proposed proposal {id} and cannot {action} it: a second person must decide")]
    OwnProposal {
        id: u64,
        user: String,
        action: &'static str,
    },
    #[error("there is no draft {0} of yours")]
    UnknownDraft(u64),
    #[error("a decision on a proposal needs a reason; nothing was changed")]
    NoReason,
    #[error("{0}")]
    LogKey(String),
    #[error("the change log is keyed (key {key_id}), and writing to it needs that key: set VIRES_LOG_KEY_FILE (or audit.key_file) to its file; nothing was written")]
    LogKeyNeeded { key_id: String },
    #[error("the change log has no checkpoint signed with the log key, so the key cannot vouch for its head (entry {head}); nothing was written. Check the log with `vires audit verify --expect-head HASH`, then key it from its head with `vires audit key-start`")]
    LogNotKeyed { head: u64 },
    #[error("the change log's head (entry {seq}) is not vouched for by the log key: {why}; nothing was written. Run `vires audit verify`")]
    LogHeadUnvouched { seq: u64, why: String },
    #[error("the change log is already keyed from entry {from_seq}")]
    LogAlreadyKeyed { from_seq: u64 },
    #[error("SQLite error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("PostgreSQL error: {0}")]
    Postgres(String),
    #[error("I/O error: {0}")]
    Io(#[from] std::io::Error),
}

impl From<postgres::Error> for StoreError {
    fn from(e: postgres::Error) -> Self {
        // The Display of a postgres::Error is often just "db error"; the server's message
        // is in the source, and is what a person needs to act.
        match e.as_db_error() {
            Some(db) => StoreError::Postgres(format!("{}: {}", db.code().code(), db.message())),
            None => match std::error::Error::source(&e) {
                Some(cause) => StoreError::Postgres(format!("{e}: {cause}")),
                None => StoreError::Postgres(e.to_string()),
            },
        }
    }
}

impl StoreError {
    /// True for a stale write, which the caller may retry after reloading.
    pub fn is_stale(&self) -> bool {
        matches!(self, StoreError::Stale { .. })
    }
}
