//! The analyses dashboard (gaps, overlaps, invalid instruments, arrangements that end soon)
//! and the difference in who holds what between two dates.

use crate::context::Ctx;
use crate::error::WebError;
use crate::layout::{
    self, body_link, date_text, function_link, instrument_link, period_text, FieldError,
};
use crate::view::{Csv, Section, View};
use crate::who::{date_param, function_options, today};
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use vires_core::analysis::{CoverageProblem, DiffAnswer, HeldOtherwise, HoldingChange};
use vires_core::{Date, Place, Severity, Snapshot};

fn place_link(p: &Place) -> Markup {
    match p {
        Place::Practice(c) => layout::practice_link(c, None),
        Place::Body(c) => html! { "area of " (body_link(c, None)) },
        Place::Area(c) => html! { "area " (c) },
        Place::England => html! { "England" },
    }
}

fn how_text(c: &HoldingChange) -> Markup {
    html! { (layout::role_text(c.role)) @if !c.purposes.is_empty() { " for " (c.purposes.join(", ")) } }
}

fn instrument_cell(c: &HoldingChange, s: &Snapshot) -> Markup {
    html! {
        // A proposal's instrument is not in the register yet: no page to link to.
        @if s.instrument_id(&c.instrument).is_some() { (instrument_link(&c.instrument, &c.instrument)) } @else { (c.instrument) " (proposed)" }
        @if c.to_confirm { " " (layout::tag("To confirm", "yellow")) }
    }
}

fn changes_table(caption: &str, rows: &[&HoldingChange], s: &Snapshot, on: Date) -> Markup {
    layout::table(
        caption,
        &["Body", "Function", "Where", "How", "Instrument"],
        rows.iter()
            .map(|c| {
                vec![
                    layout::body_link_on(&c.body, None, on),
                    function_link(&c.function),
                    html! { (c.area.join(", ")) },
                    how_text(c),
                    instrument_cell(c, s),
                ]
            })
            .collect(),
    )
}

pub fn diff_tables(d: &DiffAnswer, s: &Snapshot) -> Markup {
    html! {
        @if d.added.is_empty() && d.removed.is_empty() && d.established.is_empty() && d.abolished.is_empty() {
            p { "Nothing changed in who holds what." }
        }
        @if d.added.iter().chain(&d.removed).any(|c| c.to_confirm) {
            (layout::inset(html! { "A change marked “To confirm” is given by an instrument whose source or basis the register marks as to confirm: open it to see what is not settled before relying on the change." }))
        }
        @let HeldOtherwise { pairs: otherwise, added, removed } = d.held_otherwise();
        @if !added.is_empty() { (changes_table(&format!("Holdings gained ({})", added.len()), &added, s, d.to)) }
        @if !removed.is_empty() { (changes_table(&format!("Holdings lost ({})", removed.len()), &removed, s, d.from)) }
        @if !otherwise.is_empty() {
            (layout::table(&format!("Held in another way ({})", otherwise.len()), &["Body", "Function", "Where", "Before", "After"], otherwise.iter().map(|(before, after)| vec![
                layout::body_link_on(&after.body, None, d.to),
                function_link(&after.function),
                html! { (after.area.join(", ")) },
                html! { (how_text(before)) ", by " (instrument_cell(before, s)) },
                html! { (how_text(after)) ", by " (instrument_cell(after, s)) },
            ]).collect()))
        }
        @if !d.established.is_empty() {
            (layout::table(&format!("Bodies established ({})", d.established.len()), &["Body", "Kind", "On"], d.established.iter().map(|b| vec![
                layout::body_link_on(&b.code, Some(&b.name), b.on), html! { (b.kind.as_str()) }, html! { (date_text(b.on)) }]).collect()))
        }
        @if !d.abolished.is_empty() {
            (layout::table(&format!("Bodies abolished ({})", d.abolished.len()), &["Body", "Kind", "On"], d.abolished.iter().map(|b| vec![
                layout::body_link_on(&b.code, Some(&b.name), b.on.yesterday().unwrap_or(b.on)), html! { (b.kind.as_str()) }, html! { (date_text(b.on)) }]).collect()))
        }
    }
}

