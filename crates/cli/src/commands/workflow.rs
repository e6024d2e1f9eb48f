//! round, proposal, calendar, assessments: thin wrappers over vires-workflow.

use super::CliError;
use crate::args::Format;
use crate::output::json;
use jiff::civil::Date;
use std::path::Path;
use std::process::ExitCode;
use vires_core::Snapshot;
use vires_workflow::{assessment, calendar, proposal, round};

fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.display().to_string(),
        source,
    })
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
