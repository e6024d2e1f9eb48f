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
    let on = help.lines().find(|l| l.contains("--on <DATE>")).unwrap();
    assert!(
        on.contains("The date (YYYY-MM-DD); default today"),
        "{help}"
    );
    // A council asked about as a body is answered as its area: `--body` says so.
    let (_, help, _) = vires(&["help", "who"], &[]);
    let body = help.split("--body <CODE>").nth(1).unwrap();
    let body = body.split("--area").next().unwrap();
    let body = body.split_whitespace().collect::<Vec<_>>().join(" ");
    assert!(
        body.contains("council") && body.contains("ONS code") && body.contains("named area"),
        "{body}"
    );
    // No date flag is shown by its field's name: each is a <DATE> whose help says its form.
    let (_, top, _) = vires(&["--help"], &[]);
    let subcommands: Vec<&str> = top
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap()
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert!(subcommands.len() > 30, "{top}");
    let mut dates = 0;
    for sub in subcommands {
        let (_, help, _) = vires(&["help", sub], &[]);
        for field in ["--on <ON>", "--to <TO>", "--until <UNTIL>"] {
            assert!(!help.contains(field), "vires {sub}: {help}");
        }
        for (n, line) in help.lines().enumerate() {
            // An option's own line (not the usage line, which names it too).
            if line.contains("<DATE>") && line.trim_start().starts_with('-') {
                dates += 1;
                // The help may continue on the next line(s).
                let text: String = help.lines().skip(n).take(3).collect::<Vec<_>>().join(" ");
                assert!(text.contains("YYYY-MM-DD"), "vires {sub}: {line}");
            }
        }
    }
    assert!(dates >= 11, "{dates} date flags");
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
    // Lines break at spaces only: without the spaces, the text is the same.
    let squeeze = |s: &str| s.split_whitespace().collect::<String>();
    assert_eq!(squeeze(&wide), squeeze(&narrow), "wrapping loses nothing");
    assert!(!wide.contains('…') && !narrow.contains('…'));
}

/// `what` lines its columns up: by hand, Greater Manchester ICB (QOP) held on 2024-06-01 both
/// primary medical services (delegated 2022-07-01) and complaints about community pharmacy
/// services (delegated 2023-07-01), whose function id is longer than most; the role column
/// starts at the same place on every holding's line.
#[test]
fn what_lines_up_the_role_column_below_long_function_ids() {
    let (code, out, err) = vires(
        &["what", "QOP", "--on", "2024-06-01"],
        &[("COLUMNS", "400")],
    );
    assert_eq!(code, 0, "{err}");
    let role_at = |function: &str| {
        let line = out
            .lines()
            .find(|l| l.split_whitespace().next() == Some(function))
            .unwrap_or_else(|| panic!("no holding of {function}: {out}"));
        let after = &line[line.find(function).unwrap() + function.len()..];
        line.len() - after.trim_start().len()
    };
    let short = role_at("commissioning.primary-care.medical");
    let long = role_at("commissioning.primary-care.optometry.complaints");
    assert_eq!(short, long, "{out}");
}

/// A council asked about by its ONS code is named, not called "footprint of E08000001": the
/// name is the one in the ONS CCG to local authority district lookup the register is built
/// from (E08000001 is Bolton), and the line says it is the council's area.
#[test]
fn a_council_is_named_as_the_councils_area() {
    let lookup = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../data/ods/ons_ccg_lad_lookup.csv");
    let name = csv::Reader::from_path(lookup)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
        .find(|r| &r[3] == "E08000001")
        .map(|r| r[4].to_string())
        .unwrap();
    assert_eq!(name, "Bolton");
    let f = "commissioning.secondary-care";
    for flag in ["--body", "--area"] {
        let args = ["who", "-f", f, flag, "E08000001", "--on", "2023-01-01"];
        let (code, out, err) = vires(&args, &[]);
        assert_eq!(code, 0, "{err}");
        assert_eq!(
            out.lines().next().unwrap(),
            format!("{f} in {name} (E08000001), the council's area on 2023-01-01"),
            "{out}"
        );
        assert!(!out.contains("footprint of E08000001"), "{out}");
    }
    // A timeline spans years in which a code's body and name change: the code alone.
    let (_, out, _) = vires(&["timeline", "-f", f, "--body", "13T"], &[]);
    assert_eq!(
        out.lines().next().unwrap(),
        format!("{f} in the footprint of 13T")
    );
    let (_, out, _) = vires(&["timeline", "-f", f, "--body", "E08000001"], &[]);
    assert_eq!(
        out.lines().next().unwrap(),
        format!("{f} in {name} (E08000001), the council's area")
    );
    // A body with practices of its own is asked about as its footprint, by name.
    let (_, out, _) = vires(
        &["who", "-f", f, "--body", "QHM", "--on", "2023-01-01"],
        &[],
    );
    assert_eq!(
        out.lines().next().unwrap(),
        format!(
            "{f} in the footprint of QHM (NHS North East and North Cumbria Integrated Care \
             Board) on 2023-01-01"
        ),
        "{out}"
    );
}

