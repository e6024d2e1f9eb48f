//! Lowering into the core register, and core diagnostics pointing back at the text.

use vires_core::{AreaExpr, BodyKind, InstrumentKind, Onward, Place, Receivers, Snapshot};
use vires_lang::*;

fn load_fixture(name: &str, text: &str) -> Loaded {
    let mut sources = Sources::new();
    sources.add(name, text);
    let loaded = load_with_prelude(&sources);
    let shown = render(&loaded.sources, &loaded.errors, &[], false);
    assert!(loaded.errors.is_empty(), "{shown}");
    loaded
}

fn text_at(loaded: &Loaded, span: Option<vires_core::Span>) -> &str {
    let s = span.expect("span");
    let f = loaded.sources.get(s.file).expect("file");
    &f.text[s.start as usize..s.end as usize]
}

#[test]
fn co_commissioning_lowers_every_record() {
    let l = load_fixture(
        "co-commissioning.vires",
        include_str!("fixtures/co-commissioning.vires"),
    );
    let reg = &l.register;
    // 3 prelude bodies + 4 CCGs.
    assert_eq!(reg.bodies.len(), 7);
    let b13t = reg.body_at("13T", jiff::civil::date(2016, 1, 1)).unwrap();
    assert_eq!(reg.body(b13t).kind, BodyKind::Ccg);
    assert_eq!(reg.body(b13t).ons_code.as_deref(), Some("E38000212"));
    assert!(reg.body(b13t).span.is_some());
    // Practice A85001 moved from 00F to 13T; A85002 is in 13T for 13T's life.
    assert_eq!(reg.practices.len(), 2);
    assert_eq!(reg.memberships.len(), 3);
    let a2 = reg.practice_id("A85002").unwrap();
    let m = reg.memberships.iter().find(|m| m.practice == a2).unwrap();
    assert_eq!(m.body, b13t);
    assert_eq!(m.during, reg.body(b13t).life);
    assert_eq!(reg.successions.len(), 1);
    assert_eq!(
        reg.area("newcastle-gateshead").unwrap().expr,
        AreaExpr::Footprint("13T".into())
    );

    let d = reg
        .instruments
        .iter()
        .find(|i| i.id == "pc-13T-2016")
        .unwrap();
    assert_eq!(d.kind, InstrumentKind::Delegation);
    assert_eq!(
        &*d.title,
        "Primary medical services to NHS Newcastle Gateshead CCG"
    );
    assert_eq!(d.maker.as_deref(), Some("X24"));
    assert_eq!(d.terms().receivers, Receivers::Bodies(vec!["13T".into()]));
    assert_eq!(
        d.particulars().except,
        ["commissioning.primary-care.medical.performers"]
    );
    assert_eq!(d.particulars().retained.len(), 2);
    assert_eq!(d.area, Some(AreaExpr::Own));
    assert_eq!(d.onward, Onward::Forbidden);
    assert_eq!(d.particulars().review, Some(jiff::civil::date(2018, 9, 30)));
    assert_eq!(text_at(&l, d.spans().basis), "\"NHS Act 2006 s.13Z\"");
    assert_eq!(text_at(&l, d.spans().maker), "X24");
    assert_eq!(text_at(&l, d.spans().until), "2022-07-01");
    assert_eq!(text_at(&l, d.spans().id), "pc-13T-2016");
    assert!(text_at(&l, d.spans().whole).starts_with("delegation \"Primary"));

    let m = reg
        .instruments
        .iter()
        .find(|i| i.kind == InstrumentKind::Merge)
        .unwrap();
    assert_eq!(m.particulars().predecessors, ["00F", "00G", "00H"]);
    assert_eq!(m.terms().receivers, Receivers::Bodies(vec!["13T".into()]));
    assert_eq!(text_at(&l, m.spans().receivers), "13T");
    // No `id`: the id is a slug of the title.
    assert_eq!(
        m.id,
        "newcastle-north-and-east-newcastle-west-and-gateshead-ccgs-merge"
    );

    let c = reg
        .instruments
        .iter()
        .find(|i| i.id == "hsca-2012-ccg-secondary-care")
        .unwrap();
    assert_eq!(c.terms().receivers, Receivers::Every(BodyKind::Ccg));
}

