//! Server configuration: documented defaults, then a TOML file, then environment
//! variables, then command-line flags (the CLI sets fields after [`ServeConfig::load`]).
//! Every setting and its default is listed in `docs/api.md`.

use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// Which register the change log applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BaseRegister {
    /// The bundled England register (ODS/ONS bodies, practices, national instruments).
    England,
    /// An empty register: everything comes from the change log.
    Empty,
}

/// Whether reading the register needs a token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ReadAccess {
    /// Anyone may query.
    Public,
    /// Queries need a token or session of any role (viewer and up).
    Token,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum LogFormat {
    /// One JSON object per line, with the request id: for log collectors.
    Json,
    /// Human-readable lines: for a terminal.
    Text,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuthConfig {
    pub read: ReadAccess,
    /// Always mark cookies `Secure` (only sent over HTTPS). Off, they are still marked so on
    /// every request that reached the server over TLS (`X-Forwarded-Proto: https` or
    /// `Forwarded: proto=https` from the proxy in front).
    pub secure_cookies: bool,
    pub session_ttl_hours: u64,
    /// Verified API tokens are remembered for this long, so argon2 runs once per token per
    /// period rather than once per request; a revoked token stops working within it.
    pub token_cache_secs: u64,
    /// If set and the store has no users, create this admin user at start-up and show one
    /// API token for it on the terminal (never in the log), or write it to
    /// `bootstrap_token_file`.
    pub bootstrap_admin: Option<String>,
    /// Where to write the bootstrap admin's token (a new file, readable by its owner only)
    /// when the server has no terminal to show it on.
    pub bootstrap_token_file: Option<PathBuf>,
    /// How often expired sessions are deleted from the store.
    pub session_purge_secs: u64,
    /// Attempts to sign in (or to use a token not verified lately) one client address may
    /// make in a minute; more are refused with 429.
    pub sign_ins_per_minute_per_client: u32,
    /// Attempts with one token id, from anywhere, in a minute.
    pub sign_ins_per_minute_per_token: u32,
    /// A header a proxy in front sets to the client's address (`x-forwarded-for`: its last
    /// address is taken, the one the proxy saw). Unset: the connection's address.
    pub client_address_header: Option<String>,
    /// Signing in through an OpenID Connect issuer (an organisation's Microsoft Entra ID
    /// tenant, for example); off when absent.
    pub oidc: Option<OidcConfig>,
}

/// `[auth.oidc]`: the issuer, this server as its client, and how claims become roles.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OidcConfig {
    /// The issuer's identifier, as in its discovery document; for Entra ID
    /// `https://login.microsoftonline.com/TENANT-ID/v2.0`.
    pub issuer: String,
    /// This server's client (application) id at the issuer.
    pub client_id: String,
    /// The client secret. Better given as `VIRES_OIDC_CLIENT_SECRET` than in a file.
    pub client_secret: Option<String>,
    /// This server's callback address as registered at the issuer:
    /// `https://HOST/ui/login/oidc/callback`.
    pub redirect_url: String,
    /// Scopes to ask for besides `openid`.
    pub scopes: Vec<String>,
    /// The ID token claim that is the user's name in vires.
    pub name_claim: String,
    /// The ID token claim that lists the person's roles or groups (`roles` for Entra app
    /// roles, `groups` for group object ids).
    pub roles_claim: String,
    /// Values of `roles_claim` and the vires role each gives; the highest that matches wins.
    /// A person with none is refused.
    pub roles: std::collections::BTreeMap<String, vires_store::Role>,
    /// The sign-in button's text.
    pub label: String,
}

impl Default for OidcConfig {
    fn default() -> Self {
        OidcConfig {
            issuer: String::new(),
            client_id: String::new(),
            client_secret: None,
            redirect_url: String::new(),
            scopes: vec!["profile".into(), "email".into()],
            name_claim: "preferred_username".into(),
            roles_claim: "roles".into(),
            roles: Default::default(),
            label: "Sign in with your organisation account".into(),
        }
    }
}

