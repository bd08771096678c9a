//! The round-trip proofs: [`verify_migrations_full_cycle`], [`verify_migrations_with_state`]
//! and [`verify_migrations_with_mutations`].
//!
//! Each applies the migrations **one at a time**, capturing the schema after each, then
//! rolls them back one at a time and compares the schema after each `down` with the schema
//! its `up` started from. A `down` that forgets something is caught even when a later
//! `down` would hide it (dropping a table drops the index an earlier `down` forgot), and
//! the error names the migration and every difference. Finally everything is applied
//! again (a `down` that leaves a type or sequence behind breaks the second `up`) and
//! rolled back again, which must reach the very first schema.

use std::sync::Arc;

use switchy_schema::{
    Database, ExecutionStrategy, Migration, MigrationRunner, MigrationSource, RollbackStrategy,
};

use crate::data::DataSnapshot;
use crate::error::{Error, Result};
use crate::mutation::MutationProvider;
use crate::snapshot::{SchemaSnapshot, SnapshotOptions};
use crate::step::{FnStep, Step};

/// Options of the `verify_*_with` helpers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyOptions {
    table_name: String,
    snapshot: SnapshotOptions,
}

impl Default for VerifyOptions {
    /// The default tracking table, and snapshots that leave out only it.
    fn default() -> Self {
        Self {
            table_name: switchy_schema::DEFAULT_TABLE_NAME.to_owned(),
            snapshot: SnapshotOptions::default(),
        }
    }
}

impl VerifyOptions {
    /// The default options.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// The tracking table, as given to
    /// [`MigrationRunner::with_table_name`]. Default: `__switchy_migrations`. Snapshots
    /// leave it out.
    #[must_use]
    pub fn with_table_name(mut self, name: impl Into<String>) -> Self {
        self.table_name = name.into();
        self.snapshot = self.snapshot.ignore_table(self.table_name.clone());
        self
    }

    /// Leaves `table` out of every snapshot (a table the test itself manages).
    #[must_use]
    pub fn ignore_table(mut self, table: impl Into<String>) -> Self {
        self.snapshot = self.snapshot.ignore_table(table);
        self
    }

    /// The tracking table name.
    #[must_use]
    pub fn table_name(&self) -> &str {
        &self.table_name
    }

    /// The snapshot options.
    #[must_use]
    pub fn snapshot_options(&self) -> &SnapshotOptions {
        &self.snapshot
    }
}

/// What a verification saw: the schema before any migration and after each one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CycleReport {
    /// The schema before the first migration (after any setup).
    pub initial: SchemaSnapshot,
    /// Each migration id with the schema right after its `up` (and its mutations), in
    /// order.
    pub after_each: Vec<(String, SchemaSnapshot)>,
}

impl CycleReport {
    /// The ids of the migrations, in the order they were applied.
    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.after_each.iter().map(|(id, _)| id.as_str())
    }

    /// The schema right after migration `id`.
    #[must_use]
    pub fn schema_after(&self, id: &str) -> Option<&SchemaSnapshot> {
        self.after_each
            .iter()
            .find(|(each, _)| each == id)
            .map(|(_, schema)| schema)
    }
}

/// Proves that every `down` undoes its `up`: applies all migrations one by one, rolls them
/// back one by one, comparing the schema after each `down` with the schema before its
/// `up`, then applies and rolls back everything again. Leaves the database as it found it.
///
/// Every migration must be reversible, and none may be applied yet.
///
/// ```
/// use switchy_schema::code::{CodeMigration, CodeSource};
/// use switchy_schema_test_utils::{create_empty_in_memory, verify_migrations_full_cycle};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// let migrations = || {
///     CodeSource::new()
///         .with(CodeMigration::new("0001_users", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
///             .with_down("DROP TABLE users"))
///         .with(CodeMigration::new("0002_email_index", "CREATE INDEX idx_users_email ON users (email)")
///             .with_down("SELECT 1")) // forgets DROP INDEX
/// };
///
/// let error = verify_migrations_full_cycle(&db, migrations()).await.unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "rolling back `0002_email_index` did not restore the schema:\n\
///      table `users`: index `idx_users_email` present after down but not before"
/// );
/// # Ok(())
/// # }
/// ```
pub async fn verify_migrations_full_cycle(
    db: &dyn Database,
    migrations: impl MigrationSource + 'static,
) -> Result<CycleReport> {
    verify_migrations_full_cycle_with(db, migrations, &VerifyOptions::default()).await
}

