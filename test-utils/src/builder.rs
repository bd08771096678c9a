//! [`MigrationTestBuilder`]: data-migration tests, with data inserted before and checked
//! after chosen migrations.

use std::collections::BTreeSet;
use std::sync::Arc;

use switchy_schema::{Database, MigrationSource, RollbackStrategy};

use crate::error::{BoxError, Error, Result};
use crate::snapshot::SnapshotOptions;
use crate::step::{FnStep, Step};
use crate::verify::Cycle;

/// Runs migrations with test code around chosen ones: the way to test a migration that
/// transforms data.
///
/// For each migration, in id order: every [`with_data_before`](Self::with_data_before)
/// closure given for it (in the order given), then the migration, then every
/// [`with_data_after`](Self::with_data_after) closure. Migrations without closures are
/// applied as usual. The closures are async closures, `async |db| { ...; Ok(()) }`, whose
/// error type is [`BoxError`] so that `?` works on any error; they may borrow from the test.
///
/// An id that is not in the source is an error naming it, before anything runs. A
/// migration with closures must not be applied yet (its `before` closures could not run
/// before it); others may be.
///
/// By default the migrations stay applied, so the test can go on using the schema. With
/// [`with_rollback`](Self::with_rollback) they are rolled back at the end and the schema
/// must be the one the first migration started from.
///
/// ```
/// use switchy_schema::code::{CodeMigration, CodeSource};
/// use switchy_schema_test_utils::{MigrationTestBuilder, assert_row_count, create_empty_in_memory};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// let migrations = CodeSource::new()
///     .with(CodeMigration::new("0001_users", "CREATE TABLE users (id INTEGER PRIMARY KEY, full_name TEXT)"))
///     .with(CodeMigration::new(
///         "0002_split_name",
///         "ALTER TABLE users ADD COLUMN first_name TEXT;
///          UPDATE users SET first_name = substr(full_name, 1, instr(full_name, ' ') - 1);",
///     ));
///
/// MigrationTestBuilder::new(migrations)
///     .with_data_before("0002_split_name", async |db| {
///         db.exec_raw("INSERT INTO users (full_name) VALUES ('Ada Lovelace')").await?;
///         Ok(())
///     })
///     .with_data_after("0002_split_name", async |db| {
///         let rows = db.query("SELECT first_name FROM users", &[]).await?;
///         assert_eq!(rows[0].get_str("first_name"), Some("Ada"));
///         Ok(())
///     })
///     .run(&db)
///     .await?;
///
/// // No rollback by default: the schema is there for the rest of the test.
/// assert_row_count(&db, "users", 1).await?;
/// # Ok(())
/// # }
/// ```
pub struct MigrationTestBuilder<'a> {
    source: Arc<dyn MigrationSource>,
    initial: Vec<Box<dyn Step + 'a>>,
    before: Vec<(String, Box<dyn Step + 'a>)>,
    after: Vec<(String, Box<dyn Step + 'a>)>,
    rollback: bool,
    table_name: String,
    snapshot: SnapshotOptions,
}

/// What [`MigrationTestBuilder::run`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MigrationTestReport {
    /// The migrations applied, in order.
    pub applied: Vec<String>,
    /// The migrations rolled back (with [`with_rollback`](MigrationTestBuilder::with_rollback)),
    /// newest first.
    pub rolled_back: Vec<String>,
}

impl<'a> MigrationTestBuilder<'a> {
    /// A test of `migrations` with no closures, no rollback and the default tracking table.
    pub fn new(migrations: impl MigrationSource + 'static) -> Self {
        Self {
            source: Arc::new(migrations),
            initial: Vec::new(),
            before: Vec::new(),
            after: Vec::new(),
            rollback: false,
            table_name: switchy_schema::DEFAULT_TABLE_NAME.to_owned(),
            snapshot: SnapshotOptions::default(),
        }
    }

    /// Runs `f` first, before any migration (to create tables the migrations expect, for
    /// example). Several run in the order given.
    #[must_use]
    pub fn with_initial_setup<F>(mut self, f: F) -> Self
    where
        F: AsyncFn(&dyn Database) -> Result<(), BoxError> + 'a,
    {
        self.initial.push(Box::new(FnStep(f)));
        self
    }

    /// Runs `f` right before migration `id` (after the migrations before it). Several for
    /// one id run in the order given.
    #[must_use]
    pub fn with_data_before<F>(mut self, id: impl Into<String>, f: F) -> Self
    where
        F: AsyncFn(&dyn Database) -> Result<(), BoxError> + 'a,
    {
        self.before.push((id.into(), Box::new(FnStep(f))));
        self
    }

    /// Runs `f` right after migration `id` (before the migrations after it). Several for
    /// one id run in the order given.
    #[must_use]
    pub fn with_data_after<F>(mut self, id: impl Into<String>, f: F) -> Self
    where
        F: AsyncFn(&dyn Database) -> Result<(), BoxError> + 'a,
    {
        self.after.push((id.into(), Box::new(FnStep(f))));
        self
    }

    /// Rolls back every migration this run applied, at the end, and checks that the schema
    /// is again the one before the first migration. Default: off (the schema persists for
    /// the rest of the test).
    #[must_use]
    pub fn with_rollback(mut self) -> Self {
        self.rollback = true;
        self
    }

    /// The tracking table, as given to
    /// [`MigrationRunner::with_table_name`](switchy_schema::MigrationRunner::with_table_name).
    /// Default: `__switchy_migrations`.
    #[must_use]
    pub fn with_table_name(mut self, name: impl Into<String>) -> Self {
        self.table_name = name.into();
        self.snapshot = self.snapshot.ignore_table(self.table_name.clone());
        self
    }

