//! The procurement and conflicts worked examples of issue 6, through the real `vires` binary:
//! every file in examples/procurement/ answered from examples/procurement/register.vires (the
//! register the library tests in crates/procure/tests load too), asserted on the JSON output.

use serde_json::Value;
use std::path::PathBuf;
use std::process::Command;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn ex(name: &str) -> String {
    root()
        .join("examples/procurement")
        .join(name)
        .display()
        .to_string()
}

fn register() -> String {
    ex("register.vires")
}

fn power_file() -> String {
    ex("what-if/support-services-power.vires")
}

const POWER: &str = "hypothetical-support-services-direction";

struct Out {
    code: i32,
    json: Value,
    stdout: String,
    stderr: String,
}

/// Runs vires with args; never touches the user's store (`--db` in a temp dir).
fn vires(args: &[&str]) -> Out {
    let db = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite://{}", db.path().join("vires.db").display());
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(["--db", &url])
        .args(args)
        .env_remove("VIRES_DB")
        .output()
        .expect("vires runs");
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    Out {
        code: out.status.code().unwrap_or(-1),
        json: serde_json::from_str(&stdout).unwrap_or(Value::Null),
        stdout,
        stderr: String::from_utf8_lossy(&out.stderr).to_string(),
    }
}

/// `vires -r register.vires [-r extra]... --format json procure FILE [more args]`.
fn procure(extra_registers: &[&str], file: &str, more: &[&str]) -> Out {
    let reg = register();
    let mut args = vec!["-r", reg.as_str()];
    for r in extra_registers {
        args.extend(["-r", r]);
    }
    args.extend(["--format", "json", "procure", file]);
    args.extend(more);
    vires(&args)
}

/// Like `procure`, and asserts it succeeded.
fn answer(extra_registers: &[&str], file: &str, more: &[&str]) -> Value {
    let o = procure(extra_registers, file, more);
    assert_eq!(
        o.code, 0,
        "{file}: stderr: {}\nstdout: {}",
        o.stderr, o.stdout
    );
    assert!(!o.json.is_null(), "{file}: not JSON: {}", o.stdout);
    o.json
}

/// A copy of an example with `from` replaced by `to`, in a temp dir kept alive by the caller.
fn variant(dir: &tempfile::TempDir, name: &str, from: &str, to: &str) -> String {
    let text = std::fs::read_to_string(ex(name)).expect("example");
    assert!(text.contains(from), "{name} does not contain {from}");
    let p = dir.path().join(name);
    std::fs::write(&p, text.replace(from, to)).expect("write variant");
    p.display().to_string()
}

fn ids(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|p| p["id"].as_str().unwrap_or("").to_string())
        .collect();
    out.sort();
    out
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .map(|s| s.as_str().unwrap_or("").to_string())
        .collect()
}

fn process<'a>(list: &'a Value, id: &str) -> &'a Value {
    list.as_array()
        .and_then(|l| l.iter().find(|p| p["id"] == id))
        .unwrap_or_else(|| panic!("no process {id} in {list}"))
}

fn mandate<'a>(a: &'a Value, id: &str) -> &'a Value {
    a["requirements"]
        .as_array()
        .and_then(|l| l.iter().find(|m| m["mandate"] == id))
        .unwrap_or_else(|| panic!("no requirement {id} in {}", a["requirements"]))
}

const FIVE: [&str; 5] = [
    "resilience comparable to lead provider framework providers",
    "capacity comparable to lead provider framework providers",
    "capability comparable to lead provider framework providers",
    "value for money",
    "information governance standards",
];

