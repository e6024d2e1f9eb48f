//! Findings across the register: gaps and overlaps in coverage, instruments about to
//! expire, void instruments, orphaned arrangements and what mergers carried on.

use super::{query_error, today};
use super::{NoParams, MAX_DAYS};
use crate::extract::ApiQuery;
use crate::problem::responses::{NotFound, QueryProblems};
use crate::problem::ApiError;
use crate::routes::{ask, Answer, Consistency};
use crate::state::AppState;
use axum::extract::State;
use jiff::civil::Date;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vires_core::analysis::{CoverageFinding, CoverageProblem, Expiring, Inheritance};
use vires_core::Diagnostic;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(gaps))
        .routes(routes!(overlaps))
        .routes(routes!(expiring))
        .routes(routes!(invalid))
        .routes(routes!(orphans))
        .routes(routes!(inheritance))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CoverageParams {
    /// Default `commissioning.secondary-care`, as in the CLI.
    function: Option<String>,
    /// Look up to this date (exclusive); default today.
    #[param(value_type = Option<String>, format = Date)]
    until: Option<Date>,
}

async fn coverage(
    st: &AppState,
    p: CoverageParams,
    want: Option<CoverageProblem>,
) -> Result<Answer<Vec<CoverageFinding>>, ApiError> {
    let until = p.until.unwrap_or_else(today);
    let function = p
        .function
        .unwrap_or_else(|| "commissioning.secondary-care".to_string());
    ask(st, move |s| {
        Ok(s.coverage(&function, until)
            .map_err(query_error)?
            .into_iter()
            .filter(|f| want.as_ref().is_none_or(|w| f.problem == *w))
            .collect())
    })
    .await
}

/// Gaps (no body may exercise the function without a purpose limit) and overlaps (two or
/// more hold it exclusively at once), over every practice: `vires gaps`.
#[utoipa::path(get, path = "/gaps", tag = "analyses", params(CoverageParams, Consistency),
    responses(
        (status = 200, body = Vec<CoverageFinding>),
        QueryProblems, NotFound,
    ))]
pub async fn gaps(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<CoverageParams>,
) -> Result<Answer<Vec<CoverageFinding>>, ApiError> {
    coverage(&st, p, None).await
}

/// Only the overlaps of `/gaps`.
#[utoipa::path(get, path = "/overlaps", tag = "analyses", params(CoverageParams, Consistency),
    responses(
        (status = 200, body = Vec<CoverageFinding>),
        QueryProblems, NotFound,
    ))]
pub async fn overlaps(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<CoverageParams>,
) -> Result<Answer<Vec<CoverageFinding>>, ApiError> {
    coverage(&st, p, Some(CoverageProblem::Overlap)).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExpiringParams {
    /// Default today.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<Date>,
    /// How many days ahead to look; default 90.
    #[param(minimum = 0, maximum = 36525)]
    days: Option<u32>,
}

/// Instruments in force on a date that end within some days.
#[utoipa::path(get, path = "/expiring", tag = "analyses", params(ExpiringParams, Consistency),
    responses(
        (status = 200, body = Vec<Expiring>),
        QueryProblems,
    ))]
pub async fn expiring(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<ExpiringParams>,
) -> Result<Answer<Vec<Expiring>>, ApiError> {
    let days = p.days.unwrap_or(90);
    if days > MAX_DAYS {
        return Err(ApiError::bad_parameter(format!(
            "parameter `days`: {days} is more than {MAX_DAYS} (100 years)"
        )));
    }
    let on = p.on.unwrap_or_else(today);
    ask(&st, move |s| Ok(s.expiring(on, i64::from(days)))).await
}

/// Error diagnostics: instruments that are void, and why.
#[utoipa::path(get, path = "/invalid", tag = "analyses", params(Consistency),
    responses(
        (status = 200, body = Vec<Diagnostic>),
        QueryProblems,
    ))]
pub async fn invalid(
    State(st): State<AppState>,
    _q: ApiQuery<NoParams>,
) -> Result<Answer<Vec<Diagnostic>>, ApiError> {
    ask(&st, |s| Ok(s.invalid().cloned().collect())).await
}

/// Arrangements whose receiver was abolished or whose maker lost the function.
#[utoipa::path(get, path = "/orphans", tag = "analyses", params(Consistency),
    responses(
        (status = 200, body = Vec<Diagnostic>),
        QueryProblems,
    ))]
pub async fn orphans(
    State(st): State<AppState>,
    _q: ApiQuery<NoParams>,
) -> Result<Answer<Vec<Diagnostic>>, ApiError> {
    ask(&st, |s| Ok(s.orphans().cloned().collect())).await
}

/// What `vires inheritance` answers: instruments carried to successors by mergers, and
/// arrangements orphaned.
#[derive(Debug, Serialize, ToSchema)]
pub struct InheritanceAnswer {
    pub inherited: Vec<Inheritance>,
    pub orphans: Vec<Diagnostic>,
}

/// Instruments carried on to a successor body by a merger, and orphaned arrangements.
#[utoipa::path(get, path = "/inheritance", tag = "analyses", params(Consistency),
    responses(
        (status = 200, body = InheritanceAnswer),
        QueryProblems,
    ))]
pub async fn inheritance(
    State(st): State<AppState>,
    _q: ApiQuery<NoParams>,
) -> Result<Answer<InheritanceAnswer>, ApiError> {
    ask(&st, |s| {
        Ok(InheritanceAnswer {
            inherited: s.inheritance(),
            orphans: s.orphans().cloned().collect(),
        })
    })
    .await
}
