//! The `tokio-postgres` driver: [`Database`] for `tokio_postgres::Client` and
//! `tokio::sync::Mutex<tokio_postgres::Client>` (see [Transactions](#transactions)).
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use switchy_schema::Database;
//!
//! let (client, connection) =
//!     tokio_postgres::connect("postgres://postgres@localhost/app", tokio_postgres::NoTls).await?;
//! tokio::spawn(connection); // the connection task must keep running
//! client.exec_raw("CREATE TABLE users (id BIGINT PRIMARY KEY)").await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Statements
//!
//! [`exec_raw`](Database::exec_raw) uses the simple query protocol
//! (`Client::batch_execute`), so a text may hold several statements; PostgreSQL runs them
//! as one implicit transaction unless the text manages transactions itself.
//! [`execute`](Database::execute) and [`query`](Database::query) use the extended protocol
//! with `$1, $2, ...` placeholders, in one round trip: Parse, Bind, Describe and Execute of
//! the unnamed statement go out together, each parameter declared "unspecified" so that the
//! server infers its type as a prepare would (tokio-postgres's `execute` / `query` with a
//! text prepare first, a round trip of its own). A statement with a [`Value::Bytes`]
//! parameter is prepared first, to check the inferred type is `BYTEA`.
//! [`query_once`](Database::query_once) (the runner's start-up read) goes out the same way
//! (`Client::query_typed`, one round trip); its rows arrive in binary format, which is the
//! text itself for text columns and is formatted for integers. A result with a column of
//! any other type is read again through the simple query protocol, whose values the server
//! writes as text.
//!
//! # Parameters
//!
//! PostgreSQL infers the type of each parameter from the statement, and a binary value
//! must match that type exactly (an `i64` cannot fill an `INT4` parameter). So parameters
//! are sent in PostgreSQL's *text* format, which the server parses with the inferred type's
//! input function, exactly as it would parse a literal: [`Value::Int`] fills `INT2`, `INT4`,
//! `INT8`, `NUMERIC` or `FLOAT8` parameters (out-of-range values are the server's
//! `22003` error), [`Value::Text`] fills `TEXT` as well as `TIMESTAMP`, `DATE`, `UUID`,
//! `JSONB`, ... parameters, [`Value::Bool`] is `true`/`false`, [`Value::Real`] is written
//! with the shortest text that reads back as the same `f64`, and [`Value::Null`] fits any
//! type. [`Value::Bytes`] is sent in binary format and fits `BYTEA` parameters only (cast
//! with `$1::bytea` where PostgreSQL cannot infer the type).
//!
//! # Result values
//!
//! Columns are read by the rule the `sqlx-postgres` driver follows too, so a row reads the
//! same through either: domains
//! by their base type; `BOOL` → [`Value::Bool`]; `INT2`, `INT4`, `INT8`, `OID` →
//! [`Value::Int`]; `FLOAT4`, `FLOAT8` → [`Value::Real`]; `BYTEA` → [`Value::Bytes`]; and
//! [`Value::Text`] for text types, enums, `citext`, `JSON`, `JSONB`, `UUID` (lowercase,
//! hyphenated), `NUMERIC` (exact, as PostgreSQL prints it), `TIMESTAMP` / `TIMESTAMPTZ`
//! (`YYYY-MM-DD HH:MM:SS[.ffffff]`, UTC), `DATE` (`YYYY-MM-DD`) and `TIME`
//! (`HH:MM:SS[.ffffff]`). Any other type (arrays, intervals, ...) is a
//! [`DatabaseErrorKind::Decode`] error naming the column and type: cast it in SQL
//! (`tags::text`).
//!
//! # Transactions
//!
//! `Client::transaction` needs `&mut Client`, which a shared [`Database`] cannot give, so
//! [`begin_transaction`](Database::begin_transaction) sends `BEGIN` and the transaction
//! object runs its statements on the same client, ending with `COMMIT` or `ROLLBACK`.
//! Calling `begin_transaction` on the transaction object fails with
//! [`DatabaseErrorKind::NestedTransaction`].
//!
//! A PostgreSQL transaction belongs to the session, and a `Client` is one session that any
//! task holding a reference can use: while a transaction is open, **every statement sent
//! through the same `Client` by other tasks runs inside it**, and is rolled back with it.
//! Nothing can stop that on a bare `Client`. So:
//! - a `Client` used for migrations must not be used by other tasks while they run; or
//! - share it as a **`tokio::sync::Mutex<Client>`**, which this module implements
//!   [`Database`] for: each call locks the mutex for its duration, and a transaction holds
//!   the lock until it is committed, rolled back or dropped, so that other tasks' calls
//!   through the mutex (this `Database` implementation or `mutex.lock().await`) wait for
//!   it instead of joining it.
//!
//! Dropping the transaction without [`commit`](DatabaseTransaction::commit) or
//! [`rollback`](DatabaseTransaction::rollback) queues a `ROLLBACK` on the connection at
//! once, without waiting for its answer, so the next statement on the client runs outside
//! the transaction. (This needs the connection task to keep running, as everything else
//! does; if it has stopped, the server rolls back when the connection closes.)
//! [`queue_cleanup`](Database::queue_cleanup), which releases the migration lock of an
//! abandoned run, works the same way.
//!
//! As with any PostgreSQL transaction, `COMMIT` after a failed statement rolls back: the
//! caller must not commit a transaction in which a statement failed.
//!
//! # Errors
//!
//! A [`DatabaseError`] from the server carries PostgreSQL's message (with its detail and
//! hint), the SQLSTATE code, the 1-based character position in the statement text when
//! the server gives one, and the `tokio_postgres::Error` as
//! [`driver_error`](DatabaseError::driver_error). A closed connection, an I/O error, and
//! SQLSTATE classes `08` (connection exception, except an `08P01` the server reports as a
//! mere ERROR, such as a wrong number of parameters, after which the session goes on) and
//! `57P01`-`57P03` (shutdown) are [`DatabaseErrorKind::Connection`]. Other errors raised by
//! tokio-postgres itself (a value that cannot be bound) are [`DatabaseErrorKind::Other`].

