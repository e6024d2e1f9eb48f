//! The hash chain: canonical JSON, entry hashes and verification. Both backends store
//! the same columns and share this code, so a log verifies the same wherever it lives.

use crate::error::StoreError;
use crate::model::{BadEntry, Change, Decision, Entry, Keying, VerifyReport};
use jiff::Timestamp;
use serde::Serialize;
use sha2::{Digest, Sha256};

/// The `prev_hash` of the genesis entry.
pub const GENESIS_PREV: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One log row exactly as stored, before anything is trusted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawEntry {
    pub seq: i64,
    pub recorded_at_us: i64,
    pub author: String,
    pub reason: String,
    pub change_json: String,
    pub prev_hash: String,
    pub hash: String,
    /// The canonical JSON of the entry's [`Decision`], if a decision on a proposal wrote it.
    pub decision_json: Option<String>,
}

/// Serialises a value as canonical JSON: object keys sorted bytewise, no whitespace.
/// Sorting is done here rather than relied on from serde_json's map type, because a
/// `preserve_order` feature switched on anywhere in the build would silently change it.
pub fn canonical_json<T: Serialize>(value: &T) -> Result<String, StoreError> {
    let v = serde_json::to_value(value).map_err(|e| StoreError::Json(e.to_string()))?;
    let mut out = String::new();
    write_canonical(&v, &mut out)?;
    Ok(out)
}

fn write_canonical(v: &serde_json::Value, out: &mut String) -> Result<(), StoreError> {
    use serde_json::Value;
    match v {
        Value::Object(map) => {
            let mut keys: Vec<&String> = map.keys().collect();
            keys.sort();
            out.push('{');
            for (i, k) in keys.into_iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                out.push_str(
                    &serde_json::to_string(k).map_err(|e| StoreError::Json(e.to_string()))?,
                );
                out.push(':');
                if let Some(item) = map.get(k) {
                    write_canonical(item, out)?;
                }
            }
            out.push('}');
        }
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_canonical(item, out)?;
            }
            out.push(']');
        }
        other => out
            .push_str(&serde_json::to_string(other).map_err(|e| StoreError::Json(e.to_string()))?),
    }
    Ok(())
}

/// SHA-256 over `prev_hash || seq || recorded_at || author || reason || change_json`.
/// Integers are 8 bytes big-endian; each string is prefixed by its length (8 bytes
/// big-endian) so no two different entries can produce the same byte stream.
pub fn entry_hash(
    prev_hash: &str,
    seq: i64,
    recorded_at_us: i64,
    author: &str,
    reason: &str,
    change_json: &str,
) -> String {
    hash_fields(
        prev_hash,
        seq,
        recorded_at_us,
        [author, reason, change_json],
        None,
    )
}

/// [`entry_hash`] for an entry written by a decision on a proposal: the decision's
/// canonical JSON follows, length-prefixed like the other strings. Entries without a
/// decision hash exactly as before decisions were recorded.
pub fn decided_entry_hash(
    prev_hash: &str,
    seq: i64,
    recorded_at_us: i64,
    author: &str,
    reason: &str,
    change_json: &str,
    decision_json: &str,
) -> String {
    hash_fields(
        prev_hash,
        seq,
        recorded_at_us,
        [author, reason, change_json],
        Some(decision_json),
    )
}

fn hash_fields(
    prev_hash: &str,
    seq: i64,
    recorded_at_us: i64,
    texts: [&str; 3],
    decision_json: Option<&str>,
) -> String {
    let mut h = Sha256::new();
    h.update((prev_hash.len() as u64).to_be_bytes());
    h.update(prev_hash.as_bytes());
    h.update(seq.to_be_bytes());
    h.update(recorded_at_us.to_be_bytes());
    for s in texts.into_iter().chain(decision_json) {
        h.update((s.len() as u64).to_be_bytes());
        h.update(s.as_bytes());
    }
    hex::encode(h.finalize())
}

impl RawEntry {
    /// The hash this row's contents should have.
    pub fn computed_hash(&self) -> String {
        hash_fields(
            &self.prev_hash,
            self.seq,
            self.recorded_at_us,
            [&self.author, &self.reason, &self.change_json],
            self.decision_json.as_deref(),
        )
    }
}

/// Builds the row for a new entry after `prev` (None for the genesis entry).
/// Record time never goes backwards along the chain: with several server instances
/// their clocks may disagree slightly, and "as recorded at T" must be a prefix of the log.
pub(crate) fn next_entry(
    prev: Option<&RawEntry>,
    now: Timestamp,
    author: &str,
    reason: &str,
    change: &Change,
    decision: Option<&Decision>,
) -> Result<RawEntry, StoreError> {
    let change_json = canonical_json(change)?;
    let decision_json = decision.map(canonical_json).transpose()?;
    let (seq, prev_hash, floor) = match prev {
        Some(p) => (p.seq + 1, p.hash.clone(), p.recorded_at_us),
        None => (1, GENESIS_PREV.to_string(), i64::MIN),
    };
    let recorded_at_us = now.as_microsecond().max(floor);
    let mut raw = RawEntry {
        seq,
        recorded_at_us,
        author: author.to_string(),
        reason: reason.to_string(),
        change_json,
        prev_hash,
        hash: String::new(),
        decision_json,
    };
    raw.hash = raw.computed_hash();
    Ok(raw)
}

