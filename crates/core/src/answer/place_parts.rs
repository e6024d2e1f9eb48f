//! Places larger than a practice (England, a body's footprint, a named area): who holds
//! which part of them.
//!
//! A place is made of practices, so a holder of part of it is a holder at some of its
//! practices, and the part it covers is those practices. Asked of England, a function each
//! ICB holds for its own footprint is held by every ICB, each for its part; the practices at
//! which nobody holds it, or whose record does not say who did, are named in caveats beside
//! the answer rather than left out.

use crate::answer::naming::{the_place, NAMED};
use crate::answer::place_keys::PlaceKeys;
use crate::answer::query::{Caveat, CaveatKind, Coverage, Part, QueryError};
use crate::answer::resolve::{Held, Resolution, Row};
use crate::model::body::BodyId;
use crate::model::place::{Place, PracticeId};
use crate::model::register::NamedArea;
use crate::snapshot::{AreaKey, GrantId, Snapshot};
use jiff::civil::Date;
use rustc_hash::FxHashMap;

/// What the practices of a place say about a function on a date.
#[derive(Debug, Default)]
struct Breakdown {
    /// One grant for each holding found at a practice whose record is settled (a holding
    /// reached at many practices, or along two paths, is one), with the number of those
    /// practices it holds at, in first-found order.
    holdings: Vec<(Held, u32)>,
    /// Each settled practice (by its place in the list) with each holding met there (by
    /// its place in `holdings`), in practice order: what a row gathering several holdings
    /// covers is their union.
    met: Vec<(u32, u32)>,
    /// Practices at which nobody holds the function and whose record is complete.
    unheld: Vec<PracticeId>,
    /// How many of `unheld` lie where the coverage statement does not say the register is
    /// complete for the function: nobody is recorded there, which is not known to be a gap.
    unheld_unknown: u32,
    /// Practices whose record is incomplete on the date in a way that may change the answer.
    incomplete: Vec<PracticeId>,
    /// The bodies that may hold the function at the incomplete practices instead.
    candidates: Vec<String>,
    /// Sources of the incomplete records, each once.
    sources: Vec<String>,
    /// The place's practices.
    of: u32,
}

/// A place's holders, each with the part it covers (none for a holder of all of it), the
/// bodies accountable only, and the caveats its practices add.
pub(crate) struct Parts {
    /// Each row: its first grant, its coverage and part, and the holdings it gathers (see
    /// [`crate::Holder::holdings`]; empty for a row of one holding).
    pub holders: Vec<Row>,
    /// Bodies that hold the function for all of the place but exercise it at none of its
    /// practices, having arranged for others to.
    pub accountable_only: Vec<BodyId>,
    pub caveats: Vec<Caveat>,
}

impl Snapshot {
    /// The practices of a place on a date, in practice order; `None` for a practice, which
    /// is its own one part.
    pub fn place_practices(
        &self,
        place: &Place,
        on: Date,
    ) -> Result<Option<Vec<PracticeId>>, QueryError> {
        let mut practices = match place {
            Place::Practice(_) => return Ok(None),
            Place::England => self.england_practices(on),
            Place::Body(code) => {
                let b = self
                    .register
                    .body_at(code, on)
                    .ok_or_else(|| QueryError::UnknownBody {
                        code: code.to_string(),
                        on,
                    })?;
                match self.body_as_area(b, on) {
                    Some(area) => self.area_practices(area, on),
                    None => self.footprint_and_unsettled(b, on),
                }
            }
            Place::Area(id) => {
                let area = self
                    .register
                    .area(id)
                    .ok_or_else(|| QueryError::UnknownArea(id.to_string()))?;
                self.area_practices(area, on)
            }
        };
        practices.sort();
        practices.dedup();
        Ok(Some(practices))
    }

    /// A body with no footprint on `on` (no practice placed in it or in a body under it,
    /// and no body under it: a local authority, say) stands, as a place, for the named area
    /// with its code, if the register has one.
    pub fn body_as_area(&self, b: BodyId, on: Date) -> Option<&NamedArea> {
        let area = self.register.area(&self.register.body(b).code)?;
        let mut under = Vec::new();
        self.body_descendants(b, on, &mut under);
        let placed = self
            .body_practices
            .get(b.0 as usize)
            .iter()
            .filter_map(|&m| self.register.memberships.get(m as usize))
            .any(|m| m.during.contains(on));
        (under.is_empty() && !placed).then_some(area)
    }

