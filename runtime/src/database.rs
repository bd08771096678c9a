//! The small async executor the runner talks to, implemented by each driver.

use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::error::DatabaseError;
#[cfg(doc)]
use crate::text_rows::TextRows;
use crate::text_sink::TextSink;

/// The SQL dialect a [`Database`] speaks.
///
/// Decides which dialect override file (`up.postgres.sql`, ...) runs, how the tracking
/// table is created, and which lock guards a run.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// SQLite, through `sqlx-sqlite` or `rusqlite`. Suffix `sqlite`.
    Sqlite,
    /// PostgreSQL, through `sqlx-postgres` or `tokio-postgres`. Suffix `postgres`.
    Postgres,
    /// MySQL or MariaDB, through `sqlx-mysql`. Suffix `mysql`.
    MySql,
}

impl Dialect {
    /// Every dialect, in suffix order.
    pub const ALL: [Dialect; 3] = [Dialect::MySql, Dialect::Postgres, Dialect::Sqlite];

    /// The file-name suffix of this dialect's override files: `sqlite`, `postgres` or `mysql`.
    #[must_use]
    pub const fn suffix(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::MySql => "mysql",
        }
    }

    /// The dialect whose override suffix is `suffix`, if any.
    #[must_use]
    pub fn from_suffix(suffix: &str) -> Option<Dialect> {
        Dialect::ALL.into_iter().find(|d| d.suffix() == suffix)
    }

    /// Whether DDL statements can be rolled back inside a transaction.
    ///
    /// MySQL and MariaDB commit implicitly before and after most DDL, so a migration there
    /// is never atomic and is tracked with an `in_progress` row written first.
    #[must_use]
    pub const fn has_transactional_ddl(self) -> bool {
        !matches!(self, Dialect::MySql)
    }

    /// The placeholder for the `index`th (1-based) bound parameter: `$1` on PostgreSQL,
    /// `?` elsewhere.
    #[must_use]
    pub fn placeholder(self, index: usize) -> String {
        match self {
            Dialect::Postgres => format!("${index}"),
            Dialect::Sqlite | Dialect::MySql => "?".to_owned(),
        }
    }
}

impl fmt::Display for Dialect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Dialect::Sqlite => "SQLite",
            Dialect::Postgres => "PostgreSQL",
            Dialect::MySql => "MySQL",
        })
    }
}

/// A value bound as a query parameter or read from a result row.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// SQL `NULL`.
    Null,
    /// A boolean.
    Bool(bool),
    /// A 64-bit signed integer (smaller integer columns are widened).
    Int(i64),
    /// A double-precision float (`REAL` columns are widened).
    Real(f64),
    /// Text.
    Text(String),
    /// Raw bytes.
    Bytes(Vec<u8>),
}

impl Value {
    /// The text, if this is [`Value::Text`].
    #[must_use]
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::Text(text) => Some(text),
            _ => None,
        }
    }

    /// The integer, if this is [`Value::Int`].
    #[must_use]
    pub fn as_i64(&self) -> Option<i64> {
        match self {
            Value::Int(value) => Some(*value),
            _ => None,
        }
    }

    /// Whether this is [`Value::Null`].
    #[must_use]
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }
}

impl From<&str> for Value {
    fn from(value: &str) -> Self {
        Value::Text(value.to_owned())
    }
}
impl From<String> for Value {
    fn from(value: String) -> Self {
        Value::Text(value)
    }
}
impl From<i64> for Value {
    fn from(value: i64) -> Self {
        Value::Int(value)
    }
}
impl From<i32> for Value {
    fn from(value: i32) -> Self {
        Value::Int(i64::from(value))
    }
}
impl From<bool> for Value {
    fn from(value: bool) -> Self {
        Value::Bool(value)
    }
}
impl From<f64> for Value {
    fn from(value: f64) -> Self {
        Value::Real(value)
    }
}
impl From<Vec<u8>> for Value {
    fn from(value: Vec<u8>) -> Self {
        Value::Bytes(value)
    }
}
impl<T: Into<Value>> From<Option<T>> for Value {
    fn from(value: Option<T>) -> Self {
        value.map_or(Value::Null, Into::into)
    }
}

