//! The law follows the date the procurement began, not the contract's start: each change of
//! regime is pinned on both sides of its date, with the provision the answer cites. The dates
//! and provisions come from the instruments themselves (SI 2015/102 regs 118 and 120,
//! SI 2023/1348 reg 29, SI 2023/1431 reg 5, SI 2024/716 reg 5 as amended by SI 2024/959).

mod common;

use common::{d, example, snapshot};
use vires_procure::{assess, Contract, ProcureError};

fn contract(name: &str) -> Contract {
    Contract::from_json(&example(name)).unwrap()
}

fn with_dates(mut c: Contract, began: &str, start: &str) -> Contract {
    c.procurement_began = Some(d(began));
    c.start = d(start);
    c
}

#[test]
fn begun_in_december_2023_for_a_2024_contract_stays_under_the_2013_regulations() {
    let snap = snapshot();
    let a = assess(&contract("community_services_begun_2023-12.json"), &snap).unwrap();
    assert_eq!(a.regime.id, "nhs-procurement-2013");
    assert_eq!(a.also_in_force[0].id, "pcr-2015-light-touch");
    assert_eq!(a.regime_basis.rule, "saved-by-transitional-provision");
    assert_eq!(a.regime_basis.transition_date, Some(d("2024-01-01")));
    assert!(
        a.regime_basis
            .citation
            .contains("SI 2023/1348 reg 29(1)(a)")
            && a.regime_basis.citation.contains("SI 2023/1431 reg 5(2)"),
        "{:?}",
        a.regime_basis
    );
    // Direct award C is a Provider Selection Regime process: not open to this procurement.
    assert!(a.refused_ids().contains(&"direct-award-c"));
    assert!(a.permitted_ids().contains(&"competitive-tender"));
    // £3m against the light touch threshold of £663,540 including VAT (PPN 10/21, from 2022).
    let t = a.routes.threshold.as_ref().unwrap();
    assert_eq!(t.amount_pounds, 663540.0);
    assert!(t.above);
}

#[test]
fn health_care_either_side_of_2024_01_01() {
    let snap = snapshot();
    let base = contract("community_services_begun_2023-12.json");
    let a = assess(&with_dates(base.clone(), "2023-12-31", "2024-06-03"), &snap).unwrap();
    assert_eq!(a.regime.id, "nhs-procurement-2013");
    let a = assess(&with_dates(base.clone(), "2024-01-01", "2024-06-03"), &snap).unwrap();
    assert_eq!(a.regime.id, "psr-2023");
    assert_eq!(a.regime_basis.rule, "in-force-when-begun");
    assert!(a.regime_basis.citation.contains("SI 2023/1348 reg 1(1)"));
    assert!(a.permitted_ids().contains(&"direct-award-c"));
}

#[test]
fn health_care_either_side_of_2016_04_18() {
    let snap = snapshot();
    let mut base = contract("community_services_begun_2023-12.json");
    base.commissioners = vec!["02X".into()];
    base.current_provider = None;
    let a = assess(&with_dates(base.clone(), "2016-04-17", "2016-10-03"), &snap).unwrap();
    assert_eq!(a.regime.id, "nhs-procurement-2013");
    assert_eq!(a.also_in_force[0].id, "pcr-2006-part-b");
    assert_eq!(a.regime_basis.citation, "SI 2015/102 reg 120");
    let a = assess(&with_dates(base, "2016-04-18", "2016-10-03"), &snap).unwrap();
    assert_eq!(a.also_in_force[0].id, "pcr-2015-light-touch");
    assert_eq!(a.regime_basis.rule, "in-force-when-begun");
}

#[test]
fn begun_in_february_2025_stays_under_the_2015_regulations() {
    let snap = snapshot();
    let a = assess(&contract("bi_begun_2025-02.json"), &snap).unwrap();
    assert_eq!(a.regime.id, "pcr-2015");
    assert_eq!(a.regime_basis.rule, "saved-by-transitional-provision");
    assert_eq!(
        a.regime_basis.citation,
        "SI 2024/716 reg 5 as amended by SI 2024/959"
    );
    assert!(a.permitted_ids().contains(&"competitive-procedure"));
    assert!(a.refused_ids().contains(&"competitive-tendering"));
}

#[test]
fn goods_and_services_either_side_of_2025_02_24() {
    let snap = snapshot();
    let base = contract("bi_begun_2025-02.json");
    let a = assess(&with_dates(base.clone(), "2025-02-23", "2025-06-02"), &snap).unwrap();
    assert_eq!(a.regime.id, "pcr-2015");
    let a = assess(&with_dates(base, "2025-02-24", "2025-06-02"), &snap).unwrap();
    assert_eq!(a.regime.id, "procurement-act-2023");
    assert!(a.regime_basis.citation.contains("SI 2024/716"));
}