impl Default for AuthConfig {
    fn default() -> Self {
        AuthConfig {
            read: ReadAccess::Public,
            secure_cookies: false,
            session_ttl_hours: 12,
            token_cache_secs: 30,
            bootstrap_admin: None,
            bootstrap_token_file: None,
            session_purge_secs: 600,
            sign_ins_per_minute_per_client: 30,
            sign_ins_per_minute_per_token: 10,
            client_address_header: None,
            oidc: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    pub max_body_bytes: usize,
    pub request_timeout_secs: u64,
    /// How long a request with `min_revision` waits for the register to catch up.
    pub min_revision_wait_ms: u64,
    /// How long shutdown waits for requests in flight.
    pub shutdown_grace_secs: u64,
    /// Requests in progress at once; more get 503 (health probes are never refused).
    pub max_concurrent_requests: usize,
    /// Questions computed at once on the blocking threads (what-ifs, analyses, conflicts
    /// checks); 0 means the number of cores. A question waits up to `heavy_wait_ms` for a
    /// turn, then gets 503. Work abandoned by a timeout keeps its turn until it stops.
    pub max_heavy_work: usize,
    pub heavy_wait_ms: u64,
    /// Requests per minute from one client address (the connection's, or the one
    /// `auth.client_address_header` names); more get 429. 0 turns the limit off.
    pub requests_per_minute_per_client: u32,
    /// Connections open at once; more wait to be accepted.
    pub max_connections: usize,
    /// A connection that sends no complete request head in this time is closed: slow
    /// senders, and idle keep-alive connections between requests.
    pub header_read_timeout_secs: u64,
    /// Parameters in one query string; more get 400.
    pub max_query_params: usize,
    /// Bytes in a request's URL (path and query); longer gets 414.
    pub max_url_bytes: usize,
    /// Bytes in a request's headers, names and values together; more get 431.
    pub max_header_bytes: usize,
    /// Instruments in one `POST /whatif`; more get 413.
    pub max_whatif_instruments: usize,
    /// Participants in one decision sent for a conflicts check; more get 413.
    pub max_participants: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body_bytes: 1024 * 1024,
            request_timeout_secs: 30,
            min_revision_wait_ms: 2000,
            shutdown_grace_secs: 10,
            max_concurrent_requests: 256,
            max_heavy_work: 0,
            heavy_wait_ms: 5000,
            requests_per_minute_per_client: 1200,
            max_connections: 1024,
            header_read_timeout_secs: 10,
            max_query_params: 32,
            max_url_bytes: 8 * 1024,
            max_header_bytes: 16 * 1024,
            max_whatif_instruments: 200,
            max_participants: 200,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LogConfig {
    pub format: LogFormat,
    /// A tracing filter such as `info` or `vires_server=debug,info`.
    pub filter: String,
}

impl Default for LogConfig {
    fn default() -> Self {
        LogConfig {
            format: LogFormat::Json,
            filter: "info".into(),
        }
    }
}

/// Who may settle a proposal. The proposer can never approve their own proposal; these
/// settings can only make the rule stricter.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ApprovalConfig {
    /// Whether an approver may reject (withdraw) a proposal they made themselves.
    pub proposer_may_reject: bool,
}

impl Default for ApprovalConfig {
    fn default() -> Self {
        ApprovalConfig {
            proposer_may_reject: true,
        }
    }
}

/// `[audit]`: the change log's key, and what to do with a log that does not verify.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct AuditConfig {
    /// The log key's file (`vires audit keygen --out PATH`): every write is checkpointed
    /// with it, and the log is checked with it at start. Keep it outside the database.
    pub key_file: Option<PathBuf>,
    /// Serve even when the log does not verify at start (it is refused otherwise): the
    /// breakage is shown in `/status` and logged as a warning.
    pub allow_broken_log: bool,
}

/// Everything `vires serve` needs.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServeConfig {
    /// `HOST:PORT` to listen on.
    pub addr: String,
    /// `sqlite://PATH` or `postgres://USER@HOST:PORT/DATABASE`. Empty means the default
    /// SQLite file in the user's data directory.
    pub db: String,
    pub base: BaseRegister,
    pub auth: AuthConfig,
    pub limits: Limits,
    pub log: LogConfig,
    pub approval: ApprovalConfig,
    pub audit: AuditConfig,
    /// The folder the built base register is kept in between starts (`vires serve` gives
    /// the CLI's: `VIRES_CACHE_DIR` or the platform's, none with `--no-cache`). None builds
    /// it afresh. Not read from the file or the environment here.
    #[serde(skip)]
    pub cache: Option<vires_app::base_cache::Cache>,
}

