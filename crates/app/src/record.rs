//! Recording in the store: changes, batches, an application round's outcome, a
//! proposal's publication or withdrawal. Every write is checked first under the one policy
//! ([`crate::trial`]) and goes in as one batch against the revision it was checked on, so
//! it is all or nothing and never lands on a register it was not checked against.

use crate::replay::Pinned;
use crate::AppError;
use jiff::civil::Date;
use vires_core::{Diagnostic, Instrument, Trial};
use vires_store::{Change, ChangeRequest, Entry, Store};
use vires_workflow::{proposal, round, Event};

/// Who records, and why.
#[derive(Debug, Clone)]
pub struct Author<'a> {
    pub name: &'a str,
    pub reason: &'a str,
}

/// Records `instruments` on the pinned register (a correction for an id it has, an
/// addition otherwise), refused if any would be void. One batch. Instruments the register
/// already holds exactly as written are left out; if that is all of them, nothing is
/// written and the answer is empty.
pub fn instruments(
    store: &dyn Store,
    pinned: &Pinned,
    instruments: Vec<Instrument>,
    by: &Author<'_>,
) -> Result<Vec<Entry>, AppError> {
    let changes = crate::trial::instrument_changes(&pinned.register, instruments);
    if changes.is_empty() {
        return Ok(Vec::new());
    }
    crate::trial::check(&pinned.register, None, &changes)?;
    let batch = changes
        .into_iter()
        .map(|change| ChangeRequest {
            author: by.name.to_string(),
            reason: by.reason.to_string(),
            change,
        })
        .collect();
    Ok(store.append_batch(pinned.head, batch)?)
}

/// The log entry of one workflow step.
pub fn step_change(workflow: &str, id: &str, ev: &Event) -> Change {
    Change::WorkflowStep {
        workflow: workflow.to_string(),
        id: id.to_string(),
        subject: ev.subject.clone(),
        step: ev.action.clone(),
        on: ev.at,
        actor: ev.actor.clone(),
        detail: ev.reason.clone(),
    }
}

/// A round whose approvals would issue void instruments (or were refused) on the register
/// the store holds: nothing was recorded.
#[derive(Debug, Clone)]
pub struct RoundRefused {
    pub refused_approvals: Vec<round::Refusal>,
    pub findings: Vec<Diagnostic>,
}

/// A round as run and as recorded.
#[derive(Debug, Clone)]
pub struct RoundRecorded {
    pub run: round::RoundRun,
    pub recorded: Vec<Entry>,
}

/// Why a round was not recorded.
#[derive(Debug)]
pub enum RoundNotRecorded {
    Refused(RoundRefused),
    App(AppError),
}

impl From<AppError> for RoundNotRecorded {
    fn from(e: AppError) -> Self {
        RoundNotRecorded::App(e)
    }
}

