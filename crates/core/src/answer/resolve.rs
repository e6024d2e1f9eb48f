//! Resolution: who holds a function at a place on a date, may a body exercise it, and what
//! does a body hold. See ARCHITECTURE.md ("Resolution").

use crate::answer::knowledge::Caveat;
use crate::answer::place_parts::Part;
use crate::answer::query::{
    Coverage, Holder, MayAnswer, Proof, ProofStep, QueryError, Role, WhoAnswer,
};
use crate::compile::ExerciseSite;
use crate::model::body::BodyId;
use crate::model::diagnostic::{codes, Diagnostic, Severity};
use crate::model::function::FunctionId;
use crate::model::instrument::InstrumentId;
use crate::model::place::{AtomId, Place};
use crate::snapshot::{AreaKey, GrantId, Snapshot};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// The area keys that answer for a place: those covering all of it, and those covering part.
#[derive(Debug, Default, Clone)]
pub struct PlaceKeys {
    pub full: Vec<AreaKey>,
    pub partial: Vec<AreaKey>,
    /// For a place made of several parts (a named area): each part's keys upwards. A grant
    /// found under partial keys covers the whole place when it reaches every part.
    pub components: Vec<Vec<AreaKey>>,
    /// Scratch for the bodies above a key, kept so that refilling the keys allocates nothing.
    chain: Vec<BodyId>,
}

impl PlaceKeys {
    pub(crate) fn clear(&mut self) {
        self.full.clear();
        self.partial.clear();
        self.components.clear();
        self.chain.clear();
    }
}

/// The buffers of one question, kept per thread for `who`: a question then allocates only
/// its answer.
#[derive(Default)]
struct Scratch {
    keys: PlaceKeys,
    resolution: Resolution,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's buffers, or fresh ones if they are in use (a question asked
/// from inside another on the same thread).
fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
    SCRATCH.with(|cell| match cell.try_borrow_mut() {
        Ok(mut scratch) => f(&mut scratch),
        Err(_) => f(&mut Scratch::default()),
    })
}

/// The raw result of a resolution, before names and proofs are rendered.
#[derive(Debug, Default, Clone)]
pub struct Resolution {
    pub holders: Vec<(GrantId, Coverage)>,
    pub shadowed: Vec<GrantId>,
    /// Scratch: the function asked about and its ancestors.
    lineage: Vec<FunctionId>,
}

/// The answer to `who` with its holders not yet rendered (see [`Snapshot::who_grants`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WhoGrants {
    /// The function id as the answer gives it.
    pub function: SmolStr,
    /// The grants that hold, each with how much of the place it covers, in answer order.
    pub holders: Vec<(GrantId, Coverage)>,
    /// For each of `holders`, the part of a place larger than a practice it covers (as
    /// [`Holder::part`]).
    pub parts: Vec<Option<Part>>,
    /// As [`WhoAnswer::accountable_only`].
    pub accountable_only: Vec<String>,
    /// As [`WhoAnswer::caveats`].
    pub caveats: Vec<Caveat>,
}

/// The parts of a `who` answer: its holders (each as `H`), the bodies accountable only, and
/// the caveats.
type WhoParts<H> = (Vec<H>, Vec<String>, Vec<Caveat>);

/// One holding in the answer to `what`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holding {
    pub function: String,
    pub area: Vec<String>,
    pub role: Role,
    pub accountable: String,
    pub purposes: Vec<String>,
    pub from: Date,
    pub until: Option<Date>,
    /// Bodies this holding is exercised by instead, for all or part of the area (delegations,
    /// directions). When a delegation covers the whole area, the body is accountable only.
    pub arranged_to: Vec<String>,
    pub proof: Proof,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WhatAnswer {
    pub body: String,
    pub name: String,
    pub kind: String,
    pub on: Date,
    pub holdings: Vec<Holding>,
    /// As [`WhoAnswer::caveats`].
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub caveats: Vec<Caveat>,
}

impl Snapshot {
    pub fn function_id(&self, f: &str) -> Result<FunctionId, QueryError> {
        self.register
            .taxonomy
            .get(f)
            .ok_or_else(|| QueryError::UnknownFunction(f.to_string()))
    }

