//! [`MigrationRunner`]: applies, rolls back, lists and recovers migrations.

use std::borrow::Cow;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::chain::{self, Link, SessionMode};
use crate::database::{Database, DatabaseTransaction, Dialect};
use crate::error::{Error, Result};
use crate::hooks::MigrationHooks;
use crate::journal::check_leaving_wal;
use crate::lock::MigrationLock;
use crate::migration::{
    Migration, MigrationInfo, MigrationSource, MigrationStatus, TransactionMode,
};
use crate::plan::{
    self, ExecutionStrategy, MissingPolicy, OutOfOrderPolicy, PlanOptions, RollbackStrategy,
    TrackedRow,
};
use crate::report::{AppliedMigration, PlannedMigration, RollbackReport, RunReport};
use crate::step::{Before, Outcome, SQLITE_POLL, Step};
use crate::tracker::{self, TableShape, Tracker};
use crate::up_to_date::{self, AsMigration, UpToDateCheck};

/// Runs `$body` on a pinned handle bound to `$session`, with the migration lock held and
/// the tracking table ensured, and releases the lock on every path: on return here, and,
/// when the future is dropped at any await point or a hook or migration panics, from the
/// lock guard's `Drop` (see `crate::lock`). (A macro rather than a function taking an async
/// closure: rustc cannot yet prove such futures `Send`.)
///
/// Drop order matters and is fixed by the bindings: the body's future (with any open
/// transaction) is dropped first, then the lock guard (which queues the release on the
/// session), then the pinned handle (a pinned pool connection is closed).
macro_rules! with_lock {
    ($runner:expr, $db:expr, $tracker:expr, |$session:ident| $body:block) => {{
        let pinned = pin($db).await?;
        let lock = MigrationLock::acquire(&*pinned, $tracker.table(), $runner.lock_timeout).await?;
        if lock.is_exclusive() {
            $tracker.set_exclusive();
        }
        let result = async {
            let $session: &dyn Database = &*pinned;
            $runner.ensure_table($session, $tracker).await?;
            $body
        }
        .await;
        release(lock, result).await
    }};
}
pub(crate) use with_lock;

/// The default tracking table: `__switchy_migrations`.
pub const DEFAULT_TABLE_NAME: &str = "__switchy_migrations";

/// The default longest wait for the migration lock: 5 minutes.
pub const DEFAULT_LOCK_TIMEOUT: Duration = Duration::from_mins(5);

/// Applies, rolls back, lists and recovers the migrations of one source.
///
/// Every option has a default, stated on its setter. A run:
/// 1. reads the tracking table once; when nothing is pending it returns at once (a
///    constant number of queries, whatever the number of migrations);
/// 2. otherwise takes the migration lock (see the crate docs), creates or upgrades the
///    tracking table, re-reads it and plans: dirty rows, drift, out-of-order and missing
///    migrations are refused here, before anything runs;
/// 3. applies each pending migration in id order, in a transaction together with its
///    tracking row where the database allows it, and stops at the first failure;
/// 4. releases the lock on every path.
pub struct MigrationRunner {
    source: Box<dyn MigrationSource>,
    pub(crate) table_name: String,
    strategy: ExecutionStrategy,
    pub(crate) dry_run: bool,
    pub(crate) hooks: MigrationHooks,
    out_of_order: OutOfOrderPolicy,
    missing: MissingPolicy,
    verify_checksums: bool,
    pub(crate) lock_timeout: Duration,
    single_transaction: bool,
}

impl MigrationRunner {
    /// A runner over `source` with every option at its default.
    pub fn new(source: impl MigrationSource + 'static) -> Self {
        Self {
            source: Box::new(source),
            table_name: DEFAULT_TABLE_NAME.to_owned(),
            strategy: ExecutionStrategy::All,
            dry_run: false,
            hooks: MigrationHooks::default(),
            out_of_order: OutOfOrderPolicy::Error,
            missing: MissingPolicy::IgnoreNewer,
            verify_checksums: true,
            lock_timeout: DEFAULT_LOCK_TIMEOUT,
            single_transaction: false,
        }
    }

    /// The tracking table. Default: [`DEFAULT_TABLE_NAME`]. `name` or `schema.name`, each
    /// part ASCII letters, digits and `_`, not starting with a digit, at most 63 bytes;
    /// anything else makes every call fail with [`Error::InvalidIdentifier`]. It is also
    /// quoted in every statement.
    #[must_use]
    pub fn with_table_name(mut self, name: impl Into<String>) -> Self {
        self.table_name = name.into();
        self
    }

