//! The step executor: runs one migration up or down together with its tracking row.
//!
//! Apply, single-transaction batch, rollback and retry all go through here, so that each
//! guarantee is written once:
//!
//! - **claim**: the runner planned under an exclusive migration lock it still holds (the
//!   PostgreSQL advisory lock, MySQL's `GET_LOCK`, the OS lock on a SQLite file's sidecar),
//!   which every other runner of the table takes first, so the plan is the row's state and
//!   no re-check is sent (a retry still reads the row it replaces). Without one (an
//!   in-memory SQLite database) the row is re-checked inside the write transaction the
//!   step runs in: a step another runner already did is skipped, one it is doing now is
//!   waited for;
//! - **atomic** steps (transactional migration, transactional DDL) run in one transaction
//!   with their row change;
//! - **guarded** steps (MySQL, `run_in_transaction = false`) first mark their row
//!   `in_progress`, so that a crash leaves a visible dirty state, then run and record the
//!   outcome; on MySQL a transactional migration still runs inside a transaction, so that
//!   its data changes roll back with a failure (DDL commits implicitly there), and under
//!   the migration lock consecutive ones are chained: each commits the next one's guard
//!   with its own record (see [`crate::chain`]);
//! - **hooks** come in pairs: `before` fires once the step is claimed, and is followed by
//!   exactly one `after` or `on_error`.

use std::time::{Duration, Instant};

use crate::chain::{ChainedTransaction, Link};
use crate::database::{Database, DatabaseTransaction, Dialect};
use crate::error::{DatabaseErrorKind, Error, FailedMigration, Result, transaction_hint};
use crate::migration::{Migration, MigrationStatus, TransactionMode};
use crate::progress::Watched;
use crate::report::AppliedMigration;
use crate::runner::MigrationRunner;
use crate::tracker::Tracker;

/// How often a SQLite runner re-checks a migration another process has `in_progress`, and
/// retries a busy write lock.
pub(crate) const SQLITE_POLL: Duration = Duration::from_millis(50);

/// The `failure_reason` of a row whose `down` is running outside a transaction: a crash
/// leaves it `in_progress` with this reason, so the dirty state says which way it went.
const ROLLING_BACK: &str = "its rollback was started and did not finish";

/// Which way a step goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// Apply: run `up`, record the migration `completed`.
    Up,
    /// Revert: run `down`, remove the migration's record.
    Down,
}

/// One migration to run in one direction.
#[derive(Clone, Copy)]
pub(crate) struct Step<'m> {
    pub migration: &'m dyn Migration,
    pub direction: Direction,
    /// Retry: a `failed` row (or an `in_progress` row nobody is running) of this migration
    /// is replaced instead of refused.
    pub replace_dirty: bool,
    /// MySQL under the migration lock: the step's place among the run's chained steps
    /// (see [`crate::chain`]); `None` elsewhere.
    pub link: Option<Link<'m>>,
}

impl<'m> Step<'m> {
    pub(crate) fn up(migration: &'m dyn Migration) -> Self {
        Self {
            migration,
            direction: Direction::Up,
            replace_dirty: false,
            link: None,
        }
    }

    pub(crate) fn down(migration: &'m dyn Migration) -> Self {
        Self {
            migration,
            direction: Direction::Down,
            replace_dirty: false,
            link: None,
        }
    }

    fn id(&self) -> &'m str {
        self.migration.id()
    }

    /// The chain this step runs in with `autocommit = 0`, if any.
    fn chained(&self) -> Option<&Link<'m>> {
        self.link.as_ref().filter(|link| link.is_chained())
    }
}

/// What [`MigrationRunner::execute`] did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The step ran and its record was written; how long it took.
    Ran(Duration),
    /// Another process did this step meanwhile; nothing ran here, and no hook fired.
    AlreadyDone,
}

/// What the claim decides from the step's current row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Decision {
    Proceed,
    /// Delete the dirty row, then proceed (retry).
    Replace,
    AlreadyDone,
    /// Another process is running this migration now.
    Wait,
    Dirty(MigrationStatus),
}