/// [`verify_migrations_full_cycle`] with a custom tracking table or ignored tables.
pub async fn verify_migrations_full_cycle_with(
    db: &dyn Database,
    migrations: impl MigrationSource + 'static,
    options: &VerifyOptions,
) -> Result<CycleReport> {
    let cycle = Cycle::new(migrations, options);
    cycle.prepare(db, &[]).await?;
    cycle.run(db, false, async |_| Ok(())).await
}

/// Seeds data with `setup` (an async closure), then proves that the migrations' up/down
/// cycle keeps it: as [`verify_migrations_full_cycle`], and also compares every row of
/// every table after each `down` with the rows before its `up`.
///
/// ```
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// use switchy_schema::code::{CodeMigration, CodeSource};
/// use switchy_schema_test_utils::{create_empty_in_memory, verify_migrations_with_state};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// db.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)").await?;
/// let migrations = CodeSource::new().with(
///     CodeMigration::new("0001_nickname", "ALTER TABLE users ADD COLUMN nickname TEXT")
///         .with_down("ALTER TABLE users DROP COLUMN nickname"),
/// );
/// verify_migrations_with_state(&db, migrations, async |db| {
///     db.exec_raw("INSERT INTO users (name) VALUES ('ada'), ('grace')").await?;
///     Ok(())
/// })
/// .await?;
/// # Ok(())
/// # }
/// ```
pub async fn verify_migrations_with_state<F>(
    db: &dyn Database,
    migrations: impl MigrationSource + 'static,
    setup: F,
) -> Result<CycleReport>
where
    F: AsyncFn(&dyn Database) -> Result<(), crate::BoxError>,
{
    verify_migrations_with_state_with(db, migrations, setup, &VerifyOptions::default()).await
}

/// [`verify_migrations_with_state`] with a custom tracking table or ignored tables.
pub async fn verify_migrations_with_state_with<F>(
    db: &dyn Database,
    migrations: impl MigrationSource + 'static,
    setup: F,
    options: &VerifyOptions,
) -> Result<CycleReport>
where
    F: AsyncFn(&dyn Database) -> Result<(), crate::BoxError>,
{
    let cycle = Cycle::new(migrations, options);
    cycle.prepare(db, &[]).await?;
    FnStep(setup).call(db).await.map_err(|error| Error::Step {
        step: "the setup".to_owned(),
        error,
    })?;
    cycle.run(db, true, async |_| Ok(())).await
}

/// Runs each mutation right after its migration (see [`MutationProvider`]), with the
/// migrations applied one at a time, then proves that the rollback restores each schema as
/// [`verify_migrations_full_cycle`] does: the `down`s must cope with the data the mutations
/// left.
///
/// ```
/// use switchy_schema::code::{CodeMigration, CodeSource};
/// use switchy_schema_test_utils::{create_empty_in_memory, verify_migrations_with_mutations, Mutations};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// let migrations = CodeSource::new()
///     .with(CodeMigration::new("0001_users", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
///         .with_down("DROP TABLE users"))
///     .with(CodeMigration::new("0002_not_null", "CREATE TABLE posts (user_id INTEGER NOT NULL REFERENCES users (id))")
///         .with_down("DROP TABLE posts"));
/// let mutations = Mutations::new()
///     .sql("0001_users", "INSERT INTO users (name) VALUES ('ada')")
///     .sql("0002_not_null", "INSERT INTO posts (user_id) VALUES (1)");
/// verify_migrations_with_mutations(&db, migrations, mutations).await?;
/// # Ok(())
/// # }
/// ```
pub async fn verify_migrations_with_mutations(
    db: &dyn Database,
    migrations: impl MigrationSource + 'static,
    mutations: impl MutationProvider,
) -> Result<CycleReport> {
    verify_migrations_with_mutations_with(db, migrations, mutations, &VerifyOptions::default())
        .await
}

/// [`verify_migrations_with_mutations`] with a custom tracking table or ignored tables.
pub async fn verify_migrations_with_mutations_with(
    db: &dyn Database,
    migrations: impl MigrationSource + 'static,
    mutations: impl MutationProvider,
    options: &VerifyOptions,
) -> Result<CycleReport> {
    let cycle = Cycle::new(migrations, options);
    let named: Vec<(&str, &str)> = mutations
        .migration_ids()
        .into_iter()
        .map(|id| (id, "a mutation"))
        .collect();
    cycle.prepare(db, &named).await?;
    cycle
        .run(db, false, async |id: &str| {
            for (index, mutation) in mutations.mutations_after(id).into_iter().enumerate() {
                mutation.run(db).await.map_err(|error| Error::Step {
                    step: format!("mutation #{} after `{id}`", index + 1),
                    error,
                })?;
            }
            Ok(())
        })
        .await
}

