//! Compilation: a [`Register`] as written becomes a [`Snapshot`] of grants, with a
//! validity diagnostic for everything that does not stand. The semantics are described in
//! ARCHITECTURE.md ("Compilation"); this file is their only implementation.

pub mod retained;

use crate::answer::query::Role;
use crate::model::body::{BodyId, BodyKind};
use crate::model::diagnostic::{codes, Diagnostic, Severity, Span};
use crate::model::function::FunctionId;
use crate::model::instrument::{
    AreaExpr, Instrument, InstrumentId, InstrumentKind, Onward, Receivers,
};
use crate::model::interval::{min_until, Interval};
use crate::model::place::{AtomId, Membership, ParentLink};
use crate::model::register::Register;
use crate::snapshot::{
    memberships_in, AreaKey, Grant, GrantId, GrantLists, Lists, ParentGrant, Snapshot,
};
use crate::support::instrument_index::InstrumentIndex;
use crate::support::item_index::ItemIndex;
use crate::support::prefetch::prefetch;
use jiff::civil::Date;
use rustc_hash::FxHashMap;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// A segment of an instrument's life with the terms in force during it. The terms are
/// read where they are written (the instrument or the amendment that set them), so a
/// million segments copy no strings.
#[derive(Debug, Clone, Copy)]
struct Version {
    during: Interval,
    purposes: WrittenIn,
    area: WrittenIn,
    /// Amendments this segment rests on: index into `Compiler::version_vias`.
    via: u32,
}

/// Where a term of a segment is written.
#[derive(Debug, Clone, Copy)]
enum WrittenIn {
    /// The instrument's own field.
    Itself(InstrumentId),
    /// The `changes` of an amendment.
    Amendment(InstrumentId),
}

/// The segments of every instrument. Nearly all instruments are never amended and have
/// exactly one, the one their own fields give, so only amended instruments keep a list (a
/// version per instrument was 32 MB to write at a million instruments).
struct Versions {
    amended: FxHashMap<u32, Vec<Version>>,
}

/// An instrument's segments: its own, or its amended list.
enum Segments<'a> {
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
    fn of<'a>(&'a self, instruments: &[Instrument], i: usize) -> Segments<'a> {
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

    fn set(&mut self, i: usize, vs: Vec<Version>) {
        self.amended.insert(i as u32, vs);
    }
}

/// A task's segment resolved on its day (see `Compiler::place`).
struct Placement {
    key: (InstrumentId, u32, BodyId, BodyId, Date),
    version: Version,
    maker: Option<BodyId>,
    /// The receiver, or the body that carries it on after mergers.
    holder: Option<BodyId>,
    /// Likewise the source; `None` also when there is no holder.
    source: Option<BodyId>,
    /// Amendments and mergers the segment rests on.
    via: Vec<InstrumentId>,
    keys: Vec<AreaKey>,
    /// The segment's area, purposes and vias as interned, once its first grant is made:
    /// the same for each function it moves.
    interned: Option<(u32, u32, u32)>,
}

/// Who an instrument names as receivers or sources, borrowed from the instrument.
#[derive(Debug, Clone, Copy)]
enum Parties<'a> {
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

/// One receiver × source of a version of an arrangement, from `t` to `end`: the first
/// tasks of each of the instrument's functions. Stored instead of those tasks, which are
/// made as they run: an arrangement moves five functions or so, so at a million
/// instruments this is 180k pairings to write and sort rather than 980k tasks.
#[derive(Debug, Clone, Copy)]
struct Pairing {
    instrument: InstrumentId,
    version: u32,
    receiver: BodyId,
    source: BodyId,
    t: Date,
    end: Option<Date>,
    expanded: bool,
    /// The instrument's kind's place in a day's run (`arrange`).
    rank: u8,
}

impl Pairing {
    fn task(&self, function: FunctionId) -> Task {
        Task {
            instrument: self.instrument,
            version: self.version,
            receiver: self.receiver,
            source: self.source,
            function,
            t: self.t,
            end: self.end,
            first: true,
            expanded: self.expanded,
        }
    }
}

/// The first tasks in run order: pairings sorted once (in the order their tasks run), each
/// giving its functions' tasks one after another, in creation order, as they are reached.
struct FirstTasks {
    order: std::vec::IntoIter<TaskOrder>,
    /// The pairing being given out, as its place in the run, and the positions in
    /// `Compiler::function_list` of its functions not given out yet.
    current: Option<(TaskOrder, std::ops::Range<usize>)>,
}

impl FirstTasks {
    /// The place in the run of the next first task, if any. `functions(p)` is where
    /// pairing `p`'s functions are in the function list (read once per pairing).
    fn peek(
        &mut self,
        functions: impl Fn(usize) -> std::ops::Range<usize>,
        ahead: impl Fn(&[TaskOrder]),
    ) -> Option<TaskOrder> {
        loop {
            if let Some((o, left)) = &self.current {
                if !left.is_empty() {
                    return Some(*o);
                }
            }
            let o = self.order.next()?;
            ahead(self.order.as_slice());
            self.current = Some((o, functions(o.task())));
        }
    }

    /// Moves past the task `peek` gave: its pairing, and its function's position in the
    /// function list.
    fn advance(&mut self) -> Option<(usize, usize)> {
        let (o, left) = self.current.as_mut()?;
        Some((o.task(), left.next()?))
    }
}

/// One receiver × source × function of an arrangement, from `t` to `end`.
#[derive(Debug, Clone, Copy)]
struct Task {
    instrument: InstrumentId,
    version: u32,
    receiver: BodyId,
    source: BodyId,
    function: FunctionId,
    t: Date,
    end: Option<Date>,
    first: bool,
    /// Receivers or sources expanded from `every KIND`: a missing parent is a warning for that
    /// body, not a reason to void the whole instrument.
    expanded: bool,
}

/// Distinct lists, each numbered in the order first seen; the empty list is 0. The index
/// holds numbers only and finds a list through `items` ([`ItemIndex`]), so each list is
/// stored once.
struct Interner<T> {
    items: Vec<Vec<T>>,
    ids: ItemIndex,
}

impl<T: std::hash::Hash + Eq + Clone> Interner<T> {
    fn new() -> Self {
        let mut s = Interner {
            items: Vec::new(),
            ids: ItemIndex::default(),
        };
        s.intern(Vec::new());
        s
    }

    fn intern(&mut self, v: Vec<T>) -> u32 {
        let n = self.items.len() as u32;
        match self.ids.add(&self.items, Vec::as_slice, n, v.as_slice()) {
            Err(id) => id,
            Ok(()) => {
                self.items.push(v);
                n
            }
        }
    }

    /// Interns a list without allocating when it is already known.
    fn intern_slice(&mut self, v: &[T]) -> u32 {
        // The empty list is interned first, by `new`.
        if v.is_empty() {
            return 0;
        }
        let n = self.items.len() as u32;
        match self.ids.add(&self.items, Vec::as_slice, n, v) {
            Err(id) => id,
            Ok(()) => {
                self.items.push(v.to_vec());
                n
            }
        }
    }
}

/// No grant: the end of a chain in [`Holdings`].
const NO_GRANT: u32 = u32::MAX;

/// Grants in the order they were made, linked through [`Holdings::next`].
#[derive(Debug, Clone, Copy)]
struct Chain {
    first: u32,
    last: u32,
}

impl Chain {
    const EMPTY: Chain = Chain {
        first: NO_GRANT,
        last: NO_GRANT,
    };
}

/// The grants one body holds for one function, statutory apart from the rest.
#[derive(Debug, Clone, Copy)]
struct Held {
    statutory: Chain,
    derived: Chain,
}

/// A body's grants by function, statutory first, so `find_parent` looks only at the
/// grants that could cover the function instead of everything the body holds (NHS
/// England holds a grant per footprint per specialised service, so scanning all of
/// them per arrangement made the build quadratic).
///
/// The lists are chains through the grants (one number a grant), found through arrays
/// indexed by body and function. A hash map of two vectors per (body, function) was a
/// million allocations to make and free at a million instruments, and its lookups, with
/// the freeing, were a third of `arrange`.
struct Holdings {
    n_functions: usize,
    /// Per body: 1 + the start of its block of `n_functions` entries in `slots`, or 0
    /// while it holds nothing.
    block: Vec<u32>,
    /// Per (body, function) held: 1 + its index in `held`, or 0.
    slots: Vec<u32>,
    held: Vec<Held>,
    /// Per grant: the next grant of its chain, or [`NO_GRANT`].
    next: Vec<u32>,
}

impl Holdings {
    fn new(n_bodies: usize, n_functions: usize) -> Self {
        Holdings {
            n_functions,
            block: vec![0; n_bodies],
            slots: Vec::new(),
            held: Vec::new(),
            next: Vec::new(),
        }
    }

    fn get(&self, b: BodyId, f: FunctionId) -> Option<&Held> {
        let f = f.0 as usize;
        if f >= self.n_functions {
            return None;
        }
        let start = self.block.get(b.0 as usize)?.checked_sub(1)? as usize;
        let h = self.slots.get(start + f)?.checked_sub(1)?;
        self.held.get(h as usize)
    }

