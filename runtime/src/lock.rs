//! The migration lock that keeps concurrent start-ups from applying a migration twice.
//!
//! - PostgreSQL: a session advisory lock whose key is derived from the tracking table's
//!   schema-qualified name (`pg_try_advisory_lock`, polled until the timeout).
//! - MySQL / MariaDB: `GET_LOCK` on a name derived from the tracking table's qualified,
//!   lowercased name (the server waits up to the timeout).
//! - SQLite: an exclusive OS file lock on `<database file>-switchy-<table>.lock`, polled
//!   until the timeout (see [`crate::sqlite_lock`]). An in-memory database has no file: each
//!   migration's `BEGIN IMMEDIATE` transaction re-checks its row first, so the database's
//!   write lock is the lock there.
//!
//! # Same table, same lock
//!
//! An unqualified tracking table name is resolved the way the tracker resolves it
//! (`current_schema()` on PostgreSQL, `DATABASE()` on MySQL), so `t` and `public.t` (or
//! `db.t`) take the same lock. MySQL names are lowercased first: whether `T` and `t` are the
//! same table depends on the server's `lower_case_table_names`, and taking one lock for two
//! tables only makes them wait for each other. PostgreSQL names are kept as they are,
//! since every statement quotes them (`"T"` and `"t"` are different tables there).
//!
//! # Released on every path
//!
//! Both server-side locks belong to a session, so the runner holds them on a
//! [`Database::pinned`] handle. [`MigrationLock`] is a guard: it is armed *before* the
//! statement that takes the lock is sent, and disarmed once the server answered that the
//! lock is released. Dropped while armed (the runner's future was dropped at any await
//! point, or a hook or migration panicked), it queues a `ROLLBACK` and the release on the
//! session with [`Database::queue_cleanup`]; pinned pool connections are closed on drop
//! instead, which ends the session. If the process dies, the server drops the lock with
//! the connection.
//!
//! # Stacking
//!
//! Both servers stack these locks per session: taking one twice and releasing it once
//! keeps it. So taking the lock first checks that this session does not already hold it
//! (another runner sharing the same connection): if it does, the runner waits for it as for
//! another process, instead of stacking. Releasing repeats the release until the server
//! says the session no longer holds it, and fails when the first answer says the session
//! did not hold it at all: that is a custom [`Database`] whose `pinned` handle does not
//! run every statement on one connection.
//!
//! One case remains: two runners sharing one connection at the same time, one of which is
//! abandoned while its statement taking the lock is in flight (so it cannot know whether it
//! took the lock). Its guard releases the lock, which may be the other runner's. Give each
//! runner its own connection, or a pool.

use std::time::{Duration, Instant};

use crate::database::{Database, Dialect, Value};
use crate::error::{DatabaseError, DatabaseErrorKind, Error, Result};
use crate::ident::TableName;
use crate::sqlite_lock;

/// What a lock is taken on.
#[derive(Debug)]
enum Target {
    /// The OS lock on the database file's sidecar lock file, `None` for a database
    /// without a file.
    Sqlite(Option<sqlite_lock::Running>),
    /// A session advisory lock; `table` is the resolved, qualified name.
    Postgres { key: i64, table: String },
    /// A `GET_LOCK` name (`switchy_schema_` and 40 hex digits) for the resolved table.
    MySql { name: String, table: String },
}

/// A held migration lock: release it with [`MigrationLock::release`]; dropped without
/// that, it queues its release on the session (see the module docs).
pub(crate) struct MigrationLock<'s> {
    session: &'s dyn Database,
    target: Target,
    /// Whether the session may hold the lock: set before the statement that takes it is
    /// sent, cleared once the server answered that it was not taken or is released.
    armed: bool,
}

impl std::fmt::Debug for MigrationLock<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MigrationLock")
            .field("target", &self.target)
            .field("armed", &self.armed)
            .finish_non_exhaustive()
    }
}

/// A stable 64-bit FNV-1a hash of the qualified table name, so every process derives the
/// same advisory lock key.
fn advisory_key(qualified: &str) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in "switchy_schema:".bytes().chain(qualified.bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_le_bytes(hash.to_le_bytes())
}

/// Takes the lock unless this session already holds it: `true` taken, `false` held by
/// another session, `NULL` held by this one. A `bigint` key shows in `pg_locks` as
/// `classid` (high 32 bits), `objid` (low 32 bits) and `objsubid = 1`.
const PG_ACQUIRE: &str = "SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_catalog.pg_locks \
     WHERE locktype = 'advisory' AND pid = pg_catalog.pg_backend_pid() AND granted \
     AND classid::int8 = $2 AND objid::int8 = $3 AND objsubid = 1) \
     THEN NULL ELSE pg_catalog.pg_try_advisory_lock($1) END AS locked";

/// Releases every level the session holds, in one statement: the number released.
fn pg_release(key: &str) -> String {
    format!(
        "WITH RECURSIVE released(ok) AS (SELECT pg_catalog.pg_advisory_unlock({key}) \
         UNION ALL SELECT pg_catalog.pg_advisory_unlock({key}) FROM released WHERE ok) \
         SELECT count(*) AS released FROM released WHERE ok"
    )
}