/// The claim's rule. `running` tells whether an `in_progress` row belongs to a process that
/// is still running it.
fn decide(step: &Step<'_>, status: Option<&str>, running: bool) -> Decision {
    let parsed = status.map(|text| MigrationStatus::parse(text).unwrap_or(MigrationStatus::Failed));
    match (step.direction, parsed) {
        (_, Some(MigrationStatus::InProgress)) if running => Decision::Wait,
        (Direction::Up, None) | (Direction::Down, Some(MigrationStatus::Completed)) => {
            Decision::Proceed
        }
        (Direction::Up, Some(MigrationStatus::Completed)) | (Direction::Down, None) => {
            Decision::AlreadyDone
        }
        (Direction::Up, Some(_)) if step.replace_dirty => Decision::Replace,
        (_, Some(status)) => Decision::Dirty(status),
    }
}

/// Whether the plan, read under the migration lock, is still `step`'s row state, so that
/// claiming it needs no re-read: the runner holds an exclusive migration lock (see
/// [`Tracker::is_exclusive`]) and planned while holding it. A retry decides from the dirty
/// row's status.
fn plan_holds(tracker: &Tracker, step: &Step<'_>) -> bool {
    tracker.is_exclusive() && !step.replace_dirty
}

/// Whether `migration` runs in one transaction with its record on `dialect`.
fn is_atomic(migration: &dyn Migration, dialect: Dialect) -> bool {
    migration.transaction_mode() == TransactionMode::Transactional
        && dialect.has_transactional_ddl()
}

/// What ran before a failing step in the same call, for its error. Borrowed, and turned
/// into ids only when a step fails: copying them for every step made a long run quadratic.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Before<'a> {
    pub done: &'a [AppliedMigration],
}

impl Before<'_> {
    fn ids(&self) -> Vec<String> {
        self.done.iter().map(|step| step.id.clone()).collect()
    }
}

impl MigrationRunner {
    /// Runs `step` with its record: claims it, fires the hooks around it, and runs it
    /// atomically or guarded (see the module docs). `before` lists what this call did
    /// before, for the error of a failing step.
    pub(crate) async fn execute(
        &self,
        session: &dyn Database,
        tracker: &Tracker,
        step: Step<'_>,
        before: Before<'_>,
    ) -> Result<Outcome> {
        let dialect = session.dialect();
        if is_atomic(step.migration, dialect) {
            let Some(tx) = self.claim_atomic(session, tracker, &step).await? else {
                return Ok(Outcome::AlreadyDone);
            };
            self.hooked(step.id(), async {
                if let Err(error) = self.run_and_record(&*tx, tracker, &step).await {
                    // The drop would roll back too; an explicit rollback reports nothing new.
                    let _ = tx.rollback().await;
                    return Err(error.into_error(&step, dialect, before, false));
                }
                tx.commit()
                    .await
                    .map_err(|e| failure(&step, dialect, e.into(), before, false))
            })
            .await
            .map(Outcome::Ran)
        } else {
            let guarded_ahead = step.link.is_some_and(|link| link.guarded_ahead);
            if let Some(link) = &step.link
                && step.chained().is_none()
            {
                // An unchained step (outside a transaction) expects every statement to commit.
                link.session.set_autocommit(session, true).await?;
            }
            if !guarded_ahead && !self.claim_guarded(session, tracker, &step).await? {
                return Ok(Outcome::AlreadyDone);
            }
            let result = self
                .hooked(step.id(), self.run_guarded(session, tracker, &step, before))
                .await;
            result.map(Outcome::Ran)
        }
    }

    /// Runs `step` and writes its record inside `tx`, a transaction the caller owns and
    /// commits (single-transaction runs). Fires no hook and claims nothing: the caller has
    /// planned inside `tx`.
    pub(crate) async fn execute_in(
        &self,
        tx: &dyn Database,
        tracker: &Tracker,
        step: Step<'_>,
        before: Before<'_>,
    ) -> Result<()> {
        self.run_and_record(tx, tracker, &step)
            .await
            .map_err(|error| error.into_error(&step, tx.dialect(), before, false))
    }

    /// Fires `before`, runs `work`, then fires `after` or `on_error`.
    async fn hooked(&self, id: &str, work: impl Future<Output = Result<()>>) -> Result<Duration> {
        let work = crate::trace::migration(id, work);
        self.hooks.call_before(id);
        let started = Instant::now();
        match work.await {
            Ok(()) => {
                let duration = started.elapsed();
                self.hooks.call_after(id, duration);
                Ok(duration)
            }
            Err(error) => {
                self.hooks.call_on_error(id, &error);
                Err(error)
            }
        }
    }

