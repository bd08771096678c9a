//! Code migrations: migrations written in Rust, from schema builders, SQL strings or async
//! closures.

use std::borrow::Cow;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use async_trait::async_trait;

use crate::checksum::{EMPTY_CHECKSUM, checksum};
use crate::database::{Database, Dialect};
use crate::error::{Error, Result};
use crate::migration::{Migration, MigrationSource, TransactionMode};

/// Something a code migration can run: SQL text, a schema builder, a list of them, or an
/// async closure.
#[async_trait]
pub trait Executable: Send + Sync {
    /// Runs it.
    async fn execute(&self, db: &dyn Database) -> Result<()>;

    /// Runs it as (part of) a migration whose transaction mode is `mode`. The default runs
    /// [`execute`](Self::execute); SQL text overrides it so that, outside a transaction,
    /// PostgreSQL gets its statements one at a time (`CREATE INDEX CONCURRENTLY` needs
    /// that).
    async fn execute_in(&self, db: &dyn Database, mode: TransactionMode) -> Result<()> {
        let _ = mode;
        self.execute(db).await
    }

    /// What it runs on `dialect`, as SQL text: stored as the migration's checksum and shown
    /// by dry runs. `None` (the default) for code without text, such as closures.
    ///
    /// SQL text answers itself on every dialect; a schema builder answers its statements
    /// for `dialect`, an operation whose statements depend on the database (a SQLite table
    /// rebuild) as a SQL comment describing it, and an operation `dialect` cannot express
    /// as a comment holding the error.
    fn sql(&self, dialect: Dialect) -> Option<Cow<'_, str>> {
        let _ = dialect;
        None
    }

    /// Boxes it, to mix kinds in one list: `vec![create_table(..).boxed(), "..".boxed()]`.
    fn boxed(self) -> Box<dyn Executable>
    where
        Self: Sized + 'static,
    {
        Box::new(self)
    }
}

#[async_trait]
impl Executable for &'static str {
    async fn execute(&self, db: &dyn Database) -> Result<()> {
        crate::sql_migration::run_sql(self, TransactionMode::Transactional, db).await
    }
    async fn execute_in(&self, db: &dyn Database, mode: TransactionMode) -> Result<()> {
        crate::sql_migration::run_sql(self, mode, db).await
    }
    fn sql(&self, _dialect: Dialect) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self))
    }
}

#[async_trait]
impl Executable for String {
    async fn execute(&self, db: &dyn Database) -> Result<()> {
        crate::sql_migration::run_sql(self, TransactionMode::Transactional, db).await
    }
    async fn execute_in(&self, db: &dyn Database, mode: TransactionMode) -> Result<()> {
        crate::sql_migration::run_sql(self, mode, db).await
    }
    fn sql(&self, _dialect: Dialect) -> Option<Cow<'_, str>> {
        Some(Cow::Borrowed(self))
    }
}

#[async_trait]
impl Executable for Box<dyn Executable> {
    async fn execute(&self, db: &dyn Database) -> Result<()> {
        (**self).execute(db).await
    }
    async fn execute_in(&self, db: &dyn Database, mode: TransactionMode) -> Result<()> {
        (**self).execute_in(db, mode).await
    }
    fn sql(&self, dialect: Dialect) -> Option<Cow<'_, str>> {
        (**self).sql(dialect)
    }
}

/// A list runs its items in order; its text is theirs, one after the other, and it has
/// none when one of them has none (a closure).
#[async_trait]
impl<E: Executable> Executable for Vec<E> {
    async fn execute(&self, db: &dyn Database) -> Result<()> {
        for item in self {
            item.execute(db).await?;
        }
        Ok(())
    }
    async fn execute_in(&self, db: &dyn Database, mode: TransactionMode) -> Result<()> {
        for item in self {
            item.execute_in(db, mode).await?;
        }
        Ok(())
    }
    fn sql(&self, dialect: Dialect) -> Option<Cow<'_, str>> {
        let mut text = String::new();
        for item in self {
            let sql = item.sql(dialect)?;
            if sql.trim().is_empty() {
                continue;
            }
            if !text.is_empty() {
                // Keeps the items apart when SQL text was written without a final `;`.
                if !text.trim_end().ends_with(';') {
                    text.push(';');
                }
                text.push('\n');
            }
            text.push_str(&sql);
        }
        Some(Cow::Owned(text))
    }
}

/// A boxed future borrowing the database, as returned by [`from_fn`] closures.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// An [`Executable`] made from an async closure; see [`from_fn`].
pub struct FnExecutable<F>(F);

