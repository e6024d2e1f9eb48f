//! Conferrals: statutory holdings (docs/language.md, "Conferrals: statutory holdings"). A
//! conferral gives each receiver a statutory holding of each function it names, over its
//! area, from its first day, within the receiver's life and the conferral's.

use super::versions::written_purposes;
use super::Compiler;
use crate::answer::query::Role;
use crate::model::instrument::{InstrumentKind, Onward};
use crate::model::interval::Interval;
use crate::snapshot::{AreaKey, Grant, ParentGrant};

impl Compiler {
    pub(super) fn confer(&mut self) {
        let mut receivers = Vec::new();
        for k in 0..self.resolved.structural.len() {
            let i = self.resolved.structural[k];
            let idx = i.0 as usize;
            if self.findings.void[idx] || self.instr(i).kind != InstrumentKind::Conferral {
                continue;
            }
            let except = self.resolved.excepts[idx];
            for vi in 0..self.versions_of(idx).len() {
                let v = self.versions_of(idx)[vi];
                let purposes = self
                    .interned
                    .purpose_sets
                    .intern_slice(written_purposes(&self.reg.instruments, v.purposes));
                let via = self
                    .interned
                    .via_lists
                    .intern_slice(self.versions.vias.get(v.via));
                self.receivers_over(
                    (&self.instr(i).terms().receivers).into(),
                    v.during,
                    &mut receivers,
                );
                for &(b, _) in &receivers {
                    let Some(life) = v.during.intersect(&self.reg.body(b).life) else {
                        continue;
                    };
                    // A body whose footprint the area names stands for its successor after
                    // a merger: the grant ends when that body does, and the next reads the
                    // area again.
                    let mut t = life.from;
                    loop {
                        let mut keys = Vec::new();
                        self.area_keys(self.area_of(&v), b, t, &mut keys, 0);
                        let end = keys
                            .iter()
                            .filter_map(|k| match k {
                                AreaKey::Body(k) => self.reg.body(*k).life.until,
                                _ => None,
                            })
                            .filter(|&u| u > t && life.until.is_none_or(|l| u < l))
                            .min();
                        let during = Interval::new(t, end.or(life.until));
                        let area = self.interned.area_lists.intern(keys);
                        for fi in self.function_positions(idx) {
                            let f = self.resolved.function_list[fi];
                            self.push_grant(Grant {
                                function: f,
                                except,
                                holder: b,
                                accountable: b,
                                role: Role::Statutory,
                                during,
                                instrument: i,
                                parent: ParentGrant::NONE,
                                via,
                                purposes,
                                concurrent: false,
                                onward: Onward::Permitted,
                                area,
                            });
                        }
                        match end {
                            Some(e) => t = e,
                            None => break,
                        }
                    }
                }
            }
        }
    }
}
