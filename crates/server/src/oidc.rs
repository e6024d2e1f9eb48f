//! Signing in through an organisation's OpenID Connect issuer (for example its Microsoft
//! Entra ID tenant): the authorisation code flow with PKCE, `state` and `nonce`, through the
//! `openidconnect` crate, which fetches the issuer's discovery document and keys and checks
//! the ID token's signature, issuer, audience, expiry and nonce.
//!
//! The flow keeps nothing on the server between its two legs: [`OidcSignIn::begin`] makes
//! fresh `state`, `nonce` and PKCE verifier and hands them back for a short-lived HttpOnly
//! cookie in the browser that started; [`OidcSignIn::finish`] checks the issuer's answer
//! against that cookie. So anonymous callers cannot fill the server's memory, and the flow
//! works when several servers share one database.
//!
//! Who the person is in vires comes from the verified ID token: the issuer and `sub` are
//! the identity; `name_claim` is the user name; `roles_claim` (for example Entra's `roles` or
//! `groups`) is mapped to a vires role by `[auth.oidc.roles]`, the highest that matches.

use crate::config::OidcConfig;
use base64::Engine as _;
use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AccessTokenHash, AuthorizationCode, ClientId, ClientSecret, CsrfToken, IssuerUrl, Nonce,
    OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, Scope, TokenResponse,
};
use std::time::{Duration, Instant};
use vires_store::Role;

/// The cookie that carries a sign-in between its two legs.
pub const FLOW_COOKIE: &str = "vires_oidc";
/// How long a person has to sign in at the issuer.
pub const FLOW_SECS: i64 = 600;
/// How long the issuer's discovery document and keys are kept before being fetched again
/// (issuers rotate their signing keys).
const METADATA_TTL: Duration = Duration::from_secs(3600);

/// Why a sign-in did not complete; each names what to do.
#[derive(Debug, thiserror::Error)]
pub enum OidcError {
    #[error("the sign-in has expired or was started in another browser; start again")]
    NoFlow,
    #[error("the answer from the identity provider does not belong to this sign-in (state mismatch); start again")]
    StateMismatch,
    #[error("the identity provider refused the sign-in: {0}")]
    Refused(String),
    #[error("the identity provider cannot be reached or answered wrongly: {0}")]
    Provider(String),
    #[error("the identity provider's ID token is not valid: {0}")]
    BadToken(String),
    #[error("your account has no vires role: {0}")]
    NoRole(String),
}

/// What the issuer says about the person, once checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// The issuer and subject, which together never change for one person.
    pub subject: String,
    /// The user name in vires, from `name_claim`.
    pub name: String,
    pub role: Role,
}

/// The first leg's results: where to send the browser, and the cookie to set.
#[derive(Debug, Clone)]
pub struct Begun {
    pub redirect: String,
    pub cookie_value: String,
}

/// A configured issuer and its cached metadata.
pub struct OidcSignIn {
    config: OidcConfig,
    http: openidconnect::reqwest::Client,
    metadata: tokio::sync::Mutex<Option<(Instant, CoreProviderMetadata)>>,
}

impl OidcSignIn {
    pub fn new(config: OidcConfig) -> Result<OidcSignIn, OidcError> {
        let http = openidconnect::reqwest::Client::builder()
            // Following redirects would let an issuer send this server elsewhere.
            .redirect(openidconnect::reqwest::redirect::Policy::none())
            .timeout(Duration::from_secs(10))
            .build()
            .map_err(|e| OidcError::Provider(e.to_string()))?;
        Ok(OidcSignIn {
            config,
            http,
            metadata: tokio::sync::Mutex::new(None),
        })
    }

    pub fn config(&self) -> &OidcConfig {
        &self.config
    }

    async fn client(
        &self,
    ) -> Result<
        CoreClient<
            openidconnect::EndpointSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointNotSet,
            openidconnect::EndpointMaybeSet,
            openidconnect::EndpointMaybeSet,
        >,
        OidcError,
    > {
        let metadata = {
            let mut cached = self.metadata.lock().await;
            match cached.as_ref() {
                Some((at, m)) if at.elapsed() < METADATA_TTL => m.clone(),
                _ => {
                    let issuer = IssuerUrl::new(self.config.issuer.clone())
                        .map_err(|e| OidcError::Provider(format!("issuer URL: {e}")))?;
                    let m = CoreProviderMetadata::discover_async(issuer, &self.http)
                        .await
                        .map_err(|e| OidcError::Provider(error_chain(&e)))?;
                    *cached = Some((Instant::now(), m.clone()));
                    m
                }
            }
        };
        let redirect = RedirectUrl::new(self.config.redirect_url.clone())
            .map_err(|e| OidcError::Provider(format!("redirect URL: {e}")))?;
        Ok(CoreClient::from_provider_metadata(
            metadata,
            ClientId::new(self.config.client_id.clone()),
            self.config.client_secret.clone().map(ClientSecret::new),
        )
        .set_redirect_uri(redirect))
    }

