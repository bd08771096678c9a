//! The command line: every command, flag and environment variable (clap derive).
//!
//! The connection and folder options are global, so both switchy_schema 0.4's form
//! (`switchy-migrate status -d URL`) and `switchy-migrate -d URL status` work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Versioned SQL schema migrations for SQLite, PostgreSQL and MySQL/MariaDB.
///
/// The database comes from -d/--database-url, else SWITCHY_DATABASE_URL, else DATABASE_URL
/// (each also read from a .env file in the current directory or a parent).
#[derive(Debug, Parser)]
#[command(name = "switchy-migrate", version)]
#[command(after_help = EXIT_CODES)]
pub(crate) struct Cli {
    #[command(flatten)]
    pub(crate) global: Global,
    #[command(subcommand)]
    pub(crate) command: Command,
}

/// The exit codes, printed under `--help`.
pub(crate) const EXIT_CODES: &str = "\
Exit codes:
  0  success
  1  any other error (I/O, unsupported option, adoption refused, ...)
  2  usage error (bad flags, unknown migration id, refused without --force)
  3  connection error (bad URL, unreachable server, authentication)
  4  a migration failed
  5  drift, dirty state, missing or out-of-order migrations
  6  timed out waiting for the migration lock
  7  the migrations folder breaks the folder grammar
  8  lint findings";

/// Options every command accepts.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub(crate) struct Global {
    /// Database URL: sqlite:PATH, sqlite::memory:, postgres://..., postgresql://..., mysql://...,
    /// mariadb://... [default: $SWITCHY_DATABASE_URL, else $DATABASE_URL]
    #[arg(
        short = 'd',
        long,
        global = true,
        env = "SWITCHY_DATABASE_URL",
        hide_env_values = true
    )]
    pub(crate) database_url: Option<String>,

    /// The migrations folder
    #[arg(
        short = 'm',
        long,
        global = true,
        env = "SWITCHY_MIGRATIONS_DIR",
        default_value = "./migrations"
    )]
    pub(crate) migrations_dir: PathBuf,

    /// The tracking table (`name` or `schema.name`)
    #[arg(
        long,
        global = true,
        env = "SWITCHY_MIGRATION_TABLE",
        default_value = "__switchy_migrations"
    )]
    pub(crate) migration_table: String,

    /// Print only errors and the data asked for
    #[arg(short, long, global = true, conflicts_with = "verbosity")]
    pub(crate) quiet: bool,

    /// Show what the library does (tracing events); -vv for more detail
    #[arg(short = 'v', global = true, action = clap::ArgAction::Count)]
    pub(crate) verbosity: u8,
}

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum Format {
    /// A table for people.
    #[default]
    Human,
    /// JSON for scripts; the schema is documented in the README and stable.
    Json,
}

/// SQL dialects, for commands that need one without a database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum DialectArg {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    Mysql,
}

impl DialectArg {
    pub(crate) fn dialect(self) -> switchy_schema::Dialect {
        match self {
            DialectArg::Sqlite => switchy_schema::Dialect::Sqlite,
            DialectArg::Postgres => switchy_schema::Dialect::Postgres,
            DialectArg::Mysql => switchy_schema::Dialect::MySql,
        }
    }
}

/// Tools whose history `import` adopts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ImportFrom {
    /// sqlx (`_sqlx_migrations`).
    Sqlx,
    /// diesel (`__diesel_schema_migrations`).
    Diesel,
    /// refinery (`refinery_schema_history`).
    Refinery,
    /// switchy_schema 0.4 (its tracking table is read as it is).
    #[value(name = "switchy-0.4")]
    Switchy04,
}

/// The commands.
#[derive(Debug, Subcommand)]
pub(crate) enum Command {
    /// Create a new migration folder with up.sql and down.sql templates
    Create(CreateArgs),
    /// Show every migration with its status
    Status(StatusArgs),
    /// Apply pending migrations
    Migrate(MigrateArgs),
    /// Roll back applied migrations (most recently applied first)
    Rollback(RollbackArgs),
    /// Check the folder against the grammar; with a database, also drift and dirty state
    Validate(ValidateArgs),
    /// Run a failed or in-progress migration again
    Retry(IdArgs),
    /// Record a migration as completed without running it (dangerous)
    MarkCompleted(ForcedIdArgs),
    /// Record migrations as completed without running them (very dangerous)
    MarkAllCompleted(MarkAllArgs),
    /// Delete the tracking record of a migration without running anything (dangerous)
    Forget(ForcedIdArgs),
    /// Accept an edited applied migration: store its current checksums (dangerous)
    Rebless(ReblessArgs),
    /// Adopt the history of another migration tool
    Import(ImportArgs),
    /// Flag destructive or risky statements in migrations
    Lint(LintArgs),
}

/// `create`.
#[derive(Debug, Args)]
pub(crate) struct CreateArgs {
    /// The migration's name (letters, digits, `_`, `-`), after its version
    pub(crate) name: String,
    /// Do not write down.sql (an irreversible migration)
    #[arg(long)]
    pub(crate) no_down: bool,
    /// Also write dialect override files (up.DIALECT.sql, and down.DIALECT.sql)
    #[arg(long, value_enum)]
    pub(crate) dialect: Vec<DialectArg>,
    /// Write metadata.toml with run_in_transaction = false
    #[arg(long)]
    pub(crate) no_transaction: bool,
}

