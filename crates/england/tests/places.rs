//! `who` for places larger than a practice (England, a body's footprint) on the bundled
//! register: every holder of part of the place is listed once, with the part it covers, and
//! the parts nobody holds are said beside the answer. Expected values come from public lists
//! (the ONS list of the 42 ICBs, in the fidelity suite's facts) and from hand reasoning about
//! the statute (an ICB holds secondary care for the practices in its own footprint, s.3 NHS
//! Act 2006 as amended by the Health and Care Act 2022), never from vires' own answers.

use jiff::civil::{date, Date};
use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::OnceLock;
use vires_core::{CaveatKind, Coverage, Holder, Place, Role, Snapshot, WhoAnswer};

const SECONDARY: &str = "commissioning.secondary-care";

fn snap() -> &'static Snapshot {
    static S: OnceLock<Snapshot> = OnceLock::new();
    S.get_or_init(|| Snapshot::compile(vires_england::bundled().unwrap().register))
}

/// The 42 ICBs' ODS codes, from the ONS list of Integrated Care Boards (December 2024) as
/// the fidelity suite transcribes it (`bodies,ons,CODE,,2022-07-01,E54...` rows).
fn the_42_icbs() -> BTreeSet<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fidelity/facts.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut rd = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        .from_reader(text.as_bytes());
    let mut out = BTreeSet::new();
    for row in rd.records() {
        let row = row.unwrap();
        if &row[0] == "bodies"
            && &row[1] == "ons"
            && &row[4] == "2022-07-01"
            && row[5].starts_with("E54")
        {
            out.insert(row[2].to_string());
        }
    }
    assert_eq!(out.len(), 42, "the ONS list names 42 ICBs");
    out
}

fn who(f: &str, place: Place, on: Date) -> WhoAnswer {
    snap().who(f, &place, on, None).unwrap()
}

/// No holder appears twice: the same body in the same role, accountable to the same body,
/// for the same function and purposes, is one row, whatever instruments it holds by.
fn assert_no_duplicates(a: &WhoAnswer) {
    let mut seen = BTreeSet::new();
    for h in &a.holders {
        let key = (
            h.body.to_string(),
            h.role,
            h.accountable.to_string(),
            h.function.to_string(),
            h.purposes.clone(),
        );
        assert!(
            seen.insert(key.clone()),
            "{key:?} is listed twice in {a:#?}"
        );
    }
}

fn practices_of(h: &Holder) -> u32 {
    h.part.as_ref().map(|p| p.practices).unwrap_or(0)
}

#[test]
fn secondary_care_for_england_in_2023_is_the_42_icbs_each_for_its_footprint() {
    let on = date(2023, 1, 1);
    let a = who(SECONDARY, Place::England, on);
    assert_no_duplicates(&a);
    let codes: BTreeSet<String> = a.holders.iter().map(|h| h.body.to_string()).collect();
    assert_eq!(codes, the_42_icbs());
    assert_eq!(a.holders.len(), 42);
    let of = a.holders[0].part.as_ref().unwrap().of;
    for h in &a.holders {
        assert_eq!(h.role, Role::Statutory, "{h:?}");
        assert_eq!(h.coverage, Coverage::Partial, "{h:?}");
        assert_eq!(h.accountable, h.body, "{h:?}");
        let part = h.part.as_ref().unwrap();
        assert_eq!(part.area, vec![format!("footprint({})", h.body)]);
        assert_eq!(part.of, of);
        assert!(part.practices > 0, "{h:?}");
        // The holder's proof is the statute that makes the duty the ICB's own.
        assert!(!h.proof.is_empty());
    }
    // Each practice is in exactly one ICB's footprint, but for those whose ICB the sources
    // do not settle (the four Great Barr practices): the parts and those add up to England,
    // and no part is left over.
    let sum: u32 = a.holders.iter().map(practices_of).sum();
    assert_eq!(sum + unsettled_on(on).len() as u32, of);
    assert!(!a.caveats.iter().any(|c| c.kind == CaveatKind::NoHolder));
}

/// The practices whose commissioner the sources do not settle on `on`: the rows of the
/// curated moves file that name two candidates (`to` of the form `A|B`) from a date on or
/// before `on`. Read from the file, not from the register.
fn unsettled_on(on: Date) -> BTreeSet<String> {
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/curated/practice-moves.csv");
    let mut rd = csv::Reader::from_path(path).unwrap();
    rd.records()
        .map(|r| r.unwrap())
        .filter(|r| r[3].contains('|') && r[1].parse::<Date>().unwrap() <= on)
        .map(|r| r[0].to_string())
        .collect()
}

