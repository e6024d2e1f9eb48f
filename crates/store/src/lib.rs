//! # vires-store
//!
//! Where the register's changes live. One synchronous interface, [`Store`], over two
//! backends: embedded SQLite (the default: one file in WAL mode) and PostgreSQL (for
//! several server instances sharing one register).
//!
//! The store keeps an append-only, hash-chained change log. Each [`Entry`] records who
//! changed what, when (record time) and why, and commits to the entry before it, so
//! [`Store::verify`] finds any edit, deletion or reordering and names the first bad entry.
//! The first entry binds the log to the base register it changes ([`Change::Genesis`]); a
//! store in which nothing was recorded may be bound to another base later
//! ([`Store::rebind`], [`Change::Rebind`]).
//!
//! The register is bitemporal. Valid time is each instrument's own `from`/`until`; record
//! time is the entry's `recorded_at`. [`replay::as_recorded_at`] rebuilds the register as
//! it stood at any past moment; corrections add entries and never erase history.
//!
//! Writes are optimistic: [`Store::append`] names the revision the change was based on and
//! is refused with [`StoreError::Stale`] if the register has moved on. Nothing is written
//! then, and the caller (the server answers 409) reloads and tries again.
//!
//! [`Store::subscribe`] reports new revisions written by any process: PostgreSQL through
//! LISTEN/NOTIFY, SQLite by polling the file. The server uses it to keep its in-memory
//! snapshot current.
//!
//! The store also holds proposals waiting for a second person ([`Store::settle_proposal`]),
//! users, API tokens (argon2-hashed) and browser sessions.
//! See `docs/storage.md` for the schema and the guarantees.

mod chain;
mod clock;
mod engine;
mod error;
mod log_key;
mod model;
mod notify;
mod pg;
pub mod replay;
mod secrets;
mod sqlite;
mod store;

pub use chain::{
    canonical_json, decided_entry_hash, entry_hash, verify_rows, RawEntry, GENESIS_PREV,
};
pub use clock::{Clock, ManualClock, SystemClock};
pub use error::StoreError;
pub use log_key::{LogKey, KEY_FILE_ENV};
pub use model::{
    BadEntry, Change, ChangeRequest, Decision, Draft, Entry, Keying, NewSession, NewToken, Outcome,
    PendingChange, PendingChangeStatus, Recorded, Revision, Role, Session, SessionOrigin,
    SessionSummary, Settle, Settled, TokenInfo, User, VerifyReport,
};
pub use notify::Subscription;
pub use replay::{as_recorded_at, replay, ReplayIssue, Replayed};
pub use secrets::token_id;

use jiff::{SignedDuration, Timestamp};
use std::sync::Arc;

/// Which database a store is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The storage interface. Every method is blocking; an async server calls it through
/// `spawn_blocking`. A handle may be shared between threads.
pub trait Store: Send + Sync {
    fn backend(&self) -> Backend;

    /// Binds an empty store to its base register by writing the genesis entry, or checks
    /// that an existing store belongs to this base. Returns the genesis entry.
    /// The store's binding is its genesis entry and any rebind entries after it; the last of
    /// them names the base it is bound to now.
    fn ensure_genesis(&self, base_fingerprint: &str, author: &str) -> Result<Entry, StoreError>;

    /// What people have written in the store: log entries other than its binding, users,
    /// tokens, sessions, drafts, proposals.
    fn recorded(&self) -> Result<Recorded, StoreError>;

    /// Binds a store that holds nothing recorded to another base register: appends a
    /// [`Change::Rebind`] entry, checking in the same write transaction that
    /// [`Store::recorded`] is nothing. A store already bound to `base_fingerprint` is left
    /// as it is, and an empty one is bound as [`Store::ensure_genesis`] binds it. A store
    /// holding anything people wrote is refused ([`StoreError::NotRebound`], which names
    /// it) and nothing is written. Returns the entry that binds the store now.
    fn rebind(&self, base_fingerprint: &str, author: &str) -> Result<Entry, StoreError>;

    /// The current revision (the last entry's sequence number; 0 for an empty log).
    fn head(&self) -> Result<Revision, StoreError>;

    /// Appends one change if the register is still at `expected`; otherwise nothing is
    /// written and the answer is [`StoreError::Stale`]. The check and the insert are one
    /// transaction. Returns the entry as stored; once this returns `Ok` the change is durable.
    fn append(&self, expected: Revision, request: ChangeRequest) -> Result<Entry, StoreError>;

