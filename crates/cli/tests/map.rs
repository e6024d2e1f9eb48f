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

/// Rows of a bundled ODS extract (no header row).
fn ods(file: &str) -> Vec<csv::StringRecord> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/ods")
        .join(file);
    csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .collect()
}

/// NHS Frimley ICB's sub-ICB location D4U1Y sits in QNQ (ods_eccg_2024.csv, column 4), and the
/// successor file splits QNQ on 2026-04-01 (ods_succ.csv: old code, new code, _, date). After
/// the split the timeline places D4U1Y, and every CCG code that led to it, in each part.
#[test]
fn map_places_a_sub_icb_location_of_a_split_icb_by_the_timeline() {
    let parent = ods("ods_eccg_2024.csv")
        .into_iter()
        .find(|r| &r[0] == "D4U1Y")
        .map(|r| r[3].to_string())
        .unwrap();
    assert_eq!(parent, "QNQ");
    let mut parts: Vec<String> = ods("ods_succ.csv")
        .into_iter()
        .filter(|r| r[0] == parent && &r[3] == "20260401")
        .map(|r| r[1].to_string())
        .collect();
    parts.sort();
    assert!(parts.len() > 1, "a split: {parts:?}");

    let (_, text) = vires(&[
        "--format",
        "json",
        "map",
        "--to",
        "2026-06-01",
        "--kind",
        "ccg",
    ]);
    let v: Value = serde_json::from_str(&text).unwrap();
    let rows = v.as_array().unwrap();
    for old in ["D4U1Y", "15D", "10C", "99M"] {
        let mut icbs: Vec<String> = rows
            .iter()
            .filter(|r| r["old_code"] == old)
            .map(|r| {
                assert_eq!(r["code"], "D4U1Y", "{r}");
                r["icb_code"].as_str().unwrap_or_default().to_string()
            })
            .collect();
        icbs.sort();
        assert_eq!(icbs, parts, "{old}");
    }
    // The CSV says so too: one row per part, marked split, none without an ICB.
    let (_, csv_text) = vires(&["map", "--to", "2026-06-01", "--kind", "ccg"]);
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let d4u1y: Vec<csv::StringRecord> = r
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[0] == "D4U1Y")
        .collect();
    assert_eq!(d4u1y.len(), parts.len());
    assert!(
        d4u1y.iter().all(|r| &r[4] == "split" && !r[8].is_empty()),
        "{d4u1y:?}"
    );
    // Before the split, the ICB it sat in.
    let (_, text) = vires(&[
        "--format",
        "json",
        "map",
        "--to",
        "2025-06-01",
        "--kind",
        "ccg",
    ]);
    let v: Value = serde_json::from_str(&text).unwrap();
    let before: Vec<&Value> = v
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["old_code"] == "D4U1Y")
        .collect();
    assert_eq!(before.len(), 1);
    assert_eq!(before[0]["icb_code"], parent);
}

/// The help says what each status means, and the map uses no status it does not explain:
/// by hand, on 2013-04-01 the ICBs were not open yet and the CCGs were; by 2023-04-01 the
/// CCGs merged before 2022 (00F into 13T) had been succeeded.
#[test]
fn map_help_explains_every_status_the_map_uses() {
    let (_, help) = vires(&["map", "--help"]);
    let flat = help.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut seen = std::collections::BTreeSet::new();
    for on in ["2013-04-01", "2023-04-01", "2026-04-01"] {
        let (_, text) = vires(&["map", "--to", on]);
        let mut r = csv::Reader::from_reader(text.as_bytes());
        let at = r
            .headers()
            .unwrap()
            .iter()
            .position(|h| h == "status")
            .unwrap();
        for row in r.records() {
            seen.insert(row.unwrap()[at].to_string());
        }
    }
    for status in ["open", "succeeded", "not-yet-open"] {
        assert!(seen.contains(status), "{status} in {seen:?}");
    }
    for status in &seen {
        assert!(
            flat.contains(&format!("`{status}`,")),
            "{status} explained: {help}"
        );
    }
}