#[test]
fn seed_2_in_house_bi_without_evidence() {
    // As the register stands: the mandate rests on no power, so it is reported, not applied.
    let a = answer(&[], &ex("bi_in_house_without_evidence.json"), &[]);
    assert_eq!(a["regime"]["id"], "pcr-2015");
    let m = mandate(&a, "lpf-support-services");
    assert_eq!(m["rests_on_power"], false);
    assert_eq!(m["binding"], false);
    assert!(m["authority"].as_str().unwrap().contains("V006"), "{m}");
    assert!(ids(&a["permitted"]).contains(&"in-house".to_string()));
    assert_eq!(strings(&a["in_house"][0]["missing"]), FIVE);
    assert_eq!(a["in_house"][0]["binding"], false);
    assert!(strings(&a["notes"])
        .iter()
        .any(|n| n.contains("lpf-support-services") && n.contains("not applied")));

    // With the disputed power in the register: the mandate binds, in-house is refused and
    // the answer lists all five missing items; only the framework call-off remains.
    let a = answer(
        &[&power_file()],
        &ex("bi_in_house_without_evidence.json"),
        &[],
    );
    let m = mandate(&a, "lpf-support-services");
    assert_eq!(m["rests_on_power"], true);
    assert_eq!(m["binding"], true);
    assert_eq!(m["power"]["id"], POWER);
    assert_eq!(ids(&a["permitted"]), vec!["framework-call-off"]);
    let refusal = process(&a["refused"], "in-house");
    assert!(
        refusal["reason"].as_str().unwrap().contains("missing"),
        "{refusal}"
    );
    assert_eq!(a["in_house"][0]["compliant"], false);
    assert_eq!(strings(&a["in_house"][0]["missing"]), FIVE);
}

#[test]
fn seed_2_in_house_bi_with_evidence() {
    let a = answer(&[&power_file()], &ex("bi_in_house_with_evidence.json"), &[]);
    assert_eq!(ids(&a["permitted"]), vec!["framework-call-off", "in-house"]);
    let ih = &a["in_house"][0];
    assert_eq!(ih["compliant"], true);
    assert_eq!(ih["missing"].as_array().map(Vec::len), Some(0));
    assert_eq!(ih["recorded"].as_array().map(Vec::len), Some(5));

    // Drop "value for money": exactly that item is missing and in-house is refused.
    let dir = tempfile::tempdir().unwrap();
    let partial = variant(
        &dir,
        "bi_in_house_with_evidence.json",
        "{\"item\": \"value for money\", \"record\": \"Business case BC-2015-04, section 5\", \"date\": \"2015-02-12\"},",
        "",
    );
    let a = answer(&[&power_file()], &partial, &[]);
    assert_eq!(
        strings(&a["in_house"][0]["missing"]),
        vec!["value for money"]
    );
    assert!(ids(&a["refused"]).contains(&"in-house".to_string()));

    // Without the power the evidence is complete but the check is advisory.
    let a = answer(&[], &ex("bi_in_house_with_evidence.json"), &[]);
    assert_eq!(a["in_house"][0]["compliant"], true);
    assert_eq!(a["in_house"][0]["binding"], false);
}

