//! HTTP handlers, one module per concept. Handlers are thin: parse, call the core or the
//! store, serialise.

pub mod auth;
pub mod changes;
pub mod ops;
pub mod procure;
pub mod queries;

use crate::problem::ApiError;
use crate::state::AppState;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde::Serialize;
use utoipa::IntoParams;
use vires_core::Snapshot;

pub const REVISION_HEADER: &str = "vires-revision";
pub const MIN_REVISION_HEADER: &str = "vires-min-revision";

/// Read-your-writes: a request may ask to be answered from at least this revision.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct Consistency {
    /// Answer only from this register revision or a later one; waits up to 2 s for it,
    /// else 409. The `Vires-Min-Revision` header does the same.
    #[param(minimum = 0)]
    min_revision: Option<u64>,
}

/// A JSON answer computed from one revision, which goes in the `Vires-Revision` header.
pub struct Answer<T> {
    pub revision: u64,
    pub status: StatusCode,
    pub body: T,
}

impl<T> Answer<T> {
    pub fn ok(revision: u64, body: T) -> Self {
        Answer {
            revision,
            status: StatusCode::OK,
            body,
        }
    }
}

impl<T: Serialize> IntoResponse for Answer<T> {
    fn into_response(self) -> Response {
        let mut resp = (self.status, Json(self.body)).into_response();
        if let Ok(v) = HeaderValue::from_str(&self.revision.to_string()) {
            resp.headers_mut().insert(REVISION_HEADER, v);
        }
        resp
    }
}

/// Runs a question against the current snapshot off the async threads (some analyses walk
/// every practice in England).
pub async fn ask<T, F>(state: &AppState, f: F) -> Result<Answer<T>, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Snapshot) -> Result<T, ApiError> + Send + 'static,
{
    let cur = state.current();
    let revision = cur.revision;
    let body = tokio::task::spawn_blocking(move || f(&cur.snapshot))
        .await
        .map_err(|e| ApiError::internal("answering the question", e))??;
    Ok(Answer::ok(revision, body))
}

/// Answers a question that costs microseconds (`who`, `may`, `what`) on the async worker
/// itself: handing it to the blocking pool would cost more than the question, and halved
/// the throughput of `GET /who` in the HTTP benchmark.
pub fn ask_now<T, F>(state: &AppState, f: F) -> Result<Answer<T>, ApiError>
where
    F: FnOnce(&Snapshot) -> Result<T, ApiError>,
{
    let cur = state.current();
    Ok(Answer::ok(cur.revision, f(&cur.snapshot)?))
}

/// Runs blocking store work off the async threads.
pub async fn blocking<T, F>(what: &'static str, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, ApiError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| ApiError::internal(what, e))?
}
