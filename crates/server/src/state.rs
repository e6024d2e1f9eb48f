//! The shared state behind every handler: the store, the base register, and the current
//! compiled [`Snapshot`] with its revision.
//!
//! Queries read an `Arc<Snapshot>` and never wait for writers. A write validates the change
//! against the current register, appends it to the store (which refuses it if the register
//! moved on) and installs the snapshot it built. Changes written by other processes arrive
//! through [`Store::subscribe`] (PostgreSQL LISTEN/NOTIFY, SQLite polling) and are replayed
//! onto the current register by a watcher thread.

use crate::config::ServeConfig;
use crate::metrics::Metrics;
use crate::problem::ProblemItem;
use crate::who_json::HolderJson;
use jiff::Timestamp;
use serde::Serialize;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, RwLock, Weak};
use std::time::{Duration, Instant};
use tokio::sync::watch;
use vires_core::{Diagnostic, Register, Snapshot};
use vires_store::{
    replay, Change, ChangeRequest, Entry, ReplayIssue, Revision, Store, StoreError, User,
};

/// A compiled register at one revision of the change log.
pub struct Current {
    pub revision: u64,
    /// The hash of log entry `revision` (empty for an empty log): with the revision, the
    /// head every answer publishes in `Vires-Log-Head`.
    pub head_hash: String,
    pub snapshot: Arc<Snapshot>,
    /// Log entries that could not be applied (shown by /status; they change nothing).
    pub replay_issues: Vec<ReplayIssue>,
    pub built_at: Timestamp,
    /// `GET /who`'s holders as JSON, written as answers cite them (see [`HolderJson`]).
    pub holder_json: HolderJson,
}

pub use vires_store::{Decision, Outcome, PendingChange, PendingChangeStatus};

/// Why a write was not made. In every case nothing was written.
#[derive(Debug)]
pub enum WriteError {
    /// The change was based on an older (or a future) revision.
    Stale {
        expected: u64,
        current: u64,
    },
    /// The change cannot be applied, or names things the register does not know.
    Invalid {
        detail: String,
        items: Vec<ProblemItem>,
    },
    /// There is no such proposal.
    UnknownProposal(u64),
    /// The proposal was already approved or rejected (perhaps a moment ago, by someone else).
    Settled {
        id: u64,
        state: String,
    },
    /// The decider proposed it: a second person must decide.
    OwnProposal {
        id: u64,
        action: &'static str,
    },
    /// A decision needs a reason.
    NoReason,
    Store(StoreError),
}

impl From<StoreError> for WriteError {
    fn from(e: StoreError) -> Self {
        match e {
            StoreError::Stale { expected, current } => WriteError::Stale {
                expected: expected.0,
                current: current.0,
            },
            StoreError::UnknownProposal(id) => WriteError::UnknownProposal(id),
            StoreError::ProposalSettled { id, state } => WriteError::Settled { id, state },
            StoreError::OwnProposal { id, action, .. } => WriteError::OwnProposal { id, action },
            StoreError::NoReason => WriteError::NoReason,
            other => WriteError::Store(other),
        }
    }
}

/// What a published write did.
#[derive(Debug, Clone, Serialize)]
pub struct Published {
    pub revision: u64,
    pub entry: EntrySummary,
    /// Findings about the changed instrument after compiling (warnings, or errors that
    /// make it void but are not input mistakes, such as acting without a power).
    pub diagnostics: Vec<Diagnostic>,
}

