//! A practice's CCG before its 2019 join date, through the real binary. A85001 (Fell Tower
//! Medical Centre, Gateshead) joined 13T on 2015-04-01, the day 00F, 00G and 00H merged into
//! it (ODS); NHS BSA's quarterly practice list sizes name 00F, NHS Gateshead CCG, for it in
//! every quarter from April 2013 to March 2015 (data/curated/practice-history.csv, which
//! cites the copies).

use std::process::Command;

fn who(on: &str) -> serde_json::Value {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args([
            "--format",
            "json",
            "who",
            "-f",
            "commissioning.secondary-care",
            "--practice",
            "A85001",
            "--on",
            on,
        ])
        .env(
            "VIRES_DB",
            format!("sqlite://{}", dir.path().join("s.db").display()),
        )
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

/// In June 2014 the answer names 00F and carries no caveat; in February 2015, after the last
/// quarter's first day, the record is still incomplete and says so.
#[test]
fn who_names_a_practices_ccg_before_its_merger() {
    let v = who("2014-06-01");
    let bodies: Vec<&str> = v["holders"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|h| h["body"].as_str())
        .collect();
    assert_eq!(bodies, ["00F"], "{v}");
    assert!(v.get("caveats").is_none(), "{v}");
    let v = who("2015-02-01");
    assert!(v["holders"].as_array().unwrap().is_empty(), "{v}");
    assert_eq!(v["caveats"][0]["kind"], "incomplete-record", "{v}");
}
