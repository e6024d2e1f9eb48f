//! Conflicts-of-interest rules by the decision's date and the deciding body's kind, and
//! parties matched as organisations. Expected limits come from NHS England's guidance as
//! published: the 2017 revision (16 June 2017) allowed supplier gifts up to £6 and
//! hospitality to £75 with declaration from £25; the June 2016 guidance declined supplier
//! gifts whatever their value and presumed hospitality above £25 refused.

mod common;

use common::{d, example, snapshot};
use vires_procure::conflicts::{finding, policy_for, Decision, InterestRegister};
use vires_procure::{check, Finding};

fn gifts_register() -> InterestRegister {
    InterestRegister::from_json(&example("register_of_interests_02X_2016-2018.json")).unwrap()
}

fn register_findings() -> Vec<Finding> {
    check(&snapshot(), None, &[gifts_register()])
        .unwrap()
        .register_findings
}

fn on(f: &[Finding], code: &str, date: &str) -> bool {
    f.iter().any(|x| x.code == code && x.message.contains(date))
}

#[test]
fn a_2016_gift_and_a_2017_gift() {
    let f = register_findings();
    // The same £5 branded pen from a supplier: outside the 2016 guidance, within the 2017.
    assert!(on(&f, finding::GIFT_OUTSIDE_POLICY, "2016-11-10"), "{f:#?}");
    assert!(
        !on(&f, finding::GIFT_OUTSIDE_POLICY, "2017-11-10"),
        "{f:#?}"
    );
    let g2016 = f
        .iter()
        .find(|x| x.code == finding::GIFT_OUTSIDE_POLICY && x.message.contains("2016-11-10"))
        .unwrap();
    assert!(
        g2016.citation.contains("28 June 2016"),
        "{}",
        g2016.citation
    );
    assert!(g2016.citation.contains("(to confirm)"));
    // The same £60 dinner: above the 2016 presumption of £25, within the 2017 £75.
    assert!(on(&f, finding::GIFT_OUTSIDE_POLICY, "2016-12-01"), "{f:#?}");
    assert!(
        !on(&f, finding::GIFT_OUTSIDE_POLICY, "2017-12-01"),
        "{f:#?}"
    );
}

#[test]
fn cash_cumulative_gifts_and_late_declarations() {
    let f = register_findings();
    assert!(on(&f, finding::CASH_OR_VOUCHER, "2018-01-15"), "{f:#?}");
    // Three £20 gifts from one source within 12 months: the third takes the total to £60,
    // over £50 (the giver written in another case is the same source).
    let c: Vec<&Finding> = f
        .iter()
        .filter(|x| x.code == finding::CUMULATIVE_GIFTS)
        .collect();
    assert_eq!(c.len(), 1, "{f:#?}");
    assert!(c[0].message.contains("3 gifts") && c[0].message.contains("£60.00"));
    // Arose 2018-01-01, declared 2018-03-01: more than 28 days later.
    assert!(on(&f, finding::DECLARED_LATE, "2018-03-01"), "{f:#?}");
}