    /// Runs the migration on `scope` and writes its final record there.
    async fn run_and_record(
        &self,
        scope: &dyn Database,
        tracker: &Tracker,
        step: &Step<'_>,
    ) -> Result<(), StepError> {
        let migration = step.migration;
        let id = step.id();
        match step.direction {
            Direction::Up => {
                migration.up(scope).await.map_err(StepError::Migration)?;
                tracker
                    .insert(scope, migration, MigrationStatus::Completed)
                    .await
                    .map_err(|e| {
                        StepError::Record(Error::database(format!("recording migration `{id}`"), e))
                    })
            }
            Direction::Down => {
                migration.down(scope).await.map_err(StepError::Migration)?;
                tracker.delete(scope, id).await.map(drop).map_err(|e| {
                    StepError::Record(Error::database(format!("removing the record of `{id}`"), e))
                })
            }
        }
    }

    /// Opens the transaction an atomic step runs in; without an exclusive migration lock,
    /// after re-checking its row there (on SQLite this transaction holds the write lock).
    /// `None`: another runner did the step.
    async fn claim_atomic<'s>(
        &self,
        session: &'s dyn Database,
        tracker: &Tracker,
        step: &Step<'_>,
    ) -> Result<Option<Box<dyn DatabaseTransaction + 's>>> {
        if plan_holds(tracker, step) {
            return self.begin(session).await.map(Some);
        }
        let started = Instant::now();
        loop {
            let tx = self.begin(session).await?;
            let status = tracker.status_of(&*tx, step.id()).await?;
            let running = is_running(tracker, step, status.as_deref());
            match decide(step, status.as_deref(), running) {
                Decision::Proceed => return Ok(Some(tx)),
                Decision::Replace => {
                    delete_record(&*tx, tracker, step.id()).await?;
                    return Ok(Some(tx));
                }
                Decision::AlreadyDone => {
                    let _ = tx.rollback().await;
                    return Ok(None);
                }
                Decision::Wait => {
                    let _ = tx.rollback().await;
                    self.wait_turn(step, started).await?;
                }
                Decision::Dirty(status) => {
                    let _ = tx.rollback().await;
                    return Err(dirty(step, status));
                }
            }
        }
    }

    /// Re-checks a guarded step's row and marks it `in_progress` (on SQLite in one write
    /// transaction). `false`: another process did the step.
    async fn claim_guarded(
        &self,
        session: &dyn Database,
        tracker: &Tracker,
        step: &Step<'_>,
    ) -> Result<bool> {
        let started = Instant::now();
        let id = step.id();
        if plan_holds(tracker, step) {
            return self
                .mark_in_progress(session, tracker, step)
                .await
                .map(|()| true);
        }
        loop {
            let tx = if session.dialect() == Dialect::Sqlite {
                Some(self.begin(session).await?)
            } else {
                None
            };
            let scope: &dyn Database = match &tx {
                Some(tx) => &**tx,
                None => session,
            };
            let status = tracker.status_of(scope, id).await?;
            let running = is_running(tracker, step, status.as_deref());
            let decision = decide(step, status.as_deref(), running);
            match decision {
                Decision::Proceed | Decision::Replace => {
                    if decision == Decision::Replace {
                        delete_record(scope, tracker, id).await?;
                    }
                    self.mark_in_progress(scope, tracker, step).await?;
                    if let Some(tx) = tx {
                        tx.commit().await.map_err(|e| in_progress_error(id, e))?;
                    }
                    return Ok(true);
                }
                other => {
                    if let Some(tx) = tx {
                        let _ = tx.rollback().await;
                    }
                    match other {
                        Decision::AlreadyDone => return Ok(false),
                        Decision::Dirty(status) => return Err(dirty(step, status)),
                        _ => self.wait_turn(step, started).await?,
                    }
                }
            }
        }
    }

    /// Writes the guard of `step`: its row `in_progress` (a `down` keeps its row and says
    /// which way it went).
    async fn mark_in_progress(
        &self,
        scope: &dyn Database,
        tracker: &Tracker,
        step: &Step<'_>,
    ) -> Result<()> {
        let id = step.id();
        let marked = match step.direction {
            Direction::Up => {
                tracker
                    .insert(scope, step.migration, MigrationStatus::InProgress)
                    .await
            }
            Direction::Down => tracker
                .set_status(scope, id, MigrationStatus::InProgress, Some(ROLLING_BACK))
                .await
                .map(drop),
        };
        marked.map_err(|e| in_progress_error(id, e))
    }

    /// Waits one poll for another process's `in_progress` step, or fails with
    /// [`Error::LockTimeout`] after the lock timeout.
    async fn wait_turn(&self, step: &Step<'_>, started: Instant) -> Result<()> {
        let waited = started.elapsed();
        if waited >= self.lock_timeout {
            return Err(Error::LockTimeout {
                waited,
                lock: format!(
                    "migration `{}` is in progress in another process",
                    step.id()
                ),
            });
        }
        tokio::time::sleep(SQLITE_POLL).await;
        Ok(())
    }

    /// The guarded path: the row is `in_progress`; run, then record the outcome. A
    /// transactional migration (on MySQL, the only database that takes this path for one)
    /// runs in a transaction that also writes the outcome, so that its data changes roll
    /// back on failure; DDL commits implicitly there, and the `in_progress` row covers it.
    /// A chained step (see [`crate::chain`]) also commits the next step's guard with its
    /// record.
    async fn run_guarded(
        &self,
        session: &dyn Database,
        tracker: &Tracker,
        step: &Step<'_>,
        before: Before<'_>,
    ) -> Result<()> {
        let dialect = session.dialect();
        let id = step.id();
        let chained = step.chained();
        if let Some(link) = chained {
            link.session.set_autocommit(session, false).await?;
        }
        let tx: Option<Box<dyn DatabaseTransaction + '_>> = if chained.is_some() {
            Some(Box::new(ChainedTransaction::new(session)))
        } else if step.migration.transaction_mode() == TransactionMode::Transactional {
            Some(self.begin(session).await?)
        } else {
            None
        };
        let scope: &dyn Database = match &tx {
            Some(tx) => &**tx,
            None => session,
        };
        let watched = Watched::new(scope);
        let ran = match step.direction {
            Direction::Up => step.migration.up(&watched).await,
            Direction::Down => step.migration.down(&watched).await,
        };
        let touched = watched.touched();
        match ran {
            Ok(()) => {
                match step.direction {
                    Direction::Up => tracker
                        .finish(scope, id, MigrationStatus::Completed, None)
                        .await
                        .map(drop)
                        .map_err(|e| {
                            Error::database(format!("recording migration `{id}` as completed"), e)
                        })?,
                    Direction::Down => delete_record(scope, tracker, id).await?,
                }
                if let Some(next) = chained.and_then(|link| link.next) {
                    tracker
                        .insert(scope, next, MigrationStatus::InProgress)
                        .await
                        .map_err(|e| in_progress_error(next.id(), e))?;
                }
                match tx {
                    Some(tx) => tx
                        .commit()
                        .await
                        .map_err(|e| Error::database(format!("committing migration `{id}`"), e)),
                    None => Ok(()),
                }
            }
            Err(error) => {
                if let Some(tx) = tx {
                    let _ = tx.rollback().await;
                }
                // The bookkeeping below must commit as it goes.
                if let Some(link) = chained
                    && link.session.set_autocommit(session, true).await.is_err()
                {
                    return Err(failure(step, dialect, error, before, false));
                }
                // Nothing of it ran (it failed on its first statement): undo the guard
                // rather than leave a dirty row. Up: forget the migration, so that the
                // next run applies it again; down: it stays `completed`, as it was.
                if !touched {
                    let undone = match step.direction {
                        Direction::Up => tracker.delete(session, id).await,
                        Direction::Down => {
                            tracker
                                .set_status(session, id, MigrationStatus::Completed, None)
                                .await
                        }
                    };
                    if undone.is_ok() {
                        return Err(failure(step, dialect, error, before, false));
                    }
                }
                let reason = match step.direction {
                    Direction::Up => error.to_string(),
                    Direction::Down => format!("rollback failed: {error}"),
                };
                let recorded = tracker
                    .finish(session, id, MigrationStatus::Failed, Some(&reason))
                    .await
                    .is_ok();
                Err(failure(step, dialect, error, before, recorded))
            }
        }
    }

    /// Begins a transaction, retrying while SQLite reports the database busy, up to the
    /// lock timeout.
    pub(crate) async fn begin<'s>(
        &self,
        session: &'s dyn Database,
    ) -> Result<Box<dyn DatabaseTransaction + 's>> {
        let started = Instant::now();
        loop {
            match session.begin_transaction().await {
                Ok(tx) => return Ok(tx),
                Err(e) if e.kind() == DatabaseErrorKind::Busy => {
                    let waited = started.elapsed();
                    if waited >= self.lock_timeout {
                        return Err(Error::LockTimeout {
                            waited,
                            lock: "the SQLite database's write lock".to_owned(),
                        });
                    }
                    tokio::time::sleep(SQLITE_POLL).await;
                }
                Err(e) => return Err(Error::database("starting a transaction", e)),
            }
        }
    }
}

