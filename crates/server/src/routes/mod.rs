//! HTTP handlers, one module per concept. Handlers are thin: parse, call the core or the
//! store, serialise.

pub mod auth;
pub mod changes;
pub mod ops;
pub mod procure;
pub mod queries;

use crate::problem::ApiError;
use crate::state::AppState;
use crate::work::Budget;
use axum::extract::Request;
use axum::http::{HeaderValue, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use futures_util::future::{BoxFuture, Either};
use jiff::Timestamp;
use serde::Serialize;
use std::convert::Infallible;
use std::task::{Context, Poll};
use tower::ServiceExt;
use utoipa::IntoParams;
use vires_core::Snapshot;

pub const REVISION_HEADER: &str = "vires-revision";
pub const MIN_REVISION_HEADER: &str = "vires-min-revision";
/// `SEQ:HASH` of the change log's head, on every answer.
pub const LOG_HEAD_HEADER: &str = "vires-log-head";
/// Set on answers given from the register as recorded at an earlier moment.
pub const RECORDED_AT_HEADER: &str = "vires-recorded-at";

/// Declares the headers every response carries (`finish` in `lib.rs` sets them on answers
/// and problems alike) on every response of every operation of `doc`: declared once here
/// rather than on each route, so no route can leave them out.
pub(crate) fn declare_answer_headers(doc: &mut utoipa::openapi::OpenApi) {
    use utoipa::openapi::header::HeaderBuilder;
    use utoipa::openapi::RefOr;
    let revision = HeaderBuilder::new()
        .schema(<u64 as utoipa::PartialSchema>::schema())
        .description(Some(
            "The register revision the answer was computed from: the number of the last \
             change log entry applied. Send it back as `min_revision` (or \
             `Vires-Min-Revision`) to be answered from that revision or a later one.",
        ))
        .build();
    let log_head = HeaderBuilder::new()
        .schema(<String as utoipa::PartialSchema>::schema())
        .description(Some(
            "The change log's head when the answer was sent, as `SEQ:HASH`: the sequence \
             number and hash of its last entry. Keep it to check later that the log still \
             holds that entry (`vires audit verify --expect-head HASH`).",
        ))
        .build();
    for item in doc.paths.paths.values_mut() {
        let operations = [
            &mut item.get,
            &mut item.put,
            &mut item.post,
            &mut item.delete,
            &mut item.options,
            &mut item.head,
            &mut item.patch,
            &mut item.trace,
        ];
        for op in operations.into_iter().flatten() {
            for response in op.responses.responses.values_mut() {
                if let RefOr::T(response) = response {
                    response
                        .headers
                        .insert("Vires-Revision".into(), revision.clone());
                    response
                        .headers
                        .insert("Vires-Log-Head".into(), log_head.clone());
                }
            }
        }
    }
}

tokio::task_local! {
    /// `recorded_at` of the query being answered, set by the [`as_recorded`] layer.
    static RECORDED_AT: Timestamp;
}

/// The register as recorded at a moment rather than now: the `recorded_at` query parameter
/// of every query route. It is taken off the query string here, so a handler's strict
/// parameters never see it, and routes without this layer refuse it as unknown.
///
/// The same layer admits the caller first (see [`crate::auth::admit_reader`]): one layer
/// rather than two, since every layer is a level each request goes through.
///
/// A hand-written service rather than `middleware::from_fn`: nearly every request (public
/// reads, no `recorded_at`) goes straight to the handler without a boxed future, a boxed
/// clone of the route or a clone of the state, which were 5% of `GET /who`'s instructions.
#[derive(Clone)]
pub struct AsRecordedLayer {
    state: AppState,
}

impl AsRecordedLayer {
    pub fn new(state: AppState) -> Self {
        AsRecordedLayer { state }
    }
}

impl<S> tower::Layer<S> for AsRecordedLayer {
    type Service = AsRecorded<S>;

    fn layer(&self, inner: S) -> AsRecorded<S> {
        AsRecorded {
            inner,
            state: self.state.clone(),
        }
    }
}

/// The service of [`AsRecordedLayer`].
#[derive(Clone)]
pub struct AsRecorded<S> {
    inner: S,
    state: AppState,
}

impl<S> tower::Service<Request> for AsRecorded<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Either<S::Future, BoxFuture<'static, Result<Response, Infallible>>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        let public = self.state.config().auth.read == crate::config::ReadAccess::Public;
        let now = !req
            .uri()
            .query()
            .is_some_and(|q| crate::extract::has_param(q, "recorded_at"));
        if public && now {
            return Either::Left(self.inner.call(req));
        }
        // The service made ready is the one to call; a clone takes its place.
        let clone = self.inner.clone();
        let ready = std::mem::replace(&mut self.inner, clone);
        let state = self.state.clone();
        Either::Right(Box::pin(async move {
            Ok(as_recorded(state, req, ready)
                .await
                .unwrap_or_else(IntoResponse::into_response))
        }))
    }
}