/// Turns `f` into an [`Executable`].
///
/// ```
/// use switchy_schema::code::{from_fn, CodeMigration, Executable};
/// use switchy_schema::schema::{alter_table, Column, ColumnType};
///
/// let migration = CodeMigration::new(
///     "0002_seed",
///     from_fn(|db| Box::pin(async move {
///         alter_table("settings")
///             .add_column(Column::new("theme", ColumnType::Text))
///             .execute(db)
///             .await?;
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

/// A closure `db -> future` whose future may borrow `db` and is `Send`: what
/// [`from_async_fn`] requires of an async closure (stable Rust cannot yet name the future
/// of an [`AsyncFn`] to require `Send` of it). Implemented for every such closure; never
/// implement it yourself.
pub trait MigrationFn<'a>: Send + Sync {
    /// The future a call returns.
    type Future: Future<Output = Result<()>> + Send + 'a;

    /// Calls the closure.
    fn call(&self, db: &'a dyn Database) -> Self::Future;
}

impl<'a, F, Fut> MigrationFn<'a> for F
where
    F: Fn(&'a dyn Database) -> Fut + Send + Sync,
    Fut: Future<Output = Result<()>> + Send + 'a,
{
    type Future = Fut;

    fn call(&self, db: &'a dyn Database) -> Fut {
        self(db)
    }
}

/// An [`Executable`] made from an async closure; see [`from_async_fn`].
pub struct AsyncFnExecutable<F>(F);

/// Turns a Rust 2024 async closure `async |db| { ...; Ok(()) }` into an [`Executable`],
/// with no `Box::pin`.
///
/// The closure should not capture state from its environment (use constants): an async
/// closure that does is, in most cases, not an `Fn`, which this needs, and the compiler
/// says "async closure does not implement `Fn` because it captures state from its
/// environment". A closure that needs captured state can use [`from_fn`].
///
/// ```
/// use switchy_schema::code::{from_async_fn, CodeMigration, Executable};
/// use switchy_schema::schema::{alter_table, Column, ColumnType};
///
/// let migration = CodeMigration::new(
///     "0002_theme",
///     from_async_fn(async |db| {
///         alter_table("settings")
///             .add_column(Column::new("theme", ColumnType::Text))
///             .execute(db)
///             .await?;
///         db.execute("UPDATE settings SET theme = ?", &["dark".into()]).await?;
///         Ok(())
///     }),
/// );
/// # let _ = migration;
/// ```
pub fn from_async_fn<F>(f: F) -> AsyncFnExecutable<F>
where
    F: AsyncFn(&dyn Database) -> Result<()> + for<'a> MigrationFn<'a>,
{
    AsyncFnExecutable(f)
}

#[async_trait]
impl<F> Executable for AsyncFnExecutable<F>
where
    F: for<'a> MigrationFn<'a>,
{
    async fn execute(&self, db: &dyn Database) -> Result<()> {
        self.0.call(db).await
    }
}

/// What one side (`up` or `down`) of a code migration runs, with its text and checksum on
/// each dialect, computed once.
struct Side {
    executable: Box<dyn Executable>,
    /// Indexed like [`Dialect::ALL`].
    sql: [Option<String>; 3],
    checksums: [String; 3],
}

impl Side {
    fn new(executable: Box<dyn Executable>) -> Self {
        let sql = Dialect::ALL.map(|dialect| executable.sql(dialect).map(Cow::into_owned));
        let checksums = sql.each_ref().map(|sql| {
            sql.as_deref()
                .map_or_else(|| EMPTY_CHECKSUM.to_owned(), checksum)
        });
        Self {
            executable,
            sql,
            checksums,
        }
    }

    fn sql(&self, dialect: Dialect) -> Option<&str> {
        self.sql[dialect_index(dialect)].as_deref()
    }

    fn checksum(&self, dialect: Dialect) -> &str {
        &self.checksums[dialect_index(dialect)]
    }
}

/// The position of `dialect` in [`Dialect::ALL`].
fn dialect_index(dialect: Dialect) -> usize {
    match dialect {
        Dialect::MySql => 0,
        Dialect::Postgres => 1,
        Dialect::Sqlite => 2,
    }
}

/// A migration written in Rust.
///
/// Its checksum on each dialect is that of its text there ([`Executable::sql`]): SQL text
/// is the same everywhere, a schema builder renders per dialect. A closure has no text, so
/// changes to it are not detected as drift. Editing an applied builder migration is drift,
/// as editing its SQL would be; so would a future version of the builder that renders the
/// same builder differently, which its release notes would call out (accept it with
/// `rebless_checksums`).
pub struct CodeMigration {
    id: String,
    description: Option<String>,
    up: Side,
    down: Option<Side>,
    transaction_mode: TransactionMode,
}

impl CodeMigration {
    /// An irreversible migration named `id` that runs `up`.
    pub fn new(id: impl Into<String>, up: impl Executable + 'static) -> Self {
        Self {
            id: id.into(),
            description: None,
            up: Side::new(Box::new(up)),
            down: None,
            transaction_mode: TransactionMode::Transactional,
        }
    }

    /// Makes it reversible with `down`.
    #[must_use]
    pub fn with_down(mut self, down: impl Executable + 'static) -> Self {
        self.down = Some(Side::new(Box::new(down)));
        self
    }

    /// Sets the description.
    #[must_use]
    pub fn with_description(mut self, description: impl Into<String>) -> Self {
        self.description = Some(description.into());
        self
    }

    /// Sets the transaction mode (default: [`TransactionMode::Transactional`]). With
    /// [`TransactionMode::NoTransaction`], SQL text runs as a migration folder's file with
    /// `run_in_transaction = false` does: on PostgreSQL one statement at a time.
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
        self.up
            .executable
            .execute_in(db, self.transaction_mode)
            .await
    }
    fn is_reversible(&self) -> bool {
        self.down.is_some()
    }
    async fn down(&self, db: &dyn Database) -> Result<()> {
        match &self.down {
            Some(down) => down.executable.execute_in(db, self.transaction_mode).await,
            None => Err(crate::Error::Irreversible(self.id.clone())),
        }
    }
    fn description(&self) -> Option<&str> {
        self.description.as_deref()
    }
    fn up_checksum(&self, dialect: Dialect) -> Cow<'_, str> {
        Cow::Borrowed(self.up.checksum(dialect))
    }
    fn down_checksum(&self, dialect: Dialect) -> Cow<'_, str> {
        Cow::Borrowed(
            self.down
                .as_ref()
                .map_or(EMPTY_CHECKSUM, |down| down.checksum(dialect)),
        )
    }
    fn up_sql(&self, dialect: Dialect) -> Option<&str> {
        self.up.sql(dialect)
    }
    fn down_sql(&self, dialect: Dialect) -> Option<&str> {
        self.down.as_ref().and_then(|down| down.sql(dialect))
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
    fn embedded(&self) -> Option<&'static [crate::sql_migration::EmbeddedMigration]> {
        (**self).embedded()
    }
}