#[test]
fn goods_and_services_either_side_of_2015_02_26() {
    let snap = snapshot();
    let base = contract("bi_in_house_without_evidence.json");
    let a = assess(&with_dates(base.clone(), "2015-02-25", "2015-04-01"), &snap).unwrap();
    assert_eq!(a.regime.id, "pcr-2006");
    assert_eq!(a.regime_basis.citation, "SI 2015/102 reg 118");
    let a = assess(&with_dates(base, "2015-02-26", "2015-04-01"), &snap).unwrap();
    assert_eq!(a.regime.id, "pcr-2015");
}

#[test]
fn the_procurement_date_is_required_and_not_after_the_start() {
    let text = example("bi_begun_2025-02.json");
    let e = Contract::from_json(&text.replace("\"procurement_began\": \"2025-02-10\",", ""))
        .unwrap_err();
    assert_eq!(e.field(), Some("procurement_began"), "{e}");
    assert!(e.to_string().contains("procurement_began"), "{e}");
    let e = Contract::from_json(&text.replace("2025-02-10", "2025-06-03")).unwrap_err();
    assert!(
        matches!(&e, ProcureError::Invalid { field, .. } if field == "procurement_began"),
        "{e}"
    );
}

fn threshold_of(c: &Contract) -> (f64, bool, String) {
    let a = assess(c, &snapshot()).unwrap();
    let t = a.routes.threshold.expect("a goods and services threshold");
    (
        t.amount_pounds,
        t.above,
        t.authority_class.as_str().to_string(),
    )
}

/// NHS England is a central government authority for the Public Contracts Regulations from
/// 2021-08-16 (SI 2021/872); CCGs and ICBs are sub-central. Figures: PPN 06/19 (2020-21),
/// SI 2021/1221 and PPN 10/21 (2022-23).
#[test]
fn an_nhs_england_purchase_between_the_two_thresholds() {
    let c = contract("nhse_other_services_2022.json");
    assert_eq!(threshold_of(&c), (138760.0, true, "central".to_string()));
    let a = assess(&c, &snapshot()).unwrap();
    assert_eq!(a.contracting_authorities[0].kind, "nhs-england");
    assert!(a.contracting_authorities[0]
        .source
        .as_deref()
        .unwrap_or("")
        .contains("SI 2021/872"));
    assert!(a.permitted_ids().contains(&"competitive-procedure"));
    assert!(a.refused_ids().contains(&"below-threshold-award"));
    // The same purchase by an ICB is below the sub-central threshold.
    let mut icb = with_dates(c.clone(), "2022-07-04", "2022-09-01");
    icb.commissioners = vec!["QF7".into()];
    assert_eq!(
        threshold_of(&icb),
        (213477.0, false, "sub-central".to_string())
    );
}

#[test]
fn nhs_england_either_side_of_2021_08_16() {
    let c = contract("nhse_other_services_2022.json");
    let before = with_dates(c.clone(), "2021-08-15", "2021-10-01");
    assert_eq!(
        threshold_of(&before),
        (189330.0, false, "sub-central".to_string())
    );
    let after = with_dates(c, "2021-08-16", "2021-10-01");
    assert_eq!(
        threshold_of(&after),
        (122976.0, true, "central".to_string())
    );
}

/// The Procurement Act's thresholds fell for procurements begun from 2026-01-01
/// (SI 2025/1200): sub-central £214,904 -> £207,720.
#[test]
fn procurement_act_thresholds_either_side_of_2026_01_01() {
    let mut c = contract("bi_begun_2025-02.json");
    c.estimated_value = 210_000.0;
    let before = with_dates(c.clone(), "2025-12-31", "2026-04-01");
    assert_eq!(
        threshold_of(&before),
        (214904.0, false, "sub-central".to_string())
    );
    let after = with_dates(c, "2026-01-01", "2026-04-01");
    assert_eq!(
        threshold_of(&after),
        (207720.0, true, "sub-central".to_string())
    );
}

