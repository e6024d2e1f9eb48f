//! Semantics of compilation and resolution on small hand-built registers.

use jiff::civil::{date, Date};
use vires_core::*;

fn body(code: &str, kind: BodyKind, from: Date, until: Option<Date>) -> Body {
    Body {
        code: code.into(),
        name: format!("Body {code}"),
        kind,
        life: Interval::new(from, until),
        basis: None,
        source: None,
        ons_code: None,
        span: None,
    }
}

fn power(
    id: &str,
    cites: &str,
    makers: &[BodyKind],
    kinds: &[InstrumentKind],
    from: Date,
    until: Option<Date>,
) -> Power {
    Power {
        id: id.into(),
        title: id.into(),
        cites: vec![cites.into()],
        makers: makers.to_vec(),
        kinds: kinds.to_vec(),
        receivers: vec![],
        during: Interval::new(from, until),
        source: "test".into(),
    }
}

/// Parliament, DHSC, NHS England, three CCGs (00F, 00G merging into 13T on 2015-04-01),
/// the starter taxonomy and the powers the tests use.
fn base() -> Register {
    let mut r = Register::new();
    let d13 = date(2013, 4, 1);
    r.add_body(body(
        "PARLIAMENT",
        BodyKind::Parliament,
        date(1900, 1, 1),
        None,
    ))
    .unwrap();
    r.add_body(body(
        "DHSC",
        BodyKind::SecretaryOfState,
        date(1988, 7, 25),
        None,
    ))
    .unwrap();
    r.add_body(body("X24", BodyKind::NhsEngland, date(2012, 10, 1), None))
        .unwrap();
    r.add_body(body("00F", BodyKind::Ccg, d13, Some(date(2015, 4, 1))))
        .unwrap();
    r.add_body(body("00G", BodyKind::Ccg, d13, Some(date(2015, 4, 1))))
        .unwrap();
    r.add_body(body(
        "13T",
        BodyKind::Ccg,
        date(2015, 4, 1),
        Some(date(2022, 7, 1)),
    ))
    .unwrap();
    r.add_body(body("08Q", BodyKind::Ccg, d13, Some(date(2022, 7, 1))))
        .unwrap();
    for f in [
        "commissioning",
        "commissioning.secondary-care",
        "commissioning.primary-care",
        "commissioning.primary-care.medical",
        "commissioning.primary-care.medical.performers",
        "commissioning.primary-care.dental",
        "support.business-intelligence",
    ] {
        r.declare_function(f, f);
    }
    use BodyKind as B;
    use InstrumentKind as K;
    r.add_power(power(
        "s13Z",
        "s.13Z",
        &[B::NhsEngland],
        &[K::Delegation, K::JointCommittee],
        d13,
        Some(date(2022, 7, 1)),
    ));
    r.add_power(power(
        "s14Z3",
        "s.14Z3",
        &[B::Ccg],
        &[K::Delegation],
        d13,
        Some(date(2022, 7, 1)),
    ));
    r.add_power(power(
        "s14Z3-2A",
        "s.14Z3(2A)",
        &[B::Ccg],
        &[K::JointCommittee],
        date(2014, 10, 1),
        Some(date(2022, 7, 1)),
    ));
    r.add_power(power(
        "s14Z21",
        "s.14Z21",
        &[B::NhsEngland],
        &[K::Direction],
        d13,
        Some(date(2022, 7, 1)),
    ));
    r.add_power(power(
        "s253",
        "s.253",
        &[B::SecretaryOfState],
        &[K::Direction],
        date(2007, 3, 1),
        None,
    ));
    r.add_power(power(
        "ccg-merger",
        "s.14G",
        &[B::NhsEngland],
        &[K::Merge],
        d13,
        Some(date(2022, 7, 1)),
    ));

    let mut ccg = Instrument::new("hsca-2012-ccg", K::Conferral, d13);
    ccg.maker = Some("PARLIAMENT".into());
    ccg.terms_mut().basis = Some("Health and Social Care Act 2012".into());
    ccg.terms_mut().receivers = Receivers::Every(B::Ccg);
    ccg.functions = vec!["commissioning.secondary-care".into()].into();
    ccg.area = Some(AreaExpr::Own);
    r.add_instrument(ccg);
    let mut nhse = Instrument::new("hsca-2012-nhse", K::Conferral, d13);
    nhse.maker = Some("PARLIAMENT".into());
    nhse.terms_mut().basis = Some("Health and Social Care Act 2012".into());
    nhse.terms_mut().receivers = Receivers::Bodies(vec!["X24".into()]);
    nhse.functions = vec!["commissioning.primary-care".into()].into();
    nhse.area = Some(AreaExpr::England);
    r.add_instrument(nhse);
    let mut merge = Instrument::new("merge-13T", K::Merge, date(2015, 4, 1));
    merge.maker = Some("X24".into());
    merge.terms_mut().basis = Some("NHS Act 2006 s.14G".into());
    merge.particulars_mut().predecessors = vec!["00F".into(), "00G".into()];
    merge.terms_mut().receivers = Receivers::Bodies(vec!["13T".into()]);
    r.add_instrument(merge);
    r
}

fn delegation(id: &str, by: &str, to: &str, f: &str, from: Date) -> Instrument {
    let mut d = Instrument::new(id, InstrumentKind::Delegation, from);
    d.maker = Some(by.into());
    d.terms_mut().basis = Some("NHS Act 2006 s.13Z".into());
    d.terms_mut().receivers = Receivers::Bodies(vec![to.into()]);
    d.functions = vec![f.into()].into();
    d.area = Some(AreaExpr::Own);
    d
}

