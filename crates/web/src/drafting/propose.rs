//! Proposing a valid draft for a second person to approve.

use super::check::check_text;
use super::form;
use super::read;
use super::{csrf, own_draft};
use crate::context::Ctx;
use crate::error::WebError;
use crate::layout::{self, FieldError};
use crate::redirect::see_other;
use crate::session::{check_csrf, form_pairs};
use crate::view::{Section, View};
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use maud::html;
use vires_core::Severity;
use vires_store::{Draft, PendingChange, Role};

pub async fn propose_form(ctx: Ctx, Path(id): Path<String>) -> Response {
    let r = async {
        let d = own_draft(&ctx, &id).await?;
        propose_page(&ctx, &d, "", &[]).await
    }
    .await;
    ctx.respond(r)
}

async fn propose_page(
    ctx: &Ctx,
    d: &Draft,
    reason: &str,
    errors: &[FieldError],
) -> Result<View, WebError> {
    let k = form::kind_form(&d.kind)
        .ok_or_else(|| WebError::internal("reading the draft", "unknown kind"))?;
    let mut fields = d.fields.clone();
    let read = read::read(ctx.snapshot(), k, &mut fields);
    let problems = match &read.text {
        None => read.errors.len().max(1),
        Some(t) => check_text(ctx, t)
            .await?
            .diagnostics
            .iter()
            .filter(|x| x.severity == Severity::Error)
            .count(),
    };
    let main = html! {
        (layout::error_summary(errors))
        span class="nhsuk-caption-l" { "Draft " (d.id) }
        h1 { "Propose for approval" }
        @if problems > 0 {
            (layout::warning("Fix the draft first", html! { p { "The draft has " (problems) " problems. " a href=(format!("/ui/drafts/{}", d.id)) { "Go back to the draft" } " to see and fix them." } }))
        } @else {
            p { "Another approver will see the draft, its checks and what it would change, and approve or reject it. Nothing changes in the register until then." }
            @if let Some(t) = &read.text { pre class="vires-code" { (t) } }
            form action=(format!("/ui/drafts/{}/propose", d.id)) method="post" novalidate {
                input type="hidden" name="csrf" value=(csrf(ctx));
                (layout::textarea("reason", "Why is this change being made?", Some("The approver sees this, and it is recorded in the change log with your name. For example, the board decision and its date."), reason, errors))
                (layout::button("Send for approval"))
            }
        }
    };
    let mut v = View::new(format!("Propose draft {}", d.id), Some(Section::Work), main)
        .crumb("My work", "/ui/work")
        .crumb(format!("Draft {}", d.id), format!("/ui/drafts/{}", d.id));
    v.downloads = false;
    if !errors.is_empty() {
        v.status = StatusCode::BAD_REQUEST;
    }
    Ok(v)
}

pub async fn propose(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let r: Result<Response, WebError> = async {
        let pairs = form_pairs(&body)?;
        check_csrf(&ctx, &pairs)?;
        let d = own_draft(&ctx, &id).await?;
        let reason = pairs
            .get("reason")
            .map(|r| r.trim().to_string())
            .unwrap_or_default();
        if reason.is_empty() {
            let errors = [FieldError {
                field: "reason",
                message: "Enter why the change is being made".into(),
            }];
            return Ok(ctx.respond(propose_page(&ctx, &d, "", &errors).await));
        }
        let k = form::kind_form(&d.kind)
            .ok_or_else(|| WebError::internal("reading the draft", "unknown kind"))?;
        let mut fields = d.fields.clone();
        let read = read::read(ctx.snapshot(), k, &mut fields);
        let checked = match &read.text {
            Some(t) => check_text(&ctx, t).await?,
            None => return Ok(ctx.respond(propose_page(&ctx, &d, &reason, &[]).await)),
        };
        let Some(drafted) = checked.drafted.clone() else {
            return Ok(ctx.respond(propose_page(&ctx, &d, &reason, &[]).await));
        };
        if checked
            .diagnostics
            .iter()
            .any(|x| x.severity == Severity::Error)
        {
            return Ok(ctx.respond(propose_page(&ctx, &d, &reason, &[]).await));
        }
        let user = ctx.require(Role::Editor, "propose changes")?.name.clone();
        let change = drafted.change();
        let st = ctx.state.clone();
        let base = ctx.revision();
        let (owner, kind, did, saved) = (d.owner.clone(), d.kind.clone(), d.id, d.fields.clone());
        let p: PendingChange =
            tokio::task::spawn_blocking(move || -> Result<PendingChange, WebError> {
                st.check(&change).map_err(|e| {
                    WebError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        "The register refused the draft",
                        format!("{e:?}"),
                        "Go back to the draft and check it again.",
                    )
                })?;
                let p = st
                    .propose(&user, reason, base, change)
                    .map_err(|e| WebError::internal("keeping the proposal", e))?;
                st.store()
                    .save_draft(&owner, Some(did), &kind, &saved, Some(p.id))
                    .map_err(|e| WebError::internal("saving the draft", e))?;
                Ok(p)
            })
            .await
            .map_err(|e| WebError::internal("proposing the draft", e))??;
        tracing::info!(proposal = p.id, draft = did, "draft proposed in the web UI");
        Ok(see_other(&format!("/ui/proposals/{}?done=proposed", p.id)))
    }
    .await;
    r.unwrap_or_else(|e| ctx.error(e))
}