pub const DEFAULT_ADDR: &str = "127.0.0.1:8080";

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            addr: DEFAULT_ADDR.into(),
            db: String::new(),
            base: BaseRegister::England,
            auth: AuthConfig::default(),
            limits: Limits::default(),
            log: LogConfig::default(),
            approval: ApprovalConfig::default(),
            audit: AuditConfig::default(),
            cache: None,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("environment variable {name}={value:?} is not valid: {expected}")]
    Env {
        name: &'static str,
        value: String,
        expected: &'static str,
    },
    #[error("{field} must be set when OpenID Connect sign-in is configured (or {env})")]
    Missing { field: String, env: &'static str },
    #[error("no default database location: neither XDG_DATA_HOME nor HOME is set; set VIRES_DB (for example sqlite:///var/lib/vires/vires.db)")]
    NoDataDir,
}

impl ServeConfig {
    /// Defaults, overridden by the TOML file `file` (or the one named by `VIRES_CONFIG`),
    /// overridden by environment variables read through `env`.
    pub fn load(
        file: Option<&Path>,
        env: impl Fn(&str) -> Option<String>,
    ) -> Result<ServeConfig, ConfigError> {
        let from_env = env("VIRES_CONFIG")
            .filter(|s| !s.is_empty())
            .map(PathBuf::from);
        let path = file.map(Path::to_path_buf).or(from_env);
        let mut config = match path {
            Some(p) => {
                let text = std::fs::read_to_string(&p).map_err(|source| ConfigError::Read {
                    path: p.clone(),
                    source,
                })?;
                toml::from_str(&text).map_err(|e| ConfigError::Parse {
                    path: p.clone(),
                    message: e.to_string(),
                })?
            }
            None => ServeConfig::default(),
        };
        config.apply_env(&env)?;
        if config.db.is_empty() {
            config.db = default_db_url(&env)?;
        }
        Ok(config)
    }

    /// [`ServeConfig::load`] with the process environment.
    pub fn from_process_env(file: Option<&Path>) -> Result<ServeConfig, ConfigError> {
        Self::load(file, |k| std::env::var(k).ok())
    }