    /// Records grant `g`, the next grant made (grants are numbered in order).
    fn add(&mut self, b: BodyId, f: FunctionId, statutory: bool, g: GrantId) {
        self.next.push(NO_GRANT);
        let (bi, fi) = (b.0 as usize, f.0 as usize);
        // Holders are the register's bodies and functions its taxonomy's, so neither falls
        // outside; if one did, the grant would simply never be found as a parent.
        if fi >= self.n_functions || bi >= self.block.len() {
            return;
        }
        if self.block[bi] == 0 {
            self.block[bi] = self.slots.len() as u32 + 1;
            self.slots.resize(self.slots.len() + self.n_functions, 0);
        }
        let slot = self.block[bi] as usize - 1 + fi;
        if self.slots[slot] == 0 {
            self.held.push(Held {
                statutory: Chain::EMPTY,
                derived: Chain::EMPTY,
            });
            self.slots[slot] = self.held.len() as u32;
        }
        let held = &mut self.held[self.slots[slot] as usize - 1];
        let chain = if statutory {
            &mut held.statutory
        } else {
            &mut held.derived
        };
        match self.next.get_mut(chain.last as usize) {
            Some(last) => *last = g.0,
            None => chain.first = g.0,
        }
        chain.last = g.0;
    }

    /// The grants of a chain, earliest first.
    fn iter(&self, chain: Chain) -> impl Iterator<Item = GrantId> + '_ {
        std::iter::successors((chain.first != NO_GRANT).then_some(chain.first), |&g| {
            self.next
                .get(g as usize)
                .copied()
                .filter(|&n| n != NO_GRANT)
        })
        .map(GrantId)
    }
}

/// How many pairings ahead of the one running [`Compiler::read_ahead`] asks for what a
/// pairing's tasks read. At a million instruments, distances from 1 to 6 all cut `arrange`
/// by about a tenth (fastest of 3 builds, 5 runs: 241-276 ms against 273-302 without),
/// none clearly better than another.
const READ_AHEAD: usize = 3;

struct Compiler {
    reg: Register,
    diags: Vec<Diagnostic>,
    void: Vec<bool>,
    /// Per instrument: the index of the power it rests on, when it cites one that holds.
    rests_on: FxHashMap<u32, u32>,
    /// Every instrument but the recorded exercises, in register order. Exercises are most
    /// of a large register, and the passes that only look for mergers, amendments,
    /// conferrals or arrangements would otherwise read every instrument's kind: at 10^6
    /// instruments that is a cache miss each, some 30 ms a pass.
    structural: Vec<InstrumentId>,
    /// The recorded exercises to check once the snapshot is built, in register order, as
    /// the field checks' runs found them (joining them would copy megabytes for nothing).
    exercises: Vec<Vec<ExerciseSite>>,
    /// Per instrument `i`, its resolved functions are `function_list[function_starts[i]..function_starts[i + 1]]`.
    function_starts: Vec<u32>,
    function_list: Vec<FunctionId>,
    excepts: Vec<u32>,
    versions: Versions,
    version_vias: Interner<InstrumentId>,
    /// The placement of the last task run, for the next task of the same segment.
    placement: Option<Placement>,
    successor: Vec<Option<(Date, BodyId, InstrumentId)>>,
    grants: Vec<Grant>,
    holdings: Holdings,
    atom_starts: Vec<u32>,
    body_parents: Lists<(Interval, BodyId)>,
    body_children: Lists<(Interval, BodyId)>,
    body_atoms: Lists<u32>,
    function_sets: Interner<FunctionId>,
    purpose_sets: Interner<String>,
    via_lists: Interner<InstrumentId>,
    area_lists: Interner<AreaKey>,
}

/// `(slot, grant)` for each grant, its slot read from `column` at the grant's position.
fn grant_slots(column: &[u32]) -> impl Iterator<Item = (usize, GrantId)> + Clone + '_ {
    column
        .iter()
        .enumerate()
        .map(|(gi, &slot)| (slot as usize, GrantId(gi as u32)))
}

/// Compiles a register. Never panics: every problem in the register becomes a diagnostic.
pub fn compile(reg: Register) -> Snapshot {
    let n_bodies = reg.bodies.len();
    let n_instr = reg.instruments.len();
    let mut c = Compiler {
        diags: Vec::new(),
        void: vec![false; n_instr],
        rests_on: FxHashMap::default(),
        structural: Vec::new(),
        exercises: Vec::new(),
        function_starts: Vec::with_capacity(n_instr + 1),
        function_list: Vec::with_capacity(n_instr),
        excepts: vec![0; n_instr],
        versions: Versions {
            amended: FxHashMap::default(),
        },
        version_vias: Interner::new(),
        placement: None,
        successor: vec![None; n_bodies],
        grants: Vec::new(),
        holdings: Holdings::new(n_bodies, reg.taxonomy.len()),
        atom_starts: Vec::new(),
        body_parents: Lists::default(),
        body_children: Lists::default(),
        body_atoms: Lists::default(),
        function_sets: Interner::new(),
        purpose_sets: Interner::new(),
        via_lists: Interner::new(),
        area_lists: Interner::new(),
        reg,
    };
    c.check_bodies();
    let instrument_by_id = c.check_instruments();
    c.apply_amendments(&instrument_by_id);
    c.link_successors();
    c.confer();
    c.arrange();
    c.finish(instrument_by_id)
}

/// Compiles a register as [`compile`] does, without a second thread: the same snapshot
/// (tested), for hosts where starting threads is unwanted, and to show that the parts of
/// the build that run side by side change nothing.
pub fn compile_on_one_thread(reg: Register) -> Snapshot {
    crate::support::side_by_side::on_one_thread(|| compile(reg))
}

impl Snapshot {
    /// Compiles a register into a queryable snapshot. See [`compile`].
    pub fn compile(register: Register) -> Snapshot {
        compile(register)
    }
}

/// Records a finding about instrument `i`; an error voids it.
#[allow(clippy::too_many_arguments)]
fn report(
    diags: &mut Vec<Diagnostic>,
    void: &mut [bool],
    (i, ins): (InstrumentId, &Instrument),
    code: &'static str,
    severity: Severity,
    span: Option<Span>,
    message: String,
    help: String,
) {
    // A void instrument grants nothing, so warnings about its effects would be noise.
    if severity == Severity::Warning && void[i.0 as usize] {
        return;
    }
    diags.push(Diagnostic {
        code,
        severity,
        subject: ins.id.to_string(),
        message,
        help,
        span: ins.span_or_whole(span),
    });
    if severity == Severity::Error {
        void[i.0 as usize] = true;
    }
}

fn written_purposes(instruments: &[Instrument], w: WrittenIn) -> &[String] {
    match w {
        WrittenIn::Itself(i) => &instruments[i.0 as usize].purposes,
        WrittenIn::Amendment(a) => instruments[a.0 as usize]
            .particulars
            .changes
            .as_ref()
            .and_then(|c| c.purposes.as_deref())
            .unwrap_or(&[]),
    }
}

/// Who belongs to whom over time, indexed both ways.
struct Places {
    atom_starts: Vec<u32>,
    body_parents: Lists<(Interval, BodyId)>,
    body_children: Lists<(Interval, BodyId)>,
    body_atoms: Lists<u32>,
}

fn index_places(
    memberships: &[Membership],
    parents: &[ParentLink],
    n_atoms: usize,
    n_bodies: usize,
) -> Places {
    // `memberships` are valid and in (practice, date) order (`check_instruments`), so a
    // practice's memberships are a range of them: one start a practice rather than a
    // 12-byte copy of each membership.
    let mut atom_starts = vec![0u32; n_atoms + 1];
    for m in memberships {
        atom_starts[m.atom.0 as usize + 1] += 1;
    }
    for i in 0..n_atoms {
        atom_starts[i + 1] += atom_starts[i];
    }
    // A body's practices as positions in `memberships`, which the snapshot keeps anyway:
    // four bytes a membership instead of a sixteen-byte copy.
    let body_atoms = Lists::build(
        n_bodies,
        memberships
            .iter()
            .enumerate()
            .map(|(i, m)| (m.body.0 as usize, i as u32)),
    );
    let links = parents.iter().filter(|p| {
        p.child != p.parent && (p.child.0 as usize) < n_bodies && (p.parent.0 as usize) < n_bodies
    });
    let mut body_parents = Lists::build(
        n_bodies,
        links
            .clone()
            .map(|p| (p.child.0 as usize, (p.during, p.parent))),
    );
    let mut body_children = Lists::build(
        n_bodies,
        links.map(|p| (p.parent.0 as usize, (p.during, p.child))),
    );
    body_parents.sort_each_by_key(|(iv, _)| iv.from);
    body_children.sort_each_by_key(|(iv, _)| iv.from);
    Places {
        atom_starts,
        body_parents,
        body_children,
        body_atoms,
    }
}

fn day_before(d: Date) -> Date {
    d.yesterday().unwrap_or(d)
}

/// A recorded exercise whose maker was alive when it acted, with what the field checks
/// resolved of its names, for the exercise check after the build.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ExerciseSite {
    pub(crate) instrument: InstrumentId,
    pub(crate) maker: BodyId,
    /// The practice, when the exercise is at exactly one.
    pub(crate) practice: Option<AtomId>,
}

