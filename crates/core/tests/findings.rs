//! The analyses find what is there, exactly: a gap, an overlap, an orphan and an expiring
//! instrument, each in a small register whose answer is worked out by hand (in the comments)
//! rather than taken from the program.

use jiff::civil::{date, Date};
use vires_core::*;

fn body(code: &str, kind: BodyKind, from: Date, until: Option<Date>) -> Body {
    Body {
        code: code.into(),
        name: format!("{code} name"),
        kind,
        life: Interval::new(from, until),
        basis: None,
        source: None,
        ons_code: None,
        span: None,
    }
}

const SC: &str = "commissioning.secondary-care";
const PCM: &str = "commissioning.primary-care.medical";

/// PARLIAMENT, NHS England (X24), CCGs A and C (from 2013-04-01) and B (2013-04-01 to
/// 2016-04-01, abolished with no successor); practices P1 and P2 in A, P3 and P4 in B (for
/// B's life), P5 in C. Secondary care is conferred on A and C from 2013-04-01 and on B
/// only from 2014-04-01; primary medical care on NHS England for all England.
fn register() -> Register {
    let mut r = Register::new();
    let start = date(2013, 4, 1);
    r.add_body(body(
        "PARLIAMENT",
        BodyKind::Parliament,
        date(1900, 1, 1),
        None,
    ))
    .unwrap();
    r.add_body(body("X24", BodyKind::NhsEngland, date(2012, 10, 1), None))
        .unwrap();
    let a = r.add_body(body("A", BodyKind::Ccg, start, None)).unwrap();
    let b = r
        .add_body(body("B", BodyKind::Ccg, start, Some(date(2016, 4, 1))))
        .unwrap();
    let c = r.add_body(body("C", BodyKind::Ccg, start, None)).unwrap();
    for f in ["commissioning", SC, "commissioning.primary-care", PCM] {
        r.declare_function(f, f);
    }
    r.add_power(Power {
        id: "s13Z".into(),
        title: "s.13Z".into(),
        cites: vec!["s.13Z".into()],
        makers: vec![BodyKind::NhsEngland],
        kinds: vec![InstrumentKind::Delegation],
        receivers: vec![],
        during: Interval::new(start, None),
        source: "test".into(),
    });
    for (code, at, until) in [
        ("P1", a, None),
        ("P2", a, None),
        ("P3", b, Some(date(2016, 4, 1))),
        ("P4", b, Some(date(2016, 4, 1))),
        ("P5", c, None),
    ] {
        let p = r
            .add_practice(Practice {
                code: code.into(),
                name: "".into(),
                postcode: None,
                status: None,
            })
            .unwrap();
        r.add_membership(p, at, Interval::new(start, until));
    }
    for (id, to, f, area, from) in [
        ("sc-a-c", vec!["A", "C"], SC, AreaExpr::Own, start),
        ("sc-b", vec!["B"], SC, AreaExpr::Own, date(2014, 4, 1)),
        ("pc-x24", vec!["X24"], PCM, AreaExpr::England, start),
    ] {
        let mut i = Instrument::new(id, InstrumentKind::Conferral, from);
        i.maker = Some("PARLIAMENT".into());
        i.terms_mut().receivers = Receivers::Bodies(to.into_iter().map(String::from).collect());
        i.functions = vec![f.into()].into();
        i.area = Some(area);
        r.add_instrument(i);
    }
    r
}

fn delegation(id: &str, to: &str, area: AreaExpr, from: Date, until: Option<Date>) -> Instrument {
    let mut d = Instrument::new(id, InstrumentKind::Delegation, from);
    d.maker = Some("X24".into());
    d.terms_mut().basis = Some("NHS Act 2006 s.13Z".into());
    d.terms_mut().receivers = Receivers::Bodies(vec![to.into()]);
    d.functions = vec![PCM.into()].into();
    d.area = Some(area);
    d.until = until;
    d
}

/// Secondary care in B's footprint (P3 and P4) has no holder from B's establishment on
/// 2013-04-01 until its conferral on 2014-04-01: one gap per practice, exactly that
/// interval, nobody holding. Everywhere else (A's P1, P2; C's P5; B's after 2014) it is
/// held by one body, so there is nothing else to find.
#[test]
fn a_gap_is_found_exactly() {
    let s = Snapshot::compile(register());
    let found = s.coverage(SC, date(2020, 1, 1)).unwrap();
    let found: Vec<_> = found
        .iter()
        .map(|f| {
            (
                f.problem.clone(),
                f.function.as_str(),
                f.place.clone(),
                f.from,
                f.until,
                f.holders.clone(),
            )
        })
        .collect();
    let gap = |p: &str| {
        (
            CoverageProblem::Gap,
            SC,
            Place::Practice(p.into()),
            date(2013, 4, 1),
            Some(date(2014, 4, 1)),
            Vec::<String>::new(),
        )
    };
    assert_eq!(found, vec![gap("P3"), gap("P4")]);
    // The gap's practices are B's whole footprint then.
    let b = s.register().body_at("B", date(2013, 4, 1)).unwrap();
    let mut in_b: Vec<&str> = s
        .footprint_practices(b, date(2013, 4, 1))
        .into_iter()
        .map(|a| s.register().practices[a.0 as usize].code.as_str())
        .collect();
    in_b.sort();
    assert_eq!(in_b, ["P3", "P4"]);
}