    /// Which pending migrations [`run`](Self::run) applies. Default: [`ExecutionStrategy::All`].
    #[must_use]
    pub fn with_strategy(mut self, strategy: ExecutionStrategy) -> Self {
        self.strategy = strategy;
        self
    }

    /// When `true`, [`run`](Self::run) and [`rollback`](Self::rollback) only report their
    /// plan, with the SQL that would run, and write nothing (not even the tracking table).
    /// The recovery calls ([`retry_migration`](Self::retry_migration),
    /// [`mark_migration_completed`](Self::mark_migration_completed),
    /// [`mark_all_migrations_completed`](Self::mark_all_migrations_completed),
    /// [`forget_migration`](Self::forget_migration),
    /// [`rebless_checksums`](Self::rebless_checksums)) change nothing either and return
    /// what they would do: the retry's plan, or what they would change.
    /// Default: `false`.
    #[must_use]
    pub fn dry_run(mut self, dry_run: bool) -> Self {
        self.dry_run = dry_run;
        self
    }

    /// Callbacks around each migration. Default: none.
    #[must_use]
    pub fn with_hooks(mut self, hooks: MigrationHooks) -> Self {
        self.hooks = hooks;
        self
    }

    /// What to do with pending migrations that sort before the last applied one.
    /// Default: [`OutOfOrderPolicy::Error`].
    #[must_use]
    pub fn with_out_of_order_policy(mut self, policy: OutOfOrderPolicy) -> Self {
        self.out_of_order = policy;
        self
    }

    /// What to do with applied migrations missing from the source.
    /// Default: [`MissingPolicy::IgnoreNewer`].
    #[must_use]
    pub fn with_missing_policy(mut self, policy: MissingPolicy) -> Self {
        self.missing = policy;
        self
    }

    /// Whether a changed applied migration (drift) is an error. Default: `true`.
    ///
    /// **Dangerous** when `false`: a migration edited after it ran is silently accepted, and
    /// databases that ran the old text differ from those that will run the new one. Prefer
    /// [`rebless_checksums`](Self::rebless_checksums) for an intended change.
    #[must_use]
    pub fn verify_checksums(mut self, verify: bool) -> Self {
        self.verify_checksums = verify;
        self
    }

    /// The longest wait for the migration lock held by another process (on SQLite: for the
    /// database's write lock, and for a migration another process has `in_progress`).
    /// Default: [`DEFAULT_LOCK_TIMEOUT`] (5 minutes). Exceeding it is [`Error::LockTimeout`].
    #[must_use]
    pub fn with_lock_timeout(mut self, timeout: Duration) -> Self {
        self.lock_timeout = timeout;
        self
    }

    /// When `true`, all pending migrations run in one transaction that commits at the end:
    /// the run applies all of them or none. SQLite and PostgreSQL only, and every pending
    /// migration must be transactional; otherwise the run fails before changing anything.
    /// Default: `false` (one transaction per migration).
    #[must_use]
    pub fn single_transaction(mut self, single: bool) -> Self {
        self.single_transaction = single;
        self
    }

    fn plan_options(&self) -> PlanOptions {
        PlanOptions {
            strategy: self.strategy.clone(),
            out_of_order: self.out_of_order,
            missing: self.missing,
            skip_checksum_verification: !self.verify_checksums,
        }
    }

    pub(crate) async fn load(&self) -> Result<Vec<Arc<dyn Migration>>> {
        let mut migrations = self.source.migrations().await?;
        plan::sort_migrations(&mut migrations)?;
        Ok(migrations)
    }

