//! Which procurement rules were in force on a date, from bundled data (`data/regimes.json`).
//!
//! Dates, thresholds and standstill periods change by statutory instrument, so they are
//! data with their source rather than code; the code only says what each regime's rules
//! mean for a contract (see [`crate::routes`]).

use crate::authority::AuthorityClass;
use crate::calendar::Calendar;
use crate::contract::Buying;
use crate::ProcureError;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use std::sync::OnceLock;

const REGIMES_JSON: &str = include_str!("../data/regimes.json");
const THRESHOLDS_CSV: &str = include_str!("../data/thresholds.csv");

/// Stable regime ids (the JSON output uses them).
pub mod ids {
    pub const NHS_2013: &str = "nhs-procurement-2013";
    pub const PCR_2006_PART_B: &str = "pcr-2006-part-b";
    pub const PCR_2015_LIGHT_TOUCH: &str = "pcr-2015-light-touch";
    pub const PCR_2006: &str = "pcr-2006";
    pub const PCR_2015: &str = "pcr-2015";
    pub const PSR: &str = "psr-2023";
    pub const PROCUREMENT_ACT: &str = "procurement-act-2023";
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Regime {
    pub id: String,
    pub title: String,
    pub citation: String,
    pub buying: Vec<Buying>,
    pub from: Date,
    pub until: Option<Date>,
    pub source: String,
    /// The provision that brought it into force for procurements begun from `from`.
    pub commencement: String,
}

impl Regime {
    pub fn in_force(&self, on: Date) -> bool {
        on >= self.from && self.until.is_none_or(|u| on < u)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Threshold {
    pub regime: String,
    /// The class of contracting authority the amount is for.
    pub authority_class: AuthorityClass,
    pub amount_pounds: f64,
    pub includes_vat: bool,
    pub from: Date,
    pub until: Option<Date>,
    /// False when the figure still needs checking against the instrument.
    pub confirmed: bool,
    pub source: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum DayUnit {
    Working,
    Calendar,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Begins {
    /// The day the notice is published counts as the first day.
    NoticeDay,
    /// Counting starts the day after publication.
    DayAfterNotice,
    /// The period begins the day after publication and runs to the end of the nth working
    /// day *after* that day, so counting starts two days after publication (PSR reg 12).
    SecondDayAfterNotice,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StandstillRule {
    pub regime: String,
    pub days: u32,
    pub unit: DayUnit,
    pub begins: Begins,
    pub confirmed: bool,
    pub citation: String,
    pub source: String,
    /// Where the regime defines a working day.
    pub working_day_citation: String,
    pub working_day_confirmed: bool,
    /// The bank holidays that are not working days: England and Wales's (the default), or
    /// those of any part of the United Kingdom (the Procurement Act 2023 s.123(1)).
    #[serde(default)]
    pub bank_holidays: BankHolidays,
}

/// Whose bank holidays a regime's working days skip.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum BankHolidays {
    #[default]
    EnglandAndWales,
    UnitedKingdom,
}

impl BankHolidays {
    /// The bundled calendar with these bank holidays.
    pub fn calendar(self) -> Result<&'static Calendar, ProcureError> {
        match self {
            BankHolidays::EnglandAndWales => Calendar::england_and_wales(),
            BankHolidays::UnitedKingdom => Calendar::united_kingdom(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsiderableChange {
    pub regime: String,
    pub min_increase_pounds: f64,
    pub min_increase_percent: f64,
    pub citation: String,
    pub source: String,
}

/// A change of regime and the provision that keeps a procurement begun before it under the
/// old rules, whenever its contract starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Transition {
    pub date: Date,
    pub buying: Vec<Buying>,
    pub from_regimes: Vec<String>,
    pub to_regimes: Vec<String>,
    pub provision: String,
    pub rule: String,
    pub confirmed: bool,
    pub source: String,
}

/// Why a procurement is under its regime: begun while the regime was in force (its
/// commencement provision), or begun before a change that came before its contract starts
/// (the transitional provision that saves the old rules for it).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RegimeBasis {
    pub procurement_began: Date,
    pub start: Date,
    /// `in-force-when-begun` or `saved-by-transitional-provision`.
    pub rule: String,
    pub citation: String,
    pub explanation: String,
    /// The change the procurement was begun before, when a transitional provision applies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transition_date: Option<Date>,
    pub confirmed: bool,
    pub source: String,
}

/// The rules data.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rules {
    #[serde(default)]
    pub note: String,
    pub regimes: Vec<Regime>,
    /// From `data/thresholds.csv`: goods and services (and light touch) thresholds by
    /// regime, class of authority and the date the procurement began.
    #[serde(default)]
    pub thresholds: Vec<Threshold>,
    pub standstill: Vec<StandstillRule>,
    pub considerable_change: ConsiderableChange,
    pub transitions: Vec<Transition>,
}

static RULES: OnceLock<Result<Rules, String>> = OnceLock::new();

impl Rules {
    /// The bundled rules.
    pub fn bundled() -> Result<&'static Rules, ProcureError> {
        RULES
            .get_or_init(|| {
                let mut r: Rules =
                    serde_json::from_str(REGIMES_JSON).map_err(|e| format!("regimes.json: {e}"))?;
                r.thresholds =
                    crate::read_csv(THRESHOLDS_CSV).map_err(|e| format!("thresholds.csv: {e}"))?;
                Ok(r)
            })
            .as_ref()
            .map_err(|e| ProcureError::Data(e.clone()))
    }

    /// The earliest date any regime covers.
    pub fn earliest(&self) -> Option<Date> {
        self.regimes.iter().map(|r| r.from).min()
    }

    /// Regimes in force on `on` for `buying`, the principal one first (the one that decides
    /// the process: the Provider Selection Regime, the Procurement Act, the 2013
    /// Regulations, then the Public Contracts Regulations).
    pub fn in_force(&self, buying: Buying, on: Date) -> Result<Vec<&Regime>, ProcureError> {
        let mut v: Vec<&Regime> = self
            .regimes
            .iter()
            .filter(|r| r.buying.contains(&buying) && r.in_force(on))
            .collect();
        if v.is_empty() {
            return Err(ProcureError::NoRegime {
                date: on,
                from: self.earliest().unwrap_or(on),
            });
        }
        let rank = |id: &str| match id {
            ids::PSR => 0,
            ids::PROCUREMENT_ACT => 1,
            ids::NHS_2013 => 2,
            _ => 3,
        };
        v.sort_by_key(|r| rank(&r.id));
        Ok(v)
    }

    /// Why a procurement of `buying` begun on `began`, for a contract starting on `start`, is
    /// under `regimes` (those [`Rules::in_force`] chose for `began`, the principal first).
    pub fn basis(
        &self,
        buying: Buying,
        regimes: &[&Regime],
        began: Date,
        start: Date,
    ) -> Result<RegimeBasis, ProcureError> {
        let Some(principal) = regimes.first() else {
            return Err(ProcureError::NoRegime {
                date: began,
                from: self.earliest().unwrap_or(began),
            });
        };
        let saved = self.transitions.iter().find(|t| {
            t.buying.contains(&buying)
                && began < t.date
                && t.date <= start
                && regimes.iter().any(|r| t.from_regimes.contains(&r.id))
        });
        Ok(match saved {
            Some(t) => RegimeBasis {
                procurement_began: began,
                start,
                rule: "saved-by-transitional-provision".into(),
                citation: t.provision.clone(),
                explanation: format!(
                    "the procurement began on {began}, before {}, so the {} still governs it although the contract starts on {start}: {}",
                    t.date, principal.title, t.rule
                ),
                transition_date: Some(t.date),
                confirmed: t.confirmed,
                source: t.source.clone(),
            },
            None => RegimeBasis {
                procurement_began: began,
                start,
                rule: "in-force-when-begun".into(),
                citation: principal.commencement.clone(),
                explanation: format!(
                    "the procurement began on {began}, when the {} governed procurements of this kind",
                    principal.title
                ),
                transition_date: None,
                confirmed: true,
                source: principal.source.clone(),
            },
        })
    }

    /// The threshold of `regime` for a procurement begun on `on` by an authority of `class`
    /// (a threshold for every class, such as the light touch regime's, matches any class).
    pub fn threshold(&self, regime: &str, class: AuthorityClass, on: Date) -> Option<&Threshold> {
        self.thresholds.iter().find(|t| {
            t.regime == regime
                && (t.authority_class == class || t.authority_class == AuthorityClass::All)
                && on >= t.from
                && t.until.is_none_or(|u| on < u)
        })
    }

    pub fn standstill(&self, regime: &str) -> Option<&StandstillRule> {
        self.standstill.iter().find(|s| s.regime == regime)
    }
}

/// When a standstill ends, worked out for a notice date or back from a contract start.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Standstill {
    pub regime: String,
    pub days: u32,
    pub unit: DayUnit,
    pub citation: String,
    pub confirmed: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub notice_date: Option<Date>,
    /// Last day of the standstill for the given notice date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_day: Option<Date>,
    /// First day the contract may be entered into, absent representations.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub earliest_contract_date: Option<Date>,
    /// The latest notice date that lets the standstill end before the contract starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub latest_notice_for_start: Option<Date>,
    /// Whether the given notice date leaves the standstill ending before the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fits_before_start: Option<bool>,
    /// The weekday of each date above (`notice_date`, `last_day`, `earliest_contract_date`,
    /// `latest_notice_for_start`), so a deadline is never read without it.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub weekdays: Vec<DatedWeekday>,
    /// Where the regime defines the working days counted.
    pub working_day_citation: String,
    pub working_day_confirmed: bool,
    /// Processes for which this standstill is voluntary, not mandatory (a call-off under a
    /// framework under the Procurement Act 2023, s.51).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub voluntary_for: Vec<String>,
}

/// A date with its weekday, as the answer shows it ("Fri 2024-03-15").
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatedWeekday {
    pub what: String,
    pub date: Date,
    pub weekday: String,
}

/// The short English weekday of `d` ("Mon" .. "Sun").
pub fn weekday(d: Date) -> &'static str {
    use jiff::civil::Weekday::*;
    match d.weekday() {
        Monday => "Mon",
        Tuesday => "Tue",
        Wednesday => "Wed",
        Thursday => "Thu",
        Friday => "Fri",
        Saturday => "Sat",
        Sunday => "Sun",
    }
}

impl StandstillRule {
    /// The last day of the standstill for a notice published on `notice`.
    pub fn last_day(&self, cal: &Calendar, notice: Date) -> Result<Date, ProcureError> {
        let after = |d: Date| {
            d.tomorrow()
                .map_err(|_| ProcureError::Data(format!("date overflow after {d}")))
        };
        let first = match self.begins {
            Begins::NoticeDay => notice,
            Begins::DayAfterNotice => after(notice)?,
            Begins::SecondDayAfterNotice => after(after(notice)?)?,
        };
        match self.unit {
            DayUnit::Working => cal.nth_working_day_from(first, self.days),
            DayUnit::Calendar => {
                let last = first
                    .checked_add(jiff::Span::new().days(i64::from(self.days.max(1)) - 1))
                    .map_err(|e| ProcureError::Data(e.to_string()))?;
                // A calendar-day period that ends on a non-working day runs on to the end
                // of the next working day (PCR 2015 reg 2(4)).
                cal.working_day_on_or_after(last)
            }
        }
    }