    /// Leaves `table` out of the schema comparison of [`with_rollback`](Self::with_rollback)
    /// (a table the closures create).
    #[must_use]
    pub fn ignore_table(mut self, table: impl Into<String>) -> Self {
        self.snapshot = self.snapshot.ignore_table(table);
        self
    }

    /// Runs the test on `db`.
    ///
    /// # Errors
    /// [`Error::UnknownMigration`] for an id not in the source (before anything runs);
    /// [`Error::Step`] when a closure fails, naming it (`with_data_before(`0002_x`) #1`);
    /// [`Error::Migration`] when a migration fails; [`Error::SchemaMismatch`] when the
    /// rollback does not restore the schema.
    pub async fn run(&self, db: &dyn Database) -> Result<MigrationTestReport> {
        let cycle = Cycle::from_parts(
            Arc::clone(&self.source),
            self.table_name.clone(),
            self.snapshot.clone(),
        );
        let migrations = cycle.migrations().await?;
        let known = || migrations.iter().map(|m| m.id().to_owned()).collect();
        for (id, given_to) in self
            .before
            .iter()
            .map(|(id, _)| (id, "with_data_before"))
            .chain(self.after.iter().map(|(id, _)| (id, "with_data_after")))
        {
            if !migrations.iter().any(|m| m.id() == id) {
                return Err(Error::UnknownMigration {
                    id: id.clone(),
                    given_to: given_to.to_owned(),
                    known: known(),
                });
            }
        }
        let applied: BTreeSet<String> = cycle
            .runner()
            .list_migrations(db)
            .await
            .map_err(|error| Error::migration("listing the migrations", error))?
            .into_iter()
            .filter(|info| info.status.is_some())
            .map(|info| info.id)
            .collect();
        if let Some((id, _)) = self
            .before
            .iter()
            .chain(&self.after)
            .find(|(id, _)| applied.contains(id))
        {
            return Err(Error::Unsupported(format!(
                "migration `{id}` is already applied, so its with_data_before / with_data_after closures cannot run around it"
            )));
        }

        for (index, step) in self.initial.iter().enumerate() {
            step.call(db).await.map_err(|error| Error::Step {
                step: format!("with_initial_setup #{}", index + 1),
                error,
            })?;
        }
        let initial = if self.rollback {
            Some(cycle.snapshot(db).await?)
        } else {
            None
        };

        let mut report = MigrationTestReport::default();
        let pending: Vec<&str> = migrations
            .iter()
            .map(|m| m.id())
            .filter(|id| !applied.contains(*id))
            .collect();
        for (position, id) in pending.iter().enumerate() {
            let befores = steps_for(&self.before, id);
            let afters = steps_for(&self.after, id);
            if befores.is_empty() && afters.is_empty() {
                continue;
            }
            if let Some(previous) = position.checked_sub(1).map(|p| pending[p])
                && !report.applied.iter().any(|a| a == previous)
            {
                self.apply(&cycle, db, Some(previous), &mut report).await?;
            }
            run_steps(db, &befores, "with_data_before", id).await?;
            self.apply(&cycle, db, Some(id), &mut report).await?;
            run_steps(db, &afters, "with_data_after", id).await?;
        }
        self.apply(&cycle, db, None, &mut report).await?;

        if let Some(initial) = initial {
            if !report.applied.is_empty() {
                let rolled = cycle
                    .runner()
                    .rollback(db, RollbackStrategy::Steps(report.applied.len()))
                    .await
                    .map_err(|error| Error::migration("rolling back the migrations", error))?;
                report.rolled_back = rolled.rolled_back.into_iter().map(|m| m.id).collect();
            }
            let end = cycle.snapshot(db).await?;
            let diff = initial.diff_labeled(&end, "after the rollback");
            if !diff.is_empty() {
                return Err(Error::SchemaMismatch {
                    step: "rolling back the migrations".to_owned(),
                    diff,
                });
            }
        }
        Ok(report)
    }

    /// Applies the pending migrations up to `id` (all with `None`).
    async fn apply(
        &self,
        cycle: &Cycle,
        db: &dyn Database,
        id: Option<&str>,
        report: &mut MigrationTestReport,
    ) -> Result<()> {
        let runner = cycle.runner();
        let (runner, step) = match id {
            Some(id) => (
                runner.with_strategy(switchy_schema::ExecutionStrategy::UpTo(id.to_owned())),
                format!("applying the migrations up to `{id}`"),
            ),
            None => (runner, "applying the remaining migrations".to_owned()),
        };
        let run = runner
            .run(db)
            .await
            .map_err(|error| Error::migration(step, error))?;
        report.applied.extend(run.applied.into_iter().map(|m| m.id));
        Ok(())
    }
}

fn steps_for<'s, 'a>(
    steps: &'s [(String, Box<dyn Step + 'a>)],
    id: &str,
) -> Vec<&'s (dyn Step + 'a)> {
    steps
        .iter()
        .filter(|(each, _)| each == id)
        .map(|(_, step)| &**step)
        .collect()
}

async fn run_steps(
    db: &dyn Database,
    steps: &[&(dyn Step + '_)],
    kind: &str,
    id: &str,
) -> Result<()> {
    for (index, step) in steps.iter().enumerate() {
        step.call(db).await.map_err(|error| Error::Step {
            step: format!("{kind}(`{id}`) #{}", index + 1),
            error,
        })?;
    }
    Ok(())
}

impl std::fmt::Debug for MigrationTestBuilder<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MigrationTestBuilder")
            .field("initial_setups", &self.initial.len())
            .field(
                "data_before",
                &self.before.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            )
            .field(
                "data_after",
                &self.after.iter().map(|(id, _)| id).collect::<Vec<_>>(),
            )
            .field("rollback", &self.rollback)
            .field("table_name", &self.table_name)
            .finish_non_exhaustive()
    }
}
