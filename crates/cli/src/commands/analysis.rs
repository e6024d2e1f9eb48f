//! check, gaps, expiring, inheritance, instruments.

use crate::args::Format;
use crate::error::CliError;
use crate::load::Loaded;
use crate::output::{date_cell, emit_list, json};
use jiff::civil::Date;
use serde::Serialize;
use std::process::ExitCode;
use vires_core::{Severity, Snapshot};

#[derive(Serialize)]
struct CheckReport<'a> {
    instruments: usize,
    errors: usize,
    warnings: usize,
    language_errors: usize,
    diagnostics: Vec<&'a vires_core::Diagnostic>,
}

/// `vires check FILE...` without `--register`: the files' instruments judged on top of the
/// register the store holds (the bundled register plus recorded changes), as `record`
/// would judge them, so a file naming a body the register has is checked against it.
pub fn check_files_on(
    base: &Loaded,
    files: &[std::path::PathBuf],
    fmt: Format,
    warnings: bool,
) -> Result<ExitCode, CliError> {
    let sources = crate::load::read_sources(files)?;
    let written = vires_lang::load(&sources);
    let (trial, problems) =
        vires_app::trial::written_on(base.snapshot.register(), &written.register);
    for p in &problems {
        eprintln!("error: {p}");
    }
    let diags: Vec<&vires_core::Diagnostic> = trial
        .findings
        .iter()
        .filter(|d| warnings || d.severity == Severity::Error)
        .collect();
    let errors = trial.errors().count();
    let warns = trial.findings.len() - errors;
    let language_errors = written.errors.len() + problems.len();
    match fmt {
        Format::Json => json(&CheckReport {
            instruments: written.register.instruments.len(),
            errors,
            warnings: warns,
            language_errors,
            diagnostics: diags,
        })?,
        Format::Text | Format::Csv => {
            let owned: Vec<vires_core::Diagnostic> = diags.iter().map(|d| (*d).clone()).collect();
            let color = crate::output::color_stderr();
            eprint!(
                "{}",
                vires_lang::render(&written.sources, &written.errors, &owned, color)
            );
            println!(
                "{} instruments checked on the register the store holds: {errors} invalid, {warns} warnings{}",
                written.register.instruments.len(),
                if language_errors > 0 {
                    format!(", {language_errors} language errors")
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(if errors > 0 || language_errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn check(loaded: &Loaded, fmt: Format, warnings: bool) -> Result<ExitCode, CliError> {
    let s = &loaded.snapshot;
    let diags: Vec<&vires_core::Diagnostic> = s
        .diagnostics
        .iter()
        .filter(|d| warnings || d.severity == Severity::Error)
        .collect();
    let errors = s
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let warns = s.diagnostics.len() - errors;
    match fmt {
        Format::Json => json(&CheckReport {
            instruments: s.register().instruments.len(),
            errors,
            warnings: warns,
            language_errors: loaded.language_errors,
            diagnostics: diags,
        })?,
        Format::Text | Format::Csv => {
            loaded.render_diagnostics(&diags);
            println!(
                "{} instruments checked: {errors} invalid, {warns} warnings{}",
                s.register().instruments.len(),
                if loaded.language_errors > 0 {
                    format!(", {} language errors", loaded.language_errors)
                } else {
                    String::new()
                }
            );
        }
    }
    Ok(if errors > 0 || loaded.language_errors > 0 {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

pub fn gaps(s: &Snapshot, fmt: Format, function: &str, until: Date) -> Result<ExitCode, CliError> {
    let found = s.coverage(function, until)?;
    let csv_rows = |found: &Vec<vires_core::CoverageFinding>| {
        found
            .iter()
            .map(|f| {
                let problem = match f.problem {
                    vires_core::CoverageProblem::Gap => "gap",
                    vires_core::CoverageProblem::Overlap => "overlap",
                };
                vec![
                    problem.to_string(),
                    f.function.clone(),
                    f.place.to_string(),
                    f.from.to_string(),
                    date_cell(f.until),
                    f.holders.join(";"),
                    if f.explained() { "yes" } else { "no" }.to_string(),
                    crate::output::caveats_cell(&f.caveats),
                ]
            })
            .collect()
    };
    let header = [
        "problem",
        "function",
        "place",
        "from",
        "until",
        "holders",
        "explained",
        "caveats",
    ];
    emit_list(fmt, &found, &header, csv_rows, |found| {
        for f in found {
            let end = crate::output::last_day_text(f.until);
            let (problem, what) = match f.problem {
                vires_core::CoverageProblem::Gap => (
                    "gap",
                    "no holder without a purpose limit is recorded".to_string(),
                ),
                vires_core::CoverageProblem::Overlap => (
                    "overlap",
                    format!("held exclusively by {} at once", f.holders.join(" and ")),
                ),
            };
            let line = format!(
                "{problem}: {} {}, {} to {end}: {what}{}",
                f.function,
                crate::output::place_text(s, &f.place, Some(f.from)),
                f.from,
                if f.explained() {
                    " (explained below)"
                } else {
                    ""
                }
            );
            println!(
                "{}",
                crate::output::wrap(&line, 0, 2, crate::output::width())
            );
            crate::output::caveat_lines(&f.caveats);
        }
        let explained = found.iter().filter(|f| f.explained()).count();
        println!(
            "{} findings for {function} up to {until}: {} unexplained, {explained} explained by a caveat",
            found.len(),
            found.len() - explained
        );
    })?;
    // Exit 1 only for what the register cannot explain.
    Ok(if found.iter().all(|f| f.explained()) {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn expiring(s: &Snapshot, fmt: Format, on: Date, days: i64) -> Result<ExitCode, CliError> {
    let list = s.expiring(on, days);
    let csv_rows = |list: &Vec<vires_core::Expiring>| {
        list.iter()
            .map(|e| {
                vec![
                    e.instrument.clone(),
                    e.kind.as_str().to_string(),
                    e.until.to_string(),
                    e.days_left.to_string(),
                    date_cell(e.review),
                    e.title.clone(),
                ]
            })
            .collect()
    };
    let header = [
        "instrument",
        "kind",
        "until",
        "days_left",
        "review",
        "title",
    ];
    emit_list(fmt, &list, &header, csv_rows, |list| {
        let mut t = crate::output::Table::new(&["DAYS LEFT", "UNTIL", "INSTRUMENT", "TITLE"]);
        for e in list {
            t.row(vec![
                e.days_left.to_string(),
                e.until.to_string(),
                e.instrument.clone(),
                e.title.clone(),
            ]);
        }
        t.print();
        println!(
            "{} instruments in force on {on} end within {days} days",
            list.len()
        );
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn inheritance(s: &Snapshot, fmt: Format) -> Result<ExitCode, CliError> {
    #[derive(Serialize)]
    struct Out<'a> {
        inherited: Vec<vires_core::Inheritance>,
        orphans: Vec<&'a vires_core::Diagnostic>,
    }
    let out = Out {
        inherited: s.inheritance(),
        orphans: s.orphans().collect(),
    };
    // One row per instrument carried over, then one per arrangement orphaned.
    let csv_rows = |o: &Out| {
        let mut rows: Vec<Vec<String>> = o
            .inherited
            .iter()
            .map(|i| {
                vec![
                    "inherited".to_string(),
                    i.instrument.clone(),
                    i.from_body.clone(),
                    i.to_body.clone(),
                    i.on.to_string(),
                    i.merger.clone(),
                    String::new(),
                ]
            })
            .collect();
        rows.extend(o.orphans.iter().map(|d| {
            vec![
                "orphaned".to_string(),
                d.subject.clone(),
                String::new(),
                String::new(),
                String::new(),
                String::new(),
                format!("{}: {}", d.code, d.message),
            ]
        }));
        rows
    };
    let header = [
        "status",
        "instrument",
        "from_body",
        "to_body",
        "on",
        "merger",
        "finding",
    ];
    emit_list(fmt, &out, &header, csv_rows, |o| {
        for i in &o.inherited {
            println!(
                "{} carried from {} to {} on {} by {}",
                i.instrument, i.from_body, i.to_body, i.on, i.merger
            );
        }
        for d in &o.orphans {
            println!("{} {}: {}", d.code, d.subject, d.message);
        }
        println!(
            "{} inherited, {} orphaned",
            o.inherited.len(),
            o.orphans.len()
        );
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn instruments(s: &Snapshot, fmt: Format) -> Result<ExitCode, CliError> {
    let rows = vires_core::explain::instruments(s);
    let csv_rows = |rows: &Vec<vires_core::explain::InstrumentRow>| {
        rows.iter()
            .map(|r| {
                vec![
                    r.id.clone(),
                    r.kind.as_str().to_string(),
                    r.from.to_string(),
                    date_cell(r.until),
                    if r.valid { "yes" } else { "no" }.to_string(),
                    r.title.clone(),
                ]
            })
            .collect()
    };
    let header = ["id", "kind", "from", "until", "valid", "title"];
    emit_list(fmt, &rows, &header, csv_rows, |rows| {
        let mut t = crate::output::Table::new(&["ID", "KIND", "FROM", "UNTIL", "TITLE"]);
        for r in rows {
            t.row(vec![
                r.id.to_string(),
                r.kind.as_str().to_string(),
                r.from.to_string(),
                crate::output::until_text(r.until),
                format!("{}{}", if r.valid { "" } else { "VOID " }, r.title),
            ]);
        }
        t.print();
    })?;
    Ok(ExitCode::SUCCESS)
}
