//! The workflow commands on the worked examples: an application round, a proposal with a
//! joint appointment, and the calendar as iCalendar.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn vires(args: &[&str]) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(args)
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn path(p: &str) -> String {
    root().join(p).display().to_string()
}

#[test]
fn co_commissioning_round_refuses_the_late_application() {
    let reg = path("examples/workflows/co-commissioning-2014/register.vires");
    let round = path("examples/workflows/co-commissioning-2014/round.json");
    let (code, out, err) = vires(&["-r", &reg, "--format", "json", "round", &round]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    let states: Vec<(String, String)> = v["applications"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| {
            (
                a["applicant"].as_str().unwrap().into(),
                a["state"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert!(
        states.contains(&("00K".into(), "approved".into())),
        "{states:?}"
    );
    assert!(
        states.contains(&("00C".into(), "approved".into())),
        "{states:?}"
    );
    assert!(
        !states.contains(&("00D".into(), "approved".into())),
        "{states:?}"
    );
    assert_eq!(v["instruments"].as_array().unwrap().len(), 2);
    assert!(
        v["refusals"].to_string().contains("deadline"),
        "{}",
        v["refusals"]
    );
}

#[test]
fn legislative_proposal_reports_the_joint_appointment() {
    let base = path("examples/seed-3-legislative-proposals/base.vires");
    let prop = path("examples/seed-3-legislative-proposals/proposal.vires");
    let interests = path("examples/workflows/legislative-2019/interests.json");
    let (code, out, err) = vires(&[
        "-r",
        &base,
        "--format",
        "json",
        "proposal",
        &prop,
        "--interests",
        &interests,
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["valid"], true);
    assert_eq!(
        v["conflicts"].as_array().unwrap().len(),
        1,
        "{}",
        v["conflicts"]
    );
    // A proposal that would be void is reported and exits 1.
    let broken = tempfile::NamedTempFile::with_suffix(".vires").unwrap();
    std::fs::write(
        broken.path(),
        "delegation \"x\" { id bad-1 basis \"NHS Act 2006 s.13Z\" by 02P to RFF functions commissioning.specialised from 2022-04-01 source \"t\" }\n",
    )
    .unwrap();
    let (code, _, _) = vires(&[
        "-r",
        &base,
        "proposal",
        &broken.path().display().to_string(),
    ]);
    assert_eq!(code, 1);
}

#[test]
fn calendar_exports_icalendar() {
    let reg = path("examples/seed-5-struggling-ccgs");
    let (code, out, err) = vires(&[
        "-r",
        &reg,
        "calendar",
        "--on",
        "2018-01-01",
        "--days",
        "365",
        "--ics",
    ]);
    assert_eq!(code, 0, "{err}");
    assert!(out.starts_with("BEGIN:VCALENDAR\r\n"), "{out}");
    assert!(out.contains("intervention-08A-2017"), "{out}");
    assert!(out.trim_end().ends_with("END:VCALENDAR"));
}

// ---------------------------------------------------------------------------------------
// Recording workflows in the store

fn log_json(db: &str) -> Vec<Value> {
    let (code, out, err) = vires(&["--db", db, "--format", "json", "audit", "log"]);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str::<Value>(&out)
        .unwrap()
        .as_array()
        .unwrap()
        .clone()
}

fn verifies(db: &str) {
    let (code, out, err) = vires(&["--db", db, "audit", "verify"]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("verifies"), "{out}");
}

/// The holders of GP services in a CCG's area on 2015-04-01: (body, role, instruments).
fn gp_holders(db: &str, ccg: &str) -> Vec<(String, String, Vec<String>)> {
    let (code, out, err) = vires(&[
        "--db",
        db,
        "--format",
        "json",
        "who",
        "--function",
        "commissioning.primary-care.medical",
        "--body",
        ccg,
        "--on",
        "2015-04-01",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    v["holders"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| {
            (
                h["body"].as_str().unwrap_or_default().to_string(),
                h["role"].as_str().unwrap_or_default().to_string(),
                h["proof"]
                    .as_array()
                    .map(|p| {
                        p.iter()
                            .filter_map(|x| x["instrument"].as_str().map(String::from))
                            .collect()
                    })
                    .unwrap_or_default(),
            )
        })
        .collect()
}

#[test]
fn recorded_round_lands_in_the_log_and_answers_who() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("vires.db").display());
    let round = path("examples/workflows/co-commissioning-2014/round.json");

    // Before: NHS England alone holds GP services in 00K's area.
    let before = gp_holders(&db, "00K");
    assert!(before.iter().all(|(b, _, _)| b == "X24"), "{before:?}");

    let (code, out, err) = vires(&[
        "--db",
        &db,
        "--format",
        "json",
        "round",
        &round,
        "--record",
        "--author",
        "Jane Smith",
    ]);
    assert_eq!(code, 0, "{err}");
    let v: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["run"]["instruments"].as_array().unwrap().len(), 2);

    let log = log_json(&db);
    let steps: Vec<(String, String)> = log
        .iter()
        .filter(|e| e["change"]["op"] == "workflow-step")
        .map(|e| {
            assert_eq!(e["author"], "Jane Smith");
            assert_eq!(e["change"]["workflow"], "round");
            assert_eq!(e["change"]["id"], "cocom-2014");
            (
                e["change"]["step"].as_str().unwrap().to_string(),
                e["change"]["subject"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    for want in [
        ("submit", "00K-delegated"),
        ("submit", "00C-joint"),
        ("refuse", "00D-delegated"),
        ("recommend", "00K-delegated"),
        ("approve", "00K-delegated"),
        ("approve", "00C-joint"),
    ] {
        assert!(
            steps.contains(&(want.0.to_string(), want.1.to_string())),
            "{want:?} not in {steps:?}"
        );
    }
    // The late application's refusal carries its reason.
    assert!(log.iter().any(|e| e["change"]["step"] == "refuse"
        && e["change"]["detail"]
            .as_str()
            .unwrap_or("")
            .contains("deadline")));
    // Each issued instrument follows the approval that issued it.
    let ops: Vec<String> = log
        .iter()
        .map(|e| match e["change"]["op"].as_str().unwrap() {
            "workflow-step" => format!("step:{}", e["change"]["step"].as_str().unwrap()),
            "add-instrument" => {
                format!("add:{}", e["change"]["instrument"]["id"].as_str().unwrap())
            }
            other => other.to_string(),
        })
        .collect();
    let approve = ops.iter().position(|o| o == "step:approve").unwrap();
    assert_eq!(ops[approve + 1], "add:cocom-2014-00K-delegated", "{ops:?}");
    assert_eq!(ops.last().unwrap(), "add:cocom-2014-00C-joint", "{ops:?}");
    verifies(&db);

    // The text log shows the steps with their dates and actors.
    let (code, text, _) = vires(&["--db", &db, "audit", "log"]);
    assert_eq!(code, 0);
    assert!(
        text.contains("round cocom-2014: approve 00K-delegated on 2014-11-06 by NHS England board"),
        "{text}"
    );

    // The register now answers from the recorded instruments alone.
    let k = gp_holders(&db, "00K");
    assert!(
        k.iter().any(|(b, r, p)| b == "00K"
            && r == "delegate"
            && p.contains(&"cocom-2014-00K-delegated".to_string())),
        "{k:?}"
    );
    let c = gp_holders(&db, "00C");
    assert!(
        c.iter()
            .any(|(b, _, p)| b == "00C" && p.contains(&"cocom-2014-00C-joint".to_string())),
        "{c:?}"
    );
    let d = gp_holders(&db, "00D");
    assert!(d.iter().all(|(b, _, _)| b == "X24"), "{d:?}");

    // Recording the same round again is refused and writes nothing.
    let n = log.len();
    let (code, _, err) = vires(&["--db", &db, "round", &round, "--record", "--author", "x"]);
    assert_eq!(code, 1);
    assert!(err.contains("already recorded"), "{err}");
    assert_eq!(log_json(&db).len(), n);
    // --record works on the store's register only.
    let reg = path("examples/workflows/co-commissioning-2014/register.vires");
    let (code, _, err) = vires(&["--db", &db, "-r", &reg, "round", &round, "--record"]);
    assert_eq!(code, 2, "{err}");
    assert_eq!(log_json(&db).len(), n);
    verifies(&db);
}

#[test]
fn round_refuses_to_record_invalid_instruments() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("vires.db").display());
    // The same round, but the maker is a CCG that holds no GP services to delegate.
    let text = std::fs::read_to_string(path("examples/workflows/co-commissioning-2014/round.json"))
        .unwrap();
    let mut v: Value = serde_json::from_str(&text).unwrap();
    v["round"]["maker"] = Value::from("00D");
    v["round"]["id"] = Value::from("bad-round");
    let file = dir.path().join("round.json");
    std::fs::write(&file, v.to_string()).unwrap();
    // Asking a question creates the store (with its genesis entry).
    assert!(gp_holders(&db, "00K").iter().all(|(b, _, _)| b == "X24"));
    let n = log_json(&db).len();
    let (code, _, err) = vires(&[
        "--db",
        &db,
        "round",
        &file.display().to_string(),
        "--record",
        "--author",
        "x",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nothing was recorded"), "{err}");
    assert_eq!(log_json(&db).len(), n);
    verifies(&db);
}

#[test]
fn proposals_publish_atomically_and_withdraw_as_one_step() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("vires.db").display());
    let good = dir.path().join("whatif-00d.vires");
    std::fs::write(
        &good,
        r#"delegation "Delegated commissioning of GP services: 00D (what-if)" {
  id        whatif-00D-delegated
  basis     "NHS Act 2006 s.13Z"
  by        X24
  to        00D
  functions commissioning.primary-care.medical
  except    commissioning.primary-care.medical.performers
  area      footprint(00D)
  from      2015-04-01
  onward    forbidden
  source    "test"
}
"#,
    )
    .unwrap();
    let broken = dir.path().join("broken.vires");
    std::fs::write(
        &broken,
        "delegation \"x\" { id bad-1 basis \"NHS Act 2006 s.13Z\" by 02P to RFF functions commissioning.specialised from 2022-04-01 source \"t\" }\n",
    )
    .unwrap();
    let good = good.display().to_string();
    let broken = broken.display().to_string();

    // Before: NHS England alone holds GP services in 00D's area (this creates the store).
    assert!(gp_holders(&db, "00D").iter().all(|(b, _, _)| b == "X24"));
    // A refused publish leaves the log as it was.
    let n = log_json(&db).len();
    let (code, _, err) = vires(&[
        "--db",
        &db,
        "proposal",
        &broken,
        "--publish",
        "--author",
        "a",
        "--reason",
        "r",
    ]);
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("nothing was recorded"), "{err}");
    assert_eq!(log_json(&db).len(), n);
    // --reason is required.
    let (code, _, _) = vires(&["--db", &db, "proposal", &good, "--publish"]);
    assert_eq!(code, 2);
    assert_eq!(log_json(&db).len(), n);

    // A valid one lands whole: the publication step and its instrument.
    let (code, _, err) = vires(&[
        "--db",
        &db,
        "proposal",
        &good,
        "--publish",
        "--author",
        "Board secretary",
        "--reason",
        "approved by the board",
        "--on",
        "2015-03-01",
    ]);
    assert_eq!(code, 0, "{err}");
    let log = log_json(&db);
    assert_eq!(log.len(), n + 2);
    assert_eq!(log[n]["change"]["step"], "publish");
    assert_eq!(log[n]["change"]["on"], "2015-03-01");
    assert_eq!(
        log[n + 1]["change"]["instrument"]["id"],
        "whatif-00D-delegated"
    );
    let d = gp_holders(&db, "00D");
    assert!(
        d.iter().any(|(b, r, _)| b == "00D" && r == "delegate"),
        "{d:?}"
    );
    // Publishing twice is refused.
    let (code, _, _) = vires(&[
        "--db",
        &db,
        "proposal",
        &good,
        "--publish",
        "--author",
        "a",
        "--reason",
        "again",
    ]);
    assert_eq!(code, 1);
    assert_eq!(log_json(&db).len(), n + 2);

    // Withdrawing leaves only the step.
    let (code, _, err) = vires(&[
        "--db",
        &db,
        "proposal",
        &broken,
        "--withdraw",
        "--author",
        "a",
        "--reason",
        "not pursued",
    ]);
    assert_eq!(code, 0, "{err}");
    let log = log_json(&db);
    assert_eq!(log.len(), n + 3);
    let last = &log[n + 2]["change"];
    assert_eq!(last["op"], "workflow-step");
    assert_eq!(last["step"], "withdraw");
    assert_eq!(last["detail"], "not pursued");
    verifies(&db);
}

#[test]
fn help_teaches_the_recording_flags() {
    let (code, out, _) = vires(&["round", "--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("--record") && out.contains("--author"),
        "{out}"
    );
    assert!(out.contains("audit log"), "{out}");
    let (code, out, _) = vires(&["proposal", "--help"]);
    assert_eq!(code, 0);
    assert!(
        out.contains("--publish") && out.contains("--withdraw") && out.contains("--reason"),
        "{out}"
    );
}

/// The text answers of `round`, `proposal` and `assessments`, made by the CLI from the
/// workflow library's data (the same facts the library tests assert on the data).
#[test]
fn workflow_answers_as_text() {
    let reg = path("examples/workflows/co-commissioning-2014/register.vires");
    let round = path("examples/workflows/co-commissioning-2014/round.json");
    let (code, out, err) = vires(&["-r", &reg, "round", &round]);
    assert_eq!(code, 0, "{err}");
    let late = out
        .lines()
        .find(|l| l.starts_with("00D-delegated"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        late.contains("refused: ") && late.contains("after the delegated deadline of 2014-06-20"),
        "{out}"
    );
    assert!(
        out.lines().next().unwrap().starts_with("application"),
        "{out}"
    );

    let base = path("examples/seed-3-legislative-proposals/base.vires");
    let prop = path("examples/seed-3-legislative-proposals/proposal.vires");
    let interests = path("examples/workflows/legislative-2019/interests.json");
    let (code, out, err) = vires(&["-r", &base, "proposal", &prop, "--interests", &interests]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.lines().any(|l| l.starts_with("conflict: Ms J. Hartley")
            && l.contains("proposal-barnsley-joint-committee")),
        "{out}"
    );

    let reg = path("examples/workflows/intervention/register.vires");
    let list = path("examples/workflows/intervention/assessments.json");
    let (code, out, err) = vires(&["-r", &reg, "assessments", &list]);
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    // A header, its rule, and the four assessments newest first.
    assert_eq!(lines.len(), 2 + 4, "{out}");
    assert!(lines[0].starts_with("date"));
    assert!(
        lines[2].contains("00T") && lines[2].contains("segment 3"),
        "{out}"
    );
    assert!(
        out.contains("NHS Greenwich CCG") && out.contains("requires improvement"),
        "{out}"
    );
}
