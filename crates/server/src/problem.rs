//! RFC 9457 problem details. Every error the API returns is `application/problem+json`
//! with a stable `type`, a short `title` and a `detail` that says what to do.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use utoipa::ToSchema;

pub const PROBLEM_JSON: &str = "application/problem+json";

/// One specific thing wrong with a request (a field, a diagnostic).
#[derive(Debug, Clone, Serialize, ToSchema, PartialEq)]
pub struct ProblemItem {
    /// Where in the request the problem is (a JSON path or a parameter name), if known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub at: Option<String>,
    /// A stable code, such as a validity diagnostic code (`V001`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    pub message: String,
}

/// An RFC 9457 problem document.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URN naming the kind of problem, such as `urn:vires:problem:stale-revision`.
    #[serde(rename = "type")]
    pub kind: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Specific problems, when there are several.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemItem>,
    /// The register revision when the problem was found, where it matters (stale writes).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revision: Option<u64>,
}

/// An error a handler returns; it becomes a problem response.
#[derive(Debug, Clone)]
pub struct ApiError {
    pub status: StatusCode,
    pub slug: &'static str,
    pub title: &'static str,
    pub detail: String,
    pub errors: Vec<ProblemItem>,
    pub revision: Option<u64>,
    /// Extra headers (`WWW-Authenticate` on 401).
    pub www_authenticate: bool,
    /// Seconds to wait before trying again (`Retry-After` on 429).
    pub retry_after: Option<u64>,
}

impl ApiError {
    pub fn new(
        status: StatusCode,
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        ApiError {
            status,
            slug,
            title,
            detail: detail.into(),
            errors: Vec::new(),
            revision: None,
            www_authenticate: false,
            retry_after: None,
        }
    }

    /// Too many attempts: try again after `wait`.
    pub fn too_many(detail: impl Into<String>, wait: std::time::Duration) -> Self {
        let mut e = Self::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too-many-attempts",
            "Too many attempts",
            detail,
        );
        e.retry_after = Some(wait.as_secs().max(1));
        e
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "Bad request",
            detail,
        )
    }

    pub fn bad_parameter(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-parameter",
            "Bad query parameter",
            detail,
        )
    }

    pub fn unknown_code(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "unknown-code",
            "Unknown code",
            detail,
        )
    }

    pub fn unprocessable(
        slug: &'static str,
        title: &'static str,
        detail: impl Into<String>,
    ) -> Self {
        Self::new(StatusCode::UNPROCESSABLE_ENTITY, slug, title, detail)
    }

    pub fn unauthenticated(detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthenticated",
            "Authentication required",
            detail,
        );
        e.www_authenticate = true;
        e
    }

    pub fn forbidden(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::FORBIDDEN, "forbidden", "Not allowed", detail)
    }

    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not-found", "Not found", detail)
    }

    pub fn conflict(slug: &'static str, title: &'static str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::CONFLICT, slug, title, detail)
    }

    /// A failure of the server or its database, not of the request. The detail is logged;
    /// the client is told only that it should retry or tell the operator.
    pub fn internal(context: &str, err: impl std::fmt::Display) -> Self {
        tracing::error!(error = %err, "{context}");
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "Internal error",
            format!("{context} failed; the error is in the server log. Try again, and tell the operator if it persists"),
        )
    }

    pub fn unavailable(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "unavailable",
            "Service unavailable",
            detail,
        )
    }

    /// 503 `overloaded`: the server is at one of its limits; the client may retry in a second.
    pub fn overloaded(detail: impl Into<String>) -> Self {
        let mut e = Self::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            "Server busy",
            detail,
        );
        e.retry_after = Some(1);
        e
    }

    pub fn with_errors(mut self, errors: Vec<ProblemItem>) -> Self {
        self.errors = errors;
        self
    }

    pub fn with_revision(mut self, revision: u64) -> Self {
        self.revision = Some(revision);
        self
    }

    pub fn problem(&self) -> Problem {
        Problem {
            kind: format!("urn:vires:problem:{}", self.slug),
            title: self.title.to_string(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            errors: self.errors.clone(),
            revision: self.revision,
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.title,
            self.detail
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem()).unwrap_or_else(|_| b"{}".to_vec());
        let mut resp = (self.status, body).into_response();
        resp.headers_mut()
            .insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if let Some(secs) = self.retry_after {
            resp.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        if self.www_authenticate {
            resp.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"vires\""),
            );
        }
        resp
    }
}

