//! Arrangements: holdings made from holdings (docs/language.md, "Arrangements: holdings made
//! from holdings"). Delegations, joint committees, partnerships, directions and transfers
//! give their receivers the functions of a source; each receiver × source × function is a
//! task that finds its parent holding on its first day, and runs on in segments until the
//! parent, a body or the version ends. Tasks run in date order (`run_order`), so a parent is
//! always made before the holdings made from it.

use super::parties::Parties;
use super::versions::{written_purposes, Version};
use super::Compiler;
use crate::answer::query::Role;
use crate::model::body::BodyId;
use crate::model::diagnostic::{codes, Severity};
use crate::model::function::FunctionId;
use crate::model::instrument::{InstrumentId, InstrumentKind, Onward};
use crate::model::interval::{min_until, Interval};
use crate::snapshot::{AreaKey, Grant, GrantId};
use crate::support::run_order::{Next, RunOrder, TaskOrder};
use jiff::civil::Date;

/// A task's segment resolved on its day (see `Compiler::place`).
pub(super) struct Placement {
    pub(super) key: (InstrumentId, u32, BodyId, BodyId, Date),
    pub(super) version: Version,
    pub(super) maker: Option<BodyId>,
    /// The receiver, or the body that carries it on after mergers.
    pub(super) holder: Option<BodyId>,
    /// Likewise the source; `None` also when there is no holder.
    pub(super) source: Option<BodyId>,
    /// Amendments and mergers the segment rests on.
    pub(super) via: Vec<InstrumentId>,
    pub(super) keys: Vec<AreaKey>,
    /// The segment's area, purposes and vias as interned, once its first grant is made:
    /// the same for each function it moves.
    pub(super) interned: Option<(u32, u32, u32)>,
}

/// One receiver × source of a version of an arrangement, from `t` to `end`: the first
/// tasks of each of the instrument's functions. Stored instead of those tasks, which are
/// made as they run: an arrangement moves several functions, so there are several times
/// fewer pairings than tasks to write and sort.
#[derive(Debug, Clone, Copy)]
pub(super) struct Pairing {
    pub(super) instrument: InstrumentId,
    pub(super) version: u32,
    pub(super) receiver: BodyId,
    pub(super) source: BodyId,
    pub(super) t: Date,
    pub(super) end: Option<Date>,
    pub(super) expanded: bool,
    /// The instrument's kind's place in a day's run (`arrange`).
    pub(super) rank: u8,
}

