//! `vires whatif` answers on the store that --db or VIRES_DB names: a proposal already
//! recorded there adds nothing, while on a store without it the same proposal adds a holding.

use serde_json::Value;
use std::process::Command;

/// A delegation of dental services by NHS England (X24) to NHS Bolton CCG (00T) in its
/// footprint from 2021-04-01, under s.13Z of the NHS Act 2006 (NHS England's power to
/// arrange for CCGs to exercise its functions).
const DELEGATION: &str = "delegation \"Delegation of dental to 00T (test)\" {\n  id        test-00t-dental\n  basis     \"NHS Act 2006 s.13Z\"\n  by        X24\n  to        00T\n  functions commissioning.primary-care.dental\n  area      footprint(00T)\n  from      2021-04-01\n  source    \"test\"\n}\n";

fn run(dir: &std::path::Path, args: &[&str], env_db: Option<&str>) -> (i32, String, String) {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vires"));
    c.args(args)
        .env_remove("VIRES_DB")
        .env_remove("VIRES_ODS_DIR")
        // The default store would be the user's own: point it into the test's folder.
        .env("XDG_DATA_HOME", dir.join("data"))
        .env("VIRES_CACHE_DIR", dir.join("cache"));
    if let Some(db) = env_db {
        c.env("VIRES_DB", db);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The holdings the what-if adds, as (body, instrument).
fn added(out: &str) -> Vec<(String, String)> {
    let v: Value = serde_json::from_str(out).unwrap_or_else(|e| panic!("{e}: {out}"));
    assert_eq!(v["valid"], true, "{v}");
    v["diff"]["added"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["body"].as_str().unwrap().to_string(),
                h["instrument"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

#[test]
fn whatif_answers_on_the_store_db_names() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let file = d.join("delegation.vires");
    std::fs::write(&file, DELEGATION).unwrap();
    let file = file.to_str().unwrap();
    let recorded = format!("sqlite://{}", d.join("recorded.db").display());
    let fresh = format!("sqlite://{}", d.join("fresh.db").display());

    let (code, _, err) = run(
        d,
        &[
            "--db", &recorded, "record", file, "--author", "t", "--reason", "test",
        ],
        None,
    );
    assert_eq!(code, 0, "{err}");

    let gained = vec![("00T".to_string(), "test-00t-dental".to_string())];
    let whatif = ["--format", "json", "whatif", file];
    // A store without the delegation: the proposal gives 00T the function.
    let (code, out, err) = run(d, &[&["--db", fresh.as_str()][..], &whatif].concat(), None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(added(&out), gained);
    // The default store (none recorded there either).
    let (code, out, err) = run(d, &whatif, None);
    assert_eq!(code, 0, "{err}");
    assert_eq!(added(&out), gained);
    // The store that holds it, by flag and by environment: nothing new.
    let (code, out, err) = run(
        d,
        &[&["--db", recorded.as_str()][..], &whatif].concat(),
        None,
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(added(&out), vec![], "--db");
    let (code, out, err) = run(d, &whatif, Some(&recorded));
    assert_eq!(code, 0, "{err}");
    assert_eq!(added(&out), vec![], "VIRES_DB");
}