    /// Appends several changes as one transaction, all or nothing: one revision check
    /// against `expected`, then the entries in order, each chained onto the one before.
    /// A stale batch, or one that fails part-way (a refused insert, a lost connection),
    /// writes nothing. Returns the entries as stored; an empty batch writes nothing and
    /// returns no entries (but is still refused if stale).
    fn append_batch(
        &self,
        expected: Revision,
        requests: Vec<ChangeRequest>,
    ) -> Result<Vec<Entry>, StoreError>;

    /// Entries with `from <= seq <= to`, in sequence order.
    fn entries(&self, from: u64, to: u64) -> Result<Vec<Entry>, StoreError>;

    /// Every entry, in sequence order.
    fn all_entries(&self) -> Result<Vec<Entry>, StoreError> {
        self.entries(1, u64::MAX)
    }

    /// The entries recorded at or before `t`: the log as it stood at `t`.
    fn entries_recorded_until(&self, t: Timestamp) -> Result<Vec<Entry>, StoreError>;

    /// Checks the whole hash chain and, with the log key, its checkpoints.
    fn verify(&self) -> Result<VerifyReport, StoreError>;

    /// Keys a log written before it had a key: checks its chain and signs a checkpoint over
    /// its head with the store's key. Returns the entry it is keyed from. Refused if the
    /// store has no key, the chain does not verify, or the log is keyed already.
    fn start_keying(&self) -> Result<u64, StoreError>;

    /// New revisions written through any handle or process on this database.
    fn subscribe(&self) -> Result<Subscription, StoreError>;

    /// Keeps a change for a second person to approve or reject. Nothing enters the log
    /// until it is settled.
    fn propose(
        &self,
        author: &str,
        reason: &str,
        base_revision: Revision,
        change: &Change,
    ) -> Result<PendingChange, StoreError>;
    /// Every proposal, oldest first.
    fn proposals(&self) -> Result<Vec<PendingChange>, StoreError>;
    fn proposal(&self, id: u64) -> Result<Option<PendingChange>, StoreError>;
    /// Settles a pending proposal in one write transaction: checks it is still pending
    /// ([`StoreError::ProposalSettled`] if not, so of an approval and a rejection sent at
    /// once exactly one takes effect), that the decider is not the proposer for an
    /// approval (nor, unless allowed, for a rejection: [`StoreError::OwnProposal`]), and
    /// for an approval that the register is still at `expected`; then appends the log
    /// entries (the proposal's change by its proposer for an approval, a `workflow-step`
    /// `reject` for a rejection), each carrying the [`Decision`], and marks the proposal
    /// settled. All or nothing.
    fn settle_proposal(&self, id: u64, settle: &Settle) -> Result<Settled, StoreError>;

    /// Saves a draft: a new one when `id` is None, else the owner's draft `id`
    /// ([`StoreError::UnknownDraft`] if it is not theirs or does not exist).
    fn save_draft(
        &self,
        owner: &str,
        id: Option<u64>,
        kind: &str,
        fields: &std::collections::BTreeMap<String, String>,
        proposal: Option<u64>,
    ) -> Result<Draft, StoreError>;
    /// The owner's drafts, newest first.
    fn drafts(&self, owner: &str) -> Result<Vec<Draft>, StoreError>;
    fn draft(&self, id: u64) -> Result<Option<Draft>, StoreError>;

    fn create_user(&self, name: &str, role: Role) -> Result<User, StoreError>;
    fn set_role(&self, name: &str, role: Role) -> Result<User, StoreError>;
    fn user(&self, name: &str) -> Result<Option<User>, StoreError>;
    fn users(&self) -> Result<Vec<User>, StoreError>;
    /// Disables a user (their tokens and sign-ins are refused and their sessions ended, in
    /// one transaction) or enables them again.
    fn set_disabled(&self, name: &str, disabled: bool) -> Result<User, StoreError>;
    /// The user signed in through OpenID Connect as `subject` (the issuer and its `sub`):
    /// found by subject, else the user called `name` not yet bound to a subject, else a new
    /// user `name`; their role is set to `role` from the sign-in's claims. A `name` bound
    /// to another subject is [`StoreError::UserExists`]. A disabled user is returned as
    /// such (the caller refuses the sign-in).
    fn oidc_user(&self, subject: &str, name: &str, role: Role) -> Result<User, StoreError>;

    /// A new API token for `user`. The returned secret is shown once; only its argon2
    /// hash is kept.
    fn create_token(&self, user: &str, label: &str) -> Result<NewToken, StoreError>;
    /// The user a token belongs to, if it is known, unrevoked, its user enabled and its
    /// secret matches. Every token, well-formed or not, known or not, costs one argon2
    /// verification, so the time taken says nothing about which token ids exist.
    fn authenticate_token(&self, token: &str) -> Result<Option<User>, StoreError>;
    /// Revokes a token by its public id and ends the sessions it opened, in one
    /// transaction; the row stays, marked revoked.
    fn revoke_token(&self, id: &str) -> Result<(), StoreError>;
    fn tokens(&self, user: Option<&str>) -> Result<Vec<TokenInfo>, StoreError>;

