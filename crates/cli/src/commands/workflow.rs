//! round, proposal, calendar, assessments: thin wrappers over vires-workflow; with
//! `round --record` and `proposal --publish/--withdraw`, their outcome in the store.

use super::CliError;
use crate::args::Format;
use crate::load::{open_store, StoreChoice};
use crate::output::{emit, json};
use jiff::civil::Date;
use std::path::Path;
use std::process::ExitCode;
use vires_core::Snapshot;
use vires_store::{Change, ChangeRequest};
use vires_workflow::{assessment, calendar, proposal, round, Event};

fn read(path: &Path) -> Result<String, CliError> {
    crate::load::read_text(path)
}

fn bad(path: &Path, e: impl std::fmt::Display) -> CliError {
    CliError::input(
        format!("{}: {e}", path.display()),
        "see docs/workflows.md and examples/workflows/",
    )
}

pub fn round(s: &Snapshot, fmt: Format, file: &Path) -> Result<ExitCode, CliError> {
    let run = round::run_json(s.register(), &read(file)?).map_err(|e| bad(file, e))?;
    match fmt {
        Format::Json => json(&run)?,
        Format::Text => print!("{}", round::table(&run)),
    }
    Ok(ExitCode::SUCCESS)
}

fn load_proposal(path: &Path) -> Result<proposal::Proposal, CliError> {
    let text = read(path)?;
    let id = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "proposal".into());
    if path.extension().is_some_and(|x| x == "json") {
        proposal::Proposal::from_json(&text).map_err(|e| bad(path, e))
    } else {
        proposal::Proposal::from_vires(&id, &id, &path.display().to_string(), &text)
            .map_err(|e| bad(path, e))
    }
}

