//! bodies, lineage, map, functions, powers, import.

use crate::args::{Format, ImportWhat};
use crate::error::CliError;
use crate::output::{date_cell, emit_list, json};
use jiff::civil::Date;
use serde::Serialize;
use std::process::ExitCode;
use vires_core::{BodyKind, Snapshot};

#[derive(Serialize)]
struct BodyRow<'a> {
    code: &'a str,
    name: &'a str,
    kind: BodyKind,
    from: Date,
    until: Option<Date>,
}

pub fn bodies(
    s: &Snapshot,
    fmt: Format,
    on: Date,
    kind: Option<&str>,
) -> Result<ExitCode, CliError> {
    let kind = match kind {
        None => None,
        Some(k) => Some(BodyKind::parse(k).ok_or_else(|| {
            let all: Vec<&str> = BodyKind::ALL.iter().map(|k| k.as_str()).collect();
            CliError::Usage(format!(
                "unknown body kind `{k}`; kinds are: {}",
                all.join(", ")
            ))
        })?),
    };
    let reg = s.register();
    let rows: Vec<BodyRow> = reg
        .bodies_on(on, kind)
        .into_iter()
        .map(|b| {
            let b = reg.body(b);
            BodyRow {
                code: &b.code,
                name: &b.name,
                kind: b.kind,
                from: b.life.from,
                until: b.life.until,
            }
        })
        .collect();
    let csv_rows = |rows: &Vec<BodyRow>| {
        rows.iter()
            .map(|r| {
                vec![
                    r.code.to_string(),
                    r.kind.as_str().to_string(),
                    r.from.to_string(),
                    date_cell(r.until),
                    r.name.to_string(),
                ]
            })
            .collect()
    };
    emit_list(
        fmt,
        &rows,
        &["code", "kind", "from", "until", "name"],
        csv_rows,
        |rows| {
            let mut t = crate::output::Table::new(&["CODE", "KIND", "FROM", "UNTIL", "NAME"]);
            for r in rows {
                t.row(vec![
                    r.code.to_string(),
                    r.kind.as_str().to_string(),
                    r.from.to_string(),
                    crate::output::until_text(r.until),
                    r.name.to_string(),
                ]);
            }
            t.print();
            println!("{} bodies on {on}", rows.len());
        },
    )?;
    Ok(ExitCode::SUCCESS)
}