/// The 2020 coronavirus direction: NHS England may exercise every CCG's secondary care
/// concurrently until 2021 (purposes left to the test).
fn covid_direction() -> Instrument {
    let mut d = Instrument::new("covid-2020", InstrumentKind::Direction, date(2020, 3, 20));
    d.maker = Some("DHSC".into());
    d.terms_mut().basis = Some("NHS Act 2006 s.253".into());
    d.terms_mut().receivers = Receivers::Bodies(vec!["X24".into()]);
    d.particulars_mut().of = Some(Box::new(Receivers::Every(BodyKind::Ccg)));
    d.functions = vec!["commissioning.secondary-care".into()].into();
    d.area = Some(AreaExpr::Own);
    d.concurrent = true;
    d.until = Some(date(2021, 1, 1));
    d
}

/// Practice A1, in 13T for all of 13T's life.
fn practice_a1_in_13t(r: &mut Register) -> PracticeId {
    let a = r
        .add_practice(Practice {
            code: "A1".into(),
            name: "Practice A1".into(),
            postcode: None,
            status: None,
        })
        .unwrap();
    let t = r.body_at("13T", date(2016, 1, 1)).unwrap();
    r.add_membership(
        a,
        t,
        Interval::new(date(2015, 4, 1), Some(date(2022, 7, 1))),
    );
    a
}

fn codes_of(s: &Snapshot, id: &str) -> Vec<&'static str> {
    s.diagnostics_for(id).map(|d| d.code).collect()
}

fn holders(a: &WhoAnswer) -> Vec<(String, Role)> {
    a.holders
        .iter()
        .map(|h| (h.body.to_string(), h.role))
        .collect()
}

#[test]
fn statutory_holders_follow_bodies_lives() {
    let s = Snapshot::compile(base());
    assert!(s.invalid().next().is_none(), "{:?}", s.diagnostics);
    let a = s
        .who(
            "commissioning.secondary-care",
            &Place::Body("00F".into()),
            date(2014, 1, 1),
            None,
        )
        .unwrap();
    assert_eq!(holders(&a), vec![("00F".into(), Role::Statutory)]);
    assert_eq!(a.holders[0].accountable, "00F");
    assert_eq!(a.holders[0].proof[0].instrument, "hsca-2012-ccg");
    let b = s
        .who(
            "commissioning.secondary-care",
            &Place::Body("13T".into()),
            date(2016, 1, 1),
            None,
        )
        .unwrap();
    assert_eq!(holders(&b), vec![("13T".into(), Role::Statutory)]);
    // Before 13T existed it is not a place.
    assert!(s
        .who(
            "commissioning.secondary-care",
            &Place::Body("13T".into()),
            date(2014, 1, 1),
            None
        )
        .is_err());
}

#[test]
fn delegation_makes_delegate_holder_and_keeps_delegator_accountable() {
    let mut r = base();
    let mut d = delegation(
        "pc-13T",
        "X24",
        "13T",
        "commissioning.primary-care.medical",
        date(2015, 4, 1),
    );
    d.particulars_mut().except = vec!["commissioning.primary-care.medical.performers".into()];
    r.add_instrument(d);
    let s = Snapshot::compile(r);
    assert!(s.invalid().next().is_none(), "{:?}", s.diagnostics);
    let place = Place::Body("13T".into());
    let a = s
        .who(
            "commissioning.primary-care.medical",
            &place,
            date(2016, 1, 1),
            None,
        )
        .unwrap();
    // 13T holds GP services; NHS England holds the part the delegation excepted, as that
    // part, so it is a holder rather than accountable only.
    assert_eq!(
        holders(&a),
        vec![
            ("13T".into(), Role::Delegate),
            ("X24".into(), Role::Statutory)
        ]
    );
    assert_eq!(a.holders[0].function, "commissioning.primary-care.medical");
    assert_eq!(a.holders[0].accountable, "X24");
    assert_eq!(
        a.holders[1].function,
        "commissioning.primary-care.medical.performers"
    );
    assert!(a.accountable_only.is_empty());
    let proof: Vec<_> = a.holders[0]
        .proof
        .iter()
        .map(|p| p.instrument.as_str())
        .collect();
    assert_eq!(proof, vec!["hsca-2012-nhse", "pc-13T"]);
    // NHS England keeps what it did not delegate.
    let p = s
        .who(
            "commissioning.primary-care.medical.performers",
            &place,
            date(2016, 1, 1),
            None,
        )
        .unwrap();
    assert_eq!(holders(&p), vec![("X24".into(), Role::Statutory)]);
    let dental = s
        .who(
            "commissioning.primary-care.dental",
            &place,
            date(2016, 1, 1),
            None,
        )
        .unwrap();
    assert_eq!(holders(&dental), vec![("X24".into(), Role::Statutory)]);
    // Before the delegation, NHS England holds it.
    let before = s
        .who(
            "commissioning.primary-care.medical",
            &Place::Body("00F".into()),
            date(2014, 6, 1),
            None,
        )
        .unwrap();
    assert_eq!(holders(&before), vec![("X24".into(), Role::Statutory)]);
    let may = s
        .may(
            "X24",
            "commissioning.primary-care.medical",
            &place,
            date(2016, 1, 1),
            None,
        )
        .unwrap();
    assert!(!may.allowed);
    // It holds only the part it kept.
    assert!(
        may.reason.contains(
            "only parts of commissioning.primary-care.medical here: commissioning.primary-care.medical.performers"
        ),
        "{}",
        may.reason
    );
}

