//! The values that cross the storage interface: revisions, changes, log entries, users.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};
use vires_core::{Body, Instrument};

/// A register revision: the sequence number of the last entry in the change log.
/// `Revision(0)` is an empty log (before the genesis entry).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default, Serialize, Deserialize,
)]
#[serde(transparent)]
pub struct Revision(pub u64);

impl std::fmt::Display for Revision {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// One change to the register. The `op` tag is the stable JSON spelling; new kinds of
/// change (proposals, approvals) are added as new variants, never by renaming old ones,
/// because old log entries must keep parsing and hashing the same forever.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Change {
    /// The first entry of every log: binds the log to the base register it changes
    /// (for example a fingerprint of the bundled England data).
    Genesis { base: String },
    /// Binds the log to another base register (new bundled data, or another ODS folder).
    /// Written only by [`crate::Store::rebind`], and only while the store holds nothing
    /// recorded: it follows the genesis entry or an earlier rebind entry, never a change,
    /// because every change was checked against the base the log was bound to.
    Rebind { base: String },
    /// A new instrument. Its valid time is its own `from`/`until`.
    AddInstrument { instrument: Instrument },
    /// A new version of an instrument already in the register (same id). The old version
    /// stays in the log, so the register as recorded earlier still shows it.
    CorrectInstrument { id: String, instrument: Instrument },
    /// Takes an instrument out of the register from this record time on (it was entered in
    /// error). This is not a legal revocation: that is an instrument of kind `revoke`.
    RetractInstrument { id: String, reason: String },
    /// A new body.
    AddBody { body: Body },
    /// A step of a workflow that changes no instrument by itself: an application received,
    /// refused as late or incomplete, recommended, decided; a proposal withdrawn. Replay
    /// treats it as a no-op, but it is hash-chained like every entry, so the audit log
    /// shows every step. The instruments a step issues are separate `add-instrument`
    /// entries in the same batch.
    WorkflowStep {
        /// The kind of workflow: `round` (an application round) or `proposal`.
        workflow: String,
        /// Which one: the round's or the proposal's id.
        id: String,
        /// What the step was about: an application id, or the proposal id.
        subject: String,
        /// The stable name of the step: `submit`, `recommend`, `approve`, `reject`,
        /// `withdraw`, `refuse`, `publish`, ...
        step: String,
        /// The date the step took effect in the workflow (the store adds its own record time).
        on: jiff::civil::Date,
        /// Who took the step (a person, a committee, a body code, `vires` for a refusal).
        actor: String,
        /// The reasons, the recommendation, the refusal's error.
        #[serde(default, skip_serializing_if = "Option::is_none")]
        detail: Option<String>,
    },
}

impl Change {
    /// The base register this entry binds the log to, for a genesis or rebind entry.
    pub fn binds_to(&self) -> Option<&str> {
        match self {
            Change::Genesis { base } | Change::Rebind { base } => Some(base),
            _ => None,
        }
    }

    /// The stable name of the operation, as in the JSON `op` tag.
    pub fn op(&self) -> &'static str {
        match self {
            Change::Genesis { .. } => "genesis",
            Change::Rebind { .. } => "rebind",
            Change::AddInstrument { .. } => "add-instrument",
            Change::CorrectInstrument { .. } => "correct-instrument",
            Change::RetractInstrument { .. } => "retract-instrument",
            Change::AddBody { .. } => "add-body",
            Change::WorkflowStep { .. } => "workflow-step",
        }
    }
}

/// What people have written in a store ([`crate::Store::recorded`]): everything but its
/// binding to a base register and the checkpoints the store signs by itself.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Recorded {
    /// Log entries other than the binding (genesis and rebind entries).
    pub changes: u64,
    pub users: u64,
    pub tokens: u64,
    pub sessions: u64,
    pub drafts: u64,
    pub proposals: u64,
}

impl Recorded {
    /// True when nothing at all was written: no change, user, token, session, draft or
    /// proposal.
    pub fn is_nothing(&self) -> bool {
        *self == Recorded::default()
    }
}

