//! [`CliError`]: what failed, what to do, the cause, and the exit code.

use std::fmt;

use switchy_schema::{DatabaseErrorKind, Error};

/// The process exit codes (documented under `--help` and in the README).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exit {
    /// Success.
    Ok = 0,
    /// Any other error.
    Other = 1,
    /// Bad flags or arguments, an unknown migration id, or a dangerous command refused
    /// without `--force`.
    Usage = 2,
    /// The database could not be reached.
    Connection = 3,
    /// A migration failed.
    MigrationFailed = 4,
    /// Drift, a dirty migration, or missing / out-of-order migrations.
    Dirty = 5,
    /// The migration lock stayed held too long.
    LockTimeout = 6,
    /// The migrations folder breaks the grammar.
    InvalidFolder = 7,
    /// `lint` found something.
    Lint = 8,
}

impl From<Exit> for std::process::ExitCode {
    fn from(exit: Exit) -> Self {
        std::process::ExitCode::from(exit as u8)
    }
}

/// An error for the user: one line saying what failed and what to do, then the cause.
#[derive(Debug)]
pub(crate) struct CliError {
    pub(crate) exit: Exit,
    /// What failed, then `; ` and what to do.
    pub(crate) what: String,
    /// The underlying error's text (may span lines), if any.
    pub(crate) cause: Option<String>,
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.what)?;
        if let Some(cause) = &self.cause {
            write!(f, "\n  cause: {cause}")?;
        }
        Ok(())
    }
}

impl CliError {
    pub(crate) fn new(exit: Exit, what: impl Into<String>) -> Self {
        Self {
            exit,
            what: what.into(),
            cause: None,
        }
    }

    pub(crate) fn usage(what: impl Into<String>) -> Self {
        Self::new(Exit::Usage, what)
    }

    #[must_use]
    pub(crate) fn caused_by(mut self, cause: impl fmt::Display) -> Self {
        self.cause = Some(cause.to_string());
        self
    }

    /// An I/O error while `doing` something with files.
    pub(crate) fn io(doing: impl fmt::Display, error: &std::io::Error) -> Self {
        Self::new(
            Exit::Other,
            format!("{doing} failed; check the path and its permissions"),
        )
        .caused_by(error)
    }

    /// A library error while `doing` something: the exit code and advice follow the kind.
    pub(crate) fn library(doing: impl fmt::Display, error: Error) -> Self {
        let (exit, advice): (Exit, String) = match &error {
            Error::MigrationFailed {
                failed,
                recorded_as_failed,
                ..
            } => (
                Exit::MigrationFailed,
                if failed.rolled_back_before.is_some() {
                    "fix the down migration, then run `switchy-migrate rollback` again".to_owned()
                } else if *recorded_as_failed {
                    format!(
                        "fix the migration or the database, then `switchy-migrate retry {}` (or `mark-completed` / `forget`)",
                        failed.id
                    )
                } else {
                    "fix the migration, then run `switchy-migrate migrate` again (nothing of it was kept)"
                        .to_owned()
                },
            ),
            Error::Dirty { id, in_source, .. } => (
                Exit::Dirty,
                if *in_source {
                    format!(
                        "recover it with `switchy-migrate retry {id}`, `mark-completed {id}` or `forget {id}`"
                    )
                } else {
                    format!("undo it by hand if needed, then `switchy-migrate forget {id}`")
                },
            ),
            Error::Drift { id, .. } => (
                Exit::Dirty,
                format!("restore the file, or accept the edit with `switchy-migrate rebless {id}`"),
            ),
            Error::OutOfOrder { .. } => (
                Exit::Dirty,
                "give the pending migration a later version".to_owned(),
            ),
            Error::MissingFromSource { .. } | Error::MissingForRollback(_) => (
                Exit::Dirty,
                "restore the missing migration folders, or `switchy-migrate forget <id>` them"
                    .to_owned(),
            ),
            Error::LockTimeout { .. } => (
                Exit::LockTimeout,
                "another process holds the lock; wait for it, or raise --lock-timeout".to_owned(),
            ),
            Error::InvalidFolder(_) => (
                Exit::InvalidFolder,
                "fix the problems listed below (`switchy-migrate validate` lists them too)"
                    .to_owned(),
            ),
            Error::UnknownMigration(_) => (
                Exit::Usage,
                "check the id against `switchy-migrate status`".to_owned(),
            ),
            Error::InvalidIdentifier { .. } => (
                Exit::Usage,
                "use ASCII letters, digits and `_` (optionally `schema.name`)".to_owned(),
            ),
            Error::Database { error, .. } if error.kind() == DatabaseErrorKind::Connection => (
                Exit::Connection,
                "check that the database server is reachable".to_owned(),
            ),
            _ => (Exit::Other, "see the cause below".to_owned()),
        };
        Self::new(exit, format!("{doing} failed; {advice}")).caused_by(error)
    }
}
