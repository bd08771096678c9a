//! How `run_on` and `finished_on` are written into a tracking table that already exists.
//!
//! A table this crate creates gets UTC timestamps in the column types of its dialect. A
//! table created by another version keeps its own convention, so that `ORDER BY run_on`
//! stays chronological across rows written by both: switchy_schema 0.4 stored SQLite
//! timestamps as `YYYY-MM-DDTHH:MM:SS.fff` text (a `strftime` default), PostgreSQL ones as
//! `TIMESTAMP WITH TIME ZONE`, and MySQL ones with `NOW()` (the session's time zone).
//!
//! The expression is always built here from a fixed set of pieces; nothing read from the
//! database is written back into SQL.

use crate::database::Dialect;

/// The SQL expression for "now" that a tracking table's timestamps are written with.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Clock(String);

impl Clock {
    /// The convention of tables this crate creates.
    pub(crate) fn default_for(dialect: Dialect) -> Self {
        Self(
            match dialect {
                Dialect::Sqlite => "CURRENT_TIMESTAMP",
                Dialect::Postgres => "(now() AT TIME ZONE 'UTC')",
                Dialect::MySql => "UTC_TIMESTAMP()",
            }
            .to_owned(),
        )
    }

    /// SQLite: the text layout of the existing timestamps. `declared_default` is the
    /// `run_on` column's default expression as `pragma_table_info` shows it; `newest` is
    /// the greatest `run_on` stored. A `strftime` default states the table's convention
    /// outright; otherwise the newest row shows it; otherwise the default convention.
    pub(crate) fn for_sqlite(declared_default: Option<&str>, newest: Option<&str>) -> Self {
        let layout = declared_default
            .and_then(TextLayout::from_strftime_default)
            .or_else(|| newest.and_then(TextLayout::from_sample));
        match layout {
            Some(layout) if layout != TextLayout::CURRENT_TIMESTAMP => Self(layout.strftime()),
            _ => Self::default_for(Dialect::Sqlite),
        }
    }

    /// PostgreSQL: `now()` for a `timestamp with time zone` column (stored as an instant),
    /// UTC wall-clock time for a `timestamp` one.
    pub(crate) fn for_postgres(run_on_type: Option<&str>) -> Self {
        if run_on_type.is_some_and(|t| t.eq_ignore_ascii_case("timestamp with time zone")) {
            Self("now()".to_owned())
        } else {
            Self::default_for(Dialect::Postgres)
        }
    }

    /// MySQL: a table whose `id` column is `text` was created by switchy_schema 0.4, which
    /// wrote `NOW()`; keep writing the same clock into it.
    pub(crate) fn for_mysql(id_type: Option<&str>) -> Self {
        if id_type.is_some_and(|t| t.eq_ignore_ascii_case("text")) {
            Self("NOW()".to_owned())
        } else {
            Self::default_for(Dialect::MySql)
        }
    }

    /// The SQL expression.
    pub(crate) fn sql(&self) -> &str {
        &self.0
    }
}

/// The shape of a SQLite timestamp stored as text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct TextLayout {
    /// `T` (ISO 8601) or a space (SQL) between date and time.
    iso_separator: bool,
    /// Seconds with milliseconds (`SS.fff`).
    millis: bool,
    /// A trailing `Z`.
    zulu: bool,
}

impl TextLayout {
    /// `CURRENT_TIMESTAMP`'s layout: `YYYY-MM-DD HH:MM:SS`.
    const CURRENT_TIMESTAMP: Self = Self {
        iso_separator: false,
        millis: false,
        zulu: false,
    };

    fn from_sample(text: &str) -> Option<Self> {
        let bytes = text.as_bytes();
        let digits_at = |positions: &[usize]| {
            positions
                .iter()
                .all(|&i| bytes.get(i).is_some_and(u8::is_ascii_digit))
        };
        let shaped = digits_at(&[0, 1, 2, 3, 5, 6, 8, 9, 11, 12, 14, 15, 17, 18])
            && bytes.get(4) == Some(&b'-')
            && bytes.get(7) == Some(&b'-')
            && bytes.get(13) == Some(&b':')
            && bytes.get(16) == Some(&b':');
        if !shaped {
            return None;
        }
        let iso_separator = match bytes[10] {
            b'T' => true,
            b' ' => false,
            _ => return None,
        };
        let rest = &text[19..];
        let (millis, rest) = match rest.strip_prefix('.') {
            Some(fraction) => {
                let digits = fraction.bytes().take_while(u8::is_ascii_digit).count();
                (digits > 0, &fraction[digits..])
            }
            None => (false, rest),
        };
        Self::ending_in(iso_separator, millis, rest)
    }