    /// Area keys for a place on a date.
    pub fn place_keys(&self, place: &Place, on: Date) -> Result<PlaceKeys, QueryError> {
        let mut keys = PlaceKeys::default();
        self.place_keys_into(place, on, &mut keys)?;
        Ok(keys)
    }

    /// [`Snapshot::place_keys`] into buffers the caller keeps, cleared first.
    pub fn place_keys_into(
        &self,
        place: &Place,
        on: Date,
        keys: &mut PlaceKeys,
    ) -> Result<(), QueryError> {
        keys.clear();
        match place {
            Place::Practice(code) => {
                let a = self
                    .register
                    .atom(code)
                    .ok_or_else(|| QueryError::UnknownPractice(code.to_string()))?;
                self.practice_keys(a, on, keys);
            }
            Place::Body(code) => {
                let b = self.body_on(code, on)?;
                self.up_keys(AreaKey::Body(b), on, &mut keys.full);
                self.down_keys(b, on, &mut keys.partial);
            }
            Place::Area(id) => {
                let area = self
                    .register
                    .area(id)
                    .ok_or_else(|| QueryError::UnknownArea(id.to_string()))?;
                let mut parts = Vec::new();
                self.expr_keys(&area.expr, on, &mut parts, 0);
                let ups: Vec<Vec<AreaKey>> = parts
                    .iter()
                    .map(|k| {
                        let mut v = Vec::new();
                        self.up_keys(*k, on, &mut v);
                        v
                    })
                    .collect();
                let mut all: Vec<AreaKey> = ups.iter().flatten().copied().collect();
                all.sort();
                all.dedup();
                for k in all {
                    if ups.iter().all(|u| u.contains(&k)) {
                        keys.full.push(k);
                    } else {
                        keys.partial.push(k);
                    }
                }
                for k in &parts {
                    if let AreaKey::Body(b) = k {
                        self.down_keys(*b, on, &mut keys.partial);
                    }
                }
                keys.components = ups;
            }
            Place::England => keys.full.push(AreaKey::England),
        }
        keys.partial.retain(|k| !keys.full.contains(k));
        Ok(())
    }

    /// Keys for practice `a` on `on` into cleared `keys`: the practice, the bodies it sits
    /// in, England.
    pub(crate) fn practice_keys(&self, a: AtomId, on: Date, keys: &mut PlaceKeys) {
        // No grant is indexed under a practice unless some grant names practices.
        if self.has_atom_grants {
            keys.full.push(AreaKey::Atom(a));
        }
        self.practice_chain(a, on, &mut keys.chain);
        keys.full
            .extend(keys.chain.iter().copied().map(AreaKey::Body));
        keys.full.push(AreaKey::England);
    }

    /// A key, the bodies above it on `on`, and England.
    fn up_keys(&self, k: AreaKey, on: Date, out: &mut Vec<AreaKey>) {
        out.push(k);
        let mut chain = Vec::new();
        match k {
            AreaKey::Body(b) => self.body_ancestors(b, on, &mut chain),
            AreaKey::Atom(a) => self.practice_chain(a, on, &mut chain),
            AreaKey::England => {}
        }
        out.extend(chain.into_iter().map(AreaKey::Body));
        if k != AreaKey::England {
            out.push(AreaKey::England);
        }
    }

    /// Bodies and (where any grant is made to practices) practices inside a body on `on`.
    fn down_keys(&self, b: BodyId, on: Date, out: &mut Vec<AreaKey>) {
        let mut desc = Vec::new();
        self.body_descendants(b, on, &mut desc);
        out.extend(desc.into_iter().map(AreaKey::Body));
        if self.has_atom_grants {
            out.extend(self.footprint_atoms(b, on).into_iter().map(AreaKey::Atom));
        }
    }