    /// Applies the pending migrations chosen by the strategy.
    ///
    /// # Errors
    /// Before anything runs: [`Error::Dirty`], [`Error::Drift`], [`Error::OutOfOrder`],
    /// [`Error::MissingFromSource`], [`Error::UnknownMigration`], [`Error::LockTimeout`],
    /// [`Error::LeavingWalNeedsOneConnection`].
    /// While running: [`Error::MigrationFailed`], naming the migration, its file, the
    /// database's message and what this run applied before it.
    pub async fn run(&self, db: &dyn Database) -> Result<RunReport> {
        let started = Instant::now();
        let dialect = db.dialect();
        let _trace = crate::trace::run("run", &self.table_name, dialect, self.dry_run);
        let tracker = Tracker::new(&self.table_name, dialect)?;
        // Embedded migrations are checked as the static list they are, before (and, when
        // everything is applied, instead of) building the runner's list of trait objects.
        let embedded = self
            .source
            .embedded()
            .filter(|list| up_to_date::strictly_sorted(list));
        if let Some(list) = embedded
            && !self.dry_run
        {
            plan::check_strategy(list, &self.strategy)?;
            if self.nothing_to_do(db, &tracker, list).await {
                return Ok(RunReport {
                    skipped: list.iter().map(|m| Cow::Borrowed(m.id)).collect(),
                    total: started.elapsed(),
                    ..RunReport::default()
                });
            }
        }
        let migrations = self.load().await?;
        let options = self.plan_options();
        plan::check_strategy(&migrations, &self.strategy)?;

        if self.dry_run {
            let rows = self.read_without_writing(db, &tracker).await?;
            let plan = plan::plan_up(&migrations, &rows, dialect, &options)?;
            check_leaving_wal(db, picked(&migrations, &plan.pending), true).await?;
            return Ok(RunReport {
                skipped: ids(&migrations, &plan.applied),
                planned: plan
                    .pending
                    .iter()
                    .map(|&index| planned(migrations[index].as_ref(), dialect, true))
                    .collect(),
                dry_run: true,
                total: started.elapsed(),
                ..RunReport::default()
            });
        }

        if embedded.is_none() && self.nothing_to_do(db, &tracker, &migrations).await {
            return Ok(RunReport {
                skipped: migrations
                    .iter()
                    .map(|m| Cow::Owned(m.id().to_owned()))
                    .collect(),
                total: started.elapsed(),
                ..RunReport::default()
            });
        }

        let mut report = with_lock!(self, db, &tracker, |session| {
            self.run_locked(session, &tracker, &migrations, &options)
                .await
        })?;
        report.total = started.elapsed();
        Ok(report)
    }

    /// The fast path: with everything applied, one query and no lock. `false` also when the
    /// read fails (no table yet, an old layout, ...): the full path explains.
    async fn nothing_to_do<M: AsMigration>(
        &self,
        db: &dyn Database,
        tracker: &Tracker,
        migrations: &[M],
    ) -> bool {
        let mut check = UpToDateCheck::new(
            migrations,
            db.dialect(),
            self.missing,
            self.verify_checksums,
        );
        tracker.read_for_start_up(db, &mut check).await.is_ok() && check.is_up_to_date()
    }

    async fn run_locked(
        &self,
        session: &dyn Database,
        tracker: &Tracker,
        migrations: &[Arc<dyn Migration>],
        options: &PlanOptions,
    ) -> Result<RunReport> {
        let dialect = session.dialect();
        let rows = self.read_settled(session, tracker).await?;
        let plan = plan::plan_up(migrations, &rows, dialect, options)?;
        check_leaving_wal(session, picked(migrations, &plan.pending), true).await?;
        let mut report = RunReport {
            skipped: ids(migrations, &plan.applied),
            ..RunReport::default()
        };
        if self.single_transaction {
            self.apply_batch(session, tracker, migrations, options, &mut report)
                .await?;
            return Ok(report);
        }
        let pending: Vec<&dyn Migration> = picked(migrations, &plan.pending).collect();
        let chaining = dialect == Dialect::MySql && tracker.is_exclusive();
        let commits_next = if chaining {
            chain::commits_next_guard(
                &pending
                    .iter()
                    .map(|migration| migration.transaction_mode())
                    .collect::<Vec<_>>(),
            )
        } else {
            vec![false; pending.len()]
        };
        let session_mode = SessionMode::default();
        let applied = async {
            let mut guarded_ahead = false;
            for (k, &migration) in pending.iter().enumerate() {
                let next = commits_next[k].then(|| pending[k + 1]);
                let step = Step {
                    link: chaining.then_some(Link {
                        session: &session_mode,
                        next,
                        guarded_ahead,
                    }),
                    ..Step::up(migration)
                };
                let before = Before {
                    done: &report.applied,
                };
                match self.execute(session, tracker, step, before).await? {
                    Outcome::Ran(duration) => {
                        report.applied.push(AppliedMigration {
                            id: migration.id().to_owned(),
                            duration,
                        });
                        guarded_ahead = next.is_some();
                    }
                    Outcome::AlreadyDone => {
                        report.skipped.push(Cow::Owned(migration.id().to_owned()));
                        guarded_ahead = false;
                    }
                }
            }
            Ok::<_, Error>(())
        }
        .await;
        let restored = session_mode.set_autocommit(session, true).await;
        applied?;
        restored?;
        report.skipped.sort();
        Ok(report)
    }

