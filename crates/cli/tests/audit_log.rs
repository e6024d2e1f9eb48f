//! `audit log` through the real binary, on a real SQLite store: each entry names its
//! instrument (id and title), a long author keeps the columns (wrapped whole on a terminal,
//! in full in JSON and CSV), and recording a file again unchanged adds nothing.

use serde_json::Value;
use std::process::Command;

/// A long name, as some people have: every word must survive.
const AUTHOR: &str =
    "Professor Dame Anne-Marie Featherstonehaugh-Cholmondeley of King's Lynn and West Norfolk";

/// A test record (not a fact): a delegation the bundled register does not have.
const DELEGATION: &str = r#"delegation "Health and justice commissioning to the North East and North Cumbria ICB" {
  id        hj-qhm-log
  basis     "NHS Act 2006 s.65Z5"
  by        X24
  to        QHM
  functions commissioning.health-and-justice
  area      own
  from      2024-04-01
  source    "test record"
}
"#;

struct Env {
    dir: tempfile::TempDir,
}

impl Env {
    fn run(&self, args: &[&str], columns: Option<&str>) -> (i32, String, String) {
        let mut c = Command::new(env!("CARGO_BIN_EXE_vires"));
        c.args(args)
            .env(
                "VIRES_DB",
                format!("sqlite://{}", self.dir.path().join("s.db").display()),
            )
            .env_remove("COLUMNS");
        if let Some(w) = columns {
            c.env("COLUMNS", w);
        }
        let out = c.output().unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }

    fn file(&self, text: &str) -> String {
        let p = self.dir.path().join("d.vires");
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    fn log(&self) -> Vec<Value> {
        let (code, out, err) = self.run(&["--format", "json", "audit", "log"], None);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<Value>(&out)
            .unwrap()
            .as_array()
            .unwrap()
            .clone()
    }
}

fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

fn squeeze(s: &str) -> String {
    s.split_whitespace().collect()
}

#[test]
fn the_log_names_the_instrument_and_keeps_a_long_author_whole() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let f = env.file(DELEGATION);
    let (code, _, err) = env.run(
        &["record", &f, "--author", AUTHOR, "--reason", "a long name"],
        None,
    );
    assert_eq!(code, 0, "{err}");

    // On a terminal 100 wide: every line fits, the columns stay where the header puts
    // them, and the author and the title are there word for word.
    let (code, text, err) = env.run(&["audit", "log"], Some("100"));
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = text.lines().collect();
    let header = lines[0];
    assert_eq!(
        words(header),
        ["SEQ", "RECORDED", "AT", "AUTHOR", "CHANGE", "WHAT"]
    );
    let change_at = header.find("CHANGE").unwrap();
    let what_at = header.find("WHAT").unwrap();
    let entry = lines
        .iter()
        .position(|l| l.contains("add-instrument"))
        .unwrap();
    assert_eq!(
        lines[entry].find("add-instrument"),
        Some(change_at),
        "{text}"
    );
    assert_eq!(lines[entry].find("hj-qhm-log —"), Some(what_at), "{text}");
    let mut author = Vec::new();
    let mut what = Vec::new();
    for l in &lines[entry..] {
        let chars: Vec<char> = l.chars().collect();
        let cell = |from: usize, to: usize| -> String {
            chars[from.min(chars.len())..to.min(chars.len())]
                .iter()
                .collect()
        };
        author.push(cell(header.find("AUTHOR").unwrap(), change_at));
        what.push(cell(what_at, chars.len()));
    }
    assert!(lines.iter().all(|l| l.chars().count() <= 100), "{text}");
    // Wrapped lines break at spaces and after hyphens: without the spaces, the cell is
    // the value, character for character.
    assert_eq!(squeeze(&author.join(" ")), squeeze(AUTHOR), "{text}");
    let what = squeeze(&what.join(" "));
    assert!(
        what.starts_with(&squeeze(
            "hj-qhm-log — Health and justice commissioning to the North East and North Cumbria ICB why: a long name"
        )),
        "{what}"
    );
    assert!(!text.contains('…'), "nothing cut: {text}");

    // In a pipe every entry's first line holds the whole author.
    let (_, piped, _) = env.run(&["audit", "log"], None);
    assert!(piped.lines().any(|l| l.contains(AUTHOR)), "{piped}");

    // CSV and JSON carry the full values.
    let (code, csv, err) = env.run(&["--format", "csv", "audit", "log"], None);
    assert_eq!(code, 0, "{err}");
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    assert_eq!(
        r.headers().unwrap().iter().collect::<Vec<_>>(),
        [
            "seq",
            "recorded_at",
            "author",
            "change",
            "id",
            "title",
            "reason",
            "decision",
            "hash"
        ]
    );
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(&rows[0][3], "genesis");
    let added = rows.iter().find(|r| &r[3] == "add-instrument").unwrap();
    assert_eq!(&added[2], AUTHOR);
    assert_eq!(&added[4], "hj-qhm-log");
    assert_eq!(
        &added[5],
        "Health and justice commissioning to the North East and North Cumbria ICB"
    );
    assert_eq!(&added[6], "a long name");
    let log = env.log();
    assert_eq!(rows.len(), log.len());
    assert_eq!(log.last().unwrap()["author"], AUTHOR);
}

#[test]
fn recording_the_same_file_again_changes_nothing() {
    let env = Env {
        dir: tempfile::tempdir().unwrap(),
    };
    let f = env.file(DELEGATION);
    let (code, _, err) = env.run(&["record", &f, "--reason", "first"], None);
    assert_eq!(code, 0, "{err}");
    let before = env.log();

    let (code, out, err) = env.run(&["record", &f, "--reason", "again"], None);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("nothing changed"), "{out}");
    assert_eq!(env.log(), before, "no entry added");
    let (code, out, _) = env.run(
        &["--format", "json", "record", &f, "--reason", "again"],
        None,
    );
    assert_eq!((code, out.trim()), (0, "[]"));

    // A real correction (a new title) is still recorded, as a correction.
    let f = env.file(&DELEGATION.replace(
        "Health and justice commissioning to the North East",
        "Health and justice commissioning (corrected) to the North East",
    ));
    let (code, _, err) = env.run(&["record", &f, "--reason", "title corrected"], None);
    assert_eq!(code, 0, "{err}");
    let after = env.log();
    assert_eq!(after.len(), before.len() + 1);
    assert_eq!(after.last().unwrap()["change"]["op"], "correct-instrument");
}
