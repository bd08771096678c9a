//! The `rusqlite` driver: [`Database`] for `std::sync::Mutex<rusqlite::Connection>`.
//!
//! ```no_run
//! # async fn run() -> Result<(), switchy_schema::DatabaseError> {
//! use std::sync::Mutex;
//! use switchy_schema::Database;
//!
//! let db = Mutex::new(rusqlite::Connection::open_in_memory().expect("open"));
//! db.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)").await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Blocking
//!
//! rusqlite is synchronous: every method runs its statement directly inside the async
//! function and blocks the calling task (and its executor thread) until SQLite returns.
//! That includes waiting on a locked database file for up to the connection's
//! `busy_timeout` (rusqlite sets five seconds by default). Migrations are short and run at
//! start-up, where this is usually acceptable; otherwise run them from
//! `tokio::task::spawn_blocking` with a current-thread runtime. (`sqlx-sqlite` waits for
//! the write lock on its worker thread, but it too runs a migration's SQL text on the
//! calling thread: see its module docs.)
//!
//! # Locking and transactions
//!
//! The mutex is locked for the duration of each statement and never held across an
//! `.await`. A poisoned mutex (a panic while it was held) is recovered, not propagated: the
//! connection itself stays consistent, since SQLite rolls back a failed statement.
//!
//! [`begin_transaction`](Database::begin_transaction) runs `BEGIN IMMEDIATE`, which takes
//! the database's write lock at once; a second connection that tries to begin meanwhile
//! waits for its `busy_timeout` and then fails with [`DatabaseErrorKind::Busy`].
//!
//! A SQLite transaction belongs to the connection, so the returned transaction *owns* the
//! connection until it is committed, rolled back or dropped: every other call on the same
//! `Mutex<Connection>` (from another task, or a `begin_transaction`) waits until then,
//! polling every millisecond on the tokio timer, instead of running inside the
//! transaction and being rolled back with it. (A `std::sync::MutexGuard` cannot be held
//! instead: it cannot be sent across threads, yet a transaction must stay usable across
//! `.await`s on a multi-threaded runtime.) So send every statement of a transaction
//! through the transaction object: a call on the outer handle from the task that holds the
//! transaction waits forever, as it would with a `tokio::sync::Mutex`. Code that locks the
//! mutex directly, not through this `Database` implementation, is not held back.
//!
//! Dropping the transaction without [`commit`](DatabaseTransaction::commit) or
//! [`rollback`](DatabaseTransaction::rollback) runs `ROLLBACK` synchronously in `Drop`
//! (locking the mutex briefly; do not drop it while holding the lock yourself).
//!
//! # Values
//!
//! Parameters bind as their SQLite storage class ([`Value::Bool`] as the integer 0 or 1).
//! Result values are read by their dynamic SQLite type: `INTEGER` → [`Value::Int`],
//! `REAL` → [`Value::Real`], `TEXT` → [`Value::Text`] (invalid UTF-8 is a
//! [`DatabaseErrorKind::Decode`] error), `BLOB` → [`Value::Bytes`], `NULL` →
//! [`Value::Null`].
//!
//! # Errors
//!
//! A [`DatabaseError`] carries SQLite's message, the extended result code as decimal text
//! (`"1"` for `SQLITE_ERROR`, `"2067"` for `SQLITE_CONSTRAINT_UNIQUE`, ...), the 1-based
//! character position in the SQL text when SQLite reports one (rusqlite built with
//! `modern_sqlite`, e.g. through `bundled`), and the `rusqlite::Error` as
//! [`driver_error`](DatabaseError::driver_error). `SQLITE_BUSY` and `SQLITE_LOCKED` are
//! [`DatabaseErrorKind::Busy`]. Errors raised by rusqlite itself before SQLite sees the
//! statement (a wrong number of parameters, a NUL byte in the SQL) are
//! [`DatabaseErrorKind::Other`].
//!
//! A `COMMIT` that fails (for example with `SQLITE_BUSY` while another connection still
//! reads, in rollback-journal mode) rolls the transaction back before returning the error,
//! so that the connection is never left inside it.

use std::error::Error as _;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use rusqlite::types::{ToSqlOutput, ValueRef};
use rusqlite::{Connection, ErrorCode, ToSql};

