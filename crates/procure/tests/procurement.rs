//! Worked examples from examples/procurement with asserted answers.

mod common;

use common::{d, example, snapshot, snapshot_with_power, LPF};
use vires_procure::assess::{assess_json, what_if_power, AuthorityChange, PowerChange};
use vires_procure::{assess, Contract, ProcureError};

fn contract(name: &str) -> Contract {
    Contract::from_json(&example(name)).unwrap()
}

#[test]
fn seed2_mandate_rests_on_no_power_and_is_reported() {
    let snap = snapshot();
    let a = assess(&contract("bi_in_house_without_evidence.json"), &snap).unwrap();
    assert_eq!(a.regime.id, "pcr-2015");
    let m = a
        .findings
        .requirements
        .iter()
        .find(|m| m.mandate == "lpf-support-services")
        .expect("the LPF mandate applies to 02Q's BI");
    assert!(!m.rests_on_power, "{m:?}");
    assert!(!m.binding);
    assert!(m.authority.contains("V006"), "{}", m.authority);
    // Not binding: it cannot refuse the in-house option, but the answer still lists what
    // evidence the mandate would want.
    assert!(a.permitted_ids().contains(&"in-house"));
    assert_eq!(a.findings.in_house.len(), 1);
    assert_eq!(a.findings.in_house[0].missing.len(), 5);
    assert!(!a.findings.in_house[0].binding);
    assert!(a
        .notes
        .iter()
        .any(|n| n.contains("lpf-support-services") && n.contains("not applied")));
}

#[test]
fn seed2_in_house_without_evidence_is_refused_listing_what_is_missing() {
    let snap = snapshot_with_power();
    let a = assess(&contract("bi_in_house_without_evidence.json"), &snap).unwrap();
    let m = a
        .findings
        .requirements
        .iter()
        .find(|m| m.mandate == "lpf-support-services")
        .unwrap();
    assert!(m.rests_on_power && m.binding, "{m:?}");
    assert_eq!(
        m.power.as_ref().unwrap().id,
        "hypothetical-support-services-direction"
    );
    assert!(a.refused_ids().contains(&"in-house"));
    let ih = &a.findings.in_house[0];
    assert!(!ih.compliant);
    assert_eq!(
        ih.missing,
        vec![
            "resilience comparable to lead provider framework providers",
            "capacity comparable to lead provider framework providers",
            "capability comparable to lead provider framework providers",
            "value for money",
            "information governance standards",
        ]
    );
    let refusal = a
        .routes
        .refused
        .iter()
        .find(|p| p.id == "in-house")
        .unwrap();
    assert!(refusal.reason.contains("missing"), "{}", refusal.reason);
    // Buying from the framework stays open; a competition outside it does not.
    assert_eq!(a.permitted_ids(), vec!["framework-call-off"]);
    assert!(a.refused_ids().contains(&"competitive-procedure"));
}

#[test]
fn seed2_in_house_with_evidence_is_compliant() {
    let snap = snapshot_with_power();
    let a = assess(&contract("bi_in_house_with_evidence.json"), &snap).unwrap();
    let ih = &a.findings.in_house[0];
    assert!(ih.compliant, "{ih:?}");
    assert!(ih.missing.is_empty());
    assert_eq!(ih.recorded.len(), 5);
    let mut permitted = a.permitted_ids();
    permitted.sort();
    assert_eq!(permitted, vec!["framework-call-off", "in-house"]);
    // Partial evidence: drop one item and exactly that one is missing.
    let mut c = contract("bi_in_house_with_evidence.json");
    c.in_house_evidence.retain(|e| e.item != "value for money");
    let a = assess(&c, &snap).unwrap();
    assert_eq!(a.findings.in_house[0].missing, vec!["value for money"]);
    assert!(a.refused_ids().contains(&"in-house"));
}

