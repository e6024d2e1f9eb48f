//! Sessions for the web UI and user and token administration.
//!
//! A browser logs in with an API token (or through OpenID Connect, see `oidc.rs`) and gets a
//! session cookie (HttpOnly, SameSite=Strict, Secure over TLS) plus a CSRF token that every
//! write made with the cookie must echo in `X-CSRF-Token`. A session opened with a token ends
//! when the token is revoked; sessions can be listed and ended by their owner and by admins.
//!
//! Token ids are not written to the log: knowing one is half of what an attacker needs.

use super::{blocking, Answer};
use crate::auth::{secure_cookies, verify_token, Admin, Caller, ClientAddr, Via, SESSION_COOKIE};
use crate::extract::ApiJson;
use crate::problem::responses::{
    AccessProblems, BadRequest, BodyProblems, Conflict, NotFound, Unauthorized,
};
use crate::problem::{ApiError, Problem};
use crate::state::AppState;
use axum::extract::State;
use axum::http::{header::SET_COOKIE, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use vires_store::{Role, SessionOrigin, SessionSummary, Store, StoreError};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(whoami))
        .routes(routes!(list_users, create_user))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
        .routes(routes!(my_sessions))
        .routes(routes!(end_session))
        .routes(routes!(all_sessions))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
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

/// The session cookie's `Set-Cookie` value.
pub fn cookie_header(
    state: &AppState,
    headers: &HeaderMap,
    value: &str,
    max_age: i64,
) -> Result<HeaderValue, ApiError> {
    let secure = if secure_cookies(state, headers) {
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
        (status = 429, description = "Too many attempts from this address or with this token id; see Retry-After", body = Problem, content_type = "application/problem+json"),
        BadRequest, Unauthorized, BodyProblems,
    ))]
pub async fn login(
    State(st): State<AppState>,
    client: ClientAddr,
    headers: HeaderMap,
    ApiJson(body): ApiJson<LoginBody>,
) -> Result<Response, ApiError> {
    let token = body.token.trim().to_string();
    let origin = vires_store::token_id(&token).map(|id| SessionOrigin::Token {
        token_id: id.to_string(),
    });
    let user = verify_token(&st, &token, client)
        .await?
        .ok_or_else(|| ApiError::unauthenticated("the token is unknown or revoked"))?;
    let origin =
        origin.ok_or_else(|| ApiError::unauthenticated("the token is unknown or revoked"))?;
    let hours = st.config().auth.session_ttl_hours.clamp(1, 24 * 365);
    let ttl = jiff::SignedDuration::from_hours(hours as i64);
    let name = user.name.clone();
    let session = on_store(&st, "creating the session", move |s| {
        s.create_session(&name, ttl, &origin)
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
        cookie_header(&st, &headers, &session.id, hours as i64 * 3600)?,
    );
    Ok(resp)
}

/// Ends the browser session (needs the CSRF token).
#[utoipa::path(post, path = "/auth/logout", tag = "auth",
    security(("session" = [])),
    responses(
        (status = 204, description = "Session ended; the cookie is cleared"),
        AccessProblems,
    ))]
pub async fn logout(
    State(st): State<AppState>,
    headers: HeaderMap,
    caller: Caller,
) -> Result<Response, ApiError> {
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
        .insert(SET_COOKIE, cookie_header(&st, &headers, "", 0)?);
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
        (status = 200, body = WhoAmI),
        Unauthorized,
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
    /// When an admin disabled the user; absent for a user who may sign in.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[schema(format = DateTime)]
    pub disabled_at: Option<String>,
}

fn user_view(u: vires_store::User) -> UserView {
    UserView {
        name: u.name,
        role: u.role.to_string(),
        created_at: u.created_at.to_string(),
        disabled_at: u.disabled_at.map(|t| t.to_string()),
    }
}

