//! What the three sqlx drivers share: statement execution on one connection, row
//! conversion, error mapping, transactions and pinned pool connections.
//!
//! Each driver file implements [`Driver`] for its sqlx database type (how values are bound
//! and read back, which statement begins a transaction, how errors are classified) and
//! invokes [`impl_database!`] for its pool and connection types.
//!
//! Everything runs on a `&mut Connection`: pool operations acquire a connection for the
//! duration of one call, exactly like sqlx's own `Executor for &Pool`.

use std::borrow::Cow;
use std::marker::PhantomData;
use std::ops::DerefMut;
use std::sync::Arc;

use async_trait::async_trait;
use sqlx::pool::PoolConnection;
use sqlx::query::Query;
use sqlx::{AssertSqlSafe, Column as _, Connection as _, Executor, IntoArguments, Row as _};
use sqlx::{SqlSafeStr as _, SqlStr, TypeInfo as _, ValueRef as _};
use sqlx_core::transaction::TransactionManager as _;
use tokio::sync::Mutex;

use crate::database::{Database, DatabaseTransaction, Dialect, Row, Value};
use crate::error::{DatabaseError, DatabaseErrorKind};
use crate::text_sink::TextSink;
#[cfg(any(feature = "sqlx-postgres", feature = "sqlx-mysql"))]
use crate::text_sink::not_text;

/// A statement being built: `sqlx::query(sql)` plus the parameters bound so far.
pub(crate) type Statement<DB> = Query<'static, DB, <DB as sqlx::Database>::Arguments>;

/// The per-database part of a sqlx driver.
pub(crate) trait Driver: sqlx::Database<Arguments: IntoArguments<Self>> {
    /// The dialect reported by [`Database::dialect`].
    const DIALECT: Dialect;
    /// The statement that starts a transaction.
    const BEGIN: &'static str;
    /// Whether a [`Database::pinned`] pool connection is closed when dropped (instead of
    /// going back to the pool).
    const CLOSE_PINNED: bool = true;

    /// The connection as an executor (`&mut Connection` is one for every sqlx database,
    /// but generic code cannot name that without a higher-ranked bound).
    fn executor(conn: &mut Self::Connection) -> impl Executor<'_, Database = Self>;

    /// The SQL text to prepare for `sql` run with `params`. sqlx caches prepared statements
    /// per connection under this text.
    fn statement_sql<'a>(sql: &'a str, params: &[Value]) -> Cow<'a, str> {
        let _ = params;
        Cow::Borrowed(sql)
    }

    /// Binds `value` as the next parameter of `statement`.
    fn bind(statement: Statement<Self>, value: &Value) -> Statement<Self>;

    /// The raw value in column `index` of `row`.
    fn value(row: &Self::Row, index: usize) -> Result<Self::ValueRef<'_>, sqlx::Error>;

    /// Reads a non-`NULL` value; the error says why it cannot be read.
    fn decode(value: Self::ValueRef<'_>) -> Result<Value, String>;

    /// [`Database::query_once`] on one connection.
    fn query_once(
        conn: &mut Self::Connection,
        sql: &str,
        sink: &mut dyn TextSink,
    ) -> impl Future<Output = Result<(), DatabaseError>> + Send;

    /// The number of rows a statement affected.
    fn rows_affected(result: &Self::QueryResult) -> u64;

    /// [`Database::exec_raw`] on one connection: `sql`, several statements without
    /// parameters. An error tells how many statements completed before the failing one
    /// ([`DatabaseError::statements_completed`]). The server drivers stream it through
    /// sqlx ([`exec_streamed`]); SQLite runs it on the connection's own handle (see
    /// `sqlite_direct`).
    fn exec_raw(
        conn: &mut Self::Connection,
        sql: &str,
    ) -> impl Future<Output = Result<(), DatabaseError>> + Send;

    /// Completes `error`, made from the database's message and code, with what only this
    /// database knows (a kind, a position, a better code).
    fn refine(error: DatabaseError, db_error: &dyn sqlx::error::DatabaseError) -> DatabaseError {
        let _ = db_error;
        error
    }
}

