//! No panic on any input: every subcommand of the real binary, run with hostile arguments
//! (huge numbers, dates at the ends of the calendar, empty and strange codes, files that are
//! empty, binary, deeply nested, directories or missing) and with its standard output closed,
//! ends with a message or quietly, never with a panic (exit 101) or a signal. Every command
//! that lists things does the same in each format (text, JSON, CSV).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

fn vires() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_vires"));
    c.env("RUST_BACKTRACE", "1").env_remove("VIRES_ODS_DIR");
    c
}

/// Hostile inputs on disk, and a store of the test's own.
struct Files {
    dir: tempfile::TempDir,
}

impl Files {
    fn new() -> Files {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path();
        std::fs::write(p.join("empty.vires"), "").unwrap();
        std::fs::write(p.join("empty.json"), "").unwrap();
        let binary: Vec<u8> = (0..4096u32).map(|i| (i * 7919 % 251) as u8).collect();
        std::fs::write(p.join("binary.vires"), &binary).unwrap();
        std::fs::write(p.join("binary.json"), &binary).unwrap();
        std::fs::write(p.join("nested.json"), "[".repeat(100_000)).unwrap();
        std::fs::write(p.join("nested.vires"), "body X { ".repeat(20_000)).unwrap();
        std::fs::write(
            p.join("long.vires"),
            format!(
                "body {} {{ name \"{}\" }}",
                "A".repeat(100_000),
                "é".repeat(100_000)
            ),
        )
        .unwrap();
        std::fs::write(p.join("object.json"), "{\"a\": 1}").unwrap();
        std::fs::create_dir(p.join("folder.vires")).unwrap();
        // A batch with one good question and rows a spreadsheet would run as formulas.
        std::fs::write(
            p.join("questions.csv"),
            "function,place,date,as\n\
             commissioning.secondary-care,A85001,2020-06-01,X24\n\
             =1+1,@SUM(A1),9999-12-31,-X\n\
             commissioning.secondary-care,england,2023-01-01,QHM\n",
        )
        .unwrap();
        Files { dir }
    }

    fn path(&self, name: &str) -> String {
        self.dir.path().join(name).display().to_string()
    }

    fn db(&self) -> String {
        format!("sqlite://{}", self.dir.path().join("store.db").display())
    }
}

