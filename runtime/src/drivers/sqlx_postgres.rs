//! The `sqlx-postgres` driver: [`Database`](crate::Database) for [`sqlx::PgPool`] and
//! `tokio::sync::Mutex<`[`sqlx::PgConnection`]`>`.
//!
//! - [`exec_raw`](crate::Database::exec_raw) uses the simple query protocol, so a text with
//!   several statements runs as one implicit transaction unless it manages its own.
//! - Parameters are typed by their [`Value`]: `BOOL`, `INT8`, `FLOAT8`, `TEXT`, `BYTEA`.
//!   [`Value::Null`] is sent *untyped* (type OID 0), so PostgreSQL infers its type from
//!   where it is used, as for a `NULL` literal: it fits a column of any type. Where nothing
//!   gives it a type (`SELECT $1`), cast it: `$1::text`.
//! - PostgreSQL fixes parameter types when it prepares a statement, and sqlx caches prepared
//!   statements per connection under their text. So that the same SQL can run with
//!   differently typed parameters, a statement with parameters is prepared with a comment
//!   naming their types appended (`/* switchy_schema parameters: itn */`), one cached
//!   statement per combination. (Unnamed, uncached statements are not an option: in sqlx
//!   0.9.0 they fail on the first use of a custom type such as an enum or a domain, sqlx
//!   issue #4305.)
//! - Columns are read by type, domains by their base type: `BOOL` → [`Value::Bool`];
//!   `INT2`/`INT4`/`INT8`/`OID` → [`Value::Int`]; `FLOAT4`/`FLOAT8`/`NUMERIC` →
//!   [`Value::Real`]; `TEXT`/`VARCHAR`/`CHAR`/`NAME`/`JSON`/`JSONB`/enums → [`Value::Text`];
//!   `BYTEA` → [`Value::Bytes`]; `TIMESTAMP`/`TIMESTAMPTZ` → text `YYYY-MM-DD HH:MM:SS`
//!   (UTC for `TIMESTAMPTZ`, fractional seconds appended when not zero); `DATE` → text
//!   `YYYY-MM-DD`; `VOID` (`SELECT pg_advisory_lock(..)`) → [`Value::Null`]. Other types
//!   give a [`DatabaseErrorKind::Decode`] error: cast them to `text` in SQL.
//! - Errors carry the SQLSTATE as code and the position PostgreSQL reports; SQLSTATE
//!   classes `08` (connection exception) and `57P0x` (shutdown) have the kind
//!   [`DatabaseErrorKind::Connection`].

use std::borrow::Cow;
use std::fmt::Write as _;

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgConnection, PgDatabaseError, PgErrorPosition};
use sqlx::postgres::{PgPool, PgQueryResult, PgRow, PgTypeInfo, PgTypeKind, PgValueFormat};
use sqlx::postgres::{PgValueRef, Postgres};
use sqlx::{Decode, Encode, Executor, Row as _, Type, TypeInfo as _, ValueRef as _};

use super::sqlx_common::{Driver, Statement, impl_database};
use crate::database::{Dialect, Value};
use crate::error::{DatabaseError, DatabaseErrorKind};

/// Days from 1970-01-01 (the Unix epoch) to 2000-01-01 (the PostgreSQL epoch).
const PG_EPOCH_DAYS: i64 = 10_957;

impl Driver for Postgres {
    const DIALECT: Dialect = Dialect::Postgres;
    const BEGIN: &'static str = "BEGIN";