/// Converts a sqlx error, keeping it as the driver error.
pub(crate) fn map_error<DB: Driver>(error: sqlx::Error) -> DatabaseError {
    if let sqlx::Error::Database(db_error) = &error {
        let mut mapped = DatabaseError::new(DatabaseErrorKind::Query, db_error.message());
        if let Some(code) = db_error.code() {
            mapped = mapped.with_code(code);
        }
        return DB::refine(mapped, db_error.as_ref()).with_driver_error(error);
    }
    let kind = match &error {
        sqlx::Error::Io(_)
        | sqlx::Error::Tls(_)
        | sqlx::Error::Protocol(_)
        | sqlx::Error::PoolTimedOut
        | sqlx::Error::PoolClosed
        | sqlx::Error::WorkerCrashed => DatabaseErrorKind::Connection,
        sqlx::Error::ColumnDecode { .. } | sqlx::Error::Decode(_) => DatabaseErrorKind::Decode,
        sqlx::Error::Configuration(_) => DatabaseErrorKind::Other,
        _ => DatabaseErrorKind::Query,
    };
    DatabaseError::new(kind, error.to_string()).with_driver_error(error)
}

fn statement<DB: Driver>(sql: &str, params: &[Value]) -> Statement<DB> {
    let sql = match DB::statement_sql(sql, params) {
        Cow::Borrowed(sql) => AssertSqlSafe(sql).into_sql_str(),
        Cow::Owned(sql) => AssertSqlSafe(sql).into_sql_str(),
    };
    params.iter().fold(sqlx::query::<DB>(sql), DB::bind)
}

/// [`Driver::exec_raw`] through `sqlx::raw_sql`, reading each statement's result as sqlx streams
/// it (PostgreSQL and MySQL).
#[cfg(any(feature = "sqlx-postgres", feature = "sqlx-mysql"))]
pub(crate) async fn exec_streamed<DB: Driver>(
    conn: &mut DB::Connection,
    sql: &str,
) -> Result<(), DatabaseError> {
    let mut completed = 0;
    let mut results = sqlx::raw_sql(AssertSqlSafe(sql)).execute_many(DB::executor(&mut *conn));
    while let Some(result) = std::future::poll_fn(|cx| results.as_mut().poll_next(cx)).await {
        match result {
            Ok(_) => completed += 1,
            Err(error) => {
                return Err(map_error::<DB>(error).with_statements_completed(completed));
            }
        }
    }
    Ok(())
}

/// [`Database::execute`] on one connection.
pub(crate) async fn execute<DB: Driver>(
    conn: &mut DB::Connection,
    sql: &str,
    params: &[Value],
) -> Result<u64, DatabaseError> {
    let result = statement::<DB>(sql, params)
        .execute(DB::executor(conn))
        .await
        .map_err(map_error::<DB>)?;
    Ok(DB::rows_affected(&result))
}

/// [`Database::query`] on one connection.
pub(crate) async fn query<DB: Driver>(
    conn: &mut DB::Connection,
    sql: &str,
    params: &[Value],
) -> Result<Vec<Row>, DatabaseError> {
    let rows = statement::<DB>(sql, params)
        .fetch_all(DB::executor(conn))
        .await
        .map_err(map_error::<DB>)?;
    convert_rows::<DB>(&rows)
}

