//! An independent reference interpreter for `who`, against the engine, on generated
//! registers.
//!
//! The interpreter reads only the `Register` (instruments, bodies, memberships, parents,
//! named areas) and answers one question by direct recursive evaluation of the semantics in
//! docs/language.md ("What instruments mean"). It uses none of the
//! compiler's grants, indexes or helpers, nor the register's own lookups: bodies, practices
//! and instruments are found by scanning. It is slow on purpose and small enough to read.
//!
//! The rules it applies, each from the documents:
//! - an instrument is in force over its versions: amendments and revocations, taken in date
//!   order, cut its life and change its terms from their date; amending or revoking a dead
//!   or unknown instrument, or setting an end not after the amendment, voids the changer;
//! - an instrument whose maker did not exist on its first day is void;
//! - a merger makes its successor stand for each predecessor after the merger date, as
//!   holder, source, maker or footprint, and the proof gains the merger;
//! - a conferral gives each receiver a statutory holding over the instrument's area (`own`:
//!   the receiver's footprint, all England for a national body), within the receiver's life;
//! - an arrangement gives its receiver (the lead, for a partnership) the functions of its
//!   source (the maker; `of` for a direction, a transfer or a partnership) in segments: each
//!   finds, on its first day, a holding of the source that covers the function over the
//!   whole area (statutory first, then exclusive, then concurrent, earliest made), and ends
//!   at the earliest of the instrument's end, that holding's end, the holder's and
//!   source's ends and the end of a body whose footprint the area names; the next segment
//!   looks again. No holding on the arrangement's first day
//!   voids it (only that receiver loses it when the receivers or sources are `every KIND`);
//!   losing it later orphans it from then on; onward delegation of a delegate's holding
//!   whose instrument forbids it, or purposes wider than the source's, void it;
//! - `who` (function, place, date, purpose): every holding in force on the date that
//!   covers the function (itself or an ancestor, not excepting it) over an area containing
//!   the practice; for a body's footprint, over all of it (full coverage) or part of it (a
//!   body under it, or practices in it: partial); for England, holdings over all England;
//!   a holding is shadowed, and its holder accountable only, when another such holding was
//!   made from it over all of the place, exclusively and without purposes; a holding reached
//!   twice (same body, role, accountable body, function, instrument, purposes) is listed
//!   once; then purposes filter;
//! - a place larger than a practice that has practices is asked practice by practice
//!   (England's include those inside an unsettled stretch; a footprint's, those whose
//!   unsettled stretch names the body or a body under it as a candidate), counting holdings
//!   at settled practices only: a holding met at every settled practice covers all of it,
//!   one met at some covers that many, one that
//!   answers for all of it but is met at none, while some practice is settled, leaves its
//!   holder accountable only; settled practices with no holder give a `no-holder` caveat,
//!   unsettled ones one `incomplete-record` caveat with every candidate, each naming every
//!   practice it concerns.
//!
//! - caveats: the coverage statement's rows about the function (or one above or below it)
//!   that meet the place (one caveat a row at a practice; at a larger place one for each
//!   function and source, with how many of the place's practices its rows' areas hold and
//!   every area), or one caveat when no complete row covers it; instruments marked
//!   "to confirm" in a holder's proof; a practice's unsettled stretch, with the holders its
//!   candidate commissioners would add.
//!
//! Every answer is compared whole: holders with role, accountable body, function, dates,
//! purposes, coverage and the instrument ids of the proof, the accountable-only bodies, and
//! the caveats (kind, source and candidates).

use jiff::civil::{date, Date};
use jiff::ToSpan;
use proptest::prelude::*;
use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use vires_core::register::NamedArea;
use vires_core::*;

// ---------------------------------------------------------------------------------------
// The reference interpreter.
// ---------------------------------------------------------------------------------------

type B = usize; // a body, by its place in `register.bodies`
type I = usize; // an instrument, by its place in `register.instruments`
/// One receiver × source × function of an arrangement's version: (instrument, version,
/// receiver, source, function's place in the instrument's list).
type PairingKey = (I, usize, B, B, usize);
/// Bodies an instrument names, each marked if it came from `every KIND`.
type Named = Vec<(B, bool)>;

/// A segment of an instrument's life with the terms in force during it.
#[derive(Debug, Clone)]
struct Version {
    from: Date,
    until: Option<Date>,
    purposes: Vec<String>,
    area: Option<AreaExpr>,
    /// The amendments this version rests on, in the order applied.
    via: Vec<I>,
}

/// An area on a date: all England, or the footprints of some bodies and some practices.
#[derive(Debug, Clone, PartialEq)]
struct Area {
    england: bool,
    bodies: BTreeSet<B>,
    practices: BTreeSet<String>,
}

/// A holding: who may exercise which function where, from when to when, and on what.
#[derive(Debug, Clone)]
struct Holding {
    holder: B,
    accountable: B,
    role: Role,
    function: String,
    except: Vec<String>,
    from: Date,
    until: Option<Date>,
    instrument: I,
    /// Where the area is read: the expression, and the body `own` means.
    area: Option<AreaExpr>,
    own: B,
    purposes: Vec<String>,
    concurrent: bool,
    onward: Onward,
    /// Amendments and mergers the holding rests on, after its instrument in the proof.
    via: Vec<I>,
    parent: Option<Box<Holding>>,
    /// The order holdings are made in, for "earliest made".
    made: (Date, u8, u8, I, usize, usize, usize, usize),
}

impl Holding {
    fn live(&self, d: Date) -> bool {
        self.from <= d && self.until.is_none_or(|u| d < u)
    }
    fn same(&self, o: &Holding) -> bool {
        self.made == o.made && self.holder == o.holder && self.function == o.function
    }
}

/// What one receiver × source × function of an arrangement's version comes to.
#[derive(Debug, Clone, Default)]
struct Pairing {
    segments: Vec<Holding>,
    /// An error that voids the whole instrument.
    voids: bool,
}

struct Reference<'a> {
    reg: &'a Register,
    versions: Vec<Vec<Version>>,
    changer_void: Vec<bool>,
    /// Predecessor → (date, successor, merger).
    successor: HashMap<B, (Date, B, I)>,
    pairings: RefCell<HashMap<PairingKey, Pairing>>,
    in_progress: RefCell<BTreeSet<PairingKey>>,
    void_memo: RefCell<HashMap<I, bool>>,
    void_in_progress: RefCell<BTreeSet<I>>,
    /// How many times a cycle was cut (see `pairing`).
    cuts: std::cell::Cell<usize>,
}

fn min_until(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (Some(x), Some(y)) => Some(x.min(y)),
        (x, None) => x,
        (None, y) => y,
    }
}

/// `f` is `g` or an ancestor of it (its id a dotted prefix).
fn covers(f: &str, g: &str) -> bool {
    g == f || (g.starts_with(f) && g.as_bytes().get(f.len()) == Some(&b'.'))
}

fn is_national(k: BodyKind) -> bool {
    matches!(
        k,
        BodyKind::NhsEngland | BodyKind::SecretaryOfState | BodyKind::Parliament
    )
}

impl<'a> Reference<'a> {
    fn new(reg: &'a Register) -> Self {
        let mut r = Reference {
            reg,
            versions: Vec::new(),
            changer_void: vec![false; reg.instruments.len()],
            successor: HashMap::new(),
            pairings: RefCell::default(),
            in_progress: RefCell::default(),
            void_memo: RefCell::default(),
            void_in_progress: RefCell::default(),
            cuts: std::cell::Cell::new(0),
        };
        r.apply_amendments();
        r.link_mergers();
        r
    }

    fn ins(&self, i: I) -> &Instrument {
        &self.reg.instruments[i]
    }

    fn body(&self, b: B) -> &Body {
        &self.reg.bodies[b]
    }

    /// The body with `code` alive on `d`.
    fn body_at(&self, code: &str, d: Date) -> Option<B> {
        (0..self.reg.bodies.len())
            .find(|&b| self.body(b).code == code && self.body(b).life.contains(d))
    }

    fn apply_amendments(&mut self) {
        let reg = self.reg;
        self.versions = reg
            .instruments
            .iter()
            .map(|i| {
                if i.until.is_some_and(|u| u <= i.from) {
                    return Vec::new();
                }
                vec![Version {
                    from: i.from,
                    until: i.until,
                    purposes: i.terms().purposes.clone(),
                    area: i.area.clone(),
                    via: Vec::new(),
                }]
            })
            .collect();
        let mut changers: Vec<I> = (0..reg.instruments.len())
            .filter(|&i| {
                matches!(
                    reg.instruments[i].kind,
                    InstrumentKind::Amend | InstrumentKind::Revoke
                )
            })
            .collect();
        changers.sort_by_key(|&i| reg.instruments[i].from);
        for a in changers {
            let ins = &reg.instruments[a];
            let on = ins.from;
            let target = ins.particulars().target.as_ref().and_then(|t| {
                reg.instruments
                    .iter()
                    .position(|x| x.id.as_str() == t.as_str())
            });
            let Some(t) = target else {
                self.changer_void[a] = true;
                continue;
            };
            let vs = &self.versions[t];
            let live = vs.first().is_some_and(|v| v.from <= on)
                && vs.last().is_some_and(|v| v.until.is_none_or(|u| on < u));
            if !live {
                self.changer_void[a] = true;
                continue;
            }
            let changes = ins.particulars().changes.clone().unwrap_or_default();
            if changes.until.is_some_and(|u| u <= on) {
                self.changer_void[a] = true;
                continue;
            }
            let mut out = Vec::new();
            for v in vs.clone() {
                if v.until.is_some_and(|u| u <= on) {
                    out.push(v);
                    continue;
                }
                if v.from < on {
                    out.push(Version {
                        until: Some(on),
                        ..v.clone()
                    });
                }
                if ins.kind == InstrumentKind::Revoke {
                    continue;
                }
                let mut after = Version {
                    from: v.from.max(on),
                    ..v
                };
                if let Some(p) = &changes.purposes {
                    after.purposes = p.clone();
                }
                if let Some(ar) = &changes.area {
                    after.area = Some(ar.clone());
                }
                after.via.push(a);
                out.push(after);
            }
            if let Some(u) = changes.until {
                out.retain(|v| v.from < u);
                if let Some(last) = out.last_mut() {
                    last.until = Some(u);
                }
            }
            self.versions[t] = out;
        }
    }

    fn link_mergers(&mut self) {
        for (m, ins) in self.reg.instruments.iter().enumerate() {
            if ins.kind != InstrumentKind::Merge {
                continue;
            }
            let Receivers::Bodies(into) = &ins.terms().receivers else {
                continue;
            };
            let Some(succ) = into.first().and_then(|c| self.body_at(c, ins.from)) else {
                continue;
            };
            let Ok(eve) = ins.from.yesterday() else {
                continue;
            };
            for p in &ins.particulars().predecessors {
                if let Some(pred) = self.body_at(p, eve) {
                    if pred != succ {
                        self.successor.insert(pred, (ins.from, succ, m));
                    }
                }
            }
        }
    }

    /// The body that stands for `b` on `d` (itself, or its successor after mergers).
    fn carry(&self, b: B, d: Date, via: &mut Vec<I>) -> Option<B> {
        let mut cur = b;
        for _ in 0..16 {
            if self.body(cur).life.contains(d) {
                return Some(cur);
            }
            let &(on, next, m) = self.successor.get(&cur)?;
            if on > d {
                return None;
            }
            if !via.contains(&m) {
                via.push(m);
            }
            cur = next;
        }
        None
    }

    /// Is `a` above `b` (its parent, or its parent's parent…) on `d`?
    fn above(&self, a: B, b: B, d: Date) -> bool {
        let mut cur = b;
        for _ in 0..16 {
            let Some(p) = self
                .reg
                .parents
                .iter()
                .find(|p| p.child.0 as usize == cur && p.during.contains(d))
            else {
                return false;
            };
            cur = p.parent.0 as usize;
            if cur == a {
                return true;
            }
        }
        false
    }

    /// The practices of `b`'s footprint on `d`: its members and its descendants' members.
    fn footprint(&self, b: B, d: Date) -> BTreeSet<String> {
        self.reg
            .memberships
            .iter()
            .filter(|m| {
                m.during.contains(d)
                    && (m.body.0 as usize == b || self.above(b, m.body.0 as usize, d))
            })
            .map(|m| self.reg.practices[m.practice.0 as usize].code.to_string())
            .collect()
    }

    /// The practices in an area on `d`.
    fn members(&self, a: &Area, d: Date) -> BTreeSet<String> {
        let mut out = a.practices.clone();
        for &b in &a.bodies {
            out.extend(self.footprint(b, d));
        }
        out
    }

    /// Named area `id` on `d`: its parts, a footprint standing for the body with that code,
    /// or the one a merger carried it into (docs/language.md, "Answering `who`").
    fn named_area(&self, id: &str, d: Date) -> Area {
        // A named area's parts name no `own`; the body passed for it is never read.
        self.area(Some(&AreaExpr::Named(id.into())), 0, d)
    }

    /// Do two areas share anything on `d`: a practice, or a body at, above or under one of
    /// the other's?
    fn meets(&self, a: &Area, b: &Area, d: Date) -> bool {
        if a.england || b.england {
            return true;
        }
        let related = |x: B, y: B| x == y || self.above(x, y, d) || self.above(y, x, d);
        a.bodies
            .iter()
            .any(|&x| b.bodies.iter().any(|&y| related(x, y)))
            || !self.members(a, d).is_disjoint(&self.members(b, d))
    }

    /// Is all of `child` inside `outer` on `d`? A body's area is inside another's when it
    /// is that body or sits under it; a practice, when it is a member.
    fn contains(&self, outer: &Area, child: &Area, d: Date) -> bool {
        if outer.england {
            return true;
        }
        if child.england {
            return false;
        }
        let members = self.members(outer, d);
        child
            .bodies
            .iter()
            .all(|&b| outer.bodies.iter().any(|&o| o == b || self.above(o, b, d)))
            && child.practices.iter().all(|p| members.contains(p))
    }