use std::error::Error as StdError;
use std::fmt::Write as _;
use std::ops::Deref;
use std::pin::pin;
use std::sync::Arc;
use std::task::{Context, Waker};

use async_trait::async_trait;
use bytes::BytesMut;
use tokio_postgres::Client;
use tokio_postgres::error::ErrorPosition;
use tokio_postgres::types::{Format, FromSql, IsNull, Kind, ToSql, Type, to_sql_checked};

use super::pg_decode::{self, PgKind};
use crate::database::{Database, DatabaseTransaction, Dialect, Row, Value};
use crate::error::{DatabaseError, DatabaseErrorKind};
use crate::text_sink::{TextSink, not_text, push_display, utf8};

type BoxError = Box<dyn StdError + Send + Sync>;

#[async_trait]
impl Database for Client {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        exec_raw(self, sql).await
    }

    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        execute(self, sql, params).await
    }

    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        query(self, sql, params).await
    }

    async fn query_once(&self, sql: &str, sink: &mut dyn TextSink) -> Result<(), DatabaseError> {
        query_once(self, sql, sink).await
    }

    /// Queued at once on the client's connection task, which sends it after every request
    /// queued before it (one poll of `batch_execute` with a no-op waker).
    fn queue_cleanup(&self, sql: &str) -> bool {
        send_without_waiting(self, sql);
        true
    }

    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        Ok(Box::new(PostgresTransaction::begin(self).await?))
    }
}

