//! Code migrations: migrations written in Rust, from SQL strings or async closures.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;

use crate::checksum::{EMPTY_CHECKSUM, checksum};
use crate::database::{Database, Dialect};
use crate::error::{Error, Result};
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
///
/// Ids follow the rule of folder names: an id that is empty, starts or ends with whitespace,
/// or holds a control character (a newline, a tab, NUL) makes
/// [`migrations`](MigrationSource::migrations), and so every run, fail with
/// [`Error::InvalidMigrationId`] before anything touches the database. Databases compare
/// such ids loosely (MariaDB's PAD SPACE collations take `x` and `x ` for the same primary
/// key), and they are invisible in listings.
///
/// ```
/// use switchy_schema::code::{CodeMigration, CodeSource};
/// use switchy_schema::{Error, MigrationSource};
///
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() {
/// let source = CodeSource::new().with(CodeMigration::new("0001_users ", "CREATE TABLE users (id INT)"));
/// let error = source.migrations().await.err().expect("rejected");
/// assert!(matches!(error, Error::InvalidMigrationId { .. }));
/// assert!(error.to_string().starts_with(r#"invalid migration id "0001_users ": it ends with whitespace"#));
/// # }
/// ```
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
    /// Every migration added, or [`Error::InvalidMigrationId`] for the first one (in the
    /// order they were added) whose id breaks the rule above.
    async fn migrations(&self) -> Result<Vec<Arc<dyn Migration>>> {
        for migration in &self.migrations {
            let id = migration.id();
            if let Some(reason) = switchy_schema_grammar::invalid_id_characters(id) {
                return Err(Error::InvalidMigrationId {
                    id: id.to_owned(),
                    reason,
                });
            }
        }
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn load(ids: &[&str]) -> Result<Vec<String>> {
        let mut source = CodeSource::new();
        for id in ids {
            source.add(CodeMigration::new(*id, "SELECT 1"));
        }
        let migrations = source.migrations().await?;
        Ok(migrations.iter().map(|m| m.id().to_owned()).collect())
    }

    #[tokio::test]
    async fn ids_with_whitespace_or_control_characters_are_rejected() {
        assert_eq!(
            load(&["0001_a", "0002 b"]).await.expect("valid"),
            ["0001_a", "0002 b"]
        );
        let cases = [
            ("0001_a ", "it ends with whitespace"),
            (" 0001_a", "it starts with whitespace"),
            ("0001_a\n", "it holds the control character '\\n' (U+000A)"),
            ("0001\t_a", "it holds the control character '\\t' (U+0009)"),
            ("0001_a\0", "it holds the control character '\\0' (U+0000)"),
            ("", "it is empty"),
        ];
        for (id, expected) in cases {
            // The bad id comes second: every id is checked, not only the first.
            match load(&["0000_ok", id]).await {
                Err(Error::InvalidMigrationId { id: found, reason }) => {
                    assert_eq!(found, id);
                    assert_eq!(reason, expected, "{id:?}");
                }
                other => panic!("{id:?}: expected InvalidMigrationId, got {other:?}"),
            }
        }
        let error = load(&["0001_a\n"]).await.expect_err("rejected");
        assert_eq!(
            error.to_string(),
            "invalid migration id \"0001_a\\n\": it holds the control character '\\n' (U+000A); an id may not start or end with whitespace, nor hold control characters"
        );
    }
}
