//! Reading and writing rows: typed columns, log entries.

use crate::chain::RawEntry;
use crate::engine::{Row, Tx, Val};
use crate::error::StoreError;
use jiff::Timestamp;

pub(super) const ENTRY_COLUMNS: &str =
    "seq, recorded_at_us, author, reason, change_json, prev_hash, hash, decision_json";

pub(super) fn int_at(row: &Row, i: usize, what: &str) -> Result<i64, StoreError> {
    row.get(i)
        .and_then(Val::int)
        .ok_or_else(|| StoreError::Unexpected(format!("column {what} is not an integer")))
}

pub(super) fn text_at(row: &Row, i: usize) -> String {
    row.get(i)
        .and_then(Val::text)
        .unwrap_or_default()
        .to_string()
}

pub(super) fn opt_text_at(row: &Row, i: usize) -> Option<String> {
    row.get(i).and_then(Val::text).map(str::to_string)
}

pub(super) fn raw_entry(row: &Row) -> Result<RawEntry, StoreError> {
    Ok(RawEntry {
        seq: int_at(row, 0, "seq")?,
        recorded_at_us: int_at(row, 1, "recorded_at_us")?,
        author: text_at(row, 2),
        reason: text_at(row, 3),
        change_json: text_at(row, 4),
        prev_hash: text_at(row, 5),
        hash: text_at(row, 6),
        decision_json: opt_text_at(row, 7),
    })
}

pub(super) fn timestamp(us: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(us)
        .map_err(|e| StoreError::Unexpected(format!("stored time {us} is out of range: {e}")))
}

pub(super) fn last_entry(tx: &mut dyn Tx) -> Result<Option<RawEntry>, StoreError> {
    let rows = tx.query(
        &format!("SELECT {ENTRY_COLUMNS} FROM change_log ORDER BY seq DESC LIMIT 1"),
        &[],
    )?;
    rows.first().map(raw_entry).transpose()
}

pub(super) fn insert_entry(tx: &mut dyn Tx, e: &RawEntry) -> Result<(), StoreError> {
    tx.execute(
        &format!("INSERT INTO change_log ({ENTRY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
        &[
            Val::Int(e.seq),
            Val::Int(e.recorded_at_us),
            Val::Text(e.author.clone()),
            Val::Text(e.reason.clone()),
            Val::Text(e.change_json.clone()),
            Val::Text(e.prev_hash.clone()),
            Val::Text(e.hash.clone()),
            e.decision_json.clone().map_or(Val::NullText, Val::Text),
        ],
    )?;
    Ok(())
}
