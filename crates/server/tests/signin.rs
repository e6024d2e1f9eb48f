//! Sign-in and sessions (issue 24 items 2 and 3): sessions bound to the token that opened
//! them, listing and ending sessions, disabled users, the purge timer, Secure cookies,
//! token ids kept out of the log, the bootstrap token kept out of the log, and
//! `auth.read = "token"` closing every read route of the OpenAPI document.

mod common;

use common::*;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::{json, Value};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use vires_server::config::ReadAccess;

fn sqlite_config() -> (tempfile::TempDir, vires_server::ServeConfig) {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("vires.db").display());
    (dir, test_config(&db))
}

/// A browser session: the cookie pair to send and its CSRF token.
struct Browser {
    cookie: String,
    csrf: String,
}

async fn login(s: &Server, token: &str) -> Browser {
    let r = s
        .post("/auth/login", None, &json!({ "token": token }))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let set = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    let v: Value = r.json().await.unwrap();
    Browser {
        cookie: set.split(';').next().unwrap().to_string(),
        csrf: v["csrf"].as_str().unwrap().to_string(),
    }
}

async fn whoami(s: &Server, b: &Browser) -> Value {
    s.client
        .get(s.url("/auth/whoami"))
        .header(COOKIE, &b.cookie)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

async fn with_bearer(
    s: &Server,
    method: reqwest::Method,
    path: &str,
    token: &str,
) -> reqwest::Response {
    s.client
        .request(method, s.url(path))
        .bearer_auth(token)
        .send()
        .await
        .unwrap()
}

async fn new_token(s: &Server, user: &str) -> (String, String) {
    let r = s
        .post(
            "/admin/tokens",
            Some(&s.tokens.admin),
            &json!({"user": user, "label": "signin test"}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let t: Value = r.json().await.unwrap();
    (
        t["token"].as_str().unwrap().to_string(),
        t["info"]["id"].as_str().unwrap().to_string(),
    )
}

/// Issue 24: "Revoking a token leaves the sessions opened with it working".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn revoking_a_token_ends_the_sessions_it_opened() {
    let (_dir, config) = sqlite_config();
    let s = Server::start(config, None).await;
    let (laptop, laptop_id) = new_token(&s, "ed").await;
    let (phone, _) = new_token(&s, "ed").await;
    let by_laptop = login(&s, &laptop).await;
    let by_phone = login(&s, &phone).await;
    assert_eq!(whoami(&s, &by_laptop).await["via"], "session");
    let r = with_bearer(
        &s,
        reqwest::Method::DELETE,
        &format!("/admin/tokens/{laptop_id}"),
        &s.tokens.admin,
    )
    .await;
    assert_eq!(r.status().as_u16(), 204);
    let who = whoami(&s, &by_laptop).await;
    assert_eq!(who["via"], "anonymous", "{who}");
    // A write with the ended session is refused, not taken as the user's.
    let r = s
        .client
        .post(s.url("/changes/check"))
        .header(COOKIE, &by_laptop.cookie)
        .header("X-CSRF-Token", &by_laptop.csrf)
        .header(CONTENT_TYPE, "application/json")
        .body("{}")
        .send()
        .await
        .unwrap();
    expect_problem(r, 401).await;
    // The session opened with the other token goes on.
    assert_eq!(whoami(&s, &by_phone).await["user"], "ed");
    s.stop().await;
}

/// Issue 24: "sessions cannot be listed or ended".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sessions_are_listed_and_ended_by_their_owner_and_by_admins() {
    let (_dir, config) = sqlite_config();
    let s = Server::start(config, None).await;
    let first = login(&s, &s.tokens.editor).await;
    let second = login(&s, &s.tokens.editor).await;
    let veras = login(&s, &s.tokens.viewer).await;

    // Ed sees his two sessions, the one he asks with marked current, and no secrets.
    let r = s
        .client
        .get(s.url("/auth/sessions"))
        .header(COOKIE, &first.cookie)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    let text = r.text().await.unwrap();
    assert!(!text.contains(&first.csrf) && !text.contains(first.cookie.split('=').nth(1).unwrap()));
    let mine: Vec<Value> = serde_json::from_str(&text).unwrap();
    assert_eq!(mine.len(), 2, "{text}");
    assert!(mine
        .iter()
        .all(|x| x["user"] == "ed" && x["via"] == "token"));
    assert_eq!(mine.iter().filter(|x| x["current"] == true).count(), 1);
    let current = mine.iter().find(|x| x["current"] == true).unwrap();
    let other = mine.iter().find(|x| x["current"] == false).unwrap();
    let other_handle = other["handle"].as_str().unwrap().to_string();

    // Anonymous callers have no sessions to list.
    expect_problem(s.get("/auth/sessions").await, 401).await;
    // Vera cannot end Ed's session, nor list everyone's.
    let r = s
        .client
        .delete(s.url(&format!("/auth/sessions/{other_handle}")))
        .header(COOKIE, &veras.cookie)
        .header("X-CSRF-Token", &veras.csrf)
        .send()
        .await
        .unwrap();
    expect_problem(r, 404).await;
    expect_problem(
        with_bearer(
            &s,
            reqwest::Method::GET,
            "/admin/sessions",
            &s.tokens.viewer,
        )
        .await,
        403,
    )
    .await;
    // Ending a session with the cookie needs the CSRF token, like any other write.
    let r = s
        .client
        .delete(s.url(&format!("/auth/sessions/{other_handle}")))
        .header(COOKIE, &first.cookie)
        .send()
        .await
        .unwrap();
    expect_problem(r, 403).await;
    assert_eq!(whoami(&s, &second).await["user"], "ed");
    // Ed ends his other session from this one.
    let r = s
        .client
        .delete(s.url(&format!("/auth/sessions/{other_handle}")))
        .header(COOKIE, &first.cookie)
        .header("X-CSRF-Token", &first.csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(whoami(&s, &second).await["via"], "anonymous");
    assert_eq!(whoami(&s, &first).await["user"], "ed");

    // An admin sees everyone's sessions, or one user's, and ends any.
    let r = with_bearer(&s, reqwest::Method::GET, "/admin/sessions", &s.tokens.admin).await;
    let all: Vec<Value> = r.json().await.unwrap();
    assert_eq!(all.len(), 2, "{all:?}");
    let r = with_bearer(
        &s,
        reqwest::Method::GET,
        "/admin/sessions?user=vera",
        &s.tokens.admin,
    )
    .await;
    let veras_list: Vec<Value> = r.json().await.unwrap();
    assert_eq!(veras_list.len(), 1);
    assert_eq!(veras_list[0]["user"], "vera");
    let r = with_bearer(
        &s,
        reqwest::Method::DELETE,
        &format!("/auth/sessions/{}", current["handle"].as_str().unwrap()),
        &s.tokens.admin,
    )
    .await;
    assert_eq!(r.status().as_u16(), 204);
    assert_eq!(whoami(&s, &first).await["via"], "anonymous");
    assert_eq!(whoami(&s, &veras).await["user"], "vera");
    s.stop().await;
}

/// Issue 24: "users cannot be disabled".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disabled_users_lose_their_tokens_and_sessions() {
    let (_dir, config) = sqlite_config();
    let s = Server::start(config, None).await;
    let b = login(&s, &s.tokens.editor).await;
    let r = with_bearer(
        &s,
        reqwest::Method::POST,
        "/admin/users/ed/disable",
        &s.tokens.approver,
    )
    .await;
    expect_problem(r, 403).await;
    let r = with_bearer(
        &s,
        reqwest::Method::POST,
        "/admin/users/ed/disable",
        &s.tokens.admin,
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["disabled_at"].is_string(), "{v}");
    assert_eq!(whoami(&s, &b).await["via"], "anonymous");
    expect_problem(
        with_bearer(&s, reqwest::Method::GET, "/auth/whoami", &s.tokens.editor).await,
        401,
    )
    .await;
    expect_problem(
        s.post("/auth/login", None, &json!({"token": s.tokens.editor}))
            .await,
        401,
    )
    .await;
    let users: Vec<Value> = with_bearer(&s, reqwest::Method::GET, "/admin/users", &s.tokens.admin)
        .await
        .json()
        .await
        .unwrap();
    let ed = users.iter().find(|u| u["name"] == "ed").unwrap();
    assert!(ed["disabled_at"].is_string(), "{ed}");
    // An admin cannot lock themselves out.
    expect_problem(
        with_bearer(
            &s,
            reqwest::Method::POST,
            "/admin/users/root/disable",
            &s.tokens.admin,
        )
        .await,
        409,
    )
    .await;
    expect_problem(
        with_bearer(
            &s,
            reqwest::Method::POST,
            "/admin/users/ghost/disable",
            &s.tokens.admin,
        )
        .await,
        404,
    )
    .await;
    let r = with_bearer(
        &s,
        reqwest::Method::POST,
        "/admin/users/ed/enable",
        &s.tokens.admin,
    )
    .await;
    assert_eq!(r.status().as_u16(), 200);
    let who: Value = with_bearer(&s, reqwest::Method::GET, "/auth/whoami", &s.tokens.editor)
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(who["user"], "ed");
    // The ended session stays ended.
    assert_eq!(whoami(&s, &b).await["via"], "anonymous");
    s.stop().await;
}

/// Issue 24: "expired sessions are never purged outside tests".
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn expired_sessions_are_purged_on_a_timer() {
    let (_dir, mut config) = sqlite_config();
    config.auth.session_purge_secs = 1;
    let s = Server::start(config, None).await;
    let store = s.state.store().clone();
    let short = tokio::task::spawn_blocking(move || {
        let origin = vires_store::SessionOrigin::Oidc;
        store
            .create_session("vera", jiff::SignedDuration::from_millis(200), &origin)
            .unwrap();
        store
            .create_session("vera", jiff::SignedDuration::from_hours(1), &origin)
            .unwrap()
    })
    .await
    .unwrap();
    let store = s.state.store().clone();
    let mut left = usize::MAX;
    for _ in 0..40 {
        tokio::time::sleep(Duration::from_millis(100)).await;
        let st = store.clone();
        left = tokio::task::spawn_blocking(move || st.sessions(None).unwrap().len())
            .await
            .unwrap();
        if left == 1 {
            break;
        }
    }
    assert_eq!(left, 1, "the expired session was not purged within 4 s");
    let st = store.clone();
    let kept = tokio::task::spawn_blocking(move || st.sessions(None).unwrap())
        .await
        .unwrap();
    assert_eq!(kept[0].handle, short.session.handle);
    s.stop().await;
}

/// Issue 24: "the Secure cookie flag is off by default": it is on whenever the request came
/// over TLS, and always when configured.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cookies_are_secure_over_tls() {
    let (_dir, config) = sqlite_config();
    let s = Server::start(config, None).await;
    let login_with = |headers: &'static [(&'static str, &'static str)]| {
        let mut req = s
            .client
            .post(s.url("/auth/login"))
            .header(CONTENT_TYPE, "application/json")
            .body(json!({"token": s.tokens.viewer}).to_string());
        for (k, v) in headers {
            req = req.header(*k, *v);
        }
        req.send()
    };
    let cookie = |r: &reqwest::Response| r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    let plain = login_with(&[]).await.unwrap();
    assert!(!cookie(&plain).contains("Secure"), "{}", cookie(&plain));
    for headers in [
        &[("X-Forwarded-Proto", "https")][..],
        &[("Forwarded", "for=192.0.2.60;proto=https;by=203.0.113.43")][..],
    ] {
        let r = login_with(headers).await.unwrap();
        assert!(
            cookie(&r).contains("; Secure"),
            "{headers:?}: {}",
            cookie(&r)
        );
    }
    s.stop().await;

    let (_dir, mut config) = sqlite_config();
    config.auth.secure_cookies = true;
    let s = Server::start(config, None).await;
    let r = s
        .post("/auth/login", None, &json!({"token": s.tokens.viewer}))
        .await;
    assert!(r.headers()[SET_COOKIE]
        .to_str()
        .unwrap()
        .contains("; Secure"));
    s.stop().await;
}

