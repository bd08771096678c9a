//! The `sqlx-mysql` driver: [`Database`](crate::Database) for [`sqlx::MySqlPool`] and
//! `tokio::sync::Mutex<`[`sqlx::MySqlConnection`]`>`, for MySQL and MariaDB.
//!
//! - MySQL commits implicitly before and after most DDL, so a transaction only protects
//!   data changes (see [`Dialect::has_transactional_ddl`]).
//! - Parameters: [`Value::Null`] is bound as a `NULL` string, which MySQL converts to any
//!   column type; [`Value::Bool`] as `TINYINT` 0 or 1.
//! - Columns are read by type: `BOOLEAN` (`TINYINT(1)`) → [`Value::Bool`]; integer types,
//!   `YEAR` and `BIT` → [`Value::Int`] (`BIGINT UNSIGNED` values above `i64::MAX` give a
//!   decode error); `FLOAT`/`DOUBLE`/`DECIMAL` → [`Value::Real`]; character types, `ENUM`
//!   and `JSON` → [`Value::Text`]; binary string types → [`Value::Bytes`];
//!   `DATETIME`/`TIMESTAMP` → text `YYYY-MM-DD HH:MM:SS` (fractional seconds appended when
//!   not zero), `DATE` → text `YYYY-MM-DD`; zero dates read as [`Value::Null`]. Other types
//!   (`TIME`, `GEOMETRY`, ...) give a [`DatabaseErrorKind::Decode`] error: cast them in SQL.
//! - Errors carry the MySQL error number (`1064`, not the SQLSTATE) as code.
//!
//! [`DatabaseErrorKind::Decode`]: crate::DatabaseErrorKind::Decode

use std::fmt::Write as _;

use sqlx::mysql::{MySql, MySqlConnection, MySqlDatabaseError, MySqlPool, MySqlQueryResult};
use sqlx::mysql::{MySqlRow, MySqlValueRef};
use sqlx::{Decode, Executor, Row as _, Type, TypeInfo as _, ValueRef as _};

use super::sqlx_common::{Driver, Statement, impl_database};
use crate::database::{Dialect, Value};
use crate::error::DatabaseError;
use crate::text_sink::TextSink;

impl Driver for MySql {
    const DIALECT: Dialect = Dialect::MySql;
    const BEGIN: &'static str = "BEGIN";

    fn executor(conn: &mut MySqlConnection) -> impl Executor<'_, Database = Self> {
        conn
    }

    fn exec_raw(
        conn: &mut MySqlConnection,
        sql: &str,
    ) -> impl Future<Output = Result<(), DatabaseError>> + Send {
        super::sqlx_common::exec_streamed::<Self>(conn, sql)
    }

    fn query_once(
        conn: &mut Self::Connection,
        sql: &str,
        sink: &mut dyn TextSink,
    ) -> impl Future<Output = Result<(), DatabaseError>> + Send {
        super::sqlx_common::query_text_streamed::<Self>(conn, sql, sink)
    }

    fn bind(statement: Statement<Self>, value: &Value) -> Statement<Self> {
        match value {
            Value::Null => statement.bind(None::<&str>),
            Value::Bool(value) => statement.bind(*value),
            Value::Int(value) => statement.bind(*value),
            Value::Real(value) => statement.bind(*value),
            Value::Text(value) => statement.bind(value.as_str()),
            Value::Bytes(value) => statement.bind(value.as_slice()),
        }
    }

    fn value(row: &MySqlRow, index: usize) -> Result<MySqlValueRef<'_>, sqlx::Error> {
        row.try_get_raw(index)
    }

    fn decode(value: MySqlValueRef<'_>) -> Result<Value, String> {
        let info = value.type_info().into_owned();
        match info.name() {
            "BOOLEAN" => decode_as::<i64>(value).map(|v| Value::Bool(v != 0)),
            name if name.ends_with(" UNSIGNED") || name == "BIT" => {
                let unsigned = decode_as::<u64>(value)?;
                i64::try_from(unsigned)
                    .map(Value::Int)
                    .map_err(|e| e.to_string())
            }
            "TINYINT" | "SMALLINT" | "MEDIUMINT" | "INT" | "BIGINT" | "YEAR" => {
                decode_as(value).map(Value::Int)
            }
            "FLOAT" | "DOUBLE" => decode_as(value).map(Value::Real),
            "DECIMAL" => decode_as::<&str>(value)?
                .parse()
                .map(Value::Real)
                .map_err(|e| e.to_string()),
            "DATE" => decode_as(value).map(|bytes| format_datetime(bytes, false)),
            "DATETIME" | "TIMESTAMP" => decode_as(value).map(|bytes| format_datetime(bytes, true)),
            "JSON" => decode_as(value).map(Value::Text),
            _ if <str as Type<MySql>>::compatible(&info) => decode_as(value).map(Value::Text),
            _ if <[u8] as Type<MySql>>::compatible(&info) => decode_as(value).map(Value::Bytes),
            _ => Err("unsupported type: cast it in SQL, for example to CHAR".to_owned()),
        }
    }

    fn rows_affected(result: &MySqlQueryResult) -> u64 {
        result.rows_affected()
    }

    fn refine(error: DatabaseError, db_error: &dyn sqlx::error::DatabaseError) -> DatabaseError {
        match db_error.try_downcast_ref::<MySqlDatabaseError>() {
            Some(mysql_error) => error.with_code(mysql_error.number().to_string()),
            None => error,
        }
    }
}

impl super::sqlx_common::TextProtocol for MySql {
    fn text(value: Self::ValueRef<'_>) -> Result<&str, String> {
        decode_as(value)
    }
}

impl_database!(MySql, MySqlPool, MySqlConnection);

fn decode_as<'r, T: Decode<'r, MySql>>(value: MySqlValueRef<'r>) -> Result<T, String> {
    T::decode(value).map_err(|error| error.to_string())
}

/// A `DATETIME` or `TIMESTAMP` (`with_time`), or a `DATE`, as text.
///
/// The binary protocol sends a length byte (4, 7 or 11) and then the year (2 bytes,
/// little-endian), month, day, hour, minute, second and microseconds (4 bytes); the text
/// protocol sends the text, which starts with a digit and so never with such a length.
fn format_datetime(bytes: &[u8], with_time: bool) -> Value {
    let (&length, fields) = match bytes.split_first() {
        Some((length, fields))
            if matches!(length, 4 | 7 | 11) && fields.len() == usize::from(*length) =>
        {
            (length, fields)
        }
        _ => return Value::Text(String::from_utf8_lossy(bytes).into_owned()),
    };
    let year = u16::from_le_bytes([fields[0], fields[1]]);
    let mut text = format!("{year:04}-{:02}-{:02}", fields[2], fields[3]);
    if with_time {
        let time = fields.get(4..7).unwrap_or(&[0, 0, 0]);
        let _ = write!(text, " {:02}:{:02}:{:02}", time[0], time[1], time[2]);
    }
    if length == 11 {
        let micros = u32::from_le_bytes([fields[7], fields[8], fields[9], fields[10]]);
        if micros != 0 {
            text.push('.');
            text.push_str(format!("{micros:06}").trim_end_matches('0'));
        }
    }
    Value::Text(text)
}