    pub(crate) fn expr_keys(
        &self,
        e: &crate::model::instrument::AreaExpr,
        on: Date,
        out: &mut Vec<AreaKey>,
        depth: u32,
    ) {
        use crate::model::instrument::AreaExpr as A;
        if depth > 32 {
            return;
        }
        match e {
            A::England | A::Own => out.push(AreaKey::England),
            A::Footprint(c) => {
                let mut bodies = Vec::new();
                self.footprint_on(c, on, &mut bodies);
                out.extend(bodies.into_iter().map(AreaKey::Body));
            }
            A::Practices(ps) => out.extend(
                ps.iter()
                    .filter_map(|p| self.register.atom(p))
                    .map(AreaKey::Atom),
            ),
            A::Named(n) => {
                if let Some(a) = self.register.area(n) {
                    self.expr_keys(&a.expr, on, out, depth + 1)
                }
            }
            A::Union(parts) => {
                for p in parts {
                    self.expr_keys(p, on, out, depth + 1);
                }
            }
        }
    }

    /// The bodies whose footprints make up the footprint a named area gives by `code`, on
    /// `on`: the body with that code then; after it merged, the body it merged into; before
    /// it was formed, the bodies it was formed from (a district drawn on April 2021 CCGs is
    /// asked about in 2016 through their predecessors, not found empty).
    pub(crate) fn footprint_on(&self, code: &str, on: Date, out: &mut Vec<BodyId>) {
        if let Some(b) = self.register.body_at(code, on) {
            out.push(b);
            return;
        }
        let bodies = self.register.bodies_with_code(code);
        let life = |b: BodyId| self.register.body(b).life;
        if let Some(&last) = bodies.iter().rfind(|&&b| life(b).from <= on) {
            let mut cur = last;
            // Merger chains are short and acyclic in valid data; the bound guards bad data.
            for _ in 0..16 {
                match self.successor_of(cur) {
                    Some((when, next, _)) if when <= on => {
                        if life(next).contains(on) {
                            out.push(next);
                            return;
                        }
                        cur = next;
                    }
                    _ => return,
                }
            }
        } else if let Some(&first) = bodies.first() {
            self.predecessors_on(first, on, out, 0);
        }
    }

    /// The bodies alive on `on` that merged, directly or through others, into `b`.
    fn predecessors_on(&self, b: BodyId, on: Date, out: &mut Vec<BodyId>, depth: u32) {
        if depth > 16 {
            return;
        }
        for (i, s) in self.successor.iter().enumerate() {
            if !matches!(s, Some((_, to, _)) if *to == b) {
                continue;
            }
            let p = BodyId(i as u32);
            if self.register.body(p).life.contains(on) {
                if !out.contains(&p) {
                    out.push(p);
                }
            } else if self.register.body(p).life.from > on {
                self.predecessors_on(p, on, out, depth + 1);
            }
        }
    }

    /// The core of `who`: candidate grants, shadowing, no rendering. Allocation-light, for the hot path.
    pub fn resolve(&self, f: FunctionId, on: Date, keys: &PlaceKeys, out: &mut Resolution) {
        out.holders.clear();
        out.shadowed.clear();
        let tax = &self.register.taxonomy;
        // The function and its ancestors, once rather than per key.
        let mut lineage = std::mem::take(&mut out.lineage);
        lineage.clear();
        lineage.extend(tax.self_and_ancestors(f));
        for (cov, list) in [
            (Coverage::Full, &keys.full),
            (Coverage::Partial, &keys.partial),
        ] {
            for &key in list.iter() {
                for &fa in &lineage {
                    for &gid in self.indexed(fa, key) {
                        let g = &self.grants[gid.0 as usize];
                        if !g.during.contains(on) {
                            continue;
                        }
                        if g.except != 0 && self.excluded(g).iter().any(|&x| tax.covers(x, f)) {
                            continue;
                        }
                        if !out.holders.iter().any(|(h, _)| *h == gid) {
                            let cov = if cov == Coverage::Partial
                                && !keys.components.is_empty()
                                && keys
                                    .components
                                    .iter()
                                    .all(|up| self.areas(g).iter().any(|k| up.contains(k)))
                            {
                                Coverage::Full
                            } else {
                                cov
                            };
                            out.holders.push((gid, cov));
                        }
                    }
                }
            }
        }
        // A grant is shadowed by an exclusive, unrestricted grant derived from it that covers the whole place.
        let n = out.holders.len();
        for x in 0..n {
            let (gid, cov) = out.holders[x];
            let g = &self.grants[gid.0 as usize];
            if cov == Coverage::Full && !g.concurrent && g.purposes == 0 {
                if let Some(p) = g.parent.get() {
                    if !out.shadowed.contains(&p) {
                        out.shadowed.push(p);
                    }
                }
            }
        }
        let shadowed = &out.shadowed;
        out.holders.retain(|(g, _)| !shadowed.contains(g));
        let grants = &self.grants;
        out.holders.sort_by_key(|(g, cov)| {
            let gr = &grants[g.0 as usize];
            (*cov as u8, gr.role, gr.holder, g.0)
        });
        // One holding reached twice (a delegation carried into one successor from two of
        // its predecessors) is one holder: the first, which covers the most, answers.
        if out.holders.len() > 1 {
            let mut i = 1;
            while i < out.holders.len() {
                let g = out.holders[i].0;
                let again = out.holders[..i]
                    .iter()
                    .any(|&(k, _)| self.same_holding(k, g));
                if again {
                    out.holders.remove(i);
                } else {
                    i += 1;
                }
            }
        }
        out.lineage = lineage;
    }

