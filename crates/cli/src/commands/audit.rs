//! audit verify and audit log: the tamper-evident change history.

use super::CliError;
use crate::args::{AuditWhat, Format};
use crate::load::{open_store, StoreChoice};
use crate::output::{emit, json};
use std::process::ExitCode;

pub fn run(what: AuditWhat, choice: &StoreChoice, fmt: Format) -> Result<ExitCode, CliError> {
    // Opening a SQLite path creates a store there: a mistyped path must not verify as empty.
    if let Some(path) = choice
        .db
        .as_deref()
        .and_then(|u| u.strip_prefix("sqlite://"))
    {
        if !std::path::Path::new(path).exists() {
            return Err(CliError::input(
                format!("no store at {path}"),
                "check the path given with --db or VIRES_DB",
            ));
        }
    }
    let store = open_store(choice)?;
    let err = |e: vires_store::StoreError| {
        CliError::input(format!("store: {e}"), "check --db / VIRES_DB")
    };
    match what {
        AuditWhat::Verify => {
            let report = store.verify().map_err(err)?;
            emit(fmt, &report, |r| {
                if r.ok {
                    println!("the change log verifies: {} entries", r.entries);
                    if let Some(h) = &r.head_hash {
                        println!("head hash {h} (keep it elsewhere to detect a later truncation)");
                    }
                } else if let Some(bad) = &r.first_bad {
                    println!("the change log does NOT verify: first bad entry {bad:?}");
                }
            })?;
            Ok(if report.ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        AuditWhat::Log => {
            let entries = store.all_entries().map_err(err)?;
            match fmt {
                Format::Json => json(&entries)?,
                Format::Text => {
                    for e in &entries {
                        println!(
                            "{:>6} {} {:<16} {:<20} {}",
                            e.seq,
                            e.recorded_at,
                            e.author,
                            e.change.op(),
                            e.reason
                        );
                    }
                }
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
