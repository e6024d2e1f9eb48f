//! Opening the store and binding it to its base register.

use crate::AppError;
use std::sync::Arc;
use vires_store::Store;

/// Opens the store at `url` (`sqlite://PATH` or `postgres://...`), creating a SQLite
/// file's directory if need be, and binds it to the base register `fingerprint`: an empty
/// store gets a genesis entry by `author`; a store bound to another base is refused.
pub fn open(url: &str, fingerprint: &str, author: &str) -> Result<Arc<dyn Store>, AppError> {
    let store = open_unbound(url)?;
    store
        .ensure_genesis(fingerprint, author)
        .map_err(|source| AppError::Bind {
            url: url.to_string(),
            source,
        })?;
    Ok(store)
}

/// Opens the store at `url` without binding it (the caller binds it).
pub fn open_unbound(url: &str) -> Result<Arc<dyn Store>, AppError> {
    if let Some(path) = url.strip_prefix("sqlite://") {
        if let Some(dir) = std::path::Path::new(path).parent() {
            if !dir.as_os_str().is_empty() {
                std::fs::create_dir_all(dir).map_err(|source| AppError::Io {
                    path: dir.display().to_string(),
                    source,
                })?;
            }
        }
    }
    vires_store::open(url)
        .map(Arc::from)
        .map_err(|source| AppError::Open {
            url: url.to_string(),
            source,
        })
}