use crate::database::{Database, DatabaseTransaction, Dialect, Row, Value};
use crate::error::{DatabaseError, DatabaseErrorKind};
use crate::text_sink::{TextSink, push_display, utf8};

/// Locks the connection, recovering it from a poisoned mutex.
fn lock(connection: &Mutex<Connection>) -> MutexGuard<'_, Connection> {
    connection.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The connections (by the address of their mutex) that a [`RusqliteTransaction`] owns.
/// An address cannot be reused while its transaction borrows the mutex.
static OWNED: Mutex<Vec<usize>> = Mutex::new(Vec::new());

/// How often a call waits for the transaction that owns the connection.
const OWNER_POLL: Duration = Duration::from_millis(1);

fn address(connection: &Mutex<Connection>) -> usize {
    std::ptr::from_ref(connection).addr()
}

fn owned() -> MutexGuard<'static, Vec<usize>> {
    OWNED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Runs `f` on the connection once no transaction owns it (see the module docs). Checked
/// under the connection's lock, which a transaction also holds when it takes ownership.
async fn when_free<T>(
    connection: &Mutex<Connection>,
    mut f: impl FnMut(&Connection) -> Result<T, DatabaseError>,
) -> Result<T, DatabaseError> {
    loop {
        {
            let guard = lock(connection);
            if !owned().contains(&address(connection)) {
                return f(&guard);
            }
        }
        tokio::time::sleep(OWNER_POLL).await;
    }
}

#[async_trait]
impl Database for Mutex<Connection> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        when_free(self, |connection| exec_raw(connection, sql)).await
    }

    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        when_free(self, |connection| execute(connection, sql, params)).await
    }

    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        when_free(self, |connection| query(connection, sql, params)).await
    }

    async fn query_once(&self, sql: &str, sink: &mut dyn TextSink) -> Result<(), DatabaseError> {
        when_free(self, |connection| query_text(connection, sql, sink)).await
    }

    /// Waits while another transaction owns the connection; then fails with
    /// [`DatabaseErrorKind::NestedTransaction`] if the connection is inside a transaction
    /// begun some other way (an `exec_raw("BEGIN")`).
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        when_free(self, |connection| {
            if !connection.is_autocommit() {
                return Err(DatabaseError::nested_transaction());
            }
            exec_raw(connection, "BEGIN IMMEDIATE")?;
            owned().push(address(self));
            Ok(())
        })
        .await?;
        Ok(Box::new(RusqliteTransaction {
            connection: self,
            finished: false,
        }))
    }
}

/// A transaction opened by `BEGIN IMMEDIATE` on a `Mutex<rusqlite::Connection>`.
///
/// See the [module docs](self) for how it shares the connection.
struct RusqliteTransaction<'c> {
    connection: &'c Mutex<Connection>,
    /// Set once `COMMIT` or `ROLLBACK` was attempted, so that `Drop` leaves it alone.
    finished: bool,
}

#[async_trait]
impl Database for RusqliteTransaction<'_> {
    fn dialect(&self) -> Dialect {
        Dialect::Sqlite
    }

    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        exec_raw(&lock(self.connection), sql)
    }

    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        execute(&lock(self.connection), sql, params)
    }

    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        query(&lock(self.connection), sql, params)
    }

    async fn query_once(&self, sql: &str, sink: &mut dyn TextSink) -> Result<(), DatabaseError> {
        query_text(&lock(self.connection), sql, sink)
    }

    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        Err(DatabaseError::nested_transaction())
    }

    async fn savepoint(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        crate::savepoint::open(self).await
    }

    /// Runs `sql` at once, synchronously (the rollback of a dropped savepoint); its error
    /// has nowhere to go, and the next statement reports a broken connection.
    fn queue_cleanup(&self, sql: &str) -> bool {
        let _ = lock(self.connection).execute_batch(sql);
        true
    }
}