/// A client shared between tasks: each call locks the mutex for its duration, and a
/// transaction keeps it locked until it is committed, rolled back or dropped, so that
/// statements other tasks send through the mutex wait for it instead of running inside
/// it (and being rolled back with it).
#[async_trait]
impl Database for tokio::sync::Mutex<Client> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        exec_raw(&*locked(self).await, sql).await
    }

    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        execute(&*locked(self).await, sql, params).await
    }

    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        query(&*locked(self).await, sql, params).await
    }

    async fn query_once(&self, sql: &str, sink: &mut dyn TextSink) -> Result<(), DatabaseError> {
        query_once(&*locked(self).await, sql, sink).await
    }

    /// Queued at once on the client's connection task when the mutex is free; otherwise
    /// sent before the next statement through the mutex.
    fn queue_cleanup(&self, sql: &str) -> bool {
        match self.try_lock() {
            Ok(client) => send_without_waiting(&client, sql),
            Err(_) => super::cleanup::queue(super::cleanup::key(self), sql),
        }
        true
    }

    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        Ok(Box::new(
            PostgresTransaction::begin(locked(self).await).await?,
        ))
    }
}

/// Locks a shared client, after sending what [`Database::queue_cleanup`] queued for it
/// (queued in order, before whatever the caller sends next).
async fn locked(mutex: &tokio::sync::Mutex<Client>) -> tokio::sync::MutexGuard<'_, Client> {
    let client = mutex.lock().await;
    let key = super::cleanup::key(mutex);
    while let Some((sequence, sql)) = super::cleanup::next(key) {
        send_without_waiting(&client, &sql);
        super::cleanup::done(sequence);
    }
    client
}

/// A transaction opened with `BEGIN` on a `tokio_postgres::Client`.
///
/// See the [module docs](self) for how it shares the client.
struct PostgresTransaction<C: Deref<Target = Client>> {
    /// `&Client`, or the guard of a `tokio::sync::Mutex<Client>`, held until the end.
    client: C,
    /// Set once `COMMIT` or `ROLLBACK` was sent, so that `Drop` leaves it alone.
    finished: bool,
}

#[async_trait]
impl<C: Deref<Target = Client> + Send + Sync> Database for PostgresTransaction<C> {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }

    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        exec_raw(&self.client, sql).await
    }

    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        execute(&self.client, sql, params).await
    }

    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        query(&self.client, sql, params).await
    }

    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        Err(DatabaseError::nested_transaction())
    }

    async fn savepoint(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        crate::savepoint::open(self).await
    }

    /// Sent at once without waiting (the rollback of a dropped savepoint), ahead of any
    /// later statement on the client.
    fn queue_cleanup(&self, sql: &str) -> bool {
        send_without_waiting(&self.client, sql);
        true
    }
}

#[async_trait]
impl<C: Deref<Target = Client> + Send + Sync> DatabaseTransaction for PostgresTransaction<C> {
    async fn commit(mut self: Box<Self>) -> Result<(), DatabaseError> {
        self.end("COMMIT").await
    }

    async fn rollback(mut self: Box<Self>) -> Result<(), DatabaseError> {
        self.end("ROLLBACK").await
    }
}

impl<C: Deref<Target = Client>> PostgresTransaction<C> {
    /// Sends `BEGIN` on `client`. The transaction exists before `BEGIN` is sent: if this
    /// future is dropped after sending it, the transaction's `Drop` queues the `ROLLBACK`.
    async fn begin(client: C) -> Result<Self, DatabaseError> {
        let mut transaction = PostgresTransaction {
            client,
            finished: false,
        };
        if let Err(error) = exec_raw(&transaction.client, "BEGIN").await {
            transaction.finished = true;
            return Err(error);
        }
        Ok(transaction)
    }

    /// Sends `COMMIT` or `ROLLBACK`. The request is queued on the first poll of the
    /// returned future, in the same poll that marks the transaction finished, so a caller
    /// that drops the future half-way never leaves the transaction open.
    async fn end(&mut self, statement: &str) -> Result<(), DatabaseError> {
        let end = exec_raw(&self.client, statement);
        self.finished = true;
        end.await
    }
}