    fn executor(conn: &mut PgConnection) -> impl Executor<'_, Database = Self> {
        conn
    }

    fn statement_sql<'a>(sql: &'a str, params: &[Value]) -> Cow<'a, str> {
        if params.is_empty() {
            return Cow::Borrowed(sql);
        }
        let types: String = params
            .iter()
            .map(|param| match param {
                Value::Null => 'n',
                Value::Bool(_) => 'b',
                Value::Int(_) => 'i',
                Value::Real(_) => 'r',
                Value::Text(_) => 't',
                Value::Bytes(_) => 'x',
            })
            .collect();
        Cow::Owned(format!("{sql}\n/* switchy_schema parameters: {types} */"))
    }

    fn bind(statement: Statement<Self>, value: &Value) -> Statement<Self> {
        match value {
            Value::Null => statement.bind(UntypedNull),
            Value::Bool(value) => statement.bind(*value),
            Value::Int(value) => statement.bind(*value),
            Value::Real(value) => statement.bind(*value),
            Value::Text(value) => statement.bind(value.as_str()),
            Value::Bytes(value) => statement.bind(value.as_slice()),
        }
    }

    fn value(row: &PgRow, index: usize) -> Result<PgValueRef<'_>, sqlx::Error> {
        row.try_get_raw(index)
    }

    fn decode(value: PgValueRef<'_>) -> Result<Value, String> {
        let mut info = value.type_info().into_owned();
        while let PgTypeKind::Domain(base) = info.kind() {
            info = base.clone();
        }
        if matches!(info.kind(), PgTypeKind::Enum(_)) {
            return decode_as::<String>(value).map(Value::Text);
        }
        let binary = value.format() == PgValueFormat::Binary;
        match info.name() {
            "BOOL" => decode_as(value).map(Value::Bool),
            "INT2" => decode_as::<i16>(value).map(|v| Value::Int(v.into())),
            "INT4" => decode_as::<i32>(value).map(|v| Value::Int(v.into())),
            "INT8" => decode_as(value).map(Value::Int),
            "OID" => decode_as::<Oid>(value).map(|v| Value::Int(v.0.into())),
            "FLOAT4" => decode_as::<f32>(value).map(|v| Value::Real(v.into())),
            "FLOAT8" => decode_as(value).map(Value::Real),
            "NUMERIC" if binary => numeric(value.as_bytes().map_err(|e| e.to_string())?),
            "NUMERIC" => decode_as::<String>(value)?
                .parse()
                .map(Value::Real)
                .map_err(|e| e.to_string()),
            "TEXT" | "VARCHAR" | "CHAR" | "NAME" | "UNKNOWN" | "JSON" => {
                decode_as(value).map(Value::Text)
            }
            "JSONB" if binary => match value.as_bytes().map_err(|e| e.to_string())? {
                [1, json @ ..] => String::from_utf8(json.to_vec())
                    .map(Value::Text)
                    .map_err(|e| e.to_string()),
                _ => Err("unknown JSONB format version".to_owned()),
            },
            "BYTEA" => decode_as(value).map(Value::Bytes),
            "TIMESTAMP" | "TIMESTAMPTZ" if binary => decode_as(value).map(format_timestamp),
            "DATE" if binary => decode_as::<i32>(value).map(|days| {
                Value::Text(format_date(i64::from(days)).unwrap_or_else(|| infinity(days > 0)))
            }),
            "TIMESTAMP" | "TIMESTAMPTZ" | "DATE" | "JSONB" => decode_as(value).map(Value::Text),
            "VOID" => Ok(Value::Null),
            _ => Err("unsupported type: cast it in SQL, for example to `text`".to_owned()),
        }
    }

    fn rows_affected(result: &PgQueryResult) -> u64 {
        result.rows_affected()
    }

    fn refine(error: DatabaseError, db_error: &dyn sqlx::error::DatabaseError) -> DatabaseError {
        let Some(pg_error) = db_error.try_downcast_ref::<PgDatabaseError>() else {
            return error;
        };
        let mut error = match pg_error.position() {
            Some(PgErrorPosition::Original(position)) => error.with_position(position),
            _ => error,
        };
        let code = pg_error.code();
        if code.starts_with("08") || code.starts_with("57P0") {
            error = error.with_kind(DatabaseErrorKind::Connection);
        }
        error
    }
}

impl_database!(Postgres, PgPool, PgConnection);

/// A `NULL` parameter without a type (OID 0): PostgreSQL infers it from the statement.
struct UntypedNull;