/// England on 2023-01-01 is every practice the ODS practice file (December 2019) has open
/// that day: a GP practice (setting 4, column 25) opened on or before it (column 10) and not
/// closed before it (column 11). Counted from the file, 7,131. The four Great Barr practices,
/// whose ICB from 2022-07-01 the sources do not settle, are among them: the answer says
/// their record is incomplete and names both ICBs they may be in (Black Country, QUA, the
/// parent of D2P2L, and Birmingham and Solihull, QHL, the parent of 15E, by the ODS eccg
/// file's column 4). Before, they were left out (7,127) and no caveat named them.
#[test]
fn england_counts_every_practice_open_that_day_with_the_unsettled_ones_caveated() {
    let on = date(2023, 1, 1);
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/ods/ods_epraccur_2019_12.csv");
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    let day = "20230101";
    let open = rd
        .records()
        .map(|r| r.unwrap())
        .filter(|r| &r[25] == "4" && !r[10].is_empty() && &r[10] <= day)
        .filter(|r| r[11].is_empty() || &r[11] >= day)
        .count();
    assert_eq!(open, 7131);
    let a = who(SECONDARY, Place::England, on);
    assert_eq!(a.holders[0].part.as_ref().unwrap().of as usize, open);
    let great_barr: BTreeSet<String> = ["M88015", "M88021", "M88024", "M88623"]
        .into_iter()
        .map(String::from)
        .collect();
    assert_eq!(unsettled_on(on), great_barr);
    let incomplete: Vec<_> = a
        .caveats
        .iter()
        .filter(|c| c.kind == CaveatKind::IncompleteRecord)
        .collect();
    assert_eq!(incomplete.len(), 1, "{:#?}", a.caveats);
    assert_eq!(incomplete[0].candidates, ["QHL", "QUA"]);
    assert!(
        incomplete[0].message.contains("4 of the 7131 practices"),
        "{}",
        incomplete[0].message
    );
    // Each ICB's own footprint counts the practices that may be in it.
    for icb in ["QHL", "QUA"] {
        let own = who(SECONDARY, Place::Body(icb.into()), on);
        assert!(
            own.holders
                .iter()
                .any(|h| h.body == icb && h.coverage == Coverage::Full),
            "{own:#?}"
        );
        assert!(
            own.caveats
                .iter()
                .any(|c| c.kind == CaveatKind::IncompleteRecord && c.candidates == ["QHL", "QUA"]),
            "{own:#?}"
        );
    }
}

#[test]
fn the_parts_of_england_are_the_icbs_footprints_asked_one_by_one() {
    // The part each ICB covers is the number of practices `who` for that ICB's footprint
    // finds it holding for all of, less those whose ICB the sources do not settle.
    let on = date(2023, 1, 1);
    let a = who(SECONDARY, Place::England, on);
    let unsettled = unsettled_on(on);
    for h in &a.holders {
        let own = who(SECONDARY, Place::Body(h.body.clone()), on);
        assert!(
            own.holders
                .iter()
                .any(|x| x.body == h.body && x.coverage == Coverage::Full),
            "{own:#?}"
        );
        let practices = snap()
            .place_practices(&Place::Body(h.body.clone()), on)
            .unwrap()
            .unwrap();
        let reg = snap().register();
        let settled = practices
            .iter()
            .filter(|a| !unsettled.contains(reg.practices[a.0 as usize].code.as_str()))
            .count();
        assert_eq!(practices_of(h) as usize, settled, "{}", h.body);
    }
}

#[test]
fn secondary_care_for_england_before_2022_is_the_ccgs() {
    // 2021-04-01: the 106 CCGs of April 2021 (ONS list, `counts,count,ccg` in the facts),
    // each holding for its own practices.
    let on = date(2021, 6, 1);
    let a = who(SECONDARY, Place::England, on);
    assert_no_duplicates(&a);
    let statutory: BTreeSet<String> = a
        .holders
        .iter()
        .filter(|h| h.role == Role::Statutory)
        .map(|h| h.body.to_string())
        .collect();
    assert_eq!(statutory.len(), 106, "{statutory:?}");
    let of = a.holders[0].part.as_ref().map(|p| p.of).unwrap();
    let sum: u32 = a
        .holders
        .iter()
        .filter(|h| h.role == Role::Statutory)
        .map(practices_of)
        .sum();
    assert_eq!(sum, of);
}

#[test]
fn a_footprint_lists_its_parts_holders() {
    // The footprint of an ICB for a function its sub-ICB locations' CCG predecessors held:
    // in 2021 the footprint of QHM (North East and North Cumbria, from 2022-07-01) did not
    // exist, so ask a CCG that merged: 13T (Newcastle Gateshead) in 2016 is one holder of
    // all of it.
    let a = who(SECONDARY, Place::Body("13T".into()), date(2016, 6, 1));
    assert_no_duplicates(&a);
    assert!(a
        .holders
        .iter()
        .any(|h| h.body == "13T" && h.coverage == Coverage::Full && h.part.is_none()));
}