    /// Whether two grants are one holding: the same holder, role, accountable body,
    /// function, instrument, purposes and concurrency (a delegation carried into one
    /// successor from two of its predecessors is reached twice).
    pub(crate) fn same_holding(&self, a: GrantId, b: GrantId) -> bool {
        let (k, g) = (&self.grants[a.0 as usize], &self.grants[b.0 as usize]);
        k.holder == g.holder
            && k.role == g.role
            && k.accountable == g.accountable
            && k.function == g.function
            && k.instrument == g.instrument
            && k.purposes == g.purposes
            && k.concurrent == g.concurrent
    }

    /// Whether a grant may be exercised for `purpose` (any grant, when none is asked about;
    /// an unrestricted grant, always).
    pub(crate) fn fits_purpose(&self, gid: GrantId, purpose: Option<&str>) -> bool {
        let Some(p) = purpose else { return true };
        let ps = self.purposes(&self.grants[gid.0 as usize]);
        ps.is_empty() || ps.iter().any(|x| x == p)
    }

    /// Who holds `function` at `place` on `on`, for `purpose` if given.
    pub fn who(
        &self,
        function: &str,
        place: &Place,
        on: Date,
        purpose: Option<&str>,
    ) -> Result<WhoAnswer, QueryError> {
        let f = self.function_id(function)?;
        let (holders, accountable_only, caveats) = with_scratch(|s| {
            self.who_in(f, place, on, purpose, s, |gid, cov, part| {
                let mut h = self.render_holder(gid, cov);
                h.part = part;
                h
            })
        })?;
        Ok(WhoAnswer {
            function: self.function_as_asked(f, function),
            on,
            place: place.clone(),
            purpose: purpose.map(str::to_string),
            holders,
            accountable_only,
            caveats,
        })
    }

    /// [`Snapshot::who`] before its holders are rendered: the grants that answer, in the
    /// answer's order. For writers that keep each grant's rendering (the HTTP server keeps
    /// each holder's JSON); `render_holder` of each gives the answer's holders.
    pub fn who_grants(
        &self,
        function: &str,
        place: &Place,
        on: Date,
        purpose: Option<&str>,
    ) -> Result<WhoGrants, QueryError> {
        let f = self.function_id(function)?;
        let (found, accountable_only, caveats) = with_scratch(|s| {
            self.who_in(f, place, on, purpose, s, |gid, cov, part| (gid, cov, part))
        })?;
        let (holders, parts) = found
            .into_iter()
            .map(|(gid, cov, part)| ((gid, cov), part))
            .unzip();
        Ok(WhoGrants {
            function: self.function_as_asked(f, function),
            holders,
            parts,
            accountable_only,
            caveats,
        })
    }

