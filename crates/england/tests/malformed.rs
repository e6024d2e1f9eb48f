//! A directory of deliberately broken ODS/ONS files: every bad row is reported with its file
//! and line, and the good rows load.

use jiff::civil::date;
use std::path::Path;
use vires_core::BodyKind;
use vires_england::{build_from_dir, ImportError, Severity};

/// A 27-column ODS row with the given (column, value) pairs set.
fn ods_row(cols: &[(usize, &str)]) -> String {
    let mut f = vec![String::new(); 27];
    for (i, v) in cols {
        f[*i] = (*v).to_string();
    }
    f.iter()
        .map(|v| format!("\"{v}\""))
        .collect::<Vec<_>>()
        .join(",")
}

fn ccg(code: &str, parent: &str, open: &str, close: &str, role: &str) -> String {
    ods_row(&[
        (0, code),
        (1, &format!("NHS TEST {code} CCG")),
        (2, "Y60"),
        (3, parent),
        (10, open),
        (11, close),
        (13, role),
    ])
}

fn practice(code: &str, commissioner: &str, joined: &str, status: &str) -> String {
    ods_row(&[
        (0, code),
        (1, "TEST SURGERY"),
        (9, "NG1 1AA"),
        (10, "19740401"),
        (12, status),
        (14, commissioner),
        (15, joined),
        (25, "4"),
    ])
}

fn write(dir: &Path, name: &str, lines: &[String]) {
    std::fs::write(dir.join(name), lines.join("\n") + "\n").unwrap();
}

fn broken_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    write(
        d,
        "ods_eccg_2024.csv",
        &[
            ccg("00A", "QAA", "20130401", "20150331", ""), // 1 good, closed CCG
            ccg("00B", "QAA", "20131301", "", ""),         // 2 bad open date
            "\"00C\",\"NHS SHORT CCG\"".to_string(),       // 3 missing columns
            ccg("00D", "QAA", "20130401", "", "RO319"),    // 4 good, continues as sub-ICB location
            ccg("00E", "QZZ", "20130401", "", "RO319"),    // 5 unknown parent ICB
            ccg("00X", "QAA", "20130401", "", "RO999"),    // 6 unknown role
            ccg("00G", "QAA", "20150401", "20140331", ""), // 7 closes before it opens
            ccg("00F", "QAA", "20130401", "20160331", ""), // 8 good, closes with no successor
            ccg("00A", "QAA", "20130401", "", ""),         // 9 duplicate code
        ],
    );
    write(
        d,
        "ons_icb_dec2024.csv",
        &[
            "ICB24CD,ICB24CDH,ICB24NM,ObjectId".to_string(),
            "E54000099,QAA,NHS Test Integrated Care Board,1".to_string(),
            ",,Nameless,2".to_string(), // 3 no ODS code
        ],
    );
    write(
        d,
        "ods_succ.csv",
        &[
            "\"00A\",\"00D\",\"\",\"20150401\",\"0\"".to_string(), // 1 good
            "\"00A\",\"00E\",\"\",\"2015xx01\",\"0\"".to_string(), // 2 bad date
            "\"00A\"".to_string(),                                 // 3 missing columns
            "\"00D\",\"ZZZ99\",\"\",\"20200401\",\"0\"".to_string(), // 4 unknown successor
            "\"R1A\",\"R1B\",\"\",\"20200401\",\"0\"".to_string(), // 5 out of scope, ignored
        ],
    );
    write(
        d,
        "ods_epraccur_2019_12.csv",
        &[
            practice("P00001", "00A", "20130401", "A"), // 1 good: 00A, then 00D, then sub-ICB 00D
            practice("P00002", "00D", "2013041", "A"),  // 2 bad join date
            practice("P00003", "99Z", "20130401", "A"), // 3 unknown commissioner
            "\"P00004\",\"SHORT\"".to_string(),         // 4 missing columns
            practice("P00005", "00F", "20130401", "A"), // 5 commissioner closes, no successor
            practice("P00001", "00D", "20130401", "A"), // 6 duplicate practice
            ods_row(&[(0, "X00001"), (14, "00D"), (15, "20130401"), (25, "0")]), // 7 not a GP practice
        ],
    );
    dir
}

fn has(issues: &[vires_england::Issue], file: &str, line: u64, kind: &str) -> bool {
    issues
        .iter()
        .any(|i| i.file == file && i.line == Some(line) && i.kind == kind)
}

