//! MySQL runs chain consecutive transactional migrations: each commits the next one's
//! `in_progress` guard with its own record, with the session's `autocommit` off meanwhile
//! (see the runtime's `chain` module). What must hold: every guarantee of the guarded path
//! (a crash or a failure after DDL is dirty, a failure on the first statement leaves no
//! trace), data changes after DDL roll back with a failure, a migration outside a
//! transaction still commits as it goes, and the session gets `autocommit = 1` back.

use std::time::{Duration, Instant};

use sqlx::Connection as _;
use switchy_schema::code::{CodeMigration, CodeSource, from_fn};
use switchy_schema::{Database, Error, MigrationRunner, MigrationStatus, TransactionMode, Value};
use switchy_schema_tests::harness::{Backend, TestDatabase, open};
use switchy_schema_tests::support::{count, create, exists, sql_migration};

/// A user-held connection on the test's database, so that the session the runner used
/// can be looked at afterwards.
async fn connection(t: &TestDatabase) -> tokio::sync::Mutex<sqlx::MySqlConnection> {
    tokio::sync::Mutex::new(
        sqlx::MySqlConnection::connect(&t.location)
            .await
            .expect("connect"),
    )
}

async fn autocommit(db: &dyn Database) -> Option<i64> {
    let rows = db.query("SELECT @@autocommit AS a", &[]).await.unwrap();
    rows[0].get_index(0).and_then(Value::as_i64)
}

async fn status_of(db: &dyn Database, id: &str) -> Option<String> {
    let rows = db
        .query(
            "SELECT status FROM __switchy_migrations WHERE id = ?",
            &[id.into()],
        )
        .await
        .unwrap();
    rows.first()
        .and_then(|row| row.get_str("status"))
        .map(str::to_owned)
}

#[tokio::test]
async fn a_failure_after_ddl_is_dirty_and_its_later_data_changes_roll_back() {
    let Some(t) = open(Backend::SqlxMySql, "chain_after_ddl").await else {
        return;
    };
    let db = connection(&t).await;
    let source = CodeSource::new()
        .with(create("0001_a", "a"))
        .with(sql_migration(
            "0002_b",
            "CREATE TABLE b (id INTEGER); INSERT INTO b (id) VALUES (1); INSERT INTO missing (id) VALUES (1);",
            Some("DROP TABLE b"),
            TransactionMode::Transactional,
        ))
        .with(create("0003_c", "c"));
    let runner = MigrationRunner::new(source);
    let error = runner.run(&db).await.unwrap_err();
    assert!(
        matches!(&error, Error::MigrationFailed { failed, recorded_as_failed: true, .. } if failed.id == "0002_b"),
        "{error}"
    );
    assert_eq!(autocommit(&db).await, Some(1), "autocommit left off");
    // The DDL committed implicitly; the INSERT after it was in the migration's
    // transaction, so it rolled back with the failure.
    assert_eq!(count(&db, "b").await.unwrap(), 0);
    assert!(!exists(&db, "c").await);
    assert_eq!(status_of(&db, "0001_a").await.as_deref(), Some("completed"));
    assert_eq!(status_of(&db, "0002_b").await.as_deref(), Some("failed"));
    assert_eq!(status_of(&db, "0003_c").await, None);
    let blocked = runner.run(&db).await.unwrap_err();
    assert!(
        matches!(&blocked, Error::Dirty { id, status: MigrationStatus::Failed, .. } if id == "0002_b"),
        "{blocked}"
    );
}

#[tokio::test]
async fn a_chained_migration_failing_on_its_first_statement_leaves_no_trace() {
    let Some(t) = open(Backend::SqlxMySql, "chain_first_statement").await else {
        return;
    };
    let db = connection(&t).await;
    let source = || {
        CodeSource::new()
            .with(create("0001_a", "a"))
            .with(sql_migration(
                "0002_b",
                "INSERT INTO needed (id) VALUES (1); CREATE TABLE b (id INTEGER);",
                Some("DROP TABLE b"),
                TransactionMode::Transactional,
            ))
            .with(create("0003_c", "c"))
    };
    let error = MigrationRunner::new(source()).run(&db).await.unwrap_err();
    assert!(
        matches!(&error, Error::MigrationFailed { failed, recorded_as_failed: false, .. } if failed.id == "0002_b"),
        "{error}"
    );
    // Its guard was committed with 0001's record; nothing of it ran, so the guard is gone.
    assert_eq!(status_of(&db, "0002_b").await, None);
    assert_eq!(autocommit(&db).await, Some(1), "autocommit left off");
    db.exec_raw("CREATE TABLE needed (id INTEGER)")
        .await
        .unwrap();
    let report = MigrationRunner::new(source()).run(&db).await.unwrap();
    assert_eq!(
        report.applied_ids().collect::<Vec<_>>(),
        ["0002_b", "0003_c"]
    );
    assert_eq!(count(&db, "needed").await.unwrap(), 1);
}

