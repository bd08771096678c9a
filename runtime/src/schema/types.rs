//! Portable column types and the name each dialect gives them.

use crate::database::Dialect;
use crate::error::Result;

use super::render::{invalid, unsupported};

/// A column type, mapped to each dialect's own type name by the renderer.
///
/// | type | SQLite | PostgreSQL | MySQL / MariaDB |
/// |---|---|---|---|
/// | `SmallInt` | `SMALLINT` | `SMALLINT` | `SMALLINT` |
/// | `Integer` | `INTEGER` | `INTEGER` | `INT` |
/// | `BigInt` | `BIGINT` | `BIGINT` | `BIGINT` |
/// | `Real` | `REAL` | `REAL` | `FLOAT` |
/// | `Double` | `DOUBLE` | `DOUBLE PRECISION` | `DOUBLE` |
/// | `Decimal(p, s)` | `NUMERIC(p, s)` | `NUMERIC(p, s)` | `DECIMAL(p, s)` |
/// | `Boolean` | `BOOLEAN` | `BOOLEAN` | `BOOLEAN` |
/// | `Text` | `TEXT` | `TEXT` | `TEXT` |
/// | `VarChar(n)` | `VARCHAR(n)` | `VARCHAR(n)` | `VARCHAR(n)` |
/// | `Char(n)` | `CHAR(n)` | `CHAR(n)` | `CHAR(n)` |
/// | `Date` | `DATE` | `DATE` | `DATE` |
/// | `Time` | `TIME` | `TIME` | `TIME` |
/// | `DateTime` | `DATETIME` | `TIMESTAMP` | `DATETIME` |
/// | `DateTimeTz` | `DATETIME` | `TIMESTAMPTZ` | an error: MySQL has no time-zone-aware type |
/// | `Blob` | `BLOB` | `BYTEA` | `LONGBLOB` |
/// | `Json` | `TEXT` | `JSONB` | `JSON` |
/// | `Uuid` | `TEXT` | `UUID` | `CHAR(36)` |
/// | `Custom(name)` | `name` | `name` | `name` |
///
/// SQLite stores any value in any column; its names above pick the column's affinity. An
/// auto-increment column on SQLite is always `INTEGER` (the only type SQLite lets be the
/// alias of the rowid).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ColumnType {
    /// A 16-bit integer.
    SmallInt,
    /// A 32-bit integer.
    Integer,
    /// A 64-bit integer.
    BigInt,
    /// A single-precision float.
    Real,
    /// A double-precision float.
    Double,
    /// An exact decimal with `precision` digits, `scale` of them after the point.
    Decimal {
        /// Total digits.
        precision: u8,
        /// Digits after the point (at most `precision`).
        scale: u8,
    },
    /// A boolean (MySQL: `TINYINT(1)`; SQLite: an integer 0 or 1).
    Boolean,
    /// Text of any length. MySQL cannot index a `TEXT` column without a prefix length, nor
    /// make it a key: use [`VarChar`](Self::VarChar) for keys.
    Text,
    /// Text of at most `n` characters.
    VarChar(u32),
    /// Text of exactly `n` characters.
    Char(u32),
    /// A calendar date.
    Date,
    /// A time of day.
    Time,
    /// A date and time without time zone.
    DateTime,
    /// A date and time with time zone (PostgreSQL `TIMESTAMPTZ`); not expressible on MySQL.
    DateTimeTz,
    /// Bytes.
    Blob,
    /// JSON (PostgreSQL `JSONB`).
    Json,
    /// A UUID (PostgreSQL `UUID`, text of 36 characters elsewhere).
    Uuid,
    /// A type name written as is on every dialect: an escape hatch for types this enum
    /// lacks. It is raw SQL: never build it from untrusted input.
    Custom(String),
}

impl ColumnType {
    /// Whether this is an integer type (the only types that can auto-increment).
    #[must_use]
    pub fn is_integer(&self) -> bool {
        matches!(
            self,
            ColumnType::SmallInt | ColumnType::Integer | ColumnType::BigInt
        )
    }

