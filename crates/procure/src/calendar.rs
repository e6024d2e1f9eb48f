//! Working days: weekdays that are not bank holidays, in England and Wales (the 2015
//! Regulations and the Provider Selection Regime count these) or in any part of the United
//! Kingdom (the Procurement Act 2023 s.123(1)).
//!
//! The bank holidays are data (`data/bank_holidays.json`, England and Wales from GOV.UK, and
//! `data/bank_holidays_scotland_ni.json`, the days that are bank holidays only in Scotland or
//! Northern Ireland) compiled into the binary, so standstill arithmetic needs no file at run
//! time. Outside the years the data
//! covers a working day cannot be known, so arithmetic that leaves them is an error rather
//! than a guess.

use crate::ProcureError;
use jiff::civil::{Date, Weekday};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::sync::OnceLock;

const BANK_HOLIDAYS_JSON: &str = include_str!("../data/bank_holidays.json");
const SCOTLAND_NI_JSON: &str = include_str!("../data/bank_holidays_scotland_ni.json");

#[derive(Debug, Deserialize)]
struct RawCalendar {
    source: String,
    covers: RawCovers,
    events: Vec<RawEvent>,
}

#[derive(Debug, Deserialize)]
struct RawCovers {
    from: Date,
    until: Date,
}

#[derive(Debug, Deserialize)]
struct RawEvent {
    date: Date,
    title: String,
}

/// A bank-holiday calendar: England and Wales, or every part of the United Kingdom.
#[derive(Debug, Clone)]
pub struct Calendar {
    holidays: BTreeMap<Date, String>,
    /// First day covered.
    pub from: Date,
    /// First day not covered.
    pub until: Date,
    pub source: String,
}

static CALENDAR: OnceLock<Result<Calendar, String>> = OnceLock::new();
static UNITED_KINGDOM: OnceLock<Result<Calendar, String>> = OnceLock::new();

