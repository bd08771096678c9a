//! Runs one migration run and prints its report; the concurrency test starts eight of these
//! at once against one database.
//!
//! Usage: `migrate_once <backend> <location> <count>`, where `<backend>` is a
//! [`Backend`] name, `<location>` a server URL or SQLite file, and `<count>` the number of
//! numbered migrations after the first, which creates `migration_log`. Every migration
//! inserts its id into `migration_log`, so a migration applied twice shows as two rows.

use std::process::ExitCode;
use std::time::Duration;

use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema::{MigrationRunner, TransactionMode};
use switchy_schema_tests::harness::{Backend, connect};

/// The migrations the concurrency test applies: a log table, then `count` migrations that
/// each log themselves and create a table; the middle one runs outside a transaction.
fn source(count: usize) -> CodeSource {
    let mut source = CodeSource::new().with(CodeMigration::new(
        "0000_log",
        "CREATE TABLE migration_log (id VARCHAR(64) NOT NULL)",
    ));
    for n in 1..=count {
        let id = format!("{n:04}_step");
        let sql = format!(
            "INSERT INTO migration_log (id) VALUES ('{id}'); CREATE TABLE t{n:04} (id INTEGER);"
        );
        let mut migration = CodeMigration::new(id, sql);
        if n == count / 2 {
            migration = migration.with_transaction_mode(TransactionMode::NoTransaction);
        }
        source.add(migration);
    }
    source
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(backend), Some(location), Some(count)) = (
        args.get(1).and_then(|name| Backend::from_name(name)),
        args.get(2),
        args.get(3).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: migrate_once <backend> <location> <count>");
        return ExitCode::from(2);
    };
    let db = connect(backend, location).await;
    let runner = MigrationRunner::new(source(count)).with_lock_timeout(Duration::from_mins(2));
    match runner.run(&*db).await {
        Ok(report) => {
            println!(
                "applied={} skipped={}",
                report.applied.len(),
                report.skipped.len()
            );
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