#[test]
fn what_if_adds_and_removes_the_mandates_power() {
    let c = contract("bi_in_house_without_evidence.json");
    let w = what_if_power(
        &c,
        &common::register(),
        PowerChange::Add {
            power: common::hypothetical_power(),
        },
    )
    .unwrap();
    assert!(w
        .authority_changes
        .iter()
        .any(|x| x.mandate == "lpf-support-services" && !x.before && x.after));
    assert!(
        w.newly_refused.contains(&"in-house".to_string()),
        "{:?}",
        w.newly_refused
    );
    // And back: removing it restores the first answer.
    let mut with = common::register();
    with.add_power(common::hypothetical_power());
    let back = what_if_power(
        &c,
        &with,
        PowerChange::Remove {
            id: "hypothetical-support-services-direction".into(),
        },
    )
    .unwrap();
    assert!(back.newly_permitted.contains(&"in-house".to_string()));
    assert_eq!(back.after, w.before);
    let bad = what_if_power(
        &c,
        &with,
        PowerChange::Remove {
            id: "no-such-power".into(),
        },
    );
    assert!(matches!(bad, Err(ProcureError::Invalid { .. })));
}

#[test]
fn health_care_service_before_and_after_the_provider_selection_regime() {
    let snap = snapshot();
    let before = assess(&contract("community_services_2023-11-30.json"), &snap).unwrap();
    assert_eq!(before.regime.id, "nhs-procurement-2013");
    assert_eq!(before.also_in_force[0].id, "pcr-2015-light-touch");
    let t = before.routes.threshold.as_ref().unwrap();
    assert_eq!(t.amount_pounds, 663540.0);
    assert!(t.above && t.includes_vat);
    assert!(before.permitted_ids().contains(&"competitive-tender"));
    assert!(before.refused_ids().contains(&"single-provider-award"));
    let dac = before
        .routes
        .refused
        .iter()
        .find(|p| p.id == "direct-award-c")
        .unwrap();
    assert!(
        dac.reason.contains("in force from 2024-01-01"),
        "{}",
        dac.reason
    );
    assert!(before.routes.key_criteria.is_empty());

    let after = assess(&contract("community_services_2024-01-02.json"), &snap).unwrap();
    assert_eq!(after.regime.id, "psr-2023");
    assert!(after.also_in_force.is_empty());
    let mut p = after.permitted_ids();
    p.sort();
    assert_eq!(
        p,
        vec![
            "competitive-process",
            "direct-award-c",
            "most-suitable-provider"
        ]
    );
    for id in [
        "direct-award-a",
        "direct-award-b",
        "competitive-tender",
        "single-provider-award",
    ] {
        assert!(after.refused_ids().contains(&id), "{id} should be refused");
    }
    let old = after
        .routes
        .refused
        .iter()
        .find(|p| p.id == "competitive-tender")
        .unwrap();
    assert!(
        old.reason.contains("ceased to have effect on 2024-01-01"),
        "{}",
        old.reason
    );
    assert_eq!(after.routes.key_criteria.len(), 5);
    assert!(after.routes.threshold.is_none());
    assert!(after.findings.participants.iter().all(|p| p.holds));
}

