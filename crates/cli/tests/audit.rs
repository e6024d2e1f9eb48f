//! The change log's tamper evidence (issue 24 item 5): `vires audit verify` with readable
//! findings; a published head that catches a log cut short; the log key that catches a tail
//! rewritten with recomputed hashes; triggers that refuse `INSERT OR REPLACE`; and
//! `vires serve`, which checks the log at start and will not serve a broken one unless told
//! to, on a real tampered SQLite file and PostgreSQL database. And the log's binding to its
//! base register: a named store holding nothing recorded follows new data; one holding a
//! recorded change is refused, unchanged.

mod common;

use serde_json::Value;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

struct Env {
    dir: tempfile::TempDir,
    db: String,
    /// The log key's file, given to every command once set.
    key: Option<std::path::PathBuf>,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("vires.db").display());
        Env { dir, db, key: None }
    }

    /// A fresh database on the PostgreSQL server of VIRES_TEST_PG (scripts/with-postgres.sh);
    /// None only when skipping was asked for with VIRES_ALLOW_NO_PG=1.
    fn postgres(name: &str) -> Option<Env> {
        let admin = match std::env::var("VIRES_TEST_PG") {
            Ok(u) if !u.trim().is_empty() => u,
            _ if std::env::var("VIRES_ALLOW_NO_PG").as_deref() == Ok("1") => return None,
            _ => panic!(
                "VIRES_TEST_PG is not set: run under scripts/with-postgres.sh, or set VIRES_ALLOW_NO_PG=1 to skip"
            ),
        };
        let db_name = format!("vires_cli_{name}_{}", std::process::id());
        let env = Env {
            dir: tempfile::tempdir().unwrap(),
            db: admin.clone(),
            key: None,
        };
        env.sql(&format!("DROP DATABASE IF EXISTS {db_name}"));
        env.sql(&format!("CREATE DATABASE {db_name}"));
        let (base, query) = admin.split_once('?').unwrap_or((&admin, ""));
        let cut = base.rfind('/').unwrap();
        let mut db = format!("{}/{db_name}", &base[..cut]);
        if !query.is_empty() {
            db = format!("{db}?{query}");
        }
        Some(Env { db, ..env })
    }

    /// Starts `vires serve` with `args` on a free port and waits until it answers or exits.
    fn serve(&self, args: &[&str]) -> Served {
        self.serve_with(args, &[])
    }

    /// [`Env::serve`] with environment variables set.
    fn serve_with(&self, args: &[&str], vars: &[(&str, &str)]) -> Served {
        let port = common::free_port();
        let log = self.dir.path().join(format!("serve-{port}.log"));
        let mut child = Command::new(env!("CARGO_BIN_EXE_vires"))
            .args(["serve", "--addr", &format!("127.0.0.1:{port}")])
            .args(args)
            .env("VIRES_DB", &self.db)
            .env("VIRES_LOG", "info")
            .env_remove("VIRES_LOG_KEY_FILE")
            .env_remove("VIRES_BOOTSTRAP_ADMIN")
            .env_remove("VIRES_BASE")
            .envs(self.key.iter().map(|k| ("VIRES_LOG_KEY_FILE", k)))
            .envs(vars.iter().copied())
            .stdout(Stdio::null())
            .stderr(std::fs::File::create(&log).unwrap())
            .spawn()
            .unwrap();
        let read_log = || std::fs::read_to_string(&log).unwrap_or_default();
        let deadline = Instant::now() + Duration::from_secs(180);
        while Instant::now() < deadline {
            if let Some(status) = child.try_wait().unwrap() {
                return Served::Exited(status.code().unwrap_or(-1), read_log());
            }
            if common::http(port, "GET", "/healthz", None, None).is_ok_and(|r| r.status == 200) {
                return Served::Running(child, port, log);
            }
            std::thread::sleep(Duration::from_millis(200));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("the server neither served nor exited: {}", read_log());
    }

    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_vires"))
            .args(args)
            .env("VIRES_DB", &self.db)
            .env_remove("VIRES_ODS_DIR")
            .env_remove("VIRES_LOG_KEY_FILE")
            .envs(self.key.iter().map(|k| ("VIRES_LOG_KEY_FILE", k)))
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn record(&self, id: &str) {
        let (code, out) = self.try_record(id);
        assert_eq!(code, 0, "{out}");
    }

    fn try_record(&self, id: &str) -> (i32, String) {
        let p = self.dir.path().join(format!("{id}.vires"));
        std::fs::write(
            &p,
            format!(
                "delegation \"Delegation of dental to 00T (test)\" {{\n  id        {id}\n  basis     \"NHS Act 2006 s.13Z\"\n  by        X24\n  to        00T\n  functions commissioning.primary-care.dental\n  area      footprint(00T)\n  from      2021-04-01\n  source    \"test\"\n}}\n"
            ),
        )
        .unwrap();
        self.run(&[
            "record",
            &p.display().to_string(),
            "--author",
            "t",
            "--reason",
            "test",
        ])
    }

    /// A new log key, used by every later command.
    fn keygen(&mut self) {
        let path = self.dir.path().join("log.key");
        let (code, out) = self.run(&["audit", "keygen", "--out", &path.display().to_string()]);
        assert_eq!(code, 0, "{out}");
        self.key = Some(path);
    }

    /// Rewrites entry `from`'s reason and recomputes every hash from it on, with sqlite3, as
    /// the database's owner could without the key.
    fn rewrite_tail(&self, from: i64) {
        let path = self.db.trim_start_matches("sqlite://");
        let rows = Command::new("sqlite3")
            .args([path, "-separator", "\t", "SELECT seq, recorded_at_us, author, reason, change_json, prev_hash FROM change_log ORDER BY seq"])
            .output()
            .unwrap();
        let mut sql = String::from("DROP TRIGGER change_log_no_update;");
        let mut prev = String::new();
        for line in String::from_utf8(rows.stdout).unwrap().lines() {
            let f: Vec<&str> = line.split('\t').collect();
            let seq: i64 = f[0].parse().unwrap();
            if seq < from {
                prev = vires_store::entry_hash(f[5], seq, f[1].parse().unwrap(), f[2], f[3], f[4]);
                continue;
            }
            let reason = if seq == from { "nothing to see" } else { f[3] };
            let hash =
                vires_store::entry_hash(&prev, seq, f[1].parse().unwrap(), f[2], reason, f[4]);
            sql.push_str(&format!(
                "UPDATE change_log SET reason = '{reason}', prev_hash = '{prev}', hash = '{hash}' WHERE seq = {seq};"
            ));
            prev = hash;
        }
        self.sql(&sql);
    }

    /// The change log's entries as (op, base register for a binding entry), read from the
    /// database (any `vires` command would bind the store to its own base first).
    fn log_ops(&self) -> Vec<(String, String)> {
        let sql = "SELECT change_json FROM change_log ORDER BY seq";
        let out = match self.db.strip_prefix("sqlite://") {
            Some(path) => Command::new("sqlite3").args([path, sql]).output(),
            None => Command::new("psql")
                .args([self.db.as_str(), "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
                .output(),
        }
        .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout)
            .unwrap()
            .lines()
            .map(|line| {
                let c: Value = serde_json::from_str(line).unwrap_or_else(|e| panic!("{e}: {line}"));
                let base = c["base"].as_str().unwrap_or_default().to_string();
                (c["op"].as_str().unwrap().to_string(), base)
            })
            .collect()
    }

    /// Everything the store holds: the SQLite file and its WAL byte for byte, or every row of
    /// every table on PostgreSQL.
    fn contents(&self) -> Vec<u8> {
        match self.db.strip_prefix("sqlite://") {
            Some(path) => ["", "-wal"]
                .iter()
                .flat_map(|s| std::fs::read(format!("{path}{s}")).unwrap_or_default())
                .collect(),
            None => {
                let tables = [
                    "change_log",
                    "log_checkpoints",
                    "users",
                    "api_tokens",
                    "sessions",
                    "drafts",
                    "proposals",
                    "schema_migrations",
                ];
                let sql: String = tables
                    .iter()
                    .map(|t| format!("SELECT '{t}', * FROM {t} ORDER BY 2;"))
                    .collect();
                let out = Command::new("psql")
                    .args([self.db.as_str(), "-At", "-v", "ON_ERROR_STOP=1", "-c", &sql])
                    .output()
                    .unwrap();
                assert!(
                    out.status.success(),
                    "{}",
                    String::from_utf8_lossy(&out.stderr)
                );
                out.stdout
            }
        }
    }

    fn head(&self) -> String {
        let (code, out) = self.run(&["--format", "json", "audit", "verify"]);
        assert_eq!(code, 0, "{out}");
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        v["head_hash"].as_str().unwrap().to_string()
    }

    /// Runs SQL on the store as someone with the database file would.
    fn sql(&self, sql: &str) {
        let (ok, err) = self.try_sql(sql);
        assert!(ok, "{sql}: {err}");
    }

    /// Runs SQL; whether it succeeded, and what the tool said on stderr.
    fn try_sql(&self, sql: &str) -> (bool, String) {
        let out = match self.db.strip_prefix("sqlite://") {
            Some(path) => Command::new("sqlite3").arg(path).arg(sql).output(),
            None => Command::new("psql")
                .args([self.db.as_str(), "-v", "ON_ERROR_STOP=1", "-c", sql])
                .output(),
        }
        .unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    /// The same database as `role` (the test server trusts local connections).
    fn as_role(&self, role: &str) -> Env {
        let (scheme, rest) = self.db.split_once("://").unwrap();
        let host = rest.split_once('@').map_or(rest, |(_, h)| h);
        Env {
            dir: tempfile::tempdir().unwrap(),
            db: format!("{scheme}://{role}@{host}"),
            key: None,
        }
    }
}

enum Served {
    Exited(i32, String),
    Running(Child, u16, std::path::PathBuf),
}

impl Served {
    fn refused(self) -> String {
        match self {
            Served::Exited(code, log) => {
                assert_ne!(code, 0, "{log}");
                log
            }
            Served::Running(mut child, ..) => {
                let _ = child.kill();
                let _ = child.wait();
                panic!("the server served a log that does not verify");
            }
        }
    }

    /// The server's `/status` and `Vires-Log-Head`, and its log so far; stops it.
    fn status_and_stop(self) -> (Value, String, String) {
        let Served::Running(mut child, port, log) = self else {
            panic!("the server did not start");
        };
        let (r, headers) = common::request(port, "GET", "/status", &[], None).unwrap();
        let head = headers
            .iter()
            .find(|(k, _)| k == "vires-log-head")
            .map(|(_, v)| v.clone())
            .unwrap_or_default();
        let _ = child.kill();
        let _ = child.wait();
        (
            serde_json::from_str(&r.body).unwrap(),
            head,
            std::fs::read_to_string(log).unwrap(),
        )
    }
}

/// An entry edited in the database: `vires serve` refuses the log, naming the entry and the
/// way out; told to serve it anyway, it does, says so in /status and logs a warning.
fn the_server_refuses_a_tampered_log(env: &Env) {
    env.record("deleg-00t-dental-a");
    let head = env.head();
    let (code, out) = env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    env.sql(match env.db.starts_with("sqlite://") {
        true => "DROP TRIGGER change_log_no_update; UPDATE change_log SET reason = 'nothing to see' WHERE seq = 2;",
        false => "DROP TRIGGER change_log_no_update ON change_log; UPDATE change_log SET reason = 'nothing to see' WHERE seq = 2;",
    });
    let log = env.serve(&[]).refused();
    assert!(
        log.contains("the change log does not verify: entry 2: its contents do not match its hash"),
        "{log}"
    );
    assert!(log.contains("--allow-broken-log"), "{log}");
    let (status, log_head, log) = env.serve(&["--allow-broken-log"]).status_and_stop();
    let broken = status["log_broken"].as_str().unwrap_or_default();
    assert!(
        broken.contains("entry 2: its contents do not match"),
        "{status}"
    );
    assert!(log.contains("serving it anyway"), "{log}");
    // The head answers carry is the stored one, published before the edit.
    assert_eq!(log_head, format!("2:{head}"));
    assert_eq!(status["log_head"], log_head.as_str());
}

#[test]
fn the_server_refuses_a_tampered_sqlite_log() {
    the_server_refuses_a_tampered_log(&Env::new());
}

#[test]
fn the_server_refuses_a_tampered_postgres_log() {
    if let Some(env) = Env::postgres("tampered") {
        the_server_refuses_a_tampered_log(&env);
    }
}

#[test]
fn the_server_checks_a_keyed_log_with_its_key() {
    let mut env = Env::new();
    env.keygen();
    env.record("deleg-00t-dental-a");
    let (status, _, log) = env.serve(&[]).status_and_stop();
    assert!(status.get("log_broken").is_none(), "{status}");
    assert!(log.contains("the change log verifies"), "{log}");
    env.rewrite_tail(2);
    let log = env.serve(&[]).refused();
    assert!(
        log.contains("entry 2: its hash is not the one its checkpoint vouched for"),
        "{log}"
    );
    // Without the key the server would be unable to write: it says so rather than serve.
    env.key = None;
    let log = env.serve(&[]).refused();
    assert!(log.contains("but the server has no key"), "{log}");
}

#[test]
fn a_log_cut_short_fails_against_the_head_published_before() {
    let env = Env::new();
    env.record("deleg-00t-dental-a");
    let first = env.head();
    env.record("deleg-00t-dental-b");
    let second = env.head();
    assert_ne!(first, second);
    // The log grew past the first published head but still holds it.
    let (code, out) = env.run(&["audit", "verify", "--expect-head", &first]);
    assert_eq!(code, 0, "{out}");
    // The last entry deleted, as the database's owner can.
    env.sql(
        "DROP TRIGGER change_log_no_delete; DELETE FROM change_log WHERE seq = (SELECT max(seq) FROM change_log);",
    );
    let (code, out) = env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "a chain cut short still links: {out}");
    let (code, out) = env.run(&["audit", "verify", "--expect-head", &second]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("cut short or rewritten"), "{out}");
    assert!(out.contains(&second), "{out}");
}

#[test]
fn an_edited_entry_is_named_in_words() {
    let env = Env::new();
    env.record("deleg-00t-dental-a");
    env.sql(
        "DROP TRIGGER change_log_no_update; UPDATE change_log SET reason = 'nothing to see' WHERE seq = 2;",
    );
    let (code, out) = env.run(&["audit", "verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("the change log does NOT verify: entry 2: its contents do not match its hash"),
        "{out}"
    );
    assert!(!out.contains("BadEntry"), "Rust's debug form: {out}");
}

#[test]
fn sqlite3_insert_or_replace_cannot_rewrite_an_entry() {
    let env = Env::new();
    env.record("deleg-00t-dental-a");
    let head = env.head();
    let path = env.db.trim_start_matches("sqlite://");
    for sql in [
        "INSERT OR REPLACE INTO change_log (seq, recorded_at_us, author, reason, change_json, prev_hash, hash) \
         SELECT seq, recorded_at_us, author, 'nothing to see', change_json, prev_hash, hash FROM change_log WHERE seq = 2;",
        "REPLACE INTO change_log (seq, recorded_at_us, author, reason, change_json, prev_hash, hash) \
         SELECT 3, recorded_at_us, author, 'nothing to see', change_json, prev_hash, hash FROM change_log WHERE seq = 2;",
    ] {
        let out = Command::new("sqlite3").arg(path).arg(sql).output().unwrap();
        assert!(!out.status.success(), "{sql} was accepted");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("append-only"), "{err}");
    }
    let (code, out) = env.run(&["audit", "verify", "--expect-head", &head]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(env.head(), head);
}

#[test]
fn a_tail_rewritten_with_recomputed_hashes_fails_with_the_key() {
    let mut env = Env::new();
    env.keygen();
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(env.key.as_ref().unwrap())
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    env.record("deleg-00t-dental-a");
    env.record("deleg-00t-dental-b");
    let (code, out) = env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("keyed with key") && out.contains("from entry 1"),
        "{out}"
    );
    env.rewrite_tail(2);
    // Without the key the rewrite passes as a plain chain, and the output says so.
    let key = env.key.take();
    let (code, out) = env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("no key was given"), "{out}");
    env.key = key;
    let (code, out) = env.run(&["audit", "verify"]);
    assert_eq!(code, 1, "{out}");
    assert!(
        out.contains("entry 2: its hash is not the one its checkpoint vouched for"),
        "{out}"
    );
    // And nothing more is written on the rewritten log with the key.
    let (code, out) = env.try_record("deleg-00t-dental-c");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("not vouched for by the log key"), "{out}");
}

