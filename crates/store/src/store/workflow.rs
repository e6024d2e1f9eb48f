//! Proposals waiting for a second person, their settlement into the log, and drafts.

use super::checkpoints;
use super::rows::{insert_entry, int_at, last_entry, text_at, timestamp};
use super::SqlStore;
use crate::chain::{next_entry, RawEntry};
use crate::engine::{Engine, Row, Tx, Val};
use crate::error::StoreError;
use crate::model::{
    Change, Decision, Draft, Outcome, PendingChange, PendingChangeStatus, Revision, Settle, Settled,
};
use jiff::Timestamp;

const PROPOSAL_COLUMNS: &str =
    "id, proposed_by, proposed_at_us, base_revision, reason, change_json, \
     state, decided_by, decided_at_us, decision_reason, decided_seq";

fn proposal_from(row: &Row) -> Result<PendingChange, StoreError> {
    let id = int_at(row, 0, "id")?.max(0) as u64;
    let change_json = text_at(row, 5);
    let change: Change = serde_json::from_str(&change_json).map_err(|e| {
        StoreError::Unexpected(format!("proposal {id}'s stored change does not parse: {e}"))
    })?;
    let state = text_at(row, 6);
    let decided = || -> Result<(String, Timestamp, String, u64), StoreError> {
        Ok((
            text_at(row, 7),
            timestamp(int_at(row, 8, "decided_at_us")?)?,
            text_at(row, 9),
            int_at(row, 10, "decided_seq")?.max(0) as u64,
        ))
    };
    let status = match state.as_str() {
        "pending" => PendingChangeStatus::Pending,
        "published" => {
            let (by, at, reason, revision) = decided()?;
            PendingChangeStatus::Published {
                by,
                revision,
                at,
                reason,
            }
        }
        "rejected" => {
            let (by, at, reason, revision) = decided()?;
            PendingChangeStatus::Rejected {
                by,
                reason,
                at,
                revision,
            }
        }
        other => {
            return Err(StoreError::Unexpected(format!(
                "proposal {id} has an unknown state {other:?}"
            )))
        }
    };
    Ok(PendingChange {
        id,
        proposed_by: text_at(row, 1),
        proposed_at: timestamp(int_at(row, 2, "proposed_at_us")?)?,
        base_revision: int_at(row, 3, "base_revision")?.max(0) as u64,
        reason: text_at(row, 4),
        change,
        status,
    })
}

const DRAFT_COLUMNS: &str = "id, owner, kind, fields_json, created_at_us, updated_at_us, proposal";

fn draft_from(row: &Row) -> Result<Draft, StoreError> {
    let id = int_at(row, 0, "id")?.max(0) as u64;
    let fields = serde_json::from_str(&text_at(row, 3)).map_err(|e| {
        StoreError::Unexpected(format!("draft {id}'s stored fields do not parse: {e}"))
    })?;
    Ok(Draft {
        id,
        owner: text_at(row, 1),
        kind: text_at(row, 2),
        fields,
        created_at: timestamp(int_at(row, 4, "created_at_us")?)?,
        updated_at: timestamp(int_at(row, 5, "updated_at_us")?)?,
        proposal: row.get(6).and_then(Val::int).map(|p| p.max(0) as u64),
    })
}

fn find_draft(tx: &mut dyn Tx, id: u64) -> Result<Option<Draft>, StoreError> {
    let Ok(key) = i64::try_from(id) else {
        return Ok(None);
    };
    let rows = tx.query(
        &format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE id = ?"),
        &[Val::Int(key)],
    )?;
    rows.first().map(draft_from).transpose()
}

fn find_proposal(tx: &mut dyn Tx, id: u64) -> Result<Option<PendingChange>, StoreError> {
    let Ok(key) = i64::try_from(id) else {
        return Ok(None);
    };
    let rows = tx.query(
        &format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = ?"),
        &[Val::Int(key)],
    )?;
    rows.first().map(proposal_from).transpose()
}