    fn apply_env(&mut self, env: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        let get = |k: &str| env(k).filter(|v| !v.trim().is_empty());
        if let Some(v) = get("VIRES_ADDR") {
            self.addr = v;
        }
        if let Some(v) = get("VIRES_DB") {
            self.db = v;
        }
        if let Some(v) = get("VIRES_BASE") {
            self.base = match v.as_str() {
                "england" => BaseRegister::England,
                "empty" => BaseRegister::Empty,
                _ => return Err(env_err("VIRES_BASE", v, "england or empty")),
            };
        }
        if let Some(v) = get("VIRES_READ_AUTH") {
            self.auth.read = match v.as_str() {
                "public" => ReadAccess::Public,
                "token" => ReadAccess::Token,
                _ => return Err(env_err("VIRES_READ_AUTH", v, "public or token")),
            };
        }
        if let Some(v) = get("VIRES_SECURE_COOKIES") {
            self.auth.secure_cookies = parse_bool("VIRES_SECURE_COOKIES", v)?;
        }
        if let Some(v) = get("VIRES_SESSION_TTL_HOURS") {
            self.auth.session_ttl_hours = parse_num("VIRES_SESSION_TTL_HOURS", v)?;
        }
        if let Some(v) = get("VIRES_TOKEN_CACHE_SECS") {
            self.auth.token_cache_secs = parse_num("VIRES_TOKEN_CACHE_SECS", v)?;
        }
        if let Some(v) = get("VIRES_BOOTSTRAP_ADMIN") {
            self.auth.bootstrap_admin = Some(v);
        }
        if let Some(v) = get("VIRES_PROPOSER_MAY_REJECT") {
            self.approval.proposer_may_reject = parse_bool("VIRES_PROPOSER_MAY_REJECT", v)?;
        }
        if let Some(v) = get("VIRES_LOG_KEY_FILE") {
            self.audit.key_file = Some(PathBuf::from(v));
        }
        if let Some(v) = get("VIRES_ALLOW_BROKEN_LOG") {
            self.audit.allow_broken_log = parse_bool("VIRES_ALLOW_BROKEN_LOG", v)?;
        }
        if let Some(v) = get("VIRES_BOOTSTRAP_TOKEN_FILE") {
            self.auth.bootstrap_token_file = Some(PathBuf::from(v));
        }
        if let Some(v) = get("VIRES_SIGN_INS_PER_MINUTE_PER_CLIENT") {
            self.auth.sign_ins_per_minute_per_client =
                parse_num("VIRES_SIGN_INS_PER_MINUTE_PER_CLIENT", v)?;
        }
        if let Some(v) = get("VIRES_SIGN_INS_PER_MINUTE_PER_TOKEN") {
            self.auth.sign_ins_per_minute_per_token =
                parse_num("VIRES_SIGN_INS_PER_MINUTE_PER_TOKEN", v)?;
        }
        if let Some(v) = get("VIRES_CLIENT_ADDRESS_HEADER") {
            self.auth.client_address_header = Some(v);
        }
        if let Some(v) = get("VIRES_SESSION_PURGE_SECS") {
            self.auth.session_purge_secs = parse_num("VIRES_SESSION_PURGE_SECS", v)?;
        }
        self.apply_oidc_env(&get)?;
        if let Some(v) = get("VIRES_MAX_BODY_BYTES") {
            self.limits.max_body_bytes = parse_num("VIRES_MAX_BODY_BYTES", v)?;
        }
        if let Some(v) = get("VIRES_REQUEST_TIMEOUT_SECS") {
            self.limits.request_timeout_secs = parse_num("VIRES_REQUEST_TIMEOUT_SECS", v)?;
        }
        if let Some(v) = get("VIRES_MIN_REVISION_WAIT_MS") {
            self.limits.min_revision_wait_ms = parse_num("VIRES_MIN_REVISION_WAIT_MS", v)?;
        }
        if let Some(v) = get("VIRES_SHUTDOWN_GRACE_SECS") {
            self.limits.shutdown_grace_secs = parse_num("VIRES_SHUTDOWN_GRACE_SECS", v)?;
        }
        self.apply_limits_env(&get)?;
        if let Some(v) = get("VIRES_LOG_FORMAT") {
            self.log.format = match v.as_str() {
                "json" => LogFormat::Json,
                "text" => LogFormat::Text,
                _ => return Err(env_err("VIRES_LOG_FORMAT", v, "json or text")),
            };
        }
        if let Some(v) = get("VIRES_LOG") {
            self.log.filter = v;
        }
        Ok(())
    }
}

