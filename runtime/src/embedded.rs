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
/// runtime never hashes a file (checksums are computed ahead of time).
///
/// With the macro (feature `macros`, on by default):
///
/// ```
/// # #[cfg(feature = "macros")] {
/// use switchy_schema::{Migrations, TransactionMode};
///
/// // Relative to this crate's Cargo.toml; an application's is usually "migrations".
/// static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("../tests/fixtures/basic");
///
/// let first = &MIGRATIONS.as_slice()[0];
/// assert_eq!(first.id, "0001_create_users");
/// assert_eq!(first.up[0].path, "../tests/fixtures/basic/0001_create_users/up.sql");
/// assert!(first.up[0].sql.starts_with("CREATE TABLE users"));
/// assert_eq!(first.up[0].checksum, switchy_schema::checksum::checksum(first.up[0].sql));
/// assert_eq!(first.transaction_mode, TransactionMode::Transactional);
/// assert_eq!(MIGRATIONS.len(), 3);
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
///
/// What the macro emits, written by hand (without the macro, `Migrations::new` can be
/// called directly):
///
/// ```
/// use switchy_schema::{EmbeddedFile, EmbeddedMigration, Migrations, TransactionMode};
///
/// static MIGRATIONS: Migrations = Migrations::new(&[EmbeddedMigration {
///     id: "0001_users",
///     description: None,
///     up: &[EmbeddedFile {
///         dialect: None,
///         path: "migrations/0001_users/up.sql",
///         sql: "CREATE TABLE users (id INTEGER PRIMARY KEY);\n",
///         // switchy_schema::checksum::checksum of `sql`
///         checksum: "6869107c4910d8df4680ee89aff9924b65ae79c81b5b78478f2b12f90254f6c5",
///     }],
///     down: &[],
///     transaction_mode: TransactionMode::Transactional,
/// }]);
/// assert_eq!(MIGRATIONS.len(), 1);
/// ```
pub struct Migrations {
    list: &'static [EmbeddedMigration],
    /// The list as trait objects, built on first use: a start-up allocates nothing per
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
    /// Wraps a static list. Order does not matter: the runner sorts by id.
    #[must_use]
    pub const fn new(list: &'static [EmbeddedMigration]) -> Self {
        Self {
            list,
            shared: OnceLock::new(),
        }
    }

    /// The migrations, as given.
    #[must_use]
    pub const fn as_slice(&self) -> &'static [EmbeddedMigration] {
        self.list
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
}