#[async_trait]
impl DatabaseTransaction for RusqliteTransaction<'_> {
    async fn commit(mut self: Box<Self>) -> Result<(), DatabaseError> {
        self.finished = true;
        let connection = lock(self.connection);
        let _owner = Disown(self.connection);
        let result = exec_raw(&connection, "COMMIT");
        if result.is_err() && !connection.is_autocommit() {
            // `COMMIT` can fail with SQLITE_BUSY and leave the transaction open: roll it
            // back, so that the connection is not left inside it.
            let _ = connection.execute_batch("ROLLBACK");
        }
        result
    }

    async fn rollback(mut self: Box<Self>) -> Result<(), DatabaseError> {
        self.finished = true;
        let connection = lock(self.connection);
        let _owner = Disown(self.connection);
        if connection.is_autocommit() {
            // A statement of the transaction ended it already (SQLite rolls back on some
            // errors, such as SQLITE_FULL): nothing to roll back.
            return Ok(());
        }
        exec_raw(&connection, "ROLLBACK")
    }
}

impl Drop for RusqliteTransaction<'_> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        let connection = lock(self.connection);
        let _owner = Disown(self.connection);
        if !connection.is_autocommit() {
            // Nothing to report the error to; a failed ROLLBACK leaves SQLite rolled back
            // or the connection broken, and the next statement reports that.
            let _ = connection.execute_batch("ROLLBACK");
        }
    }
}

/// Gives up a transaction's ownership of the connection when dropped: after the
/// transaction ended, while the connection is still locked (it is declared after the guard,
/// so it is dropped first), on every path including a panic.
struct Disown<'c>(&'c Mutex<Connection>);

impl Drop for Disown<'_> {
    fn drop(&mut self) {
        let address = address(self.0);
        owned().retain(|&owner| owner != address);
    }
}

/// Runs the statements of `sql` one by one, stepping each once as
/// `Connection::execute_batch` does. An error tells how many statements completed before
/// the failing one ([`DatabaseError::statements_completed`]).
///
/// The text handed to SQLite ends with a NUL byte: given a length and a text that does not
/// end with NUL, `sqlite3_prepare_v3` copies the whole rest of the text to prepare its first
/// statement, which made a 10 MB text of 80,000 statements copy 400 GB (quadratic). With the
/// NUL, SQLite reads the text in place; the one copy made here is linear.
///
/// A text holding a NUL byte is refused before anything runs: SQLite would take the NUL for
/// the end of the text and silently skip the rest.
fn exec_raw(connection: &Connection, sql: &str) -> Result<(), DatabaseError> {
    use rusqlite::fallible_iterator::FallibleIterator as _;
    refuse_nul(sql)?;
    let mut terminated = String::with_capacity(sql.len() + 1);
    terminated.push_str(sql);
    terminated.push('\0');
    let mut batch = rusqlite::Batch::new(connection, &terminated);
    let mut completed = 0;
    loop {
        let step = match batch.next() {
            Ok(Some(mut statement)) => {
                let mut rows = statement.raw_query();
                rows.next().map(drop)
            }
            Ok(None) => return Ok(()),
            Err(error) => Err(error),
        };
        match step {
            Ok(()) => completed += 1,
            Err(error) => {
                return Err(map_error(error, &terminated).with_statements_completed(completed));
            }
        }
    }
}

/// Whether `sql` holds no statement (only whitespace, comments and `;`). SQLite prepares
/// such a text to no statement at all, which rusqlite cannot step.
fn is_blank(sql: &str) -> bool {
    // A text that starts with a word holds a statement; only one that starts with a comment
    // or `;` needs the scanner (the runner's own statements never do).
    match sql.trim_start().bytes().next() {
        None => true,
        Some(first) if first.is_ascii_alphabetic() => false,
        Some(_) => crate::split::split_statements(sql, Dialect::Sqlite).is_empty(),
    }
}

fn execute(connection: &Connection, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
    if is_blank(sql) {
        return Ok(0);
    }
    let run = || -> rusqlite::Result<u64> {
        let mut statement = connection.prepare(sql)?;
        let before = connection.total_changes();
        let mut rows = statement.query(rusqlite::params_from_iter(params.iter().map(Param)))?;
        while rows.next()?.is_some() {}
        // `changes()` keeps the count of the last INSERT, UPDATE or DELETE, even after
        // other statements; the total tells whether this statement changed anything.
        Ok(if connection.total_changes() == before {
            0
        } else {
            connection.changes()
        })
    };
    run().map_err(|error| map_error(error, sql))
}

