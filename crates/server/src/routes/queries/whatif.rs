//! What a proposal would change, tried on a copy of the register and never written.

use super::NoParams;
use crate::change_forms;
use crate::extract::{ApiJson, ApiQuery};
use crate::problem::responses::{BodyFormProblems, QueryProblems};
use crate::problem::{ApiError, Problem};
use crate::routes::{ask_within, Answer, Consistency};
use crate::state::AppState;
use crate::work::Budget;
use axum::extract::State;
use axum::http::StatusCode;
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vires_app::trial;
use vires_core::whatif::WhatIf;
use vires_core::Register;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(whatif))
}

/// A proposal for `POST /whatif`: instruments (and any new bodies) not yet in force.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfBody {
    /// The proposal's instruments, in the form `POST /changes` takes; their ids must be new.
    pub instruments: Vec<change_forms::InstrumentInput>,
    /// Bodies the proposal creates.
    #[serde(default)]
    pub bodies: Vec<change_forms::BodyInput>,
    /// The date to compare on; default the earliest `from` of the instruments.
    #[serde(default)]
    #[schema(value_type = Option<String>, format = Date)]
    pub on: Option<Date>,
}

fn invalid_proposal(at: String, message: String) -> ApiError {
    ApiError::unprocessable(
        "invalid-body",
        "Invalid request body",
        format!("at `{at}`: {message}"),
    )
    .with_errors(vec![crate::problem::ProblemItem {
        at: Some(at),
        code: None,
        message,
    }])
}

/// The proposal tried on the register (the one trial, `vires_app::trial::proposal`), and
/// the date to compare on: `on`, or the earliest `from` of the proposal's instruments.
fn with_proposal(
    base: &Register,
    body: WhatIfBody,
    budget: &Budget,
) -> Result<(vires_core::Trial, Vec<String>, Date), ApiError> {
    if body.instruments.is_empty() {
        return Err(invalid_proposal(
            "instruments".into(),
            "the proposal holds no instruments; give at least one".into(),
        ));
    }
    trial::date_in_range("on".into(), body.on).map_err(|m| invalid_proposal(m.at, m.message))?;
    let earliest = body.instruments.iter().map(|i| i.from).min();
    let bodies = body.bodies.into_iter().map(Into::into).collect();
    let instruments = body.instruments.into_iter().map(Into::into).collect();
    budget.check()?;
    let (tried, ids) = trial::proposal(base, bodies, instruments)
        .map_err(|m| invalid_proposal(m.at, m.message))?;
    let on = body.on.or(earliest).unwrap_or(trial::EARLIEST);
    Ok((tried, ids, on))
}

/// What would change if a proposal took effect (`vires whatif`): the proposal's instruments
/// are put on top of the register, and the answer is their validity, their findings, and the
/// holdings added and removed on `on`. Nothing is written.
#[utoipa::path(post, path = "/whatif", tag = "queries", params(Consistency),
    request_body = WhatIfBody,
    responses(
        (status = 200, body = WhatIf),
        (status = 422, description = "The proposal has a bad field, no instruments, or an id the register already has", body = Problem, content_type = "application/problem+json"),
        QueryProblems, BodyFormProblems,
    ))]
pub async fn whatif(
    State(st): State<AppState>,
    _q: ApiQuery<NoParams>,
    ApiJson(body): ApiJson<WhatIfBody>,
) -> Result<Answer<WhatIf>, ApiError> {
    let most = st.config().limits.max_whatif_instruments;
    if body.instruments.len() > most {
        return Err(ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too-many-instruments",
            "Too many instruments",
            format!(
                "the proposal holds {} instruments; a what-if takes at most {most} (limits.max_whatif_instruments). Split the proposal",
                body.instruments.len()
            ),
        )
        .with_errors(vec![crate::problem::ProblemItem {
            at: Some("instruments".into()),
            code: None,
            message: format!("at most {most} instruments"),
        }]));
    }
    ask_within(&st, move |s, budget| {
        let (tried, ids, on) = with_proposal(s.register(), body, budget)?;
        budget.check()?;
        Ok(vires_core::whatif::what_if(
            s,
            &tried.snapshot,
            &ids,
            true,
            on,
        ))
    })
    .await
}
