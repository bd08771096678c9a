//! Issue 7, part 3: a `PRAGMA journal_mode` change must never leave a database blocked.
//!
//! - Leaving WAL mode needs the only open connection to the file. Through a pool that may
//!   hold several connections it is refused before anything is done, with an error that
//!   says why and what to do; through one connection it works.
//! - Generally: a migration that runs outside a transaction and fails on its first statement
//!   ran nothing, so it leaves no dirty row (its down: the migration stays `completed`);
//!   one that fails later is recorded `failed` and blocks, on every engine.

use std::path::Path;
use std::time::Duration;

use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema::{
    Database, Error, MigrationInfo, MigrationRunner, MigrationStatus, RollbackStrategy,
    TransactionMode,
};
use switchy_schema_tests::harness::{Backend, open};
use switchy_schema_tests::support::{exists, sql_migration};

/// A table, then the migration: WAL on the way up, DELETE on the way down.
fn wal_pair() -> CodeSource {
    CodeSource::new()
        .with(
            CodeMigration::new("0001_notes", "CREATE TABLE notes (id INTEGER)")
                .with_down("DROP TABLE notes"),
        )
        .with(sql_migration(
            "0002_wal",
            "PRAGMA journal_mode = WAL;",
            Some("PRAGMA journal_mode = DELETE;"),
            TransactionMode::NoTransaction,
        ))
}

fn runner() -> MigrationRunner {
    MigrationRunner::new(wal_pair())
}

/// A pool with sqlx's default options on `path` (up to 10 connections).
async fn default_pool(path: &Path) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(path)
        .create_if_missing(true);
    sqlx::SqlitePool::connect_with(options)
        .await
        .expect("open the SQLite file")
}

/// A pool of one connection on `path`.
async fn single_connection_pool(path: &Path) -> sqlx::SqlitePool {
    let options = sqlx::sqlite::SqliteConnectOptions::new().filename(path);
    sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(options)
        .await
        .expect("open the SQLite file")
}

/// Opens `n` connections of `pool` at once, each reading the database, and returns them
/// to the pool, where they stay open and idle.
async fn open_connections(pool: &sqlx::SqlitePool, n: usize) {
    let mut held = Vec::new();
    for _ in 0..n {
        let mut conn = pool.acquire().await.expect("a connection");
        sqlx::query("SELECT COUNT(*) FROM sqlite_master")
            .fetch_one(&mut *conn)
            .await
            .expect("read the schema");
        held.push(conn);
    }
    drop(held);
    assert!(
        pool.size() >= 2,
        "the pool holds {} connection(s)",
        pool.size()
    );
}

/// The journal mode, read on one connection after reading the file.
async fn journal_mode(db: &dyn Database) -> String {
    let conn = db.pinned().await.expect("a connection");
    conn.query("SELECT COUNT(*) FROM sqlite_master", &[])
        .await
        .expect("read the schema");
    let rows = conn
        .query("PRAGMA journal_mode", &[])
        .await
        .expect("journal mode");
    rows[0]
        .get_index(0)
        .and_then(switchy_schema::Value::as_str)
        .expect("a mode")
        .to_ascii_lowercase()
}

async fn statuses(
    runner: &MigrationRunner,
    db: &dyn Database,
) -> Vec<(String, Option<MigrationStatus>)> {
    runner
        .list_migrations(db)
        .await
        .expect("list the migrations")
        .into_iter()
        .map(|info: MigrationInfo| (info.id, info.status))
        .collect()
}

fn pair(id: &str, status: Option<MigrationStatus>) -> (String, Option<MigrationStatus>) {
    (id.to_owned(), status)
}

fn assert_refused(error: &Error, id: &str, file: &str, mode: &str) {
    match error {
        Error::LeavingWalNeedsOneConnection {
            id: refused,
            file: in_file,
            mode: to,
        } => {
            assert_eq!(
                (refused.as_str(), in_file.as_str(), to.as_str()),
                (id, file, mode)
            );
        }
        other => panic!("expected LeavingWalNeedsOneConnection, got {other:?}: {other}"),
    }
    let message = error.to_string();
    for needle in [
        "leaving WAL mode needs the only open connection",
        "database is locked",
        "no migration was run or rolled back",
        "max_connections(1)",
        "tokio::sync::Mutex<SqliteConnection>",
        "rusqlite",
    ] {
        assert!(
            message.contains(needle),
            "`{needle}` missing from: {message}"
        );
    }
}

