//! The one implementation of [`Store`], over either engine.

use crate::chain::{next_entry, verify_rows, RawEntry};
use crate::clock::Clock;
use crate::engine::{Engine, Row, Tx, Val};
use crate::error::StoreError;
use crate::model::{
    Change, ChangeRequest, Decision, Draft, Entry, NewSession, NewToken, Outcome, Proposal,
    ProposalStatus, Revision, Role, Session, SessionOrigin, SessionSummary, Settle, Settled,
    TokenInfo, User, VerifyReport,
};
use crate::notify::{Hub, Subscription};
use crate::secrets;
use crate::{Backend, Store};
use jiff::{SignedDuration, Timestamp};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

const ENTRY_COLUMNS: &str =
    "seq, recorded_at_us, author, reason, change_json, prev_hash, hash, decision_json";

const PROPOSAL_COLUMNS: &str =
    "id, proposed_by, proposed_at_us, base_revision, reason, change_json, \
     state, decided_by, decided_at_us, decision_reason, decided_seq";

pub(crate) struct SqlStore<E: Engine> {
    engine: E,
    clock: Arc<dyn Clock>,
    hub: Arc<Hub>,
    watching: Mutex<bool>,
    stop: Arc<AtomicBool>,
}

impl<E: Engine> SqlStore<E> {
    pub(crate) fn new(engine: E, clock: Arc<dyn Clock>) -> Result<Self, StoreError> {
        migrate(&engine)?;
        Ok(SqlStore {
            engine,
            clock,
            hub: Arc::new(Hub::default()),
            watching: Mutex::new(false),
            stop: Arc::new(AtomicBool::new(false)),
        })
    }

    fn now_us(&self) -> i64 {
        self.clock.now().as_microsecond()
    }
}

impl<E: Engine> Drop for SqlStore<E> {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}

/// Applies the migrations this build knows and the database lacks, in one write
/// transaction: a second process opening the database at the same moment waits for the
/// first and then finds nothing left to do.
fn migrate<E: Engine>(engine: &E) -> Result<(), StoreError> {
    let migrations = engine.migrations();
    let known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    engine.write(&mut |tx| {
        tx.batch(
            "CREATE TABLE IF NOT EXISTS schema_migrations (
                version       BIGINT PRIMARY KEY,
                name          TEXT   NOT NULL,
                applied_at_us BIGINT NOT NULL
            )",
        )?;
        let applied: Vec<i64> = tx
            .query(
                "SELECT version FROM schema_migrations ORDER BY version",
                &[],
            )?
            .iter()
            .filter_map(|r| r.first().and_then(Val::int))
            .collect();
        if let Some(&found) = applied.iter().max() {
            if found > known {
                return Err(StoreError::SchemaTooNew { found, known });
            }
        }
        for m in migrations {
            if applied.contains(&m.version) {
                continue;
            }
            tx.batch(m.sql)?;
            tx.execute(
                "INSERT INTO schema_migrations (version, name, applied_at_us) VALUES (?, ?, ?)",
                &[
                    Val::Int(m.version),
                    Val::Text(m.name.into()),
                    Val::Int(Timestamp::now().as_microsecond()),
                ],
            )?;
        }
        Ok(())
    })
}

fn int_at(row: &Row, i: usize, what: &str) -> Result<i64, StoreError> {
    row.get(i)
        .and_then(Val::int)
        .ok_or_else(|| StoreError::Unexpected(format!("column {what} is not an integer")))
}

fn text_at(row: &Row, i: usize) -> String {
    row.get(i)
        .and_then(Val::text)
        .unwrap_or_default()
        .to_string()
}

fn opt_text_at(row: &Row, i: usize) -> Option<String> {
    row.get(i).and_then(Val::text).map(str::to_string)
}