#[test]
fn merger_carries_live_delegations_to_the_successor() {
    let mut r = base();
    r.add_instrument(delegation(
        "pc-00F",
        "X24",
        "00F",
        "commissioning.primary-care.medical",
        date(2014, 4, 1),
    ));
    let s = Snapshot::compile(r);
    assert!(s.invalid().next().is_none(), "{:?}", s.diagnostics);
    let a = s
        .who(
            "commissioning.primary-care.medical",
            &Place::Body("13T".into()),
            date(2016, 1, 1),
            None,
        )
        .unwrap();
    assert_eq!(holders(&a), vec![("13T".into(), Role::Delegate)]);
    let proof: Vec<_> = a.holders[0]
        .proof
        .iter()
        .map(|p| p.instrument.as_str())
        .collect();
    assert_eq!(proof, vec!["hsca-2012-nhse", "pc-00F", "merge-13T"]);
    let inh = s.inheritance();
    assert_eq!(inh.len(), 1);
    assert_eq!(
        (inh[0].instrument.as_str(), inh[0].to_body.as_str()),
        ("pc-00F", "13T")
    );
    // 00G never had the delegation: its footprint is not in pc-00F's area.
    let g = s
        .who(
            "commissioning.primary-care.medical",
            &Place::Body("00G".into()),
            date(2014, 6, 1),
            None,
        )
        .unwrap();
    assert_eq!(holders(&g), vec![("X24".into(), Role::Statutory)]);
}

#[test]
fn onward_delegation_needs_permission() {
    let mut r = base();
    r.add_instrument(delegation(
        "pc-13T",
        "X24",
        "13T",
        "commissioning.primary-care.medical",
        date(2015, 4, 1),
    ));
    let mut onward = delegation(
        "pc-13T-08Q",
        "13T",
        "08Q",
        "commissioning.primary-care.medical",
        date(2016, 4, 1),
    );
    onward.terms_mut().basis = Some("NHS Act 2006 s.14Z3".into());
    onward.area = Some(AreaExpr::Footprint("13T".into()));
    r.add_instrument(onward.clone());
    let s = Snapshot::compile(r.clone());
    assert_eq!(codes_of(&s, "pc-13T-08Q"), vec!["V011"]);
    // The void onward delegation grants nothing.
    let a = s
        .who(
            "commissioning.primary-care.medical",
            &Place::Body("13T".into()),
            date(2017, 1, 1),
            None,
        )
        .unwrap();
    assert_eq!(holders(&a), vec![("13T".into(), Role::Delegate)]);
    // With onward permitted it stands, and the chain has three links.
    r.instruments
        .iter_mut()
        .find(|i| i.id == "pc-13T")
        .unwrap()
        .onward = Onward::Permitted;
    let s = Snapshot::compile(r);
    assert!(s.invalid().next().is_none(), "{:?}", s.diagnostics);
    // No ICBs in this register: the chain is orphaned when the CCGs go, and says so.
    assert_eq!(codes_of(&s, "pc-13T-08Q"), vec!["V014"]);
    let a = s
        .who(
            "commissioning.primary-care.medical",
            &Place::Body("13T".into()),
            date(2017, 1, 1),
            None,
        )
        .unwrap();
    assert_eq!(holders(&a), vec![("08Q".into(), Role::Delegate)]);
    assert_eq!(a.holders[0].accountable, "X24");
    assert_eq!(a.holders[0].proof.len(), 3);
}

#[test]
fn emergency_direction_is_concurrent_and_purpose_limited_and_amendable() {
    let mut r = base();
    let mut d = covid_direction();
    d.terms_mut().purposes = vec![
        "independent-provider-commissioning".into(),
        "coronavirus-support".into(),
    ];
    r.add_instrument(d);
    let mut amend = Instrument::new("covid-2020-ext", InstrumentKind::Amend, date(2020, 12, 21));
    amend.maker = Some("DHSC".into());
    amend.particulars_mut().target = Some("covid-2020".into());
    amend.particulars_mut().changes = Some(Box::new(AmendChanges {
        until: Some(date(2021, 4, 1)),
        ..Default::default()
    }));
    r.add_instrument(amend);
    let s = Snapshot::compile(r);
    assert!(s.invalid().next().is_none(), "{:?}", s.diagnostics);
    let place = Place::Body("13T".into());
    let f = "commissioning.secondary-care";
    let mid = s.who(f, &place, date(2020, 6, 1), None).unwrap();
    assert_eq!(
        holders(&mid),
        vec![
            ("13T".into(), Role::Statutory),
            ("X24".into(), Role::Concurrent)
        ]
    );
    assert_eq!(mid.holders[1].accountable, "13T");
    assert_eq!(mid.holders[1].purposes.len(), 2);
    let only_cov = s
        .who(f, &place, date(2020, 6, 1), Some("coronavirus-support"))
        .unwrap();
    assert_eq!(only_cov.holders.len(), 2);
    let other = s
        .who(f, &place, date(2020, 6, 1), Some("routine-commissioning"))
        .unwrap();
    assert_eq!(holders(&other), vec![("13T".into(), Role::Statutory)]);
    let may = s
        .may(
            "X24",
            f,
            &place,
            date(2020, 6, 1),
            Some("routine-commissioning"),
        )
        .unwrap();
    assert!(!may.allowed);
    assert!(may.reason.contains("outside"), "{}", may.reason);
    assert!(
        s.may(
            "X24",
            f,
            &place,
            date(2020, 6, 1),
            Some("coronavirus-support")
        )
        .unwrap()
        .allowed
    );
    // Extended by the amendment to 2021-03-31, with the amendment in the proof.
    let feb = s.who(f, &place, date(2021, 2, 1), None).unwrap();
    assert_eq!(feb.holders.len(), 2);
    let proof: Vec<_> = feb.holders[1]
        .proof
        .iter()
        .map(|p| p.instrument.as_str())
        .collect();
    assert_eq!(proof, vec!["hsca-2012-ccg", "covid-2020", "covid-2020-ext"]);
    let dec: Vec<_> = s.who(f, &place, date(2020, 12, 1), None).unwrap().holders[1]
        .proof
        .iter()
        .map(|p| p.instrument.clone())
        .collect();
    assert_eq!(dec, vec!["hsca-2012-ccg", "covid-2020"]);
    let apr = s.who(f, &place, date(2021, 4, 1), None).unwrap();
    assert_eq!(holders(&apr), vec![("13T".into(), Role::Statutory)]);
    assert_eq!(
        s.expiring(date(2021, 3, 1), 60)
            .first()
            .map(|e| e.instrument.as_str()),
        Some("covid-2020")
    );
}