    /// The practices of named area `area` on `on`: those of its parts.
    fn area_practices(&self, area: &NamedArea, on: Date) -> Vec<PracticeId> {
        let mut keys = Vec::new();
        self.expr_keys(&area.expr, on, &mut keys, 0);
        let mut practices = Vec::new();
        for k in keys {
            match k {
                AreaKey::England => practices.extend(self.england_practices(on)),
                AreaKey::Body(b) => practices.extend(self.footprint_and_unsettled(b, on)),
                AreaKey::Practice(a) => practices.push(a),
            }
        }
        practices
    }

    /// Every practice of England on `on`: those in some body's footprint, and those inside
    /// a stretch of their history the sources do not settle (their commissioner is unknown,
    /// not their being in England).
    fn england_practices(&self, on: Date) -> Vec<PracticeId> {
        (0..self.register.practices.len() as u32)
            .map(PracticeId)
            .filter(|&a| {
                self.memberships_of(a).iter().any(|m| m.during.contains(on))
                    || self
                        .unknown_memberships_of(a)
                        .any(|u| u.during.contains(on))
            })
            .collect()
    }

    /// The practices of body `b`'s footprint on `on`, and those inside an unsettled stretch
    /// on `on` that names as a candidate commissioner `b` or a body under it: they may be
    /// in the footprint, and the answer says their record is incomplete.
    fn footprint_and_unsettled(&self, b: BodyId, on: Date) -> Vec<PracticeId> {
        let mut practices = self.footprint_practices(b, on);
        let mut up = Vec::new();
        for u in &self.register.unknown_memberships {
            if !u.during.contains(on) {
                continue;
            }
            let names_it = u.candidates.iter().any(|c| {
                self.register.body_at(c, on).is_some_and(|cb| {
                    up.clear();
                    self.body_ancestors(cb, on, &mut up);
                    cb == b || up.contains(&b)
                })
            });
            if names_it {
                practices.push(u.practice);
            }
        }
        practices
    }

    /// The holders of `f` at a place larger than a practice (its `practices`), given
    /// the holders `found` from the place's own keys: those, each partial one with its part,
    /// then every holder of part of it found only at its practices; and the caveats for
    /// practices with no holder or an incomplete record.
    pub(crate) fn parts(
        &self,
        f: crate::model::function::FunctionId,
        place: &Place,
        on: Date,
        purpose: Option<&str>,
        practices: &[PracticeId],
        found: &[(Held, Coverage)],
    ) -> Parts {
        let b = self.breakdown(f, on, purpose, practices);
        let part = |gid: GrantId, covered: u32| Part {
            practices: covered,
            of: b.of,
            area: self.area_names(&self.grants[gid.0 as usize]),
        };
        // Whether a holder covers all of the place is what its practices say: a body that
        // holds the function for all England but has delegated it in some ICBs exercises
        // it only in the rest, as `who` at each practice says; one that has delegated it
        // everywhere is accountable only. Practices whose record is unsettled say nothing
        // either way: who holds it there hangs on the commissioner their caveat names.
        let settled = b.of - b.incomplete.len() as u32;
        let mut matched = vec![false; b.holdings.len()];
        // Each holding that answers: its grant, how many settled practices it holds at, and
        // its place in `b.holdings` if it was met at any.
        let mut each: Vec<(Held, u32, Option<usize>)> = Vec::new();
        let mut accountable_only = Vec::new();
        for &(held, cov) in found {
            let gid = held.0;
            let at = b
                .holdings
                .iter()
                .position(|&(k, _)| self.same_held(k, held));
            if let Some(i) = at {
                matched[i] = true;
            }
            let n = at.map_or(0, |i| b.holdings[i].1);
            if cov == Coverage::Full && n == 0 && settled > 0 {
                accountable_only.push(self.grants[gid.0 as usize].holder);
                continue;
            }
            each.push((held, n, at));
        }
        for (i, &(held, n)) in b.holdings.iter().enumerate() {
            if !matched[i] {
                each.push((held, n, Some(i)));
            }
        }
        let holders = self.rows(&b, each, settled, &part);
        let fname = self.register.taxonomy.name(f);
        let mut caveats = Vec::new();
        if !b.unheld.is_empty() {
            let (n, unknown) = (b.unheld.len() as u32, b.unheld_unknown);
            // Where the coverage statement does not vouch for the register, nobody recorded
            // is not known to be a gap.
            let why = if unknown == 0 {
                ": a gap there".to_string()
            } else if unknown == n {
                "; the register is not complete for it there (see the coverage caveat), so who holds it is not known, rather than a gap".to_string()
            } else {
                format!(
                    ": at {unknown} of them the register is not complete for it (see the coverage caveat), so who holds it there is not known; at the other {} it is a gap",
                    n - unknown
                )
            };
            caveats.push(Caveat {
                kind: CaveatKind::NoHolder,
                message: format!(
                    "nobody is recorded as holding {fname} on {on} at {n} of the {} practices of {} ({}){why}",
                    b.of,
                    the_place(place),
                    self.name_some(&b.unheld)
                ),
                source: "the register's practices and instruments (`vires gaps` lists each day)"
                    .into(),
                candidates: Vec::new(),
                part: Some(self.practices_part(&b.unheld, b.of)),
            });
        }
        if !b.incomplete.is_empty() {
            caveats.push(Caveat {
                kind: CaveatKind::IncompleteRecord,
                message: format!(
                    "the record of {} of the {} practices of {} is incomplete on {on} ({}): who held {fname} there through their commissioner is not known{}",
                    b.incomplete.len(),
                    b.of,
                    the_place(place),
                    self.name_some(&b.incomplete),
                    if b.candidates.is_empty() {
                        String::new()
                    } else {
                        format!(", and may be {}", b.candidates.join(", "))
                    }
                ),
                source: some_sources(&b.sources),
                candidates: b.candidates,
                part: Some(self.practices_part(&b.incomplete, b.of)),
            });
        }
        Parts {
            holders,
            accountable_only,
            caveats,
        }
    }