/// An instrument with no end says "open", as every other open end does.
#[test]
fn explain_says_open_for_an_open_end() {
    let reg = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples/seed-4-co-commissioning/register.vires")
        .display()
        .to_string();
    let (code, list, err) = vires(&["-r", &reg, "--format", "json", "instruments"], &[]);
    assert_eq!(code, 0, "{err}");
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let open = list
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["until"].is_null())
        .expect("an instrument with no end");
    let id = open["id"].as_str().unwrap();
    let (code, out, err) = vires(&["-r", &reg, "explain", id], &[]);
    assert_eq!(code, 0, "{err}");
    let line = out.lines().find(|l| l.contains("in force from")).unwrap();
    assert!(line.ends_with("until open"), "{line}");
    assert!(!out.contains("open-ended"), "{out}");
}

/// A procurement answer wraps to the width like the other answers, keeping every word and
/// every id whole, and no section of it is left empty under its heading.
#[test]
fn procurement_answers_wrap_and_leave_no_section_empty() {
    let ex = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/procurement");
    let register = ex.join("register.vires").display().to_string();
    for contract in [
        "community_services_2024-01-02.json",
        "nhse_other_services_2022.json",
    ] {
        let contract = ex.join(contract).display().to_string();
        let args = ["-r", &register, "procure", &contract];
        let (code, wide, err) = vires(&args, &[]);
        assert_eq!(code, 0, "{err}");
        let (_, narrow, _) = vires(&args, &[("COLUMNS", "90")]);
        assert!(wide.lines().any(|l| l.chars().count() > 90), "{wide}");
        assert!(narrow.lines().all(|l| l.chars().count() <= 90), "{narrow}");
        let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
        assert_eq!(
            words(&wide),
            words(&narrow),
            "wrapping loses and splits nothing"
        );
        let lines: Vec<&str> = wide.lines().collect();
        for (n, l) in lines.iter().enumerate() {
            if !l.starts_with(' ') && l.ends_with(':') {
                let next = lines.get(n + 1).copied().unwrap_or_default();
                assert!(
                    next.starts_with("  ") && !next.trim().is_empty(),
                    "{l} is empty:\n{wide}"
                );
            }
        }
    }
}

/// The listings for people open with a header row naming their columns, and have one row
/// per item of the same listing in JSON (piped, so no row wraps).
#[test]
fn listings_open_with_a_header_row() {
    for (args, first) in [
        (
            vec!["expiring", "--on", "2023-01-01", "--days", "400"],
            "DAYS LEFT",
        ),
        (
            vec!["calendar", "--on", "2023-01-01", "--days", "400"],
            "DATE",
        ),
        (vec!["functions"], "ID"),
        (vec!["instruments"], "ID"),
        (vec!["bodies", "--on", "2023-04-01"], "CODE"),
    ] {
        let (code, out, err) = vires(&args, &[]);
        assert_eq!(code, 0, "{args:?}: {err}");
        let header = out.lines().next().unwrap();
        assert!(header.starts_with(first), "{args:?}: {header}");
        assert!(
            header.chars().all(|c| !c.is_lowercase()),
            "{args:?}: {header}"
        );
        let mut json_args = vec!["--format", "json"];
        json_args.extend(&args);
        let (_, json, _) = vires(&json_args, &[]);
        let items = serde_json::from_str::<serde_json::Value>(&json).unwrap();
        let items = items.as_array().unwrap().len();
        assert!(items > 0, "{args:?}");
        let rows = out
            .lines()
            .skip(1)
            .filter(|l| !l.starts_with(' ') && !l.is_empty())
            .count();
        // The table's rows, and at most one summary line after them.
        assert!(
            rows == items || rows == items + 1,
            "{args:?}: {rows} rows for {items}"
        );
    }
}