impl<C: Deref<Target = Client>> Drop for PostgresTransaction<C> {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        send_without_waiting(&self.client, "ROLLBACK");
    }
}

/// Queues `sql` on the client's connection task without waiting for its answer.
///
/// `Client::batch_execute` encodes the query and hands it to the connection task's
/// unbounded request channel during its first poll, before it waits for the first
/// response; the connection task then sends it after every request queued before it and
/// ahead of any later one. Dropping the future afterwards only drops the response
/// receiver, and the connection task skips the answers of requests whose receiver is gone
/// (tokio-postgres 0.7, `Connection::poll_read`). So one poll with a no-op waker queues
/// the statement without blocking and without a runtime. If the connection task has
/// stopped, the connection is closed and the server has ended the session anyway.
fn send_without_waiting(client: &Client, sql: &str) {
    let request = pin!(client.batch_execute(sql));
    let _ = request.poll(&mut Context::from_waker(Waker::noop()));
}

async fn exec_raw(client: &Client, sql: &str) -> Result<(), DatabaseError> {
    client.batch_execute(sql).await.map_err(map_error)
}

/// "Unspecified" (oid 0): the type declared for every parameter [`send`] sends, so that the
/// server infers it from the statement exactly as a prepare would; the value goes in
/// PostgreSQL's text form.
fn unspecified() -> Type {
    Type::new(
        "unspecified".to_owned(),
        0,
        Kind::Simple,
        "pg_catalog".to_owned(),
    )
}

/// Whether `params` can go through [`send`]: bytes cannot, since whether they may be bound
/// depends on the type the server infers (only `bytea` takes them), which a prepare tells
/// before anything runs.
fn sendable(params: &[Value]) -> bool {
    !params.iter().any(|value| matches!(value, Value::Bytes(_)))
}

/// Sends `sql` with `params` in one round trip: Parse, Bind, Describe and Execute of the
/// unnamed statement together (`query_typed_raw`), where `Client::execute` / `query` with a
/// text prepare first and wait for its answer (a second round trip per statement).
async fn send(
    client: &Client,
    sql: &str,
    params: &[Value],
) -> Result<tokio_postgres::RowStream, DatabaseError> {
    let ty = unspecified();
    let params: Vec<Param<'_>> = params.iter().map(Param).collect();
    client
        .query_typed_raw(
            sql,
            params
                .iter()
                .map(|param| (param as &(dyn ToSql + Sync), ty.clone())),
        )
        .await
        .map_err(map_error)
}

