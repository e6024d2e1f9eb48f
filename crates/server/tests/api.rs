//! The API test suite, run against SQLite and against a real PostgreSQL server
//! (`scripts/with-postgres.sh cargo test -p vires-server`).

mod common;

use common::*;
use futures_util::StreamExt;
use jiff::civil::date;
use reqwest::header::{CONTENT_TYPE, COOKIE, SET_COOKIE};
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use vires_core::{Place, Snapshot};
use vires_server::change_forms;

/// Every query endpoint answers exactly what the core answers, with a revision header.
async fn queries_match_core(s: &Server) {
    let snap = Snapshot::compile(register());
    let on16 = date(2016, 1, 1);
    let practice = Place::Practice("A81001".into());
    let cases: Vec<(String, Value)> = vec![
        (
            "/who?function=commissioning.primary-care.medical&practice=A81001&on=2016-01-01".into(),
            serde_json::to_value(
                snap.who("commissioning.primary-care.medical", &practice, on16, None)
                    .unwrap(),
            )
            .unwrap(),
        ),
        (
            "/who?function=commissioning.secondary-care&body=13T&on=2016-01-01&purpose=urgent-care"
                .into(),
            serde_json::to_value(
                snap.who(
                    "commissioning.secondary-care",
                    &Place::Body("13T".into()),
                    on16,
                    Some("urgent-care"),
                )
                .unwrap(),
            )
            .unwrap(),
        ),
        (
            "/who?function=commissioning.primary-care&on=2014-01-01".into(),
            serde_json::to_value(
                snap.who(
                    "commissioning.primary-care",
                    &Place::England,
                    date(2014, 1, 1),
                    None,
                )
                .unwrap(),
            )
            .unwrap(),
        ),
        (
            "/may?as=13T&function=commissioning.primary-care.medical&practice=A81001&on=2016-01-01"
                .into(),
            serde_json::to_value(
                snap.may(
                    "13T",
                    "commissioning.primary-care.medical",
                    &practice,
                    on16,
                    None,
                )
                .unwrap(),
            )
            .unwrap(),
        ),
        (
            "/what?code=13T&on=2016-01-01".into(),
            serde_json::to_value(snap.what("13T", on16).unwrap()).unwrap(),
        ),
        (
            "/timeline?function=commissioning.primary-care.medical&practice=A81001".into(),
            serde_json::to_value(
                snap.timeline("commissioning.primary-care.medical", &practice)
                    .unwrap(),
            )
            .unwrap(),
        ),
        (
            "/diff?from=2014-01-01&to=2016-01-01".into(),
            serde_json::to_value(snap.diff(date(2014, 1, 1), on16)).unwrap(),
        ),
        (
            "/expiring?on=2022-06-01&days=60".into(),
            serde_json::to_value(snap.expiring(date(2022, 6, 1), 60)).unwrap(),
        ),
        (
            "/invalid".into(),
            serde_json::to_value(snap.invalid().collect::<Vec<_>>()).unwrap(),
        ),
        (
            "/orphans".into(),
            serde_json::to_value(snap.orphans().collect::<Vec<_>>()).unwrap(),
        ),
        (
            "/inheritance".into(),
            json!({"inherited": snap.inheritance(), "orphans": snap.orphans().collect::<Vec<_>>()}),
        ),
        (
            "/lineage?code=13T".into(),
            serde_json::to_value(vires_core::lineage::lineage(snap.register(), "13T").unwrap())
                .unwrap(),
        ),
        (
            "/map?to=2016-01-01".into(),
            serde_json::to_value(vires_core::lineage::map_to(snap.register(), on16)).unwrap(),
        ),
    ];
    let coverage = snap
        .coverage("commissioning.secondary-care", date(2023, 1, 1))
        .unwrap();
    assert!(
        coverage
            .iter()
            .any(|f| f.problem == vires_core::analysis::CoverageProblem::Gap),
        "the test register should have a gap: {coverage:?}"
    );
    let overlaps: Vec<_> = coverage
        .iter()
        .filter(|f| f.problem == vires_core::analysis::CoverageProblem::Overlap)
        .collect();
    let mut cases = cases;
    cases.push((
        "/gaps?function=commissioning.secondary-care&until=2023-01-01".into(),
        serde_json::to_value(&coverage).unwrap(),
    ));
    // The function defaults to secondary care, as in the CLI.
    cases.push((
        "/gaps?until=2023-01-01".into(),
        serde_json::to_value(&coverage).unwrap(),
    ));
    cases.push((
        "/overlaps?function=commissioning.secondary-care&until=2023-01-01".into(),
        serde_json::to_value(&overlaps).unwrap(),
    ));
    let rev = s.state.revision();
    for (path, expected) in &cases {
        let (status, got_rev, got) = s.get_json(path).await;
        assert_eq!(status, 200, "{path}: {got}");
        assert_eq!(got_rev, rev, "{path}");
        assert_eq!(&got, expected, "{path}");
    }
    // The answers are not trivially empty: the register has holders, invalid instruments,
    // lineage and an expiring delegation.
    let (_, _, who) = s.get_json(&cases[0].0).await;
    assert_eq!(who["holders"][0]["body"], "13T", "{who}");
    let (_, _, invalid) = s.get_json("/invalid").await;
    assert_eq!(invalid[0]["subject"], "bad-deleg-08Q", "{invalid}");
    let (_, _, exp) = s.get_json("/expiring?on=2022-06-01&days=60").await;
    assert_eq!(exp[0]["instrument"], "deleg-13T-medical", "{exp}");
    let (_, _, lin) = s.get_json("/lineage?code=13T").await;
    assert_eq!(lin["predecessors"].as_array().unwrap().len(), 2, "{lin}");

    let (_, _, v) = s.get_json("/functions").await;
    assert_eq!(v.as_array().unwrap().len(), 5, "{v}");
    let (_, _, v) = s.get_json("/bodies?on=2016-01-01&kind=ccg").await;
    let codes: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|b| b["code"].as_str().unwrap())
        .collect();
    assert_eq!(codes, vec!["08Q", "13T"], "{v}");

    // Search: the code first, whatever else matches; on a date, only what existed then.
    let (status, _, v) = s.get_json("/search?q=13t").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v["results"][0]["code"], "13T", "{v}");
    assert_eq!(v["results"][0]["matched"], "code", "{v}");
    let (_, _, v) = s.get_json("/search?q=a81001").await;
    assert_eq!(v["results"][0]["kind"], "practice", "{v}");
    let (_, _, v) = s.get_json("/search?q=00F&on=2016-01-01&kind=body").await;
    assert_eq!(v["total"], 0, "00F was abolished in 2015: {v}");
    let (_, _, v) = s.get_json("/search?q=00F&on=2014-01-01&kind=body").await;
    assert_eq!(v["results"][0]["code"], "00F", "{v}");
}

fn change_body(base: u64, instrument: Value) -> Value {
    json!({
        "base_revision": base,
        "reason": "test change",
        "change": {"op": "add-instrument", "instrument": instrument},
    })
}

