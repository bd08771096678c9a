//! SQL migrations: what the directory source reads ([`SqlMigration`]) and what
//! `embed_migrations!` emits ([`EmbeddedMigration`], plain `'static` data), and how both run.

use std::borrow::Cow;

use async_trait::async_trait;

use crate::checksum::EMPTY_CHECKSUM;
use crate::database::{Database, Dialect};
use crate::error::Result;
use crate::migration::{Migration, TransactionMode};

/// One SQL file of a migration read at run time: `up.sql`, or a dialect override such as
/// `up.postgres.sql`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFile {
    /// `None` for `up.sql` / `down.sql`; the dialect of an override file.
    pub dialect: Option<Dialect>,
    /// The path shown in errors, relative to the crate or the directory given:
    /// `migrations/0001_users/up.sql`.
    pub path: Cow<'static, str>,
    /// The file's text.
    pub sql: Cow<'static, str>,
    /// The checksum of `sql` (lowercase hex SHA-256 with `\r\n` read as `\n`), computed
    /// ahead of time.
    pub checksum: Cow<'static, str>,
    /// The dialects on which `sql` is known to hold no top-level transaction control (see
    /// [`Migration::up_checked_for_transaction_control`]): the runner does not read it
    /// again for that check on them. The directory source fills it from its own check of
    /// the folder; empty from [`SqlFile::owned`], so the runner checks on every dialect.
    /// Whoever sets it vouches for it.
    pub no_transaction_control: Cow<'static, [Dialect]>,
}

impl SqlFile {
    /// A file read at run time; computes the checksum.
    #[must_use]
    pub fn owned(dialect: Option<Dialect>, path: String, sql: String) -> Self {
        let checksum = crate::checksum::checksum(&sql);
        Self {
            dialect,
            path: Cow::Owned(path),
            sql: Cow::Owned(sql),
            checksum: Cow::Owned(checksum),
            no_transaction_control: Cow::Borrowed(&[]),
        }
    }
}

/// A migration made of SQL files, as the directory source reads it from a folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlMigration {
    /// The folder name.
    pub id: Cow<'static, str>,
    /// From `metadata.toml`'s `description`, if any.
    pub description: Option<Cow<'static, str>>,
    /// `up.sql` first, then its dialect overrides in [`Dialect::ALL`] order.
    pub up: Cow<'static, [SqlFile]>,
    /// `down.sql` first, then its overrides; empty when irreversible.
    pub down: Cow<'static, [SqlFile]>,
    /// From `metadata.toml`'s `run_in_transaction`.
    pub transaction_mode: TransactionMode,
}

impl SqlMigration {
    /// The `up` file that runs on `dialect`.
    #[must_use]
    pub fn up_file(&self, dialect: Dialect) -> Option<&SqlFile> {
        pick(&self.up, dialect, |file| file.dialect)
    }

    /// The `down` file that runs on `dialect`, if reversible there.
    #[must_use]
    pub fn down_file(&self, dialect: Dialect) -> Option<&SqlFile> {
        pick(&self.down, dialect, |file| file.dialect)
    }
}

/// One SQL file embedded at compile time; see [`EmbeddedMigration`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedFile {
    /// `None` for `up.sql` / `down.sql`; the dialect of an override file.
    pub dialect: Option<Dialect>,
    /// The path shown in errors, relative to the crate: `migrations/0001_users/up.sql`.
    pub path: &'static str,
    /// The file's text.
    pub sql: &'static str,
    /// The checksum of `sql`, computed at compile time.
    pub checksum: &'static str,
    /// The dialects on which `embed_migrations!` found no top-level transaction control in
    /// `sql` (see [`Migration::up_checked_for_transaction_control`]), so that the runner does
    /// not read the text again for that check on them. Whoever sets it vouches for it.
    pub no_transaction_control: &'static [Dialect],
}

/// A migration embedded at compile time: plain `'static` data with no destructor, so that
/// `embed_migrations!` can emit it inside a `static` with no code per migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmbeddedMigration {
    /// The folder name.
    pub id: &'static str,
    /// From `metadata.toml`'s `description`, if any.
    pub description: Option<&'static str>,
    /// `up.sql` first, then its dialect overrides.
    pub up: &'static [EmbeddedFile],
    /// `down.sql` first, then its overrides; empty when irreversible.
    pub down: &'static [EmbeddedFile],
    /// From `metadata.toml`'s `run_in_transaction`.
    pub transaction_mode: TransactionMode,
}

impl EmbeddedMigration {
    /// The `up` file that runs on `dialect`.
    #[must_use]
    pub fn up_file(&self, dialect: Dialect) -> Option<&EmbeddedFile> {
        pick(self.up, dialect, |file| file.dialect)
    }

    /// The `down` file that runs on `dialect`, if reversible there.
    #[must_use]
    pub fn down_file(&self, dialect: Dialect) -> Option<&EmbeddedFile> {
        pick(self.down, dialect, |file| file.dialect)
    }
}