impl ServeConfig {
    /// The `VIRES_*` variables of the bounds on work (`[limits]`).
    fn apply_limits_env(
        &mut self,
        get: &impl Fn(&str) -> Option<String>,
    ) -> Result<(), ConfigError> {
        let l = &mut self.limits;
        macro_rules! set {
            ($($name:literal => $field:ident,)*) => {$(
                if let Some(v) = get($name) {
                    l.$field = parse_num($name, v)?;
                }
            )*};
        }
        set! {
            "VIRES_MAX_CONCURRENT_REQUESTS" => max_concurrent_requests,
            "VIRES_MAX_HEAVY_WORK" => max_heavy_work,
            "VIRES_HEAVY_WAIT_MS" => heavy_wait_ms,
            "VIRES_REQUESTS_PER_MINUTE_PER_CLIENT" => requests_per_minute_per_client,
            "VIRES_MAX_CONNECTIONS" => max_connections,
            "VIRES_HEADER_READ_TIMEOUT_SECS" => header_read_timeout_secs,
            "VIRES_MAX_QUERY_PARAMS" => max_query_params,
            "VIRES_MAX_URL_BYTES" => max_url_bytes,
            "VIRES_MAX_HEADER_BYTES" => max_header_bytes,
            "VIRES_MAX_WHATIF_INSTRUMENTS" => max_whatif_instruments,
            "VIRES_MAX_PARTICIPANTS" => max_participants,
        }
        Ok(())
    }

    /// `VIRES_OIDC_*` set or override `[auth.oidc]`; `VIRES_OIDC_ISSUER` turns it on.
    fn apply_oidc_env(&mut self, get: &impl Fn(&str) -> Option<String>) -> Result<(), ConfigError> {
        if self.auth.oidc.is_none() && get("VIRES_OIDC_ISSUER").is_none() {
            return Ok(());
        }
        let o = self.auth.oidc.get_or_insert_with(OidcConfig::default);
        if let Some(v) = get("VIRES_OIDC_ISSUER") {
            o.issuer = v;
        }
        if let Some(v) = get("VIRES_OIDC_CLIENT_ID") {
            o.client_id = v;
        }
        if let Some(v) = get("VIRES_OIDC_CLIENT_SECRET") {
            o.client_secret = Some(v);
        }
        if let Some(v) = get("VIRES_OIDC_REDIRECT_URL") {
            o.redirect_url = v;
        }
        if let Some(v) = get("VIRES_OIDC_NAME_CLAIM") {
            o.name_claim = v;
        }
        if let Some(v) = get("VIRES_OIDC_ROLES_CLAIM") {
            o.roles_claim = v;
        }
        if let Some(v) = get("VIRES_OIDC_ROLES") {
            let mut roles = std::collections::BTreeMap::new();
            for pair in v.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                let (claim, role) = pair
                    .rsplit_once('=')
                    .and_then(|(c, r)| Some((c.trim(), vires_store::Role::parse(r.trim())?)))
                    .ok_or_else(|| {
                        env_err(
                            "VIRES_OIDC_ROLES",
                            v.clone(),
                            "VALUE=ROLE pairs separated by commas, ROLE one of viewer, editor, approver, admin",
                        )
                    })?;
                roles.insert(claim.to_string(), role);
            }
            o.roles = roles;
        }
        for (field, value, name) in [
            ("issuer", &o.issuer, "VIRES_OIDC_ISSUER"),
            ("client_id", &o.client_id, "VIRES_OIDC_CLIENT_ID"),
            ("redirect_url", &o.redirect_url, "VIRES_OIDC_REDIRECT_URL"),
        ] {
            if value.trim().is_empty() {
                return Err(ConfigError::Missing {
                    field: format!("auth.oidc.{field}"),
                    env: name,
                });
            }
        }
        Ok(())
    }
}

fn env_err(name: &'static str, value: String, expected: &'static str) -> ConfigError {
    ConfigError::Env {
        name,
        value,
        expected,
    }
}

fn parse_bool(name: &'static str, v: String) -> Result<bool, ConfigError> {
    match v.to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" => Ok(false),
        _ => Err(env_err(name, v, "true or false")),
    }
}

fn parse_num<T: std::str::FromStr>(name: &'static str, v: String) -> Result<T, ConfigError> {
    v.trim()
        .parse()
        .map_err(|_| env_err(name, v, "a whole number"))
}