/// The `GET_LOCK` name of a resolved table: the same as earlier versions computed for an
/// unqualified, lowercase name.
const MYSQL_NAME: &str = "SELECT CONCAT('switchy_schema_', SHA1(LOWER(CONCAT(COALESCE(?, DATABASE(), ''), '.', ?)))) AS name, \
     LOWER(CONCAT(COALESCE(?, DATABASE(), ''), '.', ?)) AS qualified";

/// Takes the lock unless this session already holds it: 1 taken, 0 timed out, `NULL` held
/// by this session (or an error inside `GET_LOCK`).
const MYSQL_ACQUIRE: &str =
    "SELECT IF(IS_USED_LOCK(?) <=> CONNECTION_ID(), NULL, GET_LOCK(?, ?)) AS locked";

/// Releases every level the session holds, in one statement: the number released.
/// (`RELEASE_LOCK`: 1 released, 0 held by another session, `NULL` not held at all.)
fn mysql_release(name: &str) -> String {
    format!(
        "WITH RECURSIVE released(ok, n) AS (SELECT RELEASE_LOCK({name}), 1 \
         UNION ALL SELECT RELEASE_LOCK({name}), n + 1 FROM released WHERE ok = 1 AND n < 1000) \
         SELECT COUNT(*) AS released FROM released WHERE ok = 1"
    )
}

/// `Some(true)` / `Some(false)` for a boolean answer, `None` for `NULL` (or no row).
fn answer(value: Option<&Value>) -> Option<bool> {
    match value? {
        Value::Bool(b) => Some(*b),
        Value::Int(i) => Some(*i == 1),
        Value::Text(text) => Some(text == "1" || text == "t" || text == "true"),
        _ => None,
    }
}

fn count(value: Option<&Value>) -> i64 {
    match value {
        Some(Value::Int(i)) => *i,
        Some(Value::Text(text)) => text.parse().unwrap_or(0),
        _ => 0,
    }
}

fn lock_error(e: DatabaseError) -> Error {
    Error::database("acquiring the migration lock", e)
}

fn release_error(e: DatabaseError) -> Error {
    Error::database("releasing the migration lock", e)
}

/// Backoff between polls: 5 ms doubling up to 200 ms, never past the deadline.
fn next_pause(pause: &mut Duration, started: Instant, timeout: Duration) -> Duration {
    let wait = (*pause).min(timeout.saturating_sub(started.elapsed()));
    *pause = (*pause * 2).min(Duration::from_millis(200));
    wait
}

