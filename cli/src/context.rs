//! [`Context`]: the global options resolved once (URL, folder, table) for every command.

use switchy_schema::MigrationRunner;
use switchy_schema::SqlMigration;
use switchy_schema::directory::DirectorySource;

use crate::args::Global;
use crate::connect::{Connection, Target};
use crate::error::CliError;
use crate::output::Output;

/// What every command works with.
pub(crate) struct Context {
    pub(crate) global: Global,
    pub(crate) out: Output,
    target: Option<Target>,
}

impl Context {
    /// Resolves the database URL: `-d`, else `SWITCHY_DATABASE_URL` (both through clap),
    /// else `DATABASE_URL`. Its password is registered for scrubbing before anything else.
    pub(crate) fn new(global: Global, out: Output) -> Result<Self, CliError> {
        let url = global
            .database_url
            .clone()
            .filter(|url| !url.trim().is_empty())
            .or_else(|| {
                std::env::var("DATABASE_URL")
                    .ok()
                    .filter(|url| !url.trim().is_empty())
            });
        let target = url.as_deref().map(Target::parse).transpose()?;
        Ok(Self {
            global,
            out,
            target,
        })
    }

    /// The database, if a URL was given.
    pub(crate) fn target(&self) -> Option<&Target> {
        self.target.as_ref()
    }

    /// The database, or a usage error saying how to give one.
    pub(crate) fn require_target(&self) -> Result<&Target, CliError> {
        self.target.as_ref().ok_or_else(|| {
            CliError::usage(
                "no database given; pass -d/--database-url, or set SWITCHY_DATABASE_URL or DATABASE_URL (also read from .env)",
            )
        })
    }

    /// Connects for a command that writes: a missing SQLite file is created.
    pub(crate) async fn connect_write(&self) -> Result<Connection, CliError> {
        self.require_target()?.connect(true).await
    }

    /// Connects for a command that only reads: a missing SQLite file is not created, and
    /// reads as an empty database.
    pub(crate) async fn connect_read(&self) -> Result<Connection, CliError> {
        let target = self.require_target()?;
        if let Some(path) = target.sqlite_missing() {
            self.out.note(&format!(
                "the database file {} does not exist yet; it reads as an empty database",
                path.display()
            ));
            return Target::parse("sqlite::memory:")?.connect(true).await;
        }
        target.connect(false).await
    }

    /// The migrations folder as a source.
    pub(crate) fn source(&self) -> DirectorySource {
        DirectorySource::new(&self.global.migrations_dir)
    }

    /// A runner over the folder with the tracking table of `--migration-table`.
    pub(crate) fn runner(&self) -> MigrationRunner {
        MigrationRunner::new(self.source()).with_table_name(self.global.migration_table.clone())
    }

    /// Reads the folder, or fails with its every violation (exit code 7).
    pub(crate) fn load(&self) -> Result<Vec<SqlMigration>, CliError> {
        self.source().load().map_err(|error| {
            CliError::library(
                format!(
                    "reading the migrations folder {}",
                    self.global.migrations_dir.display()
                ),
                error,
            )
        })
    }
}
