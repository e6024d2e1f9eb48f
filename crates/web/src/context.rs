//! The request context every page handler starts from: the format asked for, the
//! signed-in user and session, the query parameters, and the revision answered from.

use crate::drafting::counts::{work_counts, WorkCounts};
use crate::error::WebError;
use axum::extract::FromRequestParts;
use axum::http::header::COOKIE;
use axum::http::request::Parts;
use axum::http::HeaderMap;
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
    pub work: Option<WorkCounts>,
    /// Whether cookies set in answer get `Secure` (see [`vires_server::auth::secure_cookies`]).
    pub secure_cookies: bool,
}

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
                tokio::task::spawn_blocking(move || work_counts(store.as_ref(), &who))
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
}