    /// The taxonomy's own copy of the id when the question names it exactly (it always
    /// does today), so the answer shares it.
    #[inline]
    fn function_as_asked(&self, f: FunctionId, function: &str) -> SmolStr {
        let name = self.names.function(f);
        if name == function {
            name
        } else {
            SmolStr::new(function)
        }
    }

    /// The holders of the answer, each made by `holder` (rendered, or left as the grant),
    /// and the bodies accountable only. Generic so that `who` renders each holder as it is
    /// found, as it did before `who_grants` shared this.
    fn who_in<H>(
        &self,
        f: FunctionId,
        place: &Place,
        on: Date,
        purpose: Option<&str>,
        scratch: &mut Scratch,
        mut holder: impl FnMut(GrantId, Coverage, Option<Part>) -> H,
    ) -> Result<WhoParts<H>, QueryError> {
        let Scratch {
            keys,
            resolution: r,
        } = scratch;
        self.place_keys_into(place, on, keys)?;
        self.resolve(f, on, keys, r);
        let mut holders = Vec::with_capacity(r.holders.len());
        let mut kept = Vec::with_capacity(r.holders.len());
        let mut part_caveats = Vec::new();
        let mut accountable_parts = Vec::new();
        // A place larger than a practice is answered part by part (`place_parts`), unless
        // the register places no practice in it (a register written without practices).
        match self
            .place_atoms(place, on)?
            .filter(|atoms| !atoms.is_empty())
        {
            None => {
                for &(gid, cov) in &r.holders {
                    if self.fits_purpose(gid, purpose) {
                        kept.push(gid);
                        holders.push(holder(gid, cov, None));
                    }
                }
            }
            Some(atoms) => {
                let found: Vec<(GrantId, Coverage)> = r
                    .holders
                    .iter()
                    .copied()
                    .filter(|&(gid, _)| self.fits_purpose(gid, purpose))
                    .collect();
                let parts = self.parts(f, place, on, purpose, &atoms, &found);
                for (gid, cov, part) in parts.holders {
                    kept.push(gid);
                    holders.push(holder(gid, cov, part));
                }
                part_caveats = parts.caveats;
                accountable_parts = parts.accountable_only;
            }
        }
        let mut accountable_only: Vec<String> = r
            .shadowed
            .iter()
            .map(|&s| self.grants[s.0 as usize].holder)
            .filter(|&b| {
                r.holders
                    .iter()
                    .any(|(h, _)| self.grants[h.0 as usize].accountable == b)
                    && !r
                        .holders
                        .iter()
                        .any(|(h, _)| self.grants[h.0 as usize].holder == b)
            })
            .chain(
                accountable_parts
                    .into_iter()
                    .filter(|&b| !kept.iter().any(|g| self.grants[g.0 as usize].holder == b)),
            )
            .map(|b| self.register.body(b).code.clone())
            .collect();
        accountable_only.sort();
        accountable_only.dedup();
        let mut caveats = self.caveats(f, place, on, keys, &kept);
        caveats.extend(part_caveats);
        Ok((holders, accountable_only, caveats))
    }

    /// May `body` exercise `function` at `place` on `on` for `purpose`? Yes or no, with the proof.
    pub fn may(
        &self,
        body: &str,
        function: &str,
        place: &Place,
        on: Date,
        purpose: Option<&str>,
    ) -> Result<MayAnswer, QueryError> {
        with_scratch(|s| self.may_in(body, function, place, on, purpose, s))
    }

