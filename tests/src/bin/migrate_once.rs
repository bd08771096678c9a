//! Runs one migration run (or rollback) and prints its report; the concurrency tests start
//! eight of these at once against one database.
//!
//! Usage: `migrate_once <backend> <location> <count> [run|rollback|hang|hang-down]`, where
//! `<backend>` is a [`Backend`] name, `<location>` a server URL or SQLite file, and
//! `<count>` the number of numbered migrations after the first, which creates
//! `migration_log`. Every migration inserts its id into `migration_log`, and every down
//! `down_<id>`, so a migration applied or rolled back twice shows as two rows.
//!
//! - `run` (the default) applies them and prints `applied=N skipped=M`;
//! - `rollback` rolls back all but the first and prints `rolled_back=N`;
//! - `hang` applies one migration outside a transaction that creates table `hung` and then
//!   sleeps for a minute: the test kills the process there, as a crash would;
//! - `hang-chained` applies two migrations in transactions: the first creates `first`, the
//!   second creates table `hung` and then sleeps for a minute (on MySQL the second runs
//!   chained to the first, its guard committed with the first's record);
//! - `hang-down` applies it (its up finishes) and rolls it back: the down, outside a
//!   transaction too, drops `hung` and then sleeps for a minute.

use std::process::ExitCode;
use std::time::Duration;

use switchy_schema::code::{CodeMigration, CodeSource, from_fn};
use switchy_schema::{MigrationRunner, RollbackStrategy, TransactionMode};
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
        let down =
            format!("INSERT INTO migration_log (id) VALUES ('down_{id}'); DROP TABLE t{n:04};");
        let mut migration = CodeMigration::new(id, sql).with_down(down);
        if n == count / 2 {
            migration = migration.with_transaction_mode(TransactionMode::NoTransaction);
        }
        source.add(migration);
    }
    source
}

/// One migration outside a transaction whose down never finishes in time.
fn hanging_down() -> CodeSource {
    let down = from_fn(|db| {
        Box::pin(async move {
            db.exec_raw("DROP TABLE hung").await?;
            tokio::time::sleep(Duration::from_mins(1)).await;
            Ok(())
        })
    });
    CodeSource::new().with(
        CodeMigration::new("0001_hang", "CREATE TABLE hung (id INTEGER)")
            .with_down(down)
            .with_transaction_mode(TransactionMode::NoTransaction),
    )
}

/// One migration outside a transaction that never finishes in time.
fn hanging() -> CodeSource {
    let up = from_fn(|db| {
        Box::pin(async move {
            db.exec_raw("CREATE TABLE hung (id INTEGER)").await?;
            tokio::time::sleep(Duration::from_mins(1)).await;
            Ok(())
        })
    });
    CodeSource::new().with(
        CodeMigration::new("0001_hang", up).with_transaction_mode(TransactionMode::NoTransaction),
    )
}

/// Two transactional migrations; the second never finishes in time.
fn hanging_chained() -> CodeSource {
    let up = from_fn(|db| {
        Box::pin(async move {
            db.exec_raw("CREATE TABLE hung (id INTEGER)").await?;
            tokio::time::sleep(Duration::from_mins(1)).await;
            Ok(())
        })
    });
    CodeSource::new()
        .with(CodeMigration::new(
            "0001_first",
            "CREATE TABLE first (id INTEGER)",
        ))
        .with(CodeMigration::new("0002_hang", up))
}

#[tokio::main]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    let (Some(backend), Some(location), Some(count)) = (
        args.get(1).and_then(|name| Backend::from_name(name)),
        args.get(2),
        args.get(3).and_then(|n| n.parse::<usize>().ok()),
    ) else {
        eprintln!("usage: migrate_once <backend> <location> <count> [run|rollback|hang]");
        return ExitCode::from(2);
    };
    let db = connect(backend, location).await;
    let mode = args.get(4).map_or("run", String::as_str);
    let source = match mode {
        "hang" => hanging(),
        "hang-chained" => hanging_chained(),
        "hang-down" => hanging_down(),
        _ => source(count),
    };
    let runner = MigrationRunner::new(source).with_lock_timeout(Duration::from_mins(2));
    if mode == "hang-down"
        && let Err(error) = runner.run(&*db).await
    {
        eprintln!("error: {error}");
        return ExitCode::FAILURE;
    }
    let outcome = if mode == "rollback" || mode == "hang-down" {
        runner
            .rollback(
                &*db,
                if mode == "rollback" {
                    RollbackStrategy::DownTo("0000_log".to_owned())
                } else {
                    RollbackStrategy::Last
                },
            )
            .await
            .map(|report| format!("rolled_back={}", report.rolled_back.len()))
    } else {
        runner.run(&*db).await.map(|report| {
            format!(
                "applied={} skipped={}",
                report.applied.len(),
                report.skipped.len()
            )
        })
    };
    match outcome {
        Ok(line) => {
            println!("{line}");
            ExitCode::SUCCESS
        }
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}
