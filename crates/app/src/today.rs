//! Today's date in England. The register's dates are civil dates in England, so "today"
//! is the date in Europe/London (GMT or BST), whatever zone the machine is set to; the
//! zone's rules are compiled in (jiff's bundled database), so a machine without a time
//! zone database gives the same date.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;

/// The date in England at `now`.
pub fn date_in_england(now: Timestamp) -> Date {
    match TimeZone::get("Europe/London") {
        Ok(tz) => now.to_zoned_datetime(tz).date(),
        // Unreachable with the bundled database; GMT is England's date for most of the
        // year and never more than an hour out.
        Err(_) => now.to_zoned_datetime(TimeZone::UTC).date(),
    }
}

/// Today's date in England.
pub fn today() -> Date {
    date_in_england(Timestamp::now())
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn the_date_is_englands_in_summer_and_winter() {
        // British Summer Time runs from the last Sunday in March to the last Sunday in
        // October (the Summer Time Order 2002): at 23:30 UTC in July it is already
        // tomorrow in London.
        let summer: Timestamp = "2026-07-01T23:30:00Z".parse().unwrap();
        assert_eq!(date_in_england(summer), date(2026, 7, 2));
        // In winter London keeps GMT: 23:30 UTC is still the same day.
        let winter: Timestamp = "2026-12-07T23:30:00Z".parse().unwrap();
        assert_eq!(date_in_england(winter), date(2026, 12, 7));
        // The zone comes from the compiled-in database, not the machine's.
        assert!(TimeZone::get("Europe/London").is_ok());
    }
}
