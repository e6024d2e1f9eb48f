//! What can be checked of each instrument alone, before any grant is made (docs/language.md,
//! "Errors"): ids, dates, names, required fields, functions (and what `retained` keeps), and
//! the power it rests on (`powers`). Every error voids its instrument. The checks only read
//! the register, so runs of instruments are checked on both cores.

use super::exercises::ExerciseSite;
use super::places::index_places;
use super::{day_before, show_life, Compiler, Findings};
use crate::model::body::BodyId;
use crate::model::diagnostic::{codes, Diagnostic, Severity, Span};
use crate::model::function::FunctionId;
use crate::model::instrument::{AreaExpr, Instrument, InstrumentId, InstrumentKind, Receivers};
use crate::model::place::PracticeId;
use crate::model::register::Register;
use crate::support::instrument_index::InstrumentIndex;
use jiff::civil::Date;
use rustc_hash::FxHashMap;

/// What the field checks found about a run of instruments, from `start`: kept apart so
/// that runs can be checked side by side and merged in instrument order.
pub(super) struct FieldFindings {
    pub(super) start: usize,
    /// Per instrument of the run.
    pub(super) found: Findings,
    /// Instruments that rest on a power, with the power.
    pub(super) rests_on: Vec<(u32, u32)>,
    /// The instruments of the run that are not recorded exercises.
    pub(super) structural: Vec<InstrumentId>,
    /// The recorded exercises of the run that name a maker alive on the day.
    pub(super) exercises: Vec<ExerciseSite>,
    /// Per instrument of the run, the end of its functions in `function_list`.
    pub(super) function_ends: Vec<u32>,
    pub(super) function_list: Vec<FunctionId>,
    /// Instruments that leave child functions out, with those functions sorted.
    pub(super) excepts: Vec<(u32, Vec<FunctionId>)>,
}

impl FieldFindings {
    /// Findings for a run from `start`, with room for the functions of `n` instruments.
    fn new(start: usize, n: usize) -> Self {
        FieldFindings {
            start,
            found: Findings {
                diags: Vec::new(),
                void: Vec::new(),
            },
            rests_on: Vec::new(),
            structural: Vec::new(),
            exercises: Vec::new(),
            function_ends: Vec::with_capacity(n),
            function_list: Vec::with_capacity(n),
            excepts: Vec::new(),
        }
    }
}

/// What [`FieldChecker::check_names`] resolved that later checks use again.
pub(super) struct Named {
    /// The maker, when it exists on the instrument's day.
    pub(super) maker: Option<BodyId>,
    /// The practice, when the area is exactly one that exists.
    pub(super) practice: Option<PracticeId>,
}

/// The field-level checks that need no grants (ids, dates, names, required fields,
/// powers): they only read the register, so runs of instruments go to both cores.
pub(super) struct FieldChecker<'a> {
    pub(super) reg: &'a Register,
    /// Per distinct `basis` text: the powers it cites.
    pub(super) cited: FxHashMap<String, Vec<usize>>,
    pub(super) out: FieldFindings,
}

/// Instruments per run of the field checks: enough that taking a run costs nothing, few
/// enough that the two threads end together.
const FIELD_RUN: usize = 8192;

impl<'a> FieldChecker<'a> {
    pub(super) fn new(reg: &'a Register) -> Self {
        FieldChecker {
            reg,
            cited: FxHashMap::default(),
            out: FieldFindings::new(0, 0),
        }
    }

    /// Checks runs of `instruments` taken in turn from `next` until none are left.
    fn check_runs(
        mut self,
        instruments: &[Instrument],
        next: &std::sync::atomic::AtomicUsize,
    ) -> Vec<FieldFindings> {
        let mut done = Vec::new();
        loop {
            let start = next.fetch_add(FIELD_RUN, std::sync::atomic::Ordering::Relaxed);
            if start >= instruments.len() {
                return done;
            }
            let end = (start + FIELD_RUN).min(instruments.len());
            self.check_run(instruments, start..end);
            let n = end - start;
            let out = std::mem::replace(&mut self.out, FieldFindings::new(end, n));
            done.push(out);
        }
    }