async fn as_recorded<S>(state: AppState, req: Request, inner: S) -> Result<Response, ApiError>
where
    S: tower::Service<Request, Response = Response, Error = Infallible>,
{
    let mut req = crate::auth::admit_reader(&state, req).await?;
    let run = |req| async move {
        match inner.oneshot(req).await {
            Ok(resp) => resp,
            Err(never) => match never {},
        }
    };
    let Some(query) = req
        .uri()
        .query()
        .filter(|q| crate::extract::has_param(q, "recorded_at"))
        .map(str::to_owned)
    else {
        return Ok(run(req).await);
    };
    let mut at = None;
    let mut rest: Vec<(String, String)> = Vec::new();
    for (k, v) in form_urlencoded::parse(query.as_bytes()) {
        if k == "recorded_at" {
            if at.is_some() {
                return Err(ApiError::bad_parameter(
                    "parameter `recorded_at` is given more than once; give it once",
                ));
            }
            let t: Timestamp = v.trim().parse().map_err(|_| {
                ApiError::bad_parameter(format!(
                    "recorded_at `{v}` is not a moment; give an RFC 3339 timestamp such as 2021-05-01T00:00:00Z"
                ))
            })?;
            at = Some(t);
        } else {
            rest.push((k.into_owned(), v.into_owned()));
        }
    }
    let Some(t) = at else {
        return Ok(run(req).await);
    };
    // Built in one expression: the serializer holds a `&dyn Fn` and must not live across
    // an await.
    let rest = form_urlencoded::Serializer::new(String::new())
        .extend_pairs(&rest)
        .finish();
    let path = req.uri().path().to_owned();
    let pq = if rest.is_empty() {
        path
    } else {
        format!("{path}?{rest}")
    };
    let mut parts = req.uri().clone().into_parts();
    parts.path_and_query = Some(
        pq.parse()
            .map_err(|_| ApiError::bad_parameter("the query string cannot be read"))?,
    );
    *req.uri_mut() = Uri::from_parts(parts)
        .map_err(|_| ApiError::bad_parameter("the query string cannot be read"))?;
    let mut resp = RECORDED_AT.scope(t, run(req)).await;
    if let Ok(v) = HeaderValue::from_str(&t.to_string()) {
        resp.headers_mut().insert(RECORDED_AT_HEADER, v);
    }
    Ok(resp)
}

pub(crate) fn recorded_at() -> Option<Timestamp> {
    RECORDED_AT.try_with(|t| *t).ok()
}

/// Read-your-writes: a request may ask to be answered from at least this revision.
#[derive(Debug, IntoParams)]
#[into_params(parameter_in = Query)]
#[allow(dead_code)]
pub struct Consistency {
    /// Answer only from this register revision or a later one; waits up to 2 s for it,
    /// else 409. The `Vires-Min-Revision` header does the same.
    #[param(minimum = 0)]
    min_revision: Option<u64>,
    /// Answer from the register as it was recorded at this moment (RFC 3339), before any
    /// later change or correction: "what did the register say then?".
    #[param(value_type = Option<String>, format = DateTime)]
    recorded_at: Option<String>,
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
        // sonic-rs writes the same JSON as serde_json from the same `Serialize` impls, with
        // SIMD string escaping: an answer is mostly the long titles and sources of its proof.
        // Sized so that a typical answer does not regrow it: the writer reserves room for
        // the worst-case escaping of each string before writing it.
        let mut buf = Vec::with_capacity(ANSWER_CAPACITY);
        match sonic_rs::to_writer(&mut buf, &self.body) {
            Ok(()) => json_response(self.status, self.revision, buf),
            // As axum's `Json` does: an answer that cannot be serialised is the server's fault.
            Err(e) => ApiError::internal("serialising the answer", e).into_response(),
        }
    }
}

/// Room for a typical answer's JSON.
pub(crate) const ANSWER_CAPACITY: usize = 4096;

/// An answer's JSON as the response, with the revision it was computed from.
pub(crate) fn json_response(status: StatusCode, revision: u64, json: Vec<u8>) -> Response {
    let mut resp = (
        status,
        [(
            axum::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        )],
        json,
    )
        .into_response();
    resp.headers_mut()
        .insert(REVISION_HEADER, HeaderValue::from(revision));
    resp
}

/// Runs a question against the current snapshot off the async threads (some analyses walk
/// every practice in England), in a turn for heavy work (see [`crate::work`]).
pub async fn ask<T, F>(state: &AppState, f: F) -> Result<Answer<T>, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Snapshot) -> Result<T, ApiError> + Send + 'static,
{
    ask_within(state, move |s, _| f(s)).await
}