/// A basis citing a section also names its Act, whose own power (Parliament's) is cited too;
/// why the maker lacked the power speaks of the section it cited. By hand: an ICB's joint
/// committee of 2023 under "NHS Act 2006 s.13Z" fails because s.13Z is NHS England's power,
/// not because the Act's conferral power provides for no joint committee.
#[test]
fn lacking_a_power_speaks_of_the_section_cited() {
    let mut r = base();
    r.add_power(power(
        "the-act",
        "NHS Act 2006",
        &[BodyKind::Parliament],
        &[InstrumentKind::Conferral],
        date(2007, 3, 1),
        None,
    ));
    r.add_body(body("QAA", BodyKind::Icb, date(2022, 7, 1), None))
        .unwrap();
    let mut jc = Instrument::new("icb-jc", InstrumentKind::JointCommittee, date(2023, 4, 1));
    jc.maker = Some("QAA".into());
    jc.terms_mut().basis = Some("NHS Act 2006 s.13Z".into());
    jc.terms_mut().receivers = Receivers::Bodies(vec!["QAA".into(), "X24".into()]);
    jc.functions = vec!["commissioning.secondary-care".into()].into();
    jc.area = Some(AreaExpr::Footprint("QAA".into()));
    r.add_instrument(jc);
    let s = Snapshot::compile(r);
    let d: Vec<_> = s
        .diagnostics_for("icb-jc")
        .filter(|d| d.code == "V005")
        .collect();
    assert_eq!(d.len(), 1, "{:?}", s.diagnostics);
    assert!(
        d[0].message.contains("s13Z is not a power of an icb"),
        "{}",
        d[0].message
    );
    assert!(!d[0].message.contains("the-act"), "{}", d[0].message);
}

#[test]
fn joint_committee_of_ccgs_needs_the_2014_order() {
    let mut r = base();
    let mut jc = Instrument::new("jc-2014", InstrumentKind::JointCommittee, date(2014, 6, 1));
    jc.maker = Some("00F".into());
    jc.terms_mut().basis = Some("NHS Act 2006 s.14Z3(2A)".into());
    jc.terms_mut().receivers = Receivers::Bodies(vec!["00F".into(), "00G".into()]);
    jc.functions = vec!["commissioning.secondary-care".into()].into();
    jc.area = Some(AreaExpr::Footprint("00F".into()));
    r.add_instrument(jc.clone());
    let s = Snapshot::compile(r.clone());
    let d: Vec<_> = s.diagnostics_for("jc-2014").collect();
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, "V005");
    assert!(d[0].message.contains("2014-10-01"), "{}", d[0].message);
    // From the Order's commencement it stands: both members hold jointly, 00F stays accountable.
    jc.id = "jc-2015".into();
    jc.from = date(2014, 10, 1);
    r.instruments.retain(|i| i.id != "jc-2014");
    r.add_instrument(jc);
    let s = Snapshot::compile(r);
    assert!(s.invalid().next().is_none(), "{:?}", s.diagnostics);
    let a = s
        .who(
            "commissioning.secondary-care",
            &Place::Body("00F".into()),
            date(2015, 1, 1),
            None,
        )
        .unwrap();
    assert_eq!(
        holders(&a),
        vec![
            ("00F".into(), Role::JointMember),
            ("00G".into(), Role::JointMember)
        ]
    );
    assert!(a.holders.iter().all(|h| h.accountable == "00F"));
}

