//! Output as people expect, through the real binary: header rows, whole names, proofs
//! wrapped to the width, open ends as "open", diff looking back, NO_COLOR and --color.
//! Expected facts are public: the ICBs were established on 2022-07-01 (Health and Care
//! Act 2022) when the CCGs were abolished; A85001 is a Gateshead practice.

use std::process::Command;

fn vires(args: &[&str], env: &[(&str, &str)]) -> (i32, String, String) {
    let dir = tempfile::tempdir().unwrap();
    let mut c = Command::new(env!("CARGO_BIN_EXE_vires"));
    c.args(args)
        .env(
            "VIRES_DB",
            format!("sqlite://{}", dir.path().join("s.db").display()),
        )
        .env_remove("COLUMNS")
        .env_remove("NO_COLOR");
    for (k, v) in env {
        c.env(k, v);
    }
    let out = c.output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn bodies_have_a_header_whole_names_and_open_ends() {
    let (code, out, err) = vires(&["bodies", "--on", "2023-04-01", "--kind", "icb"], &[]);
    assert_eq!(code, 0, "{err}");
    let mut lines = out.lines();
    let header: Vec<&str> = lines.next().unwrap().split_whitespace().collect();
    assert_eq!(header, ["CODE", "KIND", "FROM", "UNTIL", "NAME"]);
    let qhm = lines.find(|l| l.starts_with("QHM")).unwrap();
    assert!(
        qhm.contains("NHS North East and North Cumbria Integrated Care Board"),
        "{qhm}"
    );
    assert!(!out.contains('…'), "nothing cut: {out}");
    assert!(out.contains("open"), "{out}");
}

#[test]
fn proofs_wrap_to_the_width_and_keep_every_word() {
    let args = [
        "who",
        "-f",
        "commissioning.secondary-care",
        "--practice",
        "A85001",
        "--on",
        "2020-06-01",
    ];
    let (_, wide, _) = vires(&args, &[]);
    let (code, narrow, err) = vires(&args, &[("COLUMNS", "90")]);
    assert_eq!(code, 0, "{err}");
    assert!(wide.lines().any(|l| l.chars().count() > 90), "{wide}");
    assert!(narrow.lines().all(|l| l.chars().count() <= 90), "{narrow}");
    let words = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    assert_eq!(words(&wide), words(&narrow), "wrapping loses nothing");
    assert!(!wide.contains('…'));
}

#[test]
fn diff_looking_back_marks_bodies_the_right_way_round() {
    let forward = vires(
        &["--format", "json", "diff", "2022-06-30", "2022-07-01"],
        &[],
    )
    .1;
    let back = vires(
        &["--format", "json", "diff", "2022-07-01", "2022-06-30"],
        &[],
    )
    .1;
    let f: serde_json::Value = serde_json::from_str(&forward).unwrap();
    let b: serde_json::Value = serde_json::from_str(&back).unwrap();
    let codes = |v: &serde_json::Value, k: &str, kind: &str| -> Vec<String> {
        v[k].as_array()
            .unwrap()
            .iter()
            .filter(|b| b["kind"] == kind)
            .map(|b| b["code"].as_str().unwrap().to_string())
            .collect()
    };
    assert!(codes(&f, "established", "icb").contains(&"QHM".to_string()));
    assert!(codes(&f, "abolished", "ccg").contains(&"13T".to_string()));
    // Looking back from July to June, the ICBs go and the CCGs come back.
    assert!(
        codes(&b, "abolished", "icb").contains(&"QHM".to_string()),
        "{back}"
    );
    assert!(
        codes(&b, "established", "ccg").contains(&"13T".to_string()),
        "{back}"
    );
    assert!(codes(&b, "established", "icb").is_empty());
}

#[test]
fn no_color_and_color_flags_are_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("bad.vires");
    std::fs::write(
        &bad,
        "body X1 { name \"x\" kind nonsense from 2013-04-01 }\n",
    )
    .unwrap();
    let bad = bad.display().to_string();
    let (code, _, always) = vires(&["--color", "always", "check", &bad], &[]);
    assert_eq!(code, 1);
    assert!(
        always.contains('\u{1b}'),
        "--color always colours: {always}"
    );
    let (_, _, never) = vires(&["--color", "never", "check", &bad], &[]);
    assert!(!never.contains('\u{1b}'), "{never}");
    let (_, _, no_color) = vires(&["check", &bad], &[("NO_COLOR", "1")]);
    assert!(!no_color.contains('\u{1b}'), "{no_color}");
    assert_eq!(never, no_color);
}

#[test]
fn every_flag_shown_in_help_says_what_it_is_for() {
    let (_, help, _) = vires(&["help", "bodies"], &[]);
    let on = help.lines().find(|l| l.contains("--on <ON>")).unwrap();
    assert!(on.contains("The date"), "{help}");
    let (_, help, _) = vires(&["help", "timeline"], &[]);
    let f = help
        .lines()
        .find(|l| l.starts_with("  -f, --function"))
        .unwrap();
    assert!(f.contains("Function id"), "{help}");
}

/// `what` keeps a holding's whole area and wraps it, its proof and the caveats beside it to
/// the width instead of cutting them.
#[test]
fn what_wraps_holdings_and_caveats_without_cutting() {
    let args = ["what", "00T", "--on", "2020-06-01"];
    let (code, wide, err) = vires(&args, &[]);
    assert_eq!(code, 0, "{err}");
    let (_, narrow, _) = vires(&args, &[("COLUMNS", "80")]);
    assert!(wide.lines().any(|l| l.chars().count() > 80), "{wide}");
    assert!(narrow.lines().count() > wide.lines().count(), "{narrow}");
    // Lines break at spaces and after hyphens: without the spaces, the text is the same.
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    assert_eq!(squeeze(&wide), squeeze(&narrow), "wrapping loses nothing");
    assert!(!wide.contains('…') && !narrow.contains('…'));
}
