//! The register under construction: its bodies and instruments, the generator, the counts
//! of what was made, and the small constructors the footprints share.

use super::{day_number, from_day_number, Shape, SplitMix};
use jiff::civil::{date, Date};
use vires_core::{Body, BodyId, BodyKind, Instrument, InstrumentKind, Interval, Power, Register};

pub(super) fn body(code: String, kind: BodyKind, from: Date, until: Option<Date>) -> Body {
    Body {
        code,
        name: String::new(),
        kind,
        life: Interval::new(from, until),
        basis: None,
        source: None,
        ons_code: None,
        span: None,
    }
}

pub(super) fn april(y: i16) -> Date {
    date(y, 4, 1)
}

pub(super) fn add_days(d: Date, n: i64) -> Date {
    from_day_number(day_number(d) + n)
}

pub(super) fn power(
    id: &str,
    cites: &str,
    makers: &[BodyKind],
    kinds: &[InstrumentKind],
    during: Interval,
) -> Power {
    Power {
        id: id.into(),
        title: format!("NHS Act 2006 {cites}"),
        cites: vec![cites.into()],
        makers: makers.to_vec(),
        kinds: kinds.to_vec(),
        receivers: Vec::new(),
        during,
        source: "synthetic".into(),
    }
}

/// A CCG's life in the generator's plan, before it becomes a [`Body`].
pub(super) struct PlannedCcg {
    pub(super) code: String,
    pub(super) from: Date,
    /// Merger date, or [`ICB_START`] for CCGs that live to the end of the CCG era.
    pub(super) until: Date,
    /// Index of the CCG it merged into, if it merged.
    pub(super) into: Option<usize>,
}

/// One practice's commissioner over time: (from, until, planned CCG index).
pub(super) type Stint = (Date, Option<Date>, usize);

pub(super) struct Builder {
    pub(super) reg: Register,
    pub(super) rng: SplitMix,
    pub(super) shape: Shape,
    pub(super) next_ccg: usize,
    pub(super) next_practice: usize,
    pub(super) next_instrument: usize,
}

impl Builder {
    pub(super) fn id(&mut self, prefix: &str) -> String {
        self.next_instrument += 1;
        format!("{prefix}{}", self.next_instrument)
    }

    pub(super) fn push(&mut self, i: Instrument) {
        match i.kind {
            InstrumentKind::Merge => self.shape.merges += 1,
            InstrumentKind::Delegation => self.shape.delegations += 1,
            InstrumentKind::JointCommittee => self.shape.joint_committees += 1,
            InstrumentKind::Partnership => self.shape.partnerships += 1,
            InstrumentKind::Direction => self.shape.directions += 1,
            InstrumentKind::Amend => self.shape.amendments += 1,
            InstrumentKind::Revoke => self.shape.revocations += 1,
            InstrumentKind::Exercise => self.shape.exercises += 1,
            _ => {}
        }
        self.shape.instruments += 1;
        self.reg.add_instrument(i);
    }

    pub(super) fn add_body(&mut self, b: Body) -> Option<BodyId> {
        // Codes are unique by construction, so a clash would be a generator bug; skipping
        // keeps the register usable and the shape counts tell.
        self.reg.add_body(b).ok()
    }
}
