//! Read-ahead for the arrangements' run: what the pairings a few places on will read is
//! asked for early, so that it is in cache when they run. Changes no value.

use super::arrangement::Pairing;
use super::Compiler;
use crate::support::prefetch::prefetch;
use crate::support::run_order::TaskOrder;

/// How many pairings ahead of the one running [`Compiler::read_ahead`] asks for what a
/// pairing's tasks read (docs/performance.md, "Notes moved from code comments", has the
/// measurements behind the choice).
const READ_AHEAD: usize = 3;

impl Compiler {
    /// Starts loading what the first tasks of the pairings a few places on in `rest` (the
    /// run order after the pairing just reached) will read. A pairing's tasks take a
    /// microsecond or so; the pairing itself is asked for two places before its
    /// instrument, function list, bodies and holdings, which need its fields.
    pub(super) fn read_ahead(&self, pairings: &[Pairing], rest: &[TaskOrder]) {
        let pairing = |d: usize| rest.get(d).and_then(|o| pairings.get(o.task()));
        if let Some(p) = pairing(READ_AHEAD + 2) {
            prefetch(p);
        }
        let Some(p) = pairing(READ_AHEAD) else {
            return;
        };
        let i = p.instrument.0 as usize;
        if let Some(ins) = self.reg.instruments.get(i) {
            prefetch(ins);
        }
        if let Some(x) = self.resolved.function_starts.get(i) {
            prefetch(x);
        }
        if let Some(x) = self.resolved.excepts.get(i) {
            prefetch(x);
        }
        for body in [p.receiver, p.source] {
            self.holdings.prefetch_body(body);
            let b = body.0 as usize;
            if let Some(body) = self.reg.bodies.get(b) {
                prefetch(&body.life);
                prefetch(&body.kind);
            }
            if let Some(x) = self.successor.get(b) {
                prefetch(x);
            }
        }
    }
}
