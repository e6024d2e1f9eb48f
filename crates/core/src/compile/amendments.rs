//! When an instrument is in force (docs/language.md, "When an instrument is in force"):
//! amendments and revocations, taken in date order, split their targets' lives into
//! versions, each with the terms in force during it and the amendments it rests on. A
//! changer whose target is unknown or not in force, or that sets an end not after its own
//! date, is void and changes nothing.

use super::versions::{written_purposes, Segments, Version, WrittenIn};
use super::{show_life, Compiler};
use crate::model::diagnostic::{codes, Severity};
use crate::model::instrument::{AreaExpr, InstrumentId, InstrumentKind};
use crate::model::interval::Interval;
use crate::support::instrument_index::InstrumentIndex;

impl Compiler {
    pub(super) fn versions_of(&self, i: usize) -> Segments<'_> {
        self.versions.of(&self.reg.instruments, i)
    }

    pub(super) fn purposes_of(&self, v: &Version) -> &[String] {
        written_purposes(&self.reg.instruments, v.purposes)
    }

    pub(super) fn area_of(&self, v: &Version) -> Option<&AreaExpr> {
        match v.area {
            WrittenIn::Itself(i) => self.instr(i).area.as_ref(),
            WrittenIn::Amendment(a) => self
                .instr(a)
                .particulars()
                .changes
                .as_ref()
                .and_then(|c| c.area.as_ref()),
        }
    }

    /// Turns amendments and revocations into versions of their targets.
    pub(super) fn apply_amendments(&mut self, by_id: &InstrumentIndex) {
        let mut changers: Vec<InstrumentId> = self
            .resolved
            .structural
            .iter()
            .copied()
            .filter(|&i| {
                matches!(
                    self.instr(i).kind,
                    InstrumentKind::Amend | InstrumentKind::Revoke
                ) && !self.findings.void[i.0 as usize]
            })
            .collect();
        changers.sort_by_key(|&i| self.instr(i).from);
        for a in changers {
            // What the amendment says, copied out rather than the whole instrument cloned
            // (several allocations each, thousands of times at a million instruments), so
            // that `self` is free for the findings and the new versions.
            let ins = self.instr(a);
            let Some(target_name) = ins.particulars().target.clone() else {
                continue;
            };
            let (on, kind, spans) = (ins.from, ins.kind, *ins.spans());
            let changes = ins
                .particulars()
                .changes
                .as_ref()
                .map(|c| (c.purposes.is_some(), c.area.is_some(), c.until));
            let Some(target) = by_id.get(&self.reg.instruments, &target_name) else {
                self.diag(
                    a,
                    codes::UNKNOWN_TARGET,
                    Severity::Error,
                    spans.target,
                    format!("no instrument has id `{target_name}`"),
                    "`target` takes the id of the instrument being amended or revoked",
                );
                continue;
            };
            let live = {
                let vs = self.versions_of(target.0 as usize);
                vs.first().is_some_and(|f| f.during.from <= on)
                    && vs
                        .last()
                        .is_some_and(|l| l.during.until.is_none_or(|u| on < u))
            };
            if !live {
                let t = self.instr(target);
                let (tf, tu) = (
                    t.from,
                    self.versions_of(target.0 as usize)
                        .last()
                        .and_then(|v| v.during.until),
                );
                self.diag(
                    a,
                    codes::DEAD_TARGET,
                    Severity::Error,
                    spans.target,
                    format!(
                        "`{target_name}` is not in force on {on} (in force {})",
                        show_life(Interval::new(tf, tu))
                    ),
                    "an instrument can be amended or revoked only while it is in force",
                );
                continue;
            }
            // An end not after the amendment's own date voids the amendment, which then
            // changes nothing: neither the end, nor its other terms, nor the proofs.
            if let Some(new_until) = changes.and_then(|(_, _, until)| until.filter(|u| *u <= on)) {
                self.diag(
                    a,
                    codes::DATES_BACKWARDS,
                    Severity::Error,
                    spans.until,
                    format!("the new end {new_until} is not after the amendment's date {on}"),
                    "to end an instrument now, use `revoke`",
                );
                continue;
            }
            let versions = self.versions_of(target.0 as usize).to_vec();
            let mut out = Vec::with_capacity(versions.len() + 1);
            for v in versions {
                if v.during.until.is_some_and(|u| u <= on) {
                    out.push(v);
                    continue;
                }
                if kind == InstrumentKind::Revoke {
                    if v.during.from < on {
                        out.push(Version {
                            during: Interval::new(v.during.from, Some(on)),
                            ..v
                        });
                    }
                    continue;
                }
                let (before, after) = if v.during.from < on {
                    (
                        Some(Version {
                            during: Interval::new(v.during.from, Some(on)),
                            ..v
                        }),
                        Version {
                            during: Interval::new(on, v.during.until),
                            ..v
                        },
                    )
                } else {
                    (None, v)
                };
                out.extend(before);
                let mut changed = after;
                if let Some((purposes, area, _)) = changes {
                    if purposes {
                        changed.purposes = WrittenIn::Amendment(a);
                    }
                    if area {
                        changed.area = WrittenIn::Amendment(a);
                    }
                }
                let mut via = self.versions.vias.get(changed.via).to_vec();
                via.push(a);
                changed.via = self.versions.vias.intern(via);
                out.push(changed);
            }
            if let Some(new_until) = changes.and_then(|(_, _, until)| until) {
                out.retain(|v| v.during.from < new_until);
                if let Some(last) = out.last_mut() {
                    last.during.until = Some(new_until);
                }
            }
            self.versions.set(target.0 as usize, out);
        }
    }
}