#[test]
fn intervention_moves_functions_for_a_year_then_back() {
    let mut r = base();
    let mut d = Instrument::new("intervene-00G", InstrumentKind::Direction, date(2014, 1, 1));
    d.maker = Some("X24".into());
    d.terms_mut().basis = Some("NHS Act 2006 s.14Z21".into());
    d.terms_mut().receivers = Receivers::Bodies(vec!["08Q".into()]);
    d.particulars_mut().of = Some(Box::new(Receivers::Bodies(vec!["00G".into()])));
    d.functions = vec!["commissioning.secondary-care".into()].into();
    d.area = Some(AreaExpr::Own);
    d.until = Some(date(2015, 1, 1));
    r.add_instrument(d);
    let s = Snapshot::compile(r);
    assert!(s.invalid().next().is_none(), "{:?}", s.diagnostics);
    let f = "commissioning.secondary-care";
    let place = Place::Body("00G".into());
    assert_eq!(
        holders(&s.who(f, &place, date(2013, 12, 31), None).unwrap()),
        vec![("00G".into(), Role::Statutory)]
    );
    let during = s.who(f, &place, date(2014, 6, 1), None).unwrap();
    assert_eq!(holders(&during), vec![("08Q".into(), Role::Directed)]);
    assert_eq!(during.holders[0].accountable, "00G");
    assert_eq!(
        holders(&s.who(f, &place, date(2015, 1, 1), None).unwrap()),
        vec![("00G".into(), Role::Statutory)]
    );
    let tl = s.timeline(f, &place).unwrap();
    assert_eq!(tl.segments.len(), 3, "{tl:?}");
}

#[test]
fn mandate_without_power_is_reported() {
    let mut r = base();
    let mut m = Instrument::new("lpf-2014", InstrumentKind::Mandate, date(2014, 6, 1));
    m.maker = Some("X24".into());
    m.terms_mut().basis =
        Some("letter from the director of commissioning support services strategy".into());
    m.terms_mut().receivers = Receivers::Every(BodyKind::Ccg);
    m.particulars_mut().requirement = Some(Box::new(Requirement {
        text: "procure BI from the LPF".into(),
        ..Default::default()
    }));
    r.add_instrument(m.clone());
    let s = Snapshot::compile(r.clone());
    assert_eq!(codes_of(&s, "lpf-2014"), vec!["V006"]);
    m.id = "lpf-2014-b".into();
    m.terms_mut().basis = None;
    r.add_instrument(m);
    let s = Snapshot::compile(r);
    assert_eq!(codes_of(&s, "lpf-2014-b"), vec!["V006"]);
}

#[test]
fn bad_instruments_get_diagnostics_not_panics() {
    let mut r = base();
    let mut backwards = delegation(
        "backwards",
        "X24",
        "13T",
        "commissioning.primary-care.medical",
        date(2016, 4, 1),
    );
    backwards.until = Some(date(2016, 1, 1));
    r.add_instrument(backwards);
    r.add_instrument(delegation(
        "ghost",
        "X24",
        "ZZZ",
        "commissioning.primary-care.medical",
        date(2016, 4, 1),
    ));
    r.add_instrument(delegation(
        "nofn",
        "X24",
        "13T",
        "commissioning.no-such",
        date(2016, 4, 1),
    ));
    r.add_instrument(delegation(
        "dead-receiver",
        "X24",
        "00F",
        "commissioning.primary-care.medical",
        date(2016, 4, 1),
    ));
    r.add_instrument(delegation(
        "lacks",
        "08Q",
        "13T",
        "commissioning.primary-care.medical",
        date(2016, 4, 1),
    ));
    let mut rev = Instrument::new("revoke-ghost", InstrumentKind::Revoke, date(2016, 5, 1));
    rev.particulars_mut().target = Some("no-such-instrument".into());
    r.add_instrument(rev);
    let mut rev2 = Instrument::new("revoke-dead", InstrumentKind::Revoke, date(2030, 5, 1));
    rev2.particulars_mut().target = Some("backwards".into());
    r.add_instrument(rev2);
    r.add_instrument(delegation(
        "ghost",
        "X24",
        "13T",
        "commissioning.primary-care.medical",
        date(2016, 4, 1),
    ));
    let s = Snapshot::compile(r);
    assert!(codes_of(&s, "backwards").contains(&"V004"));
    assert!(codes_of(&s, "ghost").contains(&"V001"));
    assert!(codes_of(&s, "ghost").contains(&"V017"));
    assert_eq!(codes_of(&s, "nofn"), vec!["V002"]);
    assert_eq!(codes_of(&s, "dead-receiver"), vec!["V008"]);
    assert!(codes_of(&s, "lacks").contains(&"V005") || codes_of(&s, "lacks").contains(&"V007"));
    assert_eq!(codes_of(&s, "revoke-ghost"), vec!["V012"]);
    assert_eq!(codes_of(&s, "revoke-dead"), vec!["V013"]);
}

#[test]
fn revocation_ends_a_delegation() {
    let mut r = base();
    r.add_instrument(delegation(
        "pc-13T",
        "X24",
        "13T",
        "commissioning.primary-care.medical",
        date(2015, 4, 1),
    ));
    let mut rev = Instrument::new("pc-13T-end", InstrumentKind::Revoke, date(2018, 4, 1));
    rev.maker = Some("X24".into());
    rev.particulars_mut().target = Some("pc-13T".into());
    r.add_instrument(rev);
    let s = Snapshot::compile(r);
    assert!(s.invalid().next().is_none(), "{:?}", s.diagnostics);
    let p = Place::Body("13T".into());
    let f = "commissioning.primary-care.medical";
    assert_eq!(
        holders(&s.who(f, &p, date(2018, 3, 31), None).unwrap()),
        vec![("13T".into(), Role::Delegate)]
    );
    assert_eq!(
        holders(&s.who(f, &p, date(2018, 4, 1), None).unwrap()),
        vec![("X24".into(), Role::Statutory)]
    );
    let diff = s.diff(date(2018, 3, 31), date(2018, 4, 1));
    assert_eq!(diff.removed.len(), 1);
    assert_eq!(diff.removed[0].body, "13T");
}

