//! Test utilities for [`switchy_schema`] migrations: fresh databases, the
//! **round-trip proof** that every `down` undoes its `up`, data-migration tests, schema
//! snapshots and assertions. Every helper takes a `&dyn Database`, so the same test runs on
//! SQLite, PostgreSQL and MySQL/MariaDB.
//!
//! ```toml
//! [dev-dependencies]
//! switchy_schema_test_utils = "0.5"   # features "postgres" / "mysql" for FreshDatabase
//! ```
//!
//! ```
//! use switchy_schema::code::{CodeMigration, CodeSource};
//! use switchy_schema_test_utils::{create_empty_in_memory, verify_migrations_full_cycle};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let migrations = || {
//!     CodeSource::new()
//!         .with(CodeMigration::new("0001_users", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
//!             .with_down("DROP TABLE users"))
//!         .with(CodeMigration::new("0002_unique_email", "CREATE UNIQUE INDEX users_email ON users (email)")
//!             .with_down("DROP INDEX users_email"))
//! };
//!
//! // Applies each migration, rolls each back, and compares the schema at every step.
//! let db = create_empty_in_memory().await?;
//! let report = verify_migrations_full_cycle(&db, migrations()).await?;
//! assert_eq!(report.ids().collect::<Vec<_>>(), ["0001_users", "0002_unique_email"]);
//!
//! // A down that forgets its index is caught, and named.
//! let broken = CodeSource::new()
//!     .with(CodeMigration::new("0001_users", "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)")
//!         .with_down("DROP TABLE users"))
//!     .with(CodeMigration::new("0002_unique_email", "CREATE UNIQUE INDEX users_email ON users (email)")
//!         .with_down("SELECT 1"));
//! let error = verify_migrations_full_cycle(&create_empty_in_memory().await?, broken).await.unwrap_err();
//! assert!(error.to_string().ends_with("table `users`: index `users_email` present after down but not before"));
//! # Ok(())
//! # }
//! ```
//!
//! With migrations embedded by `switchy_schema::embed_migrations!`, pass `&MIGRATIONS`
//! (a `&'static Migrations`) wherever a source is taken.
//!
//! # The helpers
//!
//! | helper | what it does |
//! |---|---|
//! | [`create_empty_in_memory`] | an in-memory SQLite pool whose every statement sees the same database |
//! | [`server::FreshDatabase`] | a uniquely named PostgreSQL / MySQL database, dropped after the test even when it fails (features `postgres`, `mysql`) |
//! | [`verify_migrations_full_cycle`] | up one by one, down one by one, the schema compared after each `down`; then up and down again |
//! | [`verify_migrations_with_state`] | the same after seeding data, and every row compared after each `down` too |
//! | [`verify_migrations_with_mutations`] | the same with data changes ([`Mutation`]s) run after named migrations |
//! | [`MigrationTestBuilder`] | data before / after chosen migrations, optional rollback: tests of data-transforming migrations |
//! | [`SchemaSnapshot`], [`SchemaDiff`] | the normalized schema, its readable diff, and [`schema_history`] for snapshot tests |
//! | [`assert_table_exists`], [`assert_column_type`], [`assert_row_count`], [`assert_foreign_key_integrity`], [`assert_migrations_applied`], [`assert_schema_matches`], ... | assertions whose messages show what was found |
//!
//! Each has a runnable example in its documentation (on in-memory SQLite).
//!
//! # Why a separate crate, not a feature of switchy_schema
//!
//! - **It stays a dev-dependency.** The helpers need the sqlx SQLite driver (for
//!   [`create_empty_in_memory`]), a tokio runtime (to drop a server database from `Drop`)
//!   and, for [`server::FreshDatabase`], the sqlx PostgreSQL and MySQL drivers. As a
//!   `test-utils` feature these would become optional dependencies of `switchy_schema`
//!   itself, and Cargo unifies features across one build: `cargo test --workspace`
//!   compiles every member, the application included, against the `switchy_schema` built
//!   with the feature on. A crate under `[dev-dependencies]` adds nothing to the
//!   application's `switchy_schema`.
//! - **It uses only the public API**, which proves that users can write the same tools,
//!   and lets the test API grow without new feature flags in the runtime crate.
//! - **The runtime's docs stay about running migrations**; testing lives here.
//!
//! # Async closures
//!
//! Closures are Rust 1.85 async closures: `async |db| { ...; Ok(()) }`, with no
//! `Box::pin(async move { .. })`. The helpers take `impl AsyncFn(&dyn Database) ->
//! Result<(), BoxError>`, which lets the closure borrow the database for the call (and
//! borrow from the test: [`MigrationTestBuilder`] has a lifetime). [`BoxError`] makes `?`
//! work on every error type. The futures need not be `Send`: the helpers await them in
//! place and never spawn them (stable Rust cannot yet require `Send` of an `AsyncFn`'s
//! future, which is why `switchy_schema`'s own [`from_fn`](switchy_schema::code::from_fn),
//! run by the runner, still takes a boxed future).
//!
//! # What the round-trip proof compares
//!
//! [`SchemaSnapshot`] reads tables, columns (type, nullability, default, collation,
//! generation and its expression), primary keys, unique constraints, `CHECK`
//! constraints, indexes (with their expressions and partial-index predicates), foreign
//! keys, views and triggers (on PostgreSQL also sequences, enum types, functions,
//! extensions and schemas; on MySQL routines), normalized so that the same schema reached
//! by different statement orders compares equal, and equal expressions written
//! differently compare equal; see [`snapshot`]. It does not read comments, grants or table
//! options (MySQL engine and charset). Data is compared
//! by [`DataSnapshot`] (sorted rows, rendered as text).
//!
//! # Snapshot tests
//!
//! [`SchemaSnapshot`] is `Serialize` and renders a stable text with `Display`. To record
//! the schema after each migration and have any change show up in review, opt in with a
//! test such as (with `insta` as a dev-dependency):
//!
//! ```ignore
//! #[tokio::test]
//! async fn schema_after_each_migration() {
//!     let db = switchy_schema_test_utils::create_empty_in_memory().await.unwrap();
//!     let history = switchy_schema_test_utils::schema_history(&db, &MIGRATIONS).await.unwrap();
//!     for (id, schema) in &history.after_each {
//!         insta::assert_snapshot!(id.as_str(), schema.to_string());
//!     }
//! }
//! ```
//!
//! The music library example of the repository (`examples/music-library`) does this.