    /// The first leg: the issuer's authorisation address for a new sign-in that returns to
    /// `next`, and the value of the flow cookie that the second leg needs.
    pub async fn begin(&self, next: &str) -> Result<Begun, OidcError> {
        let client = self.client().await?;
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for s in &self.config.scopes {
            request = request.add_scope(Scope::new(s.clone()));
        }
        let (url, state, nonce) = request.url();
        let flow = Flow {
            state: state.secret().clone(),
            nonce: nonce.secret().clone(),
            verifier: verifier.secret().clone(),
            next: next.to_string(),
        };
        Ok(Begun {
            redirect: url.to_string(),
            cookie_value: flow.encode(),
        })
    }

    /// The second leg: checks the issuer's answer (`code` and `state`, or `error`) against
    /// the flow cookie, exchanges the code (with the PKCE verifier), verifies the ID token
    /// (signature, issuer, audience, expiry, nonce) and maps its claims. Returns who signed
    /// in and where they were going.
    pub async fn finish(
        &self,
        cookie: Option<&str>,
        params: &CallbackParams,
    ) -> Result<(Identity, String), OidcError> {
        let flow = cookie.and_then(Flow::decode).ok_or(OidcError::NoFlow)?;
        if let Some(error) = &params.error {
            let detail = params.error_description.as_deref().unwrap_or("");
            return Err(OidcError::Refused(
                format!("{error} {detail}")
                    .trim()
                    .chars()
                    .take(300)
                    .collect(),
            ));
        }
        let state = params.state.as_deref().unwrap_or("");
        if !crate::secret::same_secret(state, &flow.state) {
            return Err(OidcError::StateMismatch);
        }
        let code = params
            .code
            .clone()
            .filter(|c| !c.is_empty())
            .ok_or_else(|| OidcError::Refused("the answer has no authorisation code".into()))?;
        let client = self.client().await?;
        let response = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| OidcError::Provider(e.to_string()))?
            .set_pkce_verifier(PkceCodeVerifier::new(flow.verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| OidcError::Refused(error_chain(&e)))?;
        let id_token = response
            .id_token()
            .ok_or_else(|| OidcError::BadToken("the issuer sent no ID token".into()))?;
        let verifier = client.id_token_verifier();
        let claims = id_token
            .claims(&verifier, &Nonce::new(flow.nonce.clone()))
            .map_err(|e| OidcError::BadToken(error_chain(&e)))?;
        if let Some(expected) = claims.access_token_hash() {
            let alg = id_token
                .signing_alg()
                .map_err(|e| OidcError::BadToken(e.to_string()))?;
            let key = id_token
                .signing_key(&verifier)
                .map_err(|e| OidcError::BadToken(e.to_string()))?;
            let actual = AccessTokenHash::from_token(response.access_token(), alg, key)
                .map_err(|e| OidcError::BadToken(e.to_string()))?;
            if actual != *expected {
                return Err(OidcError::BadToken(
                    "the access token does not match the ID token".into(),
                ));
            }
        }
        // The claims beyond the standard ones (roles, groups, any name claim) are read from
        // the same token's payload, whose signature was checked just above.
        let payload = verified_payload(&id_token.to_string())?;
        let identity = identity_from(
            &self.config,
            claims.issuer().as_str(),
            claims.subject().as_str(),
            &payload,
        )?;
        Ok((identity, flow.next))
    }
}

/// The callback's query parameters, as the issuer sends them.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct CallbackParams {
    pub code: Option<String>,
    pub state: Option<String>,
    pub error: Option<String>,
    pub error_description: Option<String>,
    /// Sent by some issuers (RFC 9207); checked through the ID token's `iss` instead.
    #[allow(dead_code)]
    pub iss: Option<String>,
    #[allow(dead_code)]
    pub session_state: Option<String>,
}

/// The secrets of one sign-in, kept in the browser between the two legs.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Flow {
    state: String,
    nonce: String,
    verifier: String,
    next: String,
}

impl Flow {
    /// `state.nonce.verifier.next`: the first three are base64url (no dots), `next` is
    /// percent-encoded so the value is a valid cookie value.
    fn encode(&self) -> String {
        let next: String = form_urlencoded::byte_serialize(self.next.as_bytes()).collect();
        format!("{}.{}.{}.{next}", self.state, self.nonce, self.verifier)
    }

