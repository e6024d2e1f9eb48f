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
    let auth = token.map(|t| format!("Bearer {t}"));
    let mut headers = Vec::new();
    if let Some(a) = &auth {
        headers.push(("Authorization", a.as_str()));
    }
    request(
        port,
        method,
        path,
        &headers,
        body.map(|b| ("application/json", b)),
    )
    .map(|(r, _)| r)
}

/// One HTTP/1.1 request with the given headers and, if any, a body of the given type;
/// the response and its header lines (names lower-cased).
pub fn request(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<(&str, &str)>,
) -> std::io::Result<(Response, Vec<(String, String)>)> {
    let mut s = TcpStream::connect(("127.0.0.1", port))?;
    s.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut req = format!("{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    for (k, v) in headers {
        req.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some((kind, b)) = body {
        req.push_str(&format!(
            "Content-Type: {kind}\r\nContent-Length: {}\r\n",
            b.len()
        ));
    }
    req.push_str("\r\n");
    if let Some((_, b)) = body {
        req.push_str(b);
    }
    s.write_all(req.as_bytes())?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(raw.len());
    let head = String::from_utf8_lossy(&raw[..split]).to_string();
    let body = raw.get(split + 4..).unwrap_or_default();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .ok_or_else(|| std::io::Error::other(format!("no status in {head:?}")))?;
    let header_lines: Vec<(String, String)> = head
        .lines()
        .skip(1)
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| (k.trim().to_ascii_lowercase(), v.trim().to_string()))
        .collect();
    let revision = header_lines
        .iter()
        .find(|(k, _)| k == "vires-revision")
        .and_then(|(_, v)| v.parse().ok());
    let chunked = header_lines
        .iter()
        .any(|(k, v)| k == "transfer-encoding" && v.eq_ignore_ascii_case("chunked"));
    let body = if chunked {
        unchunk(body)
    } else {
        body.to_vec()
    };
    Ok((
        Response {
            status,
            revision,
            body: String::from_utf8_lossy(&body).into_owned(),
        },
        header_lines,
    ))
}

/// A chunked body put back together (a streamed answer comes this way).
fn unchunk(mut rest: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(eol) = rest.windows(2).position(|w| w == b"\r\n") {
        let size = String::from_utf8_lossy(&rest[..eol]);
        let Ok(n) = usize::from_str_radix(size.trim(), 16) else {
            break;
        };
        let after = &rest[eol + 2..];
        if n == 0 || after.len() < n {
            break;
        }
        out.extend_from_slice(&after[..n]);
        rest = after[n..].strip_prefix(b"\r\n").unwrap_or(&after[n..]);
    }
    out
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
        // Every client of these load tests is one loopback address; the per-client limit
        // has its own tests (vires-server, tests/bounds.rs).
        .env("VIRES_REQUESTS_PER_MINUTE_PER_CLIENT", "0")
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

/// A copy of the bundled ODS/ONS extracts under `dir` with one file changed (a newline
/// added): another base register, as new bundled data would be. Returns the folder.
pub fn other_ods(dir: &std::path::Path) -> String {
    let ods = dir.join("ods");
    std::fs::create_dir_all(&ods).unwrap();
    let bundled = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/ods");
    for f in std::fs::read_dir(&bundled).unwrap() {
        let f = f.unwrap();
        std::fs::copy(f.path(), ods.join(f.file_name())).unwrap();
    }
    let changed = ods.join("ccg_names_codes_2018_04.csv");
    let mut text = std::fs::read_to_string(&changed).unwrap();
    text.push('\n');
    std::fs::write(&changed, text).unwrap();
    ods.display().to_string()
}
