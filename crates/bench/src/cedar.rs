//! The register encoded for Cedar (the `cedar-policy` crate), so the same `may` question can
//! be put to a general-purpose policy engine.
//!
//! The encoding starts from the compiled snapshot: one Cedar `permit` per grant (a holding
//! segment), so Cedar is measured on answering, not on deriving validity. That favours
//! Cedar; a user writing policies by hand would have to do the compiler's work themselves.
//!
//! - principals: `Body::"b<id>"` (one per body life, so a reused ODS code is two entities);
//! - actions: `Action::"f<id>"`, nested like the function taxonomy, so `action in` covers
//!   child functions;
//! - resources: `Seg::"a<practice>_<n>"`, one per stretch of a practice's membership, whose
//!   parents are the practice and the body it belonged to; bodies nest in their parents
//!   and practices in `England::"e"`. Cedar hierarchies have no time, so time goes into
//!   the resource: the caller picks the practice's stretch for the date;
//! - dates: `context.day`, days since 1970, compared in each policy's `when`;
//! - purposes: `context.purpose` checked against the grant's set;
//! - excepted child functions and shadowing (a grant whose holder has delegated it
//!   exclusively here) in each policy's `unless`.
//!
//! Cedar evaluates every policy in the set it is given, so policies are sliced by
//! principal (one `PolicySet` per body), as a deployment at this size would shard them.

use crate::synth::{day_number, Question};
use crate::PeerError;
use cedar_policy::{
    Authorizer, Context, Decision, Entities, Entity, EntityUid, Policy, PolicyId, PolicySet,
    Request, RestrictedExpression,
};
use rustc_hash::FxHashMap;
use std::collections::HashSet;
use std::fmt::Write as _;
use std::str::FromStr;
use vires_core::snapshot::AreaKey;
use vires_core::{Grant, Interval, Snapshot};

/// Cedar's answer: the decision and the policies (grants) that determined it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CedarAnswer {
    pub allowed: bool,
    pub proof: Vec<String>,
}

/// One question as Cedar's input, and the body whose slice of policies answers it.
pub struct CedarRequest {
    request: Request,
    body: u32,
}

pub struct CedarPeer {
    slices: FxHashMap<u32, PolicySet>,
    empty: PolicySet,
    entities: Entities,
    authorizer: Authorizer,
    bodies: FxHashMap<String, Vec<(Interval, u32)>>,
    functions: FxHashMap<String, u32>,
    /// Per practice code: its practice id and its stretches of membership (segment index).
    practices: FxHashMap<String, (u32, Vec<Interval>)>,
    pub policies: usize,
    pub entity_count: usize,
}

fn uid(s: &str) -> Result<EntityUid, PeerError> {
    EntityUid::from_str(s).map_err(|e| PeerError(format!("bad Cedar entity id {s}: {e}")))
}