/// One result row: column names (shared by every row of a result) and values.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    columns: Arc<[String]>,
    values: Vec<Value>,
}

impl Row {
    /// A row with `values` under `columns`, in the same order.
    ///
    /// # Panics
    /// Never: a length mismatch is a driver bug and is caught by a debug assertion only.
    #[must_use]
    pub fn new(columns: Arc<[String]>, values: Vec<Value>) -> Self {
        debug_assert_eq!(columns.len(), values.len());
        Self { columns, values }
    }

    /// The column names, in select order.
    #[must_use]
    pub fn columns(&self) -> &[String] {
        &self.columns
    }

    /// The values, in select order.
    #[must_use]
    pub fn values(&self) -> &[Value] {
        &self.values
    }

    /// The value of the column named `name` (ASCII case-insensitive), if present.
    #[must_use]
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.columns
            .iter()
            .position(|column| column.eq_ignore_ascii_case(name))
            .and_then(|index| self.values.get(index))
    }

    /// The values, in select order, taken out of the row.
    #[must_use]
    pub fn into_values(self) -> Vec<Value> {
        self.values
    }

    /// The value at `index`, if present.
    #[must_use]
    pub fn get_index(&self, index: usize) -> Option<&Value> {
        self.values.get(index)
    }

    /// The text in column `name`; `None` when absent, `NULL` or not text.
    #[must_use]
    pub fn get_str(&self, name: &str) -> Option<&str> {
        self.get(name).and_then(Value::as_str)
    }
}

/// A dyn-compatible async executor: the only thing migrations and the runner need from a
/// database.
///
/// Implemented, each behind the feature named after its driver, for
/// `sqlx::SqlitePool` / `PgPool` / `MySqlPool` (and `tokio::sync::Mutex` around their
/// connections), `std::sync::Mutex<rusqlite::Connection>` and `tokio_postgres::Client`.
/// Implement it yourself to run migrations through any other driver.
#[async_trait]
pub trait Database: Send + Sync {
    /// The SQL dialect of this database.
    fn dialect(&self) -> Dialect;

    /// Runs `sql`, which may hold several statements separated by `;`, without parameters
    /// and without wrapping it in a transaction of its own.
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError>;

    /// Runs one statement with bound `params` and returns the number of rows it affected.
    ///
    /// Placeholders are the dialect's: `$1, $2` on PostgreSQL, `?` elsewhere
    /// (see [`Dialect::placeholder`]).
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError>;

    /// Runs one query with bound `params` and returns every row.
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError>;

    /// Runs one query without parameters in a single round trip where the driver can, and
    /// hands every value to `sink` as text, as it is read ([`TextSink`]): no allocation per
    /// value, and nothing kept that the sink does not keep. The runner's start-up read, a
    /// no-op once everything is applied, goes through it. [`TextRows`] is the sink that
    /// keeps every row ([`TextRows::query_once`] does what this example does):
    ///
    /// ```
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// use switchy_schema::{Database, TextRows};
    ///
    /// let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
    /// let mut rows = TextRows::default();
    /// pool.query_once("SELECT 'a' AS name, 7 AS n, NULL AS missing", &mut rows).await?;
    /// assert_eq!(rows.columns(), ["name", "n", "missing"]);
    /// let row = rows.row(0).unwrap();
    /// assert_eq!((row.get(0), row.get(1), row.get(2)), (Some("a"), Some("7"), None));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// PostgreSQL gets the simple query protocol and MySQL the text protocol, where
    /// [`query`](Self::query) prepares the statement first (a second round trip); both send
    /// every value as text already. On SQLite a number is read as its decimal text. A value
    /// that is not valid UTF-8 is an error of kind
    /// [`Decode`](crate::DatabaseErrorKind::Decode).
    ///
    /// `sql` must be a read, because it may be sent twice: on a sqlx pool the connection
    /// is taken without the pool's liveness ping, and the query is sent again on a fresh
    /// connection when the first one turns out to be broken; tokio-postgres sends it again
    /// through the simple query protocol when a column is neither text nor an integer (see
    /// its driver module). The sink is then [started](TextSink::start) again.
    ///
    /// Default: [`query(sql, &[])`](Self::query), each value converted to text.
    async fn query_once(&self, sql: &str, sink: &mut dyn TextSink) -> Result<(), DatabaseError> {
        crate::text_sink::send_rows(&self.query(sql, &[]).await?, sink)
    }