mod assertions;
mod builder;
mod data;
mod diff;
mod error;
mod ident;
mod mutation;
#[cfg(any(feature = "postgres", feature = "mysql"))]
pub mod server;
pub mod snapshot;
mod sqlite;
mod step;
mod verify;

pub use assertions::{
    assert_column_exists, assert_column_not_exists, assert_column_type,
    assert_foreign_key_integrity, assert_migrations_applied, assert_migrations_applied_in,
    assert_migrations_not_applied, assert_migrations_not_applied_in, assert_min_row_count,
    assert_row_count, assert_schema_matches, assert_schema_matches_with, assert_table_exists,
    assert_table_not_exists, row_count,
};
pub use builder::{MigrationTestBuilder, MigrationTestReport};
pub use data::{DataDiff, DataSnapshot, TableDataDiff};
pub use diff::{Change, Difference, SchemaDiff};
pub use error::{BoxError, Error, Result};
pub use mutation::{FnMutation, Mutation, MutationProvider, Mutations, mutation_fn};
pub use snapshot::{
    ColumnSchema, ForeignKeySchema, IndexSchema, SchemaSnapshot, SnapshotOptions, TableSchema,
};
pub use sqlite::create_empty_in_memory;
pub use step::LocalBoxFuture;
pub use verify::{
    CycleReport, VerifyOptions, schema_history, schema_history_with, verify_migrations_full_cycle,
    verify_migrations_full_cycle_with, verify_migrations_with_mutations,
    verify_migrations_with_mutations_with, verify_migrations_with_state,
    verify_migrations_with_state_with,
};

/// `` `a`, `b` ``.
pub(crate) fn list(items: &[String]) -> String {
    items
        .iter()
        .map(|item| format!("`{item}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
