//! A small register built in Rust for the worked examples: Parliament, NHS England, five
//! CCGs of South Yorkshire and Bassetlaw (2013-04-01 to 2022-06-30), two ICBs and two
//! sub-ICB locations from 2022-07-01, the functions the examples use, statutory conferrals,
//! and the two seed-2 mandates (which cite no power).
#![allow(dead_code)]

use std::path::PathBuf;
use vires_core::{
    AreaExpr, Body, BodyKind, Date, Instrument, InstrumentKind, Interval, Power, Receivers,
    Register, Requirement, Snapshot,
};

pub fn d(s: &str) -> Date {
    s.parse().unwrap()
}

fn body(code: &str, name: &str, kind: BodyKind, from: &str, until: Option<&str>) -> Body {
    Body {
        code: code.into(),
        name: name.into(),
        kind,
        life: Interval::new(d(from), until.map(d)),
        basis: None,
        source: None,
        ons_code: None,
        span: None,
    }
}

pub const LPF: &str = "lead-provider-framework";

pub fn register() -> Register {
    let mut r = Register::new();
    r.add_body(body(
        "PARL",
        "Parliament",
        BodyKind::Parliament,
        "1900-01-01",
        None,
    ))
    .unwrap();
    r.add_body(body(
        "X24",
        "NHS England",
        BodyKind::NhsEngland,
        "2012-10-01",
        None,
    ))
    .unwrap();
    for (code, name) in [
        ("02Q", "NHS Bassetlaw CCG"),
        ("02X", "NHS Doncaster CCG"),
        ("02P", "NHS Barnsley CCG"),
        ("03L", "NHS Rotherham CCG"),
        ("03N", "NHS Sheffield CCG"),
    ] {
        r.add_body(body(
            code,
            name,
            BodyKind::Ccg,
            "2013-04-01",
            Some("2022-07-01"),
        ))
        .unwrap();
    }
    let qf7 = r
        .add_body(body(
            "QF7",
            "NHS South Yorkshire ICB",
            BodyKind::Icb,
            "2022-07-01",
            None,
        ))
        .unwrap();
    let qt1 = r
        .add_body(body(
            "QT1",
            "NHS Nottingham and Nottinghamshire ICB",
            BodyKind::Icb,
            "2022-07-01",
            None,
        ))
        .unwrap();
    let s02x = r
        .add_body(body(
            "02X",
            "Doncaster sub-ICB location",
            BodyKind::SubIcbLocation,
            "2022-07-01",
            None,
        ))
        .unwrap();
    let s02q = r
        .add_body(body(
            "02Q",
            "Bassetlaw sub-ICB location",
            BodyKind::SubIcbLocation,
            "2022-07-01",
            None,
        ))
        .unwrap();
    r.add_parent(s02x, qf7, Interval::new(d("2022-07-01"), None));
    r.add_parent(s02q, qt1, Interval::new(d("2022-07-01"), None));
    r.add_body(body(
        "RP5",
        "Doncaster and Bassetlaw Teaching Hospitals NHS FT",
        BodyKind::FoundationTrust,
        "2004-09-01",
        None,
    ))
    .unwrap();

    for (id, name) in [
        ("commissioning", "Commissioning"),
        (
            "commissioning.secondary-care",
            "Hospital, community and mental health services",
        ),
        ("support", "Commissioning support"),
        ("support.business-intelligence", "Business intelligence"),
        ("support.gp-it", "GP IT"),
    ] {
        r.declare_function(id, name);
    }

    let mut ccgs = Instrument::new(
        "hsca-2012-ccg-functions",
        InstrumentKind::Conferral,
        d("2013-04-01"),
    );
    ccgs.title = "CCG functions under the Health and Social Care Act 2012".into();
    ccgs.maker = Some("PARL".into());
    ccgs.basis = Some("Health and Social Care Act 2012".into());
    ccgs.receivers = Receivers::Every(BodyKind::Ccg);
    ccgs.functions = vec!["commissioning.secondary-care".into(), "support".into()];
    ccgs.area = Some(AreaExpr::Own);
    ccgs.until = Some(d("2022-07-01"));
    r.add_instrument(ccgs);

    let mut icbs = Instrument::new(
        "hca-2022-icb-functions",
        InstrumentKind::Conferral,
        d("2022-07-01"),
    );
    icbs.title = "ICB functions under the Health and Care Act 2022".into();
    icbs.maker = Some("PARL".into());
    icbs.basis = Some("Health and Care Act 2022".into());
    icbs.receivers = Receivers::Every(BodyKind::Icb);
    icbs.functions = vec!["commissioning.secondary-care".into(), "support".into()];
    icbs.area = Some(AreaExpr::Own);
    r.add_instrument(icbs);

    let mut lpf = Instrument::new(
        "lpf-support-services",
        InstrumentKind::Mandate,
        d("2014-11-01"),
    );
    lpf.title = "Core BI and GP IT from the lead provider framework".into();
    lpf.maker = Some("X24".into());
    lpf.basis = Some("Letter from the director of commissioning support services strategy (commissioning support direction)".into());
    lpf.receivers = Receivers::Every(BodyKind::Ccg);
    lpf.source =
        Some("HSJ report of NHS England's letter to CCGs (seed 001); date illustrative".into());
    lpf.requirement = Some(Requirement {
        text: "procure core business intelligence and GP IT services from the lead provider framework to a standard national minimum specification".into(),
        categories: vec!["business-intelligence".into(), "gp-it".into()],
        framework: Some(LPF.into()),
        exception_evidence: vec![
            "resilience comparable to lead provider framework providers".into(),
            "capacity comparable to lead provider framework providers".into(),
            "capability comparable to lead provider framework providers".into(),
            "value for money".into(),
            "information governance standards".into(),
        ],
        collective: false,
        stranded_costs: None,
    });
    r.add_instrument(lpf);

    let mut yh = Instrument::new(
        "lpf-collective-yh-nw",
        InstrumentKind::Mandate,
        d("2014-11-01"),
    );
    yh.title = "Yorkshire and Humber and North West CCGs to procure collectively".into();
    yh.maker = Some("X24".into());
    yh.basis = Some("Letter to CCGs in Yorkshire and the Humber and the North West (commissioning support direction)".into());
    yh.receivers = Receivers::Bodies(vec!["02X".into(), "02P".into(), "03L".into(), "03N".into()]);
    yh.source = Some("HSJ report (seed 001); date illustrative".into());
    yh.requirement = Some(Requirement {
        text:
            "procure business intelligence and GP IT collectively from the lead provider framework"
                .into(),
        categories: vec!["business-intelligence".into(), "gp-it".into()],
        framework: Some(LPF.into()),
        exception_evidence: vec![],
        collective: true,
        stranded_costs: Some(
            "the CCG that brings the service in house or leaves pays the additional stranded costs"
                .into(),
        ),
    });
    r.add_instrument(yh);
    r
}

/// The power the seed's dispute is about: hypothetical, for the what-if.
pub fn hypothetical_power() -> Power {
    Power {
        id: "hypothetical-support-services-direction".into(),
        title: "A power for NHS England to direct CCGs' purchase of commissioning support (hypothetical)".into(),
        cites: vec!["commissioning support direction".into()],
        makers: vec![BodyKind::NhsEngland],
        kinds: vec![InstrumentKind::Mandate],
        receivers: vec![BodyKind::Ccg],
        during: Interval::new(d("2013-04-01"), None),
        source: "hypothetical, for the what-if: no such power is known (seed 001 dispute)".into(),
    }
}

pub fn snapshot() -> Snapshot {
    Snapshot::compile(register())
}

pub fn snapshot_with_power() -> Snapshot {
    let mut r = register();
    r.add_power(hypothetical_power());
    Snapshot::compile(r)
}

pub fn example(name: &str) -> String {
    let p: PathBuf = [
        env!("CARGO_MANIFEST_DIR"),
        "..",
        "..",
        "examples",
        "procurement",
        name,
    ]
    .iter()
    .collect();
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}
