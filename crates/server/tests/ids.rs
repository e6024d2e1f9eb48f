//! Ids entering through the API are held to the one character set (`vires_core::ident`):
//! the ids the attack used (`""`, `"   "`, `weird/../id<x>"`) are refused with 422 naming
//! V024, and nothing is written.

mod common;

use common::{delegation_json, expect_problem, test_config, Server};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_instrument_ids_and_body_codes_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("vires.db").display());
    let s = Server::start(test_config(&db), None).await;
    let rev = s.state.revision();
    for id in ["", "   ", "weird/../id<x>\""] {
        let mut ins = delegation_json("x", "08Q", "2016-04-01");
        ins["id"] = json!(id);
        let body = json!({
            "base_revision": rev,
            "reason": "an id that is no id",
            "change": {"op": "add-instrument", "instrument": ins},
        });
        let p = expect_problem(
            s.post("/changes", Some(&s.tokens.approver), &body).await,
            422,
        )
        .await;
        assert_eq!(p["type"], "urn:vires:problem:invalid-change", "{p}");
        assert!(
            p["errors"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e["code"] == "V024"),
            "{id:?}: {p}"
        );
    }
    for code in ["", "A B", "../X"] {
        let body = json!({
            "base_revision": rev,
            "reason": "a code that is no code",
            "change": {"op": "add-body", "body": {"code": code, "name": "A body", "kind": "other", "life": {"from": "2030-01-01"}}},
        });
        let p = expect_problem(
            s.post("/changes", Some(&s.tokens.approver), &body).await,
            422,
        )
        .await;
        assert!(p.to_string().contains("V024"), "{code:?}: {p}");
    }
    assert_eq!(s.state.revision(), rev, "nothing was written");
    // A good id still goes in.
    let body = json!({
        "base_revision": rev,
        "reason": "a good id",
        "change": {"op": "add-instrument", "instrument": delegation_json("deleg-08Q-dental", "08Q", "2016-04-01")},
    });
    let r = s.post("/changes", Some(&s.tokens.approver), &body).await;
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
    s.stop().await;
}
