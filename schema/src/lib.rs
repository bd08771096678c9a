//! switchy_schema: versioned schema migrations (crate docs are written with the runner).

pub mod checksum;
pub mod code;
mod database;
pub mod directory;
pub mod drivers;
mod embedded;
mod error;
pub mod grammar;
mod hooks;
mod ident;
mod lock;
mod migration;
mod plan;
mod report;
mod runner;
mod split;
mod sql_migration;
mod tracker;

pub use database::{Database, DatabaseTransaction, Dialect, Row, Value};
pub use embedded::Migrations;
pub use error::{DatabaseError, DatabaseErrorKind, Error, FailedMigration, Result};
pub use hooks::MigrationHooks;
pub use migration::{Migration, MigrationInfo, MigrationSource, MigrationStatus, TransactionMode};
pub use plan::{ExecutionStrategy, MissingPolicy, OutOfOrderPolicy, RollbackStrategy};
pub use report::{AppliedMigration, PlannedMigration, RollbackReport, RunReport};
pub use runner::{DEFAULT_LOCK_TIMEOUT, DEFAULT_TABLE_NAME, MigrationRunner};
pub use sql_migration::{SqlFile, SqlMigration};
