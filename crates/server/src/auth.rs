//! Who is calling: a bearer API token (checked against the store's argon2 hashes, cached
//! briefly), or a browser session cookie (with a CSRF token for anything that writes).
//! Roles are ordered viewer < editor < approver < admin; each includes the ones before.

use crate::config::ReadAccess;
use crate::problem::ApiError;
use crate::secret::same_secret;
use crate::state::AppState;
use axum::extract::{FromRequestParts, Request, State};
use axum::http::header::{AUTHORIZATION, COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;
use vires_store::{Role, User};

pub const SESSION_COOKIE: &str = "vires_session";
pub const CSRF_HEADER: &str = "x-csrf-token";

/// How the caller proved who they are.
#[derive(Debug, Clone)]
pub enum Via {
    Anonymous,
    Token,
    /// A browser session: its secret id (from the cookie), its CSRF token and its public
    /// handle (as listed by `/auth/sessions`).
    Session {
        id: String,
        csrf: String,
        handle: String,
    },
}

/// The authenticated caller, if any.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: Option<User>,
    pub via: Via,
}

impl Caller {
    /// The user, if they hold at least `role`: 401 for nobody, 403 for too small a role.
    pub fn require(&self, role: Role) -> Result<&User, ApiError> {
        match &self.user {
            None => Err(ApiError::unauthenticated(format!(
                "this needs the {role} role or above; send Authorization: Bearer TOKEN (an admin creates tokens)"
            ))),
            Some(u) if u.role < role => Err(ApiError::forbidden(format!(
                "user {} has the {} role; this needs {role} or above",
                u.name, u.role
            ))),
            Some(u) => Ok(u),
        }
    }
}

fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    vires_app::cookie::value(
        parts
            .headers
            .get_all(COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok()),
        name,
    )
}

/// Whether a cookie set in answer to this request gets `Secure`: always when
/// `auth.secure_cookies` is on, and otherwise whenever the request reached us over TLS, as a
/// proxy in front says with `X-Forwarded-Proto: https` or `Forwarded: proto=https`. Those
/// headers need no trust: marking a cookie `Secure` on a request that did not come over TLS
/// only stops the browser sending it back over plain HTTP.
pub fn secure_cookies(state: &AppState, headers: &HeaderMap) -> bool {
    if state.config().auth.secure_cookies {
        return true;
    }
    let forwarded_https = headers
        .get_all("x-forwarded-proto")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .any(|p| p.trim().eq_ignore_ascii_case("https"));
    let standard_https = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .filter_map(|kv| kv.trim().split_once('='))
        .any(|(k, v)| {
            k.trim().eq_ignore_ascii_case("proto")
                && v.trim().trim_matches('"').eq_ignore_ascii_case("https")
        });
    forwarded_https || standard_https
}

/// The address a request came from: the connection's, or the last address in the header
/// `auth.client_address_header` names (set by the proxy in front). Sign-in attempts are
/// counted by it.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl ClientAddr {
    pub fn of(parts: &Parts, state: &AppState) -> ClientAddr {
        if let Some(name) = &state.config().auth.client_address_header {
            let forwarded = parts
                .headers
                .get_all(name.as_str())
                .iter()
                .filter_map(|v| v.to_str().ok())
                .flat_map(|v| v.split(','))
                .filter_map(|a| a.trim().parse().ok())
                .next_back();
            return ClientAddr(forwarded);
        }
        ClientAddr(
            parts
                .extensions
                .get::<axum::extract::ConnectInfo<std::net::SocketAddr>>()
                .map(|c| c.0.ip()),
        )
    }
}

impl FromRequestParts<AppState> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(ClientAddr::of(parts, state))
    }
}

/// The refusal for an attempt over a sign-in limit.
pub fn too_many(refused: crate::sign_in_limits::Refused) -> ApiError {
    let who = match refused.by {
        crate::sign_in_limits::Limit::Client => "from this address",
        crate::sign_in_limits::Limit::TokenId => "with this token",
    };
    ApiError::too_many(
        format!(
            "too many sign-in attempts {who}; try again in {} s",
            refused.retry_after.as_secs().max(1)
        ),
        refused.retry_after,
    )
}

