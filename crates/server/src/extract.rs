//! Extractors that turn every malformed request into a 4xx problem, never plain text:
//! query strings and JSON bodies are parsed here with messages that name the bad field.

use crate::problem::{ApiError, ProblemItem};
use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

/// Query parameters read by the consistency layer rather than by handlers.
pub const CONSISTENCY_PARAMS: &[&str] = &["min_revision"];

/// Query parameters, deserialised strictly: unknown parameters, duplicates and values of
/// the wrong shape (an impossible date) are 400 problems naming the parameter.
pub struct ApiQuery<T>(pub T);

impl<T, S> FromRequestParts<S> for ApiQuery<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.uri.query().unwrap_or("");
        parse_query(raw).map(ApiQuery)
    }
}

pub fn parse_query<T: DeserializeOwned>(raw: &str) -> Result<T, ApiError> {
    let keys = plain_keys(raw);
    let plain = keys.is_some();
    let consistency = match keys {
        Some(keys) => check_keys(keys)?,
        None => check_keys(form_urlencoded::parse(raw.as_bytes()).map(|(k, _)| k))?,
    };
    if plain && !consistency {
        if let Ok(v) = crate::plain_query::from_plain_query(raw) {
            return Ok(v);
        }
    }
    // The handler's parameters without the consistency layer's; the query as it came when
    // it has none of those (nearly always).
    let encoded;
    let query = if consistency {
        encoded = form_urlencoded::Serializer::new(String::new())
            .extend_pairs(
                form_urlencoded::parse(raw.as_bytes())
                    .filter(|(k, _)| !CONSISTENCY_PARAMS.contains(&k.as_ref())),
            )
            .finish();
        encoded.as_str()
    } else {
        raw
    };
    let de = || serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
    // Tracking the path of every field costs as much as the parse; only a refused query
    // needs it, for its message, so that one is read a second time.
    if let Ok(v) = T::deserialize(de()) {
        return Ok(v);
    }
    serde_path_to_error::deserialize(de()).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner().to_string();
        let detail = if path == "." || path.is_empty() {
            friendly_param(&inner)
        } else {
            format!("parameter `{path}`: {}", friendly_param(&inner))
        };
        ApiError::bad_parameter(detail).with_errors(vec![ProblemItem {
            at: (path != ".").then_some(path),
            code: None,
            message: inner,
        }])
    })
}

/// The keys of a query string read as they stand, when nothing in it is encoded (no `%`
/// or `+`, as in nearly every query a program sends): then they are the decoded keys, and
/// reading them needs no decoding and no copies. `None` for any other query.
pub fn plain_keys(raw: &str) -> Option<impl Iterator<Item = &str>> {
    if raw.bytes().any(|b| b == b'%' || b == b'+') {
        return None;
    }
    Some(crate::plain_query::Pairs { rest: raw }.map(|(k, _)| k))
}

/// Whether a query string names parameter `key` (decoded as the handlers would see it).
/// `key` must hold no `&`, `=`, `%` or `+`.
pub fn has_param(raw: &str, key: &str) -> bool {
    // One pass over the query. A piece's decoded key depends only on its own bytes, so a
    // piece met before any `%` or `+` that is `key` as it stands is `key` decoded; from the
    // first `%` or `+` on, the query is decoded instead.
    let bytes = raw.as_bytes();
    let k = key.as_bytes();
    let mut piece_starts = true;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b'%' || b == b'+' {
            return form_urlencoded::parse(bytes).any(|(d, _)| d == key);
        }
        if piece_starts
            && bytes[i..].starts_with(k)
            && matches!(bytes.get(i + k.len()), None | Some(b'=' | b'&'))
        {
            return true;
        }
        piece_starts = b == b'&';
    }
    false
}

