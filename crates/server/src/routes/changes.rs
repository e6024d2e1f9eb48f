//! Changes to the register: the log, publishing (approvers), proposing (editors),
//! approving and rejecting proposals, dry-run checks, and the change feed.
//!
//! Every write names the revision it was based on. If the register has moved on, the
//! answer is 409 and nothing is written; the client reloads and tries again.

use super::{blocking, Answer, Consistency};
use crate::auth::{Approver, Editor};
use crate::change_forms;
use crate::extract::{ApiJson, ApiQuery};
use crate::problem::responses::{
    AccessProblems, BadRequest, BodyProblems, NotFound, QueryProblems, Unauthorized,
};
use crate::problem::{ApiError, Problem};
use crate::state::{AppState, EntrySummary, PendingChange, Published, WriteError};
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures_util::Stream;
use futures_util::StreamExt;
use serde::{Deserialize, Serialize};
use std::convert::Infallible;
use std::time::Duration;
use tokio_stream::wrappers::WatchStream;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vires_core::Diagnostic;
use vires_store::{Change, ChangeRequest, Role};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_changes, post_change))
        .routes(routes!(check_change))
        .routes(routes!(list_proposals))
        .routes(routes!(get_proposal))
        .routes(routes!(approve_proposal))
        .routes(routes!(reject_proposal))
}

pub fn stream_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(stream))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only entries after this revision; default 0 (from the start).
    #[param(minimum = 0)]
    since: Option<u64>,
    /// At most this many entries (default 100, at most 1000).
    #[param(minimum = 1, maximum = 1000)]
    limit: Option<u32>,
}

/// A change-log entry.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct EntryView {
    pub seq: u64,
    #[schema(format = DateTime)]
    pub recorded_at: String,
    pub author: String,
    pub reason: String,
    pub op: String,
    #[schema(value_type = change_forms::StoredChange)]
    pub change: serde_json::Value,
    pub hash: String,
    /// Present on an entry written by approving or rejecting a proposal: the proposal,
    /// the outcome (`approved` or `rejected`), who decided (`by`, never the proposer for an
    /// approval) and their reason. The entry's `author` is the proposer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub decision: Option<serde_json::Value>,
}

/// The change log, oldest first.
#[utoipa::path(get, path = "/changes", tag = "changes", params(ListParams, Consistency),
    responses(
        (status = 200, body = Vec<EntryView>),
        QueryProblems,
    ))]
pub async fn list_changes(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<ListParams>,
) -> Result<Answer<Vec<EntrySummary>>, ApiError> {
    let since = p.since.unwrap_or(0);
    let limit = u64::from(p.limit.unwrap_or(100));
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::bad_parameter(
            "parameter `limit` must be between 1 and 1000",
        ));
    }
    let revision = st.revision();
    let store = st.store().clone();
    let entries = blocking("reading the change log", move || {
        let from = since.saturating_add(1);
        let to = since.saturating_add(limit);
        store
            .entries(from, to)
            .map_err(|e| ApiError::internal("reading the change log", e))
    })
    .await?;
    Ok(Answer::ok(
        revision,
        entries.iter().map(EntrySummary::from).collect(),
    ))
}

/// A change to publish or propose.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ChangeBody {
    /// The register revision the change was made against (from `Vires-Revision`). If the
    /// register has moved on, the write is refused with 409.
    #[schema(minimum = 0)]
    pub base_revision: u64,
    /// Why: goes in the change log.
    pub reason: String,
    pub change: change_forms::ChangeInput,
    /// Approvers publish directly unless this is true; editors always propose.
    #[serde(default)]
    pub propose: bool,
}

/// A published change.
#[derive(Debug, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PublishedView {
    pub revision: u64,
    pub entry: EntryView,
    pub diagnostics: Vec<Diagnostic>,
}

/// A proposal.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProposalView {
    pub id: u64,
    pub proposed_by: String,
    #[schema(format = DateTime)]
    pub proposed_at: String,
    pub base_revision: u64,
    pub reason: String,
    #[schema(value_type = change_forms::StoredChange)]
    pub change: serde_json::Value,
    #[schema(value_type = Object)]
    pub status: serde_json::Value,
}

/// The outcome of a write request.
#[derive(Debug, Serialize)]
#[serde(untagged)]
pub enum WriteOutcome {
    Published(Published),
    Proposed(PendingChange),
}

