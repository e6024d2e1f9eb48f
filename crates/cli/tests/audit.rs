//! `vires audit verify`: readable findings, and a published head that catches what the hash
//! chain alone cannot (issue 24 item 5): a log cut short verifies by itself, but not against
//! the head published before the cut.

use serde_json::Value;
use std::process::Command;

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

    fn head(&self) -> String {
        let (code, out) = self.run(&["--format", "json", "audit", "verify"]);
        assert_eq!(code, 0, "{out}");
        let v: Value = serde_json::from_str(&out).unwrap_or_else(|e| panic!("{e}: {out}"));
        v["head_hash"].as_str().unwrap().to_string()
    }

    /// Runs SQL on the store as someone with the database file would.
    fn sql(&self, sql: &str) {
        let path = self.db.trim_start_matches("sqlite://");
        let out = Command::new("sqlite3").arg(path).arg(sql).output().unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
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
