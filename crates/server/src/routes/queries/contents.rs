//! What the register holds: search, the lists of bodies, functions, powers and
//! instruments, one instrument explained, and the calendar of expiries and reviews.

use super::today;
use super::{NoParams, MAX_DAYS};
use crate::extract::ApiQuery;
use crate::problem::responses::QueryProblems;
use crate::problem::ApiError;
use crate::problem::Problem;
use crate::routes::{ask, Answer, Consistency};
use crate::state::AppState;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::Deserialize;
use serde::Serialize;
use utoipa::IntoParams;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vires_core::explain::{Explanation, InstrumentRow};
use vires_core::function::FunctionDef;
use vires_core::{BodyKind, Power};
use vires_workflow::calendar::Entry;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(search))
        .routes(routes!(bodies))
        .routes(routes!(functions))
        .routes(routes!(explain))
        .routes(routes!(powers))
        .routes(routes!(instruments))
        .routes(routes!(calendar))
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// A code, a name or words of one, a postcode or its start, an ONS code, an instrument
    /// id or title, a function id (at most 200 characters, 8 words).
    q: String,
    /// Only what existed on this date; default everything, past and present.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<Date>,
    /// Only these kinds, separated by commas: body, practice, area, instrument, function.
    kind: Option<String>,
    /// At most this many results, best first: 1 to 200, default 20.
    limit: Option<usize>,
}

/// Bodies, GP practices, areas, instruments and functions by code, name, postcode or ONS
/// code, best match first (the same search as `vires find` and the web UI's search page).
#[utoipa::path(get, path = "/search", tag = "queries", params(SearchParams, Consistency),
    responses(
        (status = 200, body = vires_core::search::SearchAnswer),
        QueryProblems,
    ))]
pub async fn search(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<SearchParams>,
) -> Result<Answer<vires_core::search::SearchAnswer>, ApiError> {
    use vires_core::search::{FoundKind, Search, DEFAULT_LIMIT};
    let mut kinds = Vec::new();
    for k in p
        .kind
        .iter()
        .flat_map(|k| k.split(','))
        .filter(|k| !k.trim().is_empty())
    {
        kinds.push(FoundKind::parse(k).ok_or_else(|| {
            ApiError::bad_parameter(format!(
                "kind `{k}` is not a kind; give body, practice, area, instrument or function"
            ))
        })?);
    }
    let as_of = p.on.unwrap_or_else(today);
    ask(&st, move |s| {
        vires_core::search::search(
            s,
            &Search {
                text: &p.q,
                on: p.on,
                as_of,
                kinds: &kinds,
                limit: p.limit.unwrap_or(DEFAULT_LIMIT),
            },
        )
        .map_err(|e| ApiError::bad_parameter(e.to_string()))
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BodiesParams {
    /// Default today.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<Date>,
    kind: Option<BodyKind>,
}

// The fields are in the order of their names, as the answer's JSON object had them when it
// was built as a `serde_json` map.
/// A body alive on the date asked about.
#[derive(Debug, Serialize, ToSchema)]
pub struct BodyView {
    pub code: String,
    pub from: Date,
    pub kind: BodyKind,
    pub name: String,
    pub until: Option<Date>,
}

/// Bodies alive on a date, optionally of one kind, in code order.
#[utoipa::path(get, path = "/bodies", tag = "queries", params(BodiesParams, Consistency),
    responses(
        (status = 200, body = Vec<BodyView>),
        QueryProblems,
    ))]
pub async fn bodies(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<BodiesParams>,
) -> Result<Answer<Vec<BodyView>>, ApiError> {
    let on = p.on.unwrap_or_else(today);
    ask(&st, move |s| {
        let reg = s.register();
        Ok(reg
            .bodies_on(on, p.kind)
            .into_iter()
            .map(|b| {
                let body = reg.body(b);
                BodyView {
                    code: body.code.clone(),
                    from: body.life.from,
                    kind: body.kind,
                    name: body.name.clone(),
                    until: body.life.until,
                }
            })
            .collect())
    })
    .await
}

/// The function taxonomy: ids, names and notes.
#[utoipa::path(get, path = "/functions", tag = "queries", params(Consistency),
    responses(
        (status = 200, body = Vec<FunctionDef>),
        QueryProblems,
    ))]