pub(super) fn propose<E: Engine>(
    store: &SqlStore<E>,
    author: &str,
    reason: &str,
    base_revision: Revision,
    change: &Change,
) -> Result<PendingChange, StoreError> {
    if change.binds_to().is_some() {
        return Err(StoreError::GenesisNotFirst);
    }
    let change_json = crate::chain::canonical_json(change)?;
    let now = store.now_us();
    let base = i64::try_from(base_revision.0).unwrap_or(i64::MAX);
    store.engine.write(&mut |tx| {
        store.check_still_bound(tx)?;
        let rows = tx.query("SELECT COALESCE(MAX(id), 0) FROM proposals", &[])?;
        let id = rows.first().map_or(Ok(0), |r| int_at(r, 0, "id"))? + 1;
        tx.execute(
            "INSERT INTO proposals (id, proposed_by, proposed_at_us, base_revision, reason, change_json, state)
             VALUES (?, ?, ?, ?, ?, ?, 'pending')",
            &[
                Val::Int(id),
                Val::Text(author.into()),
                Val::Int(now),
                Val::Int(base),
                Val::Text(reason.into()),
                Val::Text(change_json.clone()),
            ],
        )?;
        Ok(PendingChange {
            id: id.max(0) as u64,
            proposed_by: author.to_string(),
            proposed_at: timestamp(now)?,
            base_revision: base_revision.0,
            reason: reason.to_string(),
            change: change.clone(),
            status: PendingChangeStatus::Pending,
        })
    })
}

pub(super) fn proposals<E: Engine>(store: &SqlStore<E>) -> Result<Vec<PendingChange>, StoreError> {
    let rows = store.engine.read(&mut |tx| {
        tx.query(
            &format!("SELECT {PROPOSAL_COLUMNS} FROM proposals ORDER BY id"),
            &[],
        )
    })?;
    rows.iter().map(proposal_from).collect()
}

pub(super) fn proposal<E: Engine>(
    store: &SqlStore<E>,
    id: u64,
) -> Result<Option<PendingChange>, StoreError> {
    store.engine.read(&mut |tx| find_proposal(tx, id))
}

pub(super) fn settle_proposal<E: Engine>(
    store: &SqlStore<E>,
    id: u64,
    settle: &Settle,
) -> Result<Settled, StoreError> {
    if settle.reason.trim().is_empty() {
        return Err(StoreError::NoReason);
    }
    let decision = Decision {
        proposal: id,
        outcome: settle.outcome,
        by: settle.by.clone(),
        reason: settle.reason.clone(),
    };
    let (proposal, raws) = store.engine.write(&mut |tx| {
        // Under the write lock: whichever decision gets here second finds the
        // proposal settled, whatever process or database connection it came from.
        let p = find_proposal(tx, id)?.ok_or(StoreError::UnknownProposal(id))?;
        if !p.status.is_pending() {
            return Err(StoreError::ProposalSettled {
                id,
                state: p.status.describe(),
            });
        }
        let own = p.proposed_by == settle.by;
        match settle.outcome {
            Outcome::Approved if own => {
                return Err(StoreError::OwnProposal {
                    id,
                    user: settle.by.clone(),
                    action: "approve",
                })
            }
            Outcome::Rejected if own && !settle.proposer_may_reject => {
                return Err(StoreError::OwnProposal {
                    id,
                    user: settle.by.clone(),
                    action: "reject",
                })
            }
            _ => {}
        }
        let last = last_entry(tx)?.ok_or(StoreError::NotInitialised)?;
        store.check_still_bound(tx)?;
        checkpoints::before_write(tx, store.key.as_ref(), Some(&last))?;
        let current = Revision(last.seq.max(0) as u64);
        if let Some(expected) = settle.expected {
            if expected != current {
                return Err(StoreError::Stale { expected, current });
            }
        }
        let (author, reason, change) = match settle.outcome {
            Outcome::Approved => (p.proposed_by.clone(), p.reason.clone(), p.change.clone()),
            Outcome::Rejected => (
                p.proposed_by.clone(),
                p.reason.clone(),
                Change::WorkflowStep {
                    workflow: "proposal".into(),
                    id: id.to_string(),
                    subject: id.to_string(),
                    step: "reject".into(),
                    on: settle.on,
                    actor: settle.by.clone(),
                    detail: Some(settle.reason.clone()),
                },
            ),
        };
        let raw = next_entry(
            Some(&last),
            store.clock.now(),
            &author,
            &reason,
            &change,
            Some(&decision),
        )?;
        insert_entry(tx, &raw)?;
        checkpoints::after_write(tx, store.key.as_ref(), &raw, store.now_us())?;
        let state = match settle.outcome {
            Outcome::Approved => "published",
            Outcome::Rejected => "rejected",
        };
        let updated = tx.execute(
            "UPDATE proposals SET state = ?, decided_by = ?, decided_at_us = ?, decision_reason = ?, decided_seq = ?
             WHERE id = ? AND state = 'pending'",
            &[
                Val::Text(state.into()),
                Val::Text(settle.by.clone()),
                Val::Int(raw.recorded_at_us),
                Val::Text(settle.reason.clone()),
                Val::Int(raw.seq),
                Val::Int(i64::try_from(id).unwrap_or(i64::MAX)),
            ],
        )?;
        if updated != 1 {
            return Err(StoreError::ProposalSettled {
                id,
                state: "settled meanwhile".into(),
            });
        }
        store.engine.after_append(tx, raw.seq)?;
        let settled = find_proposal(tx, id)?.ok_or(StoreError::UnknownProposal(id))?;
        Ok((settled, vec![raw]))
    })?;
    if let Some(raw) = raws.last() {
        store.hub.publish(Revision(raw.seq.max(0) as u64));
    }
    let entries = raws
        .into_iter()
        .map(RawEntry::into_entry)
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Settled { proposal, entries })
}

