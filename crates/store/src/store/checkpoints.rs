//! Checkpoints signed with the log key: written after every write made with the key,
//! checked before it and by [`verify`](crate::Store::verify).
//!
//! A write with the key first checks that the log's head is vouched for by the last
//! checkpoint, so the store never signs a head someone rewrote without the key. A write
//! without the key on a keyed log is refused, so the log never grows an unvouched tail by
//! mistake. A log written before it had a key is keyed once, explicitly, from its head
//! ([`start_keying`]).

use super::rows::{int_at, text_at};
use crate::chain::RawEntry;
use crate::engine::{Row, Tx, Val};
use crate::error::StoreError;
use crate::log_key::LogKey;
use crate::model::{BadEntry, Keying, VerifyReport};

/// One row of `log_checkpoints`.
pub(super) struct Checkpoint {
    pub(super) seq: i64,
    hash: String,
    key_id: String,
    mac: String,
}

const COLUMNS: &str = "seq, hash, key_id, mac";

fn checkpoint_from(row: &Row) -> Result<Checkpoint, StoreError> {
    Ok(Checkpoint {
        seq: int_at(row, 0, "seq")?,
        hash: text_at(row, 1),
        key_id: text_at(row, 2),
        mac: text_at(row, 3),
    })
}

/// Every checkpoint, in order.
pub(super) fn all(tx: &mut dyn Tx) -> Result<Vec<Checkpoint>, StoreError> {
    tx.query(
        &format!("SELECT {COLUMNS} FROM log_checkpoints ORDER BY seq"),
        &[],
    )?
    .iter()
    .map(checkpoint_from)
    .collect()
}

fn last(tx: &mut dyn Tx) -> Result<Option<Checkpoint>, StoreError> {
    tx.query(
        &format!("SELECT {COLUMNS} FROM log_checkpoints ORDER BY seq DESC LIMIT 1"),
        &[],
    )?
    .first()
    .map(checkpoint_from)
    .transpose()
}

/// Why `cp` does not vouch for `entry` under `key`, if it does not.
fn fault(cp: &Checkpoint, entry_hash: Option<&str>, key: &LogKey) -> Option<String> {
    if cp.key_id != key.id() {
        return Some(format!(
            "its checkpoint was signed with key {}, not with the key given ({})",
            cp.key_id,
            key.id()
        ));
    }
    if !key.checkpoint_verifies(cp.seq, &cp.hash, &cp.mac) {
        return Some(
            "its checkpoint does not verify with the key (the checkpoint was forged or altered)"
                .into(),
        );
    }
    match entry_hash {
        None => Some("its checkpoint names an entry the log does not have".into()),
        Some(h) if h != cp.hash => Some(
            "its hash is not the one its checkpoint vouched for (the log was rewritten after the checkpoint was signed)"
                .into(),
        ),
        Some(_) => None,
    }
}

/// Checks, before a write, that the key (or its absence) may extend the log after `head`.
pub(super) fn before_write(
    tx: &mut dyn Tx,
    key: Option<&LogKey>,
    head: Option<&RawEntry>,
) -> Result<(), StoreError> {
    let cp = last(tx)?;
    match (key, cp, head) {
        (None, None, _) | (Some(_), None, None) => Ok(()),
        (None, Some(cp), _) => Err(StoreError::LogKeyNeeded { key_id: cp.key_id }),
        (Some(_), None, Some(h)) => Err(StoreError::LogNotKeyed {
            head: h.seq.max(0) as u64,
        }),
        (Some(_), Some(_), None) => Err(StoreError::Unexpected(
            "log checkpoints without log entries".into(),
        )),
        (Some(k), Some(cp), Some(h)) => {
            let seq = h.seq.max(0) as u64;
            if cp.seq != h.seq {
                return Err(StoreError::LogHeadUnvouched {
                    seq,
                    why: format!(
                        "the last checkpoint is at entry {} (entries after it were written without the key, or rewritten and their checkpoints deleted)",
                        cp.seq
                    ),
                });
            }
            match fault(&cp, Some(&h.hash), k) {
                Some(why) => Err(StoreError::LogHeadUnvouched { seq, why }),
                None => Ok(()),
            }
        }
    }
}

