//! The crate's error types: [`Error`] for the runner and sources, [`DatabaseError`] for drivers.
//!
//! Messages are lowercase and self-contained. Where a message already prints an underlying
//! error, that error is not also returned by `source()`, so reporters that walk the chain
//! never print it twice.

use std::error::Error as StdError;
use std::fmt;
use std::time::Duration;

use crate::migration::MigrationStatus;

/// What went wrong in a [`DatabaseError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum DatabaseErrorKind {
    /// The database rejected a statement.
    Query,
    /// The connection failed or was closed.
    Connection,
    /// SQLite: the database file is locked by another connection (`SQLITE_BUSY`).
    Busy,
    /// A transaction was started inside a transaction.
    NestedTransaction,
    /// A value could not be read into a [`Value`](crate::Value).
    Decode,
    /// Anything else.
    Other,
}

/// An error reported by a [`Database`](crate::Database) implementation.
#[derive(Debug)]
pub struct DatabaseError {
    kind: DatabaseErrorKind,
    message: String,
    code: Option<String>,
    position: Option<usize>,
    /// Saturates at `u16::MAX`; small, so that it fits in the padding after `kind` and the
    /// error stays as small as before.
    statements_completed: Option<u16>,
    driver_error: Option<Box<dyn StdError + Send + Sync>>,
}

impl DatabaseError {
    /// An error of `kind` with the database's `message`.
    pub fn new(kind: DatabaseErrorKind, message: impl Into<String>) -> Self {
        Self {
            kind,
            message: message.into(),
            code: None,
            position: None,
            statements_completed: None,
            driver_error: None,
        }
    }

    /// A [`DatabaseErrorKind::Query`] error whose message is `error`'s text, keeping `error`.
    pub fn query(error: impl StdError + Send + Sync + 'static) -> Self {
        Self::new(DatabaseErrorKind::Query, error.to_string()).with_driver_error(error)
    }

    /// The error for a nested `begin_transaction`.
    #[must_use]
    pub fn nested_transaction() -> Self {
        Self::new(
            DatabaseErrorKind::NestedTransaction,
            "nested transactions are not supported: a transaction is already open; \
             take a savepoint (`savepoint()`) for a nested scope",
        )
    }

    /// The error for a savepoint asked of a handle that is not inside a transaction.
    #[must_use]
    pub fn savepoint_outside_transaction() -> Self {
        Self::new(
            DatabaseErrorKind::Other,
            "a savepoint needs an open transaction: begin one with `begin_transaction()` \
             and take the savepoint from it",
        )
    }

    /// Adds the database's error code (SQLSTATE, MySQL error number, SQLite result code).
    #[must_use]
    pub fn with_code(mut self, code: impl Into<String>) -> Self {
        self.code = Some(code.into());
        self
    }

    /// Adds the 1-based character position of the error in the statement.
    #[must_use]
    pub fn with_position(mut self, position: usize) -> Self {
        self.position = Some(position);
        self
    }

    /// Records, for an error of [`Database::exec_raw`](crate::Database::exec_raw), how many
    /// statements of the text completed before the one that failed. Drivers that know it
    /// set it; the runner reads `0` as "nothing of the text ran".
    #[must_use]
    pub fn with_statements_completed(mut self, completed: usize) -> Self {
        self.statements_completed = Some(u16::try_from(completed).unwrap_or(u16::MAX));
        self
    }

    /// Keeps the driver's own error, for [`driver_error`](Self::driver_error).
    #[must_use]
    pub fn with_driver_error(mut self, error: impl StdError + Send + Sync + 'static) -> Self {
        self.driver_error = Some(Box::new(error));
        self
    }

    /// Replaces the kind.
    #[must_use]
    pub fn with_kind(mut self, kind: DatabaseErrorKind) -> Self {
        self.kind = kind;
        self
    }

    /// What went wrong.
    #[must_use]
    pub fn kind(&self) -> DatabaseErrorKind {
        self.kind
    }

    /// The database's message.
    #[must_use]
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The database's error code, when it gave one.
    #[must_use]
    pub fn code(&self) -> Option<&str> {
        self.code.as_deref()
    }

    /// The 1-based character position of the error in the statement, when the database
    /// gave one.
    #[must_use]
    pub fn position(&self) -> Option<usize> {
        self.position
    }

    /// For an error of [`Database::exec_raw`](crate::Database::exec_raw): how many
    /// statements of the text completed before the one that failed, when the driver
    /// reports it (the sqlx and rusqlite drivers do); at most `u16::MAX`.
    #[must_use]
    pub fn statements_completed(&self) -> Option<usize> {
        self.statements_completed.map(usize::from)
    }

    /// The driver's original error. Not returned by `source()`: its text is already
    /// this error's message.
    #[must_use]
    pub fn driver_error(&self) -> Option<&(dyn StdError + Send + Sync + 'static)> {
        self.driver_error.as_deref()
    }
}

