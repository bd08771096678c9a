//! MySQL: each migration's `in_progress` guard committed together with the previous
//! migration's record, so that a run costs the server no more commits than the migrations'
//! own.
//!
//! MySQL commits DDL implicitly, so a migration there is guarded: its row says
//! `in_progress` durably before any of its statements can commit (see [`crate::step`]). Done
//! naively that is two commits per migration on top of the migration's own: the guard, then
//! the `completed` record, which (once DDL has ended the migration's transaction) commits on
//! its own. Each commit is a flush of the redo log, the dominant cost of a migration there.
//!
//! Under the migration lock, consecutive transactional migrations of one run are chained
//! instead:
//! - the session runs with `autocommit = 0` while chained migrations run, so that after DDL
//!   ended a transaction the next statement opens another one: the migration's data changes
//!   after its last DDL and its `completed` record commit together (and roll back together
//!   on failure);
//! - a migration's record is committed together with the *next* migration's `in_progress`
//!   guard, so the next one starts already guarded, and its first implicit commit has
//!   nothing of ours to flush.
//!
//! A run of n chained migrations thus flushes what the migrations flush plus one guard.
//!
//! The price: a process that dies between one migration's commit and the next migration's
//! first statement (no await point of the runner lies there but the commit's answer) leaves
//! that next migration `in_progress` although none of it ran: a dirty state to recover from
//! (`retry_migration`), never a migration recorded as applied that did not run. A next
//! migration that fails on its first statement removes its guard, as an unchained one does.
//!
//! `autocommit` is switched back to 1 before anything that expects it (a migration that
//! runs outside a transaction, the bookkeeping of a failure) and when the run ends; an
//! abandoned run's queued cleanup switches it back too (see [`crate::lock`]).

use std::sync::atomic::{AtomicBool, Ordering};

use async_trait::async_trait;

use crate::database::{Database, DatabaseTransaction, Dialect, Row, Value};
use crate::error::{DatabaseError, Error, Result};
use crate::migration::{Migration, TransactionMode};
use crate::savepoint::Deferred;

/// Whether step `k` of a run commits the guard of step `k + 1`, for steps with the given
/// transaction modes: both run in a transaction.
pub(crate) fn commits_next_guard(modes: &[TransactionMode]) -> Vec<bool> {
    (0..modes.len())
        .map(|k| {
            modes.get(k + 1).is_some_and(|next| {
                modes[k] == TransactionMode::Transactional
                    && *next == TransactionMode::Transactional
            })
        })
        .collect()
}

/// A step's place in a chain.
#[derive(Clone, Copy)]
pub(crate) struct Link<'m> {
    /// The session's `autocommit` switch.
    pub session: &'m SessionMode,
    /// The migration whose guard this step commits with its own record.
    pub next: Option<&'m dyn Migration>,
    /// Whether the previous step committed this step's guard.
    pub guarded_ahead: bool,
}

impl Link<'_> {
    /// Whether the step runs with `autocommit = 0`.
    pub(crate) fn is_chained(&self) -> bool {
        self.next.is_some() || self.guarded_ahead
    }
}

/// The session's `autocommit` as this run left it.
#[derive(Debug, Default)]
pub(crate) struct SessionMode {
    autocommit_off: AtomicBool,
}

impl SessionMode {
    /// Sets the session's `autocommit`, unless it is already so.
    pub(crate) async fn set_autocommit(&self, session: &dyn Database, on: bool) -> Result<()> {
        if self.autocommit_off.load(Ordering::Relaxed) != on {
            return Ok(());
        }
        // Back on, whatever was left uncommitted (a failure's) is rolled back, not
        // committed by the switch.
        let sql = if on {
            "ROLLBACK; SET autocommit = 1"
        } else {
            "SET autocommit = 0"
        };
        session
            .exec_raw(sql)
            .await
            .map_err(|e| Error::database(format!("setting the session's {sql}"), e))?;
        self.autocommit_off.store(!on, Ordering::Relaxed);
        Ok(())
    }
}

/// A chained step's transaction: the session with `autocommit = 0`, where the first
/// statement opens a transaction and each DDL statement another one. No `BEGIN` is sent:
/// on MariaDB an explicit `BEGIN` there made each implicit commit a flush of its own
/// (measured: 7 flushes per migration instead of 3).
pub(crate) struct ChainedTransaction<'s> {
    session: &'s dyn Database,
    /// Rollbacks of dropped savepoints, run before the next statement or the commit.
    deferred: Deferred,
    open: bool,
}

impl<'s> ChainedTransaction<'s> {
    /// The transaction on `session`, whose `autocommit` the caller has switched off.
    pub(crate) fn new(session: &'s dyn Database) -> Self {
        Self {
            session,
            deferred: Deferred::default(),
            open: true,
        }
    }

    async fn run_deferred(&self) -> Result<(), DatabaseError> {
        for sql in self.deferred.take() {
            self.session.exec_raw(&sql).await?;
        }
        Ok(())
    }

    async fn finish(mut self: Box<Self>, commit: bool) -> Result<(), DatabaseError> {
        if commit {
            self.run_deferred().await?;
        }
        self.session
            .exec_raw(if commit { "COMMIT" } else { "ROLLBACK" })
            .await?;
        self.open = false;
        Ok(())
    }
}

#[async_trait]
impl Database for ChainedTransaction<'_> {
    fn dialect(&self) -> Dialect {
        self.session.dialect()
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        self.run_deferred().await?;
        self.session.exec_raw(sql).await
    }
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        self.run_deferred().await?;
        self.session.execute(sql, params).await
    }
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        self.run_deferred().await?;
        self.session.query(sql, params).await
    }
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        Err(DatabaseError::nested_transaction())
    }
    async fn savepoint(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        crate::savepoint::open(self).await
    }
    fn queue_cleanup(&self, sql: &str) -> bool {
        self.deferred.push(sql)
    }
    fn may_have_other_connections(&self) -> bool {
        self.session.may_have_other_connections()
    }
}

#[async_trait]
impl DatabaseTransaction for ChainedTransaction<'_> {
    async fn commit(self: Box<Self>) -> Result<(), DatabaseError> {
        self.finish(true).await
    }
    async fn rollback(self: Box<Self>) -> Result<(), DatabaseError> {
        self.finish(false).await
    }
}

impl Drop for ChainedTransaction<'_> {
    fn drop(&mut self) {
        if self.open {
            // Before the session's next statement where it can queue; otherwise the
            // switch back to `autocommit = 1` at the end of the run rolls it back.
            let _ = self.session.queue_cleanup("ROLLBACK");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use TransactionMode::{NoTransaction as No, Transactional as Tx};

    #[test]
    fn only_a_transactional_step_followed_by_one_commits_its_guard() {
        assert_eq!(commits_next_guard(&[]), Vec::<bool>::new());
        assert_eq!(commits_next_guard(&[Tx]), [false]);
        assert_eq!(commits_next_guard(&[Tx, Tx, Tx]), [true, true, false]);
        assert_eq!(
            commits_next_guard(&[Tx, No, Tx, Tx, No]),
            [false, false, true, false, false]
        );
        assert_eq!(commits_next_guard(&[No, No]), [false, false]);
    }
}