/// Signs a checkpoint over `head` when there is a key; called in the write's transaction,
/// after [`before_write`] and the inserts.
pub(super) fn after_write(
    tx: &mut dyn Tx,
    key: Option<&LogKey>,
    head: &RawEntry,
    now_us: i64,
) -> Result<(), StoreError> {
    let Some(k) = key else {
        return Ok(());
    };
    tx.execute(
        "INSERT INTO log_checkpoints (seq, hash, key_id, mac, made_at_us) VALUES (?, ?, ?, ?, ?)",
        &[
            Val::Int(head.seq),
            Val::Text(head.hash.clone()),
            Val::Text(k.id().to_string()),
            Val::Text(k.checkpoint_mac(head.seq, &head.hash)),
            Val::Int(now_us),
        ],
    )?;
    Ok(())
}

/// Keys a log that has no checkpoint yet from its head, once its chain verifies; returns the
/// entry it is keyed from.
pub(super) fn start_keying(
    tx: &mut dyn Tx,
    key: &LogKey,
    rows: &[RawEntry],
    now_us: i64,
) -> Result<u64, StoreError> {
    if let Some(cp) = all(tx)?.first() {
        return Err(StoreError::LogAlreadyKeyed {
            from_seq: cp.seq.max(0) as u64,
        });
    }
    let report = crate::chain::verify_rows(rows.iter().cloned().map(Ok))?;
    let head = match (report.first_bad, rows.last()) {
        (Some(bad), _) => {
            return Err(StoreError::Corrupt {
                seq: bad.seq,
                reason: format!("{}; a broken log is not keyed", bad.reason),
            })
        }
        (None, None) => return Err(StoreError::NotInitialised),
        (None, Some(h)) => h,
    };
    after_write(tx, Some(key), head, now_us)?;
    Ok(head.seq.max(0) as u64)
}

/// Adds the checkpoints' verdict to a report of the plain chain over `rows`.
pub(super) fn check(
    report: &mut VerifyReport,
    rows: &[RawEntry],
    checkpoints: &[Checkpoint],
    key: Option<&LogKey>,
) {
    let first = checkpoints.first().map(|c| c.seq.max(0) as u64);
    let Some(key) = key else {
        report.keying = match (first, checkpoints.first()) {
            (Some(from_seq), Some(c)) => Keying::Unchecked {
                key_id: c.key_id.clone(),
                from_seq,
            },
            _ => Keying::Unkeyed,
        };
        return;
    };
    if !report.ok || rows.is_empty() {
        // An empty log has nothing to vouch for; a store opened with the key keys it from
        // its genesis entry.
        return;
    }
    let mut fail = |seq: u64, reason: String| {
        report.ok = false;
        report.head_hash = None;
        report.first_bad = Some(BadEntry { seq, reason });
    };
    let Some(from_seq) = first else {
        fail(
            1,
            format!(
                "the log has no checkpoint signed with the key {}: it was never keyed (`vires audit key-start`), or its checkpoints were deleted",
                key.id()
            ),
        );
        return;
    };
    let hash_at = |seq: i64| -> Option<&str> {
        let i = usize::try_from(seq - 1).ok()?;
        rows.get(i)
            .filter(|r| r.seq == seq)
            .map(|r| r.hash.as_str())
    };
    let mut previous = from_seq.saturating_sub(1);
    for cp in checkpoints {
        let seq = cp.seq.max(0) as u64;
        if let Some(why) = fault(cp, hash_at(cp.seq), key) {
            let reason = if seq > previous + 1 {
                format!("{why}; the change is in entries {} to {seq}", previous + 1)
            } else {
                why
            };
            fail(seq, reason);
            return;
        }
        previous = seq;
    }
    let head = rows.last().map_or(0, |r| r.seq.max(0) as u64);
    if previous < head {
        fail(
            previous + 1,
            format!(
                "entries {} to {head} are not vouched for by any checkpoint of the key (written without the key, or rewritten and their checkpoints deleted)",
                previous + 1
            ),
        );
        return;
    }
    report.keying = Keying::Keyed {
        key_id: key.id().to_string(),
        from_seq,
        checkpoints: checkpoints.len() as u64,
    };
}
