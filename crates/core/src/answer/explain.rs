//! Views of the register's instruments, shared by `vires explain` / `vires instruments`
//! and the HTTP API (`GET /explain`, `GET /instruments`), so both print the same JSON.
//! They read a compiled [`Snapshot`] only.

use crate::{
    Coverage, Diagnostic, Holder, Instrument, InstrumentId, InstrumentKind, Power, Snapshot,
};
use jiff::civil::Date;
use serde::Serialize;

/// At most this many holdings are listed in an explanation (its description says 50).
pub const MAX_HOLDINGS: usize = 50;

/// One instrument explained: its terms, whether it is valid, the power it rests on, its
/// findings, the holdings it creates (the first 50) and the instruments resting on those
/// holdings.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Explanation {
    #[cfg_attr(feature = "openapi", schema(value_type = Object))]
    pub instrument: Instrument,
    pub valid: bool,
    pub rests_on: Option<Power>,
    pub effective_until: Option<Date>,
    pub diagnostics: Vec<Diagnostic>,
    pub holdings: Vec<Holder>,
    pub dependents: Vec<String>,
    /// How many holdings the instrument creates in all (not part of the JSON).
    #[serde(skip)]
    pub holdings_total: usize,
}

/// Explains the instrument with this id; `None` if the register has no such instrument.
pub fn explain(s: &Snapshot, id: &str) -> Option<Explanation> {
    let i = s.instrument_id(id)?;
    let ins = &s.register().instruments[i.0 as usize];
    let grants = s.grants_of_instrument(i);
    let holdings: Vec<Holder> = grants
        .iter()
        .take(MAX_HOLDINGS)
        .map(|&g| s.render_holder(g, Coverage::Full))
        .collect();
    let mut dependents: Vec<String> = grants
        .iter()
        .flat_map(|&g| s.children_of(g).iter())
        .map(|&c| {
            s.register().instruments[s.grant(c).instrument.0 as usize]
                .id
                .to_string()
        })
        .collect();
    dependents.sort();
    dependents.dedup();
    Some(Explanation {
        instrument: ins.clone(),
        valid: !s.is_void(i),
        rests_on: s.power_of(i).cloned(),
        effective_until: s.effective_until(i),
        diagnostics: s.diagnostics_for(id).cloned().collect(),
        holdings,
        dependents,
        holdings_total: grants.len(),
    })
}

/// One line of `vires instruments`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct InstrumentRow {
    pub id: String,
    pub kind: InstrumentKind,
    pub title: String,
    pub from: Date,
    pub until: Option<Date>,
    pub valid: bool,
}

/// Every instrument in register order: id, kind, title, dates in force, validity.
pub fn instruments(s: &Snapshot) -> Vec<InstrumentRow> {
    s.register()
        .instruments
        .iter()
        .enumerate()
        .map(|(i, ins)| {
            let iid = InstrumentId(i as u32);
            InstrumentRow {
                id: ins.id.to_string(),
                kind: ins.kind,
                title: ins.title.to_string(),
                from: ins.from,
                until: s.effective_until(iid),
                valid: !s.is_void(iid),
            }
        })
        .collect()
}
