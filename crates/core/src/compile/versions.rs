//! The versions of an instrument's life: segments, each with the terms in force during it
//! (read where they are written) and the amendments it rests on (`amendments.rs` makes
//! them).

use crate::model::instrument::{Instrument, InstrumentId};
use crate::model::interval::Interval;
use crate::support::interner::Interner;
use rustc_hash::FxHashMap;

/// A segment of an instrument's life with the terms in force during it. The terms are
/// read where they are written (the instrument or the amendment that set them), so a
/// million segments copy no strings.
#[derive(Debug, Clone, Copy)]
pub(super) struct Version {
    pub(super) during: Interval,
    pub(super) purposes: WrittenIn,
    pub(super) area: WrittenIn,
    /// Amendments this segment rests on: a number in `Versions::vias`.
    pub(super) via: u32,
}

/// Where a term of a segment is written.
#[derive(Debug, Clone, Copy)]
pub(super) enum WrittenIn {
    /// The instrument's own field.
    Itself(InstrumentId),
    /// The `changes` of an amendment.
    Amendment(InstrumentId),
}

/// The segments of every instrument. Nearly all instruments are never amended and have
/// exactly one, the one their own fields give, so only amended instruments keep a list.
pub(super) struct Versions {
    pub(super) amended: FxHashMap<u32, Vec<Version>>,
    /// The lists of amendments versions rest on.
    pub(super) vias: Interner<InstrumentId>,
}

/// An instrument's segments: its own, or its amended list.
pub(super) enum Segments<'a> {
    Own([Version; 1]),
    Amended(&'a [Version]),
}

impl std::ops::Deref for Segments<'_> {
    type Target = [Version];
    fn deref(&self) -> &[Version] {
        match self {
            Segments::Own(v) => v,
            Segments::Amended(vs) => vs,
        }
    }
}

impl Versions {
    pub(super) fn new() -> Self {
        Versions {
            amended: FxHashMap::default(),
            vias: Interner::new(),
        }
    }

    pub(super) fn of<'a>(&'a self, instruments: &[Instrument], i: usize) -> Segments<'a> {
        if let Some(vs) = self.amended.get(&(i as u32)) {
            return Segments::Amended(vs);
        }
        match instruments.get(i) {
            Some(ins) => Segments::Own([Version {
                during: Interval::new(ins.from, ins.until),
                purposes: WrittenIn::Itself(InstrumentId(i as u32)),
                area: WrittenIn::Itself(InstrumentId(i as u32)),
                via: 0,
            }]),
            None => Segments::Amended(&[]),
        }
    }

    pub(super) fn set(&mut self, i: usize, vs: Vec<Version>) {
        self.amended.insert(i as u32, vs);
    }
}

pub(super) fn written_purposes(instruments: &[Instrument], w: WrittenIn) -> &[String] {
    match w {
        WrittenIn::Itself(i) => &instruments[i.0 as usize].terms().purposes,
        WrittenIn::Amendment(a) => instruments[a.0 as usize]
            .particulars()
            .changes
            .as_ref()
            .and_then(|c| c.purposes.as_deref())
            .unwrap_or(&[]),
    }
}
