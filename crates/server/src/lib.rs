//! # vires-server
//!
//! The vires HTTP API (`vires serve`): every CLI query as a GET endpoint answering the
//! CLI's `--format json` shapes, changes to the register with optimistic concurrency
//! (409 on a stale base revision), users, roles, API tokens and browser sessions, a change
//! feed over server-sent events, an OpenAPI 3.1 document generated from the handlers,
//! Prometheus metrics, health checks and graceful shutdown.
//!
//! Every response carries the register revision it was answered from in `Vires-Revision`;
//! a request may ask for at least some revision with `min_revision` (or the
//! `Vires-Min-Revision` header), like a Zanzibar consistency token. Every error is an
//! RFC 9457 `application/problem+json` document.
//!
//! The domain logic is in `vires-core`; handlers parse, ask the core, and serialise.
//! See `docs/api.md` for the endpoints, auth and configuration.

pub mod admission;
pub mod auth;
pub mod change_forms;
pub mod config;
pub mod extract;
pub mod listen;
pub mod log_line;
pub mod metrics;
pub mod oidc;
mod plain_query;
pub mod problem;
pub mod routes;
pub mod secret;
pub mod sign_in_limits;
pub mod state;
pub mod who_json;
pub mod work;

pub use config::ServeConfig;
pub use state::AppState;

use crate::problem::ApiError;
use crate::routes::{LOG_HEAD_HEADER, MIN_REVISION_HEADER, REVISION_HEADER};
use axum::extract::{DefaultBodyLimit, MatchedPath, Request, State};
use axum::http::header::CONTENT_TYPE;
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use std::io::Write;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::request_id::{
    MakeRequestId, PropagateRequestIdLayer, RequestId, SetRequestIdLayer,
};
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;
use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::openapi::OpenApi as OpenApiDoc;
use utoipa::{Modify, OpenApi};
use utoipa_axum::router::OpenApiRouter;
use vires_core::Register;

/// Why the server could not start or stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum ServerError {
    #[error(transparent)]
    Config(#[from] config::ConfigError),
    #[error("cannot open the register store: {0}")]
    Store(#[from] vires_store::StoreError),
    #[error("cannot listen on {addr}: {source}; is another server using the port? Set --addr or VIRES_ADDR")]
    Bind {
        addr: String,
        source: std::io::Error,
    },
    #[error("cannot build the base register: {0}")]
    Base(String),
    #[error("cannot create the database directory {path}: {source}")]
    DataDir {
        path: String,
        source: std::io::Error,
    },
    #[error("the server failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("cannot show the bootstrap admin's token: {0}")]
    Bootstrap(String),
    #[error("{0}")]
    BrokenLog(String),
}

#[derive(OpenApi)]
#[openapi(
    info(
        title = "vires",
        description = "Who may exercise which NHS commissioning function, where, when, for what purpose and on what authority. Every response carries the register revision in `Vires-Revision` and the change log's head in `Vires-Log-Head`; errors are RFC 9457 problem documents.",
        license(name = "MIT OR Apache-2.0")
    ),
    modifiers(&Security),
    // The problem responses refer to these (`problem::responses`).
    components(schemas(problem::Problem, problem::ProblemItem)),
    tags(
        (name = "queries", description = "Questions about the register, as in the CLI"),
        (name = "analyses", description = "Findings across the register"),
        (name = "changes", description = "The change log, writes, proposals and the change feed"),
        (name = "auth", description = "Browser sessions"),
        (name = "admin", description = "Users and API tokens"),
        (name = "ops", description = "Health, readiness, metrics"),
    )
)]
struct ApiDoc;

struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut OpenApiDoc) {
        let c = openapi.components.get_or_insert_with(Default::default);
        c.add_security_scheme(
            "bearer",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        c.add_security_scheme(
            "session",
            SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(auth::SESSION_COOKIE))),
        );
    }
}

/// The OpenAPI document, generated from the handlers' annotations.
pub fn openapi() -> OpenApiDoc {
    build(None).1
}