#[test]
fn bad_rows_are_reported_with_file_and_line_and_good_rows_load() {
    let dir = broken_dir();
    let import = build_from_dir(dir.path(), &mut |_| {}).unwrap();
    let q = &import.quality.issues;
    let eccg = "ods_eccg_2024.csv";
    assert!(has(q, eccg, 2, "bad-date"), "{q:#?}");
    assert!(has(q, eccg, 3, "short-row"));
    assert!(has(q, eccg, 5, "unknown-parent"));
    assert!(has(q, eccg, 6, "unknown-role"));
    assert!(has(q, eccg, 7, "dates-backwards"));
    assert!(has(q, eccg, 9, "duplicate-code"));
    assert!(has(q, "ons_icb_dec2024.csv", 3, "missing-code"));
    assert!(has(q, "ods_succ.csv", 2, "bad-date"));
    assert!(has(q, "ods_succ.csv", 3, "short-row"));
    assert!(has(q, "ods_succ.csv", 4, "successor-unknown"));
    let prac = "ods_epraccur_2019_12.csv";
    assert!(has(q, prac, 2, "bad-date"));
    assert!(has(q, prac, 3, "unknown-commissioner"));
    assert!(has(q, prac, 4, "short-row"));
    assert!(has(q, prac, 5, "closed-commissioner"));
    assert!(has(q, prac, 6, "duplicate-code"));
    // Out-of-scope organisations are not anomalies.
    assert!(!q
        .iter()
        .any(|i| i.file == "ods_succ.csv" && i.line == Some(5)));
    assert!(!q.iter().any(|i| i.file == prac && i.line == Some(7)));

    // The rejected rows are counted per file.
    let summary = |f: &str| {
        import
            .quality
            .files
            .iter()
            .find(|s| s.file == f)
            .unwrap()
            .clone()
    };
    assert_eq!(summary(eccg).rows, 9);
    assert_eq!(summary(eccg).rejected, 5);

    // Good rows loaded.
    let reg = &import.register;
    assert_eq!(
        reg.body(reg.body_at("00A", date(2014, 1, 1)).unwrap()).kind,
        BodyKind::Ccg
    );
    assert!(reg.body_at("00A", date(2015, 4, 1)).is_none());
    assert!(reg.body_at("00B", date(2014, 1, 1)).is_none());
    assert!(reg.body_at("00X", date(2014, 1, 1)).is_none());
    let sub = reg.body_at("00D", date(2023, 1, 1)).unwrap();
    assert_eq!(reg.body(sub).kind, BodyKind::SubIcbLocation);
    assert!(reg
        .parents
        .iter()
        .any(|p| p.child == sub && reg.body(p.parent).code == "QAA"));
    let unparented = reg.body_at("00E", date(2023, 1, 1)).unwrap();
    assert!(!reg.parents.iter().any(|p| p.child == unparented));
    assert!(reg
        .successions
        .iter()
        .any(|s| s.from == "00A" && s.to == "00D"));

    // P00001 follows 00A into 00D on 2015-04-01, then the sub-ICB location 00D on 2022-07-01.
    let p1 = reg.practice_id("P00001").unwrap();
    let mut ms: Vec<_> = reg
        .memberships
        .iter()
        .filter(|m| m.practice == p1)
        .collect();
    ms.sort_by_key(|m| m.during.from);
    let chain: Vec<(&str, BodyKind, String)> = ms
        .iter()
        .map(|m| {
            let b = reg.body(m.body);
            (b.code.as_str(), b.kind, m.during.from.to_string())
        })
        .collect();
    assert_eq!(
        chain,
        [
            ("00A", BodyKind::Ccg, "2013-04-01".to_string()),
            ("00D", BodyKind::Ccg, "2015-04-01".to_string()),
            ("00D", BodyKind::SubIcbLocation, "2022-07-01".to_string()),
        ]
    );
    // P00005 stays in 00F until it closes, then has no commissioner (reported above).
    let p5 = reg.practice_id("P00005").unwrap();
    let m5: Vec<_> = reg
        .memberships
        .iter()
        .filter(|m| m.practice == p5)
        .collect();
    assert_eq!(m5.len(), 1);
    assert_eq!(m5[0].during.until, Some(date(2016, 4, 1)));
    // Practices with unusable rows are absent; the one with an unknown commissioner is kept.
    assert!(reg.practice_id("P00002").is_none());
    assert!(reg.practice_id("P00004").is_none());
    assert!(reg.practice_id("P00003").is_some());

    // The report says where to look, in both forms.
    let text = import.quality.to_text();
    assert!(text.contains("ods_eccg_2024.csv:2 bad-date"), "{text}");
    let json: serde_json::Value = serde_json::from_str(&import.quality.to_json()).unwrap();
    assert!(json["issues"]
        .as_array()
        .unwrap()
        .iter()
        .any(|i| i["file"] == "ods_succ.csv" && i["line"] == 2 && i["severity"] == "rejected"));
    assert!(import.quality.count(Severity::Rejected) >= 11);
}

