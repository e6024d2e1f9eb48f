//! Operability: liveness, readiness, metrics, a trivial ping for benchmarks, and status.

use super::{blocking, Answer};
use crate::problem::responses::Unavailable;
use crate::problem::ApiError;
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::response::IntoResponse;
use serde::{Deserialize, Serialize};
use std::time::Duration;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

/// The probes, open to anyone whatever `auth.read` says: they tell only whether the server
/// is up.
pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(healthz))
        .routes(routes!(readyz))
        .routes(routes!(ping))
}

/// What the server has done (`/metrics`) and holds (`/status`): closed with the register's
/// other reads when `auth.read = "token"`.
pub fn reader_router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(metrics))
        .routes(routes!(status))
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub revision: u64,
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "ops",
    responses((status = 200, body = Health)))]
pub async fn healthz(State(st): State<AppState>) -> Answer<Health> {
    let revision = st.revision();
    Answer::ok(
        revision,
        Health {
            status: "ok".into(),
            revision,
        },
    )
}

/// Readiness: the store answers within a second and the server is not shutting down.
#[utoipa::path(get, path = "/readyz", tag = "ops",
    responses(
        (status = 200, body = Health),
        Unavailable,
    ))]
pub async fn readyz(State(st): State<AppState>) -> Result<Answer<Health>, ApiError> {
    if st.is_shutting_down() {
        return Err(ApiError::unavailable("the server is shutting down"));
    }
    let store = st.store().clone();
    let head = tokio::time::timeout(
        Duration::from_secs(1),
        blocking("checking the store", move || {
            store
                .head()
                .map_err(|e| ApiError::unavailable(format!("the store does not answer: {e}")))
        }),
    )
    .await
    .map_err(|_| ApiError::unavailable("the store did not answer within a second"))??;
    let revision = st.revision();
    Ok(Answer::ok(
        revision,
        Health {
            status: if head.0 > revision {
                "catching-up"
            } else {
                "ok"
            }
            .into(),
            revision,
        },
    ))
}

/// Prometheus metrics (text exposition format).
#[utoipa::path(get, path = "/metrics", tag = "ops",
    responses((status = 200, description = "Prometheus text", content_type = "text/plain", body = String)))]
pub async fn metrics(State(st): State<AppState>) -> impl IntoResponse {
    (
        [(CONTENT_TYPE, "text/plain; version=0.0.4; charset=utf-8")],
        st.metrics().render(),
    )
}

/// A trivial answer, for measuring the HTTP stack alone.
#[utoipa::path(get, path = "/ping", tag = "ops",
    responses((status = 200, description = "pong", content_type = "text/plain", body = String)))]
pub async fn ping() -> &'static str {
    "pong"
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct Status {
    pub revision: u64,
    /// `sqlite` or `postgres`.
    pub backend: String,
    pub bodies: usize,
    pub instruments: usize,
    pub grants: usize,
    pub errors: usize,
    pub warnings: usize,
    /// Change-log entries that could not be applied (they change nothing).
    pub replay_issues: Vec<ReplayIssueView>,
    #[schema(format = DateTime)]
    pub built_at: String,
    /// The change log's head, `SEQ:HASH` (also in every answer's `Vires-Log-Head`).
    pub log_head: String,
    /// Why the change log did not verify when the server started, if it did not and was
    /// served anyway (`audit.allow_broken_log`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub log_broken: Option<String>,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ReplayIssueView {
    pub seq: u64,
    pub message: String,
}

/// The register this instance answers from.
#[utoipa::path(get, path = "/status", tag = "ops",
    responses((status = 200, body = Status)))]
pub async fn status(State(st): State<AppState>) -> Answer<Status> {
    let cur = st.current();
    let s = &cur.snapshot;
    let errors = s
        .diagnostics
        .iter()
        .filter(|d| d.severity == vires_core::Severity::Error)
        .count();
    Answer::ok(
        cur.revision,
        Status {
            revision: cur.revision,
            backend: match st.store().backend() {
                vires_store::Backend::Sqlite => "sqlite",
                vires_store::Backend::Postgres => "postgres",
            }
            .into(),
            bodies: s.register().bodies.len(),
            instruments: s.register().instruments.len(),
            grants: s.grant_count(),
            errors,
            warnings: s.diagnostics.len() - errors,
            replay_issues: cur
                .replay_issues
                .iter()
                .map(|i| ReplayIssueView {
                    seq: i.seq,
                    message: i.message.clone(),
                })
                .collect(),
            built_at: cur.built_at.to_string(),
            log_head: format!("{}:{}", cur.revision, cur.head_hash),
            log_broken: st.log_finding().map(str::to_string),
        },
    )
}