#[test]
fn specialised_services_at_e82002_in_2026_list_each_holder_once() {
    let a = who(
        "commissioning.specialised",
        Place::Practice("E82002".into()),
        date(2026, 6, 1),
    );
    assert!(!a.holders.is_empty());
    assert_no_duplicates(&a);
    // A practice is one place: no holder of it carries a part.
    assert!(a.holders.iter().all(|h| h.part.is_none()));
}

#[test]
fn specialised_services_for_england_in_2026_list_each_holder_once() {
    let a = who(
        "commissioning.specialised",
        Place::England,
        date(2026, 6, 1),
    );
    assert!(!a.holders.is_empty());
    assert_no_duplicates(&a);
}

/// The ICBs the ODS eccg file (2024 release; the fidelity suite's source `ods-eccg-2024`)
/// places in a region: the parent ICB (column 4) of each sub-ICB location row with that
/// region (column 3) open on `on` (columns 11 and 12, open and close dates).
fn icbs_of_region(region: &str, on: Date) -> BTreeSet<String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/ods/ods_eccg_2024.csv");
    let text = std::fs::read_to_string(path).unwrap();
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_reader(text.as_bytes());
    let ymd = |s: &str| {
        date(
            s[0..4].parse().unwrap(),
            s[4..6].parse().unwrap(),
            s[6..8].parse().unwrap(),
        )
    };
    let mut out = BTreeSet::new();
    for row in rd.records() {
        let row = row.unwrap();
        let open = ymd(&row[10]);
        let closed = !row[11].is_empty() && ymd(&row[11]) < on;
        if &row[2] == region && row[3].starts_with('Q') && open <= on && !closed {
            out.insert(row[3].to_string());
        }
    }
    out
}

#[test]
fn a_region_is_answered_by_its_icbs() {
    let on = date(2023, 1, 1);
    let want = icbs_of_region("Y63", on);
    assert!(!want.is_empty());
    let a = who(SECONDARY, Place::Area("Y63".into()), on);
    assert_no_duplicates(&a);
    let got: BTreeSet<String> = a.holders.iter().map(|h| h.body.to_string()).collect();
    assert_eq!(got, want);
    let of = a.holders[0].part.as_ref().unwrap().of;
    assert_eq!(a.holders.iter().map(practices_of).sum::<u32>(), of);
    assert!(a
        .holders
        .iter()
        .all(|h| h.role == Role::Statutory && h.coverage == Coverage::Partial));
}

/// `may` over a larger place is answered part by part, as `who` is. An ICB holds secondary
/// care for its own footprint (NHS Act 2006 s.3 as amended by the Health and Care Act 2022),
/// so Birmingham and Solihull ICB (QHL) may exercise it there, and the answer carries the
/// caveat for the Great Barr practices that may be in it; for England it holds only its own
/// part. NHS England delegated primary medical services to every ICB from 2022-07-01
/// (the fidelity suite's `nhse-pc-delegation` facts), keeping the performers list and the
/// other reserved parts, so it may exercise those parts only.
#[test]
fn may_over_a_larger_place_is_answered_part_by_part() {
    let on = date(2023, 1, 1);
    let may = |body: &str, f: &str, place: Place| snap().may(body, f, &place, on, None).unwrap();
    let own = may("QHL", SECONDARY, Place::Body("QHL".into()));
    assert!(own.allowed, "{own:#?}");
    // The four Great Barr practices recorded with both candidates from 2022-07-01
    // (data/curated/practice-moves.csv, `D2P2L|15E`): the yes holds where the record is
    // settled, and says it cannot for those four.
    assert!(
        own.reason
            .contains("the register cannot say for 4 whose record is incomplete"),
        "{}",
        own.reason
    );
    assert!(
        own.caveats
            .iter()
            .any(|c| c.kind == CaveatKind::IncompleteRecord && c.candidates == ["QHL", "QUA"]),
        "{own:#?}"
    );
    let england = may("QHL", SECONDARY, Place::England);
    assert!(!england.allowed, "{england:#?}");
    let part = england
        .holding
        .as_ref()
        .and_then(|h| h.part.as_ref())
        .unwrap();
    assert!(part.practices > 0 && part.practices < part.of, "{part:?}");
    assert!(
        england.reason.contains("only part of England"),
        "{}",
        england.reason
    );
    let medical = may("X24", "commissioning.primary-care.medical", Place::England);
    assert!(!medical.allowed, "{medical:#?}");
    // It kept the performers list (the delegation's source), so it holds that part.
    assert!(
        medical.reason.contains(
            "only parts of commissioning.primary-care.medical here: commissioning.primary-care.medical.performers"
        ),
        "{}",
        medical.reason
    );
}