#[test]
fn co_commissioning_compiles_and_answers() {
    let l = load_fixture(
        "co-commissioning.vires",
        include_str!("fixtures/co-commissioning.vires"),
    );
    let snap = Snapshot::compile(l.register);
    let errors: Vec<_> = snap
        .diagnostics
        .iter()
        .filter(|d| d.severity == vires_core::Severity::Error)
        .collect();
    assert!(
        errors.is_empty(),
        "{}",
        render(&l.sources, &[], &snap.diagnostics, false)
    );
    let who = snap
        .who(
            "commissioning.primary-care.medical",
            &Place::Practice("A85001".into()),
            jiff::civil::date(2017, 6, 1),
            None,
        )
        .unwrap();
    let holders: Vec<&str> = who.holders.iter().map(|h| h.body.as_str()).collect();
    assert!(holders.contains(&"13T"), "{who:?}");
}

#[test]
fn a_requirement_resting_on_no_power_is_reported_at_its_basis() {
    let l = load_fixture(
        "support-mandate.vires",
        include_str!("fixtures/support-mandate.vires"),
    );
    let m = &l.register.instruments[0];
    let req = m.particulars().requirement.as_ref().unwrap();
    assert_eq!(req.categories, ["business-intelligence", "gp-it"]);
    assert_eq!(req.exception_evidence.len(), 3);
    assert!(!req.collective);
    assert!(req.stranded_costs.is_some());
    let sources = l.sources.clone();
    let snap = Snapshot::compile(l.register);
    let d = snap
        .diagnostics
        .iter()
        .find(|d| d.code == vires_core::diagnostic::codes::REQUIREMENT_WITHOUT_POWER)
        .unwrap_or_else(|| panic!("no V006: {:?}", snap.diagnostics));
    let span = d.span.unwrap();
    assert_eq!(sources.line_col(span), Some((4, 22)));
    let out = render(&sources, &[], std::slice::from_ref(d), false);
    assert!(out.contains("[support-mandate.vires:4:22]"), "{out}");
    assert!(out.contains("V006"), "{out}");
}

#[test]
fn covid_direction_and_its_extension() {
    let l = load_fixture(
        "covid-direction.vires",
        include_str!("fixtures/covid-direction.vires"),
    );
    let reg = &l.register;
    let d = reg
        .instruments
        .iter()
        .find(|i| i.id == "covid-ccg-functions-2020")
        .unwrap();
    assert!(d.concurrent);
    assert_eq!(
        d.particulars().of,
        Some(Box::new(Receivers::Every(BodyKind::Ccg)))
    );
    assert_eq!(
        d.terms().purposes,
        ["independent-provider-commissioning", "coronavirus-support"]
    );
    let a = reg
        .instruments
        .iter()
        .find(|i| i.kind == InstrumentKind::Amend)
        .unwrap();
    assert_eq!(
        a.particulars().target.as_deref(),
        Some("covid-ccg-functions-2020")
    );
    assert_eq!(
        a.particulars().changes.as_ref().unwrap().until,
        Some(jiff::civil::date(2021, 4, 1))
    );
    let snap = Snapshot::compile(l.register);
    let place = Place::Body("00C".into());
    let on = |y, m, d| jiff::civil::date(y, m, d);
    let holders = |date| {
        snap.who(
            "commissioning.secondary-care",
            &place,
            date,
            Some("coronavirus-support"),
        )
        .unwrap()
        .holders
        .into_iter()
        .map(|h| h.body.to_string())
        .collect::<Vec<_>>()
    };
    assert!(holders(on(2020, 6, 1)).contains(&"X24".to_string()));
    // The amendment carries the direction to 2021-03-31.
    assert!(holders(on(2021, 2, 1)).contains(&"X24".to_string()));
    assert!(!holders(on(2021, 4, 1)).contains(&"X24".to_string()));
}

