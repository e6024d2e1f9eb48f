//! Reservations still to confirm. A delegation's `retained` list may say, marked "to confirm",
//! that its maker may have kept a function it did not except (whether NHS England's
//! co-commissioning agreements of 2015-2022 reserved capital expenditure on GP premises, as its
//! agreements with ICBs do). An answer about that function through the instrument names the
//! receiver, and says beside it that the maker may have kept it: the register does not know
//! which, so the answer must not look settled.

use crate::answer::knowledge::{marked_to_confirm, step_source};
use crate::answer::naming::name_first;
use crate::answer::query::{Caveat, CaveatKind};
use crate::compile::retained::function_words;
use crate::model::function::FunctionId;
use crate::snapshot::{GrantId, Snapshot};

/// An instrument behind a holding whose `retained` list says, to confirm, that its maker
/// may have kept the function asked about.
#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct Unsure {
    instrument: String,
    holder: String,
    maker: String,
    item: String,
    source: String,
}

impl Snapshot {
    /// For the holdings `holders` of `f`: each instrument whose `retained` list names `f` (or a
    /// function above it) in an item marked "to confirm", as one caveat (several instruments,
    /// over a larger place, are named together).
    pub(crate) fn unconfirmed_reservations(
        &self,
        f: FunctionId,
        holders: &[GrantId],
    ) -> Option<Caveat> {
        let taxonomy = &self.register().taxonomy;
        let mut found: Vec<Unsure> = Vec::new();
        for &gid in holders {
            let proof = self.proof(gid);
            let Some(step) = proof.last() else { continue };
            if found
                .iter()
                .any(|u| u.instrument == step.instrument.as_str())
            {
                continue;
            }
            let Some(i) = self.instrument_id(&step.instrument) else {
                continue;
            };
            let ins = &self.register().instruments[i.0 as usize];
            let item = ins.particulars().retained.iter().find(|item| {
                marked_to_confirm(item)
                    && function_words(item)
                        .filter_map(|w| taxonomy.get(w))
                        .any(|g| taxonomy.covers(g, f))
            });
            if let Some(item) = item {
                found.push(Unsure {
                    instrument: step.instrument.to_string(),
                    holder: self
                        .register()
                        .body(self.grants[gid.0 as usize].holder)
                        .code
                        .to_string(),
                    maker: ins.maker.as_deref().unwrap_or("its maker").to_string(),
                    item: item.clone(),
                    source: step_source(step),
                });
            }
        }
        found.sort();
        let first = found.first()?;
        if found.len() == 1 {
            return Some(Caveat {
                kind: CaveatKind::ToConfirm,
                message: format!(
                    "{}'s holding rests on `{}`, which does not say whether {} kept it: \"{}\"",
                    first.holder, first.instrument, first.maker, first.item
                ),
                source: first.source.clone(),
                candidates: Vec::new(),
                part: None,
            });
        }
        let named: Vec<String> = found
            .iter()
            .map(|u| format!("`{}` ({})", u.instrument, u.holder))
            .collect();
        Some(Caveat {
            kind: CaveatKind::ToConfirm,
            message: format!(
                "{} instruments that holdings here rest on do not say whether {} kept it: {}; the first says \"{}\"",
                found.len(),
                first.maker,
                name_first(&named),
                first.item
            ),
            source: format!(
                "{}; and {} more, one for each instrument (`vires explain ID` gives each)",
                first.source,
                found.len() - 1
            ),
            candidates: Vec::new(),
            part: None,
        })
    }
}
