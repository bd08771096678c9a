//! [`MigrationRunner`]: applies, rolls back, lists and recovers migrations.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::database::{Database, DatabaseTransaction, Dialect};
use crate::error::{DatabaseErrorKind, Error, FailedMigration, Result};
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
use crate::progress::Watched;
use crate::report::{AppliedMigration, PlannedMigration, RollbackReport, RunReport};
use crate::tracker::{self, TableShape, Tracker};

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

/// How often a SQLite runner re-checks a migration another process has `in_progress`.
const SQLITE_POLL: Duration = Duration::from_millis(50);

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
    hooks: MigrationHooks,
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
        let tracker = Tracker::new(&self.table_name, dialect)?;
        let migrations = self.load().await?;
        let options = self.plan_options();

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

        // Fast path: with everything applied, one query and no lock.
        if let Ok(Some(compact)) = tracker.read_compact(db).await
            && let Some(rows) = compact.rows()
            && plan::is_up_to_date(
                &migrations,
                &rows,
                dialect,
                self.missing,
                self.verify_checksums,
            )
        {
            return Ok(RunReport {
                skipped: migrations.iter().map(|m| m.id().to_owned()).collect(),
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
        for &index in &plan.pending {
            let migration = migrations[index].as_ref();
            let id = migration.id();
            self.hooks.call_before(id);
            let started = Instant::now();
            match self.apply_one(session, tracker, migration, &report).await {
                Ok(true) => {
                    let duration = started.elapsed();
                    self.hooks.call_after(id, duration);
                    report.applied.push(AppliedMigration {
                        id: id.to_owned(),
                        duration,
                    });
                }
                Ok(false) => report.skipped.push(id.to_owned()),
                Err(error) => {
                    self.hooks.call_on_error(id, &error);
                    return Err(error);
                }
            }
        }
        report.skipped.sort();
        Ok(report)
    }

    /// Applies one migration. `Ok(false)`: another process applied it meanwhile (SQLite).
    async fn apply_one(
        &self,
        session: &dyn Database,
        tracker: &Tracker,
        migration: &dyn Migration,
        report: &RunReport,
    ) -> Result<bool> {
        let dialect = session.dialect();
        let id = migration.id();
        let up_checksum = migration.up_checksum(dialect);
        let down_checksum = migration.down_checksum(dialect);
        let atomic = migration.transaction_mode() == TransactionMode::Transactional
            && dialect.has_transactional_ddl();

        if atomic {
            let Some(tx) = self.claim(session, tracker, id).await? else {
                return Ok(false);
            };
            if let Err(error) = migration.up(&*tx).await {
                // The drop would roll back too; an explicit rollback reports nothing new.
                let _ = tx.rollback().await;
                return Err(failure(migration, dialect, error, report, false));
            }
            tracker
                .insert(
                    &*tx,
                    id,
                    MigrationStatus::Completed,
                    &up_checksum,
                    &down_checksum,
                )
                .await
                .map_err(|e| Error::database(format!("recording migration `{id}`"), e))?;
            tx.commit()
                .await
                .map_err(|e| failure(migration, dialect, e.into(), report, false))?;
            return Ok(true);
        }

        // Not atomic: write `in_progress` first, so a crash leaves a visible dirty row.
        if dialect == Dialect::Sqlite {
            let Some(tx) = self.claim(session, tracker, id).await? else {
                return Ok(false);
            };
            tracker
                .insert(
                    &*tx,
                    id,
                    MigrationStatus::InProgress,
                    &up_checksum,
                    &down_checksum,
                )
                .await
                .map_err(|e| {
                    Error::database(format!("recording migration `{id}` as in progress"), e)
                })?;
            tx.commit().await.map_err(|e| {
                Error::database(format!("recording migration `{id}` as in progress"), e)
            })?;
        } else {
            tracker
                .insert(
                    session,
                    id,
                    MigrationStatus::InProgress,
                    &up_checksum,
                    &down_checksum,
                )
                .await
                .map_err(|e| {
                    Error::database(format!("recording migration `{id}` as in progress"), e)
                })?;
        }
        let watched = Watched::new(session);
        match migration.up(&watched).await {
            Ok(()) => {
                tracker
                    .finish(session, id, MigrationStatus::Completed, None)
                    .await
                    .map_err(|e| {
                        Error::database(format!("recording migration `{id}` as completed"), e)
                    })?;
                Ok(true)
            }
            Err(error) => {
                // Nothing of it ran (it failed on its first statement): forget it rather
                // than leave a dirty row, so that the next run applies it again.
                if !watched.touched() && tracker.delete(session, id).await.is_ok() {
                    return Err(failure(migration, dialect, error, report, false));
                }
                let reason = error.to_string();
                let recorded = tracker
                    .finish(session, id, MigrationStatus::Failed, Some(&reason))
                    .await
                    .is_ok();
                Err(failure(migration, dialect, error, report, recorded))
            }
        }
    }

    /// Opens the transaction a migration runs in. On SQLite it re-checks, under the write
    /// lock, that no other process applied or started the migration meanwhile: `None` when
    /// it is already applied; waits while another process has it `in_progress`.
    async fn claim<'s>(
        &self,
        session: &'s dyn Database,
        tracker: &Tracker,
        id: &str,
    ) -> Result<Option<Box<dyn DatabaseTransaction + 's>>> {
        let started = Instant::now();
        loop {
            let tx = self.begin(session).await?;
            if session.dialect() != Dialect::Sqlite {
                return Ok(Some(tx));
            }
            let status = tracker.status_of(&*tx, id).await?;
            let Some(status) = status else {
                return Ok(Some(tx));
            };
            let _ = tx.rollback().await;
            match MigrationStatus::parse(&status) {
                Some(MigrationStatus::Completed) => return Ok(None),
                Some(MigrationStatus::InProgress) if started.elapsed() < self.lock_timeout => {
                    tokio::time::sleep(SQLITE_POLL).await;
                }
                parsed => {
                    return Err(Error::Dirty {
                        id: id.to_owned(),
                        status: parsed.unwrap_or(MigrationStatus::Failed),
                        reason: None,
                    });
                }
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
        let mut timings = Vec::with_capacity(plan.pending.len());
        for &index in &plan.pending {
            let migration = migrations[index].as_ref();
            let id = migration.id();
            self.hooks.call_before(id);
            let started = Instant::now();
            let applied = async {
                migration.up(&*tx).await?;
                tracker
                    .insert(
                        &*tx,
                        id,
                        MigrationStatus::Completed,
                        &migration.up_checksum(dialect),
                        &migration.down_checksum(dialect),
                    )
                    .await?;
                Ok::<(), Error>(())
            }
            .await;
            if let Err(error) = applied {
                let _ = tx.rollback().await;
                let error = failure(migration, dialect, error, &RunReport::default(), false);
                self.hooks.call_on_error(id, &error);
                return Err(error);
            }
            timings.push(AppliedMigration {
                id: id.to_owned(),
                duration: started.elapsed(),
            });
        }
        tx.commit()
            .await
            .map_err(|e| Error::database("committing the single-transaction run", e))?;
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

    /// Reads the tracking table; on SQLite, first waits (up to the lock timeout) while
    /// another process has a migration `in_progress`.
    async fn read_settled(
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
            let busy = session.dialect() == Dialect::Sqlite
                && rows
                    .iter()
                    .any(|row| row.status == Some(MigrationStatus::InProgress));
            if !busy || started.elapsed() >= self.lock_timeout {
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

    /// Rolls back applied migrations, newest (by id) first, each in a transaction together
    /// with the removal of its tracking row where the database allows it.
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
            let rows = tracker
                .read(session)
                .await
                .map_err(|e| Error::database("reading the tracking table", e))?;
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
                self.hooks.call_before(migration.id());
                let started = Instant::now();
                if let Err(error) = self.revert_one(session, &tracker, migration, &report).await {
                    self.hooks.call_on_error(migration.id(), &error);
                    return Err(error);
                }
                let duration = started.elapsed();
                self.hooks.call_after(migration.id(), duration);
                report.rolled_back.push(AppliedMigration {
                    id: migration.id().to_owned(),
                    duration,
                });
            }
            Ok(report)
        })
    }

    async fn revert_one(
        &self,
        session: &dyn Database,
        tracker: &Tracker,
        migration: &dyn Migration,
        report: &RollbackReport,
    ) -> Result<()> {
        let dialect = session.dialect();
        let id = migration.id();
        let done_before = RunReport {
            applied: report.rolled_back.clone(),
            ..RunReport::default()
        };
        let down_failure = |error, recorded| {
            let mut error = failure(migration, dialect, error, &done_before, recorded);
            if let Error::MigrationFailed { failed, .. } = &mut error {
                failed.file = migration.down_origin(dialect);
            }
            error
        };
        if migration.transaction_mode() == TransactionMode::Transactional
            && dialect.has_transactional_ddl()
        {
            let tx = self.begin(session).await?;
            if let Err(error) = migration.down(&*tx).await {
                let _ = tx.rollback().await;
                return Err(down_failure(error, false));
            }
            tracker
                .delete(&*tx, id)
                .await
                .map_err(|e| Error::database(format!("removing the record of `{id}`"), e))?;
            tx.commit().await.map_err(|e| down_failure(e.into(), false))
        } else {
            let watched = Watched::new(session);
            if let Err(error) = migration.down(&watched).await {
                // Nothing of the down ran (it failed on its first statement): the
                // migration stays `completed`, as it was.
                if !watched.touched() {
                    return Err(down_failure(error, false));
                }
                let reason = format!("rollback failed: {error}");
                let recorded = tracker
                    .finish(session, id, MigrationStatus::Failed, Some(&reason))
                    .await
                    .is_ok();
                return Err(down_failure(error, recorded));
            }
            tracker
                .delete(session, id)
                .await
                .map(drop)
                .map_err(|e| Error::database(format!("removing the record of `{id}`"), e))
        }
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
                let drifted = entry
                    .as_ref()
                    .is_some_and(|(row, _, _)| !plan::up_matches(row, migration.as_ref(), dialect));
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
    /// half-done first; its record is removed and it is applied as a pending migration.
    pub async fn retry_migration(&self, db: &dyn Database, id: &str) -> Result<RunReport> {
        let tracker = Tracker::new(&self.table_name, db.dialect())?;
        let migration = Self::find(&self.load().await?, id)?;
        with_lock!(self, db, &tracker, |session| {
            match tracker
                .status_of(session, id)
                .await?
                .as_deref()
                .and_then(MigrationStatus::parse)
            {
                None => {
                    return Err(Error::Unsupported(format!(
                        "migration `{id}` has no failed or in-progress record to retry; run the migrations instead"
                    )));
                }
                Some(MigrationStatus::Completed) => {
                    return Err(Error::Unsupported(format!(
                        "migration `{id}` is already completed"
                    )));
                }
                Some(_) => {}
            }
            check_leaving_wal(session, [migration.as_ref()], true).await?;
            tracker
                .delete(session, id)
                .await
                .map_err(|e| Error::database(format!("removing the record of `{id}`"), e))?;
            let mut report = RunReport::default();
            self.hooks.call_before(id);
            let started = Instant::now();
            match self
                .apply_one(session, &tracker, migration.as_ref(), &report)
                .await
            {
                Ok(_) => {
                    let duration = started.elapsed();
                    self.hooks.call_after(id, duration);
                    report.applied.push(AppliedMigration {
                        id: id.to_owned(),
                        duration,
                    });
                    Ok(report)
                }
                Err(error) => {
                    self.hooks.call_on_error(id, &error);
                    Err(error)
                }
            }
        })
    }

    /// Recovery: records migration `id` as completed without running it (after finishing
    /// it by hand), with the source's current checksums.
    pub async fn mark_migration_completed(&self, db: &dyn Database, id: &str) -> Result<()> {
        let migrations = self.load().await?;
        let migration = Self::find(&migrations, id)?;
        self.mark_completed(db, std::slice::from_ref(&migration))
            .await
            .map(drop)
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
        with_lock!(self, db, &tracker, |session| {
            let rows = tracker
                .read(session)
                .await
                .map_err(|e| Error::database("reading the tracking table", e))?;
            let existing: std::collections::HashMap<&str, &TrackedRow> =
                rows.iter().map(|row| (row.id.as_str(), row)).collect();
            let mut changed = 0;
            for migration in migrations {
                let id = migration.id();
                let up = migration.up_checksum(dialect);
                let down = migration.down_checksum(dialect);
                let write = match existing.get(id) {
                    Some(row) if row.status == Some(MigrationStatus::Completed) => continue,
                    Some(_) => {
                        async {
                            tracker
                                .finish(session, id, MigrationStatus::Completed, None)
                                .await?;
                            tracker
                                .set_checksums(session, id, &up, &down)
                                .await
                                .map(drop)
                        }
                        .await
                    }
                    None => {
                        tracker
                            .insert(session, id, MigrationStatus::Completed, &up, &down)
                            .await
                    }
                };
                write.map_err(|e| Error::database(format!("marking `{id}` completed"), e))?;
                changed += 1;
            }
            Ok(changed)
        })
    }

    /// Recovery: deletes the tracking record of `id`, whatever its status, without running
    /// anything (after undoing the migration by hand). Returns whether a record existed.
    pub async fn forget_migration(&self, db: &dyn Database, id: &str) -> Result<bool> {
        let tracker = Tracker::new(&self.table_name, db.dialect())?;
        with_lock!(self, db, &tracker, |session| {
            tracker
                .delete(session, id)
                .await
                .map(|deleted| deleted > 0)
                .map_err(|e| Error::database(format!("removing the record of `{id}`"), e))
        })
    }

    /// Accepts intended edits of applied migrations: stores the source's current checksums
    /// for `ids` (every applied migration of the source when `None`). Returns how many
    /// records changed.
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
        with_lock!(self, db, &tracker, |session| {
            let mut changed = 0;
            for migration in &chosen {
                let id = migration.id();
                changed += tracker
                    .set_checksums(
                        session,
                        id,
                        &migration.up_checksum(dialect),
                        &migration.down_checksum(dialect),
                    )
                    .await
                    .map_err(|e| Error::database(format!("updating the checksums of `{id}`"), e))?;
            }
            Ok(usize::try_from(changed).unwrap_or(usize::MAX))
        })
    }
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

/// The handle a locked operation runs on. PostgreSQL and MySQL locks belong to a
/// connection, so those run on one pinned connection. SQLite has no such lock (its write
/// lock is taken per transaction), and pinning a pooled `sqlite::memory:` connection that
/// is closed afterwards could drop the whole in-memory database, so SQLite uses `db` as is.
pub(crate) async fn pin(db: &dyn Database) -> Result<Box<dyn Database + '_>> {
    if db.dialect() == Dialect::Sqlite {
        Ok(Box::new(db))
    } else {
        db.pinned()
            .await
            .map_err(|e| Error::database("taking a connection", e))
    }
}

/// Releases `lock` whatever `result` is; a release failure is reported only when the work
/// itself succeeded (the work's error matters more).
pub(crate) async fn release<T>(lock: MigrationLock<'_>, result: Result<T>) -> Result<T> {
    let released = lock.release().await;
    let value = result?;
    released?;
    Ok(value)
}

fn ids(migrations: &[Arc<dyn Migration>], indexes: &[usize]) -> Vec<String> {
    indexes
        .iter()
        .map(|&index| migrations[index].id().to_owned())
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

fn failure(
    migration: &dyn Migration,
    dialect: Dialect,
    error: Error,
    report: &RunReport,
    recorded: bool,
) -> Error {
    Error::MigrationFailed {
        failed: Box::new(FailedMigration {
            id: migration.id().to_owned(),
            file: migration.up_origin(dialect),
            applied_before: report.applied.iter().map(|m| m.id.clone()).collect(),
        }),
        cause: Box::new(error),
        recorded_as_failed: recorded,
    }
}
