//! Where the register's knowledge ends: its coverage statement (for each function, from when
//! and where the register is complete, and why not elsewhere), the stretches of a practice's
//! history the sources do not settle, and the caveats an answer carries because of them.
//!
//! An answer fully inside the statement, resting on no fact marked "to confirm", and about
//! a place whose history is known, has no caveat. A register with no coverage statement (one
//! a user wrote) makes no claim about its completeness, so it gets no coverage caveats.

use crate::answer::place_keys::PlaceKeys;
use crate::answer::query::{Caveat, CaveatKind, ProofStep};
use crate::answer::resolve::Resolution;
use crate::model::body::BodyId;
use crate::model::coverage::{CoverageRow, UnknownMembership};
use crate::model::function::FunctionId;
use crate::model::interval::Interval;
use crate::model::place::{Place, PracticeId};
use crate::snapshot::{AreaKey, GrantId, Snapshot};
use jiff::civil::Date;
use std::sync::Arc;

/// Whether a piece of source text marks its fact as unconfirmed.
pub fn marked_to_confirm(text: &str) -> bool {
    text.to_ascii_lowercase().contains("to confirm")
}

impl Snapshot {
    /// The caveats on an answer about `f` at `place` on `on`, whose holders are `holders`.
    pub fn caveats(
        &self,
        f: FunctionId,
        place: &Place,
        on: Date,
        keys: &PlaceKeys,
        holders: &[GrantId],
    ) -> Vec<Caveat> {
        let mut out = self.coverage_caveats(f, place, on, keys);
        if matches!(place, Place::Practice(_)) {
            out.extend(self.to_confirm_caveats(holders));
        } else {
            out.extend(self.to_confirm_merged(holders));
        }
        out.extend(self.unconfirmed_reservations(f, holders));
        if let Place::Practice(code) = place {
            if let Some(a) = self.register.practice_id(code) {
                out.extend(self.record_caveats(f, a, on, holders));
            }
        }
        if let Place::Area(id) = place {
            out.extend(self.area_caveats(id, on));
        }
        // A body standing for the named area with its code.
        if let Place::Body(code) = place {
            if let Some(b) = self.register.body_at(code, on) {
                if self.body_as_area(b, on).is_some() {
                    out.extend(self.area_caveats(code, on));
                }
            }
        }
        out
    }

    /// The caveats on an answer about named area `id` on `on`: its extent is an
    /// approximation, or a footprint it names leads to no body on that date.
    fn area_caveats(&self, id: &str, on: Date) -> Vec<Caveat> {
        let Some(area) = self.register.area(id) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        if area.approximate {
            out.push(Caveat {
                kind: CaveatKind::ApproximatePlace,
                message: format!(
                    "{id} ({}) is drawn approximately, so the holders listed may include those of neighbouring places (the source says how it is drawn)",
                    area.name
                ),
                source: area.note.clone().unwrap_or_default(),
                candidates: Vec::new(),
                part: None,
            });
        }
        let mut codes = Vec::new();
        footprint_codes(&area.expr, self, &mut codes, 0);
        for code in codes {
            let mut bodies = Vec::new();
            self.footprint_on(&code, on, &mut bodies);
            if bodies.is_empty() {
                out.push(Caveat {
                    kind: CaveatKind::ApproximatePlace,
                    message: format!(
                        "{id} includes the footprint of {code}, which names no body on {on} and cannot be traced through mergers; the answer leaves that part out"
                    ),
                    source: area.note.clone().unwrap_or_default(),
                    candidates: Vec::new(),
                    part: None,
                });
            }
        }
        out
    }

    /// The coverage statement's rows about `f` (or a function above or below it) in force
    /// on `on` whose area meets the place.
    fn coverage_caveats(
        &self,
        f: FunctionId,
        place: &Place,
        on: Date,
        keys: &PlaceKeys,
    ) -> Vec<Caveat> {
        if self.register.coverage.is_empty() {
            return Vec::new();
        }
        let fname = self.register.taxonomy.name(f);
        let (meeting, complete) = self.coverage_rows(f, place, on, keys);
        let mut out = self.incomplete_caveats(&meeting, place, on);
        if out.is_empty() && !complete {
            out.push(Caveat {
                kind: CaveatKind::OutsideCoverage,
                message: format!(
                    "outside the register's coverage statement: it does not say the register is complete for {fname} at {place} on {on}, so a holder may be missing"
                ),
                source: "data/coverage.csv".into(),
                candidates: Vec::new(),
                part: None,
            });
        }
        out
    }

