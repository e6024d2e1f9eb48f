//! Proposals: changes an editor asked for, waiting for an approver. Each shows what it
//! would change in who holds what, and approvers can approve (publish) or reject it.

use crate::analyses::{diff_csv, diff_tables};
use crate::context::Ctx;
use crate::error::WebError;
use crate::layout::{self, date_text, instrument_link, FieldError};
use crate::redirect::see_other;
use crate::session::{check_csrf, form_pairs};
use crate::view::{Section, View};
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::StatusCode;
use axum::response::Response;
use maud::{html, Markup};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use vires_core::analysis::DiffAnswer;
use vires_core::{Date, Snapshot};
use vires_server::state::{AppState, PendingChange, PendingChangeStatus, WriteError};
use vires_store::{Change, Role};

fn status_tag(s: &PendingChangeStatus) -> Markup {
    match s {
        PendingChangeStatus::Pending => layout::tag("Waiting for approval", "blue"),
        PendingChangeStatus::Published { .. } => layout::tag("Approved and published", "green"),
        PendingChangeStatus::Rejected { .. } => layout::tag("Rejected", "red"),
    }
}

fn status_text(s: &PendingChangeStatus) -> String {
    s.describe()
}

/// Runs a blocking store read off the async threads.
async fn read<T: Send + 'static>(
    state: &AppState,
    doing: &'static str,
    f: impl FnOnce(&AppState) -> Result<T, vires_store::StoreError> + Send + 'static,
) -> Result<T, WebError> {
    let st = state.clone();
    tokio::task::spawn_blocking(move || f(&st))
        .await
        .map_err(|e| WebError::internal(doing, e))?
        .map_err(|e| WebError::internal(doing, e))
}

fn change_summary(c: &Change) -> (String, String) {
    match c {
        Change::AddInstrument { instrument } => (
            "Add an instrument".into(),
            format!("{} ({})", instrument.title, instrument.id),
        ),
        Change::CorrectInstrument { id, instrument } => (
            "Correct an instrument".into(),
            format!("{} ({id})", instrument.title),
        ),
        Change::RetractInstrument { id, reason } => (
            "Retract an instrument entered in error".into(),
            format!("{id}: {reason}"),
        ),
        Change::AddBody { body } => (
            "Add a body".into(),
            format!("{} ({})", body.name, body.code),
        ),
        Change::Genesis { .. } => ("Start the change log".into(), String::new()),
        Change::Rebind { base } => (
            "Bind the store to another base register".into(),
            base.clone(),
        ),
        Change::WorkflowStep {
            workflow,
            id,
            subject,
            step,
            ..
        } => (
            "Record a workflow step".into(),
            format!("{workflow} {id}: {step} {subject}"),
        ),
    }
}

/// The date on which a change first makes a difference.
fn change_date(c: &Change, s: &Snapshot) -> Option<Date> {
    match c {
        Change::AddInstrument { instrument } | Change::CorrectInstrument { instrument, .. } => {
            Some(instrument.from)
        }
        Change::RetractInstrument { id, .. } => s
            .instrument_id(id)
            .map(|i| s.register().instruments[i.0 as usize].from),
        Change::AddBody { body } => Some(body.life.from),
        Change::WorkflowStep { on, .. } => Some(*on),
        Change::Genesis { .. } | Change::Rebind { .. } => None,
    }
}

pub async fn list(ctx: Ctx) -> Response {
    let result = list_page(&ctx).await;
    ctx.respond(result)
}

