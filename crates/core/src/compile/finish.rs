//! The last pass: the grants of void instruments are dropped with everything made from them
//! ("A void instrument gives nobody anything"), the snapshot's indexes are built, and the
//! recorded exercises are checked against it.

use super::holdings::NO_GRANT;
use super::places::Places;
use super::{Compiler, Findings, Interned, Resolved};
use crate::model::diagnostic::{codes, Diagnostic, Severity};
use crate::model::function::FunctionId;
use crate::model::instrument::InstrumentId;
use crate::snapshot::{AreaKey, GrantId, GrantLists, Snapshot};
use crate::support::instrument_index::InstrumentIndex;
use rustc_hash::FxHashMap;

/// `(slot, grant)` for each grant, its slot read from `column` at the grant's position.
fn grant_slots(column: &[u32]) -> impl Iterator<Item = (usize, GrantId)> + Clone + '_ {
    column
        .iter()
        .enumerate()
        .map(|(gi, &slot)| (slot as usize, GrantId(gi as u32)))
}

impl Compiler {
    pub(super) fn finish(self, instrument_by_id: InstrumentIndex) -> Snapshot {
        let Compiler {
            mut reg,
            findings: Findings { mut diags, void },
            resolved:
                Resolved {
                    rests_on,
                    exercises,
                    ..
                },
            versions,
            successor,
            grants,
            places:
                Places {
                    practice_starts,
                    body_parents,
                    body_children,
                    body_practices,
                },
            interned:
                Interned {
                    function_sets,
                    purpose_sets,
                    via_lists,
                    area_lists,
                },
            ..
        } = self;
        // Drop grants of void instruments and everything derived from them. Parents always
        // precede their children in `grants`, so one forward pass suffices.
        let grants_instrument: Vec<InstrumentId> = grants.iter().map(|g| g.instrument).collect();
        // Kept grants move down in place: a second vector of them would be as large again,
        // and at a million instruments fresh memory (page faults) is much of the build.
        let mut grants = grants;
        let mut remap: Vec<u32> = vec![NO_GRANT; grants.len()];
        let mut n_kept = 0;
        for old in 0..grants.len() {
            let g = &grants[old];
            if void[g.instrument.0 as usize] {
                continue;
            }
            if let Some(p) = g.parent.get() {
                match remap[p.0 as usize] {
                    NO_GRANT => {
                        // Its parent was voided after this grant was made from it.
                        let ins = &reg.instruments[g.instrument.0 as usize];
                        diags.push(Diagnostic {
                            code: codes::RESTS_ON_VOID,
                            severity: Severity::Warning,
                            subject: ins.id.to_string(),
                            message: format!(
                                "part of this instrument rests on `{}`, which is void",
                                reg.instruments[grants_instrument[p.0 as usize].0 as usize].id
                            ),
                            help: "fix the instrument it rests on; until then this part grants nothing".into(),
                            span: ins.span_or_whole(ins.spans().maker),
                        });
                        continue;
                    }
                    np => grants[old].parent = Some(GrantId(np)).into(),
                }
            }
            remap[old] = n_kept as u32;
            // Everything below `old` has been read already.
            grants.swap(n_kept, old);
            n_kept += 1;
        }
        grants.truncate(n_kept);
        // The vector grew by doubling; shrinking a block that large gives pages back
        // rather than copying.
        grants.shrink_to_fit();
        drop(remap);
        drop(grants_instrument);
        let kept = grants;
        // The index by (function, area key) and the lists by holder, parent and instrument
        // each only read the kept grants, so they are made side by side.
        let index_grants = || {
            let mut index: FxHashMap<(FunctionId, AreaKey), u32> = FxHashMap::default();
            // Most grants are indexed under one key; room for that spares the regrowing.
            let mut keyed: Vec<(u32, GrantId)> = Vec::with_capacity(kept.len());
            let mut has_practice_grants = false;
            for (gi, g) in kept.iter().enumerate() {
                for key in area_lists.get(g.area) {
                    has_practice_grants |= matches!(key, AreaKey::Practice(_));
                    let next = index.len() as u32;
                    let slot = *index.entry((g.function, *key)).or_insert(next);
                    keyed.push((slot, GrantId(gi as u32)));
                }
            }
            index.shrink_to_fit();
            let index_lists = GrantLists::build(
                index.len(),
                keyed.iter().map(|&(slot, g)| (slot as usize, g)),
            );
            (index, index_lists, has_practice_grants)
        };
        let (n_bodies, n_instruments) = (reg.bodies.len(), reg.instruments.len());
        let list_grants = || {
            // Each list reads its slot twice a grant (to count, then to place). At a million
            // instruments the grants are tens of megabytes that stream from memory on every
            // pass, so the three slots are copied out in one pass and each list reads only
            // its own column, four bytes a grant.
            let mut holders = Vec::with_capacity(kept.len());
            let mut parents = Vec::with_capacity(kept.len());
            let mut instruments = Vec::with_capacity(kept.len());
            for g in &kept {
                holders.push(g.holder.0);
                parents.push(g.parent.get().map_or(NO_GRANT, |p| p.0));
                instruments.push(g.instrument.0);
            }
            let no_parent = NO_GRANT as usize;
            (
                GrantLists::build(n_bodies, grant_slots(&holders)),
                GrantLists::build(
                    kept.len(),
                    grant_slots(&parents).filter(move |&(slot, _)| slot != no_parent),
                ),
                GrantLists::build(n_instruments, grant_slots(&instruments)),
            )
        };
        let ((index, index_lists, has_practice_grants), (by_holder, children, by_instrument)) =
            crate::support::side_by_side::side_by_side(
                kept.len() >= 4096,
                index_grants,
                list_grants,
            );
        // Only amended and revoked instruments have versions of their own.
        let changed_until = versions
            .amended
            .iter()
            .filter_map(|(&idx, vs)| {
                let ins = reg.instruments.get(idx as usize)?;
                let until = vs.last().map(|v| v.during.until).unwrap_or(ins.until);
                (until != ins.until).then_some((idx, until))
            })
            .collect();
        diags.sort_by(|a, b| a.subject.cmp(&b.subject).then(a.code.cmp(b.code)));
        diags.dedup();
        // Vectors built by pushing can have up to half their room spare, and the snapshot
        // keeps the register for good.
        reg.instruments.shrink_to_fit();
        reg.memberships.shrink_to_fit();
        reg.practices.shrink_to_fit();
        reg.bodies.shrink_to_fit();
        let mut snap = Snapshot {
            proof_steps: crate::support::lazy_cells::LazyCells::new(reg.instruments.len()),
            names: crate::support::names::Names::of(&reg),
            knowledge: crate::answer::knowledge_index::KnowledgeIndex::of(&reg),
            proofs: crate::support::lazy_cells::LazyCells::new(kept.len()),
            register: reg,
            grants: kept,
            diagnostics: diags,
            index,
            index_lists,
            by_holder,
            children,
            by_instrument,
            instrument_by_id,
            void,
            rests_on,
            changed_until,
            practice_starts,
            body_parents,
            body_children,
            body_practices,
            successor,
            function_sets: function_sets.into_items(),
            purpose_sets: purpose_sets.into_items(),
            via_lists: via_lists.into_items(),
            area_lists: area_lists.into_items(),
            has_practice_grants,
        };
        snap.check_exercises(&exercises);
        snap
    }
}
