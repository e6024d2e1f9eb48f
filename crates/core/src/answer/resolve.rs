//! Resolution: who holds a function at a place on a date, and what does a body hold (`may`
//! asks `who` in `may.rs`). See ARCHITECTURE.md ("Resolution").

use crate::answer::place_keys::PlaceKeys;
use crate::answer::query::{
    Caveat, Coverage, HeldPart, Holder, Part, Proof, ProofStep, QueryError, Role, WhoAnswer,
};
use crate::model::body::BodyId;

use crate::model::function::FunctionId;
use crate::model::instrument::InstrumentId;
use crate::model::place::{Place, PracticeId};
use crate::snapshot::{AreaKey, Grant, GrantId, Snapshot};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use smol_str::SmolStr;

/// The buffers of one question, kept per thread for `who`: a question then allocates only
/// its answer.
#[derive(Default)]
pub(crate) struct Scratch {
    pub(crate) keys: PlaceKeys,
    pub(crate) resolution: Resolution,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::new(Scratch::default());
}

/// Runs `f` with this thread's buffers, or fresh ones if they are in use (a question asked
/// from inside another on the same thread).
pub(crate) fn with_scratch<R>(f: impl FnOnce(&mut Scratch) -> R) -> R {
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
    /// Holdings taken over (in `shadowed`) by one that excepted parts of what is asked:
    /// their holders still hold those parts. Each: the grant, its coverage, the part.
    pub kept: Vec<(GrantId, Coverage, FunctionId)>,
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
    /// For each of `holders`, the holdings its row gathers (as [`Holder::holdings`]):
    /// empty for a row that is one holding, and no list at all when no row gathers any.
    /// [`Snapshot::render_row`] renders a row.
    pub gathered: Vec<Gathered>,
    /// For each of `holders`, the part of the function it holds when it holds only a part
    /// its taker-over excepted (the holder's `function` names it); no list at all when no
    /// row does.
    pub kept: Vec<Option<FunctionId>>,
    /// As [`WhoAnswer::accountable_only`].
    pub accountable_only: Vec<String>,
    /// As [`WhoAnswer::caveats`].
    pub caveats: Vec<Caveat>,
}

/// The holdings one holder's row over a larger place gathers, each grant with the part of
/// the place it covers (none for all of it); empty for a row that is one holding.
pub type Gathered = Vec<(GrantId, Option<Part>)>;

/// A holding found: its grant, and the part of the function asked it holds when it holds
/// only a part its taker-over excepted ([`Resolution::kept`]).
pub(crate) type Held = (GrantId, Option<FunctionId>);

/// One row of a `who` answer before it is rendered.
#[derive(Debug, Clone)]
pub(crate) struct Row {
    /// The row's (first) grant.
    pub grant: GrantId,
    /// The part of the function the grant holds, when it holds only a part it kept.
    pub kept: Option<FunctionId>,
    pub coverage: Coverage,
    /// For a place larger than a practice, the part of it the row covers.
    pub part: Option<Part>,
    /// The holdings the row gathers (empty for one).
    pub gathered: Gathered,
}

/// The parts of a `who` answer: its holders (each as `H`), the bodies accountable only, and
/// the caveats.
type WhoParts<H> = (Vec<H>, Vec<String>, Vec<Caveat>);