fn query(connection: &Connection, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
    if is_blank(sql) {
        return Ok(Vec::new());
    }
    let mut statement = connection
        .prepare(sql)
        .map_err(|error| map_error(error, sql))?;
    let columns: Arc<[String]> = statement
        .column_names()
        .into_iter()
        .map(str::to_owned)
        .collect();
    let mut rows = statement
        .query(rusqlite::params_from_iter(params.iter().map(Param)))
        .map_err(|error| map_error(error, sql))?;
    let mut result = Vec::new();
    while let Some(row) = rows.next().map_err(|error| map_error(error, sql))? {
        let mut values = Vec::with_capacity(columns.len());
        for (index, name) in columns.iter().enumerate() {
            let value = row.get_ref(index).map_err(|error| map_error(error, sql))?;
            values.push(decode(value, name)?);
        }
        result.push(Row::new(Arc::clone(&columns), values));
    }
    Ok(result)
}

/// Refuses a text holding a NUL byte, which SQLite would take for its end (skipping the
/// rest) before anything runs.
fn refuse_nul(sql: &str) -> Result<(), DatabaseError> {
    match sql.find('\0') {
        Some(at) => Err(super::nul_in_sqlite_text(at)),
        None => Ok(()),
    }
}

/// [`Database::query_once`]: every value handed to `sink` as text as the row is stepped
/// (numbers as their decimal text, text and blobs read as UTF-8), with no `String` per
/// value.
fn query_text(
    connection: &Connection,
    sql: &str,
    sink: &mut dyn TextSink,
) -> Result<(), DatabaseError> {
    refuse_nul(sql)?;
    if is_blank(sql) {
        sink.start(&mut std::iter::empty());
        return Ok(());
    }
    let mut statement = connection
        .prepare(sql)
        .map_err(|error| map_error(error, sql))?;
    let width = statement.column_count();
    sink.start(&mut statement.column_names().into_iter());
    let mut scratch = String::new();
    let mut rows = statement.query([]).map_err(|error| map_error(error, sql))?;
    while let Some(row) = rows.next().map_err(|error| map_error(error, sql))? {
        for index in 0..width {
            match row.get_ref(index).map_err(|error| map_error(error, sql))? {
                ValueRef::Null => sink.push(None),
                ValueRef::Integer(value) => push_display(sink, &mut scratch, value),
                ValueRef::Real(value) => push_display(sink, &mut scratch, value),
                ValueRef::Text(bytes) | ValueRef::Blob(bytes) => {
                    let name = row.as_ref().column_name(index).unwrap_or("?");
                    sink.push(Some(utf8(bytes, name)?));
                }
            }
        }
    }
    Ok(())
}

/// Reads a value by its dynamic SQLite type.
fn decode(value: ValueRef<'_>, column: &str) -> Result<Value, DatabaseError> {
    Ok(match value {
        ValueRef::Null => Value::Null,
        ValueRef::Integer(value) => Value::Int(value),
        ValueRef::Real(value) => Value::Real(value),
        ValueRef::Text(bytes) => Value::Text(
            std::str::from_utf8(bytes)
                .map_err(|error| {
                    DatabaseError::new(
                        DatabaseErrorKind::Decode,
                        format!("column `{column}` holds text that is not valid UTF-8: {error}"),
                    )
                    .with_driver_error(error)
                })?
                .to_owned(),
        ),
        ValueRef::Blob(bytes) => Value::Bytes(bytes.to_vec()),
    })
}

/// A [`Value`] bound as a rusqlite parameter.
struct Param<'v>(&'v Value);

impl ToSql for Param<'_> {
    fn to_sql(&self) -> rusqlite::Result<ToSqlOutput<'_>> {
        Ok(ToSqlOutput::Borrowed(match self.0 {
            Value::Null => ValueRef::Null,
            Value::Bool(value) => ValueRef::Integer(i64::from(*value)),
            Value::Int(value) => ValueRef::Integer(*value),
            Value::Real(value) => ValueRef::Real(*value),
            Value::Text(value) => ValueRef::Text(value.as_bytes()),
            Value::Bytes(value) => ValueRef::Blob(value),
        }))
    }
}