    fn decode(value: &str) -> Option<Flow> {
        let mut parts = value.splitn(4, '.');
        let (state, nonce, verifier, next) =
            (parts.next()?, parts.next()?, parts.next()?, parts.next()?);
        let plain = |s: &str| {
            !s.is_empty()
                && s.len() <= 128
                && s.bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        };
        if !(plain(state) && plain(nonce) && plain(verifier)) {
            return None;
        }
        let next = form_urlencoded::parse(format!("n={next}").as_bytes())
            .next()
            .map(|(_, v)| v.into_owned())?;
        Some(Flow {
            state: state.into(),
            nonce: nonce.into(),
            verifier: verifier.into(),
            next,
        })
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

/// The claims of a compact JWS whose signature has been verified.
fn verified_payload(jws: &str) -> Result<serde_json::Map<String, serde_json::Value>, OidcError> {
    let payload = jws
        .split('.')
        .nth(1)
        .ok_or_else(|| OidcError::BadToken("the ID token is not a compact JWS".into()))?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(payload.trim_end_matches('='))
        .map_err(|e| OidcError::BadToken(format!("the ID token's payload: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| OidcError::BadToken(format!("the ID token's payload: {e}")))
}

/// Who the verified claims say the person is, and their vires role.
pub fn identity_from(
    config: &OidcConfig,
    issuer: &str,
    subject: &str,
    claims: &serde_json::Map<String, serde_json::Value>,
) -> Result<Identity, OidcError> {
    let name = claims
        .get(&config.name_claim)
        .and_then(|v| v.as_str())
        .map(str::trim)
        .filter(|n| !n.is_empty() && n.len() <= 100 && !n.chars().any(char::is_control))
        .ok_or_else(|| {
            OidcError::BadToken(format!(
                "the ID token has no usable `{}` claim for the user name",
                config.name_claim
            ))
        })?;
    let values: Vec<&str> = match claims.get(&config.roles_claim) {
        Some(serde_json::Value::Array(items)) => items.iter().filter_map(|v| v.as_str()).collect(),
        Some(serde_json::Value::String(s)) => s.split_whitespace().collect(),
        _ => Vec::new(),
    };
    let role = values
        .iter()
        .filter_map(|v| config.roles.get(*v).copied())
        .max()
        .ok_or_else(|| {
            OidcError::NoRole(format!(
                "the `{}` claim ({}) names none of the values this server maps to a role; ask your administrator to give your account one",
                config.roles_claim,
                if values.is_empty() { "absent".to_string() } else { values.join(", ") }
            ))
        })?;
    Ok(Identity {
        subject: format!("{issuer} {subject}"),
        name: name.to_string(),
        role,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn config() -> OidcConfig {
        let mut c = OidcConfig {
            issuer: "https://login.microsoftonline.com/tenant/v2.0".into(),
            client_id: "vires".into(),
            client_secret: None,
            redirect_url: "https://vires.example/ui/login/oidc/callback".into(),
            ..OidcConfig::default()
        };
        c.roles.insert("Vires.Editor".into(), Role::Editor);
        c.roles.insert("Vires.Approver".into(), Role::Approver);
        c.roles.insert("Vires.Viewer".into(), Role::Viewer);
        c
    }

    fn map(v: serde_json::Value) -> serde_json::Map<String, serde_json::Value> {
        v.as_object().unwrap().clone()
    }

    #[test]
    fn the_highest_mapped_role_wins_and_unmapped_values_are_ignored() {
        let c = config();
        let id = identity_from(
            &c,
            "https://issuer",
            "abc",
            &map(json!({"preferred_username": "ann@nhs.net", "roles": ["Other", "Vires.Editor", "Vires.Approver"]})),
        )
        .unwrap();
        assert_eq!(id.role, Role::Approver);
        assert_eq!(id.name, "ann@nhs.net");
        assert_eq!(id.subject, "https://issuer abc");
    }

    #[test]
    fn no_mapped_role_or_no_name_is_refused_with_the_claim_named() {
        let c = config();
        let e = identity_from(
            &c,
            "i",
            "s",
            &map(json!({"preferred_username": "a", "roles": ["Other"]})),
        )
        .unwrap_err();
        assert!(
            matches!(e, OidcError::NoRole(_)) && e.to_string().contains("Other"),
            "{e}"
        );
        let e = identity_from(&c, "i", "s", &map(json!({"roles": ["Vires.Editor"]}))).unwrap_err();
        assert!(e.to_string().contains("preferred_username"), "{e}");
    }

    #[test]
    fn groups_can_be_the_claim_and_a_space_separated_string_is_read() {
        let mut c = config();
        c.roles_claim = "groups".into();
        c.roles.insert("9f1c-group-id".into(), Role::Admin);
        let id = identity_from(
            &c,
            "i",
            "s",
            &map(json!({"preferred_username": "b", "groups": "x 9f1c-group-id"})),
        )
        .unwrap();
        assert_eq!(id.role, Role::Admin);
    }

    #[test]
    fn the_flow_cookie_round_trips_and_refuses_tampering() {
        let f = Flow {
            state: "s-_1".into(),
            nonce: "n2".into(),
            verifier: "v3".into(),
            next: "/ui/who?function=a.b&on=2024-01-01; x".into(),
        };
        let v = f.encode();
        assert!(
            !v.contains(';') && !v.contains(' ') && !v.contains(','),
            "{v}"
        );
        assert_eq!(Flow::decode(&v), Some(f));
        assert_eq!(Flow::decode("a.b"), None);
        assert_eq!(Flow::decode("a;b.c.d.e"), None);
        assert_eq!(Flow::decode("..."), None);
    }
}