#[test]
fn an_old_log_is_keyed_explicitly_from_its_head() {
    let mut env = Env::new();
    env.record("deleg-00t-dental-a");
    let (code, out) = env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("the log is unkeyed"), "{out}");
    env.keygen();
    let (code, out) = env.try_record("deleg-00t-dental-b");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("vires audit key-start"), "{out}");
    let (code, out) = env.run(&["audit", "key-start"]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("keyed from entry 2"), "{out}");
    env.record("deleg-00t-dental-b");
    let (code, out) = env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("from entry 2: 2 checkpoints verify")
            && out.contains("entries up to 2 were checked as a plain hash chain"),
        "{out}"
    );
    // A keyless writer cannot extend the keyed log.
    env.key = None;
    let (code, out) = env.try_record("deleg-00t-dental-c");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("writing to it needs that key"), "{out}");
}

/// Migrations run as the database's owner (`vires migrate --grant-to ROLE`); the server's
/// role can then read and append, but cannot disable the log's triggers, update, delete or
/// truncate its rows, or drop its triggers.
#[test]
fn the_servers_postgres_role_cannot_touch_the_log() {
    let Some(admin) = Env::postgres("roles") else {
        return;
    };
    let (owner, app) = (
        format!("vires_owner_{}", std::process::id()),
        format!("vires_app_{}", std::process::id()),
    );
    let db_name = admin
        .db
        .rsplit('/')
        .next()
        .unwrap()
        .split('?')
        .next()
        .unwrap()
        .to_string();
    admin.sql(&format!(
        "CREATE ROLE {owner} LOGIN; CREATE ROLE {app} LOGIN; ALTER DATABASE {db_name} OWNER TO {owner}; \
         ALTER SCHEMA public OWNER TO {owner}; REVOKE CREATE ON SCHEMA public FROM PUBLIC;"
    ));
    let (owner_env, app_env) = (admin.as_role(&owner), admin.as_role(&app));
    // The server's role cannot create the schema itself.
    let (code, out) = app_env.try_record("deleg-00t-dental-a");
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("vires migrate"), "{out}");
    let (code, out) = owner_env.run(&["migrate", "--grant-to", &app]);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("it owns nothing"), "{out}");
    app_env.record("deleg-00t-dental-a");
    let (code, out) = app_env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");
    for attack in [
        "ALTER TABLE change_log DISABLE TRIGGER ALL",
        "ALTER TABLE change_log DISABLE TRIGGER USER",
        "DROP TRIGGER change_log_no_update ON change_log",
        "UPDATE change_log SET reason = 'nothing to see' WHERE seq = 2",
        "DELETE FROM change_log WHERE seq = 2",
        "TRUNCATE change_log",
        "DELETE FROM log_checkpoints",
        "ALTER TABLE log_checkpoints DISABLE TRIGGER ALL",
        "INSERT INTO change_log SELECT * FROM change_log WHERE seq = 2 ON CONFLICT (seq) DO UPDATE SET reason = 'x'",
    ] {
        let (ok, err) = app_env.try_sql(attack);
        assert!(!ok, "the server's role could: {attack}");
        assert!(
            err.contains("permission denied") || err.contains("must be owner"),
            "{attack}: {err}"
        );
    }
    // The owner still can (so the log key, not the roles, is what holds against the owner).
    let (ok, err) = owner_env.try_sql("ALTER TABLE change_log DISABLE TRIGGER USER");
    assert!(ok, "{err}");
    // --grant-to takes role names only.
    let (code, out) = owner_env.run(&["migrate", "--grant-to", "x; DROP TABLE users"]);
    assert_ne!(code, 0, "{out}");
    assert!(out.contains("not a role name"), "{out}");
}