#[test]
fn psr_direct_award_c_to_the_incumbent_with_standstill() {
    let snap = snapshot();
    let a = assess(&contract("psr_direct_award_c_incumbent.json"), &snap).unwrap();
    assert_eq!(a.regime.id, "psr-2023");
    assert!(a.permitted_ids().contains(&"direct-award-c"));
    let cc = a.routes.considerable_change.as_ref().unwrap();
    assert_eq!(cc.by_value, Some(false));
    assert!(!cc.considerable);
    let s = &a.routes.standstill[0];
    assert_eq!(s.days, 8);
    // Notice Thu 2024-03-14: the period begins Fri 15 and ends at the end of the 8th
    // working day after it (18-22, 25, 26, 27): Wed 27 March.
    assert_eq!(s.last_day, Some(d("2024-03-27")));
    assert_eq!(s.earliest_contract_date, Some(d("2024-03-28")));
    assert_eq!(s.fits_before_start, Some(true));
    // Counting back from Easter Monday 1 April over Good Friday (29 March): a notice on
    // Sun 17 March would end the standstill on Thu 28 March and one on Mon 18 would run to
    // 2 April; notices go out on working days, so the latest is Fri 15 March.
    assert_eq!(s.latest_notice_for_start, Some(d("2024-03-15")));
    let wd: Vec<(&str, &str)> = s
        .weekdays
        .iter()
        .map(|w| (w.what.as_str(), w.weekday.as_str()))
        .collect();
    assert_eq!(
        wd,
        vec![
            ("notice_date", "Thu"),
            ("last_day", "Wed"),
            ("earliest_contract_date", "Thu"),
            ("latest_notice_for_start", "Fri")
        ]
    );
    assert!(a
        .routes
        .steps
        .iter()
        .any(|st| st.citation == "SI 2023/1348 reg 12"));
    assert!(a
        .routes
        .steps
        .iter()
        .any(|st| st.citation == "SI 2023/1348 reg 24"));

    // A rise of at least £500,000 and 25% makes the change considerable: C is refused.
    let mut c = contract("psr_direct_award_c_incumbent.json");
    c.estimated_value = 6_000_000.0;
    let a = assess(&c, &snap).unwrap();
    assert_eq!(
        a.routes.considerable_change.as_ref().unwrap().by_value,
        Some(true)
    );
    let r = a
        .routes
        .refused
        .iter()
        .find(|p| p.id == "direct-award-c")
        .unwrap();
    assert!(r.reason.contains("considerable"), "{}", r.reason);
    // £1.2m more but only 25% short: 4.8m -> 5.9m is 22.9%, not considerable.
    c.estimated_value = 5_900_000.0;
    let a = assess(&c, &snap).unwrap();
    assert!(a.permitted_ids().contains(&"direct-award-c"));

    // Only the incumbent can provide it: direct award A is required and every other
    // process is refused.
    let mut c = contract("psr_direct_award_c_incumbent.json");
    c.only_provider_capable = true;
    let a = assess(&c, &snap).unwrap();
    let req: Vec<_> = a
        .routes
        .permitted
        .iter()
        .filter(|p| p.required)
        .map(|p| p.id.as_str())
        .collect();
    assert_eq!(req, vec!["direct-award-a"]);
    for id in [
        "direct-award-b",
        "direct-award-c",
        "most-suitable-provider",
        "competitive-process",
    ] {
        assert!(a.refused_ids().contains(&id), "{id}");
    }
    assert!(
        a.routes.standstill.is_empty(),
        "direct award A has no standstill"
    );

    // Patient choice: direct award B is required.
    let mut c = contract("community_services_2024-01-02.json");
    c.patient_choice = true;
    c.current_provider = None;
    let a = assess(&c, &snap).unwrap();
    assert!(a
        .routes
        .permitted
        .iter()
        .any(|p| p.id == "direct-award-b" && p.required));
}

#[test]
fn collective_procurement_reports_the_member_without_the_function() {
    let snap = snapshot();
    let a = assess(&contract("collective_bi_2022.json"), &snap).unwrap();
    let col = a.findings.collective.as_ref().unwrap();
    assert_eq!(col.function, "support.business-intelligence");
    assert_eq!(col.lacking, vec!["02Q"]);
    assert!(!col.valid);
    assert!(
        a.notes.iter().any(|n| n.starts_with("02Q does not hold")),
        "{:?}",
        a.notes
    );
    let holds: Vec<_> = a
        .findings
        .participants
        .iter()
        .filter(|p| p.holds)
        .map(|p| p.body.as_str())
        .collect();
    assert_eq!(holds, vec!["QF7", "QT1"]);
    // The same purchase by the two ICBs alone is valid.
    let mut c = contract("collective_bi_2022.json");
    c.commissioners.retain(|x| x != "02Q");
    let a = assess(&c, &snap).unwrap();
    assert!(a.findings.collective.unwrap().valid);
}

#[test]
fn lead_commissioner_and_stranded_costs() {
    let snap = snapshot();
    let a = assess(&contract("collective_yh_2015.json"), &snap).unwrap();
    let col = a.findings.collective.as_ref().unwrap();
    assert!(col.lacking.is_empty());
    // No instrument lets Doncaster act for the others.
    assert_eq!(col.lead_cannot_act_for, vec!["02P", "03L", "03N"]);
    let l = &a.findings.liabilities[0];
    assert_eq!(l.commissioner.as_deref(), Some("03N"));
    assert_eq!(l.stranded_costs, Some(120000.0));
    assert!(l.borne_by.contains("leaves pays"), "{}", l.borne_by);
    assert_eq!(l.basis, "mandate `lpf-collective-yh-nw`");
    assert!(l.warning.as_deref().unwrap().contains("no power"));
    let yh = a
        .findings
        .requirements
        .iter()
        .find(|m| m.mandate == "lpf-collective-yh-nw")
        .unwrap();
    assert_eq!(yh.addressed_to, vec!["02X", "02P", "03L", "03N"]);
}