async fn log_len(s: &Server) -> usize {
    let (status, _, v) = s.get_json("/changes?limit=1000").await;
    assert_eq!(status, 200, "{v}");
    v.as_array().unwrap().len()
}

/// Writes: 401 without a token, 403 for too small a role, proposals for editors,
/// publication for approvers, 409 for stale writes with nothing changed.
async fn writes_are_authorised_and_optimistic(s: &Server) {
    let rev = s.state.revision();
    let body = change_body(
        rev,
        delegation_json("deleg-08Q-dental", "08Q", "2016-04-01"),
    );

    let r = s.post("/changes", None, &body).await;
    assert!(r.headers().contains_key("www-authenticate"));
    expect_problem(r, 401).await;
    expect_problem(s.post("/changes", Some("not-a-token"), &body).await, 401).await;
    expect_problem(s.post("/changes", Some(&s.tokens.viewer), &body).await, 403).await;
    assert_eq!(s.state.revision(), rev);

    // An editor proposes; nothing is published.
    let r = s.post("/changes", Some(&s.tokens.editor), &body).await;
    assert_eq!(r.status().as_u16(), 202);
    assert_eq!(revision_of(&r), rev);
    let proposal: Value = r.json().await.unwrap();
    assert_eq!(proposal["status"]["state"], "pending", "{proposal}");
    assert_eq!(s.state.revision(), rev);

    // An approver publishes directly.
    let r = s.post("/changes", Some(&s.tokens.approver), &body).await;
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
    let published: Value = s
        .post(
            "/changes/check",
            Some(&s.tokens.editor),
            &json!({"change": body["change"]}),
        )
        .await
        .json()
        .await
        .unwrap();
    assert!(published.is_object() || published.is_array());
    let rev2 = s.state.revision();
    assert_eq!(rev2, rev + 1);

    // The answer changed exactly as the core says it should.
    let mut reg = s.state.current().snapshot.register().clone();
    assert!(reg.instruments.iter().any(|i| i.id == "deleg-08Q-dental"));
    reg = {
        let mut base = register();
        let ins: vires_core::Instrument =
            serde_json::from_value(delegation_json("deleg-08Q-dental", "08Q", "2016-04-01"))
                .unwrap();
        base.add_instrument(ins);
        base
    };
    let expected = Snapshot::compile(reg)
        .who(
            "commissioning.primary-care.dental",
            &Place::Practice("B82005".into()),
            date(2017, 1, 1),
            None,
        )
        .unwrap();
    let (status, got_rev, got) = s
        .get_json("/who?function=commissioning.primary-care.dental&practice=B82005&on=2017-01-01")
        .await;
    assert_eq!((status, got_rev), (200, rev2));
    assert_eq!(got, serde_json::to_value(&expected).unwrap());
    assert_eq!(got["holders"][0]["body"], "08Q", "{got}");

    // A second write based on the old revision is stale: 409, nothing written.
    let entries = log_len(s).await;
    let stale = change_body(
        rev,
        delegation_json("deleg-13T-dental", "13T", "2016-04-01"),
    );
    let p = expect_problem(
        s.post("/changes", Some(&s.tokens.approver), &stale).await,
        409,
    )
    .await;
    assert_eq!(p["type"], "urn:vires:problem:stale-revision");
    assert_eq!(p["revision"], rev2);
    assert_eq!(log_len(s).await, entries);
    assert_eq!(s.state.revision(), rev2);
    assert!(!s
        .state
        .current()
        .snapshot
        .register()
        .instruments
        .iter()
        .any(|i| i.id == "deleg-13T-dental"));
    // Retried against the new revision, it goes through: nothing was lost.
    let retried = change_body(
        rev2,
        delegation_json("deleg-13T-dental", "13T", "2016-04-01"),
    );
    let r = s.post("/changes", Some(&s.tokens.approver), &retried).await;
    assert_eq!(r.status().as_u16(), 201);
    let rev3 = s.state.revision();
    assert_eq!(rev3, rev2 + 1);

    // The editor's proposal is now a duplicate of a published instrument: approving it is
    // refused with 422 and nothing changes; a fresh proposal is approved.
    let pid = proposal["id"].as_u64().unwrap();
    let r = s
        .post(
            &format!("/proposals/{pid}/approve"),
            Some(&s.tokens.approver),
            &json!({"reason": "checked"}),
        )
        .await;
    expect_problem(r, 422).await;
    let body = change_body(
        rev3,
        delegation_json("deleg-08Q-dental-2", "08Q", "2019-04-01"),
    );
    let r = s.post("/changes", Some(&s.tokens.editor), &body).await;
    assert_eq!(r.status().as_u16(), 202);
    let pid: u64 = r.json::<Value>().await.unwrap()["id"].as_u64().unwrap();
    expect_problem(
        s.post(
            &format!("/proposals/{pid}/approve"),
            Some(&s.tokens.editor),
            &json!({"reason": "checked"}),
        )
        .await,
        403,
    )
    .await;
    let r = s
        .post(
            &format!("/proposals/{pid}/approve"),
            Some(&s.tokens.approver),
            &json!({"reason": "checked"}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    assert_eq!(s.state.revision(), rev3 + 1);
    expect_problem(
        s.post(
            &format!("/proposals/{pid}/approve"),
            Some(&s.tokens.approver),
            &json!({"reason": "checked"}),
        )
        .await,
        409,
    )
    .await;
    let r = s
        .client
        .get(s.url("/proposals"))
        .bearer_auth(&s.tokens.editor)
        .send()
        .await
        .unwrap();
    let list: Value = r.json().await.unwrap();
    assert_eq!(list.as_array().unwrap().len(), 2, "{list}");
    let log: Value = s.get_json("/changes?limit=1000").await.2;
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["author"], "ed", "{last}");
    assert_eq!(last["op"], "add-instrument", "{last}");
    assert_eq!(last["reason"], "test change", "{last}");
    assert_eq!(last["decision"]["by"], "ava", "{last}");
    assert_eq!(last["decision"]["outcome"], "approved", "{last}");
    assert_eq!(last["decision"]["reason"], "checked", "{last}");
    assert_eq!(last["decision"]["proposal"], pid, "{last}");
}

async fn proposal_as_editor(s: &Server, id: u64) -> Value {
    let r = s
        .client
        .get(s.url(&format!("/proposals/{id}")))
        .bearer_auth(&s.tokens.editor)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    r.json().await.unwrap()
}

/// Four eyes: whoever proposed a change cannot approve it, whatever their role (a forged
/// request included); a decision needs a reason; an approval and a rejection sent at
/// the same moment settle the proposal once (one wins, the other gets 409), and the log
/// names both people as fields.
async fn four_eyes(s: &Server) {
    // The approver proposes (approvers publish directly unless they ask to propose).
    let rev = s.state.revision();
    let mut body = change_body(rev, delegation_json("deleg-4eyes", "08Q", "2020-04-01"));
    body["propose"] = json!(true);
    body["reason"] = json!("board minute 12/2020");
    let r = s.post("/changes", Some(&s.tokens.approver), &body).await;
    assert_eq!(r.status().as_u16(), 202);
    let pid = r.json::<Value>().await.unwrap()["id"].as_u64().unwrap();
    let approve = format!("/proposals/{pid}/approve");
    let p = expect_problem(
        s.post(
            &approve,
            Some(&s.tokens.approver),
            &json!({"reason": "mine"}),
        )
        .await,
        403,
    )
    .await;
    assert_eq!(p["type"], "urn:vires:problem:own-proposal", "{p}");
    expect_problem(
        s.post(&approve, Some(&s.tokens.admin), &json!({"reason": "  "}))
            .await,
        422,
    )
    .await;
    expect_problem(
        s.post(&approve, Some(&s.tokens.admin), &json!({})).await,
        422,
    )
    .await;
    assert_eq!(s.state.revision(), rev, "nothing was written");
    let got = proposal_as_editor(s, pid).await;
    assert_eq!(got["status"]["state"], "pending", "{got}");

    // Someone else approves: published by its proposer, approved by the admin.
    let r = s
        .post(
            &approve,
            Some(&s.tokens.admin),
            &json!({"reason": "matches the minute"}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201, "{}", r.text().await.unwrap());
    let log: Value = s.get_json("/changes?limit=1000").await.2;
    let last = log.as_array().unwrap().last().unwrap().clone();
    assert_eq!(last["author"], "ava", "{last}");
    assert_eq!(last["reason"], "board minute 12/2020", "{last}");
    assert_eq!(last["decision"]["by"], "root", "{last}");
    assert_eq!(last["decision"]["reason"], "matches the minute", "{last}");

    // Approve and reject at the same moment, several times: one wins, the other is 409.
    for n in 0..6 {
        let rev = s.state.revision();
        let body = change_body(
            rev,
            delegation_json(&format!("deleg-race-settle-{n}"), "08Q", "2021-04-01"),
        );
        let r = s.post("/changes", Some(&s.tokens.editor), &body).await;
        assert_eq!(r.status().as_u16(), 202);
        let pid = r.json::<Value>().await.unwrap()["id"].as_u64().unwrap();
        let entries = log_len(s).await;
        let send = |path: String, token: String| {
            let client = s.client.clone();
            let url = s.url(&path);
            tokio::spawn(async move {
                client
                    .post(url)
                    .bearer_auth(token)
                    .header(CONTENT_TYPE, "application/json")
                    .body(json!({"reason": "race"}).to_string())
                    .send()
                    .await
                    .unwrap()
                    .status()
                    .as_u16()
            })
        };
        let a = send(
            format!("/proposals/{pid}/approve"),
            s.tokens.approver.clone(),
        );
        let b = send(format!("/proposals/{pid}/reject"), s.tokens.admin.clone());
        let (a, b) = (a.await.unwrap(), b.await.unwrap());
        assert!(
            (a == 201 && b == 409) || (a == 409 && b == 200),
            "round {n}: approve {a}, reject {b}"
        );
        assert_eq!(log_len(s).await, entries + 1, "round {n}");
        let p = proposal_as_editor(s, pid).await;
        let expected = if a == 201 { "published" } else { "rejected" };
        assert_eq!(p["status"]["state"], expected, "round {n}: {p}");
        let in_register = s
            .state
            .current()
            .snapshot
            .register()
            .instruments
            .iter()
            .any(|i| i.id == format!("deleg-race-settle-{n}"));
        assert_eq!(in_register, a == 201, "round {n}");
    }
}

/// Concurrent writers based on the same revision: exactly one wins, the others get 409,
/// and the log grows by exactly one entry.
async fn concurrent_writers(s: &Server) {
    let rev = s.state.revision();
    let entries = log_len(s).await;
    let mut tasks = Vec::new();
    for n in 0..6 {
        let client = s.client.clone();
        let url = s.url("/changes");
        let token = s.tokens.approver.clone();
        let body = change_body(
            rev,
            delegation_json(&format!("deleg-race-{n}"), "08Q", "2017-04-01"),
        );
        tasks.push(tokio::spawn(async move {
            client
                .post(url)
                .bearer_auth(token)
                .header(CONTENT_TYPE, "application/json")
                .body(body.to_string())
                .send()
                .await
                .unwrap()
                .status()
                .as_u16()
        }));
    }
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    statuses.sort();
    assert_eq!(statuses, vec![201, 409, 409, 409, 409, 409]);
    assert_eq!(s.state.revision(), rev + 1);
    assert_eq!(log_len(s).await, entries + 1);
    let winners = s
        .state
        .current()
        .snapshot
        .register()
        .instruments
        .iter()
        .filter(|i| i.id.starts_with("deleg-race-"))
        .count();
    assert_eq!(winners, 1);
}

/// Bad input of every kind is a 4xx problem, and the register is unchanged.
async fn bad_input_is_a_problem(s: &Server) {
    let rev = s.state.revision();
    let entries = log_len(s).await;
    let tok = Some(s.tokens.approver.as_str());
    let post_raw = |body: String, ct: Option<&'static str>| {
        let mut req = s
            .client
            .post(s.url("/changes"))
            .bearer_auth(&s.tokens.approver)
            .body(body);
        if let Some(ct) = ct {
            req = req.header(CONTENT_TYPE, ct);
        }
        req.send()
    };
    // Authentication comes before the body is read: garbage from nobody is 401.
    let r = s
        .client
        .post(s.url("/changes"))
        .header(CONTENT_TYPE, "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    expect_problem(r, 401).await;
    let r = s
        .client
        .post(s.url("/changes"))
        .bearer_auth(&s.tokens.viewer)
        .body("{")
        .send()
        .await
        .unwrap();
    expect_problem(r, 403).await;
    let p = expect_problem(
        post_raw("{\"base_revision\": ".into(), Some("application/json"))
            .await
            .unwrap(),
        400,
    )
    .await;
    assert_eq!(p["type"], "urn:vires:problem:malformed-json");
    let good = change_body(rev, delegation_json("deleg-x", "08Q", "2016-04-01"));
    expect_problem(
        post_raw(good.to_string(), Some("text/plain"))
            .await
            .unwrap(),
        415,
    )
    .await;
    expect_problem(post_raw(good.to_string(), None).await.unwrap(), 415).await;
    expect_problem(
        post_raw(format!("{good} trailing"), Some("application/json"))
            .await
            .unwrap(),
        400,
    )
    .await;

    let mut unknown_top = good.clone();
    unknown_top["colour"] = json!("blue");
    let p = expect_problem(s.post("/changes", tok, &unknown_top).await, 422).await;
    assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");
    let mut unknown_nested = good.clone();
    unknown_nested["change"]["instrument"]["colour"] = json!("blue");
    let p = expect_problem(s.post("/changes", tok, &unknown_nested).await, 422).await;
    assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");
    let mut bad_op = good.clone();
    bad_op["change"]["op"] = json!("delete-everything");
    expect_problem(s.post("/changes", tok, &bad_op).await, 422).await;

    let impossible = change_body(rev, delegation_json("deleg-x", "08Q", "2021-02-30"));
    let p = expect_problem(s.post("/changes", tok, &impossible).await, 422).await;
    assert!(p["detail"].as_str().unwrap().contains("from"), "{p}");

    let unknown_body = change_body(rev, delegation_json("deleg-x", "ZZZ", "2016-04-01"));
    let p = expect_problem(s.post("/changes", tok, &unknown_body).await, 422).await;
    assert_eq!(p["errors"][0]["code"], "V001", "{p}");
    let mut unknown_fn = delegation_json("deleg-x", "08Q", "2016-04-01");
    unknown_fn["functions"] = json!(["commissioning.teleportation"]);
    let p = expect_problem(
        s.post("/changes", tok, &change_body(rev, unknown_fn)).await,
        422,
    )
    .await;
    assert_eq!(p["errors"][0]["code"], "V002", "{p}");
    // A change void in law (a CCG delegating under a power no register has) is refused as
    // `vires record` refuses it: 422 naming the finding, nothing written.
    let mut void = delegation_json("deleg-void", "08Q", "2016-04-01");
    void["maker"] = json!("08Q");
    void["basis"] = json!("Imaginary Act s.99");
    let p = expect_problem(
        s.post("/changes", tok, &change_body(rev, void.clone()))
            .await,
        422,
    )
    .await;
    assert!(
        p["errors"]
            .as_array()
            .unwrap()
            .iter()
            .any(|e| e["code"] == "V005" && e["at"] == "deleg-void"),
        "{p}"
    );
    let p = expect_problem(
        s.post(
            "/changes/check",
            Some(&s.tokens.editor),
            &json!({"change": {"op": "add-instrument", "instrument": void}}),
        )
        .await,
        422,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("V005"), "{p}");
    let dup = change_body(
        rev,
        delegation_json("deleg-08Q-dental", "08Q", "2016-04-01"),
    );
    expect_problem(s.post("/changes", tok, &dup).await, 422).await;
    let retract_missing = json!({"base_revision": rev, "reason": "x", "change": {"op": "retract-instrument", "id": "nope", "reason": "x"}});
    expect_problem(s.post("/changes", tok, &retract_missing).await, 422).await;
    let empty_reason = json!({"base_revision": rev, "reason": " ", "change": good["change"]});
    expect_problem(s.post("/changes", tok, &empty_reason).await, 422).await;
    let mut negative = good.clone();
    negative["base_revision"] = json!(-1);
    expect_problem(s.post("/changes", tok, &negative).await, 422).await;

    let mut huge = delegation_json("deleg-x", "08Q", "2016-04-01");
    huge["title"] = json!("x".repeat(100 * 1024));
    expect_problem(s.post("/changes", tok, &change_body(rev, huge)).await, 413).await;

    // Queries.
    let f = "function=commissioning.primary-care.medical";
    expect_problem(
        s.get(&format!("/who?{f}&practice=A81001&on=2021-02-30"))
            .await,
        400,
    )
    .await;
    expect_problem(
        s.get(&format!("/who?{f}&practice=A81001&on=yesterday"))
            .await,
        400,
    )
    .await;
    expect_problem(s.get("/who?practice=A81001").await, 400).await;
    expect_problem(
        s.get(&format!("/who?{f}&practice=A81001&bogus=1")).await,
        400,
    )
    .await;
    expect_problem(
        s.get(&format!("/who?{f}&practice=A81001&body=13T")).await,
        400,
    )
    .await;
    expect_problem(s.get(&format!("/who?{f}&{f}")).await, 400).await;
    let p = expect_problem(
        s.get("/who?function=commissioning.nope&practice=A81001")
            .await,
        404,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("commissioning.nope"),
        "{p}"
    );
    expect_problem(s.get(&format!("/who?{f}&practice=NOPE")).await, 404).await;
    expect_problem(s.get("/what?code=NOPE&on=2016-01-01").await, 404).await;
    expect_problem(s.get("/lineage?code=NOPE").await, 404).await;
    expect_problem(s.get("/search?q=").await, 400).await;
    expect_problem(s.get("/search?q=13T&limit=100000").await, 400).await;
    expect_problem(s.get("/search?q=13T&kind=nope").await, 400).await;
    let long = "x".repeat(vires_core::search::MAX_QUERY_CHARS + 1);
    expect_problem(s.get(&format!("/search?q={long}")).await, 400).await;
    expect_problem(s.get("/expiring?days=99999999").await, 400).await;
    expect_problem(s.get("/expiring?days=-1").await, 400).await;
    expect_problem(s.get("/bodies?kind=spaceship").await, 400).await;
    expect_problem(s.get("/changes?limit=0").await, 400).await;
    let r = s
        .client
        .get(s.url("/proposals/abc"))
        .bearer_auth(&s.tokens.editor)
        .send()
        .await
        .unwrap();
    expect_problem(r, 400).await;
    expect_problem(s.get("/no-such-endpoint").await, 404).await;
    expect_problem(s.client.delete(s.url("/who")).send().await.unwrap(), 405).await;

    assert_eq!(s.state.revision(), rev);
    assert_eq!(log_len(s).await, entries);
}

/// `min_revision` waits for the register, or answers 409.
async fn consistency_tokens(s: &Server) {
    let rev = s.state.revision();
    let path = "/who?function=commissioning.primary-care.medical&practice=A81001&on=2016-01-01";
    let (status, got, _) = s.get_json(&format!("{path}&min_revision={rev}")).await;
    assert_eq!((status, got), (200, rev));
    let started = Instant::now();
    let p = expect_problem(
        s.get(&format!("{path}&min_revision={}", rev + 5)).await,
        409,
    )
    .await;
    assert_eq!(p["type"], "urn:vires:problem:revision-not-available");
    assert!(started.elapsed() >= Duration::from_millis(350));
    let r = s
        .client
        .get(s.url(path))
        .header("Vires-Min-Revision", (rev + 5).to_string())
        .send()
        .await
        .unwrap();
    expect_problem(r, 409).await;
    expect_problem(s.get(&format!("{path}&min_revision=abc")).await, 400).await;

    // A request waiting for the next revision is answered as soon as a write lands.
    let url = s.url(&format!("{path}&min_revision={}", rev + 1));
    let client = s.client.clone();
    let waiter = tokio::spawn(async move { client.get(url).send().await.unwrap() });
    tokio::time::sleep(Duration::from_millis(50)).await;
    let body = change_body(rev, delegation_json("deleg-wait", "08Q", "2018-04-01"));
    let r = s.post("/changes", Some(&s.tokens.approver), &body).await;
    assert_eq!(r.status().as_u16(), 201);
    let answered = waiter.await.unwrap();
    assert_eq!(answered.status().as_u16(), 200);
    assert_eq!(revision_of(&answered), rev + 1);
}

/// Any query can be asked of the register as it was recorded at an earlier moment.
async fn as_recorded_at(s: &Server) {
    let path = "/what?code=08Q&on=2020-06-01";
    let (status, rev, then) = s.get_json(path).await;
    assert_eq!(status, 200);
    tokio::time::sleep(Duration::from_millis(20)).await;
    let moment = jiff::Timestamp::now();
    tokio::time::sleep(Duration::from_millis(20)).await;
    let body = change_body(rev, delegation_json("deleg-recorded", "08Q", "2020-04-01"));
    let r = s.post("/changes", Some(&s.tokens.approver), &body).await;
    assert_eq!(r.status().as_u16(), 201);
    let (_, now_rev, now) = s.get_json(path).await;
    assert!(now_rev > rev);
    assert_ne!(now, then, "the write changed what 08Q holds");
    let asked = format!("{path}&recorded_at={moment}");
    let r = s.get(&asked).await;
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(
        revision_of(&r),
        rev,
        "answered from the revision recorded then"
    );
    assert_eq!(
        r.headers()
            .get("vires-recorded-at")
            .and_then(|v| v.to_str().ok()),
        Some(moment.to_string().as_str())
    );
    let v: Value = r.json().await.unwrap();
    assert_eq!(
        v, then,
        "the register as recorded then, without the later write"
    );
    // The same again comes from the kept copy; who goes the same way as every query.
    let (_, again_rev, again) = s.get_json(&asked).await;
    assert_eq!((again_rev, &again), (rev, &then));
    let who = "/who?function=commissioning.primary-care.dental&body=08Q&on=2020-06-01";
    let (status, who_rev, _) = s.get_json(&format!("{who}&recorded_at={moment}")).await;
    assert_eq!((status, who_rev), (200, rev));
    let p = expect_problem(s.get(&format!("{path}&recorded_at=yesterday")).await, 400).await;
    assert!(
        p["detail"].as_str().unwrap_or("").contains("recorded_at"),
        "{p}"
    );
    expect_problem(
        s.get(&format!("{path}&recorded_at={moment}&recorded_at={moment}"))
            .await,
        400,
    )
    .await;
}

async fn next_event(
    stream: &mut (impl futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Unpin),
    buf: &mut String,
) -> u64 {
    loop {
        if let Some(end) = buf.find("\n\n") {
            let event: String = buf.drain(..end + 2).collect();
            if let Some(line) = event.lines().find(|l| l.starts_with("data:")) {
                let v: Value =
                    serde_json::from_str(line.trim_start_matches("data:").trim()).unwrap();
                return v["revision"].as_u64().unwrap();
            }
            continue;
        }
        let chunk = tokio::time::timeout(Duration::from_secs(5), stream.next())
            .await
            .expect("no event within 5 s")
            .expect("stream ended")
            .unwrap();
        buf.push_str(std::str::from_utf8(&chunk).unwrap());
    }
}

/// The change feed announces the current revision, then each new one.
async fn change_feed(s: &Server) {
    let rev = s.state.revision();
    let r = s.get("/changes/stream").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut stream = Box::pin(r.bytes_stream());
    let mut buf = String::new();
    assert_eq!(next_event(&mut stream, &mut buf).await, rev);
    let body = change_body(rev, delegation_json("deleg-sse", "08Q", "2019-06-01"));
    assert_eq!(
        s.post("/changes", Some(&s.tokens.approver), &body)
            .await
            .status()
            .as_u16(),
        201
    );
    assert_eq!(next_event(&mut stream, &mut buf).await, rev + 1);
}

/// Browser sessions: HttpOnly SameSite cookie, CSRF token required for writes.
async fn sessions(s: &Server) {
    let r = s
        .post("/auth/login", None, &json!({"token": s.tokens.editor}))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let cookie = r.headers()[SET_COOKIE].to_str().unwrap().to_string();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let session: Value = r.json().await.unwrap();
    let csrf = session["csrf"].as_str().unwrap().to_string();
    let pair = cookie.split(';').next().unwrap().to_string();
    let who: Value = s
        .client
        .get(s.url("/auth/whoami"))
        .header(COOKIE, &pair)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who["user"], "ed", "{who}");
    assert_eq!(who["via"], "session", "{who}");
    let body = change_body(
        s.state.revision(),
        delegation_json("deleg-cookie", "08Q", "2019-09-01"),
    );
    let send = |csrf: Option<&str>| {
        let mut req = s
            .client
            .post(s.url("/changes"))
            .header(COOKIE, &pair)
            .header(CONTENT_TYPE, "application/json")
            .body(body.to_string());
        if let Some(c) = csrf {
            req = req.header("X-CSRF-Token", c);
        }
        req.send()
    };
    expect_problem(send(None).await.unwrap(), 403).await;
    expect_problem(send(Some("wrong")).await.unwrap(), 403).await;
    assert_eq!(send(Some(&csrf)).await.unwrap().status().as_u16(), 202);
    let r = s
        .client
        .post(s.url("/auth/logout"))
        .header(COOKIE, &pair)
        .header("X-CSRF-Token", &csrf)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let who: Value = s
        .client
        .get(s.url("/auth/whoami"))
        .header(COOKIE, &pair)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who["via"], "anonymous", "{who}");
    expect_problem(
        s.post("/auth/login", None, &json!({"token": "nope"})).await,
        401,
    )
    .await;
}

