//! Issue 8: every guarantee holds at the edges (strategies, rollback order, hooks, dry-run
//! recovery, MySQL transactions, SQLite recovery under the write lock).

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema::{
    Database, Error, ExecutionStrategy, MigrationHooks, MigrationRunner, MigrationStatus,
    OutOfOrderPolicy, RollbackStrategy, TransactionMode,
};
use switchy_schema_tests::harness::{Backend, TestDatabase};
use switchy_schema_tests::support::{count, create, each, exists};

#[tokio::test]
async fn up_to_an_unknown_id_is_an_error_even_when_everything_is_applied() {
    each(&Backend::ALL, "up_to_unknown", async |t| {
        let db = &*t.db;
        let source = || CodeSource::new().with(create("0001_a", "a"));
        MigrationRunner::new(source()).run(db).await.unwrap();
        for dry_run in [false, true] {
            let error = MigrationRunner::new(source())
                .with_strategy(ExecutionStrategy::UpTo("no-such-id".into()))
                .dry_run(dry_run)
                .run(db)
                .await
                .unwrap_err();
            assert!(
                matches!(&error, Error::UnknownMigration(id) if id == "no-such-id"),
                "{:?}: {error}",
                t.backend
            );
        }
        // A known id on the fast path is still a no-op.
        let report = MigrationRunner::new(source())
            .with_strategy(ExecutionStrategy::UpTo("0001_a".into()))
            .run(db)
            .await
            .unwrap();
        assert!(report.applied.is_empty());
    })
    .await;
}

#[tokio::test]
async fn rollback_goes_in_reverse_order_of_application() {
    each(&Backend::ALL, "rollback_order", async |t| {
        let db = &*t.db;
        let first = CodeSource::new()
            .with(create("0001_a", "a"))
            .with(create("0003_c", "c"));
        MigrationRunner::new(first).run(db).await.unwrap();
        // MySQL records whole seconds and breaks ties by id.
        tokio::time::sleep(Duration::from_millis(1100)).await;
        let log: Arc<Mutex<Vec<String>>> = Arc::default();
        let before = Arc::clone(&log);
        let runner = MigrationRunner::new(
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(create("0002_b", "b"))
                .with(create("0003_c", "c")),
        )
        .with_out_of_order_policy(OutOfOrderPolicy::Apply)
        .with_hooks(
            MigrationHooks::new().before(move |id| before.lock().unwrap().push(id.to_owned())),
        );
        runner.run(db).await.unwrap();
        log.lock().unwrap().clear();

        let last = runner.rollback(db, RollbackStrategy::Last).await.unwrap();
        assert_eq!(ids(&last.rolled_back), ["0002_b"], "{:?}", t.backend);
        runner.run(db).await.unwrap();
        let down_to = runner
            .rollback(db, RollbackStrategy::DownTo("0001_a".into()))
            .await
            .unwrap();
        assert_eq!(
            ids(&down_to.rolled_back),
            ["0002_b", "0003_c"],
            "{:?}",
            t.backend
        );
        assert_eq!(
            *log.lock().unwrap(),
            ["0002_b", "0002_b", "0002_b", "0003_c"],
            "{:?}: rollback, re-apply, rollback",
            t.backend
        );
        assert_eq!(tracked_ids(db).await, ["0001_a"]);
    })
    .await;
}

fn ids(done: &[switchy_schema::AppliedMigration]) -> Vec<&str> {
    done.iter().map(|m| m.id.as_str()).collect()
}

async fn tracked_ids(db: &dyn Database) -> Vec<String> {
    let rows = db
        .query("SELECT id FROM __switchy_migrations ORDER BY id", &[])
        .await
        .expect("read tracking table");
    rows.iter()
        .map(|row| row.get_str("id").unwrap_or_default().to_owned())
        .collect()
}

/// Hooks that log `before id`, `after id` and `error id`.
fn logging_hooks() -> (MigrationHooks, Arc<Mutex<Vec<String>>>) {
    let calls: Arc<Mutex<Vec<String>>> = Arc::default();
    let (before, after, failed) = (Arc::clone(&calls), Arc::clone(&calls), Arc::clone(&calls));
    let hooks = MigrationHooks::new()
        .before(move |id| before.lock().unwrap().push(format!("before {id}")))
        .after(move |id, _| after.lock().unwrap().push(format!("after {id}")))
        .on_error(move |id, _| failed.lock().unwrap().push(format!("error {id}")));
    (hooks, calls)
}

