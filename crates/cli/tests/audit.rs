//! `vires audit verify`: readable findings, and a published head that catches what the hash
//! chain alone cannot (issue 24 item 5): a log cut short verifies by itself, but not against
//! the head published before the cut.

use serde_json::Value;
use std::process::Command;

struct Env {
    dir: tempfile::TempDir,
    db: String,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("vires.db").display());
        Env { dir, db }
    }

    fn run(&self, args: &[&str]) -> (i32, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_vires"))
            .args(args)
            .env("VIRES_DB", &self.db)
            .env_remove("VIRES_ODS_DIR")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned()
                + &String::from_utf8_lossy(&out.stderr),
        )
    }

    fn record(&self, id: &str) {
        let p = self.dir.path().join(format!("{id}.vires"));
        std::fs::write(
            &p,
            format!(
                "delegation \"Delegation of dental to 00T (test)\" {{\n  id        {id}\n  basis     \"NHS Act 2006 s.13Z\"\n  by        X24\n  to        00T\n  functions commissioning.primary-care.dental\n  area      footprint(00T)\n  from      2021-04-01\n  source    \"test\"\n}}\n"
            ),
        )
        .unwrap();
        let (code, out) = self.run(&[
            "record",
            &p.display().to_string(),
            "--author",
            "t",
            "--reason",
            "test",
        ]);
        assert_eq!(code, 0, "{out}");
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