/// Every subcommand with hostile arguments. `{name}` is a hostile file.
fn cases() -> Vec<(&'static str, Vec<&'static str>)> {
    let f = "commissioning.secondary-care";
    vec![
        (
            "check",
            vec!["check", "{binary.vires}", "{nested.vires}", "{long.vires}"],
        ),
        ("check", vec!["check", "{folder.vires}", "{missing.vires}"]),
        (
            "fmt",
            vec![
                "fmt",
                "--check",
                "{binary.vires}",
                "{nested.vires}",
                "{empty.vires}",
            ],
        ),
        (
            "find",
            vec![
                "find",
                "\u{1}%_*[",
                "--on",
                "9999-12-31",
                "--limit",
                "65536",
            ],
        ),
        (
            "find",
            vec![
                "find", "a", "b", "c", "d", "e", "f", "g", "h", "i", "--kind", ",,",
            ],
        ),
        ("who", vec!["who", "--batch", "{binary.json}"]),
        ("who", vec!["who", "--batch", "{nested.json}"]),
        ("may", vec!["may", "--batch", "{folder.vires}"]),
        ("may", vec!["may", "--batch", "{long.vires}"]),
        (
            "who",
            vec!["who", "-f", f, "--practice", "", "--on", "9999-12-31"],
        ),
        (
            "who",
            vec!["who", "-f", "", "--england", "--on", "0001-01-01"],
        ),
        (
            "who",
            vec!["who", "-f", f, "--area", "\u{202e}\u{1}x", "--purpose", ""],
        ),
        (
            "who",
            vec!["who", "-f", f, "--body", "QHM", "--on", "99999-01-01"],
        ),
        (
            "may",
            vec![
                "may",
                "--as",
                "",
                "-f",
                f,
                "--england",
                "--on",
                "9999-12-31",
            ],
        ),
        ("explain", vec!["explain", "\u{1}\u{7f}"]),
        ("what", vec!["what", "", "--on", "9999-12-31"]),
        ("timeline", vec!["timeline", "-f", f, "--practice", "ÿÿÿÿ"]),
        ("diff", vec!["diff", "9999-12-31", "0001-01-01"]),
        (
            "whatif",
            vec!["whatif", "{binary.vires}", "--on", "9999-12-31"],
        ),
        (
            "whatif",
            vec!["-r", "{empty.vires}", "whatif", "{nested.vires}"],
        ),
        ("gaps", vec!["gaps", "-f", f, "--until", "0001-01-01"]),
        ("expiring", vec!["expiring", "--days", "99999999"]),
        ("expiring", vec!["expiring", "--days", "-99999999"]),
        (
            "expiring",
            vec!["expiring", "--on", "9999-12-31", "--days", "36600"],
        ),
        ("inheritance", vec!["-r", "{long.vires}", "inheritance"]),
        ("lineage", vec!["lineage", ""]),
        (
            "bodies",
            vec!["bodies", "--on", "9999-12-31", "--kind", "x"],
        ),
        ("map", vec!["map", "--to", "9999-12-31"]),
        ("completions", vec!["completions", "\u{1}sh"]),
        ("man", vec!["man", "--format", "json"]),
        ("map", vec!["map", "--to", "2023-01-01", "--kind", "\u{1}"]),
        ("map", vec!["map", "--to", "0001-01-01"]),
        ("functions", vec!["-r", "{binary.json}", "functions"]),
        ("powers", vec!["-r", "{nested.json}", "powers"]),
        ("instruments", vec!["-r", "{object.json}", "instruments"]),
        (
            "export",
            vec![
                "export",
                "{binary.vires}",
                "{nested.vires}",
                "{folder.vires}",
            ],
        ),
        ("round", vec!["round", "{nested.json}"]),
        (
            "round",
            vec!["round", "{binary.json}", "--record", "--author", ""],
        ),
        (
            "proposal",
            vec!["proposal", "{nested.vires}", "--compare", "{binary.vires}"],
        ),
        (
            "proposal",
            vec!["proposal", "{empty.vires}", "--publish", "--reason", ""],
        ),
        ("calendar", vec!["calendar", "--days", "100000000"]),
        (
            "calendar",
            vec!["calendar", "--on", "9999-12-31", "--days", "36600", "--ics"],
        ),
        ("calendar", vec!["calendar", "--rounds", "{nested.json}"]),
        ("assessments", vec!["assessments", "{nested.json}"]),
        ("procure", vec!["procure", "{nested.json}"]),
        (
            "procure",
            vec!["procure", "{object.json}", "--with-power", "{binary.vires}"],
        ),
        (
            "conflicts",
            vec![
                "conflicts",
                "check",
                "{nested.json}",
                "--interests",
                "{binary.json}",
            ],
        ),
        (
            "conflicts",
            vec!["conflicts", "export", "{nested.json}", "--as", "html"],
        ),
        ("record", vec!["record", "{nested.vires}", "--reason", "x"]),
        ("record", vec!["record", "{empty.vires}", "--reason", ""]),
        ("serve", vec!["serve", "--addr", "256.0.0.1:99999"]),
        (
            "serve",
            vec![
                "serve",
                "--config",
                "{binary.json}",
                "--addr",
                "256.0.0.1:1",
            ],
        ),
        ("audit", vec!["audit", "log"]),
        ("audit", vec!["audit", "verify"]),
        (
            "audit",
            vec!["audit", "verify", "--expect-head", "\u{1b}[2J"],
        ),
        ("audit", vec!["audit", "keygen", "--out", "{folder.vires}"]),
        ("audit", vec!["audit", "keygen", "--out", "{binary.json}"]),
        ("audit", vec!["audit", "key-start"]),
        ("migrate", vec!["migrate"]),
        (
            "migrate",
            vec!["migrate", "--grant-to", "x\"; DROP TABLE change_log; --"],
        ),
        (
            "serve",
            vec!["serve", "--allow-broken-log", "--addr", "256.0.0.1:1"],
        ),
        ("import", vec!["import", "ods", "{folder.vires}"]),
        (
            "import",
            vec!["import", "ods", "{missing}", "--report", "{folder.vires}"],
        ),
        ("help", vec!["help", "\u{1b}[2J"]),
    ]
}

/// The subcommands `vires --help` lists.
fn subcommands() -> Vec<String> {
    let out = vires().arg("--help").output().unwrap();
    let help = String::from_utf8(out.stdout).unwrap();
    let section = help
        .split("Commands:")
        .nth(1)
        .and_then(|s| s.split("Options:").next())
        .unwrap();
    section
        .lines()
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next().map(str::to_string))
        .collect()
}

fn expand(arg: &str, files: &Files) -> String {
    match arg.strip_prefix('{').and_then(|a| a.strip_suffix('}')) {
        Some(name) => files.path(name),
        None => arg.to_string(),
    }
}

