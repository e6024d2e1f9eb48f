//! What the server's log must never hold (issue 24): token ids, and the bootstrap admin's
//! token. The log is captured through a process-wide subscriber writing the JSON lines
//! `vires serve` writes; the checks run one after the other in one test, so nothing else in
//! this process logs meanwhile.

mod common;

use common::*;
use serde_json::{json, Value};
use std::sync::{Arc, Mutex, OnceLock};

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

/// The process's log, from the first call on.
fn log() -> &'static Captured {
    static LOG: OnceLock<Captured> = OnceLock::new();
    LOG.get_or_init(|| {
        let captured = Captured::default();
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new("debug"))
            .event_format(vires_server::log_line::JsonLine)
            .fmt_fields(vires_server::log_line::JsonMembers)
            .with_writer(captured.clone())
            .init();
        captured
    })
}

fn text() -> String {
    String::from_utf8_lossy(&log().0.lock().unwrap()).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_log_holds_no_token_ids_and_no_bootstrap_token() {
    log();
    token_ids_are_kept_out_of_the_log().await;
    the_bootstrap_token_is_kept_out_of_the_log();
}

/// Issue 24: token ids "are also written to the logs".
async fn token_ids_are_kept_out_of_the_log() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("vires.db").display());
    let s = Server::start(test_config(&db), None).await;
    let r = s
        .post(
            "/admin/tokens",
            Some(&s.tokens.admin),
            &json!({"user": "vera", "label": "logged?"}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let t: Value = r.json().await.unwrap();
    let token = t["token"].as_str().unwrap().to_string();
    let id = t["info"]["id"].as_str().unwrap().to_string();
    let r = s
        .post("/auth/login", None, &json!({ "token": token }))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let wrong = format!("vires_{id}.{}", "0".repeat(64));
    expect_problem(
        s.post("/auth/login", None, &json!({ "token": wrong }))
            .await,
        401,
    )
    .await;
    let r = s
        .client
        .get(s.url("/auth/whoami"))
        .bearer_auth(&wrong)
        .send()
        .await
        .unwrap();
    expect_problem(r, 401).await;
    let r = s
        .client
        .delete(s.url(&format!("/admin/tokens/{id}")))
        .bearer_auth(&s.tokens.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    s.stop().await;
    let text = text();
    // The capture works: the revocation and the requests were logged...
    assert!(text.contains("token revoked"), "{text}");
    assert!(text.contains("/admin/tokens/{id}"), "{text}");
    assert!(text.contains("/auth/login"), "{text}");
    // ...without the id, nor any secret.
    assert!(
        !text.contains(&id),
        "the token id {id} is in the log:\n{text}"
    );
    assert!(!text.contains(token.split_once('.').unwrap().1));
}

/// Issue 24: "the bootstrap admin token goes to the log stream". It goes to a new file
/// only its owner can read (or the terminal), and the log says where, not what.
fn the_bootstrap_token_is_kept_out_of_the_log() {
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
    let text = text();
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
