//! Bounded work for anonymous callers (issue 24, item 1): each attack found against the
//! server on loopback, replayed small, with the answer the limits must give. Each is bounded
//! in count and in time.

mod common;

use common::{expect_problem, test_config, Server};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use vires_server::ServeConfig;

fn sqlite() -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("vires.db").display());
    (dir, url)
}

async fn start(tune: impl FnOnce(&mut ServeConfig)) -> (tempfile::TempDir, Server) {
    let (dir, db) = sqlite();
    let mut config = test_config(&db);
    tune(&mut config);
    (dir, Server::start(config, None).await)
}

fn addr(s: &Server) -> String {
    s.base.trim_start_matches("http://").to_string()
}

/// Reads until the server closes the connection; how long that took, or None if it was
/// still open after `within`.
async fn closed_within(conn: &mut TcpStream, within: Duration) -> Option<Duration> {
    let started = Instant::now();
    let mut buf = [0u8; 4096];
    loop {
        let left = within.checked_sub(started.elapsed())?;
        match tokio::time::timeout(left, conn.read(&mut buf)).await {
            Err(_) => return None,
            Ok(Ok(0)) | Ok(Err(_)) => return Some(started.elapsed()),
            Ok(Ok(_)) => continue,
        }
    }
}

/// Slow and idle connections stayed open past 70 s. A head not sent in full within the
/// header-read timeout, and a keep-alive connection idle for that long, are closed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn slow_and_idle_connections_are_closed() {
    let (_dir, s) = start(|c| c.limits.header_read_timeout_secs = 1).await;
    // A request head that never ends.
    let mut slow = TcpStream::connect(addr(&s)).await.unwrap();
    slow.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
        .await
        .unwrap();
    let t = closed_within(&mut slow, Duration::from_secs(6))
        .await
        .expect("a connection sending half a request head was still open after 6 s");
    assert!(t >= Duration::from_millis(900), "closed after {t:?}");
    // A connection that asked once and then said nothing.
    let mut idle = TcpStream::connect(addr(&s)).await.unwrap();
    idle.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut first = [0u8; 12];
    idle.read_exact(&mut first).await.unwrap();
    assert_eq!(&first, b"HTTP/1.1 200");
    closed_within(&mut idle, Duration::from_secs(6))
        .await
        .expect("an idle keep-alive connection was still open after 6 s");
    // And the server still answers.
    assert_eq!(s.get("/healthz").await.status().as_u16(), 200);
    s.stop().await;
}

/// Writes a request head with a body of `length` bytes and sends one byte of it: the
/// request stays in progress until the connection is dropped.
async fn stuck_request(s: &Server) -> TcpStream {
    let mut c = TcpStream::connect(addr(s)).await.unwrap();
    c.write_all(
        b"POST /whatif HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{",
    )
    .await
    .unwrap();
    c
}

/// No limit on concurrent requests: past the limit a request gets 503 at once, while
/// health probes still answer.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn requests_past_the_concurrency_limit_get_503() {
    let (_dir, s) = start(|c| c.limits.max_concurrent_requests = 2).await;
    assert_eq!(s.get("/bodies").await.status().as_u16(), 200);
    let held = vec![stuck_request(&s).await, stuck_request(&s).await];
    // Give the server a moment to take both in (up to 10 s: on a loaded machine the two
    // connections can take a while to be accepted and read).
    let mut refused = None;
    for _ in 0..200 {
        let r = s.get("/bodies").await;
        if r.status().as_u16() == 503 {
            refused = Some(r);
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let r = refused.expect("a third request was not refused while two were in progress");
    assert_eq!(
        r.headers().get("retry-after").map(|v| v.to_str().unwrap()),
        Some("1")
    );
    let p = expect_problem(r, 503).await;
    assert_eq!(p["type"], "urn:vires:problem:overloaded");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("limits.max_concurrent_requests"),
        "{p}"
    );
    let started = Instant::now();
    assert_eq!(s.get("/healthz").await.status().as_u16(), 200);
    assert!(started.elapsed() < Duration::from_secs(1));
    drop(held);
    let mut answered = false;
    for _ in 0..50 {
        if s.get("/bodies").await.status().as_u16() == 200 {
            answered = true;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(answered, "the server did not take requests again");
    s.stop().await;
}

/// No rate limit: one client's requests past its quota get 429 with Retry-After; probes
/// are not counted.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_client_past_its_quota_gets_429() {
    let (_dir, s) = start(|c| c.limits.requests_per_minute_per_client = 5).await;
    for _ in 0..5 {
        assert_eq!(s.get("/bodies").await.status().as_u16(), 200);
    }
    let r = s.get("/bodies").await;
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // Five a minute: one comes back every 12 s.
    assert!((1..=12).contains(&wait), "Retry-After {wait}");
    let p = expect_problem(r, 429).await;
    assert_eq!(p["type"], "urn:vires:problem:too-many-requests");
    assert!(
        p["detail"].as_str().unwrap().contains("at most 5 a minute"),
        "{p}"
    );
    for _ in 0..10 {
        assert_eq!(s.get("/healthz").await.status().as_u16(), 200);
    }
    s.stop().await;
}

/// A 65 KB query string with 16,592 keys cost 0.67 s before its 400. Now the URL is
/// refused by length (here 59 KB, under the 64 KB at which hyper answers for itself), a
/// query of more keys than the limit by count, and the duplicate check is linear.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn long_urls_and_many_keys_are_refused_at_once() {
    let (_dir, s) = start(|_| {}).await;
    let keys: Vec<String> = (0..10_000).map(|i| format!("k{i}")).collect();
    assert!(keys.join("&").len() < 60_000);
    let started = Instant::now();
    let p = expect_problem(s.get(&format!("/who?{}", keys.join("&"))).await, 414).await;
    assert_eq!(p["type"], "urn:vires:problem:url-too-long");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("limits.max_url_bytes"),
        "{p}"
    );
    assert!(started.elapsed() < Duration::from_millis(500));
    // Under the URL limit, over the parameter limit.
    let started = Instant::now();
    let p = expect_problem(s.get(&format!("/who?{}", keys[..600].join("&"))).await, 400).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("at most 32 (limits.max_query_params)"),
        "{p}"
    );
    assert!(started.elapsed() < Duration::from_millis(500));
    // Headers over their limit are a problem document too.
    let r = s
        .client
        .get(s.url("/bodies"))
        .header("x-padding", "a".repeat(20 * 1024))
        .send()
        .await
        .unwrap();
    let p = expect_problem(r, 431).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("limits.max_header_bytes"),
        "{p}"
    );
    s.stop().await;
}