    async fn apply_batch(
        &self,
        session: &dyn Database,
        tracker: &Tracker,
        migrations: &[Arc<dyn Migration>],
        options: &PlanOptions,
        report: &mut RunReport,
    ) -> Result<()> {
        let dialect = session.dialect();
        if !dialect.has_transactional_ddl() {
            return Err(Error::Unsupported(format!(
                "a single-transaction run needs transactional DDL, which {dialect} does not have"
            )));
        }
        let tx = self.begin(session).await?;
        // Re-plan inside the transaction: on SQLite its write lock is the migration lock.
        let rows = tracker
            .read(&*tx)
            .await
            .map_err(|e| Error::database("reading the tracking table", e))?;
        let plan = plan::plan_up(migrations, &rows, dialect, options)?;
        if let Some(&index) = plan
            .pending
            .iter()
            .find(|&&index| migrations[index].transaction_mode() == TransactionMode::NoTransaction)
        {
            return Err(Error::Unsupported(format!(
                "migration `{}` must run outside a transaction, so it cannot be part of a single-transaction run",
                migrations[index].id()
            )));
        }
        report.skipped = ids(migrations, &plan.applied);
        let mut timings: Vec<AppliedMigration> = Vec::with_capacity(plan.pending.len());
        for &index in &plan.pending {
            let migration = migrations[index].as_ref();
            let id = migration.id();
            self.hooks.call_before(id);
            let started = Instant::now();
            let applied = self
                .execute_in(&*tx, tracker, Step::up(migration), Before { done: &[] })
                .await;
            if let Err(error) = applied {
                let _ = tx.rollback().await;
                // Everything before it is rolled back with it: each `before` gets its `on_error`.
                for earlier in &timings {
                    self.hooks.call_on_error(&earlier.id, &error);
                }
                self.hooks.call_on_error(id, &error);
                return Err(error);
            }
            timings.push(AppliedMigration {
                id: id.to_owned(),
                duration: started.elapsed(),
            });
        }
        if let Err(e) = tx.commit().await {
            let error = Error::database("committing the single-transaction run", e);
            for applied in &timings {
                self.hooks.call_on_error(&applied.id, &error);
            }
            return Err(error);
        }
        for applied in &timings {
            self.hooks.call_after(&applied.id, applied.duration);
        }
        report.applied = timings;
        Ok(())
    }

    /// Creates or upgrades the tracking table. On SQLite inside a write transaction, so
    /// that two processes never upgrade it twice.
    pub(crate) async fn ensure_table(
        &self,
        session: &dyn Database,
        tracker: &Tracker,
    ) -> Result<()> {
        if session.dialect() == Dialect::Sqlite {
            let tx = self.begin(session).await?;
            tracker.ensure(&*tx, true).await?;
            tx.commit()
                .await
                .map_err(|e| Error::database("creating the tracking table", e))
        } else {
            tracker.ensure(session, false).await
        }
    }

    /// Reads the tracking table. A runner that holds an exclusive migration lock (see
    /// [`Tracker::is_exclusive`]) reads it once: an `in_progress` row was left by a dead
    /// process, and the planner reports it as dirty. Without one (an in-memory SQLite
    /// database, shared by runners of one process), it first waits up to the lock timeout
    /// while a row is `in_progress`, then reports it.
    pub(crate) async fn read_settled(
        &self,
        session: &dyn Database,
        tracker: &Tracker,
    ) -> Result<Vec<TrackedRow>> {
        let started = Instant::now();
        loop {
            let rows = tracker
                .read(session)
                .await
                .map_err(|e| Error::database("reading the tracking table", e))?;
            let in_progress = rows
                .iter()
                .any(|row| row.status == Some(MigrationStatus::InProgress));
            if !in_progress || tracker.is_exclusive() || started.elapsed() >= self.lock_timeout {
                return Ok(rows);
            }
            tokio::time::sleep(SQLITE_POLL).await;
        }
    }

