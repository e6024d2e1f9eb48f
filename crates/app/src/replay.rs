//! The register the store holds: the base with the change log's entries replayed on it,
//! now or as recorded at an earlier moment.

use crate::AppError;
use jiff::Timestamp;
use vires_core::Register;
use vires_store::{Entry, ReplayIssue, Replayed, Revision, Store};

/// The register the store holds at one revision, with the entries it was replayed from.
/// A write made from it names that revision, so a change recorded by anyone in between
/// makes the write stale instead of landing on a register it was not checked against.
#[derive(Debug, Clone)]
pub struct Pinned {
    pub head: Revision,
    pub entries: Vec<Entry>,
    pub register: Register,
    /// Entries that could not be applied (they change nothing; shown to a person).
    pub issues: Vec<ReplayIssue>,
}

/// Replays the whole log onto `base`.
pub fn pin(store: &dyn Store, base: Register) -> Result<Pinned, AppError> {
    let head = store.head()?;
    let entries = store.entries(1, head.0)?;
    let replayed = vires_store::replay(base, &entries);
    Ok(Pinned {
        head,
        entries,
        register: replayed.register,
        issues: replayed.issues,
    })
}

/// The register as recorded at `t` (only the entries recorded at or before it), and the
/// revision it reaches; with no `t`, the register now.
pub fn as_recorded_at(
    store: &dyn Store,
    base: Register,
    t: Option<Timestamp>,
) -> Result<(u64, Replayed), AppError> {
    let entries = match t {
        Some(t) => store.entries_recorded_until(t)?,
        None => store.all_entries()?,
    };
    let revision = entries.last().map_or(0, |e| e.seq);
    Ok((revision, vires_store::replay(base, &entries)))
}

/// Applies `entries` (later than what `register` already has) in place; the ones that
/// cannot be applied are added to `issues`. Returns the last revision applied.
pub fn catch_up(
    register: &mut Register,
    entries: &[Entry],
    issues: &mut Vec<ReplayIssue>,
) -> Option<u64> {
    let mut last = None;
    for e in entries {
        if let Err(message) = vires_store::replay::apply(register, &e.change) {
            issues.push(ReplayIssue {
                seq: e.seq,
                message,
            });
        }
        last = Some(e.seq);
    }
    last
}

impl Pinned {
    /// The first entry that already records a step of this workflow, if any.
    pub fn already_recorded(&self, workflow: &str, id: &str) -> Option<u64> {
        self.entries.iter().find_map(|e| match &e.change {
            vires_store::Change::WorkflowStep {
                workflow: w, id: i, ..
            } if w == workflow && i == id => Some(e.seq),
            _ => None,
        })
    }
}
