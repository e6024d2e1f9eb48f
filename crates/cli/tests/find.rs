//! `vires find` and `who` naming the practice, through the real binary on the bundled
//! register. Expected values come from the public ODS and ONS extracts under data/ (codes,
//! names and postcodes as published), not from the program.

use serde_json::Value;
use std::process::Command;

fn vires(args: &[&str]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(args)
        .env(
            "VIRES_DB",
            format!("sqlite://{}", dir.path().join("s.db").display()),
        )
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn json(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let (code, out, err) = vires(&all);
    assert_eq!(code, 0, "{args:?}: {err}");
    serde_json::from_str(&out).unwrap()
}

#[test]
fn finds_by_code_postcode_ons_code_and_name_best_first() {
    // ONS: E38000016 is NHS Bolton CCG, ODS code 00T.
    let v = json(&["find", "E38000016"]);
    assert_eq!(v["results"][0]["code"], "00T", "{v}");
    assert_eq!(v["results"][0]["kind"], "body", "{v}");
    assert_eq!(v["results"][0]["matched"], "ons-code", "{v}");

    // epraccur: P82002 is Pikes Lane 1, BL3 5HP; lower case and without the space.
    let v = json(&["find", "bl35hp"]);
    let codes: Vec<&str> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["code"].as_str().unwrap())
        .collect();
    assert!(codes.contains(&"P82002"), "{v}");
    assert!(v["results"]
        .as_array()
        .unwrap()
        .iter()
        .all(|r| r["postcode"] == "BL3 5HP" && r["matched"] == "postcode"));

    // A practice by code, with the bodies it sat in: in 2020 Bolton CCG; in 2023 the
    // Bolton sub-ICB location 00T of Greater Manchester ICB (QOP).
    let v = json(&["find", "p82002", "--on", "2020-06-01"]);
    let first = &v["results"][0];
    assert_eq!(first["code"], "P82002", "{v}");
    assert_eq!(first["matched"], "code", "{v}");
    assert_eq!(first["name"], "Pikes Lane 1", "{v}");
    assert_eq!(first["within"][0]["code"], "00T", "{v}");
    assert_eq!(first["within"][0]["kind"], "ccg", "{v}");
    let v = json(&["find", "P82002", "--on", "2023-06-01"]);
    let within: Vec<&str> = v["results"][0]["within"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["code"].as_str().unwrap())
        .collect();
    assert_eq!(within, ["00T", "QOP"], "{v}");

    // Words of a name, limited to bodies alive on a date: Bolton CCG existed in 2021, not
    // in 2023 (abolished 2022-07-01).
    let v = json(&["find", "bolton", "--kind", "body", "--on", "2021-04-01"]);
    assert_eq!(v["results"][0]["code"], "00T", "{v}");
    assert_eq!(v["results"][0]["name"], "NHS Bolton CCG", "{v}");
    let (code, out, _) = vires(&[
        "--format",
        "json",
        "find",
        "nhs bolton ccg",
        "--kind",
        "body",
        "--on",
        "2023-04-01",
    ]);
    assert_eq!(code, 1, "nothing found is exit 1: {out}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["total"], 0, "{v}");

    // A postcode's start finds practices only there, best first, within the limit.
    let v = json(&["find", "BL3", "5", "--kind", "practice", "--limit", "3"]);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results.len(), 3, "{v}");
    assert!(v["total"].as_u64().unwrap() > 3, "{v}");
    assert!(results
        .iter()
        .all(|r| r["postcode"].as_str().unwrap().starts_with("BL3 5")));
}

#[test]
fn find_says_what_is_wrong_with_the_text() {
    let (code, out, _) = vires(&["find", "zzqqzzqq"]);
    assert_eq!(code, 1);
    assert!(out.contains("nothing matches"), "{out}");
    let (code, _, err) = vires(&["find", " "]);
    assert_eq!(code, 1);
    assert!(err.contains("empty"), "{err}");
    let long = "x".repeat(201);
    let (code, _, err) = vires(&["find", &long]);
    assert_eq!(code, 1);
    assert!(err.contains("at most 200"), "{err}");
    let (code, _, err) = vires(&["find", "bolton", "--limit", "0"]);
    assert_eq!(code, 2, "{err}");
    let (code, _, err) = vires(&["find", "bolton", "--kind", "hospital"]);
    assert_eq!(code, 2, "{err}");
    assert!(
        err.contains("body, practice, area, instrument, function"),
        "{err}"
    );
}

#[test]
fn find_prints_a_header_and_whole_names() {
    let (code, out, err) = vires(&["find", "E54000057"]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    let header = lines.next().unwrap();
    assert!(
        header.starts_with("KIND") && header.contains("NAME"),
        "{out}"
    );
    // ONS: E54000057 is NHS Greater Manchester Integrated Care Board (QOP); no name cut.
    let row = lines.next().unwrap();
    assert!(
        row.contains("QOP") && row.contains("NHS Greater Manchester Integrated Care Board"),
        "{out}"
    );
    assert!(row.contains("open"), "an open end says so: {out}");
}

#[test]
fn who_names_the_practice_and_its_body() {
    let (code, out, err) = vires(&[
        "who",
        "-f",
        "commissioning.secondary-care",
        "--practice",
        "P82002",
        "--on",
        "2020-06-01",
    ]);
    assert_eq!(code, 0, "{err}");
    let line = out.lines().nth(1).unwrap();
    assert!(line.contains("Pikes Lane 1"), "{out}");
    assert!(line.contains("BL3 5HP"), "{out}");
    assert!(line.contains("00T NHS Bolton CCG"), "{out}");
}

/// A code `who` does not know sends the user to `find`, which finds things by name.
#[test]
fn an_unknown_code_points_to_find() {
    let f = "commissioning.secondary-care";
    for (flag, kind) in [
        ("--practice", "practice"),
        ("--body", "body"),
        ("--area", "area"),
    ] {
        let (code, out, err) = vires(&["who", "-f", f, flag, "ZZZ9", "--on", "2020-01-01"]);
        assert_eq!(code, 1, "{out}{err}");
        assert!(err.starts_with("error: ") && err.contains("ZZZ9"), "{err}");
        let help = err
            .lines()
            .find(|l| l.starts_with("help: "))
            .unwrap_or_default();
        assert!(help.contains(&format!("--kind {kind}")), "{err}");
    }
    let (code, _, err) = vires(&["who", "-f", "dentistry", "--england"]);
    assert_eq!(code, 1);
    assert!(err.contains("--kind function"), "{err}");
}

#[test]
fn an_icb_comes_before_the_sub_icb_locations_named_after_it() {
    // ODS: QOP is NHS Greater Manchester Integrated Care Board; its sub-ICB locations
    // (00T Bolton, 00V Bury, ...) are named "NHS Greater Manchester ICB - 00T" and so on, so
    // they match the same words with shorter names. A person searching the ICB's name
    // wants the ICB first.
    let v = json(&["find", "greater manchester", "--kind", "body"]);
    let results = v["results"].as_array().unwrap();
    assert_eq!(results[0]["code"], "QOP", "{v}");
    assert_eq!(results[0]["detail"], "icb", "{v}");
    assert!(
        results[1..]
            .iter()
            .any(|r| r["detail"] == "sub-icb-location"),
        "{v}"
    );
}
