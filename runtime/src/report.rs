//! What runs and rollbacks report.

use std::borrow::Cow;
use std::time::Duration;

use crate::migration::TransactionMode;

/// One migration applied or rolled back by a run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedMigration {
    /// Its id.
    pub id: String,
    /// How long it took, tracking row included.
    pub duration: Duration,
}

/// One migration a dry run would apply or roll back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PlannedMigration {
    /// Its id.
    pub id: String,
    /// The SQL that would run on this database's dialect; `None` for code.
    pub sql: Option<String>,
    /// Whether it would run in a transaction.
    pub transaction_mode: TransactionMode,
}

/// What [`MigrationRunner::run`](crate::MigrationRunner::run) did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RunReport {
    /// Applied by this run, in order, with their durations.
    pub applied: Vec<AppliedMigration>,
    /// Already applied before this run (including by a concurrent process while this one
    /// waited), in id order.
    ///
    /// Borrowed from the binary when the run found every migration of an
    /// [`embed_migrations!`](crate::Migrations) list applied, so that such a start-up
    /// allocates nothing per migration; owned otherwise.
    pub skipped: Vec<Cow<'static, str>>,
    /// For a dry run: what would be applied, with its SQL. Empty otherwise.
    pub planned: Vec<PlannedMigration>,
    /// Whether this was a dry run (nothing was written).
    pub dry_run: bool,
    /// The whole run's duration.
    pub total: Duration,
}

impl RunReport {
    /// The ids applied by this run.
    pub fn applied_ids(&self) -> impl Iterator<Item = &str> {
        self.applied.iter().map(|m| m.id.as_str())
    }
}

/// What [`MigrationRunner::rollback`](crate::MigrationRunner::rollback) did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RollbackReport {
    /// Rolled back by this call, most recently applied first, with durations.
    pub rolled_back: Vec<AppliedMigration>,
    /// Planned, but rolled back by another process while this one waited, in the order
    /// planned.
    pub skipped: Vec<String>,
    /// For a dry run: what would be rolled back, with the down SQL.
    pub planned: Vec<PlannedMigration>,
    /// Whether this was a dry run.
    pub dry_run: bool,
}
