//! Application rounds for delegated powers: primary care co-commissioning (2014, seed
//! situation 4) and the later rounds for dental, pharmacy and optometry and for specialised
//! services follow the same shape. NHS England invites bodies of some kinds to apply, by a
//! deadline, for one of several levels of involvement in some functions; each application
//! carries evidence against the round's criteria; a regional team recommends; the board
//! decides. Approval issues the instrument (a delegation or a joint committee) itself, so
//! the register's answers follow from the decisions alone.
//!
//! Every operation checks the application's state and the round's rules first and changes
//! nothing when it refuses: the error names the rule that was broken.

use crate::Event;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use vires_core::{
    AreaExpr, BodyKind, Diagnostic, Instrument, InstrumentKind, Onward, Receivers, Register,
    SmolStr,
};

/// The levels of involvement a round can offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    /// The applicant takes part in NHS England's decisions; no function moves.
    GreaterInvolvement,
    /// NHS England and the applicant decide together in a joint committee.
    Joint,
    /// The applicant exercises the functions under a delegation; NHS England stays accountable.
    Delegated,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::GreaterInvolvement => "greater-involvement",
            Level::Joint => "joint",
            Level::Delegated => "delegated",
        }
    }
}

impl std::fmt::Display for Level {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an application must show. The 2014 round asked for all four.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Criterion {
    /// Care is more integrated across primary, community and hospital services.
    Integration,
    /// Higher standards of primary care.
    Standards,
    /// Less inequality in access and outcomes.
    Inequalities,
    /// Conflicts of interest are identified and managed (GP members deciding on GP contracts).
    ConflictsOfInterest,
}

impl Criterion {
    pub fn as_str(self) -> &'static str {
        match self {
            Criterion::Integration => "integration",
            Criterion::Standards => "standards",
            Criterion::Inequalities => "inequalities",
            Criterion::ConflictsOfInterest => "conflicts-of-interest",
        }
    }
}

impl std::fmt::Display for Criterion {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// An invitation to apply for delegated powers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ApplicationRound {
    pub id: String,
    pub title: String,
    /// The body that delegates and decides, by code (NHS England, `X24`).
    pub maker: String,
    /// The legal basis the issued instruments cite ("NHS Act 2006 s.13Z").
    pub basis: String,
    /// Kinds of body that may apply.
    pub eligible: Vec<BodyKind>,
    pub levels: Vec<Level>,
    /// The functions on offer.
    pub functions: Vec<String>,
    /// Child functions the maker keeps whatever the level (performers list management).
    #[serde(default)]
    pub except: Vec<String>,
    /// What the maker keeps, in the agreement's words.
    #[serde(default)]
    pub retained: Vec<String>,
    pub criteria: Vec<Criterion>,
    /// First day applications are accepted.
    pub opens: Date,
    /// Last day applications are accepted (inclusive).
    pub deadline: Date,
    /// Later or earlier last days for particular levels (the 2015/16 round closed delegated
    /// bids on 2015-01-09 and the others on 2015-01-30).
    #[serde(default)]
    pub level_deadlines: BTreeMap<Level, Date>,
    /// First day approved arrangements take effect.
    pub starts: Date,
    /// First day they no longer do, if the round sets one.
    #[serde(default)]
    pub until: Option<Date>,
    /// When the issued instruments should be reviewed.
    #[serde(default)]
    pub review: Option<Date>,
    /// Who recommends (a regional or area team).
    pub recommender: String,
    /// Who decides (the board).
    pub decider: String,
    /// The public record of the round.
    pub source: String,
}

/// Where an application stands. Approved, Rejected and Withdrawn are final.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum State {
    Draft,
    Submitted,
    Recommended,
    Approved,
    Rejected,
    Withdrawn,
}

impl State {
    pub fn as_str(self) -> &'static str {
        match self {
            State::Draft => "draft",
            State::Submitted => "submitted",
            State::Recommended => "recommended",
            State::Approved => "approved",
            State::Rejected => "rejected",
            State::Withdrawn => "withdrawn",
        }
    }

    pub fn is_final(self) -> bool {
        matches!(self, State::Approved | State::Rejected | State::Withdrawn)
    }
}