/// The default store location (`vires_app::location`): one rule with the CLI.
pub fn default_db_url(env: &impl Fn(&str) -> Option<String>) -> Result<String, ConfigError> {
    vires_app::location::default_store_url(env).map_err(|_| ConfigError::NoDataDir)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let m: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| m.get(k).cloned()
    }

    #[test]
    fn defaults_then_file_then_env() {
        let c = ServeConfig::load(None, env_of(&[("HOME", "/home/x")])).unwrap();
        assert_eq!(c.addr, "127.0.0.1:8080");
        assert_eq!(c.db, "sqlite:///home/x/.local/share/vires/vires.db");
        assert_eq!(c.auth.read, ReadAccess::Public);
        assert_eq!(c.limits.max_body_bytes, 1024 * 1024);

        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("vires.toml");
        std::fs::write(
            &f,
            "addr = \"0.0.0.0:9000\"\ndb = \"sqlite:///tmp/a.db\"\n[auth]\nread = \"token\"\n[limits]\nmax_body_bytes = 10\n",
        )
        .unwrap();
        let c =
            ServeConfig::load(Some(&f), env_of(&[("VIRES_DB", "postgres://u@h:5432/d")])).unwrap();
        assert_eq!(c.addr, "0.0.0.0:9000");
        assert_eq!(c.db, "postgres://u@h:5432/d");
        assert_eq!(c.auth.read, ReadAccess::Token);
        assert_eq!(c.limits.max_body_bytes, 10);
    }

    #[test]
    fn oidc_is_configured_from_the_environment_and_names_what_is_missing() {
        let base = [
            ("HOME", "/h"),
            (
                "VIRES_OIDC_ISSUER",
                "https://login.microsoftonline.com/t/v2.0",
            ),
            ("VIRES_OIDC_CLIENT_ID", "app"),
            (
                "VIRES_OIDC_REDIRECT_URL",
                "https://vires.example/ui/login/oidc/callback",
            ),
        ];
        let c = ServeConfig::load(
            None,
            env_of(
                &[
                    &base[..],
                    &[("VIRES_OIDC_ROLES", "Vires.Editor=editor, 1f2e-group=admin")],
                ]
                .concat(),
            ),
        )
        .unwrap();
        let o = c.auth.oidc.unwrap();
        assert_eq!(
            o.roles.get("Vires.Editor"),
            Some(&vires_store::Role::Editor)
        );
        assert_eq!(o.roles.get("1f2e-group"), Some(&vires_store::Role::Admin));
        assert_eq!(o.roles_claim, "roles");
        assert_eq!(o.name_claim, "preferred_username");
        let e = ServeConfig::load(
            None,
            env_of(&[&base[..], &[("VIRES_OIDC_ROLES", "x=owner")]].concat()),
        )
        .unwrap_err();
        assert!(e.to_string().contains("VIRES_OIDC_ROLES"), "{e}");
        let e = ServeConfig::load(None, env_of(&base[..3])).unwrap_err();
        assert!(e.to_string().contains("auth.oidc.redirect_url"), "{e}");
        // Off unless configured.
        let c = ServeConfig::load(None, env_of(&[("HOME", "/h")])).unwrap();
        assert!(c.auth.oidc.is_none());
    }

    #[test]
    fn bad_settings_are_named() {
        let e = ServeConfig::load(
            None,
            env_of(&[("HOME", "/h"), ("VIRES_READ_AUTH", "maybe")]),
        )
        .unwrap_err();
        assert!(e.to_string().contains("VIRES_READ_AUTH"), "{e}");
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("vires.toml");
        std::fs::write(&f, "adress = \"x\"\n").unwrap();
        let e = ServeConfig::load(Some(&f), env_of(&[("HOME", "/h")])).unwrap_err();
        assert!(e.to_string().contains("adress"), "{e}");
    }
}
