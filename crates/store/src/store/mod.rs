//! The one implementation of [`Store`], over either engine: the change log here, proposals
//! and drafts in [`workflow`], users, tokens and sessions in [`accounts`], row decoding in
//! [`rows`].

mod accounts;
mod binding;
mod checkpoints;
mod rows;
mod workflow;

use crate::chain::{next_entry, verify_rows, RawEntry};
use crate::clock::Clock;
use crate::engine::{Engine, Tx, Val};
use crate::error::StoreError;
use crate::log_key::LogKey;
use crate::model::{
    Change, ChangeRequest, Draft, Entry, NewSession, NewToken, PendingChange, Recorded, Revision,
    Role, Session, SessionOrigin, SessionSummary, Settle, Settled, TokenInfo, User, VerifyReport,
};
use crate::notify::{Hub, Subscription};
use crate::{Backend, Store};
use jiff::{SignedDuration, Timestamp};
use rows::{insert_entry, int_at, last_entry, raw_entry, ENTRY_COLUMNS};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

pub(crate) struct SqlStore<E: Engine> {
    engine: E,
    clock: Arc<dyn Clock>,
    hub: Arc<Hub>,
    watching: Mutex<bool>,
    stop: Arc<AtomicBool>,
    /// The log key, if the store was opened with one: every write is then checkpointed.
    key: Option<LogKey>,
    /// The base register this handle was bound to ([`Store::ensure_genesis`] or
    /// [`Store::rebind`]). Its writes are refused if another process has since rebound the
    /// store, since they were checked against this base.
    bound: Mutex<Option<String>>,
}

impl<E: Engine> SqlStore<E> {
    pub(crate) fn new(
        engine: E,
        clock: Arc<dyn Clock>,
        key: Option<LogKey>,
    ) -> Result<Self, StoreError> {
        migrate(&engine)?;
        Ok(SqlStore {
            engine,
            clock,
            hub: Arc::new(Hub::default()),
            watching: Mutex::new(false),
            stop: Arc::new(AtomicBool::new(false)),
            key,
            bound: Mutex::new(None),
        })
    }

    fn bound_to(&self, base: &str) {
        *self.bound.lock().unwrap_or_else(|p| p.into_inner()) = Some(base.to_string());
    }