/// Admin: users and tokens; a new token works; a revoked one does not.
async fn admin(s: &Server) {
    let r = s
        .post(
            "/admin/users",
            Some(&s.tokens.approver),
            &json!({"name": "newbie", "role": "editor"}),
        )
        .await;
    expect_problem(r, 403).await;
    let r = s
        .post(
            "/admin/users",
            Some(&s.tokens.admin),
            &json!({"name": "newbie", "role": "editor"}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let r = s
        .post(
            "/admin/tokens",
            Some(&s.tokens.admin),
            &json!({"user": "newbie", "label": "laptop"}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 201);
    let t: Value = r.json().await.unwrap();
    let token = t["token"].as_str().unwrap().to_string();
    let id = t["info"]["id"].as_str().unwrap().to_string();
    let who: Value = s
        .client
        .get(s.url("/auth/whoami"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(who["role"], "editor", "{who}");
    let r = s
        .client
        .delete(s.url(&format!("/admin/tokens/{id}")))
        .bearer_auth(&s.tokens.admin)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 204);
    let r = s
        .client
        .get(s.url("/auth/whoami"))
        .bearer_auth(&token)
        .send()
        .await
        .unwrap();
    expect_problem(r, 401).await;
    let r = s
        .post(
            "/admin/tokens",
            Some(&s.tokens.admin),
            &json!({"user": "ghost"}),
        )
        .await;
    expect_problem(r, 404).await;
}

/// Operability endpoints and the OpenAPI document.
async fn ops(s: &Server) {
    assert_eq!(s.get("/healthz").await.status().as_u16(), 200);
    assert_eq!(s.get("/readyz").await.status().as_u16(), 200);
    let r = s.get("/ping").await;
    assert!(r.headers().contains_key("vires-revision"));
    assert!(r.headers().contains_key("x-request-id"));
    assert_eq!(r.text().await.unwrap(), "pong");
    let metrics = s.get("/metrics").await.text().await.unwrap();
    assert!(
        metrics.contains("vires_http_requests_total{route=\"/who\",method=\"GET\",status=\"200\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("vires_http_request_duration_seconds_bucket{route=\"/who\""),
        "{metrics}"
    );
    assert!(
        metrics.contains(&format!("vires_register_revision {}", s.state.revision())),
        "{metrics}"
    );
    let (status, _, st) = s.get_json("/status").await;
    assert_eq!(status, 200);
    assert_eq!(st["revision"], s.state.revision());
    log_head_on_every_answer(s).await;

    let (status, _, doc) = s.get_json("/openapi.json").await;
    assert_eq!(status, 200);
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1"),
        "{}",
        doc["openapi"]
    );
    let paths = doc["paths"].as_object().unwrap();
    for p in [
        "/who",
        "/may",
        "/what",
        "/timeline",
        "/diff",
        "/gaps",
        "/overlaps",
        "/expiring",
        "/invalid",
        "/orphans",
        "/inheritance",
        "/lineage",
        "/search",
        "/map",
        "/bodies",
        "/functions",
        "/changes",
        "/changes/check",
        "/changes/stream",
        "/proposals",
        "/proposals/{id}",
        "/proposals/{id}/approve",
        "/proposals/{id}/reject",
        "/auth/login",
        "/auth/logout",
        "/auth/whoami",
        "/admin/users",
        "/admin/tokens",
        "/admin/tokens/{id}",
        "/healthz",
        "/readyz",
        "/metrics",
        "/ping",
        "/status",
    ] {
        assert!(paths.contains_key(p), "/openapi.json lacks {p}");
    }
    assert!(doc["paths"]["/changes"]["post"].is_object());
    assert!(doc["components"]["schemas"]["WhoAnswer"].is_object());
    assert!(doc["components"]["securitySchemes"]["bearer"].is_object());
    // Every response sets both headers (`log_head_on_every_answer`), so the document
    // declares both on every response of every operation.
    let mut responses = 0;
    for (path, item) in paths {
        for (method, op) in item.as_object().unwrap() {
            let Some(rs) = op.get("responses").and_then(Value::as_object) else {
                continue;
            };
            for (status, r) in rs {
                responses += 1;
                for h in ["Vires-Revision", "Vires-Log-Head"] {
                    assert!(
                        r["headers"][h]["schema"].is_object(),
                        "{method} {path} {status} does not declare {h}: {r}"
                    );
                }
            }
        }
    }
    assert!(responses > 100, "{responses} responses");
    // The descriptions are for the API's users: no rustdoc links or notes on storage, which
    // belong in plain comments (utoipa publishes every `///` comment).
    let mut descriptions = Vec::new();
    collect_descriptions(&doc, &mut descriptions);
    assert!(descriptions.len() > 300, "{}", descriptions.len());
    for d in descriptions {
        for word in ["[`", "::", "SmolStr", "serde", "Box<", "Vec<", "Option<"] {
            assert!(!d.contains(word), "a description says `{word}`: {d}");
        }
    }
}

/// Every `description` string in an OpenAPI document.
fn collect_descriptions<'a>(v: &'a Value, out: &mut Vec<&'a str>) {
    match v {
        Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("description", Value::String(d)) => out.push(d),
                    _ => collect_descriptions(x, out),
                }
            }
        }
        Value::Array(a) => a.iter().for_each(|x| collect_descriptions(x, out)),
        _ => {}
    }
}

