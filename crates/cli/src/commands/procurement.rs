//! procure and conflicts: thin wrappers over vires-procure.

use super::procurement_text;
use crate::args::{ConflictsWhat, ExportAs, Format};
use crate::error::CliError;
use crate::output::wrap_lines;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use vires_app::conflicts_csv;
use vires_core::Power;
use vires_core::Snapshot;
use vires_lang::ast::{Item, RecordKind};
use vires_procure::assess::PowerChange;
use vires_procure::InterestRegister;

fn read(path: &Path) -> Result<String, CliError> {
    crate::load::read_text(path)
}

fn input(path: &Path, e: vires_procure::ProcureError) -> CliError {
    CliError::input(
        format!("{}: {e}", path.display()),
        "see docs/procurement.md for the fields, and examples/procurement/ for worked examples",
    )
}

/// `vires procure --with-power FILE` / `--without-power ID`.
#[derive(Debug, Clone)]
pub enum PowerWhatIf {
    Add(PathBuf),
    Remove(String),
}

pub fn procure(
    s: &Snapshot,
    fmt: Format,
    contract: &Path,
    what_if: Option<PowerWhatIf>,
) -> Result<ExitCode, CliError> {
    let text = read(contract)?;
    let Some(what_if) = what_if else {
        let a = vires_procure::assess::assess_json(&text, s).map_err(|e| input(contract, e))?;
        match fmt {
            Format::Json => println!("{}", a.to_json()),
            Format::Text | Format::Csv => {
                print!("{}", wrap_lines(&procurement_text::assessment(&a)))
            }
        }
        return Ok(ExitCode::SUCCESS);
    };
    let c = vires_procure::Contract::from_json(&text).map_err(|e| input(contract, e))?;
    let change = match what_if {
        PowerWhatIf::Add(file) => PowerChange::Add {
            power: power_from_file(&file)?,
        },
        PowerWhatIf::Remove(id) => {
            if !s.register().powers.iter().any(|p| p.id == id) {
                return Err(CliError::input(
                    format!("--without-power: no power `{id}` in the register"),
                    "`vires powers` lists the powers' ids (with --register, the prelude's and your files')",
                ));
            }
            PowerChange::Remove { id }
        }
    };
    let w = vires_procure::assess::what_if_power(&c, s.register(), change)
        .map_err(|e| input(contract, e))?;
    match fmt {
        Format::Json => println!("{}", w.to_json()),
        Format::Text | Format::Csv => print!("{}", wrap_lines(&procurement_text::what_if(&w))),
    }
    Ok(ExitCode::SUCCESS)
}

/// The one power declared in a .vires (or vires JSON) file, for `--with-power`.
fn power_from_file(path: &Path) -> Result<Power, CliError> {
    let help = "the file must declare exactly one `power` record (see docs/language.md, and examples/procurement/what-if/support-services-power.vires)";
    let sources = crate::load::read_sources(&[path.to_path_buf()])?;
    let loaded = vires_lang::load(&sources);
    let mut others: Vec<String> = Vec::new();
    for item in loaded.documents.iter().flat_map(|d| &d.items) {
        if let Item::Record(r) = item {
            let kind = r.kind.to_string();
            if r.kind != RecordKind::Power && !others.contains(&kind) {
                others.push(kind);
            }
        }
    }
    if !others.is_empty() {
        return Err(CliError::input(
            format!(
                "--with-power {}: holds records other than `power` ({}); a what-if adds one power",
                path.display(),
                others.join(", ")
            ),
            help,
        ));
    }
    if !loaded.errors.is_empty() {
        let color = crate::output::color_stderr();
        eprint!(
            "{}",
            vires_lang::render(&loaded.sources, &loaded.errors, &[], color)
        );
        return Err(CliError::input(
            format!(
                "--with-power {}: {} error(s) in the file",
                path.display(),
                loaded.errors.len()
            ),
            help,
        ));
    }
    let mut powers = loaded.register.powers;
    match powers.len() {
        1 => Ok(powers.remove(0)),
        n => Err(CliError::input(
            format!(
                "--with-power {}: declares {n} powers; a what-if adds exactly one",
                path.display()
            ),
            help,
        )),
    }
}

pub fn conflicts(
    what: ConflictsWhat,
    register_files: &[PathBuf],
    fmt: Format,
    store: &crate::load::StoreChoice,
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
            // The bodies are checked against the register (the --register files, else the
            // bundled register with the store's changes) by the one conflicts check the API
            // and the web page call too.
            let loaded = crate::load::load_from(register_files, fmt, store)?;
            let checked = vires_procure::check(&loaded.snapshot, Some(d), &regs).map_err(|e| {
                // Name the file the error is about: a register's, else the decision's.
                let file = e
                    .field()
                    .and_then(|f| f.strip_prefix("interests["))
                    .and_then(|f| f.split(']').next())
                    .and_then(|n| n.parse::<usize>().ok())
                    .and_then(|n| interests.get(n))
                    .unwrap_or(&decision);
                input(file, e)
            })?;
            let Some(report) = checked.decision else {
                return Err(CliError::input(
                    "conflicts check: no decision was checked",
                    "give a decision record",
                ));
            };
            match fmt {
                Format::Json => println!(
                    "{}",
                    serde_json::to_string_pretty(&report)
                        .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
                ),
                Format::Text | Format::Csv => {
                    print!(
                        "{}",
                        wrap_lines(&procurement_text::decision_report(&report))
                    )
                }
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
            // --format json or csv choose those forms too (a register is a list); two
            // different forms asked for at once are refused rather than one picked.
            let as_ = match (fmt, as_) {
                (Format::Text, a) => a.unwrap_or(ExportAs::Csv),
                (Format::Json, None | Some(ExportAs::Json)) => ExportAs::Json,
                (Format::Csv, None | Some(ExportAs::Csv)) => ExportAs::Csv,
                (_, Some(a)) => {
                    let name = |a: ExportAs| match a {
                        ExportAs::Csv => "csv",
                        ExportAs::Json => "json",
                        ExportAs::Html => "html",
                    };
                    let format = if fmt == Format::Json { "json" } else { "csv" };
                    return Err(CliError::Usage(format!(
                        "--format {format} and --as {} ask for two forms; give one",
                        name(a)
                    )));
                }
            };
            let out = match as_ {
                ExportAs::Json => r.to_json(),
                ExportAs::Html => vires_web::conflicts_pages::register_page(&r),
                ExportAs::Csv => {
                    let table = if gifts {
                        conflicts_csv::gifts(&r)
                    } else {
                        conflicts_csv::interests(&r)
                    };
                    table.to_text().map_err(|e| {
                        CliError::input(
                            format!("{}: writing CSV: {e}", register.display()),
                            "the register could not be written as CSV",
                        )
                    })?
                }
            };
            print!("{out}");
            if !out.ends_with('\n') {
                println!();
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