/// Runs `file` on the pinned register and records every step and every issued instrument
/// in one batch: each approval's instruments right after its step.
pub fn round(
    store: &dyn Store,
    pinned: &Pinned,
    file: &round::RoundFile,
    author: &str,
) -> Result<RoundRecorded, RoundNotRecorded> {
    let id = file.round.id.clone();
    if let Some(seq) = pinned.already_recorded("round", &id) {
        return Err(AppError::AlreadyRecorded {
            workflow: "round",
            id,
            seq,
        }
        .into());
    }
    let run = round::run(&pinned.register, file);
    // A refused approval means an instrument the round should issue would be void (or is
    // already there) on the register the store holds: record nothing rather than half a round.
    let refused_approvals: Vec<round::Refusal> = run
        .refusals
        .iter()
        .filter(|r| r.action == "approve")
        .cloned()
        .collect();
    let findings: Vec<Diagnostic> = Trial::of_instruments(&pinned.register, &run.instruments)
        .errors()
        .cloned()
        .collect();
    if !refused_approvals.is_empty() || !findings.is_empty() {
        return Err(RoundNotRecorded::Refused(RoundRefused {
            refused_approvals,
            findings,
        }));
    }
    let request = |reason: String, change: Change| ChangeRequest {
        author: author.to_string(),
        reason,
        change,
    };
    let mut batch = Vec::new();
    let mut pending: Vec<&Instrument> = run.instruments.iter().collect();
    for ev in &run.events {
        batch.push(request(
            format!("round {id}: {} {}", ev.action, ev.subject),
            step_change("round", &id, ev),
        ));
        if ev.action == "approve" {
            let issued = format!("{id}-{}", ev.subject);
            let (now, later): (Vec<_>, Vec<_>) = pending.into_iter().partition(|i| i.id == issued);
            pending = later;
            for ins in now {
                batch.push(request(
                    format!("issued by the approval of {} in round {id}", ev.subject),
                    Change::AddInstrument {
                        instrument: ins.clone(),
                    },
                ));
            }
        }
    }
    for ins in pending {
        batch.push(request(
            format!("issued in round {id}"),
            Change::AddInstrument {
                instrument: ins.clone(),
            },
        ));
    }
    let recorded = store
        .append_batch(pinned.head, batch)
        .map_err(AppError::from)?;
    Ok(RoundRecorded { run, recorded })
}

/// What is decided about a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Publish,
    Withdraw,
}

/// Why a proposal's decision was not recorded.
#[derive(Debug)]
pub enum ProposalNotRecorded {
    /// The proposal cannot be published or withdrawn (not a draft, not valid on the
    /// register the store holds).
    Proposal(proposal::ProposalError),
    App(AppError),
}

impl From<AppError> for ProposalNotRecorded {
    fn from(e: AppError) -> Self {
        ProposalNotRecorded::App(e)
    }
}

/// Publishes `p` (its bodies and instruments, after a step entry, in one batch) or records
/// its withdrawal as a single step, by `by` on `on`.
pub fn proposal(
    store: &dyn Store,
    pinned: &Pinned,
    p: &mut proposal::Proposal,
    decision: Decision,
    by: &Author<'_>,
    on: Date,
) -> Result<Vec<Entry>, ProposalNotRecorded> {
    if let Some(seq) = pinned.already_recorded("proposal", &p.id) {
        return Err(AppError::AlreadyRecorded {
            workflow: "proposal",
            id: p.id.clone(),
            seq,
        }
        .into());
    }
    let request = |reason: String, change: Change| ChangeRequest {
        author: by.name.to_string(),
        reason,
        change,
    };
    let batch = match decision {
        Decision::Withdraw => {
            let ev = proposal::withdraw(p, on, by.name, by.reason)
                .map_err(ProposalNotRecorded::Proposal)?;
            vec![request(
                by.reason.to_string(),
                step_change("proposal", &p.id, &ev),
            )]
        }
        Decision::Publish => {
            let publication = proposal::publish(&pinned.register, p, on, by.name)
                .map_err(ProposalNotRecorded::Proposal)?;
            let unsupported =
                publication.functions.len() + publication.powers.len() + publication.areas.len();
            if unsupported > 0 {
                return Err(AppError::Unsupported(format!(
                    "the proposal declares {unsupported} new function(s), power(s) or area(s), \
                     which the change log cannot record yet"
                ))
                .into());
            }
            let mut batch = vec![request(
                by.reason.to_string(),
                step_change("proposal", &p.id, &publication.event),
            )];
            for body in publication.bodies {
                batch.push(request(
                    format!("{}: {}", p.id, by.reason),
                    Change::AddBody { body },
                ));
            }
            for instrument in publication.instruments {
                batch.push(request(
                    format!("{}: {}", p.id, by.reason),
                    Change::AddInstrument { instrument },
                ));
            }
            batch
        }
    };
    Ok(store
        .append_batch(pinned.head, batch)
        .map_err(AppError::from)?)
}
