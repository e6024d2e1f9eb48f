//! Issue 26 item 2: commands that read files work on top of the bundled register plus the
//! store unless --register says otherwise, and agree on the findings.

mod common;

use serde_json::Value;
use std::process::Command;

struct Env {
    _dir: tempfile::TempDir,
    db: String,
    path: std::path::PathBuf,
}

impl Env {
    fn new() -> Env {
        let dir = tempfile::tempdir().unwrap();
        let db = format!("sqlite://{}", dir.path().join("vires.db").display());
        let path = dir.path().to_path_buf();
        Env {
            _dir: dir,
            db,
            path,
        }
    }

    fn write(&self, name: &str, text: &str) -> String {
        let p = self.path.join(name);
        std::fs::write(&p, text).unwrap();
        p.display().to_string()
    }

    fn run(&self, args: &[&str]) -> (i32, String, String) {
        let out = Command::new(env!("CARGO_BIN_EXE_vires"))
            .args(args)
            .env("VIRES_DB", &self.db)
            .env_remove("VIRES_ODS_DIR")
            .output()
            .unwrap();
        (
            out.status.code().unwrap_or(-1),
            String::from_utf8_lossy(&out.stdout).into_owned(),
            String::from_utf8_lossy(&out.stderr).into_owned(),
        )
    }
}

