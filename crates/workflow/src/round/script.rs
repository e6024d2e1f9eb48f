//! Round files: a round and its applications' steps as JSON, run in date order against a
//! register, each refusal kept with the rule it broke.

use super::*;
use crate::Event;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use vires_core::{Instrument, Register};

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