    /// The coverage statement's rows about `f` (or a function above or below it) in force on
    /// `on`: those not complete whose area meets the place, and whether the statement says
    /// the register is complete for `f` at all of the place: a complete row about `f` or
    /// above it holds all of it, or `f` has parts and the register is complete for each.
    fn coverage_rows(
        &self,
        f: FunctionId,
        place: &Place,
        on: Date,
        keys: &PlaceKeys,
    ) -> (Vec<u32>, bool) {
        let rows = &self.register.coverage;
        let mut meeting = Vec::new();
        let mut complete = false;
        let mut around = None;
        for about in self.knowledge.rows_about(f) {
            let row = &rows[about.row as usize];
            if !row.during.contains(on) {
                continue;
            }
            let (contains, meets) = self.row_meets(about.row, place, on, keys, &mut around);
            if row.complete {
                complete |= about.above && contains;
            } else if meets {
                meeting.push(about.row);
            }
        }
        if !complete {
            complete = self.complete_by_parts(f, place, on, keys, &mut around, 0);
        }
        (meeting, complete)
    }

    /// Whether `f` has parts and the statement says the register is complete for each of
    /// them at all of the place on `on` (docs/data.md, "Caveats": a function made of parts
    /// is complete where every part is).
    fn complete_by_parts(
        &self,
        f: FunctionId,
        place: &Place,
        on: Date,
        keys: &PlaceKeys,
        around: &mut Option<Vec<BodyId>>,
        depth: u32,
    ) -> bool {
        let tax = &self.register.taxonomy;
        if depth > 32 || tax.below(f).is_empty() {
            return false;
        }
        let rows = &self.register.coverage;
        tax.parts(f).all(|p| {
            self.knowledge.rows_about(p).iter().any(|about| {
                let row = &rows[about.row as usize];
                about.above
                    && row.complete
                    && row.during.contains(on)
                    && self.row_meets(about.row, place, on, keys, around).0
            }) || self.complete_by_parts(p, place, on, keys, around, depth + 1)
        })
    }

    /// Whether an answer about `f` at the place on `on` falls outside the coverage
    /// statement (never, for a register that makes none).
    pub(crate) fn outside_coverage(
        &self,
        f: FunctionId,
        place: &Place,
        on: Date,
        keys: &PlaceKeys,
    ) -> bool {
        if self.register.coverage.is_empty() {
            return false;
        }
        let (meeting, complete) = self.coverage_rows(f, place, on, keys);
        !meeting.is_empty() || !complete
    }

    /// Whether coverage row `row`'s area holds all of the place, and whether it meets it at
    /// all. `around` keeps the bodies the place sits under, found the first time a row needs
    /// them.
    fn row_meets(
        &self,
        row: u32,
        place: &Place,
        on: Date,
        keys: &PlaceKeys,
        around: &mut Option<Vec<BodyId>>,
    ) -> (bool, bool) {
        let Some(Some(areas)) = self.knowledge.row_areas.get(row as usize) else {
            return (true, true);
        };
        let Some(b) = areas
            .iter()
            .copied()
            .find(|&b| self.register.body(b).life.contains(on))
        else {
            return (false, false);
        };
        let k = AreaKey::Body(b);
        let contains = keys.full.contains(&k);
        let meets = contains
            || keys.partial.contains(&k)
            || matches!(place, Place::England)
            || around
                .get_or_insert_with(|| self.bodies_around(keys, on))
                .contains(&b);
        (contains, meets)
    }

    /// The caveats on what body `code` holds on `on` (its holdings `holders`): the coverage
    /// statement's gaps that meet its footprint (all England, for a body holding something
    /// over all of it), and facts marked "to confirm"; those about its own holdings first.
    pub fn what_caveats(&self, code: &str, on: Date, holders: &[GrantId]) -> Vec<Caveat> {
        // A body holding something over all England (NHS England) answers for all of it:
        // a gap in the statement anywhere meets what it holds, not only its own footprint.
        let national = holders.iter().any(|g| {
            self.areas(&self.grants[g.0 as usize])
                .contains(&AreaKey::England)
        });
        let place = if national {
            Place::England
        } else {
            Place::Body(code.into())
        };
        let mut meeting = Vec::new();
        if let Ok(keys) = self.place_keys(&place, on) {
            let mut around = None;
            for (i, row) in self.register.coverage.iter().enumerate() {
                if !row.complete
                    && row.during.contains(on)
                    && self.row_meets(i as u32, &place, on, &keys, &mut around).1
                {
                    meeting.push(i as u32);
                }
            }
        }
        // Those about what the body holds (a function of its holdings, or one above or
        // below it) come first, then the facts to confirm under its holdings, then the rest:
        // the statement's gaps in functions the body has nothing to do with.
        let tax = &self.register.taxonomy;
        let (own, other): (Vec<u32>, Vec<u32>) = meeting.into_iter().partition(|&r| {
            tax.get(&self.register.coverage[r as usize].function)
                .is_some_and(|rf| {
                    holders.iter().any(|g| {
                        let gf = self.grants[g.0 as usize].function;
                        tax.covers(rf, gf) || tax.covers(gf, rf)
                    })
                })
        });
        let mut out = self.incomplete_caveats(&own, &place, on);
        out.extend(self.to_confirm_caveats(holders));
        out.extend(self.incomplete_caveats(&other, &place, on));
        out
    }

