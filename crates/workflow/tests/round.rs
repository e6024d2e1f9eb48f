//! The 2014 co-commissioning round (seed situation 4): three CCGs apply, one for delegated,
//! one joint, one late; the answers for GP services on 2015-04-01 follow from the approvals.

mod common;
use common::*;
use vires_core::{InstrumentKind, Onward, Place, Receivers, Register, Snapshot};
use vires_workflow::round::{self, Criterion, Evidence, Level, RoundError, State};

const GP: &str = "commissioning.primary-care.medical";
const REG: &str = "examples/workflows/co-commissioning-2014/register.vires";
const ROUND: &str = "examples/workflows/co-commissioning-2014/round.json";

fn setup() -> (Register, round::RoundFile) {
    (register(&[REG]), round::load_json(&read(ROUND)).unwrap())
}

#[test]
fn the_2014_round_from_the_approvals_alone() {
    let (base, file) = setup();
    let n_before = base.instruments.len();
    let run = round::run(&base, &file);
    assert_eq!(
        base.instruments.len(),
        n_before,
        "running a round does not touch the register"
    );

    // One late application, refused with the reason, and nothing after it attempted.
    assert_eq!(run.refusals.len(), 1, "{:#?}", run.refusals);
    let r = &run.refusals[0];
    assert_eq!(
        (r.application.as_str(), r.action.as_str()),
        ("00D-delegated", "submit")
    );
    assert!(
        r.error
            .contains("after the delegated deadline of 2014-06-20"),
        "{}",
        r.error
    );
    let state = |id: &str| run.applications.iter().find(|a| a.id == id).unwrap().state;
    assert_eq!(state("00K-delegated"), State::Approved);
    assert_eq!(state("00C-joint"), State::Approved);
    assert_eq!(state("00D-delegated"), State::Draft);

    // The approvals issue exactly two instruments.
    assert_eq!(run.instruments.len(), 2);
    let del = run
        .instruments
        .iter()
        .find(|i| i.kind == InstrumentKind::Delegation)
        .unwrap();
    assert_eq!(del.terms().receivers, Receivers::Bodies(vec!["00K".into()]));
    assert_eq!(
        del.particulars().except,
        vec!["commissioning.primary-care.medical.performers".to_string()]
    );
    assert_eq!(del.onward, Onward::Forbidden);
    assert_eq!(del.from, d("2015-04-01"));
    let joint = run
        .instruments
        .iter()
        .find(|i| i.kind == InstrumentKind::JointCommittee)
        .unwrap();
    assert_eq!(
        joint.terms().receivers,
        Receivers::Bodies(vec!["X24".into(), "00C".into()])
    );

    // Every step is in the audit log: 3 + 3 steps taken, 1 refusal.
    assert_eq!(run.events.len(), 7);
    assert_eq!(
        run.events.iter().filter(|e| e.action == "refuse").count(),
        1
    );
    let k = run
        .applications
        .iter()
        .find(|a| a.id == "00K-delegated")
        .unwrap();
    let actions: Vec<&str> = k.history.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, vec!["submit", "recommend", "approve"]);

    let after = with(&base, &run.instruments);
    let snap = Snapshot::compile(after.clone());
    for i in &run.instruments {
        let errs: Vec<_> = snap.diagnostics_for(&i.id).collect();
        assert!(errs.is_empty(), "{errs:?}");
    }
    // Delegated: the CCG exercises GP commissioning; NHS England accountable and keeps
    // performers, so it also holds that part of GP services.
    let p = |c: &str| Place::Practice(c.into());
    assert_eq!(
        who(&after, GP, p("A81001"), "2015-04-01"),
        hs(&[("00K", "delegate", "X24"), ("X24", "statutory", "X24")])
    );
    let w = snap.who(GP, &p("A81001"), d("2015-04-01"), None).unwrap();
    // NHS England exercises the part it kept, so it is not accountable only.
    assert!(w.accountable_only.is_empty(), "{:?}", w.accountable_only);
    assert_eq!(
        who(
            &after,
            "commissioning.primary-care.medical.performers",
            p("A81001"),
            "2015-04-01"
        ),
        hs(&[("X24", "statutory", "X24")])
    );
    // Joint: both decide together; NHS England alone holds the performers it kept out.
    assert_eq!(
        who(&after, GP, p("A83005"), "2015-04-01"),
        hs(&[
            ("00C", "joint-member", "X24"),
            ("X24", "joint-member", "X24"),
            ("X24", "statutory", "X24")
        ])
    );
    // Late: NHS England still holds.
    assert_eq!(
        who(&after, GP, p("A83001"), "2015-04-01"),
        hs(&[("X24", "statutory", "X24")])
    );
    // The day before the start, NHS England holds everywhere.
    assert_eq!(
        who(&after, GP, p("A81001"), "2015-03-31"),
        hs(&[("X24", "statutory", "X24")])
    );
    // Without the approvals, the same question gets NHS England.
    assert_eq!(
        who(&base, GP, p("A81001"), "2015-04-01"),
        hs(&[("X24", "statutory", "X24")])
    );
}