pub fn proposal(
    s: &Snapshot,
    fmt: Format,
    file: &Path,
    interests: Option<&Path>,
    compare: Option<&Path>,
) -> Result<ExitCode, CliError> {
    let p = load_proposal(file)?;
    let regs = match interests {
        Some(i) => proposal::interests_from_json(&read(i)?).map_err(|e| bad(i, e))?,
        None => Vec::new(),
    };
    let opts = proposal::AssessOptions {
        interests: &regs,
        horizon_days: None,
    };
    let report = proposal::assess_with(s.register(), &p, &opts);
    if let Some(other) = compare {
        let q = load_proposal(other)?;
        let other_report = proposal::assess_with(s.register(), &q, &opts);
        let cmp = proposal::compare(&report, &other_report);
        match fmt {
            Format::Json => {
                json(&serde_json::json!({"a": report, "b": other_report, "comparison": cmp}))?
            }
            Format::Text => {
                print!("{}", proposal::report_text(&report));
                print!("{}", proposal::report_text(&other_report));
                println!("{}", serde_json::to_string_pretty(&cmp).unwrap_or_default());
            }
        }
    } else {
        match fmt {
            Format::Json => json(&report)?,
            Format::Text => print!("{}", proposal::report_text(&report)),
        }
    }
    Ok(if report.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn calendar(
    s: &Snapshot,
    fmt: Format,
    on: Date,
    days: i64,
    rounds: &[std::path::PathBuf],
    ics: bool,
) -> Result<ExitCode, CliError> {
    let mut list = Vec::new();
    for r in rounds {
        list.push(round::load_json(&read(r)?).map_err(|e| bad(r, e))?.round);
    }
    let entries = calendar::upcoming(s, &list, on, days);
    if ics {
        print!("{}", calendar::to_ics(&entries, "vires", on));
        return Ok(ExitCode::SUCCESS);
    }
    match fmt {
        Format::Json => json(&entries)?,
        Format::Text => {
            for e in &entries {
                println!("{}  {:<10} {}", e.date, e.kind.as_str(), e.subject);
            }
            println!("{} items from {on} for {days} days", entries.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn assessments(s: &Snapshot, fmt: Format, file: &Path) -> Result<ExitCode, CliError> {
    let list = assessment::load_json(&read(file)?, Some(s.register())).map_err(|e| bad(file, e))?;
    match fmt {
        Format::Json => json(&list)?,
        Format::Text => print!("{}", assessment::table(&list, Some(s.register()))),
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------
// Recording workflows in the store

/// The register the store holds, pinned at one revision: the batch written from it names
/// that revision, so a change recorded by anyone in between makes the batch stale instead
/// of landing on a register it was not checked against.
struct Pinned {
    store: Box<dyn vires_store::Store>,
    head: vires_store::Revision,
    entries: Vec<vires_store::Entry>,
    register: vires_core::Register,
}

fn store_err(e: vires_store::StoreError) -> CliError {
    if e.is_stale() {
        CliError::input(
            format!("store: {e}; nothing was recorded"),
            "someone changed the register meanwhile; run the command again",
        )
    } else {
        CliError::input(format!("store: {e}"), "check --db / VIRES_DB")
    }
}

fn pin(what: &str, has_register_files: bool, choice: &StoreChoice) -> Result<Pinned, CliError> {
    if has_register_files {
        return Err(CliError::Usage(format!(
            "{what} writes to the store (--db), which holds the bundled England register and its \
             change log; drop --register"
        )));
    }
    if choice.recorded_at.is_some() {
        return Err(CliError::Usage(format!(
            "{what} records on the register as it is now; drop --recorded-at"
        )));
    }
    if choice.ods.is_some() {
        return Err(CliError::Usage(format!(
            "{what} records on top of the bundled register; drop --ods"
        )));
    }
    let store = open_store(choice)?;
    let head = store.head().map_err(store_err)?;
    let entries = store.entries(1, head.0).map_err(store_err)?;
    let import =
        vires_england::bundled().map_err(|e| CliError::Internal(format!("bundled data: {e}")))?;
    let replayed = vires_store::replay(import.register, &entries);
    for issue in &replayed.issues {
        eprintln!(
            "warning: change {} could not be applied: {}",
            issue.seq, issue.message
        );
    }
    Ok(Pinned {
        store,
        head,
        entries,
        register: replayed.register,
    })
}

/// The first entry that already records a step of this workflow, if any.
fn already_recorded(entries: &[vires_store::Entry], workflow: &str, id: &str) -> Option<u64> {
    entries.iter().find_map(|e| match &e.change {
        Change::WorkflowStep {
            workflow: w, id: i, ..
        } if w == workflow && i == id => Some(e.seq),
        _ => None,
    })
}

fn step_change(workflow: &str, id: &str, ev: &Event) -> Change {
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

/// The error findings about `ids` with `new` on top of `register`: what would be void.
fn invalid_on(
    register: &vires_core::Register,
    new: &[vires_core::Instrument],
) -> Vec<vires_core::Diagnostic> {
    let mut trial = register.clone();
    trial
        .instruments
        .retain(|i| !new.iter().any(|n| n.id == i.id));
    trial.instruments.extend(new.iter().cloned());
    let trial = Snapshot::compile(trial);
    trial
        .invalid()
        .filter(|d| new.iter().any(|n| n.id == d.subject))
        .cloned()
        .collect()
}

fn print_recorded(fmt: Format, entries: &[vires_store::Entry]) -> Result<(), CliError> {
    emit(fmt, &entries, |r| {
        for e in r.iter() {
            let what = match &e.change {
                Change::WorkflowStep { step, subject, .. } => format!("{step} {subject}"),
                Change::AddInstrument { instrument } => instrument.id.to_string(),
                Change::AddBody { body } => body.code.clone(),
                _ => String::new(),
            };
            println!(
                "recorded as revision {} at {}: {} {what}",
                e.seq,
                e.recorded_at,
                e.change.op()
            );
        }
    })
}

/// `vires round FILE --record`: runs the round on the register the store holds and writes
/// every step and every issued instrument in one atomic batch.
pub fn record_round(
    file: &Path,
    author: &str,
    has_register_files: bool,
    choice: &StoreChoice,
    fmt: Format,
) -> Result<ExitCode, CliError> {
    let round_file = round::load_json(&read(file)?).map_err(|e| bad(file, e))?;
    let pinned = pin("round --record", has_register_files, choice)?;
    let id = round_file.round.id.clone();
    if let Some(seq) = already_recorded(&pinned.entries, "round", &id) {
        return Err(CliError::input(
            format!("round {id} is already recorded (revision {seq}); nothing was recorded"),
            "`vires audit log` shows its steps",
        ));
    }
    let run = round::run(&pinned.register, &round_file);
    // A refused approval means an instrument the round should issue would be void (or is
    // already there) on the register the store holds: record nothing rather than half a round.
    let failed: Vec<&round::Refusal> = run
        .refusals
        .iter()
        .filter(|r| r.action == "approve")
        .collect();
    for r in &failed {
        eprintln!(
            "refused: approve {} on {}: {}",
            r.application, r.on, r.error
        );
    }
    let bad_diags = invalid_on(&pinned.register, &run.instruments);
    for d in &bad_diags {
        eprintln!("{} {}: {}", d.code, d.subject, d.message);
    }
    if !failed.is_empty() || !bad_diags.is_empty() {
        return Err(CliError::input(
            format!(
                "the round's approvals would issue invalid instruments on the register the store \
                 holds; nothing was recorded ({} refused approval(s), {} finding(s))",
                failed.len(),
                bad_diags.len()
            ),
            "`vires round FILE` without --record shows the run",
        ));
    }
    let mut batch = Vec::new();
    let mut pending: Vec<&vires_core::Instrument> = run.instruments.iter().collect();
    for ev in &run.events {
        batch.push(ChangeRequest {
            author: author.to_string(),
            reason: format!("round {id}: {} {}", ev.action, ev.subject),
            change: step_change("round", &id, ev),
        });
        if ev.action == "approve" {
            let issued = format!("{id}-{}", ev.subject);
            let (now, later): (Vec<_>, Vec<_>) = pending.into_iter().partition(|i| i.id == issued);
            pending = later;
            for ins in now {
                batch.push(ChangeRequest {
                    author: author.to_string(),
                    reason: format!("issued by the approval of {} in round {id}", ev.subject),
                    change: Change::AddInstrument {
                        instrument: ins.clone(),
                    },
                });
            }
        }
    }
    for ins in pending {
        batch.push(ChangeRequest {
            author: author.to_string(),
            reason: format!("issued in round {id}"),
            change: Change::AddInstrument {
                instrument: ins.clone(),
            },
        });
    }
    let recorded = pinned
        .store
        .append_batch(pinned.head, batch)
        .map_err(store_err)?;
    match fmt {
        Format::Json => json(&serde_json::json!({"run": run, "recorded": recorded}))?,
        Format::Text => {
            print!("{}", round::table(&run));
            print_recorded(fmt, &recorded)?;
        }
    }
    Ok(ExitCode::SUCCESS)
}

/// What is decided about a proposal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Publish,
    Withdraw,
}

/// Who decides, why and when.
pub struct Decided<'a> {
    pub author: &'a str,
    pub reason: &'a str,
    pub on: Date,
}

/// `vires proposal FILE --publish | --withdraw`: applies the proposal in one atomic batch,
/// or records its withdrawal as a single step.
pub fn decide_proposal(
    file: &Path,
    decision: Decision,
    decided: &Decided<'_>,
    has_register_files: bool,
    choice: &StoreChoice,
    fmt: Format,
) -> Result<ExitCode, CliError> {
    if decided.reason.trim().is_empty() {
        return Err(CliError::Usage(
            "--reason must say why the proposal is published or withdrawn".into(),
        ));
    }
    let mut p = load_proposal(file)?;
    let what = match decision {
        Decision::Publish => "proposal --publish",
        Decision::Withdraw => "proposal --withdraw",
    };
    let pinned = pin(what, has_register_files, choice)?;
    if let Some(seq) = already_recorded(&pinned.entries, "proposal", &p.id) {
        return Err(CliError::input(
            format!(
                "proposal {} was already published or withdrawn (revision {seq}); nothing was recorded",
                p.id
            ),
            "`vires audit log` shows it",
        ));
    }
    let request = |reason: String, change: Change| ChangeRequest {
        author: decided.author.to_string(),
        reason,
        change,
    };
    let batch = match decision {
        Decision::Withdraw => {
            let ev = proposal::withdraw(&mut p, decided.on, decided.author, decided.reason)
                .map_err(|e| bad(file, e))?;
            vec![request(
                decided.reason.to_string(),
                step_change("proposal", &p.id, &ev),
            )]
        }
        Decision::Publish => {
            let publication =
                proposal::publish(&pinned.register, &mut p, decided.on, decided.author).map_err(
                    |e| {
                        CliError::input(
                            format!("{}: {e}; nothing was recorded", file.display()),
                            "`vires proposal FILE` without --publish shows the validity report",
                        )
                    },
                )?;
            let unsupported =
                publication.functions.len() + publication.powers.len() + publication.areas.len();
            if unsupported > 0 {
                return Err(CliError::input(
                    format!(
                        "{}: the proposal declares {unsupported} new function(s), power(s) or \
                         area(s), which the change log cannot record yet; nothing was recorded",
                        file.display()
                    ),
                    "publish only instruments and bodies, or record the declarations in the base register",
                ));
            }
            let mut batch = vec![request(
                decided.reason.to_string(),
                step_change("proposal", &p.id, &publication.event),
            )];
            for body in publication.bodies {
                batch.push(request(
                    format!("{}: {}", p.id, decided.reason),
                    Change::AddBody { body },
                ));
            }
            for instrument in publication.instruments {
                batch.push(request(
                    format!("{}: {}", p.id, decided.reason),
                    Change::AddInstrument { instrument },
                ));
            }
            batch
        }
    };
    let recorded = pinned
        .store
        .append_batch(pinned.head, batch)
        .map_err(store_err)?;
    print_recorded(fmt, &recorded)?;
    Ok(ExitCode::SUCCESS)
}
