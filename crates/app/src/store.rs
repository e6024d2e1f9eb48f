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

/// Opens a store a user named (`--db`, `VIRES_DB`), as [`open`] does, with one difference: a
/// store bound to another base register that holds nothing anyone recorded is rebound to
/// this one in place ([`bind`]). The notice says so.
pub fn open_named(
    url: &str,
    fingerprint: &str,
    author: &str,
) -> Result<(Arc<dyn Store>, Option<String>), AppError> {
    let store = open_unbound(url)?;
    let notice = bind(store.as_ref(), url, fingerprint, author)?;
    Ok((store, notice))
}

/// Binds an open store to the base register `fingerprint`: an empty store gets its genesis
/// entry; a store bound to another base that holds nothing recorded (no change, user,
/// token, session, draft or proposal: [`vires_store::Store::recorded`]) is rebound in place
/// by a `rebind` entry in its log, and the notice says so (without the URL, which may hold
/// a password, since the server logs it); a store holding anything is refused, naming what
/// it holds, and nothing is written.
pub fn bind(
    store: &dyn Store,
    url: &str,
    fingerprint: &str,
    author: &str,
) -> Result<Option<String>, AppError> {
    let bind_error = |source| AppError::Bind {
        url: url.to_string(),
        source,
    };
    let stored = match store.ensure_genesis(fingerprint, author) {
        Ok(_) => return Ok(None),
        Err(vires_store::StoreError::BaseMismatch { stored, .. }) => stored,
        Err(e) => return Err(bind_error(e)),
    };
    let entry = store.rebind(fingerprint, author).map_err(bind_error)?;
    Ok(Some(format!(
        "the store was bound to another base register ({stored}) and held nothing recorded; it is now bound to this one ({fingerprint}) by entry {} of its log",
        entry.seq
    )))
}

/// Opens the user's default store (never one a user named), as [`open`] does, with one
/// difference: a default store that holds nothing but its binding to another base register
/// (vires upgraded, with new bundled data, before anything was recorded) is set aside as
/// `vires.db.base-<its base>` and a new one is bound. The notice says so. A default store
/// holding recorded changes is refused as any other, naming what it holds: those changes
/// were checked against the old base.
pub fn open_default(
    url: &str,
    fingerprint: &str,
    author: &str,
) -> Result<(Arc<dyn Store>, Option<String>), AppError> {
    let stored = match open(url, fingerprint, author) {
        Err(AppError::Bind {
            source: vires_store::StoreError::BaseMismatch { stored, .. },
            ..
        }) => stored,
        other => return other.map(|s| (s, None)),
    };
    let Some(path) = url.strip_prefix("sqlite://") else {
        return open(url, fingerprint, author).map(|s| (s, None));
    };
    let recorded = open_unbound(url)?.recorded().map_err(AppError::Store)?;
    if recorded.changes > 0 {
        return Err(AppError::Bind {
            url: url.to_string(),
            source: vires_store::StoreError::NotRebound {
                stored,
                given: fingerprint.to_string(),
                recorded: Box::new(recorded),
            },
        });
    }
    let short: String = stored
        .rsplit(':')
        .next()
        .unwrap_or(&stored)
        .chars()
        .take(12)
        .collect();
    let aside = format!("{path}.base-{short}");
    for suffix in ["", "-wal", "-shm"] {
        let from = format!("{path}{suffix}");
        if std::path::Path::new(&from).exists() {
            std::fs::rename(&from, format!("{aside}{suffix}")).map_err(|source| AppError::Io {
                path: from.clone(),
                source,
            })?;
        }
    }
    let store = open(url, fingerprint, author)?;
    Ok((
        store,
        Some(format!(
            "the default store {path} was bound to an earlier base register ({stored}) and held no recorded changes; it is kept as {aside}, and a new store is bound to this one"
        )),
    ))
}

/// Opens the store at `url` without binding it (the caller binds it), with the log key
/// named by `VIRES_LOG_KEY_FILE` if it is set.
pub fn open_unbound(url: &str) -> Result<Arc<dyn Store>, AppError> {
    open_unbound_keyed(url, vires_store::LogKey::from_env()?)
}

/// [`open_unbound`] with the log key given (or none).
pub fn open_unbound_keyed(
    url: &str,
    log_key: Option<vires_store::LogKey>,
) -> Result<Arc<dyn Store>, AppError> {
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
    let options = vires_store::OpenOptions {
        log_key,
        ..Default::default()
    };
    vires_store::open_with(url, options)
        .map(Arc::from)
        .map_err(|source| AppError::Open {
            url: url.to_string(),
            source,
        })
}
