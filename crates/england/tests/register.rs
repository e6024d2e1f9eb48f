//! The England register against the ODS files it is built from. Expected values are computed
//! here, independently, from the CSV files in data/ods.

use jiff::civil::{date, Date};
use std::path::PathBuf;
use std::sync::OnceLock;
use vires_core::{BodyKind, InstrumentKind, Register};
use vires_england::{Import, Severity};

fn data_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/ods")
}

fn import() -> &'static Import {
    static I: OnceLock<Import> = OnceLock::new();
    I.get_or_init(|| vires_england::bundled().unwrap())
}

fn ods_date(s: &str) -> Option<Date> {
    if s.is_empty() {
        return None;
    }
    Some(date(
        s[0..4].parse().unwrap(),
        s[4..6].parse().unwrap(),
        s[6..8].parse().unwrap(),
    ))
}

/// CCG rows of the ODS file (blank role = closed CCG, RO319 = CCG continued as sub-ICB location).
fn ods_ccg_rows() -> Vec<(String, Date, Option<Date>)> {
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(data_dir().join("ods_eccg_2024.csv"))
        .unwrap();
    rdr.records()
        .map(|r| r.unwrap())
        .filter(|r| r[13].is_empty() || r[13].split('|').any(|x| x == "RO319"))
        .map(|r| {
            (
                r[0].to_string(),
                ods_date(&r[10]).unwrap(),
                ods_date(&r[11]),
            )
        })
        .collect()
}

fn kind_on(reg: &Register, code: &str, on: Date) -> Option<BodyKind> {
    reg.body_at(code, on).map(|b| reg.body(b).kind)
}

#[test]
fn ccg_count_each_first_of_april_matches_the_ods_file() {
    let reg = &import().register;
    let rows = ods_ccg_rows();
    for year in 2013..=2021 {
        let d = date(year, 4, 1);
        let expected = rows
            .iter()
            .filter(|(_, open, close)| *open <= d && close.is_none_or(|c| d <= c))
            .count();
        let listed = reg.bodies_on(d, Some(BodyKind::Ccg)).len();
        assert_eq!(listed, expected, "CCGs on {d}");
    }
    // The well-known totals, as a cross-check on the expected values themselves.
    assert_eq!(
        reg.bodies_on(date(2013, 4, 1), Some(BodyKind::Ccg)).len(),
        211
    );
    assert_eq!(
        reg.bodies_on(date(2021, 4, 1), Some(BodyKind::Ccg)).len(),
        106
    );
}

#[test]
fn forty_two_icbs_and_no_ccg_on_1_july_2022() {
    let reg = &import().register;
    let d = date(2022, 7, 1);
    assert_eq!(reg.bodies_on(d, Some(BodyKind::Icb)).len(), 42);
    assert_eq!(reg.bodies_on(d, Some(BodyKind::Ccg)).len(), 0);
    assert_eq!(reg.bodies_on(d, Some(BodyKind::SubIcbLocation)).len(), 106);
    assert_eq!(
        reg.bodies_on(d.yesterday().unwrap(), Some(BodyKind::Ccg))
            .len(),
        106
    );
    assert_eq!(
        reg.bodies_on(d.yesterday().unwrap(), Some(BodyKind::Icb))
            .len(),
        0
    );
    // Every sub-ICB location sits in exactly one ICB on the day.
    for b in reg.bodies_on(d, Some(BodyKind::SubIcbLocation)) {
        let parents: Vec<_> = reg
            .parents
            .iter()
            .filter(|p| p.child == b && p.during.contains(d))
            .collect();
        assert_eq!(parents.len(), 1, "{}", reg.body(b).code);
        assert_eq!(reg.body(parents[0].parent).kind, BodyKind::Icb);
    }
}

