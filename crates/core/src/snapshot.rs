//! The compiled snapshot: every instrument reduced to [`Grant`]s (who may exercise which
//! function, where, when, for what purpose, derived from which parent grant), indexed for
//! constant-time lookup by (function, area key).
//!
//! Invariants (checked by the property tests against a naive evaluator):
//! - a grant's parent was live on the grant's first day and covers its function and area;
//! - a grant never outlives its parent or its holder: segments are split at those dates;
//! - void instruments (any error diagnostic) produce no grants.

use crate::answer::query::Role;
use crate::model::body::BodyId;
use crate::model::diagnostic::Diagnostic;
use crate::model::function::FunctionId;
use crate::model::instrument::{InstrumentId, Onward};
use crate::model::interval::Interval;
use crate::model::place::{Membership, PracticeId};
use crate::model::register::Register;
use crate::support::lazy_cells::LazyCells;
use jiff::civil::Date;
use rustc_hash::FxHashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct GrantId(pub u32);

// The snapshot's tables hold these inline, nothing on the heap.
crate::support::heap_bytes::flat!(
    GrantId,
    AreaKey,
    Grant,
    InstrumentId,
    FunctionId,
    BodyId,
    (Interval, BodyId),
    Option<(Date, BodyId, InstrumentId)>
);

/// The grant a grant was made from, if any, in 4 bytes: an `Option<GrantId>` takes 8, and a
/// snapshot of a million instruments holds a million grants. Grant ids are `u32`s, and
/// `u32::MAX` grants of 52 bytes would take over 200 GB, so that number stands for none.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct ParentGrant(u32);

impl ParentGrant {
    pub const NONE: ParentGrant = ParentGrant(u32::MAX);

    pub fn get(self) -> Option<GrantId> {
        (self.0 != u32::MAX).then_some(GrantId(self.0))
    }
}

impl From<Option<GrantId>> for ParentGrant {
    fn from(g: Option<GrantId>) -> Self {
        g.map_or(ParentGrant::NONE, |g| ParentGrant(g.0))
    }
}

impl std::fmt::Debug for ParentGrant {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.get().fmt(f)
    }
}

/// The unit of place a grant is indexed under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum AreaKey {
    England,
    Body(BodyId),
    Practice(PracticeId),
}

#[derive(Debug, Clone)]
pub struct Grant {
    pub function: FunctionId,
    /// Index into [`Snapshot::function_sets`]: child functions excluded (0 = none).
    pub except: u32,
    pub holder: BodyId,
    pub accountable: BodyId,
    pub role: Role,
    pub during: Interval,
    pub instrument: InstrumentId,
    pub parent: ParentGrant,
    /// Index into [`Snapshot::via_lists`]: amendments and mergers this segment rests on (0 = none).
    pub via: u32,
    /// Index into [`Snapshot::purpose_sets`] (0 = unrestricted).
    pub purposes: u32,
    pub concurrent: bool,
    pub onward: Onward,
    /// Index into [`Snapshot::area_lists`].
    pub area: u32,
}

/// Lists per slot (per body, per grant, per instrument, per index key, per practice) in
/// one flat vector. A `Vec<Vec<_>>` costs 24 bytes a slot plus an allocation for each
/// non-empty one.
#[derive(Debug, Clone)]
pub(crate) struct Lists<T> {
    starts: Vec<u32>,
    items: Vec<T>,
}

impl<T> Default for Lists<T> {
    fn default() -> Self {
        Lists {
            starts: Vec::new(),
            items: Vec::new(),
        }
    }
}

impl<T: crate::support::heap_bytes::HeapBytes> crate::support::heap_bytes::HeapBytes for Lists<T> {
    fn heap_bytes(&self) -> usize {
        self.starts.heap_bytes() + self.items.heap_bytes()
    }
}

/// Grants per slot.
pub(crate) type GrantLists = Lists<GrantId>;

