//! `--format csv` through the real binary: every command that lists things prints a header
//! row and one row per item through the one CSV writer (which keeps a cell from starting a
//! spreadsheet formula), with as many rows as its JSON lists; a command that lists nothing
//! refuses csv with exit 2 before doing anything.
//!
//! Expected facts are public: the 42 ICBs were established on 2022-07-01 (Health and Care
//! Act 2022) when the CCGs were abolished; NHS Gateshead CCG (00F) became part of NHS
//! Newcastle Gateshead CCG (13T) on 2015-04-01, which became part of the North East and
//! North Cumbria ICB (QHM); A85001 (Fell Tower Medical Centre, NE9 5EY) is a Gateshead
//! practice.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::Command;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn example(p: &str) -> String {
    root().join("examples").join(p).display().to_string()
}

struct Run {
    code: i32,
    out: String,
    err: String,
}

fn vires_in(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_vires"))
        .args(args)
        .env(
            "VIRES_DB",
            format!("sqlite://{}", dir.join("s.db").display()),
        )
        .env_remove("COLUMNS")
        .output()
        .unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        out: String::from_utf8_lossy(&out.stdout).into_owned(),
        err: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

fn vires(args: &[&str]) -> Run {
    let dir = tempfile::tempdir().unwrap();
    vires_in(dir.path(), args)
}

/// The header and rows of a command's `--format csv` answer.
fn csv_of(args: &[&str]) -> (Vec<String>, Vec<csv::StringRecord>) {
    let mut all = vec!["--format", "csv"];
    all.extend_from_slice(args);
    let r = vires(&all);
    assert!(r.code == 0 || r.code == 1, "{args:?}: {}", r.err);
    assert!(r.out.ends_with('\n'), "{args:?}: {}", r.out);
    let mut reader = csv::Reader::from_reader(r.out.as_bytes());
    let header = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let rows = reader.records().map(|r| r.unwrap()).collect();
    (header, rows)
}

fn json_of(args: &[&str]) -> Value {
    let mut all = vec!["--format", "json"];
    all.extend_from_slice(args);
    let r = vires(&all);
    serde_json::from_str(&r.out).unwrap_or_else(|e| panic!("{args:?}: {e}: {}", r.out))
}

fn col<'a>(header: &[String], row: &'a csv::StringRecord, name: &str) -> &'a str {
    let i = header.iter().position(|h| h == name).unwrap();
    &row[i]
}

#[test]
fn bodies_find_lineage_and_diff_list_as_csv() {
    let (h, rows) = csv_of(&["bodies", "--on", "2023-04-01", "--kind", "icb"]);
    assert_eq!(h, ["code", "kind", "from", "until", "name"]);
    assert_eq!(rows.len(), 42, "42 ICBs");
    let qhm = rows.iter().find(|r| &r[0] == "QHM").unwrap();
    assert_eq!(
        qhm.iter().collect::<Vec<_>>(),
        [
            "QHM",
            "icb",
            "2022-07-01",
            "",
            "NHS North East and North Cumbria Integrated Care Board"
        ]
    );

    let (h, rows) = csv_of(&["find", "A85001", "--on", "2023-04-01", "--kind", "practice"]);
    assert_eq!(
        h,
        ["kind", "code", "name", "detail", "from", "until", "postcode", "ons_code", "within"]
    );
    assert_eq!(&rows[0][1], "A85001");
    assert_eq!(col(&h, &rows[0], "postcode"), "NE9 5EY");
    assert_eq!(col(&h, &rows[0], "within"), "13T;QHM");

    let (h, rows) = csv_of(&["lineage", "00F"]);
    assert_eq!(
        h,
        ["code", "relation", "on", "other_code", "other_name", "via"]
    );
    let got: Vec<(&str, &str, &str, &str)> =
        rows.iter().map(|r| (&r[1], &r[2], &r[3], &r[5])).collect();
    assert_eq!(
        got,
        [
            ("successor", "2015-04-01", "13T", ""),
            ("successor", "2022-07-01", "QHM", "13T")
        ]
    );

    let (h, rows) = csv_of(&["diff", "2022-06-30", "2022-07-01"]);
    assert_eq!(
        h,
        [
            "change",
            "code",
            "name",
            "kind",
            "on",
            "function",
            "role",
            "area",
            "only_for",
            "instrument"
        ]
    );
    let row = |change: &str, code: &str| {
        rows.iter()
            .find(|r| &r[0] == change && &r[1] == code)
            .unwrap_or_else(|| panic!("no {change} {code}"))
    };
    assert_eq!(&row("established", "QHM")[3], "icb");
    assert_eq!(&row("abolished", "13T")[3], "ccg");
    let json = json_of(&["diff", "2022-06-30", "2022-07-01"]);
    let n = |k: &str| json[k].as_array().unwrap().len();
    assert_eq!(
        rows.len(),
        n("established") + n("abolished") + n("added") + n("removed")
    );
}