#[test]
fn gateshead_newcastle_merger_into_13t() {
    let reg = &import().register;
    let on = date(2015, 4, 1);
    for old in ["00F", "00G", "00H"] {
        assert!(reg
            .successions
            .iter()
            .any(|s| s.from == old && s.to == "13T" && s.on == on));
        assert_eq!(kind_on(reg, old, date(2015, 3, 31)), Some(BodyKind::Ccg));
        assert_eq!(kind_on(reg, old, on), None, "{old} closed on 2015-03-31");
    }
    assert_eq!(kind_on(reg, "13T", on), Some(BodyKind::Ccg));
    let g = reg.body(reg.body_at("00F", date(2014, 1, 1)).unwrap());
    assert_eq!(g.name, "NHS Gateshead CCG");
    let merge = reg
        .instruments
        .iter()
        .find(|i| {
            i.kind == InstrumentKind::Merge
                && i.from == on
                && i.terms().receivers == vires_core::Receivers::Bodies(vec!["13T".into()])
        })
        .expect("a merger instrument into 13T");
    let mut preds = merge.particulars().predecessors.clone();
    preds.sort();
    assert_eq!(preds, ["00F", "00G", "00H"]);
    assert_eq!(merge.maker.as_deref(), Some("X24"));
    assert!(merge
        .terms()
        .source
        .as_deref()
        .unwrap()
        .contains("ODS successor file"));

    // The analyst's map: 00F is 13T in 2016, and 13T (a sub-ICB location of QHM) in 2023.
    let m2016 = vires_core::lineage::map_to(reg, date(2016, 1, 1));
    let row = m2016.iter().find(|r| r.old_code == "00F").unwrap();
    assert_eq!((row.code.as_str(), row.kind.as_str()), ("13T", "ccg"));
    assert_eq!(row.path, ["00F", "13T"]);
    let map = vires_england::map_lines(reg, date(2023, 1, 1));
    let l = map.iter().find(|l| l.row.old_code == "00H").unwrap();
    assert_eq!(l.status, vires_england::MapStatus::Succeeded);
    assert_eq!(
        (l.row.code.as_str(), l.row.kind.as_str()),
        ("13T", "sub-icb-location")
    );
    assert_eq!(l.row.icb_code.as_deref(), Some("QHM"));
    assert_eq!(l.row.path, ["00H", "13T"]);
    // Frimley was split in 2026: one line per successor.
    let map = vires_england::map_lines(reg, date(2026, 6, 1));
    let frimley: Vec<_> = map.iter().filter(|l| l.row.old_code == "QNQ").collect();
    assert_eq!(frimley.len(), 3, "{frimley:?}");
    assert!(frimley
        .iter()
        .all(|l| l.status == vires_england::MapStatus::Split));
}

#[test]
fn bassetlaw_moves_to_nottingham_and_nottinghamshire_on_1_july_2022() {
    let reg = &import().register;
    let before = date(2022, 6, 30);
    let after = date(2022, 7, 1);
    let ccg = reg.body_at("02Q", before).unwrap();
    assert_eq!(reg.body(ccg).kind, BodyKind::Ccg);
    assert_eq!(reg.body(ccg).life.until, Some(after));
    assert_eq!(reg.body(ccg).name, "NHS Bassetlaw CCG");
    let sub = reg.body_at("02Q", after).unwrap();
    assert_eq!(reg.body(sub).kind, BodyKind::SubIcbLocation);
    let parent = reg
        .parents
        .iter()
        .find(|p| p.child == sub && p.during.contains(after))
        .unwrap();
    assert_eq!(reg.body(parent.parent).code, "QT1");
    // The 2022 transition hands Bassetlaw's property and liabilities to QT1, not to South Yorkshire.
    let qt1 = reg
        .instruments
        .iter()
        .find(|i| i.id == "hca2022-QT1")
        .unwrap();
    assert!(qt1.particulars().predecessors.iter().any(|p| p == "02Q"));
    assert_eq!(qt1.maker.as_deref(), Some("PARLIAMENT"));
    let qf7 = reg
        .instruments
        .iter()
        .find(|i| i.id == "hca2022-QF7")
        .unwrap();
    assert!(!qf7.particulars().predecessors.iter().any(|p| p == "02Q"));
    assert_eq!(import().regions.get("QT1").map(String::as_str), Some("Y60"));
    // Bassetlaw's practices follow the code into the sub-ICB location.
    let practices: Vec<_> = reg
        .memberships
        .iter()
        .filter(|m| m.body == ccg && m.during.until == Some(after))
        .map(|m| m.practice)
        .collect();
    assert!(!practices.is_empty());
    for a in practices {
        let later: Vec<_> = reg
            .memberships
            .iter()
            .filter(|m| m.practice == a && m.during.contains(after))
            .collect();
        assert_eq!(later.len(), 1);
        assert_eq!(later[0].body, sub);
    }
}

