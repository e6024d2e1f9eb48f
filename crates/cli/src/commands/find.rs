//! find: bodies, practices, areas, instruments and functions by code, name or postcode.

use crate::args::Format;
use crate::error::CliError;
use crate::output::{date_cell, emit_list, until_text, Table};
use jiff::civil::Date;
use std::process::ExitCode;
use vires_core::search::{search, FoundKind, Search};
use vires_core::Snapshot;

pub fn find(
    s: &Snapshot,
    fmt: Format,
    text: &str,
    on: Option<Date>,
    as_of: Date,
    kinds: &[String],
    limit: usize,
) -> Result<ExitCode, CliError> {
    let kinds = kinds
        .iter()
        .map(|k| {
            FoundKind::parse(k).ok_or_else(|| {
                let all: Vec<&str> = FoundKind::ALL.iter().map(|k| k.as_str()).collect();
                CliError::Usage(format!(
                    "--kind `{k}` is not a kind; kinds are: {}",
                    all.join(", ")
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    let answer = search(
        s,
        &Search {
            text,
            on,
            as_of,
            kinds: &kinds,
            limit,
        },
    )
    .map_err(|e| CliError::input(e.to_string(), "for example: vires find bolton"))?;
    let csv_rows = |a: &vires_core::search::SearchAnswer| {
        a.results
            .iter()
            .map(|f| {
                let within: Vec<String> = f.within.iter().map(|w| w.code.clone()).collect();
                vec![
                    f.kind.as_str().to_string(),
                    f.code.clone(),
                    f.name.clone(),
                    f.detail.clone().unwrap_or_default(),
                    date_cell(f.from),
                    date_cell(f.until),
                    f.postcode.clone().unwrap_or_default(),
                    f.ons_code.clone().unwrap_or_default(),
                    within.join(";"),
                ]
            })
            .collect()
    };
    let header = [
        "kind", "code", "name", "detail", "from", "until", "postcode", "ons_code", "within",
    ];
    emit_list(fmt, &answer, &header, csv_rows, |a| {
        if a.results.is_empty() {
            println!("nothing matches “{}”", a.text);
            return;
        }
        let mut t = Table::new(&["KIND", "CODE", "FROM", "UNTIL", "NAME"]);
        for f in &a.results {
            // Areas and functions have no dates of their own: "-", not an empty cell.
            let (from, until) = match (f.kind, f.from) {
                (FoundKind::Area | FoundKind::Function, _) | (_, None) => {
                    ("-".to_string(), "-".to_string())
                }
                (_, Some(from)) => (from.to_string(), until_text(f.until)),
            };
            let mut name = f.name.clone();
            let mut notes = Vec::new();
            if let Some(d) = &f.detail {
                notes.push(d.clone());
            }
            if let Some(p) = &f.postcode {
                notes.push(p.clone());
            }
            if let Some(o) = &f.ons_code {
                notes.push(o.clone());
            }
            if !f.within.is_empty() {
                let w: Vec<String> = f
                    .within
                    .iter()
                    .map(|w| format!("{} {}", w.code, w.name))
                    .collect();
                notes.push(format!("in {} on {}", w.join(", part of "), a.as_of));
            }
            if !notes.is_empty() {
                name = format!("{name} ({})", notes.join("; "));
            }
            t.row(vec![
                f.kind.as_str().to_string(),
                f.code.clone(),
                from,
                until,
                name,
            ]);
        }
        t.print();
        if a.total > a.results.len() {
            println!(
                "the best {} of {} matches; type more of the name or code, or use --kind or --limit",
                a.results.len(),
                a.total
            );
        }
    })?;
    Ok(if answer.results.is_empty() {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