#[test]
fn a_lead_commissioner_with_delegations_from_each_participant() {
    let snap = vires_core::Snapshot::compile(common::register_with(&[
        "what-if/lead-commissioner-delegations.vires",
    ]));
    let a = assess(&contract("collective_yh_2015.json"), &snap).unwrap();
    let col = a.findings.collective.as_ref().unwrap();
    assert!(col.lacking.is_empty(), "{col:?}");
    assert!(col.lead_cannot_act_for.is_empty(), "{col:?}");
    assert!(col.valid, "{col:?}");
    // Concurrent: each CCG still holds the function for its own area.
    assert!(
        a.findings.participants.iter().all(|p| p.holds),
        "{:?}",
        a.findings.participants
    );
}

#[test]
fn bad_input_names_the_field() {
    let snap = snapshot();
    let text = example("community_services_2024-01-02.json");
    let e = assess_json(&text.replace("\"QF7\"", "\"ZZZ\""), &snap).unwrap_err();
    assert!(
        matches!(&e, ProcureError::UnknownBody { field, code, .. } if field == "commissioners[0]" && code == "ZZZ"),
        "{e}"
    );
    let e = assess_json(&text.replace("2400000", "-1"), &snap).unwrap_err();
    assert!(e.to_string().contains("estimated_value"), "{e}");
    let e = assess_json(&text.replace("\"term_months\": 36,", ""), &snap).unwrap_err();
    assert!(e.to_string().contains("term_months"), "{e}");
    let e = assess_json(
        &text.replace("commissioning.secondary-care", "commissioning.nonsense"),
        &snap,
    )
    .unwrap_err();
    assert!(
        matches!(&e, ProcureError::UnknownFunction { field, .. } if field == "function"),
        "{e}"
    );
    // 02Q as a CCG ended on 2022-06-30; on 2012 nothing had the code.
    let e = assess_json(&text.replace("2024-01-02", "2012-06-01"), &snap).unwrap_err();
    assert!(
        matches!(
            e,
            ProcureError::NoRegime { .. } | ProcureError::UnknownBody { .. }
        ),
        "{e}"
    );
}

#[test]
fn json_carries_the_answer() {
    let snap = snapshot_with_power();
    let a = assess(&contract("bi_in_house_without_evidence.json"), &snap).unwrap();
    let v: serde_json::Value = serde_json::from_str(&a.to_json()).unwrap();
    assert_eq!(v["regime"]["id"], "pcr-2015");
    assert!(v["refused"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["id"] == "in-house"));
    assert_eq!(v["requirements"][0]["framework"], LPF);
    // The text rendering is the CLI's (crates/cli/src/commands/procurement_text.rs).
    assert!(a.regime.title.contains("Public Contracts Regulations 2015"));
    assert!(
        a.findings.in_house[0]
            .missing
            .iter()
            .any(|m| m.contains("value for money")),
        "{:?}",
        a.findings.in_house
    );
}

#[test]
fn support_services_under_the_procurement_act_from_2025_02_24() {
    let snap = snapshot();
    let mut c = contract("collective_bi_2022.json");
    c.commissioners = vec!["QF7".into()];
    c.collective = None;
    c.start = d("2025-02-24");
    c.procurement_began = Some(d("2025-02-24"));
    c.notice_date = Some(d("2025-03-03"));
    c.start = d("2025-03-20");
    c.procurement_began = Some(d("2025-02-24"));
    let a = assess(&c, &snap).unwrap();
    assert_eq!(a.regime.id, "procurement-act-2023");
    assert_eq!(a.routes.threshold.as_ref().unwrap().amount_pounds, 214904.0);
    let mut p = a.permitted_ids();
    p.sort();
    assert_eq!(p, vec!["competitive-tendering", "framework-call-off"]);
    let s = &a.routes.standstill[0];
    // s.51: 8 working days beginning with the day of the notice (Mon 3 March to Wed 12 March).
    assert_eq!(s.last_day, Some(d("2025-03-12")));
    assert!(a
        .routes
        .steps
        .iter()
        .any(|st| st.citation == "Procurement Act 2023 s.44"));
    // The day before, the Public Contracts Regulations 2015 still applied.
    c.start = d("2025-02-23");
    c.procurement_began = Some(d("2025-02-23"));
    c.notice_date = None;
    let a = assess(&c, &snap).unwrap();
    assert_eq!(a.regime.id, "pcr-2015");
    assert!(a
        .routes
        .refused
        .iter()
        .any(|p| p.id == "competitive-tendering" && p.reason.contains("in force from 2025-02-24")));
    // Below the threshold: the below-threshold route, no standstill.
    c.estimated_value = 100_000.0;
    let a = assess(&c, &snap).unwrap();
    assert!(a.permitted_ids().contains(&"below-threshold-award"));
    assert!(a.routes.standstill.is_empty());
}

