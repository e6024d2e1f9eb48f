//! One suite, run against SQLite (a temporary file) and against PostgreSQL (a fresh
//! database on the server named by VIRES_TEST_PG; see scripts/with-postgres.sh).
//!
//! Without VIRES_TEST_PG the PostgreSQL half fails, so a missing server is never mistaken
//! for a pass; set VIRES_ALLOW_NO_PG=1 to skip it on purpose.

use jiff::civil::{date, Date};
use jiff::{SignedDuration, Timestamp};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use vires_core::{Instrument, InstrumentKind, Interval, Register};
use vires_store::{
    as_recorded_at, open_with, replay, Change, ChangeRequest, Entry, Keying, LogKey, ManualClock,
    OpenOptions, Outcome, PendingChangeStatus, Recorded, Revision, Role, SessionOrigin, Settle,
    Store, StoreError, GENESIS_PREV,
};

// ---------------------------------------------------------------------------------------
// Databases

enum Kind {
    Sqlite(tempfile::TempDir),
    Postgres { admin_url: String, name: String },
}

struct TestDb {
    url: String,
    kind: Kind,
}

fn sqlite_db() -> TestDb {
    let dir = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", dir.path().join("register.db").display());
    TestDb {
        url,
        kind: Kind::Sqlite(dir),
    }
}

/// A fresh database on the test server, or None when skipping was asked for explicitly.
fn pg_db(test: &str) -> Option<TestDb> {
    let admin_url = match std::env::var("VIRES_TEST_PG") {
        Ok(u) if !u.trim().is_empty() => u,
        _ => {
            if std::env::var("VIRES_ALLOW_NO_PG").as_deref() == Ok("1") {
                eprintln!("SKIPPED: PostgreSQL test {test}: VIRES_TEST_PG is not set and VIRES_ALLOW_NO_PG=1");
                return None;
            }
            panic!(
                "PostgreSQL test {test} cannot run: VIRES_TEST_PG is not set. Run the suite under a \
                 throwaway server with `scripts/with-postgres.sh cargo test -p vires-store`, or set \
                 VIRES_ALLOW_NO_PG=1 to skip the PostgreSQL tests on purpose."
            );
        }
    };
    Some(pg_db_named(
        admin_url,
        format!("vires_t_{}_{}", test, std::process::id()),
    ))
}

/// A fresh database `name` on the server of `admin_url`.
fn pg_db_named(admin_url: String, name: String) -> TestDb {
    let mut admin = postgres::Client::connect(&admin_url, postgres::NoTls)
        .unwrap_or_else(|e| panic!("cannot connect to VIRES_TEST_PG={admin_url}: {e}"));
    // Each statement on its own: a multi-statement batch would be one transaction, and
    // CREATE DATABASE cannot run in one.
    admin
        .batch_execute(&format!("DROP DATABASE IF EXISTS {name}"))
        .unwrap();
    admin
        .batch_execute(&format!("CREATE DATABASE {name}"))
        .unwrap();
    TestDb {
        url: with_database(&admin_url, &name),
        kind: Kind::Postgres { admin_url, name },
    }
}

/// The URL with its database name replaced.
fn with_database(url: &str, db: &str) -> String {
    let (base, query) = match url.split_once('?') {
        Some((b, q)) => (b, Some(q)),
        None => (url, None),
    };
    let after_scheme = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[after_scheme..]
        .find('/')
        .map_or(base.len(), |i| after_scheme + i);
    let mut out = format!("{}/{db}", &base[..host_end]);
    if let Some(q) = query {
        out.push('?');
        out.push_str(q);
    }
    out
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Kind::Postgres { admin_url, name } = &self.kind {
            if let Ok(mut admin) = postgres::Client::connect(admin_url, postgres::NoTls) {
                let _ =
                    admin.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"));
            }
        }
    }
}

impl TestDb {
    /// Another fresh database on the same backend (for a test that needs several).
    fn sibling(&self, suffix: &str) -> TestDb {
        match &self.kind {
            Kind::Sqlite(_) => sqlite_db(),
            Kind::Postgres { admin_url, name } => {
                pg_db_named(admin_url.clone(), format!("{name}_{suffix}"))
            }
        }
    }

    fn open(&self) -> Box<dyn Store> {
        vires_store::open(&self.url).unwrap()
    }

    fn open_with_clock(&self, clock: Arc<ManualClock>) -> Box<dyn Store> {
        open_with(
            &self.url,
            OpenOptions {
                clock,
                log_key: None,
            },
        )
        .unwrap()
    }

    fn open_keyed(&self, key: &LogKey) -> Box<dyn Store> {
        open_with(
            &self.url,
            OpenOptions {
                log_key: Some(key.clone()),
                ..Default::default()
            },
        )
        .unwrap()
    }

    /// Rewrites entry `from` with a new reason and every later entry's links, recomputing
    /// each SHA-256 hash, as someone who can write to the database but lacks the key could.
    fn rewrite_tail(&self, store: &dyn Store, from: u64, reason: &str) {
        self.drop_guards();
        let mut prev = String::new();
        for e in store.all_entries().unwrap() {
            if e.seq < from {
                prev = e.hash;
                continue;
            }
            assert!(
                e.decision.is_none(),
                "decided entries are not rewritten here"
            );
            let reason = if e.seq == from {
                reason
            } else {
                e.reason.as_str()
            };
            let hash = vires_store::entry_hash(
                &prev,
                e.seq as i64,
                e.recorded_at.as_microsecond(),
                &e.author,
                reason,
                &e.change_json,
            );
            self.sql(&format!(
                "UPDATE change_log SET reason = '{reason}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {}",
                e.seq
            ))
            .unwrap();
            prev = hash;
        }
    }

    /// Deletes the checkpoints from entry `from` on, dropping their guards first.
    fn delete_checkpoints_from(&self, from: u64) {
        match &self.kind {
            Kind::Sqlite(_) => self.sql("DROP TRIGGER IF EXISTS log_checkpoints_no_delete;"),
            Kind::Postgres { .. } => {
                self.sql("DROP TRIGGER IF EXISTS log_checkpoints_append_only ON log_checkpoints;")
            }
        }
        .unwrap();
        self.sql(&format!("DELETE FROM log_checkpoints WHERE seq >= {from}"))
            .unwrap();
    }

    /// Runs SQL straight on the database, as someone with access to it could.
    fn sql(&self, sql: &str) -> Result<(), String> {
        match &self.kind {
            Kind::Sqlite(dir) => {
                let conn = rusqlite::Connection::open(dir.path().join("register.db"))
                    .map_err(|e| e.to_string())?;
                conn.execute_batch(sql).map_err(|e| e.to_string())
            }
            Kind::Postgres { .. } => {
                let mut c = postgres::Client::connect(&self.url, postgres::NoTls)
                    .map_err(|e| e.to_string())?;
                c.batch_execute(sql).map_err(|e| {
                    e.as_db_error()
                        .map_or_else(|| e.to_string(), |d| d.message().to_string())
                })
            }
        }
    }

    /// Drops the append-only triggers, as a malicious administrator would before editing.
    fn drop_guards(&self) {
        match &self.kind {
            Kind::Sqlite(_) => self.sql(
                "DROP TRIGGER change_log_no_update; DROP TRIGGER change_log_no_delete; \
                          DROP TRIGGER change_log_append_at_head;",
            ),
            Kind::Postgres { .. } => self.sql(
                "DROP TRIGGER change_log_no_update ON change_log; \
                 DROP TRIGGER change_log_no_truncate ON change_log; \
                 DROP TRIGGER change_log_append_at_head ON change_log;",
            ),
        }
        .unwrap();
    }

    fn text(&self, sql: &str) -> String {
        match &self.kind {
            Kind::Sqlite(dir) => rusqlite::Connection::open(dir.path().join("register.db"))
                .unwrap()
                .query_row(sql, [], |r| r.get(0))
                .unwrap(),
            Kind::Postgres { .. } => postgres::Client::connect(&self.url, postgres::NoTls)
                .unwrap()
                .query_one(sql, &[])
                .unwrap()
                .get(0),
        }
    }

    fn count(&self, table: &str) -> i64 {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        match &self.kind {
            Kind::Sqlite(dir) => rusqlite::Connection::open(dir.path().join("register.db"))
                .unwrap()
                .query_row(&sql, [], |r| r.get(0))
                .unwrap(),
            Kind::Postgres { .. } => postgres::Client::connect(&self.url, postgres::NoTls)
                .unwrap()
                .query_one(sql.as_str(), &[])
                .unwrap()
                .get(0),
        }
    }
}

macro_rules! on_both_backends {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[test]
                fn $name() {
                    super::$name(&super::sqlite_db());
                }
            )*
        }
        mod pg {
            $(
                #[test]
                fn $name() {
                    if let Some(db) = super::pg_db(stringify!($name)) {
                        super::$name(&db);
                    }
                }
            )*
        }
    };
}

