//! What-if proposals (seed situation 3): a set of instruments on top of the register that
//! is not yet in force, like a branch. A proposal may also declare what its instruments
//! need that the register lacks (a new power, a new function, a new body).
//!
//! [`assess`] reports, for the dates the proposal takes effect: whether its instruments
//! are valid, who gains and loses which function where (the core's
//! [`vires_core::Snapshot::compare`]), the practices and bodies affected, the joint
//! appointments it turns into conflicts (a person with posts at a commissioner and a
//! provider that the proposal puts in one joint committee), and the gaps and overlaps it
//! creates or resolves. [`compare`] sets two reports side by side. [`publish`] returns
//! everything to append to the register; [`withdraw`] returns only the audit event.

use crate::Event;
use jiff::civil::Date;
use jiff::ToSpan;
use serde::{Deserialize, Serialize};
use std::collections::{BTreeMap, BTreeSet};
use vires_core::function::FunctionDef;
use vires_core::register::NamedArea;
use vires_core::{
    Body, BodyKind, CoverageFinding, Diagnostic, DiffAnswer, Instrument, InstrumentKind, Place,
    Power, Receivers, Register, Role, Snapshot, Trial,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ProposalState {
    Draft,
    Published,
    Withdrawn,
}

impl ProposalState {
    pub fn as_str(self) -> &'static str {
        match self {
            ProposalState::Draft => "draft",
            ProposalState::Published => "published",
            ProposalState::Withdrawn => "withdrawn",
        }
    }
}

impl std::fmt::Display for ProposalState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Proposal {
    pub id: String,
    pub title: String,
    pub state: ProposalState,
    pub instruments: Vec<Instrument>,
    /// Bodies the proposal creates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub bodies: Vec<Body>,
    /// Functions the proposal declares (a new duty).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<FunctionDef>,
    /// Powers the proposal would create (new legislation).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub powers: Vec<Power>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub areas: Vec<NamedArea>,
    #[serde(default)]
    pub history: Vec<Event>,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ProposalError {
    #[error("proposal {proposal} does not read: {}", errors.join("; "))]
    Language {
        proposal: String,
        errors: Vec<String>,
    },
    #[error("proposal {proposal} declares practices or memberships; a proposal changes instruments, bodies, functions, powers and areas only")]
    Practices { proposal: String },
    #[error("proposal {proposal} holds no instruments; a proposal is a set of instruments")]
    Empty { proposal: String },
    #[error("cannot {action} proposal {proposal}: it is {state}; rule: {rule}")]
    IllegalTransition {
        proposal: String,
        action: &'static str,
        state: ProposalState,
        rule: &'static str,
    },
    #[error("cannot publish proposal {proposal}: it is not valid on top of the register: {}; fix the instruments or withdraw the proposal", .problems.join("; "))]
    Invalid {
        proposal: String,
        problems: Vec<String>,
    },
    #[error("proposal file: {0}")]
    Json(String),
}

impl Proposal {
    /// A draft proposal from `.vires` text holding its instruments (and any powers,
    /// functions, bodies and areas they need). The text is read without the prelude: the
    /// prelude is in the register the proposal goes on top of.
    pub fn from_vires(
        id: &str,
        title: &str,
        name: &str,
        text: &str,
    ) -> Result<Proposal, ProposalError> {
        let mut sources = vires_lang::Sources::new();
        sources.add(name, text);
        let loaded = vires_lang::load(&sources);
        if !loaded.errors.is_empty() {
            return Err(ProposalError::Language {
                proposal: id.to_string(),
                errors: loaded
                    .errors
                    .iter()
                    .map(|e| format!("{}: {}", e.code, e.message))
                    .collect(),
            });
        }
        let reg = loaded.register;
        if !reg.practices.is_empty() || !reg.memberships.is_empty() {
            return Err(ProposalError::Practices {
                proposal: id.to_string(),
            });
        }
        if reg.instruments.is_empty() {
            return Err(ProposalError::Empty {
                proposal: id.to_string(),
            });
        }
        Ok(Proposal {
            id: id.to_string(),
            title: title.to_string(),
            state: ProposalState::Draft,
            functions: reg.taxonomy.iter().map(|(_, d)| d.clone()).collect(),
            powers: reg.powers.clone(),
            bodies: reg.bodies.clone(),
            areas: reg.areas.clone(),
            instruments: reg.instruments,
            history: Vec::new(),
        })
    }

