//! Compilation: a [`Register`] as written becomes a [`Snapshot`] of grants, with a
//! validity diagnostic for everything that does not stand. docs/language.md ("What
//! instruments mean") is the written semantics; these files are its only implementation,
//! a pass a file, run by [`compile`] in this order:
//!
//! 1. `checks.rs` (with `powers.rs` and `retained.rs`): what can be checked of each
//!    instrument alone; an error voids the instrument ("Errors").
//! 2. `amendments.rs`: amendments and revocations split their targets' lives into versions
//!    (`versions.rs`; "When an instrument is in force").
//! 3. `succession.rs`: mergers link predecessors to successors ("Bodies over time").
//! 4. `conferral.rs`: conferrals give statutory holdings ("Conferrals: statutory
//!    holdings").
//! 5. `arrangement.rs`: delegations, joint committees, partnerships, directions and
//!    transfers make holdings from holdings ("Arrangements: holdings made from holdings").
//! 6. `finish.rs`: void instruments' grants are dropped with everything made from them, the
//!    snapshot is indexed, and `exercises.rs` checks recorded exercises against it (V016).
//!
//! The passes share `parties.rs` (who an instrument names), `places.rs` and `areas.rs`
//! (places over time, areas as keys) and `holdings.rs` (each body's grants by function).
//! This file holds the state they share and the order they run in; the files it names
//! types from (`versions.rs`, `places.rs`, `holdings.rs`, `exercises.rs`) name nothing of
//! it back. Speed machinery the rules do not depend on (`read_ahead.rs` here; threads,
//! interning, the run order and prefetch hints in `support/`) changes no answer.

mod amendments;
mod areas;
mod arrangement;
mod checks;
mod conferral;
mod exercises;
mod finish;
mod holdings;
mod parties;
mod places;
mod powers;
mod read_ahead;
pub mod retained;
mod succession;
mod versions;

use crate::answer::query::Role;
use crate::model::body::BodyId;
use crate::model::diagnostic::{Diagnostic, Severity, Span};
use crate::model::function::FunctionId;
use crate::model::instrument::{Instrument, InstrumentId};
use crate::model::interval::Interval;
use crate::model::register::Register;
use crate::snapshot::{AreaKey, Grant, GrantId, Snapshot};
use crate::support::interner::Interner;
use exercises::ExerciseSite;
use holdings::Holdings;
use jiff::civil::Date;
use places::Places;
use rustc_hash::FxHashMap;
use versions::Versions;

/// The state of one compilation, pass after pass.
struct Compiler {
    reg: Register,
    findings: Findings,
    resolved: Resolved,
    versions: Versions,
    /// Per body: the merger that ended it, as (date, successor, merge instrument).
    successor: Vec<Option<(Date, BodyId, InstrumentId)>>,
    places: Places,
    /// The grants made so far, in the order made: a parent always before its children.
    grants: Vec<Grant>,
    holdings: Holdings,
    interned: Interned,
}

/// The diagnostics found so far, and which instruments they void.
struct Findings {
    diags: Vec<Diagnostic>,
    /// Per instrument: void (an error found) or not.
    void: Vec<bool>,
}

impl Findings {
    /// Records a finding about instrument `i`; an error voids it.
    fn report(
        &mut self,
        (i, ins): (InstrumentId, &Instrument),
        code: &'static str,
        severity: Severity,
        span: Option<Span>,
        message: String,
        help: String,
    ) {
        // A void instrument grants nothing, so warnings about its effects would be noise.
        if severity == Severity::Warning && self.void[i.0 as usize] {
            return;
        }
        self.diags.push(Diagnostic {
            code,
            severity,
            subject: ins.id.to_string(),
            message,
            help,
            span: ins.span_or_whole(span),
        });
        if severity == Severity::Error {
            self.void[i.0 as usize] = true;
        }
    }
}

/// What the checks resolved of each instrument, for the passes after them.
struct Resolved {
    /// Per instrument: the index of the power it rests on, when it cites one that holds.
    rests_on: FxHashMap<u32, u32>,
    /// Every instrument but the recorded exercises, in register order: the passes after
    /// the checks look only at these (exercises are most of a large register).
    structural: Vec<InstrumentId>,
    /// The recorded exercises to check once the snapshot is built, in register order, as
    /// the checks' runs found them.
    exercises: Vec<Vec<ExerciseSite>>,
    /// Per instrument `i`, its functions are
    /// `function_list[function_starts[i]..function_starts[i + 1]]`.
    function_starts: Vec<u32>,
    function_list: Vec<FunctionId>,
    /// Per instrument: the functions it leaves out, as a number in `function_sets`.
    excepts: Vec<u32>,
}

/// The lists grants refer to by number, each distinct list stored once.
struct Interned {
    function_sets: Interner<FunctionId>,
    purpose_sets: Interner<String>,
    via_lists: Interner<InstrumentId>,
    area_lists: Interner<AreaKey>,
}

/// Compiles a register. Never panics: every problem in the register becomes a diagnostic.
pub fn compile(reg: Register) -> Snapshot {
    let n_bodies = reg.bodies.len();
    let n_instr = reg.instruments.len();
    let mut c = Compiler {
        findings: Findings {
            diags: Vec::new(),
            void: vec![false; n_instr],
        },
        resolved: Resolved {
            rests_on: FxHashMap::default(),
            structural: Vec::new(),
            exercises: Vec::new(),
            function_starts: Vec::with_capacity(n_instr + 1),
            function_list: Vec::with_capacity(n_instr),
            excepts: vec![0; n_instr],
        },
        versions: Versions::new(),
        successor: vec![None; n_bodies],
        places: Places::default(),
        grants: Vec::new(),
        holdings: Holdings::new(n_bodies, reg.taxonomy.len()),
        interned: Interned {
            function_sets: Interner::new(),
            purpose_sets: Interner::new(),
            via_lists: Interner::new(),
            area_lists: Interner::new(),
        },
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

fn day_before(d: Date) -> Date {
    d.yesterday().unwrap_or(d)
}

pub(crate) fn show_life(iv: Interval) -> String {
    match iv.until {
        Some(u) => format!("from {} until {}", iv.from, u),
        None => format!("from {}", iv.from),
    }
}

impl Compiler {
    fn functions_of(&self, i: usize) -> &[FunctionId] {
        &self.resolved.function_list[self.function_positions(i)]
    }

    /// Where instrument `i`'s functions are in `function_list`.
    fn function_positions(&self, i: usize) -> std::ops::Range<usize> {
        let starts = &self.resolved.function_starts;
        starts[i] as usize..starts[i + 1] as usize
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
        let ins = &self.reg.instruments[i.0 as usize];
        self.findings
            .report((i, ins), code, severity, span, message, help.into());
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
        self.findings
            .report(at, code, severity, span, message, help.into());
    }

    /// Room for `n` more grants where [`Compiler::push_grant`] puts them.
    pub(super) fn reserve_grants(&mut self, n: usize) {
        self.grants.reserve(n);
        self.holdings.reserve(n);
    }

    pub(super) fn push_grant(&mut self, g: Grant) -> GrantId {
        let id = GrantId(self.grants.len() as u32);
        self.holdings
            .add(g.holder, g.function, g.role == Role::Statutory, id);
        self.grants.push(g);
        id
    }
}