    fn may_in(
        &self,
        body: &str,
        function: &str,
        place: &Place,
        on: Date,
        purpose: Option<&str>,
        scratch: &mut Scratch,
    ) -> Result<MayAnswer, QueryError> {
        let b = self.resolve_for(body, function, place, on, scratch)?;
        let r = &scratch.resolution;
        let caveats = {
            let f = self.function_id(function)?;
            let gids: Vec<GrantId> = r.holders.iter().map(|(g, _)| *g).collect();
            self.caveats(f, place, on, &scratch.keys, &gids)
        };
        let limited = match self.holding_of(b, purpose, r) {
            Ok((gid, cov)) => {
                let g = &self.grants[gid.0 as usize];
                return Ok(MayAnswer {
                    allowed: true,
                    body: body.to_string(),
                    function: function.to_string(),
                    on,
                    place: place.clone(),
                    purpose: purpose.map(str::to_string),
                    reason: format!(
                        "{body} holds {function} here as {} under `{}`",
                        g.role, self.register.instruments[g.instrument.0 as usize].id
                    ),
                    holding: Some(self.render_holder(gid, cov)),
                    caveats,
                });
            }
            Err(limited) => limited,
        };
        let reason = if let Some((gid, cov)) = limited {
            let g = &self.grants[gid.0 as usize];
            let instr = &self.register.instruments[g.instrument.0 as usize].id;
            if cov == Coverage::Partial {
                format!("{body} holds {function} for only part of {place} (under `{instr}`)")
            } else {
                let ps = self.purposes(g).join(", ");
                match purpose {
                    Some(p) => format!(
                        "{body} holds {function} here only for purposes {ps} under `{instr}`; `{p}` is outside them"
                    ),
                    None => format!(
                        "{body} holds {function} here only for purposes {ps} under `{instr}`; name a purpose to check it"
                    ),
                }
            }
        } else if r
            .shadowed
            .iter()
            .any(|&s| self.grants[s.0 as usize].holder == b)
        {
            let to: Vec<String> = r
                .holders
                .iter()
                .map(|(h, _)| {
                    self.register
                        .body(self.grants[h.0 as usize].holder)
                        .code
                        .clone()
                })
                .collect();
            format!(
                "{body} is accountable for {function} here but has arranged for {} to exercise it",
                to.join(", ")
            )
        } else {
            format!("{body} holds no {function} at {place} on {on}")
        };
        Ok(MayAnswer {
            allowed: false,
            body: body.to_string(),
            function: function.to_string(),
            on,
            place: place.clone(),
            purpose: purpose.map(str::to_string),
            reason,
            holding: limited.map(|(g, c)| self.render_holder(g, c)),
            caveats,
        })
    }

    /// Every function a body holds on a date, and where.
    pub fn what(&self, body: &str, on: Date) -> Result<WhatAnswer, QueryError> {
        let b = self.body_on(body, on)?;
        let bd = self.register.body(b);
        let mut holdings = Vec::new();
        for &gid in self.grants_of_holder(b) {
            let g = &self.grants[gid.0 as usize];
            if !g.during.contains(on) {
                continue;
            }
            let mut arranged_to: Vec<String> = self
                .children_of(gid)
                .iter()
                .map(|&c| &self.grants[c.0 as usize])
                .filter(|c| c.during.contains(on) && !c.concurrent)
                .map(|c| self.register.body(c.holder).code.clone())
                .collect();
            arranged_to.sort();
            arranged_to.dedup();
            holdings.push(Holding {
                function: self.register.taxonomy.name(g.function).to_string(),
                area: self
                    .areas(g)
                    .iter()
                    .map(|k| self.describe_key(*k))
                    .collect(),
                role: g.role,
                accountable: self.register.body(g.accountable).code.clone(),
                purposes: self.purposes(g).to_vec(),
                from: g.during.from,
                until: g.during.until,
                arranged_to,
                proof: self.proof(gid),
            });
        }
        holdings.sort_by(|a, b| a.function.cmp(&b.function).then(a.role.cmp(&b.role)));
        let held: Vec<GrantId> = self
            .grants_of_holder(b)
            .iter()
            .copied()
            .filter(|g| self.grants[g.0 as usize].during.contains(on))
            .collect();
        Ok(WhatAnswer {
            body: bd.code.clone(),
            name: bd.name.clone(),
            kind: bd.kind.as_str().to_string(),
            on,
            holdings,
            caveats: self.what_caveats(&bd.code, on, &held),
        })
    }

    pub fn describe_key(&self, k: AreaKey) -> String {
        match k {
            AreaKey::England => "England".into(),
            AreaKey::Body(b) => format!("footprint({})", self.register.body(b).code),
            AreaKey::Atom(a) => format!("practice {}", self.register.atoms[a.0 as usize].code),
        }
    }

