//! Issue 22 item 6: the command line, the HTTP API and the web UI give the same procurement
//! route and the same conflicts findings for the same input, and refuse the same bad input
//! naming the field. Each adapter is driven for real: the `vires` binary, a `vires serve` on a
//! free port answering `POST /procure` and `POST /conflicts/check`, and the web UI's forms
//! (`GET /ui/procurement`, `POST /ui/conflicts`) as a browser submits them.
//!
//! Besides being equal to each other, the answers hold what the law and the worked examples
//! say (the expected values come from the public sources, not from the program):
//! - NHS England buying other services for £150,000, procurement begun 2022-06-06: a central
//!   government authority from 2021-08-16 (SI 2021/872), so the central threshold of
//!   £138,760 including VAT (SI 2021/1221, PPN 10/21) applies and the purchase is above it.
//! - The joint-appointment decision (examples/procurement/decision_joint_appointment.json):
//!   Mr F. Brown is director of strategy at both the commissioner and RP5 and was allowed to
//!   speak, not excluded (C005); with him unable to vote, 3 voting members meet the quorum of 3.

mod common;

use common::{free_port, http, start};
use serde_json::{json, Value};
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

fn examples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/procurement")
}

/// A worked example moved onto 13T (a body of the bundled register), as the API tests do.
fn example_on_13t(name: &str) -> Value {
    let text = std::fs::read_to_string(examples().join(name)).unwrap();
    serde_json::from_str(&text.replace("\"02X\"", "\"13T\"")).unwrap()
}

struct Cli {
    /// The CLI's own store (empty: the bundled register), as the server has its own.
    db: String,
}

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Cli {
    fn run(&self, args: &[&str]) -> Out {
        let out = Command::new(env!("CARGO_BIN_EXE_vires"))
            .args(args)
            .env("VIRES_DB", &self.db)
            .env("NO_COLOR", "1")
            .output()
            .unwrap();
        Out {
            code: out.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
        }
    }
}

fn write_json(dir: &Path, name: &str, v: &Value) -> String {
    let p = dir.join(name);
    std::fs::write(&p, v.to_string()).unwrap();
    p.display().to_string()
}