/// Procurement Act 2023 s.51: the mandatory standstill does not bind a call-off under a
/// framework, where a standstill is voluntary. Dates: notice Mon 2025-03-03; 8 working days
/// beginning with that day end Wed 2025-03-12 (no bank holiday between).
#[test]
fn under_the_procurement_act_a_framework_call_off_has_a_voluntary_standstill() {
    let mut c = contract("bi_begun_2025-02.json");
    c.framework = Some("lead-provider-framework".into());
    let mut c = with_dates(c, "2025-02-24", "2025-03-20");
    c.notice_date = Some(d("2025-03-03"));
    let a = assess(&c, &snapshot()).unwrap();
    assert_eq!(a.regime.id, "procurement-act-2023");
    let s = &a.routes.standstill[0];
    assert_eq!(s.last_day, Some(d("2025-03-12")));
    assert_eq!(s.voluntary_for, vec!["framework-call-off".to_string()]);
    let mandatory = a
        .routes
        .steps
        .iter()
        .find(|st| st.text.starts_with("Observe the mandatory standstill"))
        .unwrap();
    assert!(!mandatory
        .processes
        .contains(&"framework-call-off".to_string()));
    assert!(a
        .routes
        .steps
        .iter()
        .any(|st| st.processes == vec!["framework-call-off".to_string()]
            && st.text.contains("voluntary standstill")
            && st.citation.starts_with("Procurement Act 2023 s.51")));
}

/// Procurement Act 2023 s.123(1): a bank holiday in any part of the UK is not a working day,
/// so St Andrew's Day (Mon 2026-11-30, Scotland: Banking and Financial Dealings Act 1971
/// Sch 1 para 2) is skipped. The mandatory standstill of eight working days beginning with
/// a notice on Mon 2026-11-23 (s.51(2)) runs 23-27 November and 1-3 December: it ends on
/// Thu 2026-12-03, a day later than England and Wales's bank holidays alone would give.
#[test]
fn under_the_procurement_act_a_scottish_bank_holiday_is_not_a_working_day() {
    let mut c = with_dates(
        contract("bi_begun_2025-02.json"),
        "2026-09-01",
        "2027-01-15",
    );
    c.notice_date = Some(d("2026-11-23"));
    let a = assess(&c, &snapshot()).unwrap();
    assert_eq!(a.regime.id, "procurement-act-2023");
    let s = &a.routes.standstill[0];
    assert_eq!(s.last_day, Some(d("2026-12-03")));
    assert!(s
        .working_day_citation
        .contains("any part of the United Kingdom"));
}

