//! # vires-procure
//!
//! Answers "how may these commissioners buy this, on this date, and what must they do?"
//! for NHS commissioners in England, and keeps the conflicts-of-interest record that goes
//! with every such decision.
//!
//! - [`contract`]: the proposed contract as JSON (strict: unknown fields and bad values are
//!   errors that name the field).
//! - [`regime`]: which procurement rules were in force on a date (the 2013 regulations and
//!   the Public Contracts Regulations, the Provider Selection Regime from 2024-01-01, the
//!   Procurement Act 2023 for other buying from 2025-02-24), with thresholds and standstill
//!   rules read from bundled data that cites its sources.
//! - [`routes`]: the processes each regime permits for the contract, and why each other
//!   process is refused.
//! - [`authority`]: contracting authorities by class (central or sub-central) and date, for
//!   the thresholds.
//! - [`calendar`]: England and Wales working days for standstill arithmetic.
//! - [`requirements`]: mandates from the register that apply (and whether each rests on a
//!   power), in-house evidence, collective participation, stranded costs.
//! - [`conflicts`]: registers of interests and of gifts and hospitality, decision records,
//!   the dated conflicts policies, and the checks on them ([`check`]).
//! - [`assess`]: [`assess()`] puts it together into an [`Assessment`].
//!
//! The crate does no I/O and no rendering: callers pass JSON text and a compiled
//! [`vires_core::Snapshot`] and get data back; text, HTML and CSV are made by the adapters
//! (the CLI, `vires-web`, and `vires-app`'s one CSV writer).

pub mod assess;
pub mod authority;
pub mod calendar;
pub mod conflicts;
pub mod contract;
pub mod parties;
pub mod regime;
pub mod requirements;
pub mod routes;

pub use assess::{assess, Assessment};
pub use conflicts::{check, ConflictsCheck, Decision, DecisionReport, Finding, InterestRegister};
pub use contract::{Buying, Contract};

use jiff::civil::Date;

/// Everything that can go wrong with a question (not with the register, whose problems are
/// diagnostics in the snapshot).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProcureError {
    /// The JSON does not parse or has the wrong shape; `field` is the path to the fault.
    #[error("{what}: field `{field}`: {message}")]
    Parse {
        what: &'static str,
        field: String,
        message: String,
    },
    /// A value is present but not acceptable.
    #[error("{what}: field `{field}`: {message}")]
    Invalid {
        what: &'static str,
        field: String,
        message: String,
    },
    /// A body code that no body had on the date.
    #[error("field `{field}`: no body with code `{code}` existed on {on}; check the code (`vires bodies` lists them)")]
    UnknownBody {
        field: String,
        code: String,
        on: Date,
    },
    /// A function id the register's taxonomy does not know.
    #[error("field `{field}`: unknown function `{function}`; `vires functions` lists them")]
    UnknownFunction { field: String, function: String },
    /// The date is outside the years the rules or the calendar are known for.
    #[error("field `procurement_began`: no procurement rules are known for a procurement begun on {date}: vires-procure covers procurements begun from {from}")]
    NoRegime { date: Date, from: Date },
    #[error("{date} is outside the bank-holiday calendar ({from} to before {until}); working days cannot be counted there")]
    OutsideCalendar { date: Date, from: Date, until: Date },
    /// The bundled data is malformed: a defect in the build, not in the question.
    #[error("bundled data is malformed: {0}")]
    Data(String),
}

impl ProcureError {
    /// The input field the error is about, for APIs that point at it.
    pub fn field(&self) -> Option<&str> {
        match self {
            ProcureError::Parse { field, .. }
            | ProcureError::Invalid { field, .. }
            | ProcureError::UnknownBody { field, .. }
            | ProcureError::UnknownFunction { field, .. } => Some(field),
            ProcureError::NoRegime { .. } => Some("procurement_began"),
            ProcureError::OutsideCalendar { .. } => Some("start"),
            ProcureError::Data(_) => None,
        }
    }

    /// True when the fault is in the question (a 400 for an API), false for a build defect.
    pub fn is_input_error(&self) -> bool {
        !matches!(self, ProcureError::Data(_))
    }
}

/// Reads a bundled CSV table (a header row, then one record per row) into `T`s.
pub(crate) fn read_csv<T: serde::de::DeserializeOwned>(text: &str) -> Result<Vec<T>, String> {
    csv::Reader::from_reader(text.as_bytes())
        .deserialize()
        .enumerate()
        .map(|(i, r)| r.map_err(|e| format!("row {}: {e}", i + 2)))
        .collect()
}

/// Parses JSON into `T`, reporting the path of the first bad field.
pub(crate) fn parse_json<T: serde::de::DeserializeOwned>(
    what: &'static str,
    text: &str,
) -> Result<T, ProcureError> {
    let mut de = serde_json::Deserializer::from_str(text);
    let value = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        ProcureError::Parse {
            what,
            field: if path == "." {
                "(top level)".into()
            } else {
                path
            },
            message: e.into_inner().to_string(),
        }
    })?;
    de.end().map_err(|e| ProcureError::Parse {
        what,
        field: "(top level)".into(),
        message: e.to_string(),
    })?;
    Ok(value)
}