/// Runs `f` on the store on a blocking thread; a store error becomes the problem it means,
/// `what` naming the job for an unexpected one.
async fn on_store<T, F>(st: &AppState, what: &'static str, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&dyn Store) -> Result<T, StoreError> + Send + 'static,
{
    let store = st.store().clone();
    blocking(what, move || {
        f(store.as_ref()).map_err(|e| store_error(what, e))
    })
    .await
}

fn store_error(what: &'static str, e: StoreError) -> ApiError {
    match e {
        StoreError::UserExists(n) => ApiError::conflict(
            "user-exists",
            "User exists",
            format!("user {n:?} already exists"),
        ),
        StoreError::UnknownUser(n) => {
            ApiError::not_found(format!("there is no user {n:?}, or the user is disabled"))
        }
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
        (status = 200, body = Vec<UserView>),
        AccessProblems,
    ))]
pub async fn list_users(
    State(st): State<AppState>,
    _admin: Admin,
) -> Result<Answer<Vec<UserView>>, ApiError> {
    let users = on_store(&st, "listing users", |s| s.users()).await?;
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
        BadRequest, AccessProblems, BodyProblems,
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
    let n = name.clone();
    let user = on_store(&st, "saving the user", move |s| match s.user(&n)? {
        Some(_) => s.set_role(&n, role),
        None => s.create_user(&n, role),
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
        (status = 200, body = Vec<TokenView>),
        AccessProblems,
    ))]
pub async fn list_tokens(
    State(st): State<AppState>,
    _admin: Admin,
) -> Result<Answer<Vec<TokenView>>, ApiError> {
    let tokens = on_store(&st, "listing tokens", move |s| s.tokens(None)).await?;
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
        BadRequest, AccessProblems, BodyProblems, NotFound,
    ))]
pub async fn create_token(
    State(st): State<AppState>,
    Admin(admin): Admin,
    ApiJson(body): ApiJson<NewTokenBody>,
) -> Result<Answer<NewTokenView>, ApiError> {
    let (user, label) = (body.user.clone(), body.label.clone());
    let t = on_store(&st, "creating the token", move |s| {
        s.create_token(&user, &label)
    })
    .await?;
    tracing::info!(admin = %admin.name, user = %t.info.user, "token created");
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
        AccessProblems, NotFound,
    ))]
pub async fn revoke_token(
    State(st): State<AppState>,
    Admin(admin): Admin,
    axum::extract::Path(id): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    let tid = id.clone();
    on_store(&st, "revoking the token", move |s| s.revoke_token(&tid)).await?;
    st.forget_tokens();
    tracing::info!(admin = %admin.name, "token revoked; its sessions ended");
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionListing {
    /// The public handle, for `DELETE /auth/sessions/{handle}`; not the secret cookie.
    pub handle: String,
    pub user: String,
    /// `token` (signed in with an API token) or `oidc` (through the OpenID Connect issuer).
    pub via: String,
    /// For `token`: the id of the token that opened it; revoking the token ends the session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub token_id: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// Already past its expiry (kept until the next purge, and refused meanwhile).
    pub expired: bool,
    /// The session this request was made with.
    pub current: bool,
}

fn session_listing(s: SessionSummary, caller: &Caller) -> SessionListing {
    let current = matches!(&caller.via, Via::Session { handle, .. } if *handle == s.handle);
    let (via, token_id) = match s.origin {
        SessionOrigin::Token { token_id } => ("token", Some(token_id)),
        SessionOrigin::Oidc => ("oidc", None),
    };
    SessionListing {
        handle: s.handle,
        user: s.user,
        via: via.into(),
        token_id,
        created_at: s.created_at.to_string(),
        expires_at: s.expires_at.to_string(),
        expired: s.expires_at <= jiff::Timestamp::now(),
        current,
    }
}

async fn listed_sessions(
    st: &AppState,
    user: Option<String>,
    caller: &Caller,
) -> Result<Vec<SessionListing>, ApiError> {
    let sessions = on_store(st, "listing sessions", move |s| s.sessions(user.as_deref())).await?;
    Ok(sessions
        .into_iter()
        .map(|s| session_listing(s, caller))
        .collect())
}

/// The caller's own browser sessions (any signed-in caller).
#[utoipa::path(get, path = "/auth/sessions", tag = "auth",
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = Vec<SessionListing>),
        Unauthorized,
    ))]