#[test]
fn beyond_the_bank_holiday_data_the_answer_still_stands() {
    let snap = snapshot();
    let mut c = contract("community_services_2024-01-02.json");
    c.start = d("2028-06-01");
    c.procurement_began = Some(d("2028-06-01"));
    let a = assess(&c, &snap).unwrap();
    assert_eq!(a.regime.id, "psr-2023");
    assert!(a.routes.standstill.is_empty());
    assert!(
        a.notes.iter().any(|n| n.contains("cannot be worked out")),
        "{:?}",
        a.notes
    );
}

#[test]
fn health_services_before_the_light_touch_regime_were_part_b_services() {
    let snap = snapshot();
    let mut c = contract("community_services_2023-11-30.json");
    c.commissioners = vec!["02X".into()];
    c.start = d("2015-06-01");
    c.procurement_began = Some(d("2015-06-01"));
    let a = assess(&c, &snap).unwrap();
    assert_eq!(a.regime.id, "nhs-procurement-2013");
    assert_eq!(a.also_in_force[0].id, "pcr-2006-part-b");
    assert!(a.routes.threshold.is_none());
    assert!(a
        .routes
        .steps
        .iter()
        .any(|s| s.citation.starts_with("SI 2006/5")));
    // Below the light touch threshold in 2017 the 2015 Regulations' notices do not apply.
    c.start = d("2017-06-01");
    c.procurement_began = Some(d("2017-06-01"));
    c.estimated_value = 500_000.0;
    let a = assess(&c, &snap).unwrap();
    let t = a.routes.threshold.as_ref().unwrap();
    assert_eq!(t.amount_pounds, 589148.0);
    assert!(!t.above);
    assert!(a.routes.standstill.is_empty());
    assert!(a
        .notes
        .iter()
        .any(|n| n.contains("below the light touch threshold")));
}

#[test]
fn a_revoked_mandate_no_longer_applies() {
    use vires_core::{Instrument, InstrumentKind, Snapshot};
    let mut r = common::register();
    r.add_power(common::hypothetical_power());
    let mut rv = Instrument::new("revoke-lpf", InstrumentKind::Revoke, d("2015-01-01"));
    rv.maker = Some("X24".into());
    rv.particulars_mut().target = Some("lpf-support-services".into());
    r.add_instrument(rv);
    let snap = Snapshot::compile(r);
    let a = assess(&contract("bi_in_house_without_evidence.json"), &snap).unwrap();
    assert!(
        a.findings
            .requirements
            .iter()
            .all(|m| m.mandate != "lpf-support-services"),
        "{:?}",
        a.findings.requirements
    );
    assert!(a.permitted_ids().contains(&"in-house"));
}

#[test]
fn a_collective_instrument_that_is_not_in_the_register_is_reported() {
    let snap = snapshot();
    let mut c = contract("collective_bi_2022.json");
    c.commissioners.retain(|x| x != "02Q");
    if let Some(col) = c.collective.as_mut() {
        col.instrument = Some("no-such-joint-committee".into());
    }
    let a = assess(&c, &snap).unwrap();
    let col = a.findings.collective.unwrap();
    assert!(!col.valid);
    assert!(col.notes.iter().any(|n| n.contains("not in the register")));
}