    fn check_run(&mut self, instruments: &[Instrument], run: std::ops::Range<usize>) {
        let n = run.len();
        self.out.start = run.start;
        self.out.found.void = vec![false; n];
        // Each exercise names one practice, found by code: at a million instruments that is a
        // cache miss or two a lookup. Made here in one tight pass, several are in flight at
        // once, where among the other checks of each instrument they ran one at a time.
        let reg = self.reg;
        let practices: Vec<Option<PracticeId>> = instruments[run.clone()]
            .iter()
            .map(|ins| match &ins.area {
                Some(AreaExpr::Practices(ps)) if ps.len() == 1 => reg.practice_id(&ps[0]),
                _ => None,
            })
            .collect();
        for (idx, &practice) in run.zip(&practices) {
            let (i, ins) = (InstrumentId(idx as u32), &instruments[idx]);
            if ins.kind != InstrumentKind::Exercise {
                self.out.structural.push(i);
            }
            if let Some(u) = ins.until {
                if u <= ins.from {
                    self.diag_in(
                        (i, ins),
                        codes::DATES_BACKWARDS,
                        Severity::Error,
                        ins.spans().until,
                        format!("`until {u}` is not after `from {}`", ins.from),
                        "`from` is the first day in force and `until` the first day no longer in force",
                    );
                }
            }
            self.resolve_functions(i, ins);
            self.check_required(i, ins);
            let named = self.check_names(i, ins, practice);
            if ins.kind == InstrumentKind::Exercise {
                if let Some(maker) = named.maker {
                    self.out.exercises.push(ExerciseSite {
                        instrument: i,
                        maker,
                        practice: named.practice,
                    });
                }
            }
            self.check_power(i, ins);
        }
    }

    /// Records an error about instrument `i` of the run (every field check finds errors).
    pub(super) fn diag_in(
        &mut self,
        (i, ins): (InstrumentId, &Instrument),
        code: &'static str,
        severity: Severity,
        span: Option<Span>,
        message: String,
        help: impl Into<String>,
    ) {
        let local = InstrumentId((i.0 as usize - self.out.start) as u32);
        self.out
            .found
            .report((local, ins), code, severity, span, message, help.into());
    }

    fn resolve_functions(&mut self, i: InstrumentId, ins: &Instrument) {
        let mut unknown: Vec<&str> = Vec::new();
        let start = self.out.function_list.len();
        for f in &ins.functions {
            match self.reg.taxonomy.get(f) {
                Some(id) => self.out.function_list.push(id),
                None => unknown.push(f),
            }
        }
        self.out
            .function_ends
            .push(self.out.function_list.len() as u32);
        let mut ex = Vec::new();
        for f in &ins.particulars().except {
            match self.reg.taxonomy.get(f) {
                Some(id) => ex.push(id),
                None => unknown.push(f),
            }
        }
        for f in unknown {
            self.diag_in(
                (i, ins),
                codes::UNKNOWN_FUNCTION,
                Severity::Error,
                ins.spans().functions,
                format!("unknown function `{f}`"),
                "declare it with `function ID { name \"...\" }` or use an id from `vires functions`",
            );
        }
        let kept = crate::compile::retained::retained_but_granted(
            &self.reg.taxonomy,
            &self.out.function_list[start..],
            &ex,
            &ins.particulars().retained,
        );
        for f in kept {
            let name = self.reg.taxonomy.name(f).to_string();
            self.diag_in(
                (i, ins),
                codes::RETAINED_NOT_EXCEPTED,
                Severity::Warning,
                ins.spans().functions,
                format!("`retained` names {name}, which this instrument grants: the receiver is shown holding what the maker kept"),
                format!("add `except {name}` so that it stays with the maker"),
            );
        }
        if !ex.is_empty() {
            ex.sort();
            self.out.excepts.push((i.0, ex));
        }
    }