fn build(state: Option<&AppState>) -> (Router<AppState>, OpenApiDoc) {
    let queries = routes::queries::router().merge(routes::procure::router());
    // Without a state there is nothing to serve: the routes are built for their OpenAPI only.
    let queries = match state {
        Some(s) => queries.route_layer(routes::AsRecordedLayer::new(s.clone())),
        None => queries,
    };
    // Every other read of the register or of the server's state: the change log, the feed,
    // /status and /metrics. Writes among them need more than a reader anyway.
    let mut changes_stream = routes::changes::stream_router();
    let mut readers = routes::changes::router().merge(routes::ops::reader_router());
    if let Some(s) = state {
        let reader = || middleware::from_fn_with_state(s.clone(), auth::require_reader);
        changes_stream = changes_stream.route_layer(reader());
        readers = readers.route_layer(reader());
    }
    let api = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(queries)
        .merge(readers)
        .merge(routes::auth::router())
        .merge(routes::ops::router());
    let (api, doc) = api.split_for_parts();
    let (stream, stream_doc) = changes_stream.split_for_parts();
    let mut doc = doc;
    doc.merge(stream_doc);
    routes::declare_answer_headers(&mut doc);
    let timeout = state.map_or(30, |s| s.config().limits.request_timeout_secs.max(1));
    let api = api.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(timeout),
    ));
    (api.merge(stream), doc)
}

/// The complete application: routes, OpenAPI, and every middleware. For tests and `serve`.
pub fn router(state: AppState) -> Router {
    router_with(state, Router::new())
}

/// [`router`] plus `extra` routes (the web UI), which get the same middleware: request
/// ids, logs, metrics, the revision header, consistency tokens and body limits.
pub fn router_with(state: AppState, extra: Router<AppState>) -> Router {
    let (app, doc) = build(Some(&state));
    // The web pages get the API's request timeout (the change feed, in `build`, does not).
    let timeout = state.config().limits.request_timeout_secs.max(1);
    let app = app.merge(extra.layer(TimeoutLayer::with_status_code(
        StatusCode::REQUEST_TIMEOUT,
        Duration::from_secs(timeout),
    )));
    let doc_json = Arc::new(doc.to_pretty_json().unwrap_or_else(|_| "{}".into()));
    let request_id = HeaderName::from_static("x-request-id");
    let max_body = state.config().limits.max_body_bytes;
    app.route(
        "/openapi.json",
        get(move || {
            let doc = doc_json.clone();
            async move {
                (
                    [(CONTENT_TYPE, "application/json")],
                    doc.as_str().to_owned(),
                )
            }
        }),
    )
    .fallback(|| async { StatusCode::NOT_FOUND })
    // One layer of a stack rather than a layer per middleware: the router boxes each layer
    // of every route, and clones the boxes (an allocation each) for every request.
    .layer(
        tower::ServiceBuilder::new()
            .layer(SetRequestIdLayer::new(
                request_id.clone(),
                RequestIds::new(),
            ))
            .layer(TraceLayer::new_for_http().make_span_with(|req: &Request| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                tracing::info_span!(
                    "request",
                    request_id = id,
                    method = req.method().as_str(),
                    path = logged_path(req.uri().path())
                )
            }))
            .layer(PropagateRequestIdLayer::new(request_id))
            .layer(CatchPanicLayer::new())
            .layer(middleware::from_fn_with_state(state.clone(), finish))
            .layer(middleware::from_fn_with_state(state.clone(), admit))
            .layer(DefaultBodyLimit::max(max_body))
            .layer(middleware::from_fn_with_state(state.clone(), consistency)),
    )
    .with_state(state)
}

/// Admission (see [`admission`]) by the configured limits, a client known by the address
/// sign-in knows it by.
async fn admit(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let client = |parts: &Parts| auth::ClientAddr::of(parts, &state).0;
    let limits = &state.config().limits;
    admission::admit(state.admission(), limits, client, req, next).await
}

/// The path as the log shows it: a token's id is half of what is needed to use it, so
/// `/admin/tokens/{id}` is logged without the id.
fn logged_path(path: &str) -> &str {
    if path.starts_with("/admin/tokens/") {
        "/admin/tokens/{id}"
    } else {
        path
    }
}

/// Request ids made up for requests that come without one: this server's random prefix and
/// a sequence number (`5f0c2a9e1b7d4c36-1a`). A UUID per request asked the kernel for random
/// bytes every time; these are unique within a server's life and, by the prefix, across
/// restarts and instances with overwhelming likelihood.
#[derive(Clone)]
struct RequestIds {
    prefix: u64,
    next: Arc<std::sync::atomic::AtomicU64>,
}

impl RequestIds {
    fn new() -> Self {
        use std::hash::{BuildHasher, Hasher};
        // RandomState is seeded from the operating system's randomness once per process.
        let prefix = std::collections::hash_map::RandomState::new()
            .build_hasher()
            .finish();
        RequestIds {
            prefix,
            next: Arc::new(std::sync::atomic::AtomicU64::new(1)),
        }
    }
}

