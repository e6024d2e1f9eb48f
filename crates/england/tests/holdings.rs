//! Who holds what in the compiled England register: the secondary-care duty covers every
//! active practice exactly once from the day it joined its CCG to today, the 2020 direction
//! sits on top, and the national instruments are valid.

use jiff::civil::{date, Date};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;
use vires_core::{CaveatKind, Place, Role, Severity, Snapshot};
use vires_england::Import;

const SECONDARY: &str = "commissioning.secondary-care";
const TODAY: Date = date(2026, 12, 1);

struct Fixture {
    import: Import,
    snap: Snapshot,
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let import = vires_england::bundled().unwrap();
        let snap = Snapshot::compile(import.register.clone());
        Fixture { import, snap }
    })
}

fn ods_date(s: &str) -> Date {
    date(
        s[0..4].parse().unwrap(),
        s[4..6].parse().unwrap(),
        s[6..8].parse().unwrap(),
    )
}

/// Active GP practices and their join dates, read straight from the practice file.
fn active_practices() -> Vec<(String, Date)> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/ods/ods_epraccur_2019_12.csv");
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    rdr.records()
        .map(|r| r.unwrap())
        .filter(|r| &r[25] == "4" && &r[12] == "A")
        .map(|r| (r[0].to_string(), ods_date(&r[15]).max(date(2013, 4, 1))))
        .collect()
}

/// Every date on which anything in the register or the snapshot starts or ends: between two
/// consecutive ones nothing changes, so checking these dates checks every day.
fn change_dates(f: &Fixture) -> BTreeSet<Date> {
    let reg = &f.import.register;
    let mut d = BTreeSet::new();
    let mut add = |from: Date, until: Option<Date>| {
        d.insert(from);
        if let Some(u) = until {
            d.insert(u);
        }
    };
    for m in &reg.memberships {
        add(m.during.from, m.during.until);
    }
    for p in &reg.parents {
        add(p.during.from, p.during.until);
    }
    for b in &reg.bodies {
        add(b.life.from, b.life.until);
    }
    for g in &f.snap.grants {
        add(g.during.from, g.during.until);
    }
    d
}

#[test]
fn national_instruments_are_valid() {
    let f = fixture();
    let national: Vec<&str> = f
        .import
        .register
        .instruments
        .iter()
        .filter(|i| i.spans().whole.is_some())
        .map(|i| i.id.as_str())
        .collect();
    assert!(national.contains(&"covid-ccg-functions-2020"));
    assert!(national.len() >= 11, "{national:?}");
    for id in &national {
        let errors: Vec<_> = f
            .snap
            .diagnostics_for(id)
            .filter(|d| d.severity == Severity::Error)
            .collect();
        assert!(errors.is_empty(), "{id}: {errors:?}");
    }
    // Every CCG merger and every 2022 transition is valid.
    for i in &f.import.register.instruments {
        if i.id.starts_with("ods-merge-") || i.id.starts_with("hca2022-") {
            let errors: Vec<_> = f
                .snap
                .diagnostics_for(&i.id)
                .filter(|d| d.severity == Severity::Error)
                .collect();
            assert!(errors.is_empty(), "{}: {errors:?}", i.id);
        }
    }
    // No instrument of the bundled register is void.
    for d in &f.snap.diagnostics {
        assert_ne!(d.severity, Severity::Error, "{d:?}");
        assert_ne!(d.code, "V021", "merger dates inconsistent: {d:?}");
    }
    // Every instrument cites a source.
    for i in &f.import.register.instruments {
        assert!(
            i.terms().source.as_deref().is_some_and(|s| !s.is_empty()),
            "{}",
            i.id
        );
    }
}

/// The ICB codes an instrument lists by name.
fn listed_receivers<'a>(f: &'a Fixture, id: &str) -> BTreeSet<&'a str> {
    let ins = f
        .import
        .register
        .instruments
        .iter()
        .find(|i| i.id == id)
        .unwrap_or_else(|| panic!("{id} missing"));
    let vires_core::Receivers::Bodies(listed) = &ins.terms().receivers else {
        panic!("{id}: explicit ICB codes expected");
    };
    listed.iter().map(String::as_str).collect()
}

/// The ICBs whose sub-ICB locations carry one of `regions` in the ODS CCG file.
fn icbs_of_regions<'a>(f: &'a Fixture, regions: &[&str]) -> BTreeSet<&'a str> {
    f.import
        .regions
        .iter()
        .filter(|(_, r)| regions.contains(&r.as_str()))
        .map(|(icb, _)| icb.as_str())
        .collect()
}