    /// Reads the tracking table without creating or upgrading it.
    pub(crate) async fn read_without_writing(
        &self,
        db: &dyn Database,
        tracker: &Tracker,
    ) -> Result<Vec<TrackedRow>> {
        match tracker.shape(db).await? {
            TableShape::Missing => Ok(Vec::new()),
            TableShape::Current => tracker
                .read(db)
                .await
                .map_err(|e| Error::database("reading the tracking table", e)),
            TableShape::Legacy { has_id, .. } => tracker.read_legacy(db, has_id).await,
        }
    }

    /// Rolls back applied migrations, most recently applied first (see
    /// [`RollbackStrategy`]), each in a transaction together
    /// with the removal of its tracking row where the database allows it.
    ///
    /// It plans and runs under the migration lock, so two processes never roll back the
    /// same migration. On an in-memory SQLite database (no file to lock) each step
    /// re-checks its record inside the write transaction it runs in instead: a migration
    /// another runner rolled back meanwhile is skipped (not listed in `rolled_back`), one it
    /// is rolling back now is waited for.
    ///
    /// Every migration to roll back is checked first: it must be in the source, reversible
    /// ([`Error::Irreversible`] otherwise) and its down file unchanged, and on SQLite must
    /// not leave WAL mode through a pool of several connections
    /// ([`Error::LeavingWalNeedsOneConnection`]).
    pub async fn rollback(
        &self,
        db: &dyn Database,
        strategy: RollbackStrategy,
    ) -> Result<RollbackReport> {
        let dialect = db.dialect();
        let _trace = crate::trace::run("rollback", &self.table_name, dialect, self.dry_run);
        let tracker = Tracker::new(&self.table_name, dialect)?;
        let migrations = self.load().await?;
        if self.dry_run {
            let rows = self.read_without_writing(db, &tracker).await?;
            let plan = plan::plan_rollback(
                &migrations,
                &rows,
                dialect,
                &strategy,
                !self.verify_checksums,
            )?;
            check_leaving_wal(db, picked(&migrations, &plan), false).await?;
            return Ok(RollbackReport {
                planned: plan
                    .iter()
                    .map(|&index| planned(migrations[index].as_ref(), dialect, false))
                    .collect(),
                dry_run: true,
                ..RollbackReport::default()
            });
        }
        with_lock!(self, db, &tracker, |session| {
            let rows = self.read_settled(session, &tracker).await?;
            let plan = plan::plan_rollback(
                &migrations,
                &rows,
                dialect,
                &strategy,
                !self.verify_checksums,
            )?;
            check_leaving_wal(session, picked(&migrations, &plan), false).await?;
            let mut report = RollbackReport::default();
            for index in plan {
                let migration = migrations[index].as_ref();
                match self
                    .execute(
                        session,
                        &tracker,
                        Step::down(migration),
                        Before {
                            done: &report.rolled_back,
                        },
                    )
                    .await?
                {
                    Outcome::Ran(duration) => report.rolled_back.push(AppliedMigration {
                        id: migration.id().to_owned(),
                        duration,
                    }),
                    Outcome::AlreadyDone => report.skipped.push(migration.id().to_owned()),
                }
            }
            Ok(report)
        })
    }

    /// Every migration of the source and every tracked one, in id order, with its status.
    /// Writes nothing.
    pub async fn list_migrations(&self, db: &dyn Database) -> Result<Vec<MigrationInfo>> {
        let dialect = db.dialect();
        let tracker = Tracker::new(&self.table_name, dialect)?;
        let migrations = self.load().await?;
        let rows = match tracker.shape(db).await? {
            TableShape::Missing => Vec::new(),
            TableShape::Current => tracker.read_full(db).await?,
            TableShape::Legacy { has_id, .. } => tracker
                .read_legacy(db, has_id)
                .await?
                .into_iter()
                .map(|row| (row, None, None))
                .collect(),
        };
        let mut by_id: std::collections::HashMap<
            String,
            (TrackedRow, Option<String>, Option<String>),
        > = rows
            .into_iter()
            .map(|entry| (entry.0.id.clone(), entry))
            .collect();
        let mut list: Vec<MigrationInfo> = migrations
            .iter()
            .map(|migration| {
                let entry = by_id.remove(migration.id());
                let drifted = entry.as_ref().is_some_and(|(row, _, _)| {
                    !plan::up_matches(&row.up_checksum, migration.as_ref(), dialect)
                });
                let (status, run_on, finished_on, failure_reason) = match entry {
                    Some((row, run_on, finished_on)) => {
                        (row.status, run_on, finished_on, row.failure_reason)
                    }
                    None => (None, None, None, None),
                };
                MigrationInfo {
                    id: migration.id().to_owned(),
                    description: migration.description().map(str::to_owned),
                    status,
                    run_on,
                    finished_on,
                    failure_reason,
                    in_source: true,
                    drifted,
                }
            })
            .collect();
        list.extend(
            by_id
                .into_values()
                .map(|(row, run_on, finished_on)| tracker::orphan_info(row, run_on, finished_on)),
        );
        list.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(list)
    }