/// Routes anyone may call when reads need a token: the probes, who-am-I, and the doors in.
const OPEN_WHEN_READS_NEED_A_TOKEN: &[(&str, &str)] = &[
    ("get", "/healthz"),
    ("get", "/readyz"),
    ("get", "/ping"),
    ("get", "/auth/whoami"),
    ("post", "/auth/login"),
];

/// Issue 24: with `auth.read = "token"`, `GET /changes` and `/status` were still open. Every
/// operation of the OpenAPI document is tried without credentials and must be refused with
/// 401, except the few open on purpose; a viewer's token opens every read.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_need_a_token_on_every_route_of_the_openapi_document() {
    let (_dir, mut config) = sqlite_config();
    config.auth.read = ReadAccess::Token;
    let s = Server::start(config, None).await;
    let doc: Value = s.get("/openapi.json").await.json().await.unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let mut tried = 0;
    let mut reads = 0;
    for (path, ops) in paths {
        let concrete = path
            .split('/')
            .map(|seg| if seg.starts_with('{') { "x" } else { seg })
            .collect::<Vec<_>>()
            .join("/");
        for method in ops.as_object().unwrap().keys() {
            let Ok(m) = method.to_uppercase().parse::<reqwest::Method>() else {
                continue;
            };
            if !matches!(method.as_str(), "get" | "post" | "put" | "patch" | "delete") {
                continue;
            }
            tried += 1;
            let send = |token: Option<&str>| {
                let mut req = s.client.request(m.clone(), s.url(&concrete));
                if m != reqwest::Method::GET && m != reqwest::Method::DELETE {
                    req = req.header(CONTENT_TYPE, "application/json").body("{}");
                }
                if let Some(t) = token {
                    req = req.bearer_auth(t);
                }
                // The change stream stays open: its status line is all that is needed.
                req.timeout(Duration::from_secs(20)).send()
            };
            let r = send(None).await.unwrap();
            let status = r.status().as_u16();
            let open = OPEN_WHEN_READS_NEED_A_TOKEN.contains(&(method.as_str(), path.as_str()));
            if open {
                assert_ne!(status, 401, "{method} {path} should stay open");
                continue;
            }
            assert_eq!(
                status, 401,
                "{method} {path} answered {status} without a token"
            );
            expect_problem(r, 401).await;
            if method == "get" {
                reads += 1;
                let r = send(Some(&s.tokens.viewer)).await.unwrap();
                let status = r.status().as_u16();
                assert_ne!(status, 401, "{method} {path} refused a viewer's token");
            }
        }
    }
    // The document lists the routes the finding named.
    for p in ["/changes", "/status", "/metrics", "/changes/stream", "/who"] {
        assert!(paths.contains_key(p), "{p} is not in the OpenAPI document");
    }
    assert!(
        tried > 40 && reads > 25,
        "only {tried} operations ({reads} reads) were tried"
    );
    // The UI's pages and the register's downloads are closed too (the web crate's own tests
    // cover its pages); the OpenAPI document itself describes the API, not the register.
    assert_eq!(s.get("/openapi.json").await.status().as_u16(), 200);
    s.stop().await;
}