/// A delegation of dental services by NHS England to `to`, in its footprint, from `from`,
/// under s.13Z of the NHS Act 2006 (NHS England's power to arrange for CCGs to exercise
/// its functions, which ended with the CCGs on 1 July 2022, Health and Care Act 2022).
fn delegation(id: &str, to: &str, from: &str) -> String {
    format!(
        "delegation \"Delegation of dental to {to} (test)\" {{\n  id        {id}\n  basis     \"NHS Act 2006 s.13Z\"\n  by        X24\n  to        {to}\n  functions commissioning.primary-care.dental\n  area      footprint({to})\n  from      {from}\n  source    \"test\"\n}}\n"
    )
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn check_whatif_proposal_and_record_judge_files_on_the_bundled_register() {
    let env = Env::new();
    // 00T is a CCG in the bundled register in 2021: the file names no body of its own.
    let good = env.write(
        "good.vires",
        &delegation("test-00t-dental", "00T", "2021-04-01"),
    );
    let (code, out, err) = env.run(&["--format", "json", "check", &good]);
    assert_eq!(code, 0, "{out}{err}");
    let v = json(&out);
    assert_eq!(
        (v["instruments"].as_u64(), v["errors"].as_u64()),
        (Some(1), Some(0)),
        "{v}"
    );
    // On its own (--register) the same file knows neither X24 nor 00T.
    let (code, out, _) = env.run(&["-r", &good, "--format", "json", "check"]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("V001"), "{out}");
    let (code, out, err) = env.run(&["--format", "json", "whatif", &good]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(json(&out)["valid"], true, "{out}");

    // s.13Z arrangements with CCGs ended with them; QOP is an ICB from 1 July 2022.
    let void = env.write(
        "void.vires",
        &delegation("test-qop-dental", "QOP", "2023-04-01"),
    );
    let (code, out, _) = env.run(&["--format", "json", "check", &void]);
    assert_eq!(code, 1, "{out}");
    let check_codes: Vec<String> = json(&out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert!(check_codes.contains(&"V005".to_string()), "{out}");
    assert!(
        !check_codes.contains(&"V001".to_string()),
        "QOP is known: {out}"
    );
    let (code, out, _) = env.run(&["--format", "json", "whatif", &void]);
    assert_eq!(code, 1, "{out}");
    let whatif_codes: Vec<String> = json(&out)["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(whatif_codes, check_codes, "{out}");
    // proposal assesses it on the same register, with the same findings.
    let (code, out, err) = env.run(&["--format", "json", "proposal", &void]);
    assert_eq!(code, 1, "{out}{err}");
    let v = json(&out);
    assert_eq!(v["valid"], false, "{out}");
    let proposal_codes: Vec<String> = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(proposal_codes, check_codes, "{out}");
    let (code, out, err) = env.run(&["--format", "json", "proposal", &good]);
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(json(&out)["valid"], true, "{out}");
    // record refuses it with the same findings, and says check shows them.
    let (code, _, err) = env.run(&["record", &void, "--author", "t", "--reason", "test"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("V005") && err.contains("nothing was recorded"),
        "{err}"
    );
    assert!(err.contains("vires check FILE"), "{err}");
    // The valid one records, and export then has it on top of the bundled register.
    let (code, _, err) = env.run(&["record", &good, "--author", "t", "--reason", "test"]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = env.run(&["export"]);
    assert_eq!(code, 0, "{err}");
    let v = json(&out);
    let has = |id: &str| {
        v["instruments"]
            .as_array()
            .unwrap()
            .iter()
            .any(|i| i["id"] == id)
    };
    assert!(has("test-00t-dental") && !has("test-qop-dental"));
    assert!(
        v["bodies"]
            .as_array()
            .unwrap()
            .iter()
            .any(|b| b["code"] == "QOP"),
        "the bundled bodies are exported"
    );
}

/// Runs vires with the default store location under `data` (no --db, no VIRES_DB).
fn run_default(data: &std::path::Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(args)
        .env_remove("VIRES_DB")
        .env_remove("VIRES_ODS_DIR")
        .env("XDG_DATA_HOME", data)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A new vires with new bundled data meets a default store bound to the old data. With
/// nothing recorded in it, the store is set aside (kept, renamed) and a new one bound, so an
/// upgrade does not stop every question; with a recorded change, it is refused as before.
#[test]
fn a_default_store_with_nothing_recorded_is_set_aside_for_new_data() {
    let env = Env::new();
    // Another base register: the bundled extracts with one file changed.
    let ods_arg = common::other_ods(&env.path);
    let data = env.path.join("data");
    let ask = [
        "who",
        "-f",
        "commissioning.secondary-care",
        "--practice",
        "A85001",
        "--on",
        "2020-01-01",
    ];
    let with_ods: Vec<&str> = ask.iter().copied().chain(["--ods", &ods_arg]).collect();
    let (code, err) = run_default(&data, &with_ods);
    assert_eq!(code, 0, "{err}");
    let (code, err) = run_default(&data, &ask);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("held no recorded changes"), "{err}");
    let kept: Vec<String> = std::fs::read_dir(data.join("vires"))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with("vires.db.base-"))
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");

    // Now the default store is bound to the bundled data and holds a recorded change: the
    // other base is refused, and nothing is set aside.
    let file = env.write("d.vires", &delegation("dental-00t", "00T", "2016-04-01"));
    let (code, err) = run_default(&data, &["record", &file, "--reason", "test"]);
    assert_eq!(code, 0, "{err}");
    let (code, err) = run_default(&data, &with_ods);
    assert_ne!(code, 0);
    assert!(
        err.contains("is bound to base register") && err.contains("it holds 1 recorded change"),
        "{err}"
    );
    let files = std::fs::read_dir(data.join("vires")).unwrap().count();
    let (_, _) = run_default(&data, &with_ods);
    assert_eq!(
        std::fs::read_dir(data.join("vires")).unwrap().count(),
        files
    );
}

/// `vires serve` on a store recorded on other data refuses to start and says what to do:
/// give it the store that belongs to this data, not "check the address is free". By hand:
/// the store is bound to a folder of ODS files (a base other than the bundled register,
/// whatever the files hold) and holds a recorded delegation, so it is not rebound.
#[test]
fn serve_on_a_store_of_other_data_says_to_use_another_store() {
    let env = Env::new();
    let ods = env.path.join("ods");
    std::fs::create_dir(&ods).unwrap();
    let data = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/ods");
    for f in std::fs::read_dir(&data).unwrap() {
        let f = f.unwrap().path();
        if f.extension().is_some_and(|x| x == "csv") {
            std::fs::copy(&f, ods.join(f.file_name().unwrap())).unwrap();
        }
    }
    let file = env.write(
        "d.vires",
        &delegation("serve-test-00T", "00T", "2016-04-01"),
    );
    let ods = ods.display().to_string();
    let (code, _, err) = env.run(&["--ods", &ods, "record", &file, "--reason", "test"]);
    assert_eq!(code, 0, "{err}");
    let mut child = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(["serve", "--addr", "127.0.0.1:0"])
        .env("VIRES_DB", &env.db)
        .env_remove("VIRES_ODS_DIR")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let started = std::time::Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if started.elapsed() > std::time::Duration::from_secs(120) {
            child.kill().unwrap();
            panic!("the server started on a store of other data");
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    };
    let mut err = String::new();
    std::io::Read::read_to_string(&mut child.stderr.take().unwrap(), &mut err).unwrap();
    assert_eq!(status.code(), Some(1), "{err}");
    assert!(err.contains("it is not rebound"), "{err}");
    assert!(
        err.contains("give --db (or VIRES_DB) the store recorded on this data, or a new one"),
        "{err}"
    );
    assert!(!err.contains("check the address is free"), "{err}");
}