/// NHS England delegates primary medical care for A's footprint to A from 2016-04-01, and
/// for the same footprint to C during 2017. Both are exclusive and unrestricted, so at P1
/// and P2 (A's practices) A and C overlap for exactly 2017-01-01 to 2018-01-01; before and
/// after, A alone holds it there, and NHS England holds it everywhere else.
#[test]
fn an_overlap_is_found_exactly() {
    let mut r = register();
    r.add_instrument(delegation(
        "pc-a",
        "A",
        AreaExpr::Own,
        date(2016, 4, 1),
        None,
    ));
    r.add_instrument(delegation(
        "pc-c-for-a",
        "C",
        AreaExpr::Footprint("A".into()),
        date(2017, 1, 1),
        Some(date(2018, 1, 1)),
    ));
    let s = Snapshot::compile(r);
    assert!(s.invalid().next().is_none(), "{:?}", s.diagnostics);
    let found: Vec<_> = s
        .coverage(PCM, date(2020, 1, 1))
        .unwrap()
        .into_iter()
        .map(|f| (f.problem, f.place, f.from, f.until, f.holders))
        .collect();
    let overlap = |p: &str| {
        (
            CoverageProblem::Overlap,
            Place::Practice(p.into()),
            date(2017, 1, 1),
            Some(date(2018, 1, 1)),
            vec!["A".to_string(), "C".to_string()],
        )
    };
    assert_eq!(found, vec![overlap("P1"), overlap("P2")]);
}

/// A delegation to B from 2015-04-01 to 2018-04-01 loses its receiver when B is abolished
/// on 2016-04-01 with no successor: one orphan (V014) about that instrument, on that date,
/// and nothing else is wrong. After the abolition nobody holds it as delegate.
#[test]
fn an_orphan_is_found_exactly() {
    let mut r = register();
    r.add_instrument(delegation(
        "pc-b",
        "B",
        AreaExpr::Own,
        date(2015, 4, 1),
        Some(date(2018, 4, 1)),
    ));
    let s = Snapshot::compile(r);
    let orphans: Vec<_> = s
        .orphans()
        .map(|d| (d.code, d.subject.as_str(), d.severity))
        .collect();
    assert_eq!(orphans, [("V014", "pc-b", Severity::Warning)]);
    let d = s.orphans().next().unwrap();
    assert!(
        d.message.contains("B") && d.message.contains("2016-04-01"),
        "{}",
        d.message
    );
    assert!(s.invalid().next().is_none(), "{:?}", s.diagnostics);
    let w = s
        .who(PCM, &Place::Practice("P3".into()), date(2016, 3, 31), None)
        .unwrap();
    assert_eq!(
        w.holders
            .iter()
            .map(|h| h.body.as_str())
            .collect::<Vec<_>>(),
        ["B"]
    );
}

/// On 2019-03-01, looking 60 days ahead (to 2019-04-30): a delegation ending 2019-03-31 has
/// 30 days left; one ending 2019-06-30 is beyond the horizon; one that ended on 2019-03-01
/// is no longer in force; a void one (its receiver does not exist) is not listed; an
/// amendment bringing a fourth forward from 2020 to 2019-04-30 puts it at the horizon's
/// last day, 60 days.
#[test]
fn an_expiring_instrument_is_found_exactly() {
    let mut r = register();
    let a = AreaExpr::Own;
    r.add_instrument(delegation(
        "ends-march",
        "A",
        a.clone(),
        date(2018, 4, 1),
        Some(date(2019, 3, 31)),
    ));
    r.add_instrument(delegation(
        "ends-june",
        "C",
        a.clone(),
        date(2018, 4, 1),
        Some(date(2019, 6, 30)),
    ));
    r.add_instrument(delegation(
        "ended",
        "A",
        AreaExpr::Footprint("C".into()),
        date(2018, 4, 1),
        Some(date(2019, 3, 1)),
    ));
    r.add_instrument(delegation(
        "void",
        "Z",
        a.clone(),
        date(2018, 4, 1),
        Some(date(2019, 3, 15)),
    ));
    r.add_instrument(delegation(
        "brought-forward",
        "C",
        AreaExpr::Footprint("A".into()),
        date(2018, 4, 1),
        Some(date(2020, 4, 1)),
    ));
    let mut amend = Instrument::new("bring-forward", InstrumentKind::Amend, date(2019, 1, 1));
    amend.maker = Some("X24".into());
    amend.particulars_mut().target = Some("brought-forward".into());
    amend.particulars_mut().changes = Some(Box::new(AmendChanges {
        until: Some(date(2019, 4, 30)),
        ..Default::default()
    }));
    r.add_instrument(amend);
    let s = Snapshot::compile(r);
    assert!(s.is_void(s.instrument_id("void").unwrap()));
    let found: Vec<_> = s
        .expiring(date(2019, 3, 1), 60)
        .into_iter()
        .map(|e| (e.instrument, e.until, e.days_left))
        .collect();
    assert_eq!(
        found,
        [
            ("ends-march".to_string(), date(2019, 3, 31), 30),
            ("brought-forward".to_string(), date(2019, 4, 30), 60),
        ]
    );
}
