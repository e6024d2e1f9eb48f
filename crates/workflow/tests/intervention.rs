//! Seed situation 5: an intervention that moves a struggling CCG's functions to a neighbour
//! for a year (before, during, after), the other remedies, devolution, and published
//! assessments.

mod common;
use common::*;
use vires_core::{Place, Register, Severity, Snapshot};
use vires_workflow::assessment::{self, Assessment, AssessmentError, Framework, Rating};
use vires_workflow::intervention::{self, Intervention, InterventionError, Remedy};

const SC: &str = "commissioning.secondary-care";
const REG: &str = "examples/workflows/intervention/register.vires";
const FILE: &str = "examples/workflows/intervention/interventions.json";

fn base() -> Register {
    register(&[REG])
}

#[test]
fn functions_move_to_a_neighbour_for_a_year_and_come_back() {
    let base = base();
    let file = intervention::load_json(&read(FILE)).unwrap();
    let issued = file.build("NHS England").unwrap();
    assert_eq!(issued.len(), 3);
    for i in &issued {
        let diags = intervention::check(&base, i);
        assert!(diags.is_empty(), "{diags:?}");
    }
    let all: Vec<_> = issued
        .iter()
        .flat_map(|i| i.instruments.iter().cloned())
        .collect();
    let reg = with(&base, &all);
    let greenwich = || Place::Body("08A".into());
    assert_eq!(
        who(&reg, SC, greenwich(), "2017-08-31"),
        hs(&[("08A", "statutory", "08A")])
    );
    assert_eq!(
        who(&reg, SC, greenwich(), "2017-09-01"),
        hs(&[("08Q", "directed", "08A")])
    );
    assert_eq!(
        who(&reg, SC, greenwich(), "2018-08-31"),
        hs(&[("08Q", "directed", "08A")])
    );
    assert_eq!(
        who(&reg, SC, greenwich(), "2018-09-01"),
        hs(&[("08A", "statutory", "08A")])
    );
    let snap = Snapshot::compile(reg.clone());
    let during = snap.who(SC, &greenwich(), d("2018-01-01"), None).unwrap();
    assert_eq!(during.accountable_only, vec!["08A".to_string()]);
    // Southwark's own area is unchanged; Lewisham was directed but kept its functions.
    assert_eq!(
        who(&reg, SC, Place::Body("08Q".into()), "2018-01-01"),
        hs(&[("08Q", "statutory", "08Q")])
    );
    assert_eq!(
        who(&reg, SC, Place::Body("08L".into()), "2018-01-01"),
        hs(&[("08L", "statutory", "08L")])
    );
    // Devolution: NHS England and the combined authority decide together from 2016-04-01.
    let gm = || Place::Area("greater-manchester".into());
    assert_eq!(
        who(&reg, "commissioning.specialised", gm(), "2016-04-01"),
        hs(&[
            ("E47000001", "joint-member", "X24"),
            ("X24", "joint-member", "X24")
        ])
    );
    assert_eq!(
        who(&reg, "commissioning.specialised", gm(), "2016-03-31"),
        hs(&[("X24", "statutory", "X24")])
    );
    // The events name what was done and when it is reviewed.
    assert_eq!(issued[0].event.action, "intervene");
    assert!(issued[0]
        .event
        .reason
        .as_deref()
        .unwrap_or("")
        .contains("review 2018-06-01"));
}

fn greenwich(remedy: Remedy) -> Intervention {
    Intervention {
        id: "iv".into(),
        title: "test".into(),
        maker: "X24".into(),
        target: "08A".into(),
        remedy,
        functions: vec![SC.into()],
        from: d("2017-09-01"),
        until: Some(d("2018-09-01")),
        review: d("2018-06-01"),
        source: "test".into(),
    }
}