const ASK: [&str; 7] = [
    "who",
    "-f",
    "commissioning.secondary-care",
    "--practice",
    "A85001",
    "--on",
    "2020-01-01",
];

/// A store named with --db (VIRES_DB here) meets another base register (`--ods`, a copy of
/// the bundled extracts with one file changed, as new bundled data would be). Holding nothing
/// recorded, it is rebound in place by an entry in its log, with a note; holding one recorded
/// instrument, it is refused, naming what it holds, and not a byte of it changes.
fn a_named_store_follows_new_data_until_something_is_recorded(env: &Env) {
    let ods = common::other_ods(env.dir.path());
    let with_ods: Vec<&str> = ASK.iter().copied().chain(["--ods", &ods]).collect();
    let (code, out) = env.run(&ASK);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("note:"), "{out}");
    let (code, out) = env.run(&with_ods);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("note: the store was bound to another base register")
            && out.contains("held nothing recorded"),
        "{out}"
    );
    let log = env.log_ops();
    let ops: Vec<&str> = log.iter().map(|(op, _)| op.as_str()).collect();
    assert_eq!(ops, ["genesis", "rebind"]);
    assert_ne!(log[0].1, log[1].1);
    assert!(
        out.contains(&log[1].1),
        "the note names the new base: {out}"
    );
    // Back to the bundled data: rebound again, once.
    let (code, out) = env.run(&ASK);
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("held nothing recorded"), "{out}");
    let (code, out) = env.run(&ASK);
    assert_eq!(code, 0, "{out}");
    assert!(!out.contains("note:"), "{out}");
    let log = env.log_ops();
    assert_eq!(log.len(), 3);
    assert_eq!((log[2].0.as_str(), &log[2].1), ("rebind", &log[0].1));
    let (code, out) = env.run(&["audit", "verify"]);
    assert_eq!(code, 0, "{out}");

    env.record("deleg-00t-dental-a");
    let before = env.contents();
    let (code, out) = env.run(&with_ods);
    assert_ne!(code, 0, "{out}");
    assert!(
        out.contains("it holds 1 recorded change") && out.contains("so it is not rebound"),
        "{out}"
    );
    assert_eq!(env.contents(), before, "the refused store changed");
    assert_eq!(env.log_ops().len(), 4);
}