async fn list_page(ctx: &Ctx) -> Result<View, WebError> {
    ctx.require(Role::Editor, "see proposals")?;
    let all = read(&ctx.state, "reading the proposals", |s| s.proposals()).await?;
    let mut table = crate::view::Csv::new(&[
        "id",
        "change",
        "subject",
        "reason",
        "proposed_by",
        "proposed_at",
        "status",
    ]);
    for p in &all {
        let (what, subject) = change_summary(&p.change);
        table.row([
            p.id.to_string(),
            what,
            subject,
            p.reason.clone(),
            p.proposed_by.clone(),
            p.proposed_at.to_string(),
            status_text(&p.status),
        ]);
    }
    let pending = all
        .iter()
        .filter(|p| p.status == PendingChangeStatus::Pending)
        .count();
    let main = html! {
        h1 { "Proposals" }
        p { "Changes to the register that an editor has proposed. An approver checks what each would change, then approves or rejects it." }
        @if all.is_empty() {
            p { "There are no proposals." }
        } @else {
            p { (pending) " waiting for approval." }
            (layout::table("Proposals, newest last", &["Proposal", "Change", "Proposed by", "Status"], all.iter().map(|p| {
                let (what, subject) = change_summary(&p.change);
                vec![
                    html! { a href=(format!("/ui/proposals/{}", p.id)) { "Proposal " (p.id) } },
                    html! { (what) ": " (subject) br; span class="nhsuk-body-s" { (p.reason) } },
                    html! { (p.proposed_by) },
                    status_tag(&p.status),
                ]
            }).collect()))
        }
    };
    Ok(View::new("Proposals", Some(Section::Proposals), main)
        .data(&all)
        .table(table))
}

type DiffCache = Mutex<HashMap<(u64, u64, Date), Arc<Result<DiffAnswer, String>>>>;

/// What a proposal would change, per (proposal, revision, date): compiling a whole
/// register takes a moment, and the answer cannot change until the register does.
fn diff_cache() -> &'static DiffCache {
    static CACHE: std::sync::OnceLock<DiffCache> = std::sync::OnceLock::new();
    CACHE.get_or_init(|| Mutex::new(HashMap::new()))
}

async fn proposal_diff(ctx: &Ctx, p: &PendingChange, on: Date) -> Result<DiffAnswer, WebError> {
    let key = (p.id, ctx.revision(), on);
    let cached = diff_cache()
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .get(&key)
        .cloned();
    let result = match cached {
        Some(r) => r,
        None => {
            let cur = ctx.current.clone();
            let change = p.change.clone();
            // The one trial of changes, as the approval's own check makes it.
            let computed = tokio::task::spawn_blocking(move || {
                let tried = vires_app::trial::trial(
                    cur.snapshot.register(),
                    Some(&cur.snapshot),
                    std::slice::from_ref(&change),
                )
                .map_err(|e| e.to_string())?;
                Ok(cur.snapshot.compare(&tried.snapshot, on))
            })
            .await
            .map_err(|e| WebError::internal("working out what the proposal would change", e))?;
            let r = Arc::new(computed);
            let mut cache = diff_cache().lock().unwrap_or_else(|e| e.into_inner());
            // The cache only needs the latest revision's answers, and only a few dates.
            cache.retain(|k, _| k.1 == ctx.revision());
            if cache.len() >= 64 {
                cache.clear();
            }
            cache.insert(key, r.clone());
            r
        }
    };
    match result.as_ref() {
        Ok(d) => Ok(d.clone()),
        Err(msg) => Err(WebError::new(
            StatusCode::CONFLICT,
            "This proposal no longer fits the register",
            format!("It cannot be applied to the register as it is now: {msg}."),
            "Reject it, and ask the editor to propose it again against the current register.",
        )),
    }
}

pub async fn show(ctx: Ctx, Path(id): Path<String>) -> Response {
    let result = show_page(&ctx, &id, &[], None).await;
    ctx.respond(result)
}

async fn find(ctx: &Ctx, id: &str) -> Result<PendingChange, WebError> {
    let found = match id.parse::<u64>() {
        Ok(n) => read(&ctx.state, "reading the proposal", move |s| s.proposal(n)).await?,
        Err(_) => None,
    };
    found.ok_or_else(|| {
        WebError::not_found_thing(
            format!("There is no proposal {id}."),
            "Open the list of proposals and choose one from there.",
        )
        .with_link("See all proposals", "/ui/proposals")
    })
}

