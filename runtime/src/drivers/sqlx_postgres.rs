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
//! - Columns are read by the rule the tokio-postgres driver follows too, so a row reads the
//!   same through either: domains by their base type; `BOOL` → [`Value::Bool`];
//!   `INT2`/`INT4`/`INT8`/`OID` → [`Value::Int`]; `FLOAT4`/`FLOAT8` → [`Value::Real`];
//!   `BYTEA` → [`Value::Bytes`]; [`Value::Text`] for text types, enums, `citext`, `JSON`,
//!   `JSONB`, `UUID` (lowercase, hyphenated), `NUMERIC` (exact, as PostgreSQL prints it),
//!   `TIMESTAMP`/`TIMESTAMPTZ` (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC for `TIMESTAMPTZ`),
//!   `DATE` (`YYYY-MM-DD`) and `TIME` (`HH:MM:SS[.ffffff]`); `VOID` (`SELECT
//!   pg_advisory_lock(..)`) → [`Value::Null`]. Other types (arrays, intervals, ...) give a
//!   [`DatabaseErrorKind::Decode`] error: cast them to `text` in SQL.
//! - Errors carry the SQLSTATE as code and the position PostgreSQL reports; SQLSTATE
//!   classes `08` (connection exception) and `57P0x` (shutdown) have the kind
//!   [`DatabaseErrorKind::Connection`].

use std::borrow::Cow;

use sqlx::encode::IsNull;
use sqlx::error::BoxDynError;
use sqlx::postgres::types::Oid;
use sqlx::postgres::{PgArgumentBuffer, PgConnection, PgDatabaseError, PgErrorPosition};
use sqlx::postgres::{PgPool, PgQueryResult, PgRow, PgTypeInfo, PgTypeKind, PgValueFormat};
use sqlx::postgres::{PgValueRef, Postgres};
use sqlx::{Encode, Executor, Row as _, Type, TypeInfo as _, ValueRef as _};

use super::pg_decode::{self, PgKind};
use super::sqlx_common::{Driver, Statement, impl_database};
use crate::database::{Dialect, Value};
use crate::error::{DatabaseError, DatabaseErrorKind};
use crate::text_sink::TextSink;

impl Driver for Postgres {
    const DIALECT: Dialect = Dialect::Postgres;
    const BEGIN: &'static str = "BEGIN";

    fn executor(conn: &mut PgConnection) -> impl Executor<'_, Database = Self> {
        conn
    }

    fn exec_raw(
        conn: &mut PgConnection,
        sql: &str,
    ) -> impl Future<Output = Result<(), DatabaseError>> + Send {
        super::sqlx_common::exec_streamed::<Self>(conn, sql)
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

    fn query_once(
        conn: &mut Self::Connection,
        sql: &str,
        sink: &mut dyn TextSink,
    ) -> impl Future<Output = Result<(), DatabaseError>> + Send {
        super::sqlx_common::query_text_streamed::<Self>(conn, sql, sink)
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
        let kind = pg_kind(&value.type_info());
        let raw = value.as_bytes().map_err(|error| error.to_string())?;
        match value.format() {
            PgValueFormat::Binary => pg_decode::decode_binary(kind, raw),
            PgValueFormat::Text => pg_decode::decode_text(kind, raw),
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

impl super::sqlx_common::TextProtocol for Postgres {
    fn text(value: Self::ValueRef<'_>) -> Result<&str, String> {
        match value.format() {
            PgValueFormat::Text => {
                let raw = value.as_bytes().map_err(|error| error.to_string())?;
                std::str::from_utf8(raw).map_err(|error| error.to_string())
            }
            PgValueFormat::Binary => Err("the server sent it in binary format".to_owned()),
        }
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

/// How a column of type `info` is read, by the rule shared with the tokio-postgres driver
/// ([`pg_decode`]): domains by their base type, enums and `citext` as text, built-in types
/// by their OID.
fn pg_kind(info: &PgTypeInfo) -> PgKind {
    match info.kind() {
        PgTypeKind::Domain(base) => pg_kind(base),
        PgTypeKind::Enum(_) => PgKind::Text,
        _ if info.name().eq_ignore_ascii_case("citext") => PgKind::Text,
        _ => info
            .oid()
            .map_or(PgKind::Unsupported, |oid| PgKind::of_oid(oid.0)),
    }
}