    /// The latest working day on which the notice can be published for the standstill to end
    /// before `start`. A deadline that falls on a weekend or bank holiday is brought back to
    /// the working day before it: notices are published on working days.
    pub fn latest_notice_for(&self, cal: &Calendar, start: Date) -> Result<Date, ProcureError> {
        // Search back from the day before the start: the first notice date that fits is
        // the latest one. Bounded: no rule here spans more than a few weeks.
        let mut d = start
            .yesterday()
            .map_err(|_| ProcureError::Data(format!("date overflow before {start}")))?;
        for _ in 0..120 {
            if cal.is_working_day(d)? && self.last_day(cal, d)? < start {
                return Ok(d);
            }
            d = d
                .yesterday()
                .map_err(|_| ProcureError::Data(format!("date overflow before {d}")))?;
        }
        Err(ProcureError::Data(format!(
            "no notice date within 120 days of {start} fits the {} standstill",
            self.regime
        )))
    }

    pub fn work_out(
        &self,
        cal: &Calendar,
        notice: Option<Date>,
        start: Date,
    ) -> Result<Standstill, ProcureError> {
        let last_day = notice.map(|n| self.last_day(cal, n)).transpose()?;
        let earliest_contract_date = last_day.and_then(|d| d.tomorrow().ok());
        let latest = self.latest_notice_for(cal, start)?;
        let weekdays = [
            ("notice_date", notice),
            ("last_day", last_day),
            ("earliest_contract_date", earliest_contract_date),
            ("latest_notice_for_start", Some(latest)),
        ]
        .into_iter()
        .filter_map(|(what, d)| {
            d.map(|date| DatedWeekday {
                what: what.into(),
                date,
                weekday: weekday(date).into(),
            })
        })
        .collect();
        Ok(Standstill {
            regime: self.regime.clone(),
            days: self.days,
            unit: self.unit,
            citation: self.citation.clone(),
            confirmed: self.confirmed,
            notice_date: notice,
            last_day,
            earliest_contract_date,
            latest_notice_for_start: Some(latest),
            fits_before_start: last_day.map(|d| d < start),
            weekdays,
            working_day_citation: self.working_day_citation.clone(),
            working_day_confirmed: self.working_day_confirmed,
            voluntary_for: Vec::new(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn regimes_by_date() {
        let r = Rules::bundled().unwrap();
        let ids = |b, d| -> Vec<String> {
            r.in_force(b, d)
                .unwrap()
                .iter()
                .map(|x| x.id.clone())
                .collect()
        };
        assert_eq!(
            ids(Buying::HealthCareService, date(2023, 11, 30)),
            vec![ids::NHS_2013, ids::PCR_2015_LIGHT_TOUCH]
        );
        assert_eq!(
            ids(Buying::HealthCareService, date(2024, 1, 2)),
            vec![ids::PSR]
        );
        assert_eq!(
            ids(Buying::HealthCareService, date(2015, 6, 1)),
            vec![ids::NHS_2013, ids::PCR_2006_PART_B]
        );
        assert_eq!(
            ids(Buying::OtherServices, date(2025, 2, 23)),
            vec![ids::PCR_2015]
        );
        assert_eq!(
            ids(Buying::OtherServices, date(2025, 2, 24)),
            vec![ids::PROCUREMENT_ACT]
        );
        assert_eq!(ids(Buying::Goods, date(2014, 10, 1)), vec![ids::PCR_2006]);
        assert!(r.in_force(Buying::Goods, date(2012, 1, 1)).is_err());
    }

    #[test]
    fn data_is_consistent() {
        let r = Rules::bundled().unwrap();
        for reg in &r.regimes {
            assert!(reg.until.is_none_or(|u| u > reg.from), "{}", reg.id);
            assert!(!reg.source.is_empty() && !reg.citation.is_empty());
        }
        // Thresholds of one regime never overlap and never outlive it. A figure may predate
        // the regime's application to health services (the light touch threshold of 2015
        // applied to other services before NHS clinical services joined in April 2016), so
        // the history is kept whole.
        for t in &r.thresholds {
            let reg = r.regimes.iter().find(|x| x.id == t.regime).unwrap();
            assert!(
                t.until.is_none_or(|u| u > t.from),
                "{} {}",
                t.regime,
                t.from
            );
            assert!(
                reg.until.is_none_or(|u| t.from < u),
                "{} {}",
                t.regime,
                t.from
            );
            assert!(t.amount_pounds > 0.0 && !t.source.trim().is_empty());
            for u in &r.thresholds {
                if std::ptr::eq(t, u)
                    || t.regime != u.regime
                    || t.authority_class != u.authority_class
                {
                    continue;
                }
                let overlap = t.from < u.until.unwrap_or(date(9999, 1, 1))
                    && u.from < t.until.unwrap_or(date(9999, 1, 1));
                assert!(!overlap, "{} {} / {}", t.regime, t.from, u.from);
            }
        }
        for s in &r.standstill {
            assert!(r.regimes.iter().any(|x| x.id == s.regime), "{}", s.regime);
        }
    }

    #[test]
    fn thresholds_change_on_their_dates() {
        use AuthorityClass::{Central, SubCentral};
        let r = Rules::bundled().unwrap();
        let t = |regime, class, d| r.threshold(regime, class, d).map(|t| t.amount_pounds);
        // Light touch: £625,050 as made, £589,148 from 2016 (PPN 18/15), £663,540 from 2020
        // (PPN 06/19), including VAT from 2022 (PPN 10/21); the same for every class.
        assert_eq!(
            t(ids::PCR_2015_LIGHT_TOUCH, SubCentral, date(2015, 12, 31)),
            Some(625050.0)
        );
        assert_eq!(
            t(ids::PCR_2015_LIGHT_TOUCH, Central, date(2016, 1, 1)),
            Some(589148.0)
        );
        assert_eq!(
            t(ids::PCR_2015_LIGHT_TOUCH, SubCentral, date(2022, 1, 1)),
            Some(663540.0)
        );
        assert!(
            r.threshold(ids::PCR_2015_LIGHT_TOUCH, Central, date(2022, 1, 1))
                .unwrap()
                .includes_vat
        );
        // Goods and services, 2022-23 (SI 2021/1221): £138,760 central, £213,477 sub-central.
        assert_eq!(t(ids::PCR_2015, Central, date(2022, 6, 1)), Some(138760.0));
        assert_eq!(
            t(ids::PCR_2015, SubCentral, date(2022, 6, 1)),
            Some(213477.0)
        );
        // 2020-21 (PPN 06/19) on the day before.
        assert_eq!(
            t(ids::PCR_2015, Central, date(2021, 12, 31)),
            Some(122976.0)
        );
        assert_eq!(
            t(ids::PCR_2015, SubCentral, date(2021, 12, 31)),
            Some(189330.0)
        );
        // Procurement Act: £139,688 / £214,904 to 2025-12-31, then £135,018 / £207,720 for
        // procurements begun from 2026-01-01 (SI 2025/1200).
        assert_eq!(
            t(ids::PROCUREMENT_ACT, Central, date(2025, 12, 31)),
            Some(139688.0)
        );
        assert_eq!(
            t(ids::PROCUREMENT_ACT, SubCentral, date(2025, 12, 31)),
            Some(214904.0)
        );
        assert_eq!(
            t(ids::PROCUREMENT_ACT, Central, date(2026, 1, 1)),
            Some(135018.0)
        );
        assert_eq!(
            t(ids::PROCUREMENT_ACT, SubCentral, date(2026, 1, 1)),
            Some(207720.0)
        );
        assert_eq!(r.threshold(ids::PSR, SubCentral, date(2024, 6, 1)), None);
    }

    #[test]
    fn every_goods_and_services_period_has_both_classes() {
        let r = Rules::bundled().unwrap();
        for t in r
            .thresholds
            .iter()
            .filter(|t| t.authority_class == AuthorityClass::Central)
        {
            assert!(
                r.thresholds.iter().any(|u| u.regime == t.regime
                    && u.authority_class == AuthorityClass::SubCentral
                    && u.from == t.from
                    && u.until == t.until),
                "{} {}",
                t.regime,
                t.from
            );
        }
    }

    #[test]
    fn standstill_psr_eight_working_days() {
        let r = Rules::bundled().unwrap();
        let cal = Calendar::england_and_wales().unwrap();
        let psr = r.standstill(ids::PSR).unwrap();
        // Notice Thu 2024-03-21: the period begins Fri 22 and runs to the 8th working day
        // after it, skipping Good Friday 29 March and Easter Monday 1 April: 25, 26, 27, 28,
        // 2, 3, 4, 5 -> last day Fri 2024-04-05.
        assert_eq!(
            psr.last_day(cal, date(2024, 3, 21)).unwrap(),
            date(2024, 4, 5)
        );
        let s = psr
            .work_out(cal, Some(date(2024, 3, 21)), date(2024, 4, 8))
            .unwrap();
        assert_eq!(s.earliest_contract_date, Some(date(2024, 4, 6)));
        assert_eq!(s.fits_before_start, Some(true));
        // A notice on Sat 23 March would still end on Fri 5 April, but notices go out on
        // working days: the latest is Fri 22 March.
        assert_eq!(s.latest_notice_for_start, Some(date(2024, 3, 22)));
        let pa = r.standstill(ids::PROCUREMENT_ACT).unwrap();
        // Notice day counts under s.51: Mon 2025-03-03 .. Wed 2025-03-12.
        assert_eq!(
            pa.last_day(cal, date(2025, 3, 3)).unwrap(),
            date(2025, 3, 12)
        );
    }
}