async fn show_page(
    ctx: &Ctx,
    id: &str,
    errors: &[FieldError],
    reason: Option<&str>,
) -> Result<View, WebError> {
    ctx.require(Role::Editor, "see proposals")?;
    let p = find(ctx, id).await?;
    let s = ctx.snapshot();
    let mut date_errors = Vec::new();
    let on = crate::who::date_param(
        ctx,
        "on",
        "the date",
        change_date(&p.change, s).or(Some(crate::who::today())),
        &mut date_errors,
    )
    .unwrap_or_else(crate::who::today);
    let diff = if p.status == PendingChangeStatus::Pending {
        Some(proposal_diff(ctx, &p, on).await)
    } else {
        None
    };
    let can_decide = ctx.role().is_some_and(|r| r >= Role::Approver);
    let own = ctx.user.as_ref().is_some_and(|u| u.name == p.proposed_by);
    let may_reject_own = ctx.state.config().approval.proposer_may_reject;
    let csrf = ctx
        .session
        .as_ref()
        .map(|s| s.csrf.clone())
        .unwrap_or_default();
    let (what, subject) = change_summary(&p.change);
    let checks = match &p.change {
        Change::AddInstrument { instrument } | Change::CorrectInstrument { instrument, .. }
            if p.status.is_pending() =>
        {
            let drafted = crate::drafting::Drafted::Instrument(instrument.clone());
            Some(crate::drafting::proposal_checks(ctx, &drafted).await?)
        }
        Change::AddBody { body } if p.status.is_pending() => {
            let drafted = crate::drafting::Drafted::Body(body.clone());
            Some(crate::drafting::proposal_checks(ctx, &drafted).await?)
        }
        _ => None,
    };
    let done = ctx.param("done");
    let title = format!("Proposal {}", p.id);
    let main = html! {
        @if let Some(d) = done {
            div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" aria-labelledby="banner-title" data-module="nhsuk-notification-banner" {
                div class="nhsuk-notification-banner__header" {
                    h2 class="nhsuk-notification-banner__title" id="banner-title" { "Success" }
                }
                div class="nhsuk-notification-banner__content" {
                    p class="nhsuk-notification-banner__heading" {
                        @if d == "approved" { "The proposal was approved and published. Answers now include it." } @else if d == "proposed" { "Your draft was sent for approval. Another approver must approve it." } @else { "The proposal was rejected." }
                    }
                }
            }
        }
        (layout::error_summary(errors))
        span class="nhsuk-caption-l" { (what) }
        h1 { (title) ": " (subject) }
        (layout::summary(&[
            // A pending proposal's tag says it all; a decided one's text names who and how.
            ("Status", html! { (status_tag(&p.status)) @if !matches!(p.status, PendingChangeStatus::Pending) { " " (status_text(&p.status)) } }),
            ("Change", html! { (what) }),
            ("Subject", html! {
                @match &p.change {
                    Change::AddInstrument { instrument } | Change::CorrectInstrument { instrument, .. } => {
                        (instrument.title) " (" (instrument.id) ", " (instrument.kind.as_str()) ", " (layout::period_text(instrument.from, instrument.until)) ")"
                    }
                    Change::RetractInstrument { id, .. } => { (instrument_link(id, id)) }
                    _ => { (subject) }
                }
            }),
            ("Why it was proposed", html! { (p.reason) }),
            ("Proposed by", html! { (p.proposed_by) }),
            ("Proposed at", html! { (p.proposed_at.strftime("%-d %B %Y %H:%M UTC").to_string()) }),
            ("Register revision it was based on", html! { (p.base_revision) " (now " (ctx.revision()) ")" }),
        ]))
        @if let Some((text, found)) = &checks {
            h2 { "Checks against the register" }
            @if found.is_empty() {
                p { "No problems: the change is valid against register revision " (ctx.revision()) "." }
            } @else {
                ul class="nhsuk-list nhsuk-list--bullet" {
                    @for d in found {
                        li { strong { (if d.severity == vires_core::Severity::Error { "Error " } else { "Warning " }) (d.code) } ": " (d.message) ". " (crate::help::in_the_browser(&d.help)) }
                    }
                }
            }
            h2 { "The change as .vires text" }
            pre class="vires-code" { (text) }
        }
        @if let Some(diff) = &diff {
            h2 { "What it would change on " (date_text(on)) }
            @match diff {
                Ok(d) => { (diff_tables(d, s)) }
                Err(e) => { (layout::warning(&e.text.title, html! { p { (e.text.what) } p { (e.text.todo) } })) }
            }
        }
        details class="nhsuk-details" {
            summary class="nhsuk-details__summary" { span class="nhsuk-details__summary-text" { "The change as JSON" } }
            div class="nhsuk-details__text" { pre class="vires-code" { (serde_json::to_string_pretty(&p.change).unwrap_or_default()) } }
        }
        @match &p.status {
            PendingChangeStatus::Published { by, at, reason: why, revision } => {
                h2 { "Decision" }
                (layout::summary(&[
                    ("Approved by", html! { (by) }),
                    ("Approved at", html! { (at.strftime("%-d %B %Y %H:%M UTC").to_string()) }),
                    ("Why", html! { (why) }),
                    ("Published as revision", html! { (revision) }),
                ]))
            }
            PendingChangeStatus::Rejected { by, at, reason: why, .. } => {
                h2 { "Decision" }
                (layout::summary(&[
                    ("Rejected by", html! { (by) }),
                    ("Rejected at", html! { (at.strftime("%-d %B %Y %H:%M UTC").to_string()) }),
                    ("Why", html! { (why) }),
                ]))
            }
            PendingChangeStatus::Pending => {
                h2 { "Decision" }
                @if !can_decide {
                    (layout::inset(html! { "Only approvers can approve or reject proposals. You are signed in with the " @if let Some(r) = ctx.role() { (r) } " role." }))
                } @else if own && !may_reject_own {
                    (layout::inset(html! { "You proposed this change, so another approver must decide it." }))
                } @else {
                    @if own {
                        (layout::inset(html! { "You proposed this change, so another approver must approve it. You can reject it to withdraw it." }))
                    }
                    form action=(format!("/ui/proposals/{}/decide", p.id)) method="post" novalidate {
                        input type="hidden" name="csrf" value=(csrf);
                        (layout::textarea("reason", "Reason for your decision", Some("Recorded in the change log with your name. Say what you checked, for example the signed agreement or the board minute."), reason.unwrap_or(""), errors))
                        div class="nhsuk-button-group" {
                            @if !own {
                                button class="nhsuk-button" data-module="nhsuk-button" type="submit" name="decision" value="approve" { "Approve and publish" }
                            }
                            button class="nhsuk-button nhsuk-button--secondary" data-module="nhsuk-button" type="submit" name="decision" value="reject" { "Reject" }
                        }
                    }
                }
            }
        }
    };
    let data = serde_json::json!({ "proposal": p, "on": on, "diff": diff.as_ref().and_then(|d| d.as_ref().ok()) });
    let table = match &diff {
        Some(Ok(d)) => diff_csv(d),
        _ => crate::view::Csv::default(),
    };
    let mut v = View::new(title, Some(Section::Proposals), main)
        .crumb("Proposals", "/ui/proposals")
        .data(data)
        .table(table);
    if !errors.is_empty() {
        v.status = StatusCode::BAD_REQUEST;
    }
    Ok(v)
}

