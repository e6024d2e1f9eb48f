//! Who an instrument names as receivers or sources: bodies by code (the body of that code
//! on the day, or the nearest in time), or `every KIND`, each body of that kind over its
//! life.

use super::Compiler;
use crate::model::body::{BodyId, BodyKind};
use crate::model::instrument::Receivers;
use crate::model::interval::Interval;
use jiff::civil::Date;

/// Who an instrument names as receivers or sources, borrowed from the instrument.
#[derive(Debug, Clone, Copy)]
pub(super) enum Parties<'a> {
    Bodies(&'a [String]),
    /// One body by code, or none (a maker or a lead).
    Body(Option<&'a str>),
    Every(BodyKind),
}

impl<'a> From<&'a Receivers> for Parties<'a> {
    fn from(r: &'a Receivers) -> Self {
        match r {
            Receivers::Bodies(codes_) => Parties::Bodies(codes_),
            Receivers::Every(k) => Parties::Every(*k),
        }
    }
}

impl Compiler {
    /// The body a code names on `t`, or the nearest one of that code in time.
    fn body_named(&self, code: &str, t: Date) -> Option<BodyId> {
        self.reg
            .body_at(code, t)
            .or_else(|| self.reg.body_near(code, t))
    }

    /// The bodies `r` names over `during`, each marked whether it came from `every KIND`,
    /// into `out` (cleared first, so one buffer serves every instrument).
    pub(super) fn receivers_over(
        &self,
        r: Parties<'_>,
        during: Interval,
        out: &mut Vec<(BodyId, bool)>,
    ) {
        out.clear();
        match r {
            Parties::Bodies(codes_) => out.extend(
                codes_
                    .iter()
                    .filter_map(|c| self.body_named(c, during.from))
                    .map(|b| (b, false)),
            ),
            Parties::Body(code) => out.extend(
                code.and_then(|c| self.body_named(c, during.from))
                    .map(|b| (b, false)),
            ),
            Parties::Every(kind) => out.extend(
                self.reg
                    .bodies_of_kind(kind)
                    .filter(|&b| self.reg.body(b).life.overlaps(&during))
                    .map(|b| (b, true)),
            ),
        }
    }
}
