//! Signing in and out, and the anti-forgery checks on every form that changes something.
//!
//! People sign in with the API token an administrator gave them; the server's store makes
//! the session (the same session the API's `/auth/login` makes), and the cookie is the
//! server's session cookie. Each form that writes carries the session's CSRF token. The
//! sign-in form itself, which has no session yet, is protected by a double-submit cookie.

use crate::context::{cookie_value, Ctx};
use crate::error::WebError;
use crate::layout::{self, FieldError};
use crate::redirect::{cookie, safe_next, see_other};
use crate::view::{Section, View};
use axum::body::Bytes;
use axum::http::header::SET_COOKIE;
use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;
use maud::html;
use std::collections::HashMap;
use vires_server::auth::{verify_token, ClientAddr, SESSION_COOKIE};
use vires_server::secret::same_secret;
use vires_store::SessionOrigin;

const LOGIN_COOKIE: &str = "vires_login";

pub fn form_pairs(body: &[u8]) -> Result<HashMap<String, String>, WebError> {
    serde_urlencoded::from_bytes::<Vec<(String, String)>>(body)
        .map(|v| v.into_iter().collect())
        .map_err(|_| {
            WebError::bad_request(
                "The form could not be read",
                "What was sent is not a form this service understands.",
                "Go back, reload the page and submit the form again.",
            )
        })
}

/// The form must carry the signed-in session's anti-forgery token.
pub fn check_csrf(ctx: &Ctx, form: &HashMap<String, String>) -> Result<(), WebError> {
    let Some(session) = &ctx.session else {
        return Err(WebError::sign_in("/ui/"));
    };
    let sent = form.get("csrf").map(String::as_str).unwrap_or("");
    if !same_secret(sent, &session.csrf) {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            "The form has expired",
            "The form was not sent from a page of this session, so nothing was changed.",
            "Go back, reload the page and try again.",
        ));
    }
    Ok(())
}

fn random_hex() -> Result<String, WebError> {
    let mut b = [0u8; 16];
    getrandom::getrandom(&mut b)
        .map_err(|e| WebError::internal("preparing the sign-in form", e))?;
    Ok(b.iter().map(|x| format!("{x:02x}")).collect())
}

fn login_view(
    ctx: &Ctx,
    next: &str,
    token_cookie: &str,
    errors: &[FieldError],
    note: Option<&str>,
) -> View {
    let main = html! {
        (layout::error_summary(errors))
        h1 { "Sign in" }
        @if let Some(n) = note { (layout::inset(html! { (n) })) }
        @if let Some(u) = &ctx.user {
            p { "You are signed in as " (u.name) " with the " (u.role) " role. Sign in again to change user." }
        }
        p { "Viewers can read the register; editors can also propose changes; approvers can approve them." }
        (crate::oidc::sign_in_choice(ctx, next))
        p { "Sign in with the API token an administrator gave you." }
        form action="/ui/login" method="post" novalidate {
            input type="hidden" name="login_csrf" value=(token_cookie);
            input type="hidden" name="next" value=(next);
            div class=(layout::form_group_class(!errors.is_empty())) {
                label class="nhsuk-label" for="token" { "API token" }
                div class="nhsuk-hint" id="token-hint" { "It looks like two parts joined by a dot. Keep it secret, like a password." }
                @for e in errors {
                    (layout::error_message("token", &e.message))
                }
                input class=(if errors.is_empty() { "nhsuk-input nhsuk-u-width-two-thirds" } else { "nhsuk-input nhsuk-u-width-two-thirds nhsuk-input--error" })
                    id="token" name="token" type="password" autocomplete="current-password" spellcheck="false"
                    aria-describedby=(if errors.is_empty() { "token-hint" } else { "token-hint token-error" });
            }
            (layout::button("Sign in"))
        }
    };
    View::new("Sign in", Some(Section::Account), main)
}

pub async fn login_form(ctx: Ctx) -> Response {
    let result = (|| {
        let token = random_hex()?;
        let next = safe_next(ctx.param("next"));
        let note = ctx.param("signed_out").map(|_| "You have signed out.");
        Ok::<_, WebError>((token.clone(), login_view(&ctx, &next, &token, &[], note)))
    })();
    match result {
        Ok((token, view)) => {
            let mut resp = ctx.respond(Ok(view));
            if let Some(c) = cookie(&ctx, LOGIN_COOKIE, &token, "/ui/login", 3600) {
                resp.headers_mut().append(SET_COOKIE, c);
            }
            resp
        }
        Err(e) => ctx.error(e),
    }
}