#[test]
fn prelude_spans_point_into_the_prelude() {
    let loaded = load_with_prelude(&Sources::new());
    let x24 = loaded
        .register
        .body_at("X24", jiff::civil::date(2020, 1, 1))
        .unwrap();
    let span = loaded.register.body(x24).span.unwrap();
    let file = loaded.sources.get(span.file).unwrap();
    assert_eq!(file.name, "prelude/bodies.vires");
    assert!(file.text[span.start as usize..].starts_with("body X24"));
    assert_eq!(PRELUDE_SOURCES.len(), 3);
}

#[test]
fn a_source_named_like_a_prelude_file_replaces_it() {
    let mut sources = Sources::new();
    sources.add(
        "prelude/bodies.vires",
        "body X24 { name \"NHS England\" kind nhs-england from 2012-10-01 }",
    );
    let loaded = load_with_prelude(&sources);
    assert!(loaded.errors.is_empty(), "{:?}", loaded.errors);
    assert_eq!(loaded.sources.len(), 3);
    assert_eq!(loaded.register.bodies.len(), 1);
}

#[test]
fn areas_changes_and_receivers_lower_to_their_core_forms() {
    let text = r#"
body 00T { name "NHS Bolton CCG" kind ccg from 2013-04-01 until 2022-07-01 }
body 01D { name "NHS Heywood, Middleton and Rochdale CCG" kind ccg from 2013-04-01 until 2022-07-01 }
body QOP { name "NHS Greater Manchester ICB" kind icb from 2022-07-01 }
body 01G { name "NHS Salford" kind sub-icb-location from 2022-07-01 in QOP }
practice P1 { name "p" in 00T from 2013-04-01 until 2022-07-01 in 01G from 2022-07-01 }
area gm { name "Greater Manchester" is footprint(00T) + footprint(01D) }

joint-committee "GM Joint Commissioning Board" {
  id            gm-jcb
  basis         "NHS Act 2006 s.14Z3(2A)"
  by            00T
  to            00T, 01D
  functions     commissioning.secondary-care
  area          gm + practices(P1)
  lead          00T
  pooled-budget "GM pooled fund"
  from          2016-04-01
  source        "terms of reference"
}

amend "narrow the board" {
  by     00T
  basis  "NHS Act 2006 s.14Z3(2A)"
  target gm-jcb
  set    purposes devolution
  set    area footprint(00T)
  from   2017-04-01
  source "board minutes"
}
"#;
    let l = load_fixture("gm.vires", text);
    let reg = &l.register;
    let on = jiff::civil::date(2023, 1, 1);
    let sub = reg.body_at("01G", on).unwrap();
    let icb = reg.body_at("QOP", on).unwrap();
    assert_eq!(reg.parents.len(), 1);
    assert_eq!((reg.parents[0].child, reg.parents[0].parent), (sub, icb));
    assert_eq!(reg.parents[0].during, reg.body(sub).life);
    assert_eq!(reg.memberships.len(), 2);
    let jc = reg.instruments.iter().find(|i| i.id == "gm-jcb").unwrap();
    assert_eq!(
        jc.area,
        Some(AreaExpr::Union(vec![
            AreaExpr::Named("gm".into()),
            AreaExpr::Practices(["P1".into()].into_iter().collect())
        ]))
    );
    assert_eq!(jc.particulars().lead.as_deref(), Some("00T"));
    assert_eq!(
        jc.particulars().pooled_budget.as_deref(),
        Some("GM pooled fund")
    );
    assert_eq!(
        jc.terms().receivers,
        Receivers::Bodies(vec!["00T".into(), "01D".into()])
    );
    assert_eq!(text_at(&l, jc.spans().area), "gm + practices(P1)");
    let a = reg
        .instruments
        .iter()
        .find(|i| i.kind == InstrumentKind::Amend)
        .unwrap();
    assert_eq!(a.id, "narrow-the-board");
    let ch = a.particulars().changes.as_ref().unwrap();
    assert_eq!(
        ch.purposes.as_deref(),
        Some(&["devolution".to_string()][..])
    );
    assert_eq!(ch.area, Some(AreaExpr::Footprint("00T".into())));
    assert_eq!(ch.until, None);
    assert_eq!(
        reg.area("gm").unwrap().expr,
        AreaExpr::Union(vec![
            AreaExpr::Footprint("00T".into()),
            AreaExpr::Footprint("01D".into())
        ])
    );
}