impl MakeRequestId for RequestIds {
    fn make_request_id<B>(&mut self, _request: &axum::http::Request<B>) -> Option<RequestId> {
        let n = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        HeaderValue::try_from(format!("{:016x}-{n:x}", self.prefix))
            .ok()
            .map(RequestId::new)
    }
}

/// Waits for `min_revision` (query) or `Vires-Min-Revision` (header) before the handler
/// reads the snapshot; 409 if the register does not reach it in time.
async fn consistency(
    State(state): State<AppState>,
    req: Request,
    next: Next,
) -> Result<Response, ApiError> {
    // Looked for without decoding the query first: nearly every query has no min_revision.
    let from_query = req
        .uri()
        .query()
        .filter(|q| extract::has_param(q, "min_revision"))
        .and_then(|q| {
            form_urlencoded::parse(q.as_bytes())
                .find(|(k, _)| k == "min_revision")
                .map(|(_, v)| v.into_owned())
        });
    let from_header = req
        .headers()
        .get(MIN_REVISION_HEADER)
        .map(|v| v.to_str().unwrap_or("?").to_string());
    let Some(raw) = from_query.or(from_header) else {
        return Ok(next.run(req).await);
    };
    let wanted: u64 = raw.trim().parse().map_err(|_| {
        ApiError::bad_parameter(format!(
            "min_revision `{raw}` is not a revision number (a whole number from Vires-Revision)"
        ))
    })?;
    if state.revision() < wanted {
        let wait = Duration::from_millis(state.config().limits.min_revision_wait_ms);
        let mut rx = state.subscribe_revisions();
        let reached = tokio::time::timeout(wait, rx.wait_for(|r| *r >= wanted)).await;
        if !matches!(reached, Ok(Ok(_))) {
            let current = state.revision();
            return Err(ApiError::conflict(
                "revision-not-available",
                "Revision not yet available",
                format!("this server is at revision {current} and did not reach revision {wanted} within {} ms; retry, or drop min_revision", wait.as_millis()),
            )
            .with_revision(current));
        }
    }
    Ok(next.run(req).await)
}

/// Makes every error a problem document, stamps the revision, and records metrics.
async fn finish(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let started = Instant::now();
    let route = req.extensions().get::<MatchedPath>().cloned();
    let method = req.method().clone();
    let path = req.uri().path().to_owned();
    let mut resp = next.run(req).await;
    let status = resp.status();
    // Errors from axum and tower layers come bare or as text/plain; those become problems.
    // Problems, and error pages other routers render on purpose (HTML), pass through.
    let bare = resp
        .headers()
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_none_or(|v| v.starts_with("text/plain"));
    if (status.is_client_error() || status.is_server_error()) && bare {
        let mut fresh = problem::for_status(status, method.as_str(), &path).into_response();
        for (k, v) in resp.headers() {
            if k != CONTENT_TYPE && k != axum::http::header::CONTENT_LENGTH {
                fresh.headers_mut().insert(k.clone(), v.clone());
            }
        }
        resp = fresh;
    }
    let current = state.current();
    if !resp.headers().contains_key(REVISION_HEADER) {
        resp.headers_mut()
            .insert(REVISION_HEADER, HeaderValue::from(current.revision));
    }
    // The log's head, whatever revision the answer was computed from: anyone may keep it and
    // later check the log still holds it (`vires audit verify --expect-head HASH`).
    if let Ok(v) = HeaderValue::from_str(&format!("{}:{}", current.revision, current.head_hash)) {
        resp.headers_mut().insert(LOG_HEAD_HEADER, v);
    }
    let elapsed = started.elapsed();
    let code = resp.status().as_u16();
    let route = route.as_ref().map_or("unmatched", MatchedPath::as_str);
    let method = method.as_str();
    state.metrics().observe(route, method, code, elapsed);
    let micros = elapsed.as_micros() as u64;
    // The method and path are the request span's, which the line carries (`span`): given
    // again as the event's own fields they were a fifth of the line's cost.
    if resp.status().is_server_error() {
        tracing::error!(status = code, micros, "request failed");
    } else if matches!(route, "/healthz" | "/readyz" | "/metrics" | "/ping") {
        // Probes and benchmarks would drown the log at info.
        tracing::debug!(status = code, micros, "request");
    } else {
        tracing::info!(status = code, micros, "request");
    }
    resp
}