#[test]
fn an_interest_declared_by_name_is_found_when_the_decision_names_the_code() {
    let dec = Decision::from_json(&example("decision_provider_by_code_2018.json")).unwrap();
    let r = check(&snapshot(), Some(dec.clone()), &[gifts_register()])
        .unwrap()
        .decision
        .unwrap();
    let undeclared: Vec<&Finding> = r
        .findings
        .iter()
        .filter(|x| x.code == finding::UNDECLARED_INTEREST)
        .collect();
    assert_eq!(undeclared.len(), 1, "{:#?}", r.findings);
    assert_eq!(undeclared[0].person.as_deref(), Some("Dr C. Lee"));
    // A 2018 CCG decision: the 2017 CCG guidance and s.14O, and the 2013 Regulations.
    let p = r.policy.policy.as_ref().unwrap();
    assert_eq!(p.id, "ccg-coi-2017");
    assert!(undeclared[0].citation.contains("NHS Act 2006 s.14O"));
    assert!(undeclared[0].citation.contains("SI 2013/500 reg 6"));
    // The register was last reviewed on 2017-04-01, more than 12 months before.
    assert!(r
        .findings
        .iter()
        .any(|x| x.code == finding::REGISTER_NOT_REVIEWED));
    // The other way round: the decision names the provider, the register its code.
    let mut by_name = dec.clone();
    by_name.counterparties =
        vec!["Doncaster and Bassetlaw Teaching Hospitals NHS Foundation Trust".into()];
    let mut reg = gifts_register();
    reg.interests[0].counterparty = "RP5".into();
    let r = check(&snapshot(), Some(by_name), &[reg])
        .unwrap()
        .decision
        .unwrap();
    assert!(r
        .findings
        .iter()
        .any(|x| x.code == finding::UNDECLARED_INTEREST));
}

#[test]
fn policies_follow_the_date_and_the_kind_of_body() {
    let id = |kind: &str, date: &str| policy_for(kind, d(date)).unwrap().map(|p| p.id.clone());
    assert_eq!(id("ccg", "2016-06-27").as_deref(), Some("ccg-coi-2013"));
    assert_eq!(id("ccg", "2016-06-28").as_deref(), Some("ccg-coi-2016"));
    assert_eq!(id("ccg", "2017-06-15").as_deref(), Some("ccg-coi-2016"));
    assert_eq!(id("ccg", "2017-06-16").as_deref(), Some("ccg-coi-2017"));
    assert_eq!(id("icb", "2022-06-30"), None);
    assert_eq!(id("icb", "2022-07-01").as_deref(), Some("icb-coi-2022"));
    assert_eq!(id("ccg", "2022-06-30").as_deref(), Some("ccg-coi-2017"));
    assert_eq!(id("ccg", "2022-07-01"), None);
    assert_eq!(id("nhs-england", "2017-05-31"), None);
    assert_eq!(
        id("nhs-england", "2017-06-01").as_deref(),
        Some("nhs-coi-2017-nhs-england")
    );
    let icb = policy_for("icb", d("2023-06-01")).unwrap().unwrap();
    assert!(icb.statute.contains("s.14Z30"));
    assert_eq!(icb.declare_within_days, Some(28));
}

#[test]
fn an_icb_decision_cites_s14z30_and_the_procurement_rules_of_its_date() {
    let mut dec = Decision::from_json(&example("decision_provider_by_code_2018.json")).unwrap();
    dec.body = "QF7".into();
    let mut reg = gifts_register();
    reg.body = "QF7".into();
    reg.gifts.clear();
    for (date, regs) in [
        ("2023-06-01", "SI 2013/500 reg 6"),
        ("2024-06-03", "SI 2023/1348 reg 21"),
    ] {
        dec.date = d(date);
        let r = check(&snapshot(), Some(dec.clone()), &[reg.clone()])
            .unwrap()
            .decision
            .unwrap();
        assert_eq!(r.policy.kind.as_deref(), Some("icb"));
        let c = r
            .findings
            .iter()
            .find(|x| x.code == finding::UNDECLARED_INTEREST)
            .unwrap();
        assert!(
            c.citation.contains("s.14Z30") && c.citation.contains(regs),
            "{}",
            c.citation
        );
    }
}

#[test]
fn unknown_bodies_are_errors_naming_the_field() {
    let mut dec = Decision::from_json(&example("decision_provider_by_code_2018.json")).unwrap();
    dec.body = "99Z".into();
    let e = check(&snapshot(), Some(dec), &[gifts_register()]).unwrap_err();
    assert_eq!(e.field(), Some("decision.body"), "{e}");
    let mut reg = gifts_register();
    reg.body = "ZZZ".into();
    let e = check(&snapshot(), None, &[reg]).unwrap_err();
    assert_eq!(e.field(), Some("interests[0].body"), "{e}");
}