fn key_uid(k: AreaKey) -> String {
    match k {
        AreaKey::England => r#"England::"e""#.to_string(),
        AreaKey::Body(b) => format!(r#"Body::"b{}""#, b.0),
        AreaKey::Practice(a) => format!(r#"Practice::"a{}""#, a.0),
    }
}

fn area_condition(keys: &[AreaKey]) -> String {
    if keys.is_empty() {
        return "false".into();
    }
    any_of(
        keys.iter()
            .map(|k| format!("resource in {}", key_uid(*k)))
            .collect(),
    )
}

fn day_condition(during: &Interval) -> String {
    match during.until {
        Some(u) => format!(
            "context.day >= {} && context.day < {}",
            day_number(during.from),
            day_number(u)
        ),
        None => format!("context.day >= {}", day_number(during.from)),
    }
}

fn quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// `a || b || ...` as a balanced tree, so a policy with thousands of alternatives stays
/// within Cedar's recursion limit (a flat chain nests one level per alternative).
fn any_of(mut items: Vec<String>) -> String {
    if items.len() <= 8 {
        return items.join(" || ");
    }
    let right = items.split_off(items.len() / 2);
    format!("({}) || ({})", any_of(items), any_of(right))
}

/// The Cedar text of one grant's policy.
pub fn policy_text(snap: &Snapshot, gid: usize, g: &Grant) -> String {
    let mut when = vec![day_condition(&g.during)];
    let areas = snap.areas(g);
    let scope_resource = if areas.len() == 1 {
        format!("resource in {}", key_uid(areas[0]))
    } else {
        when.push(format!("({})", area_condition(areas)));
        "resource".into()
    };
    let purposes = snap.purposes(g);
    if !purposes.is_empty() {
        let set: Vec<String> = purposes.iter().map(|p| quote(p)).collect();
        when.push(format!("[{}].contains(context.purpose)", set.join(", ")));
    }
    let mut unless: Vec<String> = snap
        .excluded(g)
        .iter()
        .map(|x| format!("action in Action::\"f{}\"", x.0))
        .collect();
    for &c in snap.children_of(vires_core::GrantId(gid as u32)) {
        let cg = snap.grant(c);
        if cg.concurrent || cg.purposes != 0 {
            continue;
        }
        let mut parts = vec![
            format!("action in Action::\"f{}\"", cg.function.0),
            format!("({})", area_condition(snap.areas(cg))),
            day_condition(&cg.during),
        ];
        for x in snap.excluded(cg) {
            parts.push(format!("!(action in Action::\"f{}\")", x.0));
        }
        unless.push(format!("({})", parts.join(" && ")));
    }
    let mut text = String::new();
    let _ = write!(
        text,
        "permit(principal == Body::\"b{}\", action in Action::\"f{}\", {scope_resource}) when {{ {} }}",
        g.holder.0,
        g.function.0,
        when.join(" && ")
    );
    if !unless.is_empty() {
        let _ = write!(text, " unless {{ {} }}", any_of(unless));
    }
    text.push(';');
    text
}

impl CedarPeer {
    /// Encodes a compiled register. Fails if the register has a shape the encoding cannot
    /// express exactly (a practice in two bodies at once, a body whose parent changes).
    pub fn encode(snap: &Snapshot) -> Result<CedarPeer, PeerError> {
        let reg = snap.register();
        let mut entities: Vec<Entity> = Vec::new();
        let england = uid(r#"England::"e""#)?;
        entities.push(Entity::new_no_attrs(england.clone(), HashSet::new()));
        let mut parent_of: Vec<Option<u32>> = vec![None; reg.bodies.len()];
        for p in &reg.parents {
            let child = reg.body(p.child);
            if parent_of[p.child.0 as usize].is_some() || !p.during.covers(&child.life) {
                return Err(PeerError(format!(
                    "body {} changes parent over its life; a Cedar hierarchy has no time",
                    child.code
                )));
            }
            parent_of[p.child.0 as usize] = Some(p.parent.0);
        }
        let mut bodies: FxHashMap<String, Vec<(Interval, u32)>> = FxHashMap::default();
        for (i, b) in reg.bodies.iter().enumerate() {
            let mut parents = HashSet::new();
            if let Some(p) = parent_of[i] {
                parents.insert(uid(&format!(r#"Body::"b{p}""#))?);
            }
            entities.push(Entity::new_no_attrs(
                uid(&format!(r#"Body::"b{i}""#))?,
                parents,
            ));
            bodies
                .entry(b.code.clone())
                .or_default()
                .push((b.life, i as u32));
        }
        let mut functions = FxHashMap::default();
        for (f, def) in reg.taxonomy.iter() {
            let mut parents = HashSet::new();
            if let Some(p) = reg.taxonomy.parent(f) {
                parents.insert(uid(&format!(r#"Action::"f{}""#, p.0))?);
            }
            entities.push(Entity::new_no_attrs(
                uid(&format!(r#"Action::"f{}""#, f.0))?,
                parents,
            ));
            functions.insert(def.id.clone(), f.0);
        }
        let mut practices = FxHashMap::default();
        for (a, listed) in reg.practices.iter().enumerate() {
            let practice = uid(&format!(r#"Practice::"a{a}""#))?;
            entities.push(Entity::new_no_attrs(
                practice.clone(),
                HashSet::from([england.clone()]),
            ));
            let mut stretches: Vec<Interval> = Vec::new();
            let members = snap.memberships_of(vires_core::PracticeId(a as u32));
            for (n, m) in members.iter().enumerate() {
                let (iv, b) = (&m.during, m.body);
                if stretches.iter().any(|s| s.overlaps(iv)) {
                    return Err(PeerError(format!(
                        "practice {} is in two bodies at once; the Cedar encoding needs one",
                        listed.code
                    )));
                }
                stretches.push(*iv);
                entities.push(Entity::new_no_attrs(
                    uid(&format!(r#"Seg::"a{a}_{n}""#))?,
                    HashSet::from([practice.clone(), uid(&format!(r#"Body::"b{}""#, b.0))?]),
                ));
            }
            practices.insert(listed.code.to_string(), (a as u32, stretches));
        }
        let entity_count = entities.len();
        let entities = Entities::from_entities(entities, None)
            .map_err(|e| PeerError(format!("Cedar rejected the entities: {e}")))?;
        let mut slices: FxHashMap<u32, PolicySet> = FxHashMap::default();
        for (gid, g) in snap.grants.iter().enumerate() {
            let text = policy_text(snap, gid, g);
            let policy =
                Policy::parse(Some(PolicyId::new(format!("g{gid}"))), &text).map_err(|e| {
                    PeerError(format!(
                        "Cedar rejected the policy for grant {gid}: {e}\n{text}"
                    ))
                })?;
            slices
                .entry(g.holder.0)
                .or_default()
                .add(policy)
                .map_err(|e| PeerError(format!("Cedar policy set: {e}")))?;
        }
        Ok(CedarPeer {
            slices,
            empty: PolicySet::new(),
            entities,
            authorizer: Authorizer::new(),
            bodies,
            functions,
            practices,
            policies: snap.grants.len(),
            entity_count,
        })
    }

    /// May the question's body exercise its function at its practice on its date?
    /// [`CedarPeer::request`] then [`CedarPeer::decide`].
    pub fn may(&self, q: &Question) -> Result<CedarAnswer, PeerError> {
        self.decide(&self.request(q)?)
    }

    /// The question as Cedar's input: the body's life on the date, the function's action,
    /// the practice's stretch on the date, parsed into entity ids, and the context. The
    /// benchmark builds these before timing, so Cedar is timed on deciding alone.
    pub fn request(&self, q: &Question) -> Result<CedarRequest, PeerError> {
        let body = self
            .bodies
            .get(&q.body)
            .and_then(|lives| lives.iter().find(|(life, _)| life.contains(q.on)))
            .map(|(_, b)| *b)
            .ok_or_else(|| PeerError(format!("no body {} on {}", q.body, q.on)))?;
        let f = self
            .functions
            .get(&q.function)
            .ok_or_else(|| PeerError(format!("unknown function {}", q.function)))?;
        let (practice, stretches) = self
            .practices
            .get(&q.practice)
            .ok_or_else(|| PeerError(format!("unknown practice {}", q.practice)))?;
        let resource = match stretches.iter().position(|s| s.contains(q.on)) {
            Some(n) => format!(r#"Seg::"a{practice}_{n}""#),
            None => format!(r#"Practice::"a{practice}""#),
        };
        let context = Context::from_pairs([
            (
                "day".to_string(),
                RestrictedExpression::new_long(day_number(q.on)),
            ),
            (
                "purpose".to_string(),
                RestrictedExpression::new_string(q.purpose.clone().unwrap_or_default()),
            ),
        ])
        .map_err(|e| PeerError(format!("Cedar context: {e}")))?;
        let request = Request::new(
            uid(&format!(r#"Body::"b{body}""#))?,
            uid(&format!(r#"Action::"f{f}""#))?,
            uid(&resource)?,
            context,
            None,
        )
        .map_err(|e| PeerError(format!("Cedar request: {e}")))?;
        Ok(CedarRequest { request, body })
    }

    /// Cedar's decision on a request built by [`CedarPeer::request`], with the policies
    /// (grants) that determined it.
    pub fn decide(&self, r: &CedarRequest) -> Result<CedarAnswer, PeerError> {
        let policies = self.slices.get(&r.body).unwrap_or(&self.empty);
        let response = self
            .authorizer
            .is_authorized(&r.request, policies, &self.entities);
        if let Some(err) = response.diagnostics().errors().next() {
            return Err(PeerError(format!("Cedar evaluation error: {err}")));
        }
        Ok(CedarAnswer {
            allowed: response.decision() == Decision::Allow,
            proof: response
                .diagnostics()
                .reason()
                .map(|p| p.to_string())
                .collect(),
        })
    }

    /// The largest slice (the body with the most grants), for the report.
    pub fn largest_slice(&self) -> usize {
        self.slices
            .values()
            .map(|s| s.policies().count())
            .max()
            .unwrap_or(0)
    }
}
