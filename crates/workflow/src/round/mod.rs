//! Application rounds for delegated powers: primary care co-commissioning (2014, seed
//! situation 4) and the later rounds for dental, pharmacy and optometry and for specialised
//! services follow the same shape. NHS England invites bodies of some kinds to apply, by a
//! deadline, for one of several levels of involvement in some functions; each application
//! carries evidence against the round's criteria; a regional team recommends; the board
//! decides. Approval issues the instrument (a delegation or a joint committee) itself, so
//! the register's answers follow from the decisions alone.
//!
//! Every operation checks the application's state and the round's rules first and changes
//! nothing when it refuses: the error names the rule that was broken.
//!
//! This module holds the round and its applications; `operations` the steps that move an
//! application on (submit, recommend, approve, reject, withdraw); `script` the round files
//! that run a whole round from JSON.

mod operations;
mod script;

pub use script::{
    load_json, run, run_json, Refusal, RoundFile, RoundRun, ScriptedApplication, Step,
};

use crate::Event;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vires_core::{BodyKind, Diagnostic, Instrument};

/// The levels of involvement a round can offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// The applicant takes part in NHS England's decisions; no function moves.
    GreaterInvolvement,
    /// NHS England and the applicant decide together in a joint committee.
    Joint,
    /// The applicant exercises the functions under a delegation; NHS England stays accountable.
    Delegated,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::GreaterInvolvement => "greater-involvement",
            Level::Joint => "joint",
            Level::Delegated => "delegated",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an application must show. The 2014 round asked for all four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Criterion {
    /// Care is more integrated across primary, community and hospital services.
    Integration,
    /// Higher standards of primary care.
    Standards,
    /// Less inequality in access and outcomes.
    Inequalities,
    /// Conflicts of interest are identified and managed (GP members deciding on GP contracts).
    ConflictsOfInterest,
}

impl Criterion {
    pub fn as_str(self) -> &'static str {
        match self {
            Criterion::Integration => "integration",
            Criterion::Standards => "standards",
            Criterion::Inequalities => "inequalities",
            Criterion::ConflictsOfInterest => "conflicts-of-interest",
        }
    }
}

impl std::fmt::Display for Criterion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An invitation to apply for delegated powers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRound {
    pub id: String,
    pub title: String,
    /// The body that delegates and decides, by code (NHS England, `X24`).
    pub maker: String,
    /// The legal basis the issued instruments cite ("NHS Act 2006 s.13Z").
    pub basis: String,
    /// Kinds of body that may apply.
    pub eligible: Vec<BodyKind>,
    pub levels: Vec<Level>,
    /// The functions on offer.
    pub functions: Vec<String>,
    /// Child functions the maker keeps whatever the level (performers list management).
    #[serde(default)]
    pub except: Vec<String>,
    /// What the maker keeps, in the agreement's words.
    #[serde(default)]
    pub retained: Vec<String>,
    pub criteria: Vec<Criterion>,
    /// First day applications are accepted.
    pub opens: Date,
    /// Last day applications are accepted (inclusive).
    pub deadline: Date,
    /// Later or earlier last days for particular levels (the 2015/16 round closed delegated
    /// bids on 2015-01-09 and the others on 2015-01-30).
    #[serde(default)]
    pub level_deadlines: BTreeMap<Level, Date>,
    /// First day approved arrangements take effect.
    pub starts: Date,
    /// First day they no longer do, if the round sets one.
    #[serde(default)]
    pub until: Option<Date>,
    /// When the issued instruments should be reviewed.
    #[serde(default)]
    pub review: Option<Date>,
    /// Who recommends (a regional or area team).
    pub recommender: String,
    /// Who decides (the board).
    pub decider: String,
    /// The public record of the round.
    pub source: String,
}

/// Where an application stands. Approved, Rejected and Withdrawn are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Draft,
    Submitted,
    Recommended,
    Approved,
    Rejected,
    Withdrawn,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Recommended => "recommended",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, State::Approved | State::Rejected | State::Withdrawn)
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Evidence offered against one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub criterion: Criterion,
    /// What the applicant says, in its words.
    pub text: String,
    /// A document that backs it (a board paper, a conflicts policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

/// The regional team's recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub by: String,
    pub on: Date,
    /// Whether the team supports approval.
    pub support: bool,
    pub reason: String,
}

/// The board's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub by: String,
    pub on: Date,
    pub approved: bool,
    /// Reasons for a rejection (required), or notes on an approval.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Ids of the instruments the approval issued.
    #[serde(default)]
    pub instruments: Vec<String>,
}

/// One body's application in a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub round: String,
    /// The applying body, by code.
    pub applicant: String,
    pub level: Level,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub state: State,
    #[serde(default)]
    pub submitted: Option<Date>,
    #[serde(default)]
    pub recommendation: Option<Recommendation>,
    #[serde(default)]
    pub decision: Option<Decision>,
    /// Every step taken, in order: the application's own audit trail.
    #[serde(default)]
    pub history: Vec<Event>,
}

/// Why an operation was refused. Each names the rule it enforces.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoundError {
    #[error("cannot {action} application {application}: it is {state}; rule: {rule}")]
    IllegalTransition {
        application: String,
        action: &'static str,
        state: State,
        rule: &'static str,
    },
    #[error("application {application} came in on {submitted}, after the {level} deadline of {deadline}; rule: applications are accepted up to and including the deadline")]
    Late {
        application: String,
        level: Level,
        deadline: Date,
        submitted: Date,
    },
    #[error("application {application} came in on {submitted}, before the round opened on {opens}; rule: applications are accepted from the opening day")]
    Early {
        application: String,
        opens: Date,
        submitted: Date,
    },
    #[error("application {application} has no evidence for {}; rule: every criterion of the round needs evidence before submission", missing.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))]
    Incomplete {
        application: String,
        missing: Vec<Criterion>,
    },
    #[error("application {application} asks for {level}, which round {round} does not offer (it offers {offered}); rule: only the levels offered may be applied for")]
    LevelNotOffered {
        application: String,
        round: String,
        level: Level,
        offered: String,
    },
    #[error("{applicant} is a {kind}; round {round} is open to {eligible} only; rule: only eligible bodies may apply")]
    NotEligible {
        applicant: String,
        kind: BodyKind,
        round: String,
        eligible: String,
    },
    #[error("no body with code {applicant} exists on {on}, the day arrangements from round {round} start; rule: the applicant must exist when the arrangement starts")]
    UnknownApplicant {
        applicant: String,
        round: String,
        on: Date,
    },
    #[error("application {application} belongs to round {actual}, not {expected}")]
    WrongRound {
        application: String,
        expected: String,
        actual: String,
    },
    #[error("{action} of application {application} on {on} is dated before the step it follows ({previous}); rule: steps run forward in time")]
    Backdated {
        application: String,
        action: &'static str,
        on: Date,
        previous: Date,
    },
    #[error("the rejection of application {application} gives no reasons; rule: a rejection is recorded with its reasons")]
    NoReasons { application: String },
    #[error("approving application {application} would issue instruments that are not valid: {}; fix the round's maker, basis or functions, or the register", .diagnostics.iter().map(|d| format!("{} {}: {}", d.code, d.subject, d.message)).collect::<Vec<_>>().join("; "))]
    InvalidInstruments {
        application: String,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("instrument id {id} is already in the register; give application {application} a different id")]
    DuplicateInstrument { application: String, id: String },
    #[error("round file: {0}")]
    Json(String),
}

/// What an approval issues: the instruments to add to the register, and the audit event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub instruments: Vec<Instrument>,
    pub event: Event,
}