pub async fn my_sessions(
    State(st): State<AppState>,
    caller: Caller,
) -> Result<Answer<Vec<SessionListing>>, ApiError> {
    let user = caller.require(Role::Viewer)?.name.clone();
    let list = listed_sessions(&st, Some(user), &caller).await?;
    Ok(Answer::ok(st.revision(), list))
}

#[derive(Debug, Deserialize, utoipa::IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(deny_unknown_fields)]
pub struct SessionsParams {
    /// Only this user's sessions.
    pub user: Option<String>,
}

/// Every browser session, or one user's (admin).
#[utoipa::path(get, path = "/admin/sessions", tag = "admin", params(SessionsParams),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = Vec<SessionListing>),
        BadRequest, AccessProblems,
    ))]
pub async fn all_sessions(
    State(st): State<AppState>,
    caller: Caller,
    crate::extract::ApiQuery(params): crate::extract::ApiQuery<SessionsParams>,
) -> Result<Answer<Vec<SessionListing>>, ApiError> {
    caller.require(Role::Admin)?;
    let list = listed_sessions(&st, params.user, &caller).await?;
    Ok(Answer::ok(st.revision(), list))
}

/// Ends a browser session by its handle: one's own, or anyone's for an admin. With a
/// session cookie it needs the CSRF token.
#[utoipa::path(delete, path = "/auth/sessions/{handle}", tag = "auth",
    params(("handle" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 204, description = "Ended"),
        AccessProblems, NotFound,
    ))]
pub async fn end_session(
    State(st): State<AppState>,
    caller: Caller,
    axum::extract::Path(handle): axum::extract::Path<String>,
) -> Result<StatusCode, ApiError> {
    let user = caller.require(Role::Viewer)?;
    let owner = (user.role < Role::Admin).then(|| user.name.clone());
    let by = user.name.clone();
    let ended = on_store(&st, "ending the session", move |s| {
        s.end_session(&handle, owner.as_deref())
    })
    .await?;
    if !ended {
        return Err(ApiError::not_found(
            "there is no such session of yours; list them with GET /auth/sessions",
        ));
    }
    tracing::info!(by = %by, "session ended");
    Ok(StatusCode::NO_CONTENT)
}

async fn set_disabled(
    st: &AppState,
    admin: &vires_store::User,
    name: String,
    disabled: bool,
) -> Result<Answer<UserView>, ApiError> {
    if disabled && name == admin.name {
        return Err(ApiError::conflict(
            "cannot-disable-self",
            "Cannot disable yourself",
            "an admin cannot disable their own user; ask another admin",
        ));
    }
    let user = on_store(st, "saving the user", move |s| {
        s.set_disabled(&name, disabled)
    })
    .await?;
    st.forget_tokens();
    tracing::info!(admin = %admin.name, user = %user.name, disabled, "user access changed");
    Ok(Answer::ok(st.revision(), user_view(user)))
}

/// Disables a user (admin): their tokens and sign-ins are refused and their sessions end.
#[utoipa::path(post, path = "/admin/users/{name}/disable", tag = "admin",
    params(("name" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = UserView),
        AccessProblems, NotFound, Conflict,
    ))]
pub async fn disable_user(
    State(st): State<AppState>,
    Admin(admin): Admin,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<Answer<UserView>, ApiError> {
    set_disabled(&st, &admin, name, true).await
}

/// Enables a disabled user again (admin). Their unrevoked tokens work again; ended
/// sessions stay ended.
#[utoipa::path(post, path = "/admin/users/{name}/enable", tag = "admin",
    params(("name" = String, Path)),
    security(("bearer" = []), ("session" = [])),
    responses(
        (status = 200, body = UserView),
        AccessProblems, NotFound,
    ))]
pub async fn enable_user(
    State(st): State<AppState>,
    Admin(admin): Admin,
    axum::extract::Path(name): axum::extract::Path<String>,
) -> Result<Answer<UserView>, ApiError> {
    set_disabled(&st, &admin, name, false).await
}