/// [`ask`] for a question with long loops: it is given the [`Budget`] to check in them, so
/// it stops when the request times out or is abandoned.
pub async fn ask_within<T, F>(state: &AppState, f: F) -> Result<Answer<T>, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Snapshot, &Budget) -> Result<T, ApiError> + Send + 'static,
{
    let st = state.clone();
    let at = recorded_at();
    let (revision, body) = state
        .heavy()
        .run(move |budget| {
            let cur = match at {
                Some(t) => st
                    .as_recorded_at(t)
                    .map_err(|e| ApiError::internal("reading the register as recorded then", e))?,
                None => st.current(),
            };
            budget.check()?;
            f(&cur.snapshot, budget).map(|body| (cur.revision, body))
        })
        .await?;
    Ok(Answer::ok(revision, body))
}

/// Answers a question that costs microseconds (`who`, `may`, `what`) on the async worker
/// itself: handing it to the blocking pool would cost more than the question, and halved
/// the throughput of `GET /who` in the HTTP benchmark.
/// A question about an earlier record goes to the blocking pool like any other, since
/// that register may have to be compiled first.
pub async fn ask_now<T, F>(state: &AppState, f: F) -> Result<Answer<T>, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&Snapshot) -> Result<T, ApiError> + Send + 'static,
{
    if recorded_at().is_some() {
        return ask(state, f).await;
    }
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;
    use vires_core::{Coverage, Date, Holder, Place, ProofStep, Role, WhoAnswer};

    /// Answers are written by sonic-rs; clients and the CLI's `--format json` expect
    /// serde_json's bytes, escaping included.
    #[test]
    fn answers_are_written_as_serde_json_writes_them() {
        let step = Arc::new(ProofStep {
            instrument: "del-\"q\"-2019".into(),
            kind: vires_core::InstrumentKind::Delegation,
            title: "Tab\there, newline\nthere, bell \u{7}, é, “quotes”, back\\slash, </script>"
                .into(),
            basis: Some("NHS Act 2006 s.13Z \u{1f}".into()),
            source: None,
        });
        let holder = Holder {
            body: "QWE".into(),
            name: "NHS South West London Integrated Care Board".into(),
            role: Role::Delegate,
            accountable: "X24".into(),
            purposes: vec!["covid-19".into()],
            function: "commissioning.primary-care.dental".into(),
            coverage: Coverage::Partial,
            from: Date::constant(2023, 4, 1),
            until: Some(Date::constant(2026, 3, 31)),
            proof: vec![step.clone(), step].into(),
            part: None,
            holdings: Vec::new(),
        };
        let answer = WhoAnswer {
            function: "commissioning.primary-care.dental".into(),
            on: Date::constant(2024, 1, 2),
            place: Place::Practice("H85001".into()),
            purpose: Some("covid-19".into()),
            holders: vec![holder],
            accountable_only: vec!["X24".into()],
            caveats: vec![vires_core::Caveat {
                kind: vires_core::CaveatKind::IncompleteRecord,
                message: "in one of “00F”, \"00G\"\n".into(),
                source: "ODS epraccur </script>".into(),
                candidates: vec!["00F".into()],
                part: Some(vires_core::Part {
                    practices: 2,
                    of: 7,
                    area: vec!["practice A85001".into(), "footprint(\"13T\")".into()],
                }),
            }],
        };
        let ours = sonic_rs::to_vec(&answer).expect("sonic-rs writes the answer");
        let theirs = serde_json::to_vec(&answer).expect("serde_json writes the answer");
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }

    /// The procurement answers carry amounts in pounds as floating point, in a
    /// `serde_json::Value` (whose maps keep their order here).
    #[test]
    fn amounts_are_written_as_serde_json_writes_them() {
        let amounts = [
            0.0,
            -0.0,
            0.1,
            1.5,
            25_000.0,
            213_477.0,
            1_500_000.0,
            5_372_609.99,
            1e16,
            1e21,
            2.5e-7,
            f64::MAX,
            f64::MIN_POSITIVE,
        ];
        let answer = serde_json::json!({
            "regime": "psr-2023",
            "estimated_value": 1_500_000.0,
            "thresholds": amounts,
            "nested": { "z": 1, "a": [true, null, "x"], "ratio": 0.333_333_333_333_333_3 },
        });
        let ours = sonic_rs::to_vec(&answer).expect("sonic-rs writes the answer");
        let theirs = serde_json::to_vec(&answer).expect("serde_json writes the answer");
        assert_eq!(
            String::from_utf8_lossy(&ours),
            String::from_utf8_lossy(&theirs)
        );
    }
}
