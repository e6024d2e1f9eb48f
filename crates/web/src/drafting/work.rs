//! "My work": a person's drafts, their proposals and, for approvers, the proposals waiting
//! for their decision.

use super::blocking;
use super::form;
use crate::context::Ctx;
use crate::layout;
use crate::view::{Section, View};
use axum::response::Response;
use maud::html;
use vires_store::{Draft, PendingChange, Role};

pub async fn work(ctx: Ctx) -> Response {
    let r = async {
        let user = ctx.require(Role::Editor, "see your work")?.clone();
        let name = user.name.clone();
        let (drafts, proposals) = blocking(&ctx, "reading your work", move |s| Ok((s.drafts(&name)?, s.proposals()?))).await?;
        let mine: Vec<&PendingChange> = proposals.iter().filter(|p| p.proposed_by == user.name).collect();
        let queue: Vec<&PendingChange> = if user.role >= Role::Approver {
            proposals.iter().filter(|p| p.status.is_pending() && p.proposed_by != user.name).collect()
        } else {
            Vec::new()
        };
        let open: Vec<&Draft> = drafts.iter().filter(|d| d.proposal.is_none()).collect();
        let kind_name = |k: &str| form::kind_form(k).map_or(k.to_string(), |f| f.name.to_string());
        let main = html! {
            h1 { "My work" }
            a class="nhsuk-button" href="/ui/drafts/new" draggable="false" role="button" data-module="nhsuk-button" { "Draft a change" }
            @if user.role >= Role::Approver {
                h2 { "Waiting for your decision (" (queue.len()) ")" }
                @if queue.is_empty() { p { "Nothing is waiting for you." } } @else {
                    (layout::table("Proposals waiting for your decision", &["Proposal", "Proposed by", "Why"], queue.iter().map(|p| vec![
                        html! { a href=(format!("/ui/proposals/{}", p.id)) { "Proposal " (p.id) } },
                        html! { (p.proposed_by) br; span class="nhsuk-body-s" { (p.proposed_at.strftime("%-d %B %Y %H:%M UTC").to_string()) } },
                        html! { (p.reason) },
                    ]).collect()))
                }
            }
            h2 { "Your drafts (" (open.len()) ")" }
            @if open.is_empty() { p { "You have no drafts." } } @else {
                (layout::table("Your drafts", &["Draft", "Kind", "Title", "Last saved"], open.iter().map(|d| vec![
                    html! { a href=(format!("/ui/drafts/{}", d.id)) { "Draft " (d.id) } },
                    html! { (kind_name(&d.kind)) },
                    html! { (d.fields.get(form::TITLE).or_else(|| d.fields.get(form::NAME)).map(String::as_str).unwrap_or("(no title yet)")) },
                    html! { (d.updated_at.strftime("%-d %B %Y %H:%M UTC").to_string()) },
                ]).collect()))
            }
            h2 { "Your proposals (" (mine.len()) ")" }
            @if mine.is_empty() { p { "You have proposed nothing yet." } } @else {
                (layout::table("Your proposals", &["Proposal", "Why", "Status"], mine.iter().map(|p| vec![
                    html! { a href=(format!("/ui/proposals/{}", p.id)) { "Proposal " (p.id) } },
                    html! { (p.reason) },
                    html! { (p.status.describe()) },
                ]).collect()))
            }
        };
        let data = serde_json::json!({ "drafts": open, "proposals": mine, "waiting": queue });
        let mut v = View::new("My work", Some(Section::Work), main).data(data);
        v.downloads = false;
        Ok(v)
    }
    .await;
    ctx.respond(r)
}