pub fn lineage(s: &Snapshot, fmt: Format, code: &str) -> Result<ExitCode, CliError> {
    let l = vires_core::lineage::lineage(s.register(), code).ok_or_else(|| {
        CliError::input(
            format!("no body or succession has code `{code}`"),
            "check the code with `vires bodies`",
        )
    })?;
    let reg = s.register();
    // The name a code had on a date (codes outlive names: 13T was a CCG, then a sub-ICB location).
    let name = |c: &str, on: Option<Date>| {
        let ids = reg.bodies_with_code(c);
        on.and_then(|d| reg.body_at(c, d))
            .or_else(|| ids.first().copied())
            .map(|b| reg.body(b).name.clone())
            .unwrap_or_default()
    };
    let csv_rows = |l: &vires_core::lineage::Lineage| {
        let mut rows = Vec::new();
        for p in &l.predecessors {
            rows.push(vec![
                l.code.clone(),
                "predecessor".to_string(),
                p.on.to_string(),
                p.code.clone(),
                name(&p.code, p.on.yesterday().ok()),
                p.via.join(">"),
            ]);
        }
        for p in &l.successors {
            rows.push(vec![
                l.code.clone(),
                "successor".to_string(),
                p.on.to_string(),
                p.code.clone(),
                name(&p.code, Some(p.on)),
                p.via.join(">"),
            ]);
        }
        rows
    };
    let header = ["code", "relation", "on", "other_code", "other_name", "via"];
    emit_list(fmt, &l, &header, csv_rows, |l| {
        println!("{} {}", l.code, name(&l.code, None));
        // A code reached through others says which: 00F became QHM through 13T.
        let path = |via: &[String], into: bool| match (via.is_empty(), into) {
            (true, _) => String::new(),
            (false, true) => format!(
                "  (into {})",
                via.iter().rev().cloned().collect::<Vec<_>>().join(" → ")
            ),
            (false, false) => format!("  (via {})", via.join(" → ")),
        };
        for p in &l.predecessors {
            let before = p.on.yesterday().ok();
            println!(
                "  ← {} {:<6} {}{}",
                p.on,
                p.code,
                name(&p.code, before),
                path(&p.via, true)
            );
        }
        for p in &l.successors {
            println!(
                "  → {} {:<6} {}{}",
                p.on,
                p.code,
                name(&p.code, Some(p.on)),
                path(&p.via, false)
            );
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

/// The map of old codes onto the bodies of a date: CSV (with each code's status, and the
/// codes closed or not yet open), or with `--format json` the rows of `GET /map`.
pub fn map(s: &Snapshot, fmt: Format, to: Date, kinds: &[String]) -> Result<ExitCode, CliError> {
    let mut keep = Vec::new();
    for k in kinds {
        keep.push(BodyKind::parse(k).ok_or_else(|| {
            let all: Vec<&str> = BodyKind::ALL.iter().map(|k| k.as_str()).collect();
            CliError::Usage(format!(
                "--kind `{k}` is not a kind of body; kinds are: {}",
                all.join(", ")
            ))
        })?);
    }
    let wanted = |kind: &str| keep.is_empty() || keep.iter().any(|k| k.as_str() == kind);
    if fmt == Format::Json {
        let rows: Vec<vires_core::lineage::MapRow> = vires_core::lineage::map_to(s.register(), to)
            .into_iter()
            .filter(|r| wanted(&r.old_kind))
            .collect();
        return json(&rows).map(|()| ExitCode::SUCCESS);
    }
    // Text and CSV alike are the map's CSV, only the rows whose old code is of a kind asked
    // for, with each code's status and the codes closed or not yet open.
    let rows: Vec<Vec<String>> = vires_england::map_lines(s.register(), to)
        .into_iter()
        .filter(|l| wanted(&l.row.old_kind))
        .map(|l| {
            let r = l.row;
            vec![
                r.old_code,
                r.old_name,
                r.old_kind,
                r.on.to_string(),
                l.status.as_str().to_string(),
                r.code,
                r.name,
                r.kind,
                r.icb_code.unwrap_or_default(),
                r.icb_name.unwrap_or_default(),
                r.path.join(">"),
            ]
        })
        .collect();
    let header = [
        "old_code", "old_name", "old_kind", "on", "status", "code", "name", "kind", "icb_code",
        "icb_name", "path",
    ];
    crate::output::csv(&header, &rows)?;
    Ok(ExitCode::SUCCESS)
}

pub fn functions(s: &Snapshot, fmt: Format) -> Result<ExitCode, CliError> {
    let defs: Vec<&vires_core::function::FunctionDef> =
        s.register().taxonomy.iter().map(|(_, d)| d).collect();
    let mut defs = defs;
    defs.sort_by(|a, b| a.id.cmp(&b.id));
    let csv_rows = |defs: &Vec<&vires_core::function::FunctionDef>| {
        defs.iter()
            .map(|d| {
                vec![
                    d.id.to_string(),
                    d.name.to_string(),
                    d.note.clone().unwrap_or_default(),
                ]
            })
            .collect()
    };
    emit_list(fmt, &defs, &["id", "name", "note"], csv_rows, |defs| {
        let mut t = crate::output::Table::new(&["ID", "NAME"]);
        for d in defs {
            t.row(vec![d.id.to_string(), d.name.to_string()]);
        }
        t.print();
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn powers(s: &Snapshot, fmt: Format) -> Result<ExitCode, CliError> {
    let powers = &s.register().powers;
    let csv_rows = |powers: &Vec<vires_core::Power>| {
        powers
            .iter()
            .map(|p| {
                let makers: Vec<&str> = p.makers.iter().map(|k| k.as_str()).collect();
                let kinds: Vec<&str> = p.kinds.iter().map(|k| k.as_str()).collect();
                vec![
                    p.id.to_string(),
                    p.title.to_string(),
                    makers.join(";"),
                    kinds.join(";"),
                    p.during.from.to_string(),
                    date_cell(p.during.until),
                    p.cites.join(" | "),
                    p.source.to_string(),
                ]
            })
            .collect()
    };
    let header = [
        "id", "title", "makers", "kinds", "from", "until", "cites", "source",
    ];
    emit_list(fmt, powers, &header, csv_rows, |powers| {
        for p in powers.iter() {
            let makers: Vec<&str> = p.makers.iter().map(|k| k.as_str()).collect();
            let kinds: Vec<&str> = p.kinds.iter().map(|k| k.as_str()).collect();
            let until = crate::output::last_day_text(p.during.until);
            println!("{} — {}", p.id, p.title);
            println!(
                "    {} may make {} ({} to {}); cited as {}",
                makers.join("/"),
                kinds.join(", "),
                p.during.from,
                until,
                p.cites.join(" | ")
            );
            println!("    source: {}", p.source);
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn import(what: ImportWhat, fmt: Format) -> Result<ExitCode, CliError> {
    let ImportWhat::Ods { dir, report } = what;
    let bar = crate::load::progress_bar("importing ODS/ONS files");
    let import = vires_england::build_from_dir(&dir, &mut |stage| crate::load::tick(&bar, &stage))
        .map_err(|e| {
            CliError::input(
                e.to_string(),
                "the directory needs the files listed in data/README.md",
            )
        })?;
    bar.finish_and_clear();
    let reg = &import.register;
    let q = &import.quality;
    if let Some(path) = report {
        let text =
            serde_json::to_string_pretty(q).map_err(|e| CliError::Internal(e.to_string()))?;
        std::fs::write(&path, text).map_err(|source| CliError::Io {
            path: path.display().to_string(),
            source,
        })?;
    }
    match fmt {
        Format::Json => json(q)?,
        Format::Text | Format::Csv => {
            println!("{}", q.to_text());
            println!(
                "imported {} bodies, {} practices, {} memberships, {} instruments from {}",
                reg.bodies.len(),
                reg.practices.len(),
                reg.memberships.len(),
                reg.instruments.len(),
                dir.display()
            );
            println!(
                "to answer from these files, add `--ods {}` (or set VIRES_ODS_DIR) with a store of its own (`--db`)",
                dir.display()
            );
        }
    }
    Ok(ExitCode::SUCCESS)
}
