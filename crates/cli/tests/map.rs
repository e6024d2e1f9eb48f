//! `vires map` through the real binary: a kind filter, JSON, CSV. Expected mappings are
//! public facts: NHS Darlington CCG (00C) is in the North East and North Cumbria ICB (QHM)
//! from July 2022.

use serde_json::Value;
use std::process::Command;

fn vires(args: &[&str]) -> (i32, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(args)
        .env(
            "VIRES_DB",
            format!("sqlite://{}", dir.path().join("s.db").display()),
        )
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    (0, String::from_utf8(out.stdout).unwrap())
}

#[test]
fn map_keeps_only_the_kinds_asked_for() {
    let (_, text) = vires(&["map", "--to", "2023-04-01", "--kind", "ccg"]);
    let mut r = csv::Reader::from_reader(text.as_bytes());
    assert_eq!(&r.headers().unwrap()[2], "old_kind");
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert!(rows.len() > 150, "every CCG ever: {}", rows.len());
    assert!(rows.iter().all(|r| &r[2] == "ccg"));
    let darlington = rows.iter().find(|r| &r[0] == "00C").unwrap();
    assert_eq!(&darlington[8], "QHM", "{darlington:?}");

    let (_, all) = vires(&["map", "--to", "2023-04-01"]);
    assert!(all.lines().count() > text.lines().count());
    assert!(all.contains(",commissioning-hub,"));
    assert!(!text.contains(",commissioning-hub,2023"));
}

#[test]
fn map_prints_json_when_asked() {
    let (_, text) = vires(&[
        "--format",
        "json",
        "map",
        "--to",
        "2023-04-01",
        "--kind",
        "ccg,sub-icb-location",
    ]);
    let v: Value = serde_json::from_str(&text).unwrap();
    let rows = v.as_array().unwrap();
    assert!(rows
        .iter()
        .all(|r| r["old_kind"] == "ccg" || r["old_kind"] == "sub-icb-location"));
    let darlington = rows.iter().find(|r| r["old_code"] == "00C").unwrap();
    assert_eq!(darlington["icb_code"], "QHM", "{darlington}");
    assert_eq!(darlington["on"], "2023-04-01");
}