/// Refuses a parameter given twice; says whether any consistency parameter is present.
fn check_keys<K: AsRef<str> + Eq + std::hash::Hash>(
    keys: impl Iterator<Item = K>,
) -> Result<bool, ApiError> {
    // A query has a handful of parameters: the first few are compared on the stack, without
    // an allocation per request; the rest are looked up in a set, so a query of thousands
    // of keys costs time in proportion to its length, not to its square.
    const FEW: usize = 8;
    let mut few: [Option<K>; FEW] = Default::default();
    let mut more: std::collections::HashSet<K> = std::collections::HashSet::new();
    let mut n = 0;
    let mut consistency = false;
    for k in keys {
        if CONSISTENCY_PARAMS.contains(&k.as_ref()) {
            consistency = true;
            continue;
        }
        if few.iter().flatten().any(|s| *s == k) || more.contains(&k) {
            return Err(ApiError::bad_parameter(format!(
                "parameter `{}` is given more than once; give it once",
                k.as_ref()
            )));
        }
        match few.get_mut(n) {
            Some(slot) => *slot = Some(k),
            None => {
                more.insert(k);
            }
        }
        n += 1;
    }
    Ok(consistency)
}

/// serde's wording, with hints where a person is likely to need one.
fn friendly(msg: &str) -> String {
    if msg.starts_with("unknown field") {
        format!("{msg}; GET /openapi.json lists the parameters of each endpoint")
    } else {
        date_hint(msg)
    }
}

fn friendly_param(msg: &str) -> String {
    if msg.starts_with("missing field") {
        msg.replacen("missing field", "missing parameter", 1)
    } else {
        friendly(msg)
    }
}

fn date_hint(msg: &str) -> String {
    if msg.contains("date") {
        format!("{msg}; dates are YYYY-MM-DD and must exist (2021-02-28, not 2021-02-30)")
    } else {
        msg.to_string()
    }
}

/// A JSON body: `Content-Type: application/json` required (415 otherwise), at most the
/// configured size (413), well-formed (400), no unknown fields and the right shapes (422).
pub struct ApiJson<T>(pub T);

impl<T, S> FromRequest<S> for ApiJson<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let ct = req
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_ascii_lowercase();
        let essence = ct.split(';').next().unwrap_or("").trim().to_string();
        if essence != "application/json" && !essence.ends_with("+json") {
            let got = if essence.is_empty() {
                "no Content-Type".to_string()
            } else {
                format!("Content-Type {essence}")
            };
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Unsupported media type",
                format!("the body was sent with {got}; send it as application/json"),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rej| {
            let status = rej.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                crate::problem::for_status(status, "", "")
            } else {
                ApiError::bad_request(format!(
                    "could not read the request body: {}",
                    rej.body_text()
                ))
            }
        })?;
        parse_json(&bytes).map(ApiJson)
    }
}

