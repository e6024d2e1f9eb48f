//! What a draft would change on the day it takes effect, before it is proposed.

use super::check::{check_text, Drafted};
use super::form;
use super::own_draft;
use super::read;
use super::widgets::body_kind_name;
use crate::analyses::diff_tables;
use crate::context::Ctx;
use crate::error::WebError;
use crate::layout::{self, date_text};
use crate::view::{Section, View};
use axum::extract::Path;
use axum::response::Response;
use maud::{html, Markup};
use vires_core::{Place, Severity, Snapshot};

/// One term of a holding's area as the diff writes it (`footprint(QOP)`, `england`,
/// `practices(A, B)`).
enum AreaTerm<'a> {
    Body(&'a str),
    England,
    Practices(Vec<&'a str>),
    Other,
}

fn area_term(key: &str) -> AreaTerm<'_> {
    let inner = |prefix: &str| {
        key.strip_prefix(prefix)
            .and_then(|r| r.strip_suffix(')'))
            .map(str::trim)
    };
    if key == "england" {
        AreaTerm::England
    } else if let Some(code) = inner("footprint(") {
        AreaTerm::Body(code)
    } else if let Some(list) = inner("practices(") {
        AreaTerm::Practices(list.split(',').map(str::trim).collect())
    } else {
        AreaTerm::Other
    }
}

/// What a draft would change on the day `on` it takes effect: holders gained and lost,
/// the practices in the areas concerned, and the proof chains the new holders would have.
pub fn change_preview(
    before: &Snapshot,
    after: &Snapshot,
    on: vires_core::Date,
) -> (Markup, serde_json::Value) {
    let diff = before.compare(after, on);
    let reg = after.register();
    let mut practices: Vec<(String, usize)> = Vec::new();
    for h in diff.added.iter().chain(diff.removed.iter()) {
        for key in &h.area {
            if practices.iter().any(|(k, _)| k == key) {
                continue;
            }
            let n = match area_term(key) {
                AreaTerm::Body(code) => reg
                    .body_near(code, on)
                    .map_or(0, |b| after.footprint_practices(b, on).len()),
                AreaTerm::England => reg.practices.len(),
                AreaTerm::Practices(codes) => codes.len(),
                AreaTerm::Other => 0,
            };
            practices.push((key.clone(), n));
        }
    }
    let mut proofs = Vec::new();
    for h in &diff.added {
        // Asked about a GP practice in the holding's area (as people ask), else the area.
        let mut places = Vec::new();
        for key in &h.area {
            match area_term(key) {
                AreaTerm::Body(code) => {
                    if let Some(b) = reg.body_near(code, on) {
                        if let Some(a) = after.footprint_practices(b, on).first() {
                            places.push(Place::Practice(reg.practices[a.0 as usize].code.clone()));
                        }
                    }
                    places.push(Place::Body(code.into()));
                }
                AreaTerm::England => places.push(Place::England),
                AreaTerm::Practices(codes) => {
                    places.extend(codes.first().map(|c| Place::Practice((*c).into())))
                }
                AreaTerm::Other => {}
            }
        }
        let found = places.iter().find_map(|place| {
            let answer = after.who(&h.function, place, on, None).ok()?;
            let holder = answer.holders.iter().find(|x| x.body == h.body.as_str())?;
            Some(
                holder
                    .proof
                    .iter()
                    .map(|p| (p.instrument.to_string(), p.title.to_string()))
                    .collect::<Vec<_>>(),
            )
        });
        if let Some(steps) = found {
            proofs.push((h.clone(), steps));
        }
    }
    let markup = html! {
        h2 { "What it would change on " (date_text(on)) }
        (diff_tables(&diff, after))
        @if !practices.is_empty() {
            (layout::table("GP practices in the areas affected", &["Area", "Practices"], practices.iter().map(|(k, n)| vec![
                html! { (k) },
                html! { (n) },
            ]).collect()))
        }
        @for (h, steps) in &proofs {
            h3 { "How " (h.body) " would hold " (h.function) }
            ol class="vires-proof" {
                @for (id, title) in steps { li { (layout::instrument_link(id, title)) } }
                li { (h.body) " holds the function" }
            }
        }
    };
    let data = serde_json::json!({
        "on": on,
        "diff": diff,
        "practices": practices.iter().map(|(k, n)| serde_json::json!({"area": k, "practices": n})).collect::<Vec<_>>(),
        "proofs": proofs.iter().map(|(h, s)| serde_json::json!({"holding": h, "proof": s.iter().map(|(i, _)| i).collect::<Vec<_>>()})).collect::<Vec<_>>(),
    });
    (markup, data)
}

pub async fn preview(ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = async {
        let d = own_draft(&ctx, &id).await?;
        let k = form::kind_form(&d.kind).ok_or_else(|| WebError::internal("reading the draft", "unknown kind"))?;
        let mut fields = d.fields.clone();
        let read = read::read(ctx.snapshot(), k, &mut fields);
        let Some(text) = read.text else {
            return Err(WebError::bad_request(
                "The draft is not complete",
                "There is nothing to preview until every field is filled in correctly.",
                "Go back to the draft, fix what it says is wrong, then preview it.",
            )
            .with_link("Back to the draft", format!("/ui/drafts/{}", d.id)));
        };
        let checked = check_text(&ctx, &text).await?;
        let (Some(drafted), Some(after)) = (&checked.drafted, &checked.after) else {
            return Err(WebError::bad_request(
                "The draft cannot be added to the register",
                checked.language.join(". "),
                "Go back to the draft and fix what it says is wrong, then preview it.",
            )
            .with_link("Back to the draft", format!("/ui/drafts/{}", d.id)));
        };
        let (changes, data) = change_preview(ctx.snapshot(), after, drafted.from());
        let errors = checked.diagnostics.iter().filter(|d| d.severity == Severity::Error).count();
        let main = html! {
            span class="nhsuk-caption-l" { "Draft " (d.id) }
            h1 { "Preview: " (drafted.title()) }
            @if let Drafted::Body(b) = drafted {
                p { "The register would know " (b.name) " (" (b.code) "), " (body_kind_name(b.kind)) ", from " (date_text(b.life.from)) ". A new body holds no function until an instrument gives it one: draft its establishment, then the instruments that give it functions." }
            }
            @if errors > 0 {
                (layout::warning("This draft is not valid", html! { p { "It has " (errors) " problems, so it would change nothing. " a href=(format!("/ui/drafts/{}", d.id)) { "Go back to the draft" } " to fix them." } }))
            }
            (changes)
            details class="nhsuk-details" open {
                summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "The draft as .vires text" } }
                div class="nhsuk-details__text" { pre class="vires-code" { (text) } }
            }
            div class="nhsuk-button-group" {
                a class="nhsuk-button" href=(format!("/ui/drafts/{}/propose", d.id)) draggable="false" role="button" data-module="nhsuk-button" { "Propose for approval" }
                a class="nhsuk-button nhsuk-button--secondary" href=(format!("/ui/drafts/{}", d.id)) draggable="false" role="button" data-module="nhsuk-button" { "Change the draft" }
            }
        };
        let mut v = View::new(format!("Preview of draft {}", d.id), Some(Section::Work), main)
            .crumb("My work", "/ui/work")
            .crumb(format!("Draft {}", d.id), format!("/ui/drafts/{}", d.id))
            .data(data);
        v.downloads = false;
        Ok(v)
    }
    .await;
    ctx.respond(r)
}