impl<T: Copy> Lists<T> {
    /// `n` slots, filled from `(slot, item)` pairs; each slot keeps the pairs' order. Every
    /// slot must be below `n`.
    pub(crate) fn build(n: usize, pairs: impl Iterator<Item = (usize, T)> + Clone) -> Self {
        let mut starts = vec![0u32; n + 1];
        for (slot, _) in pairs.clone() {
            starts[slot + 1] += 1;
        }
        for i in 0..n {
            starts[i + 1] += starts[i];
        }
        // Any item will do to fill the room before each is written to its place.
        let Some((_, fill)) = pairs.clone().next() else {
            return Lists {
                starts,
                items: Vec::new(),
            };
        };
        let mut next: Vec<u32> = starts[..n].to_vec();
        let mut items = vec![fill; starts[n] as usize];
        for (slot, item) in pairs {
            items[next[slot] as usize] = item;
            next[slot] += 1;
        }
        Lists { starts, items }
    }

    pub(crate) fn get(&self, slot: usize) -> &[T] {
        match (self.starts.get(slot), self.starts.get(slot + 1)) {
            (Some(&a), Some(&b)) => &self.items[a as usize..b as usize],
            _ => &[],
        }
    }

    /// Sorts each slot's list by a key, keeping the order of equal keys.
    pub(crate) fn sort_each_by_key<K: Ord>(&mut self, mut key: impl FnMut(&T) -> K) {
        for w in self.starts.windows(2) {
            self.items[w[0] as usize..w[1] as usize].sort_by_key(&mut key);
        }
    }
}

/// A practice's memberships, given where each practice's start in `memberships`.
pub(crate) fn memberships_in<'a>(
    memberships: &'a [Membership],
    starts: &[u32],
    a: PracticeId,
) -> &'a [Membership] {
    let i = a.0 as usize;
    match (starts.get(i), starts.get(i + 1)) {
        (Some(&from), Some(&to)) => memberships.get(from as usize..to as usize).unwrap_or(&[]),
        _ => &[],
    }
}

/// A compiled register: grants plus indexes, and the diagnostics found on the way.
#[derive(Debug, Clone)]
pub struct Snapshot {
    pub(crate) register: Register,
    pub grants: Vec<Grant>,
    pub diagnostics: Vec<Diagnostic>,
    /// (function, area key) → slot in `index_lists`.
    pub(crate) index: FxHashMap<(FunctionId, AreaKey), u32>,
    pub(crate) index_lists: GrantLists,
    pub(crate) by_holder: GrantLists,
    pub(crate) children: GrantLists,
    pub(crate) by_instrument: GrantLists,
    pub(crate) instrument_by_id: crate::support::instrument_index::InstrumentIndex,
    /// Per instrument: void (an error diagnostic) or not.
    pub(crate) void: Vec<bool>,
    /// The power each instrument that rests on one rests on, by instrument number: one in
    /// eight instruments of a large register does (a number for every instrument was four
    /// bytes each).
    pub(crate) rests_on: FxHashMap<u32, u32>,
    /// The effective end after amendments and revocations, for the instruments where it is
    /// not their own `until` (a few thousand in a million: a list per instrument was eight
    /// bytes each).
    pub(crate) changed_until: FxHashMap<u32, Option<Date>>,
    /// Per practice, where its memberships start in the register's `memberships`, which
    /// compiling leaves in (practice, date) order (one more entry at the end).
    pub(crate) practice_starts: Vec<u32>,
    pub(crate) body_parents: Lists<(Interval, BodyId)>,
    pub(crate) body_children: Lists<(Interval, BodyId)>,
    /// Per body, its practices' memberships as positions in the register's `memberships`.
    pub(crate) body_practices: Lists<u32>,
    /// Per body: the merger that ended it, as (date, successor, merge instrument).
    pub(crate) successor: Vec<Option<(Date, BodyId, InstrumentId)>>,
    pub(crate) function_sets: Vec<Vec<FunctionId>>,
    pub(crate) purpose_sets: Vec<Vec<String>>,
    pub(crate) via_lists: Vec<Vec<InstrumentId>>,
    pub(crate) area_lists: Vec<Vec<AreaKey>>,
    pub(crate) has_practice_grants: bool,
    /// Per instrument, its step in a proof, shared by every answer that cites it; built the
    /// first time an answer cites it (most instruments of a large register never are).
    pub(crate) proof_steps: LazyCells<std::sync::Arc<crate::answer::query::ProofStep>>,
    /// Per grant, its proof, built the first time an answer cites it.
    pub(crate) proofs: LazyCells<crate::answer::query::Proof>,
    /// Body codes and names and function ids as answers share them.
    pub(crate) names: crate::support::names::Names,
    /// The coverage statement and the practices' unknown stretches, indexed for answers.
    pub(crate) knowledge: crate::answer::knowledge_index::KnowledgeIndex,
}

