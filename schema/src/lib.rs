//! Versioned SQL schema migrations for SQLite, PostgreSQL and MySQL/MariaDB, applied at
//! start-up on the pool or connection the application already holds.
//!
//! ```
//! use switchy_schema::MigrationRunner;
//! use switchy_schema::code::{CodeMigration, CodeSource};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
//!
//! let migrations = CodeSource::new()
//!     .with(
//!         CodeMigration::new("0001_users", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
//!             .with_down("DROP TABLE users"),
//!     )
//!     .with(CodeMigration::new("0002_email", "ALTER TABLE users ADD COLUMN email TEXT"));
//! let runner = MigrationRunner::new(migrations);
//!
//! let report = runner.run(&pool).await?;
//! assert_eq!(report.applied.len(), 2);
//!
//! // Start-up again: nothing pending, one query.
//! let report = runner.run(&pool).await?;
//! assert!(report.applied.is_empty());
//!
//! for info in runner.list_migrations(&pool).await? {
//!     println!("{} {:?}", info.id, info.status);
//! }
//! # Ok(())
//! # }
//! ```
//!
//! # Sources
//!
//! - [`Migrations`]: a static list embedded in the binary, what `embed_migrations!`
//!   builds.
//! - [`directory::DirectorySource`]: a migrations folder read at run time, with the same
//!   folder grammar as the macro (every violation reported at once).
//! - [`code::CodeSource`]: migrations written in Rust, from SQL strings or async closures.
//!
//! # Code migrations
//!
//! A [`code::CodeMigration`] runs Rust instead of a file. Write it with the
//! [schema builder](schema) first: typed DDL rendered for the dialect of the database it
//! runs on, so one migration serves SQLite, PostgreSQL and MySQL/MariaDB, and operations
//! SQLite's `ALTER TABLE` lacks become a table rebuild that keeps data, indexes, triggers,
//! views and foreign keys:
//!
//! ```
//! use switchy_schema::MigrationRunner;
//! use switchy_schema::code::{CodeMigration, CodeSource, Executable};
//! use switchy_schema::schema::{alter_table, create_index, create_table, drop_table, Column, ColumnType};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let migrations = || {
//!     CodeSource::new()
//!         .with(
//!             CodeMigration::new(
//!                 "0001_users",
//!                 create_table("users")
//!                     .column(Column::new("id", ColumnType::BigInt).primary_key().auto_increment())
//!                     .column(Column::new("email", ColumnType::VarChar(200)).not_null())
//!                     .column(Column::new("nickname", ColumnType::Text)),
//!             )
//!             .with_down(drop_table("users")),
//!         )
//!         .with(CodeMigration::new(
//!             "0002_unique_email",
//!             vec![
//!                 create_index("users_by_email", "users").column("email").unique().boxed(),
//!                 // SQLite's own DROP COLUMN, or a table rebuild where SQLite refuses it.
//!                 alter_table("users").drop_column("nickname").boxed(),
//!             ],
//!         ))
//! };
//!
//! let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
//! // A dry run shows the SQL each builder would run on this database.
//! let plan = MigrationRunner::new(migrations()).dry_run(true).run(&pool).await?;
//! assert!(plan.planned[0].sql.as_deref().unwrap().starts_with("CREATE TABLE \"users\""));
//! MigrationRunner::new(migrations()).run(&pool).await?;
//! # Ok(())
//! # }
//! ```
//!
//! An up or down can also be SQL text (`&'static str` or `String`, the same on every
//! dialect), a list of [`Executable`](code::Executable)s (`Vec<Box<dyn Executable>>`), or
//! an async closure, `code::from_async_fn(async |db| { ...; Ok(()) })`, which may run
//! builders and queries. The checksum of a migration on each dialect is that of its text
//! there (a closure has none, so edits to it are not detected as drift).
//! [`TransactionMode::NoTransaction`] runs it outside a transaction, as
//! `run_in_transaction = false` does for a folder: SQL text is then sent one statement at a
//! time on PostgreSQL (`CREATE INDEX CONCURRENTLY`).
//!
//! # Migration folders
//!
//! ```text
//! migrations/
//!   README.md                         allowed and ignored (also README and dotfiles)
//!   2024-01-05-135538_create_users/   one folder per migration; its name is the id
//!     up.sql                          required; may be empty (a recorded no-op)
//!     down.sql                        optional; absent: the migration is irreversible
//!     up.postgres.sql                 optional override on one dialect (also .mysql, .sqlite;
//!     down.postgres.sql                 the same for down, which then needs down.sql)
//!     metadata.toml                   optional: run_in_transaction = false, description = "..."
//! ```
//!
//! Migrations run in the byte order of their ids. An id is a version (digits, optionally
//! separated by single `-` or `_`), then `_`, then a name, with no whitespace at either end
//! and no control characters. Versions are compared by their digits alone, separators
//! dropped, as numbers: two ids with the same version (`0001_a` and `1_b`,
//! `2024-01-01-000000_a` and `20240101000000_b`) are rejected, and so are versions whose byte
//! order disagrees with their numeric order (`1_a`, `10_b`, `2_c`; or `2024-01-03-000000_a`
//! beside `20240102000000_b`, where `-` sorts before every digit): write every version in one
//! shape and width. Ids that differ only by case, unknown files (`Up.sql`, `up.sql.bak`,
//! `up.oracle.sql`), loose SQL files at the top level, nested folders, names or content that
//! are not UTF-8, an invalid `metadata.toml`, and a folder with no migration are rejected too.
//! `embed_migrations!` reports every violation as a compile error, [`DirectorySource`]
//! as one [`Error::InvalidFolder`]; the full grammar is documented in the
//! [`switchy_schema_grammar`](https://docs.rs/switchy_schema_grammar) crate, which both use.
//!
//! [`DirectorySource`]: directory::DirectorySource
//!
//! # Drivers
//!
//! The runner talks to a [`Database`], a small dyn-compatible async executor implemented,
//! each behind the feature named after its driver, for:
//!
//! | feature | types |
//! |---|---|
//! | `sqlx-sqlite` | `sqlx::SqlitePool`, `tokio::sync::Mutex<sqlx::SqliteConnection>` |
//! | `sqlx-postgres` | `sqlx::PgPool`, `tokio::sync::Mutex<sqlx::PgConnection>` |
//! | `sqlx-mysql` | `sqlx::MySqlPool`, `tokio::sync::Mutex<sqlx::MySqlConnection>` |
//! | `rusqlite` | `std::sync::Mutex<rusqlite::Connection>` |
//! | `tokio-postgres` | `tokio_postgres::Client` |
//!
//! No feature is on by default. Pass a pool or connection, not an open transaction: the
//! runner opens its own.
//!
//! # Guarantees
//!
//! - **Atomic apply.** On SQLite and PostgreSQL each migration runs in a transaction
//!   together with its tracking row. A failing migration leaves the earlier ones applied and
//!   no trace of itself; the error ([`Error::MigrationFailed`]) names the migration, its
//!   file, the database's message and what the run applied (or rolled back) before it.
//! - **Not atomic, but visible.** MySQL commits DDL implicitly, and a migration whose
//!   `metadata.toml` says `run_in_transaction = false` runs outside a transaction (for
//!   `CREATE INDEX CONCURRENTLY` or `PRAGMA journal_mode=WAL`; on PostgreSQL its statements
//!   are sent one at a time). Those write an `in_progress` row first and `completed` after.
//!   (On MySQL, consecutive transactional migrations of a run commit the next one's
//!   `in_progress` row with the previous one's `completed`, with `autocommit` off for the
//!   run, to flush no more often than the migrations themselves: a process killed between
//!   two of them leaves the next one `in_progress` although none of it ran.)
//!   A failure is recorded as `failed` with its reason; a crash leaves `in_progress`. A
//!   failure on the first statement ran nothing and leaves no row (see
//!   [`TransactionMode::NoTransaction`], also for leaving SQLite's WAL mode).
//! - **Dirty state blocks.** A `failed` or `in_progress` row makes every run fail with
//!   [`Error::Dirty`] until a deliberate recovery call:
//!   [`retry_migration`](MigrationRunner::retry_migration),
//!   [`mark_migration_completed`](MigrationRunner::mark_migration_completed),
//!   [`forget_migration`](MigrationRunner::forget_migration) or, for a baseline,
//!   [`mark_all_migrations_completed`](MigrationRunner::mark_all_migrations_completed).
//! - **Exactly once under concurrency.** Processes starting at once serialize on a lock:
//!   a PostgreSQL advisory lock or a MySQL `GET_LOCK`, held on one connection and released
//!   on every path (and by the server if the process dies); on a SQLite file, an OS file
//!   lock on `<database file>-switchy-<table>.lock`, released by the OS if the process
//!   dies (an in-memory database has no file: each migration's `BEGIN IMMEDIATE`
//!   transaction re-checks the tracking table). Waiting is bounded by
//!   [`with_lock_timeout`](MigrationRunner::with_lock_timeout) (default 5 minutes), then
//!   [`Error::LockTimeout`]. On SQLite each attempt also waits up to the connection's own
//!   `busy_timeout`.
//! - **Drift.** The SHA-256 of every applied file is stored; an edited applied migration
//!   fails the next run with [`Error::Drift`] before anything executes. A change of line
//!   endings alone is not drift: the checksum is that of the text with every `\r\n` turned
//!   into `\n`, and a row written from CRLF bytes is accepted too. Opt out with
//!   [`verify_checksums`](MigrationRunner::verify_checksums) or accept the edit with
//!   [`rebless_checksums`](MigrationRunner::rebless_checksums).
//! - **Policies.** Pending migrations that sort before the last applied one are an error by
//!   default ([`OutOfOrderPolicy`]); applied migrations missing from the source are ignored
//!   when newer than every known id and an error otherwise ([`MissingPolicy`]).
//! - **No injection.** The tracking table name is validated and quoted; ids and checksums
//!   are bound as parameters.
//! - **Cheap no-op start-up.** With everything applied, a run reads the tracking table
//!   once and returns, whatever the number of migrations.
//!
//! # The tracking table
//!
//! `__switchy_migrations` by default, compatible with switchy_schema 0.4: `id` (primary
//! key), `run_on`, `finished_on` (UTC), `up_checksum`, `down_checksum` (lowercase hex
//! SHA-256), `status` (`in_progress` / `completed` / `failed`) and `failure_reason`. An older
//! table with only (`id` or `name`, `run_on`) is upgraded in place, in one transaction where
//! the database allows it, keeping its rows (as `completed`, with unknown checksums that
//! match any file).
//!
//! # Coming from another tool
//!
//! A database migrated by sqlx, diesel or refinery is adopted, not migrated again:
//! [`MigrationRunner::adopt_history`] records what the other tool applied, then [`run`]
//! applies only the rest. The [`guide`] shows, per tool, how to move the files.
//!
//! [`run`]: MigrationRunner::run
//!
//! # Crates
//!
//! This crate is a facade: the runtime lives in `switchy_schema_runtime` and the macro in
//! `switchy_schema_macros`, both re-exported here. Depend on this one.

pub use switchy_schema_runtime::*;

#[cfg(feature = "macros")]
pub use switchy_schema_macros::embed_migrations;

/// Guide: coming from sqlx, diesel, refinery or switchy_schema 0.4 (how the folders map,
/// what [`MigrationRunner::adopt_history`] does, what is kept).
pub mod guide {
    #![doc = include_str!("../docs/coming_from.md")]
}

/// What `embed_migrations!` expands to refers to, and the internals this project's own
/// tests use; not a public interface, and not covered by semver.
#[doc(hidden)]
pub mod __private {
    pub use switchy_schema_runtime::__private::*;
}
