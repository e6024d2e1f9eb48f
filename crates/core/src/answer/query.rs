//! Answer types shared by the CLI (`--format json`), the HTTP API and the UI.
//! Their JSON shape is a stable contract: add fields, never rename or remove.

use crate::model::instrument::InstrumentKind;
use crate::model::place::Place;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;
use std::sync::Arc;

/// How a holder comes to hold a function at a place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum Role {
    /// Conferred by statute (or by a transfer or merger that made it the body's own).
    Statutory,
    /// Exercises another body's function under a delegation.
    Delegate,
    /// Exercises another body's function alongside it (for example under a s.253 direction).
    Concurrent,
    /// A member of a joint committee that exercises the function.
    JointMember,
    /// Lead commissioner under a s.75 partnership.
    LeadPartner,
    /// Exercises another body's function in its place under a direction (intervention).
    Directed,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Statutory => "statutory",
            Role::Delegate => "delegate",
            Role::Concurrent => "concurrent",
            Role::JointMember => "joint-member",
            Role::LeadPartner => "lead-partner",
            Role::Directed => "directed",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A proof: the chain of instrument steps from statute to a holding, root first. Shared,
/// so that every answer citing the same holding shares one chain.
pub type Proof = Arc<[Arc<ProofStep>]>;

/// One link in a proof chain, root (statute) first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ProofStep {
    pub instrument: String,
    pub kind: InstrumentKind,
    pub title: String,
    pub basis: Option<String>,
    pub source: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Holder {
    // The text fields of a holder are shared with the snapshot (`SmolStr`), so an answer
    // copies no names; they compare with `&str` and `String` and serialize as plain strings.
    /// Code of the body that may exercise the function.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub body: SmolStr,
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub name: SmolStr,
    pub role: Role,
    /// Code of the body that stays accountable in law.
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub accountable: SmolStr,
    /// Purposes the holder may exercise the function for; empty means unrestricted.
    pub purposes: Vec<String>,
    /// The function id the holding is for (the query function or an ancestor of it).
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub function: SmolStr,
    /// Whether the holding covers all of the place asked about, or only part of it.
    pub coverage: Coverage,
    /// First day of the holding segment that answers the question.
    pub from: Date,
    /// Day the holding segment ends (exclusive), if it does.
    pub until: Option<Date>,
    // Shared with the snapshot: each grant's chain is built the first time an answer cites it.
    /// The proof: the instruments the holding rests on, from statute to the holding.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<ProofStep>))]
    pub proof: Proof,
    /// For a place larger than a practice, the part of it this holder covers (its
    /// practices there and the holding's own area). Absent for a holder of all of it and
    /// for every answer about a practice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<Part>,
    /// Asked of a place larger than a practice, a body may hold the function in one role,
    /// for one accountable body, by several holdings (a joint committee with each ICB, an
    /// authority over the footprints of several CCGs). Its row then gathers them: `part` is
    /// their union, `from` and `until` the days between which every one of them holds,
    /// `proof` the first one's, and this lists each with its own part, days and proof.
    /// Absent when the row is one holding.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub holdings: Vec<HeldPart>,
}

/// One of the holdings a holder's row over a larger place gathers (the holder's `holdings`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HeldPart {
    /// First day of the holding segment that answers the question.
    pub from: Date,
    /// Day the holding segment ends (exclusive), if it does.
    pub until: Option<Date>,
    /// The part of the place this holding covers; absent when it covers all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<Part>,
    /// The instruments this holding rests on, from statute to the holding.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<ProofStep>))]
    pub proof: Proof,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Coverage {
    Full,
    Partial,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WhoAnswer {
    #[cfg_attr(feature = "openapi", schema(value_type = String))]
    pub function: SmolStr,
    pub on: Date,
    pub place: Place,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    pub holders: Vec<Holder>,
    /// Bodies that have delegated the function here without keeping concurrent exercise:
    /// accountable, but not holders.
    #[serde(default)]
    #[cfg_attr(feature = "openapi", schema(required = true))]
    pub accountable_only: Vec<String>,
    /// Where the answer may not be the whole truth (outside the coverage statement, resting
    /// on a fact marked "to confirm", an incomplete record): shown beside the answer.
    /// Absent when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<Caveat>,
}

/// The answer to "may this body exercise this function here, now, for this purpose?".
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MayAnswer {
    pub allowed: bool,
    pub body: String,
    pub function: String,
    pub on: Date,
    pub place: Place,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    pub reason: String,
    /// The holding that allows it (or the nearest one that did not, for example a purpose-limited one).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub holding: Option<Holder>,
    /// Where the answer may not be the whole truth, as in `who`'s `caveats`: shown beside the
    /// answer. Absent when there is none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<Caveat>,
}

/// Errors in a question (not in the register).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum QueryError {
    #[error("unknown function `{0}`; `vires functions` lists them")]
    UnknownFunction(String),
    #[error("unknown practice `{0}`")]
    UnknownPractice(String),
    #[error("no body with code `{code}` existed on {on}")]
    UnknownBody { code: String, on: Date },
    /// A question about all time (a timeline) of a code no body has ever had.
    #[error("no body has ever had the code `{0}`")]
    NeverABody(String),
    #[error("unknown area `{0}`")]
    UnknownArea(String),
}

/// Why an answer may not be the whole truth.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CaveatKind {
    /// The question falls outside what the register's coverage statement says is complete.
    OutsideCoverage,
    /// The answer rests on an instrument whose source or basis is marked "to confirm".
    ToConfirm,
    /// The place's own record is incomplete on the date: the sources name candidates (or
    /// none) rather than one commissioner.
    IncompleteRecord,
    /// The place asked about is a named area drawn approximately, or part of it names a
    /// body that does not exist on the date and cannot be traced through mergers.
    ApproximatePlace,
    /// Part of a place larger than a practice has no holder: the answer's holders cover
    /// the rest.
    NoHolder,
}

impl CaveatKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CaveatKind::OutsideCoverage => "outside-coverage",
            CaveatKind::ToConfirm => "to-confirm",
            CaveatKind::IncompleteRecord => "incomplete-record",
            CaveatKind::ApproximatePlace => "approximate-place",
            CaveatKind::NoHolder => "no-holder",
        }
    }
}

/// One caveat on an answer: what kind, a sentence for the reader, and the source of the
/// statement it comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Caveat {
    pub kind: CaveatKind,
    pub message: String,
    pub source: String,
    /// For an incomplete record: the bodies that may hold the function there instead (the
    /// holders over each candidate commissioner), by code.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub candidates: Vec<String>,
    /// Asked of a place larger than a practice: the part of it the caveat concerns (how
    /// many of its practices, and every area or practice the message names only the first
    /// few of). Absent for a practice, and where the register places no practice in the place.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub part: Option<Part>,
}

/// The part of a place larger than a practice that a holder covers, or that a caveat
/// concerns.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Part {
    /// The place's practices at which the holder holds the function on the date (for a
    /// caveat: the practices it concerns).
    pub practices: u32,
    /// All of the place's practices on the date.
    pub of: u32,
    /// The holding's own area (for example `footprint(QHM)`), as `what` describes it; for a
    /// caveat, every area (`footprint(00C)`) or practice (`practice A85001`) it concerns.
    pub area: Vec<String>,
}
