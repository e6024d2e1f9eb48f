//! Which requests are let in: at most `limits.max_concurrent_requests` in progress at once
//! (503 beyond), at most `limits.requests_per_minute_per_client` from one client address
//! (429 beyond), and no URL or header block over its limit (414, 431). Each refusal is a
//! problem document naming the limit, and costs no more than the check.
//!
//! Health probes are let in whatever the load, so an orchestrator sees a busy server as
//! alive; they do nothing but answer.
//!
//! A semaphore that is tried, not waited on, rather than tower's `ConcurrencyLimitLayer`
//! and `LoadShedLayer`: the refusal needs the request's path (probes pass) and is a problem
//! document rather than a boxed error to translate. The rate limit is `governor`'s keyed
//! limiter, the one `tower_governor` wraps, keyed by the same client address sign-in uses.

use crate::config::Limits;
use crate::problem::ApiError;
use axum::extract::Request;
use axum::http::request::Parts;
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use governor::{DefaultKeyedRateLimiter, Quota};
use std::net::IpAddr;
use std::num::NonZeroU32;
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Paths let in whatever the load.
const PROBES: &[&str] = &["/healthz", "/readyz"];

pub struct Admission {
    in_progress: Arc<Semaphore>,
    limit: usize,
    per_client: Option<DefaultKeyedRateLimiter<IpAddr>>,
    max_url_bytes: usize,
    max_header_bytes: usize,
}

/// The key for clients whose address is unknown (a router driven without a socket).
const UNKNOWN: IpAddr = IpAddr::V4(std::net::Ipv4Addr::UNSPECIFIED);

impl Admission {
    pub fn new(limits: &Limits) -> Admission {
        let limit = limits.max_concurrent_requests.max(1);
        Admission {
            in_progress: Arc::new(Semaphore::new(limit)),
            limit,
            per_client: NonZeroU32::new(limits.requests_per_minute_per_client)
                .map(|n| DefaultKeyedRateLimiter::keyed(Quota::per_minute(n))),
            max_url_bytes: limits.max_url_bytes.max(64),
            max_header_bytes: limits.max_header_bytes.max(1024),
        }
    }

    /// Forgets clients whose quota has fully recovered, so the map stays small.
    pub fn forget_idle(&self) {
        if let Some(l) = &self.per_client {
            l.retain_recent();
            l.shrink_to_fit();
        }
    }
}

/// The middleware's work: refuses what is over a limit, and holds a place among the
/// requests in progress until the response is made. `client` gives the caller's address,
/// asked only when there is a per-client limit.
pub async fn admit(
    a: &Admission,
    limits: &Limits,
    client: impl FnOnce(&Parts) -> Option<IpAddr>,
    req: Request,
    next: Next,
) -> Response {
    let url = req.uri().path().len() + req.uri().query().map_or(0, |q| q.len() + 1);
    if url > a.max_url_bytes {
        return ApiError::new(
            StatusCode::URI_TOO_LONG,
            "url-too-long",
            "URL too long",
            format!(
                "the URL is {url} bytes; this server accepts at most {} (limits.max_url_bytes). Send fewer or shorter parameters",
                a.max_url_bytes
            ),
        )
        .into_response();
    }
    let headers: usize = req
        .headers()
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    if headers > a.max_header_bytes {
        return ApiError::new(
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE,
            "headers-too-large",
            "Request headers too large",
            format!(
                "the request's headers are {headers} bytes; this server accepts at most {} (limits.max_header_bytes)",
                a.max_header_bytes
            ),
        )
        .into_response();
    }
    if let Some(q) = req.uri().query() {
        let most = limits.max_query_params;
        let given = q.split('&').filter(|p| !p.is_empty()).count();
        if given > most {
            return ApiError::bad_parameter(format!(
                "the query string has {given} parameters; this server accepts at most {most} (limits.max_query_params)"
            ))
            .into_response();
        }
    }
    if PROBES.contains(&req.uri().path()) {
        return next.run(req).await;
    }
    if let Some(limiter) = &a.per_client {
        let (parts, body) = req.into_parts();
        let client = client(&parts).unwrap_or(UNKNOWN);
        let req = Request::from_parts(parts, body);
        if let Err(not_until) = limiter.check_key(&client) {
            let wait = not_until.wait_time_from(governor::clock::Clock::now(limiter.clock()));
            let mut e = ApiError::too_many(
                format!(
                    "too many requests from this address; at most {} a minute (limits.requests_per_minute_per_client). Try again in {} s",
                    limits.requests_per_minute_per_client,
                    wait.as_secs().max(1)
                ),
                wait,
            );
            e.slug = "too-many-requests";
            e.title = "Too many requests";
            return e.into_response();
        }
        return in_turn(a, req, next).await;
    }
    in_turn(a, req, next).await
}

async fn in_turn(a: &Admission, req: Request, next: Next) -> Response {
    let Ok(_place) = a.in_progress.clone().try_acquire_owned() else {
        return ApiError::overloaded(format!(
            "the server is answering as many requests as it takes at once ({}, limits.max_concurrent_requests); try again in a moment",
            a.limit
        ))
        .into_response();
    };
    next.run(req).await
}