#[test]
fn who_may_what_and_timeline_list_as_csv() {
    let q = [
        "-f",
        "commissioning.secondary-care",
        "--practice",
        "A85001",
        "--on",
        "2020-06-01",
    ];
    let mut who = vec!["who"];
    who.extend_from_slice(&q);
    let (h, rows) = csv_of(&who);
    // The columns of `who --batch`, without its line number.
    assert_eq!(
        h,
        [
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
    let ccg = rows.iter().find(|r| col(&h, r, "body") == "13T").unwrap();
    assert_eq!(col(&h, ccg, "name"), "NHS Newcastle Gateshead CCG");
    assert!(!col(&h, ccg, "proof").is_empty());
    let json = json_of(&who);
    assert_eq!(rows.len(), json["holders"].as_array().unwrap().len());

    let mut may = vec!["may", "--as", "13T"];
    may.extend_from_slice(&q);
    let (h, rows) = csv_of(&may);
    assert_eq!(
        h,
        [
            "as", "function", "place", "date", "purpose", "allowed", "reason", "proof", "note",
            "caveats"
        ]
    );
    assert_eq!(rows.len(), 1);
    assert_eq!(col(&h, &rows[0], "allowed"), "yes");

    let (h, rows) = csv_of(&["what", "13T", "--on", "2020-06-01"]);
    assert_eq!(h[..4], ["body", "on", "function", "role"]);
    assert!(rows
        .iter()
        .any(|r| col(&h, r, "function") == "commissioning.secondary-care"));
    let json = json_of(&["what", "13T", "--on", "2020-06-01"]);
    assert_eq!(rows.len(), json["holdings"].as_array().unwrap().len());
    // The coverage statement (data/coverage.csv) says the register is not complete for
    // public health over England from 2013-04-01, so the answer has that caveat, and the
    // CSV keeps it beside every row as the text answer does above them.
    for r in &rows {
        let caveats = col(&h, r, "caveats");
        assert!(
            caveats.contains("outside-coverage: ")
                && caveats.contains("commissioning.public-health"),
            "{caveats}"
        );
    }

    let (h, rows) = csv_of(&[
        "timeline",
        "-f",
        "commissioning.secondary-care",
        "--practice",
        "A85001",
    ]);
    assert_eq!(
        h,
        [
            "function",
            "place",
            "from",
            "until",
            "body",
            "role",
            "only_for",
            "incomplete",
            "caveats",
            "for_part"
        ]
    );
    // A85001 joined 13T on 2015-04-01, the day 00F, 00G and 00H merged into it (ODS
    // successor file); where no source settles its CCG before that, the row is incomplete
    // and carries the caveat naming the candidates, as the text and JSON answers do.
    let unsettled = rows
        .iter()
        .find(|r| col(&h, r, "incomplete") == "yes")
        .expect("an unsettled stretch before 2015-04-01");
    let caveats = col(&h, unsettled, "caveats");
    assert!(
        caveats.starts_with("incomplete-record: ") && caveats.contains("00F or 00G or 00H"),
        "{caveats}"
    );
    let last = rows.last().unwrap();
    assert_eq!(
        (
            col(&h, last, "from"),
            col(&h, last, "until"),
            col(&h, last, "body")
        ),
        ("2022-07-01", "", "QHM"),
        "QHM from the ICBs' first day, open-ended"
    );
    assert!(rows
        .iter()
        .any(|r| col(&h, r, "body") == "13T" && col(&h, r, "until") == "2022-07-01"));
}

#[test]
fn registry_listings_have_a_header_and_a_row_per_item() {
    // Each listing: its header, and as many rows as its JSON has items.
    let cases: [(&[&str], &[&str], &str); 6] = [
        (&["functions"], &["id", "name", "note"], ""),
        (
            &["powers"],
            &[
                "id", "title", "makers", "kinds", "from", "until", "cites", "source",
            ],
            "",
        ),
        (
            &["instruments"],
            &["id", "kind", "from", "until", "valid", "title"],
            "",
        ),
        (
            &["expiring", "--on", "2022-01-01", "--days", "365"],
            &[
                "instrument",
                "kind",
                "until",
                "days_left",
                "review",
                "title",
            ],
            "",
        ),
        (
            &["gaps", "--until", "2016-01-01"],
            &[
                "problem",
                "function",
                "place",
                "from",
                "until",
                "holders",
                "explained",
                "caveats",
            ],
            "",
        ),
        (
            &["inheritance"],
            &[
                "status",
                "instrument",
                "from_body",
                "to_body",
                "on",
                "merger",
                "finding",
            ],
            "inherited+orphans",
        ),
    ];
    for (args, header, shape) in cases {
        let (h, rows) = csv_of(args);
        assert_eq!(h, header, "{args:?}");
        let json = json_of(args);
        let items = match shape {
            "inherited+orphans" => {
                json["inherited"].as_array().unwrap().len()
                    + json["orphans"].as_array().unwrap().len()
            }
            _ => json.as_array().unwrap().len(),
        };
        assert_eq!(rows.len(), items, "{args:?}");
        assert!(!rows.is_empty(), "{args:?} lists something");
    }
    // The instruments the statute confers: the 2012 Act's CCG secondary care ended with the
    // CCGs on 2022-07-01.
    let (h, rows) = csv_of(&["instruments"]);
    let ccg = rows
        .iter()
        .find(|r| col(&h, r, "id") == "hsca-2012-ccg-secondary-care")
        .unwrap();
    assert_eq!(
        (col(&h, ccg, "from"), col(&h, ccg, "until")),
        ("2013-04-01", "2022-07-01")
    );
}

#[test]
fn map_csv_is_the_map() {
    let text = vires(&["map", "--to", "2023-04-01", "--kind", "ccg"]);
    let csv = vires(&[
        "--format",
        "csv",
        "map",
        "--to",
        "2023-04-01",
        "--kind",
        "ccg",
    ]);
    assert_eq!(csv.code, 0, "{}", csv.err);
    assert_eq!(text.out, csv.out);
    assert!(csv
        .out
        .starts_with("old_code,old_name,old_kind,on,status,code,name,kind,icb_code"));
}

#[test]
fn workflow_listings_and_the_interests_register_list_as_csv() {
    let (h, rows) = csv_of(&[
        "-r",
        &example("seed-5-struggling-ccgs"),
        "calendar",
        "--on",
        "2018-01-01",
        "--days",
        "365",
    ]);
    assert_eq!(h, ["date", "kind", "subject", "summary", "description"]);
    assert!(rows
        .iter()
        .any(|r| &r[2] == "intervention-08A-2017" && &r[1] == "expiry"));

    let (h, rows) = csv_of(&[
        "-r",
        &example("workflows/intervention/register.vires"),
        "assessments",
        &example("workflows/intervention/assessments.json"),
    ]);
    assert_eq!(h, ["date", "body", "name", "framework", "period", "rating"]);
    // The file's four assessments, newest first: 00T's of 2021-10-01.
    assert_eq!(rows.len(), 4);
    assert_eq!((&rows[0][0], &rows[0][1]), ("2021-10-01", "00T"));

    let register = example("procurement/register_of_interests_02X.json");
    let default = vires(&["conflicts", "export", &register]);
    let csv = vires(&["--format", "csv", "conflicts", "export", &register]);
    assert_eq!(csv.code, 0, "{}", csv.err);
    assert_eq!(default.out, csv.out, "the register's CSV either way");
    let json = vires(&["--format", "json", "conflicts", "export", &register]);
    assert!(
        serde_json::from_str::<Value>(&json.out).is_ok(),
        "{}",
        json.out
    );
}

#[test]
fn a_cell_that_would_start_a_formula_is_neutralised() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.vires");
    std::fs::write(
        &file,
        "body ZZ1 { name \"=HYPERLINK(\\\"http://example.invalid\\\")\" kind ccg from 2020-01-01 }\n",
    )
    .unwrap();
    let r = vires_in(
        dir.path(),
        &[
            "--format",
            "csv",
            "-r",
            &file.display().to_string(),
            "bodies",
            "--on",
            "2021-01-01",
        ],
    );
    assert_eq!(r.code, 0, "{}{}", r.err, r.out);
    let mut reader = csv::Reader::from_reader(r.out.as_bytes());
    let row = reader
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[0] == "ZZ1")
        .unwrap();
    assert!(row[4].starts_with("'="), "{:?}", &row[4]);
}

