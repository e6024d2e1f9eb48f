//! Analyses over a snapshot: timelines, diffs between dates, gaps and overlaps, expiring
//! instruments, orphaned arrangements and merger inheritance.

use crate::answer::knowledge::marked_to_confirm;
use crate::answer::query::{Caveat, QueryError, Role};
use crate::answer::resolve::Resolution;
use crate::model::body::{BodyId, BodyKind};
use crate::model::diagnostic::{codes, Diagnostic, Severity};
use crate::model::instrument::{InstrumentId, InstrumentKind};
use crate::model::interval::Interval;
use crate::model::place::{Place, PracticeId};
use crate::snapshot::{AreaKey, Snapshot};
use jiff::civil::Date;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

/// A holder as shown in timelines and diffs: enough to tell holdings apart, no proof.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HolderBrief {
    pub body: String,
    pub role: Role,
    pub accountable: String,
    pub purposes: Vec<String>,
    pub instrument: String,
    /// The part of the timeline's function this holding is for, when it is for a part only
    /// (a function below it); absent when it holds all of it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub function: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Segment {
    pub from: Date,
    pub until: Option<Date>,
    pub holders: Vec<HolderBrief>,
    /// The place's own record is incomplete in this period (the timeline's caveats say why):
    /// holders may be missing.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub incomplete: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Timeline {
    pub function: String,
    pub place: Place,
    pub segments: Vec<Segment>,
    /// Where the timeline may not be the whole truth, each naming the dates it concerns.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<Caveat>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct HoldingChange {
    pub body: String,
    pub function: String,
    pub area: Vec<String>,
    pub role: Role,
    pub accountable: String,
    pub purposes: Vec<String>,
    pub instrument: String,
    /// The instrument giving the change is marked "to confirm" in its source or basis (only
    /// that instrument is looked at, not the rest of the holding's proof). Absent when not.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub to_confirm: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct BodyChange {
    pub code: String,
    pub name: String,
    pub kind: BodyKind,
    pub on: Date,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DiffAnswer {
    pub from: Date,
    pub to: Date,
    pub added: Vec<HoldingChange>,
    pub removed: Vec<HoldingChange>,
    pub established: Vec<BodyChange>,
    pub abolished: Vec<BodyChange>,
}

/// A diff's changes with each change of how a body holds a function paired up.
pub struct HeldOtherwise<'a> {
    /// The same body, function and area before and after, held in another way (its own
    /// function, then as a member of a joint committee it set up) or under another
    /// instrument (an early delegation, then the one to every ICB): (before, after).
    pub pairs: Vec<(&'a HoldingChange, &'a HoldingChange)>,
    pub added: Vec<&'a HoldingChange>,
    pub removed: Vec<&'a HoldingChange>,
}

impl DiffAnswer {
    /// The changes, with a holding lost and one gained by the same body for the same
    /// function and area shown as one change of how it is held: as a loss and a gain they
    /// read as the body losing the function in law, which it did not.
    pub fn held_otherwise(&self) -> HeldOtherwise<'_> {
        let mut added: Vec<&HoldingChange> = self.added.iter().collect();
        let mut pairs = Vec::new();
        let mut removed = Vec::new();
        for r in &self.removed {
            let same = |a: &&HoldingChange| {
                a.body == r.body && a.function == r.function && a.area == r.area
            };
            match added.iter().position(same) {
                Some(i) => pairs.push((r, added.remove(i))),
                None => removed.push(r),
            }
        }
        HeldOtherwise {
            pairs,
            added,
            removed,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "kebab-case")]