#[test]
fn the_other_remedies() {
    let base = base();
    // A local authority leads under a s.75 partnership.
    let la = greenwich(Remedy::Partnership {
        local_authority: "E09000011".into(),
        pooled_budget: Some("Greenwich pooled fund".into()),
    })
    .build("NHS England")
    .unwrap();
    assert!(
        intervention::check(&base, &la).is_empty(),
        "{:?}",
        intervention::check(&base, &la)
    );
    let reg = with(&base, &la.instruments);
    assert_eq!(
        who(&reg, SC, Place::Body("08A".into()), "2018-01-01"),
        hs(&[("E09000011", "lead-partner", "08A")])
    );
    assert_eq!(
        who(&reg, SC, Place::Body("08A".into()), "2018-09-01"),
        hs(&[("08A", "statutory", "08A")])
    );

    // An integrated provider: the intervention power does not reach providers, and the
    // register says so instead of pretending the move happened.
    let mut reg = base.clone();
    reg.add_body(vires_core::Body {
        code: "RXX".into(),
        name: "Illustrative integrated provider".into(),
        kind: vires_core::BodyKind::IntegratedProvider,
        life: vires_core::Interval::new(d("2015-01-01"), None),
        basis: None,
        source: None,
        ons_code: None,
        span: None,
    })
    .unwrap();
    let ip = greenwich(Remedy::IntegratedProvider {
        provider: "RXX".into(),
    })
    .build("NHS England")
    .unwrap();
    let diags = intervention::check(&reg, &ip);
    assert!(
        diags
            .iter()
            .any(|d| d.code == "V005" && d.severity == Severity::Error),
        "{diags:?}"
    );
    let reg = with(&reg, &ip.instruments);
    assert_eq!(
        who(&reg, SC, Place::Body("08A".into()), "2018-01-01"),
        hs(&[("08A", "statutory", "08A")])
    );

    // Builder rules.
    let mut bad = greenwich(Remedy::AnotherCommissioner { to: "08Q".into() });
    bad.review = d("2017-08-01");
    assert!(matches!(
        bad.build("x"),
        Err(InterventionError::ReviewBeforeStart { .. })
    ));
    let mut bad = greenwich(Remedy::AnotherCommissioner { to: "08A".into() });
    bad.review = d("2018-06-01");
    assert!(matches!(
        bad.build("x"),
        Err(InterventionError::SameBody { .. })
    ));
    let mut bad = greenwich(Remedy::AnotherCommissioner { to: "08Q".into() });
    bad.functions.clear();
    assert!(matches!(
        bad.build("x"),
        Err(InterventionError::NoFunctions { .. })
    ));
    let mut bad = greenwich(Remedy::Direction);
    bad.until = Some(d("2017-09-01"));
    assert!(matches!(
        bad.build("x"),
        Err(InterventionError::EndsBeforeStart { .. })
    ));
    // After the 2022 Act the ICB intervention power is cited.
    let mut icb = greenwich(Remedy::Direction);
    icb.from = d("2023-01-01");
    icb.until = None;
    icb.review = d("2023-06-01");
    let b = icb.build("x").unwrap();
    assert_eq!(
        b.instruments[0].terms().basis.as_deref(),
        Some("NHS Act 2006 s.14Z61")
    );
}

#[test]
fn assessments_are_checked_against_their_framework_and_published_as_a_table() {
    let base = base();
    let list = assessment::load_json(
        &read("examples/workflows/intervention/assessments.json"),
        Some(&base),
    )
    .unwrap();
    assert_eq!(list.len(), 4);
    // The published table is made by the CLI (`vires assessments`, tested there).
    assert!(list
        .iter()
        .any(|a| a.body == "00T" && a.rating.to_string() == "segment 3"));

    let a = |fw, rating, on: &str, body: &str| Assessment {
        body: body.into(),
        framework: fw,
        rating,
        date: d(on),
        period: None,
        source: None,
    };
    // The IAF began in 2016/17.
    let e = a(Framework::CcgIaf, Rating::Good, "2015-07-01", "08A")
        .validate(None)
        .unwrap_err();
    assert!(
        matches!(e, AssessmentError::FrameworkNotInForce { .. }),
        "{e}"
    );
    // Segment 5 exists only from 2025/26.
    let e = a(
        Framework::NhsOversightFramework,
        Rating::Segment(5),
        "2024-10-01",
        "X",
    )
    .validate(None)
    .unwrap_err();
    assert!(matches!(e, AssessmentError::NotOnScale { .. }), "{e}");
    assert!(e.to_string().contains("segments 1 to 4"), "{e}");
    a(
        Framework::NhsOversightFramework,
        Rating::Segment(5),
        "2025-10-01",
        "X",
    )
    .validate(None)
    .unwrap();
    assert!(a(
        Framework::NhsOversightFramework,
        Rating::Segment(0),
        "2025-10-01",
        "X"
    )
    .validate(None)
    .is_err());
    // Words are not segments, and segments are not words.
    assert!(a(
        Framework::NhsOversightFramework,
        Rating::Good,
        "2022-10-01",
        "X"
    )
    .validate(None)
    .is_err());
    assert!(a(Framework::CcgIaf, Rating::Segment(2), "2018-10-01", "X")
        .validate(None)
        .is_err());
    // With a register: the body must exist and be a kind the framework assesses.
    let e = a(Framework::CcgIaf, Rating::Good, "2021-07-01", "08A")
        .validate(Some(&base))
        .unwrap_err();
    assert!(matches!(e, AssessmentError::UnknownBody { .. }), "{e}");
    let e = a(Framework::CcgIaf, Rating::Good, "2018-07-01", "E09000011")
        .validate(Some(&base))
        .unwrap_err();
    assert!(matches!(e, AssessmentError::WrongKind { .. }), "{e}");
}
