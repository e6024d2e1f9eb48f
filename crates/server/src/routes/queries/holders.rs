//! Who holds a power: the holders of a function at a place, whether one body may exercise
//! it, and everything a body holds.

use super::{place_of, query_error, today};
use crate::extract::ApiQuery;
use crate::problem::responses::{BadRequest, NotFound, QueryProblems};
use crate::problem::ApiError;
use crate::problem::Problem;
use crate::routes::{ask, ask_now, Answer, Consistency};
use crate::state::AppState;
use crate::who_json::WhoJsonError;
use axum::extract::State;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vires_core::{MayAnswer, WhatAnswer, WhoAnswer};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(who))
        .routes(routes!(may))
        .routes(routes!(what))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WhoParams {
    /// Function id, such as `commissioning.primary-care.dental`.
    function: String,
    /// ODS code of a GP practice.
    practice: Option<String>,
    /// Code of a body: the place is its footprint on the date.
    body: Option<String>,
    /// Id of a named area.
    area: Option<String>,
    /// All of England (the default when no place is given).
    england: Option<bool>,
    /// The date asked about (YYYY-MM-DD); default today.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<Date>,
    /// Only holders that may exercise the function for this purpose.
    purpose: Option<String>,
}

/// Who may exercise a function at a place on a date, with the proof of each holding.
#[utoipa::path(get, path = "/who", tag = "queries", params(WhoParams, Consistency),
    responses(
        (status = 200, body = WhoAnswer),
        (status = 404, description = "Unknown function, practice, body or area", body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "min_revision not reached", body = Problem, content_type = "application/problem+json"),
        BadRequest,
    ))]
pub async fn who(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<WhoParams>,
) -> Result<Response, ApiError> {
    let place = place_of(p.practice, p.body, p.area, p.england)?;
    let on = p.on.unwrap_or_else(today);
    // The register as it is now: written from the holders' JSON kept for this snapshot.
    if crate::routes::recorded_at().is_none() {
        let cur = st.current();
        let mut json = Vec::with_capacity(crate::routes::ANSWER_CAPACITY);
        cur.holder_json
            .write_who(
                &cur.snapshot,
                &p.function,
                &place,
                on,
                p.purpose.as_deref(),
                &mut json,
            )
            .map_err(|e| match e {
                WhoJsonError::Query(e) => query_error(e),
                WhoJsonError::Json(e) => ApiError::internal("serialising the answer", e),
            })?;
        return Ok(crate::routes::json_response(
            axum::http::StatusCode::OK,
            cur.revision,
            json,
        ));
    }
    let answer: Answer<WhoAnswer> = ask(&st, move |s| {
        s.who(&p.function, &place, on, p.purpose.as_deref())
            .map_err(query_error)
    })
    .await?;
    Ok(answer.into_response())
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MayParams {
    /// Code of the body asking (the CLI's `--as`).
    #[serde(rename = "as")]
    actor: String,
    function: String,
    practice: Option<String>,
    /// A body's footprint as the place.
    body: Option<String>,
    area: Option<String>,
    england: Option<bool>,
    #[param(value_type = Option<String>, format = Date)]
    on: Option<Date>,
    purpose: Option<String>,
}

/// May this body exercise this function here, on this date, for this purpose?
#[utoipa::path(get, path = "/may", tag = "queries", params(MayParams, Consistency),
    responses(
        (status = 200, body = MayAnswer),
        QueryProblems, NotFound,
    ))]
pub async fn may(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<MayParams>,
) -> Result<Answer<MayAnswer>, ApiError> {
    let place = place_of(p.practice, p.body, p.area, p.england)?;
    let on = p.on.unwrap_or_else(today);
    ask_now(&st, move |s| {
        s.may(
            &vires_app::place::code(&p.actor),
            &p.function,
            &place,
            on,
            p.purpose.as_deref(),
        )
        .map_err(query_error)
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct WhatParams {
    /// Body code.
    code: String,
    #[param(value_type = Option<String>, format = Date)]
    on: Option<Date>,
}

/// Everything a body holds on a date.
#[utoipa::path(get, path = "/what", tag = "queries", params(WhatParams, Consistency),
    responses(
        (status = 200, body = WhatAnswer),
        QueryProblems, NotFound,
    ))]
pub async fn what(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<WhatParams>,
) -> Result<Answer<WhatAnswer>, ApiError> {
    let on = p.on.unwrap_or_else(today);
    ask_now(&st, move |s| {
        s.what(&vires_app::place::code(&p.code), on)
            .map_err(query_error)
    })
    .await
}