    pub fn render_holder(&self, gid: GrantId, coverage: Coverage) -> Holder {
        let g = &self.grants[gid.0 as usize];
        Holder {
            body: self.names.code(g.holder),
            name: self.names.name(g.holder),
            role: g.role,
            accountable: self.names.code(g.accountable),
            purposes: self.purposes(g).to_vec(),
            function: self.names.function(g.function),
            coverage,
            from: g.during.from,
            until: g.during.until,
            proof: self.proof(gid),
            part: None,
        }
    }

    /// The chain of instruments from statute to this grant, root first, each once; built
    /// the first time an answer cites the grant and shared by every answer after.
    pub fn proof(&self, gid: GrantId) -> Proof {
        match self
            .proofs
            .get_or_init(gid.0 as usize, || self.build_proof(gid))
        {
            Some(proof) => proof.clone(),
            None => self.build_proof(gid),
        }
    }

    fn build_proof(&self, gid: GrantId) -> Proof {
        let mut steps: Vec<InstrumentId> = Vec::with_capacity(4);
        let mut cur = Some(gid);
        let mut depth = 0;
        // Walk up to the root, then emit root first; via-instruments follow their grant's own.
        let mut chain: [Option<GrantId>; 32] = [None; 32];
        while let Some(g) = cur {
            if depth == chain.len() {
                break;
            }
            chain[depth] = Some(g);
            depth += 1;
            cur = self.grants[g.0 as usize].parent.get();
        }
        for g in chain[..depth].iter().rev().flatten() {
            let gr = &self.grants[g.0 as usize];
            for i in std::iter::once(gr.instrument).chain(self.via(gr).iter().copied()) {
                if !steps.contains(&i) {
                    steps.push(i);
                }
            }
        }
        steps.into_iter().map(|i| self.proof_step(i)).collect()
    }

    /// Among resolved holders, the holding that lets `b` act over all of the place for
    /// `purpose`; else the first of its holdings that does not (purpose-limited or partial).
    fn holding_of(
        &self,
        b: BodyId,
        purpose: Option<&str>,
        r: &Resolution,
    ) -> Result<(GrantId, Coverage), Option<(GrantId, Coverage)>> {
        let mut limited = None;
        for &(gid, cov) in &r.holders {
            let g = &self.grants[gid.0 as usize];
            if g.holder != b {
                continue;
            }
            let ps = self.purposes(g);
            let fits = ps.is_empty() || purpose.is_some_and(|p| ps.iter().any(|x| x == p));
            if fits && cov == Coverage::Full {
                return Ok((gid, cov));
            }
            limited.get_or_insert((gid, cov));
        }
        Err(limited)
    }

    /// Resolves `function` at `place` on `on` into the scratch, for the question whether `body` may
    /// exercise it; returns that body.
    fn resolve_for(
        &self,
        body: &str,
        function: &str,
        place: &Place,
        on: Date,
        scratch: &mut Scratch,
    ) -> Result<BodyId, QueryError> {
        let f = self.function_id(function)?;
        let b = self.body_on(body, on)?;
        let Scratch { keys, resolution } = scratch;
        self.place_keys_into(place, on, keys)?;
        self.resolve(f, on, keys, resolution);
        Ok(b)
    }

    /// The body a code names on a date, or the question's error saying none did.
    fn body_on(&self, code: &str, on: Date) -> Result<BodyId, QueryError> {
        self.register
            .body_at(code, on)
            .ok_or_else(|| QueryError::UnknownBody {
                code: code.to_string(),
                on,
            })
    }

    /// The proof step for one instrument, built the first time an answer cites it and shared
    /// by every answer after.
    pub fn proof_step(&self, i: InstrumentId) -> std::sync::Arc<ProofStep> {
        let build = || {
            let ins = &self.register.instruments[i.0 as usize];
            std::sync::Arc::new(ProofStep {
                instrument: ins.id.to_string(),
                kind: ins.kind,
                title: ins.title.to_string(),
                basis: ins.basis.clone(),
                source: ins.source.clone(),
            })
        };
        match self.proof_steps.get_or_init(i.0 as usize, build) {
            Some(step) => step.clone(),
            None => build(),
        }
    }