/// A log sink for one test: what the server writes through `tracing`, as the JSON lines
/// `vires serve` writes.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Captured;
    fn make_writer(&'a self) -> Captured {
        self.clone()
    }
}

impl Captured {
    fn text(&self) -> String {
        String::from_utf8_lossy(&self.0.lock().unwrap()).into_owned()
    }

    /// Makes this sink the current thread's log for as long as the guard lives.
    fn install(&self) -> tracing::subscriber::DefaultGuard {
        let sub = tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .event_format(vires_server::log_line::JsonLine)
            .fmt_fields(vires_server::log_line::JsonMembers)
            .with_writer(self.clone())
            .finish();
        tracing::subscriber::set_default(sub)
    }
}

/// Issue 24: token ids "are also written to the logs". The server runs on this test's
/// thread (a current-thread runtime), so everything it logs while answering is captured.
#[tokio::test(flavor = "current_thread")]
async fn token_ids_are_kept_out_of_the_log() {
    let logs = Captured::default();
    let _guard = logs.install();
    let (_dir, config) = sqlite_config();
    let s = Server::start(config, None).await;
    let (token, id) = new_token(&s, "vera").await;
    let b = login(&s, &token).await;
    assert_eq!(whoami(&s, &b).await["user"], "vera");
    let wrong = format!("vires_{id}.{}", "0".repeat(64));
    expect_problem(
        s.post("/auth/login", None, &json!({"token": wrong})).await,
        401,
    )
    .await;
    expect_problem(
        with_bearer(&s, reqwest::Method::GET, "/auth/whoami", &wrong).await,
        401,
    )
    .await;
    let r = with_bearer(
        &s,
        reqwest::Method::DELETE,
        &format!("/admin/tokens/{id}"),
        &s.tokens.admin,
    )
    .await;
    assert_eq!(r.status().as_u16(), 204);
    s.stop().await;
    let text = logs.text();
    // The capture works: the revocation and the requests were logged...
    assert!(text.contains("token revoked"), "{text}");
    assert!(text.contains("/admin/tokens/{id}"), "{text}");
    // ...without the id, nor any secret.
    assert!(
        !text.contains(&id),
        "the token id {id} is in the log:\n{text}"
    );
    assert!(!text.contains(token.split_once('.').unwrap().1));
}