/// `status`.
#[derive(Debug, Args)]
pub(crate) struct StatusArgs {
    /// Also print why failed migrations failed
    #[arg(long)]
    pub(crate) show_failed: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

/// `migrate`.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools, reason = "command-line flags")]
pub(crate) struct MigrateArgs {
    /// Apply pending migrations up to and including this id
    #[arg(long, conflicts_with = "steps")]
    pub(crate) up_to: Option<String>,
    /// Apply only this many pending migrations
    #[arg(long)]
    pub(crate) steps: Option<usize>,
    /// Print the plan and the SQL that would run; write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Apply all pending migrations in one transaction, or none (SQLite, PostgreSQL)
    #[arg(long)]
    pub(crate) single_transaction: bool,
    /// Longest wait for the migration lock: 30, 30s, 500ms, 5m [default: 5m]
    #[arg(long, value_parser = crate::duration::parse)]
    pub(crate) lock_timeout: Option<std::time::Duration>,
    /// switchy_schema 0.4: run despite a dirty state. Refused: recover with retry,
    /// mark-completed or forget
    #[arg(long)]
    pub(crate) force: bool,
    /// switchy_schema 0.4: retry failed migrations first, then apply the pending ones
    #[arg(long)]
    pub(crate) retry_failed: bool,
    /// switchy_schema 0.4: verify checksums before running (always done now)
    #[arg(long)]
    pub(crate) require_checksum_validation: bool,
}

/// `rollback`.
#[derive(Debug, Args)]
pub(crate) struct RollbackArgs {
    /// Roll back this many migrations [default: 1]
    #[arg(long, conflicts_with_all = ["to", "all"])]
    pub(crate) steps: Option<usize>,
    /// Roll back every migration applied after this id (which stays applied)
    #[arg(long, conflicts_with = "all")]
    pub(crate) to: Option<String>,
    /// Roll back every applied migration
    #[arg(long)]
    pub(crate) all: bool,
    /// Print the plan and the down SQL; write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
    /// Do not ask for confirmation
    #[arg(long, short = 'y', visible_alias = "yes")]
    pub(crate) force: bool,
    /// Longest wait for the migration lock [default: 5m]
    #[arg(long, value_parser = crate::duration::parse)]
    pub(crate) lock_timeout: Option<std::time::Duration>,
}

/// `validate`.
#[derive(Debug, Args)]
pub(crate) struct ValidateArgs {
    /// Exit non-zero on drift, dirty, missing or out-of-order migrations too (folder
    /// problems always do)
    #[arg(long)]
    pub(crate) strict: bool,
    /// Show checksums and every check
    #[arg(long)]
    pub(crate) verbose: bool,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}

/// `retry`.
#[derive(Debug, Args)]
pub(crate) struct IdArgs {
    /// The migration id
    pub(crate) migration_id: String,
}

/// `mark-completed`, `forget`.
#[derive(Debug, Args)]
pub(crate) struct ForcedIdArgs {
    /// The migration id
    pub(crate) migration_id: String,
    /// Do not ask for confirmation (needed when not on a terminal)
    #[arg(long)]
    pub(crate) force: bool,
}

/// `rebless`.
#[derive(Debug, Args)]
pub(crate) struct ReblessArgs {
    /// The migration id (every applied migration with `--all`)
    #[arg(required_unless_present = "all", conflicts_with = "all")]
    pub(crate) migration_id: Option<String>,
    /// Rebless every applied migration whose file changed
    #[arg(long)]
    pub(crate) all: bool,
    /// Do not ask for confirmation (needed when not on a terminal)
    #[arg(long)]
    pub(crate) force: bool,
}

/// `mark-all-completed`.
#[derive(Debug, Args)]
#[allow(clippy::struct_excessive_bools, reason = "command-line flags")]
pub(crate) struct MarkAllArgs {
    /// Also mark failed migrations as completed
    #[arg(long)]
    pub(crate) include_failed: bool,
    /// Also mark in-progress migrations as completed
    #[arg(long)]
    pub(crate) include_in_progress: bool,
    /// Mark every migration whatever its state (implies both --include-* flags)
    #[arg(long)]
    pub(crate) all: bool,
    /// Delete the whole tracking history first (critical: every record is lost)
    #[arg(long)]
    pub(crate) drop: bool,
    /// Do not ask for confirmation (needed when not on a terminal)
    #[arg(long)]
    pub(crate) force: bool,
}

/// `import`.
#[derive(Debug, Args)]
pub(crate) struct ImportArgs {
    /// Whose history to adopt
    #[arg(long, value_enum)]
    pub(crate) from: ImportFrom,
    /// The other tool's history table [default: the tool's own]
    #[arg(long)]
    pub(crate) table: Option<String>,
    /// Check and report what would be recorded; write nothing
    #[arg(long)]
    pub(crate) dry_run: bool,
}

/// `lint`.
#[derive(Debug, Args)]
pub(crate) struct LintArgs {
    /// Lint every migration, not only the pending ones (the default without a database)
    #[arg(long)]
    pub(crate) all: bool,
    /// The dialect to lint for [default: the database's; without one, every dialect]
    #[arg(long, value_enum)]
    pub(crate) dialect: Option<DialectArg>,
    /// Output format
    #[arg(long, value_enum, default_value_t)]
    pub(crate) format: Format,
}
