//! The little each backend must provide: transactions, queries over a tiny value type,
//! migrations and a watcher for other writers. Everything else (the hash chain, stale
//! checks, users, tokens, sessions) is written once in `store.rs` against this, so the two
//! backends cannot drift apart in behaviour.

use crate::error::StoreError;
use crate::notify::Hub;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;

/// A value passed to or read from SQL. The schema only uses integers and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Val {
    Int(i64),
    Text(String),
    /// A NULL in an integer column.
    NullInt,
    /// A NULL in a text column.
    NullText,
}

impl Val {
    pub(crate) fn int(&self) -> Option<i64> {
        match self {
            Val::Int(i) => Some(*i),
            _ => None,
        }
    }

    pub(crate) fn text(&self) -> Option<&str> {
        match self {
            Val::Text(s) => Some(s),
            _ => None,
        }
    }
}

pub(crate) type Row = Vec<Val>;

/// A connection inside a transaction (or, for reads, a plain connection).
/// SQL uses `?` placeholders; the PostgreSQL engine numbers them.
pub(crate) trait Tx {
    fn query(&mut self, sql: &str, params: &[Val]) -> Result<Vec<Row>, StoreError>;
    fn execute(&mut self, sql: &str, params: &[Val]) -> Result<u64, StoreError>;
    /// Several statements without parameters (migrations).
    fn batch(&mut self, sql: &str) -> Result<(), StoreError>;
}

/// One numbered migration.
pub(crate) struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// The newest schema version this build knows: the length of the migration list, the same
/// for both dialects (one list, `migrations!`).
pub(crate) const MIGRATIONS_KNOWN: i64 = SQLITE_MIGRATIONS.len() as i64;

/// The migrations of one dialect: the same numbers, names and file names in
/// `migrations/sqlite/` and `migrations/postgres/`, listed once here.
macro_rules! migrations {
    ($dialect:literal) => {
        migrations!(@list $dialect;
            (1, "change log, users, tokens, sessions", "0001_init.sql"),
            (2, "proposals, decisions on log entries", "0002_proposals.sql"),
            (3, "drafts", "0003_drafts.sql"),
            (4, "sessions bound to what opened them, disabled users, OpenID Connect subjects", "0004_bound_sessions.sql"),
            (5, "log entries appended only at the head (no INSERT OR REPLACE)", "0005_append_at_head.sql"),
            (6, "log checkpoints signed with a key kept outside the database", "0006_log_checkpoints.sql"),
        )
    };
    (@list $dialect:literal; $(($version:literal, $name:literal, $file:literal),)+) => {
        &[$(Migration {
            version: $version,
            name: $name,
            sql: include_str!(concat!("../migrations/", $dialect, "/", $file)),
        }),+]
    };
}

pub(crate) const SQLITE_MIGRATIONS: &[Migration] = migrations!("sqlite");
pub(crate) const POSTGRES_MIGRATIONS: &[Migration] = migrations!("postgres");

pub(crate) trait Engine: Send + Sync + 'static {
    fn backend(&self) -> crate::Backend;

    /// Runs `f` in a write transaction that excludes every other writer, in this process
    /// or any other, until it commits. `Err` from `f` rolls back.
    fn write<R>(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError>;

    /// Runs `f` on a connection for reading; each statement sees a consistent state.
    fn read<R>(
        &self,
        f: &mut dyn FnMut(&mut dyn Tx) -> Result<R, StoreError>,
    ) -> Result<R, StoreError>;

    fn migrations(&self) -> &'static [Migration];

    /// Called inside the append transaction after the insert (PostgreSQL sends NOTIFY,
    /// which is delivered only if the transaction commits).
    fn after_append(&self, _tx: &mut dyn Tx, _seq: i64) -> Result<(), StoreError> {
        Ok(())
    }

    /// Starts a thread that publishes revisions written by other handles or processes to
    /// `hub`, until `stop` is set.
    fn spawn_watcher(&self, hub: Arc<Hub>, stop: Arc<AtomicBool>) -> Result<(), StoreError>;
}