impl fmt::Display for DatabaseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)?;
        if let Some(code) = &self.code
            && !self.message.contains(code.as_str())
        {
            write!(f, " (code {code})")?;
        }
        if let Some(position) = self.position {
            write!(f, " at character {position}")?;
        }
        Ok(())
    }
}

impl StdError for DatabaseError {}

/// Where a failing statement came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedMigration {
    /// The migration id.
    pub id: String,
    /// The file that failed (`migrations/<id>/up.sql`), or a description for code migrations.
    pub file: String,
    /// The ids applied by this run before the failure, in order (empty for a failed
    /// rollback).
    pub applied_before: Vec<String>,
    /// For a failed rollback (the file is a `down`): the ids this call rolled back before
    /// it, in order. `None` for a failed apply.
    pub rolled_back_before: Option<Vec<String>>,
    /// What to change when the database's error says the statement cannot run inside a
    /// transaction (PostgreSQL's SQLSTATE 25001, SQLite's journal-mode and `VACUUM`
    /// errors): mark the migration `run_in_transaction = false`.
    pub hint: Option<String>,
}

/// Every error the runner and the migration sources return.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A database operation of the runner itself (tracking table, lock) failed.
    #[error("{context}: {error}")]
    Database {
        /// What the runner was doing.
        context: String,
        /// The database's error (printed in the message, so not chained).
        error: DatabaseError,
    },

    /// A migration failed; nothing of it was kept unless `recorded_as_failed` says so.
    #[error(
        "migration `{}` failed in {}: {cause}{}{}{}",
        failed.id,
        failed.file,
        failed.hint.as_deref().map(|hint| format!(" ({hint})")).unwrap_or_default(),
        if *recorded_as_failed { "; it is recorded as `failed` and blocks later runs until recovered" } else { "" },
        done_before(failed)
    )]
    MigrationFailed {
        /// Which migration, which file, and what this run applied (or rolled back) before it.
        failed: Box<FailedMigration>,
        /// The database's error, or the code migration's (printed in the message, so
        /// not chained).
        cause: Box<dyn StdError + Send + Sync>,
        /// Whether a `failed` row was written (non-transactional migrations and MySQL).
        recorded_as_failed: bool,
    },

    /// A previous run left a migration `in_progress` or `failed`. Runs and rollbacks are
    /// refused until a recovery call: `retry_migration`, `mark_migration_completed` or
    /// `forget_migration` while the migration is in the source, `forget_migration` alone
    /// once it is not.
    #[error(
        "migration `{id}` {}{}; runs and rollbacks are blocked until it is recovered: {}",
        match status {
            MigrationStatus::InProgress => "was left in progress by an earlier run that did not finish",
            MigrationStatus::Failed => "failed in an earlier run",
            MigrationStatus::Completed => "is completed",
        },
        reason.as_deref().map(|r| format!(" ({r})")).unwrap_or_default(),
        if *in_source {
            "fix the database by hand if needed, then call `retry_migration` (run it again), `mark_migration_completed` (keep it as done) or `forget_migration` (forget that it ran)"
        } else {
            "it is no longer in the migration source, so `forget_migration` is the only way out (undo what it did by hand first if needed)"
        }
    )]
    Dirty {
        /// The migration id.
        id: String,
        /// `in_progress` or `failed`.
        status: MigrationStatus,
        /// The recorded failure reason, if any.
        reason: Option<String>,
        /// Whether the migration is in the source (`false`: only `forget_migration` helps).
        in_source: bool,
    },

    /// An applied migration's file changed since it was applied.
    #[error(
        "migration `{id}` was changed after it was applied: {file} has checksum {found}, but {expected} was recorded; restore the file, or call `rebless_checksums` if the change is intended"
    )]
    Drift {
        /// The migration id.
        id: String,
        /// Which file (`up` or `down`).
        file: String,
        /// The checksum recorded in the tracking table.
        expected: String,
        /// The checksum of the migration as it is now.
        found: String,
    },

    /// An id given to `UpTo`, `DownTo` or a recovery call is not known.
    #[error("unknown migration id `{0}`")]
    UnknownMigration(String),

    /// A migration to roll back has no down migration.
    #[error("migration `{0}` is irreversible (it has no down migration); nothing was rolled back")]
    Irreversible(String),

    /// An applied migration to roll back is missing from the source.
    #[error(
        "migration `{0}` is applied but missing from the migration source, so it cannot be rolled back"
    )]
    MissingForRollback(String),

    /// Pending migrations sort before the last applied one, and the policy forbids that.
    #[error(
        "migration `{pending}` is pending but `{last_applied}`, which sorts after it, is already applied; apply out-of-order migrations with `OutOfOrderPolicy::Apply`, or rename it with a later version"
    )]
    OutOfOrder {
        /// The first out-of-order pending id.
        pending: String,
        /// The last applied id.
        last_applied: String,
    },

    /// Applied migrations are missing from the source, and the policy forbids that.
    #[error(
        "{} applied migration(s) are missing from the migration source: {}; restore them, or relax `MissingPolicy`",
        ids.len(),
        ids.iter().map(|id| format!("`{id}`")).collect::<Vec<_>>().join(", ")
    )]
    MissingFromSource {
        /// The missing ids.
        ids: Vec<String>,
    },

    /// The migration lock (or, on SQLite, the write lock or a running migration) stayed
    /// held for longer than the timeout; `lock` says which, and by whom.
    #[error("timed out after {waited:?} waiting for the migration lock: {lock}")]
    LockTimeout {
        /// How long the runner waited.
        waited: Duration,
        /// Which lock.
        lock: String,
    },

    /// A tracking table name or other identifier is not acceptable.
    #[error("invalid identifier `{name}`: {reason}")]
    InvalidIdentifier {
        /// The rejected identifier.
        name: String,
        /// Which rule it breaks.
        reason: &'static str,
    },

    /// The existing tracking table has a shape the runner does not recognize.
    #[error(
        "the tracking table `{table}` has an unrecognized schema (columns: {columns}); expected at least `id` or `name`, and `run_on`"
    )]
    IncompatibleTrackingTable {
        /// The table name.
        table: String,
        /// The columns it has.
        columns: String,
    },

    /// A migration id given to a code source is empty, starts or ends with whitespace, or
    /// holds a control character (the rule folder names follow too).
    #[error(
        "invalid migration id {id:?}: {reason}; an id may not start or end with whitespace, nor hold control characters"
    )]
    InvalidMigrationId {
        /// The rejected id.
        id: String,
        /// Which rule it breaks, such as `it ends with whitespace`.
        reason: String,
    },

    /// Another tool's history table cannot be read by
    /// [`adopt_history`](crate::MigrationRunner::adopt_history): it does not exist, or it is
    /// not that tool's table. No migration was recorded.
    #[error("cannot adopt the {tool} history `{table}`: {reason}; nothing was recorded")]
    ForeignHistoryUnreadable {
        /// Whose history.
        tool: crate::adopt::ForeignTool,
        /// The history table's name.
        table: String,
        /// What is wrong, with the database's message where there is one.
        reason: String,
    },

    /// Another tool's history does not match the migration source, or the tracking table
    /// already holds other rows; every problem is listed. No migration was recorded.
    #[error("cannot adopt the {tool} history `{table}`; nothing was recorded:{}", problems.lines(*tool))]
    AdoptionRefused {
        /// Whose history.
        tool: crate::adopt::ForeignTool,
        /// The history table's name.
        table: String,
        /// Every problem found.
        problems: Box<crate::adopt::AdoptionProblems>,
    },

    /// A migration folder breaks the folder grammar.
    #[error("{}", violations_list(.0))]
    InvalidFolder(Vec<crate::grammar::Violation>),

    /// A SQLite migration outside a transaction would take the database out of WAL mode
    /// through a handle that may have other connections open. Leaving WAL mode needs the
    /// only open connection to the database file (every other one keeps the WAL open, so
    /// SQLite answers "database is locked"), and a library cannot close a pool's idle
    /// connections, so the run or rollback is refused before anything is done.
    #[error(
        "migration `{id}` cannot run through this database handle: {file} sets `PRAGMA journal_mode = {mode}` while the database is in WAL mode, and leaving WAL mode needs the only open connection to the database file, but this handle is a pool that may hold several (their open connections keep the WAL open, so SQLite would fail with \"database is locked\"); no migration was run or rolled back. run this one through a handle with a single connection, with no other connection to the file open: a `SqlitePool` with `max_connections(1)`, a `tokio::sync::Mutex<SqliteConnection>` or a `Mutex<rusqlite::Connection>`"
    )]
    LeavingWalNeedsOneConnection {
        /// The migration id.
        id: String,
        /// The file that changes the journal mode (its `up` or `down`).
        file: String,
        /// The journal mode it sets, as written.
        mode: String,
    },

    /// A migration that runs inside the runner's transaction starts, commits or ends a
    /// transaction itself (a top-level `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`,
    /// `ROLLBACK`, ...; see
    /// [`find_transaction_control`](switchy_schema_grammar::sql::find_transaction_control)).
    /// Found while planning, before anything runs.
    #[error(
        "migration `{id}` runs inside a transaction, but {file} controls the transaction itself with `{statement}` on line {line}, which would commit or end the migration without its tracking row; no migration was run or rolled back. remove the statement, or run the migration outside a transaction: `run_in_transaction = false` in its metadata.toml, or `TransactionMode::NoTransaction` for a code migration"
    )]
    TransactionControlInTransactionalMigration {
        /// The migration id.
        id: String,
        /// The file (its `up` or `down` on this database), or the code migration.
        file: String,
        /// The statement, cut to its first line and 60 characters.
        statement: String,
        /// Its 1-based line in the file.
        line: usize,
    },

    /// The requested option cannot work on this database or with these migrations.
    #[error("{0}")]
    Unsupported(String),

    /// A statement of a migration failed (what `?` on a [`DatabaseError`] gives inside a
    /// code migration).
    #[error("{0}")]
    Query(DatabaseError),

    /// A migration (a code migration, typically) returned its own error.
    #[error("{0}")]
    Custom(Box<dyn StdError + Send + Sync>),
}