/// `params` as `Client::execute` / `Client::query` take them.
fn prepared_params<'p>(params: &'p [Param<'_>]) -> Vec<&'p (dyn ToSql + Sync)> {
    params
        .iter()
        .map(|param| param as &(dyn ToSql + Sync))
        .collect()
}

async fn execute(client: &Client, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
    use futures_util::TryStreamExt as _;
    if !sendable(params) {
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        return client
            .execute(sql, &prepared_params(&params))
            .await
            .map_err(map_error);
    }
    let mut rows = pin!(send(client, sql, params).await?);
    while rows.try_next().await.map_err(map_error)?.is_some() {}
    Ok(rows.rows_affected().unwrap_or(0))
}

async fn query(client: &Client, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
    use futures_util::TryStreamExt as _;
    let rows: Vec<tokio_postgres::Row> = if sendable(params) {
        send(client, sql, params)
            .await?
            .try_collect()
            .await
            .map_err(map_error)?
    } else {
        let params: Vec<Param<'_>> = params.iter().map(Param).collect();
        client
            .query(sql, &prepared_params(&params))
            .await
            .map_err(map_error)?
    };
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let columns: Arc<[String]> = first
        .columns()
        .iter()
        .map(|column| column.name().to_owned())
        .collect();
    rows.iter().map(|row| decode_row(row, &columns)).collect()
}

/// [`Database::query_once`] in one round trip: the extended protocol with an unnamed
/// statement (`query_typed`: parse, bind and execute sent together), whose rows
/// tokio-postgres keeps as received, so reading a text value is a UTF-8 check before it is
/// handed to `sink`. Rows are streamed: each is dropped once read.
///
/// Those rows come in binary format. When every column is text or an integer, that is the
/// text PostgreSQL itself would send, so it is used. Otherwise (booleans, timestamps,
/// ...) the query is sent again through the simple query protocol, which has the server
/// write every value as text.
async fn query_once(
    client: &Client,
    sql: &str,
    sink: &mut dyn TextSink,
) -> Result<(), DatabaseError> {
    use futures_util::TryStreamExt as _;
    let no_params: [(&(dyn ToSql + Sync), Type); 0] = [];
    let mut rows = pin!(
        client
            .query_typed_raw(sql, no_params)
            .await
            .map_err(map_error)?
    );
    let mut kinds: Option<Vec<PgKind>> = None;
    let mut scratch = String::new();
    while let Some(row) = rows.try_next().await.map_err(map_error)? {
        let kinds = match &mut kinds {
            Some(kinds) => kinds,
            None => match text_or_integer_kinds(&row) {
                // Dropping the stream discards the rest of the answer.
                None => return simple_query_text(client, sql, sink).await,
                Some(found) => {
                    sink.start(&mut row.columns().iter().map(tokio_postgres::Column::name));
                    kinds.insert(found)
                }
            },
        };
        for ((index, &kind), column) in kinds.iter().enumerate().zip(row.columns()) {
            let raw: Option<Raw<'_>> = row.try_get(index).map_err(map_error)?;
            let Some(Raw(raw)) = raw else {
                sink.push(None);
                continue;
            };
            if kind == PgKind::Text {
                sink.push(Some(utf8(raw, column.name())?));
                continue;
            }
            match pg_decode::decode_binary(kind, raw).map_err(|e| not_text(column.name(), e))? {
                Value::Int(number) => push_display(sink, &mut scratch, number),
                other => {
                    return Err(not_text(
                        column.name(),
                        format!("read as {other:?}, not an integer"),
                    ));
                }
            }
        }
    }
    if kinds.is_none() {
        sink.start(&mut std::iter::empty());
    }
    Ok(())
}

/// How each column of `row` is read, when every one is text or an integer (whose binary
/// values are, or format to, the text PostgreSQL would send); `None` otherwise.
fn text_or_integer_kinds(row: &tokio_postgres::Row) -> Option<Vec<PgKind>> {
    row.columns()
        .iter()
        .map(|column| {
            let kind = pg_kind(column.type_());
            matches!(
                kind,
                PgKind::Text | PgKind::Int2 | PgKind::Int4 | PgKind::Int8 | PgKind::Oid
            )
            .then_some(kind)
        })
        .collect()
}

/// The simple query protocol: the server writes every value as text.
async fn simple_query_text(
    client: &Client,
    sql: &str,
    sink: &mut dyn TextSink,
) -> Result<(), DatabaseError> {
    let mut started = false;
    for message in client.simple_query(sql).await.map_err(map_error)? {
        let tokio_postgres::SimpleQueryMessage::Row(row) = message else {
            continue;
        };
        if !started {
            sink.start(&mut row.columns().iter().map(tokio_postgres::SimpleColumn::name));
            started = true;
        }
        for index in 0..row.len() {
            sink.push(row.get(index));
        }
    }
    if !started {
        sink.start(&mut std::iter::empty());
    }
    Ok(())
}

fn decode_row(row: &tokio_postgres::Row, columns: &Arc<[String]>) -> Result<Row, DatabaseError> {
    let mut values = Vec::with_capacity(columns.len());
    for (index, column) in row.columns().iter().enumerate() {
        let raw: Option<Raw<'_>> = row.try_get(index).map_err(map_error)?;
        let value = match raw {
            None => Value::Null,
            Some(Raw(raw)) => decode(column.type_(), raw)
                .map_err(|error| {
                    DatabaseError::new(
                        DatabaseErrorKind::Decode,
                        format!("cannot read column `{}` of type {}: {error}", column.name(), column.type_()),
                    )
                })?
                .ok_or_else(|| {
                    DatabaseError::new(
                        DatabaseErrorKind::Decode,
                        format!(
                            "cannot read column `{name}` of type {ty}: cast it in SQL to a type that maps to a value, such as `{name}::text`",
                            name = column.name(),
                            ty = column.type_(),
                        ),
                    )
                })?,
        };
        values.push(value);
    }
    Ok(Row::new(Arc::clone(columns), values))
}

/// The binary value of a column, whatever its type.
struct Raw<'r>(&'r [u8]);