impl RawEntry {
    /// Parses the stored change; a row that does not parse is reported as corrupt.
    pub fn into_entry(self) -> Result<Entry, StoreError> {
        let change: Change =
            serde_json::from_str(&self.change_json).map_err(|e| StoreError::Corrupt {
                seq: self.seq.max(0) as u64,
                reason: format!("the stored change does not parse: {e}"),
            })?;
        let recorded_at =
            Timestamp::from_microsecond(self.recorded_at_us).map_err(|e| StoreError::Corrupt {
                seq: self.seq.max(0) as u64,
                reason: format!("the stored record time is out of range: {e}"),
            })?;
        let decision = self
            .decision_json
            .as_deref()
            .map(serde_json::from_str::<Decision>)
            .transpose()
            .map_err(|e| StoreError::Corrupt {
                seq: self.seq.max(0) as u64,
                reason: format!("the stored decision does not parse: {e}"),
            })?;
        Ok(Entry {
            seq: self.seq.max(0) as u64,
            recorded_at,
            author: self.author,
            reason: self.reason,
            change,
            change_json: self.change_json,
            prev_hash: self.prev_hash,
            hash: self.hash,
            decision,
        })
    }
}

/// Checks a log read in `seq` order and names the first entry that is wrong.
///
/// An edited entry no longer matches its hash; a deleted entry leaves a gap in `seq` and
/// breaks the next entry's link; swapped entries match neither their position nor their
/// links. Rewriting every later hash to hide an edit is caught only against a head hash
/// kept elsewhere (see [`VerifyReport::head_hash`]).
pub fn verify_rows<I>(rows: I) -> Result<VerifyReport, StoreError>
where
    I: IntoIterator<Item = Result<RawEntry, StoreError>>,
{
    let mut count = 0u64;
    let mut prev: Option<RawEntry> = None;
    // Whether every entry so far binds the log (genesis, rebind): a rebind may follow only
    // those.
    let mut only_binding = true;
    for row in rows {
        let row = row?;
        count += 1;
        let expected_seq = prev.as_ref().map_or(1, |p| p.seq + 1);
        let bad = |seq: i64, reason: String| {
            Ok(VerifyReport {
                ok: false,
                entries: count,
                head_hash: None,
                first_bad: Some(BadEntry {
                    seq: seq.max(0) as u64,
                    reason,
                }),
                keying: Keying::Unkeyed,
            })
        };
        if row.seq != expected_seq {
            let reason = if row.seq > expected_seq {
                format!(
                    "entry {expected_seq} is missing: the log goes from {} to {} (an entry was deleted)",
                    expected_seq - 1,
                    row.seq
                )
            } else {
                format!(
                    "entry {} appears out of order after {}",
                    row.seq,
                    expected_seq - 1
                )
            };
            return bad(expected_seq, reason);
        }
        let expected_prev = prev.as_ref().map_or(GENESIS_PREV, |p| p.hash.as_str());
        if row.prev_hash != expected_prev {
            return bad(
                row.seq,
                format!(
                    "its prev_hash does not match the hash of entry {} (an earlier entry was changed, removed or reordered)",
                    row.seq - 1
                ),
            );
        }
        if row.computed_hash() != row.hash {
            return bad(
                row.seq,
                "its contents do not match its hash (the entry was edited or moved)".to_string(),
            );
        }
        if let Some(p) = &prev {
            if row.recorded_at_us < p.recorded_at_us {
                return bad(
                    row.seq,
                    format!(
                        "it is recorded before entry {} (entries were reordered)",
                        p.seq
                    ),
                );
            }
        }
        match serde_json::from_str::<Change>(&row.change_json) {
            Ok(Change::Genesis { .. }) if row.seq != 1 => {
                return bad(row.seq, "a genesis entry can only be the first".to_string());
            }
            Ok(Change::Genesis { .. }) => {}
            Ok(_) if row.seq == 1 => {
                return bad(1, "the first entry is not a genesis entry".to_string());
            }
            Ok(Change::Rebind { .. }) if !only_binding => {
                return bad(
                    row.seq,
                    "a rebind entry follows a recorded change (a store is rebound only while nothing is recorded)"
                        .to_string(),
                );
            }
            Ok(Change::Rebind { .. }) => {}
            Ok(_) => only_binding = false,
            Err(e) => return bad(row.seq, format!("its change does not parse: {e}")),
        }
        if let Some(d) = &row.decision_json {
            if let Err(e) = serde_json::from_str::<Decision>(d) {
                return bad(row.seq, format!("its decision does not parse: {e}"));
            }
        }
        prev = Some(row);
    }
    Ok(VerifyReport {
        ok: true,
        entries: count,
        head_hash: prev.map(|p| p.hash),
        first_bad: None,
        keying: Keying::Unkeyed,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_json_sorts_keys_at_every_depth() {
        let v = serde_json::json!({"b": {"z": 1, "a": [ {"y": 2, "x": 1} ]}, "a": "s"});
        assert_eq!(
            canonical_json(&v).unwrap(),
            r#"{"a":"s","b":{"a":[{"x":1,"y":2}],"z":1}}"#
        );
    }

    #[test]
    fn hash_changes_with_every_field() {
        let base = entry_hash(GENESIS_PREV, 1, 10, "a", "r", "{}");
        assert_ne!(base, entry_hash(GENESIS_PREV, 2, 10, "a", "r", "{}"));
        assert_ne!(base, entry_hash(GENESIS_PREV, 1, 11, "a", "r", "{}"));
        assert_ne!(base, entry_hash(GENESIS_PREV, 1, 10, "b", "r", "{}"));
        assert_ne!(base, entry_hash(GENESIS_PREV, 1, 10, "a", "s", "{}"));
        assert_ne!(base, entry_hash(GENESIS_PREV, 1, 10, "a", "r", "[]"));
        // Moving text between adjacent fields must change the hash too.
        assert_ne!(
            entry_hash(GENESIS_PREV, 1, 10, "ab", "c", "{}"),
            entry_hash(GENESIS_PREV, 1, 10, "a", "bc", "{}")
        );
    }

    fn chain(n: usize) -> Vec<RawEntry> {
        let mut rows: Vec<RawEntry> = Vec::new();
        for i in 0..n {
            let change = if i == 0 {
                Change::Genesis { base: "fp".into() }
            } else {
                Change::RetractInstrument {
                    id: format!("i{i}"),
                    reason: "test".into(),
                }
            };
            let now = Timestamp::from_second(1_600_000_000 + i as i64).unwrap();
            rows.push(next_entry(rows.last(), now, "alice", "why", &change, None).unwrap());
        }
        rows
    }

    #[test]
    fn a_decision_is_covered_by_the_hash_and_old_entries_hash_as_before() {
        let decision = Decision {
            proposal: 7,
            outcome: crate::model::Outcome::Approved,
            by: "bea".into(),
            reason: "checked against the signed agreement".into(),
        };
        let mut rows = chain(2);
        let plain = rows[1].clone();
        assert_eq!(
            plain.hash,
            entry_hash(
                &plain.prev_hash,
                plain.seq,
                plain.recorded_at_us,
                &plain.author,
                &plain.reason,
                &plain.change_json
            )
        );
        let change: Change = serde_json::from_str(&plain.change_json).unwrap();
        let now = Timestamp::from_second(1_700_000_000).unwrap();
        let decided =
            next_entry(Some(&plain), now, "alice", "why", &change, Some(&decision)).unwrap();
        rows.push(decided.clone());
        assert!(check(rows.clone()).ok);
        // Naming someone else as the approver, or dropping the decision, breaks the chain.
        let mut forged = rows.clone();
        forged[2].decision_json = Some(
            forged[2]
                .decision_json
                .as_ref()
                .unwrap()
                .replace("bea", "alice"),
        );
        assert_eq!(check(forged).first_bad.unwrap().seq, 3);
        let mut dropped = rows;
        dropped[2].decision_json = None;
        assert_eq!(check(dropped).first_bad.unwrap().seq, 3);
    }

    fn check(rows: Vec<RawEntry>) -> VerifyReport {
        verify_rows(rows.into_iter().map(Ok)).unwrap()
    }

    #[test]
    fn a_clean_chain_verifies() {
        let r = check(chain(5));
        assert!(r.ok, "{r:?}");
        assert_eq!(r.entries, 5);
    }

    #[test]
    fn edits_deletions_and_swaps_name_the_first_bad_entry() {
        let mut edited = chain(5);
        edited[2].reason = "other".into();
        assert_eq!(check(edited).first_bad.unwrap().seq, 3);

        let mut deleted = chain(5);
        deleted.remove(3);
        assert_eq!(check(deleted).first_bad.unwrap().seq, 4);

        let mut swapped = chain(5);
        swapped.swap(1, 3);
        let (a, b) = (swapped[1].seq, swapped[3].seq);
        swapped[1].seq = b;
        swapped[3].seq = a;
        assert_eq!(check(swapped).first_bad.unwrap().seq, 2);
    }

    #[test]
    fn record_time_never_goes_backwards() {
        let first = next_entry(
            None,
            Timestamp::from_second(100).unwrap(),
            "a",
            "r",
            &Change::Genesis { base: "x".into() },
            None,
        )
        .unwrap();
        let second = next_entry(
            Some(&first),
            Timestamp::from_second(50).unwrap(),
            "a",
            "r",
            &Change::RetractInstrument {
                id: "i".into(),
                reason: "r".into(),
            },
            None,
        )
        .unwrap();
        assert_eq!(second.recorded_at_us, first.recorded_at_us);
    }
}