/// A driver whose one-round-trip query sends every value as text (PostgreSQL's simple
/// query, MySQL's text protocol).
#[cfg(any(feature = "sqlx-postgres", feature = "sqlx-mysql"))]
pub(crate) trait TextProtocol: Driver {
    /// A non-`NULL` value as text, borrowed from its row.
    fn text(value: Self::ValueRef<'_>) -> Result<&str, String>;
}

/// [`Driver::query_once`] of PostgreSQL and MySQL: `sqlx::raw_sql`, sent as PostgreSQL's
/// simple query or MySQL's `COM_QUERY` (one round trip, no prepare). Each value is borrowed
/// from its row as text and handed to `sink`; each row is dropped as soon as it is read, so
/// the driver never holds every row at once.
#[cfg(any(feature = "sqlx-postgres", feature = "sqlx-mysql"))]
pub(crate) async fn query_text_streamed<DB: TextProtocol>(
    conn: &mut DB::Connection,
    sql: &str,
    sink: &mut dyn TextSink,
) -> Result<(), DatabaseError> {
    let mut rows = sqlx::raw_sql(AssertSqlSafe(sql)).fetch(DB::executor(&mut *conn));
    let mut started = false;
    while let Some(row) = std::future::poll_fn(|cx| rows.as_mut().poll_next(cx)).await {
        let row = row.map_err(map_error::<DB>)?;
        if !started {
            sink.start(&mut row.columns().iter().map(sqlx::Column::name));
            started = true;
        }
        for (index, column) in row.columns().iter().enumerate() {
            let raw = DB::value(&row, index).map_err(map_error::<DB>)?;
            if raw.is_null() {
                sink.push(None);
                continue;
            }
            let value = DB::text(raw).map_err(|reason| not_text(column.name(), reason))?;
            sink.push(Some(value));
        }
    }
    if !started {
        sink.start(&mut std::iter::empty());
    }
    Ok(())
}

/// Reads every value of every row; the column names are shared by all rows.
fn convert_rows<DB: Driver>(rows: &[DB::Row]) -> Result<Vec<Row>, DatabaseError> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let columns: Arc<[String]> = first
        .columns()
        .iter()
        .map(|c| c.name().to_owned())
        .collect();
    rows.iter()
        .map(|row| {
            let values = columns
                .iter()
                .enumerate()
                .map(|(index, name)| {
                    let raw = DB::value(row, index).map_err(map_error::<DB>)?;
                    if raw.is_null() {
                        return Ok(Value::Null);
                    }
                    // The type's name is looked up again for the error only: copying it for
                    // every value would cost an allocation each (3,000 on the no-op read of a
                    // thousand rows).
                    DB::decode(raw).map_err(|reason| {
                        let type_name = DB::value(row, index)
                            .map(|raw| raw.type_info().name().to_owned())
                            .unwrap_or_default();
                        DatabaseError::new(
                            DatabaseErrorKind::Decode,
                            format!("cannot read column `{name}` of type {type_name}: {reason}"),
                        )
                    })
                })
                .collect::<Result<Vec<_>, _>>()?;
            Ok(Row::new(Arc::clone(&columns), values))
        })
        .collect()
}

/// An open transaction on a connection owned by `G`: a [`PoolConnection`] taken from a
/// pool, or a lock guard over a single connection (kept locked for the whole transaction).
///
/// `sqlx::Transaction<'c, DB>` cannot be used for the guarded connection: it borrows
/// `&'c mut Connection`, which would have to come from a guard stored in the same struct.
/// So this type drives the connection's `TransactionManager` (from `sqlx-core`; `sqlx`
/// does not re-export it) itself, exactly as `sqlx::Transaction` does: begin, commit,
/// rollback, and on drop without either the manager's deferred rollback, which sqlx sends
/// before the connection's next statement. The connection therefore never stays inside an
/// abandoned transaction, and sqlx's own transaction depth stays right. Pool transactions
/// use the same type, over a [`PoolConnection`].
pub(crate) struct Transaction<DB: Driver, G: DerefMut<Target = DB::Connection>> {
    conn: Mutex<G>,
    open: bool,
    /// Statements queued by [`Database::queue_cleanup`] (the rollback of a dropped
    /// savepoint), run before the next statement or the end of the transaction.
    deferred: crate::savepoint::Deferred,
    db: PhantomData<fn() -> DB>,
}

impl<DB, G> Transaction<DB, G>
where
    DB: Driver,
    G: DerefMut<Target = DB::Connection> + Send,
{
    /// Starts a transaction with [`Driver::BEGIN`] on `conn`.
    ///
    /// A connection already inside a transaction gives
    /// [`DatabaseErrorKind::NestedTransaction`].
    pub(crate) async fn begin(mut conn: G) -> Result<Self, DatabaseError> {
        if conn.is_in_transaction() {
            return Err(DatabaseError::nested_transaction());
        }
        DB::TransactionManager::begin(&mut conn, Some(SqlStr::from_static(DB::BEGIN)))
            .await
            .map_err(map_error::<DB>)?;
        Ok(Self {
            conn: Mutex::new(conn),
            open: true,
            deferred: crate::savepoint::Deferred::default(),
            db: PhantomData,
        })
    }

    async fn finish(mut self, commit: bool) -> Result<(), DatabaseError> {
        let conn = &mut **self.conn.get_mut();
        if commit {
            // A dropped savepoint is rolled back to before anything is committed; if that
            // fails, nothing is (the drop of `self` rolls the transaction back).
            run_deferred::<DB>(&self.deferred, conn).await?;
        }
        if commit {
            DB::TransactionManager::commit(conn).await
        } else {
            DB::TransactionManager::rollback(conn).await
        }
        .map_err(map_error::<DB>)?;
        self.open = false;
        Ok(())
    }
}