/// Every change of goods and services threshold, pinned on both sides of its date with the
/// figures of the public notices: PPN 10/11 (2012), PPN 10/13 (2014), PPN 18/15 (2016),
/// PPN 04/17 (2018), PPN 06/19 (2020), PPN 10/21 with SI 2021/1221 (2022, including VAT),
/// PPN 11/23 (2024), the Procurement Act 2023 Sch 1 as amended by the Consequential and Other
/// Amendments Regulations 2025 (from 2025-02-24) and by SI 2025/1200 (from 2026-01-01).
/// Each row: the date, the regime for other services on each side, and (central, sub-central)
/// before and from that date.
/// (central, sub-central) in pounds.
type Amounts = (f64, f64);
/// The date, the regime the day before and from it, the amounts the day before and from it.
type ThresholdChange = (&'static str, &'static str, &'static str, Amounts, Amounts);

const GOODS_AND_SERVICES: &[ThresholdChange] = &[
    (
        "2014-01-01",
        "pcr-2006",
        "pcr-2006",
        (113_057.0, 173_934.0),
        (111_676.0, 172_514.0),
    ),
    (
        "2015-02-26",
        "pcr-2006",
        "pcr-2015",
        (111_676.0, 172_514.0),
        (111_676.0, 172_514.0),
    ),
    (
        "2016-01-01",
        "pcr-2015",
        "pcr-2015",
        (111_676.0, 172_514.0),
        (106_047.0, 164_176.0),
    ),
    (
        "2018-01-01",
        "pcr-2015",
        "pcr-2015",
        (106_047.0, 164_176.0),
        (118_133.0, 181_302.0),
    ),
    (
        "2020-01-01",
        "pcr-2015",
        "pcr-2015",
        (118_133.0, 181_302.0),
        (122_976.0, 189_330.0),
    ),
    (
        "2022-01-01",
        "pcr-2015",
        "pcr-2015",
        (122_976.0, 189_330.0),
        (138_760.0, 213_477.0),
    ),
    (
        "2024-01-01",
        "pcr-2015",
        "pcr-2015",
        (138_760.0, 213_477.0),
        (139_688.0, 214_904.0),
    ),
    (
        "2025-02-24",
        "pcr-2015",
        "procurement-act-2023",
        (139_688.0, 214_904.0),
        (139_688.0, 214_904.0),
    ),
    (
        "2026-01-01",
        "procurement-act-2023",
        "procurement-act-2023",
        (139_688.0, 214_904.0),
        (135_018.0, 207_720.0),
    ),
];

/// The light touch regime's threshold (SI 2015/102 reg 5(1)(d), EUR 750,000): PPN 18/15,
/// 04/17, 06/19, and from 2022 the same sterling figure including VAT (SI 2021/1221).
const LIGHT_TOUCH: &[(&str, f64, f64)] = &[
    ("2016-01-01", 625_050.0, 589_148.0),
    ("2018-01-01", 589_148.0, 615_278.0),
    ("2020-01-01", 615_278.0, 663_540.0),
    ("2022-01-01", 663_540.0, 663_540.0),
];

fn day_before(date: &str) -> jiff::civil::Date {
    d(date).yesterday().unwrap()
}

#[test]
fn every_threshold_change_is_pinned_on_both_sides_of_its_date() {
    use vires_procure::authority::AuthorityClass::{All, Central, SubCentral};
    use vires_procure::regime::Rules;
    use vires_procure::Buying;
    let rules = Rules::bundled().unwrap();
    let amount = |regime: &str, class, on| {
        rules
            .threshold(regime, class, on)
            .map(|t| t.amount_pounds)
            .unwrap_or_else(|| panic!("no {class:?} threshold for {regime} on {on}"))
    };
    let principal = |on| {
        rules.in_force(Buying::OtherServices, on).unwrap()[0]
            .id
            .clone()
    };
    for (date, regime_before, regime_from, before, from) in GOODS_AND_SERVICES {
        let (b, f) = (day_before(date), d(date));
        assert_eq!(principal(b), *regime_before, "regime the day before {date}");
        assert_eq!(principal(f), *regime_from, "regime from {date}");
        assert_eq!(
            (
                amount(regime_before, Central, b),
                amount(regime_before, SubCentral, b)
            ),
            *before,
            "the day before {date}"
        );
        assert_eq!(
            (
                amount(regime_from, Central, f),
                amount(regime_from, SubCentral, f)
            ),
            *from,
            "from {date}"
        );
    }
    for (date, before, from) in LIGHT_TOUCH {
        assert_eq!(
            amount("pcr-2015-light-touch", All, day_before(date)),
            *before
        );
        assert_eq!(amount("pcr-2015-light-touch", All, d(date)), *from);
    }
    // Every date a threshold row starts on (after the first of its regime) is pinned above:
    // a new row in data/thresholds.csv needs its figures from its notice here too.
    let pinned: Vec<&str> = GOODS_AND_SERVICES
        .iter()
        .map(|r| r.0)
        .chain(LIGHT_TOUCH.iter().map(|r| r.0))
        .collect();
    for t in &rules.thresholds {
        let first_of_its_regime = rules
            .thresholds
            .iter()
            .filter(|u| u.regime == t.regime)
            .all(|u| u.from >= t.from);
        assert!(
            first_of_its_regime || pinned.contains(&t.from.to_string().as_str()),
            "threshold row {} {:?} from {} is not pinned on both sides",
            t.regime,
            t.authority_class,
            t.from
        );
    }
}

/// Classes of contracting authority by date: NHS trusts are listed in Schedule 1 of the 2015
/// Regulations as made (under the Department of Health), foundation trusts are not until
/// SI 2021/872 substituted the Schedule from 2021-08-16, which also listed NHS England.
#[test]
fn authority_classes_change_on_their_dates() {
    use vires_procure::authority::{class_of, AuthorityClass};
    let class = |kind: &str, date| class_of(kind, date).unwrap().map(|r| r.class);
    assert_eq!(class("nhs-trust", day_before("2015-02-26")), None);
    assert_eq!(
        class("nhs-trust", d("2015-02-26")),
        Some(AuthorityClass::Central)
    );
    for kind in ["foundation-trust", "nhs-england"] {
        assert_eq!(
            class(kind, day_before("2021-08-16")),
            Some(AuthorityClass::SubCentral),
            "{kind}"
        );
        assert_eq!(
            class(kind, d("2021-08-16")),
            Some(AuthorityClass::Central),
            "{kind}"
        );
    }
    // Every row cites its instrument.
    for kind in ["ccg", "icb", "nhs-england", "nhs-trust", "foundation-trust"] {
        let row = class_of(kind, d("2022-07-01"))
            .unwrap()
            .or(class_of(kind, d("2022-06-30")).unwrap())
            .unwrap();
        assert!(
            row.source.contains("SI ") || row.source.contains("Act"),
            "{kind}: {}",
            row.source
        );
    }
}