pub fn diff_csv(d: &DiffAnswer) -> Csv {
    let mut t = Csv::new(&[
        "change",
        "body",
        "function",
        "area",
        "role",
        "accountable",
        "purposes",
        "instrument",
        "on",
    ]);
    for (what, list) in [("gained", &d.added), ("lost", &d.removed)] {
        for c in list {
            t.row([
                what.to_string(),
                c.body.clone(),
                c.function.clone(),
                c.area.join(" "),
                c.role.as_str().to_string(),
                c.accountable.clone(),
                c.purposes.join(" "),
                c.instrument.clone(),
                String::new(),
            ]);
        }
    }
    for (what, list) in [("established", &d.established), ("abolished", &d.abolished)] {
        for b in list {
            t.row([
                what.to_string(),
                b.code.clone(),
                String::new(),
                String::new(),
                b.kind.as_str().to_string(),
                String::new(),
                String::new(),
                String::new(),
                b.on.to_string(),
            ]);
        }
    }
    t
}

pub async fn diff(ctx: Ctx) -> Response {
    let result = diff_page(&ctx);
    ctx.respond(result)
}

fn diff_page(ctx: &Ctx) -> Result<View, WebError> {
    let asking = ctx.param("from").is_some() || ctx.param("to").is_some();
    let mut errors = Vec::new();
    let from = date_param(
        ctx,
        "from",
        "the first date",
        asking
            .then_some(())
            .map_or(Some(Date::constant(2022, 6, 30)), |_| None),
        &mut errors,
    );
    let to = date_param(
        ctx,
        "to",
        "the second date",
        asking
            .then_some(())
            .map_or(Some(Date::constant(2022, 7, 1)), |_| None),
        &mut errors,
    );
    let form = |errors: &[FieldError]| {
        html! {
            form action="/ui/diff" method="get" novalidate {
                (layout::text_input("from", "From", Some("Written as year-month-day, for example 2022-06-30."),
                    &ctx.param("from").map(str::to_string).or(from.map(|d| d.to_string())).unwrap_or_default(), errors, "nhsuk-input--width-10"))
                (layout::text_input("to", "To", Some("Written as year-month-day, for example 2022-07-01."),
                    &ctx.param("to").map(str::to_string).or(to.map(|d| d.to_string())).unwrap_or_default(), errors, "nhsuk-input--width-10"))
                (layout::button("Compare"))
            }
        }
    };
    let title = "Changes between two dates";
    let (Some(from), Some(to)) = (from.filter(|_| errors.is_empty()), to) else {
        let main = html! { (layout::error_summary(&errors)) h1 { (title) } (form(&errors)) };
        let mut v = View::new(format!("Error: {title}"), Some(Section::Diff), main);
        v.status = StatusCode::BAD_REQUEST;
        return Ok(v);
    };
    if !asking {
        let main = html! {
            h1 { (title) }
            p { "Compare who held which function, and which bodies existed, on two dates." }
            (form(&[]))
        };
        return Ok(View::new(title, Some(Section::Diff), main));
    }
    let d = ctx.snapshot().diff(from, to);
    let heading = format!("Changes from {} to {}", date_text(from), date_text(to));
    let main = html! {
        h1 { (heading) }
        (diff_tables(&d, ctx.snapshot()))
        h2 { "Compare other dates" }
        (form(&[]))
    };
    Ok(View::new(heading, Some(Section::Diff), main)
        .table(diff_csv(&d))
        .data(&d))
}

