//! `who --batch` and `may --batch` through the real binary: a whole-England question set in
//! one process. The expected commissioners come from the raw ODS extract under data/ (each
//! practice's commissioner column), read here independently of the program.

use serde_json::Value;
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn vires(dir: &tempfile::TempDir) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vires"));
    c.env(
        "VIRES_DB",
        format!("sqlite://{}", dir.path().join("s.db").display()),
    );
    c
}

/// Active GP practices (status A, prescribing setting 4) and their commissioner, from the
/// December 2019 epraccur extract.
fn active_practices() -> Vec<(String, String)> {
    let mut r = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(root().join("data/ods/ods_epraccur_2019_12.csv"))
        .unwrap();
    r.records()
        .map(|r| r.unwrap())
        .filter(|r| &r[12] == "A" && &r[25] == "4")
        .map(|r| (r[0].to_string(), r[14].to_string()))
        .collect()
}

#[test]
fn every_active_practice_in_one_process_matches_the_ods_commissioner() {
    let dir = tempfile::tempdir().unwrap();
    let practices = active_practices();
    assert!(practices.len() > 6000, "{}", practices.len());
    let questions = dir.path().join("q.csv");
    let mut text = String::from("function,place,date,purpose\n");
    for (code, _) in &practices {
        text.push_str(&format!(
            "commissioning.secondary-care,{code},2019-12-01,\n"
        ));
    }
    std::fs::write(&questions, text).unwrap();
    let out = vires(&dir)
        .args(["who", "--batch"])
        .arg(&questions)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    assert_eq!(
        header,
        [
            "line",
            "function",
            "place",
            "date",
            "purpose",
            "body",
            "name",
            "role",
            "accountable",
            "only_for",
            "coverage",
            "proof",
            "note",
            "caveats",
            "for_part"
        ]
    );
    let mut statutory = std::collections::HashMap::new();
    let mut lines = std::collections::HashSet::new();
    for row in r.records() {
        let row = row.unwrap();
        lines.insert(row[0].to_string());
        assert_eq!(&row[12], "", "no row fails: {row:?}");
        assert!(!row[11].is_empty(), "every holder has a proof: {row:?}");
        if &row[7] == "statutory" {
            statutory
                .entry(row[2].to_string())
                .or_insert_with(Vec::new)
                .push(row[5].to_string());
        }
    }
    assert_eq!(lines.len(), practices.len(), "a row for every question");
    for (code, ccg) in &practices {
        assert_eq!(
            statutory.get(code),
            Some(&vec![ccg.clone()]),
            "practice {code}: ODS says {ccg}"
        );
    }
}