/// Starts logging as configured; a second call (tests) keeps the first set-up.
///
/// Lines go to stderr from a writer thread, not from the thread answering the request: an
/// access-log line per request written there cost `GET /who` a quarter of its throughput.
/// The writer is not lossy (a full queue makes the request wait rather than drop its line).
/// Keep the guard for as long as the server runs: dropping it writes out what is queued.
#[must_use = "dropping the guard stops the log writer"]
pub fn init_logging(config: &ServeConfig) -> tracing_appender::non_blocking::WorkerGuard {
    use tracing_subscriber::EnvFilter;
    let filter = EnvFilter::try_new(&config.log.filter).unwrap_or_else(|_| EnvFilter::new("info"));
    let (writer, guard) = tracing_appender::non_blocking::NonBlockingBuilder::default()
        .lossy(false)
        .thread_name("vires-log")
        // Buffered: the writer thread writes what is queued and then flushes, so under load
        // a burst of lines is one write(2) rather than one each; alone, a line still goes out
        // as soon as it is written.
        .finish(std::io::BufWriter::with_capacity(
            64 * 1024,
            std::io::stderr(),
        ));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(writer);
    let _ = match config.log.format {
        config::LogFormat::Json => builder
            .event_format(log_line::JsonLine)
            .fmt_fields(log_line::JsonMembers)
            .try_init(),
        config::LogFormat::Text => builder.try_init(),
    };
    guard
}

/// The base register the change log applies to, and its fingerprint for the genesis entry
/// (the same as the CLI's, so both bind the same default store). Read from `cache` when it
/// holds a sound copy built by this binary from the same data, as the CLI does.
pub fn base_register(
    base: config::BaseRegister,
    cache: Option<&vires_app::base_cache::Cache>,
) -> Result<(Register, String), ServerError> {
    let base = match base {
        config::BaseRegister::Empty => vires_app::base::Base::Empty,
        config::BaseRegister::England => vires_app::base::Base::England,
    };
    let (built, origin) = vires_app::base_cache::build(&base, cache, &mut |_| {}, &mut |note| {
        tracing::warn!("{note}")
    })?;
    tracing::info!(
        from_cache = origin == vires_app::base_cache::Origin::Cache,
        "base register ready"
    );
    Ok((built.register, built.fingerprint))
}

/// Opens the store, creating the SQLite file's directory if need be, with the log key
/// named by `VIRES_LOG_KEY_FILE` if it is set.
pub fn open_store(url: &str) -> Result<Arc<dyn vires_store::Store>, ServerError> {
    Ok(vires_app::store::open_unbound(url)?)
}

/// [`open_store`] with the log key of `config` (`audit.key_file`), if any.
pub fn open_configured_store(
    config: &ServeConfig,
) -> Result<Arc<dyn vires_store::Store>, ServerError> {
    let key = config
        .audit
        .key_file
        .as_deref()
        .map(vires_store::LogKey::read_file)
        .transpose()?;
    Ok(vires_app::store::open_unbound_keyed(&config.db, key)?)
}

/// Checks the change log before serving it: the hash chain, and with the log key its
/// checkpoints. A log that does not verify, or a keyed log without the key to write to it,
/// is refused with the finding, unless `audit.allow_broken_log` is set: then the finding is
/// logged as a warning and returned, for `/status`.
pub fn check_log(
    store: &dyn vires_store::Store,
    config: &ServeConfig,
) -> Result<Option<String>, ServerError> {
    let report = store.verify()?;
    let finding = match (&report.first_bad, &report.keying) {
        (Some(bad), _) if !report.ok => Some(format!(
            "the change log does not verify: entry {}: {}",
            bad.seq, bad.reason
        )),
        (_, vires_store::Keying::Unchecked { key_id, from_seq }) => Some(format!(
            "the change log is keyed from entry {from_seq} (key {key_id}), but the server has no key: set audit.key_file (VIRES_LOG_KEY_FILE) to its file"
        )),
        _ => None,
    };
    match finding {
        None => {
            match &report.keying {
                vires_store::Keying::Unkeyed => tracing::warn!(
                    entries = report.entries,
                    "the change log verifies as a plain hash chain: it is unkeyed, so a rewrite with recomputed hashes would not be caught (docs/security.md)"
                ),
                k => tracing::info!(entries = report.entries, keying = ?k, "the change log verifies"),
            }
            Ok(None)
        }
        Some(f) if config.audit.allow_broken_log => {
            tracing::warn!("{f}; serving it anyway (audit.allow_broken_log)");
            Ok(Some(f))
        }
        Some(f) => Err(ServerError::BrokenLog(format!(
            "{f}. The server will not serve it: find out what happened with `vires audit verify`, or start with --allow-broken-log (VIRES_ALLOW_BROKEN_LOG=true) to serve it anyway"
        ))),
    }
}

