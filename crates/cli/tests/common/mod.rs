//! A real `vires serve` for the tests that drive it over HTTP: start it on a free port,
//! talk to it over plain HTTP/1.1, and the changes the tests write.

#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

pub struct Response {
    pub status: u16,
    pub revision: Option<u64>,
    pub body: String,
}

/// One HTTP/1.1 request over a fresh connection (Connection: close).
pub fn http(
    port: u16,
    method: &str,
    path: &str,
    token: Option<&str>,
    body: Option<&str>,
) -> std::io::Result<Response> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    if let Some(t) = token {
        req.push_str(&format!("Authorization: Bearer {t}\r\n"));
    }
    if let Some(b) = body {
        req.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some(b) = body {
        req.push_str(b);
    }
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).to_string();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {head:?}")))?;
    let revision = head
        .lines()
        .find_map(|l| {
            l.to_ascii_lowercase()
                .strip_prefix("vires-revision:")
                .map(|v| v.trim().to_string())
        })
        .and_then(|v| v.parse().ok());
    Ok(Response {
        status,
        revision,
        body: body.to_string(),
    })
}

pub fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `vires serve`; returns the child and, on first start, the bootstrap admin token
/// (which the server writes to a new file, never to its log).
pub fn start(db: &str, port: u16) -> (Child, Option<String>) {
    let token_file = std::env::temp_dir().join(format!(
        "vires-cli-test-{}-{port}.token",
        std::process::id()
    ));
    let _ = std::fs::remove_file(&token_file);
    let mut child = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("VIRES_DB", db)
        .env("VIRES_BOOTSTRAP_ADMIN", "admin")
        .env("VIRES_BOOTSTRAP_TOKEN_FILE", &token_file)
        .env("VIRES_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if http(port, "GET", "/healthz", None, None).is_ok_and(|r| r.status == 200) {
            let t = std::fs::read_to_string(&token_file)
                .ok()
                .map(|t| t.trim().to_string());
            let _ = std::fs::remove_file(&token_file);
            return (child, t);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start");
}

pub fn change(id: &str, rev: u64) -> String {
    serde_json::json!({
        "base_revision": rev,
        "reason": "test write",
        "change": {"op": "add-instrument", "instrument": {
            "id": id, "title": id, "kind": "mandate", "maker": "DHSC",
            "basis": "NHS Act 2006 s.13A", "receivers": {"bodies": ["X24"]},
            "requirement": {"text": "keep records"}, "from": "2024-04-01", "source": "test write"}}
    })
    .to_string()
}

/// The ids of the instruments in the store's change log (`vires audit log`).
pub fn logged_ids(db: &str) -> Vec<String> {
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(["--format", "json", "audit", "log"])
        .env("VIRES_DB", db)
        .output()
        .unwrap();
    let log: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    log.as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["change"]["instrument"]["id"].as_str().map(str::to_string))
        .collect()
}

/// `vires audit verify` on the store: its JSON report.
pub fn verify(db: &str) -> serde_json::Value {
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(["--format", "json", "audit", "verify"])
        .env("VIRES_DB", db)
        .output()
        .unwrap();
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Resident memory of a process in KiB (VmRSS), on Linux.
pub fn rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = status.lines().find(|l| l.starts_with("VmRSS:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}