#[test]
fn practices_resolve_through_memberships_and_gaps_are_found() {
    let mut r = base();
    let a = practice_a1_in_13t(&mut r);
    let f = r.body_at("00F", date(2014, 1, 1)).unwrap();
    r.add_membership(
        a,
        f,
        Interval::new(date(2013, 4, 1), Some(date(2015, 4, 1))),
    );
    let s = Snapshot::compile(r);
    let p = Place::Practice("A1".into());
    let sc = "commissioning.secondary-care";
    assert_eq!(
        holders(&s.who(sc, &p, date(2014, 1, 1), None).unwrap()),
        vec![("00F".into(), Role::Statutory)]
    );
    assert_eq!(
        holders(&s.who(sc, &p, date(2016, 1, 1), None).unwrap()),
        vec![("13T".into(), Role::Statutory)]
    );
    assert!(s.coverage(sc, date(2022, 7, 1)).unwrap().is_empty());
    // After 13T ends there is no ICB in this register: a gap.
    let gaps = s.coverage(sc, date(2023, 1, 1)).unwrap();
    assert!(
        gaps.is_empty(),
        "membership ends with 13T, so nothing to cover: {gaps:?}"
    );
    let w = s.what("13T", date(2016, 1, 1)).unwrap();
    assert!(w.holdings.iter().any(|h| h.function == sc));
    assert!(matches!(
        s.who(sc, &Place::Practice("NOPE".into()), date(2016, 1, 1), None),
        Err(QueryError::UnknownPractice(_))
    ));
}

#[test]
fn a_register_checked_in_runs_finds_what_its_parts_find() {
    // More instruments than one run of the field checks (8,192), so both threads take
    // runs and their findings are merged.
    let mut big = base();
    let mut bad_only = base();
    let mut good = 0;
    for k in 0..20_000 {
        let mut d = delegation(
            &format!("d{k}"),
            "X24",
            "13T",
            "commissioning.primary-care.medical",
            date(2016, 4, 1),
        );
        d.until = Some(date(2022, 7, 1));
        let bad = k % 997 == 0 || k % 1009 == 0;
        if k % 997 == 0 {
            d.functions = vec![format!("commissioning.no-such-{k}").into()].into();
        }
        if k % 1009 == 0 {
            d.terms_mut().receivers = Receivers::Bodies(vec![format!("Z{k}")]);
        }
        if bad {
            bad_only.add_instrument(d.clone());
        } else {
            good += 1;
        }
        big.add_instrument(d);
    }
    let (big, bad_only) = (Snapshot::compile(big), Snapshot::compile(bad_only));
    assert!(!bad_only.diagnostics.is_empty());
    assert_eq!(big.diagnostics, bad_only.diagnostics);
    assert_eq!(big.grant_count(), bad_only.grant_count() + good);
}

#[test]
fn exercises_at_a_practice_are_checked_against_what_their_maker_held() {
    let mut r = base();
    practice_a1_in_13t(&mut r);
    let mut d = covid_direction();
    d.terms_mut().purposes = vec!["coronavirus-support".into()];
    r.add_instrument(d);
    // (id, maker, practice, date, purposes, V016 expected)
    type Case<'a> = (&'a str, &'a str, &'a str, Date, &'a [&'a str], bool);
    let cases: [Case; 6] = [
        ("by-holder", "13T", "A1", date(2016, 1, 1), &[], false),
        ("by-other-ccg", "08Q", "A1", date(2016, 1, 1), &[], true),
        (
            "direction-purpose",
            "X24",
            "A1",
            date(2020, 6, 1),
            &["coronavirus-support"],
            false,
        ),
        (
            "one-purpose-outside",
            "X24",
            "A1",
            date(2020, 6, 1),
            &["coronavirus-support", "routine-commissioning"],
            true,
        ),
        ("before-direction", "X24", "A1", date(2016, 1, 1), &[], true),
        (
            "no-such-practice",
            "13T",
            "NOPE",
            date(2016, 1, 1),
            &[],
            false,
        ),
    ];
    // Enough copies that the field checks take several runs and the exercise check
    // splits the list between two threads.
    let copies = 2_000;
    for k in 0..copies {
        for (id, by, practice, on, purposes, _) in &cases {
            let mut e = Instrument::new(format!("{id}-{k}"), InstrumentKind::Exercise, *on);
            e.maker = Some((*by).into());
            e.functions = vec!["commissioning.secondary-care".into()].into();
            e.area = Some(AreaExpr::Practices(
                [(*practice).into()].into_iter().collect(),
            ));
            e.terms_mut().purposes = purposes.iter().map(|p| p.to_string()).collect();
            r.add_instrument(e);
        }
    }
    let s = Snapshot::compile(r);
    for k in [0, copies / 2, copies - 1] {
        for (id, .., outside) in &cases {
            let id = format!("{id}-{k}");
            let codes = codes_of(&s, &id);
            assert_eq!(codes.contains(&"V016"), *outside, "{id}: {codes:?}");
        }
        let unknown = codes_of(&s, &format!("no-such-practice-{k}"));
        assert!(!unknown.is_empty(), "an unknown practice is reported");
    }
    let v016 = s.diagnostics.iter().filter(|d| d.code == "V016").count();
    assert_eq!(v016, 3 * copies);
    let d = s
        .diagnostics_for("one-purpose-outside-0")
        .find(|d| d.code == "V016")
        .map(|d| d.message.clone())
        .unwrap_or_default();
    assert!(d.contains("routine-commissioning"), "{d}");
}

