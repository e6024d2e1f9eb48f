//! The fast resolver (indexes, place keys, shadowing) against a naive reference evaluator
//! that scans every grant and computes footprints from raw memberships, on random registers.
//! Also checks the compiler's grant invariants.

use jiff::civil::{date, Date};
use jiff::ToSpan;
use proptest::prelude::*;
use std::collections::BTreeSet;
use vires_core::snapshot::AreaKey;
use vires_core::*;

#[derive(Debug, Clone)]
struct Spec {
    ccgs: usize,
    merges: Vec<(usize, usize)>,
    practices: Vec<(usize, i64)>,
    delegations: Vec<(usize, i64, Option<i64>, bool)>,
    directions: Vec<(usize, usize, i64, i64, bool)>,
    revokes: Vec<(usize, i64)>,
    practice_grants: Vec<(usize, i64)>,
}

fn spec() -> impl Strategy<Value = Spec> {
    (2usize..7).prop_flat_map(|ccgs| {
        (
            Just(ccgs),
            prop::collection::vec((0..ccgs, 0..ccgs), 0..3),
            prop::collection::vec((0..ccgs, 0i64..3000), 1..12),
            prop::collection::vec(
                (
                    0..ccgs,
                    0i64..3000,
                    prop::option::of(1i64..2000),
                    any::<bool>(),
                ),
                0..6,
            ),
            prop::collection::vec(
                (0..ccgs, 0..ccgs, 0i64..3000, 1i64..900, any::<bool>()),
                0..4,
            ),
            prop::collection::vec((0usize..6, 0i64..3500), 0..3),
            prop::collection::vec((0usize..12, 0i64..3000), 0..3),
        )
            .prop_map(
                |(ccgs, merges, practices, delegations, directions, revokes, practice_grants)| {
                    Spec {
                        ccgs,
                        merges,
                        practices,
                        delegations,
                        directions,
                        revokes,
                        practice_grants,
                    }
                },
            )
    })
}

fn d0() -> Date {
    date(2013, 4, 1)
}

fn day(n: i64) -> Date {
    d0().checked_add(n.days()).unwrap()
}