    /// The bodies some key of the place sits under on `on` (a practice's commissioners and
    /// the bodies above them; a body's ancestors).
    fn bodies_around(&self, keys: &PlaceKeys, on: Date) -> Vec<BodyId> {
        let mut up = Vec::new();
        for k in keys.full.iter().chain(&keys.partial) {
            match *k {
                AreaKey::Body(x) => self.body_ancestors(x, on, &mut up),
                AreaKey::Practice(a) => self.practice_chain(a, on, &mut up),
                AreaKey::England => {}
            }
        }
        up
    }

    /// One caveat per instrument marked "to confirm" in the proofs of `holders`.
    fn to_confirm_caveats(&self, holders: &[GrantId]) -> Vec<Caveat> {
        self.to_confirm_steps(holders)
            .into_iter()
            .map(|(holder, step)| to_confirm_caveat(&holder, &step))
            .collect()
    }

    /// Each instrument marked "to confirm" in the proofs of `holders`, once, with the code of
    /// the first holder whose proof it is in.
    pub(crate) fn to_confirm_steps(&self, holders: &[GrantId]) -> Vec<(String, Arc<ProofStep>)> {
        let mut out: Vec<(String, Arc<ProofStep>)> = Vec::new();
        for &gid in holders {
            let holder = &self.register.body(self.grants[gid.0 as usize].holder).code;
            for step in self.proof(gid).iter() {
                let marked = step.source.as_deref().is_some_and(marked_to_confirm)
                    || step.basis.as_deref().is_some_and(marked_to_confirm);
                if marked && !out.iter().any(|(_, s)| s.instrument == step.instrument) {
                    out.push((holder.clone(), step.clone()));
                }
            }
        }
        out
    }

    /// The stretches of practice `a`'s history unknown on `on`, as caveats naming the bodies
    /// that would hold `f` there for each candidate commissioner, when they are not already
    /// among `holders`.
    pub(crate) fn record_caveats(
        &self,
        f: FunctionId,
        a: PracticeId,
        on: Date,
        holders: &[GrantId],
    ) -> Vec<Caveat> {
        let mut out = Vec::new();
        for u in self.unknown_memberships_of(a) {
            if !u.during.contains(on) {
                continue;
            }
            let have: Vec<BodyId> = holders
                .iter()
                .map(|g| self.grants[g.0 as usize].holder)
                .collect();
            let mut candidates: Vec<String> = Vec::new();
            let mut keys = PlaceKeys::default();
            let mut r = Resolution::default();
            for c in &u.candidates {
                let Ok(()) = self.place_keys_into(&Place::Body(c.as_str().into()), on, &mut keys)
                else {
                    continue;
                };
                keys.partial.clear();
                self.resolve(f, on, &keys, &mut r);
                for (g, _) in &r.holders {
                    let h = self.grants[g.0 as usize].holder;
                    if !have.contains(&h) {
                        let code = self.register.body(h).code.clone();
                        if !candidates.contains(&code) {
                            candidates.push(code);
                        }
                    }
                }
            }
            // Every candidate commissioner leads to the holders already given: the answer
            // does not hang on the unknown.
            if candidates.is_empty() && !u.candidates.is_empty() {
                continue;
            }
            candidates.sort();
            let message = if u.candidates.is_empty() {
                format!(
                    "the practice's record is incomplete {}: {}; a holder through its commissioner then is not known",
                    describe(&u.during),
                    u.note
                )
            } else {
                format!(
                    "the practice's record is incomplete {}: {}; it was in one of {}, so {} may also hold it here (the register cannot say which)",
                    describe(&u.during),
                    u.note,
                    u.candidates.join(", "),
                    candidates.join(" or ")
                )
            };
            out.push(Caveat {
                kind: CaveatKind::IncompleteRecord,
                message,
                source: u.source.clone(),
                candidates,
                part: None,
            });
        }
        out
    }