    fn check_required(&mut self, i: InstrumentId, ins: &Instrument) {
        use InstrumentKind as K;
        if let Some(problem) = crate::model::ident::id_problem(&ins.id) {
            self.diag_in(
                (i, ins),
                codes::BAD_ID,
                Severity::Error,
                ins.spans().id,
                format!("instrument id `{}` {problem}", ins.id),
                "give the instrument an id of ASCII letters, digits, `.`, `_` and `-` (at most 128), starting with a letter or digit",
            );
        }
        let mut missing: Vec<&str> = Vec::new();
        let needs_functions = matches!(
            ins.kind,
            K::Conferral
                | K::Delegation
                | K::JointCommittee
                | K::Partnership
                | K::Transfer
                | K::Exercise
        ) || (ins.kind == K::Direction && ins.particulars().of.is_some());
        if needs_functions && ins.functions.is_empty() {
            missing.push("functions");
        }
        let needs_receivers = matches!(
            ins.kind,
            K::Conferral
                | K::Delegation
                | K::JointCommittee
                | K::Direction
                | K::Transfer
                | K::Mandate
        );
        if needs_receivers && ins.terms().receivers.is_empty() {
            missing.push("to");
        }
        if ins.kind == K::Partnership
            && ins.particulars().lead.is_none()
            && ins.terms().receivers.is_empty()
        {
            missing.push("lead");
        }
        if ins.kind == K::Merge {
            if ins.particulars().predecessors.is_empty() {
                missing.push("merging");
            }
            if ins.terms().receivers.is_empty() {
                missing.push("into");
            }
        }
        if matches!(ins.kind, K::Amend | K::Revoke) && ins.particulars().target.is_none() {
            missing.push("target");
        }
        if matches!(ins.kind, K::Exercise) && ins.maker.is_none() {
            missing.push("by");
        }
        if ins.kind.is_arrangement() && ins.maker.is_none() {
            missing.push("by");
        }
        for m in missing {
            self.diag_in(
                (i, ins),
                codes::MISSING_FIELD,
                Severity::Error,
                None,
                format!("a {} needs `{m}`", ins.kind),
                format!(
                    "add a `{m}` line; see docs/language.md for the fields of a {}",
                    ins.kind
                ),
            );
        }
    }