#[tokio::test]
async fn leaving_wal_through_a_default_pool_is_refused_before_anything_and_blocks_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let pool = default_pool(&path).await;
    let db: &dyn Database = &pool;

    // Entering WAL works on the default pool.
    runner().run(db).await.unwrap();
    assert_eq!(journal_mode(db).await, "wal");
    open_connections(&pool, 3).await;

    for dry_run in [true, false] {
        let error = runner()
            .dry_run(dry_run)
            .rollback(db, RollbackStrategy::Last)
            .await
            .unwrap_err();
        assert_refused(&error, "0002_wal", "migrations/0002_wal/down.sql", "DELETE");
    }
    // Nothing changed, and nothing is blocked.
    let applied = [
        pair("0001_notes", Some(MigrationStatus::Completed)),
        pair("0002_wal", Some(MigrationStatus::Completed)),
    ];
    assert_eq!(statuses(&runner(), db).await, applied);
    assert_eq!(journal_mode(db).await, "wal");
    assert!(exists(db, "notes").await);
    let report = runner().run(db).await.unwrap();
    assert!(report.applied.is_empty());
    let later = MigrationRunner::new(
        wal_pair().with(
            CodeMigration::new("0003_tags", "CREATE TABLE tags (id INTEGER)")
                .with_down("DROP TABLE tags"),
        ),
    );
    assert_eq!(
        later
            .run(db)
            .await
            .unwrap()
            .applied_ids()
            .collect::<Vec<_>>(),
        ["0003_tags"]
    );

    // Rolling everything back is refused before anything, `0003_tags` (first in line)
    // included.
    let error = later.rollback(db, RollbackStrategy::All).await.unwrap_err();
    assert_refused(&error, "0002_wal", "migrations/0002_wal/down.sql", "DELETE");
    assert!(
        exists(db, "tags").await,
        "a migration was rolled back before the refusal"
    );
    later.rollback(db, RollbackStrategy::Last).await.unwrap();
    assert!(!exists(db, "tags").await);
    assert_eq!(statuses(&runner(), db).await, applied);

    // Through a single connection (and no other open), the same rollback works.
    pool.close().await;
    let single = single_connection_pool(&path).await;
    let report = runner()
        .rollback(&single, RollbackStrategy::Last)
        .await
        .unwrap();
    assert_eq!(report.rolled_back.len(), 1);
    assert_eq!(journal_mode(&single).await, "delete");
    assert!(
        !dir.path().join("app.db-wal").exists(),
        "the WAL file is still there"
    );
    assert_eq!(
        statuses(&runner(), &single).await,
        [
            pair("0001_notes", Some(MigrationStatus::Completed)),
            pair("0002_wal", None)
        ]
    );
    // And back up again.
    runner().run(&single).await.unwrap();
    assert_eq!(journal_mode(&single).await, "wal");
}

#[tokio::test]
async fn rusqlite_and_a_single_sqlx_connection_leave_wal_on_rollback() {
    let dir = tempfile::tempdir().unwrap();

    let path = dir.path().join("rusqlite.db");
    let db = std::sync::Mutex::new(rusqlite::Connection::open(&path).unwrap());
    runner().run(&db).await.unwrap();
    assert_eq!(journal_mode(&db).await, "wal");
    runner()
        .rollback(&db, RollbackStrategy::Last)
        .await
        .unwrap();
    assert_eq!(journal_mode(&db).await, "delete");

    let path = dir.path().join("sqlx.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true);
    let conn = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&options)
        .await
        .unwrap();
    let db = tokio::sync::Mutex::new(conn);
    runner().run(&db).await.unwrap();
    assert_eq!(journal_mode(&db).await, "wal");
    runner()
        .rollback(&db, RollbackStrategy::Last)
        .await
        .unwrap();
    assert_eq!(journal_mode(&db).await, "delete");
}