/// diff wraps its lines to the width at spaces only: every word, and so every instrument
/// id and function id, is the same whole word wrapped or not.
#[test]
fn diff_wraps_at_spaces_and_keeps_ids_whole() {
    let args = ["diff", "2022-06-30", "2022-07-01"];
    let (code, wide, err) = vires(&args, &[]);
    assert_eq!(code, 0, "{err}");
    let (_, narrow, _) = vires(&args, &[("COLUMNS", "80")]);
    assert!(wide.lines().any(|l| l.chars().count() > 80), "{wide}");
    assert!(narrow.lines().all(|l| l.chars().count() <= 80), "{narrow}");
    let words = |s: &str| s.split_whitespace().map(str::to_string).collect::<Vec<_>>();
    assert_eq!(words(&wide), words(&narrow));
    // The ICBs' delegation of GP services (2022) is one word wherever it falls.
    assert!(words(&narrow).contains(&"(nhse-icb-primary-medical-2022)".to_string()));
}

/// `vires --help` lists every command on one line each: the first paragraph of each
/// command's help is its summary, and the rest is in `vires help COMMAND`.
#[test]
fn the_command_list_has_one_line_per_command() {
    let (_, help, _) = vires(&["--help"], &[]);
    let list = help
        .split("Commands:")
        .nth(1)
        .unwrap()
        .split("Options:")
        .next()
        .unwrap();
    let lines: Vec<&str> = list.lines().filter(|l| !l.trim().is_empty()).collect();
    assert!(lines.len() > 30, "{list}");
    for l in &lines {
        assert!(
            l.starts_with("  ") && !l.starts_with("   "),
            "a summary runs onto a second line: {l}\n{list}"
        );
    }
    let (_, who, _) = vires(&["help", "who"], &[]);
    assert!(who.contains("who stays accountable"), "{who}");
}

/// gaps says in words what each finding is and where. By hand: 00C holds secondary care
/// over England from 2013-04-01 until 2014-01-01 and 00D from 2013-10-01 until 2015-01-01,
/// so both hold it at once from 2013-10-01 to 2013-12-31 (the last day both hold it) and
/// nobody from 2015-01-01 to 2015-12-31, the last day asked about.
#[test]
fn gaps_name_each_finding_and_its_place_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let conferral = |id: &str, to: &str, from: &str, until: &str| {
        format!(
            "conferral \"{id}\" {{\n  id        {id}\n  basis     \"test\"\n  by        PARLIAMENT\n  to        {to}\n  functions commissioning.secondary-care\n  area      england\n  from      {from}\n  until     {until}\n  source    \"test\"\n}}\n"
        )
    };
    let text = format!(
        "body 00C {{ name \"NHS Darlington CCG\" kind ccg from 2013-04-01 until 2020-04-01 }}\n\
         body 00D {{ name \"NHS Durham Dales CCG\" kind ccg from 2013-04-01 until 2020-04-01 }}\n{}{}",
        conferral("test-a", "00C", "2013-04-01", "2014-01-01"),
        conferral("test-b", "00D", "2013-10-01", "2015-01-01"),
    );
    let file = dir.path().join("r.vires");
    std::fs::write(&file, text).unwrap();
    let file = file.display().to_string();
    let (code, out, err) = vires(&["-r", &file, "gaps", "--until", "2016-01-01"], &[]);
    assert_eq!(code, 1, "unexplained findings: {out}{err}");
    let f = "commissioning.secondary-care";
    for body in ["00C (NHS Darlington CCG)", "00D (NHS Durham Dales CCG)"] {
        let overlap = format!(
            "overlap: {f} in the footprint of {body}, 2013-10-01 to 2013-12-31: held \
             exclusively by 00C and 00D at once"
        );
        let gap = format!(
            "gap: {f} in the footprint of {body}, 2015-01-01 to 2015-12-31: no holder \
             without a purpose limit is recorded"
        );
        assert!(out.lines().any(|l| l == overlap), "{overlap}\n{out}");
        assert!(out.lines().any(|l| l == gap), "{gap}\n{out}");
    }
    assert!(
        !out.contains("footprint of 00C,") && !out.contains("Gap"),
        "{out}"
    );
}

