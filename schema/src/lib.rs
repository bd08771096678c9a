//! switchy_schema: versioned schema migrations (crate docs are written with the runner).

pub mod checksum;
pub mod code;
mod database;
pub mod directory;
pub mod drivers;
mod embedded;
mod error;
pub mod grammar;
mod migration;
mod report;
mod runner;
mod split;
mod sql_migration;

pub use database::{Database, DatabaseTransaction, Dialect, Row, Value};
pub use embedded::Migrations;
pub use error::{DatabaseError, DatabaseErrorKind, Error, FailedMigration, Result};
pub use migration::{Migration, MigrationInfo, MigrationSource, MigrationStatus, TransactionMode};
pub use report::RunReport;
pub use runner::MigrationRunner;
pub use sql_migration::{SqlFile, SqlMigration};