    /// A draft proposal from its JSON form (as [`serde_json`] writes a [`Proposal`]).
    pub fn from_json(text: &str) -> Result<Proposal, ProposalError> {
        serde_json::from_str(text).map_err(|e| ProposalError::Json(e.to_string()))
    }

    /// The dates the proposal changes anything: every instrument's start and end.
    pub fn effective_dates(&self) -> Vec<Date> {
        let mut d: BTreeSet<Date> = BTreeSet::new();
        for i in &self.instruments {
            d.insert(i.from);
            d.extend(i.until);
        }
        d.into_iter().collect()
    }
}

/// Puts the proposal on `reg` and says what could not be added (a body whose life
/// overlaps one with the same code, an instrument id the register already has).
fn put_on(reg: &mut Register, p: &Proposal) -> Vec<String> {
    let mut problems = Vec::new();
    for f in &p.functions {
        reg.taxonomy.declare(f.clone());
    }
    for pw in &p.powers {
        reg.add_power(pw.clone());
    }
    for b in &p.bodies {
        // A proposal written with the bodies it refers to may repeat one the register has.
        if let Err(e) = reg.add_body_unless_there(b) {
            problems.push(format!("body {}: {e}", b.code));
        }
    }
    for a in &p.areas {
        reg.add_area(a.clone());
    }
    let already: Vec<bool> = p
        .instruments
        .iter()
        .map(|i| reg.instruments.iter().any(|x| x.id == i.id))
        .collect();
    for (i, already) in p.instruments.iter().zip(already) {
        if already {
            problems.push(format!(
                "instrument id {} is already in the register; give the proposal's instrument another id",
                i.id
            ));
        }
        reg.add_instrument(i.clone());
    }
    problems
}

/// The proposal tried on top of `base` (`vires_core::Trial`: the findings about its
/// instruments), and what could not be added.
pub fn trial(base: &Register, p: &Proposal) -> (Trial, Vec<String>) {
    let ids: Vec<&str> = p.instruments.iter().map(|i| i.id.as_str()).collect();
    let mut problems = Vec::new();
    let tried = Trial::of(base, &ids, None, |reg| {
        problems = put_on(reg, p);
        Ok::<(), std::convert::Infallible>(())
    });
    let trial = match tried {
        Ok(t) => t,
        Err(never) => match never {},
    };
    (trial, problems)
}

/// The part of a body's register of interests that joint appointments need: who holds
/// which posts. It reads the register-of-interests JSON of `vires-procure`
/// (`examples/procurement/register_of_interests_*.json`) and ignores the other fields.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct InterestRegister {
    /// The body that keeps the register, by code.
    pub body: String,
    #[serde(default)]
    pub people: Vec<Person>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Person {
    pub name: String,
    #[serde(default)]
    pub posts: Vec<Post>,
}

/// A post someone holds at a body.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Post {
    /// The body, by code.
    pub body: String,
    pub role: String,
}

/// Reads registers of interests: a JSON array of them, or a single one.
pub fn interests_from_json(text: &str) -> Result<Vec<InterestRegister>, ProposalError> {
    let v: serde_json::Value =
        serde_json::from_str(text).map_err(|e| ProposalError::Json(e.to_string()))?;
    let list = if v.is_array() {
        v
    } else {
        serde_json::Value::Array(vec![v])
    };
    serde_json::from_value(list).map_err(|e| ProposalError::Json(e.to_string()))
}

/// Whether a holding was gained or lost.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Change {
    Added,
    Removed,
}

/// One line of the diff of holders by function, area and date.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct HolderChange {
    pub on: Date,
    pub function: String,
    pub area: String,
    pub body: String,
    pub role: Role,
    pub accountable: String,
    pub change: Change,
    pub instrument: String,
}