impl Pairing {
    pub(super) fn task(&self, function: FunctionId) -> Task {
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

/// One receiver × source × function of an arrangement, from `t` to `end`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Task {
    pub(super) instrument: InstrumentId,
    pub(super) version: u32,
    pub(super) receiver: BodyId,
    pub(super) source: BodyId,
    pub(super) function: FunctionId,
    pub(super) t: Date,
    pub(super) end: Option<Date>,
    pub(super) first: bool,
    /// Receivers or sources expanded from `every KIND`: a missing parent is a warning for that
    /// body, not a reason to void the whole instrument.
    pub(super) expanded: bool,
}

enum Step {
    Done,
    Continue(Task),
    NoParent,
}

impl Compiler {
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
            if ins.kind == K::Direction && ins.particulars().of.is_none() {
                continue;
            }
            let rank = match ins.kind {
                K::Transfer => 0,
                K::Delegation => 1,
                K::JointCommittee => 2,
                K::Partnership => 3,
                _ => 4,
            };
            let named_receivers = match (&ins.kind, &ins.particulars().lead) {
                (K::Partnership, Some(lead)) => Parties::Body(Some(lead)),
                _ => (&ins.terms().receivers).into(),
            };
            let named_sources = match (&ins.kind, &ins.particulars().of) {
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

    pub(super) fn arrange(&mut self) {
        // Tasks run in order of (first day, kind rank, creation): a parent holding is made
        // before the holdings made from it, and same-day chains resolve in passes below.
        // A pairing's number stands for its tasks' creation. Making the pairings only reads
        // the register, so the two halves of the arrangements are paired side by side.
        let (front, back) = self
            .resolved
            .structural
            .split_at(self.resolved.structural.len() / 2);
        let ((mut pairings, front_tasks), (more, back_tasks)) =
            crate::support::side_by_side::side_by_side(
                self.resolved.structural.len() >= 4096,
                || self.pairings_of(front),
                || self.pairings_of(back),
            );
        pairings.extend(more);
        let first_tasks = front_tasks + back_tasks;
        let mut run = RunOrder::new(
            pairings
                .iter()
                .enumerate()
                .map(|(k, p)| TaskOrder::new(p.t, p.rank, k))
                .collect(),
        );
        // Most first tasks make a grant.
        self.reserve_grants(first_tasks);
        // Continuations, made while running, numbered after the pairings.
        let mut continued: Vec<Task> = Vec::new();
        let mut placement: Option<Placement> = None;
        let n_pairings = pairings.len();
        // The earliest task not yet run; with `day`, only one of that day.
        let next = |c: &Self, run: &mut RunOrder, continued: &[Task], day: Option<u64>| {
            let (key, next) = run.next(
                |p| c.function_positions(pairings[p].instrument.0 as usize),
                |rest| c.read_ahead(&pairings, rest),
                day,
            )?;
            let task = match next {
                Next::First { group, item } => pairings[group].task(c.resolved.function_list[item]),
                Next::Later(number) => continued[number - n_pairings],
            };
            Some((key, task))
        };
        while let Some((first, task)) = next(self, &mut run, &continued, None) {
            let mut batch = vec![(first.rank(), task)];
            while let Some((o, task)) = next(self, &mut run, &continued, Some(first.day())) {
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
                    match self.run_task(&task, &mut placement) {
                        Step::Done => {}
                        Step::Continue(next) => {
                            let number = n_pairings + continued.len();
                            run.push_later(TaskOrder::new(next.t, rank, number));
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

    /// A grant of `source` on `t` that covers `f` over every key in `keys`: what the body
    /// holds in its own right first, then exclusive holdings, then concurrent ones; the
    /// earliest made among equals.
    pub(super) fn find_parent(
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
                && !self.findings.void[g.instrument.0 as usize]
                && g.during.contains(t)
                && !self
                    .interned
                    .function_sets
                    .get(g.except)
                    .iter()
                    .any(|&x| tax.covers(x, f))
                && self.keys_contained(self.interned.area_lists.get(g.area), keys, t)
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

    /// Runs a task. `last` is the placement of the task run before it, which the next task
    /// of the same segment uses again.
    fn run_task(&mut self, task: &Task, last: &mut Option<Placement>) -> Step {
        let key = (
            task.instrument,
            task.version,
            task.receiver,
            task.source,
            task.t,
        );
        let mut place = match last.take() {
            Some(p) if p.key == key => p,
            stale => self.place(task, stale),
        };
        let step = self.run_placed(task, &mut place);
        *last = Some(place);
        step
    }

    /// Where a task's segment lands on its day: the same for each function it moves, and
    /// the tasks of one segment run one after another, so it is worked out once for them.
    /// `stale` lends its buffers.
    pub(super) fn place(&self, task: &Task, stale: Option<Placement>) -> Placement {
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
        via.extend_from_slice(self.versions.vias.get(version.via));
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
        let spans = *self.instr(i).spans();
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
        let (kind, concurrent, onward, spans) =
            (ins.kind, ins.concurrent, ins.onward, *ins.spans());
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
        let parent_purposes = self.interned.purpose_sets.get(pg.purposes);
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
                    self.interned.area_lists.intern_slice(&place.keys),
                    self.interned
                        .purpose_sets
                        .intern_slice(written_purposes(&self.reg.instruments, version.purposes)),
                    self.interned.via_lists.intern_slice(&place.via),
                );
                place.interned = Some(ids);
                ids
            }
        };
        self.push_grant(Grant {
            function: task.function,
            except: self.resolved.excepts[i.0 as usize],
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

    fn report_no_parent(&mut self, task: &Task) {
        let spans = *self.instr(task.instrument).spans();
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
}
