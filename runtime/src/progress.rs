//! [`Watched`]: tells whether a migration that failed outside a transaction changed
//! anything before it failed.
//!
//! A statement is atomic: when it fails, nothing of it is kept. So when a migration fails
//! on its first statement, nothing of it ran, and the runner can forget it instead of
//! leaving a dirty `failed` row that blocks every later run (a busy
//! `PRAGMA journal_mode = DELETE` is the common case).

use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;

use crate::database::{Database, DatabaseTransaction, Dialect, Row, Value};
use crate::error::DatabaseError;
use crate::split::split_statements;

/// A [`Database`] that forwards every call and records whether any of them may have
/// changed the database: every call that succeeded, and every failed call that may have
/// completed a statement before failing.
pub(crate) struct Watched<'a> {
    inner: &'a dyn Database,
    touched: AtomicBool,
}

impl<'a> Watched<'a> {
    pub(crate) fn new(inner: &'a dyn Database) -> Self {
        Self {
            inner,
            touched: AtomicBool::new(false),
        }
    }

    /// Whether anything may have been changed through this handle.
    pub(crate) fn touched(&self) -> bool {
        self.touched.load(Ordering::SeqCst)
    }

    fn touch(&self) {
        self.touched.store(true, Ordering::SeqCst);
    }

    /// Records the outcome of a call that ran `sql`.
    fn record<T>(&self, sql: &str, result: &Result<T, DatabaseError>) {
        let nothing_ran = match result {
            Ok(_) => false,
            Err(error) => nothing_ran(error, sql, self.inner.dialect()),
        };
        if !nothing_ran {
            self.touch();
        }
    }
}

/// Whether a call that ran `sql` and failed with `error` left nothing behind: the driver
/// says no statement completed, or the text holds a single statement.
fn nothing_ran(error: &DatabaseError, sql: &str, dialect: Dialect) -> bool {
    match error.statements_completed() {
        Some(completed) => completed == 0,
        None => split_statements(sql, dialect).len() <= 1,
    }
}

#[async_trait]
impl Database for Watched<'_> {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }

    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        let result = self.inner.exec_raw(sql).await;
        self.record(sql, &result);
        result
    }

    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        let result = self.inner.execute(sql, params).await;
        self.record(sql, &result);
        result
    }

    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        let result = self.inner.query(sql, params).await;
        self.record(sql, &result);
        result
    }

    /// What runs inside the transaction is not watched, so a transaction counts as a change.
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        self.touch();
        self.inner.begin_transaction().await
    }

    /// What runs inside the savepoint is not watched, so a savepoint counts as a change.
    /// (Asked of the inner handle, which knows whether it is a transaction.)
    async fn savepoint(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        self.touch();
        self.inner.savepoint().await
    }

    /// What runs on the pinned handle is not watched, so pinning counts as a change.
    async fn pinned(&self) -> Result<Box<dyn Database + '_>, DatabaseError> {
        self.touch();
        self.inner.pinned().await
    }

    fn may_have_other_connections(&self) -> bool {
        self.inner.may_have_other_connections()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::DatabaseErrorKind;

    fn failed() -> DatabaseError {
        DatabaseError::new(DatabaseErrorKind::Query, "no such table: missing")
    }

    #[test]
    fn a_failed_single_statement_left_nothing() {
        assert!(nothing_ran(
            &failed(),
            "INSERT INTO missing VALUES (1);",
            Dialect::Sqlite
        ));
        assert!(nothing_ran(
            &failed(),
            "-- note\nPRAGMA journal_mode = DELETE",
            Dialect::MySql
        ));
    }

    #[test]
    fn several_statements_count_as_partial_unless_the_driver_says_none_completed() {
        let sql = "CREATE TABLE a (id INTEGER); INSERT INTO missing VALUES (1)";
        assert!(!nothing_ran(&failed(), sql, Dialect::Postgres));
        assert!(!nothing_ran(
            &failed().with_statements_completed(1),
            sql,
            Dialect::Sqlite
        ));
        assert!(nothing_ran(
            &failed().with_statements_completed(0),
            sql,
            Dialect::Sqlite
        ));
        // The driver knows better than the splitter.
        assert!(!nothing_ran(
            &failed().with_statements_completed(1),
            "SELECT 1",
            Dialect::Sqlite
        ));
    }

    #[test]
    fn the_completed_statement_count_round_trips() {
        for completed in [0, 1, 7, 65_535] {
            let error = failed().with_statements_completed(completed);
            assert_eq!(error.statements_completed(), Some(completed));
        }
        assert_eq!(failed().statements_completed(), None);
        let huge = failed().with_statements_completed(70_000);
        assert_eq!(huge.statements_completed(), Some(65_535));
    }
}