impl<DB: Driver, G: DerefMut<Target = DB::Connection>> Drop for Transaction<DB, G> {
    fn drop(&mut self) {
        if self.open {
            // Queues a `ROLLBACK` that sqlx sends before the connection's next statement
            // (or when a pool connection is returned), as `sqlx::Transaction` does.
            DB::TransactionManager::start_rollback(&mut **self.conn.get_mut());
        }
    }
}

#[async_trait]
impl<DB, G> Database for Transaction<DB, G>
where
    DB: Driver,
    G: DerefMut<Target = DB::Connection> + Send,
{
    fn dialect(&self) -> Dialect {
        DB::DIALECT
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        let mut conn = self.conn.lock().await;
        run_deferred::<DB>(&self.deferred, &mut conn).await?;
        DB::exec_raw(&mut conn, sql).await
    }
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        let mut conn = self.conn.lock().await;
        run_deferred::<DB>(&self.deferred, &mut conn).await?;
        execute::<DB>(&mut conn, sql, params).await
    }
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        let mut conn = self.conn.lock().await;
        run_deferred::<DB>(&self.deferred, &mut conn).await?;
        query::<DB>(&mut conn, sql, params).await
    }
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        Err(DatabaseError::nested_transaction())
    }
    async fn savepoint(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        crate::savepoint::open(self).await
    }
    /// Queued on the transaction and run before its next statement, or before `COMMIT`.
    fn queue_cleanup(&self, sql: &str) -> bool {
        self.deferred.push(sql)
    }
}

/// Runs the statements in `deferred` on `conn`, oldest first. The first failure is
/// returned with what it was about: the statement the caller sent is not run, since it
/// would run in a transaction that still holds the work of a dropped savepoint.
async fn run_deferred<DB: Driver>(
    deferred: &crate::savepoint::Deferred,
    conn: &mut DB::Connection,
) -> Result<(), DatabaseError> {
    for sql in deferred.take() {
        DB::exec_raw(conn, &sql).await.map_err(|error| {
            let mapped = DatabaseError::new(
                error.kind(),
                format!(
                    "rolling back to a dropped savepoint failed: {}",
                    error.message()
                ),
            );
            match error.code() {
                Some(code) => mapped.with_code(code),
                None => mapped,
            }
        })?;
    }
    Ok(())
}

#[async_trait]
impl<DB, G> DatabaseTransaction for Transaction<DB, G>
where
    DB: Driver,
    G: DerefMut<Target = DB::Connection> + Send,
{
    async fn commit(self: Box<Self>) -> Result<(), DatabaseError> {
        self.finish(true).await
    }
    async fn rollback(self: Box<Self>) -> Result<(), DatabaseError> {
        self.finish(false).await
    }
}

/// A connection taken from a pool by [`Database::pinned`]: every statement runs on it, and
/// it is closed when dropped if [`Driver::CLOSE_PINNED`] says so.
pub(crate) struct Pinned<DB: Driver> {
    conn: Mutex<PoolConnection<DB>>,
    /// Whether the pool may hold other connections besides this one.
    shared: bool,
}

impl<DB: Driver> Pinned<DB> {
    /// Takes a connection from `pool`.
    pub(crate) async fn acquire(pool: &sqlx::Pool<DB>) -> Result<Self, DatabaseError> {
        let mut conn = pool.acquire().await.map_err(map_error::<DB>)?;
        if DB::CLOSE_PINNED {
            conn.close_on_drop();
        }
        Ok(Self {
            conn: Mutex::new(conn),
            shared: pool.options().get_max_connections() > 1,
        })
    }
}

#[async_trait]
impl<DB: Driver> Database for Pinned<DB>
where
    PoolConnection<DB>: Send,
{
    fn dialect(&self) -> Dialect {
        DB::DIALECT
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        DB::exec_raw(&mut **self.conn.lock().await, sql).await
    }
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        execute::<DB>(&mut **self.conn.lock().await, sql, params).await
    }
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        query::<DB>(&mut **self.conn.lock().await, sql, params).await
    }
    async fn query_once(&self, sql: &str, sink: &mut dyn TextSink) -> Result<(), DatabaseError> {
        DB::query_once(&mut **self.conn.lock().await, sql, sink).await
    }
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        let guard = tokio::sync::MutexGuard::map(self.conn.lock().await, |conn| &mut **conn);
        Ok(Box::new(Transaction::<DB, _>::begin(guard).await?))
    }
    fn may_have_other_connections(&self) -> bool {
        self.shared
    }
}

