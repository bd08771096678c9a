//! Savepoints: a scope inside an open transaction that commits or rolls back on its own.
//!
//! One implementation serves every driver, on top of the transaction's own statements:
//! `SAVEPOINT`, `RELEASE SAVEPOINT` and `ROLLBACK TO SAVEPOINT` are the same on SQLite,
//! PostgreSQL and MySQL. What differs per driver is how a savepoint dropped without an
//! ending is rolled back from `Drop`, where nothing can be awaited: through the parent's
//! [`Database::queue_cleanup`], which each transaction of this crate implements.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;

use crate::database::{Database, DatabaseTransaction, Dialect, Row, Value};
use crate::error::DatabaseError;

/// Numbers the savepoints of this process, so that every name is unique: a nested
/// savepoint never shadows another, and a deferred rollback of a dropped one can never
/// reach a later one.
static NEXT: AtomicU64 = AtomicU64::new(0);

/// The rollbacks of dropped savepoints that a transaction queues (its
/// [`Database::queue_cleanup`]) and runs before its next statement or its commit.
#[derive(Debug, Default)]
pub(crate) struct Deferred {
    queue: std::sync::Mutex<Vec<String>>,
}

impl Deferred {
    /// Queues `sql`; always `true`, the answer [`Database::queue_cleanup`] gives.
    pub(crate) fn push(&self, sql: &str) -> bool {
        self.lock().push(sql.to_owned());
        true
    }

    /// Everything queued so far, oldest first, leaving the queue empty.
    pub(crate) fn take(&self) -> Vec<String> {
        std::mem::take(&mut *self.lock())
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<String>> {
        self.queue
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

/// Opens a savepoint on `parent`, an open transaction or savepoint.
pub(crate) async fn open(
    parent: &dyn Database,
) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
    let number = NEXT.fetch_add(1, Ordering::Relaxed);
    let name = quote(parent.dialect(), &format!("switchy_savepoint_{number}"));
    parent.exec_raw(&format!("SAVEPOINT {name}")).await?;
    Ok(Box::new(Savepoint {
        parent,
        name,
        open: true,
    }))
}

/// `name` quoted as an identifier of `dialect`. The names are generated, never taken from
/// input, and quoted all the same.
fn quote(dialect: Dialect, name: &str) -> String {
    match dialect {
        Dialect::MySql => format!("`{}`", name.replace('`', "``")),
        Dialect::Sqlite | Dialect::Postgres => format!("\"{}\"", name.replace('"', "\"\"")),
    }
}

/// An open savepoint; see [`Database::savepoint`].
struct Savepoint<'p> {
    parent: &'p dyn Database,
    /// The quoted name.
    name: String,
    /// Until released or rolled back to: `Drop` then rolls back to it.
    open: bool,
}

impl Savepoint<'_> {
    /// Undoes everything since the savepoint and removes it, leaving the parent as it was
    /// when the savepoint was taken (on PostgreSQL this also clears a failed statement).
    fn rollback_sql(&self) -> String {
        format!(
            "ROLLBACK TO SAVEPOINT {name}; RELEASE SAVEPOINT {name}",
            name = self.name
        )
    }
}

#[async_trait]
impl Database for Savepoint<'_> {
    fn dialect(&self) -> Dialect {
        self.parent.dialect()
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        self.parent.exec_raw(sql).await
    }
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        self.parent.execute(sql, params).await
    }
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        self.parent.query(sql, params).await
    }
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        Err(DatabaseError::nested_transaction())
    }
    async fn savepoint(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        open(self).await
    }
    fn queue_cleanup(&self, sql: &str) -> bool {
        self.parent.queue_cleanup(sql)
    }
    fn may_have_other_connections(&self) -> bool {
        self.parent.may_have_other_connections()
    }
}

#[async_trait]
impl DatabaseTransaction for Savepoint<'_> {
    /// `RELEASE SAVEPOINT`: the work becomes part of the parent, which may still roll it
    /// back. If the release fails, the savepoint is rolled back to when dropped.
    async fn commit(mut self: Box<Self>) -> Result<(), DatabaseError> {
        self.parent
            .exec_raw(&format!("RELEASE SAVEPOINT {}", self.name))
            .await?;
        self.open = false;
        Ok(())
    }

    /// `ROLLBACK TO SAVEPOINT`, then `RELEASE SAVEPOINT`.
    async fn rollback(mut self: Box<Self>) -> Result<(), DatabaseError> {
        self.parent.exec_raw(&self.rollback_sql()).await?;
        self.open = false;
        Ok(())
    }
}

impl Drop for Savepoint<'_> {
    fn drop(&mut self) {
        if self.open {
            // Runs before the parent's next statement (or its commit). A `Database` of
            // another crate that cannot queue keeps the work in the parent; documented on
            // `Database::savepoint`.
            let _ = self.parent.queue_cleanup(&self.rollback_sql());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::quote;
    use crate::database::Dialect;

    #[test]
    fn names_are_quoted_per_dialect() {
        assert_eq!(quote(Dialect::MySql, "a`b"), "`a``b`");
        assert_eq!(quote(Dialect::Postgres, "a\"b"), "\"a\"\"b\"");
        assert_eq!(quote(Dialect::Sqlite, "s_1"), "\"s_1\"");
    }
}
