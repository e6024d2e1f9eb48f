//! The register's questions, one endpoint per CLI query, taking the CLI's flags as query
//! parameters and answering with the same JSON as `--format json`. One module per kind of
//! answer.

mod analyses;
mod contents;
mod history;
mod holders;
mod whatif;

use crate::problem::ApiError;
use crate::state::AppState;
use jiff::civil::Date;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use vires_core::{Place, QueryError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .merge(holders::router())
        .merge(history::router())
        .merge(analyses::router())
        .merge(contents::router())
        .merge(whatif::router())
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

/// The longest look-ahead accepted, in days (100 years).
const MAX_DAYS: u32 = 36_525;

#[derive(Debug, Deserialize, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct NoParams {}

#[cfg(test)]
mod plain_query_tests {
    use super::analyses::ExpiringParams;
    use super::contents::BodiesParams;
    use super::holders::{MayParams, WhoParams};
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
