//! procure and conflicts: thin wrappers over vires-procure.

use super::CliError;
use crate::args::{ConflictsWhat, ExportAs, Format};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vires_core::Snapshot;
use vires_procure::{DecisionReport, InterestRegister};

fn read(path: &Path) -> Result<String, CliError> {
    std::fs::read_to_string(path).map_err(|source| CliError::Io {
        path: path.display().to_string(),
        source,
    })
}

fn input(path: &Path, e: vires_procure::ProcureError) -> CliError {
    CliError::input(
        format!("{}: {e}", path.display()),
        "see docs/procurement.md for the fields, and examples/procurement/ for worked examples",
    )
}

pub fn procure(s: &Snapshot, fmt: Format, contract: &Path) -> Result<ExitCode, CliError> {
    let text = read(contract)?;
    let a = vires_procure::assess::assess_json(&text, s).map_err(|e| input(contract, e))?;
    match fmt {
        Format::Json => println!("{}", a.to_json()),
        Format::Text => print!("{}", a.to_text()),
    }
    Ok(ExitCode::SUCCESS)
}

pub fn conflicts(
    what: ConflictsWhat,
    register_files: &[PathBuf],
    fmt: Format,
) -> Result<ExitCode, CliError> {
    match what {
        ConflictsWhat::Check {
            decision,
            interests,
        } => {
            let d = vires_procure::Decision::from_json(&read(&decision)?)
                .map_err(|e| input(&decision, e))?;
            let mut regs = Vec::new();
            for p in &interests {
                regs.push(InterestRegister::from_json(&read(p)?).map_err(|e| input(p, e))?);
            }
            // Check the body codes against the register when there is one to hand.
            let loaded = crate::load::load(register_files, fmt)?;
            d.check_body(&loaded.snapshot)
                .map_err(|e| input(&decision, e))?;
            let report = DecisionReport::new(d, &regs);
            match fmt {
                Format::Json => println!("{}", report.to_json()),
                Format::Text => print!("{}", report.to_text()),
            }
            Ok(if report.sound {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        ConflictsWhat::Export {
            register,
            as_,
            gifts,
        } => {
            let r =
                InterestRegister::from_json(&read(&register)?).map_err(|e| input(&register, e))?;
            let out = match as_ {
                ExportAs::Json => r.to_json(),
                ExportAs::Html => r.to_html(),
                ExportAs::Csv if gifts => r.gifts_csv().map_err(|e| input(&register, e))?,
                ExportAs::Csv => r.interests_csv().map_err(|e| input(&register, e))?,
            };
            print!("{out}");
            if !out.ends_with('\n') {
                println!();
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