/// Whether an `in_progress` row (`status`) belongs to a process still running it. Under an
/// exclusive migration lock (see [`Tracker::is_exclusive`]) nobody else is, so the row's
/// process is dead. Without one (an in-memory SQLite database, shared by runners of one
/// process) the row is assumed running, and waited for; a retry assumes the opposite.
fn is_running(tracker: &Tracker, step: &Step<'_>, status: Option<&str>) -> bool {
    status == Some(MigrationStatus::InProgress.as_str())
        && !tracker.is_exclusive()
        && !step.replace_dirty
}

/// A step's failure before it is turned into the call's error.
enum StepError {
    /// The migration itself failed.
    Migration(Error),
    /// Writing its record failed.
    Record(Error),
}

impl StepError {
    fn into_error(
        self,
        step: &Step<'_>,
        dialect: Dialect,
        before: Before<'_>,
        recorded: bool,
    ) -> Error {
        match self {
            StepError::Migration(error) => failure(step, dialect, error, before, recorded),
            StepError::Record(error) => error,
        }
    }
}

/// The error of writing the `in_progress` guard of migration `id`.
fn in_progress_error(id: &str, error: crate::error::DatabaseError) -> Error {
    Error::database(format!("recording migration `{id}` as in progress"), error)
}

async fn delete_record(scope: &dyn Database, tracker: &Tracker, id: &str) -> Result<()> {
    tracker
        .delete(scope, id)
        .await
        .map(drop)
        .map_err(|e| Error::database(format!("removing the record of `{id}`"), e))
}