impl Type<Postgres> for UntypedNull {
    fn type_info() -> PgTypeInfo {
        PgTypeInfo::with_oid(Oid(0))
    }
}

impl Encode<'_, Postgres> for UntypedNull {
    fn encode_by_ref(&self, _: &mut PgArgumentBuffer) -> Result<IsNull, BoxDynError> {
        Ok(IsNull::Yes)
    }
}

fn decode_as<'r, T: Decode<'r, Postgres>>(value: PgValueRef<'r>) -> Result<T, String> {
    T::decode(value).map_err(|error| error.to_string())
}

/// A binary `NUMERIC` (digit count, weight, sign, scale, then base-10000 digits) as a float.
fn numeric(bytes: &[u8]) -> Result<Value, String> {
    let word = |index: usize| {
        bytes
            .get(2 * index..2 * index + 2)
            .map(|pair| u16::from_be_bytes([pair[0], pair[1]]))
            .ok_or_else(|| "truncated NUMERIC value".to_owned())
    };
    let (digits, sign) = (usize::from(word(0)?), word(2)?);
    let weight = i32::from(word(1)?.cast_signed());
    let value = match sign {
        0xC000 => f64::NAN,
        0xD000 => f64::INFINITY,
        0xF000 => f64::NEG_INFINITY,
        _ if digits == 0 => 0.0,
        _ => {
            // 0.dddd dddd ... × 10^(4 × (weight + 1)), parsed for correct rounding.
            let mut text = String::from(if sign == 0x4000 { "-0." } else { "0." });
            for index in 0..digits {
                write!(text, "{:04}", word(4 + index)?).map_err(|e| e.to_string())?;
            }
            write!(text, "e{}", 4 * (weight + 1)).map_err(|e| e.to_string())?;
            text.parse()
                .map_err(|e: std::num::ParseFloatError| e.to_string())?
        }
    };
    Ok(Value::Real(value))
}

/// A binary `TIMESTAMP` (microseconds since 2000-01-01) as `YYYY-MM-DD HH:MM:SS[.ffffff]`.
fn format_timestamp(micros: i64) -> Value {
    if micros == i64::MAX || micros == i64::MIN {
        return Value::Text(infinity(micros > 0));
    }
    let seconds = micros.div_euclid(1_000_000);
    let fraction = micros.rem_euclid(1_000_000);
    let time = seconds.rem_euclid(86_400);
    let Some(date) = format_date(seconds.div_euclid(86_400)) else {
        return Value::Text(infinity(micros > 0));
    };
    let mut text = format!(
        "{date} {:02}:{:02}:{:02}",
        time / 3600,
        time / 60 % 60,
        time % 60
    );
    if fraction != 0 {
        let digits = format!("{fraction:06}");
        text.push('.');
        text.push_str(digits.trim_end_matches('0'));
    }
    Value::Text(text)
}

/// Days since 2000-01-01 as `YYYY-MM-DD` (proleptic Gregorian calendar); `None` for the
/// `infinity` / `-infinity` sentinels.
fn format_date(days: i64) -> Option<String> {
    if days == i64::from(i32::MAX) || days == i64::from(i32::MIN) {
        return None;
    }
    // Civil date from a day count, with 400-year eras starting on March 1st.
    let days = days + PG_EPOCH_DAYS + 719_468;
    let era = days.div_euclid(146_097);
    let day_of_era = days.rem_euclid(146_097);
    let year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36_524 - day_of_era / 146_096) / 365;
    let day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    let month_from_march = (5 * day_of_year + 2) / 153;
    let day = day_of_year - (153 * month_from_march + 2) / 5 + 1;
    let month = if month_from_march < 10 {
        month_from_march + 3
    } else {
        month_from_march - 9
    };
    let year = year_of_era + era * 400 + i64::from(month <= 2);
    Some(format!("{year:04}-{month:02}-{day:02}"))
}

fn infinity(positive: bool) -> String {
    if positive { "infinity" } else { "-infinity" }.to_owned()
}
