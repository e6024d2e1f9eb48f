//! One caveat for each kind of unknown about a place larger than a practice.
//!
//! The coverage statement speaks body by body (a row for each CCG whose level of GP
//! co-commissioning is not known, say), so a question about England meets hundreds of its
//! rows, and a caveat for each would bury the answer. A practice's answer gives the rows it
//! meets as they stand; a larger place's gives one caveat for each kind of unknown (the rows
//! about one function that rest on one source), saying how many of the place's practices it
//! concerns and naming its parts: the first few in the message, every one in `part.area`.

use crate::answer::knowledge::{describe, incomplete, step_source, to_confirm_caveat};
use crate::answer::naming::{name_first, the_place};
use crate::answer::query::{Caveat, CaveatKind, Part};
use crate::model::body::BodyId;
use crate::model::coverage::CoverageRow;
use crate::model::interval::Interval;
use crate::model::place::{Place, PracticeId};
use crate::snapshot::{GrantId, Snapshot};
use jiff::civil::Date;
use rustc_hash::FxHashSet;

/// The extent of one coverage row on a date.
#[derive(Clone, Copy, PartialEq, Eq)]
enum RowArea {
    England,
    Body(BodyId),
}

impl Snapshot {
    /// The caveats of the coverage rows `rows` (each not complete, each meeting `place` on
    /// `on`): a practice gets one for each row; a larger place one for each kind of unknown,
    /// with the part of the place it concerns.
    pub(crate) fn incomplete_caveats(&self, rows: &[u32], place: &Place, on: Date) -> Vec<Caveat> {
        let statement = &self.register.coverage;
        if rows.is_empty() {
            return Vec::new();
        }
        if matches!(place, Place::Practice(_)) {
            return rows
                .iter()
                .map(|&r| incomplete(&statement[r as usize]))
                .collect();
        }
        let practices = self
            .place_practices(place, on)
            .ok()
            .flatten()
            .unwrap_or_default();
        kinds(statement, rows)
            .iter()
            .map(|kind| self.kind_caveat(kind, place, on, &practices))
            .collect()
    }

    /// The caveats of coverage rows meeting a larger place at some time in a timeline, each
    /// with the dates it concerns: one for each row at a practice, one for each kind of
    /// unknown elsewhere (from the first row's first day to the last one's end).
    pub(crate) fn dated_incomplete_caveats(
        &self,
        rows: &[u32],
        place: &Place,
    ) -> Vec<(Interval, Caveat)> {
        let statement = &self.register.coverage;
        let single = |r: u32| {
            let row = &statement[r as usize];
            (row.during, incomplete(row))
        };
        if matches!(place, Place::Practice(_)) {
            return rows.iter().map(|&r| single(r)).collect();
        }
        let mut out = Vec::new();
        for kind in kinds(statement, rows) {
            let mut codes: Vec<&str> = Vec::new();
            for &r in &kind {
                let code = statement[r as usize].area.as_deref().unwrap_or("England");
                if !codes.contains(&code) {
                    codes.push(code);
                }
            }
            if codes.len() < 2 {
                out.extend(kind.iter().map(|&r| single(r)));
                continue;
            }
            let during = kind
                .iter()
                .map(|&r| statement[r as usize].during)
                .reduce(|a, b| Interval::new(a.from.min(b.from), hull_until(a.until, b.until)))
                .unwrap_or_else(|| Interval::new(Date::MIN, None));
            let first = &statement[kind[0] as usize];
            out.push((
                during,
                Caveat {
                    kind: CaveatKind::OutsideCoverage,
                    message: format!(
                        "the register is not complete for {} in {} parts of {} at some time {}: {}; as the statement says of {}: \"{}\"",
                        first.function,
                        codes.len(),
                        the_place(place),
                        describe(&during),
                        name_first(&codes.iter().map(|c| c.to_string()).collect::<Vec<_>>()),
                        codes[0],
                        first.note
                    ),
                    source: first.source.clone(),
                    candidates: Vec::new(),
                    part: None,
                },
            ));
        }
        out
    }