#[test]
fn a_command_that_lists_nothing_refuses_csv_and_does_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("r.vires");
    std::fs::write(&file, "").unwrap();
    let f = file.display().to_string();
    let key = dir.path().join("log.key").display().to_string();
    let cases: Vec<(&str, Vec<&str>)> = vec![
        ("explain", vec!["explain", "hsca-2012-ccg-secondary-care"]),
        ("check", vec!["check", &f]),
        ("fmt", vec!["fmt", "--check", &f]),
        ("whatif", vec!["whatif", &f]),
        ("export", vec!["export"]),
        ("record", vec!["record", &f, "--reason", "test"]),
        ("procure", vec!["procure", &f]),
        ("audit verify", vec!["audit", "verify"]),
        ("audit keygen", vec!["audit", "keygen", "--out", &key]),
        ("serve", vec!["serve", "--addr", "127.0.0.1:1"]),
        ("man", vec!["man"]),
        ("completions", vec!["completions", "bash"]),
        ("import", vec!["import", "ods", &f]),
    ];
    for (name, args) in cases {
        let mut all = vec!["--format", "csv"];
        all.extend_from_slice(&args);
        let r = vires_in(dir.path(), &all);
        assert_eq!(r.code, 2, "{args:?}: {}{}", r.err, r.out);
        assert!(r.out.is_empty(), "{args:?}: {}", r.out);
        assert!(
            r.err
                .contains("--format csv is for commands that list things")
                && r.err.contains(&format!("`vires {name}`")),
            "{args:?}: {}",
            r.err
        );
    }
    assert!(
        !dir.path().join("s.db").exists() && !dir.path().join("log.key").exists(),
        "no store was opened and no key written: nothing was written"
    );
}

/// `conflicts export` takes its form from --as or --format; asked for two different forms
/// at once, it refuses (exit 2, nothing printed) rather than picking one.
#[test]
fn two_forms_asked_for_at_once_are_refused() {
    let register = example("procurement/register_of_interests_02X.json");
    let r = vires(&[
        "--format",
        "json",
        "conflicts",
        "export",
        &register,
        "--as",
        "html",
    ]);
    assert_eq!(r.code, 2, "{}", r.err);
    assert!(r.out.is_empty(), "{}", r.out);
    assert!(
        r.err.contains("--format json") && r.err.contains("--as html"),
        "{}",
        r.err
    );
    // The same form both ways is one form.
    let r = vires(&[
        "--format",
        "csv",
        "conflicts",
        "export",
        &register,
        "--as",
        "csv",
    ]);
    assert_eq!(r.code, 0, "{}", r.err);
    assert!(r.out.starts_with("body,declarant,"), "{}", r.out);
}