impl From<vires_app::AppError> for ServerError {
    fn from(e: vires_app::AppError) -> Self {
        use vires_app::AppError as A;
        match e {
            A::NoDataDir => ServerError::Config(config::ConfigError::NoDataDir),
            A::Io { path, source } => ServerError::DataDir { path, source },
            A::Open { source, .. } | A::Bind { source, .. } | A::Store(source) => {
                ServerError::Store(source)
            }
            A::Base(message) => ServerError::Base(message),
            e => ServerError::Base(e.to_string()),
        }
    }
}

/// Builds the state for `config`: store (bound to the base register, or rebound to it if it
/// holds nothing recorded), base register, replayed log, bootstrap admin, and the watcher
/// that follows revisions written by other processes.
pub async fn prepare(config: ServeConfig) -> Result<AppState, ServerError> {
    tokio::task::spawn_blocking(move || -> Result<AppState, ServerError> {
        let store = open_configured_store(&config)?;
        let broken = check_log(store.as_ref(), &config)?;
        let (base, fingerprint) = base_register(config.base, config.cache.as_ref())?;
        // A store that holds nothing recorded follows the base register to new data.
        if let Some(note) =
            vires_app::store::bind(store.as_ref(), &config.db, &fingerprint, "vires-server")?
        {
            tracing::warn!("{note}");
        }
        let bootstrap = config.auth.bootstrap_admin.clone();
        let state = AppState::open(store, base, &fingerprint, config)?;
        if let Some(finding) = broken {
            state.set_log_finding(finding);
        }
        if let Some(name) = bootstrap {
            bootstrap_admin(
                state.store().as_ref(),
                &name,
                state.config().auth.bootstrap_token_file.as_deref(),
            )?;
        }
        // Subscribing may connect to PostgreSQL, which blocks: done here, off the async threads.
        state.spawn_watcher()?;
        Ok(state)
    })
    .await
    .map_err(|e| ServerError::Base(format!("start-up task failed: {e}")))?
}

/// Creates the first admin in an empty store and hands its token to the operator: on the
/// controlling terminal, or in `token_file`, and never in the log stream (stderr is often
/// collected into a log store that many people read). Without either, nothing is created.
pub fn bootstrap_admin(
    store: &dyn vires_store::Store,
    name: &str,
    token_file: Option<&std::path::Path>,
) -> Result<(), ServerError> {
    if !store.users()?.is_empty() {
        return Ok(());
    }
    let mut out: Box<dyn std::io::Write> = match token_file {
        Some(path) => Box::new(new_private_file(path).map_err(|e| {
            ServerError::Bootstrap(format!(
                "cannot create {}: {e}; name a file that does not exist yet",
                path.display()
            ))
        })?),
        None => Box::new(terminal().ok_or_else(|| {
            ServerError::Bootstrap(
                "the server has no terminal; set auth.bootstrap_token_file (VIRES_BOOTSTRAP_TOKEN_FILE) to a new file for it".into(),
            )
        })?),
    };
    store.create_user(name, vires_store::Role::Admin)?;
    let t = store.create_token(name, "bootstrap")?;
    let shown = match token_file {
        Some(_) => writeln!(out, "{}", t.token),
        None => writeln!(
            out,
            "vires: created admin user {name:?}; API token (shown once): {}",
            t.token
        ),
    };
    shown
        .and_then(|()| out.flush())
        .map_err(|e| ServerError::Bootstrap(e.to_string()))?;
    match token_file {
        Some(p) => {
            tracing::info!(user = %name, file = %p.display(), "bootstrap admin created; token written to the file")
        }
        None => {
            tracing::info!(user = %name, "bootstrap admin created; token shown on the terminal")
        }
    }
    Ok(())
}

/// A new file only its owner can read.
fn new_private_file(path: &std::path::Path) -> std::io::Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path)
}

/// The controlling terminal, if the server has one.
fn terminal() -> Option<std::fs::File> {
    #[cfg(unix)]
    {
        std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/tty")
            .ok()
    }
    #[cfg(not(unix))]
    {
        None
    }
}