pub async fn login(ctx: Ctx, client: ClientAddr, headers: HeaderMap, body: Bytes) -> Response {
    let result = login_inner(&ctx, client, &headers, &body).await;
    match result {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}

async fn login_inner(
    ctx: &Ctx,
    client: ClientAddr,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<Response, WebError> {
    let form = form_pairs(body)?;
    let sent = form.get("login_csrf").map(String::as_str).unwrap_or("");
    let expected = cookie_value(headers, LOGIN_COOKIE).unwrap_or_default();
    if expected.is_empty() || !same_secret(sent, &expected) {
        return Err(WebError::new(
            StatusCode::FORBIDDEN,
            "The sign-in form has expired",
            "The form was not sent from this browser's sign-in page, so you were not signed in.",
            "Open the sign-in page again and enter your token there. Your browser must accept cookies from this site.",
        )
        .with_link("Sign in", "/ui/login"));
    }
    let next = safe_next(form.get("next").map(String::as_str));
    let token = form
        .get("token")
        .map(|t| t.trim().to_string())
        .unwrap_or_default();
    let fail = |message: &str, status: StatusCode| -> Result<Response, WebError> {
        let errors = [FieldError {
            field: "token",
            message: message.to_string(),
        }];
        let mut view = login_view(ctx, &next, &expected, &errors, None);
        view.status = status;
        view.title = "Error: Sign in".into();
        Ok(ctx.respond(Ok(view)))
    };
    if token.is_empty() {
        return fail("Enter your API token", StatusCode::BAD_REQUEST);
    }
    let origin = vires_store::token_id(&token).map(|id| SessionOrigin::Token {
        token_id: id.to_string(),
    });
    let user = match verify_token(&ctx.state, &token, client).await {
        Ok(user) => user,
        Err(e) if e.status == StatusCode::TOO_MANY_REQUESTS => {
            return fail(
                &format!(
                    "There have been too many attempts to sign in. Wait {} seconds and try again",
                    e.retry_after.unwrap_or(60)
                ),
                StatusCode::TOO_MANY_REQUESTS,
            )
        }
        Err(e) => return Err(WebError::internal("checking your token", e.detail)),
    };
    let (Some(user), Some(origin)) = (user, origin) else {
        return fail("That token is not known or has been revoked. Check it, or ask an administrator for a new one", StatusCode::UNAUTHORIZED);
    };
    let hours = ctx.state.config().auth.session_ttl_hours.clamp(1, 24 * 365);
    let store = ctx.state.store().clone();
    let name = user.name.clone();
    let session = tokio::task::spawn_blocking(move || {
        store.create_session(
            &name,
            jiff::SignedDuration::from_hours(hours as i64),
            &origin,
        )
    })
    .await
    .map_err(|e| WebError::internal("starting your session", e))?
    .map_err(|e| WebError::internal("starting your session", e))?;
    tracing::info!(user = %user.name, role = %user.role, "web session started");
    let mut resp = see_other(&next);
    if let Some(c) = cookie(ctx, SESSION_COOKIE, &session.id, "/", hours as i64 * 3600) {
        resp.headers_mut().append(SET_COOKIE, c);
    }
    if let Some(c) = cookie(ctx, LOGIN_COOKIE, "", "/ui/login", 0) {
        resp.headers_mut().append(SET_COOKIE, c);
    }
    Ok(resp)
}

pub async fn logout(ctx: Ctx, body: Bytes) -> Response {
    let result: Result<Response, WebError> = async {
        let form = form_pairs(&body)?;
        if ctx.session.is_none() {
            return Ok(see_other("/ui/login?signed_out=1"));
        }
        check_csrf(&ctx, &form)?;
        if let Some(s) = &ctx.session {
            let store = ctx.state.store().clone();
            let id = s.id.clone();
            tokio::task::spawn_blocking(move || store.delete_session(&id))
                .await
                .map_err(|e| WebError::internal("ending your session", e))?
                .map_err(|e| WebError::internal("ending your session", e))?;
        }
        let mut resp = see_other("/ui/login?signed_out=1");
        if let Some(c) = cookie(&ctx, SESSION_COOKIE, "", "/", 0) {
            resp.headers_mut().append(SET_COOKIE, c);
        }
        Ok(resp)
    }
    .await;
    match result {
        Ok(r) => r,
        Err(e) => ctx.error(e),
    }
}
