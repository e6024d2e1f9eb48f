//! The one place a page becomes a response, as HTML, JSON or CSV; an error as a page; and
//! the headers every UI response carries.

use crate::context::{Ctx, Format};
use crate::error::WebError;
use crate::layout;
use crate::view::View;
use axum::extract::Request;
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE};
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::Markup;

impl Ctx {
    /// Turns a page (or the reason there is none) into a response in the asked format.
    pub fn respond(&self, result: Result<View, WebError>) -> Response {
        let view = match result {
            Ok(v) => v,
            Err(e) => return self.error(e),
        };
        let mut resp = match self.format {
            Format::Html => (view.status, maud_html(layout::page(self, &view))).into_response(),
            Format::Json => {
                let body = serde_json::json!({
                    "revision": self.revision(),
                    "title": view.title,
                    "data": view.data,
                });
                let text = serde_json::to_string_pretty(&body).unwrap_or_default();
                download(
                    view.status,
                    text,
                    "application/json",
                    &self.file_name("json"),
                )
            }
            Format::Csv => match view
                .table
                .to_text()
                .map_err(|e| WebError::internal("writing the CSV download", e))
            {
                Ok(text) => download(
                    view.status,
                    text,
                    "text/csv; charset=utf-8",
                    &self.file_name("csv"),
                ),
                Err(e) => return self.error(e),
            },
        };
        revision_header(&mut resp, self.revision());
        resp
    }

    /// An error as a page (or as JSON for a JSON download), with the header that fits the
    /// signed-in user.
    pub fn error(&self, e: WebError) -> Response {
        e.log();
        match self.format {
            Format::Json | Format::Csv => e.as_json(),
            Format::Html => {
                let view = e.view();
                (e.status, maud_html(layout::page(self, &view))).into_response()
            }
        }
    }

    fn file_name(&self, ext: &str) -> String {
        let stem: String = self
            .path
            .trim_start_matches("/ui/")
            .trim_matches('/')
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let stem = if stem.is_empty() { "home".into() } else { stem };
        format!("vires-{stem}.{ext}")
    }
}

/// Used when the request could not even be read (no context to render with).
impl IntoResponse for WebError {
    fn into_response(self) -> Response {
        self.log();
        let view = self.view();
        (self.status, maud_html(layout::bare_page(&view))).into_response()
    }
}

pub fn maud_html(m: Markup) -> Response {
    let mut resp = m.into_string().into_response();
    resp.headers_mut().insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    resp
}

fn download(status: StatusCode, text: String, mime: &'static str, name: &str) -> Response {
    let mut resp = (status, text).into_response();
    let h = resp.headers_mut();
    h.insert(CONTENT_TYPE, HeaderValue::from_static(mime));
    if let Ok(v) = HeaderValue::from_str(&format!("attachment; filename=\"{name}\"")) {
        h.insert(CONTENT_DISPOSITION, v);
    }
    resp
}

fn revision_header(resp: &mut Response, revision: u64) {
    if let Ok(v) = HeaderValue::from_str(&revision.to_string()) {
        resp.headers_mut()
            .insert(HeaderName::from_static("vires-revision"), v);
    }
}

/// Headers every UI response carries. The content security policy allows only this
/// server's own styles, scripts and images: the pages make no external requests.
pub async fn security_headers(req: Request, next: Next) -> Response {
    let is_asset = req.uri().path().starts_with("/assets/");
    let mut resp = next.run(req).await;
    let h = resp.headers_mut();
    h.insert(
        HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(
            "default-src 'none'; style-src 'self'; script-src 'self'; img-src 'self' data:; \
             font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ),
    );
    h.insert(
        HeaderName::from_static("x-content-type-options"),
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        HeaderName::from_static("referrer-policy"),
        HeaderValue::from_static("same-origin"),
    );
    if !is_asset && !h.contains_key(CACHE_CONTROL) {
        // Pages show the register as it is now and who is signed in: never cache them.
        h.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    resp
}