#[test]
fn specialised_delegations_name_the_icbs_of_their_regions() {
    let f = fixture();
    // East of England, Midlands, North West (board paper of 7 December 2023).
    let first = icbs_of_regions(f, &["Y60", "Y61", "Y62"]);
    assert_eq!(first.len(), 20);
    assert_eq!(listed_receivers(f, "nhse-icb-specialised-2024"), first);
    assert_eq!(
        listed_receivers(f, "nhse-icb-specialised-2025-added"),
        first
    );
    // North East and Yorkshire, London, South East, South West (board, December 2024).
    let rest = icbs_of_regions(f, &["Y56", "Y58", "Y59", "Y63"]);
    assert_eq!(rest.len(), 22);
    assert_eq!(listed_receivers(f, "nhse-icb-specialised-2025"), rest);
    // A joint committee of NHS England and each ICB from 2023-04-01 (ids end in the ICB's
    // code; North East and North Cumbria's has one for each year).
    let jc: BTreeSet<String> = f
        .import
        .register
        .instruments
        .iter()
        .filter_map(|i| i.id.strip_prefix("nhse-specialised-jc-"))
        .filter_map(|rest| rest.rsplit('-').next().map(String::from))
        .collect();
    let all: BTreeSet<String> = first.union(&rest).map(|s| s.to_string()).collect();
    assert_eq!(jc, all);
}

#[test]
fn what_nhs_england_kept_is_excepted_and_never_reported_as_granted() {
    let f = fixture();
    // No national instrument names a kept function in `retained` without excepting it.
    let v023: Vec<_> = f
        .snap
        .diagnostics
        .iter()
        .filter(|d| d.code == "V023")
        .collect();
    assert!(v023.is_empty(), "{v023:?}");
    // Performers lists stayed with NHS England after GP delegation to ICBs (2022-07-01);
    // GP services themselves were delegated to the ICB.
    let a85001 = Place::Practice("A85001".into());
    let may = |body: &str, function: &str| {
        let a = f
            .snap
            .may(body, function, &a85001, date(2023, 1, 1), None)
            .unwrap();
        (a.allowed, a.reason)
    };
    let performers = "commissioning.primary-care.medical.performers";
    assert!(may("X24", performers).0);
    assert!(!may("QHM", performers).0);
    assert!(may("QHM", "commissioning.primary-care.medical").0);
    // Highly specialised services stayed with NHS England after the 2024 delegation.
    let who = f
        .snap
        .who(
            "commissioning.specialised.highly-specialised",
            &a85001,
            date(2025, 6, 1),
            None,
        )
        .unwrap();
    let bodies: Vec<&str> = who.holders.iter().map(|h| h.body.as_str()).collect();
    assert_eq!(bodies, vec!["X24"]);
}

/// NHS England kept complaints to the commissioner about primary care when it delegated or
/// shared the services (HSJ, 'Revealed: details of primary care control shift', April 2015, on
/// the co-commissioning delegation agreement) until the primary care complaints function
/// passed to every ICB on 2023-07-01 (NHS Lancashire and South Cumbria ICB; Healthwatch
/// Darlington, 14 June 2023). So every NHS England grant of a primary care service that starts
/// before that day must except the service's complaints function: one that did not would name
/// a CCG or an ICB as handling complaints that NHS England handled.
#[test]
fn complaints_stay_with_nhs_england_until_july_2023() {
    let f = fixture();
    let taxonomy = &f.import.register.taxonomy;
    let mut checked = 0;
    for ins in &f.import.register.instruments {
        if ins.maker.as_deref() != Some("X24") || ins.from >= date(2023, 7, 1) {
            continue;
        }
        for function in ins.functions.iter() {
            let complaints = format!("{function}.complaints");
            if taxonomy.get(&complaints).is_none() {
                continue;
            }
            checked += 1;
            assert!(
                ins.particulars().except.contains(&complaints),
                "{} grants {function} from {} without excepting {complaints}",
                ins.id,
                ins.from
            );
        }
    }
    // Co-commissioning (dozens of CCGs), the ICB GP delegation and the POD delegations.
    assert!(checked > 40, "only {checked} grants checked");
    // The day before and the day the complaints function passed, at a Lancashire practice's
    // ICB (NHS Lancashire and South Cumbria ICB's own page).
    let qe1 = Place::Body("QE1".into());
    let holders = |on| -> Vec<String> {
        let who = f
            .snap
            .who(
                "commissioning.primary-care.dental.complaints",
                &qe1,
                on,
                None,
            )
            .unwrap();
        who.holders.iter().map(|h| h.body.to_string()).collect()
    };
    assert_eq!(holders(date(2023, 6, 30)), vec!["X24"]);
    assert_eq!(holders(date(2023, 7, 1)), vec!["QE1"]);
}