impl Calendar {
    /// The bundled calendar. An error here means the bundled data is malformed (a build defect).
    pub fn england_and_wales() -> Result<&'static Calendar, ProcureError> {
        CALENDAR
            .get_or_init(|| Calendar::from_json(BANK_HOLIDAYS_JSON))
            .as_ref()
            .map_err(|e| ProcureError::Data(format!("bank_holidays.json: {e}")))
    }

    /// Bank holidays in any part of the United Kingdom: England and Wales, with Scotland's
    /// and Northern Ireland's own, over the years both data files cover.
    pub fn united_kingdom() -> Result<&'static Calendar, ProcureError> {
        UNITED_KINGDOM
            .get_or_init(|| {
                let mut uk = Calendar::from_json(BANK_HOLIDAYS_JSON)?;
                let other = Calendar::from_json(SCOTLAND_NI_JSON)?;
                uk.holidays.extend(other.holidays);
                uk.from = uk.from.max(other.from);
                uk.until = uk.until.min(other.until);
                uk.source = format!("{}; {}", uk.source, other.source);
                Ok(uk)
            })
            .as_ref()
            .map_err(|e| ProcureError::Data(format!("bank holidays: {e}")))
    }

    fn from_json(s: &str) -> Result<Calendar, String> {
        let raw: RawCalendar = serde_json::from_str(s).map_err(|e| e.to_string())?;
        let holidays = raw.events.into_iter().map(|e| (e.date, e.title)).collect();
        Ok(Calendar {
            holidays,
            from: raw.covers.from,
            until: raw.covers.until,
            source: raw.source,
        })
    }

    /// The bank holiday on `d`, if any.
    pub fn holiday(&self, d: Date) -> Option<&str> {
        self.holidays.get(&d).map(String::as_str)
    }

    fn covered(&self, d: Date) -> Result<(), ProcureError> {
        if d < self.from || d >= self.until {
            return Err(ProcureError::OutsideCalendar {
                date: d,
                from: self.from,
                until: self.until,
            });
        }
        Ok(())
    }

    /// Is `d` a working day (not a Saturday, Sunday or bank holiday)?
    pub fn is_working_day(&self, d: Date) -> Result<bool, ProcureError> {
        self.covered(d)?;
        let weekend = matches!(d.weekday(), Weekday::Saturday | Weekday::Sunday);
        Ok(!weekend && !self.holidays.contains_key(&d))
    }

    /// The `n`th working day counting forward from `start` inclusive (n = 1 is `start`
    /// itself if it is a working day, else the next one).
    pub fn nth_working_day_from(&self, start: Date, n: u32) -> Result<Date, ProcureError> {
        self.nth_working_day_walking(start, n, Self::next_day)
    }

    /// The latest day `s` such that the `n`th working day counting from `s` inclusive falls
    /// before `deadline`.
    pub fn latest_start_ending_before(&self, deadline: Date, n: u32) -> Result<Date, ProcureError> {
        // Walk back to the n-th working day strictly before the deadline; any later start
        // leaves fewer than n working days.
        self.nth_working_day_walking(self.prev_day(deadline)?, n, Self::prev_day)
    }

    /// The `n`th working day (at least the first) met walking from `d` inclusive, one day at
    /// a time by `step` (forward or back).
    fn nth_working_day_walking(
        &self,
        mut d: Date,
        n: u32,
        step: fn(&Self, Date) -> Result<Date, ProcureError>,
    ) -> Result<Date, ProcureError> {
        let mut seen = 0;
        loop {
            if self.is_working_day(d)? {
                seen += 1;
                if seen >= n.max(1) {
                    return Ok(d);
                }
            }
            d = step(self, d)?;
        }
    }

    /// The first working day on or after `d`.
    pub fn working_day_on_or_after(&self, d: Date) -> Result<Date, ProcureError> {
        self.nth_working_day_from(d, 1)
    }

    /// Working days in `[from, until)`.
    pub fn working_days_between(&self, from: Date, until: Date) -> Result<u32, ProcureError> {
        let mut d = from;
        let mut n = 0;
        while d < until {
            if self.is_working_day(d)? {
                n += 1;
            }
            d = self.next_day(d)?;
        }
        Ok(n)
    }

    fn next_day(&self, d: Date) -> Result<Date, ProcureError> {
        d.tomorrow().map_err(|_| ProcureError::OutsideCalendar {
            date: d,
            from: self.from,
            until: self.until,
        })
    }

    fn prev_day(&self, d: Date) -> Result<Date, ProcureError> {
        d.yesterday().map_err(|_| ProcureError::OutsideCalendar {
            date: d,
            from: self.from,
            until: self.until,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn bundled_calendar_loads_and_knows_special_days() {
        let c = Calendar::england_and_wales().unwrap();
        assert!(c.holiday(date(2022, 9, 19)).is_some());
        assert!(c.holiday(date(2023, 5, 8)).is_some());
        assert!(c.holiday(date(2020, 5, 8)).is_some());
        // The 2020 early May holiday moved to the Friday, so the Monday was a working day.
        assert!(c.is_working_day(date(2020, 5, 4)).unwrap());
        // 2022: Christmas Day on a Sunday gives a substitute on Tuesday 27th.
        assert!(!c.is_working_day(date(2022, 12, 27)).unwrap());
        assert!(!c.is_working_day(date(2024, 1, 6)).unwrap());
        // 8 to 10 bank holidays a year, every year covered.
        for y in 2013..=2027 {
            let n = c.holidays.keys().filter(|d| d.year() == y).count();
            assert!((8..=10).contains(&n), "{y}: {n}");
        }
    }

    #[test]
    fn counting_across_christmas() {
        let c = Calendar::england_and_wales().unwrap();
        // From Fri 2023-12-22: 22, 27, 28, 29, 2 Jan, 3, 4, 5 -> 8th working day is 2024-01-05.
        assert_eq!(
            c.nth_working_day_from(date(2023, 12, 22), 8).unwrap(),
            date(2024, 1, 5)
        );
        assert_eq!(
            c.working_days_between(date(2023, 12, 22), date(2024, 1, 6))
                .unwrap(),
            8
        );
        assert_eq!(
            c.latest_start_ending_before(date(2024, 1, 6), 8).unwrap(),
            date(2023, 12, 22)
        );
    }

    #[test]
    fn counting_agrees_with_itself_every_day() {
        let c = Calendar::england_and_wales().unwrap();
        let mut d = date(2013, 1, 1);
        while d < date(2027, 11, 1) {
            for n in [1u32, 5, 8] {
                let end = c.nth_working_day_from(d, n).unwrap();
                assert!(c.is_working_day(end).unwrap());
                let after = end.tomorrow().unwrap();
                assert_eq!(c.working_days_between(d, after).unwrap(), n, "{d} {n}");
                let latest = c.latest_start_ending_before(after, n).unwrap();
                assert!(latest >= d);
                assert_eq!(c.nth_working_day_from(latest, n).unwrap(), end);
            }
            d = d.checked_add(jiff::Span::new().days(3)).unwrap();
        }
    }

    /// Procurement Act 2023 s.123(1): a bank holiday in any part of the UK is not a working
    /// day; St Andrew's Day (Mon 2026-11-30) and 2 January (Fri 2026-01-02) are Scotland's
    /// (Banking and Financial Dealings Act 1971 Sch 1 para 2), 17 March Northern Ireland's
    /// (para 3). England and Wales work on them.
    #[test]
    fn united_kingdom_adds_scotland_and_northern_ireland() {
        let ew = Calendar::england_and_wales().unwrap();
        let uk = Calendar::united_kingdom().unwrap();
        for d in [date(2026, 11, 30), date(2026, 1, 2), date(2027, 3, 17)] {
            assert!(ew.is_working_day(d).unwrap(), "{d}");
            assert!(!uk.is_working_day(d).unwrap(), "{d}");
        }
        // Every England and Wales bank holiday is one in the United Kingdom.
        assert!(!uk.is_working_day(date(2026, 12, 28)).unwrap());
        // Eight working days beginning with Mon 2026-11-23: 23-27 Nov, then St Andrew's Day
        // is skipped, 1, 2, 3 Dec; England and Wales alone would end on Wed 2 Dec.
        assert_eq!(
            uk.nth_working_day_from(date(2026, 11, 23), 8).unwrap(),
            date(2026, 12, 3)
        );
        assert_eq!(
            ew.nth_working_day_from(date(2026, 11, 23), 8).unwrap(),
            date(2026, 12, 2)
        );
        // Before 2025 the Scotland and Northern Ireland data do not reach.
        assert!(uk.is_working_day(date(2024, 12, 31)).is_err());
    }

    #[test]
    fn outside_the_data_is_an_error() {
        let c = Calendar::england_and_wales().unwrap();
        assert!(c.is_working_day(date(2012, 12, 31)).is_err());
        assert!(c.nth_working_day_from(date(2027, 12, 30), 8).is_err());
    }
}
