//! A bounded soak: `vires serve` under mixed reads and writes for a while. Its memory must
//! stay flat once warm, nothing acknowledged may be lost, no request may fail, and the hash
//! chain must verify afterwards.
//!
//! CI runs it for `VIRES_SOAK_SECS` (default 20 s); for the few-minutes run reported in the
//! notes: `VIRES_SOAK_SECS=180 cargo test --release -p vires-cli --test soak -- --nocapture`.

mod common;

use common::*;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

const READS: &[&str] = &[
    "/who?function=commissioning.secondary-care&practice=A85001&on=2020-06-01",
    "/may?as=X24&function=commissioning.secondary-care&practice=A85001&on=2020-06-01&purpose=coronavirus-support",
    "/what?code=QHM&on=2023-06-01",
    "/timeline?function=commissioning.primary-care.medical&practice=A85001",
    "/lineage?code=00F",
    "/bodies?on=2021-04-01&kind=ccg",
    "/diff?from=2022-06-30&to=2022-07-01",
];

#[test]
fn memory_stays_flat_and_nothing_is_lost_under_mixed_load() {
    let secs: u64 = std::env::var("VIRES_SOAK_SECS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(20)
        .clamp(5, 900);
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("soak.db").display());
    let port = free_port();
    let (mut server, token) = start(&db, port);
    let token = token.expect("bootstrap admin token printed on first start");
    let pid = server.id();

    let acked: Arc<Mutex<Vec<String>>> = Arc::new(Mutex::new(Vec::new()));
    let reads = Arc::new(AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut workers = Vec::new();
    for w in 0..2 {
        let (acked, stop, token) = (acked.clone(), stop.clone(), token.clone());
        workers.push(std::thread::spawn(move || {
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let r = http(port, "GET", "/ping", None, None).expect("ping");
                let id = format!("soak-w{w}-{n}");
                let rev = r.revision.unwrap_or(0);
                let r = http(
                    port,
                    "POST",
                    "/changes",
                    Some(&token),
                    Some(&change(&id, rev)),
                )
                .expect("write");
                match r.status {
                    201 => {
                        acked.lock().unwrap().push(id);
                        n += 1;
                    }
                    409 => {} // another writer moved the register on: retry from the new revision
                    s => panic!("write answered {s}: {}", r.body),
                }
                std::thread::sleep(Duration::from_millis(50));
            }
        }));
    }
    for k in 0..4 {
        let (stop, reads) = (stop.clone(), reads.clone());
        workers.push(std::thread::spawn(move || {
            let mut i = k;
            while !stop.load(Ordering::Relaxed) {
                let path = READS[i % READS.len()];
                let r = http(port, "GET", path, None, None).expect("read");
                assert_eq!(r.status, 200, "{path}: {}", r.body);
                reads.fetch_add(1, Ordering::Relaxed);
                i += 1;
            }
        }));
    }
    let started = Instant::now();
    let mut samples: Vec<u64> = Vec::new();
    while started.elapsed() < Duration::from_secs(secs) {
        std::thread::sleep(Duration::from_secs(1));
        if let Some(kib) = rss_kib(pid) {
            samples.push(kib);
        }
    }
    stop.store(true, Ordering::Relaxed);
    for w in workers {
        w.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    let _ = server.kill();
    let _ = server.wait();

    assert!(samples.len() >= 4, "too few memory samples: {samples:?}");
    // Warm after the first quarter: memory from then on may grow by what the writes add to
    // the register (a few KiB each, in the log and the compiled snapshot) and by allocator
    // noise, but must not climb with the number of requests served.
    let warm = samples[samples.len() / 4];
    let end = *samples.last().unwrap_or(&warm);
    let writes_after_warm = acked.len() as u64 * 3 / 4;
    let allowed = warm + warm / 5 + writes_after_warm * 16;
    let total_reads = reads.load(Ordering::Relaxed);
    eprintln!(
        "soak {secs} s: {} writes, {total_reads} reads; RSS warm {warm} KiB, end {end} KiB, \
         max {} KiB (allowed {allowed} KiB)",
        acked.len(),
        samples.iter().max().unwrap_or(&0),
    );
    assert!(!acked.is_empty() && total_reads > 0);
    assert!(
        end <= allowed,
        "memory grew from {warm} KiB to {end} KiB: {samples:?}"
    );
    let ids = logged_ids(&db);
    for id in &acked {
        assert!(ids.contains(id), "acknowledged change {id} lost");
    }
    assert_eq!(verify(&db)["ok"], true);
}