/// A CCG's co-commissioning instrument ends with the CCG (its merger) or on 2021-04-01, when
/// NHS England's delegation to every CCG began (data/national/06-co-commissioning-2015-2022.vires;
/// NHS England, 'Delegated commissioning of primary medical services'). One left open was
/// carried by merger into NHS Birmingham and Solihull CCG and then into its ICB, whose GP
/// services in 2023 were proved by a 2015 agreement.
#[test]
fn co_commissioning_ends_before_the_delegation_to_every_ccg() {
    let f = fixture();
    let mut checked = 0;
    for ins in &f.import.register.instruments {
        if !ins.id.starts_with("cocom-") {
            continue;
        }
        checked += 1;
        assert!(
            ins.until.is_some_and(|u| u <= date(2021, 4, 1)),
            "{} runs until {:?}",
            ins.id,
            ins.until
        );
    }
    assert!(checked > 40, "only {checked} co-commissioning instruments");
    // Birmingham and Solihull's ICB holds GP services by the 2022 delegation alone.
    let who = f
        .snap
        .who(
            "commissioning.primary-care.medical",
            &Place::Body("QHL".into()),
            date(2023, 6, 1),
            None,
        )
        .unwrap();
    let qhl = who.holders.iter().find(|h| h.body == "QHL").unwrap();
    let ids: Vec<&str> = qhl.proof.iter().map(|p| p.instrument.as_str()).collect();
    assert!(!ids.iter().any(|i| i.starts_with("cocom-")), "{ids:?}");
}

#[test]
fn every_active_practice_has_exactly_one_unrestricted_secondary_care_holder() {
    let f = fixture();
    let dates = change_dates(f);
    let mut checked = 0usize;
    let mut after_reshape = BTreeSet::new();
    let mut open_moves = BTreeSet::new();
    for (code, joined) in active_practices() {
        let place = Place::Practice(code.as_str().into());
        let mut days: Vec<Date> = dates.range(joined..=TODAY).copied().collect();
        days.push(joined);
        days.push(TODAY);
        for d in days {
            let who = f.snap.who(SECONDARY, &place, d, None).unwrap();
            let unrestricted: Vec<_> = who
                .holders
                .iter()
                .filter(|h| h.purposes.is_empty() && h.role != Role::Concurrent)
                .collect();
            // A boundary change the sources leave open (data/curated/practice-moves.csv):
            // no holder, and the answer names the candidates instead.
            if unrestricted.is_empty()
                && who
                    .caveats
                    .iter()
                    .any(|c| c.kind == CaveatKind::IncompleteRecord && !c.candidates.is_empty())
            {
                open_moves.insert(code.clone());
                continue;
            }
            assert_eq!(
                unrestricted.len(),
                1,
                "{code} on {d}: {:?}",
                who.holders
                    .iter()
                    .map(|h| (&h.body, h.role))
                    .collect::<Vec<_>>()
            );
            if d == TODAY {
                after_reshape.insert(unrestricted[0].body.clone());
            }
            checked += 1;
        }
    }
    assert!(checked > 100_000, "{checked}");
    // The four Great Barr practices of Sandwell and West Birmingham, which the sources place
    // in neither the Black Country nor Birmingham and Solihull after 2022-07-01
    // (practice-moves.csv).
    assert_eq!(
        open_moves,
        ["M88015", "M88021", "M88024", "M88623"]
            .into_iter()
            .map(String::from)
            .collect()
    );
    // Today the holders are the ICBs after the 2026 reshape: none of the twelve it ended, all
    // of its six new ones.
    for ended in [
        "QH8", "QHG", "QJG", "QM7", "QMJ", "QMM", "QNQ", "QNX", "QRV", "QU9", "QUE", "QXU",
    ] {
        assert!(!after_reshape.contains(ended), "{ended}");
    }
    for new in ["D7T5G", "S0E4D", "S1Y5D", "S9B9J", "T6Y0W", "Z9B2Z"] {
        assert!(after_reshape.contains(new), "{new}");
    }
    assert_eq!(after_reshape.len(), 42 - 12 + 6, "{after_reshape:?}");
}

