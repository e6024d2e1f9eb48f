//! # vires-web
//!
//! The vires web UI: server-rendered pages for governance and commissioning staff, who need
//! pages rather than JSON. Every page
//!
//! - is built with [maud] (escaping by default) following the NHS design system markup,
//!   styled by the vendored `nhsuk-frontend` (no CDN, no external requests) and usable
//!   without JavaScript;
//! - has a stable URL that can be shared (queries are `GET` forms), and the same URL with
//!   `?format=json` or `?format=csv` downloads what the page shows;
//! - answers from one revision of the register (the `Vires-Revision` header says which).
//!
//! Writes (sign in, sign out, approve, reject) are `POST` forms carrying the session's
//! CSRF token. Errors are pages that say what went wrong and what to do.
//!
//! Mount it next to the API: `app.merge(vires_web::router(state))` where `state` is the
//! server's [`AppState`]. Pages live under `/ui`, assets under `/assets`, and `/` redirects
//! to `/ui/`.

mod analyses;
mod assets;
mod body;
pub mod conflicts_pages;
mod context;
mod drafting;
mod error;
mod help;
mod layout;
mod oidc;
mod procure;
mod proposals;
mod redirect;
mod respond;
mod search;
mod session;
mod sessions;
mod svg;
mod view;
mod who;

use axum::response::Redirect;
use axum::routing::{get, post};
use axum::Router;
pub use vires_server::state::AppState;

use axum::response::Response;
use context::Ctx;
use error::WebError;

/// The UI's routes, to be given the server's state by the caller.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/", get(|| async { Redirect::to("/ui/") }))
        .route("/ui", get(|| async { Redirect::permanent("/ui/") }))
        .route("/ui/", get(search::home))
        .route("/ui/search", get(search::search))
        .route("/ui/who", get(who::who))
        .route("/ui/timeline", get(who::timeline))
        .route("/ui/diff", get(analyses::diff))
        .route("/ui/analyses", get(analyses::dashboard))
        .route("/ui/bodies/{code}", get(body::body))
        .route("/ui/practices/{code}", get(body::practice))
        .route("/ui/functions", get(body::functions))
        .route("/ui/functions/{id}", get(body::function))
        .route("/ui/instruments/{id}", get(body::instrument))
        .route("/ui/proposals", get(proposals::list))
        .route("/ui/proposals/{id}", get(proposals::show))
        .route("/ui/proposals/{id}/approve", post(proposals::approve))
        .route("/ui/proposals/{id}/reject", post(proposals::reject))
        .route("/ui/proposals/{id}/decide", post(proposals::decision))
        .route("/ui/work", get(drafting::work))
        .route("/ui/drafts", post(drafting::create))
        .route("/ui/drafts/new", get(drafting::new_form))
        .route("/ui/drafts/{id}", get(drafting::edit).post(drafting::save))
        .route(
            "/ui/drafts/{id}/text",
            get(drafting::text).post(drafting::paste),
        )
        .route("/ui/drafts/{id}/preview", get(drafting::preview))
        .route(
            "/ui/drafts/{id}/propose",
            get(drafting::propose_form).post(drafting::propose),
        )
        .route("/ui/procurement", get(procure::route_checker))
        .route(
            "/ui/conflicts",
            get(procure::conflicts_form).post(procure::conflicts_check),
        )
        .route("/ui/login", get(session::login_form).post(session::login))
        .route("/ui/logout", post(session::logout))
        .route("/ui/login/oidc", get(oidc::begin))
        .route("/ui/login/oidc/callback", get(oidc::callback))
        .route("/ui/sessions", get(sessions::page))
        .route("/ui/sessions/{handle}/end", post(sessions::end))
        .route("/ui/{*rest}", get(not_found))
        .merge(assets::routes())
        .layer(axum::middleware::from_fn(respond::security_headers))
}

/// The UI with the server's state, ready to merge into the API's router.
pub fn router(state: AppState) -> Router {
    routes().with_state(state)
}

/// Any other address under `/ui`: a page that says there is none.
async fn not_found(ctx: Ctx) -> Response {
    ctx.respond(Err(WebError::not_found_thing(
        format!("There is no page at {}.", ctx.path),
        "If you typed the address, check it is correct. If you followed a link, search for what you were looking for.",
    )))
}