#[test]
fn json_lines_in_and_out_and_bad_rows_say_why() {
    let dir = tempfile::tempdir().unwrap();
    // A85001 is in Newcastle Gateshead CCG (13T) in June 2020 (epraccur); the 2020
    // coronavirus direction let NHS England act for coronavirus support.
    let questions = "\
{\"as\": \"X24\", \"function\": \"commissioning.secondary-care\", \"place\": \"A85001\", \"date\": \"2020-06-01\", \"purpose\": \"coronavirus-support\"}
{\"as\": \"13T\", \"function\": \"commissioning.secondary-care\", \"place\": \"practice:a85001\", \"on\": \"2020-06-01\"}

{\"as\": \"13T\", \"function\": \"commissioning.secondary-care\", \"place\": \"A85001\", \"date\": \"1 June 2020\"}
not json
{\"as\": \"00T\", \"function\": \"commissioning.secondary-care\", \"place\": \"A85001\", \"date\": \"2020-06-01\"}
";
    let mut child = vires(&dir)
        .args(["--format", "json", "may", "--batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(questions.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1), "two rows cannot be answered");
    let rows: Vec<Value> = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 5, "{rows:?}");
    assert_eq!(rows[0]["line"], 1);
    assert_eq!(rows[0]["allowed"], true, "{}", rows[0]);
    assert_eq!(
        rows[0]["proof"].as_array().unwrap().last().unwrap(),
        "covid-ccg-functions-2020"
    );
    assert_eq!(rows[1]["allowed"], true, "{}", rows[1]);
    assert_eq!(rows[1]["date"], "2020-06-01");
    assert_eq!(rows[2]["line"], 4);
    assert!(rows[2]["note"].as_str().unwrap().contains("not a date"));
    assert_eq!(rows[3]["line"], 5);
    assert!(rows[3]["note"].as_str().unwrap().contains("JSON"));
    assert_eq!(
        rows[4]["allowed"], false,
        "Bolton CCG holds nothing in Gateshead"
    );
    assert_eq!(rows[4]["note"], "");
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 question(s)"));
}

#[test]
fn who_without_a_place_or_a_batch_is_a_usage_error() {
    let dir = tempfile::tempdir().unwrap();
    let out = vires(&dir)
        .args(["who", "-f", "commissioning.secondary-care"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--practice"));
    let out = vires(&dir)
        .args(["who", "--batch", "-", "--practice", "A85001"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

/// `may --batch` reads CSV too, the body asking in a column `as`, and answers in CSV. The
/// 2020 coronavirus direction let NHS England (X24) exercise CCG functions for coronavirus
/// support; A85001 is in Newcastle Gateshead CCG (13T), so Bolton CCG (00T) may not.
#[test]
fn may_batch_reads_csv_with_an_as_column() {
    let dir = tempfile::tempdir().unwrap();
    let questions = "\
as,function,place,date,purpose
X24,commissioning.secondary-care,A85001,2020-06-01,coronavirus-support
00t,commissioning.secondary-care,practice:A85001,2020-06-01,
";
    let mut child = vires(&dir)
        .args(["may", "--batch", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(questions.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "a no is an answer: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][col("line")], "2");
    assert_eq!(&rows[0][col("as")], "X24");
    assert_eq!(&rows[0][col("allowed")], "yes");
    assert!(rows[0][col("proof")].ends_with("covid-ccg-functions-2020"));
    assert_eq!(&rows[1][col("as")], "00T");
    assert_eq!(&rows[1][col("allowed")], "no");
    assert_eq!(&rows[1][col("note")], "");
}

/// A row with no holder is a gap only where the register knows it is one. A85001 (Fell
/// Tower Medical Centre, Gateshead) joined NHS Newcastle Gateshead CCG (13T) on 2015-04-01,
/// the day 13T was formed from Gateshead (00F), Newcastle North and East (00G) and Newcastle
/// West (00H) CCGs (ODS successor file); the NHS BSA practice list sizes place it in 00F to
/// January-March 2015 only, so on 2015-02-01 its commissioner was one of the three and the
/// register cannot say which. The batch says so, in CSV and JSON, as `who` does in text;
/// and the caveat rides on every row of an answer that has one.
#[test]
fn a_row_nobody_is_known_to_hold_is_not_called_a_gap_and_keeps_its_caveat() {
    let dir = tempfile::tempdir().unwrap();
    let questions = "\
function,place,date
commissioning.secondary-care,A85001,2015-02-01
commissioning.secondary-care,A85001,2014-06-01
";
    let run = |format: &str| {
        let mut child = vires(&dir)
            .args(["--format", format, "who", "--batch", "-"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        child
            .stdin
            .take()
            .unwrap()
            .write_all(questions.as_bytes())
            .unwrap();
        let out = child.wait_with_output().unwrap();
        assert_eq!(
            out.status.code(),
            Some(0),
            "an unknown is an answer: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };

    let csv_text = run("csv");
    let mut r = csv::Reader::from_reader(csv_text.as_bytes());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    let rows: Vec<csv::StringRecord> = r.records().map(|r| r.unwrap()).collect();
    assert_eq!(rows.len(), 2, "{csv_text}");
    let unknown = &rows[0];
    assert_eq!(&unknown[col("body")], "");
    assert_eq!(&unknown[col("note")], "not known", "{unknown:?}");
    let caveats = &unknown[col("caveats")];
    assert!(caveats.starts_with("incomplete-record: "), "{caveats}");
    for ccg in ["00F", "00G", "00H"] {
        assert!(caveats.contains(ccg), "{ccg} is a candidate: {caveats}");
    }
    // On 2014-06-01 the BSA lists settle it: Gateshead CCG, with nothing to caveat.
    assert_eq!(&rows[1][col("body")], "00F", "{:?}", rows[1]);
    assert_eq!(&rows[1][col("note")], "");
    assert_eq!(&rows[1][col("caveats")], "");

    let json: Vec<Value> = run("json")
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(json.len(), 2);
    assert_eq!(json[0]["note"], "not known");
    let caveat = &json[0]["caveats"][0];
    assert_eq!(caveat["kind"], "incomplete-record");
    assert!(!caveat["source"].as_str().unwrap().is_empty());
    assert_eq!(json[1]["body"], "00F");
    assert!(json[1].get("caveats").is_none(), "{}", json[1]);

    // A single `who --format csv` has the same columns but `line`.
    let out = vires(&dir)
        .args([
            "--format",
            "csv",
            "who",
            "-f",
            "commissioning.secondary-care",
            "--practice",
            "A85001",
            "--on",
            "2015-02-01",
        ])
        .output()
        .unwrap();
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let header: Vec<String> = r.headers().unwrap().iter().map(str::to_string).collect();
    let row = r.records().next().unwrap().unwrap();
    let col = |name: &str| header.iter().position(|h| h == name).unwrap();
    assert_eq!(&row[col("note")], "not known");
    assert!(row[col("caveats")].starts_with("incomplete-record: "));
}

#[test]
fn every_practice_on_two_dates_in_one_command() {
    // The analyst's journey (JOURNEYS.md): who held secondary care for every practice on
    // two dates, one command, one process, CSV out, without building a question file.
    let dir = tempfile::tempdir().unwrap();
    let out = vires(&dir)
        .args([
            "who",
            "-f",
            "commissioning.secondary-care",
            "--every-practice-on",
            "2019-12-01,2023-06-01",
        ])
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut r = csv::Reader::from_reader(out.stdout.as_slice());
    let mut statutory: std::collections::HashMap<(String, String), Vec<String>> =
        std::collections::HashMap::new();
    for row in r.records() {
        let row = row.unwrap();
        if &row[7] == "statutory" {
            statutory
                .entry((row[3].to_string(), row[2].to_string()))
                .or_default()
                .push(row[5].to_string());
        }
    }
    // Every practice active in the December 2019 extract is answered on 2019-12-01, by the
    // commissioner the extract names.
    for (code, ccg) in active_practices() {
        assert_eq!(
            statutory.get(&("2019-12-01".to_string(), format!("practice:{code}"))),
            Some(&vec![ccg.clone()]),
            "practice {code}: ODS says {ccg}"
        );
    }
    // A81003 (Victoria Medical Practice, Hartlepool) closed on 2017-10-31 (the extract's
    // close date): no row for it in 2019 or 2023.
    assert!(!statutory.keys().any(|(_, p)| p == "practice:A81003"));
    // A85001 (Gateshead) is in 13T, which became a sub-ICB location of QHM on 2022-07-01
    // (ODS successor file): in 2023 the ICB holds secondary care there.
    assert_eq!(
        statutory.get(&("2023-06-01".to_string(), "practice:A85001".to_string())),
        Some(&vec!["QHM".to_string()])
    );
}

#[test]
fn every_practice_needs_a_function_and_refuses_a_place_too() {
    let dir = tempfile::tempdir().unwrap();
    let no_function = vires(&dir)
        .args(["who", "--every-practice-on", "2019-12-01"])
        .output()
        .unwrap();
    assert_eq!(no_function.status.code(), Some(2));
    let with_place = vires(&dir)
        .args([
            "who",
            "-f",
            "commissioning.secondary-care",
            "--every-practice-on",
            "2019-12-01",
            "--practice",
            "A85001",
        ])
        .output()
        .unwrap();
    assert_eq!(with_place.status.code(), Some(2));
    let bad_date = vires(&dir)
        .args([
            "who",
            "-f",
            "commissioning.secondary-care",
            "--every-practice-on",
            "2019-13-01",
        ])
        .output()
        .unwrap();
    assert_eq!(bad_date.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad_date.stderr).contains("2019-13-01"));
}