/// A practice whose answer changes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AffectedPractice {
    pub practice: String,
    pub on: Date,
    pub function: String,
    /// Holders before and after, as `BODY role`.
    pub before: Vec<String>,
    pub after: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct AffectedBody {
    pub code: String,
    pub name: String,
}

/// A person with posts on both sides of a commissioner–provider joint arrangement the
/// proposal creates.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct JointAppointment {
    pub person: String,
    /// The joint committee or partnership that brings the two bodies together.
    pub instrument: String,
    pub on: Date,
    pub commissioner: String,
    pub provider: String,
    /// The person's posts, as `BODY: role`.
    pub posts: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProposalReport {
    pub proposal: String,
    pub title: String,
    /// No error diagnostic on the proposal's instruments and nothing refused when applying.
    pub valid: bool,
    /// Diagnostics on the proposal's instruments, with the proposal on top of the register.
    pub diagnostics: Vec<Diagnostic>,
    /// What could not be applied at all (duplicate ids, overlapping bodies).
    pub problems: Vec<String>,
    pub dates: Vec<Date>,
    /// The core's diff on each effective date.
    pub diffs: Vec<DiffAnswer>,
    /// The same, one row per holder gained or lost.
    pub holders: Vec<HolderChange>,
    pub affected_bodies: Vec<AffectedBody>,
    pub affected_practices: Vec<AffectedPractice>,
    pub conflicts: Vec<JointAppointment>,
    /// Gaps and overlaps the proposal creates (present after, not before).
    pub coverage_created: Vec<CoverageFinding>,
    /// Gaps and overlaps the proposal resolves (present before, not after).
    pub coverage_resolved: Vec<CoverageFinding>,
}

/// Options for [`assess_with`].
#[derive(Debug, Clone, Default)]
pub struct AssessOptions<'a> {
    /// Registers of interests of the bodies involved, for joint appointments.
    pub interests: &'a [InterestRegister],
    /// How far past the last effective date to look for gaps and overlaps (default 365 days).
    pub horizon_days: Option<i64>,
}

/// Assesses a proposal on top of `base`, without registers of interests.
pub fn assess(base: &Register, p: &Proposal) -> ProposalReport {
    assess_with(base, p, &AssessOptions::default())
}

/// Assesses a proposal on top of `base`.
pub fn assess_with(base: &Register, p: &Proposal, opts: &AssessOptions<'_>) -> ProposalReport {
    let (trial, problems) = trial(base, p);
    let valid = problems.is_empty() && !trial.is_void();
    let before = Snapshot::compile(base.clone());
    let after = trial.snapshot;
    let diagnostics = trial.findings;
    let dates = p.effective_dates();
    let diffs: Vec<DiffAnswer> = dates.iter().map(|d| before.compare(&after, *d)).collect();
    let mut holders = Vec::new();
    for d in &diffs {
        for (list, change) in [(&d.added, Change::Added), (&d.removed, Change::Removed)] {
            for h in list {
                holders.push(HolderChange {
                    on: d.from,
                    function: h.function.clone(),
                    area: h.area.join(" + "),
                    body: h.body.clone(),
                    role: h.role,
                    accountable: h.accountable.clone(),
                    change,
                    instrument: h.instrument.clone(),
                });
            }
        }
    }
    holders.sort();
    holders.dedup();
    let affected_bodies = affected_bodies(&after, p, &holders, &diffs);
    let touched: BTreeSet<String> = holders.iter().map(|h| h.function.clone()).collect();
    let affected_practices = affected_practices(&before, &after, &touched, &dates);
    let conflicts = joint_appointments(base, after.register(), p, opts.interests);
    let horizon = dates
        .last()
        .and_then(|d| d.checked_add(opts.horizon_days.unwrap_or(365).days()).ok())
        .unwrap_or(Date::MAX);
    let first = dates.first().copied().unwrap_or(Date::MIN);
    let mut functions: BTreeSet<String> = p
        .instruments
        .iter()
        .flat_map(|i| i.functions.iter().map(|f| f.to_string()))
        .collect();
    functions.extend(touched);
    let mut coverage_created = Vec::new();
    let mut coverage_resolved = Vec::new();
    for f in &functions {
        let relevant = |s: &Snapshot| -> Vec<CoverageFinding> {
            s.coverage(f, horizon)
                .unwrap_or_default()
                .into_iter()
                // Before the proposal's first date both registers agree; only later segments count.
                .filter(|c| c.until.is_none_or(|u| u > first))
                .collect()
        };
        let b = relevant(&before);
        let a = relevant(&after);
        coverage_created.extend(a.iter().filter(|x| !b.contains(x)).cloned());
        coverage_resolved.extend(b.iter().filter(|x| !a.contains(x)).cloned());
    }
    ProposalReport {
        proposal: p.id.clone(),
        title: p.title.clone(),
        valid,
        diagnostics,
        problems,
        dates,
        diffs,
        holders,
        affected_bodies,
        affected_practices,
        conflicts,
        coverage_created,
        coverage_resolved,
    }
}