/// Runs the server until SIGTERM or ctrl-c, then drains requests in flight.
pub async fn serve(config: ServeConfig) -> Result<(), ServerError> {
    serve_with(config, Router::new()).await
}

/// [`serve`] with `extra` routes (the web UI) served beside the API.
pub async fn serve_with(config: ServeConfig, extra: Router<AppState>) -> Result<(), ServerError> {
    let _log = init_logging(&config);
    let addr = config.addr.clone();
    let grace = Duration::from_secs(config.limits.shutdown_grace_secs);
    let state = prepare(config).await?;
    let listener = tokio::net::TcpListener::bind(&addr)
        .await
        .map_err(|source| ServerError::Bind {
            addr: addr.clone(),
            source,
        })?;
    let local = listener.local_addr()?;
    tracing::info!(addr = %local, revision = state.revision(), backend = ?state.store().backend(), "vires serving");
    run_with(listener, state, extra, shutdown_signal(), grace).await
}

/// Serves `state` on `listener` until `signal` resolves, then waits up to `grace` for
/// requests in flight.
pub async fn run(
    listener: tokio::net::TcpListener,
    state: AppState,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> Result<(), ServerError> {
    run_with(listener, state, Router::new(), signal, grace).await
}

/// [`run`] with `extra` routes beside the API.
pub async fn run_with(
    listener: tokio::net::TcpListener,
    state: AppState,
    extra: Router<AppState>,
    signal: impl std::future::Future<Output = ()> + Send + 'static,
    grace: Duration,
) -> Result<(), ServerError> {
    let app = router_with(state.clone(), extra);
    let purge = AbortOnDrop(tokio::spawn(purge_sessions(state.clone())));
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    let st = state.clone();
    let limits = listen::ConnectionLimits::of(&state.config().limits);
    let server = listen::serve(listener, app, limits, async move {
        signal.await;
        tracing::info!("shutting down: finishing requests in flight");
        st.set_shutting_down();
        let _ = tx.send(());
    });
    tokio::pin!(server);
    tokio::select! {
        () = &mut server => return Ok(()),
        _ = rx => {}
    }
    let finished = match tokio::time::timeout(grace, server).await {
        Ok(()) => Ok(()),
        Err(_) => {
            tracing::warn!(
                secs = grace.as_secs(),
                "requests still in flight after the grace period; stopping"
            );
            Ok(())
        }
    };
    drop(purge);
    finished
}

/// Stops a background task when the server stops.
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

/// Deletes expired sessions every `auth.session_purge_secs` (they are refused from the
/// moment they expire; this keeps the table from growing).
async fn purge_sessions(state: AppState) {
    let every = Duration::from_secs(state.config().auth.session_purge_secs.max(1));
    let mut ticks = tokio::time::interval(every);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let store = state.store().clone();
        match tokio::task::spawn_blocking(move || store.purge_expired_sessions()).await {
            Ok(Ok(0)) => {}
            Ok(Ok(n)) => tracing::info!(sessions = n, "expired sessions purged"),
            Ok(Err(e)) => tracing::warn!("purging expired sessions failed: {e}"),
            Err(e) => tracing::warn!("purging expired sessions failed: {e}"),
        }
        state.sign_in_limits().forget_idle();
        state.admission().forget_idle();
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}

#[cfg(test)]
mod request_id_tests {
    use super::*;

    #[test]
    fn made_up_request_ids_are_distinct_and_share_the_server_prefix() {
        let mut ids = RequestIds::new();
        let req = axum::http::Request::new(());
        let mut made = std::collections::BTreeSet::new();
        for _ in 0..1000 {
            let id = ids.make_request_id(&req).unwrap();
            made.insert(id.header_value().to_str().unwrap().to_string());
        }
        assert_eq!(made.len(), 1000);
        let prefixes: std::collections::BTreeSet<_> = made
            .iter()
            .map(|id| id.split_once('-').unwrap().0.to_string())
            .collect();
        assert_eq!(prefixes.len(), 1);
        assert!(made.iter().all(|id| id.len() > 17 && id.is_ascii()));
        // Another server (another process, or here another maker) has another prefix.
        let other = RequestIds::new().make_request_id(&req).unwrap();
        assert!(!other
            .header_value()
            .to_str()
            .unwrap()
            .starts_with(prefixes.first().unwrap().as_str()));
    }
}