    /// The rows of a larger place's answer: one for each body in each role, for each
    /// accountable body, function and purposes, gathering its holdings (`each`: grant,
    /// practices held at, place in `b.holdings`); a row covers the union of theirs, and
    /// the whole place when that is every settled practice. In the order `resolve` gives:
    /// all of the place first, then by role and holder.
    fn rows(
        &self,
        b: &Breakdown,
        mut each: Vec<(Held, u32, Option<usize>)>,
        settled: u32,
        part: &dyn Fn(GrantId, u32) -> Part,
    ) -> Vec<Row> {
        // A kept part is held as that part.
        let key = |(g, kept): Held| {
            let gr = &self.grants[g.0 as usize];
            let function = kept.unwrap_or(gr.function);
            (gr.role, gr.holder, gr.accountable, function, gr.purposes)
        };
        each.sort_by_key(|&(h, _, _)| (key(h), h.0 .0));
        // The row of each holding, and of each place in `b.holdings`.
        let mut groups: Vec<std::ops::Range<usize>> = Vec::new();
        let mut row_of_slot = vec![usize::MAX; b.holdings.len()];
        for (i, &(g, _, at)) in each.iter().enumerate() {
            match groups.last_mut() {
                Some(r) if key(each[r.start].0) == key(g) => r.end = i + 1,
                _ => groups.push(i..i + 1),
            }
            if let Some(slot) = at {
                row_of_slot[slot] = groups.len() - 1;
            }
        }
        // How many settled practices each row holds at: a practice met by two of a row's
        // holdings counts once.
        let mut union = vec![0u32; groups.len()];
        let mut last = vec![u32::MAX; groups.len()];
        for &(practice, slot) in &b.met {
            let row = row_of_slot[slot as usize];
            if row != usize::MAX && last[row] != practice {
                last[row] = practice;
                union[row] += 1;
            }
        }
        let coverage = |n: u32| {
            if n == settled {
                Coverage::Full
            } else {
                Coverage::Partial
            }
        };
        let mut rows: Vec<Row> = groups
            .iter()
            .zip(&union)
            .map(|(range, &n)| {
                let members = &each[range.clone()];
                let (first, kept) = members[0].0;
                if members.len() == 1 {
                    let n = members[0].1;
                    let cov = coverage(n);
                    return Row {
                        grant: first,
                        kept,
                        coverage: cov,
                        part: (cov == Coverage::Partial).then(|| part(first, n)),
                        gathered: Vec::new(),
                    };
                }
                let cov = coverage(n);
                let row_part = (cov == Coverage::Partial).then(|| {
                    let mut area: Vec<String> = Vec::new();
                    for &((g, _), _, _) in members {
                        for a in part(g, 0).area {
                            if !area.contains(&a) {
                                area.push(a);
                            }
                        }
                    }
                    Part {
                        practices: n,
                        of: b.of,
                        area,
                    }
                });
                let gathered = members
                    .iter()
                    .map(|&((g, _), m, _)| (g, (m != settled).then(|| part(g, m))))
                    .collect();
                Row {
                    grant: first,
                    kept,
                    coverage: cov,
                    part: row_part,
                    gathered,
                }
            })
            .collect();
        rows.sort_by_key(|r| {
            let gr = &self.grants[r.grant.0 as usize];
            (r.coverage as u8, gr.role, gr.holder, r.grant.0, r.kept)
        });
        rows
    }

