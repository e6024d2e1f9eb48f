//! `vires whatif` and `POST /whatif`: instruments not yet in force put on top of the
//! register, and the difference in holders on one date.

use crate::{Diagnostic, DiffAnswer, Severity, Snapshot};
use jiff::civil::Date;
use serde::Serialize;

/// The answer of a what-if: whether the proposal's instruments are valid on top of the
/// register, the findings about them, and the holdings added and removed on `on`.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WhatIf {
    pub on: Date,
    pub valid: bool,
    pub diagnostics: Vec<Diagnostic>,
    pub diff: DiffAnswer,
}

/// Compares `before` (the register) with `after` (the register with the proposal's
/// instruments, ids `proposal_ids`) on `on`. `language_ok` is false when the proposal's
/// text did not read cleanly, which makes it invalid whatever the findings.
pub fn what_if(
    before: &Snapshot,
    after: &Snapshot,
    proposal_ids: &[String],
    language_ok: bool,
    on: Date,
) -> WhatIf {
    let diagnostics: Vec<Diagnostic> = after
        .diagnostics
        .iter()
        .filter(|d| proposal_ids.contains(&d.subject))
        .cloned()
        .collect();
    let valid = language_ok && !diagnostics.iter().any(|d| d.severity == Severity::Error);
    WhatIf {
        on,
        valid,
        diagnostics,
        diff: before.compare(after, on),
    }
}
