//! Each holder once over a larger place, and a function answered by the holders of its
//! parts, on the bundled register. Expected values come from public documents (the ONS list
//! of the 42 ICBs; NHS England's board papers on specialised services and primary care
//! delegation; the ODS codes of the CCGs of 2014) and from hand reasoning about them,
//! never from vires' own answers.

use jiff::civil::{date, Date};
use std::collections::BTreeSet;
use std::sync::OnceLock;
use vires_core::{CaveatKind, Coverage, Place, Role, Snapshot, WhoAnswer};

fn snap() -> &'static Snapshot {
    static S: OnceLock<Snapshot> = OnceLock::new();
    S.get_or_init(|| Snapshot::compile(vires_england::bundled().unwrap().register))
}

fn who(f: &str, place: Place, on: Date) -> WhoAnswer {
    snap().who(f, &place, on, None).unwrap()
}

/// Each (body, role, accountable body, function, purposes) once.
fn assert_each_once(a: &WhoAnswer) {
    let mut seen = BTreeSet::new();
    for h in &a.holders {
        let key = (
            h.body.to_string(),
            h.role,
            h.accountable.to_string(),
            h.function.to_string(),
            h.purposes.clone(),
        );
        assert!(seen.insert(key.clone()), "{key:?} is listed twice");
    }
}

/// From 2023-04-01 NHS England commissioned the 59 specialised services "suitable and
/// ready" jointly with the ICBs, in nine statutory joint committees that together covered
/// all England (NHS England board, 2 February 2023, item 7; board paper of 7 December
/// 2023). Each of the 42 ICBs (ONS list of ICBs) sat with NHS England for its own area, so
/// asked of England NHS England is one joint member, by 42 holdings, one for each ICB's
/// area, and each ICB is one joint member for its own area.
#[test]
fn nhs_england_is_one_joint_member_of_the_59_over_england() {
    let a = who(
        "commissioning.specialised.suitable-59",
        Place::England,
        date(2023, 6, 1),
    );
    assert_each_once(&a);
    let x24: Vec<_> = a.holders.iter().filter(|h| h.body == "X24").collect();
    assert_eq!(x24.len(), 1, "NHS England once");
    let x24 = x24[0];
    assert_eq!(x24.role, Role::JointMember);
    assert_eq!(x24.holdings.len(), 42, "one holding for each ICB's area");
    // Together the 42 areas are all England (every practice whose record is settled).
    assert_eq!(x24.coverage, Coverage::Full);
    assert!(x24.part.is_none());
    let areas: BTreeSet<String> = x24
        .holdings
        .iter()
        .flat_map(|h| h.part.as_ref().unwrap().area.clone())
        .collect();
    assert_eq!(areas.len(), 42);
    // Every holding rests on its own committee, so the row's proof is the first holding's
    // and every chain is kept.
    assert_eq!(x24.proof, x24.holdings[0].proof);
    let committees: BTreeSet<&str> = x24
        .holdings
        .iter()
        .map(|h| h.proof.last().unwrap().instrument.as_str())
        .collect();
    assert_eq!(committees.len(), 42);
    // The row's part of England is the union of its holdings' parts: their practices add up
    // (the 42 areas do not overlap) to all of England's settled practices.
    let settled: u32 = x24
        .holdings
        .iter()
        .map(|h| h.part.as_ref().unwrap().practices)
        .sum();
    let of = x24.holdings[0].part.as_ref().unwrap().of;
    let unsettled: u32 = a
        .caveats
        .iter()
        .filter(|c| c.kind == CaveatKind::IncompleteRecord)
        .map(|c| c.part.as_ref().unwrap().practices)
        .sum();
    assert_eq!(settled + unsettled, of);
    let icbs = a
        .holders
        .iter()
        .filter(|h| h.body.starts_with('Q') && h.role == Role::JointMember)
        .count();
    assert_eq!(icbs, 42);
}

/// Manchester City Council (E08000003) is the upper-tier authority for public health in
/// Manchester from 2013-04-01 (NHS Act 2006 s.2B, inserted by the Health and Social Care Act
/// 2012 s.12); in 2014 Manchester had three CCGs, NHS Central (00W), North (01M) and South
/// (01N) Manchester (ODS eccg). Asked of England, the council is one holder over the three
/// CCGs' footprints, not three.
#[test]
fn an_authority_over_three_ccgs_is_one_holder_of_public_health() {
    for on in [date(2014, 6, 1), date(2015, 6, 1)] {
        let a = who("commissioning.public-health", Place::England, on);
        assert_each_once(&a);
        let manchester: Vec<_> = a.holders.iter().filter(|h| h.body == "E08000003").collect();
        assert_eq!(manchester.len(), 1, "on {on}");
        let m = manchester[0];
        assert_eq!(m.role, Role::Statutory);
        assert_eq!(m.holdings.len(), 3);
        let part = m.part.as_ref().unwrap();
        assert_eq!(
            part.area,
            ["footprint(00W)", "footprint(01M)", "footprint(01N)"]
        );
        let each: u32 = m
            .holdings
            .iter()
            .map(|h| h.part.as_ref().unwrap().practices)
            .sum();
        // The three footprints do not overlap: the union is the sum.
        assert_eq!(part.practices, each);
    }
    let a = who(
        "commissioning.public-health",
        Place::England,
        date(2024, 6, 1),
    );
    assert_each_once(&a);
}