fn complete(app: &mut round::Application, criteria: &[Criterion]) {
    for c in criteria {
        app.evidence.push(Evidence {
            criterion: *c,
            text: format!("evidence for {c}"),
            document: None,
        });
    }
}

#[test]
fn illegal_transitions_are_refused_and_change_nothing() {
    let (base, file) = setup();
    let r = &file.round;
    let snap_before = Snapshot::compile(base.clone());
    let answer_before = snap_before
        .who(GP, &Place::Body("00C".into()), d("2015-06-01"), None)
        .unwrap();

    // Applying after the deadline.
    let mut late = r.draft("late", "00C", Level::Joint);
    complete(&mut late, &r.criteria);
    let copy = late.clone();
    let e = r
        .submit(&mut late, &base, d("2014-06-21"), "00C")
        .unwrap_err();
    assert!(
        matches!(e, RoundError::Late { deadline, .. } if deadline == d("2014-06-20")),
        "{e}"
    );
    assert!(e
        .to_string()
        .contains("rule: applications are accepted up to and including the deadline"));
    assert_eq!(
        late, copy,
        "a refused submission leaves the application as it was"
    );
    // On the deadline itself it is accepted.
    r.submit(&mut late, &base, d("2014-06-20"), "00C").unwrap();

    // Approving a withdrawn application.
    let mut w = r.draft("w", "00K", Level::Delegated);
    complete(&mut w, &r.criteria);
    r.submit(&mut w, &base, d("2014-06-01"), "00K").unwrap();
    r.recommend(&mut w, d("2014-07-01"), "area team", true, "fine")
        .unwrap();
    r.withdraw(&mut w, d("2014-07-02"), "00K", "changed our mind")
        .unwrap();
    let copy = w.clone();
    let e = r
        .approve(&mut w, &base, d("2014-11-06"), "NHS England board")
        .unwrap_err();
    assert!(
        matches!(
            e,
            RoundError::IllegalTransition {
                state: State::Withdrawn,
                action: "approve",
                ..
            }
        ),
        "{e}"
    );
    assert!(
        e.to_string()
            .contains("only a recommended application can be approved"),
        "{e}"
    );
    assert_eq!(w, copy);
    // Withdrawing twice is refused too.
    assert!(r.withdraw(&mut w, d("2014-07-03"), "00K", "again").is_err());

    // Approving a submitted (not yet recommended) application.
    let e = r
        .approve(&mut late, &base, d("2014-11-06"), "board")
        .unwrap_err();
    assert!(
        matches!(
            e,
            RoundError::IllegalTransition {
                state: State::Submitted,
                ..
            }
        ),
        "{e}"
    );

    // Incomplete evidence names what is missing.
    let mut inc = r.draft("inc", "00D", Level::Delegated);
    complete(
        &mut inc,
        &[
            Criterion::Integration,
            Criterion::Standards,
            Criterion::Inequalities,
        ],
    );
    let e = r
        .submit(&mut inc, &base, d("2014-06-01"), "00D")
        .unwrap_err();
    assert_eq!(
        e,
        RoundError::Incomplete {
            application: "inc".into(),
            missing: vec![Criterion::ConflictsOfInterest]
        }
    );
    assert!(
        e.to_string()
            .contains("no evidence for conflicts-of-interest"),
        "{e}"
    );
    assert_eq!(inc.state, State::Draft);
    // Blank evidence does not count.
    inc.evidence.push(Evidence {
        criterion: Criterion::ConflictsOfInterest,
        text: "  ".into(),
        document: None,
    });
    assert!(matches!(
        r.submit(&mut inc, &base, d("2014-06-01"), "00D"),
        Err(RoundError::Incomplete { .. })
    ));

    // A body that may not apply, and one that does not exist.
    let mut nhse = r.draft("x", "X24", Level::Delegated);
    complete(&mut nhse, &r.criteria);
    let e = r
        .submit(&mut nhse, &base, d("2014-06-01"), "X24")
        .unwrap_err();
    assert!(matches!(e, RoundError::NotEligible { .. }), "{e}");
    let mut ghost = r.draft("g", "ZZZ", Level::Delegated);
    complete(&mut ghost, &r.criteria);
    assert!(matches!(
        r.submit(&mut ghost, &base, d("2014-06-01"), "ZZZ"),
        Err(RoundError::UnknownApplicant { .. })
    ));

    // A rejection needs reasons; with them it is recorded and issues nothing.
    let mut rej = r.draft("rej", "00D", Level::Delegated);
    complete(&mut rej, &r.criteria);
    r.submit(&mut rej, &base, d("2014-06-01"), "00D").unwrap();
    r.recommend(
        &mut rej,
        d("2014-07-01"),
        "area team",
        false,
        "conflicts policy is a draft",
    )
    .unwrap();
    assert_eq!(
        r.reject(&mut rej, d("2014-11-06"), "board", &[])
            .unwrap_err(),
        RoundError::NoReasons {
            application: "rej".into()
        }
    );
    let ev = r
        .reject(
            &mut rej,
            d("2014-11-06"),
            "board",
            &["conflicts policy not adopted".into()],
        )
        .unwrap();
    assert_eq!(ev.reason.as_deref(), Some("conflicts policy not adopted"));
    assert_eq!(rej.state, State::Rejected);
    assert!(r
        .approve(&mut rej, &base, d("2014-11-07"), "board")
        .is_err());

    // Steps cannot run backwards in time.
    let mut back = r.draft("back", "00K", Level::Joint);
    complete(&mut back, &r.criteria);
    r.submit(&mut back, &base, d("2014-06-10"), "00K").unwrap();
    assert!(matches!(
        r.recommend(&mut back, d("2014-06-01"), "area team", true, "ok"),
        Err(RoundError::Backdated { .. })
    ));

    // Greater involvement: approved, no instrument.
    let mut gi = r.draft("gi", "00D", Level::GreaterInvolvement);
    complete(&mut gi, &r.criteria);
    r.submit(&mut gi, &base, d("2014-06-01"), "00D").unwrap();
    r.recommend(&mut gi, d("2014-07-01"), "area team", true, "ok")
        .unwrap();
    let a = r.approve(&mut gi, &base, d("2014-11-06"), "board").unwrap();
    assert!(a.instruments.is_empty());

    // None of this touched the register.
    let snap_after = Snapshot::compile(base.clone());
    assert_eq!(snap_after.grant_count(), snap_before.grant_count());
    assert_eq!(
        snap_after
            .who(GP, &Place::Body("00C".into()), d("2015-06-01"), None)
            .unwrap(),
        answer_before
    );
}

