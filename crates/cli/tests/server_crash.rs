//! The server under concurrent writes and reads, killed with SIGKILL mid-flight and restarted:
//! every acknowledged change must be present afterwards, the hash chain must verify, and no
//! reader may ever see the register go backwards or get a server error.

use serde_json::Value;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

struct Response {
    status: u16,
    revision: Option<u64>,
    body: String,
}

/// One HTTP/1.1 request over a fresh connection (Connection: close).
fn http(
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

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Starts `vires serve`; returns the child and, on first start, the bootstrap admin token.
fn start(db: &str, port: u16) -> (Child, Option<String>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
        .env("VIRES_DB", db)
        .env("VIRES_BOOTSTRAP_ADMIN", "admin")
        .env("VIRES_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let token = Arc::new(Mutex::new(None));
    let t2 = token.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(i) = line.find("vires_") {
                if line.contains("token") {
                    *t2.lock().unwrap() = Some(line[i..].trim().to_string());
                }
            }
        }
    });
    let deadline = Instant::now() + Duration::from_secs(120);
    while Instant::now() < deadline {
        if http(port, "GET", "/healthz", None, None).is_ok_and(|r| r.status == 200) {
            std::thread::sleep(Duration::from_millis(200));
            let t = token.lock().unwrap().clone();
            return (child, t);
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    let _ = child.kill();
    let _ = child.wait();
    panic!("server did not start");
}

fn change(id: &str, rev: u64) -> String {
    serde_json::json!({
        "base_revision": rev,
        "reason": "crash test",
        "change": {"op": "add-instrument", "instrument": {
            "id": id, "title": id, "kind": "mandate", "maker": "DHSC",
            "basis": "NHS Act 2006 s.13A", "receivers": {"bodies": ["X24"]},
            "requirement": {"text": "keep records"}, "from": "2024-04-01", "source": "crash test"}}
    })
    .to_string()
}

#[test]
fn acknowledged_changes_survive_kill_9() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("crash.db").display());
    let port = free_port();
    let (mut server, token) = start(&db, port);
    let token = token.expect("bootstrap admin token printed on first start");

    let acked: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let mut handles = Vec::new();
    for w in 0..8 {
        let (acked, stop, token) = (acked.clone(), stop.clone(), token.clone());
        handles.push(std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let Ok(r) = http(port, "GET", "/ping", None, None) else {
                    break;
                };
                let rev = r.revision.unwrap_or(0);
                let id = format!("crash-w{w}-{n}");
                match http(
                    port,
                    "POST",
                    "/changes",
                    Some(&token),
                    Some(&change(&id, rev)),
                ) {
                    Ok(r) if r.status == 201 => {
                        acked.lock().unwrap().push(id);
                        n += 1;
                    }
                    Ok(r) if r.status == 409 => {}
                    Ok(r) => panic!("writer got {}: {}", r.status, r.body),
                    Err(_) => break, // the server was killed
                }
            }
        }));
    }
    let mut readers = Vec::new();
    for _ in 0..4 {
        let stop = stop.clone();
        readers.push(std::thread::spawn(move || {
            let mut last = 0;
            let mut reads = 0;
            while !stop.load(Ordering::Relaxed) {
                let path =
                    "/who?function=commissioning.secondary-care&practice=A85001&on=2020-06-01";
                let Ok(r) = http(port, "GET", path, None, None) else {
                    break;
                };
                assert_eq!(r.status, 200, "{}", r.body);
                let rev = r.revision.expect("every response carries the revision");
                assert!(rev >= last, "revision went backwards: {last} then {rev}");
                last = rev;
                reads += 1;
            }
            reads
        }));
    }
    // Let writes pile up, then kill the server without warning while they are in flight.
    let t0 = Instant::now();
    while acked.lock().unwrap().len() < 12 && t0.elapsed() < Duration::from_secs(90) {
        std::thread::sleep(Duration::from_millis(100));
    }
    server.kill().unwrap(); // SIGKILL
    let _ = server.wait();
    stop.store(true, Ordering::Relaxed);
    for h in handles {
        h.join().unwrap();
    }
    let reads: u32 = readers.into_iter().map(|h| h.join().unwrap()).sum();
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 12,
        "only {} writes acknowledged",
        acked.len()
    );
    assert!(reads > 0);

    // Restart on the same store: everything acknowledged is there.
    let (mut server, _) = start(&db, port);
    let r = http(port, "GET", "/changes?since=0&limit=1000", None, None).unwrap();
    let _ = server.kill();
    let _ = server.wait();
    assert_eq!(r.status, 200, "{}", r.body);
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(["--format", "json", "audit", "log"])
        .env("VIRES_DB", &db)
        .output()
        .unwrap();
    let log: Value = serde_json::from_slice(&out.stdout).unwrap();
    let ids: Vec<String> = log
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["change"]["instrument"]["id"].as_str().map(str::to_string))
        .collect();
    for id in &acked {
        assert!(ids.contains(id), "acknowledged change {id} lost");
    }
    let verify = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(["--format", "json", "audit", "verify"])
        .env("VIRES_DB", &db)
        .output()
        .unwrap();
    let v: Value = serde_json::from_slice(&verify.stdout).unwrap();
    assert_eq!(v["ok"], true, "{v}");
    eprintln!(
        "{} acknowledged writes, {} reads, {} log entries after restart",
        acked.len(),
        reads,
        v["entries"]
    );
}