/// What the call did before the failure: applied, or rolled back.
fn done_before(failed: &FailedMigration) -> String {
    let (ids, done) = match &failed.rolled_back_before {
        Some(ids) => (ids, "rolled back"),
        None => (&failed.applied_before, "applied"),
    };
    if ids.is_empty() {
        format!("; no migration was {done} before it in this call")
    } else {
        format!(
            "; {done} before it in this call: {}",
            ids.iter()
                .map(|id| format!("`{id}`"))
                .collect::<Vec<_>>()
                .join(", ")
        )
    }
}

/// The hint for an error that says the statement cannot run inside a transaction.
pub(crate) fn transaction_hint(error: &Error) -> Option<String> {
    let (Error::Query(database)
    | Error::Database {
        error: database, ..
    }) = error
    else {
        return None;
    };
    let message = database.message().to_ascii_lowercase();
    let cannot = database.code() == Some("25001")
        || message.contains("cannot change into wal mode from within a transaction")
        || message.contains("cannot vacuum from within a transaction")
        || message.contains("cannot change out of wal mode from within a transaction");
    cannot.then(|| {
        "this statement cannot run inside a transaction: set `run_in_transaction = false` in the migration's metadata.toml (`TransactionMode::NoTransaction` for code migrations)".to_owned()
    })
}