fn raw_entry(row: &Row) -> Result<RawEntry, StoreError> {
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

fn proposal_from(row: &Row) -> Result<Proposal, StoreError> {
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
        "pending" => ProposalStatus::Pending,
        "published" => {
            let (by, at, reason, revision) = decided()?;
            ProposalStatus::Published {
                by,
                revision,
                at,
                reason,
            }
        }
        "rejected" => {
            let (by, at, reason, revision) = decided()?;
            ProposalStatus::Rejected {
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
    Ok(Proposal {
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

fn find_proposal(tx: &mut dyn Tx, id: u64) -> Result<Option<Proposal>, StoreError> {
    let Ok(key) = i64::try_from(id) else {
        return Ok(None);
    };
    let rows = tx.query(
        &format!("SELECT {PROPOSAL_COLUMNS} FROM proposals WHERE id = ?"),
        &[Val::Int(key)],
    )?;
    rows.first().map(proposal_from).transpose()
}

fn timestamp(us: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_microsecond(us)
        .map_err(|e| StoreError::Unexpected(format!("stored time {us} is out of range: {e}")))
}

fn last_entry(tx: &mut dyn Tx) -> Result<Option<RawEntry>, StoreError> {
    let rows = tx.query(
        &format!("SELECT {ENTRY_COLUMNS} FROM change_log ORDER BY seq DESC LIMIT 1"),
        &[],
    )?;
    rows.first().map(raw_entry).transpose()
}

fn insert_entry(tx: &mut dyn Tx, e: &RawEntry) -> Result<(), StoreError> {
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

/// The columns [`user_from`] reads, in its order, for table alias `u`.
const USER_COLUMNS: &str = "u.name, u.role, u.created_at_us, u.disabled_at_us";

fn user_from(row: &Row, offset: usize) -> Result<User, StoreError> {
    let role_text = text_at(row, offset + 1);
    Ok(User {
        name: text_at(row, offset),
        role: Role::parse(&role_text).ok_or(StoreError::BadRole(role_text))?,
        created_at: timestamp(int_at(row, offset + 2, "created_at_us")?)?,
        disabled_at: row
            .get(offset + 3)
            .and_then(Val::int)
            .map(timestamp)
            .transpose()?,
    })
}

const SESSION_COLUMNS: &str =
    "s.handle, s.user_name, s.origin, s.token_id, s.created_at_us, s.expires_at_us";

fn session_summary(row: &Row) -> Result<SessionSummary, StoreError> {
    let origin = match (text_at(row, 2).as_str(), row.get(3).and_then(Val::text)) {
        ("token", Some(id)) => SessionOrigin::Token {
            token_id: id.to_string(),
        },
        ("oidc", _) => SessionOrigin::Oidc,
        (other, _) => {
            return Err(StoreError::Unexpected(format!(
                "session origin {other:?} is not token or oidc"
            )))
        }
    };
    Ok(SessionSummary {
        handle: text_at(row, 0),
        user: text_at(row, 1),
        origin,
        created_at: timestamp(int_at(row, 4, "created_at_us")?)?,
        expires_at: timestamp(int_at(row, 5, "expires_at_us")?)?,
    })
}

fn token_from(row: &Row) -> Result<TokenInfo, StoreError> {
    Ok(TokenInfo {
        id: text_at(row, 0),
        user: text_at(row, 1),
        label: text_at(row, 2),
        created_at: timestamp(int_at(row, 3, "created_at_us")?)?,
        revoked_at: row.get(4).and_then(Val::int).map(timestamp).transpose()?,
    })
}

fn find_user(tx: &mut dyn Tx, name: &str) -> Result<Option<User>, StoreError> {
    let rows = tx.query(
        &format!("SELECT {USER_COLUMNS} FROM users u WHERE u.name = ?"),
        &[Val::Text(name.into())],
    )?;
    rows.first().map(|r| user_from(r, 0)).transpose()
}

impl<E: Engine> Store for SqlStore<E> {
    fn backend(&self) -> Backend {
        self.engine.backend()
    }

    fn ensure_genesis(&self, base_fingerprint: &str, author: &str) -> Result<Entry, StoreError> {
        let (raw, created) = self.engine.write(&mut |tx| {
            let first = tx.query(
                &format!("SELECT {ENTRY_COLUMNS} FROM change_log WHERE seq = 1"),
                &[],
            )?;
            if let Some(row) = first.first() {
                return Ok((raw_entry(row)?, false));
            }
            if last_entry(tx)?.is_some() {
                return Err(StoreError::Corrupt {
                    seq: 1,
                    reason: "the log has entries but no entry 1".into(),
                });
            }
            let raw = next_entry(
                None,
                self.clock.now(),
                author,
                "bind the store to its base register",
                &Change::Genesis {
                    base: base_fingerprint.to_string(),
                },
                None,
            )?;
            insert_entry(tx, &raw)?;
            self.engine.after_append(tx, raw.seq)?;
            Ok((raw, true))
        })?;
        let entry = raw.into_entry()?;
        match &entry.change {
            Change::Genesis { base } if base == base_fingerprint => {
                if created {
                    self.hub.publish(entry.revision());
                }
                Ok(entry)
            }
            Change::Genesis { base } => Err(StoreError::BaseMismatch {
                stored: base.clone(),
                given: base_fingerprint.to_string(),
            }),
            _ => Err(StoreError::Corrupt {
                seq: 1,
                reason: "the first entry is not a genesis entry".into(),
            }),
        }
    }

    fn head(&self) -> Result<Revision, StoreError> {
        self.engine.read(&mut |tx| {
            let rows = tx.query("SELECT COALESCE(MAX(seq), 0) FROM change_log", &[])?;
            let seq = rows.first().map_or(Ok(0), |r| int_at(r, 0, "seq"))?;
            Ok(Revision(seq.max(0) as u64))
        })
    }

    fn append(&self, expected: Revision, request: ChangeRequest) -> Result<Entry, StoreError> {
        let mut entries = self.append_batch(expected, vec![request])?;
        entries
            .pop()
            .ok_or_else(|| StoreError::Unexpected("an append wrote no entry".into()))
    }

    fn append_batch(
        &self,
        expected: Revision,
        requests: Vec<ChangeRequest>,
    ) -> Result<Vec<Entry>, StoreError> {
        if requests
            .iter()
            .any(|r| matches!(r.change, Change::Genesis { .. }))
        {
            return Err(StoreError::GenesisNotFirst);
        }
        let raws = self.engine.write(&mut |tx| {
            let last = last_entry(tx)?;
            let current = Revision(last.as_ref().map_or(0, |e| e.seq.max(0) as u64));
            if current != expected {
                return Err(StoreError::Stale { expected, current });
            }
            if last.is_none() {
                return Err(StoreError::NotInitialised);
            }
            // Record time is read under the write lock, so it is the time of commit order;
            // every entry of a batch is chained onto the one before it, in order. Any error
            // returns before the commit, and the whole batch rolls back.
            let mut prev = last;
            let mut raws = Vec::with_capacity(requests.len());
            for request in &requests {
                let raw = next_entry(
                    prev.as_ref(),
                    self.clock.now(),
                    &request.author,
                    &request.reason,
                    &request.change,
                    None,
                )?;
                insert_entry(tx, &raw)?;
                prev = Some(raw.clone());
                raws.push(raw);
            }
            if let Some(raw) = raws.last() {
                self.engine.after_append(tx, raw.seq)?;
            }
            Ok(raws)
        })?;
        if let Some(raw) = raws.last() {
            self.hub.publish(Revision(raw.seq.max(0) as u64));
        }
        raws.into_iter().map(RawEntry::into_entry).collect()
    }

    fn entries(&self, from: u64, to: u64) -> Result<Vec<Entry>, StoreError> {
        let from = i64::try_from(from).unwrap_or(i64::MAX);
        let to = i64::try_from(to).unwrap_or(i64::MAX);
        let rows = self.engine.read(&mut |tx| {
            tx.query(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM change_log WHERE seq >= ? AND seq <= ? ORDER BY seq"
                ),
                &[Val::Int(from), Val::Int(to)],
            )
        })?;
        rows.iter().map(|r| raw_entry(r)?.into_entry()).collect()
    }

    fn entries_recorded_until(&self, t: Timestamp) -> Result<Vec<Entry>, StoreError> {
        let rows = self.engine.read(&mut |tx| {
            tx.query(
                &format!(
                    "SELECT {ENTRY_COLUMNS} FROM change_log WHERE recorded_at_us <= ? ORDER BY seq"
                ),
                &[Val::Int(t.as_microsecond())],
            )
        })?;
        rows.iter().map(|r| raw_entry(r)?.into_entry()).collect()
    }

    fn verify(&self) -> Result<VerifyReport, StoreError> {
        let rows = self.engine.read(&mut |tx| {
            tx.query(
                &format!("SELECT {ENTRY_COLUMNS} FROM change_log ORDER BY seq"),
                &[],
            )
        })?;
        verify_rows(rows.iter().map(raw_entry))
    }

    fn subscribe(&self) -> Result<Subscription, StoreError> {
        let sub = self.hub.subscribe();
        let mut watching = self.watching.lock().unwrap_or_else(|p| p.into_inner());
        if !*watching {
            self.hub.seen(self.head()?);
            self.engine
                .spawn_watcher(self.hub.clone(), self.stop.clone())?;
            *watching = true;
        }
        Ok(sub)
    }

    fn propose(
        &self,
        author: &str,
        reason: &str,
        base_revision: Revision,
        change: &Change,
    ) -> Result<Proposal, StoreError> {
        if matches!(change, Change::Genesis { .. }) {
            return Err(StoreError::GenesisNotFirst);
        }
        let change_json = crate::chain::canonical_json(change)?;
        let now = self.now_us();
        let base = i64::try_from(base_revision.0).unwrap_or(i64::MAX);
        self.engine.write(&mut |tx| {
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
            Ok(Proposal {
                id: id.max(0) as u64,
                proposed_by: author.to_string(),
                proposed_at: timestamp(now)?,
                base_revision: base_revision.0,
                reason: reason.to_string(),
                change: change.clone(),
                status: ProposalStatus::Pending,
            })
        })
    }

    fn proposals(&self) -> Result<Vec<Proposal>, StoreError> {
        let rows = self.engine.read(&mut |tx| {
            tx.query(
                &format!("SELECT {PROPOSAL_COLUMNS} FROM proposals ORDER BY id"),
                &[],
            )
        })?;
        rows.iter().map(proposal_from).collect()
    }

    fn proposal(&self, id: u64) -> Result<Option<Proposal>, StoreError> {
        self.engine.read(&mut |tx| find_proposal(tx, id))
    }

    fn settle_proposal(&self, id: u64, settle: &Settle) -> Result<Settled, StoreError> {
        if settle.reason.trim().is_empty() {
            return Err(StoreError::NoReason);
        }
        let decision = Decision {
            proposal: id,
            outcome: settle.outcome,
            by: settle.by.clone(),
            reason: settle.reason.clone(),
        };
        let (proposal, raws) = self.engine.write(&mut |tx| {
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
                self.clock.now(),
                &author,
                &reason,
                &change,
                Some(&decision),
            )?;
            insert_entry(tx, &raw)?;
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
            self.engine.after_append(tx, raw.seq)?;
            let settled = find_proposal(tx, id)?.ok_or(StoreError::UnknownProposal(id))?;
            Ok((settled, vec![raw]))
        })?;
        if let Some(raw) = raws.last() {
            self.hub.publish(Revision(raw.seq.max(0) as u64));
        }
        let entries = raws
            .into_iter()
            .map(RawEntry::into_entry)
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Settled { proposal, entries })
    }

    fn save_draft(
        &self,
        owner: &str,
        id: Option<u64>,
        kind: &str,
        fields: &std::collections::BTreeMap<String, String>,
        proposal: Option<u64>,
    ) -> Result<Draft, StoreError> {
        let fields_json =
            serde_json::to_string(fields).map_err(|e| StoreError::Json(e.to_string()))?;
        let now = self.now_us();
        let proposal = proposal.map_or(Val::NullInt, |p| {
            Val::Int(i64::try_from(p).unwrap_or(i64::MAX))
        });
        self.engine.write(&mut |tx| {
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

    fn drafts(&self, owner: &str) -> Result<Vec<Draft>, StoreError> {
        let rows = self.engine.read(&mut |tx| {
            tx.query(
                &format!("SELECT {DRAFT_COLUMNS} FROM drafts WHERE owner = ? ORDER BY updated_at_us DESC, id DESC"),
                &[Val::Text(owner.into())],
            )
        })?;
        rows.iter().map(draft_from).collect()
    }

    fn draft(&self, id: u64) -> Result<Option<Draft>, StoreError> {
        self.engine.read(&mut |tx| find_draft(tx, id))
    }

    fn create_user(&self, name: &str, role: Role) -> Result<User, StoreError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(StoreError::UnknownUser(String::new()));
        }
        let now = self.now_us();
        self.engine.write(&mut |tx| {
            if find_user(tx, name)?.is_some() {
                return Err(StoreError::UserExists(name.to_string()));
            }
            tx.execute(
                "INSERT INTO users (name, role, created_at_us) VALUES (?, ?, ?)",
                &[
                    Val::Text(name.into()),
                    Val::Text(role.as_str().into()),
                    Val::Int(now),
                ],
            )?;
            Ok(User {
                name: name.to_string(),
                role,
                created_at: timestamp(now)?,
                disabled_at: None,
            })
        })
    }

    fn set_role(&self, name: &str, role: Role) -> Result<User, StoreError> {
        self.engine.write(&mut |tx| {
            let n = tx.execute(
                "UPDATE users SET role = ? WHERE name = ?",
                &[Val::Text(role.as_str().into()), Val::Text(name.into())],
            )?;
            if n == 0 {
                return Err(StoreError::UnknownUser(name.to_string()));
            }
            find_user(tx, name)?.ok_or_else(|| StoreError::UnknownUser(name.to_string()))
        })
    }

    fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        self.engine.read(&mut |tx| find_user(tx, name))
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        let rows = self.engine.read(&mut |tx| {
            tx.query(
                &format!("SELECT {USER_COLUMNS} FROM users u ORDER BY u.name"),
                &[],
            )
        })?;
        rows.iter().map(|r| user_from(r, 0)).collect()
    }

    fn set_disabled(&self, name: &str, disabled: bool) -> Result<User, StoreError> {
        let now = self.now_us();
        self.engine.write(&mut |tx| {
            // Disabling again keeps the first moment it was disabled.
            let n = if disabled {
                tx.execute(
                    "UPDATE users SET disabled_at_us = COALESCE(disabled_at_us, ?) WHERE name = ?",
                    &[Val::Int(now), Val::Text(name.into())],
                )?
            } else {
                tx.execute(
                    "UPDATE users SET disabled_at_us = NULL WHERE name = ?",
                    &[Val::Text(name.into())],
                )?
            };
            if n == 0 {
                return Err(StoreError::UnknownUser(name.to_string()));
            }
            if disabled {
                tx.execute(
                    "DELETE FROM sessions WHERE user_name = ?",
                    &[Val::Text(name.into())],
                )?;
            }
            find_user(tx, name)?.ok_or_else(|| StoreError::UnknownUser(name.to_string()))
        })
    }

    fn oidc_user(&self, subject: &str, name: &str, role: Role) -> Result<User, StoreError> {
        let name = name.trim();
        if name.is_empty() || subject.is_empty() {
            return Err(StoreError::UnknownUser(name.to_string()));
        }
        let now = self.now_us();
        self.engine.write(&mut |tx| {
            let bound = tx.query(
                "SELECT name FROM users WHERE oidc_subject = ?",
                &[Val::Text(subject.into())],
            )?;
            let user_name = match bound.first() {
                Some(r) => text_at(r, 0),
                None => {
                    let named = tx.query(
                        "SELECT oidc_subject FROM users WHERE name = ?",
                        &[Val::Text(name.into())],
                    )?;
                    match named.first() {
                        Some(r) if r.first().and_then(Val::text).is_some() => {
                            return Err(StoreError::UserExists(name.to_string()))
                        }
                        Some(_) => {
                            tx.execute(
                                "UPDATE users SET oidc_subject = ? WHERE name = ?",
                                &[Val::Text(subject.into()), Val::Text(name.into())],
                            )?;
                        }
                        None => {
                            tx.execute(
                                "INSERT INTO users (name, role, created_at_us, oidc_subject) VALUES (?, ?, ?, ?)",
                                &[
                                    Val::Text(name.into()),
                                    Val::Text(role.as_str().into()),
                                    Val::Int(now),
                                    Val::Text(subject.into()),
                                ],
                            )?;
                        }
                    }
                    name.to_string()
                }
            };
            tx.execute(
                "UPDATE users SET role = ? WHERE name = ?",
                &[Val::Text(role.as_str().into()), Val::Text(user_name.clone())],
            )?;
            find_user(tx, &user_name)?.ok_or(StoreError::UnknownUser(user_name.clone()))
        })
    }

    fn create_token(&self, user: &str, label: &str) -> Result<NewToken, StoreError> {
        let id = secrets::random_hex(8)?;
        let secret = secrets::random_hex(32)?;
        // Hash before taking the write lock: argon2 is deliberately slow.
        let hash = secrets::argon2_hash(&secret)?;
        let now = self.now_us();
        let info = self.engine.write(&mut |tx| {
            if find_user(tx, user)?.is_none() {
                return Err(StoreError::UnknownUser(user.to_string()));
            }
            tx.execute(
                "INSERT INTO api_tokens (id, user_name, label, token_hash, created_at_us) VALUES (?, ?, ?, ?, ?)",
                &[
                    Val::Text(id.clone()),
                    Val::Text(user.into()),
                    Val::Text(label.into()),
                    Val::Text(hash.clone()),
                    Val::Int(now),
                ],
            )?;
            Ok(TokenInfo {
                id: id.clone(),
                user: user.to_string(),
                label: label.to_string(),
                created_at: timestamp(now)?,
                revoked_at: None,
            })
        })?;
        Ok(NewToken {
            token: format!("{}{id}.{secret}", secrets::TOKEN_PREFIX),
            info,
        })
    }

    fn authenticate_token(&self, token: &str) -> Result<Option<User>, StoreError> {
        let (id, secret) = secrets::split_token(token).unwrap_or(("", token));
        let found = if id.is_empty() {
            None
        } else {
            self.engine.read(&mut |tx| {
                let rows = tx.query(
                    &format!(
                        "SELECT t.token_hash, t.revoked_at_us, {USER_COLUMNS}
                         FROM api_tokens t JOIN users u ON u.name = t.user_name WHERE t.id = ?"
                    ),
                    &[Val::Text(id.into())],
                )?;
                rows.first()
                    .map(|r| -> Result<_, StoreError> {
                        let revoked = r.get(1).and_then(Val::int).is_some();
                        Ok((text_at(r, 0), revoked, user_from(r, 2)?))
                    })
                    .transpose()
            })?
        };
        // Exactly one argon2 verification whatever was found, so that neither the time nor
        // the memory taken tells an unknown id from a known one with a wrong secret.
        let (hash, usable, user) = match found {
            Some((hash, revoked, user)) => {
                let usable = !revoked && user.disabled_at.is_none();
                (hash, usable, Some(user))
            }
            None => (secrets::decoy_hash().to_string(), false, None),
        };
        let matches = secrets::argon2_verify(secret, &hash);
        Ok(user.filter(|_| matches && usable))
    }

    fn revoke_token(&self, id: &str) -> Result<(), StoreError> {
        let now = self.now_us();
        self.engine.write(&mut |tx| {
            let exists = !tx
                .query(
                    "SELECT id FROM api_tokens WHERE id = ?",
                    &[Val::Text(id.into())],
                )?
                .is_empty();
            if !exists {
                return Err(StoreError::UnknownToken(id.to_string()));
            }
            tx.execute(
                "UPDATE api_tokens SET revoked_at_us = ? WHERE id = ? AND revoked_at_us IS NULL",
                &[Val::Int(now), Val::Text(id.into())],
            )?;
            tx.execute(
                "DELETE FROM sessions WHERE token_id = ?",
                &[Val::Text(id.into())],
            )?;
            Ok(())
        })
    }

    fn tokens(&self, user: Option<&str>) -> Result<Vec<TokenInfo>, StoreError> {
        let rows = self.engine.read(&mut |tx| match user {
            Some(u) => tx.query(
                "SELECT id, user_name, label, created_at_us, revoked_at_us FROM api_tokens
                 WHERE user_name = ? ORDER BY created_at_us, id",
                &[Val::Text(u.into())],
            ),
            None => tx.query(
                "SELECT id, user_name, label, created_at_us, revoked_at_us FROM api_tokens
                 ORDER BY user_name, created_at_us, id",
                &[],
            ),
        })?;
        rows.iter().map(token_from).collect()
    }

    fn create_session(
        &self,
        user: &str,
        ttl: SignedDuration,
        origin: &SessionOrigin,
    ) -> Result<NewSession, StoreError> {
        let id = secrets::random_hex(32)?;
        let csrf = secrets::random_hex(32)?;
        let handle = secrets::random_hex(8)?;
        let (origin_name, token_id) = match origin {
            SessionOrigin::Token { token_id } => ("token", Val::Text(token_id.clone())),
            SessionOrigin::Oidc => ("oidc", Val::NullText),
        };
        let now = self.clock.now();
        let expires_at = now.checked_add(ttl).map_err(|e| {
            StoreError::Json(format!("session lifetime {ttl} is out of range: {e}"))
        })?;
        let id_hash = secrets::sha256_hex(&id);
        let session = self.engine.write(&mut |tx| {
            let u = find_user(tx, user)?
                .filter(|u| u.disabled_at.is_none())
                .ok_or_else(|| StoreError::UnknownUser(user.to_string()))?;
            tx.execute(
                "INSERT INTO sessions (id_hash, handle, user_name, csrf, origin, token_id, created_at_us, expires_at_us) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                &[
                    Val::Text(id_hash.clone()),
                    Val::Text(handle.clone()),
                    Val::Text(u.name.clone()),
                    Val::Text(csrf.clone()),
                    Val::Text(origin_name.into()),
                    token_id.clone(),
                    Val::Int(now.as_microsecond()),
                    Val::Int(expires_at.as_microsecond()),
                ],
            )?;
            Ok(Session {
                user: u,
                csrf: csrf.clone(),
                expires_at,
                handle: handle.clone(),
            })
        })?;
        Ok(NewSession { id, session })
    }

    fn session(&self, id: &str) -> Result<Option<Session>, StoreError> {
        let id_hash = secrets::sha256_hex(id.trim());
        let now = self.now_us();
        self.engine.read(&mut |tx| {
            // Revoking the token and disabling the user also delete the session rows; the
            // conditions here hold even for a row another process has yet to delete.
            let rows = tx.query(
                &format!(
                    "SELECT s.csrf, s.expires_at_us, s.handle, {USER_COLUMNS}
                     FROM sessions s JOIN users u ON u.name = s.user_name
                     WHERE s.id_hash = ? AND s.expires_at_us > ? AND u.disabled_at_us IS NULL
                       AND (s.token_id IS NULL OR EXISTS (SELECT 1 FROM api_tokens t
                            WHERE t.id = s.token_id AND t.revoked_at_us IS NULL))"
                ),
                &[Val::Text(id_hash.clone()), Val::Int(now)],
            )?;
            rows.first()
                .map(|r| -> Result<Session, StoreError> {
                    Ok(Session {
                        csrf: text_at(r, 0),
                        expires_at: timestamp(int_at(r, 1, "expires_at_us")?)?,
                        handle: text_at(r, 2),
                        user: user_from(r, 3)?,
                    })
                })
                .transpose()
        })
    }

    fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        let id_hash = secrets::sha256_hex(id.trim());
        self.engine.write(&mut |tx| {
            tx.execute(
                "DELETE FROM sessions WHERE id_hash = ?",
                &[Val::Text(id_hash.clone())],
            )?;
            Ok(())
        })
    }

    fn sessions(&self, user: Option<&str>) -> Result<Vec<SessionSummary>, StoreError> {
        let rows = self.engine.read(&mut |tx| match user {
            Some(u) => tx.query(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions s WHERE s.user_name = ?
                     ORDER BY s.created_at_us DESC, s.handle"
                ),
                &[Val::Text(u.into())],
            ),
            None => tx.query(
                &format!(
                    "SELECT {SESSION_COLUMNS} FROM sessions s
                     ORDER BY s.created_at_us DESC, s.handle"
                ),
                &[],
            ),
        })?;
        rows.iter().map(session_summary).collect()
    }

    fn end_session(&self, handle: &str, owner: Option<&str>) -> Result<bool, StoreError> {
        let n = self.engine.write(&mut |tx| match owner {
            Some(o) => tx.execute(
                "DELETE FROM sessions WHERE handle = ? AND user_name = ?",
                &[Val::Text(handle.into()), Val::Text(o.into())],
            ),
            None => tx.execute(
                "DELETE FROM sessions WHERE handle = ?",
                &[Val::Text(handle.into())],
            ),
        })?;
        Ok(n > 0)
    }

    fn purge_expired_sessions(&self) -> Result<u64, StoreError> {
        let now = self.now_us();
        self.engine.write(&mut |tx| {
            tx.execute(
                "DELETE FROM sessions WHERE expires_at_us <= ?",
                &[Val::Int(now)],
            )
        })
    }
}