impl From<&EmbeddedMigration> for SqlMigration {
    /// The same migration as the directory source would read it, for comparisons.
    fn from(embedded: &EmbeddedMigration) -> Self {
        let files = |files: &'static [EmbeddedFile]| -> Vec<SqlFile> {
            files
                .iter()
                .map(|file| SqlFile {
                    dialect: file.dialect,
                    path: Cow::Borrowed(file.path),
                    sql: Cow::Borrowed(file.sql),
                    checksum: Cow::Borrowed(file.checksum),
                    no_transaction_control: Cow::Borrowed(file.no_transaction_control),
                })
                .collect()
        };
        SqlMigration {
            id: Cow::Borrowed(embedded.id),
            description: embedded.description.map(Cow::Borrowed),
            up: Cow::Owned(files(embedded.up)),
            down: Cow::Owned(files(embedded.down)),
            transaction_mode: embedded.transaction_mode,
        }
    }
}

/// The file that runs on `dialect`: its override, else the plain file.
fn pick<F>(
    files: &[F],
    dialect: Dialect,
    dialect_of: impl Fn(&F) -> Option<Dialect>,
) -> Option<&F> {
    files
        .iter()
        .find(|file| dialect_of(file) == Some(dialect))
        .or_else(|| files.iter().find(|file| dialect_of(file).is_none()))
}

/// Runs a migration's SQL text. PostgreSQL runs a multi-statement text sent in one simple
/// query as one implicit transaction, so outside a transaction the statements are split
/// and sent one by one (`CREATE INDEX CONCURRENTLY` needs that).
pub(crate) async fn run_sql(sql: &str, mode: TransactionMode, db: &dyn Database) -> Result<()> {
    if sql.trim().is_empty() {
        return Ok(());
    }
    let dialect = db.dialect();
    if mode == TransactionMode::NoTransaction && dialect == Dialect::Postgres {
        for statement in crate::split::split_statements(sql, dialect) {
            db.exec_raw(statement).await?;
        }
        Ok(())
    } else {
        Ok(db.exec_raw(sql).await?)
    }
}

/// Implements [`Migration`] for a type with `id`, `description`, `up`, `down`,
/// `transaction_mode` fields and `up_file` / `down_file` methods returning files with `sql`,
/// `path`, `checksum` and `no_transaction_control` fields: the runtime and the embedded
/// migration behave identically.
macro_rules! sql_migration_impl {
    ($type:ty) => {
        #[async_trait]
        impl Migration for $type {
            fn id(&self) -> &str {
                &self.id
            }

            async fn up(&self, db: &dyn Database) -> Result<()> {
                match self.up_file(db.dialect()) {
                    Some(file) => run_sql(&file.sql, self.transaction_mode, db).await,
                    None => Ok(()),
                }
            }

            fn is_reversible(&self) -> bool {
                !self.down.is_empty()
            }

            async fn down(&self, db: &dyn Database) -> Result<()> {
                match self.down_file(db.dialect()) {
                    Some(file) => run_sql(&file.sql, self.transaction_mode, db).await,
                    None => Err(crate::Error::Irreversible(self.id.to_string())),
                }
            }

            fn description(&self) -> Option<&str> {
                self.description.as_deref()
            }

            fn up_checksum(&self, dialect: Dialect) -> Cow<'_, str> {
                Cow::Borrowed(
                    self.up_file(dialect)
                        .map_or(EMPTY_CHECKSUM, |file| &file.checksum),
                )
            }

            fn down_checksum(&self, dialect: Dialect) -> Cow<'_, str> {
                Cow::Borrowed(
                    self.down_file(dialect)
                        .map_or(EMPTY_CHECKSUM, |file| &file.checksum),
                )
            }

            fn up_sql(&self, dialect: Dialect) -> Option<&str> {
                self.up_file(dialect).map(|file| &*file.sql)
            }

            fn down_sql(&self, dialect: Dialect) -> Option<&str> {
                self.down_file(dialect).map(|file| &*file.sql)
            }

            fn up_checked_for_transaction_control(&self, dialect: Dialect) -> bool {
                self.up_file(dialect)
                    .is_some_and(|file| file.no_transaction_control.contains(&dialect))
            }

            fn down_checked_for_transaction_control(&self, dialect: Dialect) -> bool {
                self.down_file(dialect)
                    .is_some_and(|file| file.no_transaction_control.contains(&dialect))
            }

            fn up_origin(&self, dialect: Dialect) -> String {
                self.up_file(dialect).map_or_else(
                    || format!("`{}` (no up file)", self.id),
                    |file| file.path.to_string(),
                )
            }

            fn down_origin(&self, dialect: Dialect) -> String {
                self.down_file(dialect).map_or_else(
                    || format!("`{}` (no down file)", self.id),
                    |file| file.path.to_string(),
                )
            }

            fn transaction_mode(&self) -> TransactionMode {
                self.transaction_mode
            }
        }
    };
}

sql_migration_impl!(SqlMigration);
sql_migration_impl!(EmbeddedMigration);