/// 1,000 requests with 60,000-letter method names added 45 MB to /metrics for good. Made-up
/// methods are counted as `other`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn made_up_methods_add_no_metric_series() {
    let (_dir, s) = start(|_| {}).await;
    for i in 0..50 {
        let name = format!("M{i}{}", "X".repeat(2000));
        let method = reqwest::Method::from_bytes(name.as_bytes()).unwrap();
        let r = s
            .client
            .request(method, s.url("/who"))
            .send()
            .await
            .unwrap();
        assert!(r.status().is_client_error(), "{}", r.status());
    }
    let text = s.get("/metrics").await.text().await.unwrap();
    assert!(!text.contains("XXXX"), "a made-up method became a label");
    assert!(text.contains("method=\"other\""), "{text}");
    assert!(text.len() < 64 * 1024, "{} bytes", text.len());
    s.stop().await;
}

fn delegation(n: usize) -> Value {
    json!({
        "id": format!("whatif-{n}"),
        "title": format!("Delegation {n}"),
        "kind": "delegation",
        "maker": "X24",
        "basis": "NHS Act 2006 s.13Z",
        "receivers": {"bodies": ["13T"]},
        "functions": ["commissioning.primary-care.dental"],
        "area": {"footprint": "13T"},
        "from": "2016-04-01",
    })
}

/// POST /whatif with 1,400 generated delegations took 5.6 s and 900 MB. A proposal over
/// the instrument limit is refused before any work; one at the limit is answered.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_whatif_over_the_instrument_limit_gets_413() {
    let (_dir, s) = start(|c| {
        c.limits.max_body_bytes = 1024 * 1024;
        c.limits.max_whatif_instruments = 20;
    })
    .await;
    let many: Vec<Value> = (0..1400).map(delegation).collect();
    let started = Instant::now();
    let p = expect_problem(
        s.post("/whatif", None, &json!({"instruments": many})).await,
        413,
    )
    .await;
    assert_eq!(p["type"], "urn:vires:problem:too-many-instruments");
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("1400 instruments; a what-if takes at most 20"),
        "{p}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    let twenty: Vec<Value> = (0..20).map(delegation).collect();
    let r = s
        .post("/whatif", None, &json!({"instruments": twenty}))
        .await;
    assert_eq!(r.status().as_u16(), 200, "{}", r.text().await.unwrap());
    s.stop().await;
}

/// POST /conflicts/check with 3,300 participants took 13 CPU-seconds and ran on past its
/// 408. Over the participant limit it is refused at once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_conflicts_check_over_the_participant_limit_gets_413() {
    let (_dir, s) = start(|c| c.limits.max_body_bytes = 1024 * 1024).await;
    let participants: Vec<Value> = (0..3300)
        .map(|i| json!({"person": format!("Member {i}")}))
        .collect();
    let decision = json!({
        "id": "d", "subject": "s", "body": "13T", "date": "2016-02-24",
        "counterparties": ["Acme Ltd"], "quorum": 3, "participants": participants,
    });
    let register = json!({"body": "13T", "people": [], "interests": [], "gifts": []});
    let started = Instant::now();
    let p = expect_problem(
        s.post(
            "/conflicts/check",
            None,
            &json!({"decision": decision, "interests": [register]}),
        )
        .await,
        413,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains(
            "3300 participants; a conflicts check takes at most 200 (limits.max_participants)"
        ),
        "{p}"
    );
    assert!(started.elapsed() < Duration::from_secs(2));
    s.stop().await;
}