fn codes_of(r: &Receivers, reg: &Register, on: Date) -> Vec<String> {
    match r {
        Receivers::Bodies(v) => v.clone(),
        Receivers::Every(kind) => reg
            .bodies_on(on, Some(*kind))
            .into_iter()
            .map(|b| reg.body(b).code.clone())
            .collect(),
    }
}

fn affected_bodies(
    after: &Snapshot,
    p: &Proposal,
    holders: &[HolderChange],
    diffs: &[DiffAnswer],
) -> Vec<AffectedBody> {
    let reg = after.register();
    let mut codes: BTreeSet<String> = holders
        .iter()
        .flat_map(|h| [h.body.clone(), h.accountable.clone()])
        .collect();
    for d in diffs {
        codes.extend(d.established.iter().map(|b| b.code.clone()));
        codes.extend(d.abolished.iter().map(|b| b.code.clone()));
    }
    for i in &p.instruments {
        // Parliament makes Acts; it is not affected by them.
        let by_parliament = i.maker.as_deref().is_some_and(|m| {
            reg.body_near(m, i.from)
                .is_some_and(|b| reg.body(b).kind == BodyKind::Parliament)
        });
        if !by_parliament {
            codes.extend(i.maker.iter().map(ToString::to_string));
        }
        codes.extend(codes_of(&i.terms().receivers, reg, i.from));
        if let Some(of) = &i.particulars().of {
            codes.extend(codes_of(of, reg, i.from));
        }
    }
    codes
        .into_iter()
        .map(|code| {
            let name = reg
                .bodies_with_code(&code)
                .last()
                .map(|b| reg.body(*b).name.clone())
                .unwrap_or_default();
            AffectedBody { code, name }
        })
        .collect()
}

fn holder_set(s: &Snapshot, function: &str, place: &Place, on: Date) -> Vec<String> {
    match s.who(function, place, on, None) {
        Ok(w) => {
            let mut v: Vec<String> = w
                .holders
                .iter()
                .map(|h| format!("{} {}", h.body, h.role))
                .collect();
            v.sort();
            v.dedup();
            v
        }
        // A function the register did not know has no holders there.
        Err(_) => Vec::new(),
    }
}

fn affected_practices(
    before: &Snapshot,
    after: &Snapshot,
    functions: &BTreeSet<String>,
    dates: &[Date],
) -> Vec<AffectedPractice> {
    let mut out = Vec::new();
    for practice in &after.register().practices {
        let place = Place::Practice(practice.code.as_str().into());
        for &on in dates {
            for f in functions {
                let b = holder_set(before, f, &place, on);
                let a = holder_set(after, f, &place, on);
                if a != b {
                    out.push(AffectedPractice {
                        practice: practice.code.to_string(),
                        on,
                        function: f.clone(),
                        before: b,
                        after: a,
                    });
                }
            }
        }
    }
    out.sort();
    out
}