    /// Starts a transaction. Calling this on a [`DatabaseTransaction`] is an error of kind
    /// [`NestedTransaction`](crate::DatabaseErrorKind::NestedTransaction): take a
    /// [`savepoint`](Self::savepoint) for a nested scope instead.
    ///
    /// SQLite drivers start it with `BEGIN IMMEDIATE`, so that two writers wait for each
    /// other instead of failing when a read lock is upgraded.
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError>;

    /// Opens a savepoint: a scope inside the open transaction that commits (`RELEASE
    /// SAVEPOINT`) or rolls back (`ROLLBACK TO SAVEPOINT`) on its own, leaving the rest of
    /// the transaction as it was.
    ///
    /// Call it on a [`DatabaseTransaction`], on a savepoint (to any depth), or on the
    /// `&dyn Database` a transactional migration receives, which *is* the migration's
    /// transaction. The returned handle runs its statements inside the savepoint:
    /// - [`commit`](DatabaseTransaction::commit) releases it: its work becomes part of
    ///   the enclosing transaction, and is undone if that one rolls back;
    /// - [`rollback`](DatabaseTransaction::rollback) undoes everything since the savepoint
    ///   and releases it; on PostgreSQL this also recovers from a failed statement, which
    ///   otherwise aborts the whole transaction;
    /// - dropping it without either rolls back to it, before the next statement on the
    ///   enclosing transaction (through [`queue_cleanup`](Self::queue_cleanup) on the
    ///   enclosing handle: a custom `Database` that does not implement it keeps the work
    ///   of a dropped savepoint).
    ///
    /// Savepoint names are generated (`switchy_savepoint_<n>`, unique in the process) and
    /// quoted.
    ///
    /// Default: an error of kind [`DatabaseErrorKind::Other`](crate::DatabaseErrorKind)
    /// saying that savepoints need a transaction. That is the answer on a pool or
    /// connection outside a transaction, so in a migration marked
    /// [`TransactionMode::NoTransaction`](crate::TransactionMode) (whose handle is the
    /// session itself): begin a transaction there first, then take savepoints from it.
    ///
    /// On MySQL and MariaDB, DDL commits the transaction implicitly, which also ends every
    /// savepoint in it: only data changes can be rolled back to a savepoint.
    ///
    /// ```
    /// use switchy_schema::Database as _;
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = sqlx::sqlite::SqlitePoolOptions::new()
    ///     .max_connections(1)
    ///     .connect("sqlite::memory:")
    ///     .await?;
    /// pool.exec_raw("CREATE TABLE tags (name TEXT PRIMARY KEY)").await?;
    ///
    /// let tx = pool.begin_transaction().await?;
    /// tx.exec_raw("INSERT INTO tags VALUES ('rock')").await?;
    /// let attempt = tx.savepoint().await?;
    /// match attempt.exec_raw("INSERT INTO tags VALUES ('rock')").await {
    ///     Ok(()) => attempt.commit().await?,
    ///     // A duplicate: undo the attempt only; the transaction goes on.
    ///     Err(_) => attempt.rollback().await?,
    /// }
    /// tx.exec_raw("INSERT INTO tags VALUES ('jazz')").await?;
    /// tx.commit().await?;
    ///
    /// assert_eq!(pool.query("SELECT name FROM tags", &[]).await?.len(), 2);
    /// # Ok(())
    /// # }
    /// ```
    async fn savepoint(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        Err(DatabaseError::savepoint_outside_transaction())
    }

