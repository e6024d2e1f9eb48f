//! The five seed situations of DOMAIN.md, as runnable examples with asserted answers: each test
//! runs the real `vires` binary on the `.vires` files under `examples/` and reads its JSON.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(dir: &str) -> String {
    root().join("examples").join(dir).display().to_string()
}

/// Runs vires with args; returns (exit code, stdout JSON or Null, stderr).
fn vires(args: &[&str]) -> (i32, Value, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(args)
        .output()
        .expect("vires runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_str(&stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

fn holders(v: &Value) -> Vec<(String, String, String)> {
    v["holders"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|h| {
            (
                h["body"].as_str().unwrap_or("").to_string(),
                h["role"].as_str().unwrap_or("").to_string(),
                h["accountable"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn hs(list: &[(&str, &str, &str)]) -> Vec<(String, String, String)> {
    list.iter()
        .map(|(a, b, c)| (a.to_string(), b.to_string(), c.to_string()))
        .collect()
}

fn proof(h: &Value) -> Vec<String> {
    h["proof"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|p| p["instrument"].as_str().unwrap_or("").to_string())
        .collect()
}

fn diag_codes(check: &Value, subject: &str) -> Vec<String> {
    check["diagnostics"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .filter(|d| d["subject"] == subject)
        .map(|d| d["code"].as_str().unwrap_or("").to_string())
        .collect()
}

const SC: &str = "commissioning.secondary-care";
const GP: &str = "commissioning.primary-care.medical";

#[test]
fn seed_1_emergency_direction() {
    let r = example("seed-1-emergency-direction");
    let who = |on: &str, purpose: Option<&str>| {
        let mut args = vec![
            "--register",
            &r,
            "--format",
            "json",
            "who",
            "-f",
            SC,
            "--body",
            "13T",
            "--on",
            on,
        ];
        if let Some(p) = purpose {
            args.extend(["--purpose", p]);
        }
        let (code, v, err) = vires(&args);
        assert_eq!(code, 0, "{err}");
        v
    };
    // In 2020 both hold: the CCG by statute, NHS England concurrently for the stated purposes.
    let mid = who("2020-06-01", None);
    assert_eq!(
        holders(&mid),
        hs(&[("13T", "statutory", "13T"), ("X24", "concurrent", "13T")])
    );
    let nhse = &mid["holders"][1];
    assert_eq!(
        nhse["purposes"],
        serde_json::json!(["independent-provider-commissioning", "coronavirus-support"])
    );
    assert_eq!(
        proof(nhse),
        vec!["hsca-2012-ccg-secondary-care", "covid-ccg-functions-2020"]
    );
    assert_eq!(mid["holders"][0]["purposes"], serde_json::json!([]));
    // For a stated purpose both hold; for any other purpose only the CCG.
    assert_eq!(
        holders(&who("2020-06-01", Some("coronavirus-support"))).len(),
        2
    );
    assert_eq!(
        holders(&who("2020-06-01", Some("routine-commissioning"))),
        hs(&[("13T", "statutory", "13T")])
    );
    // From 2021-01-01 only the CCG (the seed alone; the real extension is in the England register).
    assert_eq!(
        holders(&who("2021-01-01", None)),
        hs(&[("13T", "statutory", "13T")])
    );
    // Before the direction only the CCG.
    assert_eq!(
        holders(&who("2020-03-19", None)),
        hs(&[("13T", "statutory", "13T")])
    );
    // An NHS England act for another purpose is outside the direction.
    let (code, may, _) = vires(&[
        "--register",
        &r,
        "--format",
        "json",
        "may",
        "--as",
        "X24",
        "-f",
        SC,
        "--body",
        "13T",
        "--on",
        "2020-09-01",
        "--purpose",
        "routine-commissioning",
    ]);
    assert_eq!(code, 1);
    assert_eq!(may["allowed"], false);
    assert!(
        may["reason"].as_str().unwrap_or("").contains("outside"),
        "{may}"
    );
    let (code, check, _) = vires(&["--register", &r, "--format", "json", "check"]);
    assert_eq!(
        code, 1,
        "an act outside the direction makes the register invalid"
    );
    assert_eq!(
        diag_codes(&check, "nhse-routine-community-2020"),
        vec!["V016"]
    );
    assert!(diag_codes(&check, "nhse-independent-beds-2020").is_empty());
    assert!(diag_codes(&check, "covid-ccg-functions-2020").is_empty());
}

#[test]
fn seed_2_support_services_mandate() {
    let r = example("seed-2-support-services-mandate");
    let (code, check, err) = vires(&["--register", &r, "--format", "json", "check"]);
    assert_eq!(code, 1, "{err}");
    // The requirements NHS England made rest on no power; the Secretary of State's mandate does.
    assert_eq!(diag_codes(&check, "lpf-bi-gpit-2014"), vec!["V006"]);
    assert_eq!(diag_codes(&check, "lpf-collective-2014"), vec!["V006"]);
    assert!(diag_codes(&check, "nhs-mandate-2014").is_empty());
    let (_, ex, _) = vires(&[
        "--register",
        &r,
        "--format",
        "json",
        "explain",
        "lpf-bi-gpit-2014",
    ]);
    assert_eq!(ex["valid"], false);
    assert_eq!(
        ex["instrument"]["requirement"]["categories"],
        serde_json::json!(["business-intelligence", "gp-it"])
    );
    let (_, ok, _) = vires(&[
        "--register",
        &r,
        "--format",
        "json",
        "explain",
        "nhs-mandate-2014",
    ]);
    assert_eq!(ok["valid"], true);
    assert!(ok["rests_on"]["cites"].to_string().contains("13A"), "{ok}");
    assert_eq!(ex["rests_on"], Value::Null);
    // The human-readable check points at the offending words with file:line:col.
    let (_, _, text) = vires(&["--register", &r, "check"]);
    assert!(text.contains("V006"), "{text}");
    assert!(text.contains("register.vires:"), "{text}");
}

#[test]
fn seed_3_legislative_proposals_what_if() {
    let base = root()
        .join("examples/seed-3-legislative-proposals/base.vires")
        .display()
        .to_string();
    let prop = root()
        .join("examples/seed-3-legislative-proposals/proposal.vires")
        .display()
        .to_string();
    let (code, v, err) = vires(&[
        "--register",
        &base,
        "--format",
        "json",
        "whatif",
        &prop,
        "--on",
        "2022-04-01",
    ]);
    assert_eq!(code, 0, "{err}\n{v}");
    assert_eq!(v["valid"], true, "{v}");
    let changes = |k: &str| -> Vec<(String, String, String)> {
        v["diff"][k]
            .as_array()
            .unwrap_or(&Vec::new())
            .iter()
            .map(|h| {
                (
                    h["body"].as_str().unwrap_or("").to_string(),
                    h["role"].as_str().unwrap_or("").to_string(),
                    h["function"].as_str().unwrap_or("").to_string(),
                )
            })
            .collect()
    };
    let mut added = changes("added");
    added.sort();
    let mut removed = changes("removed");
    removed.sort();
    let t = |a: &str, b: &str, c: &str| (a.to_string(), b.to_string(), c.to_string());
    assert_eq!(
        added,
        vec![
            t("02P", "delegate", "commissioning.specialised"),
            t("02P", "joint-member", SC),
            t("02P", "statutory", "duty.triple-aim"),
            t("RFF", "joint-member", SC),
            t("RFF", "statutory", "duty.triple-aim"),
            t("X24", "statutory", "oversight.foundation-trusts"),
            t("X24", "statutory", "oversight.nhs-trusts"),
        ]
    );
    assert_eq!(
        removed,
        vec![
            t("02P", "statutory", SC),
            t("MONITOR", "statutory", "oversight.foundation-trusts"),
            t("NHSTDA", "statutory", "oversight.nhs-trusts"),
        ]
    );
    // Without the proposal's new power, the joint committee would rest on nothing.
    let (_, base_only, _) = vires(&[
        "--register",
        &base,
        "--format",
        "json",
        "who",
        "-f",
        SC,
        "--body",
        "02P",
        "--on",
        "2022-04-01",
    ]);
    assert_eq!(holders(&base_only), hs(&[("02P", "statutory", "02P")]));
}

#[test]
fn seed_4_co_commissioning() {
    let r = example("seed-4-co-commissioning");
    let who = |f: &str, body: &str, on: &str| {
        let (code, v, err) = vires(&[
            "--register",
            &r,
            "--format",
            "json",
            "who",
            "-f",
            f,
            "--body",
            body,
            "--on",
            on,
        ]);
        assert_eq!(code, 0, "{err}");
        v
    };
    // Delegated: the CCG exercises GP commissioning, NHS England stays accountable and
    // still holds the part it did not delegate, performer management, named as that part.
    let d = who(GP, "13T", "2015-06-01");
    assert_eq!(
        holders(&d),
        hs(&[("13T", "delegate", "X24"), ("X24", "statutory", "X24")])
    );
    assert_eq!(d["holders"][0]["function"], GP);
    assert_eq!(
        d["holders"][1]["function"],
        "commissioning.primary-care.medical.performers"
    );
    assert_eq!(d["accountable_only"], serde_json::json!([]));
    assert_eq!(
        proof(&d["holders"][0]),
        vec!["hsca-2012-nhse-primary-care", "cocom-delegated-13T"]
    );
    // NHS England keeps what it did not delegate.
    let perf = who(
        "commissioning.primary-care.medical.performers",
        "13T",
        "2015-06-01",
    );
    assert_eq!(holders(&perf), hs(&[("X24", "statutory", "X24")]));
    let dental = who("commissioning.primary-care.dental", "13T", "2015-06-01");
    assert_eq!(holders(&dental), hs(&[("X24", "statutory", "X24")]));
    // Joint: both decide together; NHS England accountable, and holding performer
    // management, which the committee does not have, itself.
    let j = who(GP, "00C", "2015-06-01");
    assert_eq!(
        holders(&j),
        hs(&[
            ("00C", "joint-member", "X24"),
            ("X24", "joint-member", "X24"),
            ("X24", "statutory", "X24")
        ])
    );
    // Before 1 April 2015, and for greater involvement only, NHS England holds.
    assert_eq!(
        holders(&who(GP, "00C", "2015-03-31")),
        hs(&[("X24", "statutory", "X24")])
    );
    assert_eq!(
        holders(&who(GP, "00D", "2015-06-01")),
        hs(&[("X24", "statutory", "X24")])
    );
    // The onward delegation to a GP federation is refused, and grants nothing.
    let (code, check, _) = vires(&["--register", &r, "--format", "json", "check"]);
    assert_eq!(code, 1);
    // Refused twice over: the delegation forbids onward delegation (V011), and s.14Z3 lets a
    // CCG arrange only with other CCGs (V005).
    let mut codes = diag_codes(&check, "cocom-onward-13T");
    codes.sort();
    assert_eq!(codes, vec!["V005", "V011"]);
    assert_eq!(
        holders(&who(GP, "13T", "2016-06-01")),
        hs(&[("13T", "delegate", "X24"), ("X24", "statutory", "X24")])
    );
}

#[test]
fn seed_5_struggling_ccgs() {
    let r = example("seed-5-struggling-ccgs");
    let (code, tl, err) = vires(&[
        "--register",
        &r,
        "--format",
        "json",
        "timeline",
        "-f",
        SC,
        "--body",
        "08A",
    ]);
    assert_eq!(code, 0, "{err}");
    let segs: Vec<(String, String, Vec<String>)> = tl["segments"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|s| {
            (
                s["from"].as_str().unwrap_or("").to_string(),
                s["until"].as_str().unwrap_or("").to_string(),
                s["holders"]
                    .as_array()
                    .unwrap_or(&Vec::new())
                    .iter()
                    .map(|h| {
                        format!(
                            "{} {}",
                            h["body"].as_str().unwrap_or(""),
                            h["role"].as_str().unwrap_or("")
                        )
                    })
                    .collect(),
            )
        })
        .collect();
    let seg = |a: &str, b: &str, h: &str| (a.to_string(), b.to_string(), vec![h.to_string()]);
    // Before, during and after the intervention.
    assert_eq!(
        segs,
        vec![
            seg("2013-04-01", "2017-09-01", "08A statutory"),
            seg("2017-09-01", "2018-11-01", "08Q directed"),
            seg("2018-11-01", "2020-04-01", "08A statutory"),
        ]
    );
    let (_, during, _) = vires(&[
        "--register",
        &r,
        "--format",
        "json",
        "who",
        "-f",
        SC,
        "--body",
        "08A",
        "--on",
        "2018-01-01",
    ]);
    assert_eq!(holders(&during), hs(&[("08Q", "directed", "08A")]));
    assert_eq!(during["accountable_only"], serde_json::json!(["08A"]));
    // Lewisham was not moved.
    let (_, lew, _) = vires(&[
        "--register",
        &r,
        "--format",
        "json",
        "who",
        "-f",
        SC,
        "--body",
        "08L",
        "--on",
        "2018-01-01",
    ]);
    assert_eq!(holders(&lew), hs(&[("08L", "statutory", "08L")]));
    // Greater Manchester: NHS England and the combined authority decide together.
    let (_, gm, _) = vires(&[
        "--register",
        &r,
        "--format",
        "json",
        "who",
        "-f",
        "commissioning.specialised",
        "--area",
        "greater-manchester",
        "--on",
        "2017-01-01",
    ]);
    assert_eq!(
        holders(&gm),
        hs(&[
            ("E47000001", "joint-member", "X24"),
            ("X24", "joint-member", "X24")
        ])
    );
    let (_, exp, _) = vires(&[
        "--register",
        &r,
        "--format",
        "json",
        "expiring",
        "--on",
        "2018-06-01",
        "--days",
        "365",
    ]);
    assert_eq!(exp[0]["instrument"], "intervention-08A-2017");
    let (code, _, err) = vires(&["--register", &r, "check"]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn usage_errors_exit_2_and_bad_input_exits_1() {
    let r = example("seed-1-emergency-direction");
    let (code, _, _) = vires(&["who", "--function"]);
    assert_eq!(code, 2);
    let (code, _, err) = vires(&[
        "--register",
        &r,
        "who",
        "-f",
        SC,
        "--body",
        "13T",
        "--on",
        "2021-02-30",
    ]);
    assert_eq!(code, 2, "an impossible date is a usage error: {err}");
    let (code, _, err) = vires(&[
        "--register",
        &r,
        "who",
        "-f",
        "commissioning.nope",
        "--body",
        "13T",
        "--on",
        "2020-01-01",
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("unknown function"), "{err}");
    let (code, _, err) = vires(&["--register", "/no/such/file.vires", "bodies"]);
    assert_eq!(code, 1);
    assert!(err.contains("/no/such/file.vires"), "{err}");
}