on_both_backends!(
    append_head_and_entries,
    stale_write_is_refused_and_nothing_written,
    corrections_keep_history_and_record_time_is_queryable,
    verify_detects_an_edited_entry,
    verify_detects_a_rehashed_edit_at_the_next_link,
    verify_detects_a_deleted_entry,
    verify_detects_swapped_entries,
    log_refuses_updates_and_deletes,
    log_refuses_replacing_an_entry,
    a_keyed_log_catches_a_tail_rewritten_with_recomputed_hashes,
    a_keyed_store_will_not_sign_a_head_it_cannot_vouch_for,
    an_old_log_is_keyed_from_its_head,
    migrations_are_idempotent_and_safe_concurrently,
    newer_schema_is_refused,
    eight_concurrent_writers_and_readers,
    kill_9_during_writes_loses_nothing_acknowledged,
    other_handles_see_new_revisions_within_a_second,
    users_tokens_and_sessions,
    sessions_end_with_their_token_and_their_user,
    oidc_users_are_bound_to_their_subject,
    unknown_token_ids_cost_the_same_as_wrong_secrets,
    batch_lands_whole_and_chains,
    stale_batch_writes_nothing,
    batch_failing_midway_writes_nothing,
    workflow_steps_are_chained_and_replay_as_no_ops,
    four_eyes_and_decisions_recorded_as_fields,
    approve_and_reject_at_once_one_wins,
    drafts_belong_to_their_owner,
    a_store_holding_nothing_is_rebound,
    a_store_holding_anything_is_not_rebound,
    a_handle_bound_before_a_rebind_cannot_write,
    a_keyed_store_is_rebound_only_with_its_key,
    verify_finds_a_rebind_after_a_change,
);

// ---------------------------------------------------------------------------------------
// Helpers

const BASE: &str = "sha256:test-base-register";

fn delegation(id: &str, from: Date, until: Option<Date>) -> Instrument {
    let mut i = Instrument::new(id, InstrumentKind::Delegation, from);
    i.title = format!("Delegation {id}").into();
    i.maker = Some("QWE".into());
    i.terms_mut().receivers = vires_core::Receivers::Bodies(vec!["02Q".into()]);
    i.functions = vec!["primary-care.medical".into()].into();
    i.until = until;
    i
}

fn add(author: &str, id: &str) -> ChangeRequest {
    ChangeRequest {
        author: author.into(),
        reason: format!("record {id}"),
        change: Change::AddInstrument {
            instrument: delegation(id, date(2020, 4, 1), None),
        },
    }
}

fn ts(s: &str) -> Timestamp {
    s.parse().unwrap()
}

/// Appends, retrying on stale writes as a client would after reloading.
fn append_retrying(store: &dyn Store, req: ChangeRequest) -> Entry {
    loop {
        let head = store.head().unwrap();
        match store.append(head, req.clone()) {
            Ok(e) => return e,
            Err(e) if e.is_stale() => continue,
            Err(e) => panic!("append failed: {e}"),
        }
    }
}

fn seeded(db: &TestDb, n: usize) -> Box<dyn Store> {
    let store = db.open();
    store.ensure_genesis(BASE, "tester").unwrap();
    for i in 0..n {
        append_retrying(store.as_ref(), add("tester", &format!("i{i}")));
    }
    store
}

/// Sequence numbers must run 1..=n and each entry must link to the one before.
fn assert_contiguous(entries: &[Entry]) {
    let mut prev_hash = GENESIS_PREV.to_string();
    for (i, e) in entries.iter().enumerate() {
        assert_eq!(e.seq, i as u64 + 1, "gap in the log at position {i}");
        assert_eq!(e.prev_hash, prev_hash, "entry {} does not link", e.seq);
        prev_hash = e.hash.clone();
    }
}

// ---------------------------------------------------------------------------------------
// The suite

fn append_head_and_entries(db: &TestDb) {
    let store = db.open();
    assert_eq!(store.head().unwrap(), Revision(0));
    assert!(matches!(
        store.append(Revision(0), add("alice", "a1")),
        Err(StoreError::NotInitialised)
    ));

    let genesis = store.ensure_genesis(BASE, "alice").unwrap();
    assert_eq!(genesis.seq, 1);
    assert_eq!(genesis.prev_hash, GENESIS_PREV);
    assert_eq!(genesis.change, Change::Genesis { base: BASE.into() });
    // Binding again to the same base is a no-op; to another base is refused.
    assert_eq!(store.ensure_genesis(BASE, "bob").unwrap(), genesis);
    match store.ensure_genesis("sha256:another", "bob") {
        Err(StoreError::BaseMismatch { stored, given }) => {
            assert_eq!(stored, BASE);
            assert_eq!(given, "sha256:another");
        }
        other => panic!("expected a base mismatch, got {other:?}"),
    }
    assert!(matches!(
        store.append(
            Revision(1),
            ChangeRequest {
                author: "mallory".into(),
                reason: "rebind".into(),
                change: Change::Genesis { base: "x".into() }
            }
        ),
        Err(StoreError::GenesisNotFirst)
    ));

    let e2 = store.append(Revision(1), add("alice", "a1")).unwrap();
    assert_eq!(e2.seq, 2);
    assert_eq!(e2.prev_hash, genesis.hash);
    assert_eq!(e2.author, "alice");
    assert_eq!(e2.reason, "record a1");
    let e3 = store.append(Revision(2), add("bob", "b1")).unwrap();
    assert_eq!(store.head().unwrap(), Revision(3));

    assert_eq!(store.entries(2, 2).unwrap(), vec![e2.clone()]);
    assert_eq!(store.entries(2, 99).unwrap(), vec![e2.clone(), e3.clone()]);
    assert!(store.entries(4, 10).unwrap().is_empty());

    // What was written is what is read back, through a new handle.
    drop(store);
    let again = db.open();
    let all = again.all_entries().unwrap();
    assert_eq!(all, vec![genesis, e2, e3]);
    assert_contiguous(&all);
    let report = again.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.entries, 3);
    assert_eq!(report.head_hash.as_deref(), Some(all[2].hash.as_str()));
}

fn stale_write_is_refused_and_nothing_written(db: &TestDb) {
    let a = seeded(db, 0);
    let b = db.open();
    let seen_by_a = a.head().unwrap();
    let seen_by_b = b.head().unwrap();
    assert_eq!(seen_by_a, seen_by_b);

    a.append(seen_by_a, add("alice", "a1")).unwrap();
    match b.append(seen_by_b, add("bob", "b1")) {
        Err(StoreError::Stale { expected, current }) => {
            assert_eq!(expected, Revision(1));
            assert_eq!(current, Revision(2));
        }
        other => panic!("expected a stale write, got {other:?}"),
    }
    // A revision from the future is stale too.
    assert!(b
        .append(Revision(9), add("bob", "b1"))
        .unwrap_err()
        .is_stale());
    assert_eq!(db.count("change_log"), 2);
    let entries = b.all_entries().unwrap();
    assert!(entries.iter().all(|e| e.author != "bob"));

    // After reloading, the same change goes in.
    let e = b.append(b.head().unwrap(), add("bob", "b1")).unwrap();
    assert_eq!(e.seq, 3);
    assert!(b.verify().unwrap().ok);
}

fn corrections_keep_history_and_record_time_is_queryable(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(ts("2021-01-04T09:00:00Z")));
    let store = db.open_with_clock(clock.clone());
    store.ensure_genesis(BASE, "alice").unwrap();

    // Day A: the delegation is recorded as open-ended from 1 April 2020.
    clock.set(ts("2021-03-01T10:00:00Z"));
    let original = delegation("del-1", date(2020, 4, 1), None);
    store
        .append(
            Revision(1),
            ChangeRequest {
                author: "alice".into(),
                reason: "board paper 2020/41".into(),
                change: Change::AddInstrument {
                    instrument: original.clone(),
                },
            },
        )
        .unwrap();

    // Day B: it turns out to have started on 1 July 2020 and ended on 31 March 2022.
    clock.set(ts("2021-06-15T16:30:00Z"));
    let corrected = delegation("del-1", date(2020, 7, 1), Some(date(2022, 3, 31)));
    let correction = store
        .append(
            Revision(2),
            ChangeRequest {
                author: "bob".into(),
                reason: "the signed agreement has different dates".into(),
                change: Change::CorrectInstrument {
                    id: "del-1".into(),
                    instrument: corrected.clone(),
                },
            },
        )
        .unwrap();
    assert_eq!(correction.recorded_at, ts("2021-06-15T16:30:00Z"));

    // A clock that runs backwards does not reorder record time.
    clock.set(ts("2021-06-01T00:00:00Z"));
    let later = store.append(Revision(3), add("carol", "other")).unwrap();
    assert_eq!(later.recorded_at, correction.recorded_at);

    let in_force = |reg: &Register, on: Date| -> Vec<String> {
        reg.instruments
            .iter()
            .filter(|i| Interval::new(i.from, i.until).contains(on))
            .map(|i| i.id.to_string())
            .collect()
    };

    // What did the register say on 1 May 2021 about 1 April 2020? That del-1 was in force.
    let then = store
        .entries_recorded_until(ts("2021-05-01T00:00:00Z"))
        .unwrap();
    assert_eq!(then.len(), 2);
    let as_then = replay(Register::new(), &then);
    assert!(as_then.issues.is_empty(), "{:?}", as_then.issues);
    assert_eq!(as_then.register.instruments, vec![original.clone()]);
    assert_eq!(in_force(&as_then.register, date(2020, 4, 1)), vec!["del-1"]);

    // And as recorded now: it was not in force on 1 April 2020, but was on 1 August.
    let all = store.all_entries().unwrap();
    let now = replay(Register::new(), &all);
    assert!(now.issues.is_empty(), "{:?}", now.issues);
    assert_eq!(
        in_force(&now.register, date(2020, 4, 1)),
        vec!["other".to_string()]
    );
    assert_eq!(
        in_force(&now.register, date(2020, 8, 1)),
        vec!["del-1".to_string(), "other".to_string()]
    );
    let del = now.register.instruments.iter().find(|i| i.id == "del-1");
    assert_eq!(del, Some(&corrected));

    // The same through the store-level helper the server and CLI use.
    let via_store = vires_store::register_at(
        store.as_ref(),
        Register::new(),
        Some(ts("2021-05-01T00:00:00Z")),
    )
    .unwrap();
    assert_eq!(via_store.register.instruments, vec![original.clone()]);
    let latest = vires_store::register_at(store.as_ref(), Register::new(), None).unwrap();
    assert_eq!(latest.register.instruments.len(), 2);

    // The same through the pure function over the whole log.
    let via_filter = as_recorded_at(Register::new(), &all, ts("2021-05-01T00:00:00Z"));
    assert_eq!(via_filter.register.instruments, vec![original.clone()]);

    // Before day A the register did not know of it at all.
    let before = store
        .entries_recorded_until(ts("2021-02-01T00:00:00Z"))
        .unwrap();
    assert!(replay(Register::new(), &before)
        .register
        .instruments
        .is_empty());

    // The log still holds both versions, with who and why.
    let versions: Vec<(&str, Option<Date>)> = all
        .iter()
        .filter_map(|e| match &e.change {
            Change::AddInstrument { instrument } | Change::CorrectInstrument { instrument, .. }
                if instrument.id == "del-1" =>
            {
                Some((e.author.as_str(), instrument.until))
            }
            _ => None,
        })
        .collect();
    assert_eq!(
        versions,
        vec![("alice", None), ("bob", Some(date(2022, 3, 31)))]
    );
    assert!(store.verify().unwrap().ok);
}

