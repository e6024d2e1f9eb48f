//! The 2019 legislative proposals (seed situation 3) as a what-if proposal dated
//! 2022-04-01, compared with an alternative, then published and withdrawn.

mod common;
use common::*;
use vires_core::{CoverageProblem, Place, Register, Role, Snapshot};
use vires_workflow::proposal::{
    self, AssessOptions, Change, InterestRegister, Proposal, ProposalError, ProposalState,
};

const SC: &str = "commissioning.secondary-care";
const BASE: &str = "examples/seed-3-legislative-proposals/base.vires";
const PROP: &str = "examples/seed-3-legislative-proposals/proposal.vires";
const ALT: &str = "examples/workflows/legislative-2019/integrated-care-trust.vires";
const INTERESTS: &str = "examples/workflows/legislative-2019/interests.json";

fn base() -> Register {
    register(&[BASE])
}

fn proposal_2019() -> Proposal {
    Proposal::from_vires(
        "lp-2019",
        "NHS legislative proposals 2019",
        PROP,
        &read(PROP),
    )
    .unwrap()
}

fn alternative() -> Proposal {
    Proposal::from_vires(
        "lp-2019-ict",
        "Integrated care trusts beside CCGs",
        ALT,
        &read(ALT),
    )
    .unwrap()
}

fn interests() -> Vec<InterestRegister> {
    proposal::interests_from_json(&read(INTERESTS)).unwrap()
}

type Row = (String, String, String);

fn rows(r: &proposal::ProposalReport, change: Change) -> Vec<Row> {
    let mut v: Vec<Row> = r
        .holders
        .iter()
        .filter(|h| h.change == change && h.on == d("2022-04-01"))
        .map(|h| (h.body.clone(), h.role.to_string(), h.function.clone()))
        .collect();
    v.sort();
    v
}

fn t(a: &str, b: &str, c: &str) -> Row {
    (a.into(), b.into(), c.into())
}

#[test]
fn the_2019_proposals_diff_and_conflicts() {
    let base = base();
    let p = proposal_2019();
    assert_eq!(p.state, ProposalState::Draft);
    assert_eq!(p.instruments.len(), 5);
    assert_eq!(p.powers.len(), 1, "the proposal brings its own power");
    assert_eq!(p.effective_dates(), vec![d("2022-04-01")]);
    let regs = interests();
    let r = proposal::assess_with(
        &base,
        &p,
        &AssessOptions {
            interests: &regs,
            horizon_days: None,
        },
    );
    assert!(r.valid, "{:#?} {:?}", r.diagnostics, r.problems);
    assert_eq!(
        rows(&r, Change::Added),
        vec![
            t("02P", "delegate", "commissioning.specialised"),
            t("02P", "joint-member", SC),
            t("02P", "statutory", "duty.triple-aim"),
            t("RFF", "joint-member", SC),
            t("RFF", "statutory", "duty.triple-aim"),
            t("X24", "statutory", "oversight.foundation-trusts"),
            t("X24", "statutory", "oversight.nhs-trusts"),
        ]
    );
    assert_eq!(
        rows(&r, Change::Removed),
        vec![
            t("02P", "statutory", SC),
            t("MONITOR", "statutory", "oversight.foundation-trusts"),
            t("NHSTDA", "statutory", "oversight.nhs-trusts"),
        ]
    );
    let bodies: Vec<&str> = r.affected_bodies.iter().map(|b| b.code.as_str()).collect();
    assert_eq!(bodies, vec!["02P", "MONITOR", "NHSTDA", "RFF", "X24"]);
    // The joint committee puts a joint appointee on both sides.
    assert_eq!(r.conflicts.len(), 1, "{:#?}", r.conflicts);
    let c = &r.conflicts[0];
    assert_eq!(
        (
            c.person.as_str(),
            c.commissioner.as_str(),
            c.provider.as_str(),
            c.instrument.as_str()
        ),
        (
            "Ms J. Hartley",
            "02P",
            "RFF",
            "proposal-barnsley-joint-committee"
        )
    );
    // Nothing about the proposal leaves a place without a holder or with two.
    assert!(r.coverage_created.is_empty(), "{:#?}", r.coverage_created);
    // Without registers of interests there is nothing to find.
    assert!(proposal::assess(&base, &p).conflicts.is_empty());
}

