//! Sessions for the web UI and user and token administration.
//!
//! A browser logs in with an API token and gets a session cookie (HttpOnly, SameSite=Strict,
//! Secure when configured) plus a CSRF token that every write made with the cookie must
//! echo in `X-CSRF-Token`.

use super::{blocking, Answer};
use crate::auth::{Admin, Caller, Via, SESSION_COOKIE};
use crate::extract::ApiJson;
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header::SET_COOKIE, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vires_store::{Role, StoreError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(whoami))
        .routes(routes!(list_users, create_user))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginBody {
    /// An API token.
    pub token: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionView {
    pub user: String,
    pub role: String,
    /// Send this in `X-CSRF-Token` with every write made with the session cookie.
    pub csrf: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
}

fn cookie_header(state: &AppState, value: &str, max_age: i64) -> Result<HeaderValue, ApiError> {
    let secure = if state.config().auth.secure_cookies {
        "; Secure"
    } else {
        ""
    };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .map_err(|e| ApiError::internal("setting the session cookie", e))
}

/// Starts a browser session from an API token.
#[utoipa::path(post, path = "/auth/login", tag = "auth", request_body = LoginBody,
    responses(
        (status = 200, body = SessionView, description = "Sets the session cookie"),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 413, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn login(
    State(st): State<AppState>,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let s = st.clone();
    let token = body.token;
    let user = blocking("checking the token", move || {
        s.authenticate_token(token.trim())
            .map_err(|e| ApiError::internal("checking the token", e))
    })
    .await?
    .ok_or_else(|| ApiError::unauthenticated("the token is unknown or revoked"))?;
    let hours = st.config().auth.session_ttl_hours.clamp(1, 24 * 365);
    let ttl = jiff::SignedDuration::from_hours(hours as i64);
    let store = st.store().clone();
    let name = user.name.clone();
    let session = blocking("creating the session", move || {
        store
            .create_session(&name, ttl)
            .map_err(|e| ApiError::internal("creating the session", e))
    })
    .await?;
    tracing::info!(user = %user.name, role = %user.role, "session started");
    let mut resp = Answer::ok(
        st.revision(),
        SessionView {
            user: user.name,
            role: user.role.to_string(),
            csrf: session.session.csrf.clone(),
            expires_at: session.session.expires_at.to_string(),
        },
    )
    .into_response();
    resp.headers_mut().insert(
        SET_COOKIE,
        cookie_header(&st, &session.id, hours as i64 * 3600)?,
    );
    Ok(resp)
}

/// Ends the browser session (needs the CSRF token).
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    security(("session" = [])),
    responses(
        (status = 204, description = "Session ended; the cookie is cleared"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn logout(State(st): State<AppState>, caller: Caller) -> Result<Response, ApiError> {
    let Via::Session { id, .. } = caller.via else {
        return Err(ApiError::unauthenticated(
            "there is no session to end; log in with POST /auth/login",
        ));
    };
    let store = st.store().clone();
    blocking("ending the session", move || {
        store
            .delete_session(&id)
            .map_err(|e| ApiError::internal("ending the session", e))
    })
    .await?;
    let mut resp = StatusCode::NO_CONTENT.into_response();
    resp.headers_mut()
        .insert(SET_COOKIE, cookie_header(&st, "", 0)?);
    Ok(resp)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct WhoAmI {
    pub user: Option<String>,
    pub role: Option<String>,
    /// `anonymous`, `token` or `session`.
    pub via: String,
}

/// Who the server thinks is calling.
#[utoipa::path(get, path = "/auth/whoami", tag = "auth",
    responses(
        (status = 200, body = WhoAmI, headers(("Vires-Revision" = u64))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn whoami(State(st): State<AppState>, caller: Caller) -> Answer<WhoAmI> {
    Answer::ok(
        st.revision(),
        WhoAmI {
            user: caller.user.as_ref().map(|u| u.name.clone()),
            role: caller.user.as_ref().map(|u| u.role.to_string()),
            via: match caller.via {
                Via::Anonymous => "anonymous",
                Via::Token => "token",
                Via::Session { .. } => "session",
            }
            .into(),
        },
    )
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct UserView {
    pub name: String,
    pub role: String,
    #[schema(format = DateTime)]
    pub created_at: String,
}

fn user_view(u: vires_store::User) -> UserView {
    UserView {
        name: u.name,
        role: u.role.to_string(),
        created_at: u.created_at.to_string(),
    }
}

fn store_error(what: &'static str, e: StoreError) -> ApiError {
    match e {
        StoreError::UserExists(n) => ApiError::conflict(
            "user-exists",
            "User exists",
            format!("user {n:?} already exists"),
        ),
        StoreError::UnknownUser(n) => ApiError::not_found(format!("there is no user {n:?}")),
        StoreError::UnknownToken(t) => ApiError::not_found(format!("there is no token {t:?}")),
        StoreError::BadRole(r) => ApiError::unprocessable(
            "invalid-role",
            "Unknown role",
            format!("unknown role {r:?}: use viewer, editor, approver or admin"),
        ),
        e => ApiError::internal(what, e),
    }
}

/// Users and their roles (admin).
#[utoipa::path(get, path = "/admin/users", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = Vec<UserView>, headers(("Vires-Revision" = u64))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_users(
    State(st): State<AppState>,
    _admin: Admin,
) -> Result<Answer<Vec<UserView>>, ApiError> {
    let store = st.store().clone();
    let users = blocking("listing users", move || {
        store.users().map_err(|e| store_error("listing users", e))
    })
    .await?;
    Ok(Answer::ok(
        st.revision(),
        users.into_iter().map(user_view).collect(),
    ))
}

#[derive(Debug, Clone, Copy, Deserialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum RoleName {
    Viewer,
    Editor,
    Approver,
    Admin,
}

impl From<RoleName> for Role {
    fn from(r: RoleName) -> Role {
        match r {
            RoleName::Viewer => Role::Viewer,
            RoleName::Editor => Role::Editor,
            RoleName::Approver => Role::Approver,
            RoleName::Admin => Role::Admin,
        }
    }
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewUserBody {
    pub name: String,
    pub role: RoleName,
}

/// Creates a user, or sets an existing user's role (admin).
#[utoipa::path(post, path = "/admin/users", tag = "admin", request_body = NewUserBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, body = UserView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_user(
    State(st): State<AppState>,
    Admin(admin): Admin,
    ApiJson(body): ApiJson<NewUserBody>,
) -> Result<Answer<UserView>, ApiError> {
    let name = body.name.trim().to_string();
    if name.is_empty() || name.len() > 100 || name.chars().any(char::is_control) {
        return Err(ApiError::unprocessable(
            "invalid-user",
            "Invalid user name",
            "a user name is 1 to 100 printable characters",
        ));
    }
    let role: Role = body.role.into();
    let store = st.store().clone();
    let n = name.clone();
    let user = blocking("saving the user", move || {
        match store
            .user(&n)
            .map_err(|e| store_error("saving the user", e))?
        {
            Some(_) => store.set_role(&n, role),
            None => store.create_user(&n, role),
        }
        .map_err(|e| store_error("saving the user", e))
    })
    .await?;
    st.forget_tokens();
    tracing::info!(admin = %admin.name, user = %user.name, role = %user.role, "user saved");
    Ok(Answer {
        revision: st.revision(),
        status: StatusCode::CREATED,
        body: user_view(user),
    })
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct TokenView {
    pub id: String,
    pub user: String,
    pub label: String,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

fn token_view(t: vires_store::TokenInfo) -> TokenView {
    TokenView {
        id: t.id,
        user: t.user,
        label: t.label,
        created_at: t.created_at.to_string(),
        revoked_at: t.revoked_at.map(|r| r.to_string()),
    }
}

/// API tokens (admin); never their secrets.
#[utoipa::path(get, path = "/admin/tokens", tag = "admin",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = Vec<TokenView>, headers(("Vires-Revision" = u64))),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn list_tokens(
    State(st): State<AppState>,
    _admin: Admin,
) -> Result<Answer<Vec<TokenView>>, ApiError> {
    let store = st.store().clone();
    let tokens = blocking("listing tokens", move || {
        store
            .tokens(None)
            .map_err(|e| store_error("listing tokens", e))
    })
    .await?;
    Ok(Answer::ok(
        st.revision(),
        tokens.into_iter().map(token_view).collect(),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewTokenBody {
    pub user: String,
    #[serde(default)]
    pub label: String,
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct NewTokenView {
    pub info: TokenView,
    /// The secret: shown once, stored only as an argon2 hash.
    pub token: String,
}

/// Creates an API token for a user (admin). The secret is in the answer, once.
#[utoipa::path(post, path = "/admin/tokens", tag = "admin", request_body = NewTokenBody,
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 201, body = NewTokenView),
        (status = 400, body = Problem, content_type = "application/problem+json"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
        (status = 415, body = Problem, content_type = "application/problem+json"),
        (status = 422, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn create_token(
    State(st): State<AppState>,
    Admin(admin): Admin,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> Result<Answer<NewTokenView>, ApiError> {
    let store = st.store().clone();
    let (user, label) = (body.user.clone(), body.label.clone());
    let t = blocking("creating the token", move || {
        store
            .create_token(&user, &label)
            .map_err(|e| store_error("creating the token", e))
    })
    .await?;
    tracing::info!(admin = %admin.name, user = %t.info.user, token = %t.info.id, "token created");
    Ok(Answer {
        revision: st.revision(),
        status: StatusCode::CREATED,
        body: NewTokenView {
            info: token_view(t.info),
            token: t.token,
        },
    })
}

/// Revokes an API token by its public id (admin).
#[utoipa::path(delete, path = "/admin/tokens/{id}", tag = "admin",
    params(("id" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "Revoked"),
        (status = 401, body = Problem, content_type = "application/problem+json"),
        (status = 403, body = Problem, content_type = "application/problem+json"),
        (status = 404, body = Problem, content_type = "application/problem+json"),
    ))]
pub async fn revoke_token(
    State(st): State<AppState>,
    Admin(admin): Admin,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    let store = st.store().clone();
    let tid = id.clone();
    blocking("revoking the token", move || {
        store
            .revoke_token(&tid)
            .map_err(|e| store_error("revoking the token", e))
    })
    .await?;
    st.forget_tokens();
    tracing::info!(admin = %admin.name, token = %id, "token revoked");
    Ok(StatusCode::NO_CONTENT)
}
