//! The store's binding to its base register: the genesis entry, and the rebind entries that
//! may follow it while nothing is recorded; and what people have recorded, which decides
//! whether a store may be rebound.

use super::checkpoints;
use super::rows::{insert_entry, int_at, last_entry, raw_entry, ENTRY_COLUMNS};
use crate::chain::{next_entry, RawEntry};
use crate::engine::{Tx, Val};
use crate::error::StoreError;
use crate::log_key::LogKey;
use crate::model::{Change, Entry, Recorded};
use jiff::Timestamp;

/// How many entries one query reads while looking for the end of the binding.
const CHUNK: i64 = 8;

/// The entries that bind the log: its genesis entry and the rebind entries right after it,
/// in order. Empty for an empty log; an error for a log that has entries but does not start
/// with a genesis entry.
pub(super) fn binding(tx: &mut dyn Tx) -> Result<Vec<(RawEntry, Entry)>, StoreError> {
    let mut out: Vec<(RawEntry, Entry)> = Vec::new();
    loop {
        let after = out.last().map_or(0, |(raw, _)| raw.seq);
        let rows = tx.query(
            &format!(
                "SELECT {ENTRY_COLUMNS} FROM change_log WHERE seq > ? ORDER BY seq LIMIT {CHUNK}"
            ),
            &[Val::Int(after)],
        )?;
        for row in &rows {
            let raw = raw_entry(row)?;
            if out.is_empty() && raw.seq != 1 {
                return Err(StoreError::Corrupt {
                    seq: 1,
                    reason: "the log has entries but no entry 1".into(),
                });
            }
            let entry = raw.clone().into_entry()?;
            let binds = match (&entry.change, out.is_empty()) {
                (Change::Genesis { .. }, true) => true,
                (_, true) => {
                    return Err(StoreError::Corrupt {
                        seq: 1,
                        reason: "the first entry is not a genesis entry".into(),
                    })
                }
                (Change::Rebind { .. }, false) => true,
                (_, false) => false,
            };
            let follows = out.last().is_none_or(|(prev, _)| raw.seq == prev.seq + 1);
            if !binds || !follows {
                return Ok(out);
            }
            out.push((raw, entry));
        }
        if (rows.len() as i64) < CHUNK {
            return Ok(out);
        }
    }
}

/// What people have written: every table but the binding and the store's own checkpoints.
pub(super) fn recorded(tx: &mut dyn Tx) -> Result<Recorded, StoreError> {
    let bindings = binding(tx)?.len() as u64;
    let mut count = |sql: &str| -> Result<u64, StoreError> {
        let rows = tx.query(sql, &[])?;
        Ok(rows
            .first()
            .map_or(Ok(0), |r| int_at(r, 0, "count"))?
            .max(0) as u64)
    };
    let entries = count("SELECT COALESCE(MAX(seq), 0) FROM change_log")?;
    Ok(Recorded {
        changes: entries.saturating_sub(bindings),
        users: count("SELECT COUNT(*) FROM users")?,
        tokens: count("SELECT COUNT(*) FROM api_tokens")?,
        sessions: count("SELECT COUNT(*) FROM sessions")?,
        drafts: count("SELECT COUNT(*) FROM drafts")?,
        proposals: count("SELECT COUNT(*) FROM proposals")?,
    })
}

/// Appends a binding entry (a genesis entry on an empty log, else a rebind entry after the
/// last entry), checkpointed with the key if the store has one.
pub(super) fn write(
    tx: &mut dyn Tx,
    key: Option<&LogKey>,
    now: Timestamp,
    author: &str,
    change: &Change,
) -> Result<RawEntry, StoreError> {
    let last = last_entry(tx)?;
    checkpoints::before_write(tx, key, last.as_ref())?;
    let reason = match change {
        Change::Genesis { .. } => "bind the store to its base register",
        _ => "bind the store to another base register: nothing was recorded against the one before",
    };
    let raw = next_entry(last.as_ref(), now, author, reason, change, None)?;
    insert_entry(tx, &raw)?;
    checkpoints::after_write(tx, key, &raw, now.as_microsecond())?;
    Ok(raw)
}