/// Queues `sql` to run before the next statement on the connection behind `mutex`: a
/// sqlx connection does all its I/O inside the futures polled on it, so nothing can reach
/// it from `Drop` (see `drivers/cleanup.rs`).
pub(crate) fn queue_cleanup<T>(mutex: &Mutex<T>, sql: &str) -> bool {
    super::cleanup::queue(super::cleanup::key(mutex), sql);
    true
}

/// Runs the statements queued for `mutex` on `conn` (its locked connection), oldest first.
/// Their errors are ignored: nothing waits for them, and the statement that follows
/// reports a broken connection.
pub(crate) async fn run_queued<DB: Driver, T>(mutex: &Mutex<T>, conn: &mut DB::Connection) {
    let key = super::cleanup::key(mutex);
    while let Some((sequence, sql)) = super::cleanup::next(key) {
        let _ = DB::exec_raw(conn, &sql).await;
        super::cleanup::done(sequence);
    }
}

/// Implements [`Database`] for a sqlx pool type and for `tokio::sync::Mutex` around the
/// matching connection type, given the [`Driver`] type.
macro_rules! impl_database {
    ($db:ty, $pool:ty, $conn:ty) => {
        /// Each call runs on a connection taken from the pool for that call.
        /// [`begin_transaction`](crate::Database::begin_transaction) takes a connection for
        /// the life of the transaction; [`pinned`](crate::Database::pinned) takes one for the
        /// life of the returned handle and closes it, rather than returning it to the pool,
        /// when the handle is dropped (except on SQLite: see the driver's module docs).
        #[::async_trait::async_trait]
        impl $crate::Database for $pool {
            fn dialect(&self) -> $crate::Dialect {
                <$db as $crate::drivers::sqlx_common::Driver>::DIALECT
            }
            async fn exec_raw(&self, sql: &str) -> Result<(), $crate::DatabaseError> {
                let mut conn = self
                    .acquire()
                    .await
                    .map_err($crate::drivers::sqlx_common::map_error::<$db>)?;
                <$db as $crate::drivers::sqlx_common::Driver>::exec_raw(&mut conn, sql).await
            }
            async fn execute(
                &self,
                sql: &str,
                params: &[$crate::Value],
            ) -> Result<u64, $crate::DatabaseError> {
                let mut conn = self
                    .acquire()
                    .await
                    .map_err($crate::drivers::sqlx_common::map_error::<$db>)?;
                $crate::drivers::sqlx_common::execute::<$db>(&mut conn, sql, params).await
            }
            async fn query(
                &self,
                sql: &str,
                params: &[$crate::Value],
            ) -> Result<Vec<$crate::Row>, $crate::DatabaseError> {
                let mut conn = self
                    .acquire()
                    .await
                    .map_err($crate::drivers::sqlx_common::map_error::<$db>)?;
                $crate::drivers::sqlx_common::query::<$db>(&mut conn, sql, params).await
            }
            /// Takes an idle connection without the pool's liveness ping
            /// (`test_before_acquire`, a round trip of its own). If that connection turns
            /// out to be broken, it is closed and the query is sent once more on a
            /// connection acquired the usual way, so `sql` must be safe to run twice (a
            /// read); `sink` is then started again.
            async fn query_once(
                &self,
                sql: &str,
                sink: &mut dyn $crate::TextSink,
            ) -> Result<(), $crate::DatabaseError> {
                if let Some(mut conn) = self.try_acquire() {
                    match <$db as $crate::drivers::sqlx_common::Driver>::query_once(
                        &mut conn, sql, sink,
                    )
                    .await
                    {
                        Err(error) if error.kind() == $crate::DatabaseErrorKind::Connection => {
                            conn.close_on_drop();
                        }
                        result => return result,
                    }
                }
                let mut conn = self
                    .acquire()
                    .await
                    .map_err($crate::drivers::sqlx_common::map_error::<$db>)?;
                <$db as $crate::drivers::sqlx_common::Driver>::query_once(&mut conn, sql, sink)
                    .await
            }
            async fn begin_transaction(
                &self,
            ) -> Result<Box<dyn $crate::DatabaseTransaction + '_>, $crate::DatabaseError> {
                let conn = self
                    .acquire()
                    .await
                    .map_err($crate::drivers::sqlx_common::map_error::<$db>)?;
                Ok(Box::new(
                    $crate::drivers::sqlx_common::Transaction::<$db, _>::begin(conn).await?,
                ))
            }
            async fn pinned(
                &self,
            ) -> Result<Box<dyn $crate::Database + '_>, $crate::DatabaseError> {
                Ok(Box::new(
                    $crate::drivers::sqlx_common::Pinned::<$db>::acquire(self).await?,
                ))
            }
            /// `true` when the pool's `max_connections` is more than 1.
            fn may_have_other_connections(&self) -> bool {
                self.options().get_max_connections() > 1
            }
        }

        /// Every call locks the mutex for its duration. A transaction keeps it locked until
        /// it is committed, rolled back or dropped, so other calls on the mutex wait for it.
        /// A transaction dropped without commit or rollback is rolled back before the
        /// connection's next statement (sqlx's deferred rollback), so the connection is never
        /// left inside it. [`pinned`](crate::Database::pinned) returns the mutex itself, and
        /// statements queued by [`queue_cleanup`](crate::Database::queue_cleanup) (the
        /// release of an abandoned migration lock) run before the next statement sent
        /// through the mutex.
        #[::async_trait::async_trait]
        impl $crate::Database for ::tokio::sync::Mutex<$conn> {
            fn dialect(&self) -> $crate::Dialect {
                <$db as $crate::drivers::sqlx_common::Driver>::DIALECT
            }
            async fn exec_raw(&self, sql: &str) -> Result<(), $crate::DatabaseError> {
                let mut conn = self.lock().await;
                $crate::drivers::sqlx_common::run_queued::<$db, _>(self, &mut conn).await;
                <$db as $crate::drivers::sqlx_common::Driver>::exec_raw(&mut conn, sql).await
            }
            async fn execute(
                &self,
                sql: &str,
                params: &[$crate::Value],
            ) -> Result<u64, $crate::DatabaseError> {
                let mut conn = self.lock().await;
                $crate::drivers::sqlx_common::run_queued::<$db, _>(self, &mut conn).await;
                $crate::drivers::sqlx_common::execute::<$db>(&mut conn, sql, params).await
            }
            async fn query(
                &self,
                sql: &str,
                params: &[$crate::Value],
            ) -> Result<Vec<$crate::Row>, $crate::DatabaseError> {
                let mut conn = self.lock().await;
                $crate::drivers::sqlx_common::run_queued::<$db, _>(self, &mut conn).await;
                $crate::drivers::sqlx_common::query::<$db>(&mut conn, sql, params).await
            }
            async fn query_once(
                &self,
                sql: &str,
                sink: &mut dyn $crate::TextSink,
            ) -> Result<(), $crate::DatabaseError> {
                let mut conn = self.lock().await;
                $crate::drivers::sqlx_common::run_queued::<$db, _>(self, &mut conn).await;
                <$db as $crate::drivers::sqlx_common::Driver>::query_once(&mut conn, sql, sink)
                    .await
            }
            async fn begin_transaction(
                &self,
            ) -> Result<Box<dyn $crate::DatabaseTransaction + '_>, $crate::DatabaseError> {
                let mut conn = self.lock().await;
                $crate::drivers::sqlx_common::run_queued::<$db, _>(self, &mut conn).await;
                let guard = ::tokio::sync::MutexGuard::map(conn, |conn| conn);
                Ok(Box::new(
                    $crate::drivers::sqlx_common::Transaction::<$db, _>::begin(guard).await?,
                ))
            }
            /// Queued until the next statement sent through this mutex, which runs it first:
            /// a sqlx connection cannot be reached without being polled. Until then the
            /// session keeps what it holds; closing the connection releases it too.
            fn queue_cleanup(&self, sql: &str) -> bool {
                $crate::drivers::sqlx_common::queue_cleanup(self, sql)
            }
        }
    };
}
pub(crate) use impl_database;
