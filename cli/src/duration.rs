//! Durations on the command line (`30`, `30s`, `500ms`, `5m`) and in output.

use std::time::Duration;

/// Parses `N` (seconds), `Nms`, `Ns`, `Nm` or `Nh`.
pub(crate) fn parse(text: &str) -> Result<Duration, String> {
    let text = text.trim();
    let split = text
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(text.len());
    let (number, unit) = text.split_at(split);
    let value: u64 = number
        .parse()
        .map_err(|_| format!("`{text}` is not a duration; write 30, 30s, 500ms or 5m"))?;
    let seconds = |factor: u64| {
        value
            .checked_mul(factor)
            .map(Duration::from_secs)
            .ok_or_else(|| format!("`{text}` is too long"))
    };
    match unit {
        "" | "s" => seconds(1),
        "ms" => Ok(Duration::from_millis(value)),
        "m" => seconds(60),
        "h" => seconds(3600),
        _ => Err(format!(
            "`{text}` has an unknown unit `{unit}`; use ms, s, m or h"
        )),
    }
}

/// `1.234s`, `56ms` or `2m 3s`, for people.
pub(crate) fn human(duration: Duration) -> String {
    let millis = duration.as_millis();
    if millis < 1000 {
        format!("{millis}ms")
    } else if millis < 60_000 {
        format!("{:.2}s", duration.as_secs_f64())
    } else {
        let secs = duration.as_secs();
        format!("{}m {}s", secs / 60, secs % 60)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit() {
        assert_eq!(parse("30"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("30s"), Ok(Duration::from_secs(30)));
        assert_eq!(parse("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse("5m"), Ok(Duration::from_mins(5)));
        assert_eq!(parse("1h"), Ok(Duration::from_hours(1)));
        assert!(parse("5x").unwrap_err().contains("unknown unit"));
        assert!(parse("s").unwrap_err().contains("not a duration"));
        assert!(parse("99999999999999999999h").is_err());
    }

    #[test]
    fn human_durations() {
        assert_eq!(human(Duration::from_millis(56)), "56ms");
        assert_eq!(human(Duration::from_millis(1234)), "1.23s");
        assert_eq!(human(Duration::from_secs(123)), "2m 3s");
    }
}