/// The head the store verifies to, from the database rather than the server's state.
async fn verified_head(s: &Server) -> String {
    let store = s.state.store().clone();
    let report = tokio::task::spawn_blocking(move || store.verify().unwrap())
        .await
        .unwrap();
    assert!(report.ok, "{report:?}");
    format!("{}:{}", report.entries, report.head_hash.unwrap())
}

fn log_head_of(r: &reqwest::Response) -> String {
    r.headers()
        .get("vires-log-head")
        .unwrap_or_else(|| panic!("no Vires-Log-Head on {} ({})", r.url(), r.status()))
        .to_str()
        .unwrap()
        .to_string()
}

/// Every answer, errors included, carries the log's head; a write moves it to the entry it
/// wrote; `/status` shows it too.
async fn log_head_on_every_answer(s: &Server) {
    let head = verified_head(s).await;
    for path in [
        "/healthz",
        "/ping",
        "/who?function=commissioning.primary-care.dental&practice=A85001&on=2020-06-01",
        "/changes?limit=1",
        "/no-such-route",
        "/who?on=not-a-date",
    ] {
        assert_eq!(log_head_of(&s.get(path).await), head, "{path}");
    }
    let (_, _, st) = s.get_json("/status").await;
    assert_eq!(st["log_head"], head.as_str(), "{st}");
    assert!(st.get("log_broken").is_none(), "{st}");
    let body = change_body(
        s.state.revision(),
        delegation_json("deleg-08Q-dental-head", "08Q", "2018-04-01"),
    );
    let r = s.post("/changes", Some(&s.tokens.approver), &body).await;
    let after = log_head_of(&r);
    let written: Value = r.json().await.unwrap();
    assert_eq!(
        after,
        format!(
            "{}:{}",
            written["entry"]["seq"],
            written["entry"]["hash"].as_str().unwrap()
        ),
        "{written}"
    );
    assert_ne!(after, head);
    assert_eq!(after, verified_head(s).await);
}

