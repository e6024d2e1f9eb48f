//! who, may, what, timeline, diff, explain.

use crate::args::Format;
use crate::error::CliError;
use crate::load::Loaded;
use crate::output::{caveat_lines, date_cell, emit, emit_list, holder_text, proof_line, wrap};
use jiff::civil::Date;
use std::process::ExitCode;
use vires_core::{Place, Snapshot};

pub fn who(
    s: &Snapshot,
    fmt: Format,
    function: &str,
    place: &Place,
    on: Date,
    purpose: Option<&str>,
) -> Result<ExitCode, CliError> {
    let a = s.who(function, place, on, purpose)?;
    let header = &super::batch::WHO_COLUMNS[1..];
    emit_list(fmt, &a, header, super::batch::who_csv, |a| {
        let p = a
            .purpose
            .as_deref()
            .map(|p| format!(" for {p}"))
            .unwrap_or_default();
        let at = crate::output::place_text(s, place, Some(on));
        println!("{} {at} on {}{p}", a.function, a.on);
        if let Place::Practice(code) = place {
            if let Some(line) = crate::output::practice_line(s, code, on) {
                println!("{line}");
            }
        }
        if a.holders.is_empty() && a.caveats.is_empty() {
            println!("  nobody holds it (a gap)");
        } else if a.holders.is_empty() {
            println!("  nobody is recorded as holding it, and the register does not know enough to call it a gap:");
        }
        caveat_lines(&a.caveats);
        for h in &a.holders {
            holder_text(h, &a.function);
        }
        if !a.accountable_only.is_empty() {
            println!(
                "  accountable but not exercising: {}",
                a.accountable_only.join(", ")
            );
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn may(
    s: &Snapshot,
    fmt: Format,
    body: &str,
    function: &str,
    place: &Place,
    on: Date,
    purpose: Option<&str>,
) -> Result<ExitCode, CliError> {
    let a = s.may(body, function, place, on, purpose)?;
    let header = &super::batch::MAY_COLUMNS[1..];
    emit_list(fmt, &a, header, super::batch::may_csv, |a| {
        println!("{}: {}", if a.allowed { "yes" } else { "no" }, a.reason);
        caveat_lines(&a.caveats);
        if let Some(h) = &a.holding {
            let proof = format!("proof: {}", proof_line(&h.proof));
            println!("  {}", wrap(&proof, 2, 9, crate::output::width()));
        }
    })?;
    Ok(if a.allowed {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

pub fn what(s: &Snapshot, fmt: Format, code: &str, on: Date) -> Result<ExitCode, CliError> {
    let a = s.what(code, on)?;
    let csv_rows = |a: &vires_core::WhatAnswer| {
        // The answer's caveats on every row, as `who --format csv` and `gaps` write them.
        let caveats = crate::output::caveats_cell(&a.caveats);
        a.holdings
            .iter()
            .map(|h| {
                vec![
                    a.body.clone(),
                    a.on.to_string(),
                    h.function.clone(),
                    h.role.as_str().to_string(),
                    h.area.join(";"),
                    h.accountable.clone(),
                    h.purposes.join(";"),
                    h.from.to_string(),
                    date_cell(h.until),
                    h.arranged_to.join(";"),
                    proof_ids(&h.proof),
                    caveats.clone(),
                ]
            })
            .collect()
    };
    let header = [
        "body",
        "on",
        "function",
        "role",
        "area",
        "accountable",
        "only_for",
        "from",
        "until",
        "exercised_by",
        "proof",
        "caveats",
    ];
    emit_list(fmt, &a, &header, csv_rows, |a| {
        println!("{} {} ({}) on {}", a.body, a.name, a.kind, a.on);
        if a.holdings.is_empty() {
            println!("  holds nothing");
        }
        caveat_lines(&a.caveats);
        // The role column starts after the longest function id, so that it lines up below
        // ids such as `commissioning.primary-care.optometry.complaints`.
        let function_width = a
            .holdings
            .iter()
            .map(|h| h.function.chars().count())
            .max()
            .unwrap_or(0)
            .max(44);
        for h in &a.holdings {
            let purposes = if h.purposes.is_empty() {
                String::new()
            } else {
                format!(" only for {}", h.purposes.join(", "))
            };
            // The whole area and proof, wrapped to the terminal rather than cut.
            let width = crate::output::width();
            let line = format!(
                "{:<function_width$} {:<12} {} (accountable {}){purposes}",
                h.function,
                h.role.as_str(),
                h.area.join(" + "),
                h.accountable
            );
            println!("  {}", wrap(&line, 2, 6, width));
            if !h.arranged_to.is_empty() {
                let by = format!("exercised by {}", h.arranged_to.join(", "));
                println!("      {}", wrap(&by, 6, 8, width));
            }
            let proof = format!("proof: {}", proof_line(&h.proof));
            println!("      {}", wrap(&proof, 6, 13, width));
            if let Some(k) = s.kept_back(h, &a.holdings) {
                if !k.functions.is_empty() {
                    let kept = format!(
                        "not passed on, kept by {}: {}",
                        k.maker,
                        k.functions.join(", ")
                    );
                    println!("      {}", wrap(&kept, 6, 8, width));
                }
                for u in &k.unconfirmed {
                    let also = format!("! also kept by {}: {u}", k.maker);
                    println!("      {}", wrap(&also, 6, 8, width));
                }
            }
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn timeline(
    s: &Snapshot,
    fmt: Format,
    function: &str,
    place: &Place,
) -> Result<ExitCode, CliError> {
    let t = s.timeline(function, place)?;
    // One row per holder in each period; a period nobody holds is one row with no body.
    let csv_rows = |t: &vires_core::Timeline| {
        // The timeline's caveats (each naming the dates it concerns) on every row.
        let caveats = crate::output::caveats_cell(&t.caveats);
        let mut rows = Vec::new();
        for seg in &t.segments {
            let period = [
                t.function.clone(),
                t.place.to_string(),
                seg.from.to_string(),
                date_cell(seg.until),
            ];
            let incomplete = if seg.incomplete { "yes" } else { "no" }.to_string();
            if seg.holders.is_empty() {
                let mut row = period.to_vec();
                row.extend([
                    String::new(),
                    String::new(),
                    String::new(),
                    incomplete.clone(),
                    caveats.clone(),
                    String::new(),
                ]);
                rows.push(row);
            }
            for h in &seg.holders {
                let mut row = period.to_vec();
                row.extend([
                    h.body.to_string(),
                    h.role.as_str().to_string(),
                    h.purposes.join(";"),
                    incomplete.clone(),
                    caveats.clone(),
                    h.function.clone().unwrap_or_default(),
                ]);
                rows.push(row);
            }
        }
        rows
    };
    let header = [
        "function",
        "place",
        "from",
        "until",
        "body",
        "role",
        "only_for",
        "incomplete",
        "caveats",
        "for_part",
    ];
    emit_list(fmt, &t, &header, csv_rows, |t| {
        let at = crate::output::place_text(s, place, None);
        println!("{} {at}", t.function);
        caveat_lines(&t.caveats);
        for seg in &t.segments {
            let until = crate::output::last_day_text(seg.until);
            let hs: Vec<String> = seg
                .holders
                .iter()
                .map(|h| {
                    let p = if h.purposes.is_empty() {
                        String::new()
                    } else {
                        format!(" [{}]", h.purposes.join(", "))
                    };
                    // A holder of a part of the function says which part.
                    let part = h
                        .function
                        .as_deref()
                        .map(|f| format!(" for {f}"))
                        .unwrap_or_default();
                    format!("{} ({}){part}{p}", h.body, h.role.as_str())
                })
                .collect();
            let hs = match (hs.is_empty(), seg.incomplete) {
                (true, true) => "— not known: the record is incomplete (see above) —".to_string(),
                (true, false) => "— nobody —".to_string(),
                (false, true) => format!("{} (the record is incomplete: see above)", hs.join(", ")),
                (false, false) => hs.join(", "),
            };
            println!("  {} to {:<10}  {hs}", seg.from, until);
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn diff(s: &Snapshot, fmt: Format, from: Date, to: Date) -> Result<ExitCode, CliError> {
    let d = s.diff(from, to);
    // One row per body established or abolished and per holding added or removed.
    let csv_rows = |d: &vires_core::DiffAnswer| {
        let mut rows = Vec::new();
        for (change, list) in [("established", &d.established), ("abolished", &d.abolished)] {
            for b in list {
                rows.push(vec![
                    change.to_string(),
                    b.code.clone(),
                    b.name.clone(),
                    b.kind.as_str().to_string(),
                    b.on.to_string(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                    String::new(),
                ]);
            }
        }
        for (change, list) in [("added", &d.added), ("removed", &d.removed)] {
            for h in list {
                rows.push(vec![
                    change.to_string(),
                    h.body.clone(),
                    String::new(),
                    String::new(),
                    String::new(),
                    h.function.clone(),
                    h.role.as_str().to_string(),
                    h.area.join(";"),
                    h.purposes.join(";"),
                    h.instrument.clone(),
                ]);
            }
        }
        rows
    };
    let header = [
        "change",
        "code",
        "name",
        "kind",
        "on",
        "function",
        "role",
        "area",
        "only_for",
        "instrument",
    ];
    emit_list(fmt, &d, &header, csv_rows, |d| {
        println!("changes from {} to {}", d.from, d.to);
        for b in &d.established {
            let line = format!("+ body {} {} ({}) on {}", b.code, b.name, b.kind, b.on);
            println!("  {}", wrap(&line, 2, 4, crate::output::width()));
        }
        for b in &d.abolished {
            let line = format!("- body {} {} ({}) on {}", b.code, b.name, b.kind, b.on);
            println!("  {}", wrap(&line, 2, 4, crate::output::width()));
        }
        print_changes(d);
        let changes = d.held_otherwise();
        let total = format!(
            "{} bodies established, {} abolished; {} holdings added, {} removed, {} held in another way",
            d.established.len(),
            d.abolished.len(),
            changes.added.len(),
            changes.removed.len(),
            changes.pairs.len()
        );
        println!("  {}", wrap(&total, 2, 4, crate::output::width()));
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn explain(loaded: &Loaded, fmt: Format, id: &str) -> Result<ExitCode, CliError> {
    let s = &loaded.snapshot;
    let Some(e) = vires_core::explain::explain(s, id) else {
        return Err(CliError::input(
            format!("no instrument has id `{id}`"),
            "`vires instruments` lists the ids",
        ));
    };
    let total = e.holdings_total;
    emit(fmt, &e, |e| {
        let ins = &e.instrument;
        println!("{} — {} ({})", ins.id, ins.title, ins.kind);
        println!(
            "  basis:  {}",
            ins.terms().basis.as_deref().unwrap_or("(none cited)")
        );
        println!(
            "  source: {}",
            ins.terms().source.as_deref().unwrap_or("(none)")
        );
        println!("  functions: {}", ins.functions.join(", "));
        if !ins.particulars().except.is_empty() {
            println!(
                "  except: {} (not passed on: {} keeps them)",
                ins.particulars().except.join(", "),
                ins.maker.as_deref().unwrap_or("its maker")
            );
        }
        for r in &ins.particulars().retained {
            println!("  retained by the maker: {r}");
        }
        match &e.rests_on {
            Some(p) => println!("  rests on: {} — {} ({})", p.id, p.title, p.source),
            None if ins.maker.as_deref() == Some("PARLIAMENT") => {
                println!("  rests on: an Act of Parliament")
            }
            None => println!("  rests on: no power in the registry"),
        }
        let until = crate::output::until_text(e.effective_until);
        println!("  in force from {} until {until}", ins.from);
        println!("  valid: {}", if e.valid { "yes" } else { "no (void)" });
        for d in &e.diagnostics {
            println!(
                "  {} {}: {}",
                d.code,
                if d.severity == vires_core::Severity::Error {
                    "error"
                } else {
                    "warning"
                },
                d.message
            );
            println!("      help: {}", d.help);
        }
        if !e.holdings.is_empty() {
            println!(
                "  holdings it creates ({}{}):",
                total,
                if total > vires_core::explain::MAX_HOLDINGS {
                    ", first 50"
                } else {
                    ""
                }
            );
            for h in &e.holdings {
                let until = crate::output::last_day_text(h.until);
                println!(
                    "    {} {} {} {} to {}",
                    h.body,
                    h.role.as_str(),
                    h.function,
                    h.from,
                    until
                );
            }
        }
        if !e.dependents.is_empty() {
            println!(
                "  instruments that depend on it: {}",
                e.dependents.join(", ")
            );
        }
    })?;
    Ok(ExitCode::SUCCESS)
}

pub fn whatif(
    base: &[std::path::PathBuf],
    proposal: &[std::path::PathBuf],
    on: Option<Date>,
    fmt: Format,
    choice: &crate::load::StoreChoice,
) -> Result<ExitCode, CliError> {
    // The proposal alone, read the same way on either register: its instruments' ids, and
    // its earliest date when none is given.
    let proposed = crate::load::read_sources(proposal)?;
    let written = vires_lang::load(&proposed);
    let on = on
        .or_else(|| written.register.instruments.iter().map(|i| i.from).min())
        .ok_or_else(|| {
            CliError::input(
                "the proposal holds no instruments",
                "a proposal is a file of instruments",
            )
        })?;
    let ids: Vec<String> = written
        .register
        .instruments
        .iter()
        .map(|i| i.id.to_string())
        .collect();
    if base.is_empty() {
        return whatif_on_store(&written, &ids, on, fmt, choice);
    }
    // With `--register`, the proposal's files join the register's as more text: they may
    // declare powers and functions, which only the language reads.
    let mut sources = crate::load::read_sources(base)?;
    let before = crate::load::load_sources(&sources);
    for (_, f) in proposed.iter() {
        sources.add(f.name.clone(), f.text.clone());
    }
    let after = crate::load::load_sources(&sources);
    let out = vires_core::whatif::what_if(
        &before.snapshot,
        &after.snapshot,
        &ids,
        after.language_errors == 0,
        on,
    );
    if fmt == Format::Text {
        after.render_diagnostics(&[]);
    }
    print_whatif(fmt, &out)
}

fn print_whatif(fmt: Format, out: &vires_core::whatif::WhatIf) -> Result<ExitCode, CliError> {
    emit(fmt, out, |o| {
        println!(
            "what-if on {}: proposal is {}",
            o.on,
            if o.valid { "valid" } else { "NOT valid" }
        );
        for d in &o.diagnostics {
            println!("  {} {}: {}", d.code, d.subject, d.message);
        }
        print_changes(&o.diff);
        println!(
            "  {} holdings added, {} removed",
            o.diff.added.len(),
            o.diff.removed.len()
        );
    })?;
    Ok(if out.valid {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// `vires whatif FILE...` without `--register`: the proposal (`written`, its instruments'
/// `ids`) on top of the register the store holds (the bundled register plus recorded
/// changes), put on it as `record` would.
fn whatif_on_store(
    written: &vires_lang::Loaded,
    ids: &[String],
    on: Date,
    fmt: Format,
    choice: &crate::load::StoreChoice,
) -> Result<ExitCode, CliError> {
    let before = crate::load::load_from(&[], fmt, choice)?;
    let (trial, problems) =
        vires_app::trial::written_on(before.snapshot.register(), &written.register);
    for p in &problems {
        eprintln!("error: {p}");
    }
    if fmt == Format::Text && !written.errors.is_empty() {
        let color = crate::output::color_stderr();
        eprint!(
            "{}",
            vires_lang::render(&written.sources, &written.errors, &[], color)
        );
    }
    let out = vires_core::whatif::what_if(
        &before.snapshot,
        &trial.snapshot,
        ids,
        written.errors.is_empty() && problems.is_empty(),
        on,
    );
    print_whatif(fmt, &out)
}

/// Holdings gained (+), lost (-) and held in another way (~: the same body, function and
/// area before and after), one line each; a change given by an instrument marked "to
/// confirm" says so.
fn print_changes(d: &vires_core::DiffAnswer) {
    let width = crate::output::width();
    let mark = |h: &vires_core::analysis::HoldingChange| {
        if h.to_confirm {
            ", to confirm"
        } else {
            ""
        }
    };
    let changes = d.held_otherwise();
    for (sign, list) in [("+", &changes.added), ("-", &changes.removed)] {
        for h in list {
            let area = h.area.join(" + ");
            let line = format!(
                "{sign} {} {} {} in {area} ({}{})",
                h.body,
                h.role.as_str(),
                h.function,
                h.instrument,
                mark(h)
            );
            // Wrapped under the holder, not cut: an area can be a long list of parts.
            println!("  {}", wrap(&line, 2, 4, width));
        }
    }
    for (before, after) in &changes.pairs {
        let line = format!(
            "~ {} {} in {}: {} ({}{}), then {} ({}{})",
            after.body,
            after.function,
            after.area.join(" + "),
            before.role.as_str(),
            before.instrument,
            mark(before),
            after.role.as_str(),
            after.instrument,
            mark(after)
        );
        println!("  {}", wrap(&line, 2, 4, width));
    }
}

/// A proof's instrument ids, from statute to the holding, as one CSV cell.
fn proof_ids(proof: &[std::sync::Arc<vires_core::ProofStep>]) -> String {
    proof
        .iter()
        .map(|p| p.instrument.as_str())
        .collect::<Vec<_>>()
        .join(" > ")
}