/// The migrations and options of one verification.
pub(crate) struct Cycle {
    source: Arc<dyn MigrationSource>,
    table_name: String,
    snapshot: SnapshotOptions,
}

impl Cycle {
    pub(crate) fn new(migrations: impl MigrationSource + 'static, options: &VerifyOptions) -> Self {
        Self {
            source: Arc::new(migrations),
            table_name: options.table_name.clone(),
            snapshot: options.snapshot.clone(),
        }
    }

    pub(crate) fn from_parts(
        source: Arc<dyn MigrationSource>,
        table_name: String,
        snapshot: SnapshotOptions,
    ) -> Self {
        Self {
            source,
            table_name,
            snapshot,
        }
    }

    pub(crate) fn runner(&self) -> MigrationRunner {
        MigrationRunner::new(Arc::clone(&self.source)).with_table_name(self.table_name.clone())
    }

    pub(crate) async fn snapshot(&self, db: &dyn Database) -> Result<SchemaSnapshot> {
        SchemaSnapshot::capture_with(db, &self.snapshot).await
    }

    /// The migrations, sorted by id.
    pub(crate) async fn migrations(&self) -> Result<Vec<Arc<dyn Migration>>> {
        let mut migrations = self
            .source
            .migrations()
            .await
            .map_err(|error| Error::migration("loading the migrations", error))?;
        migrations.sort_by(|a, b| a.id().cmp(b.id()));
        Ok(migrations)
    }

    /// Checks that every id in `named` (with what it was given to) is a migration, and
    /// that no migration is applied yet. Returns the sorted ids.
    pub(crate) async fn check(
        &self,
        db: &dyn Database,
        named: &[(&str, &str)],
    ) -> Result<Vec<Arc<dyn Migration>>> {
        let migrations = self.migrations().await?;
        for (id, given_to) in named {
            if !migrations.iter().any(|m| m.id() == *id) {
                return Err(Error::UnknownMigration {
                    id: (*id).to_owned(),
                    given_to: (*given_to).to_owned(),
                    known: migrations.iter().map(|m| m.id().to_owned()).collect(),
                });
            }
        }
        let applied: Vec<String> = self
            .runner()
            .list_migrations(db)
            .await
            .map_err(|error| Error::migration("listing the migrations", error))?
            .into_iter()
            .filter(|info| info.in_source && info.status.is_some())
            .map(|info| info.id)
            .collect();
        if !applied.is_empty() {
            return Err(Error::Unsupported(format!(
                "this check needs a database where no migration of the source is applied yet; applied: {}",
                crate::list(&applied)
            )));
        }
        Ok(migrations)
    }

    /// [`check`](Self::check), and every migration must be reversible.
    async fn prepare(&self, db: &dyn Database, named: &[(&str, &str)]) -> Result<()> {
        let migrations = self.check(db, named).await?;
        let irreversible: Vec<String> = migrations
            .iter()
            .filter(|m| !m.is_reversible())
            .map(|m| m.id().to_owned())
            .collect();
        if !irreversible.is_empty() {
            return Err(Error::Unsupported(format!(
                "an up/down cycle needs every migration to be reversible; without a down: {}",
                crate::list(&irreversible)
            )));
        }
        Ok(())
    }

    pub(crate) async fn apply_up_to(&self, db: &dyn Database, id: &str) -> Result<()> {
        self.runner()
            .with_strategy(ExecutionStrategy::UpTo(id.to_owned()))
            .run(db)
            .await
            .map(drop)
            .map_err(|error| Error::migration(format!("applying `{id}`"), error))
    }

    async fn roll_back_last(&self, db: &dyn Database, id: &str) -> Result<()> {
        let report = self
            .runner()
            .rollback(db, RollbackStrategy::Last)
            .await
            .map_err(|error| Error::migration(format!("rolling back `{id}`"), error))?;
        match report.rolled_back.as_slice() {
            [only] if only.id == id => Ok(()),
            other => Err(Error::Unsupported(format!(
                "rolling back `{id}` rolled back {} instead",
                crate::list(&other.iter().map(|m| m.id.clone()).collect::<Vec<_>>())
            ))),
        }
    }