    /// Inside a write: refuses it if this handle was bound to a base and the store is now
    /// bound to another (rebound by another process since).
    pub(super) fn check_still_bound(&self, tx: &mut dyn Tx) -> Result<(), StoreError> {
        let Some(given) = self.bound.lock().unwrap_or_else(|p| p.into_inner()).clone() else {
            return Ok(());
        };
        match binding::binding(tx)?.pop() {
            Some((_, now)) => match now.change.binds_to() {
                Some(stored) if stored != given => Err(StoreError::BaseMismatch {
                    stored: stored.to_string(),
                    given,
                }),
                _ => Ok(()),
            },
            None => Ok(()),
        }
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
///
/// A schema already up to date is only read: the server may log in as a role that can
/// read and append but not change the schema (docs/security.md), and then a missing
/// migration is an error that says to run `vires migrate` as the database's owner.
fn migrate<E: Engine>(engine: &E) -> Result<(), StoreError> {
    let migrations = engine.migrations();
    let known = migrations.iter().map(|m| m.version).max().unwrap_or(0);
    let applied = engine.read(&mut |tx| {
        tx.query(
            "SELECT version FROM schema_migrations ORDER BY version",
            &[],
        )
    });
    if let Ok(rows) = &applied {
        let applied: Vec<i64> = rows
            .iter()
            .filter_map(|r| r.first().and_then(Val::int))
            .collect();
        if let Some(&found) = applied.iter().max() {
            if found > known {
                return Err(StoreError::SchemaTooNew { found, known });
            }
        }
        if migrations.iter().all(|m| applied.contains(&m.version)) {
            return Ok(());
        }
    }
    let found = applied
        .ok()
        .and_then(|rows| {
            rows.iter()
                .filter_map(|r| r.first().and_then(Val::int))
                .max()
        })
        .unwrap_or(0);
    apply_migrations(engine, known).map_err(|e| match e {
        StoreError::Postgres(m) if m.starts_with("42501") => StoreError::MigrationNeeded {
            found,
            known,
            detail: m,
        },
        e => e,
    })
}

fn apply_migrations<E: Engine>(engine: &E, known: i64) -> Result<(), StoreError> {
    let migrations = engine.migrations();
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

impl<E: Engine> Store for SqlStore<E> {
    fn backend(&self) -> Backend {
        self.engine.backend()
    }

    fn ensure_genesis(&self, base_fingerprint: &str, author: &str) -> Result<Entry, StoreError> {
        let (entry, created) = self.engine.write(&mut |tx| {
            if let Some((_, bound)) = binding::binding(tx)?.pop() {
                return Ok((bound, false));
            }
            let change = Change::Genesis {
                base: base_fingerprint.to_string(),
            };
            let raw = binding::write(tx, self.key.as_ref(), self.clock.now(), author, &change)?;
            self.engine.after_append(tx, raw.seq)?;
            Ok((raw.into_entry()?, true))
        })?;
        match entry.change.binds_to() {
            Some(base) if base == base_fingerprint => {
                self.bound_to(base);
                if created {
                    self.hub.publish(entry.revision());
                }
                Ok(entry)
            }
            Some(base) => Err(StoreError::BaseMismatch {
                stored: base.to_string(),
                given: base_fingerprint.to_string(),
            }),
            None => Err(StoreError::Unexpected(
                "the store's binding is not a genesis or rebind entry".into(),
            )),
        }
    }

    fn recorded(&self) -> Result<Recorded, StoreError> {
        self.engine.read(&mut |tx| binding::recorded(tx))
    }

    fn rebind(&self, base_fingerprint: &str, author: &str) -> Result<Entry, StoreError> {
        let (entry, created) = self.engine.write(&mut |tx| {
            let stored = match binding::binding(tx)?.pop() {
                Some((_, bound)) => match bound.change.binds_to() {
                    Some(base) if base == base_fingerprint => return Ok((bound, false)),
                    Some(base) => Some(base.to_string()),
                    None => None,
                },
                None => None,
            };
            let change = match stored {
                None => Change::Genesis {
                    base: base_fingerprint.to_string(),
                },
                Some(stored) => {
                    let recorded = binding::recorded(tx)?;
                    if !recorded.is_nothing() {
                        return Err(StoreError::NotRebound {
                            stored,
                            given: base_fingerprint.to_string(),
                            recorded: Box::new(recorded),
                        });
                    }
                    Change::Rebind {
                        base: base_fingerprint.to_string(),
                    }
                }
            };
            let raw = binding::write(tx, self.key.as_ref(), self.clock.now(), author, &change)?;
            self.engine.after_append(tx, raw.seq)?;
            Ok((raw.into_entry()?, true))
        })?;
        self.bound_to(base_fingerprint);
        if created {
            self.hub.publish(entry.revision());
        }
        Ok(entry)
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
        if requests.iter().any(|r| r.change.binds_to().is_some()) {
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
            self.check_still_bound(tx)?;
            checkpoints::before_write(tx, self.key.as_ref(), last.as_ref())?;
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
                checkpoints::after_write(tx, self.key.as_ref(), raw, self.now_us())?;
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
        let (rows, mut cps) = self.engine.read(&mut |tx| {
            let rows = tx.query(
                &format!("SELECT {ENTRY_COLUMNS} FROM change_log ORDER BY seq"),
                &[],
            )?;
            // Read after the entries, so it may hold checkpoints of entries written since.
            Ok((rows, checkpoints::all(tx)?))
        })?;
        let rows = rows.iter().map(raw_entry).collect::<Result<Vec<_>, _>>()?;
        let mut report = verify_rows(rows.iter().cloned().map(Ok))?;
        let head = rows.last().map_or(0, |r| r.seq);
        cps.retain(|c| c.seq <= head);
        checkpoints::check(&mut report, &rows, &cps, self.key.as_ref());
        Ok(report)
    }

    fn start_keying(&self) -> Result<u64, StoreError> {
        let key = self.key.as_ref().ok_or_else(|| {
            StoreError::LogKey("keying the log needs the key: set VIRES_LOG_KEY_FILE".into())
        })?;
        self.engine.write(&mut |tx| {
            let rows = tx
                .query(
                    &format!("SELECT {ENTRY_COLUMNS} FROM change_log ORDER BY seq"),
                    &[],
                )?
                .iter()
                .map(raw_entry)
                .collect::<Result<Vec<_>, _>>()?;
            checkpoints::start_keying(tx, key, &rows, self.now_us())
        })
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
    ) -> Result<PendingChange, StoreError> {
        workflow::propose(self, author, reason, base_revision, change)
    }

    fn proposals(&self) -> Result<Vec<PendingChange>, StoreError> {
        workflow::proposals(self)
    }

    fn proposal(&self, id: u64) -> Result<Option<PendingChange>, StoreError> {
        workflow::proposal(self, id)
    }

    fn settle_proposal(&self, id: u64, settle: &Settle) -> Result<Settled, StoreError> {
        workflow::settle_proposal(self, id, settle)
    }

    fn save_draft(
        &self,
        owner: &str,
        id: Option<u64>,
        kind: &str,
        fields: &std::collections::BTreeMap<String, String>,
        proposal: Option<u64>,
    ) -> Result<Draft, StoreError> {
        workflow::save_draft(self, owner, id, kind, fields, proposal)
    }

    fn drafts(&self, owner: &str) -> Result<Vec<Draft>, StoreError> {
        workflow::drafts(self, owner)
    }

    fn draft(&self, id: u64) -> Result<Option<Draft>, StoreError> {
        workflow::draft(self, id)
    }

    fn create_user(&self, name: &str, role: Role) -> Result<User, StoreError> {
        accounts::create_user(self, name, role)
    }

    fn set_role(&self, name: &str, role: Role) -> Result<User, StoreError> {
        accounts::set_role(self, name, role)
    }

    fn user(&self, name: &str) -> Result<Option<User>, StoreError> {
        accounts::user(self, name)
    }

    fn users(&self) -> Result<Vec<User>, StoreError> {
        accounts::users(self)
    }

    fn set_disabled(&self, name: &str, disabled: bool) -> Result<User, StoreError> {
        accounts::set_disabled(self, name, disabled)
    }

    fn oidc_user(&self, subject: &str, name: &str, role: Role) -> Result<User, StoreError> {
        accounts::oidc_user(self, subject, name, role)
    }

    fn create_token(&self, user: &str, label: &str) -> Result<NewToken, StoreError> {
        accounts::create_token(self, user, label)
    }

    fn authenticate_token(&self, token: &str) -> Result<Option<User>, StoreError> {
        accounts::authenticate_token(self, token)
    }

    fn revoke_token(&self, id: &str) -> Result<(), StoreError> {
        accounts::revoke_token(self, id)
    }

    fn tokens(&self, user: Option<&str>) -> Result<Vec<TokenInfo>, StoreError> {
        accounts::tokens(self, user)
    }

    fn create_session(
        &self,
        user: &str,
        ttl: SignedDuration,
        origin: &SessionOrigin,
    ) -> Result<NewSession, StoreError> {
        accounts::create_session(self, user, ttl, origin)
    }

    fn session(&self, id: &str) -> Result<Option<Session>, StoreError> {
        accounts::session(self, id)
    }

    fn delete_session(&self, id: &str) -> Result<(), StoreError> {
        accounts::delete_session(self, id)
    }

    fn sessions(&self, user: Option<&str>) -> Result<Vec<SessionSummary>, StoreError> {
        accounts::sessions(self, user)
    }

    fn end_session(&self, handle: &str, owner: Option<&str>) -> Result<bool, StoreError> {
        accounts::end_session(self, handle, owner)
    }

    fn purge_expired_sessions(&self) -> Result<u64, StoreError> {
        accounts::purge_expired_sessions(self)
    }
}