    /// An area expression on `d`, with `own` meaning `own`'s footprint.
    fn area(&self, e: Option<&AreaExpr>, own: B, d: Date) -> Area {
        let mut out = Area {
            england: false,
            bodies: BTreeSet::new(),
            practices: BTreeSet::new(),
        };
        self.area_into(e, own, d, &mut out, 0);
        out
    }

    fn area_into(&self, e: Option<&AreaExpr>, own: B, d: Date, out: &mut Area, depth: u32) {
        if depth > 8 {
            return;
        }
        match e {
            None | Some(AreaExpr::Own) => {
                if is_national(self.body(own).kind) {
                    out.england = true;
                } else {
                    out.bodies.insert(own);
                }
            }
            Some(AreaExpr::England) => out.england = true,
            Some(AreaExpr::Footprint(code)) => {
                // The body of that code on `d`, or the one that carries it on after a merger.
                let named = self.body_at(code, d).or_else(|| {
                    (0..self.reg.bodies.len())
                        .filter(|&b| {
                            self.body(b).code == code.as_str() && self.body(b).life.from <= d
                        })
                        .max_by_key(|&b| self.body(b).life.from)
                        .and_then(|b| self.carry(b, d, &mut Vec::new()))
                });
                if let Some(b) = named {
                    out.bodies.insert(b);
                }
            }
            Some(AreaExpr::Practices(ps)) => out.practices.extend(
                ps.iter()
                    .filter(|p| self.reg.practices.iter().any(|a| a.code == **p))
                    .map(|p| p.to_string()),
            ),
            Some(AreaExpr::Named(n)) => {
                if let Some(a) = self.reg.areas.iter().find(|a| a.id == n.as_str()) {
                    self.area_into(Some(&a.expr), own, d, out, depth + 1);
                }
            }
            Some(AreaExpr::Union(parts)) => {
                for p in parts {
                    self.area_into(Some(p), own, d, out, depth + 1);
                }
            }
        }
    }

    fn holding_area(&self, h: &Holding, d: Date) -> Area {
        self.area(h.area.as_ref(), h.own, d)
    }

    /// The bodies a receiver list names over a version, each marked if from `every KIND`.
    fn named(&self, r: &Receivers, v: &Version) -> Named {
        match r {
            // The body with the code on the version's first day; for a version an amendment
            // starts after the body merged, the body as named, which its successor then
            // stands for.
            Receivers::Bodies(codes) => codes
                .iter()
                .filter_map(|c| {
                    self.body_at(c, v.from).or_else(|| {
                        (0..self.reg.bodies.len())
                            .filter(|&b| {
                                self.body(b).code == c.as_str() && self.body(b).life.from <= v.from
                            })
                            .max_by_key(|&b| self.body(b).life.from)
                    })
                })
                .map(|b| (b, false))
                .collect(),
            Receivers::Every(kind) => (0..self.reg.bodies.len())
                .filter(|&b| {
                    self.body(b).kind == *kind
                        && self.body(b).life.overlaps(&Interval::new(v.from, v.until))
                })
                .map(|b| (b, true))
                .collect(),
        }
    }

