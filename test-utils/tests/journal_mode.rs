//! `verify_migrations_full_cycle` on a file-backed SQLite database with the issue's
//! migration (no transaction; up `PRAGMA journal_mode = WAL`, down `... = DELETE`): through
//! a pool that may hold several connections the `down` is refused before it runs and the
//! database is left usable; through a pool of one connection the whole cycle passes.

use std::path::{Path, PathBuf};

use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema::{
    Database, MigrationRunner, MigrationStatus, SqlFile, SqlMigration, TransactionMode,
};
use switchy_schema_test_utils::{Error, verify_migrations_full_cycle};

/// A directory of its own under the system's temporary directory, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        let path = std::env::temp_dir().join(format!(
            "switchy_schema_{test}_{}_{nanos}",
            std::process::id()
        ));
        std::fs::create_dir_all(&path).expect("create a temporary directory");
        Self(path)
    }

    fn file(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn migrations() -> CodeSource {
    let file = |name: &str, sql: &str| {
        SqlFile::owned(None, format!("migrations/0002_wal/{name}"), sql.to_owned())
    };
    CodeSource::new()
        .with(
            CodeMigration::new("0001_notes", "CREATE TABLE notes (id INTEGER)")
                .with_down("DROP TABLE notes"),
        )
        .with(SqlMigration {
            id: "0002_wal".into(),
            description: None,
            up: vec![file("up.sql", "PRAGMA journal_mode = WAL;")].into(),
            down: vec![file("down.sql", "PRAGMA journal_mode = DELETE;")].into(),
            transaction_mode: TransactionMode::NoTransaction,
        })
}

async fn pool(path: &Path, max_connections: u32) -> sqlx::SqlitePool {
    SqlitePoolOptions::new()
        .max_connections(max_connections)
        .connect_with(
            SqliteConnectOptions::new()
                .filename(path)
                .create_if_missing(true),
        )
        .await
        .expect("open the SQLite file")
}

async fn journal_mode(db: &dyn Database) -> String {
    let conn = db.pinned().await.unwrap();
    conn.query("SELECT COUNT(*) FROM sqlite_master", &[])
        .await
        .unwrap();
    let rows = conn.query("PRAGMA journal_mode", &[]).await.unwrap();
    rows[0]
        .get_index(0)
        .and_then(switchy_schema::Value::as_str)
        .unwrap()
        .to_owned()
}

#[tokio::test]
async fn a_pool_of_several_connections_is_refused_before_the_down_and_left_usable() {
    let dir = TempDir::new("verify_wal_pool");
    // sqlx's default: up to 10 connections.
    let db = pool(&dir.file("app.db"), 10).await;

    let error = verify_migrations_full_cycle(&db, migrations())
        .await
        .unwrap_err();
    let Error::Migration { step, error: cause } = &error else {
        panic!("expected a migration error, got {error}");
    };
    assert_eq!(step, "rolling back `0002_wal`");
    assert!(
        matches!(&**cause, switchy_schema::Error::LeavingWalNeedsOneConnection { id, .. } if id == "0002_wal"),
        "{cause}"
    );
    let message = error.to_string();
    assert!(
        message.contains("leaving WAL mode needs the only open connection")
            && message.contains("max_connections(1)"),
        "{message}"
    );

    // Not blocked: both are still `completed`, and the runner works on.
    let runner = MigrationRunner::new(migrations());
    let statuses: Vec<_> = runner
        .list_migrations(&db)
        .await
        .unwrap()
        .into_iter()
        .map(|info| info.status)
        .collect();
    assert_eq!(statuses, [Some(MigrationStatus::Completed); 2]);
    assert!(runner.run(&db).await.unwrap().applied.is_empty());
    assert_eq!(journal_mode(&db).await, "wal");
}

#[tokio::test]
async fn a_pool_of_one_connection_passes_the_whole_cycle() {
    let dir = TempDir::new("verify_wal_single");
    let db = pool(&dir.file("app.db"), 1).await;
    let report = verify_migrations_full_cycle(&db, migrations())
        .await
        .unwrap_or_else(|error| panic!("{error}"));
    assert_eq!(report.ids().collect::<Vec<_>>(), ["0001_notes", "0002_wal"]);
    assert_eq!(journal_mode(&db).await, "delete");
}
