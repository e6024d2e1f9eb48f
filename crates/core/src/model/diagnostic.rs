//! Validity diagnostics. Each has a stable code, a severity, the span of the
//! offending text (when the instrument came from a file), a message and a help line.

use serde::{Deserialize, Serialize};

/// Where in the text a finding points: bytes `start` to `end` of file `file` (counting
/// from 0 the files read, in the order given).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Span {
    pub file: u32,
    pub start: u32,
    pub end: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The instrument is void (ultra vires or malformed) and grants nothing.
    Error,
    /// The instrument stands but something needs a person's attention.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Diagnostic {
    pub code: &'static str,
    pub severity: Severity,
    /// Id of the instrument (or body) the finding is about.
    pub subject: String,
    pub message: String,
    pub help: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<Span>,
}

/// The catalogue of diagnostic codes, so documentation and tests can name them.
pub mod codes {
    pub const UNKNOWN_BODY: &str = "V001";
    pub const UNKNOWN_FUNCTION: &str = "V002";
    pub const UNKNOWN_AREA: &str = "V003";
    pub const DATES_BACKWARDS: &str = "V004";
    pub const NO_POWER: &str = "V005";
    pub const REQUIREMENT_WITHOUT_POWER: &str = "V006";
    pub const DELEGATOR_LACKS_FUNCTION: &str = "V007";
    pub const RECEIVER_NOT_IN_EXISTENCE: &str = "V008";
    pub const PURPOSE_WIDER: &str = "V009";
    pub const ONWARD_FORBIDDEN: &str = "V011";
    pub const UNKNOWN_TARGET: &str = "V012";
    pub const DEAD_TARGET: &str = "V013";
    pub const ORPHAN_RECEIVER_ABOLISHED: &str = "V014";
    pub const ORPHAN_DELEGATOR_LOST: &str = "V015";
    pub const ACT_OUTSIDE_HOLDING: &str = "V016";
    pub const DUPLICATE_ID: &str = "V017";
    pub const BODY_LIFE_BACKWARDS: &str = "V018";
    pub const MISSING_FIELD: &str = "V019";
    pub const MAKER_NOT_IN_EXISTENCE: &str = "V020";
    pub const MERGE_INCONSISTENT: &str = "V021";
    pub const RESTS_ON_VOID: &str = "V022";
    pub const RETAINED_NOT_EXCEPTED: &str = "V023";
    pub const BAD_ID: &str = "V024";

    /// (code, one-line meaning) for docs and `vires explain-code`.
    pub const ALL: &[(&str, &str)] = &[
        (
            UNKNOWN_BODY,
            "an instrument names a body the register does not know on that date",
        ),
        (
            UNKNOWN_FUNCTION,
            "an instrument names a function that is not in the taxonomy",
        ),
        (
            UNKNOWN_AREA,
            "an instrument names an area or practice the register does not know",
        ),
        (
            DATES_BACKWARDS,
            "an instrument ends on or before the day it starts",
        ),
        (
            NO_POWER,
            "the maker held no power to make this kind of instrument on that date",
        ),
        (
            REQUIREMENT_WITHOUT_POWER,
            "a mandate or requirement rests on no power",
        ),
        (
            DELEGATOR_LACKS_FUNCTION,
            "the maker did not hold the function for that area and date",
        ),
        (
            RECEIVER_NOT_IN_EXISTENCE,
            "a receiver did not exist throughout the instrument's life",
        ),
        (PURPOSE_WIDER, "the purposes are wider than the maker's own"),
        (
            ONWARD_FORBIDDEN,
            "the maker holds the function by a delegation that forbids onward delegation",
        ),
        (
            UNKNOWN_TARGET,
            "an amendment or revocation points at no instrument",
        ),
        (
            DEAD_TARGET,
            "an amendment or revocation points at an instrument not in force on that date",
        ),
        (
            ORPHAN_RECEIVER_ABOLISHED,
            "the receiver was abolished with no successor while the instrument ran",
        ),
        (
            ORPHAN_DELEGATOR_LOST,
            "the maker lost the function while the instrument ran",
        ),
        (
            ACT_OUTSIDE_HOLDING,
            "a recorded exercise of a function was outside what the body held",
        ),
        (DUPLICATE_ID, "two instruments share an id"),
        (
            BODY_LIFE_BACKWARDS,
            "a body is abolished on or before the day it is established",
        ),
        (MISSING_FIELD, "an instrument lacks a field its kind needs"),
        (
            MAKER_NOT_IN_EXISTENCE,
            "the maker did not exist on the day the instrument starts",
        ),
        (
            MERGE_INCONSISTENT,
            "a merger's predecessors do not close the day before the successor starts",
        ),
        (
            RESTS_ON_VOID,
            "part of an instrument rests on another instrument that is void",
        ),
        (
            RETAINED_NOT_EXCEPTED,
            "a `retained` item names a function the instrument grants but does not except",
        ),
        (
            BAD_ID,
            "an instrument id or body code is empty, too long, or holds a character other than ASCII letters, digits, `.`, `_` and `-`",
        ),
    ];
}
