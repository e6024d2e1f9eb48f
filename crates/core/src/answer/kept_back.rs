//! What the instrument that gave a holding left out of it, and who kept that: the functions
//! under the holding's function that the instrument's `except` names. Delegations name what
//! the maker keeps this way (NHS England keeps the performers lists when it delegates primary
//! care), so this answers "what did NHS England keep?" beside the holding itself.

use crate::answer::knowledge::marked_to_confirm;
use crate::answer::resolve::Holding;
use crate::snapshot::Snapshot;

/// The functions a holding's instrument left out, under the holding's function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeptBack<'a> {
    /// The body that made the instrument and so kept what it left out.
    pub maker: &'a str,
    pub functions: Vec<&'a str>,
    /// What else the instrument says its maker kept, where that is marked "to confirm" (the
    /// reserved functions of a delegation agreement not yet listed): shown beside the
    /// holding, so the answer does not look complete when it is not.
    pub unconfirmed: Vec<&'a str>,
}

impl Snapshot {
    /// What the last instrument of `h`'s proof left out of `h.function`, and what it says
    /// its maker kept that is still to confirm, if anything. Only
    /// functions under the holding's own function are named: one instrument may delegate
    /// several functions, each with its own exceptions. `alongside` are the other holdings of
    /// the same body at the same place and date: a function left out here that the body
    /// holds there by another instrument (complaints about GP services, passed to ICBs on
    /// 2023-07-01 apart from the delegation that excepted them) is not named as kept.
    pub fn kept_back(&self, h: &Holding, alongside: &[Holding]) -> Option<KeptBack<'_>> {
        let last = h.proof.last()?;
        let ins = &self.register().instruments[self.instrument_id(&last.instrument)?.0 as usize];
        let under = format!("{}.", h.function);
        let functions: Vec<&str> = ins
            .particulars()
            .except
            .iter()
            .filter(|f| f.starts_with(&under))
            .filter(|f| !alongside.iter().any(|o| &o.function == *f))
            .map(String::as_str)
            .collect();
        let unconfirmed: Vec<&str> = ins
            .particulars()
            .retained
            .iter()
            .filter(|r| marked_to_confirm(r))
            .map(String::as_str)
            .collect();
        if functions.is_empty() && unconfirmed.is_empty() {
            return None;
        }
        Some(KeptBack {
            maker: ins.maker.as_deref().unwrap_or("its maker"),
            functions,
            unconfirmed,
        })
    }
}
