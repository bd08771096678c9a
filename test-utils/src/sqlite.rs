//! [`create_empty_in_memory`]: an in-memory SQLite database for the common case.

use std::str::FromStr;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool, SqlitePoolOptions};

use crate::error::{Error, Result};

/// An empty in-memory SQLite database: a `sqlx::SqlitePool`, which implements
/// [`Database`](switchy_schema::Database).
///
/// An in-memory SQLite database belongs to the connection that opened it, and a pool
/// opens and closes connections as it likes: two connections of a plain
/// `sqlite::memory:` pool may see two different databases, and the database vanishes when
/// the pool closes its last idle connection. So this pool holds **exactly one
/// connection**, opened now and never closed while the pool lives (no idle timeout, no
/// maximum lifetime). Every statement, and every transaction the runner opens, sees the
/// same database. Each call returns a new, independent database. Foreign keys are
/// enforced (sqlx's default).
///
/// With one connection, a second concurrent use waits for the first: do not hold a
/// transaction from `begin_transaction` while running statements on the pool itself (use
/// the transaction). Waiting is bounded (5 seconds), then fails instead of hanging.
///
/// ```
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// use switchy_schema_test_utils::create_empty_in_memory;
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// db.exec_raw("CREATE TABLE t (x INTEGER)").await?;
/// let tx = db.begin_transaction().await?;
/// tx.execute("INSERT INTO t (x) VALUES (?)", &[1.into()]).await?;
/// tx.commit().await?;
/// assert_eq!(db.query("SELECT x FROM t", &[]).await?.len(), 1);
///
/// // Another call: another database.
/// let other = create_empty_in_memory().await?;
/// assert!(other.query("SELECT x FROM t", &[]).await.is_err());
/// # Ok(())
/// # }
/// ```
pub async fn create_empty_in_memory() -> Result<SqlitePool> {
    let options = SqliteConnectOptions::from_str("sqlite::memory:")
        .map_err(|error| Error::Server(format!("configuring in-memory SQLite: {error}")))?;
    SqlitePoolOptions::new()
        .min_connections(1)
        .max_connections(1)
        .idle_timeout(None)
        .max_lifetime(None)
        .acquire_timeout(std::time::Duration::from_secs(5))
        .connect_with(options)
        .await
        .map_err(|error| Error::Server(format!("opening in-memory SQLite: {error}")))
}