/// Primary care is made of GP services, dental, optometry and pharmacy. NHS England
/// delegated GP services to every ICB from 2022-07-01 and pharmacy, optometry and dental
/// from 2023-04-01 (NHS England board paper, primary care delegation; the fidelity suite's
/// `nhse-pc-delegation` facts). So at a Gateshead practice (A85001, in North East and North
/// Cumbria ICB, QHM) on 2024-06-01 primary care is held by QHM, part by part, and the
/// register is complete for each part there: no "nobody holds it", no coverage caveat.
#[test]
fn primary_care_at_a_practice_is_answered_part_by_part() {
    let a = who(
        "commissioning.primary-care",
        Place::Practice("A85001".into()),
        date(2024, 6, 1),
    );
    let parts: BTreeSet<(String, String)> = a
        .holders
        .iter()
        .map(|h| (h.body.to_string(), h.function.to_string()))
        .collect();
    // And the complaints about each, which passed to every ICB on 2023-07-01 (NHS
    // Lancashire and South Cumbria ICB, 'Customer care team'; Healthwatch Darlington, 'NHS
    // Complaints - changes in effect now', 14 June 2023).
    let want: BTreeSet<(String, String)> = ["medical", "dental", "optometry", "pharmacy"]
        .iter()
        .flat_map(|p| {
            [
                format!("commissioning.primary-care.{p}"),
                format!("commissioning.primary-care.{p}.complaints"),
            ]
        })
        .map(|f| ("QHM".to_string(), f))
        // NHS England kept the performers lists of GP, dental and ophthalmic services and
        // capital expenditure on GP premises (NHS England, 'Delegation of primary medical,
        // pharmaceutical, ophthalmic and dental functions'; 'Primary care capital grants
        // policy'): it holds those parts itself.
        .chain(
            [
                "medical.performers",
                "medical.capital",
                "dental.performers",
                "optometry.performers",
            ]
            .iter()
            .map(|p| ("X24".to_string(), format!("commissioning.primary-care.{p}"))),
        )
        .collect();
    assert_eq!(parts, want);
    assert!(a.holders.iter().all(|h| h.role
        == if h.body == "X24" {
            Role::Statutory
        } else {
            Role::Delegate
        }));
    assert!(a.accountable_only.is_empty());
    assert!(
        !a.caveats
            .iter()
            .any(|c| c.kind == CaveatKind::OutsideCoverage),
        "{:#?}",
        a.caveats
    );
    // QHM may act for each part, not for primary care as a whole.
    let may = snap()
        .may(
            "QHM",
            "commissioning.primary-care",
            &Place::Practice("A85001".into()),
            date(2024, 6, 1),
            None,
        )
        .unwrap();
    assert!(!may.allowed);
    for p in ["medical", "dental", "optometry", "pharmacy"] {
        assert!(
            may.reason
                .contains(&format!("commissioning.primary-care.{p} as delegate")),
            "{}",
            may.reason
        );
    }
}

/// From 2025-04-01 NHS England delegated the 59 and the 11 further specialised services to
/// the ICBs of every region (NHS England board, 2024-25; the fidelity suite's specialised
/// facts) and kept the rest of specialised services. At A85001 on 2025-06-01 NHS England
/// holds specialised services, and QHM holds those two parts of them.
#[test]
fn specialised_services_at_a_practice_name_the_parts_each_holds() {
    let a = who(
        "commissioning.specialised",
        Place::Practice("A85001".into()),
        date(2025, 6, 1),
    );
    let rows: BTreeSet<(String, String)> = a
        .holders
        .iter()
        .map(|h| (h.body.to_string(), h.function.to_string()))
        .collect();
    assert!(rows.contains(&("X24".into(), "commissioning.specialised".into())));
    assert!(rows.contains(&("QHM".into(), "commissioning.specialised.suitable-59".into())));
    assert!(rows.contains(&("QHM".into(), "commissioning.specialised.suitable-11".into())));
    assert!(!a.accountable_only.iter().any(|b| b == "X24"));
}

/// An ICB's `what` gives first the caveats about what it holds (North East and North
/// Cumbria ICB's joint committee for the 59 specialised services, its facts to confirm),
/// then those about functions it has nothing to do with (public health, held by local
/// authorities; commissioning support), every one kept.
#[test]
fn what_an_icb_holds_gives_its_own_caveats_first() {
    let a = snap().what("QHM", date(2024, 6, 1)).unwrap();
    let first_other = a
        .caveats
        .iter()
        .position(|c| {
            c.message.contains("commissioning.public-health") || c.message.contains(" for support ")
        })
        .expect("the public health and support caveats are kept");
    assert!(first_other > 0);
    assert!(a.caveats[..first_other].iter().all(|c| {
        c.kind == CaveatKind::ToConfirm || c.message.contains("commissioning.specialised")
    }));
    assert!(a.caveats[..first_other]
        .iter()
        .any(|c| c.kind == CaveatKind::ToConfirm));
    assert!(a.caveats[first_other..].iter().all(|c| {
        c.message.contains("commissioning.public-health") || c.message.contains(" for support ")
    }));
}