/// Runs one case with standard output a pipe nobody reads (closed before the first write).
fn run_closed(args: &[String], files: &Files, home: &Path) -> (Option<i32>, String) {
    let mut child = vires()
        .args(args)
        .env("VIRES_DB", files.db())
        .env("HOME", home)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn every_subcommand_survives_hostile_arguments_with_stdout_closed() {
    let files = Files::new();
    let home = files.dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let cases = cases();
    for sub in subcommands() {
        assert!(
            cases.iter().any(|(name, _)| *name == sub),
            "`vires {sub}` has no hostile case here: add one"
        );
    }
    let mut failures = Vec::new();
    for (name, args) in &cases {
        let args: Vec<String> = args.iter().map(|a| expand(a, &files)).collect();
        let (code, stderr) = run_closed(&args, &files, &home);
        let shown = format!("vires {}", args.join(" "));
        let shown: String = shown.chars().take(160).collect();
        if code.is_none() || code == Some(101) || stderr.contains("panicked") {
            failures.push(format!("{name}: {shown}\n  exit {code:?}\n  {stderr}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn numbers_beyond_their_range_are_refused_by_name() {
    for (cmd, flag, value) in [
        ("calendar", "--days", "100000000"),
        ("expiring", "--days", "99999999"),
    ] {
        let out = vires().args([cmd, flag, value]).output().unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{cmd}: {stderr}");
        assert!(
            stderr.contains("--days") && stderr.contains(value),
            "{cmd}: {stderr}"
        );
    }
}

/// A file of the worked examples.
fn example(path: &str) -> String {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../examples")
        .join(path)
        .display()
        .to_string()
}

/// Every command that lists things (answers `--format csv`), with arguments that give a
/// long answer and with hostile ones. `{name}` is a hostile file, `@path` a worked example.
fn listings() -> Vec<(&'static str, Vec<&'static str>)> {
    let f = "commissioning.secondary-care";
    vec![
        ("bodies", vec!["bodies", "--on", "2021-04-01"]),
        (
            "bodies",
            vec!["bodies", "--on", "0001-01-01", "--kind", "ccg"],
        ),
        ("find", vec!["find", "bolton", "--limit", "200"]),
        ("find", vec!["find", "\u{1}%_*[", "=cmd|' /C calc'!A0"]),
        (
            "who",
            vec!["who", "-f", f, "--england", "--on", "2023-01-01"],
        ),
        (
            "who",
            vec!["who", "-f", f, "--area", "E08000001", "--on", "2023-01-01"],
        ),
        (
            "who",
            vec!["who", "-f", f, "--practice", "", "--on", "9999-12-31"],
        ),
        ("who", vec!["who", "--batch", "{questions.csv}"]),
        ("who", vec!["who", "--batch", "{nested.json}"]),
        (
            "may",
            vec![
                "may",
                "--as",
                "X24",
                "-f",
                f,
                "--practice",
                "A85001",
                "--on",
                "2020-06-01",
            ],
        ),
        ("may", vec!["may", "--batch", "{questions.csv}"]),
        ("may", vec!["may", "--batch", "{binary.json}"]),
        ("what", vec!["what", "QHM", "--on", "2023-06-01"]),
        ("what", vec!["what", "", "--on", "9999-12-31"]),
        (
            "timeline",
            vec!["timeline", "-f", f, "--practice", "A85001"],
        ),
        ("timeline", vec!["timeline", "-f", f, "--body", "\u{202e}"]),
        ("diff", vec!["diff", "2022-06-30", "2022-07-01"]),
        ("diff", vec!["diff", "9999-12-31", "0001-01-01"]),
        ("gaps", vec!["gaps", "-f", f, "--until", "2013-06-01"]),
        ("gaps", vec!["gaps", "-f", "\u{1}", "--until", "0001-01-01"]),
        (
            "expiring",
            vec!["expiring", "--on", "2020-01-01", "--days", "36600"],
        ),
        (
            "expiring",
            vec!["expiring", "--on", "9999-12-31", "--days", "36600"],
        ),
        ("inheritance", vec!["inheritance"]),
        ("inheritance", vec!["-r", "{long.vires}", "inheritance"]),
        ("lineage", vec!["lineage", "00F"]),
        ("lineage", vec!["lineage", "\u{1b}[2J"]),
        ("map", vec!["map", "--to", "2023-04-01"]),
        ("map", vec!["map", "--to", "0001-01-01", "--kind", "\u{1}"]),
        ("functions", vec!["functions"]),
        ("functions", vec!["-r", "{binary.json}", "functions"]),
        ("powers", vec!["powers"]),
        ("powers", vec!["-r", "{nested.json}", "powers"]),
        ("instruments", vec!["instruments"]),
        ("instruments", vec!["-r", "{object.json}", "instruments"]),
        (
            "calendar",
            vec!["calendar", "--on", "2014-01-01", "--days", "36600"],
        ),
        ("calendar", vec!["calendar", "--rounds", "{nested.json}"]),
        (
            "assessments",
            vec!["assessments", "@workflows/intervention/assessments.json"],
        ),
        ("assessments", vec!["assessments", "{binary.json}"]),
        (
            "conflicts",
            vec![
                "conflicts",
                "export",
                "@procurement/register_of_interests_02X.json",
            ],
        ),
        (
            "conflicts",
            vec!["conflicts", "export", "{nested.json}", "--gifts"],
        ),
        ("audit", vec!["audit", "log"]),
    ]
}

fn expand_all(args: &[&str], files: &Files) -> Vec<String> {
    args.iter()
        .map(|a| match a.strip_prefix('@') {
            Some(path) => example(path),
            None => expand(a, files),
        })
        .collect()
}

/// The listings in every format, standard output closed: exit 0 or a clear error on
/// standard error (exit 1 or 2), never a panic. Which commands list things is asked of the
/// binary: every hostile case of every subcommand is run with `--format csv`, and each one
/// that does not refuse it must have its listings here.
#[test]
fn every_listing_survives_each_format_with_stdout_closed() {
    let files = Files::new();
    let home = files.dir.path().join("home");
    std::fs::create_dir(&home).unwrap();
    let listings = listings();
    let mut failures = Vec::new();
    let mut check = |name: &str, args: Vec<String>| {
        let (code, stderr) = run_closed(&args, &files, &home);
        let shown: String = format!("vires {}", args.join(" "))
            .chars()
            .take(160)
            .collect();
        let clear = match code {
            Some(0) => true,
            Some(1 | 2) => stderr.contains("error") && !stderr.contains("panicked"),
            _ => false,
        };
        if !clear {
            failures.push(format!("{name}: {shown}\n  exit {code:?}\n  {stderr}"));
        }
        stderr
    };
    let mut csv_commands = Vec::new();
    for (name, args) in cases() {
        let mut with = vec!["--format".to_string(), "csv".to_string()];
        with.extend(expand_all(&args, &files));
        let stderr = check(name, with);
        // A case clap refuses before any command runs, or one that sets its own format,
        // says nothing either way.
        if !args.contains(&"--format")
            && !stderr.contains("--format csv is for commands that list things")
            && !stderr.contains("For more information, try")
        {
            csv_commands.push(name);
        }
    }
    for (name, args) in &listings {
        for format in ["text", "json", "csv"] {
            let mut with = vec!["--format".to_string(), format.to_string()];
            with.extend(expand_all(args, &files));
            check(name, with);
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    csv_commands.sort();
    csv_commands.dedup();
    for name in &csv_commands {
        assert!(
            listings.iter().any(|(n, _)| n == name),
            "`vires {name}` answers --format csv but has no listing case here: add one"
        );
    }
    // The binary's own list of what answers csv (README.md names these).
    assert!(csv_commands.len() >= 19, "{csv_commands:?}");
}

/// `vires … | head -1`: the reader takes one line and goes; vires ends quietly, exit 0.
#[test]
fn a_reader_that_leaves_early_ends_vires_quietly() {
    let files = Files::new();
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let register = root.join("examples/seed-4-co-commissioning/register.vires");
    let listings: Vec<Vec<String>> = vec![
        vec!["bodies".into(), "--on".into(), "2021-04-01".into()],
        vec!["map".into(), "--to".into(), "2023-04-01".into()],
        vec!["instruments".into()],
        vec![
            "-r".into(),
            register.display().to_string(),
            "--format".into(),
            "json".into(),
            "functions".into(),
        ],
        // The other formats of long listings.
        vec!["--format".into(), "csv".into(), "bodies".into()],
        vec![
            "--format".into(),
            "json".into(),
            "map".into(),
            "--to".into(),
            "2023-04-01".into(),
        ],
        vec!["--format".into(), "csv".into(), "instruments".into()],
    ];
    // A broken pipe is a race between the reader leaving and the writer writing: repeat.
    for args in &listings {
        for _ in 0..3 {
            let mut child = vires()
                .args(args)
                .env("VIRES_DB", files.db())
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let mut first = String::new();
            BufReader::new(child.stdout.take().unwrap())
                .read_line(&mut first)
                .unwrap();
            assert!(!first.is_empty(), "{args:?} printed nothing");
            let out = child.wait_with_output().unwrap();
            let stderr = String::from_utf8_lossy(&out.stderr);
            assert_eq!(out.status.code(), Some(0), "{args:?}: {stderr}");
            assert!(stderr.trim().is_empty(), "{args:?}: {stderr}");
        }
    }
    // Standard output closed outright (`>&-`): no panic either.
    let status = Command::new("sh")
        .arg("-c")
        .arg("exec \"$0\" bodies >&- 2>/dev/null")
        .arg(env!("CARGO_BIN_EXE_vires"))
        .env("VIRES_DB", files.db())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let _ = std::io::stdout().flush();
}
