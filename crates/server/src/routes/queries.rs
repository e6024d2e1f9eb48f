//! The register's questions, one endpoint per CLI query, taking the CLI's flags as query
//! parameters and answering with the same JSON as `--format json`.

use super::{ask, ask_now, ask_within, Answer, Consistency};
use crate::extract::{ApiJson, ApiQuery};
use crate::problem::responses::{BadRequest, BodyFormProblems, NotFound, QueryProblems};
use crate::problem::{ApiError, Problem};
use crate::schema;
use crate::state::AppState;
use crate::who_json::WhoJsonError;
use crate::work::Budget;
use axum::extract::State;
use axum::http::header::CONTENT_TYPE;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vires_app::trial;
use vires_core::analysis::{
    CoverageFinding, CoverageProblem, DiffAnswer, Expiring, Inheritance, Timeline,
};
use vires_core::function::FunctionDef;
use vires_core::lineage::{Lineage, MapRow};
use vires_core::{
    Diagnostic, MayAnswer, Place, Power, QueryError, Register, WhatAnswer, WhoAnswer,
};
use vires_workflow::calendar::Entry;
use vires_workflow::explain::{Explanation, InstrumentRow};
use vires_workflow::whatif::WhatIf;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(who))
        .routes(routes!(may))
        .routes(routes!(what))
        .routes(routes!(timeline))
        .routes(routes!(diff))
        .routes(routes!(gaps))
        .routes(routes!(overlaps))
        .routes(routes!(expiring))
        .routes(routes!(invalid))
        .routes(routes!(orphans))
        .routes(routes!(inheritance))
        .routes(routes!(lineage))
        .routes(routes!(search))
        .routes(routes!(map))
        .routes(routes!(bodies))
        .routes(routes!(functions))
        .routes(routes!(explain))
        .routes(routes!(powers))
        .routes(routes!(instruments))
        .routes(routes!(calendar))
        .routes(routes!(whatif))
}

/// Today's date in England (one rule with the CLI and the UI).
pub(crate) fn today() -> Date {
    vires_app::today()
}

fn query_error(e: QueryError) -> ApiError {
    ApiError::unknown_code(e.to_string())
}

/// The CLI's place flags: at most one of `practice`, `body` (the body's footprint),
/// `area` and `england=true`; none means all of England.
fn place_of(
    practice: Option<String>,
    body: Option<String>,
    area: Option<String>,
    england: Option<bool>,
) -> Result<Place, ApiError> {
    let named = practice.is_some() || body.is_some() || area.is_some();
    match vires_app::place::one_of(practice.as_deref(), body.as_deref(), area.as_deref()) {
        Some(place) if !(named && england.unwrap_or(false)) => Ok(place),
        _ => Err(ApiError::bad_parameter(
            "give at most one of `practice`, `body`, `area` and `england=true` (none means all of England)",
        )),
    }
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
        (status = 200, body = schema::WhoAnswer, headers(("Vires-Revision" = u64, description = "Register revision of the answer"))),
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
    if super::recorded_at().is_none() {
        let cur = st.current();
        let mut json = Vec::with_capacity(super::ANSWER_CAPACITY);
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
        return Ok(super::json_response(
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
        (status = 200, body = schema::MayAnswer, headers(("Vires-Revision" = u64))),
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
        (status = 200, body = schema::WhatAnswer, headers(("Vires-Revision" = u64))),
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
        (status = 200, body = schema::Timeline, headers(("Vires-Revision" = u64))),
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
        (status = 200, body = schema::DiffAnswer, headers(("Vires-Revision" = u64))),
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
        (status = 200, body = Vec<schema::CoverageFinding>, headers(("Vires-Revision" = u64))),
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
        (status = 200, body = Vec<schema::CoverageFinding>, headers(("Vires-Revision" = u64))),
        QueryProblems, NotFound,
    ))]
pub async fn overlaps(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<CoverageParams>,
) -> Result<Answer<Vec<CoverageFinding>>, ApiError> {
    coverage(&st, p, Some(CoverageProblem::Overlap)).await
}

/// The longest look-ahead accepted, in days (100 years).
const MAX_DAYS: u32 = 36_525;

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
        (status = 200, body = Vec<schema::Expiring>, headers(("Vires-Revision" = u64))),
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoParams {}

/// Error diagnostics: instruments that are void, and why.
#[utoipa::path(get, path = "/invalid", tag = "analyses", params(Consistency),
    responses(
        (status = 200, body = Vec<schema::Diagnostic>, headers(("Vires-Revision" = u64))),
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
        (status = 200, body = Vec<schema::Diagnostic>, headers(("Vires-Revision" = u64))),
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
#[derive(Debug, Serialize)]
pub struct InheritanceAnswer {
    pub inherited: Vec<Inheritance>,
    pub orphans: Vec<Diagnostic>,
}

/// The schema of [`InheritanceAnswer`].
#[derive(Debug, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
#[schema(as = InheritanceAnswer)]
pub struct InheritanceSchema {
    pub inherited: Vec<schema::Inheritance>,
    pub orphans: Vec<schema::Diagnostic>,
}

/// Instruments carried on to a successor body by a merger, and orphaned arrangements.
#[utoipa::path(get, path = "/inheritance", tag = "analyses", params(Consistency),
    responses(
        (status = 200, body = InheritanceSchema, headers(("Vires-Revision" = u64))),
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
        (status = 200, body = schema::Lineage, headers(("Vires-Revision" = u64))),
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
        (status = 200, body = schema::SearchAnswer, headers(("Vires-Revision" = u64))),
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
pub struct MapParams {
    /// Map every commissioner code onto the bodies carrying it on this date; default today.
    #[param(value_type = Option<String>, format = Date)]
    to: Option<Date>,
}

/// Every commissioner code ever known, mapped onto the bodies that carry it on a date.
#[utoipa::path(get, path = "/map", tag = "queries", params(MapParams, Consistency),
    responses(
        (status = 200, body = Vec<schema::MapRow>, headers(("Vires-Revision" = u64))),
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

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct BodiesParams {
    /// Default today.
    #[param(value_type = Option<String>, format = Date)]
    on: Option<Date>,
    #[param(value_type = Option<schema::BodyKind>)]
    kind: Option<vires_core::BodyKind>,
}

/// A body alive on the date asked about.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct BodyView {
    pub code: String,
    pub name: String,
    pub kind: schema::BodyKind,
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub until: Option<String>,
}

/// Bodies alive on a date, optionally of one kind, in code order.
#[utoipa::path(get, path = "/bodies", tag = "queries", params(BodiesParams, Consistency),
    responses(
        (status = 200, body = Vec<BodyView>, headers(("Vires-Revision" = u64))),
        QueryProblems,
    ))]
pub async fn bodies(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<BodiesParams>,
) -> Result<Answer<Vec<serde_json::Value>>, ApiError> {
    let on = p.on.unwrap_or_else(today);
    ask(&st, move |s| {
        let reg = s.register();
        Ok(reg
            .bodies_on(on, p.kind)
            .into_iter()
            .map(|b| {
                let body = reg.body(b);
                serde_json::json!({
                    "code": body.code,
                    "name": body.name,
                    "kind": body.kind,
                    "from": body.life.from,
                    "until": body.life.until,
                })
            })
            .collect())
    })
    .await
}

/// The function taxonomy: ids, names and notes.
#[utoipa::path(get, path = "/functions", tag = "queries", params(Consistency),
    responses(
        (status = 200, body = Vec<schema::FunctionDef>, headers(("Vires-Revision" = u64))),
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
        (status = 200, body = schema::Explanation, headers(("Vires-Revision" = u64))),
        (status = 404, description = "No instrument has the id", body = Problem, content_type = "application/problem+json"),
        QueryProblems,
    ))]
