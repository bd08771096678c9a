//! Code migrations: migrations written in Rust, from SQL strings or async closures.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;

use crate::checksum::{EMPTY_CHECKSUM, checksum};
use crate::database::{Database, Dialect};
use crate::error::Result;
use crate::migration::{Migration, MigrationSource, TransactionMode};

/// Something a code migration can run: SQL text, or an async closure.
#[async_trait]
pub trait Executable: Send + Sync {
    /// Runs it.
    async fn execute(&self, db: &dyn Database) -> Result<()>;

    /// The SQL text, when it is SQL: used for the checksum and for dry runs.
    fn sql(&self) -> Option<&str> {
        None
    }
}

#[async_trait]
impl Executable for &'static str {
    async fn execute(&self, db: &dyn Database) -> Result<()> {
        crate::sql_migration::run_sql(self, TransactionMode::Transactional, db).await
    }
    fn sql(&self) -> Option<&str> {
        Some(self)
    }
}

#[async_trait]
impl Executable for String {
    async fn execute(&self, db: &dyn Database) -> Result<()> {
        crate::sql_migration::run_sql(self, TransactionMode::Transactional, db).await
    }
    fn sql(&self) -> Option<&str> {
        Some(self)
    }
}

/// A boxed future borrowing the database, as returned by [`from_fn`] closures.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An [`Executable`] made from an async closure; see [`from_fn`].
pub struct FnExecutable<F>(F);

/// Turns `f` into an [`Executable`].
///
/// ```
/// use switchy_schema::code::{from_fn, CodeMigration};
///
/// let migration = CodeMigration::new(
///     "0002_seed",
///     from_fn(|db| Box::pin(async move {
///         db.execute("INSERT INTO settings (key) VALUES (?)", &["theme".into()]).await?;
///         Ok(())
///     })),
/// );
/// # let _ = migration;
/// ```
pub fn from_fn<F>(f: F) -> FnExecutable<F>
where
    F: for<'a> Fn(&'a dyn Database) -> BoxFuture<'a, Result<()>> + Send + Sync,
{
    FnExecutable(f)
}

#[async_trait]
impl<F> Executable for FnExecutable<F>
where
    F: for<'a> Fn(&'a dyn Database) -> BoxFuture<'a, Result<()>> + Send + Sync,
{
    async fn execute(&self, db: &dyn Database) -> Result<()> {
        (self.0)(db).await
    }
}

/// A migration written in Rust.
///
/// Its checksum is that of its SQL text when `up`/`down` are SQL; a closure has no text,
/// so changes to it are not detected as drift.
pub struct CodeMigration {
    id: String,
    description: Option<String>,
    up: Box<dyn Executable>,
    down: Option<Box<dyn Executable>>,
    transaction_mode: TransactionMode,
    up_checksum: String,
    down_checksum: String,
}

impl CodeMigration {
    /// An irreversible migration named `id` that runs `up`.
    pub fn new(id: impl Into<String>, up: impl Executable + 'static) -> Self {
        let up_checksum = up.sql().map_or_else(|| EMPTY_CHECKSUM.to_owned(), checksum);
        Self {
            id: id.into(),
            description: None,
            up: Box::new(up),
            down: None,
            transaction_mode: TransactionMode::Transactional,
            up_checksum,
            down_checksum: EMPTY_CHECKSUM.to_owned(),
        }
    }

    /// Makes it reversible with `down`.
    #[must_use]
    pub fn with_down(mut self, down: impl Executable + 'static) -> Self {
        self.down_checksum = down
            .sql()
            .map_or_else(|| EMPTY_CHECKSUM.to_owned(), checksum);
        self.down = Some(Box::new(down));
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the transaction mode (default: [`TransactionMode::Transactional`]).
    #[must_use]
    pub fn with_transaction_mode(mut self, mode: TransactionMode) -> Self {
        self.transaction_mode = mode;
        self
    }
}

#[async_trait]
impl Migration for CodeMigration {
    fn id(&self) -> &str {
        &self.id
    }
    async fn up(&self, db: &dyn Database) -> Result<()> {
        self.up.execute(db).await
    }
    fn is_reversible(&self) -> bool {
        self.down.is_some()
    }
    async fn down(&self, db: &dyn Database) -> Result<()> {
        match &self.down {
            Some(down) => down.execute(db).await,
            None => Err(crate::Error::Irreversible(self.id.clone())),
        }
    }
    fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    fn up_checksum(&self, _dialect: Dialect) -> Cow<'_, str> {
        Cow::Borrowed(&self.up_checksum)
    }
    fn down_checksum(&self, _dialect: Dialect) -> Cow<'_, str> {
        Cow::Borrowed(&self.down_checksum)
    }
    fn up_sql(&self, _dialect: Dialect) -> Option<&str> {
        self.up.sql()
    }
    fn down_sql(&self, _dialect: Dialect) -> Option<&str> {
        self.down.as_ref().and_then(|down| down.sql())
    }
    fn transaction_mode(&self) -> TransactionMode {
        self.transaction_mode
    }
}

/// A [`MigrationSource`] of code migrations.
#[derive(Default)]
pub struct CodeSource {
    migrations: Vec<Arc<dyn Migration>>,
}

impl CodeSource {
    /// An empty source.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds a migration.
    #[must_use]
    pub fn with(mut self, migration: impl Migration + 'static) -> Self {
        self.migrations.push(Arc::new(migration));
        self
    }

    /// Adds a migration.
    pub fn add(&mut self, migration: impl Migration + 'static) {
        self.migrations.push(Arc::new(migration));
    }
}

#[async_trait]
impl MigrationSource for CodeSource {
    async fn migrations(&self) -> Result<Vec<Arc<dyn Migration>>> {
        Ok(self.migrations.clone())
    }
}

#[async_trait]
impl<T: MigrationSource + ?Sized> MigrationSource for &T {
    async fn migrations(&self) -> Result<Vec<Arc<dyn Migration>>> {
        (**self).migrations().await
    }
}

#[async_trait]
impl<T: MigrationSource + ?Sized> MigrationSource for Arc<T> {
    async fn migrations(&self) -> Result<Vec<Arc<dyn Migration>>> {
        (**self).migrations().await
    }
}