fn write_error(e: WriteError) -> WebError {
    match e {
        WriteError::Stale { expected, current } => WebError::new(
            StatusCode::CONFLICT,
            "The register changed while you were deciding",
            format!("The approval was based on revision {expected}, but the register is now at revision {current}. Nothing was published."),
            "Open the proposal again, check what it would change now, and approve it again if it is still right.",
        ),
        WriteError::Invalid { detail, .. } => WebError::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "This proposal cannot be published",
            format!("The register refused it: {detail}. Nothing was published."),
            "Reject the proposal and ask the editor to correct it.",
        ),
        WriteError::UnknownProposal(id) => WebError::not_found_thing(
            format!("There is no proposal {id}."),
            "Open the list of proposals and choose one from there.",
        )
        .with_link("See all proposals", "/ui/proposals"),
        WriteError::Settled { id, state } => WebError::new(
            StatusCode::CONFLICT,
            "This proposal has already been decided",
            format!("Proposal {id} is no longer waiting for approval: it was {state}. Nothing was changed."),
            "Nothing more needs doing. Open the list of proposals to see the others.",
        )
        .with_link("See all proposals", "/ui/proposals"),
        WriteError::OwnProposal { id, action } => WebError::new(
            StatusCode::FORBIDDEN,
            "A second person must decide this proposal",
            format!("You proposed proposal {id}, so you cannot {action} it. Nothing was changed."),
            "Ask another approver to open the proposal and decide it.",
        )
        .with_link("See all proposals", "/ui/proposals"),
        WriteError::NoReason => WebError::bad_request(
            "The decision has no reason",
            "A decision needs a reason, recorded in the change log. Nothing was changed.",
            "Go back to the proposal and enter the reason for your decision.",
        ),
        WriteError::Store(e) => WebError::internal("recording the decision", e),
    }
}