/// In-memory SQLite databases have no file to hold the migration lock on, so each step
/// re-checks its row inside its write transaction (file databases and servers hold an
/// exclusive lock for the whole run instead, and plan once).
async fn in_memory_sqlite() -> Vec<(&'static str, Box<dyn Database>)> {
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .expect("open in-memory SQLite");
    let conn = rusqlite::Connection::open_in_memory().expect("open in-memory SQLite");
    vec![
        ("sqlx-sqlite", Box::new(pool)),
        ("rusqlite", Box::new(std::sync::Mutex::new(conn))),
    ]
}

#[tokio::test]
async fn a_migration_applied_meanwhile_by_another_runner_fires_no_hook() {
    for (driver, db) in in_memory_sqlite().await {
        // The first migration records the second as applied, as another runner would
        // between this run's planning and its claim of the second.
        let sneak = "INSERT INTO __switchy_migrations (id, up_checksum, down_checksum, status) \
                     VALUES ('0002_b', 'x', 'x', 'completed')";
        let source = CodeSource::new()
            .with(CodeMigration::new("0001_a", sneak))
            .with(create("0002_b", "b"));
        let (hooks, calls) = logging_hooks();
        let report = MigrationRunner::new(source)
            .with_hooks(hooks)
            .run(&*db)
            .await
            .unwrap();
        assert_eq!(ids(&report.applied), ["0001_a"], "{driver}");
        assert!(report.skipped.iter().any(|id| id == "0002_b"), "{report:?}");
        assert_eq!(
            *calls.lock().unwrap(),
            ["before 0001_a", "after 0001_a"],
            "{driver}"
        );
    }
}

#[tokio::test]
async fn under_the_migration_lock_a_run_plans_once_and_a_row_written_behind_its_back_fails_the_step()
 {
    // Files and servers: the plan read under the exclusive lock is not re-read per step. A
    // row nobody else could write under that lock (here a migration writes it) makes the
    // second step fail on the tracking table's primary key, and on a database with
    // transactional DDL nothing of that step remains.
    each(&Backend::ALL, "plan_once", async |t| {
        let db = &*t.db;
        let sneak = "INSERT INTO __switchy_migrations (id, up_checksum, down_checksum, status) \
                     VALUES ('0002_b', 'x', 'x', 'completed')";
        let source = CodeSource::new()
            .with(CodeMigration::new("0001_a", sneak))
            .with(create("0002_b", "b"));
        let error = MigrationRunner::new(source).run(db).await.unwrap_err();
        assert!(
            error.to_string().contains("recording migration `0002_b`"),
            "{:?}: {error}",
            t.backend
        );
        if t.backend.dialect() != switchy_schema::Dialect::MySql {
            assert!(!exists(db, "b").await, "{:?}", t.backend);
        }
    })
    .await;
}

#[tokio::test]
async fn a_failed_single_transaction_run_pairs_every_before_with_on_error() {
    each(&Backend::TRANSACTIONAL, "hooks_batch", async |t| {
        let source = CodeSource::new()
            .with(create("0001_a", "a"))
            .with(CodeMigration::new("0002_bad", "NOT SQL"));
        let (hooks, calls) = logging_hooks();
        let error = MigrationRunner::new(source)
            .single_transaction(true)
            .with_hooks(hooks)
            .run(&*t.db)
            .await
            .unwrap_err();
        assert!(matches!(error, Error::MigrationFailed { .. }), "{error}");
        assert_eq!(
            *calls.lock().unwrap(),
            [
                "before 0001_a",
                "before 0002_bad",
                "error 0001_a",
                "error 0002_bad"
            ],
            "{:?}",
            t.backend
        );
    })
    .await;
}

#[tokio::test]
async fn mysql_rolls_back_the_data_of_a_migration_that_fails_half_way() {
    each(&[Backend::SqlxMySql], "mysql_tx", async |t| {
        let db = &*t.db;
        let source = CodeSource::new()
            .with(CodeMigration::new("0001_t", "CREATE TABLE t (id INTEGER)"))
            .with(
                CodeMigration::new(
                    "0002_fill",
                    "INSERT INTO t (id) VALUES (1); INSERT INTO t (id) VALUES (2); \
                     INSERT INTO no_such_table (id) VALUES (3);",
                )
                .with_down("DELETE FROM t; INSERT INTO no_such_table (id) VALUES (3);"),
            );
        let runner = MigrationRunner::new(source);
        let error = runner.run(db).await.unwrap_err();
        assert!(
            matches!(&error, Error::MigrationFailed { failed, .. } if failed.id == "0002_fill"),
            "{error}"
        );
        assert_eq!(count(db, "t").await.unwrap(), 0, "partial rows were kept");
        // What ran cannot be told apart from DDL that committed: it stays dirty.
        let status = runner.list_migrations(db).await.unwrap()[1].status;
        assert_eq!(status, Some(MigrationStatus::Failed));

        // A down that fails half-way keeps its data too.
        runner.forget_migration(db, "0002_fill").await.unwrap();
        db.exec_raw("INSERT INTO t (id) VALUES (1)").await.unwrap();
        runner
            .mark_migration_completed(db, "0002_fill")
            .await
            .unwrap();
        assert!(runner.rollback(db, RollbackStrategy::Last).await.is_err());
        assert_eq!(
            count(db, "t").await.unwrap(),
            1,
            "the failed down deleted rows"
        );
    })
    .await;
}