#[tokio::test]
async fn a_migration_outside_a_transaction_after_chained_ones_commits_as_it_goes() {
    let Some(t) = open(Backend::SqlxMySql, "chain_then_no_tx").await else {
        return;
    };
    let db = connection(&t).await;
    let source = CodeSource::new()
        .with(create("0001_a", "a"))
        .with(create("0002_b", "b"))
        .with(sql_migration(
            "0003_fill",
            "INSERT INTO a (id) VALUES (1); INSERT INTO missing (id) VALUES (1);",
            None,
            TransactionMode::NoTransaction,
        ));
    let error = MigrationRunner::new(source).run(&db).await.unwrap_err();
    assert!(
        matches!(&error, Error::MigrationFailed { failed, recorded_as_failed: true, .. } if failed.id == "0003_fill"),
        "{error}"
    );
    // Outside a transaction, the first INSERT committed on its own.
    assert_eq!(count(&*t.db, "a").await.unwrap(), 1);
    assert_eq!(
        status_of(&*t.db, "0002_b").await.as_deref(),
        Some("completed")
    );
    assert_eq!(autocommit(&db).await, Some(1), "autocommit left off");
}

#[tokio::test]
async fn a_run_killed_inside_a_chained_migration_leaves_it_dirty() {
    let Some(t) = open(Backend::SqlxMySql, "chain_killed").await else {
        return;
    };
    let db = &*t.db;
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_migrate_once"))
        .args([t.backend.name(), &t.location, "0", "hang-chained"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .expect("start migrate_once");
    let started = Instant::now();
    while !exists(db, "hung").await {
        assert!(started.elapsed() < Duration::from_secs(30), "never started");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    child.kill().unwrap();
    child.wait().unwrap();
    assert_eq!(
        status_of(db, "0001_first").await.as_deref(),
        Some("completed")
    );
    let runner = MigrationRunner::new(
        CodeSource::new()
            .with(CodeMigration::new(
                "0001_first",
                "CREATE TABLE first (id INTEGER)",
            ))
            .with(CodeMigration::new(
                "0002_hang",
                "CREATE TABLE hung (id INTEGER)",
            )),
    );
    let error = runner.run(db).await.unwrap_err();
    assert!(
        matches!(&error, Error::Dirty { id, status: MigrationStatus::InProgress, .. } if id == "0002_hang"),
        "{error}"
    );
}

#[tokio::test]
async fn a_chained_code_migration_takes_savepoints() {
    let Some(t) = open(Backend::SqlxMySql, "chain_savepoints").await else {
        return;
    };
    let db = connection(&t).await;
    let fill = from_fn(|db| {
        Box::pin(async move {
            db.exec_raw("INSERT INTO a (id) VALUES (1)").await?;
            let undone = db.savepoint().await?;
            undone.exec_raw("INSERT INTO a (id) VALUES (2)").await?;
            undone.rollback().await?;
            let dropped = db.savepoint().await?;
            dropped.exec_raw("INSERT INTO a (id) VALUES (3)").await?;
            drop(dropped);
            db.exec_raw("INSERT INTO a (id) VALUES (4)").await?;
            Ok(())
        })
    });
    let source = CodeSource::new()
        .with(create("0001_a", "a"))
        .with(CodeMigration::new("0002_fill", fill));
    MigrationRunner::new(source).run(&db).await.unwrap();
    let rows = db.query("SELECT id FROM a ORDER BY id", &[]).await.unwrap();
    let ids: Vec<Option<i64>> = rows
        .iter()
        .map(|row| row.get_index(0).and_then(Value::as_i64))
        .collect();
    assert_eq!(ids, [Some(1), Some(4)]);
    assert_eq!(autocommit(&db).await, Some(1), "autocommit left off");
}