fn write_error(st: &AppState, e: WriteError) -> ApiError {
    match e {
        WriteError::Stale { expected, current } => {
            st.metrics().write_stale();
            ApiError::conflict(
                "stale-revision",
                "The register has changed",
                format!("the change was based on revision {expected}, but the register is at revision {current}; reload, check the change still makes sense, and send it again with base_revision {current}"),
            )
            .with_revision(current)
        }
        WriteError::Invalid { detail, items } => {
            ApiError::unprocessable("invalid-change", "The change cannot be made", detail)
                .with_errors(items)
        }
        WriteError::UnknownProposal(id) => ApiError::not_found(format!(
            "there is no proposal {id}; GET /proposals lists them"
        )),
        WriteError::Settled { id, state } => ApiError::conflict(
            "proposal-settled",
            "The proposal is settled",
            format!("proposal {id} is no longer pending: it was {state}; nothing was changed"),
        ),
        WriteError::OwnProposal { id, action } => ApiError::new(
            StatusCode::FORBIDDEN,
            "own-proposal",
            "A second person must decide",
            format!("you proposed proposal {id}, so you cannot {action} it; another approver must decide it"),
        ),
        WriteError::NoReason => ApiError::unprocessable(
            "invalid-decision",
            "The decision needs a reason",
            "`reason` is empty; say why you approve or reject the proposal (it goes in the change log)",
        ),
        WriteError::Store(e) => ApiError::internal("writing to the store", e),
    }
}

fn require_reason(reason: &str) -> Result<(), ApiError> {
    if reason.trim().is_empty() {
        return Err(ApiError::unprocessable(
            "invalid-change",
            "The change cannot be made",
            "`reason` is empty; say why the change is made (it goes in the change log)",
        ));
    }
    Ok(())
}

/// Publishes a change (approver, admin) or proposes it (editor, or `propose: true`).
#[utoipa::path(post, path = "/changes", tag = "changes", request_body = ChangeBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, description = "Published", body = PublishedView),
        (status = 202, description = "Proposed for approval", body = ProposalView),
        (status = 409, description = "Stale base_revision: nothing was written", body = Problem, content_type = "application/problem+json"),
        BadRequest, AccessProblems, BodyProblems,
    ))]
pub async fn post_change(
    State(st): State<AppState>,
    Editor(user): Editor,
    ApiJson(body): ApiJson<ChangeBody>,
) -> Result<Answer<WriteOutcome>, ApiError> {
    require_reason(&body.reason)?;
    let change: Change = body.change.into();
    if user.role >= Role::Approver && !body.propose {
        let request = ChangeRequest {
            author: user.name.clone(),
            reason: body.reason,
            change,
        };
        let op = request.change.op();
        let s = st.clone();
        let base = body.base_revision;
        let out = blocking("publishing the change", move || {
            s.publish(base, request).map_err(|e| write_error(&s, e))
        })
        .await;
        match &out {
            Ok(p) => {
                st.metrics().write_published();
                tracing::info!(user = %user.name, role = %user.role, op, revision = p.revision, "change published");
            }
            Err(e) => {
                tracing::info!(user = %user.name, role = %user.role, op, status = e.status.as_u16(), "change refused")
            }
        }
        let p = out?;
        return Ok(Answer {
            revision: p.revision,
            status: StatusCode::CREATED,
            body: WriteOutcome::Published(p),
        });
    }
    let current = st.revision();
    if body.base_revision != current {
        return Err(write_error(
            &st,
            WriteError::Stale {
                expected: body.base_revision,
                current,
            },
        ));
    }
    let s = st.clone();
    let checked = change.clone();
    blocking("checking the change", move || {
        s.check(&checked).map_err(|e| write_error(&s, e))
    })
    .await?;
    let s = st.clone();
    let author = user.name.clone();
    let base = body.base_revision;
    let reason = body.reason;
    let proposal = blocking("keeping the proposal", move || {
        s.propose(&author, reason, base, change)
            .map_err(|e| ApiError::internal("keeping the proposal", e))
    })
    .await?;
    tracing::info!(user = %user.name, role = %user.role, proposal = proposal.id, op = proposal.change.op(), "change proposed");
    Ok(Answer {
        revision: current,
        status: StatusCode::ACCEPTED,
        body: WriteOutcome::Proposed(proposal),
    })
}

/// What a change would do, without writing it.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckBody {
    pub change: change_forms::ChangeInput,
}

/// Checks a change against the current register without writing it (editor and up).
#[utoipa::path(post, path = "/changes/check", tag = "changes", request_body = CheckBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, description = "Findings the change would produce", body = Vec<Diagnostic>),
        BadRequest, AccessProblems, BodyProblems,
    ))]
pub async fn check_change(
    State(st): State<AppState>,
    _editor: Editor,
    ApiJson(body): ApiJson<CheckBody>,
) -> Result<Answer<Vec<Diagnostic>>, ApiError> {
    let revision = st.revision();
    let change: Change = body.change.into();
    let s = st.clone();
    let found = blocking("checking the change", move || {
        s.check(&change).map_err(|e| write_error(&s, e))
    })
    .await?;
    Ok(Answer::ok(revision, found))
}

/// Proposals, newest last (editor and up).
#[utoipa::path(get, path = "/proposals", tag = "changes",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = Vec<ProposalView>),
        AccessProblems,
    ))]
pub async fn list_proposals(
    State(st): State<AppState>,
    _editor: Editor,
) -> Result<Answer<Vec<PendingChange>>, ApiError> {
    let revision = st.revision();
    let s = st.clone();
    let list = blocking("reading the proposals", move || {
        s.proposals()
            .map_err(|e| ApiError::internal("reading the proposals", e))
    })
    .await?;
    Ok(Answer::ok(revision, list))
}