/// The issues with a line, as (file, line, kind), sorted.
fn located(issues: &[vires_england::Issue]) -> Vec<(String, u64, &'static str)> {
    let mut v: Vec<_> = issues
        .iter()
        .filter_map(|i| i.line.map(|l| (i.file.clone(), l, i.kind)))
        .collect();
    v.sort();
    v
}

#[test]
fn crlf_files_report_the_physical_line_of_each_bad_row() {
    // The ODS extracts are published with CRLF line ends (all four bundled ones are).
    let lf = broken_dir();
    let lf_import = build_from_dir(lf.path(), &mut |_| {}).unwrap();
    let crlf = broken_dir();
    for f in std::fs::read_dir(crlf.path()).unwrap() {
        let path = f.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(!text.contains('\r'));
        std::fs::write(&path, text.replace('\n', "\r\n")).unwrap();
    }
    let import = build_from_dir(crlf.path(), &mut |_| {}).unwrap();
    let q = &import.quality.issues;
    let eccg = "ods_eccg_2024.csv";
    let prac = "ods_epraccur_2019_12.csv";
    // Exact lines, none of them the first data row.
    assert!(has(q, eccg, 2, "bad-date"), "{q:#?}");
    assert!(has(q, eccg, 7, "dates-backwards"), "{q:#?}");
    assert!(has(q, eccg, 9, "duplicate-code"), "{q:#?}");
    assert!(has(q, "ods_succ.csv", 4, "successor-unknown"), "{q:#?}");
    assert!(has(q, "ons_icb_dec2024.csv", 3, "missing-code"), "{q:#?}");
    assert!(has(q, prac, 6, "duplicate-code"), "{q:#?}");
    assert!(!has(q, eccg, 8, "duplicate-code"));
    // And every located issue is where the LF files put it.
    assert_eq!(located(q), located(&lf_import.quality.issues));

    // Blank lines between CRLF rows are counted too.
    let dir = broken_dir();
    let path = dir.path().join("ods_succ.csv");
    let text = std::fs::read_to_string(&path).unwrap();
    let mut rows: Vec<&str> = text.lines().collect();
    rows.insert(2, "");
    std::fs::write(&path, rows.join("\r\n") + "\r\n").unwrap();
    let import = build_from_dir(dir.path(), &mut |_| {}).unwrap();
    let q = &import.quality.issues;
    assert!(has(q, "ods_succ.csv", 2, "bad-date"), "{q:#?}");
    assert!(has(q, "ods_succ.csv", 4, "short-row"), "{q:#?}");
    assert!(has(q, "ods_succ.csv", 5, "successor-unknown"), "{q:#?}");
}

#[test]
fn a_missing_required_file_is_an_error_that_says_what_to_do() {
    let dir = broken_dir();
    std::fs::remove_file(dir.path().join("ods_succ.csv")).unwrap();
    match build_from_dir(dir.path(), &mut |_| {}) {
        Err(ImportError::MissingFile { role, expected, .. }) => {
            assert_eq!(role, "ODS successor file");
            assert!(expected.contains("succ.csv"));
        }
        other => panic!("expected a missing-file error, got {other:?}"),
    }
    // Optional files missing is only a warning.
    let import = build_from_dir(broken_dir().path(), &mut |_| {}).unwrap();
    assert!(import.quality.of_kind("missing-file").count() >= 3);
}

#[test]
fn download_names_are_accepted() {
    let dir = broken_dir();
    let d = dir.path();
    std::fs::rename(d.join("ods_eccg_2024.csv"), d.join("eccg.csv")).unwrap();
    std::fs::rename(d.join("ods_succ.csv"), d.join("succ.csv")).unwrap();
    std::fs::rename(d.join("ods_epraccur_2019_12.csv"), d.join("epraccur.csv")).unwrap();
    let import = build_from_dir(d, &mut |_| {}).unwrap();
    assert!(import.register.practice_id("P00001").is_some());
    assert!(import.quality.issues.iter().any(|i| i.file == "eccg.csv"));
}

#[test]
fn a_file_far_larger_than_any_extract_is_refused_before_it_is_read() {
    let dir = broken_dir();
    // Sparse: the size is on record, no data is written, and nothing reads it.
    let big = std::fs::File::create(dir.path().join("ods_epraccur_2019_12.csv")).unwrap();
    big.set_len(vires_england::MAX_FILE_BYTES + 1).unwrap();
    match build_from_dir(dir.path(), &mut |_| {}) {
        Err(ImportError::TooLarge { path, limit, .. }) => {
            assert!(path.ends_with("ods_epraccur_2019_12.csv"), "{path}");
            assert_eq!(limit, vires_england::MAX_FILE_BYTES >> 20);
        }
        Err(e) => panic!("expected TooLarge, got {e}"),
        Ok(_) => panic!("a 256 MiB practice file was read"),
    }
}