fn expect_first_bad(store: &dyn Store, seq: u64) -> String {
    let report = store.verify().unwrap();
    assert!(!report.ok, "tampering went unnoticed: {report:?}");
    let bad = report.first_bad.expect("a failed report names an entry");
    assert_eq!(bad.seq, seq, "wrong first bad entry: {bad:?}");
    bad.reason
}

fn verify_detects_an_edited_entry(db: &TestDb) {
    let store = seeded(db, 5);
    assert!(store.verify().unwrap().ok);
    db.drop_guards();
    db.sql("UPDATE change_log SET reason = 'nothing to see here' WHERE seq = 3")
        .unwrap();
    let reason = expect_first_bad(store.as_ref(), 3);
    assert!(reason.contains("hash"), "{reason}");

    // Editing the change itself, keeping valid JSON, is caught the same way.
    let db2_store = store;
    db.sql("UPDATE change_log SET reason = 'record i1' WHERE seq = 3")
        .unwrap();
    assert!(
        db2_store.verify().unwrap().ok,
        "restoring the text restores the chain"
    );
    db.sql("UPDATE change_log SET change_json = replace(change_json, '2020-04-01', '2019-04-01') WHERE seq = 4")
        .unwrap();
    expect_first_bad(db2_store.as_ref(), 4);
}

fn verify_detects_a_rehashed_edit_at_the_next_link(db: &TestDb) {
    let store = seeded(db, 5);
    let e3 = store.entries(3, 3).unwrap().remove(0);
    let forged_reason = "forged";
    let forged_hash = vires_store::entry_hash(
        &e3.prev_hash,
        3,
        e3.recorded_at.as_microsecond(),
        &e3.author,
        forged_reason,
        &e3.change_json,
    );
    db.drop_guards();
    db.sql(&format!(
        "UPDATE change_log SET reason = '{forged_reason}', hash = '{forged_hash}' WHERE seq = 3"
    ))
    .unwrap();
    let reason = expect_first_bad(store.as_ref(), 4);
    assert!(reason.contains("prev_hash"), "{reason}");
}

fn verify_detects_a_deleted_entry(db: &TestDb) {
    let store = seeded(db, 5);
    db.drop_guards();
    db.sql("DELETE FROM change_log WHERE seq = 4").unwrap();
    let reason = expect_first_bad(store.as_ref(), 4);
    assert!(reason.contains("missing"), "{reason}");
}

fn verify_detects_swapped_entries(db: &TestDb) {
    let store = seeded(db, 5);
    db.drop_guards();
    db.sql(
        "UPDATE change_log SET seq = -1 WHERE seq = 3; \
         UPDATE change_log SET seq = 3 WHERE seq = 5; \
         UPDATE change_log SET seq = 5 WHERE seq = -1;",
    )
    .unwrap();
    expect_first_bad(store.as_ref(), 3);
}

fn log_refuses_updates_and_deletes(db: &TestDb) {
    let store = seeded(db, 2);
    let err = db
        .sql("UPDATE change_log SET reason = 'x' WHERE seq = 2")
        .unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    let err = db.sql("DELETE FROM change_log WHERE seq = 3").unwrap_err();
    assert!(err.contains("append-only"), "{err}");
    assert!(store.verify().unwrap().ok);
    assert_eq!(db.count("change_log"), 3);
}

/// A replace deletes the row in its way without firing SQLite's delete trigger; an upsert is
/// an update in PostgreSQL. Either way the entry stays as it was.
fn log_refuses_replacing_an_entry(db: &TestDb) {
    let store = seeded(db, 2);
    let before = store.entries(2, 2).unwrap().remove(0);
    let copy_of = |seq: &str, hash: &str| {
        format!(
            "SELECT {seq}, recorded_at_us, author, 'rewritten', change_json, prev_hash, {hash} \
             FROM change_log WHERE seq = 2"
        )
    };
    let cols = "(seq, recorded_at_us, author, reason, change_json, prev_hash, hash)";
    let attempts = match db.kind {
        Kind::Sqlite(_) => vec![
            format!("INSERT OR REPLACE INTO change_log {cols} {}", copy_of("seq", "hash")),
            format!("REPLACE INTO change_log {cols} {}", copy_of("seq", "'f00'")),
            // A new seq aimed at entry 2's hash: the UNIQUE hash would delete entry 2.
            format!("INSERT OR REPLACE INTO change_log {cols} {}", copy_of("4", "hash")),
        ],
        Kind::Postgres { .. } => vec![
            format!(
                "INSERT INTO change_log {cols} {} ON CONFLICT (seq) DO UPDATE SET reason = 'rewritten'",
                copy_of("seq", "hash")
            ),
            format!("INSERT INTO change_log {cols} {}", copy_of("9", "'f00'")),
        ],
    };
    for sql in &attempts {
        let err = db.sql(sql).expect_err(sql);
        assert!(err.contains("append-only"), "{sql}: {err}");
    }
    assert_eq!(db.count("change_log"), 3);
    assert_eq!(store.entries(2, 2).unwrap().remove(0), before);
    assert!(store.verify().unwrap().ok);
    // A settled proposal cannot be replaced either (SQLite only: PostgreSQL has no REPLACE).
    if let Kind::Sqlite(_) = db.kind {
        let p = store
            .propose("ann", "why", Revision(3), &add("ann", "i9").change)
            .unwrap();
        let err = db
            .sql(&format!(
                "INSERT OR REPLACE INTO proposals (id, proposed_by, proposed_at_us, base_revision, reason, change_json, state) \
                 SELECT id, 'mallory', proposed_at_us, base_revision, reason, change_json, 'pending' FROM proposals WHERE id = {}",
                p.id
            ))
            .unwrap_err();
        assert!(err.contains("proposals are kept"), "{err}");
        assert_eq!(store.proposal(p.id).unwrap().unwrap().proposed_by, "ann");
    }
}

fn keyed_seeded(db: &TestDb, key: &LogKey, n: usize) -> Box<dyn Store> {
    let store = db.open_keyed(key);
    store.ensure_genesis(BASE, "tester").unwrap();
    for i in 0..n {
        append_retrying(store.as_ref(), add("tester", &format!("i{i}")));
    }
    store
}

fn a_keyed_log_catches_a_tail_rewritten_with_recomputed_hashes(db: &TestDb) {
    let key = LogKey::generate().unwrap();
    let store = keyed_seeded(db, &key, 5);
    let report = store.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(
        report.keying,
        Keying::Keyed {
            key_id: key.id().to_string(),
            from_seq: 1,
            checkpoints: 6
        }
    );
    db.rewrite_tail(store.as_ref(), 3, "nothing to see");
    // Without the key the rewrite passes: every hash and link was recomputed.
    let plain = db.open().verify().unwrap();
    assert!(plain.ok, "{plain:?}");
    assert!(
        matches!(plain.keying, Keying::Unchecked { from_seq: 1, .. }),
        "{plain:?}"
    );
    // With it, entry 3's checkpoint no longer matches.
    let reason = expect_first_bad(store.as_ref(), 3);
    assert!(
        reason.contains("rewritten after the checkpoint"),
        "{reason}"
    );
    // Deleting the checkpoints of the rewritten entries leaves them vouched for by none.
    db.delete_checkpoints_from(3);
    let reason = expect_first_bad(store.as_ref(), 3);
    assert!(
        reason.contains("entries 3 to 6 are not vouched for"),
        "{reason}"
    );
    // And deleting every checkpoint leaves a log the key never signed.
    db.delete_checkpoints_from(1);
    let reason = expect_first_bad(store.as_ref(), 1);
    assert!(
        reason.contains("no checkpoint signed with the key"),
        "{reason}"
    );
    // Another key vouches for nothing here.
    let other = db.open_keyed(&LogKey::generate().unwrap());
    assert!(!other.verify().unwrap().ok);
}

