//! The database migrations of a small music application, as an example of wrapping
//! switchy_schema in an application.
//!
//! - **Two migration sets**, each with its own tracking table: `config` (profiles,
//!   settings, scan locations; [`CONFIG_TABLE`]) and `library` (artists, albums, tracks,
//!   playback sessions; [`LIBRARY_TABLE`]). They may live in one database or in two.
//! - **Two dialects**, SQLite and PostgreSQL, from one folder per set: `up.sql` is written
//!   for SQLite, and a migration whose SQL differs on PostgreSQL adds `up.postgres.sql`
//!   (and `down.postgres.sql`) beside it. This is the recommended layout: one id sequence
//!   and one history for every dialect, and the differences visible next to each other.
//!   Separate folders per dialect let the two histories drift apart (a migration added to
//!   one folder and forgotten in the other is not an error anywhere).
//! - Embedded at compile time with `switchy_schema::embed_migrations!`.
//! - **A third set written in Rust with the schema builder**, [`catalog`] (record labels
//!   and releases; [`catalog::CATALOG_TABLE`]): no SQL text at all, and the same code on
//!   SQLite, PostgreSQL and MySQL/MariaDB.
//! - **Baseline**: with [`BASELINE_VARIABLE`] set to `1` (or `true`), nothing runs and every
//!   migration is recorded as applied, for a database whose schema already matches (one
//!   created by an older version that did not track migrations).
//!
//! Notable migrations of the `library` set: `move_album_artwork` moves a column's values
//! into a new table (and back in its down), `playlist_tracks_primary_key` is a SQLite table
//! rebuild (one `ALTER TABLE` on PostgreSQL), `index_tracks_title` runs outside a
//! transaction (`CREATE INDEX CONCURRENTLY` on PostgreSQL), `tracks_duration_ms` converts
//! seconds to milliseconds. The tests in `tests/` show how to test them with
//! `switchy_schema_test_utils`.

pub mod catalog;

use switchy_schema::{
    Database, ExecutionStrategy, MigrationRunner, Migrations, RunReport, embed_migrations,
};

/// The `config` migration set.
pub static CONFIG_MIGRATIONS: Migrations = embed_migrations!("migrations/config");

/// The `library` migration set.
pub static LIBRARY_MIGRATIONS: Migrations = embed_migrations!("migrations/library");

/// The tracking table of the `config` set.
pub const CONFIG_TABLE: &str = "music_config_migrations";

/// The tracking table of the `library` set.
pub const LIBRARY_TABLE: &str = "music_library_migrations";

/// The environment variable that turns a migration call into a baseline: `1` or `true`
/// records every migration as applied without running any.
pub const BASELINE_VARIABLE: &str = "MUSIC_LIBRARY_BASELINE";

/// How a migration call behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MigrateOptions {
    /// Record every migration as applied without running any. Default: `false`.
    ///
    /// **Dangerous** on a database whose schema does not match: the migrations will never
    /// run there.
    pub baseline: bool,
}

impl MigrateOptions {
    /// The options from the environment ([`BASELINE_VARIABLE`]).
    #[must_use]
    pub fn from_env() -> Self {
        Self::from_value(std::env::var(BASELINE_VARIABLE).ok().as_deref())
    }

    /// The options from the value of [`BASELINE_VARIABLE`]: `1`, `true` or `yes` (any
    /// case) turn the baseline on; anything else, or no value, leaves it off.
    #[must_use]
    pub fn from_value(value: Option<&str>) -> Self {
        let baseline = value.is_some_and(|value| {
            matches!(
                value.trim().to_ascii_lowercase().as_str(),
                "1" | "true" | "yes"
            )
        });
        Self { baseline }
    }
}

/// What a migration call did.
#[derive(Debug)]
pub enum Outcome {
    /// Migrations ran.
    Applied(RunReport),
    /// Baseline: this many migrations were recorded as applied, none ran.
    Baselined(usize),
}

/// A runner over the `config` set, with its tracking table.
#[must_use]
pub fn config_runner() -> MigrationRunner {
    CONFIG_MIGRATIONS.runner().with_table_name(CONFIG_TABLE)
}

/// A runner over the `library` set, with its tracking table.
#[must_use]
pub fn library_runner() -> MigrationRunner {
    LIBRARY_MIGRATIONS.runner().with_table_name(LIBRARY_TABLE)
}

/// A runner over the `catalog` set (see [`catalog`]), with its tracking table.
#[must_use]
pub fn catalog_runner() -> MigrationRunner {
    MigrationRunner::new(catalog::catalog_migrations()).with_table_name(catalog::CATALOG_TABLE)
}

async fn migrate(
    runner: MigrationRunner,
    db: &dyn Database,
    options: MigrateOptions,
) -> switchy_schema::Result<Outcome> {
    if options.baseline {
        runner
            .mark_all_migrations_completed(db)
            .await
            .map(Outcome::Baselined)
    } else {
        runner.run(db).await.map(Outcome::Applied)
    }
}

/// Applies the pending `config` migrations (or baselines them, see [`BASELINE_VARIABLE`]).
pub async fn migrate_config(db: &dyn Database) -> switchy_schema::Result<Outcome> {
    migrate(config_runner(), db, MigrateOptions::from_env()).await
}

/// Applies the pending `library` migrations (or baselines them, see [`BASELINE_VARIABLE`]).
pub async fn migrate_library(db: &dyn Database) -> switchy_schema::Result<Outcome> {
    migrate_library_with(db, MigrateOptions::from_env()).await
}

/// Applies the pending `library` migrations up to and including `id`: for tests, and for
/// a staged roll-out. An id not in the set is an error.
pub async fn migrate_library_until(db: &dyn Database, id: &str) -> switchy_schema::Result<Outcome> {
    migrate(
        library_runner().with_strategy(ExecutionStrategy::UpTo(id.to_owned())),
        db,
        MigrateOptions::from_env(),
    )
    .await
}

/// Applies the pending `catalog` migrations (or baselines them, see [`BASELINE_VARIABLE`]).
pub async fn migrate_catalog(db: &dyn Database) -> switchy_schema::Result<Outcome> {
    migrate(catalog_runner(), db, MigrateOptions::from_env()).await
}

/// [`migrate_catalog`] with explicit options instead of the environment.
pub async fn migrate_catalog_with(
    db: &dyn Database,
    options: MigrateOptions,
) -> switchy_schema::Result<Outcome> {
    migrate(catalog_runner(), db, options).await
}

/// [`migrate_config`] with explicit options instead of the environment.
pub async fn migrate_config_with(
    db: &dyn Database,
    options: MigrateOptions,
) -> switchy_schema::Result<Outcome> {
    migrate(config_runner(), db, options).await
}

/// [`migrate_library`] with explicit options instead of the environment.
pub async fn migrate_library_with(
    db: &dyn Database,
    options: MigrateOptions,
) -> switchy_schema::Result<Outcome> {
    migrate(library_runner(), db, options).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_baseline_variable_is_parsed_strictly() {
        for on in ["1", "true", "TRUE", " yes "] {
            assert!(MigrateOptions::from_value(Some(on)).baseline, "{on:?}");
        }
        for off in ["0", "false", "", "no", "2"] {
            assert!(!MigrateOptions::from_value(Some(off)).baseline, "{off:?}");
        }
        assert!(!MigrateOptions::from_value(None).baseline);
    }

    #[test]
    fn both_sets_are_embedded() {
        assert_eq!(CONFIG_MIGRATIONS.len(), 4);
        assert_eq!(LIBRARY_MIGRATIONS.len(), 11);
    }
}