    /// A handle that runs every statement on one and the same connection.
    ///
    /// The runner holds its lock (a PostgreSQL advisory lock, a MySQL `GET_LOCK`) on this
    /// handle, because those locks belong to a connection. Pools return a connection taken
    /// from the pool that is *closed* rather than returned when dropped, so a lock can
    /// never leak back into the pool. A single connection returns itself (the default).
    async fn pinned(&self) -> Result<Box<dyn Database + '_>, DatabaseError> {
        Ok(Box::new(self))
    }

    /// Queues `sql` (statements without parameters) to run on this handle's connection as
    /// soon as possible, without waiting for it: for synchronous code such as `Drop`, where
    /// nothing can be awaited. Returns whether it was queued.
    ///
    /// The runner calls it on its [`pinned`](Self::pinned) handle when a locked operation is
    /// abandoned before it released the migration lock (its future was dropped by a timeout,
    /// a `select!` or an aborted task, or a hook or migration panicked), to release the lock
    /// on the session that holds it. The drivers answer:
    /// - `tokio_postgres::Client`: sent at once by the client's connection task (the request
    ///   is queued on its channel, as every request is), after anything queued before it;
    /// - `tokio::sync::Mutex` around a sqlx connection: no code can reach that connection
    ///   without being polled, so it runs before the next statement sent through this
    ///   `Database` implementation on the same mutex (until then the session keeps the lock;
    ///   closing the connection releases it too);
    /// - pinned pool connections: `false`, as they are closed when dropped, which ends the
    ///   session and everything it held.
    ///
    /// Default: `false` (not supported). A custom implementation whose `pinned` handle owns
    /// a session should either queue `sql` or close the session when dropped; otherwise an
    /// abandoned run leaves the lock held until the session ends.
    fn queue_cleanup(&self, sql: &str) -> bool {
        let _ = sql;
        false
    }

    /// Whether other connections of this handle may be open while a statement runs on one
    /// of them: `true` for a pool that may hold more than one connection (the sqlx pools
    /// answer from their `max_connections`), `false` (the default) for a single connection.
    ///
    /// On SQLite, the runner refuses a migration that takes the database out of WAL mode
    /// through such a handle (see [`Error::LeavingWalNeedsOneConnection`](crate::Error::LeavingWalNeedsOneConnection)).
    fn may_have_other_connections(&self) -> bool {
        false
    }
}

/// An open transaction, or a savepoint inside one (see [`Database::savepoint`]). Dropping
/// it without [`commit`](Self::commit) or [`rollback`](Self::rollback) rolls it back.
#[async_trait]
pub trait DatabaseTransaction: Database {
    /// Commits the transaction.
    async fn commit(self: Box<Self>) -> Result<(), DatabaseError>;
    /// Rolls the transaction back.
    async fn rollback(self: Box<Self>) -> Result<(), DatabaseError>;
}

#[async_trait]
impl<T: Database + ?Sized> Database for &T {
    fn dialect(&self) -> Dialect {
        (**self).dialect()
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        (**self).exec_raw(sql).await
    }
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        (**self).execute(sql, params).await
    }
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        (**self).query(sql, params).await
    }
    async fn query_once(&self, sql: &str, sink: &mut dyn TextSink) -> Result<(), DatabaseError> {
        (**self).query_once(sql, sink).await
    }
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        (**self).begin_transaction().await
    }
    async fn savepoint(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        (**self).savepoint().await
    }
    async fn pinned(&self) -> Result<Box<dyn Database + '_>, DatabaseError> {
        (**self).pinned().await
    }
    fn queue_cleanup(&self, sql: &str) -> bool {
        (**self).queue_cleanup(sql)
    }
    fn may_have_other_connections(&self) -> bool {
        (**self).may_have_other_connections()
    }
}

#[async_trait]
impl<T: Database + ?Sized> Database for Box<T> {
    fn dialect(&self) -> Dialect {
        (**self).dialect()
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        (**self).exec_raw(sql).await
    }
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        (**self).execute(sql, params).await
    }
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        (**self).query(sql, params).await
    }
    async fn query_once(&self, sql: &str, sink: &mut dyn TextSink) -> Result<(), DatabaseError> {
        (**self).query_once(sql, sink).await
    }
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        (**self).begin_transaction().await
    }
    async fn savepoint(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        (**self).savepoint().await
    }
    async fn pinned(&self) -> Result<Box<dyn Database + '_>, DatabaseError> {
        (**self).pinned().await
    }
    fn queue_cleanup(&self, sql: &str) -> bool {
        (**self).queue_cleanup(sql)
    }
    fn may_have_other_connections(&self) -> bool {
        (**self).may_have_other_connections()
    }
}
