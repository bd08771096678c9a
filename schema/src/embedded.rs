//! [`Migrations`]: the static list `embed_migrations!` builds.

use std::sync::Arc;

use async_trait::async_trait;

use crate::database::Database;
use crate::error::Result;
use crate::migration::{Migration, MigrationSource};
use crate::report::RunReport;
use crate::runner::MigrationRunner;
use crate::sql_migration::SqlMigration;

/// Migrations embedded in the binary: what `embed_migrations!("migrations")` expands to.
///
/// A plain `static` of data, sorted by id: constructing it costs nothing at start-up and the
/// runtime never hashes a file (checksums are computed ahead of time).
///
/// ```
/// use switchy_schema::{Migrations, SqlFile, SqlMigration, TransactionMode};
///
/// static MIGRATIONS: Migrations = Migrations::new(&[SqlMigration::embedded(
///     "0001_users",
///     None,
///     &[SqlFile::embedded(
///         None,
///         "migrations/0001_users/up.sql",
///         "CREATE TABLE users (id INTEGER PRIMARY KEY);",
///         "2f5c6ad5d3e3c8a4a6e0f5bd1e1c0de2b9e9a4c9b0b62c1b1f1b3a0f5a4b6c7d",
///     )],
///     &[],
///     TransactionMode::Transactional,
/// )]);
/// assert_eq!(MIGRATIONS.len(), 1);
/// ```
#[derive(Debug, Clone, Copy)]
pub struct Migrations {
    list: &'static [SqlMigration],
}

impl Migrations {
    /// Wraps a static list. Order does not matter: the runner sorts by id.
    #[must_use]
    pub const fn new(list: &'static [SqlMigration]) -> Self {
        Self { list }
    }

    /// The migrations, as given.
    #[must_use]
    pub const fn as_slice(&self) -> &'static [SqlMigration] {
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
            .list
            .iter()
            .map(|migration| Arc::new(migration.clone()) as Arc<dyn Migration>)
            .collect())
    }
}