#[test]
fn two_proposals_side_by_side() {
    let base = base();
    let regs = interests();
    let opts = AssessOptions {
        interests: &regs,
        horizon_days: None,
    };
    let a = proposal::assess_with(&base, &proposal_2019(), &opts);
    let b = proposal::assess_with(&base, &alternative(), &opts);
    assert!(b.valid, "{:#?}", b.diagnostics);
    // The alternative leaves the CCG holding and gives the trust the same function: an overlap.
    assert_eq!(b.coverage_created.len(), 1, "{:#?}", b.coverage_created);
    let o = &b.coverage_created[0];
    assert_eq!(o.problem, CoverageProblem::Overlap);
    assert_eq!(o.function, SC);
    assert_eq!(o.place, Place::Body("02P".into()));
    assert_eq!(o.from, d("2022-04-01"));
    assert_eq!(o.holders, vec!["02P".to_string(), "RFF".to_string()]);
    assert!(
        b.conflicts.is_empty(),
        "no joint committee, so no joint-appointment conflict"
    );

    let cmp = proposal::compare(&a, &b);
    assert_eq!(cmp.valid, (true, true));
    assert_eq!(cmp.conflicts, (1, 0));
    assert_eq!(cmp.coverage_created, (0, 1));
    let find = |body: &str, role: Role, f: &str| {
        cmp.rows
            .iter()
            .find(|r| r.body == body && r.role == role && r.function == f)
            .map(|r| (r.in_a, r.in_b))
    };
    assert_eq!(
        find("X24", Role::Statutory, "oversight.foundation-trusts"),
        Some((true, true))
    );
    assert_eq!(
        find("X24", Role::Statutory, "oversight.nhs-trusts"),
        Some((true, false))
    );
    assert_eq!(find("RFF", Role::Statutory, SC), Some((false, true)));
    assert_eq!(find("02P", Role::JointMember, SC), Some((true, false)));
}

#[test]
fn publishing_applies_the_proposal_with_its_dates() {
    let base = base();
    let mut p = proposal_2019();
    let publication = proposal::publish(&base, &mut p, d("2021-01-15"), "board").unwrap();
    assert_eq!(p.state, ProposalState::Published);
    assert_eq!(publication.event.action, "publish");
    assert_eq!(publication.instruments.len(), 5);
    assert_eq!(p.history, vec![publication.event.clone()]);

    // Applying the publication as the store would: the answers change on 2022-04-01 only.
    let mut reg = base.clone();
    for f in &publication.functions {
        reg.taxonomy.declare(f.clone());
    }
    for pw in &publication.powers {
        reg.add_power(pw.clone());
    }
    for b in &publication.bodies {
        reg.add_body(b.clone()).unwrap();
    }
    let reg = with(&reg, &publication.instruments);
    let place = Place::Body("02P".into());
    assert_eq!(
        who(&reg, SC, place.clone(), "2022-03-31"),
        hs(&[("02P", "statutory", "02P")])
    );
    assert_eq!(
        who(&reg, SC, place, "2022-04-01"),
        hs(&[
            ("02P", "joint-member", "02P"),
            ("RFF", "joint-member", "02P")
        ])
    );

    // Published is final for the workflow.
    let e = proposal::publish(&base, &mut p, d("2021-02-01"), "board").unwrap_err();
    assert!(
        matches!(
            e,
            ProposalError::IllegalTransition {
                state: ProposalState::Published,
                ..
            }
        ),
        "{e}"
    );
    assert!(proposal::withdraw(&mut p, d("2021-02-01"), "board", "too late").is_err());
}

#[test]
fn withdrawing_leaves_only_the_audit_entry() {
    let base = base();
    let before = Snapshot::compile(base.clone()).grant_count();
    let mut p = alternative();
    let ev = proposal::withdraw(
        &mut p,
        d("2021-03-01"),
        "board",
        "the overlap is not acceptable",
    )
    .unwrap();
    assert_eq!(ev.action, "withdraw");
    assert_eq!(ev.subject, "lp-2019-ict");
    assert_eq!(p.state, ProposalState::Withdrawn);
    assert_eq!(Snapshot::compile(base.clone()).grant_count(), before);
    // A withdrawn proposal cannot be published.
    assert!(matches!(
        proposal::publish(&base, &mut p, d("2021-04-01"), "board"),
        Err(ProposalError::IllegalTransition {
            state: ProposalState::Withdrawn,
            ..
        })
    ));
}

