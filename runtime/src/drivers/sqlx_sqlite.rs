//! The `sqlx-sqlite` driver: [`Database`](crate::Database) for [`sqlx::SqlitePool`] and
//! `tokio::sync::Mutex<`[`sqlx::SqliteConnection`]`>`.
//!
//! - Transactions start with `BEGIN IMMEDIATE`: the write lock is taken at once, so two
//!   writers wait for each other (up to the connection's busy timeout, 5 seconds by default
//!   in sqlx) instead of failing later when a read lock would be upgraded.
//! - Values are read by their own storage class, as SQLite types each value, not each
//!   column: `INTEGER` → [`Value::Int`], `REAL` → [`Value::Real`], `TEXT` → [`Value::Text`],
//!   `BLOB` → [`Value::Bytes`]. SQLite has no boolean storage class, so booleans read back
//!   as `Int(0)` / `Int(1)`; [`Value::Bool`] is bound as an integer.
//! - `SQLITE_BUSY` (and a shared-cache `SQLITE_LOCKED_SHAREDCACHE`) errors have the kind
//!   [`DatabaseErrorKind::Busy`]; the code is SQLite's extended result code.
//! - [`exec_raw`](crate::Database::exec_raw) (a migration's SQL text) runs on the
//!   connection's own SQLite handle, taken from sqlx's worker thread with
//!   [`SqliteConnection::lock_handle`], instead of statement by statement through the
//!   worker: the calling thread is busy until the text has run, as with rusqlite. The
//!   hand-off to the worker per statement made a 10 MB `up.sql` 3× slower than SQLite
//!   itself. A text holding a NUL byte is refused before anything runs (SQLite would stop
//!   reading there and skip the rest).
//! - [`query_once`](crate::Database::query_once) (the runner's start-up read) runs on that
//!   handle as well: through the worker, each row is one more hand-off between threads.
//! - [`pinned`](crate::Database::pinned) on a pool takes one connection and returns it to
//!   the pool when dropped, instead of closing it: SQLite has no connection-scoped locks that
//!   could leak, and closing the last connection of a `sqlite::memory:` pool would destroy
//!   the in-memory database.

use sqlx::sqlite::{
    Sqlite, SqliteConnection, SqlitePool, SqliteQueryResult, SqliteRow, SqliteValueRef,
};
use sqlx::{Decode, Executor, Row as _, TypeInfo as _, ValueRef as _};

use super::sqlx_common::{Driver, Statement, impl_database};
use crate::database::{Dialect, Value};
use crate::error::{DatabaseError, DatabaseErrorKind};
use crate::text_sink::TextSink;

/// `SQLITE_BUSY`, the primary result code of every "database is locked" error.
const SQLITE_BUSY: i32 = 5;
/// `SQLITE_LOCKED_SHAREDCACHE`: another connection of a shared cache holds the lock.
const SQLITE_LOCKED_SHAREDCACHE: i32 = 262;

impl Driver for Sqlite {
    const DIALECT: Dialect = Dialect::Sqlite;
    const BEGIN: &'static str = "BEGIN IMMEDIATE";
    const CLOSE_PINNED: bool = false;

    fn executor(conn: &mut SqliteConnection) -> impl Executor<'_, Database = Self> {
        conn
    }

    fn exec_raw(
        conn: &mut SqliteConnection,
        sql: &str,
    ) -> impl Future<Output = Result<(), DatabaseError>> + Send {
        super::sqlite_direct::exec_raw(conn, sql)
    }

    fn query_once(
        conn: &mut Self::Connection,
        sql: &str,
        sink: &mut dyn TextSink,
    ) -> impl Future<Output = Result<(), DatabaseError>> + Send {
        super::sqlite_direct::query_once(conn, sql, sink)
    }

    fn bind(statement: Statement<Self>, value: &Value) -> Statement<Self> {
        match value {
            Value::Null => statement.bind(None::<i64>),
            Value::Bool(value) => statement.bind(*value),
            Value::Int(value) => statement.bind(*value),
            Value::Real(value) => statement.bind(*value),
            Value::Text(value) => statement.bind(value.clone()),
            Value::Bytes(value) => statement.bind(value.clone()),
        }
    }

    fn value(row: &SqliteRow, index: usize) -> Result<SqliteValueRef<'_>, sqlx::Error> {
        row.try_get_raw(index)
    }

    fn decode(value: SqliteValueRef<'_>) -> Result<Value, String> {
        let decoded = match value.type_info().name() {
            "INTEGER" => <i64 as Decode<Sqlite>>::decode(value).map(Value::Int),
            "REAL" => <f64 as Decode<Sqlite>>::decode(value).map(Value::Real),
            "BLOB" => <Vec<u8> as Decode<Sqlite>>::decode(value).map(Value::Bytes),
            _ => <String as Decode<Sqlite>>::decode(value).map(Value::Text),
        };
        decoded.map_err(|error| error.to_string())
    }

    fn rows_affected(result: &SqliteQueryResult) -> u64 {
        result.rows_affected()
    }

    fn refine(error: DatabaseError, db_error: &dyn sqlx::error::DatabaseError) -> DatabaseError {
        let code = db_error.code().and_then(|code| code.parse::<i32>().ok());
        match code {
            Some(code) if code & 0xff == SQLITE_BUSY || code == SQLITE_LOCKED_SHAREDCACHE => {
                error.with_kind(DatabaseErrorKind::Busy)
            }
            _ => error,
        }
    }
}

impl_database!(Sqlite, SqlitePool, SqliteConnection);