    /// A new browser session for `user`, valid for `ttl`, bound to what opened it.
    fn create_session(
        &self,
        user: &str,
        ttl: SignedDuration,
        origin: &SessionOrigin,
    ) -> Result<NewSession, StoreError>;
    /// The live session with this id, if any: not expired, its user not disabled, and the
    /// token that opened it (if one did) not revoked.
    fn session(&self, id: &str) -> Result<Option<Session>, StoreError>;
    /// Ends the session with this secret id (signing out).
    fn delete_session(&self, id: &str) -> Result<(), StoreError>;
    /// Sessions, expired ones included until they are purged, of one user or of everyone,
    /// newest first.
    fn sessions(&self, user: Option<&str>) -> Result<Vec<SessionSummary>, StoreError>;
    /// Ends the session with this handle, if it belongs to `owner` (any owner for `None`).
    /// Returns whether a session was ended.
    fn end_session(&self, handle: &str, owner: Option<&str>) -> Result<bool, StoreError>;
    /// Deletes expired sessions; returns how many.
    fn purge_expired_sessions(&self) -> Result<u64, StoreError>;
}

/// How to open a store.
#[derive(Clone)]
pub struct OpenOptions {
    /// Where record time comes from.
    pub clock: Arc<dyn Clock>,
    /// The log key: every write is checkpointed with it, and [`Store::verify`] checks the
    /// checkpoints.
    pub log_key: Option<LogKey>,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            clock: Arc::new(SystemClock),
            log_key: None,
        }
    }
}

/// Opens (creating and migrating if need be) the store at `url`:
/// `sqlite://PATH` or `postgres://USER@HOST:PORT/DATABASE`.
pub fn open(url: &str) -> Result<Box<dyn Store>, StoreError> {
    open_with(url, OpenOptions::default())
}

/// [`open`] with options (a test clock).
pub fn open_with(url: &str, options: OpenOptions) -> Result<Box<dyn Store>, StoreError> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if path.is_empty() {
            return Err(StoreError::BadUrl(url.to_string()));
        }
        let engine = sqlite::SqliteEngine::open(std::path::Path::new(path))?;
        Ok(Box::new(store::SqlStore::new(
            engine,
            options.clock,
            options.log_key,
        )?))
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        let engine = pg::PgEngine::open(url)?;
        Ok(Box::new(store::SqlStore::new(
            engine,
            options.clock,
            options.log_key,
        )?))
    } else {
        Err(StoreError::BadUrl(url.to_string()))
    }
}

/// Brings the schema at `url` up to date, as the database's owner, and on PostgreSQL grants
/// `grant_to` (the role the server logs in as) only what it needs: read everything, append
/// to the log and its checkpoints, keep proposals, drafts, users, tokens and sessions. The
/// server's role then owns nothing and cannot disable the log's triggers, update or delete
/// its rows. Returns the schema version.
pub fn migrate(url: &str, grant_to: Option<&str>) -> Result<i64, StoreError> {
    drop(open(url)?);
    if let Some(role) = grant_to {
        if url.starts_with("sqlite://") {
            return Err(StoreError::Grant(
                "SQLite has no database roles: protect the database file with the file system's permissions instead".into(),
            ));
        }
        pg::grant_app_role(url, role)?;
    }
    Ok(engine::MIGRATIONS_KNOWN)
}

/// A fingerprint of a base register's source data, for [`Store::ensure_genesis`]:
/// `sha256:` and the hex SHA-256 of `data`.
pub fn fingerprint(data: &[u8]) -> String {
    use sha2::Digest;
    format!("sha256:{}", hex::encode(sha2::Sha256::digest(data)))
}

/// The register as recorded at `recorded_at` (or now, for `None`): `base` with the log's
/// changes replayed onto it. The caller compiles the result into a snapshot.
pub fn register_at(
    store: &dyn Store,
    base: vires_core::Register,
    recorded_at: Option<Timestamp>,
) -> Result<Replayed, StoreError> {
    let entries = match recorded_at {
        Some(t) => store.entries_recorded_until(t)?,
        None => store.all_entries()?,
    };
    Ok(replay(base, &entries))
}

/// The newest schema version this build knows (for diagnostics and tests).
pub fn known_schema_version() -> i64 {
    engine::MIGRATIONS_KNOWN
}

#[cfg(test)]
mod tests {
    #[test]
    fn fingerprints_are_sha256_of_the_bytes() {
        assert_eq!(
            super::fingerprint(b"abc"),
            "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }
}