fn violations_list(violations: &[crate::grammar::Violation]) -> String {
    let mut text = format!("{} problem(s) in the migrations folder:", violations.len());
    for violation in violations {
        text.push_str("\n  - ");
        text.push_str(&violation.to_string());
    }
    text
}

impl Error {
    /// Wraps a database error with what the runner was doing.
    pub(crate) fn database(context: impl Into<String>, source: DatabaseError) -> Self {
        Error::Database {
            context: context.into(),
            error: source,
        }
    }

    /// A custom error from a code migration or hook.
    pub fn custom(error: impl Into<Box<dyn StdError + Send + Sync>>) -> Self {
        Error::Custom(error.into())
    }
}

impl From<DatabaseError> for Error {
    fn from(error: DatabaseError) -> Self {
        Error::Query(error)
    }
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

#[cfg(test)]
mod tests {
    use super::*;

    fn dirty(status: MigrationStatus, in_source: bool) -> String {
        Error::Dirty {
            id: "1_a".into(),
            status,
            reason: Some("boom".into()),
            in_source,
        }
        .to_string()
    }

    #[test]
    fn dirty_names_exactly_the_calls_that_work() {
        let failed = dirty(MigrationStatus::Failed, true);
        assert!(
            failed.starts_with("migration `1_a` failed in an earlier run (boom)"),
            "{failed}"
        );
        for call in [
            "retry_migration",
            "mark_migration_completed",
            "forget_migration",
        ] {
            assert!(failed.contains(call), "{failed}");
        }
        assert!(!failed.contains("`rollback`"), "{failed}");
        let gone = dirty(MigrationStatus::InProgress, false);
        assert!(
            gone.contains("was left in progress by an earlier run"),
            "{gone}"
        );
        assert!(
            gone.contains("`forget_migration` is the only way out"),
            "{gone}"
        );
        assert!(!gone.contains("retry_migration") && !gone.contains("mark_migration_completed"));
    }

    #[test]
    fn cannot_run_in_a_transaction_gets_a_hint() {
        let pg = Error::Query(
            DatabaseError::new(
                DatabaseErrorKind::Query,
                "CREATE INDEX CONCURRENTLY cannot run inside a transaction block",
            )
            .with_code("25001"),
        );
        assert!(
            transaction_hint(&pg)
                .unwrap()
                .contains("run_in_transaction = false")
        );
        let sqlite = Error::Query(DatabaseError::new(
            DatabaseErrorKind::Query,
            "cannot change into wal mode from within a transaction",
        ));
        assert!(transaction_hint(&sqlite).is_some());
        let other = Error::Query(DatabaseError::new(DatabaseErrorKind::Query, "syntax error"));
        assert!(transaction_hint(&other).is_none());
    }
}