fn build(s: &Spec) -> Register {
    let mut r = Register::new();
    let mk = |code: String, kind, from, until| Body {
        code,
        name: String::new(),
        kind,
        life: Interval::new(from, until),
        basis: None,
        source: None,
        ons_code: None,
        span: None,
    };
    r.add_body(mk(
        "PARLIAMENT".into(),
        BodyKind::Parliament,
        date(1900, 1, 1),
        None,
    ))
    .unwrap();
    r.add_body(mk(
        "DHSC".into(),
        BodyKind::SecretaryOfState,
        date(1900, 1, 1),
        None,
    ))
    .unwrap();
    r.add_body(mk(
        "X24".into(),
        BodyKind::NhsEngland,
        date(2012, 10, 1),
        None,
    ))
    .unwrap();
    r.add_body(mk("ICB".into(), BodyKind::Icb, d0(), None))
        .unwrap();
    // CCG i ends if it merges (into the next unmerged CCG) on 2016-04-01.
    let merge_day = date(2016, 4, 1);
    let merged: BTreeSet<usize> = s
        .merges
        .iter()
        .filter(|(a, b)| a != b)
        .map(|(a, _)| *a)
        .collect();
    let mut ids = Vec::new();
    for i in 0..s.ccgs {
        let until = merged.contains(&i).then_some(merge_day);
        ids.push(
            r.add_body(mk(format!("C{i}"), BodyKind::Ccg, d0(), until))
                .unwrap(),
        );
    }
    let icb = r.body_at("ICB", d0()).unwrap();
    for &b in &ids {
        r.add_parent(b, icb, Interval::new(d0(), None));
    }
    let target = (0..s.ccgs).find(|i| !merged.contains(i));
    if let Some(t) = target {
        let mut m = Instrument::new("merge", InstrumentKind::Merge, merge_day);
        m.maker = Some("PARLIAMENT".into());
        m.particulars.predecessors = merged.iter().map(|i| format!("C{i}")).collect();
        m.receivers = Receivers::Bodies(vec![format!("C{t}")]);
        if !m.particulars.predecessors.is_empty() {
            r.add_instrument(m);
        }
    }
    for f in [
        "commissioning",
        "commissioning.secondary-care",
        "commissioning.primary-care",
        "commissioning.primary-care.medical",
    ] {
        r.declare_function(f, f);
    }
    r.add_power(Power {
        id: "s13Z".into(),
        title: "s13Z".into(),
        cites: vec!["s.13Z".into()],
        makers: vec![BodyKind::NhsEngland, BodyKind::Ccg],
        kinds: vec![InstrumentKind::Delegation, InstrumentKind::Direction],
        receivers: vec![],
        during: Interval::new(d0(), None),
        source: String::new(),
    });
    for (n, (c, start)) in s.practices.iter().enumerate() {
        let a = r
            .add_atom(Atom {
                code: format!("P{n}").into(),
                name: Box::default(),
                postcode: None,
                status: None,
            })
            .unwrap();
        let c = if merged.contains(c) {
            target.unwrap_or(*c)
        } else {
            *c
        };
        let b = ids[c];
        r.add_membership(a, b, Interval::new(day(*start), None));
    }
    let mut conf = Instrument::new("conf-ccg", InstrumentKind::Conferral, d0());
    conf.maker = Some("PARLIAMENT".into());
    conf.receivers = Receivers::Every(BodyKind::Ccg);
    conf.functions = vec!["commissioning.secondary-care".into()].into();
    conf.area = Some(AreaExpr::Own);
    r.add_instrument(conf);
    let mut nhse = Instrument::new("conf-nhse", InstrumentKind::Conferral, d0());
    nhse.maker = Some("PARLIAMENT".into());
    nhse.receivers = Receivers::Bodies(vec!["X24".into()]);
    nhse.functions = vec!["commissioning.primary-care".into()].into();
    nhse.area = Some(AreaExpr::England);
    r.add_instrument(nhse);
    for (n, (c, start, len, concurrent)) in s.delegations.iter().enumerate() {
        let mut d = Instrument::new(format!("del{n}"), InstrumentKind::Delegation, day(*start));
        d.maker = Some("X24".into());
        d.basis = Some("s.13Z".into());
        d.receivers = Receivers::Bodies(vec![format!("C{c}")]);
        d.functions = vec!["commissioning.primary-care.medical".into()].into();
        d.area = Some(AreaExpr::Own);
        d.until = len.map(|l| day(start + l));
        d.concurrent = *concurrent;
        r.add_instrument(d);
    }
    for (n, (of, to, start, len, purposes)) in s.directions.iter().enumerate() {
        let mut d = Instrument::new(format!("dir{n}"), InstrumentKind::Direction, day(*start));
        d.maker = Some("X24".into());
        d.basis = Some("s.13Z".into());
        d.particulars.of = Some(Box::new(Receivers::Bodies(vec![format!("C{of}")])));
        d.receivers = Receivers::Bodies(vec![format!("C{to}")]);
        d.functions = vec!["commissioning.secondary-care".into()].into();
        d.area = Some(AreaExpr::Own);
        d.until = Some(day(start + len));
        d.concurrent = *purposes;
        if *purposes {
            d.purposes = vec!["p1".into()];
        }
        r.add_instrument(d);
    }
    for (n, (target, at)) in s.revokes.iter().enumerate() {
        let mut v = Instrument::new(format!("rev{n}"), InstrumentKind::Revoke, day(*at));
        v.maker = Some("X24".into());
        v.particulars.target = Some(format!("del{target}"));
        r.add_instrument(v);
    }
    for (n, (p, start)) in s.practice_grants.iter().enumerate() {
        if *p < s.practices.len() {
            let mut d = Instrument::new(format!("pg{n}"), InstrumentKind::Delegation, day(*start));
            d.maker = Some("X24".into());
            d.basis = Some("s.13Z".into());
            d.receivers = Receivers::Bodies(vec!["ICB".into()]);
            d.functions = vec!["commissioning.primary-care".into()].into();
            d.area = Some(AreaExpr::Practices(
                [format!("P{p}").into()].into_iter().collect(),
            ));
            r.add_instrument(d);
        }
    }
    r
}