impl std::fmt::Display for State {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Evidence offered against one criterion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Evidence {
    pub criterion: Criterion,
    /// What the applicant says, in its words.
    pub text: String,
    /// A document that backs it (a board paper, a conflicts policy).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document: Option<String>,
}

/// The regional team's recommendation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Recommendation {
    pub by: String,
    pub on: Date,
    /// Whether the team supports approval.
    pub support: bool,
    pub reason: String,
}

/// The board's decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    pub by: String,
    pub on: Date,
    pub approved: bool,
    /// Reasons for a rejection (required), or notes on an approval.
    #[serde(default)]
    pub reasons: Vec<String>,
    /// Ids of the instruments the approval issued.
    #[serde(default)]
    pub instruments: Vec<String>,
}

/// One body's application in a round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    pub id: String,
    pub round: String,
    /// The applying body, by code.
    pub applicant: String,
    pub level: Level,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    pub state: State,
    #[serde(default)]
    pub submitted: Option<Date>,
    #[serde(default)]
    pub recommendation: Option<Recommendation>,
    #[serde(default)]
    pub decision: Option<Decision>,
    /// Every step taken, in order: the application's own audit trail.
    #[serde(default)]
    pub history: Vec<Event>,
}

/// Why an operation was refused. Each names the rule it enforces.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum RoundError {
    #[error("cannot {action} application {application}: it is {state}; rule: {rule}")]
    IllegalTransition {
        application: String,
        action: &'static str,
        state: State,
        rule: &'static str,
    },
    #[error("application {application} came in on {submitted}, after the {level} deadline of {deadline}; rule: applications are accepted up to and including the deadline")]
    Late {
        application: String,
        level: Level,
        deadline: Date,
        submitted: Date,
    },
    #[error("application {application} came in on {submitted}, before the round opened on {opens}; rule: applications are accepted from the opening day")]
    Early {
        application: String,
        opens: Date,
        submitted: Date,
    },
    #[error("application {application} has no evidence for {}; rule: every criterion of the round needs evidence before submission", missing.iter().map(|c| c.as_str()).collect::<Vec<_>>().join(", "))]
    Incomplete {
        application: String,
        missing: Vec<Criterion>,
    },
    #[error("application {application} asks for {level}, which round {round} does not offer (it offers {offered}); rule: only the levels offered may be applied for")]
    LevelNotOffered {
        application: String,
        round: String,
        level: Level,
        offered: String,
    },
    #[error("{applicant} is a {kind}; round {round} is open to {eligible} only; rule: only eligible bodies may apply")]
    NotEligible {
        applicant: String,
        kind: BodyKind,
        round: String,
        eligible: String,
    },
    #[error("no body with code {applicant} exists on {on}, the day arrangements from round {round} start; rule: the applicant must exist when the arrangement starts")]
    UnknownApplicant {
        applicant: String,
        round: String,
        on: Date,
    },
    #[error("application {application} belongs to round {actual}, not {expected}")]
    WrongRound {
        application: String,
        expected: String,
        actual: String,
    },
    #[error("{action} of application {application} on {on} is dated before the step it follows ({previous}); rule: steps run forward in time")]
    Backdated {
        application: String,
        action: &'static str,
        on: Date,
        previous: Date,
    },
    #[error("the rejection of application {application} gives no reasons; rule: a rejection is recorded with its reasons")]
    NoReasons { application: String },
    #[error("approving application {application} would issue instruments that are not valid: {}; fix the round's maker, basis or functions, or the register", .diagnostics.iter().map(|d| format!("{} {}: {}", d.code, d.subject, d.message)).collect::<Vec<_>>().join("; "))]
    InvalidInstruments {
        application: String,
        diagnostics: Vec<Diagnostic>,
    },
    #[error("instrument id {id} is already in the register; give application {application} a different id")]
    DuplicateInstrument { application: String, id: String },
    #[error("round file: {0}")]
    Json(String),
}