#[test]
fn the_parts_built_side_by_side_make_the_snapshot_one_thread_makes() {
    // Enough instruments (over 37,000) that both threads take runs of the field checks,
    // and enough arrangements (over 4,096), grants and exercises (over 2,048) that the
    // pairings, the grants' index and lists and the exercise check are each split between
    // two threads. Delegations to the merged CCGs are carried on to 13T (continuations),
    // onward ones rest on others, and some are void.
    let mut r = base();
    practice_a1_in_13t(&mut r);
    r.add_instrument(covid_direction());
    let mut arrangements = 0;
    for k in 0..6_000u32 {
        let to = ["00F", "00G", "08Q"][k as usize % 3];
        let year = 2013 + (k % 2) as i16;
        let f = if k % 5 == 0 {
            "commissioning.primary-care.dental"
        } else {
            "commissioning.primary-care.medical"
        };
        let mut d = delegation(
            &format!("d{k}"),
            "X24",
            to,
            f,
            date(year, 4 + (k % 6) as i8, 1),
        );
        if k % 7 == 0 {
            d.until = Some(date(2018, 4, 1));
        }
        if k % 499 == 0 {
            d.functions = vec![format!("commissioning.no-such-{k}").into()].into();
        }
        r.add_instrument(d);
        arrangements += 1;
        if k % 4 == 0 {
            let mut onward = delegation(
                &format!("onward{k}"),
                "13T",
                "08Q",
                "commissioning.secondary-care",
                date(2016, 1 + (k % 12) as i8, 1),
            );
            onward.terms_mut().basis = Some("NHS Act 2006 s.14Z3".into());
            r.add_instrument(onward);
            arrangements += 1;
        }
    }
    for k in 0..30_000u32 {
        let mut e = Instrument::new(format!("e{k}"), InstrumentKind::Exercise, date(2016, 3, 1));
        e.maker = Some(["13T", "08Q"][k as usize % 2].into());
        e.functions = vec!["commissioning.secondary-care".into()].into();
        e.area = Some(AreaExpr::Practices(["A1".into()].into_iter().collect()));
        r.add_instrument(e);
    }
    assert!(arrangements > 4_096);
    // One line per grant (with the lists it refers to by number) and per diagnostic, so a
    // difference shows as one line.
    let shown = |s: &Snapshot| -> Vec<String> {
        let mut v: Vec<String> = s
            .grants
            .iter()
            .map(|g| {
                let (areas, via, purposes) = (s.areas(g), s.via(g), s.purposes(g));
                format!("{g:?} area {areas:?} via {via:?} purposes {purposes:?}")
            })
            .collect();
        v.extend(s.diagnostics.iter().map(|d| format!("{d:?}")));
        v
    };
    let two = Snapshot::compile(r.clone());
    let one = vires_core::compile::compile_on_one_thread(r);
    assert!(two.grant_count() > 4_096, "{} grants", two.grant_count());
    assert!(two.diagnostics.iter().any(|d| d.code == "V016"));
    assert!(
        two.grants.iter().any(|g| g.via != 0),
        "some grants carried on by the merger"
    );
    let (two, one) = (shown(&two), shown(&one));
    let first_difference = two.iter().zip(&one).position(|(a, b)| a != b);
    assert_eq!(
        first_difference.map(|k| (&two[k], &one[k])),
        None,
        "two threads against one, at line {first_difference:?}"
    );
    assert_eq!(two.len(), one.len());
}

#[test]
fn a_retained_function_that_is_not_excepted_is_reported_and_excepting_it_keeps_it() {
    let mut r = base();
    let mut pc = delegation(
        "pc-13T",
        "X24",
        "13T",
        "commissioning.primary-care.medical",
        date(2015, 4, 1),
    );
    // Ends with 13T, so that the register has no orphaned chain to report.
    pc.until = Some(date(2022, 7, 1));
    pc.particulars_mut().retained = vec![
        "commissioning.primary-care.medical.performers (performers list)".into(),
        "other matters in the agreement".into(),
    ];
    r.add_instrument(pc.clone());
    let performers = "commissioning.primary-care.medical.performers";
    let s = Snapshot::compile(r.clone());
    assert_eq!(codes_of(&s, "pc-13T"), vec!["V023"]);
    assert!(s.invalid().next().is_none(), "a warning voids nothing");
    let place = Place::Body("13T".into());
    let a = s.who(performers, &place, date(2016, 1, 1), None).unwrap();
    assert_eq!(holders(&a), vec![("13T".into(), Role::Delegate)]);
    // Excepted, it stays with NHS England, and nothing is reported.
    let mut r = base();
    pc.particulars_mut().except = vec![performers.into()];
    r.add_instrument(pc);
    let s = Snapshot::compile(r);
    assert!(codes_of(&s, "pc-13T").is_empty(), "{:?}", s.diagnostics);
    let a = s.who(performers, &place, date(2016, 1, 1), None).unwrap();
    assert_eq!(holders(&a), vec![("X24".into(), Role::Statutory)]);
}