#[test]
fn every_active_practice_has_one_commissioner_from_joining_until_today() {
    let reg = &import().register;
    let today = date(2026, 12, 1);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(data_dir().join("ods_epraccur_2019_12.csv"))
        .unwrap();
    // Before the join date only an earlier practice list places a practice
    // (data/curated/practice-history.csv: practice, commissioner, from, until).
    let mut earlier: std::collections::BTreeMap<String, Vec<(String, Date, Date)>> =
        Default::default();
    let history = data_dir().join("../curated/practice-history.csv");
    for r in csv::Reader::from_path(history)
        .unwrap()
        .records()
        .map(|r| r.unwrap())
    {
        let d = |s: &str| s.parse::<Date>().unwrap();
        earlier
            .entry(r[0].to_string())
            .or_default()
            .push((r[1].to_string(), d(&r[2]), d(&r[3])));
    }
    let mut checked = 0;
    for r in rdr.records().map(|r| r.unwrap()) {
        if &r[25] != "4" || &r[12] != "A" {
            continue;
        }
        let practice = reg.practice_id(&r[0]).unwrap();
        let joined = ods_date(&r[15]).unwrap().max(date(2013, 4, 1));
        let (before, mut ms): (Vec<&vires_core::Membership>, Vec<_>) = reg
            .memberships
            .iter()
            .filter(|m| m.practice == practice)
            .partition(|m| m.during.from < joined);
        for m in before {
            let code = &reg.body(m.body).code;
            assert!(
                earlier
                    .get(&r[0])
                    .is_some_and(|rows| rows.iter().any(|(c, from, until)| {
                        c == code
                            && *from <= m.during.from
                            && m.during.until.is_some_and(|u| u <= *until)
                    })),
                "{}: in {code} from {} before joining on {joined}, which no earlier list says",
                &r[0],
                m.during.from
            );
        }
        ms.sort_by_key(|m| m.during.from);
        assert_eq!(ms[0].during.from, joined, "{}", &r[0]);
        // Membership runs to today, or up to a stretch the register records as not known,
        // naming the candidates (a boundary change the sources leave open).
        if let Some(end) = ms.last().unwrap().during.until {
            assert!(
                reg.unknown_memberships
                    .iter()
                    .any(|u| u.practice == practice
                        && u.during.from == end
                        && u.during.until.is_none()
                        && !u.candidates.is_empty()),
                "{}: membership ends on {end} with nothing recorded after",
                &r[0]
            );
            checked += 1;
            continue;
        }
        for w in ms.windows(2) {
            assert_eq!(
                w[0].during.until,
                Some(w[1].during.from),
                "{}: gap or overlap",
                &r[0]
            );
        }
        assert!(ms.iter().any(|m| m.during.contains(today)));
        assert_eq!(reg.body(ms[0].body).code, &r[14]);
        checked += 1;
    }
    assert!(checked > 6000, "{checked}");
}

/// The ICB a body sits in on `on`, by code.
fn icb_of(reg: &Register, code: &str, on: Date) -> Option<String> {
    let b = reg.body_at(code, on)?;
    let ps: Vec<_> = reg
        .parents
        .iter()
        .filter(|p| p.child == b && p.during.contains(on))
        .collect();
    assert!(ps.len() <= 1, "{code} in {} ICBs on {on}", ps.len());
    ps.first().map(|p| reg.body(p.parent).code.clone())
}

