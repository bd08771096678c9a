//! [`Migrations`]: the static list `embed_migrations!` builds.

use std::fmt;
use std::sync::{Arc, OnceLock};

use async_trait::async_trait;

use crate::database::Database;
use crate::error::Result;
use crate::migration::{Migration, MigrationSource};
use crate::report::RunReport;
use crate::runner::MigrationRunner;
use crate::sql_migration::EmbeddedMigration;

/// Migrations embedded in the binary: what `embed_migrations!("migrations")` expands to.
///
/// A plain `static` of data, sorted by id: constructing it costs nothing at start-up and the
/// runtime never hashes a file (checksums are computed at compile time). The only way to
/// build one is the macro, so every `Migrations` passed the checks of the folder grammar.
///
/// With the macro (feature `macros`, on by default):
///
/// ```
/// # #[cfg(feature = "macros")] {
/// use switchy_schema::{Dialect, Migrations, TransactionMode};
///
/// // Relative to this crate's Cargo.toml; an application's is usually "migrations".
/// static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("../tests/fixtures/basic");
///
/// assert_eq!(MIGRATIONS.len(), 3);
/// let first = MIGRATIONS.iter().next().unwrap();
/// assert_eq!(first.id(), "0001_create_users");
/// assert_eq!(
///     first.up_origin(Dialect::Sqlite),
///     "../tests/fixtures/basic/0001_create_users/up.sql"
/// );
/// assert!(first.up_sql(Dialect::Sqlite).unwrap().starts_with("CREATE TABLE users"));
/// assert_eq!(first.transaction_mode(), TransactionMode::Transactional);
/// # }
/// ```
///
/// Applying them on the pool the application already has:
///
/// ```
/// # #[cfg(feature = "macros")]
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// static MIGRATIONS: switchy_schema::Migrations =
///     switchy_schema::embed_migrations!("../tests/fixtures/basic", require_down = true);
///
/// let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
/// let report = MIGRATIONS.run(&pool).await?;
/// assert_eq!(report.applied.len(), 3);
/// # Ok(())
/// # }
/// # #[cfg(not(feature = "macros"))]
/// # fn main() {}
/// ```
pub struct Migrations {
    list: &'static [EmbeddedMigration],
    /// The list as trait objects, built the first time a run has something to do: a
    /// start-up with everything applied checks `list` itself and allocates nothing per
    /// migration.
    shared: OnceLock<Vec<Arc<dyn Migration>>>,
}

impl fmt::Debug for Migrations {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Migrations")
            .field("list", &self.list)
            .finish_non_exhaustive()
    }
}

impl Migrations {
    /// The migrations in id order, as the runner sees them: id, description, the SQL and
    /// origin (file path) of each dialect, checksums and transaction mode.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &'static dyn Migration> + use<> {
        self.list
            .iter()
            .map(|migration| migration as &'static dyn Migration)
    }

    /// How many migrations there are.
    #[must_use]
    pub const fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    #[must_use]
    pub const fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// A runner over these migrations, for options (strategy, hooks, dry run, ...).
    #[must_use]
    pub fn runner(&'static self) -> MigrationRunner {
        MigrationRunner::new(self)
    }

    /// Applies every pending migration with the default options; see [`MigrationRunner`].
    pub async fn run(&'static self, db: &dyn Database) -> Result<RunReport> {
        self.runner().run(db).await
    }
}

#[async_trait]
impl MigrationSource for Migrations {
    async fn migrations(&self) -> Result<Vec<Arc<dyn Migration>>> {
        Ok(self
            .shared
            .get_or_init(|| {
                self.list
                    .iter()
                    .map(|migration| Arc::new(*migration) as Arc<dyn Migration>)
                    .collect()
            })
            .clone())
    }

    fn embedded(&self) -> Option<&'static [EmbeddedMigration]> {
        Some(self.list)
    }
}

/// Wraps a static list, sorted by id, as the macro emits it. Not public: a list built by
/// hand would skip the checks of the folder grammar.
#[must_use]
pub const fn migrations(list: &'static [EmbeddedMigration]) -> Migrations {
    Migrations {
        list,
        shared: OnceLock::new(),
    }
}

/// The list inside `migrations`, for this project's tests.
#[must_use]
pub fn embedded_list(migrations: &Migrations) -> &'static [EmbeddedMigration] {
    migrations.list
}