    /// Checks that the bodies, practices and areas `ins` names exist on its day, and
    /// returns the maker and sole practice it found. `practice` is that practice as
    /// `check_run` looked it up, when the area names exactly one.
    fn check_names(
        &mut self,
        i: InstrumentId,
        ins: &Instrument,
        practice: Option<PracticeId>,
    ) -> Named {
        let on = ins.from;
        let mut named = Named {
            maker: None,
            practice: None,
        };
        if let Some(m) = &ins.maker {
            match self.reg.body_near(m, on) {
                None => self.diag_in(
                    (i, ins),
                    codes::UNKNOWN_BODY,
                    Severity::Error,
                    ins.spans().maker,
                    format!("unknown body `{m}`"),
                    "declare the body, or check the code with `vires bodies`",
                ),
                Some(b)
                    if !self.reg.body(b).life.contains(on)
                        && ins.kind != InstrumentKind::Abolish =>
                {
                    let life = self.reg.body(b).life;
                    self.diag_in(
                        (i, ins),
                        codes::MAKER_NOT_IN_EXISTENCE,
                        Severity::Error,
                        ins.spans().maker,
                        format!("maker {m} did not exist on {on} (it existed {})", show_life(life)),
                        "an instrument must be made by a body that exists on the day it takes effect",
                    )
                }
                Some(b) => named.maker = Some(b),
            }
        }
        let check_list = |c: &mut FieldChecker,
                          list: &Receivers,
                          span: Option<Span>,
                          must_live: bool| {
            if let Receivers::Bodies(codes_) = list {
                for code in codes_ {
                    match c.reg.body_near(code, on) {
                        None => c.diag_in(
                            (i, ins),
                            codes::UNKNOWN_BODY,
                            Severity::Error,
                            span,
                            format!("unknown body `{code}`"),
                            "declare the body, or check the code with `vires bodies`",
                        ),
                        Some(b) if must_live && !c.reg.body(b).life.contains(on) => {
                            let life = c.reg.body(b).life;
                            c.diag_in(
                                (i, ins),
                                codes::RECEIVER_NOT_IN_EXISTENCE,
                                Severity::Error,
                                span,
                                format!("{code} did not exist on {on} (it existed {})", show_life(life)),
                                "the receiver must exist when the instrument takes effect; check `from` or the body's dates",
                            )
                        }
                        Some(_) => {}
                    }
                }
            }
        };
        let live = !matches!(
            ins.kind,
            InstrumentKind::Abolish | InstrumentKind::Establish
        );
        check_list(self, &ins.terms().receivers, ins.spans().receivers, live);
        if let Some(of) = &ins.particulars().of {
            check_list(self, of, ins.spans().of, true);
        }
        if let Some(lead) = &ins.particulars().lead {
            check_list(
                self,
                &Receivers::Bodies(vec![lead.clone()]),
                ins.spans().receivers,
                true,
            );
        }
        for p in &ins.particulars().predecessors {
            if self.reg.body_near(p, day_before(on)).is_none() {
                self.diag_in(
                    (i, ins),
                    codes::UNKNOWN_BODY,
                    Severity::Error,
                    ins.spans().receivers,
                    format!("unknown body `{p}`"),
                    "declare the body, or check the code with `vires bodies`",
                );
            }
        }
        if let Some(a) = &ins.area {
            let mut bad = Vec::new();
            match a {
                AreaExpr::Practices(ps) if ps.len() == 1 => match practice {
                    Some(practice) => named.practice = Some(practice),
                    None => bad.push(format!("practice `{}`", ps[0])),
                },
                _ => self.unknown_in_area(a, on, &mut bad, 0),
            }
            for b in bad {
                self.diag_in(
                    (i, ins),
                    codes::UNKNOWN_AREA,
                    Severity::Error,
                    ins.spans().area,
                    format!("unknown area {b}"),
                    "use `england`, `own`, `footprint(CODE)`, `practices(CODE, ...)` or a declared area",
                );
            }
        }
        named
    }

    fn unknown_in_area(&self, a: &AreaExpr, on: Date, bad: &mut Vec<String>, depth: u32) {
        if depth > 32 {
            bad.push("(areas nest too deeply or refer to themselves)".into());
            return;
        }
        match a {
            AreaExpr::England | AreaExpr::Own => {}
            AreaExpr::Footprint(code) => {
                if self.reg.body_near(code, on).is_none() {
                    bad.push(format!("footprint({code}): no such body"));
                }
            }
            AreaExpr::Practices(ps) => {
                for p in ps {
                    if self.reg.practice_id(p).is_none() {
                        bad.push(format!("practice `{p}`"));
                    }
                }
            }
            AreaExpr::Named(n) => match self.reg.area(n) {
                None => bad.push(format!("`{n}`")),
                Some(na) => self.unknown_in_area(&na.expr, on, bad, depth + 1),
            },
            AreaExpr::Union(parts) => {
                for p in parts {
                    self.unknown_in_area(p, on, bad, depth + 1);
                }
            }
        }
    }
}

impl Compiler {
    pub(super) fn check_bodies(&mut self) {
        for b in &self.reg.bodies {
            if let Some(problem) = crate::model::ident::id_problem(&b.code) {
                self.findings.diags.push(Diagnostic {
                    code: codes::BAD_ID,
                    severity: Severity::Error,
                    subject: b.code.clone(),
                    message: format!("body code `{}` {problem}", b.code),
                    help: "give the body its ODS code, or a code of ASCII letters, digits, `.`, `_` and `-` (at most 128)"
                        .into(),
                    span: b.span,
                });
            }
            if b.life.is_empty() {
                self.findings.diags.push(Diagnostic {
                    code: codes::BODY_LIFE_BACKWARDS,
                    severity: Severity::Error,
                    subject: b.code.clone(),
                    message: format!(
                        "body {} ends on {} but starts on {}",
                        b.code,
                        b.life.until.map(|d| d.to_string()).unwrap_or_default(),
                        b.life.from
                    ),
                    help: "a body's `until` is the first day it no longer exists; it must be after `from`"
                        .into(),
                    span: b.span,
                });
            }
        }
    }