impl<'r> FromSql<'r> for Raw<'r> {
    fn from_sql(_: &Type, raw: &'r [u8]) -> Result<Self, BoxError> {
        Ok(Raw(raw))
    }

    fn accepts(_: &Type) -> bool {
        true
    }
}

/// Reads the binary value `raw` of type `ty` by the rule shared with the sqlx driver
/// ([`pg_decode`]); `Ok(None)` when the type is not supported.
fn decode(ty: &Type, raw: &[u8]) -> Result<Option<Value>, BoxError> {
    match pg_kind(ty) {
        PgKind::Unsupported => Ok(None),
        kind => Ok(Some(pg_decode::decode_binary(kind, raw)?)),
    }
}

/// How a column of type `ty` is read: domains by their base type, enums and `citext` as
/// text, built-in types by their OID.
fn pg_kind(ty: &Type) -> PgKind {
    match ty.kind() {
        Kind::Domain(base) => pg_kind(base),
        Kind::Enum(_) => PgKind::Text,
        _ if ty.name() == "citext" => PgKind::Text,
        _ => PgKind::of_oid(ty.oid()),
    }
}

/// A [`Value`] bound as a tokio-postgres parameter: text format, except bytes.
#[derive(Debug)]
struct Param<'v>(&'v Value);

/// Whether `ty` is `BYTEA` or a domain over it.
fn is_bytea(ty: &Type) -> bool {
    *ty == Type::BYTEA || matches!(ty.kind(), Kind::Domain(inner) if is_bytea(inner))
}

/// PostgreSQL's text for a float: the shortest decimal that reads back as the same value.
fn real_text(value: f64) -> String {
    if value.is_nan() {
        "NaN".to_owned()
    } else if value.is_infinite() {
        if value > 0.0 { "Infinity" } else { "-Infinity" }.to_owned()
    } else {
        value.to_string()
    }
}

impl ToSql for Param<'_> {
    fn to_sql(&self, ty: &Type, out: &mut BytesMut) -> Result<IsNull, BoxError> {
        match self.0 {
            Value::Null => return Ok(IsNull::Yes),
            Value::Bool(value) => out.extend_from_slice(if *value { b"true" } else { b"false" }),
            Value::Int(value) => out.extend_from_slice(value.to_string().as_bytes()),
            Value::Real(value) => out.extend_from_slice(real_text(*value).as_bytes()),
            Value::Text(value) => out.extend_from_slice(value.as_bytes()),
            Value::Bytes(value) if is_bytea(ty) => out.extend_from_slice(value),
            Value::Bytes(_) => {
                return Err(format!("cannot bind bytes to a parameter of type {ty}; cast the parameter (`$1::bytea`)").into());
            }
        }
        Ok(IsNull::No)
    }

    fn accepts(_: &Type) -> bool {
        true
    }

    fn encode_format(&self, _: &Type) -> Format {
        if matches!(self.0, Value::Bytes(_)) {
            Format::Binary
        } else {
            Format::Text
        }
    }

    to_sql_checked!();
}