#[tokio::test]
async fn entering_then_leaving_wal_in_one_run_is_refused_before_the_first_migration() {
    let dir = tempfile::tempdir().unwrap();
    let pool = default_pool(&dir.path().join("app.db")).await;
    let source = wal_pair().with(sql_migration(
        "0003_back_to_delete",
        "CREATE TABLE later (id INTEGER);\nPRAGMA journal_mode = 'truncate';",
        None,
        TransactionMode::NoTransaction,
    ));
    let runner = MigrationRunner::new(source);
    let error = runner.run(&pool).await.unwrap_err();
    assert_refused(
        &error,
        "0003_back_to_delete",
        "migrations/0003_back_to_delete/up.sql",
        "truncate",
    );
    assert!(
        !exists(&pool, "notes").await,
        "a migration ran before the refusal"
    );
    assert_eq!(journal_mode(&pool).await, "delete");
    // Up to the WAL migration, the run works; an in-memory database is never in WAL mode.
    let memory = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
    runner.run(&memory).await.unwrap();
    assert!(exists(&memory, "later").await);
}

/// A busy `PRAGMA journal_mode = DELETE` (another connection keeps the WAL open, and the
/// handle cannot know it) fails on its first statement: no dirty row, nothing blocked.
#[tokio::test]
async fn a_busy_journal_mode_change_leaves_no_dirty_row() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("app.db");
    let options = sqlx::sqlite::SqliteConnectOptions::new()
        .filename(&path)
        .create_if_missing(true)
        .busy_timeout(Duration::from_millis(200));
    let conn = <sqlx::SqliteConnection as sqlx::Connection>::connect_with(&options)
        .await
        .unwrap();
    let db = tokio::sync::Mutex::new(conn);
    runner().run(&db).await.unwrap();
    assert_eq!(journal_mode(&db).await, "wal");

    // Another process's connection keeps the WAL open.
    let other = default_pool(&path).await;
    open_connections(&other, 2).await;

    let error = runner()
        .rollback(&db, RollbackStrategy::Last)
        .await
        .unwrap_err();
    let Error::MigrationFailed {
        failed,
        recorded_as_failed,
        ..
    } = &error
    else {
        panic!("expected MigrationFailed, got {error}");
    };
    assert_eq!(
        (failed.id.as_str(), failed.file.as_str()),
        ("0002_wal", "migrations/0002_wal/down.sql")
    );
    assert!(!recorded_as_failed, "{error}");
    assert!(error.to_string().contains("database is locked"), "{error}");
    let applied = [
        pair("0001_notes", Some(MigrationStatus::Completed)),
        pair("0002_wal", Some(MigrationStatus::Completed)),
    ];
    assert_eq!(
        statuses(&runner(), &db).await,
        applied,
        "the rollback left a dirty row"
    );
    assert!(runner().run(&db).await.unwrap().applied.is_empty());

    // Up: a migration whose first statement leaves WAL fails the same way and is not
    // recorded; once the other connections are closed, the next run applies it.
    let leave = || {
        MigrationRunner::new(wal_pair().with(sql_migration(
            "0003_leave_wal",
            "PRAGMA journal_mode = DELETE; CREATE TABLE after_wal (id INTEGER);",
            None,
            TransactionMode::NoTransaction,
        )))
    };
    let error = leave().run(&db).await.unwrap_err();
    assert!(
        matches!(&error, Error::MigrationFailed { failed, recorded_as_failed: false, .. } if failed.id == "0003_leave_wal"),
        "{error}"
    );
    assert_eq!(
        statuses(&leave(), &db).await[2],
        pair("0003_leave_wal", None)
    );
    assert!(!exists(&db, "after_wal").await);

    other.close().await;
    leave().run(&db).await.unwrap();
    assert!(exists(&db, "after_wal").await);
    assert_eq!(journal_mode(&db).await, "delete");
}