/// A form POST as a browser sends it (application/x-www-form-urlencoded).
fn post_form(port: u16, path: &str, pairs: &[(&str, &str)]) -> (u16, String) {
    let body = serde_urlencoded::to_string(pairs).unwrap();
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    let req = format!(
        "POST {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    s.write_all(req.as_bytes()).unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap();
    (status, body.to_string())
}

/// A JSON POST to the API.
fn post_json(port: u16, path: &str, body: &Value) -> (u16, String) {
    let r = http(port, "POST", path, None, Some(&body.to_string())).unwrap();
    (r.status, r.body)
}

fn get(port: u16, path: &str) -> (u16, String) {
    let r = http(port, "GET", path, None, None).unwrap();
    (r.status, r.body)
}

/// The route checker's form fields for a contract (the fields the UI asks for).
fn route_query(c: &Value, format: Option<&str>) -> String {
    let mut pairs: Vec<(String, String)> = Vec::new();
    let text = |v: &Value| match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    pairs.push((
        "commissioners".into(),
        c["commissioners"]
            .as_array()
            .unwrap()
            .iter()
            .map(text)
            .collect::<Vec<_>>()
            .join(","),
    ));
    for k in [
        "buying",
        "function",
        "estimated_value",
        "procurement_began",
        "start",
        "term_months",
    ] {
        if !c[k].is_null() {
            pairs.push((k.into(), text(&c[k])));
        }
    }
    for k in ["considerable_change", "patient_choice"] {
        if c[k] == json!(true) {
            pairs.push((k.into(), "yes".into()));
        }
    }
    if let Some(f) = format {
        pairs.push(("format".into(), f.into()));
    }
    format!(
        "/ui/procurement?{}",
        serde_urlencoded::to_string(&pairs).unwrap()
    )
}

/// The parts of an assessment that are the route: regime and why, the authorities' class,
/// the threshold, processes permitted and refused, steps and standstill.
fn route(a: &Value) -> Value {
    json!({
        "regime": a["regime"],
        "regime_basis": a["regime_basis"],
        "contracting_authorities": a["contracting_authorities"],
        "threshold": a["threshold"],
        "permitted": a["permitted"],
        "refused": a["refused"],
        "steps": a["steps"],
        "standstill": a["standstill"],
    })
}

/// Findings by code and subject (and person), sorted: what the three must agree on.
fn findings(list: &Value) -> Vec<(String, String, String)> {
    let mut v: Vec<(String, String, String)> = list
        .as_array()
        .unwrap_or_else(|| panic!("not a list: {list}"))
        .iter()
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_string(),
                f["subject"].as_str().unwrap().to_string(),
                f["person"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect();
    v.sort();
    v
}

/// A refusal of bad input by the CLI: exit 1, nothing on stdout, an error naming the field.
fn refused(o: &Out, field: &str) {
    assert_eq!(o.code, 1, "{field}: {}{}", o.stdout, o.stderr);
    assert!(o.stdout.trim().is_empty(), "{field}: {}", o.stdout);
    assert!(o.stderr.starts_with("error: "), "{field}: {}", o.stderr);
    assert!(o.stderr.contains(field), "{field}: {}", o.stderr);
}

struct Server {
    child: std::process::Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

#[test]
fn cli_api_and_ui_give_the_same_routes_findings_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let cli = Cli {
        db: format!("sqlite://{}", dir.path().join("cli.db").display()),
    };
    let port = free_port();
    let server_db = format!("sqlite://{}", dir.path().join("server.db").display());
    let (child, _token) = start(&server_db, port);
    let server = Server { child, port };

    // --- The procurement route -------------------------------------------------------
    let nhse: Value = serde_json::from_str(
        &std::fs::read_to_string(examples().join("nhse_other_services_2022.json")).unwrap(),
    )
    .unwrap();
    let msk = json!({
        "commissioners": ["13T"],
        "buying": "health-care-service",
        "function": "commissioning.secondary-care",
        "estimated_value": 2400000,
        "procurement_began": "2021-03-01",
        "start": "2021-06-01",
        "term_months": 36,
        "considerable_change": false,
        "patient_choice": false
    });
    for (name, contract) in [("nhse", &nhse), ("msk", &msk)] {
        let file = write_json(dir.path(), &format!("{name}.json"), contract);
        let o = cli.run(&["--format", "json", "procure", &file]);
        assert_eq!(o.code, 0, "{name}: {}", o.stderr);
        let by_cli: Value = serde_json::from_str(&o.stdout).unwrap();

        let (status, body) = post_json(server.port, "/procure", contract);
        assert_eq!(status, 200, "{name}: {body}");
        let by_api: Value = serde_json::from_str(&body).unwrap();

        let (status, body) = get(server.port, &route_query(contract, Some("json")));
        assert_eq!(status, 200, "{name}: {body}");
        let by_ui: Value = serde_json::from_str(&body).unwrap();
        let by_ui = &by_ui["data"];

        assert_eq!(route(&by_cli), route(by_ui), "{name}: CLI and UI differ");
        assert_eq!(route(&by_api), route(by_ui), "{name}: API and UI differ");
        // The whole answer of the CLI and the API, which take the same JSON, is the same.
        assert_eq!(by_cli, by_api, "{name}: CLI and API differ");
    }
    // What the law says for the NHS England purchase (see the module comment).
    let a: Value = serde_json::from_str(&post_json(server.port, "/procure", &nhse).1).unwrap();
    assert_eq!(a["threshold"]["authority_class"], "central");
    assert_eq!(a["threshold"]["amount_pounds"], 138760.0);
    assert_eq!(a["threshold"]["above"], true);

    // --- The conflicts check ---------------------------------------------------------
    let decision = example_on_13t("decision_joint_appointment.json");
    let register = example_on_13t("register_of_interests_02X.json");
    let dec_file = write_json(dir.path(), "decision.json", &decision);
    let reg_file = write_json(dir.path(), "register.json", &register);
    let o = cli.run(&[
        "--format",
        "json",
        "conflicts",
        "check",
        &dec_file,
        "--interests",
        &reg_file,
    ]);
    assert_eq!(o.code, 1, "an error finding: not sound; {}", o.stderr);
    let by_cli: Value = serde_json::from_str(&o.stdout).unwrap();

    let body = json!({"decision": decision, "interests": [register]});
    let (status, answer) = post_json(server.port, "/conflicts/check", &body);
    assert_eq!(status, 200, "{answer}");
    let by_api: Value = serde_json::from_str(&answer).unwrap();

    let (status, page) = post_form(
        server.port,
        "/ui/conflicts",
        &[
            ("register", &register.to_string()),
            ("decision", &decision.to_string()),
            ("format", "json"),
        ],
    );
    assert_eq!(status, 200, "{page}");
    let by_ui: Value = serde_json::from_str(&page).unwrap();
    let ui_decision = &by_ui["data"]["decision"];

    let cli_findings = findings(&by_cli["findings"]);
    assert_eq!(cli_findings, findings(&by_api["findings"]), "CLI and API");
    assert_eq!(
        cli_findings,
        findings(&ui_decision["findings"]),
        "CLI and UI"
    );
    let cli_register = findings(&by_cli["register_findings"]);
    assert_eq!(cli_register, findings(&by_api["register_findings"]));
    assert_eq!(cli_register, findings(&by_ui["data"]["gift_findings"]));
    for key in ["policy", "quorate", "sound", "voting_after_exclusions"] {
        assert_eq!(by_cli[key], by_api[key], "{key}: CLI and API");
        assert_eq!(by_cli[key], ui_decision[key], "{key}: CLI and UI");
    }
    // What the worked example says (see the module comment).
    assert!(
        cli_findings
            .iter()
            .any(|(code, subject, person)| code == "C005"
                && subject == "GB-2016-02-item-9"
                && person == "Mr F. Brown"),
        "{cli_findings:?}"
    );
    assert_eq!(by_cli["voting_after_exclusions"], 3);
    assert_eq!(by_cli["quorate"], true);
    assert_eq!(by_cli["sound"], false);

    // The HTML page shows the same findings by code.
    let (status, html) = post_form(
        server.port,
        "/ui/conflicts",
        &[
            ("register", &register.to_string()),
            ("decision", &decision.to_string()),
        ],
    );
    assert_eq!(status, 200);
    for (code, _, _) in &cli_findings {
        assert!(html.contains(code.as_str()), "{code} not on the page");
    }

    // --- Bad input: refused by all three, naming the field; nothing panics -----------
    let mut late = msk.clone();
    late["procurement_began"] = json!("2021-07-01");
    let mut negative = msk.clone();
    negative["estimated_value"] = json!(-5);
    let mut unknown = msk.clone();
    unknown["commissioners"] = json!(["ZZZ"]);
    for (bad, field) in [
        (&late, "procurement_began"),
        (&negative, "estimated_value"),
        (&unknown, "commissioners"),
    ] {
        let file = write_json(dir.path(), "bad.json", bad);
        let o = cli.run(&["procure", &file]);
        refused(&o, field);

        let (status, problem) = post_json(server.port, "/procure", bad);
        assert_eq!(status, 422, "{field}: {problem}");
        assert!(problem.contains(field), "{field}: {problem}");

        let (status, html) = get(server.port, &route_query(bad, None));
        assert_eq!(status, 400, "{field}: {html}");
        // The error summary links to the field, as the design system's pattern does.
        assert!(
            html.contains(&format!("href=\"#{field}\"")),
            "{field}: no error linked to the field"
        );
    }

    let mut unknown_body = decision.clone();
    unknown_body["body"] = json!("ZZZ");
    let mut negative_gift = register.clone();
    negative_gift["gifts"][0]["value"] = json!(-1);
    for (d, r, field, ui_field) in [
        (&unknown_body, &register, "body", "decision"),
        (&decision, &negative_gift, "gifts[0].value", "register"),
    ] {
        let dec_file = write_json(dir.path(), "bad_decision.json", d);
        let reg_file = write_json(dir.path(), "bad_register.json", r);
        let o = cli.run(&["conflicts", "check", &dec_file, "--interests", &reg_file]);
        refused(&o, field);

        let body = json!({"decision": d, "interests": [r]});
        let (status, problem) = post_json(server.port, "/conflicts/check", &body);
        assert_eq!(status, 422, "{field}: {problem}");
        assert!(problem.contains(field), "{field}: {problem}");

        let (status, html) = post_form(
            server.port,
            "/ui/conflicts",
            &[("register", &r.to_string()), ("decision", &d.to_string())],
        );
        assert_eq!(status, 400, "{field}: {html}");
        assert!(
            html.contains(&format!("href=\"#{ui_field}\"")) && html.contains(field),
            "{field}: not named on the page"
        );
    }
    // The server is still up and answering after all of it.
    assert_eq!(get(server.port, "/healthz").0, 200);
}