impl std::fmt::Display for Recorded {
    /// "2 recorded changes, 1 user", or "nothing recorded".
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let parts: Vec<String> = [
            (self.changes, "recorded change"),
            (self.users, "user"),
            (self.tokens, "API token"),
            (self.sessions, "session"),
            (self.drafts, "draft"),
            (self.proposals, "proposal"),
        ]
        .iter()
        .filter(|(n, _)| *n > 0)
        .map(|(n, what)| format!("{n} {what}{}", if *n == 1 { "" } else { "s" }))
        .collect();
        if parts.is_empty() {
            f.write_str("nothing recorded")
        } else {
            f.write_str(&parts.join(", "))
        }
    }
}

/// A change as a person asks for it: who, why and what.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeRequest {
    pub author: String,
    pub reason: String,
    pub change: Change,
}

/// One entry of the append-only change log, as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    pub seq: u64,
    /// Record time: when the register learnt this change (microsecond precision).
    pub recorded_at: Timestamp,
    pub author: String,
    pub reason: String,
    pub change: Change,
    /// The canonical JSON of `change`, exactly as hashed.
    pub change_json: String,
    /// Hex SHA-256 of the previous entry (64 zeros for the genesis entry).
    pub prev_hash: String,
    /// Hex SHA-256 of this entry (see [`crate::chain::entry_hash`]).
    pub hash: String,
    /// For an entry written by deciding a proposal: who decided, how and why. The entry's
    /// `author` is the proposer, so the log names both people as fields, not in free text.
    /// Covered by the entry's hash.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decision: Option<Decision>,
}

impl Entry {
    pub fn revision(&self) -> Revision {
        Revision(self.seq)
    }
}

/// A second person's decision on a proposal, as recorded on each log entry it wrote.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// The proposal decided.
    pub proposal: u64,
    pub outcome: Outcome,
    /// Who decided: never the proposer for an approval.
    pub by: String,
    /// Why, as the decider gave it.
    pub reason: String,
}

/// How a proposal was settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Approved and published: the proposal's change is in the log.
    Approved,
    /// Rejected: the log holds a `workflow-step` entry saying so, and the change is not made.
    Rejected,
}

impl Outcome {
    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::Approved => "approved",
            Outcome::Rejected => "rejected",
        }
    }
}

/// A change an editor proposed, kept in the store until a second person settles it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PendingChange {
    pub id: u64,
    pub proposed_by: String,
    pub proposed_at: Timestamp,
    /// The revision the proposer saw.
    pub base_revision: u64,
    /// Why the proposer wants the change.
    pub reason: String,
    pub change: Change,
    pub status: PendingChangeStatus,
}

/// Where a proposal stands. A settled proposal never changes again (the database refuses).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum PendingChangeStatus {
    Pending,
    /// Approved by `by`, published as log entry `revision`.
    Published {
        by: String,
        revision: u64,
        at: Timestamp,
        reason: String,
    },
    /// Rejected by `by`; `revision` is the log entry recording the rejection.
    Rejected {
        by: String,
        reason: String,
        at: Timestamp,
        revision: u64,
    },
}

impl PendingChangeStatus {
    pub fn is_pending(&self) -> bool {
        matches!(self, PendingChangeStatus::Pending)
    }

    /// Where it stands, in words: "pending", "approved by bea, published as revision 7".
    pub fn describe(&self) -> String {
        match self {
            PendingChangeStatus::Pending => "pending".into(),
            PendingChangeStatus::Published { by, revision, .. } => {
                format!("approved by {by}, published as revision {revision}")
            }
            PendingChangeStatus::Rejected { by, reason, .. } => {
                format!("rejected by {by}: {reason}")
            }
        }
    }
}

/// A change being drafted in the browser, private to its owner until proposed. The fields
/// are kept as typed (a half-finished draft may not yet be a valid instrument).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Draft {
    pub id: u64,
    pub owner: String,
    /// The kind of instrument (`delegation`, `joint-committee`, ...).
    pub kind: String,
    /// The form's fields as the owner typed them, as a JSON object of strings.
    pub fields: std::collections::BTreeMap<String, String>,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The proposal it was sent as, once proposed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proposal: Option<u64>,
}

