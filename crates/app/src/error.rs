//! What can go wrong in the application layer. Each variant names what failed; adapters
//! add the help their users need (a flag to set, a page to read).

use vires_store::StoreError;

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// No store URL was given and there is no data directory to put the default one in.
    #[error("no default store location: neither XDG_DATA_HOME nor HOME is set")]
    NoDataDir,
    #[error("{path}: {source}")]
    Io {
        path: String,
        source: std::io::Error,
    },
    /// The store could not be opened at all.
    #[error("cannot open the store {url}: {source}")]
    Open { url: String, source: StoreError },
    /// The store belongs to another base register (or its log cannot be read).
    #[error("store {url}: {source}")]
    Bind { url: String, source: StoreError },
    /// Reading or writing the change log failed; stale writes are [`StoreError::Stale`].
    #[error("store: {0}")]
    Store(#[from] StoreError),
    /// The base register could not be built.
    #[error("cannot build the base register: {0}")]
    Base(String),
    /// The change cannot be applied to the register at all (a duplicate id, a correction
    /// of an instrument that is not there).
    #[error("{0}")]
    NotApplicable(String),
    /// The change would make something it writes void; nothing was written.
    #[error(transparent)]
    Void(#[from] vires_core::Void),
    /// The workflow already has an entry in the log (revision `seq`); nothing was written.
    #[error("{workflow} {id} is already recorded (revision {seq})")]
    AlreadyRecorded {
        workflow: &'static str,
        id: String,
        seq: u64,
    },
    /// Something the change log cannot hold yet.
    #[error("{0}")]
    Unsupported(String),
}

impl AppError {
    /// True when the write was refused because the register moved on meanwhile.
    pub fn is_stale(&self) -> bool {
        matches!(self, AppError::Store(e) if e.is_stale())
    }
}
