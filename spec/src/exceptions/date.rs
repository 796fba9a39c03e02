//! Calendar dates (`2027-03-31`), UTC, as an exception's `expires` is written: parsed
//! strictly, counted in days, and read from the system clock only where a caller does not
//! give one.

use std::fmt;
use std::time::{SystemTime, UNIX_EPOCH};

/// A UTC calendar day, as days since 1970-01-01.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Date(i64);

impl Date {
    /// The day `time` falls on, in UTC.
    pub fn of(time: SystemTime) -> Self {
        let secs = match time.duration_since(UNIX_EPOCH) {
            Ok(after) => i64::try_from(after.as_secs()).unwrap_or(i64::MAX),
            Err(before) => -i64::try_from(before.duration().as_secs()).unwrap_or(i64::MAX),
        };
        Self(secs.div_euclid(86_400))
    }

    /// Today, by the system clock.
    pub fn today() -> Self {
        Self::of(SystemTime::now())
    }

    /// Parses `YYYY-MM-DD` (exactly that form, a real day of the Gregorian calendar).
    pub fn parse(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        if bytes.len() != 10 || bytes[4] != b'-' || bytes[7] != b'-' {
            return None;
        }
        let number = |range: std::ops::Range<usize>| -> Option<i64> {
            let part = text.get(range)?;
            part.bytes()
                .all(|b| b.is_ascii_digit())
                .then(|| part.parse().ok())?
        };
        let (year, month, day) = (number(0..4)?, number(5..7)?, number(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days_in_month = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        (1..=days_in_month)
            .contains(&day)
            .then(|| Self(days_from_civil(year, month, day)))
    }

    /// The day `days` after this one (before, when negative).
    #[must_use]
    pub fn plus(self, days: i64) -> Self {
        Self(self.0 + days)
    }

    /// How many days from `self` to `later` (negative when `later` is earlier).
    pub fn days_until(self, later: Self) -> i64 {
        later.0 - self.0
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (year, month, day) = civil_from_days(self.0);
        write!(f, "{year:04}-{month:02}-{day:02}")
    }
}

// Howard Hinnant's algorithms (days from and to the proleptic Gregorian calendar).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * (month + if month > 2 { -3 } else { 9 }) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

fn civil_from_days(days: i64) -> (i64, i64, i64) {
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let day_of_era = z - era * 146_097;
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let mp = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    (year, month, day)
}

#[cfg(test)]
mod tests {
    use std::time::{Duration, UNIX_EPOCH};

    use super::Date;

    #[test]
    fn dates_parse_strictly_and_print_back() {
        for text in ["1970-01-01", "2024-02-29", "2027-12-31", "2000-02-29"] {
            assert_eq!(
                Date::parse(text).map(|d| d.to_string()).as_deref(),
                Some(text)
            );
        }
        for bad in [
            "2027-02-29",
            "1900-02-29",
            "2027-13-01",
            "2027-00-10",
            "2027-1-5",
            "27-01-05",
            "2027/01/05",
            "2027-01-05T00:00:00Z",
            "",
            "next year",
            "2027-01-+5",
        ] {
            assert_eq!(Date::parse(bad), None, "{bad}");
        }
    }

    #[test]
    fn days_count_across_months_and_years() {
        let day = |s| Date::parse(s).expect("date");
        assert_eq!(day("2026-12-31").days_until(day("2027-01-14")), 14);
        assert_eq!(day("2027-03-01").plus(-1), day("2027-02-28"));
        assert_eq!(
            Date::of(UNIX_EPOCH + Duration::from_secs(86_400 * 365 + 3_600)),
            day("1971-01-01")
        );
    }
}