/// A period in text ends on its last day, as the caveat beside it does, so the two agree. By
/// hand, from docs/data.md (known limits, practice history): A85001 was in NHS Gateshead
/// CCG (00F) from 2013-04-01 to 2015-01-01, its CCG from 2015-01-02 to 2015-03-31 is not
/// known (one of 00F, 00G, 00H), and it was in 13T from 2015-04-01.
#[test]
fn a_timeline_ends_each_period_on_its_last_day_as_its_caveats_do() {
    let f = "commissioning.secondary-care";
    let (code, out, err) = vires(
        &["timeline", "-f", f, "--practice", "A85001"],
        &[("COLUMNS", "400")],
    );
    assert_eq!(code, 0, "{err}");
    let rows: Vec<String> = out
        .lines()
        .map(|l| l.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect();
    for row in [
        "2013-04-01 to 2015-01-01 00F (statutory)",
        "2015-01-02 to 2015-03-31 — not known: the record is incomplete (see above) —",
    ] {
        assert!(rows.iter().any(|r| r == row), "{row}\n{out}");
    }
    assert!(
        rows.iter()
            .any(|r| r.starts_with("2015-04-01 to ") && r.ends_with("13T (statutory)")),
        "{out}"
    );
    assert!(
        out.contains("incomplete from 2015-01-02 to 2015-03-31"),
        "{out}"
    );
}

/// A timeline of a code no body ever had says so, not "on -009999-01-01" (the earliest date
/// there is, which the question about all time carried).
#[test]
fn a_timeline_of_a_code_no_body_had_says_so() {
    let (code, out, err) = vires(
        &[
            "timeline",
            "-f",
            "commissioning.secondary-care",
            "--body",
            "QZZ",
        ],
        &[],
    );
    assert_eq!(code, 1, "{out}");
    assert!(err.contains("no body has ever had the code `QZZ`"), "{err}");
    assert!(!err.contains("-009999"), "{err}");
}

/// On 2023-04-01 the early POD delegations ended and the delegation to every ICB began
/// (NHS England, PRN00089; Kent and Medway held all three from 2022-07-01, Medway Council's
/// scrutiny report): Kent and Medway kept its dental services under another instrument, one
/// change of how it held them, not a loss and a gain. Sussex's early delegation is marked to
/// confirm in its source (its start date rests on the written answer for the nine), and the
/// change it gave on 2022-07-01 says so, in text and in JSON.
#[test]
fn diff_pairs_a_change_of_instrument_and_marks_a_change_to_confirm() {
    let (code, out, err) = vires(&["diff", "2023-03-31", "2023-04-01"], &[("COLUMNS", "400")]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("~ QKS commissioning.primary-care.dental in footprint(QKS): delegate (nhse-icb-pod-2022-QKS), then delegate (nhse-icb-pod-2023)"),
        "{out}"
    );
    assert!(
        !out.contains("- QKS delegate commissioning.primary-care.dental"),
        "{out}"
    );
    let (code, out, err) = vires(&["diff", "2022-06-30", "2022-07-01"], &[("COLUMNS", "400")]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("+ QNX delegate commissioning.primary-care.dental in footprint(QNX) (nhse-icb-pod-2022-QNX, to confirm)"),
        "{out}"
    );
    let (code, out, err) = vires(
        &["--format", "json", "diff", "2022-06-30", "2022-07-01"],
        &[],
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let qnx = v["added"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["instrument"] == "nhse-icb-pod-2022-QNX")
        .unwrap();
    assert_eq!(qnx["to_confirm"], true, "{qnx}");
    let qks = v["added"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["instrument"] == "nhse-icb-pod-2022-QKS")
        .unwrap();
    assert!(qks.get("to_confirm").is_none(), "{qks}");
}
