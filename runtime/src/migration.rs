//! The [`Migration`] trait and what the runner reports about each migration.

use std::borrow::Cow;
use std::fmt;
use std::sync::Arc;

use async_trait::async_trait;

use crate::database::{Database, Dialect};
use crate::error::Result;

/// Whether a migration runs inside a transaction together with its tracking row.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum TransactionMode {
    /// The default: the migration and its tracking row commit together (SQLite,
    /// PostgreSQL), or not at all. On MySQL the migration also runs in a transaction that
    /// writes its `completed` row, so its data changes (InnoDB rows) roll back on failure;
    /// DDL statements commit implicitly, so an `in_progress` row is committed before the
    /// migration's first statement and a failure after DDL ran is recorded `failed` (data
    /// changes after the last DDL statement still roll back). Within one run, that row is
    /// committed together with the previous transactional migration's `completed` row.
    ///
    /// Its SQL may not start, commit or end a transaction itself (a top-level `BEGIN`,
    /// `COMMIT`, `END`, `ROLLBACK`, ...; savepoints are fine): the run or rollback is
    /// refused before anything runs with
    /// [`Error::TransactionControlInTransactionalMigration`](crate::Error::TransactionControlInTransactionalMigration).
    #[default]
    Transactional,
    /// For statements that cannot run in a transaction (`CREATE INDEX CONCURRENTLY`,
    /// `PRAGMA journal_mode=WAL`, `VACUUM`). An `in_progress` row is written first and
    /// marked `completed` after, so a crash or failure leaves a visible dirty state.
    /// Set with `run_in_transaction = false` in `metadata.toml`.
    ///
    /// A failure on the *first* statement leaves no dirty state: a failed statement keeps
    /// nothing, so nothing of the migration ran, its `in_progress` row is removed (a failed
    /// `down` leaves the migration `completed`) and the next run applies it again. (The
    /// drivers report how many statements of a multi-statement text completed; where one
    /// cannot tell, a failure in a text of several statements counts as partial. On MySQL,
    /// where every migration is tracked this way, this holds for atomic statements: InnoDB
    /// and atomic DDL, not MyISAM.) A failure after a statement succeeded is recorded
    /// `failed` and blocks later runs until recovered.
    ///
    /// On SQLite, leaving WAL mode (`PRAGMA journal_mode = DELETE`, or any mode but `WAL`)
    /// needs the only open connection to the database file. Through a handle that may have
    /// other connections open (a pool whose `max_connections` is above 1, see
    /// [`Database::may_have_other_connections`](crate::Database::may_have_other_connections)),
    /// the runner refuses such a migration, `up` or `down`, before anything is done:
    /// [`Error::LeavingWalNeedsOneConnection`](crate::Error::LeavingWalNeedsOneConnection).
    /// Run it through a `SqlitePool` with `max_connections(1)`, a
    /// `tokio::sync::Mutex<SqliteConnection>` or a `Mutex<rusqlite::Connection>`.
    NoTransaction,
}

/// One versioned change to the schema.
///
/// Implemented by SQL migrations (embedded or read from a directory) and code migrations.
/// Migrations are ordered by the byte order of their [`id`](Self::id)s.
#[async_trait]
pub trait Migration: Send + Sync {
    /// The unique id, usually the folder name: `2024-01-05-135538_create_users`.
    fn id(&self) -> &str;

    /// Applies the migration.
    async fn up(&self, db: &dyn Database) -> Result<()>;

    /// Whether [`down`](Self::down) exists. `false` (the default) means irreversible:
    /// rolling the migration back is an error.
    fn is_reversible(&self) -> bool {
        false
    }

    /// Reverts the migration. The default returns [`Error::Irreversible`](crate::Error::Irreversible).
    async fn down(&self, db: &dyn Database) -> Result<()> {
        let _ = db;
        Err(crate::Error::Irreversible(self.id().to_owned()))
    }

    /// A human description. Defaults to `None`.
    fn description(&self) -> Option<&str> {
        None
    }

    /// The checksum of what `up` runs on `dialect`, as stored in the tracking table.
    fn up_checksum(&self, dialect: Dialect) -> Cow<'_, str>;

    /// The checksum of what `down` runs on `dialect`; that of an empty file when
    /// irreversible.
    fn down_checksum(&self, dialect: Dialect) -> Cow<'_, str>;

    /// The text `up` runs on `dialect`, when it is SQL. Used for dry runs, for accepting
    /// line-ending-only changes, and for error messages. `None` for code.
    fn up_sql(&self, dialect: Dialect) -> Option<&str> {
        let _ = dialect;
        None
    }

