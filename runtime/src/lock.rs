//! The migration lock that keeps concurrent start-ups from applying a migration twice.
//!
//! - PostgreSQL: a session advisory lock whose key is derived from the tracking table name
//!   (`pg_try_advisory_lock`, polled until the timeout).
//! - MySQL / MariaDB: `GET_LOCK` on a name derived from the current database and the tracking
//!   table name (the server waits up to the timeout).
//! - SQLite: no lock of its own. Every migration runs in a `BEGIN IMMEDIATE` transaction
//!   that first re-checks the tracking table, so the write lock of the database file is the
//!   lock; waiting for it is bounded by the same timeout.
//!
//! Both server-side locks belong to a connection, so the runner holds them on a
//! [`Database::pinned`] handle and releases them on every path. If the process dies the
//! server drops the lock with the connection.

use std::time::{Duration, Instant};

use crate::database::{Database, Dialect, Value};
use crate::error::{DatabaseError, Error, Result};
use crate::ident::TableName;

/// A held migration lock; release it with [`MigrationLock::release`].
#[derive(Debug)]
pub(crate) enum MigrationLock {
    Postgres { key: i64 },
    MySql { table: String },
    Sqlite,
}

/// A stable 64-bit FNV-1a hash, so every process derives the same advisory lock key.
fn advisory_key(table: &TableName) -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in "switchy_schema:".bytes().chain(table.to_string().bytes()) {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_le_bytes(hash.to_le_bytes())
}

const MYSQL_LOCK_NAME: &str =
    "CONCAT('switchy_schema_', SHA1(CONCAT(COALESCE(DATABASE(), ''), '.', ?)))";

fn truthy(value: Option<&Value>) -> bool {
    match value {
        Some(Value::Bool(b)) => *b,
        Some(Value::Int(i)) => *i == 1,
        Some(Value::Text(text)) => text == "1" || text == "t" || text == "true",
        _ => false,
    }
}

fn lock_error(e: DatabaseError) -> Error {
    Error::database("acquiring the migration lock", e)
}

impl MigrationLock {
    /// Takes the lock on `db` (a pinned handle), waiting at most `timeout`.
    pub(crate) async fn acquire(
        db: &dyn Database,
        table: &TableName,
        timeout: Duration,
    ) -> Result<Self> {
        match db.dialect() {
            Dialect::Sqlite => Ok(MigrationLock::Sqlite),
            Dialect::Postgres => {
                let key = advisory_key(table);
                let started = Instant::now();
                let mut pause = Duration::from_millis(5);
                loop {
                    let rows = db
                        .query(
                            "SELECT pg_try_advisory_lock($1) AS locked",
                            &[Value::Int(key)],
                        )
                        .await
                        .map_err(lock_error)?;
                    if truthy(rows.first().and_then(|row| row.get_index(0))) {
                        return Ok(MigrationLock::Postgres { key });
                    }
                    let waited = started.elapsed();
                    if waited >= timeout {
                        return Err(Error::LockTimeout {
                            waited,
                            lock: format!("PostgreSQL advisory lock {key} for table `{table}`"),
                        });
                    }
                    tokio::time::sleep(pause.min(timeout.saturating_sub(waited))).await;
                    pause = (pause * 2).min(Duration::from_millis(200));
                }
            }
            Dialect::MySql => {
                let seconds = i64::try_from(timeout.as_secs()).unwrap_or(i64::MAX).max(0);
                let started = Instant::now();
                let sql = format!("SELECT GET_LOCK({MYSQL_LOCK_NAME}, ?) AS locked");
                let rows = db
                    .query(&sql, &[table.to_string().into(), Value::Int(seconds)])
                    .await
                    .map_err(lock_error)?;
                if truthy(rows.first().and_then(|row| row.get_index(0))) {
                    Ok(MigrationLock::MySql {
                        table: table.to_string(),
                    })
                } else {
                    Err(Error::LockTimeout {
                        waited: started.elapsed(),
                        lock: format!("MySQL GET_LOCK for table `{table}`"),
                    })
                }
            }
        }
    }

    /// Releases the lock.
    pub(crate) async fn release(self, db: &dyn Database) -> Result<()> {
        let result = match self {
            MigrationLock::Sqlite => return Ok(()),
            MigrationLock::Postgres { key } => db
                .query("SELECT pg_advisory_unlock($1)", &[Value::Int(key)])
                .await
                .map(drop),
            MigrationLock::MySql { table } => db
                .query(
                    &format!("SELECT RELEASE_LOCK({MYSQL_LOCK_NAME})"),
                    &[table.into()],
                )
                .await
                .map(drop),
        };
        result.map_err(|e| Error::database("releasing the migration lock", e))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn advisory_keys_are_stable_and_differ_per_table() {
        let a = TableName::parse("__switchy_migrations").unwrap();
        let b = TableName::parse("other").unwrap();
        assert_eq!(advisory_key(&a), advisory_key(&a));
        assert_ne!(advisory_key(&a), advisory_key(&b));
    }
}