#[test]
fn a_named_sqlite_store_follows_new_data_until_something_is_recorded() {
    a_named_store_follows_new_data_until_something_is_recorded(&Env::new());
}

#[test]
fn a_named_postgres_store_follows_new_data_until_something_is_recorded() {
    if let Some(env) = Env::postgres("rebind") {
        a_named_store_follows_new_data_until_something_is_recorded(&env);
    }
}

/// `vires serve` rebinds a store holding nothing recorded to its base register (here the
/// empty one), saying so in its log, and refuses one holding a recorded change.
#[test]
fn the_server_rebinds_a_store_holding_nothing() {
    let env = Env::new();
    let (code, out) = env.run(&ASK);
    assert_eq!(code, 0, "{out}");
    let empty = [("VIRES_BASE", "empty")];
    let (_, _, log) = env.serve_with(&[], &empty).status_and_stop();
    assert!(log.contains("held nothing recorded"), "{log}");
    let ops: Vec<String> = env.log_ops().into_iter().map(|(op, _)| op).collect();
    assert_eq!(ops, ["genesis", "rebind"]);
    // Recording on the bundled register rebinds it back first; then the server refuses it.
    env.record("deleg-00t-dental-a");
    let before = env.contents();
    let log = env.serve_with(&[], &empty).refused();
    assert!(log.contains("so it is not rebound"), "{log}");
    assert_eq!(env.contents(), before);
}