fn is_commissioner(k: BodyKind) -> bool {
    matches!(
        k,
        BodyKind::NhsEngland
            | BodyKind::NhsEnglandRegion
            | BodyKind::Ccg
            | BodyKind::Icb
            | BodyKind::SubIcbLocation
            | BodyKind::CommissioningHub
            | BodyKind::LocalAuthority
            | BodyKind::CombinedAuthority
    )
}

fn is_provider(k: BodyKind) -> bool {
    matches!(
        k,
        BodyKind::NhsTrust | BodyKind::FoundationTrust | BodyKind::IntegratedProvider
    )
}

/// The bodies an instrument makes decide together: joint committee members, or the
/// partners of a s.75 partnership.
fn deciding_together(i: &Instrument, reg: &Register) -> Vec<String> {
    let mut v: Vec<String> = match i.kind {
        InstrumentKind::JointCommittee => codes_of(&i.terms().receivers, reg, i.from),
        InstrumentKind::Partnership => {
            let mut v = codes_of(&i.terms().receivers, reg, i.from);
            v.extend(i.maker.iter().map(ToString::to_string));
            v
        }
        _ => Vec::new(),
    };
    v.sort();
    v.dedup();
    v
}

fn joint_appointments(
    base: &Register,
    after: &Register,
    p: &Proposal,
    interests: &[InterestRegister],
) -> Vec<JointAppointment> {
    // One person may appear in several bodies' registers: their posts are pooled by name.
    let mut people: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for r in interests {
        for person in &r.people {
            let key = person.name.trim().to_lowercase();
            let posts = people.entry(key).or_default();
            for post in &person.posts {
                let pair = (post.body.clone(), post.role.clone());
                if !posts.contains(&pair) {
                    posts.push(pair);
                }
            }
        }
    }
    let display: BTreeMap<String, String> = interests
        .iter()
        .flat_map(|r| r.people.iter())
        .map(|p| (p.name.trim().to_lowercase(), p.name.clone()))
        .collect();
    let kind_of = |code: &str, on: Date| after.body_near(code, on).map(|b| after.body(b).kind);
    let mut out = Vec::new();
    for i in &p.instruments {
        let members = deciding_together(i, after);
        let commissioners: Vec<&String> = members
            .iter()
            .filter(|c| kind_of(c, i.from).is_some_and(is_commissioner))
            .collect();
        let providers: Vec<&String> = members
            .iter()
            .filter(|c| kind_of(c, i.from).is_some_and(is_provider))
            .collect();
        for (key, posts) in &people {
            for c in &commissioners {
                for pr in &providers {
                    let at_c = posts.iter().any(|(b, _)| b == *c);
                    let at_p = posts.iter().any(|(b, _)| b == *pr);
                    if !(at_c && at_p) || already_together(base, c, pr, i.from) {
                        continue;
                    }
                    out.push(JointAppointment {
                        person: display.get(key).cloned().unwrap_or_else(|| key.clone()),
                        instrument: i.id.to_string(),
                        on: i.from,
                        commissioner: (*c).clone(),
                        provider: (*pr).clone(),
                        posts: posts.iter().map(|(b, r)| format!("{b}: {r}")).collect(),
                    });
                }
            }
        }
    }
    out.sort();
    out
}

/// Does the register already have the two bodies deciding together on `on`? Then the
/// conflict is not new.
fn already_together(base: &Register, a: &str, b: &str, on: Date) -> bool {
    base.instruments.iter().any(|i| {
        i.from <= on && i.until.is_none_or(|u| u > on) && {
            let m = deciding_together(i, base);
            m.iter().any(|x| x == a) && m.iter().any(|x| x == b)
        }
    })
}

/// One row of a side-by-side comparison.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SideBySide {
    pub on: Date,
    pub function: String,
    pub area: String,
    pub body: String,
    pub role: Role,
    pub change: Change,
    pub in_a: bool,
    pub in_b: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Comparison {
    pub a: String,
    pub b: String,
    pub valid: (bool, bool),
    pub conflicts: (usize, usize),
    pub coverage_created: (usize, usize),
    pub affected_practices: (usize, usize),
    pub rows: Vec<SideBySide>,
}

