//! What a register says of its own completeness: its coverage statement (for each function,
//! from when and where it is complete, and why not elsewhere) and the stretches of a
//! practice's history its sources do not settle. `answer/knowledge.rs` turns them into the
//! caveats answers carry.

use crate::model::interval::Interval;
use crate::model::place::PracticeId;
use serde::{Deserialize, Serialize};

/// One row of the coverage statement: over `during`, in `area` (a body's footprint by code,
/// or all of England when `None`), the register is or is not complete for `function` and
/// the functions under it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageRow {
    pub function: String,
    pub during: Interval,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub area: Option<String>,
    pub complete: bool,
    /// Why it is complete here, or why not.
    pub note: String,
    pub source: String,
}

/// A stretch of a practice's history that the sources do not settle: the practice was in
/// one of `candidates` (commissioner codes; empty when even that is unknown).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownMembership {
    pub practice: PracticeId,
    pub during: Interval,
    pub candidates: Vec<String>,
    pub note: String,
    pub source: String,
}
