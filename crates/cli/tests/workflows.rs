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
