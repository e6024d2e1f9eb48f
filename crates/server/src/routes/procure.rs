//! Procurement: which route is lawful for a proposed contract on its start date (the same
//! answer as `vires procure FILE --format json`).

use super::{ask, Answer, Consistency};
use crate::extract::{ApiJson, ApiQuery};
use crate::problem::responses::{BadRequest, BodyFormProblems, QueryProblems};
use crate::problem::{ApiError, Problem, ProblemItem};
use crate::routes::queries::NoParams;
use crate::state::AppState;
use axum::extract::State;
use axum::http::StatusCode;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(procure))
        .routes(routes!(conflicts_check))
}

/// The regime in force on the contract's start date, the processes permitted and refused
/// (with reasons), the steps required, and every requirement from the register that applies.
/// The body is a proposed contract as described in docs/procurement.md.
#[utoipa::path(post, path = "/procure", tag = "procurement",
    request_body(content = Object, description = "A proposed contract (docs/procurement.md)", content_type = "application/json"),
    responses(
        (status = 200, description = "The assessment", body = Object),
        (status = 422, description = "The contract names a missing or bad field, or an unknown body", body = Problem, content_type = "application/problem+json"),
        BadRequest, BodyFormProblems,
    ))]
pub async fn procure(
    State(st): State<AppState>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Answer<serde_json::Value>, ApiError> {
    let text = body.to_string();
    ask(&st, move |s| {
        let a = vires_procure::assess::assess_json(&text, s).map_err(|e| {
            if e.is_input_error() {
                let problem = ApiError::unprocessable(
                    "bad-contract",
                    "The contract cannot be assessed",
                    e.to_string(),
                );
                // Point at the field, as `POST /conflicts/check` does.
                match e.field() {
                    Some(at) => problem.with_errors(vec![ProblemItem {
                        at: Some(at.to_string()),
                        code: None,
                        message: e.to_string(),
                    }]),
                    None => problem,
                }
            } else {
                ApiError::internal("assessing the contract", e)
            }
        })?;
        serde_json::to_value(&a).map_err(|e| ApiError::internal("serialising the assessment", e))
    })
    .await
}

/// A decision to check for conflicts of interest, with the registers of interests of the
/// bodies taking part: the JSON files of `vires conflicts check DECISION --interests FILE...`
/// (docs/procurement.md, examples/procurement/decision_*.json and register_of_interests_*.json).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConflictsBody {
    /// The decision record.
    #[schema(value_type = Object)]
    pub decision: serde_json::Value,
    /// Registers of interests, one per body taking part; at least one.
    #[schema(value_type = Vec<Object>)]
    pub interests: Vec<serde_json::Value>,
}

fn bad_input(at: String, e: impl std::fmt::Display) -> ApiError {
    let message = e.to_string();
    ApiError::unprocessable(
        "bad-decision",
        "The decision cannot be checked",
        format!("at `{at}`: {message}"),
    )
    .with_errors(vec![ProblemItem {
        at: Some(at),
        code: None,
        message,
    }])
}

/// Checks a decision record (`vires conflicts check`, the same function): undeclared or
/// unmanaged interests, quorum after exclusions, GP members deciding on their own practice,
/// joint appointments on both sides, under the conflicts policy for the deciding body's kind
/// on the decision's date (`policy`); and the registers' gifts, hospitality and declarations
/// (`register_findings`). Parties match by ODS code or name. `sound` is false when anything
/// is wrong. The deciding body and each register's body must exist on the decision's date.
#[utoipa::path(post, path = "/conflicts/check", tag = "procurement", params(Consistency),
    request_body = ConflictsBody,
    responses(
        (status = 200, description = "The decision report: the decision, findings and `sound`", body = Object),
        (status = 422, description = "The decision or a register of interests has a missing or bad field, or names an unknown body", body = Problem, content_type = "application/problem+json"),
        QueryProblems, BodyFormProblems,
    ))]
pub async fn conflicts_check(
    State(st): State<AppState>,
    _q: ApiQuery<NoParams>,
    ApiJson(body): ApiJson<ConflictsBody>,
) -> Result<Answer<serde_json::Value>, ApiError> {
    if body.interests.is_empty() {
        return Err(bad_input(
            "interests".into(),
            "give at least one register of interests",
        ));
    }
    let most = st.config().limits.max_participants;
    let participants = body
        .decision
        .get("participants")
        .and_then(serde_json::Value::as_array)
        .map_or(0, Vec::len);
    if participants > most {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-many-participants",
            "Too many participants",
            format!(
                "the decision lists {participants} participants; a conflicts check takes at most {most} (limits.max_participants)"
            ),
        )
        .with_errors(vec![ProblemItem {
            at: Some("decision.participants".into()),
            code: None,
            message: format!("at most {most} participants"),
        }]));
    }
    let d = vires_procure::Decision::from_json(&body.decision.to_string())
        .map_err(|e| bad_input("decision".into(), e))?;
    let mut regs = Vec::new();
    for (n, r) in body.interests.iter().enumerate() {
        regs.push(
            vires_procure::InterestRegister::from_json(&r.to_string())
                .map_err(|e| bad_input(format!("interests[{n}]"), e))?,
        );
    }
    ask(&st, move |s| {
        let checked = vires_procure::check(s, Some(d), &regs).map_err(|e| {
            if !e.is_input_error() {
                return ApiError::internal("checking the decision", e);
            }
            let at = match e.field() {
                Some(f) if f.starts_with("interests[") => {
                    f.split('.').next().unwrap_or("interests").to_string()
                }
                _ => "decision".to_string(),
            };
            bad_input(at, e)
        })?;
        serde_json::to_value(&checked.decision)
            .map_err(|e| ApiError::internal("serialising the report", e))
    })
    .await
}
