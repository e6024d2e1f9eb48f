//! Signing in with the organisation's account, through the configured OpenID Connect issuer
//! (`[auth.oidc]`; the protocol is in `vires_server::oidc`).
//!
//! `GET /ui/login/oidc?next=…` sends the browser to the issuer with a fresh `state`, `nonce`
//! and PKCE challenge, whose secrets wait in a ten-minute cookie. The issuer sends the person
//! back to `GET /ui/login/oidc/callback`, which checks everything, starts a session and shows
//! a short "signed in" page that moves on to `next`. That page is there because the session
//! cookie is `SameSite=Strict`: a browser arriving from the issuer's site would not send it
//! on a redirect, but does on a navigation this site's own page starts.

use crate::context::{cookie_value, Ctx};
use crate::error::WebError;
use crate::layout;
use crate::redirect::{cookie, safe_next, see_other};
use crate::view::{Section, View};
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use vires_server::auth::{ClientAddr, SESSION_COOKIE};
use vires_server::oidc::{CallbackParams, OidcError, FLOW_COOKIE, FLOW_SECS};
use vires_store::SessionOrigin;

const FLOW_PATH: &str = "/ui/login/oidc";

fn not_configured() -> WebError {
    WebError::new(
        StatusCode::NOT_FOUND,
        "Signing in with an organisation account is not set up",
        "This server has no OpenID Connect issuer configured.",
        "Sign in with an API token, or ask the service administrator to configure [auth.oidc].",
    )
    .with_link("Sign in with an API token", "/ui/login")
}

/// The page for an attempt over the sign-in limits.
pub fn too_many(refused: vires_server::sign_in_limits::Refused) -> WebError {
    WebError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "Too many attempts to sign in",
        "There have been too many attempts to sign in from this device or with this token.",
        format!(
            "Wait {} seconds, then try again.",
            refused.retry_after.as_secs().max(1)
        ),
    )
    .with_link("Sign in", "/ui/login")
}

pub async fn begin(ctx: Ctx, client: ClientAddr) -> Response {
    let result: Result<Response, WebError> = async {
        let oidc = ctx.state.oidc().ok_or_else(not_configured)?;
        ctx.state
            .sign_in_limits()
            .attempt(client.0, None)
            .map_err(too_many)?;
        let next = safe_next(ctx.param("next"));
        let begun = oidc.begin(&next).await.map_err(|e| failed(&e))?;
        let mut resp = see_other(&begun.redirect);
        // Lax, not Strict: the issuer's answer arrives as a navigation from its own site.
        if let Some(c) = cookie(&ctx, FLOW_COOKIE, &begun.cookie_value, FLOW_PATH, FLOW_SECS)
            .and_then(|c| {
                c.to_str()
                    .ok()
                    .map(|s| s.replace("SameSite=Strict", "SameSite=Lax"))
            })
            .and_then(|s| s.parse().ok())
        {
            resp.headers_mut().append(SET_COOKIE, c);
        }
        Ok(resp)
    }
    .await;
    result.unwrap_or_else(|e| ctx.error(e))
}

fn failed(e: &OidcError) -> WebError {
    let (status, title, todo) = match e {
        OidcError::NoFlow | OidcError::StateMismatch => (
            StatusCode::BAD_REQUEST,
            "The sign-in could not be finished",
            "Start signing in again from this service's sign-in page, in the same browser.",
        ),
        OidcError::Refused(_) | OidcError::BadToken(_) => (
            StatusCode::UNAUTHORIZED,
            "Your organisation did not confirm who you are",
            "Try signing in again. If it keeps happening, tell the service administrator the time it happened.",
        ),
        OidcError::Provider(_) => (
            StatusCode::BAD_GATEWAY,
            "Your organisation's sign-in service cannot be reached",
            "Try again in a few minutes, or sign in with an API token.",
        ),
        OidcError::NoRole(_) => (
            StatusCode::FORBIDDEN,
            "Your account has no role in this service",
            "Ask your organisation's administrator to give your account a vires role.",
        ),
    };
    tracing::warn!("organisation sign-in failed: {e}");
    WebError::new(status, title, e.to_string(), todo).with_link("Sign in", "/ui/login")
}

