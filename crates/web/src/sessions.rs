//! The sessions page: where one is signed in, with a button to end each session; an admin
//! also sees everyone's sessions and can end any of them (the same store calls as
//! `GET /auth/sessions`, `GET /admin/sessions` and `DELETE /auth/sessions/{handle}`).

use crate::context::Ctx;
use crate::error::WebError;
use crate::layout;
use crate::redirect::{cookie, see_other};
use crate::session::{check_csrf, form_pairs};
use crate::view::{Csv, Section, View};
use axum::body::Bytes;
use axum::extract::Path;
use axum::http::header::SET_COOKIE;
use axum::response::Response;
use maud::{html, Markup};
use vires_store::{Role, SessionOrigin, SessionSummary};

fn when(t: jiff::Timestamp) -> String {
    t.strftime("%-d %B %Y %H:%M UTC").to_string()
}

fn how(s: &SessionSummary) -> String {
    match &s.origin {
        SessionOrigin::Token { token_id } => format!("API token {token_id}"),
        SessionOrigin::Oidc => "organisation sign-in".into(),
    }
}

fn rows(ctx: &Ctx, list: &[SessionSummary], with_user: bool, csrf: &str) -> Vec<Vec<Markup>> {
    let now = jiff::Timestamp::now();
    let current = ctx.session.as_ref().map(|s| s.handle.as_str());
    list.iter()
        .map(|s| {
            let mut row = Vec::new();
            if with_user {
                row.push(html! { (s.user) });
            }
            row.push(html! { (how(s)) });
            row.push(html! { (when(s.created_at)) });
            row.push(html! {
                (when(s.expires_at))
                @if s.expires_at <= now { " " (layout::tag("Expired", "grey")) }
            });
            row.push(html! {
                @if current == Some(s.handle.as_str()) {
                    (layout::tag("This session", "blue")) " "
                }
                form class="vires-inline-form" action=(format!("/ui/sessions/{}/end", s.handle)) method="post" {
                    input type="hidden" name="csrf" value=(csrf);
                    button class="nhsuk-button nhsuk-button--secondary nhsuk-u-margin-bottom-0" type="submit" data-module="nhsuk-button" {
                        "End" span class="nhsuk-u-visually-hidden" { " the session started " (when(s.created_at)) @if with_user { " by " (s.user) } }
                    }
                }
            });
            row
        })
        .collect()
}

async fn listed(ctx: &Ctx, user: Option<String>) -> Result<Vec<SessionSummary>, WebError> {
    let store = ctx.state.store().clone();
    tokio::task::spawn_blocking(move || store.sessions(user.as_deref()))
        .await
        .map_err(|e| WebError::internal("listing sessions", e))?
        .map_err(|e| WebError::internal("listing sessions", e))
}

pub async fn page(ctx: Ctx) -> Response {
    let result = page_inner(&ctx).await;
    ctx.respond(result)
}

async fn page_inner(ctx: &Ctx) -> Result<View, WebError> {
    let me = ctx.require(Role::Viewer, "see your sessions")?.clone();
    let mine = listed(ctx, Some(me.name.clone())).await?;
    let everyone = if me.role >= Role::Admin {
        Some(listed(ctx, None).await?)
    } else {
        None
    };
    let csrf = ctx
        .session
        .as_ref()
        .map(|s| s.csrf.clone())
        .unwrap_or_default();
    let ended = ctx.param("ended").is_some();
    let main = html! {
        @if ended {
            div class="nhsuk-notification-banner nhsuk-notification-banner--success" role="alert" aria-labelledby="banner-title" data-module="nhsuk-notification-banner" {
                div class="nhsuk-notification-banner__header" {
                    h2 class="nhsuk-notification-banner__title" id="banner-title" { "Success" }
                }
                div class="nhsuk-notification-banner__content" {
                    p class="nhsuk-notification-banner__heading" { "The session was ended. Whoever used it must sign in again." }
                }
            }
        }
        h1 { "Your sessions" }
        p { "Each place you are signed in to vires is a session. A session ends when you sign out, when it expires, when the API token that started it is revoked, or when you end it here. End any session you do not recognise, and tell an administrator." }
        @if mine.is_empty() {
            (layout::inset(html! { "You have no sessions. You are using vires with an API token." }))
        } @else {
            (layout::table("Where you are signed in", &["Started with", "Started", "Expires", "Action"], rows(ctx, &mine, false, &csrf)))
        }
        @if let Some(all) = &everyone {
            h2 { "Everyone's sessions" }
            p { "As an administrator you can end anyone's session. To stop someone signing in again, disable their user or revoke their token (see the API guide)." }
            (layout::table("Every session", &["User", "Started with", "Started", "Expires", "Action"], rows(ctx, all, true, &csrf)))
        }
    };
    let mut table = Csv::new(&["user", "handle", "via", "created_at", "expires_at"]);
    for s in everyone.as_ref().unwrap_or(&mine) {
        let via = match s.origin {
            SessionOrigin::Token { .. } => "token",
            SessionOrigin::Oidc => "oidc",
        };
        table.row([
            s.user.clone(),
            s.handle.clone(),
            via.to_string(),
            s.created_at.to_string(),
            s.expires_at.to_string(),
        ]);
    }
    Ok(View::new("Your sessions", Some(Section::Account), main)
        .data(everyone.as_ref().unwrap_or(&mine))
        .table(table))
}

pub async fn end(ctx: Ctx, Path(handle): Path<String>, body: Bytes) -> Response {
    match end_inner(&ctx, handle, &body).await {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

async fn end_inner(ctx: &Ctx, handle: String, body: &[u8]) -> Result<Response, WebError> {
    let form = form_pairs(body)?;
    check_csrf(ctx, &form)?;
    let me = ctx.require(Role::Viewer, "end a session")?;
    let owner = (me.role < Role::Admin).then(|| me.name.clone());
    let own_current = ctx.session.as_ref().is_some_and(|s| s.handle == handle);
    let store = ctx.state.store().clone();
    let ended = tokio::task::spawn_blocking(move || store.end_session(&handle, owner.as_deref()))
        .await
        .map_err(|e| WebError::internal("ending the session", e))?
        .map_err(|e| WebError::internal("ending the session", e))?;
    if !ended {
        return Err(WebError::not_found_thing(
            "There is no such session of yours: it may have ended already.",
            "Go back to your sessions and reload the page.",
        )
        .with_link("Your sessions", "/ui/sessions"));
    }
    tracing::info!(by = %me.name, "session ended from the sessions page");
    if own_current {
        let mut resp = see_other("/ui/login?signed_out=1");
        if let Some(c) = cookie(ctx, vires_server::auth::SESSION_COOKIE, "", "/", 0) {
            resp.headers_mut().append(SET_COOKIE, c);
        }
        return Ok(resp);
    }
    Ok(see_other("/ui/sessions?ended=1"))
}