fn dirty(step: &Step<'_>, status: MigrationStatus) -> Error {
    Error::Dirty {
        id: step.id().to_owned(),
        status,
        reason: None,
        in_source: true,
    }
}

/// The error of a failed step: which migration, which file, what ran before it.
pub(crate) fn failure(
    step: &Step<'_>,
    dialect: Dialect,
    error: Error,
    before: Before<'_>,
    recorded: bool,
) -> Error {
    let migration = step.migration;
    let (file, applied_before, rolled_back_before) = match step.direction {
        Direction::Up => (migration.up_origin(dialect), before.ids(), None),
        Direction::Down => (
            migration.down_origin(dialect),
            Vec::new(),
            Some(before.ids()),
        ),
    };
    Error::MigrationFailed {
        failed: Box::new(FailedMigration {
            id: migration.id().to_owned(),
            file,
            applied_before,
            rolled_back_before,
            hint: transaction_hint(&error),
        }),
        cause: Box::new(error),
        recorded_as_failed: recorded,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::CodeMigration;

    #[test]
    fn the_claim_rule() {
        let migration = CodeMigration::new("1_a", "SELECT 1");
        let up = Step::up(&migration);
        let down = Step::down(&migration);
        let retry = Step {
            replace_dirty: true,
            ..up
        };
        assert_eq!(decide(&up, None, false), Decision::Proceed);
        assert_eq!(decide(&up, Some("completed"), false), Decision::AlreadyDone);
        assert_eq!(decide(&up, Some("in_progress"), true), Decision::Wait);
        assert_eq!(
            decide(&up, Some("in_progress"), false),
            Decision::Dirty(MigrationStatus::InProgress)
        );
        assert_eq!(
            decide(&up, Some("failed"), false),
            Decision::Dirty(MigrationStatus::Failed)
        );
        assert_eq!(
            decide(&up, Some("garbage"), false),
            Decision::Dirty(MigrationStatus::Failed)
        );
        assert_eq!(decide(&down, Some("completed"), false), Decision::Proceed);
        assert_eq!(decide(&down, None, false), Decision::AlreadyDone);
        assert_eq!(decide(&down, Some("in_progress"), true), Decision::Wait);
        assert_eq!(
            decide(&down, Some("failed"), false),
            Decision::Dirty(MigrationStatus::Failed)
        );
        assert_eq!(decide(&retry, Some("failed"), false), Decision::Replace);
        assert_eq!(
            decide(&retry, Some("in_progress"), false),
            Decision::Replace
        );
        assert_eq!(decide(&retry, Some("in_progress"), true), Decision::Wait);
        assert_eq!(decide(&retry, None, false), Decision::Proceed);
    }
}
