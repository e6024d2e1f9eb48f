//! The home page and search: find a body, a GP practice, a place or an instrument by code,
//! name or postcode.

use crate::context::Ctx;
use crate::error::WebError;
use crate::layout::{self, function_link, instrument_link, practice_link};
use crate::view::{Csv, Section, View};
use axum::response::Response;
use maud::{html, Markup};
use serde::Serialize;

/// At most this many results, best first: a search that matches more should be narrowed.
const LIMIT: usize = 100;

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
            ("GP practices", html! { (reg.practices.len()) }),
            ("Instruments", html! { (reg.instruments.len()) }),
            ("Functions", html! { a href="/ui/functions" { (reg.taxonomy.len()) " functions" } }),
        ]))
    };
    let mut table = Csv::new(&["measure", "value"]);
    table.row(["revision".to_string(), ctx.revision().to_string()]);
    table.row(["bodies".to_string(), reg.bodies.len().to_string()]);
    table.row(["practices".to_string(), reg.practices.len().to_string()]);
    table.row(["instruments".to_string(), reg.instruments.len().to_string()]);
    table.row(["functions".to_string(), reg.taxonomy.len().to_string()]);
    let data = serde_json::json!({
        "revision": ctx.revision(),
        "bodies": reg.bodies.len(),
        "practices": reg.practices.len(),
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

/// A search result as the page shows it, in the list of its kind.
fn hit(
    reg: &vires_core::Register,
    f: vires_core::search::Found,
    practices: &mut Vec<Hit>,
    bodies: &mut Vec<Hit>,
    places: &mut Vec<Hit>,
    instruments: &mut Vec<Hit>,
    functions: &mut Vec<Hit>,
) {
    use vires_core::search::FoundKind;
    let period = f
        .from
        .map(|from| layout::period_text(from, f.until))
        .unwrap_or_default();
    let (list, detail, href) = match f.kind {
        FoundKind::Practice => (
            practices,
            f.postcode.clone().unwrap_or_default(),
            format!("/ui/practices/{}", layout::path_segment(&f.code)),
        ),
        FoundKind::Body => (
            bodies,
            format!("{}, {period}", f.detail.as_deref().unwrap_or_default()),
            format!(
                "/ui/bodies/{}?on={}",
                layout::path_segment(&f.code),
                f.from.map(|d| d.to_string()).unwrap_or_default()
            ),
        ),
        FoundKind::Area => (
            places,
            reg.area(&f.code)
                .and_then(|a| a.note.clone())
                .unwrap_or_default(),
            format!(
                "/ui/who?{}",
                layout::query_string(&[("place_type", "area"), ("place", &f.code)])
            ),
        ),
        FoundKind::Instrument => (
            instruments,
            format!("{}, {period}", f.detail.as_deref().unwrap_or_default()),
            format!("/ui/instruments/{}", layout::path_segment(&f.code)),
        ),
        FoundKind::Function => (
            functions,
            String::new(),
            format!("/ui/functions/{}", layout::path_segment(&f.code)),
        ),
    };
    list.push(Hit {
        kind: f.kind.as_str(),
        code: f.code,
        name: f.name,
        detail,
        href,
    });
}

pub async fn search(ctx: Ctx) -> Response {
    let result = run(&ctx);
    ctx.respond(result)
}

fn run(ctx: &Ctx) -> Result<View, WebError> {
    let q = ctx.param("q").unwrap_or("").to_string();
    let s = ctx.snapshot();
    let reg = s.register();
    let needle = q.trim().to_string();
    let mut practices = Vec::new();
    let mut bodies = Vec::new();
    let mut places = Vec::new();
    let mut instruments = Vec::new();
    let mut functions = Vec::new();
    let mut found = 0;
    if !needle.is_empty() {
        // The one search the CLI (`vires find`) and the API (`/search`) use.
        let answer = vires_core::search::search(
            s,
            &vires_core::search::Search {
                text: &needle,
                on: None,
                as_of: crate::who::today(),
                kinds: &[],
                limit: LIMIT,
            },
        )
        .map_err(|e| {
            WebError::bad_request(
                "Check your search",
                e.to_string(),
                "Type a code, a name or a postcode, in fewer words.",
            )
        })?;
        found = answer.total;
        for f in answer.results {
            hit(
                reg,
                f,
                &mut practices,
                &mut bodies,
                &mut places,
                &mut instruments,
                &mut functions,
            );
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
            @if found > total {
                (layout::inset(html! { "The best " (total) " of " (found) " matches are shown. Type more of the name or code to narrow the search." }))
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
