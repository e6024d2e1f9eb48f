//! Errors as pages: what went wrong and what to do, in plain English. The same error is a
//! small JSON object when a download was asked for.

use crate::view::View;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::html;
use vires_core::QueryError;

#[derive(Debug, Clone)]
pub struct WebError {
    pub status: StatusCode,
    /// Boxed: errors travel through every page's `Result`, which stays small.
    pub text: Box<ErrorText>,
}

#[derive(Debug, Clone)]
pub struct ErrorText {
    pub title: String,
    pub what: String,
    pub todo: String,
    /// A link that helps (text, href), such as the sign-in page.
    pub link: Option<(String, String)>,
    /// For the server log only: the underlying cause of an internal error.
    pub cause: Option<String>,
}

impl WebError {
    pub fn new(
        status: StatusCode,
        title: impl Into<String>,
        what: impl Into<String>,
        todo: impl Into<String>,
    ) -> WebError {
        WebError {
            status,
            text: Box::new(ErrorText {
                title: title.into(),
                what: what.into(),
                todo: todo.into(),
                link: None,
                cause: None,
            }),
        }
    }

    pub fn bad_request(
        title: impl Into<String>,
        what: impl Into<String>,
        todo: impl Into<String>,
    ) -> WebError {
        WebError::new(StatusCode::BAD_REQUEST, title, what, todo)
    }

    pub fn not_found_thing(what: impl Into<String>, todo: impl Into<String>) -> WebError {
        WebError::new(StatusCode::NOT_FOUND, "Page not found", what, todo)
            .with_link("Search the register", "/ui/search")
    }

    pub fn forbidden(what: impl Into<String>) -> WebError {
        WebError::new(
            StatusCode::FORBIDDEN,
            "You do not have permission to do this",
            what,
            "Ask an administrator for the role you need, or sign in as someone who has it.",
        )
        .with_link("Sign in as someone else", "/ui/login")
    }

    pub fn sign_in(back_to: &str) -> WebError {
        let href = format!(
            "/ui/login?{}",
            serde_urlencoded::to_string([("next", back_to)]).unwrap_or_default()
        );
        WebError::new(
            StatusCode::UNAUTHORIZED,
            "You need to sign in",
            "This page is only for signed-in users.",
            "Sign in with the API token an administrator gave you, then try again.",
        )
        .with_link("Sign in", href)
    }

    pub fn internal(doing: &str, cause: impl std::fmt::Display) -> WebError {
        let mut e = WebError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "Sorry, there is a problem with the service",
            format!("Something went wrong while {doing}. Nothing was changed."),
            "Try again in a few minutes. If it keeps happening, tell the service administrator the time it happened.",
        );
        e.text.cause = Some(cause.to_string());
        e
    }

    pub fn with_link(mut self, text: impl Into<String>, href: impl Into<String>) -> WebError {
        self.text.link = Some((text.into(), href.into()));
        self
    }

    /// A question the register cannot answer as asked.
    pub fn query(e: QueryError) -> WebError {
        let (title, todo) = match &e {
            QueryError::UnknownFunction(_) => (
                "That function is not in the register",
                "Choose a function from the list on the form. The functions page lists them all.",
            ),
            QueryError::UnknownPractice(_) => (
                "That GP practice is not in the register",
                "Check the practice code (for example A81001), or search for the practice by name.",
            ),
            QueryError::UnknownBody { .. } => (
                "That body did not exist on that date",
                "Check the code and the date. The body's page shows when it existed; search finds bodies by name.",
            ),
            QueryError::NeverABody(_) => (
                "No body has ever had that code",
                "Check the code, or search for the body by name.",
            ),
            QueryError::UnknownArea(_) => (
                "That area is not in the register",
                "Check the area id, or search for the area by name.",
            ),
        };
        let link = match &e {
            QueryError::UnknownFunction(_) => ("See the list of functions", "/ui/functions"),
            _ => ("Search the register", "/ui/search"),
        };
        WebError::bad_request(title, format!("{}.", capitalise(&e.to_string())), todo)
            .with_link(link.0, link.1)
    }

    pub fn log(&self) {
        if let Some(cause) = &self.text.cause {
            tracing::error!(status = self.status.as_u16(), cause = %cause, "web page failed");
        }
    }

    pub fn view(&self) -> View {
        let main = html! {
            h1 { (self.text.title) }
            p { (self.text.what) }
            p { (self.text.todo) }
            @if let Some((text, href)) = &self.text.link {
                p { a href=(href) { (text) } }
            }
        };
        let mut v = View::new(self.text.title.clone(), None, main);
        v.status = self.status;
        v
    }

    pub fn as_json(&self) -> Response {
        let body = serde_json::json!({
            "status": self.status.as_u16(),
            "title": self.text.title,
            "detail": self.text.what,
            "what_to_do": self.text.todo,
        });
        (
            self.status,
            [(axum::http::header::CONTENT_TYPE, "application/problem+json")],
            body.to_string(),
        )
            .into_response()
    }
}

pub fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