#[test]
fn later_icb_reshape_moves_every_place_to_a_successor() {
    let i = import();
    let reg = &i.register;
    let on = date(2026, 4, 1);
    let eve = date(2026, 3, 31);
    // QNQ (Frimley) ends; QRL continues.
    assert!(reg.body_at("QNQ", on).is_none());
    assert!(reg.body_at("QNQ", eve).is_some());
    assert!(reg.body_at("QRL", on).is_some());
    assert!(reg
        .successions
        .iter()
        .any(|s| s.from == "QNQ" && s.to == "QRL" && s.on == on));
    // A whole-ICB succession moves its sub-ICB locations: QMJ's go to Z9B2Z.
    let z = reg.body_at("Z9B2Z", on).unwrap();
    // Named as in the written statement of 9 September 2025, which names the footprints.
    assert_eq!(reg.body(z).name, "North West and North Central London ICB");
    let src = reg.body(z).source.as_deref().unwrap();
    assert!(src.contains("9 September 2025"), "{src}");
    assert_eq!(icb_of(reg, "93C", on).as_deref(), Some("Z9B2Z"));
    assert_eq!(icb_of(reg, "93C", eve).as_deref(), Some("QMJ"));
    // Split ICBs: each sub-ICB location goes to the successor the curated table gives it.
    for (place, before, after) in [
        ("06L", "QJG", "T6Y0W"),
        ("07K", "QJG", "T6Y0W"),
        ("06T", "QJG", "D7T5G"),
        ("06K", "QM7", "S1Y5D"),
        ("06N", "QM7", "S1Y5D"),
        ("07H", "QM7", "D7T5G"),
    ] {
        assert_eq!(icb_of(reg, place, eve).as_deref(), Some(before), "{place}");
        assert_eq!(icb_of(reg, place, on).as_deref(), Some(after), "{place}");
        // ...and its source says that the ODS files do not record it, and cites the public
        // statement naming the new footprints.
        let b = reg.body(reg.body_at(place, on).unwrap());
        let src = b.source.as_deref().unwrap();
        assert!(
            src.contains("Not in the bundled ODS files"),
            "{place}: {src}"
        );
        assert!(src.contains("9 September 2025"), "{src}");
        assert!(src.contains(vires_england::RESHAPE_FILE.0), "{src}");
        assert!(i
            .quality
            .of_kind("reshape-allocated")
            .any(|x| x.subject.as_deref() == Some(place)));
    }
    // Every successor of a split ICB takes part of it.
    for (icb, successors) in [
        ("QJG", &["D7T5G", "T6Y0W"][..]),
        ("QM7", &["S1Y5D", "D7T5G"][..]),
        ("QNQ", &["S0E4D", "S9B9J", "QRL"][..]),
    ] {
        for s in successors {
            assert!(
                i.quality.of_kind("reshape-allocated").any(|x| {
                    x.reason
                        .contains(&format!(" of {icb} placed in {s} from {on}"))
                }),
                "{icb} to {s}"
            );
        }
    }
    // Frimley's one sub-ICB location D4U1Y cannot follow one successor: it sits in no ICB from
    // the reshape, and its practices move one by one, by the former CCG the practice file gives.
    assert_eq!(icb_of(reg, "D4U1Y", eve).as_deref(), Some("QNQ"));
    assert_eq!(icb_of(reg, "D4U1Y", on), None);
    let frimley = reg.body_at("D4U1Y", on).unwrap();
    assert!(reg
        .body(frimley)
        .source
        .as_deref()
        .unwrap()
        .contains("placed in those ICBs one by one"));
    assert!(!reg
        .memberships
        .iter()
        .any(|m| m.body == frimley && m.during.contains(on)));
    let mut moved = 0;
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .from_path(data_dir().join("ods_epraccur_2019_12.csv"))
        .unwrap();
    for r in rdr.records().map(|r| r.unwrap()) {
        // NHS Surrey Heartlands: Surrey and Sussex takes the Farnham and Surrey Heath areas
        // of Frimley; the rest of North East Hampshire and Farnham (Rushmoor and part of
        // Hart) goes to Hampshire and the Isle of Wight (Haslemere Herald, January 2026).
        // These five practices' addresses are in Farnham town (the practice file).
        const FARNHAM: [&str; 5] = ["H81027", "H81088", "H81097", "H81110", "H81615"];
        let to = match &r[14] {
            "10C" => "S9B9J",
            "99M" if FARNHAM.contains(&&r[0]) => "S9B9J",
            "99M" => "QRL",
            // East Berkshire, with its Surrey practice H81047 (Englefield Green), which NHS
            // Digital's list of April 2026 puts in the same sub-ICB location, U2G6B.
            "15D" => "S0E4D",
            _ => continue,
        };
        if &r[25] != "4" || !r[11].is_empty() {
            continue;
        }
        let a = reg.practice_id(&r[0]).unwrap();
        let at = |d: Date| -> Vec<String> {
            reg.memberships
                .iter()
                .filter(|m| m.practice == a && m.during.contains(d))
                .map(|m| reg.body(m.body).code.clone())
                .collect()
        };
        assert_eq!(at(eve), ["D4U1Y"], "{}", &r[0]);
        assert_eq!(at(on), [to], "{}", &r[0]);
        moved += 1;
    }
    assert!(moved > 70, "{moved}");
    // Nothing is left unplaced: the only split warnings are the reporting entities of the
    // split ICBs, which hold no practices and which the bundled files do not place.
    for w in i.quality.of_kind("reshape-split") {
        if w.severity != Severity::Warning {
            continue;
        }
        let code = w.subject.as_deref().unwrap();
        let b = reg.body_at(code, on).unwrap();
        assert_eq!(reg.body(b).kind, BodyKind::ReportingEntity, "{w:?}");
    }
    // Still 42 ICBs the day before, 36 on the day.
    assert_eq!(reg.bodies_on(eve, Some(BodyKind::Icb)).len(), 42);
    assert_eq!(reg.bodies_on(on, Some(BodyKind::Icb)).len(), 36);
}