pub async fn functions(
    State(st): State<AppState>,
    _q: ApiQuery<NoParams>,
) -> Result<Answer<Vec<FunctionDef>>, ApiError> {
    ask(&st, |s| {
        Ok(s.register()
            .taxonomy
            .iter()
            .map(|(_, d)| d.clone())
            .collect())
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ExplainParams {
    /// Instrument id (`GET /instruments` lists them).
    instrument: String,
}

/// One instrument explained: its terms, validity findings, the power it rests on, the
/// holdings it creates (the first 50) and the instruments that depend on it.
#[utoipa::path(get, path = "/explain", tag = "queries", params(ExplainParams, Consistency),
    responses(
        (status = 200, body = Explanation),
        (status = 404, description = "No instrument has the id", body = Problem, content_type = "application/problem+json"),
        QueryProblems,
    ))]
pub async fn explain(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<ExplainParams>,
) -> Result<Answer<Explanation>, ApiError> {
    ask(&st, move |s| {
        vires_core::explain::explain(s, &p.instrument).ok_or_else(|| {
            ApiError::unknown_code(format!(
                "parameter `instrument`: no instrument has id `{}`; GET /instruments lists the ids",
                p.instrument
            ))
        })
    })
    .await
}

/// The powers registry: who may make which instruments, under which basis, when.
#[utoipa::path(get, path = "/powers", tag = "queries", params(Consistency),
    responses(
        (status = 200, body = Vec<Power>),
        QueryProblems,
    ))]
pub async fn powers(
    State(st): State<AppState>,
    _q: ApiQuery<NoParams>,
) -> Result<Answer<Vec<Power>>, ApiError> {
    ask(&st, |s| Ok(s.register().powers.clone())).await
}

/// Every instrument in the register, in register order: id, kind, title, the dates it is in
/// force and whether it is valid.
#[utoipa::path(get, path = "/instruments", tag = "queries", params(Consistency),
    responses(
        (status = 200, body = Vec<InstrumentRow>),
        QueryProblems,
    ))]
pub async fn instruments(
    State(st): State<AppState>,
    _q: ApiQuery<NoParams>,
) -> Result<Answer<Vec<InstrumentRow>>, ApiError> {
    ask(&st, |s| Ok(vires_core::explain::instruments(s))).await
}

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct CalendarParams {
    /// Default today.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<Date>,
    /// How many days ahead to look; default 365.
    #[param(minimum = 0, maximum = 36525)]
    days: Option<u32>,
    /// `true`: answer as iCalendar (RFC 5545, `text/calendar`) instead of JSON.
    ics: Option<bool>,
}

/// Expiries and reviews of instruments from a date for some days (`vires calendar`), as
/// JSON or, with `ics=true`, iCalendar. Application rounds (the CLI's `--rounds`) are files
/// of the CLI and not taken here.
#[utoipa::path(get, path = "/calendar", tag = "queries", params(CalendarParams, Consistency),
    responses(
        (status = 200, content(
            (Vec<Entry> = "application/json"),
            (String = "text/calendar"),
        )),
        QueryProblems,
    ))]
pub async fn calendar(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<CalendarParams>,
) -> Result<Response, ApiError> {
    let days = p.days.unwrap_or(365);
    if days > MAX_DAYS {
        return Err(ApiError::bad_parameter(format!(
            "parameter `days`: {days} is more than {MAX_DAYS} (100 years)"
        )));
    }
    let on = p.on.unwrap_or_else(today);
    let a: Answer<Vec<Entry>> = ask(&st, move |s| {
        Ok(vires_workflow::calendar::upcoming(
            s,
            &[],
            on,
            i64::from(days),
        ))
    })
    .await?;
    if !p.ics.unwrap_or(false) {
        return Ok(a.into_response());
    }
    let text = vires_workflow::calendar::to_ics(&a.body, "vires", on);
    let mut resp = ([(CONTENT_TYPE, "text/calendar; charset=utf-8")], text).into_response();
    if let Ok(v) = HeaderValue::from_str(&a.revision.to_string()) {
        resp.headers_mut().insert(crate::routes::REVISION_HEADER, v);
    }
    Ok(resp)
}