    /// Whether two holdings found are one: the same part kept, if any, of one holding.
    fn same_held(&self, a: Held, b: Held) -> bool {
        a.1 == b.1 && self.same_holding(a.0, b.0)
    }

    /// Resolves `f` at each of `practices` on `on` and counts what each holding covers.
    fn breakdown(
        &self,
        f: crate::model::function::FunctionId,
        on: Date,
        purpose: Option<&str>,
        practices: &[PracticeId],
    ) -> Breakdown {
        let mut out = Breakdown {
            of: practices.len() as u32,
            ..Breakdown::default()
        };
        let mut keys = PlaceKeys::default();
        let mut r = Resolution::default();
        // Most practices meet the same few grants: where each grant was counted.
        let mut slot: FxHashMap<Held, usize> = FxHashMap::default();
        let mut here: Vec<Held> = Vec::new();
        let mut grants: Vec<GrantId> = Vec::new();
        for (ordinal, &a) in practices.iter().enumerate() {
            keys.clear();
            self.practice_keys(a, on, &mut keys);
            self.resolve(f, on, &keys, &mut r);
            here.clear();
            let found = r.holders.iter().map(|&(g, _)| (g, None));
            let kept = r.kept.iter().map(|&(g, _, x)| (g, Some(x)));
            for held in found.chain(kept) {
                if self.fits_purpose(held.0, purpose) {
                    here.push(held);
                }
            }
            if self
                .unknown_memberships_of(a)
                .any(|u| u.during.contains(on))
            {
                grants.clear();
                grants.extend(here.iter().map(|h| h.0));
                let said = self.record_caveats(f, a, on, &grants);
                if !said.is_empty() {
                    out.incomplete.push(a);
                    for c in said {
                        for b in c.candidates {
                            if !out.candidates.contains(&b) {
                                out.candidates.push(b);
                            }
                        }
                        if !c.source.is_empty() && !out.sources.contains(&c.source) {
                            out.sources.push(c.source);
                        }
                    }
                    continue;
                }
            }
            for &held in &here {
                let i = match slot.get(&held) {
                    Some(&i) => i,
                    None => {
                        let i = out
                            .holdings
                            .iter()
                            .position(|&(k, _)| self.same_held(k, held))
                            .unwrap_or_else(|| {
                                out.holdings.push((held, 0));
                                out.holdings.len() - 1
                            });
                        slot.insert(held, i);
                        i
                    }
                };
                out.holdings[i].1 += 1;
                out.met.push((ordinal as u32, i as u32));
            }
            if here.is_empty() {
                out.unheld.push(a);
                let at = Place::Practice(self.register.practices[a.0 as usize].code.clone());
                if self.outside_coverage(f, &at, on, &keys) {
                    out.unheld_unknown += 1;
                }
            }
        }
        out.candidates.sort();
        out
    }

    /// The part of a place of `of` practices that a caveat about `practices` concerns.
    fn practices_part(&self, practices: &[PracticeId], of: u32) -> Part {
        Part {
            practices: practices.len() as u32,
            of,
            area: practices
                .iter()
                .map(|&a| self.describe_key(AreaKey::Practice(a)))
                .collect(),
        }
    }

    /// "A85001, A85002 and 3 more".
    fn name_some(&self, practices: &[PracticeId]) -> String {
        let codes: Vec<&str> = practices
            .iter()
            .take(NAMED)
            .map(|a| self.register.practices[a.0 as usize].code.as_str())
            .collect();
        match practices.len().saturating_sub(NAMED) {
            0 => codes.join(", "),
            more => format!("{} and {more} more", codes.join(", ")),
        }
    }
}

/// The sources of the records of many practices: each practice has its own (a line of the
/// practice file), so the first stands for them and the rest are counted; asked of one
/// practice, the answer gives its own.
pub(crate) fn some_sources(sources: &[String]) -> String {
    match sources {
        [] => String::new(),
        [one] => one.clone(),
        [first, rest @ ..] => format!(
            "{first}; and {} more, one for each practice (ask about a practice for its own)",
            rest.len()
        ),
    }
}
