//! Half-open date intervals: `from` inclusive, `until` exclusive, `until = None` meaning open-ended.

use jiff::civil::Date;
use serde::{Deserialize, Serialize};

/// The days from `from` up to, but not including, `until`; a null `until` has no end yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Interval {
    pub from: Date,
    pub until: Option<Date>,
}

impl Interval {
    pub fn new(from: Date, until: Option<Date>) -> Self {
        Interval { from, until }
    }

    pub fn contains(&self, d: Date) -> bool {
        d >= self.from && self.until.is_none_or(|u| d < u)
    }

    /// True when the interval holds no day at all (`until <= from`).
    pub fn is_empty(&self) -> bool {
        self.until.is_some_and(|u| u <= self.from)
    }

    pub fn intersect(&self, other: &Interval) -> Option<Interval> {
        let from = self.from.max(other.from);
        let until = min_until(self.until, other.until);
        let iv = Interval { from, until };
        (!iv.is_empty()).then_some(iv)
    }

    pub fn overlaps(&self, other: &Interval) -> bool {
        self.intersect(other).is_some()
    }

    /// Does `self` cover all of `other`?
    pub fn covers(&self, other: &Interval) -> bool {
        self.from <= other.from
            && match (self.until, other.until) {
                (None, _) => true,
                (Some(_), None) => false,
                (Some(a), Some(b)) => b <= a,
            }
    }
}

/// The earlier of two exclusive ends, where `None` is "never".
pub fn min_until(a: Option<Date>, b: Option<Date>) -> Option<Date> {
    match (a, b) {
        (None, x) | (x, None) => x,
        (Some(a), Some(b)) => Some(a.min(b)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn half_open() {
        let iv = Interval::new(date(2020, 3, 20), Some(date(2021, 1, 1)));
        assert!(iv.contains(date(2020, 3, 20)));
        assert!(iv.contains(date(2020, 12, 31)));
        assert!(!iv.contains(date(2021, 1, 1)));
        assert!(!iv.contains(date(2020, 3, 19)));
    }

    #[test]
    fn intersect_and_cover() {
        let a = Interval::new(date(2013, 4, 1), None);
        let b = Interval::new(date(2015, 4, 1), Some(date(2022, 7, 1)));
        assert_eq!(a.intersect(&b), Some(b));
        assert!(a.covers(&b));
        assert!(!b.covers(&a));
        let c = Interval::new(date(2022, 7, 1), None);
        assert_eq!(b.intersect(&c), None);
    }
}