/// What an approval issues: the instruments to add to the register, and the audit event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub instruments: Vec<Instrument>,
    pub event: Event,
}

impl ApplicationRound {
    /// The last day an application at `level` is accepted.
    pub fn deadline_for(&self, level: Level) -> Date {
        self.level_deadlines
            .get(&level)
            .copied()
            .unwrap_or(self.deadline)
    }

    /// A new application in Draft.
    pub fn draft(
        &self,
        id: impl Into<String>,
        applicant: impl Into<String>,
        level: Level,
    ) -> Application {
        Application {
            id: id.into(),
            round: self.id.clone(),
            applicant: applicant.into(),
            level,
            evidence: Vec::new(),
            state: State::Draft,
            submitted: None,
            recommendation: None,
            decision: None,
            history: Vec::new(),
        }
    }

    fn own(&self, app: &Application) -> Result<(), RoundError> {
        if app.round != self.id {
            return Err(RoundError::WrongRound {
                application: app.id.clone(),
                expected: self.id.clone(),
                actual: app.round.clone(),
            });
        }
        Ok(())
    }

    /// Submits a draft on `on`. Refused when late, early, incomplete, for a level not on
    /// offer, or by a body that may not apply.
    pub fn submit(
        &self,
        app: &mut Application,
        register: &Register,
        on: Date,
        actor: &str,
    ) -> Result<Event, RoundError> {
        self.own(app)?;
        if app.state != State::Draft {
            return Err(RoundError::IllegalTransition {
                application: app.id.clone(),
                action: "submit",
                state: app.state,
                rule: "only a draft can be submitted",
            });
        }
        if !self.levels.contains(&app.level) {
            return Err(RoundError::LevelNotOffered {
                application: app.id.clone(),
                round: self.id.clone(),
                level: app.level,
                offered: self
                    .levels
                    .iter()
                    .map(|l| l.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        if on < self.opens {
            return Err(RoundError::Early {
                application: app.id.clone(),
                opens: self.opens,
                submitted: on,
            });
        }
        let deadline = self.deadline_for(app.level);
        if on > deadline {
            return Err(RoundError::Late {
                application: app.id.clone(),
                level: app.level,
                deadline,
                submitted: on,
            });
        }
        let body = register
            .body_at(&app.applicant, self.starts)
            .ok_or_else(|| RoundError::UnknownApplicant {
                applicant: app.applicant.clone(),
                round: self.id.clone(),
                on: self.starts,
            })?;
        let kind = register.body(body).kind;
        if !self.eligible.contains(&kind) {
            return Err(RoundError::NotEligible {
                applicant: app.applicant.clone(),
                kind,
                round: self.id.clone(),
                eligible: self
                    .eligible
                    .iter()
                    .map(|k| k.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let missing: Vec<Criterion> = self
            .criteria
            .iter()
            .copied()
            .filter(|c| {
                !app.evidence
                    .iter()
                    .any(|e| e.criterion == *c && !e.text.trim().is_empty())
            })
            .collect();
        if !missing.is_empty() {
            return Err(RoundError::Incomplete {
                application: app.id.clone(),
                missing,
            });
        }
        let ev = Event::new(
            on,
            actor,
            "submit",
            &app.id,
            Some(format!(
                "{} applies for {} {}",
                app.applicant,
                app.level,
                self.functions.join(", ")
            )),
        );
        app.state = State::Submitted;
        app.submitted = Some(on);
        app.history.push(ev.clone());
        Ok(ev)
    }

    /// The regional team's recommendation on a submitted application.
    pub fn recommend(
        &self,
        app: &mut Application,
        on: Date,
        actor: &str,
        support: bool,
        reason: &str,
    ) -> Result<Event, RoundError> {
        self.own(app)?;
        if app.state != State::Submitted {
            return Err(RoundError::IllegalTransition {
                application: app.id.clone(),
                action: "recommend",
                state: app.state,
                rule: "only a submitted application can be recommended",
            });
        }
        forward(app, "recommend", on)?;
        let ev = Event::new(
            on,
            actor,
            if support {
                "recommend"
            } else {
                "recommend-against"
            },
            &app.id,
            Some(reason.to_string()),
        );
        app.state = State::Recommended;
        app.recommendation = Some(Recommendation {
            by: actor.to_string(),
            on,
            support,
            reason: reason.to_string(),
        });
        app.history.push(ev.clone());
        Ok(ev)
    }

    /// The instruments an approval of `app` issues, without changing anything: a
    /// delegation for the delegated level, a joint committee with the maker as a member for
    /// the joint level, nothing for greater involvement. The arrangement ends when the round
    /// says, or when the applicant ceases to exist if that is sooner, so that it never
    /// outlives its receiver (a CCG abolished with no successor would orphan it).
    pub fn instruments_for(
        &self,
        app: &Application,
        register: &Register,
        decided: Date,
    ) -> Vec<Instrument> {
        let from = self.starts.max(decided);
        let kind = match app.level {
            Level::GreaterInvolvement => return Vec::new(),
            Level::Joint => InstrumentKind::JointCommittee,
            Level::Delegated => InstrumentKind::Delegation,
        };
        let mut i = Instrument::new(format!("{}-{}", self.id, app.id), kind, from);
        i.title = match app.level {
            Level::Joint => format!(
                "Joint commissioning: {} and {} ({})",
                self.maker, app.applicant, self.title
            )
            .into(),
            _ => format!(
                "Delegated commissioning to {} ({})",
                app.applicant, self.title
            )
            .into(),
        };
        i.basis = Some(self.basis.clone());
        i.maker = Some(self.maker.as_str().into());
        i.receivers = match app.level {
            Level::Joint => Receivers::Bodies(vec![self.maker.clone(), app.applicant.clone()]),
            _ => Receivers::Bodies(vec![app.applicant.clone()]),
        };
        i.functions = self.functions.iter().map(SmolStr::new).collect();
        i.particulars.except = self.except.clone();
        i.particulars.retained = self.retained.clone();
        i.area = Some(AreaExpr::Footprint(app.applicant.as_str().into()));
        // A merger carries the arrangement on to the successor, so only an ending without
        // one limits it.
        let merged = register.instruments.iter().any(|m| {
            m.kind == InstrumentKind::Merge && m.particulars.predecessors.contains(&app.applicant)
        });
        let life_end = register
            .body_at(&app.applicant, from)
            .and_then(|b| register.body(b).life.until)
            .filter(|_| !merged);
        i.until = vires_core::interval::min_until(self.until, life_end);
        i.particulars.review = self.review;
        i.onward = Onward::Forbidden;
        i.source = Some(format!(
            "{} decision of {} on application {} in round {} ({})",
            self.decider, decided, app.id, self.id, self.source
        ));
        vec![i]
    }

    /// The board approves a recommended application. Returns the instruments to add and
    /// the event; refuses (changing nothing) when the state does not allow it or the
    /// instruments would not be valid on top of `register`.
    pub fn approve(
        &self,
        app: &mut Application,
        register: &Register,
        on: Date,
        actor: &str,
    ) -> Result<Approval, RoundError> {
        self.own(app)?;
        if app.state != State::Recommended {
            return Err(RoundError::IllegalTransition {
                application: app.id.clone(),
                action: "approve",
                state: app.state,
                rule: "only a recommended application can be approved",
            });
        }
        forward(app, "approve", on)?;
        let instruments = self.instruments_for(app, register, on);
        for i in &instruments {
            if register.instruments.iter().any(|x| x.id == i.id) {
                return Err(RoundError::DuplicateInstrument {
                    application: app.id.clone(),
                    id: i.id.to_string(),
                });
            }
        }
        let errors: Vec<Diagnostic> = vires_core::Trial::of_instruments(register, &instruments)
            .errors()
            .cloned()
            .collect();
        if !errors.is_empty() {
            return Err(RoundError::InvalidInstruments {
                application: app.id.clone(),
                diagnostics: errors,
            });
        }
        let against = app.recommendation.as_ref().is_some_and(|r| !r.support);
        let reason = format!(
            "{} approved for {}{}{}",
            app.applicant,
            app.level,
            if instruments.is_empty() {
                String::from("; no function moves")
            } else {
                format!(
                    "; issues {}",
                    instruments
                        .iter()
                        .map(|i| i.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            },
            if against {
                "; against the recommendation"
            } else {
                ""
            }
        );
        let ev = Event::new(on, actor, "approve", &app.id, Some(reason));
        app.state = State::Approved;
        app.decision = Some(Decision {
            by: actor.to_string(),
            on,
            approved: true,
            reasons: Vec::new(),
            instruments: instruments.iter().map(|i| i.id.to_string()).collect(),
        });
        app.history.push(ev.clone());
        Ok(Approval {
            instruments,
            event: ev,
        })
    }

    /// The board rejects a recommended application, with its reasons.
    pub fn reject(
        &self,
        app: &mut Application,
        on: Date,
        actor: &str,
        reasons: &[String],
    ) -> Result<Event, RoundError> {
        self.own(app)?;
        if app.state != State::Recommended {
            return Err(RoundError::IllegalTransition {
                application: app.id.clone(),
                action: "reject",
                state: app.state,
                rule: "only a recommended application can be rejected",
            });
        }
        if reasons.iter().all(|r| r.trim().is_empty()) {
            return Err(RoundError::NoReasons {
                application: app.id.clone(),
            });
        }
        forward(app, "reject", on)?;
        let ev = Event::new(on, actor, "reject", &app.id, Some(reasons.join("; ")));
        app.state = State::Rejected;
        app.decision = Some(Decision {
            by: actor.to_string(),
            on,
            approved: false,
            reasons: reasons.to_vec(),
            instruments: Vec::new(),
        });
        app.history.push(ev.clone());
        Ok(ev)
    }

    /// The applicant withdraws before a decision.
    pub fn withdraw(
        &self,
        app: &mut Application,
        on: Date,
        actor: &str,
        reason: &str,
    ) -> Result<Event, RoundError> {
        self.own(app)?;
        if app.state.is_final() {
            return Err(RoundError::IllegalTransition {
                application: app.id.clone(),
                action: "withdraw",
                state: app.state,
                rule: "an application can be withdrawn only before the board decides",
            });
        }
        forward(app, "withdraw", on)?;
        let ev = Event::new(on, actor, "withdraw", &app.id, Some(reason.to_string()));
        app.state = State::Withdrawn;
        app.history.push(ev.clone());
        Ok(ev)
    }
}

fn forward(app: &Application, action: &'static str, on: Date) -> Result<(), RoundError> {
    if let Some(prev) = app.history.last().map(|e| e.at) {
        if on < prev {
            return Err(RoundError::Backdated {
                application: app.id.clone(),
                action,
                on,
                previous: prev,
            });
        }
    }
    Ok(())
}

/// One step of a scripted round, as written in a round file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case", deny_unknown_fields)]
pub enum Step {
    Submit {
        on: Date,
        actor: String,
    },
    Recommend {
        on: Date,
        actor: String,
        #[serde(default = "yes")]
        support: bool,
        reason: String,
    },
    Approve {
        on: Date,
        actor: String,
    },
    Reject {
        on: Date,
        actor: String,
        reasons: Vec<String>,
    },
    Withdraw {
        on: Date,
        actor: String,
        reason: String,
    },
}

fn yes() -> bool {
    true
}

/// An application as written in a round file: what is applied for, the evidence, and the
/// steps taken on it in order.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScriptedApplication {
    pub id: String,
    pub applicant: String,
    pub level: Level,
    #[serde(default)]
    pub evidence: Vec<Evidence>,
    #[serde(default)]
    pub steps: Vec<Step>,
}

/// A round file: the round and what happened to each application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RoundFile {
    pub round: ApplicationRound,
    #[serde(default)]
    pub applications: Vec<ScriptedApplication>,
}

/// A step that was refused, with why.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Refusal {
    pub application: String,
    pub action: String,
    pub on: Date,
    pub error: String,
}

/// The outcome of running a round file against a register.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RoundRun {
    pub round: ApplicationRound,
    pub applications: Vec<Application>,
    /// Instruments issued by approvals, in order: what the store appends.
    pub instruments: Vec<Instrument>,
    /// Every step that was taken, in order: what lands in the audit log.
    pub events: Vec<Event>,
    /// Steps that were refused. A refused step leaves its application as it was, and the
    /// application's later steps are not attempted.
    pub refusals: Vec<Refusal>,
}

/// Reads a round file (JSON).
pub fn load_json(text: &str) -> Result<RoundFile, RoundError> {
    serde_json::from_str(text).map_err(|e| RoundError::Json(e.to_string()))
}

/// Reads a round file and runs it: [`load_json`] then [`run`].
pub fn run_json(register: &Register, text: &str) -> Result<RoundRun, RoundError> {
    Ok(run(register, &load_json(text)?))
}

/// Runs every application's steps in date order against `register`, collecting the issued
/// instruments, the audit events and the refusals. Approvals see the instruments issued by
/// earlier approvals, so two approvals cannot issue the same id.
pub fn run(register: &Register, file: &RoundFile) -> RoundRun {
    let round = &file.round;
    let mut apps: Vec<Application> = file
        .applications
        .iter()
        .map(|s| {
            let mut a = round.draft(&s.id, &s.applicant, s.level);
            a.evidence = s.evidence.clone();
            a
        })
        .collect();
    let mut steps: Vec<(Date, usize, usize, &Step)> = Vec::new();
    for (ai, s) in file.applications.iter().enumerate() {
        for (si, st) in s.steps.iter().enumerate() {
            steps.push((step_date(st), ai, si, st));
        }
    }
    // Stable by date, then application order, then step order: a board meeting that decides
    // several applications records them in the order the file gives.
    steps.sort_by_key(|(d, ai, si, _)| (*d, *ai, *si));
    let mut reg = register.clone();
    let mut instruments = Vec::new();
    let mut events = Vec::new();
    let mut refusals = Vec::new();
    let mut stopped = vec![false; apps.len()];
    for (on, ai, _, step) in steps {
        if stopped[ai] {
            continue;
        }
        let app = &mut apps[ai];
        let result = match step {
            Step::Submit { actor, .. } => round.submit(app, &reg, on, actor),
            Step::Recommend {
                actor,
                support,
                reason,
                ..
            } => round.recommend(app, on, actor, *support, reason),
            Step::Approve { actor, .. } => round.approve(app, &reg, on, actor).map(|a| {
                for i in &a.instruments {
                    reg.add_instrument(i.clone());
                }
                instruments.extend(a.instruments);
                a.event
            }),
            Step::Reject { actor, reasons, .. } => round.reject(app, on, actor, reasons),
            Step::Withdraw { actor, reason, .. } => round.withdraw(app, on, actor, reason),
        };
        match result {
            Ok(ev) => events.push(ev),
            Err(e) => {
                stopped[ai] = true;
                let action = step_name(step).to_string();
                let refusal_event = Event::new(
                    on,
                    "vires",
                    "refuse",
                    &app.id,
                    Some(format!("{action}: {e}")),
                );
                app.history.push(refusal_event.clone());
                events.push(refusal_event);
                refusals.push(Refusal {
                    application: app.id.clone(),
                    action,
                    on,
                    error: e.to_string(),
                });
            }
        }
    }
    RoundRun {
        round: round.clone(),
        applications: apps,
        instruments,
        events,
        refusals,
    }
}

fn step_date(s: &Step) -> Date {
    match s {
        Step::Submit { on, .. }
        | Step::Recommend { on, .. }
        | Step::Approve { on, .. }
        | Step::Reject { on, .. }
        | Step::Withdraw { on, .. } => *on,
    }
}

fn step_name(s: &Step) -> &'static str {
    match s {
        Step::Submit { .. } => "submit",
        Step::Recommend { .. } => "recommend",
        Step::Approve { .. } => "approve",
        Step::Reject { .. } => "reject",
        Step::Withdraw { .. } => "withdraw",
    }
}