/// Maps a rusqlite error for `sql` (the text that was given to rusqlite).
fn map_error(error: rusqlite::Error, sql: &str) -> DatabaseError {
    // The SQLite error is the source of both `SqliteFailure` and (with `modern_sqlite`)
    // `SqlInputError`, whose variant this crate cannot name without that feature.
    let sqlite = error
        .source()
        .and_then(|source| source.downcast_ref::<rusqlite::ffi::Error>())
        .copied();
    let Some(sqlite) = sqlite else {
        let kind = match &error {
            rusqlite::Error::Utf8Error(..)
            | rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::InvalidColumnType(..)
            | rusqlite::Error::IntegralValueOutOfRange(..) => DatabaseErrorKind::Decode,
            // Rejected by rusqlite before reaching SQLite: a wrong parameter count, a NUL
            // byte in the SQL, ...
            _ => DatabaseErrorKind::Other,
        };
        return DatabaseError::new(kind, error.to_string()).with_driver_error(error);
    };
    let kind = match sqlite.code {
        ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked => DatabaseErrorKind::Busy,
        _ => DatabaseErrorKind::Query,
    };
    let (message, position) = match &error {
        rusqlite::Error::SqliteFailure(_, Some(message)) => (message.clone(), None),
        rusqlite::Error::SqliteFailure(_, None) => (sqlite.to_string(), None),
        other => {
            split_input_error(&other.to_string(), sql).unwrap_or_else(|| (other.to_string(), None))
        }
    };
    let mut mapped = DatabaseError::new(kind, message)
        .with_code(sqlite.extended_code.to_string())
        .with_driver_error(error);
    if let Some(position) = position {
        mapped = mapped.with_position(position);
    }
    mapped
}

/// Takes apart the text of rusqlite's `SqlInputError`, `"{msg} in {sql} at offset {offset}"`,
/// where `sql` is a suffix of the text given to rusqlite and `offset` a byte offset into
/// it. Returns the message and the 1-based character position in `full_sql`.
fn split_input_error(text: &str, full_sql: &str) -> Option<(String, Option<usize>)> {
    let (head, offset) = text.rsplit_once(" at offset ")?;
    let offset: usize = offset.parse().ok()?;
    // The message is SQLite's (short, first); the SQL is a suffix of `full_sql`. Take the
    // first " in " after which the rest of `head` is such a suffix.
    let (message, tail) = head
        .match_indices(" in ")
        .map(|(at, _)| (&head[..at], &head[at + 4..]))
        .find(|(_, tail)| full_sql.ends_with(tail))?;
    let byte = full_sql.len() - tail.len() + offset;
    let position = full_sql
        .get(..byte)
        .map(|before| before.chars().count() + 1);
    Some((message.to_owned(), position))
}

#[cfg(test)]
mod tests {
    use super::{is_blank, split_input_error};

    #[test]
    fn input_error_text_is_taken_apart() {
        let sql = "CREATE TABLE a (x);\nSELEC 1;";
        let text = "near \"SELEC\": syntax error in SELEC 1; at offset 0";
        assert_eq!(
            split_input_error(text, sql),
            Some(("near \"SELEC\": syntax error".to_owned(), Some(21)))
        );
        // The SQL may contain " in " itself, and characters may be wider than a byte.
        let sql = "SELECT 'é' in (1) FROM x in y";
        let text = format!("near \"in\": syntax error in {sql} at offset 26");
        assert_eq!(
            split_input_error(&text, sql),
            Some(("near \"in\": syntax error".to_owned(), Some(26)))
        );
        assert_eq!(split_input_error("no such table: t", "SELECT 1"), None);
        assert_eq!(
            split_input_error("x in other at offset 2", "SELECT 1"),
            None
        );
    }

    #[test]
    fn blank_texts_are_only_whitespace_comments_and_semicolons() {
        for blank in ["", "  \n", "-- c\n", "/* x */ ;", ";", " -- a\n/* b */;\n"] {
            assert!(is_blank(blank), "{blank:?}");
        }
        for statement in ["SELECT 1", " -- c\nSELECT 1", "/* a */ SELECT 1", "x"] {
            assert!(!is_blank(statement), "{statement:?}");
        }
    }
}