#[async_trait]
impl<T: MigrationSource + ?Sized> MigrationSource for Arc<T> {
    async fn migrations(&self) -> Result<Vec<Arc<dyn Migration>>> {
        (**self).migrations().await
    }
    fn embedded(&self) -> Option<&'static [crate::sql_migration::EmbeddedMigration]> {
        (**self).embedded()
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

    #[test]
    fn text_and_checksums_per_dialect() {
        // SQL text keeps the checksum it always had, on every dialect.
        let text = CodeMigration::new("0001_a", "CREATE TABLE a (id INT)");
        for dialect in Dialect::ALL {
            assert_eq!(
                text.up_checksum(dialect),
                checksum("CREATE TABLE a (id INT)")
            );
            assert_eq!(text.down_checksum(dialect), EMPTY_CHECKSUM);
        }
        // A list is its items' text, kept apart by `;`.
        let list = CodeMigration::new(
            "0002_b",
            vec![
                "CREATE TABLE b (id INT)".boxed(),
                crate::schema::drop_table("a").boxed(),
            ],
        );
        assert_eq!(
            list.up_sql(Dialect::MySql),
            Some("CREATE TABLE b (id INT);\nDROP TABLE `a`;")
        );
        assert_eq!(
            list.up_sql(Dialect::Postgres),
            Some("CREATE TABLE b (id INT);\nDROP TABLE \"a\";")
        );
        assert_ne!(
            list.up_checksum(Dialect::MySql),
            list.up_checksum(Dialect::Postgres)
        );
        // A closure in the list leaves it without text.
        let closure = CodeMigration::new(
            "0003_c",
            vec![
                "SELECT 1".boxed(),
                from_fn(|_| Box::pin(async { Ok(()) })).boxed(),
            ],
        );
        assert_eq!(closure.up_sql(Dialect::Sqlite), None);
        assert_eq!(closure.up_checksum(Dialect::Sqlite), EMPTY_CHECKSUM);
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
