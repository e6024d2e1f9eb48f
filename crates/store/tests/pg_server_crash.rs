//! Crashes the PostgreSQL server itself while writers are in flight.
//!
//! This is its own test binary because it takes the whole server down: the tests of
//! `suite.rs` run in parallel threads and would fail alongside it. It needs the
//! crash-restart script that `scripts/with-postgres.sh` exports as VIRES_TEST_PG_CRASH;
//! without it the test fails, unless VIRES_ALLOW_NO_PG=1 asks to skip it on purpose.

use std::collections::BTreeMap;
use std::process::Command;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vires_core::{Instrument, InstrumentKind};
use vires_store::{Change, ChangeRequest};

const BASE: &str = "sha256:server-crash-test";

fn setup() -> Option<(String, String, String)> {
    let (Ok(admin_url), Ok(crash)) = (
        std::env::var("VIRES_TEST_PG"),
        std::env::var("VIRES_TEST_PG_CRASH"),
    ) else {
        if std::env::var("VIRES_ALLOW_NO_PG").as_deref() == Ok("1") {
            eprintln!("SKIPPED: PostgreSQL server crash test: VIRES_TEST_PG or VIRES_TEST_PG_CRASH is not set and VIRES_ALLOW_NO_PG=1");
            return None;
        }
        panic!(
            "the PostgreSQL server crash test cannot run: it needs VIRES_TEST_PG and \
             VIRES_TEST_PG_CRASH, which `scripts/with-postgres.sh cargo test -p vires-store` \
             provides; set VIRES_ALLOW_NO_PG=1 to skip it on purpose"
        );
    };
    let name = format!("vires_t_server_crash_{}", std::process::id());
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls).unwrap();
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    let url = match admin_url.rsplit_once('/') {
        Some((server, _)) => format!("{server}/{name}"),
        None => panic!("VIRES_TEST_PG={admin_url} has no database name"),
    };
    Some((url, crash, admin_url))
}

fn change(writer: usize, n: usize) -> ChangeRequest {
    let mut i = Instrument::new(
        format!("w{writer}-{n}"),
        InstrumentKind::Delegation,
        jiff::civil::date(2020, 4, 1),
    );
    i.title = format!("writer {writer}, change {n}").into();
    ChangeRequest {
        author: format!("writer-{writer}"),
        reason: "server crash test".into(),
        change: Change::AddInstrument { instrument: i },
    }
}

#[test]
fn server_crash_during_writes_loses_nothing_acknowledged() {
    let Some((url, crash, admin_url)) = setup() else {
        return;
    };
    let first = vires_store::open(&url).unwrap();
    first.ensure_genesis(BASE, "tester").unwrap();
    let watcher = vires_store::open(&url).unwrap();
    let sub = watcher.subscribe().unwrap();

    let acked: Arc<Mutex<BTreeMap<u64, String>>> = Arc::default();
    let errors = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let stop = Arc::new(AtomicBool::new(false));
    let mut writers = Vec::new();
    for w in 0..4 {
        let (url, acked, errors, stop) = (url.clone(), acked.clone(), errors.clone(), stop.clone());
        writers.push(std::thread::spawn(move || {
            let store = vires_store::open(&url).unwrap();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let req = change(w, n);
                // While the server is down every call fails; the handle must reconnect by
                // itself once it is back.
                let result = store.head().and_then(|h| store.append(h, req.clone()));
                match result {
                    Ok(e) => {
                        let id = match &e.change {
                            Change::AddInstrument { instrument } => instrument.id.to_string(),
                            _ => String::new(),
                        };
                        acked.lock().unwrap().insert(e.seq, id);
                        n += 1;
                    }
                    Err(e) if e.is_stale() => {}
                    Err(_) => {
                        errors.fetch_add(1, Ordering::Relaxed);
                        std::thread::sleep(Duration::from_millis(50));
                    }
                }
            }
        }));
    }

    let wait_for = |count: usize| {
        let deadline = Instant::now() + Duration::from_secs(60);
        while acked.lock().unwrap().len() < count {
            assert!(
                Instant::now() < deadline,
                "writers stalled at {} acknowledged changes",
                acked.lock().unwrap().len()
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    };
    wait_for(30);
    let status = Command::new(&crash).status().unwrap();
    assert!(
        status.success(),
        "the crash-restart script failed: {status}"
    );
    let at_crash = acked.lock().unwrap().len();
    let restarted = Instant::now();
    // The crash must have interrupted writes in flight: a restart so quick that no call
    // failed would test nothing. Every writer calls in a loop, so while the server is down
    // their calls fail.
    let deadline = Instant::now() + Duration::from_secs(10);
    while errors.load(Ordering::Relaxed) == 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(
        errors.load(Ordering::Relaxed) > 0,
        "the crash interrupted no write: no call failed ({at_crash} acknowledged before it)"
    );
    // The writers carry on after the restart, through reconnected handles.
    wait_for(at_crash + 1);
    let recovered_after = restarted.elapsed();
    wait_for(at_crash + 30);
    stop.store(true, Ordering::Relaxed);
    for w in writers {
        w.join().unwrap();
    }

    let store = vires_store::open(&url).unwrap();
    let all = store.all_entries().unwrap();
    let acked = acked.lock().unwrap().clone();
    for (seq, id) in &acked {
        let entry = all
            .get(*seq as usize - 1)
            .unwrap_or_else(|| panic!("acknowledged entry {seq} ({id}) is missing"));
        assert_eq!(entry.seq, *seq);
        match &entry.change {
            Change::AddInstrument { instrument } => assert_eq!(&instrument.id, id),
            other => panic!("entry {seq} is {other:?}, expected {id}"),
        }
    }
    let report = store.verify().unwrap();
    assert!(report.ok, "{report:?}");

    // The watcher's LISTEN connection died with the server; it must be back.
    let e = store.append(store.head().unwrap(), change(99, 0)).unwrap();
    assert!(
        sub.wait_for(e.revision(), Duration::from_secs(3)).is_some(),
        "the subscription did not recover after the server restarted"
    );
    eprintln!(
        "server crash: {} acknowledged ({} before the crash), {} failed calls while it was down, first write {:?} after the restart, {} entries",
        acked.len(),
        at_crash,
        errors.load(Ordering::Relaxed),
        recovered_after,
        all.len()
    );

    drop((first, watcher, store));
    if let Ok(mut admin) = postgres::Client::connect(&admin_url, postgres::NoTls) {
        let name = url.rsplit('/').next().unwrap_or_default();
        let _ = admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
    }
}