/// Maps a tokio-postgres error.
fn map_error(error: tokio_postgres::Error) -> DatabaseError {
    if let Some(db) = error.as_db_error() {
        let code = db.code().code();
        // A protocol violation the server reports as an ERROR (a Bind with the wrong number
        // of parameters) leaves the session usable; the other `08` errors end it.
        let session_goes_on =
            code == "08P01" && db.parsed_severity() == Some(tokio_postgres::error::Severity::Error);
        let kind = if (code.starts_with("08") && !session_goes_on)
            || matches!(code, "57P01" | "57P02" | "57P03")
        {
            DatabaseErrorKind::Connection
        } else {
            DatabaseErrorKind::Query
        };
        let mut message = db.message().to_owned();
        if let Some(detail) = db.detail() {
            let _ = write!(message, "; detail: {detail}");
        }
        if let Some(hint) = db.hint() {
            let _ = write!(message, "; hint: {hint}");
        }
        let position = match db.position() {
            Some(ErrorPosition::Original(position)) => usize::try_from(*position).ok(),
            _ => None,
        };
        let mut mapped = DatabaseError::new(kind, message).with_code(code);
        if let Some(position) = position {
            mapped = mapped.with_position(position);
        }
        return mapped.with_driver_error(error);
    }
    let io = error
        .source()
        .is_some_and(<dyn StdError>::is::<std::io::Error>);
    let kind = if error.is_closed() || io {
        DatabaseErrorKind::Connection
    } else {
        DatabaseErrorKind::Other
    };
    // tokio-postgres does not print the cause in its message.
    let message = match error.source() {
        Some(source) => format!("{error}: {source}"),
        None => error.to_string(),
    };
    DatabaseError::new(kind, message).with_driver_error(error)
}

#[cfg(test)]
mod tests {
    use super::{Param, real_text};
    use crate::Value;
    use bytes::BytesMut;
    use tokio_postgres::types::{IsNull, ToSql, Type};

    #[test]
    fn floats_print_as_postgres_reads_them() {
        assert_eq!(real_text(1.5), "1.5");
        assert_eq!(real_text(0.1), "0.1");
        assert_eq!(real_text(-2.0), "-2");
        assert_eq!(real_text(f64::NAN), "NaN");
        assert_eq!(real_text(f64::INFINITY), "Infinity");
        assert_eq!(real_text(f64::NEG_INFINITY), "-Infinity");
        let value = 1.234_567_890_123_456_7e-5;
        assert_eq!(
            real_text(value).parse::<f64>().unwrap().to_bits(),
            value.to_bits()
        );
    }

    #[test]
    fn params_are_text_except_bytes() {
        let encode = |value: Value, ty: Type| {
            let mut out = BytesMut::new();
            let is_null = Param(&value)
                .to_sql_checked(&ty, &mut out)
                .map_err(|error| error.to_string())?;
            Ok::<_, String>((matches!(is_null, IsNull::Yes), out.to_vec()))
        };
        assert_eq!(
            encode(Value::Int(7), Type::INT4),
            Ok((false, b"7".to_vec()))
        );
        assert_eq!(
            encode(Value::Bool(true), Type::BOOL),
            Ok((false, b"true".to_vec()))
        );
        assert_eq!(
            encode(Value::Text("2024-01-05 13:55:38".into()), Type::TIMESTAMP),
            Ok((false, b"2024-01-05 13:55:38".to_vec()))
        );
        assert_eq!(encode(Value::Null, Type::INT8), Ok((true, Vec::new())));
        assert_eq!(
            encode(Value::Bytes(vec![0, 255]), Type::BYTEA),
            Ok((false, vec![0, 255]))
        );
        assert!(
            encode(Value::Bytes(vec![1]), Type::TEXT)
                .unwrap_err()
                .contains("bytea")
        );
    }
}