/// A second instance over the same database follows writes made through the first.
async fn second_instance_follows(a: &Server, db: &str) {
    let mut config = test_config(db);
    config.limits.min_revision_wait_ms = 3000;
    let b = Server::start(config, Some(a.tokens.clone())).await;
    assert_eq!(b.state.revision(), a.state.revision());
    let rev = a.state.revision();
    let body = change_body(rev, delegation_json("deleg-follow", "08Q", "2020-01-01"));
    assert_eq!(
        a.post("/changes", Some(&a.tokens.approver), &body)
            .await
            .status()
            .as_u16(),
        201
    );
    let started = Instant::now();
    let (status, got, v) = b
        .get_json(&format!("/who?function=commissioning.primary-care.dental&practice=B82005&on=2021-01-01&min_revision={}", rev + 1))
        .await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(got, rev + 1);
    let follow_ms = started.elapsed().as_millis();
    eprintln!("second instance caught up in {follow_ms} ms");
    assert!(follow_ms < 2000, "the second instance took {follow_ms} ms");
    // Writing through B with A's old revision is stale there too.
    let stale = change_body(rev, delegation_json("deleg-follow-2", "08Q", "2020-02-01"));
    expect_problem(
        b.post("/changes", Some(&b.tokens.approver), &stale).await,
        409,
    )
    .await;
    b.stop().await;
}