pub async fn explain(
    State(st): State<AppState>,
    ApiQuery(p): ApiQuery<ExplainParams>,
) -> Result<Answer<Explanation>, ApiError> {
    ask(&st, move |s| {
        vires_workflow::explain::explain(s, &p.instrument).ok_or_else(|| {
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
        (status = 200, body = Vec<schema::Power>, headers(("Vires-Revision" = u64))),
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
        (status = 200, body = Vec<schema::InstrumentRow>, headers(("Vires-Revision" = u64))),
        QueryProblems,
    ))]
pub async fn instruments(
    State(st): State<AppState>,
    _q: ApiQuery<NoParams>,
) -> Result<Answer<Vec<InstrumentRow>>, ApiError> {
    ask(&st, |s| Ok(vires_workflow::explain::instruments(s))).await
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
        (status = 200, headers(("Vires-Revision" = u64)), content(
            (Vec<schema::CalendarEntry> = "application/json"),
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
        resp.headers_mut().insert(super::REVISION_HEADER, v);
    }
    Ok(resp)
}

/// A proposal for `POST /whatif`: instruments (and any new bodies) not yet in force.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WhatIfBody {
    /// The proposal's instruments, in the form `POST /changes` takes; their ids must be new.
    pub instruments: Vec<schema::InstrumentInput>,
    /// Bodies the proposal creates.
    #[serde(default)]
    pub bodies: Vec<schema::BodyInput>,
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
        (status = 200, body = schema::WhatIf, headers(("Vires-Revision" = u64))),
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
        Ok(vires_workflow::whatif::what_if(
            s,
            &tried.snapshot,
            &ids,
            true,
            on,
        ))
    })
    .await
}

#[cfg(test)]
mod plain_query_tests {
    use super::{BodiesParams, ExpiringParams, MayParams, WhoParams};
    use crate::routes::changes::ListParams;
    use serde::de::DeserializeOwned;
    use std::fmt::Debug;

    /// The plain reading and serde_urlencoded's accept the same queries and read the same
    /// values from them.
    fn agree<T: DeserializeOwned + Debug>(raw: &str) -> Result<(), String> {
        let plain = crate::plain_query::from_plain_query::<T>(raw);
        let decoded = serde_urlencoded::from_str::<T>(raw);
        match (&plain, &decoded) {
            (Ok(a), Ok(b)) if format!("{a:?}") == format!("{b:?}") => Ok(()),
            (Err(_), Err(_)) => Ok(()),
            _ => Err(format!(
                "{raw}: plain {plain:?}, serde_urlencoded {decoded:?}"
            )),
        }
    }

    proptest::proptest! {
        #[test]
        fn plain_queries_read_as_serde_urlencoded_reads_them(
            pairs in proptest::collection::vec((
                "(function|practice|body|area|england|on|purpose|as|days|kind|since|limit|colour|)",
                proptest::option::of("(commissioning.primary-care|A85001|X24|true|false|1|0|-1|4294967296|2021-06-01|2021-02-30|icb|ccg|Icb|nhs-england||a=b|é)"),
            ), 0..6),
            seps in "&{1,2}",
        ) {
            let raw = pairs
                .iter()
                .map(|(k, v)| match v {
                    Some(v) => format!("{k}={v}"),
                    None => k.clone(),
                })
                .collect::<Vec<_>>()
                .join(&seps);
            for check in [
                agree::<WhoParams>,
                agree::<MayParams>,
                agree::<ExpiringParams>,
                agree::<BodiesParams>,
                agree::<ListParams>,
            ] {
                if let Err(e) = check(&raw) {
                    return Err(proptest::test_runner::TestCaseError::fail(e));
                }
            }
        }
    }
}
