//! round, proposal, calendar, assessments: thin wrappers over vires-workflow; with
//! `round --record` and `proposal --publish/--withdraw`, their outcome in the store.

use super::workflow_text;
use crate::args::Format;
use crate::error::CliError;
use crate::load::StoreChoice;
use crate::output::{emit, json};
use jiff::civil::Date;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;
use vires_app::record::{self, Decision, ProposalNotRecorded, RoundNotRecorded};
use vires_app::replay::Pinned;
use vires_app::AppError;
use vires_core::Snapshot;
use vires_store::Change;
use vires_workflow::{assessment, calendar, proposal, round};

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
        Format::Text | Format::Csv => print!("{}", workflow_text::round_table(&run)),
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
            Format::Text | Format::Csv => {
                print!("{}", workflow_text::proposal_report(&report));
                print!("{}", workflow_text::proposal_report(&other_report));
                println!("{}", serde_json::to_string_pretty(&cmp).unwrap_or_default());
            }
        }
    } else {
        match fmt {
            Format::Json => json(&report)?,
            Format::Text | Format::Csv => print!("{}", workflow_text::proposal_report(&report)),
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
        Format::Csv => {
            let rows: Vec<Vec<String>> = entries
                .iter()
                .map(|e| {
                    vec![
                        e.date.to_string(),
                        e.kind.as_str().to_string(),
                        e.subject.clone(),
                        e.summary.clone(),
                        e.description.clone(),
                    ]
                })
                .collect();
            let header = ["date", "kind", "subject", "summary", "description"];
            crate::output::csv(&header, &rows)?;
        }
        Format::Text => {
            let mut t = crate::output::Table::new(&["DATE", "KIND", "SUBJECT", "WHAT"]);
            for e in &entries {
                t.row(vec![
                    e.date.to_string(),
                    e.kind.as_str().to_string(),
                    e.subject.clone(),
                    e.summary.clone(),
                ]);
            }
            t.print();
            println!("{} items from {on} for {days} days", entries.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}

pub fn assessments(s: &Snapshot, fmt: Format, file: &Path) -> Result<ExitCode, CliError> {
    let list = assessment::load_json(&read(file)?, Some(s.register())).map_err(|e| bad(file, e))?;
    match fmt {
        Format::Json => json(&list)?,
        Format::Csv => {
            let (header, rows) = workflow_text::assessment_rows(&list, Some(s.register()));
            crate::output::csv(&header, &rows)?;
        }
        Format::Text => print!(
            "{}",
            workflow_text::assessments_table(&list, Some(s.register()))
        ),
    }
    Ok(ExitCode::SUCCESS)
}

// ---------------------------------------------------------------------------------------
// Recording workflows in the store

/// The register the store holds now, for a command that records on it.
fn pin(
    what: &str,
    has_register_files: bool,
    choice: &StoreChoice,
) -> Result<(Arc<dyn vires_store::Store>, Pinned), CliError> {
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
    crate::load::pin(choice)
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
    let (store, pinned) = pin("round --record", has_register_files, choice)?;
    let recorded = match record::round(store.as_ref(), &pinned, &round_file, author) {
        Ok(r) => r,
        Err(RoundNotRecorded::Refused(refused)) => {
            for r in &refused.refused_approvals {
                eprintln!(
                    "refused: approve {} on {}: {}",
                    r.application, r.on, r.error
                );
            }
            for d in &refused.findings {
                eprintln!("{} {}: {}", d.code, d.subject, d.message);
            }
            return Err(CliError::input(
                format!(
                    "the round's approvals would issue invalid instruments on the register the store \
                     holds; nothing was recorded ({} refused approval(s), {} finding(s))",
                    refused.refused_approvals.len(),
                    refused.findings.len()
                ),
                "`vires round FILE` without --record shows the run",
            ));
        }
        Err(RoundNotRecorded::App(AppError::AlreadyRecorded { id, seq, .. })) => {
            return Err(CliError::input(
                format!("round {id} is already recorded (revision {seq}); nothing was recorded"),
                "`vires audit log` shows its steps",
            ))
        }
        Err(RoundNotRecorded::App(e)) => return Err(e.into()),
    };
    match fmt {
        Format::Json => {
            json(&serde_json::json!({"run": recorded.run, "recorded": recorded.recorded}))?
        }
        Format::Text | Format::Csv => {
            print!("{}", workflow_text::round_table(&recorded.run));
            print_recorded(fmt, &recorded.recorded)?;
        }
    }
    Ok(ExitCode::SUCCESS)
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
    let (store, pinned) = pin(what, has_register_files, choice)?;
    let by = record::Author {
        name: decided.author,
        reason: decided.reason,
    };
    let recorded = match record::proposal(store.as_ref(), &pinned, &mut p, decision, &by, decided.on) {
        Ok(r) => r,
        Err(ProposalNotRecorded::App(AppError::AlreadyRecorded { id, seq, .. })) => {
            return Err(CliError::input(
                format!(
                    "proposal {id} was already published or withdrawn (revision {seq}); nothing was recorded"
                ),
                "`vires audit log` shows it",
            ))
        }
        Err(ProposalNotRecorded::App(e @ AppError::Unsupported(_))) => {
            return Err(CliError::input(
                format!("{}: {e}; nothing was recorded", file.display()),
                "publish only instruments and bodies, or record the declarations in the base register",
            ))
        }
        Err(ProposalNotRecorded::App(e)) => return Err(e.into()),
        Err(ProposalNotRecorded::Proposal(e)) if decision == Decision::Publish => {
            return Err(CliError::input(
                format!("{}: {e}; nothing was recorded", file.display()),
                "`vires proposal FILE` without --publish shows the validity report",
            ))
        }
        Err(ProposalNotRecorded::Proposal(e)) => return Err(bad(file, e)),
    };
    print_recorded(fmt, &recorded)?;
    Ok(ExitCode::SUCCESS)
}