pub async fn dashboard(ctx: Ctx) -> Response {
    let function = ctx
        .param("function")
        .unwrap_or("commissioning.primary-care.medical")
        .to_string();
    let mut errors = Vec::new();
    let on = date_param(&ctx, "on", "the date", Some(today()), &mut errors);
    let days = match ctx.param("days").map(|d| d.parse::<i64>()) {
        None => Some(90),
        Some(Ok(d)) if (1..=3650).contains(&d) => Some(d),
        Some(_) => {
            errors.push(FieldError {
                field: "days",
                message: "Enter a number of days between 1 and 3650".into(),
            });
            None
        }
    };
    if ctx.snapshot().register().taxonomy.get(&function).is_none() {
        errors.push(FieldError {
            field: "function",
            message: format!("Choose a function from the list: “{function}” is not one"),
        });
    }
    let (Some(on), Some(days), true) = (on, days, errors.is_empty()) else {
        let main = html! { (layout::error_summary(&errors)) h1 { "Analyses" } (dashboard_form(&ctx, &function, &errors)) };
        let mut v = View::new("Error: Analyses", Some(Section::Analyses), main);
        v.status = StatusCode::BAD_REQUEST;
        return ctx.respond(Ok(v));
    };
    // Coverage walks every practice: off the async threads.
    let cur = ctx.current.clone();
    let f = function.clone();
    let horizon = on.checked_add(jiff::Span::new().years(1)).unwrap_or(on);
    let coverage = tokio::task::spawn_blocking(move || cur.snapshot.coverage(&f, horizon)).await;
    let coverage = match coverage {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => return ctx.respond(Err(WebError::query(e))),
        Err(e) => return ctx.respond(Err(WebError::internal("finding gaps and overlaps", e))),
    };
    let s = ctx.snapshot();
    let fname = crate::who::function_name(s, &function);
    // Only findings still open on the date or starting within the next year are of interest.
    let coverage: Vec<_> = coverage
        .into_iter()
        .filter(|c| c.until.is_none_or(|u| u > on))
        .collect();
    let gaps: Vec<_> = coverage
        .iter()
        .filter(|c| c.problem == CoverageProblem::Gap)
        .collect();
    let overlaps: Vec<_> = coverage
        .iter()
        .filter(|c| c.problem == CoverageProblem::Overlap)
        .collect();
    let invalid: Vec<_> = s.invalid().collect();
    let warnings: Vec<_> = s
        .diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .collect();
    let expiring = s.expiring(on, days);
    const SHOW: usize = 100;
    let finding_rows = |list: &[&vires_core::CoverageFinding]| -> Vec<Vec<Markup>> {
        list.iter().take(SHOW).map(|c| vec![
            place_link(&c.place),
            html! { (period_text(c.from, c.until)) },
            html! { @for (i, b) in c.holders.iter().enumerate() { @if i > 0 { ", " } (body_link(b, None)) } },
            html! { @if c.caveats.is_empty() { "Not explained" } @for k in &c.caveats { p class="nhsuk-body-s" { (k.message) } } },
        ]).collect()
    };
    let diag_rows = |list: &[&vires_core::Diagnostic]| -> Vec<Vec<Markup>> {
        list.iter().take(SHOW).map(|d| vec![
            html! { a href=(format!("/ui/instruments/{}", layout::path_segment(&d.subject))) { (d.subject) } },
            html! { (d.code) },
            html! { (d.message) },
            html! { (crate::help::in_the_browser(&d.help)) },
        ]).collect()
    };
    let main = html! {
        h1 { "Analyses" }
        p { "Problems in the register that need someone's attention, as of " (date_text(on)) ". Gaps and overlaps are for " (fname) " (" (function_link(&function)) "), over the year from that date." }
        (layout::summary(&[
            ("Gaps", html! { a href="#gaps" { (gaps.len()) " places and periods where nobody holds it" } }),
            ("Overlaps", html! { a href="#overlaps" { (overlaps.len()) " places and periods where more than one body holds it" } }),
            ("Invalid instruments", html! { a href="#invalid" { (invalid.len()) " errors that make an instrument void" } }),
            ("Warnings", html! { a href="#warnings" { (warnings.len()) " findings that need attention" } }),
            ("Ending soon", html! { a href="#expiring" { (expiring.len()) " instruments ending within " (days) " days" } }),
        ]))
        (dashboard_form(&ctx, &function, &[]))
        h2 id="gaps" { "Gaps: nobody holds " (fname) }
        @if gaps.is_empty() { p { "None in the year from " (date_text(on)) "." } }
        @else { (layout::table("Gaps", &["Place", "Period", "Holders", "What the register knows"], finding_rows(&gaps))) }
        h2 id="overlaps" { "Overlaps: more than one body holds " (fname) }
        @if overlaps.is_empty() { p { "None in the year from " (date_text(on)) "." } }
        @else { (layout::table("Overlaps", &["Place", "Period", "Holders", "What the register knows"], finding_rows(&overlaps))) }
        @if gaps.len() > SHOW || overlaps.len() > SHOW {
            (layout::inset(html! { "Only the first " (SHOW) " of each are shown here. The CSV download has them all." }))
        }
        h2 id="invalid" { "Invalid instruments" }
        @if invalid.is_empty() { p { "None: every instrument is valid." } }
        @else { (layout::table("Errors", &["Instrument", "Code", "Problem", "What to do"], diag_rows(&invalid))) }
        h2 id="warnings" { "Warnings" }
        @if warnings.is_empty() { p { "None." } }
        @else { (layout::table("Warnings", &["Instrument", "Code", "Finding", "What to do"], diag_rows(&warnings))) }
        h2 id="expiring" { "Ending within " (days) " days" }
        @if expiring.is_empty() { p { "No instrument in force on " (date_text(on)) " ends within " (days) " days." } }
        @else {
            (layout::table("Ending soon", &["Instrument", "Kind", "Last day in force", "Days left"], expiring.iter().map(|e| vec![
                instrument_link(&e.instrument, &e.title), html! { (e.kind.as_str()) }, html! { (date_text(e.until.yesterday().unwrap_or(e.until))) }, html! { (e.days_left) }]).collect()))
        }
    };
    let mut table = Csv::new(&["finding", "subject", "code", "from", "until", "detail"]);
    for c in &coverage {
        let what = if c.problem == CoverageProblem::Gap {
            "gap"
        } else {
            "overlap"
        };
        table.row([
            what.to_string(),
            c.place.to_string(),
            function.clone(),
            c.from.to_string(),
            c.until.map(|d| d.to_string()).unwrap_or_default(),
            c.holders.join(" "),
        ]);
    }
    for d in invalid.iter().chain(&warnings) {
        let what = if d.severity == Severity::Error {
            "invalid"
        } else {
            "warning"
        };
        table.row([
            what.to_string(),
            d.subject.clone(),
            d.code.to_string(),
            String::new(),
            String::new(),
            d.message.clone(),
        ]);
    }
    for e in &expiring {
        table.row([
            "expiring".to_string(),
            e.instrument.clone(),
            e.kind.as_str().to_string(),
            String::new(),
            e.until.to_string(),
            e.title.clone(),
        ]);
    }
    let data = serde_json::json!({
        "on": on, "function": function, "days": days,
        "gaps": gaps, "overlaps": overlaps, "invalid": invalid, "warnings": warnings, "expiring": expiring,
    });
    ctx.respond(Ok(View::new("Analyses", Some(Section::Analyses), main)
        .data(data)
        .table(table)))
}

fn dashboard_form(ctx: &Ctx, function: &str, errors: &[FieldError]) -> Markup {
    html! {
        details class="nhsuk-details" open[!errors.is_empty()] {
            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "Change the function, date or period" } }
            div class="nhsuk-details__text" {
                form action="/ui/analyses" method="get" novalidate {
                    (layout::select("function", "Function for gaps and overlaps", None, &function_options(ctx.snapshot()), function, errors))
                    (layout::text_input("on", "As of", Some("Written as year-month-day, for example 2024-03-01."),
                        &ctx.param("on").map(str::to_string).unwrap_or_else(|| today().to_string()), errors, "nhsuk-input--width-10"))
                    (layout::text_input("days", "Ending within (days)", None, ctx.param("days").unwrap_or("90"), errors, "nhsuk-input--width-4"))
                    (layout::button("Update"))
                }
            }
        }
    }
}
