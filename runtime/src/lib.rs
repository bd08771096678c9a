//! The runtime of [switchy_schema](https://docs.rs/switchy_schema): sources, runner,
//! tracking table, lock and drivers.
//!
//! Depend on `switchy_schema`, which re-exports all of this crate together with
//! `embed_migrations!`. The split exists for build times: the macro's build script reruns
//! whenever a migrations folder changes, and keeping this crate out of the macro's
//! dependents means such a rerun never recompiles the runtime.

mod adopt;
mod chain;
mod checksum;
pub mod code;
mod database;
pub mod directory;
pub mod drivers;
mod embedded;
mod error;
mod hooks;
mod ident;
mod journal;
mod lock;
mod migration;
mod plan;
mod progress;
mod report;
mod reset;
mod runner;
mod savepoint;
pub mod schema;
mod split;
mod sql_migration;
mod sqlite_lock;
mod step;
mod text_rows;
mod text_sink;
mod timestamps;
mod trace;
mod tracker;
mod transaction_control;
mod up_to_date;

pub use adopt::{
    AdoptReport, AdoptedMigration, AdoptionProblems, DIESEL_TABLE, ForeignHistory, ForeignTool,
    REFINERY_TABLE, SQLX_TABLE,
};
pub use database::{Database, DatabaseTransaction, Dialect, Row, Value};
pub use embedded::Migrations;
pub use error::{DatabaseError, DatabaseErrorKind, Error, FailedMigration, Result};
pub use hooks::MigrationHooks;
pub use migration::{Migration, MigrationInfo, MigrationSource, MigrationStatus, TransactionMode};
pub use plan::{ExecutionStrategy, MissingPolicy, OutOfOrderPolicy, RollbackStrategy};
pub use report::{AppliedMigration, PlannedMigration, RollbackReport, RunReport};
pub use runner::{DEFAULT_LOCK_TIMEOUT, DEFAULT_TABLE_NAME, MigrationRunner};
pub use sql_migration::{SqlFile, SqlMigration};
pub use text_rows::{TextRow, TextRows, TextRowsIter};
pub use text_sink::TextSink;

/// The folder grammar, shared with `embed_migrations!`; its violations are public as
/// [`directory::Violation`].
use switchy_schema_grammar as grammar;

/// What `embed_migrations!` expands to, and the internals this project's own tests use;
/// not a public interface, and not covered by semver.
///
/// Nothing here is needed to use switchy_schema: the embedded data has public fields so
/// that the macro can emit it as a constant, and a [`Migrations`] built from it by hand
/// would skip the checks of the folder grammar.
#[doc(hidden)]
pub mod __private {
    pub use crate::Migrations;
    pub use crate::database::Dialect;
    pub use crate::embedded::{embedded_list, migrations};
    pub use crate::migration::TransactionMode;
    pub use crate::sql_migration::{EmbeddedFile, EmbeddedMigration};
    pub use switchy_schema_grammar as grammar;

    /// The checksum rule, and how stored checksums are compared.
    pub mod checksum {
        pub use crate::checksum::*;
    }
}