    /// One caveat for the rows `kind` (one function, one source) meeting larger place
    /// `place` on `on`, whose practices are `practices` (none for a register without practices).
    fn kind_caveat(
        &self,
        kind: &[u32],
        place: &Place,
        on: Date,
        practices: &[PracticeId],
    ) -> Caveat {
        let statement = &self.register.coverage;
        let first = &statement[kind[0] as usize];
        let mut parts: Vec<RowArea> = Vec::new();
        for &r in kind {
            if let Some(a) = self.row_area_on(r, on) {
                if !parts.contains(&a) {
                    parts.push(a);
                }
            }
        }
        let bodies: Vec<BodyId> = parts
            .iter()
            .filter_map(|p| match p {
                RowArea::Body(b) => Some(*b),
                RowArea::England => None,
            })
            .collect();
        let within = if parts.contains(&RowArea::England) {
            practices.len()
        } else {
            let held = self.practices_of_bodies(&bodies, on);
            practices.iter().filter(|a| held.contains(a)).count()
        };
        let area: Vec<String> = parts
            .iter()
            .map(|p| match p {
                RowArea::England => "England".to_string(),
                RowArea::Body(b) => format!("footprint({})", self.register.body(*b).code),
            })
            .collect();
        // "12 of the 30 practices" or "all 30 practices"; nothing without practices.
        let how_much = match practices.len() {
            0 => None,
            n if within == n => Some(format!("all {n} practices")),
            n => Some(format!("{within} of the {n} practices")),
        };
        let message = if parts.len() < 2 {
            let one = incomplete(first).message;
            match how_much {
                Some(h) => format!("{one} (this concerns {h} of {})", the_place(place)),
                None => one,
            }
        } else {
            let named: Vec<String> = parts
                .iter()
                .map(|p| match p {
                    RowArea::England => "England".to_string(),
                    RowArea::Body(b) => {
                        let body = self.register.body(*b);
                        format!("{} {}", body.code, body.name)
                    }
                })
                .collect();
            let first_code = match parts[0] {
                RowArea::England => "England".to_string(),
                RowArea::Body(b) => self.register.body(b).code.clone(),
            };
            format!(
                "the register is not complete for {} on {on} in {} parts of {}{}: {}; as the statement says of {first_code}: \"{}\"",
                first.function,
                parts.len(),
                the_place(place),
                how_much.map(|h| format!(", at {h}")).unwrap_or_default(),
                name_first(&named),
                first.note
            )
        };
        Caveat {
            kind: CaveatKind::OutsideCoverage,
            message,
            source: first.source.clone(),
            candidates: Vec::new(),
            part: (!practices.is_empty()).then_some(Part {
                practices: within as u32,
                of: practices.len() as u32,
                area,
            }),
        }
    }

    /// The instruments marked "to confirm" in the proofs of `holders`, the holders of a
    /// larger place, as one caveat: the first few named by id (in id order), the first's
    /// source with how many more (each holder's proof in the answer cites its own).
    pub(crate) fn to_confirm_merged(&self, holders: &[GrantId]) -> Option<Caveat> {
        let mut steps = self.to_confirm_steps(holders);
        if steps.len() < 2 {
            return steps
                .pop()
                .map(|(holder, step)| to_confirm_caveat(&holder, &step));
        }
        steps.sort_by(|a, b| a.1.instrument.cmp(&b.1.instrument));
        let named: Vec<String> = steps
            .iter()
            .map(|(holder, step)| format!("`{}` ({holder}: {})", step.instrument, step.title))
            .collect();
        Some(Caveat {
            kind: CaveatKind::ToConfirm,
            message: format!(
                "{} instruments that holdings here rest on are marked \"to confirm\": {}",
                steps.len(),
                name_first(&named)
            ),
            source: format!(
                "{}; and {} more, one for each instrument (`vires explain ID` gives each)",
                step_source(&steps[0].1),
                steps.len() - 1
            ),
            candidates: Vec::new(),
            part: None,
        })
    }

    /// Row `row`'s extent on `on`: all England, or the body that has its area's code then.
    fn row_area_on(&self, row: u32, on: Date) -> Option<RowArea> {
        match self.knowledge.row_areas.get(row as usize)? {
            None => Some(RowArea::England),
            Some(bodies) => bodies
                .iter()
                .copied()
                .find(|&b| self.register.body(b).life.contains(on))
                .map(RowArea::Body),
        }
    }

    /// The practices of the footprints of `bodies` on `on`, with those inside an unsettled
    /// stretch that names one of them, or a body under one, as a candidate commissioner (as
    /// a body's practices are counted for `who`).
    fn practices_of_bodies(&self, bodies: &[BodyId], on: Date) -> FxHashSet<PracticeId> {
        let mut out: FxHashSet<PracticeId> = FxHashSet::default();
        for &b in bodies {
            out.extend(self.footprint_practices(b, on));
        }
        let mut up = Vec::new();
        for u in &self.register.unknown_memberships {
            if !u.during.contains(on) || out.contains(&u.practice) {
                continue;
            }
            let named = u.candidates.iter().any(|c| {
                self.register.body_at(c, on).is_some_and(|cb| {
                    up.clear();
                    self.body_ancestors(cb, on, &mut up);
                    bodies.contains(&cb) || up.iter().any(|x| bodies.contains(x))
                })
            });
            if named {
                out.insert(u.practice);
            }
        }
        out
    }
}

/// The rows grouped by kind of unknown: the same function and the same source, in the
/// order each kind is first met.
fn kinds(statement: &[CoverageRow], rows: &[u32]) -> Vec<Vec<u32>> {
    let mut out: Vec<Vec<u32>> = Vec::new();
    for &r in rows {
        let row = &statement[r as usize];
        let same = |k: &Vec<u32>| {
            let o = &statement[k[0] as usize];
            o.function == row.function && o.source == row.source
        };
        match out.iter_mut().find(|k| same(k)) {
            Some(k) => k.push(r),
            None => out.push(vec![r]),
        }
    }
    out
}

/// The later of two ends, open-ended winning.
fn hull_until(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.max(y)),
        _ => None,
    }
}
