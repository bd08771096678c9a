//! SQL migrations: the plain data that `embed_migrations!` emits and the directory source
//! reads, and how they run.

use std::borrow::Cow;

use async_trait::async_trait;

use crate::checksum::EMPTY_CHECKSUM;
use crate::database::{Database, Dialect};
use crate::error::Result;
use crate::migration::{Migration, TransactionMode};

/// One SQL file of a migration: `up.sql`, or a dialect override such as `up.postgres.sql`.
///
/// Const-constructible, so that `embed_migrations!` can emit a `static` list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SqlFile {
    /// `None` for `up.sql` / `down.sql`; the dialect of an override file.
    pub dialect: Option<Dialect>,
    /// The path shown in errors, relative to the crate or the directory given:
    /// `migrations/0001_users/up.sql`.
    pub path: Cow<'static, str>,
    /// The file's text.
    pub sql: Cow<'static, str>,
    /// [`checksum`](crate::checksum::checksum) of `sql`, computed ahead of time.
    pub checksum: Cow<'static, str>,
}

impl SqlFile {
    /// A file embedded at compile time.
    #[must_use]
    pub const fn embedded(
        dialect: Option<Dialect>,
        path: &'static str,
        sql: &'static str,
        checksum: &'static str,
    ) -> Self {
        Self {
            dialect,
            path: Cow::Borrowed(path),
            sql: Cow::Borrowed(sql),
            checksum: Cow::Borrowed(checksum),
        }
    }

    /// A file read at run time; computes the checksum.
    #[must_use]
    pub fn owned(dialect: Option<Dialect>, path: String, sql: String) -> Self {
        let checksum = crate::checksum::checksum(&sql);
        Self {
            dialect,
            path: Cow::Owned(path),
            sql: Cow::Owned(sql),
            checksum: Cow::Owned(checksum),
        }
    }
}

/// A migration made of SQL files, as found in a migration folder.
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
    /// A migration embedded at compile time.
    #[must_use]
    pub const fn embedded(
        id: &'static str,
        description: Option<&'static str>,
        up: &'static [SqlFile],
        down: &'static [SqlFile],
        transaction_mode: TransactionMode,
    ) -> Self {
        Self {
            id: Cow::Borrowed(id),
            description: match description {
                Some(text) => Some(Cow::Borrowed(text)),
                None => None,
            },
            up: Cow::Borrowed(up),
            down: Cow::Borrowed(down),
            transaction_mode,
        }
    }

    /// The file that runs on `dialect`: its override, else the plain file.
    fn pick(files: &[SqlFile], dialect: Dialect) -> Option<&SqlFile> {
        files
            .iter()
            .find(|file| file.dialect == Some(dialect))
            .or_else(|| files.iter().find(|file| file.dialect.is_none()))
    }

    /// The `up` file that runs on `dialect`.
    #[must_use]
    pub fn up_file(&self, dialect: Dialect) -> Option<&SqlFile> {
        Self::pick(&self.up, dialect)
    }

    /// The `down` file that runs on `dialect`, if reversible there.
    #[must_use]
    pub fn down_file(&self, dialect: Dialect) -> Option<&SqlFile> {
        Self::pick(&self.down, dialect)
    }

    async fn run_file(&self, file: Option<&SqlFile>, db: &dyn Database) -> Result<()> {
        let Some(file) = file else {
            return Ok(());
        };
        run_sql(&file.sql, self.transaction_mode, db).await
    }
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

#[async_trait]
impl Migration for SqlMigration {
    fn id(&self) -> &str {
        &self.id
    }

    async fn up(&self, db: &dyn Database) -> Result<()> {
        self.run_file(self.up_file(db.dialect()), db).await
    }

    fn is_reversible(&self) -> bool {
        !self.down.is_empty()
    }

    async fn down(&self, db: &dyn Database) -> Result<()> {
        match self.down_file(db.dialect()) {
            Some(file) => self.run_file(Some(file), db).await,
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
