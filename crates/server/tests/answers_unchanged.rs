//! The bytes of the API's answers are those recorded in `fixtures/answers.json`.
//!
//! The fixture was recorded from the program before the OpenAPI schemas moved onto the
//! contract types (issue 27 item 3): it is the independent oracle that moving the schemas,
//! or any refactoring of the handlers, left every answer byte for byte as it was. An answer
//! that changes on purpose is re-recorded with `VIRES_RECORD_ANSWERS=1 cargo test -p
//! vires-server --test answers_unchanged`, and the diff of the fixture belongs in the commit.

mod common;

use common::*;
use serde::{Deserialize, Serialize};
use serde_json::json;
use std::path::PathBuf;

/// One request and the response it got.
#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Exchange {
    /// `GET /path?query` or `POST /path`.
    request: String,
    /// The JSON body of a POST.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    body: Option<serde_json::Value>,
    status: u16,
    content_type: String,
    /// The response body, exactly as sent.
    answer: String,
}

/// Every kind of answer the query routes give, on the test register: holders of a practice,
/// of a body's footprint and of England, permission granted and refused, holdings, history,
/// analyses, lineage, search, lists, an explanation, the calendar in both forms, what-ifs,
/// a dry-run check of a change, and problem documents.
fn requests() -> Vec<(&'static str, Option<serde_json::Value>)> {
    let dental = delegation_json("whatif-dental-13T", "13T", "2016-01-01");
    let mut void = delegation_json("whatif-void", "X24", "2016-01-01");
    void["maker"] = json!("08Q");
    void["basis"] = json!("Imaginary Act s.99");
    void["functions"] = json!(["commissioning.secondary-care"]);
    void["area"] = json!({"union": [{"footprint": "08Q"}, {"practices": ["B82005"]}]});
    let get = |p| (p, None);
    vec![
        get("/who?function=commissioning.primary-care.medical&practice=A81001&on=2016-01-01"),
        get("/who?function=commissioning.secondary-care&body=13T&on=2016-01-01&purpose=urgent-care"),
        get("/who?function=commissioning.secondary-care&on=2016-01-01"),
        get("/who?function=commissioning.primary-care&area=E08000021&on=2014-06-01"),
        get("/who?function=commissioning.primary-care&on=2014-01-01&recorded_at=2100-01-01T00:00:00Z"),
        get("/who?function=commissioning.primary-care.medical&practice=B82005&on=2016-01-01"),
        get("/may?as=13T&function=commissioning.primary-care.medical&practice=A81001&on=2016-01-01"),
        get("/may?as=08Q&function=commissioning.primary-care.medical&practice=B82005&on=2016-01-01"),
        get("/may?as=X24&function=commissioning.primary-care&england=true&on=2016-01-01&purpose=covid-19"),
        get("/what?code=13T&on=2016-01-01"),
        get("/what?code=x24&on=2016-01-01"),
        get("/timeline?function=commissioning.primary-care.medical&practice=A81001"),
        get("/timeline?function=commissioning.secondary-care&body=13T"),
        get("/diff?from=2014-01-01&to=2016-01-01"),
        get("/gaps?function=commissioning.secondary-care&until=2023-01-01"),
        get("/overlaps?until=2023-01-01"),
        get("/expiring?on=2022-06-01&days=60"),
        get("/invalid"),
        get("/orphans"),
        get("/inheritance"),
        get("/lineage?code=13T"),
        get("/lineage?code=00F"),
        get("/search?q=13t"),
        get("/search?q=a81001"),
        get("/search?q=practice&on=2016-01-01&kind=practice,body&limit=2"),
        get("/map?to=2016-01-01"),
        get("/bodies?on=2016-01-01"),
        get("/bodies?on=2016-01-01&kind=ccg"),
        get("/functions"),
        get("/powers"),
        get("/instruments"),
        get("/explain?instrument=deleg-13T-medical"),
        get("/explain?instrument=bad-deleg-08Q"),
        get("/calendar?on=2022-01-01&days=365"),
        get("/calendar?on=2022-01-01&days=365&ics=true"),
        ("/whatif", Some(json!({"instruments": [dental]}))),
        (
            "/whatif",
            Some(json!({"instruments": [void], "on": "2016-06-01"})),
        ),
        (
            "/changes/check",
            Some(json!({"change": {"op": "add-instrument", "instrument": delegation_json("check-dental-08Q", "08Q", "2016-01-01")}})),
        ),
        // Problems: an unknown function, a bad date, an unknown field in a body.
        get("/who?function=commissioning.nothing&practice=A81001&on=2016-01-01"),
        get("/what?code=13T&on=2016-02-30"),
        (
            "/whatif",
            // Keys in sorted order, so the bytes sent (and the column the problem names) are the
            // same whether or not a build turns on serde_json's `preserve_order`.
            Some(json!({"instruments": [{"colour": "red", "from": "2016-01-01", "id": "x", "kind": "delegation"}]})),
        ),
    ]
}

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/answers.json")
}

#[tokio::test]
async fn answers_are_byte_for_byte_as_recorded() {
    let db = tempfile::tempdir().unwrap();
    let url = format!("sqlite://{}", db.path().join("answers.db").display());
    let s = Server::start(test_config(&url), None).await;
    let mut got = Vec::new();
    for (path, body) in requests() {
        let r = match &body {
            None => s.get(path).await,
            Some(b) => s.post(path, Some(&s.tokens.editor), b).await,
        };
        let status = r.status().as_u16();
        let content_type = r
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        // An answer asked for no date is as of today: the day it was recorded is not pinned.
        let answer = r.text().await.unwrap().replace(
            &format!("\"as_of\":\"{}\"", vires_app::today()),
            "\"as_of\":\"(today)\"",
        );
        let method = if body.is_some() { "POST" } else { "GET" };
        got.push(Exchange {
            request: format!("{method} {path}"),
            body,
            status,
            content_type,
            answer,
        });
    }
    s.stop().await;
    if std::env::var_os("VIRES_RECORD_ANSWERS").is_some() {
        let text = serde_json::to_string_pretty(&got).unwrap() + "\n";
        std::fs::write(fixture(), text).unwrap();
        return;
    }
    let text = std::fs::read_to_string(fixture()).expect("tests/fixtures/answers.json");
    let want: Vec<Exchange> = serde_json::from_str(&text).unwrap();
    assert_eq!(got.len(), want.len(), "the requests and the fixture differ");
    for (g, w) in got.iter().zip(&want) {
        assert_eq!(g, w, "{}", w.request);
    }
}
