//! The register over time: holders of a function through the years, what changed between
//! two dates, and the codes bodies had.

use super::{place_of, query_error, today};
use crate::extract::ApiQuery;
use crate::problem::responses::{NotFound, QueryProblems};
use crate::problem::ApiError;
use crate::routes::{ask, Answer, Consistency};
use crate::state::AppState;
use axum::extract::State;
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vires_core::analysis::{DiffAnswer, Timeline};
use vires_core::lineage::{Lineage, MapRow};

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(timeline))
        .routes(routes!(diff))
        .routes(routes!(lineage))
        .routes(routes!(map))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct TimelineParams {
    function: String,
    practice: Option<String>,
    body: Option<String>,
    area: Option<String>,
    england: Option<bool>,
}

/// Holders of a function at a place over time.
#[utoipa::path(get, path = "/timeline", tag = "queries", params(TimelineParams, Consistency),
    responses(
        (status = 200, body = Timeline),
        QueryProblems, NotFound,
    ))]
pub async fn timeline(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<TimelineParams>,
) -> Result<Answer<Timeline>, ApiError> {
    let place = place_of(p.practice, p.body, p.area, p.england)?;
    ask(&st, move |s| {
        s.timeline(&p.function, &place).map_err(query_error)
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DiffParams {
    #[param(value_type = String, format = Date)]
    from: Date,
    #[param(value_type = String, format = Date)]
    to: Date,
}

/// What changed between two dates.
#[utoipa::path(get, path = "/diff", tag = "queries", params(DiffParams, Consistency),
    responses(
        (status = 200, body = DiffAnswer),
        QueryProblems,
    ))]
pub async fn diff(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<DiffParams>,
) -> Result<Answer<DiffAnswer>, ApiError> {
    ask(&st, move |s| Ok(s.diff(p.from, p.to))).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct LineageParams {
    /// A body code, current or historic.
    code: String,
}

/// Which codes became this one, and which it became.
#[utoipa::path(get, path = "/lineage", tag = "queries", params(LineageParams, Consistency),
    responses(
        (status = 200, body = Lineage),
        QueryProblems, NotFound,
    ))]
pub async fn lineage(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<LineageParams>,
) -> Result<Answer<Lineage>, ApiError> {
    ask(&st, move |s| {
        vires_core::lineage::lineage(s.register(), &vires_app::place::code(&p.code)).ok_or_else(
            || {
                ApiError::unknown_code(format!(
                    "no body or succession record has code `{}`",
                    p.code
                ))
            },
        )
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MapParams {
    /// Map every commissioner code onto the bodies carrying it on this date; default today.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<Date>,
}

/// Every commissioner code ever known, mapped onto the bodies that carry it on a date.
#[utoipa::path(get, path = "/map", tag = "queries", params(MapParams, Consistency),
    responses(
        (status = 200, body = Vec<MapRow>),
        QueryProblems,
    ))]
pub async fn map(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<MapParams>,
) -> Result<Answer<Vec<MapRow>>, ApiError> {
    let to = p.to.unwrap_or_else(today);
    ask(&st, move |s| {
        Ok(vires_core::lineage::map_to(s.register(), to))
    })
    .await
}
