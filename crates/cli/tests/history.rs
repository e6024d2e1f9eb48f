//! The bundled register with a real SQLite store behind it: recording, correcting, asking
//! "as recorded at", verifying the chain, and refusing invalid changes without writing.

use serde_json::Value;
use std::process::Command;

struct Env {
    _dir: tempfile::TempDir,
    db: String,
}

impl Env {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("vires.db").display());
        Env { _dir: dir, db }
    }

    fn run(&self, args: &[&str]) -> (i32, Value, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_vires"))
            .env("VIRES_DB", &self.db)
            .args(args)
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout).to_string();
        let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
        (
            out.status.code().unwrap_or(-1),
            json,
            String::from_utf8_lossy(&out.stderr).to_string() + &stdout,
        )
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self._dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }
}

fn holders(v: &Value) -> Vec<(String, String)> {
    v["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["body"].as_str().unwrap().to_string(),
                h["role"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

const DELEGATION: &str = r#"
delegation "Health and justice commissioning to the North East and North Cumbria ICB" {
  id        hj-qhm
  basis     "NHS Act 2006 s.65Z5"
  by        X24
  to        QHM
  functions commissioning.health-and-justice
  area      own
  from      FROM
  source    "test record"
}
"#;

#[test]
fn record_correct_and_ask_as_recorded() {
    let env = Env::new();
    // First use creates the store and binds it to the bundled register.
    let (code, icbs, err) = env.run(&[
        "--format",
        "json",
        "bodies",
        "--on",
        "2022-07-01",
        "--kind",
        "icb",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(icbs.as_array().unwrap().len(), 42);
    let who = |extra: &[&str]| {
        let mut args = vec!["--format", "json"];
        args.extend_from_slice(extra);
        args.extend([
            "who",
            "-f",
            "commissioning.health-and-justice",
            "--body",
            "QHM",
            "--on",
            "2024-06-01",
        ]);
        let (code, v, err) = env.run(&args);
        assert_eq!(code, 0, "{err}");
        holders(&v)
    };
    assert_eq!(who(&[]), vec![("X24".to_string(), "statutory".to_string())]);

    let first = env.write("first.vires", &DELEGATION.replace("FROM", "2024-04-01"));
    let (code, rec, err) = env.run(&[
        "--format",
        "json",
        "record",
        &first,
        "--author",
        "tester",
        "--reason",
        "agreement signed",
    ]);
    assert_eq!(code, 0, "{err}");
    let t1 = rec[0]["recorded_at"].as_str().unwrap().to_string();
    assert_eq!(rec[0]["change"]["op"], "add-instrument");
    assert_eq!(who(&[]), vec![("QHM".to_string(), "delegate".to_string())]);

    // A correction: the agreement really starts a year later.
    let second = env.write("second.vires", &DELEGATION.replace("FROM", "2025-04-01"));
    let (code, rec2, err) = env.run(&[
        "--format",
        "json",
        "record",
        &second,
        "--author",
        "tester",
        "--reason",
        "start date corrected",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(rec2[0]["change"]["op"], "correct-instrument");
    assert_eq!(who(&[]), vec![("X24".to_string(), "statutory".to_string())]);
    // What the register said before the correction.
    assert_eq!(
        who(&["--recorded-at", &t1]),
        vec![("QHM".to_string(), "delegate".to_string())]
    );

    let (code, v, err) = env.run(&["--format", "json", "audit", "verify"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["ok"], true);
    assert_eq!(v["entries"], 3);

    // An invalid change is refused and nothing is written.
    let bad = env.write(
        "bad.vires",
        &DELEGATION
            .replace("FROM", "2024-04-01")
            .replace("hj-qhm", "hj-13t")
            .replace("to        QHM", "to        13T"),
    );
    let (code, _, err) = env.run(&[
        "record",
        &bad,
        "--author",
        "tester",
        "--reason",
        "should fail",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("V008") || err.contains("nothing was recorded"),
        "{err}"
    );
    let (_, log, _) = env.run(&["--format", "json", "audit", "log"]);
    assert_eq!(log.as_array().unwrap().len(), 3);
    // A mistyped store path is an error, not an empty store that verifies.
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(["--db", "sqlite:///no/such/dir/vires.db", "audit", "verify"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn answers_from_a_fresh_ods_download() {
    let env = Env::new();
    let dir = tempfile::tempdir().unwrap();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/ods");
    for f in std::fs::read_dir(&data).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|x| x == "csv") {
            std::fs::copy(&f, dir.path().join(f.file_name().unwrap())).unwrap();
        }
    }
    let ods = dir.path().display().to_string();
    let (code, v, err) = env.run(&[
        "--ods",
        &ods,
        "--format",
        "json",
        "bodies",
        "--on",
        "2021-04-01",
        "--kind",
        "ccg",
    ]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v.as_array().unwrap().len(), 106);
    // The store was bound to that folder's data and holds nothing recorded, so the bundled
    // data rebinds it, and says so (a store holding a recorded change refuses: audit.rs).
    let (code, _, err) = env.run(&["bodies", "--on", "2021-04-01"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        err.contains("held nothing recorded") && err.contains("now bound to this one"),
        "{err}"
    );
    // A folder without the files is a clear error.
    let empty = tempfile::tempdir().unwrap();
    let (code, _, err) = env.run(&[
        "--ods",
        &empty.path().display().to_string(),
        "--db",
        "sqlite:///tmp/vires-unused.db",
        "bodies",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("data/README.md"), "{err}");
}