/// A council asked as a body. Barnsley Metropolitan Borough Council (ONS E08000016, a
/// metropolitan district and so an upper-tier authority) has had the public health duty of
/// NHS Act 2006 s.2B since 2013-04-01 (Health and Social Care Act 2012 s.12); the ONS CCG to
/// district lookup (data/ods/ons_ccg_lad_lookup.csv) puts NHS Barnsley CCG (02P) in Barnsley
/// alone. The register places no practice in the council itself, so asked as a body it
/// stands for the district with its code, and the council holds public health for all of
/// it; NHS South Yorkshire ICB (QF7, the parent of 02P in the ODS eccg file) holds secondary
/// care there. Asked as a body, the council found nobody.
#[test]
fn a_council_asked_as_a_body_is_its_area() {
    let on = date(2019, 6, 1);
    let ph = who(
        "commissioning.public-health",
        Place::Body("E08000016".into()),
        on,
    );
    let area = who(
        "commissioning.public-health",
        Place::Area("E08000016".into()),
        on,
    );
    let full: Vec<&str> = ph
        .holders
        .iter()
        .filter(|h| h.coverage == Coverage::Full)
        .map(|h| h.body.as_str())
        .collect();
    assert_eq!(full, ["E08000016"], "{ph:#?}");
    assert_eq!(ph.holders, area.holders);
    let may = snap()
        .may(
            "E08000016",
            "commissioning.public-health",
            &Place::Body("E08000016".into()),
            on,
            None,
        )
        .unwrap();
    assert!(may.allowed, "{may:#?}");
    let later = date(2023, 1, 1);
    let secondary = who(SECONDARY, Place::Body("E08000016".into()), later);
    let codes: Vec<&str> = secondary.holders.iter().map(|h| h.body.as_str()).collect();
    assert_eq!(codes, ["QF7"], "{secondary:#?}");
}

/// `may` for a body holding part of a larger place says where it may act and where not,
/// with counts a governance lead can check. NHS Newcastle Gateshead CCG (13T) held secondary
/// care for the practices of its own footprint (NHS Act 2006 s.3, as amended by the Health
/// and Social Care Act 2012 s.13). Its practices on 2016-06-01 are counted here from the
/// December 2019 practice file itself: commissioner 13T (column 15), prescribing setting 4,
/// a GP practice (column 26), joined the commissioner (column 16) and opened (column 11) by
/// that day and not closed (column 12) before it. 13T was formed on 2015-04-01, so those are
/// settled; the rest of England's practices are the others, or unsettled.
#[test]
fn may_over_england_says_where_and_where_not_with_a_count_from_the_practice_file() {
    let on = date(2016, 6, 1);
    let path =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/ods/ods_epraccur_2019_12.csv");
    let mut rd = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(path)
        .unwrap();
    let day = "20160601";
    let mut by_hand = 0u32;
    for row in rd.records() {
        let r = row.unwrap();
        if &r[14] == "13T"
            && &r[25] == "4"
            && &r[15] <= day
            && &r[10] <= day
            && (r[11].is_empty() || &r[11] > day)
        {
            by_hand += 1;
        }
    }
    assert_eq!(by_hand, 65, "the count by hand from the file");
    let may = snap()
        .may("13T", SECONDARY, &Place::England, on, None)
        .unwrap();
    assert!(!may.allowed, "{may:#?}");
    let part = may.holding.as_ref().and_then(|h| h.part.as_ref()).unwrap();
    assert_eq!(part.practices, by_hand);
    let unsettled = may
        .caveats
        .iter()
        .find(|c| c.kind == CaveatKind::IncompleteRecord)
        .and_then(|c| c.part.as_ref())
        .map_or(0, |p| p.practices);
    let others = part.of - by_hand - unsettled;
    for said in [
        "13T may exercise commissioning.secondary-care in only part of England on 2016-06-01"
            .to_string(),
        format!("at {by_hand} of its {} practices", part.of),
        "over footprint(13T)".to_string(),
        format!("not at the other {others}"),
        format!("the register cannot say for {unsettled} whose record is incomplete"),
    ] {
        assert!(may.reason.contains(&said), "{said:?} in {}", may.reason);
    }
}

/// A timeline asks of all time: a code no body has ever had is said so, not "no body with
/// that code existed on" the earliest date there is (QZZ is not an ODS code in the files).
#[test]
fn a_timeline_of_a_code_no_body_had_says_so() {
    let s = snap();
    let e = s
        .timeline("commissioning.secondary-care", &Place::Body("QZZ".into()))
        .unwrap_err();
    assert_eq!(e, vires_core::QueryError::NeverABody("QZZ".into()));
    assert_eq!(e.to_string(), "no body has ever had the code `QZZ`");
}