    /// Field-level checks that need no grants: ids, dates, names, required fields, powers.
    /// Also indexes ids and places. The checks take runs of instruments on both cores; the
    /// second thread indexes first.
    pub(super) fn check_instruments(&mut self) -> InstrumentIndex {
        // Taken out so that the checks can borrow the rest of the register beside them.
        let instruments = std::mem::take(&mut self.reg.instruments);
        let mut memberships = std::mem::take(&mut self.reg.memberships);
        let parents = std::mem::take(&mut self.reg.parents);
        let (n_practices, n_bodies) = (self.reg.practices.len(), self.reg.bodies.len());
        // Memberships naming a practice or body the register does not have are dropped
        // (no answer could use them); the rest go in (practice, date) order, so that each
        // practice's are a range of the register's own (`index_places`). A register built
        // practice by practice is in that order already, which is checked first: the stable
        // sort would find it in one pass, but only after taking a scratch buffer of half the
        // memberships (fresh pages, megabytes of them at a million instruments).
        memberships
            .retain(|m| (m.practice.0 as usize) < n_practices && (m.body.0 as usize) < n_bodies);
        if !memberships.is_sorted_by_key(|m| (m.practice, m.during.from)) {
            memberships.sort_by_key(|m| (m.practice, m.during.from));
        }
        // Neither index needs anything the checks find, nor the checks them. A duplicate id
        // is reported after the other checks, not between them: every check here is an
        // error, so a void instrument suppresses none of them, and diagnostics are sorted
        // by subject and code (stably) before anyone sees them.
        let side = || {
            (
                InstrumentIndex::build(&instruments),
                index_places(&memberships, &parents, n_practices, n_bodies),
            )
        };
        let next_run = std::sync::atomic::AtomicUsize::new(0);
        let reg = &self.reg;
        let check = || FieldChecker::new(reg).check_runs(&instruments, &next_run);
        // Runs are taken from `next_run` by whichever thread is free; without a second
        // thread, the other's checks find none left.
        let (mut runs, (((by_id, duplicates), places), more)) =
            crate::support::side_by_side::side_by_side(true, check, || (side(), check()));
        runs.extend(more);
        // Whichever thread checked a run, the findings go in instrument order.
        runs.sort_unstable_by_key(|r| r.start);
        self.resolved.function_starts.push(0);
        for run in runs {
            let base = self.resolved.function_list.len() as u32;
            self.resolved
                .function_list
                .extend_from_slice(&run.function_list);
            self.resolved
                .function_starts
                .extend(run.function_ends.iter().map(|&e| base + e));
            for (k, &v) in run.found.void.iter().enumerate() {
                self.findings.void[run.start + k] |= v;
            }
            self.resolved.rests_on.extend(run.rests_on.iter().copied());
            self.resolved.structural.extend_from_slice(&run.structural);
            self.resolved.exercises.push(run.exercises);
            for (i, ex) in &run.excepts {
                self.resolved.excepts[*i as usize] = self.interned.function_sets.intern_slice(ex);
            }
            self.findings.diags.extend(run.found.diags);
        }
        for (i, first) in duplicates {
            let ins = &instruments[i.0 as usize];
            let first_title = &instruments[first.0 as usize].title;
            self.diag_in(
                (i, ins),
                codes::DUPLICATE_ID,
                Severity::Error,
                ins.spans().id,
                format!("instrument id `{}` is already used by \"{}\"", ins.id, first_title),
                "give each instrument its own `id`; to change an instrument, write an `amend` that targets it",
            );
        }
        self.places = places;
        self.reg.instruments = instruments;
        self.reg.memberships = memberships;
        self.reg.parents = parents;
        by_id
    }
}