async fn procurement(s: &Server) {
    let contract = json!({
        "reference": "community-msk-2021",
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
    let r = s.post("/procure", None, &contract).await;
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["regime"].to_string().contains("2013"), "{v}");
    assert!(
        v["permitted"].as_array().is_some_and(|a| !a.is_empty()),
        "{v}"
    );
    // The same contract on the other side of 2024-01-01 is under the Provider Selection Regime.
    let mut later = contract.clone();
    later["start"] = json!("2024-01-02");
    later["procurement_began"] = json!("2024-01-02");
    later["commissioners"] = json!(["X24"]);
    let r = s.post("/procure", None, &later).await;
    let v: Value = r.json().await.unwrap();
    assert!(
        v["regime"]
            .to_string()
            .contains("Provider Selection Regime"),
        "{v}"
    );
    // A missing field is named; an unknown body is refused; neither is a server error.
    let mut missing = contract.clone();
    missing.as_object_mut().unwrap().remove("start");
    let p = expect_problem(s.post("/procure", None, &missing).await, 422).await;
    assert!(p["detail"].as_str().unwrap_or("").contains("start"), "{p}");
    // Begun in December 2023, the same contract starting in 2024 stays under the 2013
    // Regulations (SI 2023/1348 reg 29(1)(a)); a missing procurement date is named.
    let mut saved = later.clone();
    saved["procurement_began"] = json!("2023-12-04");
    let v: Value = s.post("/procure", None, &saved).await.json().await.unwrap();
    assert_eq!(v["regime"]["id"], "nhs-procurement-2013", "{v}");
    assert!(
        v["regime_basis"]["citation"]
            .as_str()
            .unwrap_or("")
            .contains("SI 2023/1348 reg 29(1)(a)"),
        "{v}"
    );
    let mut undated = contract.clone();
    undated.as_object_mut().unwrap().remove("procurement_began");
    let p = expect_problem(s.post("/procure", None, &undated).await, 422).await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap_or("")
            .contains("procurement_began"),
        "{p}"
    );
    let mut unknown = contract.clone();
    unknown["commissioners"] = json!(["ZZZ"]);
    expect_problem(s.post("/procure", None, &unknown).await, 422).await;
}

