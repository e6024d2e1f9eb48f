//! How an answer sends the browser on: a 303 to the next address, only ever an address
//! inside the UI, and the cookies set on the way (the session's, the sign-in form's). Its
//! own module because the token and the organisation sign-ins both use it.

use crate::context::Ctx;
use axum::http::header::LOCATION;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

/// A 303 See Other to `to`.
pub fn see_other(to: &str) -> Response {
    let mut resp = StatusCode::SEE_OTHER.into_response();
    if let Ok(v) = HeaderValue::from_str(to) {
        resp.headers_mut().insert(LOCATION, v);
    }
    resp
}

/// A `Set-Cookie` value: HTTP only, same-site strict, `Secure` when the server says so.
pub(crate) fn cookie(
    ctx: &Ctx,
    name: &str,
    value: &str,
    path: &str,
    max_age: i64,
) -> Option<HeaderValue> {
    let secure = if ctx.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path={path}; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .ok()
}

/// Only addresses inside the UI: a sign-in link must not send people elsewhere.
pub(crate) fn safe_next(next: Option<&str>) -> String {
    match next {
        Some(n)
            if n.starts_with("/ui/")
                && !n.starts_with("//")
                && !n.contains('\\')
                && !n.starts_with("/ui/login") =>
        {
            n.to_string()
        }
        _ => "/ui/".to_string(),
    }
}