/// One holding in the answer to `what`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
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
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<crate::ProofStep>))]
    pub proof: Proof,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct WhatAnswer {
    pub body: String,
    pub name: String,
    pub kind: String,
    pub on: Date,
    pub holdings: Vec<Holding>,
    /// Where the answer may not be the whole truth, as in `who`'s `caveats`: shown beside the
    /// answer. Absent when there is none.
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

    /// The core of `who`: candidate grants, shadowing, no rendering. Allocation-light, for the hot path.
    pub fn resolve(&self, f: FunctionId, on: Date, keys: &PlaceKeys, out: &mut Resolution) {
        out.holders.clear();
        out.shadowed.clear();
        let tax = &self.register.taxonomy;
        // The function and its ancestors, once rather than per key; then its parts, whose
        // holders answer for the part each holds (a function without parts has none).
        let mut lineage = std::mem::take(&mut out.lineage);
        lineage.clear();
        lineage.extend(tax.self_and_ancestors(f));
        lineage.extend_from_slice(tax.below(f));
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
        // A grant is shadowed by an exclusive, unrestricted grant derived from it that covers
        // the whole place and all of what the question asks of the parent: the function
        // asked, or the parent's own when that is a part of it. A delegation of one part
        // leaves the parent holding the rest.
        let n = out.holders.len();
        for x in 0..n {
            let (gid, cov) = out.holders[x];
            let g = &self.grants[gid.0 as usize];
            if cov == Coverage::Full && !g.concurrent && g.purposes == 0 {
                if let Some(p) = g.parent.get() {
                    let pf = self.grants[p.0 as usize].function;
                    let asked = if tax.covers(pf, f) { f } else { pf };
                    if tax.covers(g.function, asked) && !out.shadowed.contains(&p) {
                        out.shadowed.push(p);
                    }
                }
            }
        }
        self.kept_parts(f, out);
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

    /// The parts of what is asked that a holding taken over still holds: those the holding
    /// that took it over excepted (performers lists, say, when NHS England delegated GP
    /// services), unless another holding made from it takes that part over as well.
    fn kept_parts(&self, f: FunctionId, out: &mut Resolution) {
        out.kept.clear();
        let tax = &self.register.taxonomy;
        // Takes `p`'s place for all of `part` over all of the place.
        let takes = |c: &Grant, cov: Coverage, p: GrantId, part: FunctionId| {
            cov == Coverage::Full
                && !c.concurrent
                && c.purposes == 0
                && c.parent.get() == Some(p)
                && tax.covers(c.function, part)
                && !self.excluded(c).iter().any(|&x| tax.covers(x, part))
        };
        for &(gid, cov) in &out.holders {
            let g = &self.grants[gid.0 as usize];
            if g.except == 0 || cov != Coverage::Full || g.concurrent || g.purposes != 0 {
                continue;
            }
            let Some(p) = g.parent.get() else { continue };
            let Some(&(_, pcov)) = out.holders.iter().find(|(h, _)| *h == p) else {
                continue;
            };
            let pf = self.grants[p.0 as usize].function;
            let asked = if tax.covers(pf, f) { f } else { pf };
            if !tax.covers(g.function, asked) {
                continue;
            }
            let pg = &self.grants[p.0 as usize];
            for &x in self.excluded(g) {
                if pg.except != 0 && self.excluded(pg).iter().any(|&y| tax.covers(y, x)) {
                    continue;
                }
                let taken = out
                    .holders
                    .iter()
                    .any(|&(h, hc)| h != gid && takes(&self.grants[h.0 as usize], hc, p, x));
                if tax.covers(asked, x)
                    && !taken
                    && !out.kept.iter().any(|&(k, _, kx)| k == p && kx == x)
                {
                    out.kept.push((p, pcov, x));
                }
            }
        }
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
        let (holders, accountable_only, caveats) =
            with_scratch(|s| self.who_in(f, place, on, purpose, s, |row| self.render(row)))?;
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
        let (found, accountable_only, caveats) =
            with_scratch(|s| self.who_in(f, place, on, purpose, s, |row| row))?;
        let mut holders = Vec::with_capacity(found.len());
        let mut parts = Vec::with_capacity(found.len());
        // Only some rows gather holdings or hold a kept part: most answers allocate neither
        // list.
        let gathers = found.iter().any(|r| !r.gathered.is_empty());
        let keeps = found.iter().any(|r| r.kept.is_some());
        let mut gathered = Vec::with_capacity(if gathers { found.len() } else { 0 });
        let mut kept = Vec::with_capacity(if keeps { found.len() } else { 0 });
        for row in found {
            holders.push((row.grant, row.coverage));
            parts.push(row.part);
            if gathers {
                gathered.push(row.gathered);
            }
            if keeps {
                kept.push(row.kept);
            }
        }
        Ok(WhoGrants {
            function: self.function_as_asked(f, function),
            holders,
            parts,
            gathered,
            kept,
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
    pub(crate) fn who_in<H>(
        &self,
        f: FunctionId,
        place: &Place,
        on: Date,
        purpose: Option<&str>,
        scratch: &mut Scratch,
        mut holder: impl FnMut(Row) -> H,
    ) -> Result<WhoParts<H>, QueryError> {
        let Scratch {
            keys,
            resolution: r,
        } = scratch;
        self.place_keys_into(place, on, keys)?;
        self.resolve(f, on, keys, r);
        let mut holders = Vec::with_capacity(r.holders.len() + r.kept.len());
        // Every grant the answer cites: its proof's caveats count.
        let mut kept = Vec::with_capacity(r.holders.len() + r.kept.len());
        let mut part_caveats = Vec::new();
        let mut accountable_parts = Vec::new();
        // A place larger than a practice is answered part by part (`place_parts`), unless
        // the register places no practice in it (a register written without practices).
        match self
            .place_practices(place, on)?
            .filter(|practices| !practices.is_empty())
        {
            None => {
                let found = r.holders.iter().map(|&(g, cov)| (g, cov, None));
                let parts_kept = r.kept.iter().map(|&(g, cov, x)| (g, cov, Some(x)));
                for (gid, cov, part_kept) in found.chain(parts_kept) {
                    if self.fits_purpose(gid, purpose) {
                        kept.push(gid);
                        holders.push(holder(Row {
                            grant: gid,
                            kept: part_kept,
                            coverage: cov,
                            part: None,
                            gathered: Vec::new(),
                        }));
                    }
                }
            }
            Some(practices) => {
                let found: Vec<(Held, Coverage)> = r
                    .holders
                    .iter()
                    .map(|&(g, cov)| ((g, None), cov))
                    .chain(r.kept.iter().map(|&(g, cov, x)| ((g, Some(x)), cov)))
                    .filter(|&((gid, _), _)| self.fits_purpose(gid, purpose))
                    .collect();
                let parts = self.parts(f, place, on, purpose, &practices, &found);
                for row in parts.holders {
                    kept.push(row.grant);
                    // Every holding a row gathers is cited: its proof's caveats count.
                    let grant = row.grant;
                    kept.extend(row.gathered.iter().map(|&(g, _)| g).filter(|&g| g != grant));
                    holders.push(holder(row));
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
                    && !r
                        .kept
                        .iter()
                        .any(|(h, _, _)| self.grants[h.0 as usize].holder == b)
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
                area: self.area_names(g),
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

    /// A grant's area as answers name it: each of its keys described.
    pub fn area_names(&self, g: &Grant) -> Vec<String> {
        self.areas(g)
            .iter()
            .map(|k| self.describe_key(*k))
            .collect()
    }

    pub fn describe_key(&self, k: AreaKey) -> String {
        match k {
            AreaKey::England => "England".into(),
            AreaKey::Body(b) => format!("footprint({})", self.register.body(b).code),
            AreaKey::Practice(a) => {
                format!("practice {}", self.register.practices[a.0 as usize].code)
            }
        }
    }

    /// A row of a `who` answer, rendered.
    pub(crate) fn render(&self, row: Row) -> Holder {
        self.render_row(row.grant, row.coverage, row.part, &row.gathered, row.kept)
    }

    /// A row of a `who` answer: the holder of grant `gid` with the part of the place it
    /// covers and, for a row over a larger place that gathers several holdings, each of
    /// them (see [`Holder::holdings`]); `kept`, the part of the function it holds when it
    /// holds only a part its taker-over excepted.
    pub fn render_row(
        &self,
        gid: GrantId,
        coverage: Coverage,
        part: Option<Part>,
        gathered: &[(GrantId, Option<Part>)],
        kept: Option<FunctionId>,
    ) -> Holder {
        let mut h = self.render_holder(gid, coverage);
        h.part = part;
        if let Some(x) = kept {
            h.function = self.names.function(x);
        }
        if gathered.len() > 1 {
            for &(g, ref own) in gathered {
                let during = &self.grants[g.0 as usize].during;
                h.from = h.from.max(during.from);
                h.until = match (h.until, during.until) {
                    (Some(a), Some(b)) => Some(a.min(b)),
                    (a, b) => a.or(b),
                };
                h.holdings.push(HeldPart {
                    from: during.from,
                    until: during.until,
                    part: own.clone(),
                    proof: self.proof(g),
                });
            }
        }
        h
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
            holdings: Vec::new(),
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

    /// Resolves `function` at `place` on `on` into the scratch, for the question whether `body` may
    /// exercise it; returns that body and the function.
    pub(crate) fn resolve_for(
        &self,
        body: &str,
        function: &str,
        place: &Place,
        on: Date,
        scratch: &mut Scratch,
    ) -> Result<(BodyId, FunctionId), QueryError> {
        let f = self.function_id(function)?;
        let b = self.body_on(body, on)?;
        let Scratch { keys, resolution } = scratch;
        self.place_keys_into(place, on, keys)?;
        self.resolve(f, on, keys, resolution);
        Ok((b, f))
    }

    /// The body a code names on a date, or the question's error saying none did.
    /// The practice with `code`, or the error a question about an unknown one gets.
    pub(crate) fn known_practice(&self, code: &str) -> Result<PracticeId, QueryError> {
        self.register
            .practice_id(code)
            .ok_or_else(|| QueryError::UnknownPractice(code.to_string()))
    }

    pub(crate) fn body_on(&self, code: &str, on: Date) -> Result<BodyId, QueryError> {
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
                basis: ins.terms().basis.clone(),
                source: ins.terms().source.clone(),
            })
        };
        match self.proof_steps.get_or_init(i.0 as usize, build) {
            Some(step) => step.clone(),
            None => build(),
        }
    }
}
