//! UTC calendar arithmetic: `create`'s timestamp versions, and `status`'s durations from the
//! tracking table's `run_on` / `finished_on` texts. (Small enough not to need a date crate.)

use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let year = if month <= 2 { year - 1 } else { year };
    let era = year.div_euclid(400);
    let year_of_era = year - era * 400;
    let day_of_year = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let day_of_era = year_of_era * 365 + year_of_era / 4 - year_of_era / 100 + day_of_year;
    era * 146_097 + day_of_era - 719_468
}

/// The date of `days` since 1970-01-01.
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

/// A UTC time broken down: year, month, day, hour, minute, second.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Utc {
    pub(crate) year: i64,
    pub(crate) month: i64,
    pub(crate) day: i64,
    pub(crate) hour: i64,
    pub(crate) minute: i64,
    pub(crate) second: i64,
}

impl Utc {
    /// Seconds since the epoch, now.
    pub(crate) fn now_unix() -> i64 {
        SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |since| {
                i64::try_from(since.as_secs()).unwrap_or(i64::MAX)
            })
    }

    pub(crate) fn from_unix(seconds: i64) -> Self {
        let (year, month, day) = civil_from_days(seconds.div_euclid(86_400));
        let rest = seconds.rem_euclid(86_400);
        Self {
            year,
            month,
            day,
            hour: rest / 3600,
            minute: rest % 3600 / 60,
            second: rest % 60,
        }
    }
}

/// Seconds since the epoch (with fraction) of a timestamp as the databases write it:
/// `YYYY-MM-DD HH:MM:SS[.ffffff]`, also with `T` and a trailing `Z` or `+00[:00]`.
fn parse_seconds(text: &str) -> Option<f64> {
    let text = text.trim();
    let (date, time) = text.split_once([' ', 'T'])?;
    let mut date = date.splitn(3, '-').map(str::parse::<i64>);
    let (year, month, day) = (date.next()?.ok()?, date.next()?.ok()?, date.next()?.ok()?);
    let time = time.trim_end_matches('Z');
    let time = time.split(['+']).next()?;
    let mut time = time.splitn(3, ':');
    let hour: i64 = time.next()?.parse().ok()?;
    let minute: i64 = time.next()?.parse().ok()?;
    let second: f64 = time.next()?.parse().ok()?;
    #[allow(clippy::cast_precision_loss)]
    let whole = (days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60) as f64;
    Some(whole + second)
}

/// How long a migration took, from its `run_on` and `finished_on` texts.
pub(crate) fn between(started: &str, finished: &str) -> Option<Duration> {
    let elapsed = parse_seconds(finished)? - parse_seconds(started)?;
    (elapsed >= 0.0).then(|| Duration::from_secs_f64(elapsed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_round_trips() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(days_from_civil(2000, 3, 1), 11_017);
        for days in [-1, 0, 59, 11_016, 11_017, 19_782, 20_000, 2_932_896] {
            let (y, m, d) = civil_from_days(days);
            assert_eq!(days_from_civil(y, m, d), days, "{y}-{m}-{d}");
        }
        assert_eq!(
            Utc::from_unix(1_704_459_338),
            Utc {
                year: 2024,
                month: 1,
                day: 5,
                hour: 12,
                minute: 55,
                second: 38
            }
        );
    }

    #[test]
    fn durations_from_database_texts() {
        assert_eq!(
            between("2024-01-05 13:55:38", "2024-01-05 13:55:40"),
            Some(Duration::from_secs(2))
        );
        let micro = between("2024-01-05 23:59:59.250000", "2024-01-06T00:00:00.750000Z").unwrap();
        assert_eq!(micro.as_millis(), 1500);
        assert_eq!(
            between("2024-01-05 13:55:40+00", "2024-01-05 13:55:41+00:00"),
            Some(Duration::from_secs(1))
        );
        assert_eq!(between("later", "2024-01-05 13:55:40"), None);
        assert_eq!(between("2024-01-05 13:55:41", "2024-01-05 13:55:40"), None);
    }
}