async fn find_proposal(st: &AppState, id: u64) -> Result<PendingChange, ApiError> {
    let s = st.clone();
    blocking("reading the proposal", move || {
        s.proposal(id)
            .map_err(|e| ApiError::internal("reading the proposal", e))?
            .ok_or_else(|| {
                ApiError::not_found(format!(
                    "there is no proposal {id}; GET /proposals lists them"
                ))
            })
    })
    .await
}

/// One proposal (editor and up).
#[utoipa::path(get, path = "/proposals/{id}", tag = "changes",
    params(("id" = u64, Path, minimum = 0)),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = ProposalView),
        BadRequest, AccessProblems, NotFound,
    ))]
pub async fn get_proposal(
    State(st): State<AppState>,
    _editor: Editor,
    id: ProposalId,
) -> Result<Answer<PendingChange>, ApiError> {
    Ok(Answer::ok(st.revision(), find_proposal(&st, id.0).await?))
}

/// A proposal id from the path, with a problem for anything but a number.
pub struct ProposalId(pub u64);

impl<S: Send + Sync> axum::extract::FromRequestParts<S> for ProposalId {
    type Rejection = ApiError;

    async fn from_request_parts(
        parts: &mut axum::http::request::Parts,
        state: &S,
    ) -> Result<Self, ApiError> {
        let Path(raw) = Path::<String>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::bad_parameter(e.body_text()))?;
        raw.parse()
            .map(ProposalId)
            .map_err(|_| ApiError::bad_parameter(format!("proposal id `{raw}` is not a number")))
    }
}

/// A decision on a proposal.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DecisionBody {
    /// Why: recorded in the change log as a field of the entry, with the approver's name.
    pub reason: String,
}

/// Publishes a pending proposal against the current register (approver and up, never the
/// proposer). The proposal is settled and its change appended in one transaction: of an
/// approval and a rejection sent at once, one wins and the other gets 409.
#[utoipa::path(post, path = "/proposals/{id}/approve", tag = "changes",
    params(("id" = u64, Path, minimum = 0)), request_body = DecisionBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, body = PublishedView),
        (status = 403, description = "Not an approver, or the approver proposed it", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "Already settled, or the register moved on", body = Problem, content_type = "application/problem+json"),
        BadRequest, Unauthorized, BodyProblems, NotFound,
    ))]
pub async fn approve_proposal(
    State(st): State<AppState>,
    Approver(user): Approver,
    id: ProposalId,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Answer<Published>, ApiError> {
    let (s, by, id) = (st.clone(), user.name.clone(), id.0);
    let published = blocking("publishing the proposal", move || {
        s.approve(id, &by, &body.reason)
            .map_err(|e| write_error(&s, e))
    })
    .await?;
    st.metrics().write_published();
    tracing::info!(user = %user.name, role = %user.role, proposal = id, revision = published.revision, "proposal approved and published");
    Ok(Answer {
        revision: published.revision,
        status: StatusCode::CREATED,
        body: published,
    })
}

/// Rejects a pending proposal (approver and up), recording the rejection in the change log.
#[utoipa::path(post, path = "/proposals/{id}/reject", tag = "changes",
    params(("id" = u64, Path, minimum = 0)), request_body = DecisionBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = ProposalView),
        (status = 409, description = "Already settled", body = Problem, content_type = "application/problem+json"),
        BadRequest, AccessProblems, BodyProblems, NotFound,
    ))]
pub async fn reject_proposal(
    State(st): State<AppState>,
    Approver(user): Approver,
    id: ProposalId,
    ApiJson(body): ApiJson<DecisionBody>,
) -> Result<Answer<PendingChange>, ApiError> {
    let (s, by, id) = (st.clone(), user.name.clone(), id.0);
    let proposal = blocking("rejecting the proposal", move || {
        s.reject(id, &by, &body.reason)
            .map_err(|e| write_error(&s, e))
    })
    .await?;
    tracing::info!(user = %user.name, role = %user.role, proposal = proposal.id, "proposal rejected");
    Ok(Answer::ok(st.revision(), proposal))
}

/// Server-sent events: a `revision` event with `{"revision": N}` now and whenever the
/// register reaches a new revision (written here or by another instance).
#[utoipa::path(get, path = "/changes/stream", tag = "changes",
    responses((status = 200, description = "text/event-stream of `revision` events", content_type = "text/event-stream", body = String)))]
pub async fn stream(
    State(st): State<AppState>,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let rx = st.subscribe_revisions();
    let events = WatchStream::new(rx)
        .take_until(st.shutdown_signal())
        .map(|rev| {
            Ok(Event::default()
                .event("revision")
                .id(rev.to_string())
                .data(format!("{{\"revision\":{rev}}}")))
        });
    Sse::new(events).keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