    /// Checks every `exercise` record against what its body held (V016). `runs` are the
    /// exercises the field checks found, in instrument order, with the names they resolved.
    pub(crate) fn check_exercises(&mut self, runs: &[Vec<ExerciseSite>]) {
        // Each check only reads the snapshot, so the two halves of the runs are checked
        // side by side; the findings come back in instrument order either way.
        let this: &Snapshot = self;
        let n: usize = runs.iter().map(Vec::len).sum();
        let mut seen = 0;
        let half = runs
            .iter()
            .position(|r| {
                seen += r.len();
                seen > n / 2
            })
            .unwrap_or(runs.len());
        let (first, second) = runs.split_at(half);
        let (mut found, more) = crate::support::side_by_side::side_by_side(
            n >= 2048,
            || this.exercise_findings(first),
            || this.exercise_findings(second),
        );
        found.extend(more);
        for d in found {
            if let Some(i) = self.instrument_id(&d.subject) {
                self.void[i.0 as usize] = true;
            }
            self.diagnostics.push(d);
        }
    }

    /// V016 findings for the `exercise` records in `runs`.
    fn exercise_findings(&self, runs: &[Vec<ExerciseSite>]) -> Vec<Diagnostic> {
        let mut found = Vec::new();
        let mut scratch = Scratch::default();
        for site in runs.iter().flatten() {
            let idx = site.instrument.0 as usize;
            let ins = &self.register.instruments[idx];
            if self.void[idx] {
                continue;
            }
            let Some(by) = &ins.maker else { continue };
            let place = || match &ins.area {
                Some(crate::model::instrument::AreaExpr::Practices(ps)) if ps.len() == 1 => {
                    Place::Practice(ps[0].as_str().into())
                }
                Some(crate::model::instrument::AreaExpr::Footprint(c)) => {
                    Place::Body(c.as_str().into())
                }
                Some(crate::model::instrument::AreaExpr::Named(n)) => {
                    Place::Area(n.as_str().into())
                }
                _ => Place::England,
            };
            let on = ins.from;
            // Each of its purposes, or once without one when it names none.
            let purposes =
                || (0..ins.purposes.len().max(1)).map(|k| ins.purposes.get(k).map(String::as_str));
            for f in &ins.functions {
                // Who holds `f` there does not hang on the purpose: one resolution serves
                // them all. Most exercises are at one practice whose atom and maker the
                // field checks resolved; looking their codes up again was a random probe
                // of two large tables per exercise.
                let maker = match site.practice {
                    Some(a) => self.function_id(f).map(|fid| {
                        let Scratch { keys, resolution } = &mut scratch;
                        keys.clear();
                        self.practice_keys(a, on, keys);
                        self.resolve(fid, on, keys, resolution);
                        site.maker
                    }),
                    None => self.resolve_for(by, f, &place(), on, &mut scratch),
                };
                for p in purposes() {
                    // The full answer (reasons, proofs) only for the few that fail.
                    if let Ok(b) = maker {
                        if self.holding_of(b, p, &scratch.resolution).is_ok() {
                            continue;
                        }
                    }
                    match self.may(by, f, &place(), on, p) {
                        Ok(a) if a.allowed => {}
                        Ok(a) => found.push(Diagnostic {
                            code: codes::ACT_OUTSIDE_HOLDING,
                            severity: Severity::Error,
                            subject: ins.id.to_string(),
                            message: format!("outside what {by} held: {}", a.reason),
                            help: "the act needs a holding that covers this function, place, date and purpose".into(),
                            span: ins.span_or_whole(ins.spans.purposes.or(ins.spans.functions)),
                        }),
                        Err(e) => found.push(Diagnostic {
                            code: codes::ACT_OUTSIDE_HOLDING,
                            severity: Severity::Error,
                            subject: ins.id.to_string(),
                            message: format!("cannot check this exercise: {e}"),
                            help: "name a known body, function and place".into(),
                            span: ins.span_or_whole(None),
                        }),
                    }
                }
            }
        }
        found
    }
}