pub fn parse_json<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let value: T = serde_path_to_error::deserialize(&mut de).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        let syntax = matches!(
            inner.classify(),
            serde_json::error::Category::Syntax | serde_json::error::Category::Eof
        );
        let (status, slug, title) = if syntax {
            (StatusCode::BAD_REQUEST, "malformed-json", "Malformed JSON")
        } else {
            (
                StatusCode::UNPROCESSABLE_ENTITY,
                "invalid-body",
                "Invalid request body",
            )
        };
        let at = (!syntax && path != ".").then_some(path);
        let detail = match &at {
            Some(p) => format!("at `{p}`: {}", friendly(&inner.to_string())),
            None if syntax => format!("the body is not valid JSON: {inner}"),
            None => format!("the body does not fit: {}", friendly(&inner.to_string())),
        };
        ApiError::new(status, slug, title, detail).with_errors(vec![ProblemItem {
            at,
            code: None,
            message: inner.to_string(),
        }])
    })?;
    de.end().map_err(|e| {
        ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "Malformed JSON",
            format!("the body has something after the JSON value: {e}"),
        )
    })?;
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::{parse_query, plain_keys};
    use serde::Deserialize;

    #[derive(Debug, Deserialize, PartialEq)]
    #[serde(deny_unknown_fields)]
    struct Q {
        function: String,
        practice: Option<String>,
        on: Option<jiff::civil::Date>,
    }

    proptest::proptest! {
        /// Reading keys as they stand gives exactly the keys decoding gives, in order, so the
        /// duplicate and consistency checks see the same thing on either path.
        #[test]
        fn plain_keys_read_as_decoding_does(raw in "([a-z_.0-9 ]{0,6}(=[a-z_=.0-9 ]{0,6})?&{0,2}){0,6}") {
            let plain: Vec<&str> = plain_keys(&raw).expect("nothing is encoded").collect();
            let decoded: Vec<String> = form_urlencoded::parse(raw.as_bytes())
                .map(|(k, _)| k.into_owned())
                .collect();
            proptest::prop_assert_eq!(plain, decoded);
            let pairs: Vec<(&str, &str)> = crate::plain_query::Pairs { rest: &raw }.collect();
            let decoded: Vec<(String, String)> = form_urlencoded::parse(raw.as_bytes())
                .map(|(k, v)| (k.into_owned(), v.into_owned()))
                .collect();
            let decoded: Vec<(&str, &str)> =
                decoded.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
            proptest::prop_assert_eq!(pairs, decoded);
        }

        /// `has_param`'s shortcut answers as decoding every key would, encoded queries included.
        #[test]
        fn has_param_answers_as_decoding_does(
            raw in "((a|ab|b c|min_revision|recorded_at|[a-z_%+0-9 ]{0,8})(=[a-z_=%+0-9]{0,6})?&{0,2}){0,6}",
            key in "(a|ab|a_b|min_revision|b c|recorded_at)",
        ) {
            let decoded = form_urlencoded::parse(raw.as_bytes()).any(|(k, _)| k == key.as_str());
            proptest::prop_assert_eq!(super::has_param(&raw, &key), decoded);
        }
    }

    /// 16,592 distinct keys cost 0.67 s when each was compared with every earlier one.
    #[test]
    fn the_duplicate_check_is_linear() {
        for encoded in [false, true] {
            let sep = if encoded { "%5F" } else { "_" };
            // 100,000 keys: a quadratic check makes 5 x 10^9 comparisons (minutes even in
            // a release build), a linear one takes milliseconds; the bound is wide so that a
            // loaded machine cannot fail a linear check.
            let mut raw: Vec<String> = (0..100_000).map(|i| format!("k{sep}{i}=1")).collect();
            raw.push(format!("k{sep}99999=2"));
            let raw = raw.join("&");
            let started = std::time::Instant::now();
            let e = parse_query::<Q>(&raw).unwrap_err();
            let took = started.elapsed();
            assert!(
                e.detail.contains("`k_99999` is given more than once"),
                "{}",
                e.detail
            );
            assert!(took < std::time::Duration::from_secs(30), "{took:?}");
        }
    }

    #[test]
    fn plain_keys_only_for_queries_with_nothing_encoded() {
        let keys: Vec<&str> = plain_keys("a=1&&b&c=x=y&").into_iter().flatten().collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert!(plain_keys("a%20b=1").is_none());
        assert!(plain_keys("a=1+2").is_none());
    }

    /// The fast path (nothing encoded) and the decoding path give the same answers and
    /// refuse the same queries.
    #[test]
    fn both_readings_agree() {
        let want = Q {
            function: "f.g".into(),
            practice: Some("A 1".into()),
            on: Some(jiff::civil::date(2021, 1, 2)),
        };
        let plain: Q = parse_query("function=f.g&practice=A 1&on=2021-01-02").unwrap();
        let encoded: Q = parse_query("function=f%2Eg&practice=A+1&on=2021-01-02").unwrap();
        assert_eq!(plain, want);
        assert_eq!(encoded, want);
        let skip: Q =
            parse_query("min_revision=3&function=f.g&practice=A 1&on=2021-01-02").unwrap();
        assert_eq!(skip, want);
        for bad in [
            "function=f&function=g",
            "function=f&%66unction=g",
            "function=f&colour=red",
            "function=f&on=2021-02-30",
            "practice=A",
        ] {
            let e = parse_query::<Q>(bad).expect_err(bad);
            assert_eq!(e.status, axum::http::StatusCode::BAD_REQUEST, "{bad}");
        }
        let e = parse_query::<Q>("function=f&function=g").unwrap_err();
        assert!(e.detail.contains("more than once"), "{}", e.detail);
        // Past the first eight keys (kept on the stack) as well as among them.
        for (raw, twice) in [
            ("a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&i=2", "`i`"),
            ("a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&i=1&j=1&b=2", "`b`"),
            ("a=1&b=1&c=1&d=1&e=1&f=1&g=1&h=1&h=2", "`h`"),
        ] {
            let e = parse_query::<Q>(raw).unwrap_err();
            assert!(
                e.detail.contains("more than once") && e.detail.contains(twice),
                "{raw}: {}",
                e.detail
            );
        }
    }
}