/// A log entry as the API shows it.
#[derive(Debug, Clone, Serialize)]
pub struct EntrySummary {
    pub seq: u64,
    pub recorded_at: Timestamp,
    pub author: String,
    pub reason: String,
    pub op: String,
    pub change: Change,
    pub hash: String,
    /// For an entry written by approving or rejecting a proposal: who decided and why
    /// (the entry's `author` proposed it).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

impl From<&Entry> for EntrySummary {
    fn from(e: &Entry) -> Self {
        EntrySummary {
            seq: e.seq,
            recorded_at: e.recorded_at,
            author: e.author.clone(),
            reason: e.reason.clone(),
            op: e.change.op().to_string(),
            change: e.change.clone(),
            hash: e.hash.clone(),
            decision: e.decision.clone(),
        }
    }
}

struct Inner {
    store: Arc<dyn Store>,
    base: Register,
    current: RwLock<Arc<Current>>,
    rev_tx: watch::Sender<u64>,
    /// Serialises catching up and local writes, so the snapshot only moves forward.
    refresh: Mutex<()>,
    config: ServeConfig,
    metrics: Metrics,
    tokens: Mutex<HashMap<[u8; 32], (User, Instant)>>,
    sign_in_limits: crate::sign_in_limits::SignInLimits,
    admission: crate::admission::Admission,
    heavy: crate::work::HeavyWork,
    oidc: Option<Arc<crate::oidc::OidcSignIn>>,
    shutting_down: watch::Sender<bool>,
    /// Registers as recorded at earlier moments, newest use last (see [`AppState::as_recorded_at`]).
    recorded: Mutex<Vec<Arc<Current>>>,
    /// What was wrong with the change log at start, when it was served anyway.
    log_finding: std::sync::OnceLock<String>,
}

/// How many past registers `as_recorded_at` keeps compiled.
const RECORDED_KEPT: usize = 4;

/// Cheap to clone; every handler gets one.
#[derive(Clone)]
pub struct AppState {
    inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    // The data behind these locks stays consistent even if a holder panicked (each update
    // is a single assignment), so a poisoned lock is used as is.
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl AppState {
    /// Binds the store to `base` (identified by `base_fingerprint`), replays the change log
    /// and compiles the register. Blocking: call it from `spawn_blocking` in async code.
    pub fn open(
        store: Arc<dyn Store>,
        base: Register,
        base_fingerprint: &str,
        config: ServeConfig,
    ) -> Result<AppState, StoreError> {
        store.ensure_genesis(base_fingerprint, "vires-server")?;
        let pinned = vires_app::replay::pin(store.as_ref(), base.clone()).map_err(store_error)?;
        let revision = pinned.head.0;
        let head_hash = pinned
            .entries
            .last()
            .map(|e| e.hash.clone())
            .unwrap_or_default();
        for issue in &pinned.issues {
            tracing::warn!(
                seq = issue.seq,
                "change log entry not applied: {}",
                issue.message
            );
        }
        let replayed = vires_store::Replayed {
            register: pinned.register,
            issues: pinned.issues,
        };
        let snapshot = Arc::new(Snapshot::compile(replayed.register));
        let (rev_tx, _) = watch::channel(revision);
        let sign_in_limits = crate::sign_in_limits::SignInLimits::new(&config.auth);
        let admission = crate::admission::Admission::new(&config.limits);
        let heavy = crate::work::HeavyWork::new(&config.limits);
        let oidc = match config.auth.oidc.clone() {
            Some(c) => Some(Arc::new(crate::oidc::OidcSignIn::new(c).map_err(|e| {
                StoreError::Unexpected(format!("cannot set up OpenID Connect sign-in: {e}"))
            })?)),
            None => None,
        };
        let state = AppState {
            inner: Arc::new(Inner {
                store,
                base,
                current: RwLock::new(Arc::new(Current {
                    revision,
                    head_hash,
                    snapshot,
                    replay_issues: replayed.issues,
                    built_at: Timestamp::now(),
                    holder_json: HolderJson::default(),
                })),
                rev_tx,
                refresh: Mutex::new(()),
                config,
                metrics: Metrics::default(),
                tokens: Mutex::new(HashMap::new()),
                sign_in_limits,
                admission,
                heavy,
                oidc,
                shutting_down: watch::channel(false).0,
                recorded: Mutex::new(Vec::new()),
                log_finding: std::sync::OnceLock::new(),
            }),
        };
        state.inner.metrics.set_revision(revision);
        Ok(state)
    }

    /// Records that the change log did not verify at start but is served anyway.
    pub fn set_log_finding(&self, finding: String) {
        let _ = self.inner.log_finding.set(finding);
    }

    /// Why the change log did not verify at start, if it did not.
    pub fn log_finding(&self) -> Option<&str> {
        self.inner.log_finding.get().map(String::as_str)
    }

    pub fn store(&self) -> &Arc<dyn Store> {
        &self.inner.store
    }

    pub fn config(&self) -> &ServeConfig {
        &self.inner.config
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub fn base(&self) -> &Register {
        &self.inner.base
    }

    pub fn current(&self) -> Arc<Current> {
        self.inner
            .current
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn revision(&self) -> u64 {
        self.current().revision
    }

    /// The register as it was recorded at `t`: the base with the log's entries up to `t`
    /// replayed, compiled. Blocking (it reads the log and may compile): call it from
    /// `spawn_blocking`. The last few are kept, keyed by the revision they reach.
    pub fn as_recorded_at(&self, t: Timestamp) -> Result<Arc<Current>, StoreError> {
        let entries = self.inner.store.entries_recorded_until(t)?;
        let revision = entries.last().map_or(0, |e| e.seq);
        let now = self.current();
        if now.revision == revision {
            return Ok(now);
        }
        {
            let mut kept = lock(&self.inner.recorded);
            if let Some(at) = kept.iter().position(|c| c.revision == revision) {
                let c = kept.remove(at);
                kept.push(c.clone());
                return Ok(c);
            }
        }
        let replayed = replay(self.inner.base.clone(), &entries);
        let c = Arc::new(Current {
            revision,
            head_hash: entries.last().map(|e| e.hash.clone()).unwrap_or_default(),
            snapshot: Arc::new(Snapshot::compile(replayed.register)),
            replay_issues: replayed.issues,
            built_at: Timestamp::now(),
            holder_json: HolderJson::default(),
        });
        let mut kept = lock(&self.inner.recorded);
        kept.retain(|k| k.revision != revision);
        if kept.len() >= RECORDED_KEPT {
            kept.remove(0);
        }
        kept.push(c.clone());
        Ok(c)
    }

    pub fn subscribe_revisions(&self) -> watch::Receiver<u64> {
        self.inner.rev_tx.subscribe()
    }

    /// Marks the start of shutdown: /readyz fails, change streams end, waits stop.
    pub fn set_shutting_down(&self) {
        self.inner.shutting_down.send_replace(true);
    }

    pub fn is_shutting_down(&self) -> bool {
        *self.inner.shutting_down.borrow()
    }

    /// Resolves when shutdown begins.
    pub fn shutdown_signal(&self) -> impl std::future::Future<Output = ()> + Send + 'static {
        let mut rx = self.inner.shutting_down.subscribe();
        async move {
            let _ = rx.wait_for(|v| *v).await;
        }
    }

    fn install(&self, current: Current) {
        let rev = current.revision;
        {
            let mut slot = self
                .inner
                .current
                .write()
                .unwrap_or_else(|p| p.into_inner());
            if current.revision <= slot.revision {
                return;
            }
            *slot = Arc::new(current);
        }
        self.inner.metrics.set_revision(rev);
        self.inner.rev_tx.send_replace(rev);
    }

    /// Brings the snapshot up to the store's head. Blocking.
    pub fn catch_up(&self) -> Result<u64, StoreError> {
        let _guard = lock(&self.inner.refresh);
        self.catch_up_locked()
    }

    fn catch_up_locked(&self) -> Result<u64, StoreError> {
        let cur = self.current();
        let head = self.inner.store.head()?.0;
        if head <= cur.revision {
            return Ok(cur.revision);
        }
        let started = Instant::now();
        let entries = self.inner.store.entries(cur.revision + 1, head)?;
        let mut register = cur.snapshot.register().clone();
        let mut issues = cur.replay_issues.clone();
        let known = issues.len();
        let last = vires_app::replay::catch_up(&mut register, &entries, &mut issues)
            .unwrap_or(cur.revision);
        for issue in &issues[known..] {
            tracing::warn!(
                seq = issue.seq,
                "change log entry not applied: {}",
                issue.message
            );
        }
        let snapshot = Arc::new(Snapshot::compile(register));
        let head_hash = entries
            .iter()
            .rev()
            .find(|e| e.seq == last)
            .map_or_else(|| cur.head_hash.clone(), |e| e.hash.clone());
        self.install(Current {
            revision: last,
            head_hash,
            snapshot,
            replay_issues: issues,
            built_at: Timestamp::now(),
            holder_json: HolderJson::default(),
        });
        tracing::info!(
            revision = last,
            ms = started.elapsed().as_millis() as u64,
            "snapshot caught up with the store"
        );
        Ok(last)
    }

    /// Starts the thread that follows new revisions written by any process. It stops when
    /// the state is dropped or shutdown begins. Call it off the async threads (subscribing
    /// to PostgreSQL blocks); once it runs, dropping the state from async code is safe.
    pub fn spawn_watcher(&self) -> Result<(), StoreError> {
        let sub = self.inner.store.subscribe()?;
        let weak: Weak<Inner> = Arc::downgrade(&self.inner);
        // The thread keeps a handle on the store so that the last handle is dropped here,
        // not on an async thread: closing a PostgreSQL connection blocks.
        let keep = self.inner.store.clone();
        std::thread::Builder::new()
            .name("vires-watcher".into())
            .spawn(move || {
                let _keep = keep;
                let mut idle = 0u32;
                loop {
                    let got = sub.recv_timeout(Duration::from_millis(500));
                    let Some(inner) = weak.upgrade() else { break };
                    let state = AppState { inner };
                    if state.is_shutting_down() {
                        break;
                    }
                    idle += 1;
                    // A missed notification must not leave the snapshot behind for long:
                    // every few seconds the head is checked anyway.
                    let due = got.is_some_and(|r| r.0 > state.revision()) || idle >= 10;
                    if due {
                        idle = 0;
                        if let Err(e) = state.catch_up() {
                            tracing::error!(error = %e, "cannot follow the change log");
                        }
                    }
                }
            })
            .map_err(StoreError::Io)?;
        Ok(())
    }

    /// Makes the register after `entry`, which this process appended to the log at `cur`,
    /// the current one: `snapshot` is `cur`'s register with the entry's change.
    fn install_written(
        &self,
        cur: &Current,
        entry: &Entry,
        snapshot: Arc<Snapshot>,
        diagnostics: Vec<Diagnostic>,
    ) -> Published {
        self.install(Current {
            revision: entry.seq,
            head_hash: entry.hash.clone(),
            snapshot,
            replay_issues: cur.replay_issues.clone(),
            built_at: Timestamp::now(),
            holder_json: HolderJson::default(),
        });
        Published {
            revision: entry.seq,
            entry: EntrySummary::from(entry),
            diagnostics,
        }
    }

    /// Validates `change` against the register at `expected` and appends it. Blocking.
    pub fn publish(&self, expected: u64, request: ChangeRequest) -> Result<Published, WriteError> {
        let _guard = lock(&self.inner.refresh);
        let mut cur = self.current();
        if expected > cur.revision {
            // Another instance may have written it: catch up before judging.
            self.catch_up_locked().map_err(WriteError::Store)?;
            cur = self.current();
        }
        if expected != cur.revision {
            return Err(WriteError::Stale {
                expected,
                current: cur.revision,
            });
        }
        let (snapshot, diagnostics) = validate(&cur.snapshot, &request.change)?;
        let entry = match self.inner.store.append(Revision(expected), request) {
            Ok(e) => e,
            Err(StoreError::Stale { expected, current }) => {
                // Another process wrote first; follow it so the next attempt sees it.
                let _ = self.catch_up_locked();
                return Err(WriteError::Stale {
                    expected: expected.0,
                    current: current.0,
                });
            }
            Err(e) => return Err(WriteError::Store(e)),
        };
        Ok(self.install_written(&cur, &entry, Arc::new(snapshot), diagnostics))
    }

    /// Checks a change without writing it: the findings it would produce.
    pub fn check(&self, change: &Change) -> Result<Vec<Diagnostic>, WriteError> {
        let cur = self.current();
        validate(&cur.snapshot, change).map(|(_, d)| d)
    }

    /// Keeps a change for a second person to decide. Blocking.
    pub fn propose(
        &self,
        author: &str,
        reason: String,
        base_revision: u64,
        change: Change,
    ) -> Result<PendingChange, StoreError> {
        self.inner
            .store
            .propose(author, &reason, Revision(base_revision), &change)
    }

    /// Every proposal, oldest first. Blocking.
    pub fn proposals(&self) -> Result<Vec<PendingChange>, StoreError> {
        self.inner.store.proposals()
    }

    /// One proposal. Blocking.
    pub fn proposal(&self, id: u64) -> Result<Option<PendingChange>, StoreError> {
        self.inner.store.proposal(id)
    }

    /// Approves a pending proposal: checks its change against the current register as
    /// [`AppState::publish`] does, then has the store settle the proposal and append the
    /// change in one transaction (refused if the approver proposed it, if it was settled
    /// meanwhile, or if the register moved on). Blocking.
    pub fn approve(&self, id: u64, by: &str, reason: &str) -> Result<Published, WriteError> {
        let _guard = lock(&self.inner.refresh);
        let p = self
            .inner
            .store
            .proposal(id)
            .map_err(WriteError::Store)?
            .ok_or(WriteError::UnknownProposal(id))?;
        // Said before the check compiles anything; the store checks both again.
        if !p.status.is_pending() {
            return Err(settled_error(&p));
        }
        if p.proposed_by == by {
            return Err(WriteError::OwnProposal {
                id,
                action: "approve",
            });
        }
        let cur = self.current();
        let (snapshot, diagnostics) = validate(&cur.snapshot, &p.change)?;
        let settled = match self.inner.store.settle_proposal(
            id,
            &vires_store::Settle {
                outcome: Outcome::Approved,
                by: by.to_string(),
                reason: reason.to_string(),
                on: vires_app::today(),
                expected: Some(Revision(cur.revision)),
                proposer_may_reject: self.inner.config.approval.proposer_may_reject,
            },
        ) {
            Ok(s) => s,
            Err(e) => {
                if e.is_stale() {
                    // Another process wrote first; follow it so the next attempt sees it.
                    let _ = self.catch_up_locked();
                }
                return Err(e.into());
            }
        };
        let entry = settled.entries.last().ok_or_else(|| {
            WriteError::Store(StoreError::Unexpected("an approval wrote no entry".into()))
        })?;
        Ok(self.install_written(&cur, entry, Arc::new(snapshot), diagnostics))
    }

    /// Rejects a pending proposal: the store settles it and records the rejection in the
    /// log in one transaction. The register's instruments do not change. Blocking.
    pub fn reject(&self, id: u64, by: &str, reason: &str) -> Result<PendingChange, WriteError> {
        let _guard = lock(&self.inner.refresh);
        let cur = self.current();
        let settled = self.inner.store.settle_proposal(
            id,
            &vires_store::Settle {
                outcome: Outcome::Rejected,
                by: by.to_string(),
                reason: reason.to_string(),
                on: vires_app::today(),
                expected: None,
                proposer_may_reject: self.inner.config.approval.proposer_may_reject,
            },
        )?;
        match settled.entries.last() {
            // A rejection changes no instrument: the compiled register stays as it is.
            Some(e) if e.seq == cur.revision + 1 => {
                self.install_written(&cur, e, cur.snapshot.clone(), Vec::new());
            }
            _ => {
                if let Err(e) = self.catch_up_locked() {
                    tracing::error!(error = %e, "cannot follow the change log after a rejection");
                }
            }
        }
        Ok(settled.proposal)
    }

    /// How often sign-ins may be tried, and argon2's turns.
    pub fn sign_in_limits(&self) -> &crate::sign_in_limits::SignInLimits {
        &self.inner.sign_in_limits
    }

    pub fn admission(&self) -> &crate::admission::Admission {
        &self.inner.admission
    }

    /// The turns for heavy questions (see [`crate::work`]).
    pub fn heavy(&self) -> &crate::work::HeavyWork {
        &self.inner.heavy
    }

    /// The configured OpenID Connect issuer, if any.
    pub fn oidc(&self) -> Option<&crate::oidc::OidcSignIn> {
        self.inner.oidc.as_deref()
    }

    /// The user of a token verified within `auth.token_cache_secs`, without any argon2.
    pub fn cached_token(&self, token: &str) -> Option<User> {
        use sha2::{Digest, Sha256};
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let ttl = Duration::from_secs(self.inner.config.auth.token_cache_secs);
        lock(&self.inner.tokens)
            .get(&key)
            .filter(|(_, at)| at.elapsed() < ttl)
            .map(|(user, _)| user.clone())
    }

    /// The user a token belongs to, from the cache or the store (argon2). Blocking.
    /// Callers answering a request go through [`crate::auth::verify_token`], which counts
    /// the attempt against the sign-in limits first.
    pub fn authenticate_token(&self, token: &str) -> Result<Option<User>, StoreError> {
        use sha2::{Digest, Sha256};
        let key: [u8; 32] = Sha256::digest(token.as_bytes()).into();
        let ttl = Duration::from_secs(self.inner.config.auth.token_cache_secs);
        if let Some((user, at)) = lock(&self.inner.tokens).get(&key) {
            if at.elapsed() < ttl {
                return Ok(Some(user.clone()));
            }
        }
        let user = self.inner.store.authenticate_token(token)?;
        let mut cache = lock(&self.inner.tokens);
        match &user {
            Some(u) if !ttl.is_zero() => {
                cache.insert(key, (u.clone(), Instant::now()));
            }
            _ => {
                cache.remove(&key);
            }
        }
        Ok(user)
    }

    /// Forgets cached tokens (after a revocation or a role change through this server).
    pub fn forget_tokens(&self) {
        lock(&self.inner.tokens).clear();
    }
}

fn settled_error(p: &PendingChange) -> WriteError {
    WriteError::Settled {
        id: p.id,
        state: p.status.describe(),
    }
}

/// Tries `change` on the current register under the one policy (`vires_app::trial`):
/// refused if it cannot be applied or would make anything it writes void.
fn validate(
    current: &Snapshot,
    change: &Change,
) -> Result<(Snapshot, Vec<Diagnostic>), WriteError> {
    let changes = std::slice::from_ref(change);
    match vires_app::trial::check(current.register(), Some(current), changes) {
        Ok(trial) => Ok((trial.snapshot, trial.findings)),
        Err(vires_app::AppError::Void(void)) => {
            let detail = void
                .errors
                .iter()
                .map(|d| format!("{} {}", d.code, d.message))
                .collect::<Vec<_>>()
                .join("; ");
            Err(WriteError::Invalid {
                detail: format!("the change would make what it writes void: {detail}"),
                items: void
                    .errors
                    .iter()
                    .map(|d| ProblemItem {
                        at: Some(d.subject.clone()),
                        code: Some(d.code.to_string()),
                        message: format!("{} ({})", d.message, d.help),
                    })
                    .collect(),
            })
        }
        Err(e) => {
            let message = e.to_string();
            Err(WriteError::Invalid {
                detail: message.clone(),
                items: vec![ProblemItem {
                    at: Some("change".into()),
                    code: None,
                    message,
                }],
            })
        }
    }
}

fn store_error(e: vires_app::AppError) -> StoreError {
    match e {
        vires_app::AppError::Store(e) => e,
        other => StoreError::Io(std::io::Error::other(other.to_string())),
    }
}