pub async fn approve(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    decide(ctx, id, body, vires_store::Outcome::Approved).await
}

pub async fn reject(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    decide(ctx, id, body, vires_store::Outcome::Rejected).await
}

/// The decision form: one reason, and the button pressed says which decision.
pub async fn decision(ctx: Ctx, Path(id): Path<String>, body: Bytes) -> Response {
    let outcome = form_pairs(&body).map(|f| match f.get("decision").map(String::as_str) {
        Some("approve") => Some(vires_store::Outcome::Approved),
        Some("reject") => Some(vires_store::Outcome::Rejected),
        _ => None,
    });
    match outcome {
        Ok(Some(o)) => decide(ctx, id, body, o).await,
        Ok(None) => ctx.error(WebError::bad_request(
            "No decision was chosen",
            "The form did not say whether to approve or reject. Nothing was changed.",
            "Go back to the proposal and press Approve and publish or Reject.",
        )),
        Err(e) => ctx.error(e),
    }
}

async fn decide(ctx: Ctx, id: String, body: Bytes, outcome: vires_store::Outcome) -> Response {
    let result: Result<Response, WebError> = async {
        let form = form_pairs(&body)?;
        check_csrf(&ctx, &form)?;
        let doing = match outcome {
            vires_store::Outcome::Approved => "approve proposals",
            vires_store::Outcome::Rejected => "reject proposals",
        };
        let user = ctx.require(Role::Approver, doing)?.clone();
        let p = find(&ctx, &id).await?;
        let reason = form.get("reason").map(|r| r.trim()).unwrap_or("");
        if reason.is_empty() {
            let errors = [FieldError {
                field: "reason",
                message: match outcome {
                    vires_store::Outcome::Approved => "Enter the reason for approving the proposal".into(),
                    vires_store::Outcome::Rejected => "Enter the reason for rejecting the proposal".into(),
                },
            }];
            let page = show_page(&ctx, &id, &errors, None).await;
            return Ok(ctx.respond(page));
        }
        let (st, by, why) = (ctx.state.clone(), user.name.clone(), reason.to_string());
        let pid = p.id;
        let done = tokio::task::spawn_blocking(move || match outcome {
            vires_store::Outcome::Approved => st.approve(pid, &by, &why).map(|_| ()),
            vires_store::Outcome::Rejected => st.reject(pid, &by, &why).map(|_| ()),
        })
        .await
        .map_err(|e| WebError::internal("recording the decision", e))?;
        done.map_err(write_error)?;
        if outcome == vires_store::Outcome::Approved {
            ctx.state.metrics().write_published();
        }
        tracing::info!(user = %user.name, proposal = pid, outcome = outcome.as_str(), "proposal decided in the web UI");
        Ok(see_other(&format!("/ui/proposals/{pid}?done={}", outcome.as_str())))
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}