/// A request to settle a pending proposal ([`crate::Store::settle_proposal`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settle {
    pub outcome: Outcome,
    /// Who decides.
    pub by: String,
    /// Why; must not be empty.
    pub reason: String,
    /// The date the decision takes effect in the workflow (a rejection's `workflow-step`).
    pub on: jiff::civil::Date,
    /// For an approval: the revision the approver's check was made against. The change is
    /// published only if the register is still there.
    pub expected: Option<Revision>,
    /// Whether the proposer may reject (withdraw) their own proposal. Approving one's own
    /// proposal is never allowed.
    pub proposer_may_reject: bool,
}

/// A settled proposal and the log entries its settlement wrote.
#[derive(Debug, Clone, PartialEq)]
pub struct Settled {
    pub proposal: PendingChange,
    pub entries: Vec<Entry>,
}

/// The result of checking the whole change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub ok: bool,
    /// How many entries were read.
    pub entries: u64,
    /// The hash of the last entry that verified; record it elsewhere to detect a later
    /// truncation of the log, which a hash chain alone cannot show.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub head_hash: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_bad: Option<BadEntry>,
    /// Whether checkpoints signed with the log key were checked.
    #[serde(default)]
    pub keying: Keying,
}

/// How far the log key vouches for the log.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum Keying {
    /// No key was given and the log has no checkpoint: a plain hash chain, which someone who
    /// can write to the database can rewrite, recomputing every hash.
    #[default]
    Unkeyed,
    /// The log has checkpoints but no key was given to check them: verified as a plain
    /// chain only.
    Unchecked { key_id: String, from_seq: u64 },
    /// Checked with the key: entries up to `from_seq` were there when the log was keyed (the
    /// first checkpoint vouches for them as they stood then); every later entry is vouched
    /// for by a checkpoint.
    Keyed {
        key_id: String,
        from_seq: u64,
        checkpoints: u64,
    },
}

/// The first entry that failed verification and why.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct BadEntry {
    pub seq: u64,
    pub reason: String,
}

/// What a user may do. Each role includes the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    Viewer,
    Editor,
    Approver,
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [Role::Viewer, Role::Editor, Role::Approver, Role::Admin];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Approver => "approver",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct User {
    pub name: String,
    pub role: Role,
    pub created_at: Timestamp,
    /// Set when an admin disabled the user: their tokens and sign-ins are refused and their
    /// sessions were ended.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub disabled_at: Option<Timestamp>,
}

/// An API token as listed (never the secret).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenInfo {
    /// The public part of the token (before the dot), used to find it.
    pub id: String,
    pub user: String,
    pub label: String,
    pub created_at: Timestamp,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<Timestamp>,
}

/// A newly created API token. `token` is shown once; only its argon2 hash is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewToken {
    pub info: TokenInfo,
    pub token: String,
}

/// What opened a session, and so what ends it besides expiry, sign-out and an admin.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "via", rename_all = "kebab-case")]
pub enum SessionOrigin {
    /// Signing in with an API token: the session ends when that token is revoked.
    Token { token_id: String },
    /// Signing in through the configured OpenID Connect issuer.
    Oidc,
}

/// A browser session. Its id is a bearer secret held in a cookie; only its SHA-256 is stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Session {
    pub user: User,
    /// The anti-forgery token the session's forms must echo.
    pub csrf: String,
    pub expires_at: Timestamp,
    /// The session's public name, for listing and ending it; not a secret.
    pub handle: String,
}

/// A session as listed for its owner or an admin: never its secret id or CSRF token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionSummary {
    pub handle: String,
    pub user: String,
    pub origin: SessionOrigin,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

/// A newly created session: `id` goes in the cookie.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSession {
    pub id: String,
    pub session: Session,
}