    fn find(migrations: &[Arc<dyn Migration>], id: &str) -> Result<Arc<dyn Migration>> {
        migrations
            .binary_search_by(|m| m.id().cmp(id))
            .map(|index| Arc::clone(&migrations[index]))
            .map_err(|_| Error::UnknownMigration(id.to_owned()))
    }

    /// Recovery: runs a `failed` or `in_progress` migration again. Fix whatever it left
    /// half-done first; its record is replaced when it is applied as a pending migration.
    ///
    /// It runs under the migration lock, and its record is re-read inside the write
    /// transaction that claims the migration: on an in-memory SQLite database (no lock
    /// file) a migration another runner is still running is waited for (up to the lock
    /// timeout), and one another runner completed meanwhile is reported in `skipped`, not
    /// run again.
    ///
    /// # Errors
    /// [`Error::Unsupported`] when `id` has no `failed` or `in_progress` record;
    /// [`Error::UnknownMigration`]; [`Error::MigrationFailed`] when it fails again.
    pub async fn retry_migration(&self, db: &dyn Database, id: &str) -> Result<RunReport> {
        let dialect = db.dialect();
        let tracker = Tracker::new(&self.table_name, dialect)?;
        let migration = Self::find(&self.load().await?, id)?;
        if self.dry_run {
            let rows = self.read_without_writing(db, &tracker).await?;
            check_retry(&rows, id)?;
            check_leaving_wal(db, [migration.as_ref()], true).await?;
            return Ok(RunReport {
                planned: vec![planned(migration.as_ref(), dialect, true)],
                dry_run: true,
                ..RunReport::default()
            });
        }
        with_lock!(self, db, &tracker, |session| {
            let rows = self.read_settled(session, &tracker).await?;
            check_retry(&rows, id)?;
            check_leaving_wal(session, [migration.as_ref()], true).await?;
            let step = Step {
                replace_dirty: true,
                ..Step::up(migration.as_ref())
            };
            let mut report = RunReport::default();
            match self
                .execute(session, &tracker, step, Before { done: &[] })
                .await?
            {
                Outcome::Ran(duration) => report.applied.push(AppliedMigration {
                    id: id.to_owned(),
                    duration,
                }),
                Outcome::AlreadyDone => report.skipped.push(Cow::Owned(id.to_owned())),
            }
            Ok(report)
        })
    }

    /// Recovery: records migration `id` as completed without running it (after finishing
    /// it by hand), with the source's current checksums. Returns whether its record
    /// changed (`false`: it already was completed).
    pub async fn mark_migration_completed(&self, db: &dyn Database, id: &str) -> Result<bool> {
        let migrations = self.load().await?;
        let migration = Self::find(&migrations, id)?;
        self.mark_completed(db, std::slice::from_ref(&migration))
            .await
            .map(|changed| changed > 0)
    }

    /// Baseline: records every migration of the source as completed without running any,
    /// for a database whose schema already matches. Returns how many records changed.
    pub async fn mark_all_migrations_completed(&self, db: &dyn Database) -> Result<usize> {
        let migrations = self.load().await?;
        self.mark_completed(db, &migrations).await
    }