/// What the field checks found about a run of instruments, from `start`: kept apart so
/// that runs can be checked side by side and merged in instrument order.
struct FieldFindings {
    start: usize,
    diags: Vec<Diagnostic>,
    /// Per instrument of the run.
    void: Vec<bool>,
    /// Instruments that rest on a power, with the power.
    rests_on: Vec<(u32, u32)>,
    /// The instruments of the run that are not recorded exercises.
    structural: Vec<InstrumentId>,
    /// The recorded exercises of the run that name a maker alive on the day.
    exercises: Vec<ExerciseSite>,
    /// Per instrument of the run, the end of its functions in `function_list`.
    function_ends: Vec<u32>,
    function_list: Vec<FunctionId>,
    /// Instruments that leave child functions out, with those functions sorted.
    excepts: Vec<(u32, Vec<FunctionId>)>,
}

/// What [`FieldChecker::check_names`] resolved that later checks use again.
struct Named {
    /// The maker, when it exists on the instrument's day.
    maker: Option<BodyId>,
    /// The practice, when the area is exactly one that exists.
    practice: Option<AtomId>,
}

/// The field-level checks that need no grants (ids, dates, names, required fields,
/// powers): they only read the register, so runs of instruments go to both cores.
struct FieldChecker<'a> {
    reg: &'a Register,
    /// Per distinct `basis` text: the powers it cites.
    cited: FxHashMap<String, Vec<usize>>,
    out: FieldFindings,
}

/// Instruments per run of the field checks: enough that taking a run costs nothing, few
/// enough that the two threads end together.
const FIELD_RUN: usize = 8192;

impl<'a> FieldChecker<'a> {
    fn new(reg: &'a Register) -> Self {
        FieldChecker {
            reg,
            cited: FxHashMap::default(),
            out: FieldFindings {
                start: 0,
                diags: Vec::new(),
                void: Vec::new(),
                rests_on: Vec::new(),
                structural: Vec::new(),
                exercises: Vec::new(),
                function_ends: Vec::new(),
                function_list: Vec::new(),
                excepts: Vec::new(),
            },
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
            let out = std::mem::replace(
                &mut self.out,
                FieldFindings {
                    start: end,
                    diags: Vec::new(),
                    void: Vec::new(),
                    rests_on: Vec::new(),
                    structural: Vec::new(),
                    exercises: Vec::new(),
                    function_ends: Vec::with_capacity(n),
                    function_list: Vec::with_capacity(n),
                    excepts: Vec::new(),
                },
            );
            done.push(out);
        }
    }