/// Starts `migrate_once` with `args` after the backend and location.
fn spawn(t: &TestDatabase, args: &[&str]) -> std::process::Child {
    std::process::Command::new(env!("CARGO_BIN_EXE_migrate_once"))
        .args([t.backend.name(), &t.location])
        .args(args)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("start migrate_once")
}

/// Waits for `child`, asserts it succeeded, and returns the number after `field=`.
fn finished(t: &TestDatabase, child: std::process::Child, field: &str) -> usize {
    let output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{:?}: a process failed: {}{}",
        t.backend,
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
        .split_whitespace()
        .find_map(|f| f.strip_prefix(field)?.strip_prefix('='))
        .and_then(|n| n.parse().ok())
        .unwrap()
}

#[tokio::test]
async fn eight_processes_rolling_back_at_once_run_each_down_exactly_once() {
    each(&Backend::ALL, "concurrent_rollback", async |t| {
        const STEPS: usize = 12;
        let steps = STEPS.to_string();
        let setup = spawn(&t, &[&steps, "run"]);
        assert_eq!(finished(&t, setup, "applied"), STEPS + 1);
        let children: Vec<_> = (0..8).map(|_| spawn(&t, &[&steps, "rollback"])).collect();
        let rolled_back: usize = children
            .into_iter()
            .map(|child| finished(&t, child, "rolled_back"))
            .sum();
        assert_eq!(rolled_back, STEPS, "{:?}: total rolled back", t.backend);
        let db = &*t.db;
        let rows = db
            .query(
                "SELECT id, COUNT(*) AS n FROM migration_log GROUP BY id HAVING COUNT(*) > 1",
                &[],
            )
            .await
            .unwrap();
        assert!(rows.is_empty(), "{:?}: run twice: {rows:?}", t.backend);
        assert_eq!(
            count(db, "migration_log").await.unwrap(),
            i64::try_from(2 * STEPS).unwrap(),
            "{:?}: one up and one down each",
            t.backend
        );
        assert_eq!(tracked_ids(db).await, ["0000_log"]);
    })
    .await;
}

/// The status of `id` in the tracking table, if it has a row.
async fn status_of(db: &dyn Database, id: &str) -> Option<String> {
    let p = db.dialect().placeholder(1);
    let rows = db
        .query(
            &format!("SELECT status FROM __switchy_migrations WHERE id = {p}"),
            &[id.into()],
        )
        .await
        .ok()?;
    rows.first()?.get_str("status").map(str::to_owned)
}