    /// The text `down` runs on `dialect`, when it is SQL.
    fn down_sql(&self, dialect: Dialect) -> Option<&str> {
        let _ = dialect;
        None
    }

    /// Whether the SQL that `up` runs on `dialect` is already known to hold no top-level
    /// transaction control, so that the runner's check before a run (see
    /// [`TransactionMode::Transactional`]) need not read [`up_sql`](Self::up_sql) again.
    /// `embed_migrations!` and the directory source answer from the check they made of the
    /// folder (a 10 MB `up.sql` is then not scanned twice). Defaults to `false`: the runner
    /// checks.
    fn up_checked_for_transaction_control(&self, dialect: Dialect) -> bool {
        let _ = dialect;
        false
    }

    /// Whether the SQL that `down` runs on `dialect` is already known to hold no top-level
    /// transaction control (see
    /// [`up_checked_for_transaction_control`](Self::up_checked_for_transaction_control)).
    /// Defaults to `false`: the runner checks before a rollback.
    fn down_checked_for_transaction_control(&self, dialect: Dialect) -> bool {
        let _ = dialect;
        false
    }

    /// Where `up` comes from on `dialect`, for error messages: a file path, or `code`.
    fn up_origin(&self, dialect: Dialect) -> String {
        let _ = dialect;
        format!("code migration `{}` (up)", self.id())
    }

    /// Where `down` comes from on `dialect`, for error messages.
    fn down_origin(&self, dialect: Dialect) -> String {
        let _ = dialect;
        format!("code migration `{}` (down)", self.id())
    }

    /// The transaction mode. Defaults to [`TransactionMode::Transactional`].
    fn transaction_mode(&self) -> TransactionMode {
        TransactionMode::Transactional
    }
}

/// Where migrations come from: embedded, a directory, or code.
#[async_trait]
pub trait MigrationSource: Send + Sync {
    /// Every migration, in any order (the runner sorts by id and rejects duplicates).
    async fn migrations(&self) -> Result<Vec<Arc<dyn Migration>>>;

    /// The same migrations as the static list `embed_migrations!` emitted, when that is
    /// what this source is: the runner's no-op start-up then checks the tracking table
    /// against the list as it is, without building a trait object per migration. Not for
    /// other sources (the default, `None`, is right for them).
    #[doc(hidden)]
    fn embedded(&self) -> Option<&'static [crate::sql_migration::EmbeddedMigration]> {
        None
    }
}

/// The status of a migration in the tracking table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MigrationStatus {
    /// Started and not finished: running now elsewhere, or its process died.
    InProgress,
    /// Applied.
    Completed,
    /// Failed outside a transaction; blocks later runs until recovered.
    Failed,
}

impl MigrationStatus {
    /// The text stored in the `status` column.
    #[must_use]
    pub const fn as_str(self) -> &'static str {
        match self {
            MigrationStatus::InProgress => "in_progress",
            MigrationStatus::Completed => "completed",
            MigrationStatus::Failed => "failed",
        }
    }

    /// Parses the `status` column.
    #[must_use]
    pub fn parse(text: &str) -> Option<Self> {
        match text {
            "in_progress" => Some(MigrationStatus::InProgress),
            "completed" => Some(MigrationStatus::Completed),
            "failed" => Some(MigrationStatus::Failed),
            _ => None,
        }
    }
}

impl fmt::Display for MigrationStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One migration as listed by [`MigrationRunner::list_migrations`](crate::MigrationRunner::list_migrations).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationInfo {
    /// The id.
    pub id: String,
    /// The description, if any.
    pub description: Option<String>,
    /// `None` when pending (no tracking row).
    pub status: Option<MigrationStatus>,
    /// When it started, as the database wrote it (UTC, `YYYY-MM-DD HH:MM:SS`).
    pub run_on: Option<String>,
    /// When it finished.
    pub finished_on: Option<String>,
    /// Why it failed, for `failed` rows.
    pub failure_reason: Option<String>,
    /// Whether it is in the migration source (`false`: only in the tracking table).
    pub in_source: bool,
    /// Whether the source's checksum differs from the recorded one.
    pub drifted: bool,
}

impl MigrationInfo {
    /// Whether the migration is applied (`completed`).
    #[must_use]
    pub fn is_applied(&self) -> bool {
        self.status == Some(MigrationStatus::Completed)
    }
}