fn a_keyed_store_will_not_sign_a_head_it_cannot_vouch_for(db: &TestDb) {
    let key = LogKey::generate().unwrap();
    let store = keyed_seeded(db, &key, 3);
    // Without the key nothing is added to a keyed log.
    match db.open().append(Revision(4), add("mallory", "x")) {
        Err(StoreError::LogKeyNeeded { key_id }) => assert_eq!(key_id, key.id()),
        other => panic!("a keyless write on a keyed log: {other:?}"),
    }
    db.rewrite_tail(store.as_ref(), 4, "forged");
    let before = db.count("change_log");
    match store.append(Revision(4), add("tester", "y")) {
        Err(StoreError::LogHeadUnvouched { seq: 4, why }) => {
            assert!(why.contains("rewritten after the checkpoint"), "{why}")
        }
        other => panic!("the key signed a rewritten head: {other:?}"),
    }
    assert_eq!(db.count("change_log"), before);
}

fn an_old_log_is_keyed_from_its_head(db: &TestDb) {
    let old = seeded(db, 3);
    assert_eq!(old.verify().unwrap().keying, Keying::Unkeyed);
    let key = LogKey::generate().unwrap();
    let keyed = db.open_keyed(&key);
    // A keyed writer will not sign an unkeyed head by itself: keying is a decision.
    match keyed.append(Revision(4), add("tester", "x")) {
        Err(StoreError::LogNotKeyed { head: 4 }) => {}
        other => panic!("{other:?}"),
    }
    let reason = expect_first_bad(keyed.as_ref(), 1);
    assert!(reason.contains("never keyed"), "{reason}");
    assert!(matches!(old.start_keying(), Err(StoreError::LogKey(_))));
    assert_eq!(keyed.start_keying().unwrap(), 4);
    assert!(matches!(
        keyed.start_keying(),
        Err(StoreError::LogAlreadyKeyed { from_seq: 4 })
    ));
    append_retrying(keyed.as_ref(), add("tester", "x"));
    let report = keyed.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(
        report.keying,
        Keying::Keyed {
            key_id: key.id().to_string(),
            from_seq: 4,
            checkpoints: 2
        }
    );
    // A broken log is not keyed.
    let db2 = match db.kind {
        Kind::Sqlite(_) => sqlite_db(),
        Kind::Postgres { .. } => pg_db("an_old_log_is_keyed_2").unwrap(),
    };
    let s2 = seeded(&db2, 3);
    db2.drop_guards();
    db2.sql("UPDATE change_log SET reason = 'x' WHERE seq = 2")
        .unwrap();
    drop(s2);
    assert!(matches!(
        db2.open_keyed(&key).start_keying(),
        Err(StoreError::Corrupt { seq: 2, .. })
    ));
}

fn migrations_are_idempotent_and_safe_concurrently(db: &TestDb) {
    // Four processes' worth of handles open a brand-new database at the same moment.
    let url = db.url.clone();
    let handles: Vec<_> = (0..4)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || vires_store::open(&url).map(|_| ()))
        })
        .collect();
    for h in handles {
        h.join().unwrap().unwrap();
    }
    assert_eq!(
        db.count("schema_migrations"),
        vires_store::known_schema_version()
    );

    let store = seeded(db, 1);
    drop(store);
    for _ in 0..3 {
        let again = db.open();
        assert_eq!(again.head().unwrap(), Revision(2));
    }
    assert_eq!(
        db.count("schema_migrations"),
        vires_store::known_schema_version()
    );
}

fn newer_schema_is_refused(db: &TestDb) {
    drop(db.open());
    db.sql("INSERT INTO schema_migrations (version, name, applied_at_us) VALUES (999, 'from the future', 0)")
        .unwrap();
    match vires_store::open(&db.url) {
        Err(StoreError::SchemaTooNew { found, known }) => {
            assert_eq!(found, 999);
            assert_eq!(known, vires_store::known_schema_version());
        }
        Err(e) => panic!("expected SchemaTooNew, got {e}"),
        Ok(_) => panic!("a newer schema was accepted"),
    }
}

fn stress_duration() -> Duration {
    let secs = std::env::var("VIRES_STRESS_SECS")
        .ok()
        .and_then(|s| s.parse::<f64>().ok())
        .unwrap_or(5.0);
    Duration::from_secs_f64(secs)
}