    /// Applies one by one (calling `after_up` after each), rolls back one by one comparing
    /// schemas (and data, with `check_data`), then applies and rolls back everything again.
    async fn run(
        &self,
        db: &dyn Database,
        check_data: bool,
        after_up: impl AsyncFn(&str) -> Result<()>,
    ) -> Result<CycleReport> {
        let ids: Vec<String> = self
            .migrations()
            .await?
            .iter()
            .map(|m| m.id().to_owned())
            .collect();
        let initial = self.snapshot(db).await?;
        let mut schemas = vec![initial.clone()];
        let mut data = Vec::new();
        if check_data {
            data.push(DataSnapshot::capture(db, &initial).await?);
        }
        let mut after_each = Vec::with_capacity(ids.len());
        for id in &ids {
            self.apply_up_to(db, id).await?;
            after_up(id.as_str()).await?;
            let schema = self.snapshot(db).await?;
            if check_data {
                data.push(DataSnapshot::capture(db, &schema).await?);
            }
            schemas.push(schema.clone());
            after_each.push((id.clone(), schema));
        }

        for (index, id) in ids.iter().enumerate().rev() {
            self.roll_back_last(db, id).await?;
            let step = format!("rolling back `{id}`");
            let schema = self.snapshot(db).await?;
            let diff = schemas[index].diff_labeled(&schema, "after down");
            if !diff.is_empty() {
                return Err(Error::SchemaMismatch { step, diff });
            }
            if check_data {
                let now = DataSnapshot::capture(db, &schema).await?;
                let diff = data[index].diff(&now, "after down");
                if !diff.is_empty() {
                    return Err(Error::DataMismatch { step, diff });
                }
            }
        }

        if !ids.is_empty() {
            self.runner().run(db).await.map_err(|error| {
                Error::migration(
                    "applying every migration again after rolling all back",
                    error,
                )
            })?;
            let again = self.snapshot(db).await?;
            let diff = schemas[ids.len()].diff_labeled(&again, "after re-applying");
            if !diff.is_empty() {
                return Err(Error::SchemaMismatch {
                    step: "applying every migration again after rolling all back".to_owned(),
                    diff,
                });
            }
            self.runner()
                .rollback(db, RollbackStrategy::Steps(ids.len()))
                .await
                .map_err(|error| Error::migration("rolling back everything again", error))?;
            let end = self.snapshot(db).await?;
            let diff = initial.diff_labeled(&end, "after the second rollback");
            if !diff.is_empty() {
                return Err(Error::SchemaMismatch {
                    step: "rolling back everything again".to_owned(),
                    diff,
                });
            }
        }
        Ok(CycleReport {
            initial,
            after_each,
        })
    }
}

/// Applies the migrations one at a time and returns the schema after each, for snapshot
/// tests (see the crate docs). Leaves them applied.
///
/// ```
/// use switchy_schema::code::{CodeMigration, CodeSource};
/// use switchy_schema_test_utils::{create_empty_in_memory, schema_history};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// let migrations = CodeSource::new()
///     .with(CodeMigration::new("0001_users", "CREATE TABLE users (id INTEGER PRIMARY KEY)"))
///     .with(CodeMigration::new("0002_email", "ALTER TABLE users ADD COLUMN email TEXT"));
/// let history = schema_history(&db, migrations).await?;
/// assert_eq!(history.ids().collect::<Vec<_>>(), ["0001_users", "0002_email"]);
/// assert_eq!(
///     history.schema_after("0002_email").unwrap().to_string(),
///     "table users\n  column email: text NULL\n  column id: integer NULL\n  primary key (id)\n"
/// );
/// // In a test: for (id, schema) in &history.after_each { insta::assert_snapshot!(id.as_str(), schema.to_string()) }
/// # Ok(())
/// # }
/// ```
pub async fn schema_history(
    db: &dyn Database,
    migrations: impl MigrationSource + 'static,
) -> Result<CycleReport> {
    schema_history_with(db, migrations, &VerifyOptions::default()).await
}

/// [`schema_history`] with a custom tracking table or ignored tables.
pub async fn schema_history_with(
    db: &dyn Database,
    migrations: impl MigrationSource + 'static,
    options: &VerifyOptions,
) -> Result<CycleReport> {
    let cycle = Cycle::new(migrations, options);
    let migrations = cycle.check(db, &[]).await?;
    let initial = cycle.snapshot(db).await?;
    let mut after_each = Vec::with_capacity(migrations.len());
    for migration in &migrations {
        cycle.apply_up_to(db, migration.id()).await?;
        after_each.push((migration.id().to_owned(), cycle.snapshot(db).await?));
    }
    Ok(CycleReport {
        initial,
        after_each,
    })
}