    async fn mark_completed(
        &self,
        db: &dyn Database,
        migrations: &[Arc<dyn Migration>],
    ) -> Result<usize> {
        let dialect = db.dialect();
        let tracker = Tracker::new(&self.table_name, dialect)?;
        if self.dry_run {
            let rows = self.read_without_writing(db, &tracker).await?;
            return Ok(migrations
                .iter()
                .filter(|migration| {
                    !rows.iter().any(|row| {
                        row.id == migration.id() && row.status == Some(MigrationStatus::Completed)
                    })
                })
                .count());
        }
        with_lock!(self, db, &tracker, |session| {
            let (tx, rows) = self.recovery_scope(session, &tracker).await?;
            let scope = scope_of(tx.as_deref(), session);
            let existing: std::collections::HashMap<&str, &TrackedRow> =
                rows.iter().map(|row| (row.id.as_str(), row)).collect();
            let mut changed = 0;
            for migration in migrations {
                let id = migration.id();
                let write = match existing.get(id) {
                    Some(row) if row.status == Some(MigrationStatus::Completed) => continue,
                    Some(_) => {
                        async {
                            tracker
                                .finish(scope, id, MigrationStatus::Completed, None)
                                .await?;
                            let up = migration.up_checksum(dialect);
                            let down = migration.down_checksum(dialect);
                            tracker.set_checksums(scope, id, &up, &down).await.map(drop)
                        }
                        .await
                    }
                    None => {
                        tracker
                            .insert(scope, migration.as_ref(), MigrationStatus::Completed)
                            .await
                    }
                };
                write.map_err(|e| Error::database(format!("marking `{id}` completed"), e))?;
                changed += 1;
            }
            commit_recovery(tx).await?;
            Ok(changed)
        })
    }

    /// Recovery: deletes the tracking record of `id`, whatever its status, without running
    /// anything (after undoing the migration by hand). Returns whether a record existed.
    /// The only way out for a dirty migration that is no longer in the source.
    pub async fn forget_migration(&self, db: &dyn Database, id: &str) -> Result<bool> {
        let tracker = Tracker::new(&self.table_name, db.dialect())?;
        if self.dry_run {
            let rows = self.read_without_writing(db, &tracker).await?;
            return Ok(rows.iter().any(|row| row.id == id));
        }
        with_lock!(self, db, &tracker, |session| {
            let (tx, _) = self.recovery_scope(session, &tracker).await?;
            let deleted = tracker
                .delete(scope_of(tx.as_deref(), session), id)
                .await
                .map_err(|e| Error::database(format!("removing the record of `{id}`"), e))?;
            commit_recovery(tx).await?;
            Ok(deleted > 0)
        })
    }

    /// Accepts intended edits of applied migrations: stores the source's current checksums
    /// for `ids` (every migration of the source when `None`) where a record exists and
    /// holds other checksums. Returns how many records changed.
    pub async fn rebless_checksums(
        &self,
        db: &dyn Database,
        ids: Option<&[&str]>,
    ) -> Result<usize> {
        let dialect = db.dialect();
        let tracker = Tracker::new(&self.table_name, dialect)?;
        let migrations = self.load().await?;
        let chosen: Vec<Arc<dyn Migration>> = match ids {
            None => migrations,
            Some(ids) => ids
                .iter()
                .map(|id| Self::find(&migrations, id))
                .collect::<Result<_>>()?,
        };
        if self.dry_run {
            let rows = self.read_without_writing(db, &tracker).await?;
            return Ok(reblessed(&chosen, &rows, dialect).len());
        }
        with_lock!(self, db, &tracker, |session| {
            let (tx, rows) = self.recovery_scope(session, &tracker).await?;
            let scope = scope_of(tx.as_deref(), session);
            let mut changed = 0;
            for migration in reblessed(&chosen, &rows, dialect) {
                let id = migration.id();
                tracker
                    .set_checksums(
                        scope,
                        id,
                        &migration.up_checksum(dialect),
                        &migration.down_checksum(dialect),
                    )
                    .await
                    .map_err(|e| Error::database(format!("updating the checksums of `{id}`"), e))?;
                changed += 1;
            }
            commit_recovery(tx).await?;
            Ok(changed)
        })
    }

    /// Where a recovery call reads and writes: on SQLite a write transaction (so that,
    /// without a file lock to hold, runners of one in-memory database take turns); elsewhere
    /// the session, on which the migration lock is held. Returns it with the tracking
    /// table's rows read there.
    async fn recovery_scope<'s>(
        &self,
        session: &'s dyn Database,
        tracker: &Tracker,
    ) -> Result<(Option<Box<dyn DatabaseTransaction + 's>>, Vec<TrackedRow>)> {
        let read = |e| Error::database("reading the tracking table", e);
        if session.dialect() != Dialect::Sqlite {
            return Ok((None, tracker.read(session).await.map_err(read)?));
        }
        let tx = self.begin(session).await?;
        let rows = tracker.read(&*tx).await.map_err(read)?;
        Ok((Some(tx), rows))
    }
}