#[test]
fn the_core_coverage_check_agrees() {
    let f = fixture();
    let active: BTreeSet<String> = active_practices().into_iter().map(|(c, _)| c).collect();
    let findings = f
        .snap
        .coverage(SECONDARY, TODAY.tomorrow().unwrap())
        .unwrap();
    // At active practices, only the time before the join date, which the practice file
    // does not describe, may be a finding, and then it is explained.
    let joined: std::collections::BTreeMap<String, Date> = active_practices().into_iter().collect();
    let at_active: Vec<_> = findings
        .iter()
        .filter(|x| matches!(&x.place, Place::Practice(c) if active.contains(c.as_str())))
        .filter(|x| {
            let Place::Practice(c) = &x.place else {
                return true;
            };
            let open_move = x.explained()
                && x.caveats.iter().all(|k| !k.candidates.is_empty())
                && x.from >= date(2022, 7, 1);
            !open_move && (!x.explained() || x.until.is_none_or(|u| u > joined[c.as_str()]))
        })
        .collect();
    assert!(at_active.is_empty(), "{at_active:?}");
}

/// `vires gaps -f commissioning.secondary-care` over the bundled register, computed as the
/// CLI computes it (the bundled register with an empty change log, compiled, then
/// `Snapshot::coverage` up to the horizon), finds nothing unexplained at any practice of the
/// register (active, dormant or closed) from the first day its record speaks of through
/// today: every gap is time before a practice joined its commissioner, and carries the caveat
/// saying the record is incomplete.
#[test]
fn gaps_over_the_bundled_register_finds_nothing_unexplained_for_secondary_care() {
    let f = fixture();
    let findings = f
        .snap
        .coverage(SECONDARY, TODAY.tomorrow().unwrap())
        .unwrap();
    let unexplained: Vec<_> = findings.iter().filter(|x| !x.explained()).collect();
    assert!(
        unexplained.is_empty(),
        "{} unexplained findings, first: {:?}",
        unexplained.len(),
        unexplained.iter().take(5).collect::<Vec<_>>()
    );
    assert!(findings.iter().all(|x| x
        .caveats
        .iter()
        .all(|c| c.kind == CaveatKind::IncompleteRecord)));
    // The check walks every practice with a membership, past the 2026 reshape.
    assert!(f.import.register.practices.len() > 7000);
    // The practices of 13T joined it on 2015-04-01, the day 00F, 00G and 00H merged into it
    // (the ODS successor file). NHS BSA's quarterly list sizes put A85001 in 00F in every
    // quarter up to January-March 2015 (data/curated/practice-history.csv), so what is left
    // is a finding from 2015-01-02 to 2015-04-01 naming the three as candidates.
    let mine: Vec<_> = findings
        .iter()
        .filter(|x| matches!(&x.place, Place::Practice(c) if c.as_str() == "A85001"))
        .collect();
    assert_eq!(mine.len(), 1, "{mine:?}");
    assert_eq!(
        (mine[0].from, mine[0].until),
        (date(2015, 1, 2), Some(date(2015, 4, 1)))
    );
    assert_eq!(mine[0].caveats[0].candidates, ["00F", "00G", "00H"]);
}

/// `vires gaps -f commissioning.primary-care.medical` (the README: "GP services have none"):
/// NHS England holds GP services, or a CCG or ICB holds them by delegation or with it in a
/// joint committee, at every practice on every day, and what NHS England kept back from a
/// delegation (performers lists, complaints, premises capital) is a part it holds, not a
/// second holder of the whole. So no gap and no overlap at all.
#[test]
fn gaps_over_the_bundled_register_finds_nothing_for_gp_services() {
    let f = fixture();
    let findings = f
        .snap
        .coverage(
            "commissioning.primary-care.medical",
            TODAY.tomorrow().unwrap(),
        )
        .unwrap();
    assert!(
        findings.is_empty(),
        "{} findings, first: {:?}",
        findings.len(),
        findings.iter().take(3).collect::<Vec<_>>()
    );
}

/// A Gateshead practice (NE8-NE11 postcodes) in NHS Newcastle Gateshead CCG, 13T.
fn gateshead_practice(f: &Fixture) -> String {
    let reg = &f.import.register;
    let b13t = reg.body_at("13T", date(2016, 1, 1)).unwrap();
    reg.memberships
        .iter()
        .filter(|m| m.body == b13t && m.during.until.is_some())
        .map(|m| &reg.practices[m.practice.0 as usize])
        .find(|a| {
            a.status.as_deref() == Some("A")
                && a.postcode.as_deref().is_some_and(|p| {
                    ["NE8 ", "NE9 ", "NE10 ", "NE11 "]
                        .iter()
                        .any(|x| p.starts_with(x))
                })
        })
        .map(|a| a.code.clone())
        .expect("an active Gateshead practice in 13T")
        .to_string()
}

