//! The home page and search: find a body, a GP practice, a place or an instrument by code,
//! name or postcode.

use crate::error::WebError;
use crate::layout::{self, function_link, instrument_link, practice_link};
use crate::respond::{Csv, Ctx, Section, View};
use axum::response::Response;
use maud::{html, Markup};
use serde::Serialize;

/// At most this many results of each kind: a search that matches more should be narrowed.
const LIMIT: usize = 50;

pub async fn home(ctx: Ctx) -> Response {
    let s = ctx.snapshot();
    let reg = s.register();
    let main = html! {
        h1 { "Who holds NHS commissioning powers?" }
        p class="nhsuk-lede-text" {
            "vires is a register of who may exercise which NHS commissioning function, where, when, for what purpose and on what authority. Every answer shows its proof: the chain of instruments from statute to the body that holds the function."
        }
        (search_form(""))
        ul class="nhsuk-grid-row nhsuk-card-group" {
            (card("Who holds this?", "/ui/who", "Ask who commissions a service for a GP practice, a body's area or England on a date, with the proof."))
            (card("Analyses", "/ui/analyses", "Gaps and overlaps in who holds a function, invalid instruments and arrangements that end soon."))
            (card("Changes between dates", "/ui/diff", "What changed in who holds what between two dates."))
            (card("Proposals", "/ui/proposals", "Changes to the register waiting for approval, with what each would change."))
            (card("Procurement route checker", "/ui/procurement", "Which procurement processes the rules in force allow for a contract."))
            (card("Conflicts of interest", "/ui/conflicts", "Check a decision against a register of interests."))
        }
        (layout::summary(&[
            ("Register revision", html! { (ctx.revision()) }),
            ("Bodies", html! { (reg.bodies.len()) }),
            ("GP practices", html! { (reg.atoms.len()) }),
            ("Instruments", html! { (reg.instruments.len()) }),
            ("Functions", html! { a href="/ui/functions" { (reg.taxonomy.len()) " functions" } }),
        ]))
    };
    let mut table = Csv::new(&["measure", "value"]);
    table.row(["revision".to_string(), ctx.revision().to_string()]);
    table.row(["bodies".to_string(), reg.bodies.len().to_string()]);
    table.row(["practices".to_string(), reg.atoms.len().to_string()]);
    table.row(["instruments".to_string(), reg.instruments.len().to_string()]);
    table.row(["functions".to_string(), reg.taxonomy.len().to_string()]);
    let data = serde_json::json!({
        "revision": ctx.revision(),
        "bodies": reg.bodies.len(),
        "practices": reg.atoms.len(),
        "instruments": reg.instruments.len(),
        "functions": reg.taxonomy.len(),
    });
    ctx.respond(Ok(View::new("Home", None, main).data(data).table(table)))
}

fn card(title: &str, href: &str, text: &str) -> Markup {
    html! {
        li class="nhsuk-grid-column-one-third nhsuk-card-group__item" {
            div class="nhsuk-card nhsuk-card--clickable" {
                div class="nhsuk-card__content" {
                    h2 class="nhsuk-card__heading nhsuk-heading-m" {
                        a class="nhsuk-card__link" href=(href) { (title) }
                    }
                    p class="nhsuk-card__description" { (text) }
                }
            }
        }
    }
}

fn search_form(q: &str) -> Markup {
    html! {
        form action="/ui/search" method="get" novalidate {
            (layout::text_input("q", "Search for a GP practice, body, place or instrument",
                Some("Type a code, a name or a postcode. For example A81001, Newcastle or 00C."),
                q, &[], "nhsuk-u-width-two-thirds"))
            (layout::button("Search"))
        }
    }
}

#[derive(Debug, Serialize)]
struct Hit {
    kind: &'static str,
    code: String,
    name: String,
    detail: String,
    href: String,
}

fn matches(needle: &str, hay: &[&str]) -> bool {
    hay.iter().any(|h| h.to_lowercase().contains(needle))
}

pub async fn search(ctx: Ctx) -> Response {
    let result = run(&ctx);
    ctx.respond(result)
}