/// The handle a recovery call writes through: its transaction, or the session.
fn scope_of<'a>(
    tx: Option<&'a (dyn DatabaseTransaction + 'a)>,
    session: &'a dyn Database,
) -> &'a dyn Database {
    match tx {
        Some(tx) => tx,
        None => session,
    }
}

async fn commit_recovery(tx: Option<Box<dyn DatabaseTransaction + '_>>) -> Result<()> {
    match tx {
        Some(tx) => tx
            .commit()
            .await
            .map_err(|e| Error::database("committing the recovery", e)),
        None => Ok(()),
    }
}

/// Refuses a retry of `id` unless it has a `failed` or `in_progress` record.
fn check_retry(rows: &[TrackedRow], id: &str) -> Result<()> {
    match rows.iter().find(|row| row.id == id).map(|row| row.status) {
        None => Err(Error::Unsupported(format!(
            "migration `{id}` has no failed or in-progress record to retry; run the migrations instead"
        ))),
        Some(Some(MigrationStatus::Completed)) => Err(Error::Unsupported(format!(
            "migration `{id}` is already completed"
        ))),
        Some(_) => Ok(()),
    }
}

/// The migrations among `chosen` whose record holds other checksums than the source's.
fn reblessed<'m>(
    chosen: &'m [Arc<dyn Migration>],
    rows: &[TrackedRow],
    dialect: Dialect,
) -> Vec<&'m dyn Migration> {
    chosen
        .iter()
        .map(AsRef::as_ref)
        .filter(|migration| {
            rows.iter().any(|row| {
                row.id == migration.id()
                    && (row.up_checksum != migration.up_checksum(dialect)
                        || row.down_checksum.as_deref() != Some(&*migration.down_checksum(dialect)))
            })
        })
        .collect()
}

impl std::fmt::Debug for MigrationRunner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MigrationRunner")
            .field("table_name", &self.table_name)
            .field("strategy", &self.strategy)
            .field("dry_run", &self.dry_run)
            .field("hooks", &self.hooks)
            .field("out_of_order", &self.out_of_order)
            .field("missing", &self.missing)
            .field("verify_checksums", &self.verify_checksums)
            .field("lock_timeout", &self.lock_timeout)
            .field("single_transaction", &self.single_transaction)
            .finish_non_exhaustive()
    }
}

/// The handle a locked operation runs on: one connection for the whole operation
/// ([`Database::pinned`]). PostgreSQL and MySQL locks belong to a connection. SQLite has
/// no such lock, but a pool that hands each transaction whichever connection is idle makes
/// every connection re-read the whole schema after another one changed it (SQLite checks
/// its schema cookie at each statement), which made applying many migrations quadratic;
/// and each acquisition costs a round trip to the pool. A pinned SQLite pool connection
/// goes back to the pool afterwards, so a `sqlite::memory:` database survives.
pub(crate) async fn pin(db: &dyn Database) -> Result<Box<dyn Database + '_>> {
    db.pinned()
        .await
        .map_err(|e| Error::database("taking a connection", e))
}

/// Releases `lock` whatever `result` is; a release failure is reported only when the work
/// itself succeeded (the work's error matters more).
pub(crate) async fn release<T>(lock: MigrationLock<'_>, result: Result<T>) -> Result<T> {
    let released = lock.release().await;
    let value = result?;
    released?;
    Ok(value)
}

fn ids(migrations: &[Arc<dyn Migration>], indexes: &[usize]) -> Vec<Cow<'static, str>> {
    indexes
        .iter()
        .map(|&index| Cow::Owned(migrations[index].id().to_owned()))
        .collect()
}

/// The migrations at `indexes`, in that order.
fn picked<'m>(
    migrations: &'m [Arc<dyn Migration>],
    indexes: &'m [usize],
) -> impl Iterator<Item = &'m dyn Migration> {
    indexes.iter().map(|&index| migrations[index].as_ref())
}

fn planned(migration: &dyn Migration, dialect: Dialect, up: bool) -> PlannedMigration {
    let sql = if up {
        migration.up_sql(dialect)
    } else {
        migration.down_sql(dialect)
    };
    PlannedMigration {
        id: migration.id().to_owned(),
        sql: sql.map(str::to_owned),
        transaction_mode: migration.transaction_mode(),
    }
}