    fn check_run(&mut self, instruments: &[Instrument], run: std::ops::Range<usize>) {
        let n = run.len();
        self.out.start = run.start;
        self.out.void = vec![false; n];
        // Each exercise names one practice, found by code: at a million instruments that is a
        // cache miss or two a lookup. Made here in one tight pass, several are in flight at
        // once, where among the other checks of each instrument they ran one at a time.
        let reg = self.reg;
        let practices: Vec<Option<AtomId>> = instruments[run.clone()]
            .iter()
            .map(|ins| match &ins.area {
                Some(AreaExpr::Practices(ps)) if ps.len() == 1 => reg.atom(&ps[0]),
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
                        ins.spans.until,
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
    fn diag_in(
        &mut self,
        (i, ins): (InstrumentId, &Instrument),
        code: &'static str,
        severity: Severity,
        span: Option<Span>,
        message: String,
        help: impl Into<String>,
    ) {
        let local = InstrumentId((i.0 as usize - self.out.start) as u32);
        report(
            &mut self.out.diags,
            &mut self.out.void,
            (local, ins),
            code,
            severity,
            span,
            message,
            help.into(),
        );
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
        for f in &ins.particulars.except {
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
                ins.spans.functions,
                format!("unknown function `{f}`"),
                "declare it with `function ID { name \"...\" }` or use an id from `vires functions`",
            );
        }
        let kept = crate::compile::retained::retained_but_granted(
            &self.reg.taxonomy,
            &self.out.function_list[start..],
            &ex,
            &ins.particulars.retained,
        );
        for f in kept {
            let name = self.reg.taxonomy.name(f).to_string();
            self.diag_in(
                (i, ins),
                codes::RETAINED_NOT_EXCEPTED,
                Severity::Warning,
                ins.spans.functions,
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
                ins.spans.id,
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
        ) || (ins.kind == K::Direction && ins.particulars.of.is_some());
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
        if needs_receivers && ins.receivers.is_empty() {
            missing.push("to");
        }
        if ins.kind == K::Partnership && ins.particulars.lead.is_none() && ins.receivers.is_empty()
        {
            missing.push("lead");
        }
        if ins.kind == K::Merge {
            if ins.particulars.predecessors.is_empty() {
                missing.push("merging");
            }
            if ins.receivers.is_empty() {
                missing.push("into");
            }
        }
        if matches!(ins.kind, K::Amend | K::Revoke) && ins.particulars.target.is_none() {
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
        practice: Option<AtomId>,
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
                    ins.spans.maker,
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
                        ins.spans.maker,
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
        check_list(self, &ins.receivers, ins.spans.receivers, live);
        if let Some(of) = &ins.particulars.of {
            check_list(self, of, ins.spans.of, true);
        }
        if let Some(lead) = &ins.particulars.lead {
            check_list(
                self,
                &Receivers::Bodies(vec![lead.clone()]),
                ins.spans.receivers,
                true,
            );
        }
        for p in &ins.particulars.predecessors {
            if self.reg.body_near(p, day_before(on)).is_none() {
                self.diag_in(
                    (i, ins),
                    codes::UNKNOWN_BODY,
                    Severity::Error,
                    ins.spans.receivers,
                    format!("unknown body `{p}`"),
                    "declare the body, or check the code with `vires bodies`",
                );
            }
        }
        if let Some(a) = &ins.area {
            let mut bad = Vec::new();
            match a {
                AreaExpr::Practices(ps) if ps.len() == 1 => match practice {
                    Some(atom) => named.practice = Some(atom),
                    None => bad.push(format!("practice `{}`", ps[0])),
                },
                _ => self.unknown_in_area(a, on, &mut bad, 0),
            }
            for b in bad {
                self.diag_in(
                    (i, ins),
                    codes::UNKNOWN_AREA,
                    Severity::Error,
                    ins.spans.area,
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
                    if self.reg.atom(p).is_none() {
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

    /// Does the maker hold a power to make this kind of instrument, under the cited basis, then?
    fn check_power(&mut self, i: InstrumentId, ins: &Instrument) {
        use InstrumentKind as K;
        let is_mandate = ins.kind == K::Mandate;
        if !(ins.kind.is_arrangement() || is_mandate || ins.kind == K::Merge) {
            return;
        }
        let Some(maker) = ins
            .maker
            .as_ref()
            .and_then(|m| self.reg.body_near(m, ins.from))
        else {
            return;
        };
        let maker_kind = self.reg.body(maker).kind;
        // Parliament is sovereign: an Act needs no power to rest on.
        if maker_kind == BodyKind::Parliament {
            return;
        }
        let code = if is_mandate {
            codes::REQUIREMENT_WITHOUT_POWER
        } else {
            codes::NO_POWER
        };
        let Some(basis) = ins.basis.as_deref().filter(|b| !b.trim().is_empty()) else {
            let maker_code = &self.reg.body(maker).code;
            let msg = if is_mandate {
                format!("this requirement by {maker_code} cites no power at all")
            } else {
                format!("this {} by {maker_code} cites no legal basis", ins.kind)
            };
            self.diag_in(
                (i, ins),
                code,
                Severity::Error,
                ins.spans.basis,
                msg,
                "add `basis \"<Act> s.<section>\"` naming the power it rests on; `vires powers` lists them",
            );
            return;
        };
        // Most instruments share a handful of bases: match each distinct one once.
        if !self.cited.contains_key(basis) {
            let ids: Vec<usize> = self
                .reg
                .powers
                .iter()
                .enumerate()
                .filter(|(_, p)| p.cited_by(basis))
                .map(|(pi, _)| pi)
                .collect();
            self.cited.insert(basis.to_owned(), ids);
        }
        let reg = &self.reg;
        // A maker that names itself among the receivers (a joint committee it sits on)
        // is not a receiver the power has to allow.
        let receivers_allowed = |p: &crate::model::power::Power| match &ins.receivers {
            Receivers::Every(k) => p.receivers.contains(k),
            Receivers::Bodies(bs) => bs
                .iter()
                .filter_map(|b| reg.body_near(b, ins.from))
                .filter(|&b| b != maker)
                .all(|b| p.receivers.contains(&reg.body(b).kind)),
        };
        let holds = |p: &crate::model::power::Power| {
            p.kinds.contains(&ins.kind)
                && p.makers.contains(&maker_kind)
                && p.during.contains(ins.from)
                && (p.receivers.is_empty() || receivers_allowed(p))
        };
        let cited_ids = &self.cited[basis];
        if let Some(&pi) = cited_ids.iter().find(|&&pi| holds(&reg.powers[pi])) {
            self.out.rests_on.push((i.0, pi as u32));
            return;
        }
        let cited: Vec<&crate::model::power::Power> =
            cited_ids.iter().map(|&pi| &reg.powers[pi]).collect();
        let maker_code = reg.body(maker).code.clone();
        let mut reasons = Vec::new();
        for p in &cited {
            if !p.kinds.contains(&ins.kind) {
                reasons.push(format!("{} does not provide for a {}", p.title, ins.kind));
            } else if !p.makers.contains(&maker_kind) {
                reasons.push(format!("{} is not a power of a {maker_kind}", p.title));
            } else if !p.during.contains(ins.from) {
                reasons.push(format!(
                    "{} was not in force on {} (in force {})",
                    p.title,
                    ins.from,
                    show_life(p.during)
                ));
            } else {
                let allowed: Vec<&str> = p.receivers.iter().map(|k| k.as_str()).collect();
                reasons.push(format!(
                    "{} lets the maker act only towards {}",
                    p.title,
                    allowed.join(", ")
                ));
            }
        }
        let message = if cited.is_empty() {
            if is_mandate {
                format!(
                    "the requirement rests on no power: `{basis}` cites no power in the registry"
                )
            } else {
                format!("`{basis}` cites no power in the registry")
            }
        } else if is_mandate {
            format!("the requirement rests on no power: {}", reasons.join("; "))
        } else {
            format!(
                "{maker_code} lacked the power on {}: {}",
                ins.from,
                reasons.join("; ")
            )
        };
        self.diag_in(
            (i, ins),
            code,
            Severity::Error,
            ins.spans.basis,
            message,
            "cite a power that lets this kind of body make this instrument on this date; `vires powers` lists them",
        );
    }
}

impl Compiler {
    fn versions_of(&self, i: usize) -> Segments<'_> {
        self.versions.of(&self.reg.instruments, i)
    }

    fn functions_of(&self, i: usize) -> &[FunctionId] {
        &self.function_list[self.function_positions(i)]
    }

    /// Where instrument `i`'s functions are in `function_list`.
    fn function_positions(&self, i: usize) -> std::ops::Range<usize> {
        self.function_starts[i] as usize..self.function_starts[i + 1] as usize
    }

    fn instr(&self, i: InstrumentId) -> &Instrument {
        &self.reg.instruments[i.0 as usize]
    }

    fn diag(
        &mut self,
        i: InstrumentId,
        code: &'static str,
        severity: Severity,
        span: Option<Span>,
        message: String,
        help: impl Into<String>,
    ) {
        let Compiler {
            reg, diags, void, ..
        } = self;
        let ins = &reg.instruments[i.0 as usize];
        report(
            diags,
            void,
            (i, ins),
            code,
            severity,
            span,
            message,
            help.into(),
        );
    }

    /// [`Compiler::diag`] for an instrument taken out of the register while it is checked.
    fn diag_in(
        &mut self,
        at: (InstrumentId, &Instrument),
        code: &'static str,
        severity: Severity,
        span: Option<Span>,
        message: String,
        help: impl Into<String>,
    ) {
        report(
            &mut self.diags,
            &mut self.void,
            at,
            code,
            severity,
            span,
            message,
            help.into(),
        );
    }

    fn check_bodies(&mut self) {
        for b in &self.reg.bodies {
            if let Some(problem) = crate::model::ident::id_problem(&b.code) {
                self.diags.push(Diagnostic {
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
                self.diags.push(Diagnostic {
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
    fn check_instruments(&mut self) -> InstrumentIndex {
        // Taken out so that the checks can borrow the rest of the register beside them.
        let instruments = std::mem::take(&mut self.reg.instruments);
        let mut memberships = std::mem::take(&mut self.reg.memberships);
        let parents = std::mem::take(&mut self.reg.parents);
        let (n_atoms, n_bodies) = (self.reg.atoms.len(), self.reg.bodies.len());
        // Memberships naming a practice or body the register does not have are dropped
        // (no answer could use them); the rest go in (practice, date) order, so that each
        // practice's are a range of the register's own (`index_places`). A register built
        // practice by practice is in that order already, which is checked first: the stable
        // sort would find it in one pass, but only after taking a scratch buffer of half the
        // memberships (fresh pages, megabytes of them at a million instruments).
        memberships.retain(|m| (m.atom.0 as usize) < n_atoms && (m.body.0 as usize) < n_bodies);
        if !memberships.is_sorted_by_key(|m| (m.atom, m.during.from)) {
            memberships.sort_by_key(|m| (m.atom, m.during.from));
        }
        // Neither index needs anything the checks find, nor the checks them. A duplicate id
        // is reported after the other checks, not between them: every check here is an
        // error, so a void instrument suppresses none of them, and diagnostics are sorted
        // by subject and code (stably) before anyone sees them.
        let side = || {
            (
                InstrumentIndex::build(&instruments),
                index_places(&memberships, &parents, n_atoms, n_bodies),
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
        self.function_starts.push(0);
        for run in runs {
            let base = self.function_list.len() as u32;
            self.function_list.extend_from_slice(&run.function_list);
            self.function_starts
                .extend(run.function_ends.iter().map(|&e| base + e));
            for (k, &v) in run.void.iter().enumerate() {
                self.void[run.start + k] |= v;
            }
            self.rests_on.extend(run.rests_on.iter().copied());
            self.structural.extend_from_slice(&run.structural);
            self.exercises.push(run.exercises);
            for (i, ex) in &run.excepts {
                self.excepts[*i as usize] = self.function_sets.intern_slice(ex);
            }
            self.diags.extend(run.diags);
        }
        for (i, first) in duplicates {
            let ins = &instruments[i.0 as usize];
            let first_title = &instruments[first.0 as usize].title;
            self.diag_in(
                (i, ins),
                codes::DUPLICATE_ID,
                Severity::Error,
                ins.spans.id,
                format!("instrument id `{}` is already used by \"{}\"", ins.id, first_title),
                "give each instrument its own `id`; to change an instrument, write an `amend` that targets it",
            );
        }
        self.atom_starts = places.atom_starts;
        self.body_parents = places.body_parents;
        self.body_children = places.body_children;
        self.body_atoms = places.body_atoms;
        self.reg.instruments = instruments;
        self.reg.memberships = memberships;
        self.reg.parents = parents;
        by_id
    }

    /// Turns amendments and revocations into versions of their targets.
    fn apply_amendments(&mut self, by_id: &InstrumentIndex) {
        let mut changers: Vec<InstrumentId> = self
            .structural
            .iter()
            .copied()
            .filter(|&i| {
                matches!(
                    self.instr(i).kind,
                    InstrumentKind::Amend | InstrumentKind::Revoke
                ) && !self.void[i.0 as usize]
            })
            .collect();
        changers.sort_by_key(|&i| self.instr(i).from);
        for a in changers {
            // What the amendment says, copied out rather than the whole instrument cloned
            // (several allocations each, thousands of times at a million instruments), so
            // that `self` is free for the findings and the new versions.
            let ins = self.instr(a);
            let Some(target_name) = ins.particulars.target.clone() else {
                continue;
            };
            let (on, kind, spans) = (ins.from, ins.kind, *ins.spans);
            let changes = ins
                .particulars
                .changes
                .as_ref()
                .map(|c| (c.purposes.is_some(), c.area.is_some(), c.until));
            let Some(target) = by_id.get(&self.reg.instruments, &target_name) else {
                self.diag(
                    a,
                    codes::UNKNOWN_TARGET,
                    Severity::Error,
                    spans.target,
                    format!("no instrument has id `{target_name}`"),
                    "`target` takes the id of the instrument being amended or revoked",
                );
                continue;
            };
            let live = {
                let vs = self.versions_of(target.0 as usize);
                vs.first().is_some_and(|f| f.during.from <= on)
                    && vs
                        .last()
                        .is_some_and(|l| l.during.until.is_none_or(|u| on < u))
            };
            if !live {
                let t = self.instr(target);
                let (tf, tu) = (
                    t.from,
                    self.versions_of(target.0 as usize)
                        .last()
                        .and_then(|v| v.during.until),
                );
                self.diag(
                    a,
                    codes::DEAD_TARGET,
                    Severity::Error,
                    spans.target,
                    format!(
                        "`{target_name}` is not in force on {on} (in force {})",
                        show_life(Interval::new(tf, tu))
                    ),
                    "an instrument can be amended or revoked only while it is in force",
                );
                continue;
            }
            // An end not after the amendment's own date voids the amendment, which then
            // changes nothing: neither the end, nor its other terms, nor the proofs.
            if let Some(new_until) = changes.and_then(|(_, _, until)| until.filter(|u| *u <= on)) {
                self.diag(
                    a,
                    codes::DATES_BACKWARDS,
                    Severity::Error,
                    spans.until,
                    format!("the new end {new_until} is not after the amendment's date {on}"),
                    "to end an instrument now, use `revoke`",
                );
                continue;
            }
            let versions = self.versions_of(target.0 as usize).to_vec();
            let mut out = Vec::with_capacity(versions.len() + 1);
            for v in versions {
                if v.during.until.is_some_and(|u| u <= on) {
                    out.push(v);
                    continue;
                }
                if kind == InstrumentKind::Revoke {
                    if v.during.from < on {
                        out.push(Version {
                            during: Interval::new(v.during.from, Some(on)),
                            ..v
                        });
                    }
                    continue;
                }
                let (before, after) = if v.during.from < on {
                    (
                        Some(Version {
                            during: Interval::new(v.during.from, Some(on)),
                            ..v
                        }),
                        Version {
                            during: Interval::new(on, v.during.until),
                            ..v
                        },
                    )
                } else {
                    (None, v)
                };
                out.extend(before);
                let mut changed = after;
                if let Some((purposes, area, _)) = changes {
                    if purposes {
                        changed.purposes = WrittenIn::Amendment(a);
                    }
                    if area {
                        changed.area = WrittenIn::Amendment(a);
                    }
                }
                let mut via = self.version_vias.items[changed.via as usize].clone();
                via.push(a);
                changed.via = self.version_vias.intern(via);
                out.push(changed);
            }
            if let Some(new_until) = changes.and_then(|(_, _, until)| until) {
                out.retain(|v| v.during.from < new_until);
                if let Some(last) = out.last_mut() {
                    last.during.until = Some(new_until);
                }
            }
            self.versions.set(target.0 as usize, out);
        }
    }

    fn link_successors(&mut self) {
        // Read in place, not cloned: a merger's predecessors, receivers and spans are
        // several allocations, and cloning each of thousands of mergers to free `self`
        // for the findings cost more than the rest of the pass at a million instruments.
        // Its findings are warnings, which void nothing, so they can wait for the end.
        let Compiler {
            reg,
            structural,
            void,
            successor,
            ..
        } = self;
        let mut findings = Vec::new();
        for &i in structural.iter() {
            let ins = &reg.instruments[i.0 as usize];
            if void[i.0 as usize] || ins.kind != InstrumentKind::Merge {
                continue;
            }
            let on = ins.from;
            let Receivers::Bodies(into) = &ins.receivers else {
                continue;
            };
            let Some(succ) = into.first().and_then(|c| reg.body_at(c, on)) else {
                continue;
            };
            for p in &ins.particulars.predecessors {
                let Some(pred) = reg.body_near(p, day_before(on)) else {
                    continue;
                };
                let until = reg.body(pred).life.until;
                if until != Some(on) {
                    findings.push((
                        i,
                        ins.spans.receivers,
                        format!(
                            "{p} is recorded as ending {} but merges into {} on {on}",
                            until
                                .map(|d| d.to_string())
                                .unwrap_or_else(|| "never".into()),
                            into.first().map(String::as_str).unwrap_or("?")
                        ),
                    ));
                }
                if pred != succ {
                    successor[pred.0 as usize] = Some((on, succ, i));
                }
            }
        }
        for (i, span, message) in findings {
            self.diag(
                i,
                codes::MERGE_INCONSISTENT,
                Severity::Warning,
                span,
                message,
                "a predecessor's `until` should be the merger date",
            );
        }
    }

    /// Follows mergers from `b` to the body that carries it on `t`, collecting merger instruments.
    fn carry(&self, b: BodyId, t: Date, via: &mut Vec<InstrumentId>) -> Option<BodyId> {
        let mut cur = b;
        for _ in 0..64 {
            if self.reg.body(cur).life.contains(t) {
                return Some(cur);
            }
            let (on, next, m) = self.successor[cur.0 as usize]?;
            if on > t {
                return None;
            }
            if !via.contains(&m) {
                via.push(m);
            }
            cur = next;
        }
        None
    }

    /// Where [`Compiler::carry`] stops when it finds no body alive on `t`: `b` itself, or
    /// the last successor it was carried into, which is the body that ended.
    fn carried_last(&self, b: BodyId, t: Date) -> BodyId {
        let mut cur = b;
        for _ in 0..64 {
            match self.successor[cur.0 as usize] {
                Some((on, next, _)) if on <= t && !self.reg.body(cur).life.contains(t) => {
                    cur = next
                }
                _ => break,
            }
        }
        cur
    }

    /// The body a code names on `t`, or the nearest one of that code in time.
    fn body_named(&self, code: &str, t: Date) -> Option<BodyId> {
        self.reg
            .body_at(code, t)
            .or_else(|| self.reg.body_near(code, t))
    }

    /// The bodies `r` names over `during`, each marked whether it came from `every KIND`,
    /// into `out` (cleared first, so one buffer serves every instrument).
    fn receivers_over(&self, r: Parties<'_>, during: Interval, out: &mut Vec<(BodyId, bool)>) {
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

    fn purposes_of(&self, v: &Version) -> &[String] {
        written_purposes(&self.reg.instruments, v.purposes)
    }

    fn area_of(&self, v: &Version) -> Option<&AreaExpr> {
        match v.area {
            WrittenIn::Itself(i) => self.instr(i).area.as_ref(),
            WrittenIn::Amendment(a) => self
                .instr(a)
                .particulars
                .changes
                .as_ref()
                .and_then(|c| c.area.as_ref()),
        }
    }

    /// Area keys of an expression on date `t`, with `own` meaning `own_body`'s footprint.
    fn area_keys(
        &self,
        a: Option<&AreaExpr>,
        own_body: BodyId,
        t: Date,
        out: &mut Vec<AreaKey>,
        depth: u32,
    ) {
        if depth > 32 {
            return;
        }
        match a {
            None | Some(AreaExpr::Own) => {
                if matches!(
                    self.reg.body(own_body).kind,
                    BodyKind::NhsEngland | BodyKind::SecretaryOfState | BodyKind::Parliament
                ) {
                    out.push(AreaKey::England)
                } else {
                    out.push(AreaKey::Body(own_body))
                }
            }
            Some(AreaExpr::England) => out.push(AreaKey::England),
            Some(AreaExpr::Footprint(code)) => {
                if let Some(b) = self.reg.body_near(code, t) {
                    let mut via = Vec::new();
                    let b = self.carry(b, t, &mut via).unwrap_or(b);
                    out.push(AreaKey::Body(b));
                }
            }
            Some(AreaExpr::Practices(ps)) => out.extend(
                ps.iter()
                    .filter_map(|p| self.reg.atom(p))
                    .map(AreaKey::Atom),
            ),
            Some(AreaExpr::Named(n)) => {
                if let Some(na) = self.reg.area(n) {
                    self.area_keys(Some(&na.expr), own_body, t, out, depth + 1)
                }
            }
            Some(AreaExpr::Union(parts)) => {
                for p in parts {
                    self.area_keys(Some(p), own_body, t, out, depth + 1);
                }
            }
        }
        out.sort();
        out.dedup();
    }

    /// Room for `n` more grants where [`Compiler::push_grant`] puts them.
    fn reserve_grants(&mut self, n: usize) {
        self.grants.reserve(n);
        self.holdings.next.reserve(n);
    }

    fn push_grant(&mut self, g: Grant) -> GrantId {
        let id = GrantId(self.grants.len() as u32);
        self.holdings
            .add(g.holder, g.function, g.role == Role::Statutory, id);
        self.grants.push(g);
        id
    }

    fn confer(&mut self) {
        let mut receivers = Vec::new();
        for k in 0..self.structural.len() {
            let i = self.structural[k];
            let idx = i.0 as usize;
            if self.void[idx] || self.instr(i).kind != InstrumentKind::Conferral {
                continue;
            }
            let except = self.excepts[idx];
            for vi in 0..self.versions_of(idx).len() {
                let v = self.versions_of(idx)[vi];
                let purposes = self
                    .purpose_sets
                    .intern_slice(written_purposes(&self.reg.instruments, v.purposes));
                let via = self
                    .via_lists
                    .intern_slice(&self.version_vias.items[v.via as usize]);
                self.receivers_over((&self.instr(i).receivers).into(), v.during, &mut receivers);
                for &(b, _) in &receivers {
                    let Some(life) = v.during.intersect(&self.reg.body(b).life) else {
                        continue;
                    };
                    // A body whose footprint the area names stands for its successor after
                    // a merger: the grant ends when that body does, and the next reads the
                    // area again.
                    let mut t = life.from;
                    loop {
                        let mut keys = Vec::new();
                        self.area_keys(self.area_of(&v), b, t, &mut keys, 0);
                        let end = keys
                            .iter()
                            .filter_map(|k| match k {
                                AreaKey::Body(k) => self.reg.body(*k).life.until,
                                _ => None,
                            })
                            .filter(|&u| u > t && life.until.is_none_or(|l| u < l))
                            .min();
                        let during = Interval::new(t, end.or(life.until));
                        let area = self.area_lists.intern(keys);
                        for fi in self.function_positions(idx) {
                            let f = self.function_list[fi];
                            self.push_grant(Grant {
                                function: f,
                                except,
                                holder: b,
                                accountable: b,
                                role: Role::Statutory,
                                during,
                                instrument: i,
                                parent: ParentGrant::NONE,
                                via,
                                purposes,
                                concurrent: false,
                                onward: Onward::Permitted,
                                area,
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
    }

    fn keys_contained(&self, parent: &[AreaKey], child: &[AreaKey], t: Date) -> bool {
        child
            .iter()
            .all(|ck| parent.iter().any(|pk| self.key_contains(*pk, *ck, t)))
    }

    fn key_contains(&self, pk: AreaKey, ck: AreaKey, t: Date) -> bool {
        if pk == ck || pk == AreaKey::England {
            return true;
        }
        match (pk, ck) {
            (AreaKey::Body(p), AreaKey::Body(c)) => self.is_ancestor(p, c, t),
            (AreaKey::Body(p), AreaKey::Atom(a)) => {
                memberships_in(&self.reg.memberships, &self.atom_starts, a)
                    .iter()
                    .any(|m| {
                        m.during.contains(t) && (m.body == p || self.is_ancestor(p, m.body, t))
                    })
            }
            _ => false,
        }
    }

    fn is_ancestor(&self, p: BodyId, c: BodyId, t: Date) -> bool {
        let mut cur = c;
        for _ in 0..16 {
            match self
                .body_parents
                .get(cur.0 as usize)
                .iter()
                .find(|(iv, _)| iv.contains(t))
            {
                Some((_, next)) if *next == p => return true,
                Some((_, next)) => cur = *next,
                None => return false,
            }
        }
        false
    }

    /// A grant of `source` on `t` that covers `f` over every key in `keys`: what the body
    /// holds in its own right first, then exclusive holdings, then concurrent ones; the
    /// earliest made among equals.
    fn find_parent(
        &self,
        source: BodyId,
        f: FunctionId,
        keys: &[AreaKey],
        t: Date,
        not_from: InstrumentId,
    ) -> Option<GrantId> {
        let tax = &self.reg.taxonomy;
        let fits = |gid: GrantId| {
            let g = &self.grants[gid.0 as usize];
            g.instrument != not_from
                && !self.void[g.instrument.0 as usize]
                && g.during.contains(t)
                && !self.function_sets.items[g.except as usize]
                    .iter()
                    .any(|&x| tax.covers(x, f))
                && self.keys_contained(&self.area_lists.items[g.area as usize], keys, t)
        };
        let held = || {
            tax.self_and_ancestors(f)
                .filter_map(move |a| self.holdings.get(source, a))
        };
        // Chains are in creation order, so the first fit of each is its earliest.
        let statutory = held()
            .filter_map(|h| self.holdings.iter(h.statutory).find(|&g| fits(g)))
            .min();
        if statutory.is_some() {
            return statutory;
        }
        let mut best: Option<(u8, GrantId)> = None;
        for h in held() {
            for gid in self.holdings.iter(h.derived) {
                if best.is_some_and(|(r, b)| r == 1 && b < gid) {
                    break;
                }
                if !fits(gid) {
                    continue;
                }
                let rank = if self.grants[gid.0 as usize].concurrent {
                    2
                } else {
                    1
                };
                if best.is_none_or(|b| (rank, gid) < b) {
                    best = Some((rank, gid));
                }
            }
        }
        best.map(|(_, g)| g)
    }

    /// The pairings of the arrangements among `structural`, in their order, and how many
    /// first tasks they make (one per function each).
    fn pairings_of(&self, structural: &[InstrumentId]) -> (Vec<Pairing>, usize) {
        use InstrumentKind as K;
        let mut pairings: Vec<Pairing> = Vec::with_capacity(structural.len());
        let mut first_tasks = 0;
        let mut receivers = Vec::new();
        let mut sources = Vec::new();
        for &i in structural {
            let idx = i.0 as usize;
            let ins = self.instr(i);
            // Void instruments still get tasks (so every finding about them is reported),
            // unless their dates make no interval at all.
            if !ins.kind.is_arrangement()
                || self.versions_of(idx).iter().any(|v| v.during.is_empty())
            {
                continue;
            }
            // A direction with no `of` directs a body to act; it moves no function.
            if ins.kind == K::Direction && ins.particulars.of.is_none() {
                continue;
            }
            let rank = match ins.kind {
                K::Transfer => 0,
                K::Delegation => 1,
                K::JointCommittee => 2,
                K::Partnership => 3,
                _ => 4,
            };
            let named_receivers = match (&ins.kind, &ins.particulars.lead) {
                (K::Partnership, Some(lead)) => Parties::Body(Some(lead)),
                _ => (&ins.receivers).into(),
            };
            let named_sources = match (&ins.kind, &ins.particulars.of) {
                (K::Direction | K::Transfer | K::Partnership, Some(of)) => (&**of).into(),
                _ => Parties::Body(ins.maker.as_deref()),
            };
            let n_functions = self.functions_of(idx).len();
            for (vi, v) in self.versions_of(idx).iter().enumerate() {
                self.receivers_over(named_receivers, v.during, &mut receivers);
                self.receivers_over(named_sources, v.during, &mut sources);
                for &(r, r_exp) in &receivers {
                    for &(s, s_exp) in &sources {
                        if s == r && ins.kind != K::JointCommittee {
                            continue;
                        }
                        let mut during = v.during;
                        if r_exp {
                            match during.intersect(&self.reg.body(r).life) {
                                Some(d) => during = d,
                                None => continue,
                            }
                        }
                        if s_exp {
                            match during.intersect(&self.reg.body(s).life) {
                                Some(d) => during = d,
                                None => continue,
                            }
                        }
                        pairings.push(Pairing {
                            instrument: i,
                            version: vi as u32,
                            receiver: r,
                            source: s,
                            t: during.from,
                            end: during.until,
                            expanded: r_exp || s_exp,
                            rank,
                        });
                        first_tasks += n_functions;
                    }
                }
            }
        }
        (pairings, first_tasks)
    }

    fn arrange(&mut self) {
        // Tasks run in order of (first day, kind rank, creation). All first tasks are known
        // up front: their pairings are sorted once, the tasks of one pairing being created
        // one after another; only continuations, made while running, go through a heap. An
        // index into `pairings` stands for creation order. Making the pairings only reads
        // the register, so the two halves of the arrangements are paired side by side.
        let (front, back) = self.structural.split_at(self.structural.len() / 2);
        let ((mut pairings, front_tasks), (more, back_tasks)) =
            crate::support::side_by_side::side_by_side(
                self.structural.len() >= 4096,
                || self.pairings_of(front),
                || self.pairings_of(back),
            );
        pairings.extend(more);
        let first_tasks = front_tasks + back_tasks;
        let mut firsts: Vec<TaskOrder> = pairings
            .iter()
            .enumerate()
            .map(|(k, p)| TaskOrder::new(p.t, p.rank, k))
            .collect();
        firsts.sort_unstable();
        // Most first tasks make a grant.
        self.reserve_grants(first_tasks);
        let mut firsts = FirstTasks {
            order: firsts.into_iter(),
            current: None,
        };
        // Continuations, made while running, go through a heap, numbered after the pairings
        // so that on the same day and rank every first task runs before them.
        let mut continued: Vec<Task> = Vec::new();
        let mut continuations: BinaryHeap<Reverse<TaskOrder>> = BinaryHeap::new();
        let n_pairings = pairings.len();
        // The earliest task not yet run, from either source; with `day`, only one of that day.
        let next = |c: &Self,
                    firsts: &mut FirstTasks,
                    continuations: &mut BinaryHeap<Reverse<TaskOrder>>,
                    continued: &[Task],
                    day: Option<u64>| {
            let a = firsts.peek(
                |p| c.function_positions(pairings[p].instrument.0 as usize),
                |rest| c.read_ahead(&pairings, rest),
            );
            let b = continuations.peek().map(|r| r.0);
            let take_first = match (a, b) {
                (Some(a), Some(b)) => a < b,
                (a, _) => a.is_some(),
            };
            let key = if take_first { a } else { b }?;
            if day.is_some_and(|d| d != key.day()) {
                return None;
            }
            let task = if take_first {
                let (p, at) = firsts.advance()?;
                pairings[p].task(c.function_list[at])
            } else {
                continuations.pop();
                continued[key.task() - n_pairings]
            };
            Some((key, task))
        };
        while let Some((first, task)) =
            next(self, &mut firsts, &mut continuations, &continued, None)
        {
            let mut batch = vec![(first.rank(), task)];
            while let Some((o, task)) = next(
                self,
                &mut firsts,
                &mut continuations,
                &continued,
                Some(first.day()),
            ) {
                batch.push((o.rank(), task));
            }
            // Same-day chains (a delegation and its onward delegation on one date) resolve
            // over several passes; what still has no parent after a pass with no progress fails.
            loop {
                let before = batch.len();
                let mut retry = Vec::new();
                // Tasks of instruments already void still run, so every finding about them
                // is reported; their grants are dropped in `finish` and never serve as parents.
                for (rank, task) in batch {
                    match self.run_task(&task) {
                        Step::Done => {}
                        Step::Continue(next) => {
                            let number = n_pairings + continued.len();
                            continuations.push(Reverse(TaskOrder::new(next.t, rank, number)));
                            continued.push(next);
                        }
                        Step::NoParent => retry.push((rank, task)),
                    }
                }
                batch = retry;
                if batch.is_empty() || batch.len() == before {
                    break;
                }
            }
            for (_, task) in batch {
                self.report_no_parent(&task);
            }
        }
    }

    /// Starts loading what the first tasks of the pairings a few places on in `rest` (the
    /// run order after the pairing just reached) will read. A pairing's tasks take a
    /// microsecond or so; the pairing itself is asked for two places before its
    /// instrument, function list, bodies and holdings, which need its fields.
    fn read_ahead(&self, pairings: &[Pairing], rest: &[TaskOrder]) {
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
        if let Some(x) = self.function_starts.get(i) {
            prefetch(x);
        }
        if let Some(x) = self.excepts.get(i) {
            prefetch(x);
        }
        for b in [p.receiver, p.source] {
            let b = b.0 as usize;
            if let Some(body) = self.reg.bodies.get(b) {
                prefetch(&body.life);
                prefetch(&body.kind);
            }
            if let Some(x) = self.successor.get(b) {
                prefetch(x);
            }
            if let Some(x) = self.holdings.block.get(b) {
                prefetch(x);
            }
        }
    }

    fn report_no_parent(&mut self, task: &Task) {
        let spans = *self.instr(task.instrument).spans;
        let src = self.reg.body(task.source).code.clone();
        let f = self.reg.taxonomy.name(task.function).to_string();
        if task.first {
            let sev = if task.expanded {
                Severity::Warning
            } else {
                Severity::Error
            };
            let rc = self.reg.body(task.receiver).code.clone();
            self.diag(
                task.instrument,
                codes::DELEGATOR_LACKS_FUNCTION,
                sev,
                spans.functions.or(spans.area),
                format!(
                    "{src} did not hold {f} for the area given to {rc} on {}",
                    task.t
                ),
                format!("check with `vires what {src} --on {}`; an arrangement can only pass on a function its source holds for that whole area", task.t),
            );
        } else {
            self.diag(
                task.instrument,
                codes::ORPHAN_DELEGATOR_LOST,
                Severity::Warning,
                spans.maker,
                format!("{src} stopped holding {f} here on {}, while this instrument ran", task.t),
                "the arrangement is orphaned from that date: revoke it, or record the instrument that carries it on",
            );
        }
    }

    fn run_task(&mut self, task: &Task) -> Step {
        let key = (
            task.instrument,
            task.version,
            task.receiver,
            task.source,
            task.t,
        );
        let mut place = match self.placement.take() {
            Some(p) if p.key == key => p,
            stale => self.place(task, stale),
        };
        let step = self.run_placed(task, &mut place);
        self.placement = Some(place);
        step
    }

    /// Where a task's segment lands on its day: the same for each function it moves, and
    /// the tasks of one segment run one after another, so it is worked out once for them.
    /// `stale` lends its buffers.
    fn place(&self, task: &Task, stale: Option<Placement>) -> Placement {
        use InstrumentKind as K;
        let i = task.instrument;
        let t = task.t;
        let (mut via, mut keys) = match stale {
            Some(p) => (p.via, p.keys),
            None => (Vec::new(), Vec::new()),
        };
        via.clear();
        keys.clear();
        let ins = self.instr(i);
        let kind = ins.kind;
        let maker = ins.maker.as_ref().and_then(|m| self.reg.body_near(m, t));
        let version = self.versions_of(i.0 as usize)[task.version as usize];
        via.extend_from_slice(&self.version_vias.items[version.via as usize]);
        let holder = self.carry(task.receiver, t, &mut via);
        let source = holder.and_then(|_| self.carry(task.source, t, &mut via));
        if let (Some(holder), Some(source)) = (holder, source) {
            // `own` is the receiver's footprint for a delegation; for a joint committee, a
            // direction, a transfer or a partnership it is the footprint of the body whose
            // function is exercised.
            let own = match kind {
                K::Delegation => holder,
                _ => source,
            };
            self.area_keys(self.area_of(&version), own, t, &mut keys, 0);
        }
        Placement {
            key: (i, task.version, task.receiver, task.source, t),
            version,
            maker,
            holder,
            source,
            via,
            keys,
            interned: None,
        }
    }

    fn run_placed(&mut self, task: &Task, place: &mut Placement) -> Step {
        let i = task.instrument;
        let t = task.t;
        let spans = *self.instr(i).spans;
        let Some(holder) = place.holder else {
            let rc = self.reg.body(task.receiver).code.clone();
            if task.first {
                self.diag(
                    i,
                    codes::RECEIVER_NOT_IN_EXISTENCE,
                    Severity::Error,
                    spans.receivers,
                    format!("{rc} did not exist on {t}"),
                    "the receiver must exist when the instrument takes effect",
                );
            } else {
                // Name the body that ended: the receiver, or the successor it was carried
                // into.
                let last = self.carried_last(task.receiver, t);
                let message = if last == task.receiver {
                    format!(
                        "{rc} was abolished on {t} with no successor, while this instrument ran"
                    )
                } else {
                    let lc = &self.reg.body(last).code;
                    format!(
                        "{lc} ({rc}'s successor) was abolished on {t} with no successor, while this instrument ran"
                    )
                };
                self.diag(
                    i,
                    codes::ORPHAN_RECEIVER_ABOLISHED,
                    Severity::Warning,
                    spans.receivers,
                    message,
                    "revoke the instrument from that date, or record the merger that carries it on",
                );
            }
            return Step::Done;
        };
        let Some(source) = place.source else {
            if !task.expanded {
                let sc = self.reg.body(task.source).code.clone();
                self.diag(
                    i,
                    codes::ORPHAN_DELEGATOR_LOST,
                    Severity::Warning,
                    spans.maker,
                    format!("{sc} ceased on {t} with no successor, while this instrument ran"),
                    "revoke the instrument from that date, or record the merger that carries it on",
                );
            }
            return Step::Done;
        };
        match self.find_parent(source, task.function, &place.keys, t, i) {
            Some(parent) => self.grant_from(task, place, holder, source, parent),
            None => Step::NoParent,
        }
    }

    /// The grant a task makes from `parent`, once its holder, source and area are known.
    fn grant_from(
        &mut self,
        task: &Task,
        place: &mut Placement,
        holder: BodyId,
        source: BodyId,
        parent: GrantId,
    ) -> Step {
        let (version, maker) = (place.version, place.maker);
        use InstrumentKind as K;
        let i = task.instrument;
        let t = task.t;
        let ins = self.instr(i);
        let (kind, concurrent, onward, spans) = (ins.kind, ins.concurrent, ins.onward, *ins.spans);
        let pg = self.grants[parent.0 as usize].clone();
        let maker_is_holder = maker.is_some_and(|m| {
            let mut v = Vec::new();
            self.carry(m, t, &mut v) == Some(source)
        });
        if maker_is_holder
            && pg.role != Role::Statutory
            && pg.onward == Onward::Forbidden
            && matches!(kind, K::Delegation | K::JointCommittee | K::Partnership)
        {
            let sc = self.reg.body(source).code.clone();
            let via_instr = self.instr(pg.instrument).id.clone();
            self.diag(
                i,
                codes::ONWARD_FORBIDDEN,
                Severity::Error,
                spans.maker,
                format!("{sc} holds this function only as a delegate under `{via_instr}`, which forbids onward delegation"),
                "ask the delegator to permit onward delegation (`onward permitted`) or to arrange it directly",
            );
            return Step::Done;
        }
        let parent_purposes = &self.purpose_sets.items[pg.purposes as usize];
        let purposes = self.purposes_of(&version);
        if !parent_purposes.is_empty()
            && (purposes.is_empty() || purposes.iter().any(|p| !parent_purposes.contains(p)))
        {
            let wider: Vec<String> = if purposes.is_empty() {
                vec!["(unrestricted)".into()]
            } else {
                purposes
                    .iter()
                    .filter(|p| !parent_purposes.contains(p))
                    .cloned()
                    .collect()
            };
            let parent_purposes = parent_purposes.join(", ");
            self.diag(
                i,
                codes::PURPOSE_WIDER,
                Severity::Error,
                spans.purposes,
                format!(
                    "purposes {} go beyond the maker's own ({})",
                    wider.join(", "),
                    parent_purposes
                ),
                "an arrangement can only pass on purposes the maker holds",
            );
            return Step::Done;
        }
        // A body whose footprint the area names stands for its successor after a merger,
        // so the segment also ends when such a body does, and the next reads the area again.
        let footprint_ends = place.keys.iter().filter_map(|k| match k {
            AreaKey::Body(b) => {
                Some(self.reg.body(*b).life.until).filter(|u| u.is_none_or(|u| u > t))
            }
            _ => None,
        });
        let seg_end = [
            task.end,
            pg.during.until,
            self.reg.body(holder).life.until,
            self.reg.body(source).life.until,
        ]
        .into_iter()
        .chain(footprint_ends)
        .fold(None, |acc: Option<Option<Date>>, x| {
            Some(match acc {
                None => x,
                Some(a) => min_until(a, x),
            })
        })
        .flatten();
        let (role, accountable, concurrent) = match kind {
            K::Delegation => (Role::Delegate, pg.accountable, concurrent),
            K::JointCommittee => (Role::JointMember, pg.accountable, concurrent),
            K::Partnership => (Role::LeadPartner, pg.accountable, concurrent),
            K::Transfer => (Role::Statutory, holder, false),
            _ if concurrent => (Role::Concurrent, pg.accountable, true),
            _ => (Role::Directed, pg.accountable, false),
        };
        let (area, purposes, via) = match place.interned {
            Some(ids) => ids,
            None => {
                let ids = (
                    self.area_lists.intern_slice(&place.keys),
                    self.purpose_sets
                        .intern_slice(written_purposes(&self.reg.instruments, version.purposes)),
                    self.via_lists.intern_slice(&place.via),
                );
                place.interned = Some(ids);
                ids
            }
        };
        self.push_grant(Grant {
            function: task.function,
            except: self.excepts[i.0 as usize],
            holder,
            accountable,
            role,
            during: Interval::new(t, seg_end),
            instrument: i,
            parent: Some(parent).into(),
            via,
            purposes,
            concurrent,
            onward,
            area,
        });
        match seg_end {
            Some(e) if task.end.is_none_or(|end| e < end) => Step::Continue(Task {
                t: e,
                first: false,
                ..*task
            }),
            _ => Step::Done,
        }
    }

    fn finish(self, instrument_by_id: InstrumentIndex) -> Snapshot {
        let Compiler {
            mut reg,
            mut diags,
            void,
            rests_on,
            versions,
            successor,
            grants,
            atom_starts,
            body_parents,
            body_children,
            body_atoms,
            function_sets,
            purpose_sets,
            via_lists,
            area_lists,
            exercises,
            ..
        } = self;
        // Drop grants of void instruments and everything derived from them. Parents always
        // precede their children in `grants`, so one forward pass suffices.
        let grants_instrument: Vec<InstrumentId> = grants.iter().map(|g| g.instrument).collect();
        // Kept grants move down in place: a second vector of them would be as large again,
        // and at a million instruments fresh memory (page faults) is much of the build.
        let mut grants = grants;
        let mut remap: Vec<u32> = vec![NO_GRANT; grants.len()];
        let mut n_kept = 0;
        for old in 0..grants.len() {
            let g = &grants[old];
            if void[g.instrument.0 as usize] {
                continue;
            }
            if let Some(p) = g.parent.get() {
                match remap[p.0 as usize] {
                    NO_GRANT => {
                        // Its parent was voided after this grant was made from it.
                        let ins = &reg.instruments[g.instrument.0 as usize];
                        diags.push(Diagnostic {
                            code: codes::RESTS_ON_VOID,
                            severity: Severity::Warning,
                            subject: ins.id.to_string(),
                            message: format!(
                                "part of this instrument rests on `{}`, which is void",
                                reg.instruments[grants_instrument[p.0 as usize].0 as usize].id
                            ),
                            help: "fix the instrument it rests on; until then this part grants nothing".into(),
                            span: ins.span_or_whole(ins.spans.maker),
                        });
                        continue;
                    }
                    np => grants[old].parent = Some(GrantId(np)).into(),
                }
            }
            remap[old] = n_kept as u32;
            // Everything below `old` has been read already.
            grants.swap(n_kept, old);
            n_kept += 1;
        }
        grants.truncate(n_kept);
        // The vector grew by doubling; shrinking a block that large gives pages back
        // rather than copying.
        grants.shrink_to_fit();
        drop(remap);
        drop(grants_instrument);
        let kept = grants;
        // The index by (function, area key) and the lists by holder, parent and instrument
        // each only read the kept grants, so they are made side by side.
        let index_grants = || {
            let mut index: FxHashMap<(FunctionId, AreaKey), u32> = FxHashMap::default();
            // Most grants are indexed under one key; room for that spares the regrowing.
            let mut keyed: Vec<(u32, GrantId)> = Vec::with_capacity(kept.len());
            let mut has_atom_grants = false;
            for (gi, g) in kept.iter().enumerate() {
                for key in &area_lists.items[g.area as usize] {
                    has_atom_grants |= matches!(key, AreaKey::Atom(_));
                    let next = index.len() as u32;
                    let slot = *index.entry((g.function, *key)).or_insert(next);
                    keyed.push((slot, GrantId(gi as u32)));
                }
            }
            index.shrink_to_fit();
            let index_lists = GrantLists::build(
                index.len(),
                keyed.iter().map(|&(slot, g)| (slot as usize, g)),
            );
            (index, index_lists, has_atom_grants)
        };
        let (n_bodies, n_instruments) = (reg.bodies.len(), reg.instruments.len());
        let list_grants = || {
            // Each list reads its slot twice a grant (to count, then to place). At a million
            // instruments the grants are tens of megabytes that stream from memory on every
            // pass, so the three slots are copied out in one pass and each list reads only
            // its own column, four bytes a grant.
            let mut holders = Vec::with_capacity(kept.len());
            let mut parents = Vec::with_capacity(kept.len());
            let mut instruments = Vec::with_capacity(kept.len());
            for g in &kept {
                holders.push(g.holder.0);
                parents.push(g.parent.get().map_or(NO_GRANT, |p| p.0));
                instruments.push(g.instrument.0);
            }
            let no_parent = NO_GRANT as usize;
            (
                GrantLists::build(n_bodies, grant_slots(&holders)),
                GrantLists::build(
                    kept.len(),
                    grant_slots(&parents).filter(move |&(slot, _)| slot != no_parent),
                ),
                GrantLists::build(n_instruments, grant_slots(&instruments)),
            )
        };
        let ((index, index_lists, has_atom_grants), (by_holder, children, by_instrument)) =
            crate::support::side_by_side::side_by_side(
                kept.len() >= 4096,
                index_grants,
                list_grants,
            );
        // Only amended and revoked instruments have versions of their own.
        let changed_until = versions
            .amended
            .iter()
            .filter_map(|(&idx, vs)| {
                let ins = reg.instruments.get(idx as usize)?;
                let until = vs.last().map(|v| v.during.until).unwrap_or(ins.until);
                (until != ins.until).then_some((idx, until))
            })
            .collect();
        diags.sort_by(|a, b| a.subject.cmp(&b.subject).then(a.code.cmp(b.code)));
        diags.dedup();
        // Vectors built by pushing can have up to half their room spare, and the snapshot
        // keeps the register for good.
        reg.instruments.shrink_to_fit();
        reg.memberships.shrink_to_fit();
        reg.atoms.shrink_to_fit();
        reg.bodies.shrink_to_fit();
        let mut snap = Snapshot {
            proof_steps: crate::support::lazy_cells::LazyCells::new(reg.instruments.len()),
            names: crate::support::names::Names::of(&reg),
            knowledge: crate::answer::knowledge::KnowledgeIndex::of(&reg),
            proofs: crate::support::lazy_cells::LazyCells::new(kept.len()),
            register: reg,
            grants: kept,
            diagnostics: diags,
            index,
            index_lists,
            by_holder,
            children,
            by_instrument,
            instrument_by_id,
            void,
            rests_on,
            changed_until,
            atom_starts,
            body_parents,
            body_children,
            body_atoms,
            successor,
            function_sets: function_sets.items,
            purpose_sets: purpose_sets.items,
            via_lists: via_lists.items,
            area_lists: area_lists.items,
            has_atom_grants,
        };
        snap.check_exercises(&exercises);
        snap
    }
}

/// A task's place in the run: first day, then kind rank, then creation, packed in one
/// integer so that a million first tasks sort as plain numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
struct TaskOrder(u64);

impl TaskOrder {
    fn new(t: Date, rank: u8, task: usize) -> Self {
        // Years run from -9999 to 9999, so the offset year fits 15 bits; month 4, day 5.
        let day = (((i32::from(t.year()) + 10_000) as u64) << 9)
            | ((t.month() as u64) << 5)
            | t.day() as u64;
        TaskOrder((day << 40) | (u64::from(rank) << 32) | (task as u32 as u64))
    }

    fn day(self) -> u64 {
        self.0 >> 40
    }

    fn rank(self) -> u8 {
        (self.0 >> 32) as u8
    }

    fn task(self) -> usize {
        self.0 as u32 as usize
    }
}

enum Step {
    Done,
    Continue(Task),
    NoParent,
}

pub(crate) fn show_life(iv: Interval) -> String {
    match iv.until {
        Some(u) => format!("from {} until {}", iv.from, u),
        None => format!("from {}", iv.from),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_interner_numbers_each_distinct_list_once_whether_given_as_a_list_or_a_slice() {
        let mut lists: Interner<u32> = Interner::new();
        assert_eq!(lists.intern_slice(&[]), 0);
        let a = lists.intern(vec![1, 2, 3]);
        let b = lists.intern_slice(&[4]);
        assert_eq!((a, b), (1, 2));
        assert_eq!(lists.intern_slice(&[1, 2, 3]), a);
        assert_eq!(lists.intern(vec![4]), b);
        assert_eq!(lists.intern_slice(&[3, 2, 1]), 3);
        // Enough lists to make the table grow several times, each still found.
        for n in 0..1000u32 {
            lists.intern(vec![n, n + 1]);
        }
        for n in 0..1000u32 {
            assert_eq!(lists.intern_slice(&[n, n + 1]) as usize, 4 + n as usize);
        }
        assert_eq!(lists.items.len(), 1004);
        assert_eq!(lists.items[0], Vec::<u32>::new());
    }
}