#[test]
fn an_invalid_proposal_is_reported_and_cannot_be_published() {
    let base = base();
    // The CCG passes on specialised commissioning it does not hold.
    let text = r#"
delegation "Barnsley passes specialised commissioning to the trust" {
  id        bad-onward
  basis     "NHS Act 2006 s.14Z3"
  by        02P
  to        RFF
  functions commissioning.specialised
  area      own
  from      2022-04-01
  source    "test"
}
"#;
    let mut p = Proposal::from_vires("bad", "Bad", "bad.vires", text).unwrap();
    let r = proposal::assess(&base, &p);
    assert!(!r.valid);
    assert!(
        r.diagnostics.iter().any(|d| d.subject == "bad-onward"),
        "{:?}",
        r.diagnostics
    );
    let e = proposal::publish(&base, &mut p, d("2021-01-01"), "board").unwrap_err();
    assert!(matches!(e, ProposalError::Invalid { .. }), "{e}");
    assert_eq!(p.state, ProposalState::Draft);
    assert!(p.history.is_empty());
    // Text that does not parse is refused with the language errors.
    assert!(matches!(
        Proposal::from_vires("x", "x", "x.vires", "delegation { id"),
        Err(ProposalError::Language { .. })
    ));
    // A proposal whose ids are already in the register cannot be applied as is.
    let mut dup = proposal_2019();
    dup.instruments[0].id = "hsca-2012-monitor".into();
    let r = proposal::assess(&base, &dup);
    assert!(!r.valid);
    assert!(
        r.problems.iter().any(|m| m.contains("hsca-2012-monitor")),
        "{:?}",
        r.problems
    );
}

#[test]
fn affected_practices_are_found() {
    // The co-commissioning register has practices: a proposal to delegate to 00K changes
    // exactly 00K's two practices.
    let reg = register(&["examples/workflows/co-commissioning-2014/register.vires"]);
    let text = r#"
delegation "Delegated GP commissioning to Hartlepool and Stockton-on-Tees" {
  id        prop-00K
  basis     "NHS Act 2006 s.13Z"
  by        X24
  to        00K
  functions commissioning.primary-care.medical
  except    commissioning.primary-care.medical.performers
  area      footprint(00K)
  from      2015-04-01
  until     2020-04-01
  source    "test"
}
"#;
    let p = Proposal::from_vires("p", "p", "p.vires", text).unwrap();
    let r = proposal::assess(&reg, &p);
    assert!(r.valid, "{:?}", r.diagnostics);
    let practices: std::collections::BTreeSet<&str> = r
        .affected_practices
        .iter()
        .map(|a| a.practice.as_str())
        .collect();
    assert_eq!(
        practices.into_iter().collect::<Vec<_>>(),
        vec!["A81001", "A81002"]
    );
    let a = r
        .affected_practices
        .iter()
        .find(|a| a.practice == "A81001" && a.function == "commissioning.primary-care.medical")
        .unwrap();
    assert_eq!(a.before, vec!["X24 statutory".to_string()]);
    // NHS England keeps the performers lists it excepts, so it still holds that part.
    assert_eq!(
        a.after,
        vec!["00K delegate".to_string(), "X24 statutory".to_string()]
    );
    assert_eq!(r.dates, vec![d("2015-04-01"), d("2020-04-01")]);
}

#[test]
fn registers_of_interests_in_the_procurement_form_are_read() {
    // The same JSON vires-procure keeps: one register, not an array, with fields we ignore.
    let regs =
        proposal::interests_from_json(&read("examples/procurement/register_of_interests_02X.json"))
            .unwrap();
    assert_eq!(regs.len(), 1);
    assert_eq!(regs[0].body, "02X");
    let brown = regs[0]
        .people
        .iter()
        .find(|p| p.name == "Mr F. Brown")
        .unwrap();
    let bodies: Vec<&str> = brown.posts.iter().map(|p| p.body.as_str()).collect();
    assert_eq!(bodies, vec!["02X", "RP5"]);
    assert!(proposal::interests_from_json("{\"people\": 3}").is_err());
}
