//! The server under concurrent writes and reads, killed with SIGKILL mid-flight and restarted:
//! every acknowledged change must be present afterwards, the hash chain must verify, and no
//! reader may ever see the register go backwards or get a server error.

mod common;

use common::*;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

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
    let ids = logged_ids(&db);
    for id in &acked {
        assert!(ids.contains(id), "acknowledged change {id} lost");
    }
    let v = verify(&db);
    assert_eq!(v["ok"], true, "{v}");
    eprintln!(
        "{} acknowledged writes, {} reads, {} log entries after restart",
        acked.len(),
        reads,
        v["entries"]
    );
}