/// The problem for a bare status that some layer produced without a body (404 from the
/// router, 405, 408 from the timeout, 413 from the body limit).
pub fn for_status(status: StatusCode, method: &str, path: &str) -> ApiError {
    match status {
        StatusCode::NOT_FOUND => ApiError::not_found(format!(
            "there is no endpoint {path}; GET /openapi.json lists them"
        )),
        StatusCode::METHOD_NOT_ALLOWED => ApiError::new(
            status,
            "method-not-allowed",
            "Method not allowed",
            format!("{path} does not accept {method}; GET /openapi.json lists the methods of each endpoint"),
        ),
        StatusCode::REQUEST_TIMEOUT => ApiError::new(
            status,
            "timeout",
            "Request timed out",
            "the request took longer than the server's request timeout; narrow the question or try again",
        ),
        StatusCode::PAYLOAD_TOO_LARGE => ApiError::new(
            status,
            "body-too-large",
            "Request body too large",
            "the request body is larger than the server accepts (limits.max_body_bytes); send a smaller change",
        ),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => ApiError::new(
            status,
            "unsupported-media-type",
            "Unsupported media type",
            "send the body as application/json",
        ),
        s if s.is_server_error() => ApiError::new(
            s,
            "internal",
            "Internal error",
            "the server failed to answer; the error is in the server log. Try again, and tell the operator if it persists",
        ),
        s => ApiError::new(
            s,
            "error",
            "Request failed",
            format!("{method} {path} failed with status {}", s.as_u16()),
        ),
    }
}

/// The problem responses the OpenAPI document declares, each once. A route lists the
/// groups it can answer with (`responses((status = 200, ...), QueryProblems, NotFound)`);
/// a status whose meaning is particular to the route is written out there instead.
pub mod responses {
    use super::{Problem, PROBLEM_JSON};
    use std::collections::BTreeMap;
    use utoipa::openapi::{ContentBuilder, RefOr, Response, ResponseBuilder};
    use utoipa::{IntoResponses, ToSchema};

    fn problem(status: u16, description: &str) -> (String, RefOr<Response>) {
        let content = ContentBuilder::new()
            .schema(Some(utoipa::openapi::Ref::from_schema_name(
                <Problem as ToSchema>::name(),
            )))
            .build();
        (
            status.to_string(),
            ResponseBuilder::new()
                .description(description)
                .content(PROBLEM_JSON, content)
                .build()
                .into(),
        )
    }

    macro_rules! problems {
        ($( $(#[$doc:meta])* $name:ident { $($status:literal => $what:literal),+ $(,)? } )+) => {
            $(
                $(#[$doc])*
                pub struct $name;
                impl IntoResponses for $name {
                    fn responses() -> BTreeMap<String, RefOr<Response>> {
                        BTreeMap::from([$(problem($status, $what)),+])
                    }
                }
            )+
        };
    }

    problems! {
        /// A question: a parameter it cannot read, or a `min_revision` not reached in time.
        QueryProblems {
            400 => "A parameter is missing, unknown or malformed",
            409 => "min_revision not reached",
        }
        /// Something the request names by code or id is not there.
        NotFound { 404 => "Not found" }
        /// A request that needs someone signed in with a role.
        AccessProblems {
            401 => "Not signed in, or the token or session is not valid",
            403 => "Signed in without the role this needs, or without the CSRF token",
        }
        /// Only the sign-in part of [`AccessProblems`].
        Unauthorized { 401 => "Not signed in, or the token or session is not valid" }
        /// A request with a JSON body that is too large, is not JSON, or has a bad field
        /// (one that cannot be read at all is [`BadRequest`]).
        BodyProblems {
            413 => "The body is too large",
            415 => "The body is not application/json",
            422 => "A field of the body is missing or bad",
        }
        /// [`BodyProblems`] without 422, for routes that say what their 422 means.
        BodyFormProblems {
            413 => "The body is too large",
            415 => "The body is not application/json",
        }
        /// A parameter or path segment that cannot be read.
        BadRequest { 400 => "A parameter is missing, unknown or malformed" }
        /// The write conflicts with the state it finds.
        Conflict { 409 => "It conflicts with the current state: nothing was changed" }
        /// Too many sign-in attempts.
        TooManyRequests { 429 => "Too many attempts: wait and try again" }
        /// Not ready to answer.
        Unavailable { 503 => "Not ready" }
    }
}