#[test]
fn stranded_costs_when_the_arrangement_ends() {
    use vires_procure::contract::LiabilityEvent;
    let snap = snapshot();
    let a = assess(&contract("collective_yh_2015_ends.json"), &snap).unwrap();
    assert_eq!(a.findings.liabilities.len(), 1);
    let l = &a.findings.liabilities[0];
    assert_eq!(l.event, LiabilityEvent::Ends);
    assert_eq!(l.on, d("2018-04-01"));
    assert_eq!(l.commissioner, None);
    assert_eq!(l.stranded_costs, Some(85000.0));
    // The collective mandate places stranded costs on a CCG that leaves or goes in house; it
    // says nothing about the arrangement ending, so nobody is assigned them.
    assert!(l.borne_by.starts_with("not agreed"), "{}", l.borne_by);
    assert!(
        l.basis.contains("lpf-collective-yh-nw") && l.basis.contains("departs"),
        "{}",
        l.basis
    );
    assert!(l.warning.as_deref().unwrap().contains("borne_by"));

    // Recorded in the collective agreement: that decides, with no warning.
    let text = example("collective_yh_2015_ends.json").replace(
        "\"stranded_costs\": 85000",
        "\"stranded_costs\": 85000, \"borne_by\": \"the four CCGs in shares of their 2017/18 allocations\"",
    );
    let a = assess_json(&text, &snap).unwrap();
    let l = &a.findings.liabilities[0];
    assert_eq!(
        l.borne_by,
        "the four CCGs in shares of their 2017/18 allocations"
    );
    assert_eq!(l.basis, "recorded in the contract");
    assert!(l.warning.is_none());

    // A leaving CCG is still charged under the mandate, in the same contract.
    let text = example("collective_yh_2015_ends.json").replace(
        "\"liabilities\": [",
        "\"liabilities\": [{\"event\": \"leaves\", \"commissioner\": \"03N\", \"on\": \"2016-04-01\", \"stranded_costs\": 120000},",
    );
    let a = assess_json(&text, &snap).unwrap();
    assert_eq!(a.findings.liabilities.len(), 2);
    assert_eq!(
        a.findings.liabilities[0].basis,
        "mandate `lpf-collective-yh-nw`"
    );
    assert!(a.findings.liabilities[1].borne_by.starts_with("not agreed"));

    // A liability before the contract starts is bad input, named by field.
    let text = example("collective_yh_2015_ends.json").replace("2018-04-01", "2015-03-01");
    let e = assess_json(&text, &snap).unwrap_err();
    assert_eq!(e.field(), Some("liabilities[0].on"), "{e}");
}

#[test]
fn what_if_gives_the_authority_before_and_after() {
    let c = contract("bi_in_house_without_evidence.json");
    let w = what_if_power(
        &c,
        &common::register(),
        PowerChange::Add {
            power: common::hypothetical_power(),
        },
    )
    .unwrap();
    assert_eq!(
        w.authority_changes,
        vec![AuthorityChange {
            mandate: "lpf-support-services".into(),
            before: false,
            after: true
        }]
    );
    assert_eq!(w.newly_refused, vec!["competitive-procedure", "in-house"]);
    assert_eq!(w.newly_permitted, vec!["framework-call-off"]);
    let v: serde_json::Value = serde_json::from_str(&w.to_json()).unwrap();
    assert_eq!(v["change"]["op"], "add");
    assert_eq!(
        v["change"]["power"]["id"],
        "hypothetical-support-services-direction"
    );
    assert_eq!(
        v["after"]["in_house"][0]["missing"]
            .as_array()
            .unwrap()
            .len(),
        5
    );
}

/// A contract that names no function (nor a category that names one) is checked against
/// secondary care commissioning, the default, and the answer says so: in `contract` and in a
/// note. For other services the note says the default may be the wrong function; a contract
/// that names its function, or a category that names one, gets neither.
#[test]
fn an_assumed_function_is_said_in_the_answer() {
    let snap = snapshot();
    let mut c = contract("community_services_2024-01-02.json");
    assert!(c.function.is_some());
    let a = assess(&c, &snap).unwrap();
    assert!(!a.contract.function_assumed);
    assert!(!a.notes.iter().any(|n| n.contains("no function was given")));
    c.function = None;
    let a = assess(&c, &snap).unwrap();
    assert!(a.contract.function_assumed);
    assert_eq!(a.contract.function, "commissioning.secondary-care");
    let note = a
        .notes
        .iter()
        .find(|n| n.contains("no function was given"))
        .expect("a note on the assumed function");
    assert!(
        note.contains("health care contract usually serves"),
        "{note}"
    );
    c.buying = vires_procure::contract::Buying::OtherServices;
    let a = assess(&c, &snap).unwrap();
    assert!(a
        .notes
        .iter()
        .any(|n| n.contains("may not be the function these services or goods serve")));
    let bi = assess(&contract("bi_in_house_with_evidence.json"), &snap).unwrap();
    assert!(!bi.contract.function_assumed, "{:?}", bi.contract);
}