/// Bodies whose footprint holds atom `a` on `on`, computed from raw memberships and parents.
fn naive_contains(r: &Register, key: AreaKey, a: AtomId, on: Date) -> bool {
    match key {
        AreaKey::England => true,
        AreaKey::Atom(x) => x == a,
        AreaKey::Body(b) => r.memberships.iter().any(|m| {
            m.atom == a && m.during.contains(on) && {
                let mut cur = m.body;
                let mut hit = cur == b;
                for _ in 0..8 {
                    if hit {
                        break;
                    }
                    match r
                        .parents
                        .iter()
                        .find(|p| p.child == cur && p.during.contains(on))
                    {
                        Some(p) => {
                            cur = p.parent;
                            hit = cur == b;
                        }
                        None => break,
                    }
                }
                hit
            }
        }),
    }
}

fn reference_who(
    s: &Snapshot,
    f: FunctionId,
    a: AtomId,
    on: Date,
) -> BTreeSet<(String, Role, String)> {
    let r = s.register();
    let applies: Vec<usize> = s
        .grants
        .iter()
        .enumerate()
        .filter(|(_, g)| {
            g.during.contains(on)
                && s.grant_covers_function(g, f)
                && s.areas(g).iter().any(|k| naive_contains(r, *k, a, on))
        })
        .map(|(i, _)| i)
        .collect();
    let shadowed: BTreeSet<u32> = applies
        .iter()
        .filter_map(|&i| {
            let g = &s.grants[i];
            (!g.concurrent && s.purposes(g).is_empty())
                .then_some(g.parent.get())
                .flatten()
        })
        .map(|p| p.0)
        .collect();
    applies
        .iter()
        .filter(|&&i| !shadowed.contains(&(i as u32)))
        .map(|&i| {
            let g = &s.grants[i];
            (
                r.body(g.holder).code.clone(),
                g.role,
                r.body(g.accountable).code.clone(),
            )
        })
        .collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 200, .. ProptestConfig::default() })]

    #[test]
    fn fast_resolver_matches_reference(s in spec(), qs in prop::collection::vec((0usize..12, 0i64..3600, 0usize..3), 1..20)) {
        let snap = Snapshot::compile(build(&s));
        let fns = ["commissioning.secondary-care", "commissioning.primary-care.medical", "commissioning.primary-care"];
        for (p, d, f) in qs {
            if p >= s.practices.len() { continue; }
            let code = format!("P{p}");
            let on = day(d);
            let fast = snap.who(fns[f], &Place::Practice(code.as_str().into()), on, None).unwrap();
            let fast: BTreeSet<(String, Role, String)> =
                fast.holders.iter().map(|h| (h.body.to_string(), h.role, h.accountable.to_string())).collect();
            let fid = snap.function_id(fns[f]).unwrap();
            let atom = snap.register().atom(&code).unwrap();
            let slow = reference_who(&snap, fid, atom, on);
            prop_assert_eq!(fast, slow, "practice {} on {} for {}", code, on, fns[f]);
        }
    }

    #[test]
    fn grants_rest_on_live_covering_parents(s in spec()) {
        let snap = Snapshot::compile(build(&s));
        let tax = &snap.register().taxonomy;
        for g in &snap.grants {
            prop_assert!(!g.during.is_empty());
            prop_assert!(!snap.is_void(g.instrument));
            if let Some(p) = g.parent.get() {
                let pg = snap.grant(p);
                prop_assert!(pg.during.contains(g.during.from), "parent live on the child's first day");
                prop_assert!(pg.during.covers(&g.during), "child never outlives its parent");
                prop_assert!(tax.covers(pg.function, g.function));
            }
            let life = snap.register().body(g.holder).life;
            prop_assert!(life.covers(&g.during), "grant within its holder's life");
        }
    }
}