/// One delegation to both 00F and 00G, carried into 13T from each when they merge: one
/// holding reached along two paths. Asked of a practice in 13T, and of England, 13T is
/// listed once (NHS England, which delegated all of it there, is accountable only).
#[test]
fn a_delegation_carried_from_two_predecessors_is_one_holder() {
    let mut r = base();
    let mut d = delegation(
        "pc-00F-00G",
        "X24",
        "00F",
        "commissioning.primary-care.medical",
        date(2014, 4, 1),
    );
    d.terms_mut().receivers = Receivers::Bodies(vec!["00F".into(), "00G".into()]);
    r.add_instrument(d);
    practice_a1_in_13t(&mut r);
    let s = Snapshot::compile(r);
    assert!(s.invalid().next().is_none(), "{:?}", s.diagnostics);
    let on = date(2016, 1, 1);
    let f = "commissioning.primary-care.medical";
    let at_a1 = s.who(f, &Place::Practice("A1".into()), on, None).unwrap();
    assert_eq!(holders(&at_a1), vec![("13T".into(), Role::Delegate)]);
    assert_eq!(at_a1.accountable_only, vec!["X24".to_string()]);
    // England's only practice is A1: 13T exercises the function at all of it, and NHS
    // England, which holds it for all England, has delegated it there.
    let england = s.who(f, &Place::England, on, None).unwrap();
    assert_eq!(holders(&england), vec![("13T".into(), Role::Delegate)]);
    assert_eq!(england.holders[0].coverage, Coverage::Full);
    assert_eq!(england.accountable_only, vec!["X24".to_string()]);
}

/// A function each CCG holds for its own footprint, asked of England: every CCG is listed
/// as a holder of part of it, with the practices it covers, and the practices nobody holds
/// it for are named in a caveat (worked out by hand: A1 is in 13T; A2 is in 00M, which has
/// no secondary-care conferral in this register because it is not a CCG).
#[test]
fn england_lists_each_holder_of_part_and_the_part_nobody_holds() {
    let mut r = base();
    practice_a1_in_13t(&mut r);
    let other = r
        .add_body(body("00M", BodyKind::Other, date(2013, 4, 1), None))
        .unwrap();
    let a2 = r
        .add_practice(Practice {
            code: "A2".into(),
            name: "Practice A2".into(),
            postcode: None,
            status: None,
        })
        .unwrap();
    r.add_membership(a2, other, Interval::new(date(2013, 4, 1), None));
    let s = Snapshot::compile(r);
    let a = s
        .who(
            "commissioning.secondary-care",
            &Place::England,
            date(2016, 1, 1),
            None,
        )
        .unwrap();
    assert_eq!(holders(&a), vec![("13T".into(), Role::Statutory)]);
    let part = a.holders[0].part.as_ref().unwrap();
    assert_eq!((part.practices, part.of), (1, 2));
    assert_eq!(part.area, vec!["footprint(13T)".to_string()]);
    assert_eq!(a.holders[0].coverage, Coverage::Partial);
    let gap: Vec<_> = a
        .caveats
        .iter()
        .filter(|c| c.kind == CaveatKind::NoHolder)
        .collect();
    assert_eq!(gap.len(), 1, "{:#?}", a.caveats);
    assert!(
        gap[0].message.contains("1 of the 2 practices"),
        "{}",
        gap[0].message
    );
    assert!(gap[0].message.contains("A2"), "{}", gap[0].message);
    // Asked of the practice itself, the answer is the one holder, with no part.
    let one = s
        .who(
            "commissioning.secondary-care",
            &Place::Practice("A1".into()),
            date(2016, 1, 1),
            None,
        )
        .unwrap();
    assert_eq!(holders(&one), vec![("13T".into(), Role::Statutory)]);
    assert!(one.holders[0].part.is_none());
}

/// A delegation to 00F runs on in 13T after the 2015 merger, and 13T is abolished on
/// 2022-07-01 with no successor: the orphan warning names 13T, the body that ended, not
/// 00F (which did have a successor).
#[test]
fn an_orphan_names_the_successor_that_ended() {
    let mut r = base();
    r.add_instrument(delegation(
        "pc-00F",
        "X24",
        "00F",
        "commissioning.primary-care.medical",
        date(2014, 4, 1),
    ));
    let s = Snapshot::compile(r);
    let orphans: Vec<&Diagnostic> = s
        .diagnostics
        .iter()
        .filter(|d| d.code == "V014" && d.subject == "pc-00F")
        .collect();
    assert_eq!(orphans.len(), 1, "{:#?}", s.diagnostics);
    let m = &orphans[0].message;
    assert!(
        m.starts_with("13T (00F's successor) was abolished on 2022-07-01"),
        "{m}"
    );
}

/// 00F and 00G became 13T in 2015, and 13T became QHM in 2022: QHM's lineage lists 00F
/// and 00G as reached through 13T, and 00F's lists QHM as reached through 13T.
#[test]
fn lineage_shows_the_path_to_a_code_reached_through_others() {
    let mut r = base();
    r.add_succession(Succession {
        from: "13T".into(),
        to: "QHM".into(),
        on: date(2022, 7, 1),
    });
    let step = |code: &str, on: Date, via: &[&str]| lineage::Step {
        code: code.into(),
        on,
        via: via.iter().map(|v| v.to_string()).collect(),
    };
    let qhm = lineage::lineage(&r, "QHM").unwrap();
    assert_eq!(
        qhm.predecessors,
        vec![
            step("00F", date(2015, 4, 1), &["13T"]),
            step("00G", date(2015, 4, 1), &["13T"]),
            step("13T", date(2022, 7, 1), &[]),
        ]
    );
    let f = lineage::lineage(&r, "00F").unwrap();
    assert_eq!(
        f.successors,
        vec![
            step("13T", date(2015, 4, 1), &[]),
            step("QHM", date(2022, 7, 1), &["13T"]),
        ]
    );
}
