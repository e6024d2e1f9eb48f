//! The conflicts check grows with its input, not with its square: a decision of 3,300
//! participants (sent to the server once, it took 13 CPU-seconds and outlived its request
//! timeout) is checked in well under a second.

mod common;

use common::snapshot;
use std::time::{Duration, Instant};
use vires_procure::check;
use vires_procure::conflicts::{finding, Decision, InterestRegister};

/// `n` people on 02X's register, each with a financial interest in Acme Ltd, the decision's
/// counterparty; those with an even number declared it and were excluded.
fn meeting(n: usize) -> (Decision, InterestRegister) {
    let people: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"name": format!("Member {i}"), "posts": []}))
        .collect();
    let interests: Vec<_> = (0..n)
        .map(|i| {
            serde_json::json!({"declarant": format!("Member {i}"), "role": "Member", "type": "financial",
            "counterparty": "Acme Ltd", "description": "Shareholder", "from": "2015-01-01"})
        })
        .collect();
    let participants: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"person": format!("Member {i}"), "role": "Member"}))
        .collect();
    let declarations: Vec<_> = (0..n)
        .step_by(2)
        .map(|i| {
            serde_json::json!({"person": format!("Member {i}"), "counterparty": "Acme Ltd", "managed": "excluded"})
        })
        .collect();
    let register =
        serde_json::json!({"body": "02X", "people": people, "interests": interests, "gifts": []});
    let decision = serde_json::json!({
        "id": "big-meeting", "subject": "A contract with Acme Ltd", "body": "02X",
        "committee": "Governing body", "date": "2016-02-24", "counterparties": ["Acme Ltd"],
        "quorum": 3, "participants": participants, "declarations": declarations,
    });
    (
        Decision::from_json(&decision.to_string()).unwrap(),
        InterestRegister::from_json(&register.to_string()).unwrap(),
    )
}

#[test]
fn a_large_meeting_is_checked_in_linear_time() {
    let snap = snapshot();
    let n = 3_300;
    let (decision, register) = meeting(n);
    let started = Instant::now();
    let report = check(&snap, Some(decision), &[register])
        .unwrap()
        .decision
        .unwrap();
    let took = started.elapsed();
    // Half were excluded; the other half held an undeclared interest in the counterparty.
    assert_eq!(report.voting_after_exclusions, (n / 2) as u32);
    let undeclared = report
        .findings
        .iter()
        .filter(|f| f.code == finding::UNDECLARED_INTEREST)
        .count();
    assert_eq!(undeclared, n / 2);
    assert!(report
        .findings
        .iter()
        .filter(|f| f.code == finding::UNDECLARED_INTEREST)
        .all(|f| f
            .person
            .as_deref()
            .and_then(|p| p.strip_prefix("Member "))
            .and_then(|k| k.parse::<usize>().ok())
            .is_some_and(|k| k % 2 == 1)));
    assert!(
        took < Duration::from_secs(2),
        "checking {n} participants took {took:?}"
    );
}

#[test]
fn a_name_listed_twice_among_many_is_found_quickly() {
    let n = 20_000;
    let mut participants: Vec<_> = (0..n)
        .map(|i| serde_json::json!({"person": format!("Member {i}"), "role": "Member"}))
        .collect();
    participants.push(serde_json::json!({"person": "member 17.", "role": "Member"}));
    let decision = serde_json::json!({
        "id": "d", "subject": "s", "body": "02X", "date": "2016-02-24",
        "counterparties": ["Acme Ltd"], "quorum": 3, "participants": participants,
    });
    let started = Instant::now();
    let e = Decision::from_json(&decision.to_string()).unwrap_err();
    let took = started.elapsed();
    assert!(
        e.to_string().contains(&format!("participants[{n}].person")),
        "{e}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}");
}