pub(super) fn save_draft<E: Engine>(
    store: &SqlStore<E>,
    owner: &str,
    id: Option<u64>,
    kind: &str,
    fields: &std::collections::BTreeMap<String, String>,
    proposal: Option<u64>,
) -> Result<Draft, StoreError> {
    let fields_json = serde_json::to_string(fields).map_err(|e| StoreError::Json(e.to_string()))?;
    let now = store.now_us();
    let proposal = proposal.map_or(Val::NullInt, |p| {
        Val::Int(i64::try_from(p).unwrap_or(i64::MAX))
    });
    store.engine.write(&mut |tx| {
        let id = match id {
            Some(id) => {
                match find_draft(tx, id)? {
                    Some(d) if d.owner == owner => {}
                    _ => return Err(StoreError::UnknownDraft(id)),
                }
                tx.execute(
                    "UPDATE drafts SET kind = ?, fields_json = ?, updated_at_us = ?, proposal = ? WHERE id = ?",
                    &[
                        Val::Text(kind.into()),
                        Val::Text(fields_json.clone()),
                        Val::Int(now),
                        proposal.clone(),
                        Val::Int(i64::try_from(id).unwrap_or(i64::MAX)),
                    ],
                )?;
                id
            }
            None => {
                let rows = tx.query("SELECT COALESCE(MAX(id), 0) FROM drafts", &[])?;
                let id = rows.first().map_or(Ok(0), |r| int_at(r, 0, "id"))? + 1;
                tx.execute(
                    "INSERT INTO drafts (id, owner, kind, fields_json, created_at_us, updated_at_us, proposal)
                     VALUES (?, ?, ?, ?, ?, ?, ?)",
                    &[
                        Val::Int(id),
                        Val::Text(owner.into()),
                        Val::Text(kind.into()),
                        Val::Text(fields_json.clone()),
                        Val::Int(now),
                        Val::Int(now),
                        proposal.clone(),
                    ],
                )?;
                id.max(0) as u64
            }
        };
        find_draft(tx, id)?.ok_or(StoreError::UnknownDraft(id))
    })
}

pub(super) fn drafts<E: Engine>(
    store: &SqlStore<E>,
    owner: &str,
) -> Result<Vec<Draft>, StoreError> {
    let rows = store.engine.read(&mut |tx| {
        tx.query(
            &format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE owner = ? ORDER BY updated_at_us DESC, id DESC"),
            &[Val::Text(owner.into())],
        )
    })?;
    rows.iter().map(draft_from).collect()
}

pub(super) fn draft<E: Engine>(store: &SqlStore<E>, id: u64) -> Result<Option<Draft>, StoreError> {
    store.engine.read(&mut |tx| find_draft(tx, id))
}
