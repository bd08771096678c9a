//! [`DirectorySource`]: migrations read from a folder at run time.

use std::borrow::Cow;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;

use crate::database::Dialect;
use crate::error::{Error, Result};
use crate::grammar::{self, ScannedFile, ScannedMigration};
use crate::migration::{Migration, MigrationSource, TransactionMode};
use crate::split::sql_dialect;
use crate::sql_migration::{SqlFile, SqlMigration};

/// One rule of the folder grammar broken by a migrations folder, as listed by
/// [`Error::InvalidFolder`]: the offending path, the rule in words, and a hint where one
/// helps. Its `Display` prints `<path>: <rule> (<hint>)`.
pub use switchy_schema_grammar::Violation;

/// Migrations read from a folder when the runner asks for them, instead of embedded at
/// compile time.
///
/// The folder follows the same grammar as `embed_migrations!` (see "Migration folders" in
/// the crate docs), and a folder that breaks it is rejected with [`Error::InvalidFolder`] listing every problem.
/// The folder is read anew on each call, synchronously (it is small, and read once per
/// run); relative paths are resolved from the current directory.
///
/// ```
/// use switchy_schema::directory::DirectorySource;
/// use switchy_schema::TransactionMode;
///
/// # fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let root = std::env::temp_dir().join(format!("switchy-doc-{}", std::process::id()));
/// std::fs::create_dir_all(root.join("0001_create_users"))?;
/// std::fs::write(root.join("0001_create_users/up.sql"), "CREATE TABLE users (id INTEGER PRIMARY KEY);\n")?;
/// std::fs::write(root.join("0001_create_users/down.sql"), "DROP TABLE users;\n")?;
///
/// let migrations = DirectorySource::new(&root).load()?;
/// assert_eq!(migrations.len(), 1);
/// assert_eq!(migrations[0].id, "0001_create_users");
/// assert_eq!(migrations[0].down.len(), 1);
/// assert_eq!(migrations[0].transaction_mode, TransactionMode::Transactional);
///
/// std::fs::remove_dir_all(&root)?;
/// # Ok(())
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectorySource {
    path: PathBuf,
}

impl DirectorySource {
    /// A source reading the migrations folder at `path`. Nothing is read until
    /// [`load`](Self::load) or [`MigrationSource::migrations`] is called.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self { path: path.into() }
    }

    /// The folder, as given.
    #[must_use]
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Reads the folder: every migration sorted by id, or [`Error::InvalidFolder`] with every
    /// violation. Each file's path is `<path as given>/<id>/<file>`, and its checksum is
    /// computed here.
    pub fn load(&self) -> Result<Vec<SqlMigration>> {
        let scanned = grammar::scan(&self.path).map_err(Error::InvalidFolder)?;
        scanned.into_iter().map(convert).collect()
    }
}

#[async_trait]
impl MigrationSource for DirectorySource {
    async fn migrations(&self) -> Result<Vec<Arc<dyn Migration>>> {
        Ok(self
            .load()?
            .into_iter()
            .map(|migration| Arc::new(migration) as Arc<dyn Migration>)
            .collect())
    }
}

fn convert(migration: ScannedMigration) -> Result<SqlMigration> {
    let up = convert_files(migration.up)?;
    let down = convert_files(migration.down)?;
    Ok(SqlMigration {
        id: Cow::Owned(migration.id),
        description: migration.description.map(Cow::Owned),
        up: Cow::Owned(up),
        down: Cow::Owned(down),
        transaction_mode: if migration.run_in_transaction {
            TransactionMode::Transactional
        } else {
            TransactionMode::NoTransaction
        },
    })
}

fn convert_files(files: Vec<ScannedFile>) -> Result<Vec<SqlFile>> {
    files
        .into_iter()
        .map(|file| {
            let dialect = match file.dialect {
                None => None,
                Some(suffix) => Some(Dialect::from_suffix(suffix).ok_or_else(|| {
                    // Unreachable while grammar::DIALECTS and Dialect agree; an error, not a panic.
                    Error::InvalidFolder(vec![Violation {
                        path: file.path.clone(),
                        rule: format!(
                            "dialect `{suffix}` is not supported by this version of switchy_schema"
                        ),
                        hint: None,
                    }])
                })?),
            };
            let no_transaction_control = Dialect::ALL
                .into_iter()
                .filter(|dialect| file.no_transaction_control.contains(&sql_dialect(*dialect)))
                .collect::<Vec<_>>();
            Ok(SqlFile {
                no_transaction_control: Cow::Owned(no_transaction_control),
                ..SqlFile::owned(
                    dialect,
                    file.path.to_string_lossy().into_owned(),
                    file.content,
                )
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_grammar_dialect_is_a_dialect() {
        for suffix in grammar::DIALECTS {
            assert_eq!(
                Dialect::from_suffix(suffix).map(Dialect::suffix),
                Some(suffix)
            );
        }
        // Overrides are listed in the same order on both sides.
        assert_eq!(Dialect::ALL.map(Dialect::suffix), grammar::DIALECTS);
    }
}