#[test]
fn who_commissions_for_a_gateshead_practice() {
    let f = fixture();
    let code = gateshead_practice(f);
    let place = Place::Practice(code.as_str().into());
    let who = |d: Date, p: Option<&str>| f.snap.who(SECONDARY, &place, d, p).unwrap();

    // 2016: NHS Newcastle Gateshead CCG, by statute.
    let w = who(date(2016, 6, 1), None);
    assert_eq!(w.holders.len(), 1, "{w:?}");
    assert_eq!(w.holders[0].body, "13T");
    assert_eq!(w.holders[0].role, Role::Statutory);
    assert!(w.holders[0]
        .proof
        .iter()
        .any(|s| s.instrument == "hsca-2012-ccg-secondary-care"));

    // 2020: NHS England on top, concurrently, for the two coronavirus purposes only.
    let w = who(date(2020, 6, 1), None);
    let bodies: Vec<(&str, Role)> = w
        .holders
        .iter()
        .map(|h| (h.body.as_str(), h.role))
        .collect();
    assert!(bodies.contains(&("13T", Role::Statutory)), "{bodies:?}");
    assert!(bodies.contains(&("X24", Role::Concurrent)), "{bodies:?}");
    let x24 = w.holders.iter().find(|h| h.body == "X24").unwrap();
    assert_eq!(
        x24.purposes,
        ["independent-provider-commissioning", "coronavirus-support"]
    );
    assert!(x24
        .proof
        .iter()
        .any(|s| s.instrument == "covid-ccg-functions-2020"));
    let w = who(date(2020, 6, 1), Some("routine-commissioning"));
    assert!(!w.holders.iter().any(|h| h.body == "X24"));

    // The amendment carries the direction to 2021-03-31 (it would have ended on 2020-12-31).
    let w = who(date(2021, 2, 1), Some("coronavirus-support"));
    let x24 = w
        .holders
        .iter()
        .find(|h| h.body == "X24")
        .expect("extended to 2021-03-31");
    assert!(x24
        .proof
        .iter()
        .any(|s| s.instrument == "covid-ccg-functions-2020-extension"));
    assert!(!who(date(2021, 4, 1), Some("coronavirus-support"))
        .holders
        .iter()
        .any(|h| h.body == "X24"));

    // 2023: the ICB, NHS North East and North Cumbria.
    let w = who(date(2023, 1, 1), None);
    assert_eq!(w.holders.len(), 1, "{w:?}");
    assert_eq!(w.holders[0].body, "QHM");
    assert!(w.holders[0]
        .proof
        .iter()
        .any(|s| s.instrument == "hca-2022-icb-secondary-care"));

    // GP services: NHS England until 2022-07-01 (no CCG delegations are in the bundled data),
    // then delegated to the ICB with NHS England accountable.
    let gp = |d: Date| {
        f.snap
            .who("commissioning.primary-care.medical", &place, d, None)
            .unwrap()
    };
    let w = gp(date(2019, 1, 1));
    assert_eq!(
        w.holders
            .iter()
            .map(|h| h.body.as_str())
            .collect::<Vec<_>>(),
        ["X24"]
    );
    let w = gp(date(2023, 1, 1));
    let whole: Vec<_> = w
        .holders
        .iter()
        .filter(|h| h.function == "commissioning.primary-care.medical")
        .collect();
    assert_eq!(whole.len(), 1, "{w:?}");
    assert_eq!(whole[0].body, "QHM");
    assert_eq!(whole[0].role, Role::Delegate);
    assert_eq!(whole[0].accountable, "X24");
    // NHS England kept the performers list (NHS England, 'Delegation of primary medical,
    // pharmaceutical, ophthalmic and dental functions'), capital expenditure on GP premises
    // ('Primary care capital grants policy') and, until 2023-07-01, complaints (Healthwatch
    // Darlington, 'NHS Complaints - changes in effect now', 14 June 2023): it holds those
    // parts itself, so it is not accountable only.
    let kept: BTreeSet<&str> = w
        .holders
        .iter()
        .filter(|h| h.body == "X24")
        .map(|h| h.function.as_str())
        .collect();
    assert_eq!(
        kept,
        BTreeSet::from([
            "commissioning.primary-care.medical.capital",
            "commissioning.primary-care.medical.complaints",
            "commissioning.primary-care.medical.performers",
        ])
    );
    assert!(w.accountable_only.is_empty());

    // Dental: still NHS England in 2022-12, the ICB from 2023-04-01 (NHS England keeping
    // the parts it reserved, which answer as those parts).
    let dental = |d: Date| {
        f.snap
            .who("commissioning.primary-care.dental", &place, d, None)
            .unwrap()
            .holders
            .into_iter()
            .filter(|h| h.function == "commissioning.primary-care.dental")
            .map(|h| h.body)
            .collect::<Vec<_>>()
    };
    assert_eq!(dental(date(2022, 12, 1)), ["X24"]);
    assert_eq!(dental(date(2023, 4, 1)), ["QHM"]);
}

