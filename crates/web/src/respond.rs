//! What every page handler shares: the request context (format, signed-in user, query
//! parameters, the revision answered from) and the one place a page becomes a response,
//! as HTML, JSON or CSV.

use crate::error::WebError;
use crate::layout;
use axum::extract::{FromRequestParts, Request};
use axum::http::header::{CACHE_CONTROL, CONTENT_DISPOSITION, CONTENT_TYPE, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderName, HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use maud::Markup;
use std::sync::Arc;
use vires_server::auth::SESSION_COOKIE;
use vires_server::config::ReadAccess;
use vires_server::state::{AppState, Current};
use vires_store::{Role, User};

/// How the page is asked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Html,
    Json,
    Csv,
}

/// A session as the UI sees it: the cookie's id (to end it), the form token and its public
/// handle (to mark it in the list of sessions).
#[derive(Debug, Clone)]
pub struct SessionInfo {
    pub id: String,
    pub csrf: String,
    pub handle: String,
}

/// The navigation item a page belongs to, so the header can mark it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Section {
    Search,
    Who,
    Analyses,
    Diff,
    Proposals,
    Work,
    Procurement,
    Conflicts,
    Account,
}

pub struct Ctx {
    pub state: AppState,
    pub format: Format,
    pub path: String,
    /// Query parameters other than `format`, in order.
    pub query: Vec<(String, String)>,
    pub user: Option<User>,
    pub session: Option<SessionInfo>,
    pub current: Arc<Current>,
    /// For editors and above: what waits for them, counted in the header.
    pub work: Option<crate::drafting::WorkCounts>,
    /// Whether cookies set in answer get `Secure` (see [`vires_server::auth::secure_cookies`]).
    pub secure_cookies: bool,
}

/// Everything a page shows, in each of its forms.
pub struct View {
    pub title: String,
    pub section: Option<Section>,
    /// Breadcrumbs above the title, as (text, href); the home crumb is added.
    pub crumbs: Vec<(String, String)>,
    pub main: Markup,
    pub data: serde_json::Value,
    pub table: Csv,
    pub status: StatusCode,
    /// Whether to offer the JSON and CSV downloads of this address (not for pages that
    /// answer a posted form, which offer their own).
    pub downloads: bool,
}

impl View {
    pub fn new(title: impl Into<String>, section: Option<Section>, main: Markup) -> View {
        View {
            title: title.into(),
            section,
            crumbs: Vec::new(),
            main,
            data: serde_json::Value::Null,
            table: Csv::default(),
            status: StatusCode::OK,
            downloads: true,
        }
    }

    pub fn crumb(mut self, text: impl Into<String>, href: impl Into<String>) -> View {
        self.crumbs.push((text.into(), href.into()));
        self
    }

    pub fn data(mut self, data: impl serde::Serialize) -> View {
        self.data = serde_json::to_value(data).unwrap_or_else(
            |e| serde_json::json!({"error": format!("the answer could not be written as JSON: {e}")}),
        );
        self
    }

    pub fn table(mut self, table: Csv) -> View {
        self.table = table;
        self
    }
}

/// A table for the CSV download: the rows the page's main table shows, written by the one
/// CSV writer (`vires_app::csv`, which neutralises cells that would start a formula).
pub type Csv = vires_app::csv::Table;

fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    vires_app::cookie::value(
        headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
        name,
    )
}

pub fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    cookie(headers, name).map(str::to_string)
}

impl FromRequestParts<AppState> for Ctx {
    type Rejection = WebError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Ctx, WebError> {
        let raw = parts.uri.query().unwrap_or("");
        let pairs: Vec<(String, String)> = serde_urlencoded::from_str(raw).map_err(|_| {
            WebError::bad_request(
                "The address is not valid",
                "The part of the address after the question mark could not be read.",
                "Go back and use the form on the page, or remove the end of the address.",
            )
        })?;
        let mut format = Format::Html;
        let mut query = Vec::new();
        for (k, v) in pairs {
            if k == "format" {
                format = match v.as_str() {
                    "" | "html" => Format::Html,
                    "json" => Format::Json,
                    "csv" => Format::Csv,
                    other => {
                        return Err(WebError::bad_request(
                            "That download format is not available",
                            format!("The address asks for the format `{other}`."),
                            "Use format=json or format=csv, or remove format from the address for the page.",
                        ))
                    }
                };
            } else {
                query.push((k, v));
            }
        }
        let (user, session) = match cookie_value(&parts.headers, SESSION_COOKIE) {
            Some(id) => {
                let store = state.store().clone();
                let lookup = id.clone();
                let found = tokio::task::spawn_blocking(move || store.session(&lookup))
                    .await
                    .map_err(|e| WebError::internal("checking your session", e))?
                    .map_err(|e| WebError::internal("checking your session", e))?;
                match found {
                    Some(s) => (
                        Some(s.user),
                        Some(SessionInfo {
                            id,
                            csrf: s.csrf,
                            handle: s.handle,
                        }),
                    ),
                    None => (None, None),
                }
            }
            None => (None, None),
        };
        let path = parts.uri.path().to_string();
        // The sign-in pages (a token, or the organisation's issuer) are the way in.
        let signing_in = path == "/ui/login" || path.starts_with("/ui/login/oidc");
        if user.is_none() && state.config().auth.read == ReadAccess::Token && !signing_in {
            return Err(WebError::sign_in(&path));
        }
        let work = match &user {
            Some(u) if u.role >= Role::Editor && format == Format::Html => {
                let (store, who) = (state.store().clone(), u.clone());
                tokio::task::spawn_blocking(move || {
                    crate::drafting::work_counts(store.as_ref(), &who)
                })
                .await
                .ok()
                .and_then(Result::ok)
            }
            _ => None,
        };
        Ok(Ctx {
            state: state.clone(),
            format,
            path,
            query,
            user,
            session,
            current: state.current(),
            work,
            secure_cookies: vires_server::auth::secure_cookies(state, &parts.headers),
        })
    }
}

impl Ctx {
    /// A query parameter, trimmed; `None` when absent or blank.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.trim())
            .filter(|v| !v.is_empty())
    }

    pub fn snapshot(&self) -> &vires_core::Snapshot {
        &self.current.snapshot
    }

    pub fn revision(&self) -> u64 {
        self.current.revision
    }

    pub fn role(&self) -> Option<Role> {
        self.user.as_ref().map(|u| u.role)
    }

    /// The signed-in user if they hold at least `role`; otherwise a page that says why not.
    pub fn require(&self, role: Role, to: &str) -> Result<&User, WebError> {
        match &self.user {
            None => Err(WebError::sign_in(&self.path)),
            Some(u) if u.role < role => Err(WebError::forbidden(format!(
                "You are signed in as {} with the {} role. To {to} you need the {role} role or above.",
                u.name, u.role
            ))),
            Some(u) => Ok(u),
        }
    }

    /// This page's address with the query as asked, in another format.
    pub fn url_as(&self, format: &str) -> String {
        let mut pairs: Vec<(&str, &str)> = self
            .query
            .iter()
            .map(|(k, v)| (k.as_str(), v.as_str()))
            .collect();
        pairs.push(("format", format));
        let q = serde_urlencoded::to_string(&pairs).unwrap_or_default();
        format!("{}?{q}", self.path)
    }

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