#[tokio::test]
async fn a_no_transaction_migration_failing_on_its_first_statement_leaves_no_row() {
    for backend in Backend::ALL {
        let Some(t) = open(backend, "first_statement_fails").await else {
            continue;
        };
        let db = &*t.db;
        let runner = || {
            MigrationRunner::new(CodeSource::new().with(sql_migration(
                "0001_copy",
                "INSERT INTO needed (id) VALUES (1); CREATE TABLE copied (id INTEGER);",
                Some("DELETE FROM needed; DROP TABLE copied;"),
                TransactionMode::NoTransaction,
            )))
        };
        let error = runner().run(db).await.unwrap_err();
        assert!(
            matches!(&error, Error::MigrationFailed { failed, recorded_as_failed: false, .. } if failed.id == "0001_copy"),
            "{backend:?}: {error}"
        );
        assert!(
            !error.to_string().contains("recorded as `failed`"),
            "{error}"
        );
        assert_eq!(
            statuses(&runner(), db).await,
            [pair("0001_copy", None)],
            "{backend:?}"
        );
        assert!(!exists(db, "copied").await);

        // Fixed: the next run applies it.
        db.exec_raw("CREATE TABLE needed (id INTEGER)")
            .await
            .unwrap();
        runner().run(db).await.unwrap();
        assert!(exists(db, "copied").await);

        // Its down fails on its first statement: it stays `completed`.
        db.exec_raw("DROP TABLE needed").await.unwrap();
        let error = runner()
            .rollback(db, RollbackStrategy::Last)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::MigrationFailed { failed, recorded_as_failed: false, .. } if failed.file == "migrations/0001_copy/down.sql"),
            "{backend:?}: {error}"
        );
        assert_eq!(
            statuses(&runner(), db).await,
            [pair("0001_copy", Some(MigrationStatus::Completed))],
            "{backend:?}"
        );
        db.exec_raw("CREATE TABLE needed (id INTEGER)")
            .await
            .unwrap();
        runner().rollback(db, RollbackStrategy::Last).await.unwrap();
        assert!(!exists(db, "copied").await);
    }
}

#[tokio::test]
async fn a_no_transaction_migration_failing_after_its_first_statement_is_dirty() {
    for backend in Backend::ALL {
        let Some(t) = open(backend, "second_statement_fails").await else {
            continue;
        };
        let db = &*t.db;
        let runner = || {
            MigrationRunner::new(
                CodeSource::new()
                    .with(sql_migration(
                        "0001_half",
                        "CREATE TABLE first_half (id INTEGER); INSERT INTO needed (id) VALUES (1);",
                        Some("DROP TABLE first_half; DELETE FROM needed;"),
                        TransactionMode::NoTransaction,
                    ))
                    .with(
                        CodeMigration::new("0002_next", "CREATE TABLE next_one (id INTEGER)")
                            .with_down("DROP TABLE next_one"),
                    ),
            )
        };
        let error = runner().run(db).await.unwrap_err();
        assert!(
            matches!(&error, Error::MigrationFailed { failed, recorded_as_failed: true, .. } if failed.id == "0001_half"),
            "{backend:?}: {error}"
        );
        assert!(exists(db, "first_half").await, "{backend:?}");
        assert_eq!(
            statuses(&runner(), db).await,
            [
                pair("0001_half", Some(MigrationStatus::Failed)),
                pair("0002_next", None)
            ],
            "{backend:?}"
        );
        let blocked = runner().run(db).await.unwrap_err();
        assert!(
            matches!(&blocked, Error::Dirty { id, status: MigrationStatus::Failed, .. } if id == "0001_half"),
            "{backend:?}: {blocked}"
        );
        assert!(!exists(db, "next_one").await);

        // Recovered by hand; then a down failing on its second statement is dirty too.
        db.exec_raw("CREATE TABLE needed (id INTEGER)")
            .await
            .unwrap();
        db.exec_raw("INSERT INTO needed (id) VALUES (1)")
            .await
            .unwrap();
        runner()
            .mark_migration_completed(db, "0001_half")
            .await
            .unwrap();
        db.exec_raw("DROP TABLE needed").await.unwrap();
        let error = runner()
            .rollback(db, RollbackStrategy::Last)
            .await
            .unwrap_err();
        assert!(
            matches!(
                &error,
                Error::MigrationFailed {
                    recorded_as_failed: true,
                    ..
                }
            ),
            "{backend:?}: {error}"
        );
        assert!(!exists(db, "first_half").await, "{backend:?}");
        assert_eq!(
            statuses(&runner(), db).await,
            [
                pair("0001_half", Some(MigrationStatus::Failed)),
                pair("0002_next", None)
            ],
            "{backend:?}"
        );
    }
}