#[test]
fn local_authority_districts_are_unions_of_ccg_footprints() {
    let reg = &import().register;
    // 309 districts, and NHS England's seven regions (Y56, Y58-Y63 in the eccg file).
    assert_eq!(reg.areas.len(), 309 + 7);
    let gateshead = reg.area("E08000037").unwrap();
    assert_eq!(gateshead.name, "Gateshead");
    assert_eq!(
        gateshead.expr,
        vires_core::AreaExpr::Footprint("13T".into())
    );
    assert!(gateshead.note.as_deref().unwrap().contains("Approximation"));
}

#[test]
fn bundled_data_is_clean_apart_from_known_notes() {
    let q = &import().quality;
    // The only rejected row is the ONS 2018 list's Channel Islands pseudo-row, which has no ODS code.
    let rejected: Vec<_> = q
        .issues
        .iter()
        .filter(|i| i.severity == Severity::Rejected)
        .collect();
    assert_eq!(rejected.len(), 1, "{rejected:?}");
    assert_eq!(rejected[0].file, "ccg_names_codes_2018_04.csv");
    let json: serde_json::Value = serde_json::from_str(&q.to_json()).unwrap();
    assert!(json["issues"].as_array().unwrap().len() == q.issues.len());
    assert!(q.to_text().contains("ods_succ.csv"));
}

#[test]
fn building_from_the_directory_matches_the_bundle() {
    let mut stages = Vec::new();
    let from_dir = vires_england::build_from_dir(&data_dir(), &mut |s| stages.push(s)).unwrap();
    let b = import();
    assert_eq!(from_dir.register.bodies.len(), b.register.bodies.len());
    for (x, y) in from_dir.register.bodies.iter().zip(&b.register.bodies) {
        assert_eq!(x, y);
    }
    assert_eq!(from_dir.register.memberships, b.register.memberships);
    assert_eq!(from_dir.register.instruments, b.register.instruments);
    assert!(stages
        .iter()
        .any(|s| matches!(s, vires_england::Stage::Practices { .. })));
}

#[test]
fn bundled_reports_as_many_stages_as_it_says() {
    let mut stages = Vec::new();
    let import = vires_england::bundled_with(&mut |s| stages.push(format!("{s:?}")));
    assert!(import.is_ok());
    assert_eq!(
        stages.len() as u64,
        vires_england::BUNDLED_STAGES,
        "{stages:?}"
    );
    assert!(stages.last().is_some_and(|s| s == "Done"), "{stages:?}");
}

/// Every row of the earlier practice list (data/curated/practice-history.csv) settles part
/// of an unknown stretch: each names a practice that joined a CCG after the list's date, and a
/// commissioner that is a candidate there (or, for a move between CCGs, one open then), so
/// none is reported as contradicting the 2019 file or settling nothing.
#[test]
fn every_earlier_placement_is_applied() {
    let q = &import().quality;
    let found: Vec<_> = q.of_kind("practice-history").collect();
    assert!(found.is_empty(), "{found:#?}");
}
