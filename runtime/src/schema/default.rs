//! Column defaults: typed values rendered as literals, and a raw-expression escape hatch.

use std::fmt::Write as _;

use crate::database::{Dialect, Value};
use crate::error::Result;

use super::render::invalid;

/// A column's default.
#[derive(Debug, Clone, PartialEq)]
pub enum DefaultValue {
    /// A value, rendered as a literal of the dialect: text is quoted with `'` doubled
    /// (and, on MySQL, `\` escaped too), so any string is safe; booleans are `TRUE`/`FALSE`
    /// (`1`/`0` on SQLite); bytes are a hex literal. A non-finite float is an error.
    Value(Value),
    /// The current date and time: `CURRENT_TIMESTAMP` on every dialect.
    CurrentTimestamp,
    /// An expression written as is after `DEFAULT`, for what the variants above cannot say
    /// (`(lower(hex(randomblob(16))))`, `gen_random_uuid()`, ...). It is raw SQL, the same
    /// on every dialect, and SQLite and MySQL want an expression in parentheses. Never
    /// build it from untrusted input.
    Raw(String),
}

impl<T: Into<Value>> From<T> for DefaultValue {
    fn from(value: T) -> Self {
        DefaultValue::Value(value.into())
    }
}

impl DefaultValue {
    /// The text after `DEFAULT` on `dialect`.
    pub fn sql(&self, dialect: Dialect) -> Result<String> {
        match self {
            DefaultValue::Value(value) => literal(value, dialect),
            DefaultValue::CurrentTimestamp => Ok("CURRENT_TIMESTAMP".to_owned()),
            DefaultValue::Raw(expression) => {
                if expression.trim().is_empty() {
                    return Err(invalid("default", "a raw default expression is empty"));
                }
                Ok(expression.clone())
            }
        }
    }
}

/// `value` as a SQL literal of `dialect`.
pub(crate) fn literal(value: &Value, dialect: Dialect) -> Result<String> {
    Ok(match value {
        Value::Null => "NULL".to_owned(),
        Value::Bool(value) => match (dialect, value) {
            (Dialect::Sqlite, true) => "1".to_owned(),
            (Dialect::Sqlite, false) => "0".to_owned(),
            (_, true) => "TRUE".to_owned(),
            (_, false) => "FALSE".to_owned(),
        },
        Value::Int(value) => value.to_string(),
        Value::Real(value) => {
            if !value.is_finite() {
                return Err(invalid(
                    "default",
                    &format!("{value} has no SQL literal; use DefaultValue::Raw"),
                ));
            }
            // `{:?}` keeps a `.0` on whole numbers, so the literal stays a float.
            format!("{value:?}")
        }
        Value::Text(text) => string_literal(text, dialect),
        Value::Bytes(bytes) => {
            let mut hex = String::with_capacity(bytes.len() * 2);
            for byte in bytes {
                let _ = write!(hex, "{byte:02x}");
            }
            match dialect {
                Dialect::Postgres => format!("'\\x{hex}'::bytea"),
                Dialect::Sqlite | Dialect::MySql => format!("X'{hex}'"),
            }
        }
    })
}

/// `text` as a string literal: `'` doubled everywhere, and on MySQL `\` escaped as well.
///
/// MySQL reads `\` as an escape unless `NO_BACKSLASH_ESCAPES` is set; escaping it keeps the
/// literal closed in both modes (with the mode set, a `\` in the value comes out doubled,
/// never as an open quote).
pub(crate) fn string_literal(text: &str, dialect: Dialect) -> String {
    let mut literal = String::with_capacity(text.len() + 2);
    literal.push('\'');
    for c in text.chars() {
        match c {
            '\'' => literal.push_str("''"),
            '\\' if dialect == Dialect::MySql => literal.push_str("\\\\"),
            c => literal.push(c),
        }
    }
    literal.push('\'');
    literal
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_escaped_per_dialect() {
        let value = DefaultValue::from("it's \\ here");
        assert_eq!(value.sql(Dialect::Sqlite).unwrap(), "'it''s \\ here'");
        assert_eq!(value.sql(Dialect::Postgres).unwrap(), "'it''s \\ here'");
        assert_eq!(value.sql(Dialect::MySql).unwrap(), "'it''s \\\\ here'");
        let injection = DefaultValue::from("'); DROP TABLE users; --");
        assert_eq!(
            injection.sql(Dialect::Sqlite).unwrap(),
            "'''); DROP TABLE users; --'"
        );
    }

    #[test]
    fn typed_values_become_literals() {
        assert_eq!(DefaultValue::from(true).sql(Dialect::Sqlite).unwrap(), "1");
        assert_eq!(
            DefaultValue::from(false).sql(Dialect::Postgres).unwrap(),
            "FALSE"
        );
        assert_eq!(
            DefaultValue::from(-7_i64).sql(Dialect::MySql).unwrap(),
            "-7"
        );
        assert_eq!(DefaultValue::from(2.0).sql(Dialect::MySql).unwrap(), "2.0");
        assert_eq!(
            DefaultValue::from(Value::Null).sql(Dialect::MySql).unwrap(),
            "NULL"
        );
        assert_eq!(
            DefaultValue::from(vec![0xde_u8, 0x01])
                .sql(Dialect::Postgres)
                .unwrap(),
            "'\\xde01'::bytea"
        );
        assert_eq!(
            DefaultValue::from(vec![0xde_u8, 0x01])
                .sql(Dialect::Sqlite)
                .unwrap(),
            "X'de01'"
        );
        assert!(DefaultValue::from(f64::NAN).sql(Dialect::Sqlite).is_err());
        assert!(DefaultValue::Raw("  ".into()).sql(Dialect::Sqlite).is_err());
    }
}