#[tokio::test]
async fn sqlite_reports_a_crashed_no_transaction_migration_dirty_within_seconds() {
    each(&[Backend::SqlxSqlite, Backend::Rusqlite], "crash", async |t| {
        let db = &*t.db;
        let mut child = spawn(&t, &["0", "hang"]);
        let started = Instant::now();
        while status_of(db, "0001_hang").await.as_deref() != Some("in_progress") {
            assert!(started.elapsed() < Duration::from_secs(30), "never started");
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let up = || {
            CodeMigration::new("0001_hang", "CREATE TABLE hung (id INTEGER)")
                .with_transaction_mode(TransactionMode::NoTransaction)
        };
        let runner = || {
            MigrationRunner::new(CodeSource::new().with(up()))
                .with_lock_timeout(Duration::from_millis(800))
        };
        // While the process runs it, the migration is waited for, not reported dirty.
        let error = runner().run(db).await.unwrap_err();
        assert!(matches!(error, Error::LockTimeout { .. }), "{:?}: {error}", t.backend);
        assert!(matches!(runner().retry_migration(db, "0001_hang").await, Err(Error::LockTimeout { .. })));

        child.kill().unwrap();
        child.wait().unwrap();
        // Default lock timeout (5 minutes): a dead process's row is dirty at once.
        let started = Instant::now();
        let runner = MigrationRunner::new(CodeSource::new().with(up()));
        let error = runner.run(db).await.unwrap_err();
        assert!(
            matches!(&error, Error::Dirty { id, status: MigrationStatus::InProgress, .. } if id == "0001_hang"),
            "{:?}: {error}",
            t.backend
        );
        assert!(started.elapsed() < Duration::from_secs(5), "{:?}", started.elapsed());
        // Recovery: the half-done table is dropped by hand, then the migration retried.
        db.exec_raw("DROP TABLE hung").await.unwrap();
        runner.retry_migration(db, "0001_hang").await.unwrap();
        assert_eq!(status_of(db, "0001_hang").await.as_deref(), Some("completed"));
    })
    .await;
}

/// Every row of the tracking table, as text, or `None` when it does not exist.
async fn tracking_rows(db: &dyn Database) -> Option<Vec<String>> {
    let rows = db
        .query(
            "SELECT id, status, up_checksum, down_checksum FROM __switchy_migrations ORDER BY id",
            &[],
        )
        .await
        .ok()?;
    Some(
        rows.iter()
            .map(|row| format!("{:?}", row.values()))
            .collect(),
    )
}

#[tokio::test]
async fn recovery_calls_in_a_dry_run_change_nothing_and_report_what_they_would_do() {
    each(&Backend::ALL, "dry_recovery", async |t| {
        let db = &*t.db;
        let source = || {
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(create("0002_b", "b"))
        };
        let dry = || MigrationRunner::new(source()).dry_run(true);

        // No tracking table yet: nothing is created.
        assert_eq!(dry().mark_all_migrations_completed(db).await.unwrap(), 2);
        assert!(!dry().forget_migration(db, "0001_a").await.unwrap());
        assert!(tracking_rows(db).await.is_none(), "{:?}", t.backend);

        MigrationRunner::new(source())
            .with_strategy(ExecutionStrategy::Steps(1))
            .run(db)
            .await
            .unwrap();
        let p = db.dialect().placeholder(1);
        db.execute(
            &format!("UPDATE __switchy_migrations SET status = 'failed' WHERE id = {p}"),
            &["0001_a".into()],
        )
        .await
        .unwrap();
        let before = tracking_rows(db).await.unwrap();

        let retry = dry().retry_migration(db, "0001_a").await.unwrap();
        assert!(retry.dry_run && retry.applied.is_empty());
        assert_eq!(retry.planned.len(), 1);
        assert_eq!(retry.planned[0].id, "0001_a");
        assert!(dry().retry_migration(db, "0002_b").await.is_err());
        assert!(dry().mark_migration_completed(db, "0001_a").await.unwrap());
        assert_eq!(dry().mark_all_migrations_completed(db).await.unwrap(), 2);
        assert!(dry().forget_migration(db, "0001_a").await.unwrap());
        assert!(!dry().forget_migration(db, "0002_b").await.unwrap());
        let edited = MigrationRunner::new(
            CodeSource::new().with(CodeMigration::new("0001_a", "CREATE TABLE a (id BIGINT)")),
        )
        .dry_run(true);
        assert_eq!(edited.rebless_checksums(db, None).await.unwrap(), 1);
        assert_eq!(dry().rebless_checksums(db, None).await.unwrap(), 0);

        assert_eq!(tracking_rows(db).await.unwrap(), before, "{:?}", t.backend);
    })
    .await;
}

#[tokio::test]
async fn statements_that_cannot_run_in_a_transaction_get_a_hint() {
    each(
        &[
            Backend::SqlxSqlite,
            Backend::Rusqlite,
            Backend::SqlxPostgres,
            Backend::TokioPostgres,
        ],
        "tx_hint",
        async |t| {
            let db = &*t.db;
            let sql = match db.dialect() {
                switchy_schema::Dialect::Postgres => "CREATE INDEX CONCURRENTLY t_id ON t (id)",
                _ => "PRAGMA journal_mode = WAL",
            };
            let source = CodeSource::new()
                .with(CodeMigration::new("0001_t", "CREATE TABLE t (id INTEGER)"))
                .with(CodeMigration::new("0002_index", sql));
            let error = MigrationRunner::new(source).run(db).await.unwrap_err();
            let message = error.to_string();
            assert!(
                message.contains("set `run_in_transaction = false`"),
                "{:?}: {message}",
                t.backend
            );
            let Error::MigrationFailed { failed, .. } = &error else {
                panic!("{message}");
            };
            assert!(failed.hint.is_some());
        },
    )
    .await;
}

#[tokio::test]
async fn a_failed_rollback_says_what_was_rolled_back_before_it() {
    each(&Backend::ALL, "rollback_message", async |t| {
        let db = &*t.db;
        let source = CodeSource::new()
            .with(create("0001_a", "a"))
            .with(
                CodeMigration::new("0002_b", "CREATE TABLE b (id INTEGER)")
                    .with_down("DROP TABLE no_such_table"),
            )
            .with(create("0003_c", "c"));
        let runner = MigrationRunner::new(source);
        runner.run(db).await.unwrap();
        let error = runner
            .rollback(db, RollbackStrategy::All)
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.contains("rolled back before it in this call: `0003_c`"),
            "{:?}: {message}",
            t.backend
        );
        assert!(!message.contains("applied before it"), "{message}");
        let Error::MigrationFailed { failed, .. } = &error else {
            panic!("{message}");
        };
        assert_eq!(
            failed.rolled_back_before.as_deref(),
            Some(&["0003_c".to_owned()][..])
        );
        assert!(failed.applied_before.is_empty());
    })
    .await;
}