pub enum CoverageProblem {
    /// No body may exercise the function without a purpose limit.
    Gap,
    /// Two or more bodies hold it exclusively and unrestricted at once.
    Overlap,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CoverageFinding {
    pub problem: CoverageProblem,
    pub function: String,
    pub place: Place,
    pub from: Date,
    pub until: Option<Date>,
    pub holders: Vec<String>,
    /// Why the register cannot say more here (an incomplete record, a part of the register
    /// outside its coverage statement). A finding with a caveat is explained.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<Caveat>,
}

impl CoverageFinding {
    /// A finding the register explains with a caveat (it says why it does not know).
    pub fn explained(&self) -> bool {
        !self.caveats.is_empty()
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Expiring {
    pub instrument: String,
    pub title: String,
    pub kind: InstrumentKind,
    pub until: Date,
    pub days_left: i32,
    pub review: Option<Date>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Inheritance {
    pub instrument: String,
    pub merger: String,
    pub from_body: String,
    pub to_body: String,
    pub on: Date,
}

impl Snapshot {
    /// Holders of `function` at `place` over time, as maximal segments with the same holders.
    pub fn timeline(&self, function: &str, place: &Place) -> Result<Timeline, QueryError> {
        self.timeline_within(function, place, None, None)
    }

    /// Like [`Snapshot::timeline`], limited to `[start, end)`.
    pub fn timeline_within(
        &self,
        function: &str,
        place: &Place,
        start: Option<Date>,
        end: Option<Date>,
    ) -> Result<Timeline, QueryError> {
        let f = self.function_id(function)?;
        let mut dates: BTreeSet<Date> = BTreeSet::new();
        let mut bodies: Vec<BodyId> = Vec::new();
        let mut keys: Vec<AreaKey> = vec![AreaKey::England];
        match place {
            Place::Practice(code) => {
                let a = self.known_practice(code)?;
                keys.push(AreaKey::Practice(a));
                for m in self.memberships_of(a) {
                    dates.insert(m.during.from);
                    dates.extend(m.during.until);
                    bodies.push(m.body);
                }
                for u in self.unknown_memberships_of(a) {
                    dates.insert(u.during.from);
                    dates.extend(u.during.until);
                }
            }
            Place::Body(code) => {
                let ids = self.register.bodies_with_code(code);
                if ids.is_empty() {
                    return Err(match start {
                        Some(on) => QueryError::UnknownBody {
                            code: code.to_string(),
                            on,
                        },
                        None => QueryError::NeverABody(code.to_string()),
                    });
                }
                for &b in ids {
                    let life = self.register.body(b).life;
                    dates.insert(life.from);
                    dates.extend(life.until);
                    bodies.push(b);
                    for (iv, c) in self.body_children.get(b.0 as usize) {
                        dates.insert(iv.from);
                        dates.extend(iv.until);
                        keys.push(AreaKey::Body(*c));
                    }
                }
            }
            Place::Area(id) => {
                if self.register.area(id).is_none() {
                    return Err(QueryError::UnknownArea(id.to_string()));
                }
                // An area's extent can change with its bodies, so every grant date of the function counts.
                let tax = &self.register.taxonomy;
                for g in &self.grants {
                    if tax.covers(g.function, f) || tax.covers(f, g.function) {
                        dates.insert(g.during.from);
                        dates.extend(g.during.until);
                    }
                }
            }
            Place::England => {}
        }
        // Ancestors over all time: follow every parent link, not only today's.
        let mut i = 0;
        while i < bodies.len() {
            let b = bodies[i];
            keys.push(AreaKey::Body(b));
            for (iv, p) in self.body_parents.get(b.0 as usize) {
                dates.insert(iv.from);
                dates.extend(iv.until);
                if !bodies.contains(p) {
                    bodies.push(*p);
                }
            }
            i += 1;
        }
        // Holdings of the function, of those above it, and of its parts.
        let tax = &self.register.taxonomy;
        for fa in tax
            .self_and_ancestors(f)
            .chain(tax.below(f).iter().copied())
        {
            for k in &keys {
                for g in self.indexed(fa, *k) {
                    let gr = &self.grants[g.0 as usize];
                    dates.insert(gr.during.from);
                    dates.extend(gr.during.until);
                }
            }
        }
        if let Some(s) = start {
            dates.retain(|d| *d >= s);
            dates.insert(s);
        }
        if let Some(e) = end {
            dates.retain(|d| *d < e);
        }
        let mut segments: Vec<Segment> = Vec::new();
        let mut r = Resolution::default();
        let mut cited: Vec<crate::snapshot::GrantId> = Vec::new();
        let dates: Vec<Date> = dates.into_iter().collect();
        for (n, &d) in dates.iter().enumerate() {
            let holders = match self.place_keys(place, d) {
                Ok(k) => {
                    self.resolve(f, d, &k, &mut r);
                    for (g, _) in &r.holders {
                        if !cited.contains(g) {
                            cited.push(*g);
                        }
                    }
                    for (g, _, _) in &r.kept {
                        if !cited.contains(g) {
                            cited.push(*g);
                        }
                    }
                    let mut hs: Vec<HolderBrief> =
                        r.holders.iter().map(|(g, _)| self.brief(*g, f)).collect();
                    // A holding taken over but for parts its taker-over excepted holds those.
                    hs.extend(r.kept.iter().map(|&(g, _, x)| {
                        let mut b = self.brief(g, f);
                        b.function = Some(self.register.taxonomy.name(x).to_string());
                        b
                    }));
                    hs.sort();
                    hs.dedup();
                    hs
                }
                // A body place that does not exist on `d` simply has no holders then.
                Err(_) => Vec::new(),
            };
            let until = dates.get(n + 1).copied().or(end);
            let incomplete = match place {
                Place::Practice(code) => self
                    .register
                    .practice_id(code)
                    .is_some_and(|a| self.unknown_memberships_of(a).any(|u| u.during.contains(d))),
                _ => false,
            };
            match segments.last_mut() {
                Some(last) if last.holders == holders && last.incomplete == incomplete => {
                    last.until = until
                }
                _ => segments.push(Segment {
                    from: d,
                    until,
                    holders,
                    incomplete,
                }),
            }
        }
        // Leading empty time before anything existed is not a segment worth showing (time
        // the place's record does not settle is).
        if start.is_none() {
            while segments
                .first()
                .is_some_and(|s| s.holders.is_empty() && !s.incomplete)
            {
                segments.remove(0);
            }
            // Nor is the time after the place ceased to exist.
            while segments
                .last()
                .is_some_and(|s| s.holders.is_empty() && !s.incomplete)
            {
                segments.pop();
            }
        }
        let span = Interval::new(start.unwrap_or(Date::MIN), end);
        let caveats = self
            .dated_caveats(f, place, &span, &cited)
            .into_iter()
            .map(|(_, c)| c)
            .collect();
        Ok(Timeline {
            function: function.to_string(),
            place: place.clone(),
            segments,
            caveats,
        })
    }

    fn brief(&self, g: crate::snapshot::GrantId, f: crate::FunctionId) -> HolderBrief {
        let gr = &self.grants[g.0 as usize];
        let tax = &self.register.taxonomy;
        HolderBrief {
            function: (!tax.covers(gr.function, f)).then(|| tax.name(gr.function).to_string()),
            body: self.register.body(gr.holder).code.clone(),
            role: gr.role,
            accountable: self.register.body(gr.accountable).code.clone(),
            purposes: self.purposes(gr).to_vec(),
            instrument: self.register.instruments[gr.instrument.0 as usize]
                .id
                .to_string(),
        }
    }

    /// Is `g` exercised by nobody but its children on `on`: an exclusive, unrestricted child
    /// (a transfer, a joint committee, a whole-area delegation) covers all of its area?
    fn fully_shadowed(&self, gid: crate::snapshot::GrantId, on: Date) -> bool {
        let g = self.grant(gid);
        let keys = self.areas(g);
        self.children_of(gid).iter().any(|&c| {
            let c = self.grant(c);
            c.during.contains(on) && !c.concurrent && c.purposes == 0 && {
                let ck = self.areas(c);
                ck.contains(&AreaKey::England) || keys.iter().all(|k| ck.contains(k))
            }
        })
    }

    fn change_set(&self, on: Date) -> BTreeSet<HoldingChange> {
        self.grants
            .iter()
            .enumerate()
            .filter(|(i, g)| {
                g.during.contains(on)
                    && !self.fully_shadowed(crate::snapshot::GrantId(*i as u32), on)
            })
            .map(|(_, g)| g)
            .map(|g| HoldingChange {
                body: self.register.body(g.holder).code.clone(),
                function: self.register.taxonomy.name(g.function).to_string(),
                area: self.area_names(g),
                role: g.role,
                accountable: self.register.body(g.accountable).code.clone(),
                purposes: self.purposes(g).to_vec(),
                instrument: self.register.instruments[g.instrument.0 as usize]
                    .id
                    .to_string(),
                to_confirm: {
                    let t = self.register.instruments[g.instrument.0 as usize].terms();
                    [&t.source, &t.basis]
                        .into_iter()
                        .flatten()
                        .any(|text| marked_to_confirm(text))
                },
            })
            .collect()
    }

    /// What a proposal changes: holdings on `on` in `self` (the register as it is) against
    /// `after` (the register with the proposal applied), and bodies only one of them has.
    pub fn compare(&self, after: &Snapshot, on: Date) -> DiffAnswer {
        let a = self.change_set(on);
        let b = after.change_set(on);
        let key = |b: &crate::model::body::Body| (b.code.clone(), b.life.from);
        let before_bodies: BTreeSet<(String, Date)> =
            self.register.bodies.iter().map(key).collect();
        let after_bodies: BTreeSet<(String, Date)> =
            after.register.bodies.iter().map(key).collect();
        let change = |body: &crate::model::body::Body| BodyChange {
            code: body.code.clone(),
            name: body.name.clone(),
            kind: body.kind,
            on: body.life.from,
        };
        DiffAnswer {
            from: on,
            to: on,
            added: b.difference(&a).cloned().collect(),
            removed: a.difference(&b).cloned().collect(),
            established: after
                .register
                .bodies
                .iter()
                .filter(|x| !before_bodies.contains(&key(x)))
                .map(change)
                .collect(),
            abolished: self
                .register
                .bodies
                .iter()
                .filter(|x| !after_bodies.contains(&key(x)))
                .map(change)
                .collect(),
        }
    }

    /// What changed between two dates: holdings added and removed, bodies established and abolished.
    pub fn diff(&self, from: Date, to: Date) -> DiffAnswer {
        let a = self.change_set(from);
        let b = self.change_set(to);
        let (lo, hi) = if from <= to { (from, to) } else { (to, from) };
        let mut established = Vec::new();
        let mut abolished = Vec::new();
        for body in &self.register.bodies {
            if body.life.from > lo && body.life.from <= hi {
                established.push(BodyChange {
                    code: body.code.clone(),
                    name: body.name.clone(),
                    kind: body.kind,
                    on: body.life.from,
                });
            }
            if let Some(u) = body.life.until {
                if u > lo && u <= hi {
                    abolished.push(BodyChange {
                        code: body.code.clone(),
                        name: body.name.clone(),
                        kind: body.kind,
                        on: u,
                    });
                }
            }
        }
        established.sort_by(|x, y| x.on.cmp(&y.on).then(x.code.cmp(&y.code)));
        abolished.sort_by(|x, y| x.on.cmp(&y.on).then(x.code.cmp(&y.code)));
        // Looking back (`to` before `from`), a body established in between is one that
        // `to` lacks, and one abolished in between is one `to` has again.
        if from > to {
            std::mem::swap(&mut established, &mut abolished);
        }
        DiffAnswer {
            from,
            to,
            added: b.difference(&a).cloned().collect(),
            removed: a.difference(&b).cloned().collect(),
            established,
            abolished,
        }
    }

    /// Places the coverage check walks: every practice if the register has any, else every
    /// commissioner's footprint.
    fn coverage_places(&self) -> Vec<(Place, Date, Option<Date>)> {
        if !self.register.practices.is_empty() {
            self.register
                .practices
                .iter()
                .enumerate()
                .filter_map(|(i, a)| {
                    let ms = self.memberships_of(PracticeId(i as u32));
                    // From the first day the practice's record speaks of, known or not.
                    let unknown = self
                        .unknown_memberships_of(PracticeId(i as u32))
                        .map(|u| u.during.from)
                        .min();
                    let from = ms.iter().map(|m| m.during.from).chain(unknown).min()?;
                    let until = if ms.iter().any(|m| m.during.until.is_none()) {
                        None
                    } else {
                        ms.iter().filter_map(|m| m.during.until).max()
                    };
                    Some((Place::Practice(a.code.as_str().into()), from, until))
                })
                .collect()
        } else {
            self.register
                .bodies
                .iter()
                .filter(|b| matches!(b.kind, BodyKind::Ccg | BodyKind::Icb))
                .map(|b| {
                    (
                        Place::Body(b.code.as_str().into()),
                        b.life.from,
                        b.life.until,
                    )
                })
                .collect()
        }
    }

    /// Gaps (no unrestricted, exclusive holder) and overlaps (more than one) for a function,
    /// over every place, up to `horizon` (exclusive).
    pub fn coverage(
        &self,
        function: &str,
        horizon: Date,
    ) -> Result<Vec<CoverageFinding>, QueryError> {
        let f = self.function_id(function)?;
        let mut out = Vec::new();
        for (place, from, until) in self.coverage_places() {
            let end = crate::model::interval::min_until(until, Some(horizon));
            if end.is_some_and(|e| e <= from) {
                continue;
            }
            let tl = self.timeline_within(function, &place, Some(from), end)?;
            for s in tl.segments {
                // A holder of a part only (what a delegator kept back) does not hold the
                // whole function, so it neither fills a gap nor overlaps its holder.
                let exclusive: Vec<&HolderBrief> = s
                    .holders
                    .iter()
                    .filter(|h| {
                        h.purposes.is_empty() && h.role != Role::Concurrent && h.function.is_none()
                    })
                    .collect();
                let mut distinct: Vec<String> = exclusive.iter().map(|h| h.body.clone()).collect();
                distinct.sort();
                distinct.dedup();
                let joint_only = exclusive.iter().all(|h| h.role == Role::JointMember)
                    && exclusive
                        .windows(2)
                        .all(|w| w[0].instrument == w[1].instrument);
                let problem = if distinct.is_empty() {
                    Some(CoverageProblem::Gap)
                } else if distinct.len() > 1 && !joint_only {
                    Some(CoverageProblem::Overlap)
                } else {
                    None
                };
                if let Some(problem) = problem {
                    let caveats = if problem == CoverageProblem::Gap {
                        let span = Interval::new(s.from, s.until);
                        self.dated_caveats(f, &place, &span, &[])
                            .into_iter()
                            .filter(|(iv, _)| iv.overlaps(&span))
                            .map(|(_, c)| c)
                            .collect()
                    } else {
                        Vec::new()
                    };
                    out.push(CoverageFinding {
                        problem,
                        function: function.to_string(),
                        place: place.clone(),
                        from: s.from,
                        until: s.until,
                        holders: distinct,
                        caveats,
                    });
                }
            }
        }
        Ok(out)
    }

    /// Instruments in force on `on` that end within `days` days.
    pub fn expiring(&self, on: Date, days: i64) -> Vec<Expiring> {
        let horizon = on.checked_add(days.days()).unwrap_or(Date::MAX);
        let mut out: Vec<Expiring> = self
            .register
            .instruments
            .iter()
            .enumerate()
            .filter(|(i, _)| !self.void[*i])
            .filter_map(|(i, ins)| {
                let until = self.effective_until(InstrumentId(i as u32))?;
                (ins.from <= on && until > on && until <= horizon).then(|| Expiring {
                    instrument: ins.id.to_string(),
                    title: ins.title.to_string(),
                    kind: ins.kind,
                    until,
                    days_left: (until - on).get_days(),
                    review: ins.particulars().review,
                })
            })
            .collect();
        out.sort_by(|a, b| a.until.cmp(&b.until).then(a.instrument.cmp(&b.instrument)));
        out
    }

    /// Error diagnostics: instruments that are void.
    pub fn invalid(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics
            .iter()
            .filter(|d| d.severity == Severity::Error)
    }

    /// Arrangements whose receiver was abolished or whose maker lost the function while they ran.
    pub fn orphans(&self) -> impl Iterator<Item = &Diagnostic> {
        self.diagnostics.iter().filter(|d| {
            d.code == codes::ORPHAN_RECEIVER_ABOLISHED || d.code == codes::ORPHAN_DELEGATOR_LOST
        })
    }

    /// Instruments carried on to a successor body by a merger.
    pub fn inheritance(&self) -> Vec<Inheritance> {
        let mut out: Vec<Inheritance> = Vec::new();
        for g in &self.grants {
            for &m in self.via(g) {
                let merger = &self.register.instruments[m.0 as usize];
                if merger.kind != InstrumentKind::Merge {
                    continue;
                }
                let ins = &self.register.instruments[g.instrument.0 as usize];
                let to_body = self.register.body(g.holder).code.clone();
                let from_body = merger
                    .particulars()
                    .predecessors
                    .iter()
                    .find(|p| {
                        ins.terms().receivers
                            == crate::model::instrument::Receivers::Bodies(vec![(*p).clone()])
                    })
                    .or_else(|| merger.particulars().predecessors.first())
                    .cloned()
                    .unwrap_or_default();
                let item = Inheritance {
                    instrument: ins.id.to_string(),
                    merger: merger.id.to_string(),
                    from_body,
                    to_body,
                    on: merger.from,
                };
                if !out.contains(&item) {
                    out.push(item);
                }
            }
        }
        out.sort_by(|a, b| a.on.cmp(&b.on).then(a.instrument.cmp(&b.instrument)));
        out
    }
}