pub async fn callback(ctx: Ctx, client: ClientAddr, headers: HeaderMap) -> Response {
    let result = match ctx.state.sign_in_limits().attempt(client.0, None) {
        Ok(()) => callback_inner(&ctx, &headers).await,
        Err(refused) => Err(too_many(refused)),
    };
    let mut resp = match result {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    };
    // The flow's secrets are used once, whatever happened.
    if let Some(c) = cookie(&ctx, FLOW_COOKIE, "", FLOW_PATH, 0) {
        resp.headers_mut().append(SET_COOKIE, c);
    }
    resp
}

async fn callback_inner(ctx: &Ctx, headers: &HeaderMap) -> Result<Response, WebError> {
    let oidc = ctx.state.oidc().ok_or_else(not_configured)?;
    let get = |k: &str| ctx.param(k).map(str::to_string);
    let params = CallbackParams {
        code: get("code"),
        state: get("state"),
        error: get("error"),
        error_description: get("error_description"),
        ..CallbackParams::default()
    };
    let flow = cookie_value(headers, FLOW_COOKIE);
    let (identity, next) = oidc
        .finish(flow.as_deref(), &params)
        .await
        .map_err(|e| failed(&e))?;
    let next = safe_next(Some(&next));
    let store = ctx.state.store().clone();
    let hours = ctx.state.config().auth.session_ttl_hours.clamp(1, 24 * 365);
    let id = identity.clone();
    let started = tokio::task::spawn_blocking(move || {
        let user = store.oidc_user(&id.subject, &id.name, id.role)?;
        if user.disabled_at.is_some() {
            return Ok(Err(user));
        }
        let session = store.create_session(
            &user.name,
            jiff::SignedDuration::from_hours(hours as i64),
            &SessionOrigin::Oidc,
        )?;
        Ok::<_, vires_store::StoreError>(Ok((user, session)))
    })
    .await
    .map_err(|e| WebError::internal("starting your session", e))?;
    let (user, session) = match started {
        Ok(Ok(pair)) => pair,
        Ok(Err(user)) => {
            return Err(WebError::new(
                StatusCode::FORBIDDEN,
                "Your access to this service has been turned off",
                format!("The user {} is disabled.", user.name),
                "Ask the service administrator to enable your user again.",
            ))
        }
        Err(vires_store::StoreError::UserExists(name)) => {
            return Err(WebError::new(
                StatusCode::CONFLICT,
                "Your name is already used by another account",
                format!("The user name {name} belongs to someone who signed in with another organisation account."),
                "Ask the service administrator to rename one of the users.",
            ))
        }
        Err(e) => return Err(WebError::internal("starting your session", e)),
    };
    tracing::info!(user = %user.name, role = %user.role, "organisation sign-in; session started");
    let main = html! {
        h1 { "You are signed in" }
        p { "You are signed in as " (user.name) " with the " (user.role) " role." }
        p { a class="nhsuk-button" href=(next.as_str()) id="continue" { "Continue" } }
    };
    let mut view = View::new("Signed in", Some(Section::Account), main);
    view.downloads = false;
    let mut resp = ctx.respond(Ok(view));
    if let Some(c) = cookie(ctx, SESSION_COOKIE, &session.id, "/", hours as i64 * 3600) {
        resp.headers_mut().append(SET_COOKIE, c);
    }
    // Moves on by itself (a navigation this page starts, so the new cookie goes with it);
    // the Continue button is there for browsers that do not.
    if let Ok(v) = format!("0; url={next}").parse() {
        resp.headers_mut().insert("refresh", v);
    }
    Ok(resp)
}

/// The sign-in page's part for organisation accounts: a button, when an issuer is set up.
pub fn sign_in_choice(ctx: &Ctx, next: &str) -> maud::Markup {
    let Some(oidc) = ctx.state.oidc() else {
        return html! {};
    };
    let href = format!("{FLOW_PATH}?{}", layout::query_string(&[("next", next)]));
    html! {
        h2 { "With your organisation account" }
        p { a class="nhsuk-button" href=(href) role="button" draggable="false" { (oidc.config().label) } }
        h2 { "With an API token" }
    }
}
