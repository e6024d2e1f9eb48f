//! Procurement: which route is lawful for a proposed contract on its start date (the same
//! answer as `vires procure FILE --format json`).

use super::{ask, Answer};
use crate::extract::ApiJson;
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(procure))
}

/// The regime in force on the contract's start date, the processes permitted and refused
/// (with reasons), the steps required, and every requirement from the register that applies.
/// The body is a proposed contract as described in docs/procurement.md.
#[utoipa::path(post, path = "/procure", tag = "procurement",
    request_body(content = Object, description = "A proposed contract (docs/procurement.md)", content_type = "application/json"),
    responses(
        (status = 200, description = "The assessment", body = Object, headers(("Vires-Revision" = u64))),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "The contract names a missing or bad field, or an unknown body", body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn procure(
    State(st): State<AppState>,
    ApiJson(body): ApiJson<serde_json::Value>,
) -> Result<Answer<serde_json::Value>, ApiError> {
    let text = body.to_string();
    ask(&st, move |s| {
        let a = vires_procure::assess::assess_json(&text, s).map_err(|e| {
            if e.is_input_error() {
                ApiError::unprocessable(
                    "bad-contract",
                    "The contract cannot be assessed",
                    e.to_string(),
                )
            } else {
                ApiError::internal("assessing the contract", e)
            }
        })?;
        serde_json::to_value(&a).map_err(|e| ApiError::internal("serialising the assessment", e))
    })
    .await
}