/// The register views, the what-if, the calendar and conflicts: each answers what the
/// library the CLI calls answers and refuses bad input with a problem naming the field.
async fn views_match_library(s: &Server) {
    let cur = s.state.current();
    let snap = &cur.snapshot;

    // GET /explain
    let (status, _, v) = s.get_json("/explain?instrument=deleg-13T-medical").await;
    assert_eq!(status, 200, "{v}");
    let want = vires_core::explain::explain(snap, "deleg-13T-medical").unwrap();
    assert_eq!(v, serde_json::to_value(&want).unwrap());
    assert_eq!(v["rests_on"]["id"], "s13Z", "{v}");
    assert_eq!(v["valid"], true, "{v}");
    assert!(!v["holdings"].as_array().unwrap().is_empty(), "{v}");
    let (_, _, v) = s.get_json("/explain?instrument=bad-deleg-08Q").await;
    assert_eq!(v["valid"], false, "{v}");
    assert!(v["diagnostics"].to_string().contains("V005"), "{v}");
    let p = expect_problem(s.get("/explain?instrument=no-such").await, 404).await;
    assert!(p["detail"].as_str().unwrap().contains("instrument"), "{p}");
    let p = expect_problem(s.get("/explain").await, 400).await;
    assert!(p["detail"].as_str().unwrap().contains("instrument"), "{p}");
    expect_problem(s.get("/explain?instrument=x&id=x").await, 400).await;

    // GET /powers
    let (status, _, v) = s.get_json("/powers").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(v, serde_json::to_value(&snap.register().powers).unwrap());
    assert_eq!(v[0]["id"], "s13Z", "{v}");
    let p = expect_problem(s.get("/powers?kind=ccg").await, 400).await;
    assert!(p["detail"].as_str().unwrap().contains("kind"), "{p}");

    // GET /instruments
    let (status, _, v) = s.get_json("/instruments").await;
    assert_eq!(status, 200, "{v}");
    assert_eq!(
        v,
        serde_json::to_value(vires_core::explain::instruments(snap)).unwrap()
    );
    let bad = v
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["id"] == "bad-deleg-08Q")
        .unwrap();
    assert_eq!(bad["valid"], false, "{v}");
    expect_problem(s.get("/instruments?valid=false").await, 400).await;

    // GET /calendar
    let (status, _, v) = s.get_json("/calendar?on=2022-01-01&days=365").await;
    assert_eq!(status, 200, "{v}");
    let want = vires_workflow::calendar::upcoming(snap, &[], date(2022, 1, 1), 365);
    assert_eq!(v, serde_json::to_value(&want).unwrap());
    assert!(
        v.as_array().unwrap().iter().any(|e| e["kind"] == "expiry"
            && e["subject"] == "deleg-13T-medical"
            && e["date"] == "2022-07-01"),
        "{v}"
    );
    let r = s.get("/calendar?on=2022-01-01&days=365&ics=true").await;
    assert_eq!(r.status().as_u16(), 200);
    assert!(r.headers()[CONTENT_TYPE]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    revision_of(&r);
    let text = r.text().await.unwrap();
    assert_eq!(
        text,
        vires_workflow::calendar::to_ics(&want, "vires", date(2022, 1, 1))
    );
    assert!(text.contains("BEGIN:VCALENDAR"), "{text}");
    let p = expect_problem(s.get("/calendar?days=99999").await, 400).await;
    assert!(p["detail"].as_str().unwrap().contains("days"), "{p}");
    expect_problem(s.get("/calendar?on=2021-02-30").await, 400).await;
    expect_problem(s.get("/calendar?rounds=x.json").await, 400).await;

    // POST /whatif: a delegation of dental care to 13T, not yet in force.
    let ins = delegation_json("whatif-dental-13T", "13T", "2016-01-01");
    let r = s
        .post("/whatif", None, &json!({"instruments": [ins.clone()]}))
        .await;
    assert_eq!(r.status().as_u16(), 200);
    revision_of(&r);
    let v: Value = r.json().await.unwrap();
    let mut reg = snap.register().clone();
    let input: change_forms::InstrumentInput = serde_json::from_value(ins.clone()).unwrap();
    reg.add_instrument(input.into());
    let after = Snapshot::compile(reg);
    let want = vires_core::whatif::what_if(
        snap,
        &after,
        &["whatif-dental-13T".to_string()],
        true,
        date(2016, 1, 1),
    );
    assert_eq!(v, serde_json::to_value(&want).unwrap());
    assert_eq!(v["valid"], true, "{v}");
    assert_eq!(v["on"], "2016-01-01", "{v}");
    assert!(
        v["diff"]["added"]
            .as_array()
            .unwrap()
            .iter()
            .any(|h| h["body"] == "13T" && h["instrument"] == "whatif-dental-13T"),
        "{v}"
    );
    // An instrument resting on no power is reported, not refused.
    let mut void = delegation_json("whatif-void", "X24", "2016-01-01");
    void["maker"] = json!("08Q");
    void["basis"] = json!("Imaginary Act s.99");
    void["functions"] = json!(["commissioning.secondary-care"]);
    void["area"] = json!({"footprint": "08Q"});
    let r = s
        .post(
            "/whatif",
            None,
            &json!({"instruments": [void], "on": "2016-06-01"}),
        )
        .await;
    assert_eq!(r.status().as_u16(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["valid"], false, "{v}");
    assert_eq!(v["on"], "2016-06-01", "{v}");
    // Bad proposals: none, an id the register has, an impossible or far date, an unknown
    // field, the wrong content type.
    let p = expect_problem(
        s.post("/whatif", None, &json!({"instruments": []})).await,
        422,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("instruments"), "{p}");
    let dup = delegation_json("deleg-13T-medical", "13T", "2016-01-01");
    let p = expect_problem(
        s.post("/whatif", None, &json!({"instruments": [dup]}))
            .await,
        422,
    )
    .await;
    assert!(
        p["detail"].as_str().unwrap().contains("instruments[0].id"),
        "{p}"
    );
    let far = delegation_json("whatif-far", "13T", "9999-12-31");
    let p = expect_problem(
        s.post("/whatif", None, &json!({"instruments": [far]}))
            .await,
        422,
    )
    .await;
    assert!(
        p["detail"]
            .as_str()
            .unwrap()
            .contains("instruments[0].from"),
        "{p}"
    );
    let mut odd = ins.clone();
    odd["colour"] = json!("red");
    let p = expect_problem(
        s.post("/whatif", None, &json!({"instruments": [odd]}))
            .await,
        422,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("colour"), "{p}");
    let r = s
        .client
        .post(s.url("/whatif"))
        .header(CONTENT_TYPE, "text/plain")
        .body("{}")
        .send()
        .await
        .unwrap();
    expect_problem(r, 415).await;
    let p = expect_problem(
        s.post(
            "/whatif?on=2016-01-01",
            None,
            &json!({"instruments": [ins]}),
        )
        .await,
        400,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("on"), "{p}");

    // POST /conflicts/check: the worked example, moved onto 13T.
    let ex = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../examples/procurement");
    let read = |f: &str| -> Value {
        let text = std::fs::read_to_string(ex.join(f)).unwrap();
        serde_json::from_str(&text.replace("\"02X\"", "\"13T\"")).unwrap()
    };
    let decision = read("decision_joint_appointment.json");
    let interests = read("register_of_interests_02X.json");
    let body = json!({"decision": decision, "interests": [interests]});
    let r = s.post("/conflicts/check", None, &body).await;
    assert_eq!(r.status().as_u16(), 200);
    revision_of(&r);
    let v: Value = r.json().await.unwrap();
    let d = vires_procure::Decision::from_json(&decision.to_string()).unwrap();
    let reg = vires_procure::InterestRegister::from_json(&interests.to_string()).unwrap();
    // The API answers with the one conflicts check the CLI and the web page call.
    let want = vires_procure::check(snap, Some(d), &[reg])
        .unwrap()
        .decision
        .unwrap();
    assert_eq!(v, serde_json::to_value(&want).unwrap());
    assert_eq!(v["sound"], false, "{v}");
    let mut missing = decision.clone();
    missing.as_object_mut().unwrap().remove("date");
    let p = expect_problem(
        s.post(
            "/conflicts/check",
            None,
            &json!({"decision": missing, "interests": [interests]}),
        )
        .await,
        422,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("date"), "{p}");
    let mut unknown = decision.clone();
    unknown["body"] = json!("ZZZ");
    let p = expect_problem(
        s.post(
            "/conflicts/check",
            None,
            &json!({"decision": unknown, "interests": [interests]}),
        )
        .await,
        422,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("ZZZ"), "{p}");
    let p = expect_problem(
        s.post(
            "/conflicts/check",
            None,
            &json!({"decision": decision, "interests": []}),
        )
        .await,
        422,
    )
    .await;
    assert!(p["detail"].as_str().unwrap().contains("interests"), "{p}");
    expect_problem(
        s.post("/conflicts/check", None, &json!({"decision": decision}))
            .await,
        422,
    )
    .await;
}

async fn suite(db: &str) {
    let s = Server::start(test_config(db), None).await;
    assert!(s.state.revision() >= 1, "the genesis entry is revision 1");
    queries_match_core(&s).await;
    views_match_library(&s).await;
    writes_are_authorised_and_optimistic(&s).await;
    concurrent_writers(&s).await;
    four_eyes(&s).await;
    bad_input_is_a_problem(&s).await;
    consistency_tokens(&s).await;
    change_feed(&s).await;
    sessions(&s).await;
    admin(&s).await;
    ops(&s).await;
    procurement(&s).await;
    as_recorded_at(&s).await;
    second_instance_follows(&s, db).await;
    s.stop().await;

    // Restarted on the same database, the server answers from the same register.
    let rev = {
        let s = Server::start(
            test_config(db),
            Some(Tokens {
                viewer: String::new(),
                editor: String::new(),
                approver: String::new(),
                admin: String::new(),
            }),
        )
        .await;
        let rev = s.state.revision();
        assert!(s
            .state
            .current()
            .snapshot
            .register()
            .instruments
            .iter()
            .any(|i| i.id == "deleg-follow"));
        s.stop().await;
        rev
    };
    assert!(rev > 5);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn api_suite_on_sqlite() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("vires.db").display());
    suite(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn api_suite_on_postgres() {
    let Some(db) = tokio::task::spawn_blocking(|| fresh_pg_database("suite"))
        .await
        .unwrap()
    else {
        return;
    };
    suite(&db).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn reads_can_require_a_token() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("vires.db").display());
    let mut config = test_config(&db);
    config.auth.read = vires_server::config::ReadAccess::Token;
    let s = Server::start(config, None).await;
    let path = "/who?function=commissioning.primary-care.medical&practice=A81001&on=2016-01-01";
    expect_problem(s.get(path).await, 401).await;
    // The same layer reads `recorded_at`: a question about the past is refused just the same,
    // before its parameters are looked at.
    expect_problem(
        s.get(&format!("{path}&recorded_at=2020-01-01T00:00:00Z"))
            .await,
        401,
    )
    .await;
    expect_problem(s.get(&format!("{path}&recorded_at=yesterday")).await, 401).await;
    expect_problem(s.get("/changes/stream").await, 401).await;
    let r = s
        .client
        .get(s.url(path))
        .bearer_auth(&s.tokens.viewer)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status().as_u16(), 200);
    assert_eq!(s.get("/healthz").await.status().as_u16(), 200);
    s.stop().await;
}

/// Shutdown ends open change streams and finishes promptly.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn graceful_shutdown_ends_streams() {
    let dir = tempfile::tempdir().unwrap();
    let db = format!("sqlite://{}", dir.path().join("vires.db").display());
    let s = Server::start(test_config(&db), None).await;
    let r = s.get("/changes/stream").await;
    let mut stream = Box::pin(r.bytes_stream());
    let mut buf = String::new();
    assert_eq!(next_event(&mut stream, &mut buf).await, s.state.revision());
    let started = Instant::now();
    s.stop().await;
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "shutdown took {:?}",
        started.elapsed()
    );
    // The stream ends rather than hanging.
    let rest = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(chunk) = stream.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(rest.is_ok(), "the change stream did not end at shutdown");
}