    /// The caveats on a timeline of `f` at `place` over `span` (or a gap in it), each with
    /// the dates it concerns: the coverage statement's gaps that meet the place, the
    /// practice's unknown stretches, and facts marked "to confirm" under `cited`.
    pub fn dated_caveats(
        &self,
        f: FunctionId,
        place: &Place,
        span: &Interval,
        cited: &[GrantId],
    ) -> Vec<(Interval, Caveat)> {
        let mut meeting = Vec::new();
        for about in self.knowledge.rows_about(f) {
            let row = &self.register.coverage[about.row as usize];
            if row.complete || !row.during.overlaps(span) {
                continue;
            }
            let on = row.during.from.max(span.from);
            let meets = match self.place_keys(place, on) {
                Ok(keys) => self.row_meets(about.row, place, on, &keys, &mut None).1,
                Err(_) => false,
            };
            if meets {
                meeting.push(about.row);
            }
        }
        let mut out = self.dated_incomplete_caveats(&meeting, place);
        if let Place::Practice(code) = place {
            if let Some(a) = self.register.practice_id(code) {
                for u in self.unknown_memberships_of(a) {
                    if !u.during.overlaps(span) {
                        continue;
                    }
                    let on = u.during.from.max(span.from);
                    let holders: Vec<GrantId> = match self.place_keys(place, on) {
                        Ok(keys) => {
                            let mut r = Resolution::default();
                            self.resolve(f, on, &keys, &mut r);
                            r.holders.iter().map(|(g, _)| *g).collect()
                        }
                        Err(_) => Vec::new(),
                    };
                    for c in self.record_caveats(f, a, on, &holders) {
                        out.push((u.during, c));
                    }
                }
            }
        }
        for c in self.to_confirm_caveats(cited) {
            out.push((*span, c));
        }
        out
    }

    /// The unknown stretches of a practice's history, for timelines and gaps.
    pub fn unknown_memberships_of(
        &self,
        a: PracticeId,
    ) -> impl Iterator<Item = &UnknownMembership> {
        let positions = self
            .knowledge
            .unknown_of
            .get(&a)
            .map_or(&[][..], Vec::as_slice);
        positions
            .iter()
            .filter_map(|&i| self.register.unknown_memberships.get(i as usize))
    }
}

/// The body codes whose footprints an area expression names, through named areas.
fn footprint_codes(
    e: &crate::model::instrument::AreaExpr,
    snap: &Snapshot,
    out: &mut Vec<String>,
    depth: u32,
) {
    use crate::model::instrument::AreaExpr as A;
    if depth > 32 {
        return;
    }
    match e {
        A::Footprint(c) => {
            if !out.iter().any(|x| x == c.as_str()) {
                out.push(c.to_string());
            }
        }
        A::Named(n) => {
            if let Some(a) = snap.register.area(n) {
                footprint_codes(&a.expr, snap, out, depth + 1);
            }
        }
        A::Union(parts) => {
            for p in parts {
                footprint_codes(p, snap, out, depth + 1);
            }
        }
        A::England | A::Own | A::Practices(_) => {}
    }
}

/// The caveat a row saying the register is not complete gives.
pub(crate) fn incomplete(row: &CoverageRow) -> Caveat {
    Caveat {
        kind: CaveatKind::OutsideCoverage,
        message: format!(
            "the register is not complete for {}{} {}: {}",
            row.function,
            row.area
                .as_deref()
                .map(|c| format!(" in the footprint of {c}"))
                .unwrap_or_default(),
            describe(&row.during),
            row.note
        ),
        source: row.source.clone(),
        candidates: Vec::new(),
        part: None,
    }
}

/// The source a proof step cites (its basis when it cites none).
/// The caveat on `holder`'s holding that rests on `step`, an instrument marked "to confirm".
pub(crate) fn to_confirm_caveat(holder: &str, step: &ProofStep) -> Caveat {
    Caveat {
        kind: CaveatKind::ToConfirm,
        message: format!(
            "{holder}'s holding rests on `{}` ({}), which is marked \"to confirm\"",
            step.instrument, step.title
        ),
        source: step_source(step),
        candidates: Vec::new(),
        part: None,
    }
}

pub(crate) fn step_source(step: &ProofStep) -> String {
    step.source
        .clone()
        .or_else(|| step.basis.clone())
        .unwrap_or_default()
}

/// "from 2015-04-01" or "from 2013-04-01 to 2015-03-31".
pub fn describe(during: &Interval) -> String {
    match during.until.and_then(|u| u.yesterday().ok()) {
        Some(last) => format!("from {} to {last}", during.from),
        None => format!("from {}", during.from),
    }
}