impl<'s> MigrationLock<'s> {
    /// Takes the lock on `session` (a pinned handle), waiting at most `timeout`.
    pub(crate) async fn acquire(
        session: &'s dyn Database,
        table: &TableName,
        timeout: Duration,
    ) -> Result<Self> {
        let target = match session.dialect() {
            Dialect::Sqlite => {
                let held = match sqlite_lock::sidecar(session, table).await? {
                    Some(path) => {
                        Some(sqlite_lock::mark(&path, timeout, crate::step::SQLITE_POLL).await?)
                    }
                    None => None,
                };
                Target::Sqlite(held)
            }
            Dialect::Postgres => {
                let schema = if let Some(schema) = table.schema() {
                    schema.to_owned()
                } else {
                    let rows = session
                        .query(
                            "SELECT COALESCE(pg_catalog.current_schema()::text, '') AS schema",
                            &[],
                        )
                        .await
                        .map_err(lock_error)?;
                    rows.first()
                        .and_then(|row| row.get_index(0))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                let qualified = format!("{schema}.{}", table.name());
                Target::Postgres {
                    key: advisory_key(&qualified),
                    table: qualified,
                }
            }
            Dialect::MySql => {
                let schema = Value::from(table.schema().map(str::to_owned));
                let name = Value::from(table.name());
                let rows = session
                    .query(MYSQL_NAME, &[schema.clone(), name.clone(), schema, name])
                    .await
                    .map_err(lock_error)?;
                let row = rows.first();
                let text = |index| {
                    row.and_then(|row| row.get_index(index))
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned()
                };
                let (name, qualified) = (text(0), text(1));
                // Spliced into the release statement queued on drop: hex digits only.
                if name.len() != 55
                    || !name
                        .bytes()
                        .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
                {
                    return Err(lock_error(DatabaseError::new(
                        DatabaseErrorKind::Other,
                        format!("unexpected lock name {name:?} from the server"),
                    )));
                }
                Target::MySql {
                    name,
                    table: qualified,
                }
            }
        };
        let mut lock = MigrationLock {
            session,
            target,
            armed: false,
        };
        match &lock.target {
            Target::Sqlite(_) => Ok(lock),
            Target::Postgres { key, table } => {
                let (key, table) = (*key, table.clone());
                lock.acquire_postgres(key, &table, timeout).await?;
                Ok(lock)
            }
            Target::MySql { name, table } => {
                let (name, table) = (name.clone(), table.clone());
                lock.acquire_mysql(&name, &table, timeout).await?;
                Ok(lock)
            }
        }
    }

    async fn acquire_postgres(&mut self, key: i64, table: &str, timeout: Duration) -> Result<()> {
        let bits = key.cast_unsigned();
        let params = [
            Value::Int(key),
            Value::Int((bits >> 32).cast_signed()),
            Value::Int((bits & 0xffff_ffff).cast_signed()),
        ];
        let lock = format!("PostgreSQL advisory lock {key} for table `{table}`");
        self.poll(PG_ACQUIRE, |_| params.to_vec(), &lock, timeout)
            .await
    }

    async fn acquire_mysql(&mut self, name: &str, table: &str, timeout: Duration) -> Result<()> {
        // The server itself waits up to the seconds that remain.
        let params = |remaining: Duration| {
            let seconds = i64::try_from(remaining.as_secs()).unwrap_or(i64::MAX);
            vec![name.into(), name.into(), Value::Int(seconds)]
        };
        let lock = format!("MySQL GET_LOCK for table `{table}`");
        self.poll(MYSQL_ACQUIRE, params, &lock, timeout).await
    }

    /// Sends `statement` (with `params` for the time that remains) until the server answers
    /// that this session holds the lock, or `timeout` has passed. The statement answers NULL
    /// when this session already holds it, which is waited for like another session's.
    async fn poll(
        &mut self,
        statement: &str,
        params: impl Fn(Duration) -> Vec<Value>,
        lock: &str,
        timeout: Duration,
    ) -> Result<()> {
        let started = Instant::now();
        let mut pause = Duration::from_millis(5);
        loop {
            let params = params(timeout.saturating_sub(started.elapsed()));
            // Armed before the statement is sent: dropped while it is in flight, the guard
            // releases whatever it may have taken.
            self.armed = true;
            let rows = self
                .session
                .query(statement, &params)
                .await
                .map_err(lock_error)?;
            let answer = answer(rows.first().and_then(|row| row.get_index(0)));
            if answer == Some(true) {
                return Ok(());
            }
            self.armed = false;
            let waited = started.elapsed();
            if waited >= timeout {
                let holder = if answer.is_none() {
                    "this same connection, used by another runner at the same time"
                } else {
                    "another session"
                };
                return Err(Error::LockTimeout {
                    waited,
                    lock: format!("{lock}, held by {holder}"),
                });
            }
            tokio::time::sleep(next_pause(&mut pause, started, timeout)).await;
        }
    }

    /// Whether every other runner of the table must take this lock before it plans or
    /// writes: always on PostgreSQL and MySQL; on SQLite when the database has a file.
    pub(crate) fn is_exclusive(&self) -> bool {
        !matches!(self.target, Target::Sqlite(None))
    }

    /// Releases the lock fully, and checks that this session held it.
    pub(crate) async fn release(mut self) -> Result<()> {
        let (sql, params, what) = match &self.target {
            Target::Sqlite(_) => return Ok(()),
            Target::Postgres { key, table } => (
                pg_release("$1"),
                vec![Value::Int(*key)],
                format!("PostgreSQL advisory lock {key} for table `{table}`"),
            ),
            Target::MySql { name, table } => (
                mysql_release("?"),
                vec![name.as_str().into(), name.as_str().into()],
                format!("MySQL GET_LOCK for table `{table}`"),
            ),
        };
        // Still armed while the statement is in flight: dropped now, the guard queues the
        // release again, which is harmless when this one went through.
        let rows = self
            .session
            .query(&sql, &params)
            .await
            .map_err(release_error)?;
        self.armed = false;
        if count(rows.first().and_then(|row| row.get_index(0))) == 0 {
            return Err(release_error(DatabaseError::new(
                DatabaseErrorKind::Other,
                format!(
                    "the server says this connection did not hold the {what}: the `Database` \
                     handle's `pinned` connection must run every statement on one and the same \
                     connection"
                ),
            )));
        }
        Ok(())
    }

    /// The statements an abandoned guard queues: roll back whatever transaction is open,
    /// then release every level of the lock. Parameterless: the key is a number, the MySQL
    /// name was checked to be `switchy_schema_` and hex digits.
    fn cleanup_sql(&self) -> Option<String> {
        match &self.target {
            Target::Sqlite(_) => None,
            Target::Postgres { key, .. } => {
                Some(format!("ROLLBACK; {}", pg_release(&key.to_string())))
            }
            Target::MySql { name, .. } => {
                // A chained run (see `crate::chain`) may have left `autocommit` off.
                Some(format!(
                    "ROLLBACK; SET autocommit = 1; {}",
                    mysql_release(&format!("'{name}'"))
                ))
            }
        }
    }
}

impl Drop for MigrationLock<'_> {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        if let Some(sql) = self.cleanup_sql() {
            // `false`: a pinned pool connection, closed when dropped right after this guard.
            let _ = self.session.queue_cleanup(&sql);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_keys_are_stable_and_differ_per_table() {
        let a = "public.__switchy_migrations";
        assert_eq!(advisory_key(a), advisory_key(a));
        assert_ne!(advisory_key(a), advisory_key("public.other"));
        assert_ne!(advisory_key(a), advisory_key("other.__switchy_migrations"));
    }
}