fn run(ctx: &Ctx) -> Result<View, WebError> {
    let q = ctx.param("q").unwrap_or("").to_string();
    let s = ctx.snapshot();
    let reg = s.register();
    let needle = q.to_lowercase();
    let mut practices = Vec::new();
    let mut bodies = Vec::new();
    let mut places = Vec::new();
    let mut instruments = Vec::new();
    let mut functions = Vec::new();
    if !needle.is_empty() {
        for a in &reg.atoms {
            let pc = a.postcode.as_deref().unwrap_or("");
            if practices.len() < LIMIT
                && (matches(&needle, &[&a.code, &a.name])
                    || matches(&needle.replace(' ', ""), &[&pc.replace(' ', "")]))
            {
                practices.push(Hit {
                    kind: "practice",
                    code: a.code.to_string(),
                    name: a.name.to_string(),
                    detail: pc.to_string(),
                    href: format!("/ui/practices/{}", layout::path_segment(&a.code)),
                });
            }
        }
        for b in &reg.bodies {
            if bodies.len() < LIMIT
                && matches(
                    &needle,
                    &[&b.code, &b.name, b.ons_code.as_deref().unwrap_or("")],
                )
            {
                bodies.push(Hit {
                    kind: "body",
                    code: b.code.clone(),
                    name: b.name.clone(),
                    detail: format!(
                        "{}, {}",
                        b.kind.as_str(),
                        layout::period_text(b.life.from, b.life.until)
                    ),
                    href: format!(
                        "/ui/bodies/{}?on={}",
                        layout::path_segment(&b.code),
                        b.life.from
                    ),
                });
            }
        }
        for a in &reg.areas {
            if places.len() < LIMIT && matches(&needle, &[&a.id, &a.name]) {
                places.push(Hit {
                    kind: "area",
                    code: a.id.clone(),
                    name: a.name.clone(),
                    detail: a.note.clone().unwrap_or_default(),
                    href: format!(
                        "/ui/who?{}",
                        layout::query_string(&[("place_type", "area"), ("place", &a.id)])
                    ),
                });
            }
        }
        for i in &reg.instruments {
            if instruments.len() < LIMIT && matches(&needle, &[&i.id, &i.title]) {
                instruments.push(Hit {
                    kind: "instrument",
                    code: i.id.to_string(),
                    name: i.title.to_string(),
                    detail: format!(
                        "{}, {}",
                        i.kind.as_str(),
                        layout::period_text(i.from, i.until)
                    ),
                    href: format!("/ui/instruments/{}", layout::path_segment(&i.id)),
                });
            }
        }
        for (_, f) in reg.taxonomy.iter() {
            if functions.len() < LIMIT && matches(&needle, &[&f.id, &f.name]) {
                functions.push(Hit {
                    kind: "function",
                    code: f.id.clone(),
                    name: f.name.clone(),
                    detail: String::new(),
                    href: format!("/ui/functions/{}", layout::path_segment(&f.id)),
                });
            }
        }
    }
    let total = practices.len() + bodies.len() + places.len() + instruments.len() + functions.len();
    let main = html! {
        h1 { "Search" }
        (search_form(&q))
        @if !needle.is_empty() {
            h2 { (total) " results for “" (q) "”" }
            @if total == 0 {
                p { "Nothing in the register matches. Check the spelling, or try part of a name or code." }
            }
            @if !practices.is_empty() {
                (layout::table("GP practices", &["Practice", "Postcode"], practices.iter().map(|h| vec![
                    practice_link(&h.code, Some(&h.name)), html! { (h.detail) }]).collect()))
            }
            @if !bodies.is_empty() {
                (layout::table("Bodies", &["Body", "Kind and dates"], bodies.iter().map(|h| vec![
                    html! { a href=(h.href) { (h.name) " (" (h.code) ")" } }, html! { (h.detail) }]).collect()))
            }
            @if !places.is_empty() {
                (layout::table("Places", &["Place", "Note"], places.iter().map(|h| vec![
                    html! { a href=(h.href) { (h.name) " (" (h.code) ")" } }, html! { (h.detail) }]).collect()))
            }
            @if !instruments.is_empty() {
                (layout::table("Instruments", &["Instrument", "Kind and dates"], instruments.iter().map(|h| vec![
                    instrument_link(&h.code, &h.name), html! { (h.detail) }]).collect()))
            }
            @if !functions.is_empty() {
                (layout::table("Functions", &["Function", "Name"], functions.iter().map(|h| vec![
                    function_link(&h.code), html! { (h.name) }]).collect()))
            }
            @if [practices.len(), bodies.len(), places.len(), instruments.len(), functions.len()].contains(&LIMIT) {
                (layout::inset(html! { "Only the first " (LIMIT) " results of each kind are shown. Type more of the name or code to narrow the search." }))
            }
        }
    };
    let mut table = Csv::new(&["kind", "code", "name", "detail", "href"]);
    let all: Vec<&Hit> = practices
        .iter()
        .chain(&bodies)
        .chain(&places)
        .chain(&instruments)
        .chain(&functions)
        .collect();
    for h in &all {
        table.row([
            h.kind.to_string(),
            h.code.clone(),
            h.name.clone(),
            h.detail.clone(),
            h.href.clone(),
        ]);
    }
    Ok(View::new(
        if q.is_empty() {
            "Search".to_string()
        } else {
            format!("Search: {q}")
        },
        Some(Section::Search),
        main,
    )
    .data(serde_json::json!({ "q": q, "results": all }))
    .table(table))
}
