//! Bodies over time (docs/language.md, "Bodies over time"): a merger ends its predecessors
//! on its date, and from then on the successor stands for each of them wherever an
//! instrument names it, the merger joining the proof.

use super::{day_before, Compiler, Findings};
use crate::model::body::BodyId;
use crate::model::diagnostic::{codes, Severity};
use crate::model::instrument::{InstrumentId, InstrumentKind, Receivers};
use jiff::civil::Date;

impl Compiler {
    pub(super) fn link_successors(&mut self) {
        // Read in place, not cloned (a merger's predecessors, receivers and spans are
        // several allocations). Its findings are warnings, which void nothing, so they can
        // wait for the end, when `self` is free.
        let Compiler {
            reg,
            resolved,
            findings: Findings { void, .. },
            successor,
            ..
        } = self;
        let mut found = Vec::new();
        for &i in resolved.structural.iter() {
            let ins = &reg.instruments[i.0 as usize];
            if void[i.0 as usize] || ins.kind != InstrumentKind::Merge {
                continue;
            }
            let on = ins.from;
            let Receivers::Bodies(into) = &ins.terms().receivers else {
                continue;
            };
            let Some(succ) = into.first().and_then(|c| reg.body_at(c, on)) else {
                continue;
            };
            for p in &ins.particulars().predecessors {
                let Some(pred) = reg.body_near(p, day_before(on)) else {
                    continue;
                };
                let until = reg.body(pred).life.until;
                if until != Some(on) {
                    found.push((
                        i,
                        ins.spans().receivers,
                        format!(
                            "{p} is recorded as ending {} but merges into {} on {on}",
                            until
                                .map(|d| d.to_string())
                                .unwrap_or_else(|| "never".into()),
                            into.first().map(String::as_str).unwrap_or("?")
                        ),
                    ));
                }
                if pred != succ {
                    successor[pred.0 as usize] = Some((on, succ, i));
                }
            }
        }
        for (i, span, message) in found {
            self.diag(
                i,
                codes::MERGE_INCONSISTENT,
                Severity::Warning,
                span,
                message,
                "a predecessor's `until` should be the merger date",
            );
        }
    }

    /// Follows mergers from `b` to the body that carries it on `t`, collecting merger instruments.
    pub(super) fn carry(&self, b: BodyId, t: Date, via: &mut Vec<InstrumentId>) -> Option<BodyId> {
        let mut cur = b;
        for _ in 0..64 {
            if self.reg.body(cur).life.contains(t) {
                return Some(cur);
            }
            let (on, next, m) = self.successor[cur.0 as usize]?;
            if on > t {
                return None;
            }
            if !via.contains(&m) {
                via.push(m);
            }
            cur = next;
        }
        None
    }

    /// Where [`Compiler::carry`] stops when it finds no body alive on `t`: `b` itself, or
    /// the last successor it was carried into, which is the body that ended.
    pub(super) fn carried_last(&self, b: BodyId, t: Date) -> BodyId {
        let mut cur = b;
        for _ in 0..64 {
            match self.successor[cur.0 as usize] {
                Some((on, next, _)) if on <= t && !self.reg.body(cur).life.contains(t) => {
                    cur = next
                }
                _ => break,
            }
        }
        cur
    }
}