/// The user `token` belongs to: from the cache of recently verified tokens, or else, if
/// `client` and the token's id are within their sign-in limits, by one argon2 verification
/// (waiting for a turn, so only a few run at once).
pub async fn verify_token(
    state: &AppState,
    token: &str,
    client: ClientAddr,
) -> Result<Option<User>, ApiError> {
    if let Some(user) = state.cached_token(token) {
        return Ok(Some(user));
    }
    let id = vires_store::token_id(token).unwrap_or("");
    state
        .sign_in_limits()
        .attempt(client.0, Some(id))
        .map_err(too_many)?;
    let _turn = state.sign_in_limits().verification_turn().await;
    let st = state.clone();
    let token = token.to_string();
    tokio::task::spawn_blocking(move || st.authenticate_token(&token))
        .await
        .map_err(|e| ApiError::internal("checking the token", e))?
        .map_err(|e| ApiError::internal("checking the token", e))
}

pub async fn identify(parts: &Parts, state: &AppState) -> Result<Caller, ApiError> {
    if let Some(h) = parts.headers.get(AUTHORIZATION) {
        let text = h.to_str().unwrap_or("");
        let token = text
            .strip_prefix("Bearer ")
            .or_else(|| text.strip_prefix("bearer "))
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .ok_or_else(|| {
                ApiError::unauthenticated("the Authorization header must be `Bearer TOKEN`")
            })?
            .to_string();
        let user = verify_token(state, &token, ClientAddr::of(parts, state)).await?;
        return match user {
            Some(u) => Ok(Caller {
                user: Some(u),
                via: Via::Token,
            }),
            None => Err(ApiError::unauthenticated(
                "the token is unknown or revoked; ask an admin for a new one",
            )),
        };
    }
    if let Some(sid) = cookie(parts, SESSION_COOKIE) {
        let sid = sid.to_string();
        let st = state.clone();
        let lookup = sid.clone();
        let session = tokio::task::spawn_blocking(move || st.store().session(&lookup))
            .await
            .map_err(|e| ApiError::internal("checking the session", e))?
            .map_err(|e| ApiError::internal("checking the session", e))?;
        if let Some(s) = session {
            let safe = matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if !safe {
                let sent = parts
                    .headers
                    .get(CSRF_HEADER)
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("");
                if !same_secret(sent, &s.csrf) {
                    return Err(ApiError::forbidden(
                        "a request that changes something with a session cookie must send the session's CSRF token in the X-CSRF-Token header",
                    ));
                }
            }
            return Ok(Caller {
                user: Some(s.user),
                via: Via::Session {
                    id: sid,
                    csrf: s.csrf,
                    handle: s.handle,
                },
            });
        }
    }
    Ok(Caller {
        user: None,
        via: Via::Anonymous,
    })
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, ApiError> {
        if let Some(c) = parts.extensions.get::<Caller>() {
            return Ok(c.clone());
        }
        let c = identify(parts, state).await?;
        parts.extensions.insert(c.clone());
        Ok(c)
    }
}

/// For the change stream: when reads need a token, require a viewer.
pub async fn require_reader(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    let req = admit_reader(&state, req).await?;
    Ok(next.run(req).await)
}

/// For the query routes: when reads need a token, require a viewer. The request comes
/// back to be answered, or the refusal.
pub async fn admit_reader(state: &AppState, req: Request) -> Result<Request, ApiError> {
    if state.config().auth.read == ReadAccess::Public {
        return Ok(req);
    }
    let (mut parts, body) = req.into_parts();
    let caller = Caller::from_request_parts(&mut parts, state).await?;
    caller.require(Role::Viewer)?;
    Ok(Request::from_parts(parts, body))
}

macro_rules! role_extractor {
    ($name:ident, $role:expr, $doc:literal) => {
        #[doc = $doc]
        ///
        /// As an extractor it runs before the body is read, so a request without the role is
        /// refused with 401 or 403 whatever its body holds.
        #[derive(Debug, Clone)]
        pub struct $name(pub User);

        impl FromRequestParts<AppState> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(
                parts: &mut Parts,
                state: &AppState,
            ) -> Result<Self, ApiError> {
                let caller = Caller::from_request_parts(parts, state).await?;
                caller.require($role).cloned().map($name)
            }
        }
    };
}

role_extractor!(
    Editor,
    Role::Editor,
    "A caller with the editor role or above."
);
role_extractor!(
    Approver,
    Role::Approver,
    "A caller with the approver role or above."
);
role_extractor!(Admin, Role::Admin, "A caller with the admin role.");