/// Two proposals' reports side by side: every holder change, and which proposal makes it.
pub fn compare(a: &ProposalReport, b: &ProposalReport) -> Comparison {
    type Key = (Date, String, String, String, Role, Change);
    let key = |h: &HolderChange| -> Key {
        (
            h.on,
            h.function.clone(),
            h.area.clone(),
            h.body.clone(),
            h.role,
            h.change,
        )
    };
    let ka: BTreeSet<Key> = a.holders.iter().map(key).collect();
    let kb: BTreeSet<Key> = b.holders.iter().map(key).collect();
    let rows = ka
        .union(&kb)
        .map(|k| SideBySide {
            on: k.0,
            function: k.1.clone(),
            area: k.2.clone(),
            body: k.3.clone(),
            role: k.4,
            change: k.5,
            in_a: ka.contains(k),
            in_b: kb.contains(k),
        })
        .collect();
    Comparison {
        a: a.proposal.clone(),
        b: b.proposal.clone(),
        valid: (a.valid, b.valid),
        conflicts: (a.conflicts.len(), b.conflicts.len()),
        coverage_created: (a.coverage_created.len(), b.coverage_created.len()),
        affected_practices: (a.affected_practices.len(), b.affected_practices.len()),
        rows,
    }
}

/// Everything publishing a proposal appends to the register, in the order to apply it,
/// and the audit event. The store applies all of it in one transaction or none.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Publication {
    pub proposal: String,
    pub functions: Vec<FunctionDef>,
    pub powers: Vec<Power>,
    pub bodies: Vec<Body>,
    pub areas: Vec<NamedArea>,
    pub instruments: Vec<Instrument>,
    pub event: Event,
}

/// Publishes a draft proposal: refused (changing nothing) unless it is a draft and valid on
/// top of `base`. The instruments keep their own effective dates.
pub fn publish(
    base: &Register,
    p: &mut Proposal,
    on: Date,
    actor: &str,
) -> Result<Publication, ProposalError> {
    if p.state != ProposalState::Draft {
        return Err(ProposalError::IllegalTransition {
            proposal: p.id.clone(),
            action: "publish",
            state: p.state,
            rule: "only a draft proposal can be published",
        });
    }
    let (trial, mut problems) = trial(base, p);
    problems.extend(
        trial
            .errors()
            .map(|d| format!("{} {}: {}", d.code, d.subject, d.message)),
    );
    if !problems.is_empty() {
        return Err(ProposalError::Invalid {
            proposal: p.id.clone(),
            problems,
        });
    }
    let dates: Vec<String> = p.effective_dates().iter().map(|d| d.to_string()).collect();
    let event = Event::new(
        on,
        actor,
        "publish",
        &p.id,
        Some(format!(
            "{} instruments, effective {}",
            p.instruments.len(),
            dates.join(", ")
        )),
    );
    let new_bodies: Vec<Body> = p
        .bodies
        .iter()
        .filter(|b| {
            !base
                .bodies
                .iter()
                .any(|x| x.code == b.code && x.life == b.life)
        })
        .cloned()
        .collect();
    p.state = ProposalState::Published;
    p.history.push(event.clone());
    Ok(Publication {
        proposal: p.id.clone(),
        functions: p.functions.clone(),
        powers: p.powers.clone(),
        bodies: new_bodies,
        areas: p.areas.clone(),
        instruments: p.instruments.clone(),
        event,
    })
}

/// Withdraws a draft proposal. Nothing reaches the register: only the audit event.
pub fn withdraw(
    p: &mut Proposal,
    on: Date,
    actor: &str,
    reason: &str,
) -> Result<Event, ProposalError> {
    if p.state != ProposalState::Draft {
        return Err(ProposalError::IllegalTransition {
            proposal: p.id.clone(),
            action: "withdraw",
            state: p.state,
            rule: "only a draft proposal can be withdrawn; a published one is ended by revoking its instruments",
        });
    }
    let event = Event::new(on, actor, "withdraw", &p.id, Some(reason.to_string()));
    p.state = ProposalState::Withdrawn;
    p.history.push(event.clone());
    Ok(event)
}