    /// Statutory holdings made by conferrals (not void, every version, every receiver).
    fn conferred(&self) -> Vec<Holding> {
        let mut out = Vec::new();
        for (i, ins) in self.reg.instruments.iter().enumerate() {
            if ins.kind != InstrumentKind::Conferral {
                continue;
            }
            for (vi, v) in self.versions[i].iter().enumerate() {
                for (ri, (b, _)) in self
                    .named(&ins.terms().receivers, v)
                    .into_iter()
                    .enumerate()
                {
                    let Some(life) = Interval::new(v.from, v.until).intersect(&self.body(b).life)
                    else {
                        continue;
                    };
                    // Split where a body whose footprint the area names ends.
                    let mut t = life.from;
                    loop {
                        let end = self
                            .area(v.area.as_ref(), b, t)
                            .bodies
                            .iter()
                            .filter_map(|&k| self.body(k).life.until)
                            .filter(|&u| u > t && life.until.is_none_or(|l| u < l))
                            .min();
                        for (fi, f) in ins.functions.iter().enumerate() {
                            out.push(Holding {
                                holder: b,
                                accountable: b,
                                role: Role::Statutory,
                                function: f.to_string(),
                                except: ins.particulars().except.clone(),
                                from: t,
                                until: end.or(life.until),
                                instrument: i,
                                area: v.area.clone(),
                                own: b,
                                purposes: v.purposes.clone(),
                                concurrent: false,
                                onward: Onward::Permitted,
                                via: v.via.clone(),
                                parent: None,
                                made: (date(1900, 1, 1), 0, 0, i, vi, ri, 0, fi),
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
        out
    }

    fn is_arrangement(k: InstrumentKind) -> bool {
        matches!(
            k,
            InstrumentKind::Delegation
                | InstrumentKind::JointCommittee
                | InstrumentKind::Partnership
                | InstrumentKind::Direction
                | InstrumentKind::Transfer
        )
    }

    fn rank(k: InstrumentKind) -> u8 {
        match k {
            InstrumentKind::Transfer => 0,
            InstrumentKind::Delegation => 1,
            InstrumentKind::JointCommittee => 2,
            InstrumentKind::Partnership => 3,
            _ => 4,
        }
    }

    /// Receivers and sources of an arrangement's version.
    fn parties(&self, i: I, v: &Version) -> (Named, Named) {
        let ins = self.ins(i);
        let receivers = match (&ins.kind, &ins.particulars().lead) {
            (InstrumentKind::Partnership, Some(lead)) => {
                self.named(&Receivers::Bodies(vec![lead.clone()]), v)
            }
            _ => self.named(&ins.terms().receivers, v),
        };
        let sources = match (&ins.kind, &ins.particulars().of) {
            (
                InstrumentKind::Direction | InstrumentKind::Transfer | InstrumentKind::Partnership,
                Some(of),
            ) => self.named(of, v),
            _ => self.named(
                &Receivers::Bodies(ins.maker.iter().map(|m| m.to_string()).collect()),
                v,
            ),
        };
        (receivers, sources)
    }

    /// Every holding made by arrangements (of every instrument, void or not).
    fn arranged(&self) -> Vec<(Holding, bool)> {
        let mut out = Vec::new();
        for i in 0..self.reg.instruments.len() {
            let ins = self.ins(i);
            if !Self::is_arrangement(ins.kind)
                || (ins.kind == InstrumentKind::Direction && ins.particulars().of.is_none())
            {
                continue;
            }
            for (vi, v) in self.versions[i].iter().enumerate() {
                let (receivers, sources) = self.parties(i, v);
                for (ri, &(r, re)) in receivers.iter().enumerate() {
                    for (si, &(s, se)) in sources.iter().enumerate() {
                        if r == s && ins.kind != InstrumentKind::JointCommittee {
                            continue;
                        }
                        for fi in 0..ins.functions.len() {
                            let p = self.pairing(i, vi, (ri, r, re), (si, s, se), fi);
                            out.extend(p.segments.into_iter().map(|h| (h, p.voids)));
                        }
                    }
                }
            }
        }
        out
    }

    /// The segments of receiver `r` × source `s` × function `fi` of version `vi` of `i`.
    fn pairing(
        &self,
        i: I,
        vi: usize,
        (ri, r, re): (usize, B, bool),
        (si, s, se): (usize, B, bool),
        fi: usize,
    ) -> Pairing {
        let key = (i, vi, r, s, fi);
        if let Some(p) = self.pairings.borrow().get(&key) {
            return p.clone();
        }
        if !self.in_progress.borrow_mut().insert(key) {
            // A cycle: while it is being worked out, it gives nothing.
            self.cuts.set(self.cuts.get() + 1);
            return Pairing::default();
        }
        let cuts = self.cuts.get();
        let p = self.work_out_pairing(i, vi, (ri, r, re), (si, s, se), fi);
        self.in_progress.borrow_mut().remove(&key);
        // What was worked out while a cycle was cut is kept only for this use.
        if self.cuts.get() == cuts {
            self.pairings.borrow_mut().insert(key, p.clone());
        }
        p
    }

    fn work_out_pairing(
        &self,
        i: I,
        vi: usize,
        (ri, r, re): (usize, B, bool),
        (si, s, se): (usize, B, bool),
        fi: usize,
    ) -> Pairing {
        let ins = self.ins(i);
        let v = &self.versions[i][vi];
        let f = ins.functions[fi].to_string();
        let mut during = Interval::new(v.from, v.until);
        for (b, expanded) in [(r, re), (s, se)] {
            if expanded {
                match during.intersect(&self.body(b).life) {
                    Some(d) => during = d,
                    None => return Pairing::default(),
                }
            }
        }
        let expanded = re || se;
        let mut out = Pairing::default();
        let mut t = during.from;
        let mut first = true;
        loop {
            let mut via = v.via.clone();
            let Some(holder) = self.carry(r, t, &mut via) else {
                // The receiver does not exist (an error on the first day) or was abolished
                // with no successor (an orphan).
                out.voids |= first;
                break;
            };
            let Some(source) = self.carry(s, t, &mut via) else {
                break;
            };
            let own = if ins.kind == InstrumentKind::Delegation {
                holder
            } else {
                source
            };
            let area = self.area(v.area.as_ref(), own, t);
            let Some(parent) = self.find_parent(source, &f, &area, t, i) else {
                out.voids |= first && !expanded;
                break;
            };
            let maker_is_source = ins
                .maker
                .as_ref()
                .and_then(|m| self.body_at(m, ins.from))
                .and_then(|m| self.carry(m, t, &mut Vec::new()))
                == Some(source);
            if maker_is_source
                && parent.role != Role::Statutory
                && parent.onward == Onward::Forbidden
                && matches!(
                    ins.kind,
                    InstrumentKind::Delegation
                        | InstrumentKind::JointCommittee
                        | InstrumentKind::Partnership
                )
            {
                out.voids = true;
                break;
            }
            if !parent.purposes.is_empty()
                && (v.purposes.is_empty()
                    || v.purposes.iter().any(|p| !parent.purposes.contains(p)))
            {
                out.voids = true;
                break;
            }
            // The segment ends with the instrument, the holding it rests on, the holder, the
            // source, or a body whose footprint its area names (which a successor may then
            // stand for).
            let footprints = area
                .bodies
                .iter()
                .map(|&b| self.body(b).life.until)
                .filter(|u| u.is_none_or(|u| u > t));
            let end = [
                parent.until,
                self.body(holder).life.until,
                self.body(source).life.until,
            ]
            .into_iter()
            .chain(footprints)
            .fold(during.until, min_until);
            let (role, accountable, concurrent) = match ins.kind {
                InstrumentKind::Delegation => (Role::Delegate, parent.accountable, ins.concurrent),
                InstrumentKind::JointCommittee => {
                    (Role::JointMember, parent.accountable, ins.concurrent)
                }
                InstrumentKind::Partnership => {
                    (Role::LeadPartner, parent.accountable, ins.concurrent)
                }
                InstrumentKind::Transfer => (Role::Statutory, holder, false),
                _ if ins.concurrent => (Role::Concurrent, parent.accountable, true),
                _ => (Role::Directed, parent.accountable, false),
            };
            out.segments.push(Holding {
                holder,
                accountable,
                role,
                function: f.clone(),
                except: ins.particulars().except.clone(),
                from: t,
                until: end,
                instrument: i,
                area: v.area.clone(),
                own,
                purposes: v.purposes.clone(),
                concurrent,
                onward: ins.onward,
                via,
                parent: Some(Box::new(parent)),
                made: (t, 1, Self::rank(ins.kind), i, vi, ri, si, fi),
            });
            match end {
                Some(e) if during.until.is_none_or(|u| e < u) => {
                    t = e;
                    first = false;
                }
                _ => break,
            }
        }
        out
    }

    /// Is instrument `i` void? Changers by their targets; arrangements by their pairings.
    fn void(&self, i: I) -> bool {
        if self.changer_void[i] {
            return true;
        }
        let ins = self.ins(i);
        // An instrument made by a body that did not exist on its first day is void.
        if ins.kind != InstrumentKind::Abolish
            && ins
                .maker
                .as_ref()
                .is_some_and(|m| self.body_at(m, ins.from).is_none())
        {
            return true;
        }
        if !Self::is_arrangement(ins.kind) {
            return false;
        }
        if let Some(&v) = self.void_memo.borrow().get(&i) {
            return v;
        }
        if !self.void_in_progress.borrow_mut().insert(i) {
            self.cuts.set(self.cuts.get() + 1);
            return false;
        }
        let cuts = self.cuts.get();
        let mut void = false;
        'all: for (vi, v) in self.versions[i].iter().enumerate() {
            let (receivers, sources) = self.parties(i, v);
            for (ri, &(r, re)) in receivers.iter().enumerate() {
                for (si, &(s, se)) in sources.iter().enumerate() {
                    if r == s && ins.kind != InstrumentKind::JointCommittee {
                        continue;
                    }
                    for fi in 0..ins.functions.len() {
                        if self.pairing(i, vi, (ri, r, re), (si, s, se), fi).voids {
                            void = true;
                            break 'all;
                        }
                    }
                }
            }
        }
        self.void_in_progress.borrow_mut().remove(&i);
        if self.cuts.get() == cuts {
            self.void_memo.borrow_mut().insert(i, void);
        }
        void
    }

    /// Every holding of `b` in force on `d`, from instruments that are not void.
    fn holdings_of(&self, b: B, d: Date, not_from: I) -> Vec<Holding> {
        let mut out: Vec<Holding> = self
            .conferred()
            .into_iter()
            .filter(|h| h.holder == b && h.live(d))
            .collect();
        for i in 0..self.reg.instruments.len() {
            if i == not_from || !Self::is_arrangement(self.ins(i).kind) {
                continue;
            }
            for (vi, v) in self.versions[i].iter().enumerate() {
                let (receivers, sources) = self.parties(i, v);
                for (ri, &(r, re)) in receivers.iter().enumerate() {
                    // Only the receivers that stand for `b` on `d`.
                    if self.carry(r, d, &mut Vec::new()) != Some(b) {
                        continue;
                    }
                    for (si, &(s, se)) in sources.iter().enumerate() {
                        if r == s && self.ins(i).kind != InstrumentKind::JointCommittee {
                            continue;
                        }
                        for fi in 0..self.ins(i).functions.len() {
                            let p = self.pairing(i, vi, (ri, r, re), (si, s, se), fi);
                            out.extend(
                                p.segments
                                    .into_iter()
                                    .filter(|h| h.holder == b && h.live(d)),
                            );
                        }
                    }
                }
            }
        }
        out.retain(|h| !self.void(h.instrument));
        out
    }

    /// The holding of `source` on `t` an arrangement rests on: covering `f` over all of
    /// `area`; statutory first, then exclusive, then concurrent; the earliest made.
    fn find_parent(
        &self,
        source: B,
        f: &str,
        area: &Area,
        t: Date,
        not_from: I,
    ) -> Option<Holding> {
        self.holdings_of(source, t, not_from)
            .into_iter()
            .filter(|h| covers(&h.function, f) && !h.except.iter().any(|x| covers(x, f)))
            .filter(|h| self.contains(&self.holding_area(h, t), area, t))
            .min_by_key(|h| {
                let rank = match (h.role, h.concurrent) {
                    (Role::Statutory, _) => 0,
                    (_, false) => 1,
                    (_, true) => 2,
                };
                (rank, h.made)
            })
    }

    /// Who holds `f` at practice `p` on `d`, for `purpose`.
    /// How much of `place` on `d` an area covers: all of it, part of it, or none.
    fn coverage(&self, a: &Area, place: &Asked, d: Date) -> Option<Coverage> {
        match place {
            Asked::Practice(p) => {
                (a.england || self.members(a, d).contains(p)).then_some(Coverage::Full)
            }
            // Only holdings over all England answer for England.
            Asked::England => a.england.then_some(Coverage::Full),
            // All of the named area (every part inside the holding's area), or part of it.
            Asked::Area(id) => {
                let n = self.named_area(id, d);
                if self.contains(a, &n, d) {
                    return Some(Coverage::Full);
                }
                self.meets(a, &n, d).then_some(Coverage::Partial)
            }
            Asked::Body(y) => {
                let whole = Area {
                    england: false,
                    bodies: BTreeSet::from([*y]),
                    practices: BTreeSet::new(),
                };
                if self.contains(a, &whole, d) {
                    return Some(Coverage::Full);
                }
                let inside = self.footprint(*y, d);
                let part = a.bodies.iter().any(|&b| self.above(*y, b, d))
                    || a.practices.iter().any(|p| inside.contains(p));
                part.then_some(Coverage::Partial)
            }
        }
    }

    /// The holdings that answer for `f` at `place` on `d`, for `purpose`, from the place's
    /// own extent (before a larger place is asked part by part), and the bodies
    /// accountable only.
    fn held(
        &self,
        f: &str,
        place: &Asked,
        d: Date,
        purpose: Option<&str>,
    ) -> (Vec<(Holding, Coverage)>, BTreeSet<String>) {
        let mut all: Vec<Holding> = self.conferred();
        all.extend(self.arranged().into_iter().map(|(h, _)| h));
        let candidates: Vec<(Holding, Coverage)> = all
            .into_iter()
            .filter(|h| !self.void(h.instrument) && h.live(d))
            // A holding of the function or one above it (not excepting it), or of a part of
            // it, which answers for that part.
            .filter(|h| {
                (covers(&h.function, f) || covers(f, &h.function))
                    && !h.except.iter().any(|x| covers(x, f))
            })
            .filter_map(|h| {
                let c = self.coverage(&self.holding_area(&h, d), place, d)?;
                Some((h, c))
            })
            .collect();
        // Only a holding made from another over all of the place, and for all of what is
        // asked of that one (the function asked, or the other's own function when that is a
        // part of it), takes it over there.
        let shadowed: Vec<&Holding> = candidates
            .iter()
            .filter(|(h, c)| *c == Coverage::Full && !h.concurrent && h.purposes.is_empty())
            .filter_map(|(h, _)| h.parent.as_deref().map(|p| (h, p)))
            .filter(|(h, p)| {
                let asked = if covers(&p.function, f) {
                    f
                } else {
                    &p.function
                };
                covers(&h.function, asked)
            })
            .map(|(_, p)| p)
            .filter(|p| candidates.iter().any(|(c, _)| c.same(p)))
            .collect();
        let holders: Vec<(&Holding, Coverage)> = candidates
            .iter()
            .filter(|(h, _)| !shadowed.iter().any(|s| s.same(h)))
            .map(|(h, c)| (h, *c))
            .collect();
        // A holding taken over by one that excepted parts of what is asked still holds
        // those parts (unless another holding made from it takes the part over as well),
        // and answers for each of them as that part.
        let mut retained: Vec<(Holding, Coverage)> = Vec::new();
        for (h, c) in &candidates {
            if *c != Coverage::Full || h.concurrent || !h.purposes.is_empty() || h.except.is_empty()
            {
                continue;
            }
            let Some(p) = h.parent.as_deref() else {
                continue;
            };
            let Some((taken_over, pc)) = candidates.iter().find(|(x, _)| x.same(p)) else {
                continue;
            };
            let asked = if covers(&p.function, f) {
                f
            } else {
                &p.function
            };
            if !covers(&h.function, asked) {
                continue;
            }
            for x in &h.except {
                if !covers(asked, x) || taken_over.except.iter().any(|y| covers(y, x)) {
                    continue;
                }
                let taken = candidates.iter().any(|(o, oc)| {
                    !o.same(h)
                        && *oc == Coverage::Full
                        && !o.concurrent
                        && o.purposes.is_empty()
                        && o.parent.as_deref().is_some_and(|q| q.same(p))
                        && covers(&o.function, x)
                        && !o.except.iter().any(|y| covers(y, x))
                });
                let again = retained
                    .iter()
                    .any(|(r, _)| r.made == taken_over.made && r.function == *x);
                if !taken && !again {
                    let mut part = taken_over.clone();
                    part.function = x.clone();
                    part.except = Vec::new();
                    retained.push((part, *pc));
                }
            }
        }
        let code = |b: B| self.body(b).code.clone();
        let accountable_only: BTreeSet<String> = shadowed
            .iter()
            .map(|s| s.holder)
            .filter(|&b| {
                holders.iter().any(|(h, _)| h.accountable == b)
                    && !holders.iter().any(|(h, _)| h.holder == b)
                    && !retained.iter().any(|(h, _)| h.holder == b)
            })
            .map(code)
            .collect();
        // A holding reached twice (the same body holding the same function by the same
        // instrument, in the same role, for the same accountable body, purposes and
        // concurrency: a delegation to a body and to a predecessor it took over) is one
        // holder: the one covering the most of the place, then the earliest made.
        let mut holders = holders;
        holders.sort_by(|(a, ca), (b, cb)| {
            (*ca != Coverage::Full, a.made).cmp(&(*cb != Coverage::Full, b.made))
        });
        let mut kept: Vec<(&Holding, Coverage)> = Vec::new();
        for (h, c) in holders {
            let again = kept.iter().any(|(k, _)| one_holding(k, h));
            if !again {
                kept.push((h, c));
            }
        }
        let answered: Vec<(&Holding, Coverage)> = kept
            .into_iter()
            .chain(retained.iter().map(|(h, c)| (h, *c)))
            .filter(|(h, _)| {
                purpose.is_none_or(|p| h.purposes.is_empty() || h.purposes.iter().any(|x| x == p))
            })
            .collect();
        let answered = answered.into_iter().map(|(h, c)| (h.clone(), c)).collect();
        (answered, accountable_only)
    }

    /// Who holds `f` at `place` on `d`, for `purpose`. A place larger than a practice that
    /// has practices is answered part by part (docs/language.md, "Who holds it"): each of
    /// its practices is asked; a holding met at every practice covers all of it, one met
    /// at some covers part (with how many), and one that answers for all of it but is met
    /// at none (delegated everywhere) leaves its holder accountable only; practices with
    /// no holder, and practices whose record is unsettled, get one caveat each.
    fn who(&self, f: &str, place: &Asked, d: Date, purpose: Option<&str>) -> RefAnswer {
        let place = &self.standing_for(place, d);
        let (held, mut accountable_only) = self.held(f, place, d, purpose);
        let practices = self.practices_of(place, d);
        let code = |b: B| self.body(b).code.clone();
        let render = |h: &Holding, coverage: Coverage, practices: Option<u32>| RefHolder {
            body: code(h.holder),
            role: h.role,
            accountable: code(h.accountable),
            function: h.function.clone(),
            full: coverage == Coverage::Full,
            practices,
            from: h.from,
            until: h.until,
            purposes: h.purposes.clone(),
            proof: self.proof(h),
            holdings: Vec::new(),
        };
        if practices.is_empty() {
            let refs: Vec<(&Holding, Coverage)> = held.iter().map(|(h, c)| (h, *c)).collect();
            let caveats = self.caveats(f, place, d, &refs);
            return RefAnswer {
                holders: held.iter().map(|(h, c)| render(h, *c, None)).collect(),
                accountable_only,
                caveats,
            };
        }
        let of = practices.len() as u32;
        // Each holding met at a settled practice, with how many it is met at.
        let mut met: Vec<(Holding, u32)> = Vec::new();
        // The settled practices nobody holds it at, and the unsettled ones, in order.
        let (mut unheld, mut unsettled): (Vec<String>, Vec<String>) = (Vec::new(), Vec::new());
        let mut candidates: BTreeSet<String> = BTreeSet::new();
        let mut sources: Vec<String> = Vec::new();
        // For each settled practice, the rows (body, role, accountable body, function,
        // purposes) met there.
        let mut met_rows: Vec<BTreeSet<RowKey>> = Vec::new();
        for p in &practices {
            let at = Asked::Practice(p.clone());
            let (here, _) = self.held(f, &at, d, purpose);
            let refs: Vec<(&Holding, Coverage)> = here.iter().map(|(h, c)| (h, *c)).collect();
            let said = self.record_caveats(f, p, d, &refs);
            if said.is_empty() {
                for (h, _) in &here {
                    match met.iter_mut().find(|(k, _)| one_holding(k, h)) {
                        Some(m) => m.1 += 1,
                        None => met.push((h.clone(), 1)),
                    }
                }
                met_rows.push(here.iter().map(|(h, _)| row_key(h)).collect());
            }
            if !said.is_empty() {
                unsettled.push(p.clone());
                for c in said {
                    candidates.extend(c.candidates);
                    if !c.source.is_empty() && !sources.contains(&c.source) {
                        sources.push(c.source);
                    }
                }
            } else if here.is_empty() {
                unheld.push(p.clone());
            }
        }
        let settled = of - unsettled.len() as u32;
        // Met at every settled practice: all of the place.
        let coverage = |n: u32| {
            if n == settled {
                Coverage::Full
            } else {
                Coverage::Partial
            }
        };
        let mut answered: Vec<(Holding, Coverage, u32)> = Vec::new();
        let mut delegated_everywhere = Vec::new();
        let mut matched = vec![false; met.len()];
        for (h, c) in held {
            let at = met.iter().position(|(k, _)| one_holding(k, &h));
            if let Some(i) = at {
                matched[i] = true;
            }
            let n = at.map_or(0, |i| met[i].1);
            if c == Coverage::Full && n == 0 && settled > 0 {
                delegated_everywhere.push(h.holder);
                continue;
            }
            answered.push((h, coverage(n), n));
        }
        for (i, (h, n)) in met.into_iter().enumerate() {
            if !matched[i] {
                answered.push((h, coverage(n), n));
            }
        }
        for b in delegated_everywhere {
            if !answered.iter().any(|(h, _, _)| h.holder == b) {
                accountable_only.insert(code(b));
            }
        }
        let refs: Vec<(&Holding, Coverage)> = answered.iter().map(|(h, c, _)| (h, *c)).collect();
        let mut caveats = self.caveats(f, place, d, &refs);
        // Each names every practice it concerns (docs/data.md, "Caveats").
        let named = |ps: &[String]| RefPart {
            practices: ps.len() as u32,
            of,
            area: ps.iter().map(|p| format!("practice {p}")).collect(),
        };
        if !unheld.is_empty() {
            caveats.push(
                RefCaveat::new("no-holder", NO_HOLDER_SOURCE, Vec::new()).with_part(named(&unheld)),
            );
        }
        if !unsettled.is_empty() {
            caveats.push(
                // The first practice's source, and how many more (docs/data.md, "Caveats").
                RefCaveat::new(
                    "incomplete-record",
                    &match sources.len() {
                        0 | 1 => sources.join(""),
                        n => format!(
                            "{}; and {} more, one for each practice (ask about a practice for its own)",
                            sources[0],
                            n - 1
                        ),
                    },
                    candidates.into_iter().collect(),
                )
                .with_part(named(&unsettled)),
            );
        }
        // One row for each body in each role, for each accountable body, function and
        // purposes: a row of several holdings covers the practices any of them holds at,
        // from the last of their first days to the first of their ends, with each
        // holding's own proof, part and days.
        type Member<'m> = &'m (Holding, Coverage, u32);
        let mut rows: Vec<(RowKey, Vec<Member>)> = Vec::new();
        for a in &answered {
            let key = row_key(&a.0);
            match rows.iter_mut().find(|(k, _)| *k == key) {
                Some((_, members)) => members.push(a),
                None => rows.push((key, vec![a])),
            }
        }
        let holders = rows
            .iter()
            .map(|(key, members)| {
                if let [(h, c, n)] = members[..] {
                    return render(h, *c, (*c == Coverage::Partial).then_some(*n));
                }
                let union = met_rows.iter().filter(|ks| ks.contains(key)).count() as u32;
                let (h, _, _) = members[0];
                let mut row = render(h, coverage(union), None);
                row.practices = (union != settled).then_some(union);
                row.proof = Vec::new();
                row.from = members
                    .iter()
                    .map(|(m, _, _)| m.from)
                    .max()
                    .unwrap_or(h.from);
                row.until = members
                    .iter()
                    .map(|(m, _, _)| m.until)
                    .fold(None, min_until);
                row.holdings = members
                    .iter()
                    .map(|(m, _, n)| {
                        (
                            self.proof(m),
                            (*n != settled).then_some(*n),
                            m.from,
                            m.until,
                        )
                    })
                    .collect();
                row.holdings.sort();
                row
            })
            .collect();
        RefAnswer {
            holders,
            accountable_only,
            caveats,
        }
    }

    /// The place a question about `place` on `d` is about: a body with no footprint on `d`
    /// (no practice placed in it or in a body under it, and no body under it) stands for the
    /// named area with its code, if there is one (docs/language.md, "Answering `who`").
    fn standing_for(&self, place: &Asked, d: Date) -> Asked {
        if let Asked::Body(y) = place {
            let code = self.body(*y).code.as_str();
            let under = self
                .reg
                .parents
                .iter()
                .any(|p| p.parent.0 as usize == *y && p.during.contains(d));
            if !under
                && self.footprint(*y, d).is_empty()
                && self.reg.areas.iter().any(|a| a.id == code)
            {
                return Asked::Area(code.to_string());
            }
        }
        place.clone()
    }

    /// The practices of a place larger than a practice on `d`, in register order
    /// (docs/language.md, "A larger place, part by part"): England's are those placed in some
    /// body and those inside an unsettled stretch; a body's footprint's are its members and
    /// its descendants' members, and those inside an unsettled stretch naming as a candidate
    /// commissioner the body with that code on `d` or a body under it; a named area's are
    /// those of its parts. None for a practice.
    fn practices_of(&self, place: &Asked, d: Date) -> Vec<String> {
        let unsettled_in = |b: B, p: usize| {
            self.reg.unknown_memberships.iter().any(|u| {
                u.practice.0 as usize == p
                    && u.during.contains(d)
                    && u.candidates.iter().any(|c| {
                        self.body_at(c, d)
                            .is_some_and(|cb| cb == b || self.above(b, cb, d))
                    })
            })
        };
        let in_england = |p: usize| {
            self.reg
                .memberships
                .iter()
                .any(|m| m.practice.0 as usize == p && m.during.contains(d))
                || self
                    .reg
                    .unknown_memberships
                    .iter()
                    .any(|u| u.practice.0 as usize == p && u.during.contains(d))
        };
        // All England, or the footprints of some bodies (with what they may hold) and some
        // practices.
        let (england, bodies, members): (bool, Vec<B>, BTreeSet<String>) = match place {
            Asked::Practice(_) => return Vec::new(),
            Asked::England => (true, Vec::new(), BTreeSet::new()),
            Asked::Body(y) => (false, vec![*y], self.footprint(*y, d)),
            Asked::Area(id) => {
                let n = self.named_area(id, d);
                let members = self.members(&n, d);
                (n.england, n.bodies.into_iter().collect(), members)
            }
        };
        self.reg
            .practices
            .iter()
            .enumerate()
            .filter(|(p, a)| {
                if england {
                    in_england(*p)
                } else {
                    members.contains(a.code.as_str()) || bodies.iter().any(|&b| unsettled_in(b, *p))
                }
            })
            .map(|(_, a)| a.code.to_string())
            .collect()
    }

    /// The caveats on an answer about `f` at `place` on `d` with these holders (docs/data.md,
    /// "Caveats"; docs/language.md, "Where the register's knowledge ends").
    fn caveats(
        &self,
        f: &str,
        place: &Asked,
        d: Date,
        holders: &[(&Holding, Coverage)],
    ) -> Vec<RefCaveat> {
        let mut out = Vec::new();
        // The coverage statement, when the register makes one.
        if !self.reg.coverage.is_empty() {
            let mut complete = false;
            let mut meeting = Vec::new();
            for row in &self.reg.coverage {
                let above = covers(&row.function, f);
                if !row.during.contains(d) || !(above || covers(f, &row.function)) {
                    continue;
                }
                let (all, meets) = match &row.area {
                    None => (true, true),
                    Some(code) => match self.body_at(code, d) {
                        Some(b) => self.area_meets(b, place, d),
                        None => (false, false),
                    },
                };
                if row.complete {
                    complete |= above && all;
                } else if meets {
                    meeting.push(row);
                }
            }
            // A function made of parts is complete where each of its parts is.
            complete = complete || self.complete_by_parts(f, place, d);
            let mut incomplete = self.incomplete_rows(&meeting, place, d);
            if incomplete.is_empty() && !complete {
                incomplete.push(RefCaveat::new(
                    "outside-coverage",
                    "data/coverage.csv",
                    Vec::new(),
                ));
            }
            out.extend(incomplete);
        }
        // Holdings resting on an instrument marked "to confirm", each instrument once: a
        // caveat each at a practice, one for them all at a larger place, citing the source
        // of the first by id and counting the rest (docs/data.md, "Caveats").
        let mut seen = BTreeSet::new();
        let mut marked_sources: BTreeMap<String, String> = BTreeMap::new();
        for (h, _) in holders {
            for id in self.proof(h) {
                let Some(ins) = self.reg.instruments.iter().find(|i| i.id == id.as_str()) else {
                    continue;
                };
                let marked = |t: &Option<String>| {
                    t.as_deref()
                        .is_some_and(|t| t.to_lowercase().contains("to confirm"))
                };
                if (marked(&ins.terms().source) || marked(&ins.terms().basis))
                    && seen.insert(id.clone())
                {
                    let source = ins
                        .terms()
                        .source
                        .clone()
                        .or_else(|| ins.terms().basis.clone())
                        .unwrap_or_default();
                    marked_sources.insert(id.clone(), source);
                }
            }
        }
        match (place, marked_sources.len()) {
            (_, 0) => {}
            (Asked::Practice(_), _) | (_, 1) => out.extend(
                marked_sources
                    .values()
                    .map(|source| RefCaveat::new("to-confirm", source, Vec::new())),
            ),
            (_, n) => {
                let first = marked_sources.values().next().cloned().unwrap_or_default();
                out.push(RefCaveat::new(
                    "to-confirm",
                    &format!(
                        "{first}; and {} more, one for each instrument (`vires explain ID` gives each)",
                        n - 1
                    ),
                    Vec::new(),
                ));
            }
        }
        // A practice's unsettled history: the holders its candidate commissioners would add.
        if let Asked::Practice(p) = place {
            out.extend(self.record_caveats(f, p, d, holders));
        }
        out
    }

    /// The parts of function `f`: the declared functions directly below it (docs/data.md,
    /// "Caveats"), found by their dotted ids.
    fn parts_of(&self, f: &str) -> Vec<String> {
        let below: Vec<&str> = self
            .reg
            .taxonomy
            .iter()
            .map(|(_, d)| d.id.as_str())
            .filter(|g| *g != f && covers(f, g))
            .collect();
        below
            .iter()
            .filter(|g| !below.iter().any(|h| h != *g && covers(h, g)))
            .map(|g| g.to_string())
            .collect()
    }

    /// Whether `f` has parts and a complete row about each part (or above it) holds all of
    /// `place` on `d`, or that part is itself complete by its parts.
    fn complete_by_parts(&self, f: &str, place: &Asked, d: Date) -> bool {
        let parts = self.parts_of(f);
        !parts.is_empty()
            && parts.iter().all(|p| {
                self.reg.coverage.iter().any(|row| {
                    row.complete
                        && row.during.contains(d)
                        && covers(&row.function, p)
                        && match &row.area {
                            None => true,
                            Some(code) => self
                                .body_at(code, d)
                                .is_some_and(|b| self.area_meets(b, place, d).0),
                        }
                }) || self.complete_by_parts(p, place, d)
            })
    }

    /// The caveats of the coverage rows not complete that meet `place` on `d`: one a row at
    /// a practice; at a larger place one for each kind of unknown, the rows about one
    /// function that rest on one source (docs/data.md, "Caveats"), with the part of the place
    /// it concerns: how many of its practices lie in the rows' areas (all, when a row is
    /// about all England) and every area, each once in the statement's order.
    fn incomplete_rows(&self, rows: &[&CoverageRow], place: &Asked, d: Date) -> Vec<RefCaveat> {
        let caveat =
            |row: &CoverageRow| RefCaveat::new("outside-coverage", &row.source, Vec::new());
        if matches!(place, Asked::Practice(_)) {
            return rows.iter().map(|r| caveat(r)).collect();
        }
        let mut kinds: Vec<Vec<&CoverageRow>> = Vec::new();
        for &row in rows {
            match kinds
                .iter_mut()
                .find(|k| k[0].function == row.function && k[0].source == row.source)
            {
                Some(k) => k.push(row),
                None => kinds.push(vec![row]),
            }
        }
        let practices = self.practices_of(place, d);
        kinds
            .into_iter()
            .map(|kind| {
                let mut area: Vec<String> = Vec::new();
                let mut england = false;
                let mut held: BTreeSet<String> = BTreeSet::new();
                for row in &kind {
                    let name = match &row.area {
                        None => {
                            england = true;
                            "England".to_string()
                        }
                        Some(code) => {
                            if let Some(b) = self.body_at(code, d) {
                                held.extend(self.practices_of(&Asked::Body(b), d));
                            }
                            format!("footprint({code})")
                        }
                    };
                    if !area.contains(&name) {
                        area.push(name);
                    }
                }
                let within = practices
                    .iter()
                    .filter(|p| england || held.contains(*p))
                    .count();
                let c = caveat(kind[0]);
                if practices.is_empty() {
                    c
                } else {
                    c.with_part(RefPart {
                        practices: within as u32,
                        of: practices.len() as u32,
                        area,
                    })
                }
            })
            .collect()
    }

    /// Practice `p`'s unsettled stretches on `d`, each with the holders its candidate
    /// commissioners would add to `holders`; none for a stretch every candidate of which
    /// leads to holders already given.
    fn record_caveats(
        &self,
        f: &str,
        p: &str,
        d: Date,
        holders: &[(&Holding, Coverage)],
    ) -> Vec<RefCaveat> {
        let mut out = Vec::new();
        let have: BTreeSet<B> = holders.iter().map(|(h, _)| h.holder).collect();
        for u in &self.reg.unknown_memberships {
            if self.reg.practices[u.practice.0 as usize].code != p || !u.during.contains(d) {
                continue;
            }
            let mut candidates = BTreeSet::new();
            for c in &u.candidates {
                let Some(b) = self.body_at(c, d) else {
                    continue;
                };
                // The holders over all of the candidate's footprint, from its own extent.
                for (h, c) in self.held(f, &Asked::Body(b), d, None).0 {
                    if c == Coverage::Full && !have.contains(&h.holder) {
                        candidates.insert(self.body(h.holder).code.clone());
                    }
                }
            }
            if candidates.is_empty() && !u.candidates.is_empty() {
                continue;
            }
            out.push(RefCaveat::new(
                "incomplete-record",
                &u.source,
                candidates.into_iter().collect(),
            ));
        }
        out
    }

    /// Whether body `b`'s footprint on `d` holds all of the place, and whether it meets it.
    fn area_meets(&self, b: B, place: &Asked, d: Date) -> (bool, bool) {
        match place {
            Asked::Practice(p) => {
                let inside = self.footprint(b, d).contains(p);
                (inside, inside)
            }
            Asked::England => (false, true),
            Asked::Area(id) => {
                let n = self.named_area(id, d);
                let whole = Area {
                    england: false,
                    bodies: BTreeSet::from([b]),
                    practices: BTreeSet::new(),
                };
                (self.contains(&whole, &n, d), self.meets(&whole, &n, d))
            }
            Asked::Body(y) => {
                let all = b == *y || self.above(b, *y, d);
                let shared = !self.footprint(b, d).is_disjoint(&self.footprint(*y, d));
                (all, all || self.above(*y, b, d) || shared)
            }
        }
    }

    /// Instrument ids from statute down to the holding, each once: each holding's
    /// instrument, then the amendments and mergers it rests on.
    fn proof(&self, h: &Holding) -> Vec<String> {
        let mut chain = vec![h];
        while let Some(p) = chain.last().and_then(|c| c.parent.as_deref()) {
            chain.push(p);
        }
        let mut out: Vec<String> = Vec::new();
        for g in chain.iter().rev() {
            for i in std::iter::once(g.instrument).chain(g.via.iter().copied()) {
                let id = self.ins(i).id.to_string();
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        out
    }
}

/// May `body` exercise the function at the place for `purpose` (docs/language.md, "Answering
/// `who`"), given `who`'s answer there without a purpose: when it is among those holders,
/// covering all of the place, by a holding without purposes or with the purpose asked. With
/// that answer's caveats.
fn may_from(
    plain: &RefAnswer,
    body: &str,
    f: &str,
    purpose: Option<&str>,
) -> (bool, Vec<RefCaveat>) {
    let allowed = plain.holders.iter().any(|h| {
        h.body == body
            // A holding of a part of the function is not a holding of all of it.
            && covers(&h.function, f)
            && h.full
            && (h.purposes.is_empty() || purpose.is_some_and(|p| h.purposes.iter().any(|x| x == p)))
    });
    (allowed, plain.caveats.clone())
}

/// Whether two holdings are one: the same body holding the same function by the same
/// instrument, in the same role, for the same accountable body, purposes and concurrency
/// (a delegation to a body and to a predecessor it took over).
fn one_holding(k: &Holding, h: &Holding) -> bool {
    k.holder == h.holder
        && k.role == h.role
        && k.accountable == h.accountable
        && k.function == h.function
        && k.instrument == h.instrument
        && k.purposes == h.purposes
        && k.concurrent == h.concurrent
}

/// What makes two holdings one row over a larger place: the same body, role, accountable
/// body, function and purposes.
type RowKey = (B, Role, B, String, Vec<String>);

fn row_key(h: &Holding) -> RowKey {
    (
        h.holder,
        h.role,
        h.accountable,
        h.function.clone(),
        h.purposes.clone(),
    )
}

/// The source of the caveat naming a larger place's practices that nobody holds a function
/// for (docs/language.md).
const NO_HOLDER_SOURCE: &str =
    "the register's practices and instruments (`vires gaps` lists each day)";

/// The place a question asks about.
#[derive(Debug, Clone)]
enum Asked {
    Practice(String),
    Body(B),
    /// A named area, by id.
    Area(String),
    England,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RefHolder {
    body: String,
    role: Role,
    accountable: String,
    function: String,
    /// Whether the holding covers all of the place (else part of it).
    full: bool,
    /// For part of a place larger than a practice: at how many of its practices.
    practices: Option<u32>,
    from: Date,
    until: Option<Date>,
    purposes: Vec<String>,
    /// The proof; empty for a row gathering several holdings, whose proofs are in `holdings`.
    proof: Vec<String>,
    /// A row over a larger place gathering several holdings: each one's proof, the
    /// practices it holds at (none when all), and its days, in order.
    holdings: Vec<RefHeld>,
}

/// One holding a row gathers: its proof, the practices it holds at (none when all of the
/// place), and its first day and end.
type RefHeld = (Vec<String>, Option<u32>, Date, Option<Date>);

#[derive(Debug, Clone, PartialEq, Eq)]
struct RefAnswer {
    holders: Vec<RefHolder>,
    accountable_only: BTreeSet<String>,
    caveats: Vec<RefCaveat>,
}

/// A caveat as compared: its kind, the source of the statement it comes from, and the
/// candidates it names (the message is the same facts in words).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RefCaveat {
    kind: String,
    source: String,
    candidates: Vec<String>,
    /// At a place larger than a practice: how many of its practices the caveat concerns,
    /// of how many, and every area or practice it names.
    part: Option<RefPart>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
struct RefPart {
    practices: u32,
    of: u32,
    area: Vec<String>,
}

impl RefCaveat {
    fn new(kind: &str, source: &str, candidates: Vec<String>) -> Self {
        RefCaveat {
            kind: kind.into(),
            source: source.into(),
            candidates,
            part: None,
        }
    }

    fn with_part(mut self, part: RefPart) -> Self {
        self.part = Some(part);
        self
    }

    /// The engine's caveat, as compared.
    fn of(c: &vires_core::Caveat) -> Self {
        RefCaveat {
            kind: c.kind.as_str().into(),
            source: c.source.clone(),
            candidates: c.candidates.clone(),
            part: c.part.as_ref().map(|p| RefPart {
                practices: p.practices,
                of: p.of,
                area: p.area.clone(),
            }),
        }
    }
}

fn engine_answer(w: &WhoAnswer) -> RefAnswer {
    RefAnswer {
        holders: w
            .holders
            .iter()
            .map(|h| RefHolder {
                body: h.body.to_string(),
                role: h.role,
                accountable: h.accountable.to_string(),
                function: h.function.to_string(),
                full: h.coverage == Coverage::Full,
                practices: h.part.as_ref().map(|p| p.practices),
                from: h.from,
                until: h.until,
                purposes: h.purposes.clone(),
                proof: if h.holdings.is_empty() {
                    ids(&h.proof)
                } else {
                    // The row's proof is its first holding's.
                    assert_eq!(h.proof, h.holdings[0].proof, "a gathered row's proof");
                    Vec::new()
                },
                holdings: {
                    let mut all: Vec<_> = h
                        .holdings
                        .iter()
                        .map(|x| {
                            (
                                ids(&x.proof),
                                x.part.as_ref().map(|p| p.practices),
                                x.from,
                                x.until,
                            )
                        })
                        .collect();
                    all.sort();
                    all
                },
            })
            .collect(),
        accountable_only: w.accountable_only.iter().cloned().collect(),
        caveats: w.caveats.iter().map(RefCaveat::of).collect(),
    }
}

fn ids(proof: &[std::sync::Arc<ProofStep>]) -> Vec<String> {
    proof.iter().map(|s| s.instrument.clone()).collect()
}

fn sorted(mut a: RefAnswer) -> RefAnswer {
    a.holders.sort();
    a.caveats.sort();
    a
}

// ---------------------------------------------------------------------------------------
// Generated registers.
// ---------------------------------------------------------------------------------------

const FUNCTIONS: [&str; 6] = [
    "commissioning",
    "commissioning.secondary-care",
    "commissioning.secondary-care.acute",
    "commissioning.primary-care",
    "commissioning.primary-care.medical",
    "commissioning.primary-care.medical.performers",
];
const PURPOSES: [&str; 2] = ["p1", "p2"];
/// Bodies an arrangement may name: X24 (NHS England), the ICB, CCGs C0..C3, the local
/// authority L1.
const PARTIES: [&str; 7] = ["X24", "Q1", "C0", "C1", "C2", "C3", "L1"];
const MERGE_DAY: i64 = 1096; // 2016-04-01
/// Bodies asked about as places, after the practices.
const BODY_PLACES: [&str; 5] = ["Q1", "C0", "C1", "C2", "C3"];

fn d0() -> Date {
    date(2013, 4, 1)
}

fn day(n: i64) -> Date {
    d0().checked_add(n.days()).unwrap_or(d0())
}

#[derive(Debug, Clone)]
enum GenArea {
    Own,
    England,
    Footprint(usize),
    Practices(Vec<usize>),
    Named,
    Union(usize, usize),
}

#[derive(Debug, Clone)]
struct GenArrangement {
    kind: u8,
    maker: usize,
    receivers: Vec<usize>,
    of: usize,
    every: bool,
    function: usize,
    except: bool,
    area: GenArea,
    from: i64,
    len: Option<i64>,
    purposes: Vec<usize>,
    concurrent: bool,
    onward: bool,
}

#[derive(Debug, Clone)]
struct GenChange {
    /// 0..arrangements: that one; then the conferrals; then an id that names nothing.
    target: usize,
    at: i64,
    revoke: bool,
    until: Option<i64>,
    purposes: Option<Vec<usize>>,
    area: Option<GenArea>,
}

#[derive(Debug, Clone)]
struct Spec {
    /// Which CCGs merge into C3 on MERGE_DAY.
    merge: Vec<usize>,
    /// Practice i: its CCG and the day it joins.
    practices: Vec<(usize, i64)>,
    arrangements: Vec<GenArrangement>,
    changes: Vec<GenChange>,
    noise: Vec<(u8, i64)>,
    knowledge: GenKnowledge,
}

/// What the register says of its own knowledge: a coverage statement (or none), stretches of
/// practices' histories the sources do not settle, and arrangements whose source is marked
/// "to confirm".
#[derive(Debug, Clone, Default)]
struct GenKnowledge {
    coverage: Option<Vec<GenRow>>,
    /// (practice, first day, length, candidate CCGs).
    unknown: Vec<(usize, i64, Option<i64>, Vec<usize>)>,
    /// Arrangements (by number) whose source says "to confirm".
    to_confirm: Vec<usize>,
}

#[derive(Debug, Clone)]
struct GenRow {
    function: usize,
    from: i64,
    len: Option<i64>,
    /// A body of BODY_PLACES, or all England.
    area: Option<usize>,
    complete: bool,
}

fn gen_area(practices: usize) -> impl Strategy<Value = GenArea> {
    prop_oneof![
        3 => Just(GenArea::Own),
        1 => Just(GenArea::England),
        2 => (0usize..4).prop_map(GenArea::Footprint),
        1 => prop::collection::vec(0..practices, 1..3).prop_map(GenArea::Practices),
        1 => Just(GenArea::Named),
        1 => (0usize..4, 0usize..4).prop_map(|(a, b)| GenArea::Union(a, b)),
    ]
}

fn spec() -> impl Strategy<Value = Spec> {
    (2usize..7).prop_flat_map(|n_practices| {
        let arrangement = (
            (
                0u8..5,
                0usize..4,
                prop::collection::vec(0usize..PARTIES.len(), 1..3),
                0usize..6,
            ),
            (
                any::<bool>(),
                0usize..FUNCTIONS.len(),
                prop::bool::weighted(0.2),
                gen_area(n_practices),
            ),
            (
                0i64..2500,
                prop::option::of(30i64..1500),
                prop::collection::vec(0usize..2, 0..2),
            ),
            (any::<bool>(), any::<bool>()),
        )
            .prop_map(
                |(
                    (kind, maker, receivers, of),
                    (every, function, except, area),
                    (from, len, purposes),
                    (concurrent, onward),
                )| {
                    GenArrangement {
                        kind,
                        maker,
                        receivers,
                        of,
                        every,
                        function,
                        except,
                        area,
                        from,
                        len,
                        purposes,
                        concurrent,
                        onward,
                    }
                },
            );
        let change = (
            0usize..10,
            0i64..2800,
            prop::bool::weighted(0.4),
            prop::option::of(0i64..2800),
            prop::option::of(prop::collection::vec(0usize..2, 1..3)),
            prop::option::of(gen_area(n_practices)),
        )
            .prop_map(|(target, at, revoke, until, purposes, area)| GenChange {
                target,
                at,
                revoke,
                until,
                purposes,
                area,
            });
        let row = (
            0usize..FUNCTIONS.len(),
            0i64..2500,
            prop::option::of(30i64..1500),
            prop::option::of(0usize..BODY_PLACES.len()),
            any::<bool>(),
        )
            .prop_map(|(function, from, len, area, complete)| GenRow {
                function,
                from,
                len,
                area,
                complete,
            });
        let knowledge = (
            prop::option::of(prop::collection::vec(row, 0..5)),
            prop::collection::vec(
                (
                    0..n_practices,
                    0i64..2500,
                    prop::option::of(30i64..1500),
                    prop::collection::vec(0usize..4, 0..3),
                ),
                0..3,
            ),
            prop::collection::vec(0usize..7, 0..3),
        )
            .prop_map(|(coverage, unknown, to_confirm)| GenKnowledge {
                coverage,
                unknown,
                to_confirm,
            });
        (
            prop::collection::vec(0usize..3, 0..3),
            prop::collection::vec((0usize..4, 0i64..1500), n_practices..=n_practices),
            prop::collection::vec(arrangement, 0..7),
            prop::collection::vec(change, 0..3),
            prop::collection::vec((0u8..4, 0i64..2500), 0..3),
            knowledge,
            // An arrangement made again over another area: the same body then holds in one
            // role by two instruments, one row over a larger place.
            prop::option::weighted(0.4, (0usize..7, gen_area(n_practices))),
        )
            .prop_map(
                |(merge, practices, mut arrangements, changes, noise, knowledge, twin)| {
                    if let Some((i, area)) = twin {
                        if !arrangements.is_empty() {
                            let mut again = arrangements[i % arrangements.len()].clone();
                            again.area = area;
                            arrangements.push(again);
                        }
                    }
                    Spec {
                        merge,
                        practices,
                        arrangements,
                        changes,
                        noise,
                        knowledge,
                    }
                },
            )
    })
}

fn area_expr(a: &GenArea) -> AreaExpr {
    match a {
        GenArea::Own => AreaExpr::Own,
        GenArea::England => AreaExpr::England,
        GenArea::Footprint(c) => AreaExpr::Footprint(format!("C{c}").into()),
        GenArea::Practices(ps) => {
            AreaExpr::Practices(ps.iter().map(|p| SmolStr::from(format!("P{p}"))).collect())
        }
        GenArea::Named => AreaExpr::Named("north".into()),
        GenArea::Union(a, b) => AreaExpr::Union(vec![
            AreaExpr::Footprint(format!("C{a}").into()),
            AreaExpr::Footprint(format!("C{b}").into()),
        ]),
    }
}

fn build(s: &Spec) -> Register {
    let mut r = Register::new();
    let body = |code: &str, kind, from, until| Body {
        code: code.into(),
        name: format!("{code} name"),
        kind,
        life: Interval::new(from, until),
        basis: None,
        source: None,
        ons_code: None,
        span: None,
    };
    let always = date(1900, 1, 1);
    for (code, kind) in [
        ("PARLIAMENT", BodyKind::Parliament),
        ("DHSC", BodyKind::SecretaryOfState),
        ("X24", BodyKind::NhsEngland),
        ("L1", BodyKind::LocalAuthority),
    ] {
        r.add_body(body(code, kind, always, None)).unwrap();
    }
    let q1 = r.add_body(body("Q1", BodyKind::Icb, d0(), None)).unwrap();
    let merging: BTreeSet<usize> = s.merge.iter().copied().collect();
    let mut ccgs = Vec::new();
    for c in 0..4 {
        let until = merging.contains(&c).then(|| day(MERGE_DAY));
        let b = r
            .add_body(body(&format!("C{c}"), BodyKind::Ccg, d0(), until))
            .unwrap();
        r.add_parent(b, q1, Interval::new(d0(), until));
        ccgs.push(b);
    }
    for f in FUNCTIONS {
        r.declare_function(f, f);
    }
    r.add_power(Power {
        id: "px".into(),
        title: "power x".into(),
        cites: vec!["s.X".into()],
        makers: vec![
            BodyKind::NhsEngland,
            BodyKind::Ccg,
            BodyKind::Icb,
            BodyKind::LocalAuthority,
            BodyKind::SecretaryOfState,
        ],
        kinds: vec![
            InstrumentKind::Delegation,
            InstrumentKind::JointCommittee,
            InstrumentKind::Partnership,
            InstrumentKind::Direction,
            InstrumentKind::Transfer,
            InstrumentKind::Merge,
            InstrumentKind::Mandate,
        ],
        receivers: vec![],
        during: Interval::new(always, None),
        source: "test".into(),
    });
    r.add_area(NamedArea {
        id: "north".into(),
        name: "North".into(),
        expr: AreaExpr::Union(vec![
            AreaExpr::Footprint("C0".into()),
            AreaExpr::Practices(["P0".into()].into_iter().collect()),
        ]),
        note: None,
        approximate: false,
    });
    // The local authority's own area, which it stands for as a place.
    r.add_area(NamedArea {
        id: "L1".into(),
        name: "L1's area".into(),
        expr: AreaExpr::Footprint("C1".into()),
        note: None,
        approximate: false,
    });
    let mut practices = Vec::new();
    for (n, &(c, start)) in s.practices.iter().enumerate() {
        let a = r
            .add_practice(Practice {
                code: format!("P{n}").into(),
                name: "".into(),
                postcode: None,
                status: None,
            })
            .unwrap();
        practices.push(a);
        let joined = day(start);
        if merging.contains(&c) && joined < day(MERGE_DAY) {
            r.add_membership(a, ccgs[c], Interval::new(joined, Some(day(MERGE_DAY))));
            r.add_membership(a, ccgs[3], Interval::new(day(MERGE_DAY), None));
        } else if merging.contains(&c) {
            r.add_membership(a, ccgs[3], Interval::new(joined, None));
        } else {
            r.add_membership(a, ccgs[c], Interval::new(joined, None));
        }
    }
    if !merging.is_empty() {
        let mut m = Instrument::new("merge", InstrumentKind::Merge, day(MERGE_DAY));
        m.maker = Some("X24".into());
        m.terms_mut().basis = Some("s.X".into());
        m.particulars_mut().predecessors = merging.iter().map(|c| format!("C{c}")).collect();
        m.terms_mut().receivers = Receivers::Bodies(vec!["C3".into()]);
        r.add_instrument(m);
    }
    let mut conferrals = Vec::new();
    for (id, to, f, area) in [
        (
            "conf-ccg",
            Receivers::Every(BodyKind::Ccg),
            "commissioning.secondary-care",
            AreaExpr::Own,
        ),
        (
            "conf-nhse",
            Receivers::Bodies(vec!["X24".into()]),
            "commissioning.primary-care",
            AreaExpr::England,
        ),
        (
            "conf-icb",
            Receivers::Bodies(vec!["Q1".into()]),
            "commissioning.secondary-care.acute",
            AreaExpr::Own,
        ),
        (
            "conf-la",
            Receivers::Bodies(vec!["L1".into()]),
            "commissioning",
            AreaExpr::Practices(["P1".into()].into_iter().collect()),
        ),
    ] {
        let mut c = Instrument::new(id, InstrumentKind::Conferral, d0());
        c.maker = Some("PARLIAMENT".into());
        c.terms_mut().receivers = to;
        c.functions = vec![f.into()].into();
        c.area = Some(area);
        conferrals.push(id);
        r.add_instrument(c);
    }
    let kinds = [
        InstrumentKind::Delegation,
        InstrumentKind::JointCommittee,
        InstrumentKind::Partnership,
        InstrumentKind::Direction,
        InstrumentKind::Transfer,
    ];
    let makers = ["X24", "Q1", "C0", "C1"];
    let mut ids = Vec::new();
    for (n, a) in s.arrangements.iter().enumerate() {
        let kind = kinds[a.kind as usize];
        let from = day(a.from);
        let maker = makers[a.maker];
        let id = format!("a{n}");
        let mut ins = Instrument::new(id.as_str(), kind, from);
        ids.push(id);
        ins.maker = Some(maker.into());
        ins.terms_mut().basis = Some("s.X".into());
        // Receivers that exist on the instrument's first day (others are an error of
        // another kind, found by the field checks).
        let alive = |code: &str| {
            !(code.starts_with('C')
                && merging.iter().any(|c| format!("C{c}") == code)
                && from >= day(MERGE_DAY))
        };
        let mut receivers: Vec<String> = a
            .receivers
            .iter()
            .map(|&p| PARTIES[p].to_string())
            .filter(|c| alive(c))
            .collect();
        receivers.dedup();
        if receivers.is_empty() {
            continue;
        }
        ins.terms_mut().receivers =
            if a.every && matches!(kind, InstrumentKind::Delegation) && maker == "X24" {
                Receivers::Every(BodyKind::Ccg)
            } else {
                Receivers::Bodies(receivers.clone())
            };
        let of = PARTIES[a.of];
        match kind {
            InstrumentKind::Direction | InstrumentKind::Transfer => {
                ins.particulars_mut().of =
                    Some(Box::new(if a.every && kind == InstrumentKind::Direction {
                        Receivers::Every(BodyKind::Ccg)
                    } else if alive(of) {
                        Receivers::Bodies(vec![of.into()])
                    } else {
                        Receivers::Bodies(vec![maker.into()])
                    }));
            }
            InstrumentKind::Partnership => {
                ins.particulars_mut().lead = Some(receivers[0].clone());
            }
            InstrumentKind::JointCommittee => {
                ins.particulars_mut().lead = Some(receivers[0].clone());
            }
            _ => {}
        }
        ins.functions = vec![FUNCTIONS[a.function].into()].into();
        if a.except {
            if let Some(child) = FUNCTIONS.iter().find(|c| {
                c.starts_with(FUNCTIONS[a.function]) && c.len() > FUNCTIONS[a.function].len()
            }) {
                ins.particulars_mut().except = vec![child.to_string()];
            }
        }
        ins.area = Some(area_expr(&a.area));
        ins.until = a.len.map(|l| day(a.from + l));
        ins.terms_mut().purposes = a
            .purposes
            .iter()
            .map(|&p| PURPOSES[p].to_string())
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        ins.concurrent = a.concurrent;
        ins.onward = if a.onward {
            Onward::Permitted
        } else {
            Onward::Forbidden
        };
        if s.knowledge.to_confirm.contains(&n) {
            ins.terms_mut().source = Some(format!("agreement {n} (To confirm)"));
        }
        r.add_instrument(ins);
    }
    for (n, c) in s.changes.iter().enumerate() {
        let target = if c.target < ids.len() {
            ids[c.target].clone()
        } else if c.target - ids.len() < conferrals.len() {
            conferrals[c.target - ids.len()].to_string()
        } else {
            "ghost".to_string()
        };
        let kind = if c.revoke {
            InstrumentKind::Revoke
        } else {
            InstrumentKind::Amend
        };
        let mut ins = Instrument::new(format!("ch{n}"), kind, day(c.at));
        ins.maker = Some("X24".into());
        ins.terms_mut().basis = Some("s.X".into());
        ins.particulars_mut().target = Some(target);
        if !c.revoke {
            let changes = AmendChanges {
                until: c.until.map(day),
                purposes: c.purposes.as_ref().map(|ps| {
                    ps.iter()
                        .map(|&p| PURPOSES[p].to_string())
                        .collect::<BTreeSet<_>>()
                        .into_iter()
                        .collect()
                }),
                area: c.area.as_ref().map(area_expr),
            };
            if changes == AmendChanges::default() {
                continue;
            }
            ins.particulars_mut().changes = Some(Box::new(changes));
        }
        r.add_instrument(ins);
    }
    // Instruments that move no function: they must change no answer.
    for (n, &(k, at)) in s.noise.iter().enumerate() {
        let kind = [
            InstrumentKind::Establish,
            InstrumentKind::Abolish,
            InstrumentKind::Mandate,
            InstrumentKind::Exercise,
        ][k as usize];
        let mut ins = Instrument::new(format!("noise{n}"), kind, day(at));
        ins.maker = Some("X24".into());
        ins.terms_mut().basis = Some("s.X".into());
        match kind {
            InstrumentKind::Establish => {
                ins.terms_mut().receivers = Receivers::Bodies(vec!["Q1".into()])
            }
            InstrumentKind::Abolish => {
                ins.terms_mut().receivers = Receivers::Bodies(vec!["L1".into()])
            }
            InstrumentKind::Mandate => {
                ins.terms_mut().receivers = Receivers::Every(BodyKind::Ccg);
                ins.particulars_mut().requirement = Some(Box::new(Requirement {
                    text: "buy together".into(),
                    ..Default::default()
                }));
            }
            _ => {
                ins.functions = vec!["commissioning.primary-care".into()].into();
                ins.area = Some(AreaExpr::England);
            }
        }
        r.add_instrument(ins);
    }
    if let Some(rows) = &s.knowledge.coverage {
        r.coverage = rows
            .iter()
            .enumerate()
            .map(|(n, row)| CoverageRow {
                function: FUNCTIONS[row.function].into(),
                during: Interval::new(day(row.from), row.len.map(|l| day(row.from + l))),
                area: row.area.map(|b| BODY_PLACES[b].into()),
                complete: row.complete,
                note: format!("row {n}"),
                // Rows share their source two by two, so that rows of one kind (one
                // function, one source) over different bodies meet one larger place.
                source: format!("source-{}", n % 2),
            })
            .collect();
    }
    for (n, (p, from, len, candidates)) in s.knowledge.unknown.iter().enumerate() {
        r.unknown_memberships.push(UnknownMembership {
            practice: practices[*p],
            during: Interval::new(day(*from), len.map(|l| day(from + l))),
            candidates: candidates.iter().map(|c| format!("C{c}")).collect(),
            note: format!("stretch {n}"),
            source: format!("stretch-{n}"),
        });
    }
    r
}

/// Compares the engine with the reference on `qs` questions (practice, day, function,
/// purpose) about the register `spec` builds.
fn compare(spec: &Spec, qs: &[(usize, i64, usize, usize)]) -> Result<(), TestCaseError> {
    let reg = build(spec);
    let reference = Reference::new(&reg);
    let snap = Snapshot::compile(reg.clone());
    for &(p, d, f, purpose) in qs {
        let on = day(d);
        // Practices P0.., then the ICB, the CCGs (those alive on the day), the named area,
        // the local authority (standing for its named area) and England.
        let bodies_from = spec.practices.len();
        let area_at = bodies_from + BODY_PLACES.len();
        let (place, asked) = if p < bodies_from {
            let code = format!("P{p}");
            (Place::Practice(code.as_str().into()), Asked::Practice(code))
        } else if p < area_at {
            let code = BODY_PLACES[p - bodies_from];
            let Some(b) = reference.body_at(code, on) else {
                continue;
            };
            (Place::Body(code.into()), Asked::Body(b))
        } else if p == area_at {
            (Place::Area("north".into()), Asked::Area("north".into()))
        } else if p == area_at + 1 {
            let Some(b) = reference.body_at("L1", on) else {
                continue;
            };
            (Place::Body("L1".into()), Asked::Body(b))
        } else {
            (Place::England, Asked::England)
        };
        let purpose = [None, Some("p1"), Some("p2")][purpose];
        let engine = snap
            .who(FUNCTIONS[f], &place, on, purpose)
            .map_err(|e| TestCaseError::fail(format!("the engine could not answer: {e}")))?;
        let expected = sorted(reference.who(FUNCTIONS[f], &asked, on, purpose));
        let got = sorted(engine_answer(&engine));
        let code = format!("{place}");
        // `may` for each body that exists on the day, from `who` without a purpose.
        let plain = match purpose {
            None => expected.clone(),
            Some(_) => reference.who(FUNCTIONS[f], &asked, on, None),
        };
        for body in PARTIES {
            if reference.body_at(body, on).is_none() {
                continue;
            }
            let may = snap
                .may(body, FUNCTIONS[f], &place, on, purpose)
                .map_err(|e| {
                    TestCaseError::fail(format!("the engine could not answer may: {e}"))
                })?;
            let (allowed, mut caveats) = may_from(&plain, body, FUNCTIONS[f], purpose);
            caveats.sort();
            let mut got_caveats: Vec<RefCaveat> = may.caveats.iter().map(RefCaveat::of).collect();
            got_caveats.sort();
            prop_assert_eq!(
                (may.allowed, &got_caveats),
                (allowed, &caveats),
                "may {} {} at {} on {} for {:?}: {}",
                body,
                FUNCTIONS[f],
                code,
                on,
                purpose,
                may.reason
            );
        }
        prop_assert_eq!(
            &got,
            &expected,
            "who {} at {} on {} for {:?}\ndiagnostics: {:#?}",
            FUNCTIONS[f],
            code,
            on,
            purpose,
            snap.diagnostics
                .iter()
                .map(|d| format!("{} {}: {}", d.code, d.subject, d.message))
                .collect::<Vec<_>>()
        );
    }
    Ok(())
}

fn questions() -> impl Strategy<Value = Vec<(usize, i64, usize, usize)>> {
    prop::collection::vec(
        // Up to six practices, five bodies, the named area, the local authority and England.
        (0usize..14, 0i64..3000, 0usize..FUNCTIONS.len(), 0usize..3),
        1..12,
    )
}

proptest! {
    #![proptest_config(ProptestConfig {
        cases: std::env::var("REFERENCE_CASES").ok().and_then(|c| c.parse().ok()).unwrap_or(500),
        // CI asks the same registers every run, so a result is reproducible;
        // REFERENCE_SEED=random (or a number) explores others.
        rng_seed: match std::env::var("REFERENCE_SEED").as_deref() {
            Ok("random") => proptest::test_runner::RngSeed::Random,
            Ok(n) => n.parse().map_or(proptest::test_runner::RngSeed::Random, proptest::test_runner::RngSeed::Fixed),
            Err(_) => proptest::test_runner::RngSeed::Fixed(20261207),
        },
        .. ProptestConfig::default()
    })]

    #[test]
    fn the_engine_answers_who_as_the_reference_does(s in spec(), qs in questions()) {
        compare(&s, &qs)?;
    }

    #[test]
    fn grants_rest_on_live_covering_parents(s in spec()) {
        let snap = Snapshot::compile(build(&s));
        let tax = &snap.register().taxonomy;
        for g in &snap.grants {
            prop_assert!(!g.during.is_empty());
            prop_assert!(!snap.is_void(g.instrument));
            if let Some(p) = g.parent.get() {
                let pg = snap.grant(p);
                prop_assert!(pg.during.contains(g.during.from), "parent live on the child's first day");
                prop_assert!(pg.during.covers(&g.during), "child never outlives its parent");
                prop_assert!(tax.covers(pg.function, g.function));
            }
            let life = snap.register().body(g.holder).life;
            prop_assert!(life.covers(&g.during), "grant within its holder's life");
        }
    }
}

/// The generator makes what the issue asks for: every instrument kind, amendments and
/// revocations of live, dead and unknown targets, mergers, `except`, purposes, concurrent
/// directions, joint committees, onward chains, and what the register says of its own
/// knowledge (coverage rows, unsettled practice histories, facts to confirm). Counted over a
/// fixed run of the generator.
#[test]
fn the_generated_registers_hold_every_feature() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    const REGISTERS: usize = 600;
    let mut seen: BTreeMap<&str, usize> = BTreeMap::new();
    for _ in 0..REGISTERS {
        let s = spec().new_tree(&mut runner).unwrap().current();
        let reg = build(&s);
        let snap = Snapshot::compile(reg.clone());
        if !reg.coverage.is_empty() {
            *seen.entry("coverage statement").or_default() += 1;
        }
        if reg.coverage.iter().any(|r| r.area.is_some() && !r.complete) {
            *seen.entry("incomplete row over a body").or_default() += 1;
        }
        let incomplete: Vec<_> = reg.coverage.iter().filter(|r| !r.complete).collect();
        if incomplete.iter().enumerate().any(|(i, a)| {
            incomplete[i + 1..]
                .iter()
                .any(|b| a.function == b.function && a.source == b.source && a.area != b.area)
        }) {
            *seen.entry("two incomplete rows of one kind").or_default() += 1;
        }
        if !reg.unknown_memberships.is_empty() {
            *seen.entry("unknown stretch").or_default() += 1;
        }
        if reg.instruments.iter().any(|i| {
            i.terms()
                .source
                .as_deref()
                .is_some_and(|s| s.contains("To confirm"))
        }) {
            *seen.entry("to confirm").or_default() += 1;
        }
        for ins in &reg.instruments {
            *seen.entry(ins.kind.as_str()).or_default() += 1;
            if !ins.particulars().except.is_empty() {
                *seen.entry("except").or_default() += 1;
            }
            if !ins.terms().purposes.is_empty() {
                *seen.entry("purposes").or_default() += 1;
            }
            if ins.kind == InstrumentKind::Direction && ins.concurrent {
                *seen.entry("concurrent direction").or_default() += 1;
            }
            if ins.particulars().target.as_deref() == Some("ghost") {
                *seen.entry("unknown target").or_default() += 1;
            }
        }
        for d in &snap.diagnostics {
            *seen.entry(d.code).or_default() += 1;
        }
        for g in &snap.grants {
            if g.parent
                .get()
                .is_some_and(|p| snap.grant(p).parent.get().is_some())
            {
                *seen.entry("onward chain").or_default() += 1;
            }
        }
    }
    for k in [
        "conferral",
        "establish",
        "abolish",
        "merge",
        "transfer",
        "delegation",
        "joint-committee",
        "partnership",
        "direction",
        "mandate",
        "amend",
        "revoke",
        "exercise",
        "except",
        "purposes",
        "concurrent direction",
        "unknown target",
        "onward chain",
        "V007", // no parent: void
        "V011", // onward delegation forbidden
        "V012", // unknown target
        "V013", // dead target
        "coverage statement",
        "incomplete row over a body",
        "two incomplete rows of one kind",
        "unknown stretch",
        "to confirm",
    ] {
        assert!(
            seen.get(k).copied().unwrap_or(0) > 0,
            "no {k} in {REGISTERS} generated registers: {seen:?}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Disagreements found by the comparison, each shrunk to a minimal register and kept. The
// engine was wrong in both; the expected facts are reasoned by hand from the documents.
// ---------------------------------------------------------------------------------------

fn delegation(
    kind: u8,
    maker: usize,
    receiver: usize,
    function: usize,
    area: GenArea,
    from: i64,
) -> GenArrangement {
    GenArrangement {
        kind,
        maker,
        receivers: vec![receiver],
        of: 0,
        every: false,
        function,
        except: false,
        area,
        from,
        len: None,
        purposes: vec![],
        concurrent: false,
        onward: false,
    }
}

/// C2 merges into C3 on 2016-04-01. Q1 set up a joint committee with C2 for acute services
/// in 2013, and an amendment limits it to purpose p1 from the merger day. The amended version
/// names C2, which no longer exists that day: C3 stands for it as receiver (docs/language.md,
/// "Bodies over time"), so C3 is a joint member for p1 from 2016-04-01, resting on the
/// committee, the amendment and the merger. (A random reference run found the reference
/// dropping the receiver of a version that starts after it merged.)
#[test]
fn an_amended_version_after_a_merger_is_held_by_the_successor() {
    let mut committee = delegation(1, 1, 4, 2, GenArea::Own, 0);
    committee.receivers = vec![4];
    let s = Spec {
        merge: vec![2],
        practices: vec![(0, 0); 2],
        arrangements: vec![committee],
        changes: vec![GenChange {
            target: 0,
            at: MERGE_DAY,
            revoke: false,
            until: None,
            purposes: Some(vec![0]),
            area: None,
        }],
        noise: vec![],
        knowledge: GenKnowledge::default(),
    };
    let snap = Snapshot::compile(build(&s));
    let w = snap
        .who(
            "commissioning.secondary-care.acute",
            &Place::Practice("P0".into()),
            day(MERGE_DAY),
            Some("p1"),
        )
        .unwrap();
    let c3: Vec<&Holder> = w.holders.iter().filter(|h| h.body == "C3").collect();
    assert_eq!(c3.len(), 1, "{c3:?}");
    let h = c3[0];
    assert_eq!(
        (h.role, h.accountable.as_str(), h.from),
        (Role::JointMember, "Q1", day(MERGE_DAY))
    );
    assert_eq!(h.purposes, ["p1"]);
    let proof: Vec<&str> = h.proof.iter().map(|s| s.instrument.as_str()).collect();
    assert_eq!(proof, ["conf-icb", "a0", "ch0", "merge"]);
}

/// C0 merges into C3 on 2016-04-01. NHS England delegated primary care to C3 and to C0, each
/// for its own footprint, from 2013. After the merger C3 holds it at a former C0 practice
/// twice over: by its own delegation (its footprint now holds the practice) and by C0's,
/// which it carries on. It is one holder, named once: the holding covering the practice
/// from 2013 by C3's own delegation, made first. (A random reference run found the engine
/// and the reference disagreeing here before the reference listed each holder once.)
#[test]
fn a_body_delegated_to_directly_and_through_a_merged_predecessor_is_listed_once() {
    let mut both = delegation(0, 0, 5, 3, GenArea::Own, 0);
    both.receivers = vec![5, 2];
    let s = Spec {
        merge: vec![0],
        practices: vec![(0, 0); 4],
        arrangements: vec![both],
        changes: vec![],
        noise: vec![],
        knowledge: GenKnowledge::default(),
    };
    let snap = Snapshot::compile(build(&s));
    let w = snap
        .who(
            "commissioning.primary-care",
            &Place::Practice("P0".into()),
            day(MERGE_DAY),
            None,
        )
        .unwrap();
    let holders: Vec<(&str, Role, &str, Date, Vec<String>)> = w
        .holders
        .iter()
        .map(|h| {
            let proof = h.proof.iter().map(|s| s.instrument.clone()).collect();
            (
                h.body.as_str(),
                h.role,
                h.accountable.as_str(),
                h.from,
                proof,
            )
        })
        .collect();
    assert_eq!(
        holders,
        [(
            "C3",
            Role::Delegate,
            "X24",
            d0(),
            vec!["conf-nhse".to_string(), "a0".to_string()]
        )]
    );
    assert_eq!(w.accountable_only, ["X24"]);
}

/// C0 merges into C3 on 2016-04-01. NHS England delegated primary care to C1 for C0's
/// footprint in 2014; after the merger "a reference to a predecessor (as holder, maker or
/// footprint) means the successor" (ARCHITECTURE.md), so at P0, now in C3, C1 holds it as
/// delegate and NHS England is accountable only. The engine kept the area as C0's
/// footprint, which has no practices after the merger, so the delegation silently covered
/// nothing.
#[test]
fn a_delegated_footprint_follows_its_body_into_a_merger() {
    let s = Spec {
        merge: vec![0],
        practices: vec![(0, 0); 4],
        arrangements: vec![delegation(0, 0, 3, 3, GenArea::Footprint(0), 568)],
        changes: vec![],
        noise: vec![],
        knowledge: GenKnowledge::default(),
    };
    let snap = Snapshot::compile(build(&s));
    let w = snap
        .who(
            "commissioning.primary-care",
            &Place::Practice("P0".into()),
            day(MERGE_DAY),
            None,
        )
        .unwrap();
    let holders: Vec<(&str, Role)> = w
        .holders
        .iter()
        .map(|h| (h.body.as_str(), h.role))
        .collect();
    assert_eq!(holders, [("C1", Role::Delegate)]);
    assert_eq!(w.accountable_only, ["X24"]);
    compare(
        &s,
        &[
            (0, MERGE_DAY, 3, 0),
            (0, MERGE_DAY - 1, 3, 0),
            (0, MERGE_DAY + 400, 3, 0),
        ],
    )
    .unwrap();
}

/// The same for a conferral amended to name CCG footprints: after C1 merges into C3, the
/// CCGs' statutory holding over "footprint(C0) + footprint(C1)" covers P2, which moved from
/// C1 to C3 (the engine found nobody).
#[test]
fn a_conferred_footprint_follows_its_body_into_a_merger() {
    let s = Spec {
        merge: vec![1],
        practices: vec![(0, 0), (0, 0), (1, 0), (0, 0)],
        arrangements: vec![],
        changes: vec![GenChange {
            target: 0,
            at: 0,
            revoke: false,
            until: None,
            purposes: None,
            area: Some(GenArea::Union(0, 1)),
        }],
        noise: vec![],
        knowledge: GenKnowledge::default(),
    };
    let snap = Snapshot::compile(build(&s));
    let w = snap
        .who(
            "commissioning.secondary-care",
            &Place::Practice("P2".into()),
            day(MERGE_DAY),
            None,
        )
        .unwrap();
    let mut holders: Vec<&str> = w.holders.iter().map(|h| h.body.as_str()).collect();
    holders.sort();
    // C1 has ended; C0, C2 and C3 remain, each holding over both footprints. Q1 holds
    // `commissioning.secondary-care.acute`, a part of it, over its own footprint (`conf-icb`),
    // which holds C3's practices.
    assert_eq!(holders, ["C0", "C2", "C3", "Q1"]);
    compare(&s, &[(2, MERGE_DAY, 1, 0), (2, MERGE_DAY - 1, 1, 0)]).unwrap();
}

/// An amendment that sets an end not after its own date is void (V004), and a void
/// instrument changes nothing. The engine reported it but still split its target's life at
/// the amendment's date and cited the void amendment in the proof from then on.
#[test]
fn a_void_amendment_changes_nothing() {
    let s = Spec {
        merge: vec![],
        practices: vec![(0, 0)],
        arrangements: vec![],
        changes: vec![GenChange {
            // The conferral to NHS England.
            target: 1,
            at: 1380,
            revoke: false,
            until: Some(0),
            purposes: None,
            area: None,
        }],
        noise: vec![],
        knowledge: GenKnowledge::default(),
    };
    let snap = Snapshot::compile(build(&s));
    assert!(snap
        .diagnostics
        .iter()
        .any(|d| d.code == "V004" && d.subject == "ch0"));
    let w = snap
        .who(
            "commissioning.primary-care",
            &Place::Practice("P0".into()),
            day(1500),
            None,
        )
        .unwrap();
    assert_eq!(w.holders.len(), 1);
    assert_eq!((w.holders[0].from, w.holders[0].until), (d0(), None));
    let proof: Vec<&str> = w.holders[0]
        .proof
        .iter()
        .map(|p| p.instrument.as_str())
        .collect();
    assert_eq!(proof, ["conf-nhse"]);
    compare(&s, &[(0, 0, 3, 0), (0, 1500, 3, 0)]).unwrap();
}

/// P0 is in C0 and P1 in C1 from 2013; P2 joins C1 only on day 1000, and before that the
/// sources say it was in C0 or C2 (an unsettled stretch). Every CCG holds secondary care for
/// its own footprint. On day 500 P2 is still a practice of England, of unknown commissioner:
/// England's answer counts it (3 practices, C0 and C1 one each) and says its record is
/// incomplete with C0 and C2 as candidates; C0's footprint counts it too (it may be in it),
/// and C0 still holds for all of its settled part, P0; so does C2 for its footprint, whose
/// only practice is P2. The engine left P2 out of England and of both footprints, so no
/// caveat named it (England on 2023-01-01 counted 7,127 practices, not the ODS file's 7,131).
#[test]
fn a_practice_of_unsettled_history_is_counted_with_its_candidates() {
    let s = Spec {
        merge: vec![],
        practices: vec![(0, 0), (1, 0), (1, 1000)],
        arrangements: vec![],
        changes: vec![],
        noise: vec![],
        knowledge: GenKnowledge {
            unknown: vec![(2, 0, Some(1000), vec![0, 2])],
            ..GenKnowledge::default()
        },
    };
    let snap = Snapshot::compile(build(&s));
    let ask = |place: Place| {
        snap.who("commissioning.secondary-care", &place, day(500), None)
            .unwrap()
    };
    type Parts = Vec<(String, Coverage, Option<(u32, u32)>)>;
    let parts = |w: &WhoAnswer| -> Parts {
        let mut v: Vec<_> = w
            .holders
            .iter()
            .map(|h| {
                (
                    h.body.to_string(),
                    h.coverage,
                    h.part.as_ref().map(|p| (p.practices, p.of)),
                )
            })
            .collect();
        v.sort_by(|a, b| a.0.cmp(&b.0));
        v
    };
    let incomplete = |w: &WhoAnswer| -> Vec<Vec<String>> {
        w.caveats
            .iter()
            .filter(|c| c.kind == CaveatKind::IncompleteRecord)
            .map(|c| c.candidates.clone())
            .collect()
    };
    let england = ask(Place::England);
    assert_eq!(
        parts(&england),
        [
            ("C0".into(), Coverage::Partial, Some((1, 3))),
            ("C1".into(), Coverage::Partial, Some((1, 3))),
            // The local authority holds all of `commissioning` at P1.
            ("L1".into(), Coverage::Partial, Some((1, 3))),
            // Q1 holds the acute part over its own footprint (`conf-icb`): every CCG is
            // under it, so every settled practice.
            ("Q1".into(), Coverage::Full, None),
        ]
    );
    // Through either candidate it would be in Q1's footprint too, where Q1 holds the acute
    // part: Q1 is a candidate holder as well.
    assert_eq!(incomplete(&england), [["C0", "C2", "Q1"]]);
    assert!(!england
        .caveats
        .iter()
        .any(|c| c.kind == CaveatKind::NoHolder));
    let c0 = ask(Place::Body("C0".into()));
    assert_eq!(
        parts(&c0),
        [
            ("C0".into(), Coverage::Full, None),
            ("Q1".into(), Coverage::Full, None)
        ]
    );
    assert_eq!(incomplete(&c0), [["C0", "C2", "Q1"]]);
    // C2's only practice is unsettled: the holdings over all of its footprint (its own,
    // Q1's of the acute part over Q1's) answer for all of it.
    let c2 = ask(Place::Body("C2".into()));
    assert_eq!(
        parts(&c2),
        [
            ("C2".into(), Coverage::Full, None),
            ("Q1".into(), Coverage::Full, None)
        ]
    );
    assert!(c2.accountable_only.is_empty());
    assert_eq!(incomplete(&c2), [["C0", "C2", "Q1"]]);
    // C1's footprint is P1 alone: the stretch does not name C1.
    let c1 = ask(Place::Body("C1".into()));
    assert_eq!(
        parts(&c1),
        [
            ("C1".into(), Coverage::Full, None),
            ("L1".into(), Coverage::Full, None),
            ("Q1".into(), Coverage::Full, None)
        ]
    );
    assert!(incomplete(&c1).is_empty());
    // England, then Q1, C0, C1, C2 as places (after the 3 practices), all on day 500.
    compare(
        &s,
        &[
            (12, 500, 1, 0),
            (3, 500, 1, 0),
            (4, 500, 1, 0),
            (5, 500, 1, 0),
            (6, 500, 1, 0),
        ],
    )
    .unwrap();
}

/// P0 is in C0 and P1 in C1. NHS England (X24) holds primary care for all England and
/// delegated it to C0 for C0's footprint from 2013. At P0, C0 exercises it and NHS England
/// is accountable only; at P1 NHS England exercises it. So NHS England may not exercise it
/// for all of England, only for part (P1, 1 of 2 practices), and C0 may for its own
/// footprint but not for England. `may` answered from the areas alone, where NHS England's
/// holding over all England is not shadowed by a delegation over part of it, and said yes.
#[test]
fn may_for_england_is_answered_part_by_part() {
    let s = Spec {
        merge: vec![],
        practices: vec![(0, 0), (1, 0)],
        arrangements: vec![delegation(0, 0, 2, 3, GenArea::Footprint(0), 0)],
        changes: vec![],
        noise: vec![],
        knowledge: GenKnowledge::default(),
    };
    let snap = Snapshot::compile(build(&s));
    let may = |body: &str, place: Place| {
        snap.may(body, "commissioning.primary-care", &place, day(500), None)
            .unwrap()
    };
    let nhse = may("X24", Place::England);
    assert!(!nhse.allowed, "{nhse:#?}");
    let part = nhse.holding.as_ref().and_then(|h| h.part.as_ref()).unwrap();
    assert_eq!((part.practices, part.of), (1, 2));
    // Where it may act and where not, counted by hand: P1 yes, P0 no.
    assert!(
        nhse.reason.contains("in only part of England on")
            && nhse.reason.contains("at 1 of its 2 practices")
            && nhse.reason.contains("not at the other 1"),
        "{}",
        nhse.reason
    );
    assert!(may("X24", Place::Body("C1".into())).allowed);
    assert!(!may("X24", Place::Body("C0".into())).allowed);
    assert!(may("C0", Place::Body("C0".into())).allowed);
    assert!(!may("C0", Place::England).allowed);
    // England, Q1, C0 and C1 as places (after the 2 practices).
    compare(
        &s,
        &[
            (12, 500, 3, 0),
            (2, 500, 3, 0),
            (3, 500, 3, 0),
            (4, 500, 3, 0),
        ],
    )
    .unwrap();
}

/// P0 is in C0 and P1 in C1. The local authority L1 has no footprint (no practice is placed
/// in it): as a place it stands for the named area with its code, here C1's footprint
/// (docs/language.md, "Answering `who`"). So secondary care at L1 is held by C1 (its own
/// footprint) and by L1 itself, which holds all of `commissioning` at P1, and its acute
/// part by Q1 over Q1's footprint, which holds C1's. Asked as a body, L1 found nobody: its
/// own code is the area of no holding.
#[test]
fn a_body_without_a_footprint_stands_for_its_named_area() {
    let s = Spec {
        merge: vec![],
        practices: vec![(0, 0), (1, 0)],
        arrangements: vec![],
        changes: vec![],
        noise: vec![],
        knowledge: GenKnowledge::default(),
    };
    let snap = Snapshot::compile(build(&s));
    let w = snap
        .who(
            "commissioning.secondary-care",
            &Place::Body("L1".into()),
            day(500),
            None,
        )
        .unwrap();
    let mut holders: Vec<(&str, Coverage)> = w
        .holders
        .iter()
        .map(|h| (h.body.as_str(), h.coverage))
        .collect();
    holders.sort_by_key(|h| h.0);
    assert_eq!(
        holders,
        [
            ("C1", Coverage::Full),
            ("L1", Coverage::Full),
            ("Q1", Coverage::Full)
        ]
    );
    let may = snap
        .may(
            "L1",
            "commissioning.secondary-care",
            &Place::Body("L1".into()),
            day(500),
            None,
        )
        .unwrap();
    assert!(may.allowed, "{may:#?}");
    // L1 as a place comes after the 2 practices, the 5 bodies and the named area.
    compare(&s, &[(8, 500, 1, 0), (8, 500, 0, 0)]).unwrap();
}

/// P0, P1 and P2 are in C0, C1 and C2. NHS England (X24) holds primary care for all England
/// (`conf-nhse`) and delegated GP services (`commissioning.primary-care.medical`) to Q1
/// twice, by `a0` over C0's footprint and by `a1` over C1's. Asked of England, Q1 is one
/// holder: a delegate accountable to X24 at P0 and P1, 2 of the 3 practices, by both
/// instruments, each listed with its own practice and proof; X24 exercises GP services at
/// P2 only. The engine listed Q1 twice, once for each instrument.
#[test]
fn a_body_holding_by_two_instruments_is_one_row_over_england() {
    let s = Spec {
        merge: vec![],
        practices: vec![(0, 0), (1, 0), (2, 0)],
        arrangements: vec![
            delegation(0, 0, 1, 4, GenArea::Footprint(0), 0),
            delegation(0, 0, 1, 4, GenArea::Footprint(1), 0),
        ],
        changes: vec![],
        noise: vec![],
        knowledge: GenKnowledge::default(),
    };
    let snap = Snapshot::compile(build(&s));
    let w = snap
        .who(
            "commissioning.primary-care.medical",
            &Place::England,
            day(500),
            None,
        )
        .unwrap();
    let q1: Vec<&Holder> = w.holders.iter().filter(|h| h.body == "Q1").collect();
    assert_eq!(q1.len(), 1, "{w:#?}");
    let q1 = q1[0];
    assert_eq!((q1.role, q1.accountable.as_str()), (Role::Delegate, "X24"));
    assert_eq!(q1.coverage, Coverage::Partial);
    let part = q1.part.as_ref().unwrap();
    assert_eq!((part.practices, part.of), (2, 3));
    assert_eq!(part.area, ["footprint(C0)", "footprint(C1)"]);
    let mut each: Vec<(Vec<String>, u32)> = q1
        .holdings
        .iter()
        .map(|x| (ids(&x.proof), x.part.as_ref().unwrap().practices))
        .collect();
    each.sort();
    assert_eq!(
        each,
        [
            (vec!["conf-nhse".to_string(), "a0".to_string()], 1),
            (vec!["conf-nhse".to_string(), "a1".to_string()], 1)
        ]
    );
    let x24: Vec<&Holder> = w.holders.iter().filter(|h| h.body == "X24").collect();
    assert_eq!(x24.len(), 1);
    assert_eq!(x24[0].part.as_ref().map(|p| p.practices), Some(1));
    assert!(x24[0].holdings.is_empty());
    // England, Q1 and C0 as places (after the 3 practices), GP services and primary care.
    compare(
        &s,
        &[
            (13, 500, 4, 0),
            (13, 500, 3, 0),
            (3, 500, 4, 0),
            (4, 500, 3, 0),
        ],
    )
    .unwrap();
}

/// P0 is in C0. NHS England holds primary care for all England (`conf-nhse`) and delegated
/// one part of it, GP services, to Q1 over C0's footprint (`a0`). Asked about primary care
/// at P0: NHS England holds it (the delegation took over only the part it passed on) and Q1
/// holds the part, named; asked about GP services, Q1 holds it and NHS England is
/// accountable only. Q1 may not exercise primary care there, only its part. The engine
/// said NHS England alone, and `may` found no holding of Q1's.
#[test]
fn a_function_is_answered_by_the_holders_of_its_parts() {
    let s = Spec {
        merge: vec![],
        practices: vec![(0, 0)],
        arrangements: vec![delegation(0, 0, 1, 4, GenArea::Footprint(0), 0)],
        changes: vec![],
        noise: vec![],
        knowledge: GenKnowledge::default(),
    };
    let snap = Snapshot::compile(build(&s));
    let at = Place::Practice("P0".into());
    let rows = |f: &str| {
        let w = snap.who(f, &at, day(500), None).unwrap();
        let mut v: Vec<(String, Role, String)> = w
            .holders
            .iter()
            .map(|h| (h.body.to_string(), h.role, h.function.to_string()))
            .collect();
        v.sort();
        (v, w.accountable_only)
    };
    let (pc, none) = rows("commissioning.primary-care");
    assert_eq!(
        pc,
        [
            (
                "Q1".to_string(),
                Role::Delegate,
                "commissioning.primary-care.medical".to_string()
            ),
            (
                "X24".to_string(),
                Role::Statutory,
                "commissioning.primary-care".to_string()
            ),
        ]
    );
    assert!(none.is_empty());
    let (gp, accountable) = rows("commissioning.primary-care.medical");
    assert_eq!(
        gp,
        [(
            "Q1".to_string(),
            Role::Delegate,
            "commissioning.primary-care.medical".to_string()
        )]
    );
    assert_eq!(accountable, ["X24"]);
    let may = snap
        .may("Q1", "commissioning.primary-care", &at, day(500), None)
        .unwrap();
    assert!(!may.allowed, "{may:#?}");
    assert!(
        may.reason
            .contains("only parts of commissioning.primary-care here: commissioning.primary-care.medical as delegate under `a0`"),
        "{}",
        may.reason
    );
    let whole = snap
        .may("X24", "commissioning.primary-care", &at, day(500), None)
        .unwrap();
    assert!(whole.allowed, "{whole:#?}");
    compare(&s, &[(0, 500, 3, 0), (0, 500, 4, 0), (0, 500, 0, 0)]).unwrap();
}

/// P0 is in C0. NHS England holds primary care for all England (`conf-nhse`) and delegated
/// GP services to Q1 over C0's footprint except performer management (`a0`, `except`), as
/// the GP delegation agreements did (NHS England kept the performers list). Asked about GP
/// services at P0: Q1 holds them, and NHS England still holds the part it kept, named, so
/// it is not "accountable only". NHS England may not exercise GP services there as a whole,
/// only that part; it may exercise performer management. The engine called NHS England
/// accountable only, not exercising.
#[test]
fn a_delegator_still_holds_what_its_delegation_excepted() {
    let mut kept_back = delegation(0, 0, 1, 4, GenArea::Footprint(0), 0);
    kept_back.except = true;
    let s = Spec {
        merge: vec![],
        practices: vec![(0, 0), (1, 0)],
        arrangements: vec![kept_back],
        changes: vec![],
        noise: vec![],
        knowledge: GenKnowledge::default(),
    };
    let snap = Snapshot::compile(build(&s));
    let at = Place::Practice("P0".into());
    let w = snap
        .who("commissioning.primary-care.medical", &at, day(500), None)
        .unwrap();
    let mut rows: Vec<(String, Role, String)> = w
        .holders
        .iter()
        .map(|h| (h.body.to_string(), h.role, h.function.to_string()))
        .collect();
    rows.sort();
    assert_eq!(
        rows,
        [
            (
                "Q1".to_string(),
                Role::Delegate,
                "commissioning.primary-care.medical".to_string()
            ),
            (
                "X24".to_string(),
                Role::Statutory,
                "commissioning.primary-care.medical.performers".to_string()
            ),
        ]
    );
    assert!(w.accountable_only.is_empty(), "{w:#?}");
    let may = |f: &str| snap.may("X24", f, &at, day(500), None).unwrap();
    let whole = may("commissioning.primary-care.medical");
    assert!(!whole.allowed);
    assert!(
        whole.reason.contains(
            "only parts of commissioning.primary-care.medical here: commissioning.primary-care.medical.performers as statutory under `conf-nhse`"
        ),
        "{}",
        whole.reason
    );
    assert!(may("commissioning.primary-care.medical.performers").allowed);
    // P0, P1, Q1 and England (after the 2 practices), GP services and performers.
    compare(
        &s,
        &[
            (0, 500, 4, 0),
            (0, 500, 5, 0),
            (1, 500, 4, 0),
            (2, 500, 4, 0),
            (12, 500, 4, 0),
        ],
    )
    .unwrap();
}