/// Issue 24: "the bootstrap admin token goes to the log stream". It goes to a new file
/// only its owner can read (or the terminal), and the log says where, not what.
#[tokio::test(flavor = "current_thread")]
async fn the_bootstrap_token_is_kept_out_of_the_log() {
    let logs = Captured::default();
    let _guard = logs.install();
    let dir = tempfile::tempdir().unwrap();
    let store = vires_server::open_store(&format!(
        "sqlite://{}",
        dir.path().join("vires.db").display()
    ))
    .unwrap();
    let file = dir.path().join("admin.token");
    vires_server::bootstrap_admin(store.as_ref(), "boss", Some(&file)).unwrap();
    let token = std::fs::read_to_string(&file).unwrap().trim().to_string();
    assert!(token.starts_with("vires_"), "{token}");
    let user = store.authenticate_token(&token).unwrap().unwrap();
    assert_eq!(
        (user.name.as_str(), user.role),
        ("boss", vires_store::Role::Admin)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&file).unwrap().permissions().mode();
        assert_eq!(
            mode & 0o077,
            0,
            "the token file is readable by others: {mode:o}"
        );
    }
    let text = logs.text();
    assert!(text.contains("bootstrap admin created"), "{text}");
    assert!(!text.contains(&token) && !text.contains(token.split_once('.').unwrap().1));
    // A second start finds a user and creates nothing; an existing file is never overwritten.
    vires_server::bootstrap_admin(store.as_ref(), "boss", Some(&file)).unwrap();
    assert_eq!(store.users().unwrap().len(), 1);

    // Without a terminal and without a file, the server says so and creates nobody.
    let dir = tempfile::tempdir().unwrap();
    let store = vires_server::open_store(&format!(
        "sqlite://{}",
        dir.path().join("vires.db").display()
    ))
    .unwrap();
    if std::fs::OpenOptions::new()
        .write(true)
        .open("/dev/tty")
        .is_err()
    {
        let e = vires_server::bootstrap_admin(store.as_ref(), "boss", None).unwrap_err();
        assert!(e.to_string().contains("VIRES_BOOTSTRAP_TOKEN_FILE"), "{e}");
        assert!(store.users().unwrap().is_empty());
    } else {
        eprintln!("this test has a terminal: the no-terminal refusal was not exercised here (CI has none)");
    }
    let taken = dir.path().join("exists");
    std::fs::write(&taken, "keep me").unwrap();
    let e = vires_server::bootstrap_admin(store.as_ref(), "boss", Some(&taken)).unwrap_err();
    assert!(e.to_string().contains("does not exist yet"), "{e}");
    assert_eq!(std::fs::read_to_string(&taken).unwrap(), "keep me");
    assert!(store.users().unwrap().is_empty());
}