#[test]
fn an_approval_that_would_be_void_is_refused() {
    let (base, mut file) = setup();
    // A round that offers a function NHS England does not hold: the delegation would be void.
    file.round.functions = vec!["commissioning.secondary-care".into()];
    file.round.except.clear();
    let r = &file.round;
    let mut app = r.draft("sc", "00K", Level::Delegated);
    complete(&mut app, &r.criteria);
    r.submit(&mut app, &base, d("2014-06-01"), "00K").unwrap();
    r.recommend(&mut app, d("2014-07-01"), "area team", true, "ok")
        .unwrap();
    let copy = app.clone();
    let e = r
        .approve(&mut app, &base, d("2014-11-06"), "board")
        .unwrap_err();
    match &e {
        RoundError::InvalidInstruments { diagnostics, .. } => {
            assert!(
                diagnostics.iter().any(|d| d.code == "V007"),
                "{diagnostics:?}"
            )
        }
        other => panic!("{other}"),
    }
    assert_eq!(app, copy);
}

#[test]
fn level_deadlines_and_levels_on_offer() {
    let (base, mut file) = setup();
    file.round.levels = vec![Level::Joint, Level::Delegated];
    file.round
        .level_deadlines
        .insert(Level::Delegated, d("2014-06-10"));
    let r = &file.round;
    let mut gi = r.draft("gi", "00D", Level::GreaterInvolvement);
    complete(&mut gi, &r.criteria);
    assert!(matches!(
        r.submit(&mut gi, &base, d("2014-06-01"), "00D"),
        Err(RoundError::LevelNotOffered { .. })
    ));
    let mut del = r.draft("del", "00D", Level::Delegated);
    complete(&mut del, &r.criteria);
    let e = r
        .submit(&mut del, &base, d("2014-06-15"), "00D")
        .unwrap_err();
    assert!(matches!(e, RoundError::Late { deadline, .. } if deadline == d("2014-06-10")));
    let mut joint = r.draft("joint", "00D", Level::Joint);
    complete(&mut joint, &r.criteria);
    r.submit(&mut joint, &base, d("2014-06-15"), "00D").unwrap();
}