impl Snapshot {
    pub fn register(&self) -> &Register {
        &self.register
    }

    pub fn grant(&self, g: GrantId) -> &Grant {
        &self.grants[g.0 as usize]
    }

    pub fn instrument_id(&self, id: &str) -> Option<InstrumentId> {
        self.instrument_by_id.get(&self.register.instruments, id)
    }

    pub fn is_void(&self, i: InstrumentId) -> bool {
        self.void.get(i.0 as usize).copied().unwrap_or(true)
    }

    /// The power an instrument rests on: the first power its basis cites that lets its maker
    /// make it on its date. `None` for Acts of Parliament and for instruments resting on none.
    pub fn power_of(&self, i: InstrumentId) -> Option<&crate::model::power::Power> {
        let &p = self.rests_on.get(&i.0)?;
        self.register.powers.get(p as usize)
    }

    /// The end of an instrument after amendments and revocations.
    pub fn effective_until(&self, i: InstrumentId) -> Option<Date> {
        match self.changed_until.get(&i.0) {
            Some(&until) => until,
            None => self.register.instruments.get(i.0 as usize)?.until,
        }
    }

    /// Grants that rest on an instrument (directly).
    pub fn grants_of_instrument(&self, i: InstrumentId) -> &[GrantId] {
        self.by_instrument.get(i.0 as usize)
    }

    pub fn grants_of_holder(&self, b: BodyId) -> &[GrantId] {
        self.by_holder.get(b.0 as usize)
    }

    /// Grants derived from `g` (delegations of it, directions over it, and so on).
    pub fn children_of(&self, g: GrantId) -> &[GrantId] {
        self.children.get(g.0 as usize)
    }

    /// Grants indexed under a function (exactly, not its ancestors) and an area key.
    pub(crate) fn indexed(&self, f: FunctionId, key: AreaKey) -> &[GrantId] {
        match self.index.get(&(f, key)) {
            Some(&slot) => self.index_lists.get(slot as usize),
            None => &[],
        }
    }

    pub fn purposes(&self, g: &Grant) -> &[String] {
        &self.purpose_sets[g.purposes as usize]
    }

    pub fn excluded(&self, g: &Grant) -> &[FunctionId] {
        &self.function_sets[g.except as usize]
    }

    pub fn areas(&self, g: &Grant) -> &[AreaKey] {
        &self.area_lists[g.area as usize]
    }

    pub fn via(&self, g: &Grant) -> &[InstrumentId] {
        &self.via_lists[g.via as usize]
    }

    /// Does grant `g` cover function `f` (it is for `f` or an ancestor, and `f` is not excluded)?
    pub fn grant_covers_function(&self, g: &Grant, f: FunctionId) -> bool {
        let t = &self.register.taxonomy;
        t.covers(g.function, f) && !self.excluded(g).iter().any(|&x| t.covers(x, f))
    }

    /// Bodies whose footprints contain the practice on `on`: its member body and that body's ancestors.
    pub fn practice_chain(&self, a: PracticeId, on: Date, out: &mut Vec<BodyId>) {
        for m in self.memberships_of(a) {
            if m.during.contains(on) {
                out.push(m.body);
                self.body_ancestors(m.body, on, out);
            }
        }
    }

