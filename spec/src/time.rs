//! UTC times as manifests write them: RFC 3339 with a `Z` (`2026-12-06T09:30:00Z`, a
//! fraction of a second allowed and dropped), read to and written from seconds since the Unix
//! epoch. No time zone other than UTC is accepted: an incident's times are compared with AWS's,
//! which are all UTC.

const DAY: i64 = 86_400;

/// Seconds since the Unix epoch of `YYYY-MM-DDTHH:MM:SS[.fff]Z`; `None` for anything else.
pub fn parse_utc(text: &str) -> Option<i64> {
    let text = text.trim().strip_suffix('Z')?;
    let (date, time) = text.split_once('T')?;
    let mut date = date.splitn(3, '-');
    let year: i64 = number(date.next()?, 4)?;
    let month: i64 = number(date.next()?, 2)?;
    let day: i64 = number(date.next()?, 2)?;
    let (clock, fraction) = time.split_once('.').unwrap_or((time, "0"));
    if fraction.is_empty() || !fraction.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let mut clock = clock.splitn(3, ':');
    let hour: i64 = number(clock.next()?, 2)?;
    let minute: i64 = number(clock.next()?, 2)?;
    let second: i64 = number(clock.next()?, 2)?;
    let days_in_month = match month {
        2 if year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        1..=12 => 31,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&day) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y.rem_euclid(400);
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    Some(days * DAY + hour * 3600 + minute * 60 + second)
}

/// `YYYY-MM-DDTHH:MM:SSZ` of `secs` seconds since the Unix epoch.
pub fn format_utc(secs: i64) -> String {
    // Civil from days (Howard Hinnant's algorithm).
    let days = secs.div_euclid(DAY) + 719_468;
    let of_day = secs.rem_euclid(DAY);
    let era = days.div_euclid(146_097);
    let doe = days.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        of_day / 3600,
        of_day % 3600 / 60,
        of_day % 60
    )
}

/// A number of exactly `digits` ASCII digits.
fn number(text: &str, digits: usize) -> Option<i64> {
    (text.len() == digits && text.bytes().all(|b| b.is_ascii_digit()))
        .then(|| text.parse().ok())
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utc_times_round_trip_and_anything_else_is_refused() {
        assert_eq!(parse_utc("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(parse_utc("2000-02-29T00:00:00Z"), Some(951_782_400));
        assert_eq!(parse_utc("2000-02-29T00:00:00.250Z"), Some(951_782_400));
        let t = parse_utc("2026-12-06T09:30:05Z").expect("valid");
        assert_eq!(format_utc(t), "2026-12-06T09:30:05Z");
        for bad in [
            "2026-12-06",
            "2026-12-06T09:30:05",
            "2026-12-06T09:30:05+01:00",
            "2026-02-30T00:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-12-06T24:00:00Z",
            "26-12-06T09:30:05Z",
            "2026-12-06T09:30:05.Z",
            "yesterday",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }
}