    /// The type's name on `dialect`, or an error when `dialect` has no such type.
    pub fn sql(&self, dialect: Dialect) -> Result<String> {
        use ColumnType as T;
        use Dialect::{MySql, Postgres, Sqlite};
        let name = match (self, dialect) {
            (T::SmallInt, _) => "SMALLINT",
            (T::Integer, Sqlite | Postgres) => "INTEGER",
            (T::Integer, MySql) => "INT",
            (T::BigInt, _) => "BIGINT",
            (T::Real, Sqlite | Postgres) => "REAL",
            (T::Real, MySql) => "FLOAT",
            (T::Double, Sqlite | MySql) => "DOUBLE",
            (T::Double, Postgres) => "DOUBLE PRECISION",
            (T::Decimal { precision, scale }, _) => {
                if *precision == 0 || scale > precision {
                    return Err(invalid(
                        "column type",
                        &format!("DECIMAL({precision}, {scale}) needs 0 < scale <= precision"),
                    ));
                }
                let name = if dialect == MySql {
                    "DECIMAL"
                } else {
                    "NUMERIC"
                };
                return Ok(format!("{name}({precision}, {scale})"));
            }
            (T::Boolean, _) => "BOOLEAN",
            (T::VarChar(n), _) => return Ok(format!("VARCHAR({n})")),
            (T::Char(n), _) => return Ok(format!("CHAR({n})")),
            (T::Date, _) => "DATE",
            (T::Time, _) => "TIME",
            (T::DateTime, Sqlite | MySql) | (T::DateTimeTz, Sqlite) => "DATETIME",
            (T::DateTime, Postgres) => "TIMESTAMP",
            (T::DateTimeTz, Postgres) => "TIMESTAMPTZ",
            (T::DateTimeTz, MySql) => {
                return Err(unsupported(
                    "a DateTimeTz column",
                    dialect,
                    "MySQL has no time-zone-aware date-time type; use DateTime and store UTC",
                ));
            }
            (T::Blob, Sqlite) => "BLOB",
            (T::Blob, Postgres) => "BYTEA",
            (T::Blob, MySql) => "LONGBLOB",
            (T::Text, _) | (T::Json | T::Uuid, Sqlite) => "TEXT",
            (T::Json, Postgres) => "JSONB",
            (T::Json, MySql) => "JSON",
            (T::Uuid, Postgres) => "UUID",
            (T::Uuid, MySql) => "CHAR(36)",
            (T::Custom(name), _) => {
                if name.trim().is_empty() {
                    return Err(invalid("column type", "a custom type name is empty"));
                }
                return Ok(name.clone());
            }
        };
        Ok(name.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_differ_per_dialect() {
        assert_eq!(ColumnType::Integer.sql(Dialect::MySql).unwrap(), "INT");
        assert_eq!(
            ColumnType::Integer.sql(Dialect::Postgres).unwrap(),
            "INTEGER"
        );
        assert_eq!(ColumnType::Blob.sql(Dialect::Postgres).unwrap(), "BYTEA");
        assert_eq!(
            ColumnType::Double.sql(Dialect::Postgres).unwrap(),
            "DOUBLE PRECISION"
        );
        assert_eq!(
            ColumnType::Decimal {
                precision: 10,
                scale: 2
            }
            .sql(Dialect::MySql)
            .unwrap(),
            "DECIMAL(10, 2)"
        );
        assert_eq!(
            ColumnType::DateTime.sql(Dialect::Postgres).unwrap(),
            "TIMESTAMP"
        );
    }

    #[test]
    fn what_a_dialect_lacks_is_an_error_naming_it() {
        let error = ColumnType::DateTimeTz
            .sql(Dialect::MySql)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("DateTimeTz") && error.contains("MySQL"),
            "{error}"
        );
        assert!(
            ColumnType::Decimal {
                precision: 2,
                scale: 3
            }
            .sql(Dialect::Sqlite)
            .is_err()
        );
        assert!(ColumnType::Custom(" ".into()).sql(Dialect::Sqlite).is_err());
    }
}