#[test]
fn bassetlaw_practices_change_icb_on_1_july_2022() {
    let f = fixture();
    let reg = &f.import.register;
    let ccg = reg.body_at("02Q", date(2022, 6, 30)).unwrap();
    let m = reg
        .memberships
        .iter()
        .find(|m| m.body == ccg && m.during.until == Some(date(2022, 7, 1)))
        .unwrap();
    let place = Place::Practice(reg.practices[m.practice.0 as usize].code.clone());
    let holder = |d: Date| {
        let w = f.snap.who(SECONDARY, &place, d, None).unwrap();
        assert_eq!(w.holders.len(), 1, "{w:?}");
        w.holders[0].body.clone()
    };
    assert_eq!(holder(date(2022, 6, 30)), "02Q");
    assert_eq!(holder(date(2022, 7, 1)), "QT1");
    // The 59 specialised services: delegated to QT1 (Midlands) from 2024-04-01.
    let suitable = |place: &Place, d: Date| {
        let w = f
            .snap
            .who("commissioning.specialised.suitable-59", place, d, None)
            .unwrap();
        w.holders
            .iter()
            .map(|h| (h.body.to_string(), h.role))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        suitable(&place, date(2024, 4, 1)),
        [("QT1".to_string(), Role::Delegate)]
    );
    // ...but only jointly with NHS England in South Yorkshire (North East and Yorkshire) for
    // a Sheffield practice in 2024/25, then delegated from 2025-04-01.
    let sheffield = reg.body_at("03N", date(2024, 4, 1)).unwrap();
    let m = reg
        .memberships
        .iter()
        .find(|m| m.body == sheffield && m.during.until.is_none())
        .unwrap();
    let place = Place::Practice(reg.practices[m.practice.0 as usize].code.clone());
    let mut joint = suitable(&place, date(2024, 4, 1));
    joint.sort();
    assert_eq!(
        joint,
        [
            ("QF7".to_string(), Role::JointMember),
            ("X24".to_string(), Role::JointMember)
        ]
    );
    assert_eq!(
        suitable(&place, date(2025, 4, 1)),
        [("QF7".to_string(), Role::Delegate)]
    );
}

/// A district is drawn on April 2021 CCGs (ONS CCG21-LAD21 lookup: Southampton, E06000045,
/// lies in D9Y0V, data/ods/ons_ccg_lad_lookup.csv line 310). D9Y0V was formed on 2021-04-01
/// from five CCGs, NHS Southampton CCG (10X) among them (ODS successor file, line 226). Asked
/// about in 2016 the district is found through those predecessors, each holding part of it,
/// never "nobody holds it"; and the answer says the district is drawn approximately.
#[test]
fn a_district_drawn_on_later_ccgs_is_answered_through_their_predecessors() {
    let f = fixture();
    let place = Place::Area("E06000045".into());
    let w = f
        .snap
        .who(SECONDARY, &place, date(2016, 6, 1), None)
        .unwrap();
    let holders: BTreeSet<&str> = w.holders.iter().map(|h| h.body.as_str()).collect();
    assert!(holders.contains("10X"), "holders: {holders:?}");
    assert!(w
        .caveats
        .iter()
        .any(|c| c.kind == CaveatKind::ApproximatePlace));
    // From 2021-04-01 the district's CCG is D9Y0V itself, holding all of it.
    let w = f
        .snap
        .who(SECONDARY, &place, date(2021, 6, 1), None)
        .unwrap();
    let holders: Vec<&str> = w.holders.iter().map(|h| h.body.as_str()).collect();
    assert_eq!(holders, ["D9Y0V"]);
}