    /// Ancestors of a body on `on`, nearest first (not including the body).
    pub fn body_ancestors(&self, b: BodyId, on: Date, out: &mut Vec<BodyId>) {
        let mut cur = b;
        // Parent links are acyclic in valid data; the bound guards against a cycle in bad data.
        for _ in 0..16 {
            let Some(next) = self
                .body_parents
                .get(cur.0 as usize)
                .iter()
                .find(|(iv, _)| iv.contains(on))
                .map(|(_, p)| *p)
            else {
                break;
            };
            if out.contains(&next) {
                break;
            }
            out.push(next);
            cur = next;
        }
    }

    /// Child bodies of `b` on `on`, recursively.
    pub fn body_descendants(&self, b: BodyId, on: Date, out: &mut Vec<BodyId>) {
        let mut stack = vec![b];
        while let Some(cur) = stack.pop() {
            for (iv, c) in self.body_children.get(cur.0 as usize) {
                if iv.contains(on) && !out.contains(c) && *c != b {
                    out.push(*c);
                    stack.push(*c);
                }
            }
        }
    }

    /// Practices in a body's footprint on `on` (its own members and its descendants').
    pub fn footprint_practices(&self, b: BodyId, on: Date) -> Vec<PracticeId> {
        let mut bodies = vec![b];
        self.body_descendants(b, on, &mut bodies);
        let mut out = Vec::new();
        for body in bodies {
            for &m in self.body_practices.get(body.0 as usize) {
                if let Some(m) = self.register.memberships.get(m as usize) {
                    if m.during.contains(on) {
                        out.push(m.practice);
                    }
                }
            }
        }
        out.sort();
        out.dedup();
        out
    }

    /// The body that `b` merged into, and when.
    pub fn successor_of(&self, b: BodyId) -> Option<(Date, BodyId, InstrumentId)> {
        self.successor.get(b.0 as usize).copied().flatten()
    }

    /// Memberships of a practice over time, earliest first.
    pub fn memberships_of(&self, a: PracticeId) -> &[Membership] {
        memberships_in(&self.register.memberships, &self.practice_starts, a)
    }

    /// Heap bytes of the snapshot's own tables (the register it holds not included), part by
    /// part, worked out from their capacities: what the benchmark's memory breakdown prints.
    pub fn heap_parts(&self) -> Vec<(&'static str, usize)> {
        use crate::support::heap_bytes::HeapBytes;
        let lists = |l: &Lists<_>| l.heap_bytes();
        vec![
            ("grants", self.grants.heap_bytes()),
            (
                "diagnostics",
                self.diagnostics.capacity() * std::mem::size_of::<Diagnostic>(),
            ),
            ("index", self.index.heap_bytes()),
            ("index_lists", lists(&self.index_lists)),
            ("by_holder", lists(&self.by_holder)),
            ("children", lists(&self.children)),
            ("by_instrument", lists(&self.by_instrument)),
            ("instrument_by_id", self.instrument_by_id.heap_bytes()),
            ("void", self.void.heap_bytes()),
            ("rests_on", self.rests_on.heap_bytes()),
            ("changed_until", self.changed_until.heap_bytes()),
            ("practice_starts", self.practice_starts.heap_bytes()),
            ("body_parents", self.body_parents.heap_bytes()),
            ("body_children", self.body_children.heap_bytes()),
            ("body_practices", self.body_practices.heap_bytes()),
            ("successor", self.successor.heap_bytes()),
            ("function_sets", self.function_sets.heap_bytes()),
            ("purpose_sets", self.purpose_sets.heap_bytes()),
            ("via_lists", self.via_lists.heap_bytes()),
            ("area_lists", self.area_lists.heap_bytes()),
            ("proof_steps", self.proof_steps.heap_bytes()),
            ("proofs", self.proofs.heap_bytes()),
            ("knowledge", self.knowledge.heap_bytes()),
        ]
    }

    pub fn grant_count(&self) -> usize {
        self.grants.len()
    }

    /// Errors and warnings for one instrument.
    pub fn diagnostics_for<'a>(&'a self, id: &'a str) -> impl Iterator<Item = &'a Diagnostic> + 'a {
        self.diagnostics.iter().filter(move |d| d.subject == id)
    }
}