fn eight_concurrent_writers_and_readers(db: &TestDb) {
    drop(seeded(db, 0));
    let acked: Arc<Mutex<BTreeMap<u64, String>>> = Arc::default();
    let stop = Arc::new(AtomicBool::new(false));
    let reads = Arc::new(std::sync::atomic::AtomicU64::new(0));
    let mut threads = Vec::new();
    for t in 0..8 {
        let (url, acked, stop, reads) =
            (db.url.clone(), acked.clone(), stop.clone(), reads.clone());
        threads.push(std::thread::spawn(move || {
            // Each thread has its own handle: its own connection, as separate server
            // instances or processes would.
            let store = vires_store::open(&url).unwrap();
            let mut n = 0;
            while !stop.load(Ordering::Relaxed) {
                let id = format!("w{t}-{n}");
                n += 1;
                let entry = append_retrying(store.as_ref(), add(&format!("writer-{t}"), &id));
                acked.lock().unwrap().insert(entry.seq, id);
                // Read between writes: never a gap, never an unlinked entry.
                let head = store.head().unwrap();
                let all = store.all_entries().unwrap();
                assert!(
                    all.len() as u64 >= head.0,
                    "a reader saw fewer entries than the head"
                );
                assert_contiguous(&all);
                reads.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    // Two readers that only read, as the server's query path does.
    for _ in 0..2 {
        let (url, stop, reads) = (db.url.clone(), stop.clone(), reads.clone());
        threads.push(std::thread::spawn(move || {
            let store = vires_store::open(&url).unwrap();
            while !stop.load(Ordering::Relaxed) {
                let all = store.all_entries().unwrap();
                assert_contiguous(&all);
                reads.fetch_add(1, Ordering::Relaxed);
            }
        }));
    }
    std::thread::sleep(stress_duration());
    stop.store(true, Ordering::Relaxed);
    for t in threads {
        t.join().expect("a writer or reader failed");
    }

    let acked = acked.lock().unwrap();
    assert!(
        acked.len() >= 8,
        "too few writes to mean anything: {}",
        acked.len()
    );
    let store = db.open();
    let all = store.all_entries().unwrap();
    assert_contiguous(&all);
    // Every acknowledged change is there, with the content that was acknowledged, and
    // nothing is there that was not acknowledged.
    assert_eq!(all.len(), acked.len() + 1);
    for (seq, id) in acked.iter() {
        match &all[*seq as usize - 1].change {
            Change::AddInstrument { instrument } => assert_eq!(&instrument.id, id),
            other => panic!("entry {seq} is {other:?}, expected {id}"),
        }
    }
    let report = store.verify().unwrap();
    assert!(report.ok, "{report:?}");
    eprintln!(
        "concurrency: {} acknowledged writes, {} reads in {:?}",
        acked.len(),
        reads.load(Ordering::Relaxed),
        stress_duration()
    );
}

fn kill_9_during_writes_loses_nothing_acknowledged(db: &TestDb) {
    drop(seeded(db, 0));
    let acked: Arc<Mutex<Vec<(u64, String)>>> = Arc::default();
    let mut children = Vec::new();
    let mut readers = Vec::new();
    for w in 0..2 {
        let mut child = Command::new(env!("CARGO_BIN_EXE_vires-store-crash-writer"))
            .arg(&db.url)
            .arg(format!("crash{w}"))
            .arg(BASE)
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let acked = acked.clone();
        readers.push(std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines() {
                let line = line.unwrap();
                let (seq, id) = line.split_once(' ').unwrap();
                acked
                    .lock()
                    .unwrap()
                    .push((seq.parse().unwrap(), id.to_string()));
            }
        }));
        children.push(child);
    }
    // Let both writers get going, then kill them in the middle of whatever they are doing.
    let deadline = Instant::now() + Duration::from_secs(30);
    while acked.lock().unwrap().len() < 40 && Instant::now() < deadline {
        for child in &mut children {
            if let Some(status) = child.try_wait().unwrap() {
                panic!("a crash writer stopped by itself ({status}) before it was killed");
            }
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    for child in &mut children {
        child.kill().unwrap(); // SIGKILL on Unix
    }
    for mut child in children {
        let status = child.wait().unwrap();
        assert!(!status.success(), "the writer should have been killed");
    }
    for r in readers {
        r.join().unwrap();
    }
    let acked = acked.lock().unwrap().clone();
    assert!(
        acked.len() >= 40,
        "the writers acknowledged only {} changes",
        acked.len()
    );

    let store = db.open();
    let all = store.all_entries().unwrap();
    assert_contiguous(&all);
    for (seq, id) in &acked {
        let entry = all
            .get(*seq as usize - 1)
            .unwrap_or_else(|| panic!("acknowledged entry {seq} ({id}) is missing"));
        match &entry.change {
            Change::AddInstrument { instrument } => assert_eq!(&instrument.id, id),
            other => panic!("entry {seq} is {other:?}, expected {id}"),
        }
    }
    let report = store.verify().unwrap();
    assert!(report.ok, "{report:?}");
    // The store is writable after the crash.
    append_retrying(store.as_ref(), add("after", "after-crash"));
    assert!(store.verify().unwrap().ok);
    eprintln!(
        "crash: {} acknowledged before kill -9, {} entries after restart",
        acked.len(),
        all.len()
    );
}

fn other_handles_see_new_revisions_within_a_second(db: &TestDb) {
    let writer = seeded(db, 0);
    let watcher = db.open();
    let sub = watcher.subscribe().unwrap();
    let own = writer.subscribe().unwrap();
    for round in 0..3 {
        let start = Instant::now();
        let e = writer
            .append(writer.head().unwrap(), add("alice", &format!("n{round}")))
            .unwrap();
        let seen = sub.wait_for(e.revision(), Duration::from_secs(1));
        assert_eq!(
            seen,
            Some(e.revision()),
            "the other handle did not see revision {} within a second",
            e.seq
        );
        eprintln!("round {round}: seen after {:?}", start.elapsed());
        // The writing handle's own subscribers hear at once.
        assert_eq!(
            own.recv_timeout(Duration::from_millis(100)),
            Some(e.revision())
        );
    }
    // Nothing more is announced when nothing more is written.
    assert_eq!(sub.recv_timeout(Duration::from_millis(1500)), None);
}

fn users_tokens_and_sessions(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(ts("2024-05-01T12:00:00Z")));
    let store = db.open_with_clock(clock.clone());
    let alice = store.create_user("alice", Role::Editor).unwrap();
    assert_eq!(alice.role, Role::Editor);
    assert!(matches!(
        store.create_user("alice", Role::Admin),
        Err(StoreError::UserExists(_))
    ));
    store.create_user("bob", Role::Viewer).unwrap();
    assert_eq!(
        store.set_role("bob", Role::Approver).unwrap().role,
        Role::Approver
    );
    assert!(matches!(
        store.set_role("nobody", Role::Admin),
        Err(StoreError::UnknownUser(_))
    ));
    let names: Vec<String> = store.users().unwrap().into_iter().map(|u| u.name).collect();
    assert_eq!(names, vec!["alice", "bob"]);

    // Tokens: the secret works once issued, a wrong secret or a revoked token does not,
    // and the database holds only an argon2 hash.
    let token = store.create_token("alice", "ci").unwrap();
    assert!(token.token.starts_with("vires_"));
    assert_eq!(
        store
            .authenticate_token(&token.token)
            .unwrap()
            .map(|u| u.name),
        Some("alice".to_string())
    );
    let mut wrong = token.token.clone();
    wrong.push('0');
    assert_eq!(store.authenticate_token(&wrong).unwrap(), None);
    assert_eq!(store.authenticate_token("garbage").unwrap(), None);
    assert!(matches!(
        store.create_token("nobody", "x"),
        Err(StoreError::UnknownUser(_))
    ));
    let secret = token.token.split_once('.').unwrap().1;
    let stored = db.text(&format!(
        "SELECT token_hash FROM api_tokens WHERE id = '{}'",
        token.info.id
    ));
    assert!(stored.starts_with("$argon2"), "{stored}");
    assert!(
        !stored.contains(secret),
        "the token secret is stored in clear"
    );
    store.revoke_token(&token.info.id).unwrap();
    assert_eq!(store.authenticate_token(&token.token).unwrap(), None);
    let listed = store.tokens(Some("alice")).unwrap();
    assert_eq!(listed.len(), 1);
    assert!(listed[0].revoked_at.is_some());
    assert!(matches!(
        store.revoke_token("nope"),
        Err(StoreError::UnknownToken(_))
    ));

    // Sessions expire by the store's clock.
    let s = store
        .create_session("bob", SignedDuration::from_hours(8), &SessionOrigin::Oidc)
        .unwrap();
    let live = store.session(&s.id).unwrap().expect("a live session");
    assert_eq!(live.user.name, "bob");
    assert_eq!(live.user.role, Role::Approver);
    assert_eq!(live.csrf, s.session.csrf);
    assert_eq!(store.session("not-a-session").unwrap(), None);
    let other = store
        .create_session(
            "alice",
            SignedDuration::from_hours(24),
            &SessionOrigin::Oidc,
        )
        .unwrap();
    clock.set(ts("2024-05-01T21:00:00Z"));
    assert_eq!(store.session(&s.id).unwrap(), None);
    assert!(store.session(&other.id).unwrap().is_some());
    assert_eq!(store.purge_expired_sessions().unwrap(), 1);
    store.delete_session(&other.id).unwrap();
    assert_eq!(store.session(&other.id).unwrap(), None);
    assert_eq!(db.count("sessions"), 0);
}

/// Issue 24: revoking a token ended nothing (its sessions kept working), and users could
/// not be disabled, nor sessions listed or ended.
fn sessions_end_with_their_token_and_their_user(db: &TestDb) {
    let clock = Arc::new(ManualClock::new(ts("2024-05-01T12:00:00Z")));
    let store = db.open_with_clock(clock.clone());
    store.create_user("carol", Role::Editor).unwrap();
    store.create_user("dan", Role::Viewer).unwrap();
    let laptop = store.create_token("carol", "laptop").unwrap();
    let phone = store.create_token("carol", "phone").unwrap();
    let dans = store.create_token("dan", "desk").unwrap();
    let hours = SignedDuration::from_hours(8);
    let bound = |t: &vires_store::NewToken| SessionOrigin::Token {
        token_id: t.info.id.clone(),
    };
    let by_laptop = store
        .create_session("carol", hours, &bound(&laptop))
        .unwrap();
    let by_phone = store
        .create_session("carol", hours, &bound(&phone))
        .unwrap();
    let dan = store.create_session("dan", hours, &bound(&dans)).unwrap();
    assert_ne!(by_laptop.session.handle, by_phone.session.handle);

    // Listed for the owner (newest first) and for an admin, without secrets.
    clock.set(ts("2024-05-01T12:00:01Z"));
    let mine = store.sessions(Some("carol")).unwrap();
    assert_eq!(mine.len(), 2);
    assert!(mine.iter().all(|s| s.user == "carol"));
    assert_eq!(
        mine.iter()
            .find(|s| s.handle == by_laptop.session.handle)
            .unwrap()
            .origin,
        bound(&laptop)
    );
    assert_eq!(store.sessions(None).unwrap().len(), 3);

    // Revoking the laptop token ends the session it opened, and only that one.
    store.revoke_token(&laptop.info.id).unwrap();
    assert_eq!(store.session(&by_laptop.id).unwrap(), None);
    assert!(store.session(&by_phone.id).unwrap().is_some());
    assert_eq!(store.sessions(Some("carol")).unwrap().len(), 1);

    // A session is ended by its handle only by its owner, or by anyone when no owner is named.
    assert!(!store
        .end_session(&dan.session.handle, Some("carol"))
        .unwrap());
    assert!(store.session(&dan.id).unwrap().is_some());
    assert!(store.end_session(&dan.session.handle, Some("dan")).unwrap());
    assert_eq!(store.session(&dan.id).unwrap(), None);
    assert!(!store.end_session(&dan.session.handle, None).unwrap());

    // Disabling a user ends their sessions and refuses their tokens and new sessions;
    // enabling them lets the tokens work again, but ended sessions stay ended.
    let off = store.set_disabled("carol", true).unwrap();
    let when = off.disabled_at.expect("disabled");
    assert_eq!(store.session(&by_phone.id).unwrap(), None);
    assert_eq!(store.sessions(Some("carol")).unwrap().len(), 0);
    assert_eq!(store.authenticate_token(&phone.token).unwrap(), None);
    assert!(matches!(
        store.create_session("carol", hours, &bound(&phone)),
        Err(StoreError::UnknownUser(_))
    ));
    clock.set(ts("2024-05-01T13:00:00Z"));
    assert_eq!(
        store.set_disabled("carol", true).unwrap().disabled_at,
        Some(when),
        "disabling again keeps the first moment"
    );
    let on = store.set_disabled("carol", false).unwrap();
    assert_eq!(on.disabled_at, None);
    assert_eq!(
        store
            .authenticate_token(&phone.token)
            .unwrap()
            .map(|u| u.name),
        Some("carol".to_string())
    );
    assert_eq!(store.session(&by_phone.id).unwrap(), None);
    assert!(matches!(
        store.set_disabled("nobody", true),
        Err(StoreError::UnknownUser(_))
    ));

    // A session the store would refuse is refused even if its row was not deleted (another
    // process revoking between the checks): the lookup itself checks token and user.
    let again = store
        .create_session("carol", hours, &bound(&phone))
        .unwrap();
    db.sql(&format!(
        "UPDATE api_tokens SET revoked_at_us = 1 WHERE id = '{}'",
        phone.info.id
    ))
    .unwrap();
    assert_eq!(store.session(&again.id).unwrap(), None);
}

/// OpenID Connect users: found by subject, bound on first sign-in, role from the claims.
fn oidc_users_are_bound_to_their_subject(db: &TestDb) {
    let store = db.open_with_clock(Arc::new(ManualClock::new(ts("2024-05-01T12:00:00Z"))));
    let subject = "https://idp.example/ 1234";
    let u = store
        .oidc_user(subject, "erin@example.nhs.uk", Role::Editor)
        .unwrap();
    assert_eq!(
        (u.name.as_str(), u.role),
        ("erin@example.nhs.uk", Role::Editor)
    );
    // The same subject under a new display name is the same user; the role follows the claims.
    let again = store
        .oidc_user(subject, "erin.new@example.nhs.uk", Role::Approver)
        .unwrap();
    assert_eq!(again.name, "erin@example.nhs.uk");
    assert_eq!(again.role, Role::Approver);
    // Another subject cannot take a name bound to someone else.
    assert!(matches!(
        store.oidc_user(
            "https://idp.example/ 999",
            "erin@example.nhs.uk",
            Role::Admin
        ),
        Err(StoreError::UserExists(_))
    ));
    // A user an admin made (for a script's token) is bound on their first sign-in.
    store
        .create_user("frank@example.nhs.uk", Role::Viewer)
        .unwrap();
    let f = store
        .oidc_user(
            "https://idp.example/ 77",
            "frank@example.nhs.uk",
            Role::Editor,
        )
        .unwrap();
    assert_eq!(
        (f.name.as_str(), f.role),
        ("frank@example.nhs.uk", Role::Editor)
    );
    store.set_disabled("frank@example.nhs.uk", true).unwrap();
    let off = store
        .oidc_user(
            "https://idp.example/ 77",
            "frank@example.nhs.uk",
            Role::Editor,
        )
        .unwrap();
    assert!(off.disabled_at.is_some());
    assert!(matches!(
        store.create_session(
            "frank@example.nhs.uk",
            SignedDuration::from_hours(1),
            &SessionOrigin::Oidc
        ),
        Err(StoreError::UnknownUser(_))
    ));
}

/// Issue 24: a wrong secret for a known token id took 55-85 ms (argon2) and an unknown id
/// 1 ms, which told an attacker which ids exist. Every kind of wrong token now costs one
/// argon2 verification. The work is measured as this thread's CPU time (Linux's schedstat;
/// wall time elsewhere), so other tests running at once do not blur it; the best of three
/// of each kind is compared, and an unknown id must cost at least half a known one's.
fn unknown_token_ids_cost_the_same_as_wrong_secrets(db: &TestDb) {
    let store = db.open_with_clock(Arc::new(ManualClock::new(ts("2024-05-01T12:00:00Z"))));
    store.create_user("gail", Role::Viewer).unwrap();
    let t = store.create_token("gail", "x").unwrap();
    let revoked = store.create_token("gail", "y").unwrap();
    store.revoke_token(&revoked.info.id).unwrap();
    let (id, _) = t.token.split_once('.').unwrap();
    let wrong_secret = format!("{id}.{}", "0".repeat(64));
    let unknown_id = format!("vires_0123456789abcdef.{}", "0".repeat(64));
    let time = |token: &str| {
        let mut best = Duration::MAX;
        for _ in 0..3 {
            let started = thread_work();
            assert_eq!(store.authenticate_token(token).unwrap(), None);
            best = best.min(thread_work().saturating_sub(started));
        }
        best
    };
    let known = time(&wrong_secret);
    for (what, token) in [
        ("an unknown id", unknown_id.as_str()),
        ("a revoked token", revoked.token.as_str()),
        ("a malformed token", "garbage"),
    ] {
        let took = time(token);
        eprintln!("token check work: {what} {took:?}, a known id with a wrong secret {known:?}");
        assert!(
            took * 2 >= known,
            "{what} took {took:?}, a wrong secret for a known id {known:?}"
        );
    }
}

/// Time this thread has spent on a CPU (Linux), or time since the first call elsewhere.
fn thread_work() -> Duration {
    #[cfg(target_os = "linux")]
    if let Some(ns) = std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<u64>().ok())
    {
        return Duration::from_nanos(ns);
    }
    static START: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
    START.get_or_init(Instant::now).elapsed()
}

// ---------------------------------------------------------------------------------------
// Atomic batches and workflow steps

fn step(subject: &str, step: &str) -> ChangeRequest {
    ChangeRequest {
        author: "board".into(),
        reason: format!("{step} {subject}"),
        change: Change::WorkflowStep {
            workflow: "round".into(),
            id: "cocom-2014".into(),
            subject: subject.into(),
            step: step.into(),
            on: date(2014, 11, 4),
            actor: "NHS England board".into(),
            detail: Some("meets the criteria".into()),
        },
    }
}

fn batch_lands_whole_and_chains(db: &TestDb) {
    let store = seeded(db, 1);
    let head = store.head().unwrap();
    let batch = vec![
        step("app-1", "submit"),
        add("board", "issued-1"),
        step("app-1", "approve"),
    ];
    let written = store.append_batch(head, batch).unwrap();
    assert_eq!(
        written.iter().map(|e| e.seq).collect::<Vec<_>>(),
        vec![3, 4, 5]
    );
    assert_eq!(store.head().unwrap(), Revision(5));
    let all = store.all_entries().unwrap();
    assert_eq!(all.len(), 5);
    assert_contiguous(&all);
    assert_eq!(&all[2..], &written[..]);
    assert!(all.windows(2).all(|w| w[0].recorded_at <= w[1].recorded_at));
    let report = store.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.entries, 5);

    // An empty batch writes nothing, but is still checked against the revision.
    assert!(store.append_batch(Revision(5), vec![]).unwrap().is_empty());
    assert!(store
        .append_batch(Revision(4), vec![])
        .unwrap_err()
        .is_stale());
    // A genesis inside a batch is refused before anything is written.
    let genesis = ChangeRequest {
        author: "x".into(),
        reason: "x".into(),
        change: Change::Genesis { base: BASE.into() },
    };
    assert!(matches!(
        store.append_batch(Revision(5), vec![step("a", "submit"), genesis]),
        Err(StoreError::GenesisNotFirst)
    ));
    assert_eq!(db.count("change_log"), 5);
}

fn stale_batch_writes_nothing(db: &TestDb) {
    let a = seeded(db, 0);
    let b = db.open();
    let base = b.head().unwrap();
    a.append(base, add("alice", "a1")).unwrap();
    let before = a.all_entries().unwrap();
    match b.append_batch(base, vec![step("x", "submit"), add("bob", "b1")]) {
        Err(StoreError::Stale { expected, current }) => {
            assert_eq!(expected, base);
            assert_eq!(current, Revision(2));
        }
        other => panic!("expected a stale batch, got {other:?}"),
    }
    assert_eq!(b.all_entries().unwrap(), before);
    assert!(b.verify().unwrap().ok);
}

fn batch_failing_midway_writes_nothing(db: &TestDb) {
    let store = seeded(db, 1);
    // A database rule refuses one entry in the middle of the batch, as a full disk or a
    // lost connection would: the entries before it must not survive.
    match &db.kind {
        Kind::Sqlite(_) => db.sql(
            "CREATE TRIGGER refuse_boom BEFORE INSERT ON change_log WHEN NEW.reason = 'boom' \
             BEGIN SELECT RAISE(ABORT, 'boom refused'); END;",
        ),
        Kind::Postgres { .. } => db.sql(
            "CREATE FUNCTION refuse_boom() RETURNS trigger LANGUAGE plpgsql AS $$ \
             BEGIN IF NEW.reason = 'boom' THEN RAISE EXCEPTION 'boom refused'; END IF; \
             RETURN NEW; END $$; \
             CREATE TRIGGER refuse_boom BEFORE INSERT ON change_log \
             FOR EACH ROW EXECUTE FUNCTION refuse_boom();",
        ),
    }
    .unwrap();
    let before = store.all_entries().unwrap();
    let head = store.head().unwrap();
    let mut boom = step("app-1", "approve");
    boom.reason = "boom".into();
    let err = store
        .append_batch(
            head,
            vec![step("app-1", "submit"), add("board", "issued-1"), boom],
        )
        .unwrap_err();
    assert!(err.to_string().contains("boom refused"), "{err}");
    assert_eq!(store.head().unwrap(), head);
    assert_eq!(store.all_entries().unwrap(), before);
    assert_eq!(db.count("change_log"), before.len() as i64);
    assert!(store.verify().unwrap().ok);
    // The handle is still usable, and the same revision still accepts a good batch.
    let ok = store
        .append_batch(
            head,
            vec![step("app-1", "submit"), add("board", "issued-1")],
        )
        .unwrap();
    assert_eq!(ok.len(), 2);
    assert!(store.verify().unwrap().ok);
}

fn workflow_steps_are_chained_and_replay_as_no_ops(db: &TestDb) {
    let store = seeded(db, 0);
    store
        .append_batch(
            store.head().unwrap(),
            vec![
                step("app-1", "submit"),
                add("board", "d1"),
                step("app-1", "approve"),
            ],
        )
        .unwrap();
    let entries = store.all_entries().unwrap();
    let steps: Vec<&Entry> = entries
        .iter()
        .filter(|e| e.change.op() == "workflow-step")
        .collect();
    assert_eq!(steps.len(), 2);
    // The step's JSON is stable and canonical, and round-trips.
    assert!(
        steps[0].change_json.starts_with(r#"{"actor":"NHS England board","detail":"meets the criteria","id":"cocom-2014","on":"2014-11-04","op":"workflow-step","#),
        "{}",
        steps[0].change_json
    );
    assert_eq!(steps[1].change, step("app-1", "approve").change);
    let r = replay(Register::new(), &entries);
    assert!(r.issues.is_empty(), "{:?}", r.issues);
    assert_eq!(r.register.instruments.len(), 1);
    // Editing a step is caught like editing any entry.
    db.drop_guards();
    db.sql(
        "UPDATE change_log SET change_json = REPLACE(change_json, 'meets', 'fails') WHERE seq = 2",
    )
    .unwrap();
    let report = store.verify().unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad.unwrap().seq, 2);
}

// ---------------------------------------------------------------------------------------
// Proposals: four eyes and atomic settlement

fn settle(outcome: Outcome, by: &str, reason: &str) -> Settle {
    Settle {
        outcome,
        by: by.into(),
        reason: reason.into(),
        on: date(2026, 12, 7),
        expected: None,
        proposer_may_reject: true,
    }
}

fn four_eyes_and_decisions_recorded_as_fields(db: &TestDb) {
    let store = seeded(db, 1);
    let change = add("ed", "p1").change;
    let p = store
        .propose(
            "ed",
            "the board agreed it on 3 December",
            store.head().unwrap(),
            &change,
        )
        .unwrap();
    assert_eq!(p.status, PendingChangeStatus::Pending);
    assert_eq!(store.proposal(p.id).unwrap().unwrap(), p);
    let before = store.all_entries().unwrap().len();

    // The proposer cannot approve, whatever their role; with the stricter setting they
    // cannot reject either. Nothing is written and the proposal stays pending.
    match store.settle_proposal(p.id, &settle(Outcome::Approved, "ed", "looks right")) {
        Err(StoreError::OwnProposal { id, user, action }) => {
            assert_eq!((id, user.as_str(), action), (p.id, "ed", "approve"))
        }
        other => panic!("the proposer approved their own proposal: {other:?}"),
    }
    let strict = Settle {
        proposer_may_reject: false,
        ..settle(Outcome::Rejected, "ed", "withdrawn")
    };
    assert!(matches!(
        store.settle_proposal(p.id, &strict),
        Err(StoreError::OwnProposal {
            action: "reject",
            ..
        })
    ));
    assert!(matches!(
        store.settle_proposal(p.id, &settle(Outcome::Approved, "bea", "  ")),
        Err(StoreError::NoReason)
    ));
    assert!(matches!(
        store.settle_proposal(999, &settle(Outcome::Approved, "bea", "ok")),
        Err(StoreError::UnknownProposal(999))
    ));
    // An approval against a register that has moved on is stale and writes nothing.
    let stale = Settle {
        expected: Some(Revision(1)),
        ..settle(Outcome::Approved, "bea", "ok")
    };
    assert!(matches!(
        store.settle_proposal(p.id, &stale),
        Err(StoreError::Stale { .. })
    ));
    assert_eq!(store.all_entries().unwrap().len(), before);
    assert_eq!(
        store.proposal(p.id).unwrap().unwrap().status,
        PendingChangeStatus::Pending
    );

    // A second person approves: the change is published by its proposer, and the
    // approver and their reason are fields of the entry, covered by its hash.
    let head = store.head().unwrap();
    let approved = store
        .settle_proposal(
            p.id,
            &Settle {
                expected: Some(head),
                ..settle(Outcome::Approved, "bea", "matches the signed agreement")
            },
        )
        .unwrap();
    let entry = &approved.entries[0];
    assert_eq!(approved.entries.len(), 1);
    assert_eq!(entry.seq, head.0 + 1);
    assert_eq!(entry.author, "ed");
    assert_eq!(entry.reason, "the board agreed it on 3 December");
    assert_eq!(entry.change, change);
    let d = entry.decision.clone().unwrap();
    assert_eq!(
        (d.proposal, d.outcome, d.by.as_str(), d.reason.as_str()),
        (
            p.id,
            Outcome::Approved,
            "bea",
            "matches the signed agreement"
        )
    );
    match &approved.proposal.status {
        PendingChangeStatus::Published {
            by,
            revision,
            reason,
            ..
        } => {
            assert_eq!(
                (by.as_str(), *revision, reason.as_str()),
                ("bea", entry.seq, "matches the signed agreement")
            )
        }
        other => panic!("not published: {other:?}"),
    }
    // Read back from the database, the entry is the same.
    assert_eq!(store.entries(entry.seq, entry.seq).unwrap()[0], *entry);
    assert!(store.verify().unwrap().ok);
    // Settled once: neither a second approval nor a rejection changes anything.
    assert!(matches!(
        store.settle_proposal(p.id, &settle(Outcome::Rejected, "cai", "no")),
        Err(StoreError::ProposalSettled { .. })
    ));

    // A rejection is recorded too, as a workflow step that changes nothing.
    let q = store
        .propose(
            "ed",
            "second thoughts",
            store.head().unwrap(),
            &add("ed", "p2").change,
        )
        .unwrap();
    let rejected = store
        .settle_proposal(q.id, &settle(Outcome::Rejected, "bea", "the date is wrong"))
        .unwrap();
    let r = &rejected.entries[0];
    assert_eq!(r.author, "ed");
    assert_eq!(r.change.op(), "workflow-step");
    assert_eq!(r.decision.as_ref().unwrap().outcome, Outcome::Rejected);
    assert_eq!(r.decision.as_ref().unwrap().by, "bea");
    let replayed = replay(Register::new(), &store.all_entries().unwrap());
    assert!(replayed.issues.is_empty(), "{:?}", replayed.issues);
    assert!(replayed.register.instruments.iter().any(|i| i.id == "p1"));
    assert!(!replayed.register.instruments.iter().any(|i| i.id == "p2"));
    let list = store.proposals().unwrap();
    assert_eq!(
        list.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![p.id, q.id]
    );

    // The database keeps the rules too: a settled proposal cannot be edited, and a
    // proposal cannot be marked approved by its proposer behind the code's back.
    let err = db
        .sql(&format!(
            "UPDATE proposals SET decided_by = 'ed' WHERE id = {}",
            p.id
        ))
        .unwrap_err();
    assert!(err.contains("settled proposal"), "{err}");
    let o = store
        .propose(
            "ed",
            "third",
            store.head().unwrap(),
            &add("ed", "p3").change,
        )
        .unwrap();
    let err = db
        .sql(&format!(
            "UPDATE proposals SET state = 'published', decided_by = 'ed', decided_at_us = 1, \
             decision_reason = 'me', decided_seq = 2 WHERE id = {}",
            o.id
        ))
        .unwrap_err();
    assert!(err.to_lowercase().contains("check"), "{err}");
    assert!(db.sql("DELETE FROM proposals").is_err());

    // Naming another approver in the log is caught by verification.
    db.drop_guards();
    db.sql(&format!(
        "UPDATE change_log SET decision_json = REPLACE(decision_json, 'bea', 'eve') WHERE seq = {}",
        entry.seq
    ))
    .unwrap();
    let report = store.verify().unwrap();
    assert!(!report.ok);
    assert_eq!(report.first_bad.unwrap().seq, entry.seq);
}

/// An approval and a rejection of the same proposal sent at the same moment, through
/// separate handles (as two server instances would): exactly one takes effect, the other
/// is told the proposal is settled, and the log holds exactly one decision.
fn approve_and_reject_at_once_one_wins(db: &TestDb) {
    let store = seeded(db, 0);
    let rounds = 12;
    let mut outcomes = BTreeMap::new();
    for n in 0..rounds {
        let p = store
            .propose(
                "ed",
                "race",
                store.head().unwrap(),
                &add("ed", &format!("race-{n}")).change,
            )
            .unwrap();
        let before = store.all_entries().unwrap().len();
        let barrier = Arc::new(std::sync::Barrier::new(2));
        let racers: Vec<_> = [Outcome::Approved, Outcome::Rejected]
            .into_iter()
            .map(|outcome| {
                let handle = db.open();
                let barrier = barrier.clone();
                let id = p.id;
                std::thread::spawn(move || {
                    barrier.wait();
                    let who = if outcome == Outcome::Approved {
                        "bea"
                    } else {
                        "cai"
                    };
                    (
                        outcome,
                        handle.settle_proposal(id, &settle(outcome, who, "decided")),
                    )
                })
            })
            .collect();
        let results: Vec<_> = racers.into_iter().map(|h| h.join().unwrap()).collect();
        let winners: Vec<Outcome> = results
            .iter()
            .filter(|(_, r)| r.is_ok())
            .map(|(o, _)| *o)
            .collect();
        assert_eq!(winners.len(), 1, "round {n}: {results:?}");
        for (_, r) in &results {
            if let Err(e) = r {
                assert!(
                    matches!(e, StoreError::ProposalSettled { .. }),
                    "round {n}: {e}"
                );
            }
        }
        let entries = store.all_entries().unwrap();
        assert_eq!(entries.len(), before + 1, "round {n}");
        let last = entries.last().unwrap();
        assert_eq!(last.decision.as_ref().unwrap().outcome, winners[0]);
        let status = store.proposal(p.id).unwrap().unwrap().status;
        match (winners[0], status) {
            (Outcome::Approved, PendingChangeStatus::Published { by, .. }) => assert_eq!(by, "bea"),
            (Outcome::Rejected, PendingChangeStatus::Rejected { by, .. }) => assert_eq!(by, "cai"),
            (w, s) => panic!("round {n}: {w:?} won but the proposal is {s:?}"),
        }
        *outcomes.entry(winners[0].as_str()).or_insert(0) += 1;
    }
    assert!(store.verify().unwrap().ok);
    eprintln!("approve/reject races over {rounds} rounds: {outcomes:?}");
}

fn drafts_belong_to_their_owner(db: &TestDb) {
    let store = seeded(db, 0);
    let mut fields = BTreeMap::new();
    fields.insert("title".to_string(), "Joint committee".to_string());
    let d = store
        .save_draft("ed", None, "joint-committee", &fields, None)
        .unwrap();
    assert_eq!(
        (d.owner.as_str(), d.kind.as_str()),
        ("ed", "joint-committee")
    );
    assert_eq!(d.fields, fields);
    // Someone else cannot overwrite it; its owner can, and link it to a proposal.
    assert!(matches!(
        store.save_draft("eve", Some(d.id), "delegation", &BTreeMap::new(), None),
        Err(StoreError::UnknownDraft(_))
    ));
    let p = store
        .propose("ed", "why", store.head().unwrap(), &add("ed", "x").change)
        .unwrap();
    fields.insert("maker".to_string(), "QOP".to_string());
    let saved = store
        .save_draft("ed", Some(d.id), "joint-committee", &fields, Some(p.id))
        .unwrap();
    assert_eq!(saved.proposal, Some(p.id));
    assert_eq!(store.draft(d.id).unwrap().unwrap(), saved);
    assert_eq!(store.drafts("ed").unwrap(), vec![saved]);
    assert!(store.drafts("eve").unwrap().is_empty());
    // Drafts are not in the log.
    assert_eq!(store.all_entries().unwrap().len(), 1);
}

// ---------------------------------------------------------------------------------------
// Rebinding a store that holds nothing recorded to another base register

const OTHER: &str = "sha256:another-base-register";

fn a_store_holding_nothing_is_rebound(db: &TestDb) {
    let store = seeded(db, 0);
    assert!(store.recorded().unwrap().is_nothing());
    let genesis = store.all_entries().unwrap().remove(0);
    let rebound = store.rebind(OTHER, "vires").unwrap();
    assert_eq!(rebound.seq, 2);
    assert_eq!(rebound.change, Change::Rebind { base: OTHER.into() });
    assert_eq!(rebound.prev_hash, genesis.hash);
    // Any handle now finds the store bound to the new base, and refuses the old one.
    let again = db.open();
    assert_eq!(again.ensure_genesis(OTHER, "someone").unwrap(), rebound);
    match again.ensure_genesis(BASE, "someone") {
        Err(StoreError::BaseMismatch { stored, given }) => {
            assert_eq!((stored.as_str(), given.as_str()), (OTHER, BASE))
        }
        other => panic!("expected a base mismatch, got {other:?}"),
    }
    // Rebinding to the base it has writes nothing; back to the first base is a new entry.
    assert_eq!(again.rebind(OTHER, "someone").unwrap(), rebound);
    assert_eq!(db.count("change_log"), 2);
    let back = again.rebind(BASE, "someone").unwrap();
    assert_eq!(back.seq, 3);
    assert_eq!(again.ensure_genesis(BASE, "someone").unwrap(), back);
    // A change recorded after the binding is counted, and replays as on any store.
    again.append(Revision(3), add("alice", "a1")).unwrap();
    assert_eq!(
        again.recorded().unwrap(),
        Recorded {
            changes: 1,
            ..Recorded::default()
        }
    );
    let replayed = replay(Register::default(), &again.all_entries().unwrap());
    assert!(replayed.issues.is_empty(), "{:?}", replayed.issues);
    assert_eq!(replayed.register.instruments.len(), 1);
    let report = again.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.entries, 4);
    // A binding is never written as a change, directly or through a proposal.
    let rebind = Change::Rebind { base: OTHER.into() };
    let request = ChangeRequest {
        author: "mallory".into(),
        reason: "rebind".into(),
        change: rebind.clone(),
    };
    assert!(matches!(
        again.append(Revision(4), request),
        Err(StoreError::GenesisNotFirst)
    ));
    assert!(matches!(
        again.propose("mallory", "rebind", Revision(4), &rebind),
        Err(StoreError::GenesisNotFirst)
    ));
    // An empty store is bound by a rebind as by its genesis entry.
    let empty_db = db.sibling("e");
    let empty = empty_db.open();
    let first = empty.rebind(OTHER, "vires").unwrap();
    assert_eq!(
        (first.seq, first.change),
        (1, Change::Genesis { base: OTHER.into() })
    );
}

/// One kind of thing a person can write in a store, and what `recorded` counts for it.
type Writes = fn(&dyn Store);

fn a_store_holding_anything_is_not_rebound(db: &TestDb) {
    let origin = SessionOrigin::Oidc;
    let cases: [(&str, Writes, Recorded); 6] = [
        (
            "change",
            |s| {
                s.append(Revision(1), add("alice", "a1")).unwrap();
            },
            Recorded {
                changes: 1,
                ..Recorded::default()
            },
        ),
        (
            "step",
            |s| {
                s.append(Revision(1), step("00K", "submit")).unwrap();
            },
            Recorded {
                changes: 1,
                ..Recorded::default()
            },
        ),
        (
            "user",
            |s| {
                s.create_user("ann", Role::Viewer).unwrap();
            },
            Recorded {
                users: 1,
                ..Recorded::default()
            },
        ),
        (
            "token",
            |s| {
                s.create_user("ann", Role::Viewer).unwrap();
                s.create_token("ann", "laptop").unwrap();
            },
            Recorded {
                users: 1,
                tokens: 1,
                ..Recorded::default()
            },
        ),
        (
            "draft",
            |s| {
                s.save_draft("ed", None, "delegation", &BTreeMap::new(), None)
                    .unwrap();
            },
            Recorded {
                drafts: 1,
                ..Recorded::default()
            },
        ),
        (
            "proposal",
            |s| {
                s.propose("ed", "why", Revision(1), &add("ed", "x").change)
                    .unwrap();
            },
            Recorded {
                proposals: 1,
                ..Recorded::default()
            },
        ),
    ];
    for (i, (what, write, expected)) in cases.into_iter().enumerate() {
        let db = db.sibling(&format!("k{i}"));
        let store = seeded(&db, 0);
        write(store.as_ref());
        assert_eq!(store.recorded().unwrap(), expected, "{what}");
        let head = store.all_entries().unwrap();
        match store.rebind(OTHER, "vires") {
            Err(StoreError::NotRebound {
                stored,
                given,
                recorded,
            }) => {
                assert_eq!((stored.as_str(), given.as_str()), (BASE, OTHER), "{what}");
                assert_eq!(*recorded, expected, "{what}");
            }
            other => panic!("a store holding a {what} was rebound: {other:?}"),
        }
        assert_eq!(
            store.all_entries().unwrap(),
            head,
            "{what}: the log changed"
        );
        assert_eq!(store.ensure_genesis(BASE, "vires").unwrap().seq, 1);
    }
    // A session (of a user) is something written too.
    let db = db.sibling("s");
    let store = seeded(&db, 0);
    store.create_user("ann", Role::Viewer).unwrap();
    store
        .create_session("ann", SignedDuration::from_hours(1), &origin)
        .unwrap();
    let recorded = store.recorded().unwrap();
    assert_eq!((recorded.users, recorded.sessions), (1, 1));
    assert!(matches!(
        store.rebind(OTHER, "vires"),
        Err(StoreError::NotRebound { .. })
    ));
    assert_eq!(db.count("change_log"), 1);
}

fn a_handle_bound_before_a_rebind_cannot_write(db: &TestDb) {
    let before = seeded(db, 0);
    let other = db.open();
    other.rebind(OTHER, "vires").unwrap();
    // `before` checked its changes against BASE: the store is bound to OTHER now.
    match before.append(Revision(2), add("alice", "a1")) {
        Err(StoreError::BaseMismatch { stored, given }) => {
            assert_eq!((stored.as_str(), given.as_str()), (OTHER, BASE))
        }
        other => panic!("a write checked against the old base landed: {other:?}"),
    }
    assert!(matches!(
        before.propose("ed", "why", Revision(2), &add("ed", "x").change),
        Err(StoreError::BaseMismatch { .. })
    ));
    assert_eq!(db.count("change_log"), 2);
    assert_eq!(db.count("proposals"), 0);
    // A handle bound to the new base writes.
    other.append(Revision(2), add("bob", "b1")).unwrap();
    assert_eq!(db.count("change_log"), 3);
}

fn a_keyed_store_is_rebound_only_with_its_key(db: &TestDb) {
    let key = LogKey::generate().unwrap();
    keyed_seeded(db, &key, 0);
    // Without the key nothing is added, the binding included.
    match db.open().rebind(OTHER, "vires") {
        Err(StoreError::LogKeyNeeded { key_id }) => assert_eq!(key_id, key.id()),
        other => panic!("a keyless rebind on a keyed log: {other:?}"),
    }
    assert_eq!(db.count("change_log"), 1);
    let keyed = db.open_keyed(&key);
    assert_eq!(keyed.rebind(OTHER, "vires").unwrap().seq, 2);
    let report = keyed.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(
        report.keying,
        Keying::Keyed {
            key_id: key.id().to_string(),
            from_seq: 1,
            checkpoints: 2
        }
    );
}

fn verify_finds_a_rebind_after_a_change(db: &TestDb) {
    let store = seeded(db, 1);
    let last = store.all_entries().unwrap().pop().unwrap();
    // Someone with the database appends a well-formed rebind entry after a change.
    let change_json = vires_store::canonical_json(&Change::Rebind { base: OTHER.into() }).unwrap();
    let at = last.recorded_at.as_microsecond() + 1;
    let hash = vires_store::entry_hash(&last.hash, 3, at, "mallory", "rebind", &change_json);
    db.sql(&format!(
        "INSERT INTO change_log (seq, recorded_at_us, author, reason, change_json, prev_hash, hash) \
         VALUES (3, {at}, 'mallory', 'rebind', '{change_json}', '{}', '{hash}')",
        last.hash
    ))
    .unwrap();
    let reason = expect_first_bad(store.as_ref(), 3);
    assert!(
        reason.contains("rebind entry follows a recorded change"),
        "{reason}"
    );
    // The binding ends at the first change, so the store is still bound to its base.
    assert_eq!(store.ensure_genesis(BASE, "vires").unwrap().seq, 1);
}