    /// The layout a `strftime('…', 'now')` default produces, when it is one.
    fn from_strftime_default(expression: &str) -> Option<Self> {
        let start = expression.find("strftime('")? + "strftime('".len();
        let format = &expression[start..];
        let format = &format[..format.find('\'')?];
        let time = format.strip_prefix("%Y-%m-%d")?;
        let (iso_separator, time) = match time.as_bytes().first()? {
            b'T' => (true, &time[1..]),
            b' ' => (false, &time[1..]),
            _ => return None,
        };
        let (millis, rest) = if let Some(rest) = time.strip_prefix("%H:%M:%f") {
            (true, rest)
        } else {
            (false, time.strip_prefix("%H:%M:%S")?)
        };
        Self::ending_in(iso_separator, millis, rest)
    }

    /// The layout whose text (or format) after the seconds is `rest`: nothing, or `Z`.
    fn ending_in(iso_separator: bool, millis: bool, rest: &str) -> Option<Self> {
        let zulu = match rest {
            "" => false,
            "Z" => true,
            _ => return None,
        };
        Some(Self {
            iso_separator,
            millis,
            zulu,
        })
    }

    fn strftime(self) -> String {
        format!(
            "strftime('%Y-%m-%d{}%H:%M:{}{}', 'now')",
            if self.iso_separator { "T" } else { " " },
            if self.millis { "%f" } else { "%S" },
            if self.zulu { "Z" } else { "" },
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_04_sqlite_table_keeps_its_iso_millisecond_text() {
        let default = "strftime('%Y-%m-%dT%H:%M:%f', 'now')";
        let clock = Clock::for_sqlite(Some(default), None);
        assert_eq!(clock.sql(), default);
        // Without the default, the rows say the same.
        let clock = Clock::for_sqlite(None, Some("2025-03-01T10:20:30.123"));
        assert_eq!(clock.sql(), default);
    }

    #[test]
    fn tables_of_this_crate_and_unknown_ones_get_current_timestamp() {
        let current = Clock::default_for(Dialect::Sqlite);
        assert_eq!(Clock::for_sqlite(Some("CURRENT_TIMESTAMP"), None), current);
        assert_eq!(
            Clock::for_sqlite(Some("CURRENT_TIMESTAMP"), Some("2025-03-01 10:20:30")),
            current
        );
        assert_eq!(Clock::for_sqlite(None, None), current);
        assert_eq!(Clock::for_sqlite(None, Some("1700000000")), current);
        assert_eq!(
            Clock::for_sqlite(None, Some("2025-03-01T10:20:30+02:00")),
            current
        );
    }

    #[test]
    fn other_text_layouts_are_followed() {
        assert_eq!(
            Clock::for_sqlite(None, Some("2025-03-01T10:20:30Z")).sql(),
            "strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
        );
        assert_eq!(
            Clock::for_sqlite(None, Some("2025-03-01 10:20:30.5")).sql(),
            "strftime('%Y-%m-%d %H:%M:%f', 'now')"
        );
        // A default that is not a plain strftime layout falls back to the rows.
        assert_eq!(
            Clock::for_sqlite(Some("(datetime('now'))"), Some("2025-03-01T10:20:30")).sql(),
            "strftime('%Y-%m-%dT%H:%M:%S', 'now')"
        );
    }

    #[test]
    fn nothing_read_reaches_the_sql() {
        let hostile = "strftime('%Y-%m-%dT%H:%M:%f'); DROP TABLE x; --', 'now')";
        let clock = Clock::for_sqlite(Some(hostile), None);
        assert!(!clock.sql().contains("DROP"));
    }

    #[test]
    fn postgres_and_mysql_follow_the_04_column_types() {
        assert_eq!(
            Clock::for_postgres(Some("timestamp with time zone")).sql(),
            "now()"
        );
        assert_eq!(
            Clock::for_postgres(Some("timestamp without time zone")),
            Clock::default_for(Dialect::Postgres)
        );
        assert_eq!(Clock::for_mysql(Some("text")).sql(), "NOW()");
        assert_eq!(
            Clock::for_mysql(Some("varchar")),
            Clock::default_for(Dialect::MySql)
        );
    }
}