#[tokio::test]
async fn a_dirty_migration_no_longer_in_the_source_can_only_be_forgotten() {
    each(
        &[
            Backend::SqlxSqlite,
            Backend::SqlxPostgres,
            Backend::SqlxMySql,
        ],
        "dirty_gone",
        async |t| {
            let db = &*t.db;
            let failing = CodeSource::new().with(create("0001_a", "a")).with(
                CodeMigration::new(
                    "0002_half",
                    "CREATE TABLE h (id INTEGER); INSERT INTO no_such_table VALUES (1);",
                )
                .with_transaction_mode(TransactionMode::NoTransaction),
            );
            assert!(MigrationRunner::new(failing).run(db).await.is_err());
            let without = || {
                MigrationRunner::new(
                    CodeSource::new()
                        .with(create("0001_a", "a"))
                        .with(create("0003_c", "c")),
                )
            };
            for error in [
                without().run(db).await.unwrap_err(),
                without()
                    .rollback(db, RollbackStrategy::Last)
                    .await
                    .unwrap_err(),
            ] {
                let message = error.to_string();
                assert!(
                    matches!(
                        &error,
                        Error::Dirty {
                            in_source: false,
                            ..
                        }
                    ),
                    "{:?}: {message}",
                    t.backend
                );
                assert!(message.contains("failed in an earlier run"), "{message}");
                assert!(
                    message.contains("`forget_migration` is the only way out"),
                    "{message}"
                );
            }
            assert!(without().forget_migration(db, "0002_half").await.unwrap());
            without().run(db).await.unwrap();
        },
    )
    .await;
}

#[tokio::test]
async fn sqlite_reports_a_crashed_no_transaction_down_dirty_within_seconds() {
    each(
        &[Backend::SqlxSqlite, Backend::Rusqlite],
        "crash_down",
        async |t| {
            let db = &*t.db;
            let mut child = spawn(&t, &["0", "hang-down"]);
            let started = Instant::now();
            // The table is dropped by the down, which then hangs with its row in progress.
            while status_of(db, "0001_hang").await.as_deref() != Some("in_progress")
                || count(db, "hung").await.is_ok()
            {
                assert!(started.elapsed() < Duration::from_secs(30), "never started");
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            let runner = || {
                MigrationRunner::new(CodeSource::new().with(create("0001_hang", "hung")))
                    .with_lock_timeout(Duration::from_millis(800))
            };
            let error = runner()
                .rollback(db, RollbackStrategy::Last)
                .await
                .unwrap_err();
            assert!(
                matches!(error, Error::LockTimeout { .. }),
                "{:?}: {error}",
                t.backend
            );

            child.kill().unwrap();
            child.wait().unwrap();
            let started = Instant::now();
            let runner = MigrationRunner::new(CodeSource::new().with(create("0001_hang", "hung")));
            let error = runner
                .rollback(db, RollbackStrategy::Last)
                .await
                .unwrap_err();
            let message = error.to_string();
            assert!(
                matches!(
                    &error,
                    Error::Dirty {
                        status: MigrationStatus::InProgress,
                        ..
                    }
                ),
                "{:?}: {message}",
                t.backend
            );
            assert!(
                message.contains("its rollback was started and did not finish"),
                "{message}"
            );
            assert!(
                started.elapsed() < Duration::from_secs(5),
                "{:?}",
                started.elapsed()
            );
            // The down's work is done: forgetting the record finishes the rollback.
            assert!(runner.forget_migration(db, "0001_hang").await.unwrap());
            assert!(tracked_ids(db).await.is_empty());
        },
    )
    .await;
}