#[test]
fn what_if_with_and_without_the_power() {
    // Adding the power for the comparison, without changing the register.
    let w = answer(
        &[],
        &ex("bi_in_house_without_evidence.json"),
        &["--with-power", &power_file()],
    );
    assert_eq!(w["change"]["op"], "add");
    assert_eq!(w["change"]["power"]["id"], POWER);
    assert_eq!(
        w["authority_changes"],
        serde_json::json!([{"mandate": "lpf-support-services", "before": false, "after": true}])
    );
    assert!(strings(&w["newly_refused"]).contains(&"in-house".to_string()));
    assert_eq!(
        mandate(&w["before"], "lpf-support-services")["binding"],
        false
    );
    let after = mandate(&w["after"], "lpf-support-services");
    assert_eq!(after["binding"], true);
    assert!(
        after["authority"]
            .as_str()
            .unwrap()
            .contains("hypothetical"),
        "{after}"
    );
    assert_eq!(ids(&w["after"]["permitted"]), vec!["framework-call-off"]);
    assert_eq!(strings(&w["after"]["in_house"][0]["missing"]), FIVE);

    // Removing it from a register that has it gives the first answer back.
    let back = answer(
        &[&power_file()],
        &ex("bi_in_house_without_evidence.json"),
        &["--without-power", POWER],
    );
    assert_eq!(back["change"]["op"], "remove");
    assert_eq!(
        back["authority_changes"],
        serde_json::json!([{"mandate": "lpf-support-services", "before": true, "after": false}])
    );
    assert!(strings(&back["newly_permitted"]).contains(&"in-house".to_string()));
    assert_eq!(back["after"], w["before"]);

    // The text form says what changed, then the answer with the change.
    let reg = register();
    let pf = power_file();
    let file = ex("bi_in_house_without_evidence.json");
    let t = vires(&["-r", &reg, "procure", &file, "--with-power", &pf]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(
        t.stdout
            .contains("`lpf-support-services`: rests on no power -> rests on a power"),
        "{}",
        t.stdout
    );
    assert!(t.stdout.contains("--- The answer with the change ---"));

    // A power the register does not have, a file that is not one power, both flags.
    let o = procure(&[], &file, &["--without-power", "no-such-power"]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("no power `no-such-power`"),
        "{}",
        o.stderr
    );
    let o = procure(&[], &file, &["--with-power", &reg]);
    assert_eq!(o.code, 1);
    assert!(
        o.stderr.contains("records other than `power`"),
        "{}",
        o.stderr
    );
    let o = procure(&[], &file, &["--with-power", &pf, "--without-power", POWER]);
    assert_eq!(o.code, 2, "{}", o.stderr);
}

#[test]
fn procure_help_teaches_the_what_if() {
    let o = vires(&["procure", "--help"]);
    assert_eq!(o.code, 0);
    for s in [
        "--with-power <FILE>",
        "--without-power <ID>",
        "What-if on a requirement's authority",
        "--with-power $R/what-if/support-services-power.vires",
        "--without-power hypothetical-support-services-direction",
        "authority_changes",
    ] {
        assert!(o.stdout.contains(s), "help lacks {s}:\n{}", o.stdout);
    }
}

#[test]
fn health_care_service_either_side_of_2024_01_01() {
    let before = answer(&[], &ex("community_services_2023-11-30.json"), &[]);
    assert_eq!(before["regime"]["id"], "nhs-procurement-2013");
    assert_eq!(before["also_in_force"][0]["id"], "pcr-2015-light-touch");
    assert_eq!(before["threshold"]["amount_pounds"], 663540.0);
    assert_eq!(before["threshold"]["includes_vat"], true);
    assert_eq!(before["threshold"]["above"], true);
    assert!(ids(&before["permitted"]).contains(&"competitive-tender".to_string()));
    assert!(ids(&before["refused"]).contains(&"single-provider-award".to_string()));
    let c = process(&before["refused"], "direct-award-c");
    assert!(
        c["reason"]
            .as_str()
            .unwrap()
            .contains("in force from 2024-01-01"),
        "{c}"
    );

    let after = answer(&[], &ex("community_services_2024-01-02.json"), &[]);
    assert_eq!(after["regime"]["id"], "psr-2023");
    assert!(after.get("also_in_force").is_none());
    assert_eq!(
        ids(&after["permitted"]),
        vec![
            "competitive-process",
            "direct-award-c",
            "most-suitable-provider"
        ]
    );
    let refused = ids(&after["refused"]);
    for id in [
        "direct-award-a",
        "direct-award-b",
        "competitive-tender",
        "single-provider-award",
    ] {
        assert!(refused.contains(&id.to_string()), "{id} should be refused");
    }
    let old = process(&after["refused"], "competitive-tender");
    assert!(old["reason"]
        .as_str()
        .unwrap()
        .contains("ceased to have effect on 2024-01-01"));
    assert_eq!(after["key_criteria"].as_array().map(Vec::len), Some(5));
    assert!(after.get("threshold").is_none());
    assert_eq!(after["participants"][0]["body"], "QF7");
    assert_eq!(after["participants"][0]["holds"], true);
}

#[test]
fn psr_direct_award_c_to_the_incumbent() {
    let a = answer(&[], &ex("psr_direct_award_c_incumbent.json"), &[]);
    assert_eq!(a["regime"]["id"], "psr-2023");
    assert_eq!(a["contract"]["current_provider"], "RP5");
    assert!(ids(&a["permitted"]).contains(&"direct-award-c".to_string()));
    assert_eq!(a["considerable_change"]["by_value"], false);
    assert_eq!(a["considerable_change"]["considerable"], false);
    let s = &a["standstill"][0];
    assert_eq!(s["days"], 8);
    assert_eq!(s["last_day"], "2024-03-27");
    assert_eq!(s["earliest_contract_date"], "2024-03-28");
    assert_eq!(s["fits_before_start"], true);
    // Sun 17 March would do, but a deadline lands on a working day: Fri 15 March.
    assert_eq!(s["latest_notice_for_start"], "2024-03-15");

    // £6m against £4.8m is a considerable change: direct award C is refused.
    let dir = tempfile::tempdir().unwrap();
    let big = variant(
        &dir,
        "psr_direct_award_c_incumbent.json",
        "\"estimated_value\": 5000000",
        "\"estimated_value\": 6000000",
    );
    let a = answer(&[], &big, &[]);
    assert_eq!(a["considerable_change"]["by_value"], true);
    let c = process(&a["refused"], "direct-award-c");
    assert!(
        c["reason"].as_str().unwrap().contains("considerable"),
        "{c}"
    );
}

#[test]
fn collective_procurement_names_the_member_without_the_function() {
    let a = answer(&[], &ex("collective_bi_2022.json"), &[]);
    let col = &a["collective"];
    assert_eq!(col["function"], "support.business-intelligence");
    assert_eq!(strings(&col["lacking"]), vec!["02Q"]);
    assert_eq!(col["valid"], false);
    let holds: Vec<(String, bool)> = a["participants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["body"].as_str().unwrap().to_string(), p["holds"] == true))
        .collect();
    assert_eq!(
        holds,
        vec![
            ("QF7".to_string(), true),
            ("QT1".to_string(), true),
            ("02Q".to_string(), false)
        ]
    );
    assert!(strings(&a["notes"])
        .iter()
        .any(|n| n.starts_with("02Q does not hold")));
    // The LPF mandates are addressed to CCGs: none applies to ICBs in 2022.
    assert_eq!(a["requirements"].as_array().map(Vec::len), Some(0));
}

#[test]
fn lead_commissioner_and_a_member_leaving() {
    let a = answer(&[], &ex("collective_yh_2015.json"), &[]);
    let col = &a["collective"];
    assert_eq!(col["lacking"].as_array().map(Vec::len), Some(0));
    assert_eq!(
        strings(&col["lead_cannot_act_for"]),
        vec!["02P", "03L", "03N"]
    );
    assert_eq!(col["valid"], false);
    let l = &a["liabilities"][0];
    assert_eq!(l["event"], "leaves");
    assert_eq!(l["commissioner"], "03N");
    assert_eq!(l["stranded_costs"], 120000.0);
    assert!(l["borne_by"].as_str().unwrap().contains("leaves pays"));
    assert_eq!(l["basis"], "mandate `lpf-collective-yh-nw`");
    assert!(l["warning"].as_str().unwrap().contains("no power"));
    assert_eq!(
        strings(&mandate(&a, "lpf-collective-yh-nw")["addressed_to"]),
        vec!["02X", "02P", "03L", "03N"]
    );

    // With concurrent delegations from the other three to Doncaster, the lead may act for
    // them and the collective is valid; the stranded costs are unchanged.
    let arrangements = ex("what-if/lead-commissioner-delegations.vires");
    let a = answer(&[&arrangements], &ex("collective_yh_2015.json"), &[]);
    let col = &a["collective"];
    assert!(col.get("lead_cannot_act_for").is_none(), "{col}");
    assert_eq!(col["valid"], true, "{col}");
    assert!(a["participants"]
        .as_array()
        .unwrap()
        .iter()
        .all(|p| p["holds"] == true));
    assert_eq!(a["liabilities"][0]["stranded_costs"], 120000.0);
}

#[test]
fn stranded_costs_when_the_arrangement_ends() {
    let a = answer(&[], &ex("collective_yh_2015_ends.json"), &[]);
    let l = &a["liabilities"][0];
    assert_eq!(l["event"], "ends");
    assert_eq!(l["on"], "2018-04-01");
    assert_eq!(l["stranded_costs"], 85000.0);
    assert!(l.get("commissioner").is_none());
    assert!(
        l["borne_by"].as_str().unwrap().starts_with("not agreed"),
        "{l}"
    );
    assert!(l["basis"]
        .as_str()
        .unwrap()
        .contains("lpf-collective-yh-nw"));
    assert!(l["warning"].as_str().unwrap().contains("borne_by"));

    let dir = tempfile::tempdir().unwrap();
    let agreed = variant(
        &dir,
        "collective_yh_2015_ends.json",
        "\"stranded_costs\": 85000",
        "\"stranded_costs\": 85000, \"borne_by\": \"the four CCGs in shares of their 2017/18 allocations\"",
    );
    let a = answer(&[], &agreed, &[]);
    let l = &a["liabilities"][0];
    assert_eq!(
        l["borne_by"],
        "the four CCGs in shares of their 2017/18 allocations"
    );
    assert_eq!(l["basis"], "recorded in the contract");
    assert!(l.get("warning").is_none());

    let reg = register();
    let file = ex("collective_yh_2015_ends.json");
    let t = vires(&["-r", &reg, "procure", &file]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(
        t.stdout
            .contains("£85000 on 2018-04-01 when the arrangement ends"),
        "{}",
        t.stdout
    );
}

#[test]
fn every_contract_example_is_answered() {
    let mut n = 0;
    for e in std::fs::read_dir(root().join("examples/procurement")).unwrap() {
        let p = e.unwrap().path();
        let name = p.file_name().unwrap().to_string_lossy().to_string();
        if p.extension().is_none_or(|x| x != "json")
            || name.starts_with("decision_")
            || name.starts_with("register_of_interests")
        {
            continue;
        }
        let a = answer(&[], &p.display().to_string(), &[]);
        assert!(a["regime"]["id"].is_string(), "{name}");
        n += 1;
    }
    assert!(n >= 8, "only {n} contract examples");
}

fn conflicts(decision: &str) -> Out {
    conflicts_with(decision, "register_of_interests_02X.json")
}

/// `vires -r register.vires --format json conflicts check DECISION --interests REGISTER`.
fn conflicts_with(decision: &str, interests: &str) -> Out {
    let reg = register();
    let d = ex(decision);
    let i = ex(interests);
    vires(&[
        "-r",
        &reg,
        "--format",
        "json",
        "conflicts",
        "check",
        &d,
        "--interests",
        &i,
    ])
}

fn finding_codes(report: &Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap_or(&Vec::new())
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| f["code"].as_str().unwrap_or("").to_string())
        .collect()
}

#[test]
fn decision_with_an_undeclared_gp_interest() {
    let o = conflicts("decision_undeclared_gp_interest.json");
    assert_eq!(o.code, 1, "not sound: exit 1; {}", o.stderr);
    let r = &o.json;
    assert_eq!(r["sound"], false);
    let codes = finding_codes(r);
    assert!(codes.contains(&"C001".to_string()), "{codes:?}");
    assert!(codes.contains(&"C004".to_string()), "{codes:?}");
    let c001 = r["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["code"] == "C001")
        .unwrap();
    assert_eq!(c001["person"], "Dr A. Patel");
    assert_eq!(c001["counterparty"], "C86901");
}

#[test]
fn decision_that_loses_quorum() {
    let o = conflicts("decision_quorum_lost.json");
    assert_eq!(o.code, 1, "{}", o.stderr);
    let r = &o.json;
    assert_eq!(r["voting_after_exclusions"], 2);
    assert_eq!(r["quorate"], false);
    assert_eq!(r["sound"], false);
    assert_eq!(finding_codes(r), vec!["C003"]);
}

#[test]
fn decision_with_a_joint_appointment() {
    let o = conflicts("decision_joint_appointment.json");
    assert_eq!(o.code, 1, "{}", o.stderr);
    let codes = finding_codes(&o.json);
    assert!(codes.contains(&"C005".to_string()), "{codes:?}");
    assert!(o.json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .any(|f| f["code"] == "C005" && f["person"] == "Mr F. Brown"));
}

/// Bad input: exit 1, nothing on stdout, and an error on stderr naming the field.
fn assert_input_error(o: &Out, needles: &[&str]) {
    assert_eq!(o.code, 1, "stderr: {}\nstdout: {}", o.stderr, o.stdout);
    assert!(o.stdout.trim().is_empty(), "{}", o.stdout);
    assert!(o.stderr.starts_with("error: "), "{}", o.stderr);
    for n in needles {
        assert!(o.stderr.contains(n), "stderr lacks {n}: {}", o.stderr);
    }
}

#[test]
fn bad_contracts_are_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let name = "community_services_2024-01-02.json";
    let missing = variant(&dir, name, "\"term_months\": 36,", "");
    assert_input_error(
        &procure(&[], &missing, &[]),
        &["missing field `term_months`"],
    );

    let dir = tempfile::tempdir().unwrap();
    let negative = variant(&dir, name, "2400000", "-5");
    assert_input_error(
        &procure(&[], &negative, &[]),
        &["field `estimated_value`", "must not be negative (got -5)"],
    );

    let dir = tempfile::tempdir().unwrap();
    let unknown = variant(&dir, name, "\"QF7\"", "\"99Z\"");
    assert_input_error(
        &procure(&[], &unknown, &[]),
        &[
            "field `commissioners[0]`",
            "no body with code `99Z`",
            "2024-01-02",
        ],
    );

    let dir = tempfile::tempdir().unwrap();
    let stranded = variant(
        &dir,
        "collective_yh_2015.json",
        "\"stranded_costs\": 120000",
        "\"stranded_costs\": -1",
    );
    assert_input_error(
        &procure(&[], &stranded, &[]),
        &["field `liabilities[0].stranded_costs`"],
    );

    let dir = tempfile::tempdir().unwrap();
    let early = variant(
        &dir,
        "collective_yh_2015_ends.json",
        "2018-04-01",
        "2015-03-01",
    );
    assert_input_error(
        &procure(&[], &early, &[]),
        &["field `liabilities[0].on`", "before the contract starts"],
    );

    let dir = tempfile::tempdir().unwrap();
    let typo = variant(&dir, name, "\"patient_choice\"", "\"patient_choise\"");
    assert_input_error(&procure(&[], &typo, &[]), &["patient_choise"]);

    // Bad input is refused the same way in a what-if.
    assert_input_error(
        &procure(&[], &negative, &["--with-power", &power_file()]),
        &["field `estimated_value`"],
    );
}

#[test]
fn bad_decisions_are_refused_naming_the_field() {
    let reg = register();
    let interests = ex("register_of_interests_02X.json");
    let check = |decision: &str, interests: &str| {
        vires(&[
            "-r",
            &reg,
            "--format",
            "json",
            "conflicts",
            "check",
            decision,
            "--interests",
            interests,
        ])
    };
    let name = "decision_quorum_lost.json";

    let dir = tempfile::tempdir().unwrap();
    let unknown = variant(&dir, name, "\"body\": \"02X\"", "\"body\": \"99Z\"");
    assert_input_error(
        &check(&unknown, &interests),
        &["field `decision.body`", "no body with code `99Z`"],
    );

    let dir = tempfile::tempdir().unwrap();
    let missing = variant(&dir, name, "\"quorum\": 3,", "");
    assert_input_error(&check(&missing, &interests), &["quorum"]);

    let dir = tempfile::tempdir().unwrap();
    let negative = variant(&dir, name, "\"quorum\": 3", "\"quorum\": -3");
    assert_input_error(&check(&negative, &interests), &["quorum"]);

    // A register of interests for a body the register does not know on the decision's date.
    let dir = tempfile::tempdir().unwrap();
    let reg_unknown = variant(
        &dir,
        "register_of_interests_02X.json",
        "\"body\": \"02X\"",
        "\"body\": \"99Z\"",
    );
    assert_input_error(
        &check(&ex(name), &reg_unknown),
        &[
            "register_of_interests_02X.json",
            "field `interests[0].body`",
            "`99Z`",
        ],
    );
}

/// Issue 22: the law follows the date the procurement began. A procurement begun in December
/// 2023 for a contract starting in June 2024 stays under the 2013 Regulations (SI 2023/1348
/// reg 29(1)(a); SI 2023/1431 reg 5(2)); one begun in February 2025 stays under the Public
/// Contracts Regulations 2015 (SI 2024/716 reg 5 as amended by SI 2024/959).
#[test]
fn the_law_of_the_date_the_procurement_began() {
    let dec = answer(&[], &ex("community_services_begun_2023-12.json"), &[]);
    assert_eq!(dec["regime"]["id"], "nhs-procurement-2013");
    assert_eq!(dec["contract"]["procurement_began"], "2023-12-04");
    assert_eq!(dec["contract"]["start"], "2024-06-03");
    assert_eq!(
        dec["regime_basis"]["rule"],
        "saved-by-transitional-provision"
    );
    assert_eq!(
        dec["regime_basis"]["citation"],
        "SI 2023/1348 reg 29(1)(a); SI 2023/1431 reg 5(2)"
    );
    assert!(ids(&dec["refused"]).contains(&"direct-award-c".to_string()));
    assert_eq!(dec["threshold"]["amount_pounds"], 663540.0);

    let feb = answer(&[], &ex("bi_begun_2025-02.json"), &[]);
    assert_eq!(feb["regime"]["id"], "pcr-2015");
    assert_eq!(
        feb["regime_basis"]["citation"],
        "SI 2024/716 reg 5 as amended by SI 2024/959"
    );
    assert!(ids(&feb["permitted"]).contains(&"competitive-procedure".to_string()));

    // The text answer says why, with the provision.
    let reg = register();
    let t = vires(&[
        "-r",
        &reg,
        "procure",
        &ex("community_services_begun_2023-12.json"),
    ]);
    assert_eq!(t.code, 0, "{}", t.stderr);
    assert!(
        t.stdout.contains("before 2024-01-01") && t.stdout.contains("SI 2023/1431 reg 5(2)"),
        "{}",
        t.stdout
    );
}

#[test]
fn a_procurement_date_missing_or_after_the_start_is_refused_naming_the_field() {
    let dir = tempfile::tempdir().unwrap();
    let name = "bi_begun_2025-02.json";
    let missing = variant(&dir, name, "\"procurement_began\": \"2025-02-10\",", "");
    assert_input_error(
        &procure(&[], &missing, &[]),
        &["field `procurement_began`", "is missing"],
    );
    let dir = tempfile::tempdir().unwrap();
    let late = variant(&dir, name, "2025-02-10", "2025-07-01");
    assert_input_error(
        &procure(&[], &late, &[]),
        &["field `procurement_began`", "after the contract starts"],
    );
}

/// Issue 22: an NHS England purchase of other services worth £150,000 in 2022 is above the
/// central government threshold (£138,760 including VAT, SI 2021/1221; NHS England central
/// from 2021-08-16 by SI 2021/872) though below the sub-central one (£213,477). Answered
/// from the bundled England register, in which NHS England holds specialised commissioning.
#[test]
fn an_nhs_england_purchase_is_judged_against_the_central_threshold() {
    let o = vires(&[
        "--format",
        "json",
        "procure",
        &ex("nhse_other_services_2022.json"),
    ]);
    assert_eq!(o.code, 0, "{}", o.stderr);
    let a = &o.json;
    assert_eq!(a["threshold"]["authority_class"], "central");
    assert_eq!(a["threshold"]["amount_pounds"], 138760.0);
    assert_eq!(a["threshold"]["above"], true);
    assert_eq!(a["contracting_authorities"][0]["class"], "central");
    assert_eq!(a["participants"][0]["holds"], true, "{a}");
    assert!(ids(&a["refused"]).contains(&"below-threshold-award".to_string()));
}

/// Issue 22: conflicts are checked under the rules of the decision's date and body, parties
/// match by code or name, and `vires conflicts check` gives exactly the findings of the one
/// library function the API and the web page call (`vires_procure::check`).
#[test]
fn conflicts_check_applies_the_rules_of_the_date_and_gives_the_librarys_findings() {
    let reg = register();
    let dec = ex("decision_provider_by_code_2018.json");
    let interests = ex("register_of_interests_02X_2016-2018.json");
    let o = conflicts_with(
        "decision_provider_by_code_2018.json",
        "register_of_interests_02X_2016-2018.json",
    );
    assert_eq!(o.code, 1, "an undeclared interest: not sound; {}", o.stderr);
    let r = &o.json;
    assert_eq!(r["policy"]["policy"]["id"], "ccg-coi-2017");
    // Declared against the trust's name, found for a decision naming RP5.
    assert!(finding_codes(r).contains(&"C001".to_string()), "{r}");
    let reg_codes: Vec<(&str, &str)> = r["register_findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| (f["code"].as_str().unwrap(), f["message"].as_str().unwrap()))
        .collect();
    // The 2016 pen and dinner are outside the 2016 guidance; the 2017 ones are within 2017's.
    assert!(reg_codes
        .iter()
        .any(|(c, m)| *c == "C008" && m.contains("2016-11-10")));
    assert!(reg_codes
        .iter()
        .any(|(c, m)| *c == "C008" && m.contains("2016-12-01")));
    assert!(!reg_codes
        .iter()
        .any(|(c, m)| *c == "C008" && m.contains("2017-")));
    for code in ["C011", "C012", "C013"] {
        assert!(
            reg_codes.iter().any(|(c, _)| *c == code),
            "{code}: {reg_codes:?}"
        );
    }

    // The library's answer, from the same register files.
    let mut sources = vires_lang::Sources::new();
    sources.add(
        reg.clone(),
        std::fs::read_to_string(&reg).expect("register.vires"),
    );
    let loaded = vires_lang::load_with_prelude(&sources);
    assert!(loaded.errors.is_empty());
    let snapshot = vires_core::Snapshot::compile(loaded.register);
    let d = vires_procure::Decision::from_json(&std::fs::read_to_string(&dec).unwrap()).unwrap();
    let i =
        vires_procure::InterestRegister::from_json(&std::fs::read_to_string(&interests).unwrap())
            .unwrap();
    let want = vires_procure::check(&snapshot, Some(d), &[i])
        .unwrap()
        .decision
        .unwrap();
    assert_eq!(*r, serde_json::to_value(&want).unwrap());

    // The text answer names the rules applied.
    let t = vires(&[
        "-r",
        &reg,
        "conflicts",
        "check",
        &dec,
        "--interests",
        &interests,
    ]);
    assert!(
        t.stdout
            .contains("Revised Statutory Guidance for CCGs (NHS England, 16 June 2017)"),
        "{}",
        t.stdout
    );
}
