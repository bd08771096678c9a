//! Databases left by switchy_schema 0.4 run as a no-op, on every backend, whichever 0.4
//! source wrote them.
//!
//! Each test builds by hand what 0.4 leaves behind: its tracking table with 0.4's column
//! types (as its `switchy_database` renders them per backend), its timestamp values, and its
//! checksums computed the 0.4 way, written out here with `sha2` directly rather than with
//! this crate's checksum code:
//! - embedded (`include_dir`) and directory sources: SHA-256 of the file's bytes, and of
//!   no bytes for a missing file;
//! - code source with SQL text (how applications such as MoosicBox's schema crate loaded
//!   their folders): SHA-256 of `EXEC_RAW:` followed by the text, for up and for a present
//!   down; of no bytes for a missing down.
//!
//! Then the application, now on this crate, points a runner at the same folder: nothing is
//! applied and nothing is drift; one added migration is the only one applied, with a
//! timestamp in the table's own format; an edited file is drift.

use std::fmt::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};
use switchy_schema::directory::DirectorySource;
use switchy_schema::{Database, Dialect, Error, MigrationRunner, RollbackStrategy, Value};
use switchy_schema_tests::harness::{Backend, TestDatabase, open};

/// The tracking table name MoosicBox gave 0.4.
const TABLE: &str = "__moosicbox_schema_migrations";

/// One migration of the application's folder: its text today, and the text 0.4 hashed when
/// it applied it (a CRLF checkout then, LF now, for the first one).
struct Folder {
    id: &'static str,
    up: &'static str,
    up_when_applied: &'static str,
    down: Option<&'static str>,
}

const FOLDERS: [Folder; 4] = [
    Folder {
        id: "2024-01-01-000000_create_artists",
        up: "CREATE TABLE artists (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL);\n",
        up_when_applied: "CREATE TABLE artists (id INTEGER PRIMARY KEY, name VARCHAR(200) NOT NULL);\r\n",
        down: Some("DROP TABLE artists;\n"),
    },
    // Irreversible: no down.sql.
    Folder {
        id: "2024-01-02-000000_seed_artists",
        up: "INSERT INTO artists (id, name) VALUES (1, 'Nina Simone');\n",
        up_when_applied: "INSERT INTO artists (id, name) VALUES (1, 'Nina Simone');\n",
        down: None,
    },
    // Empty up.sql and down.sql: a recorded no-op (0.4's code source still executed, and
    // hashed, both).
    Folder {
        id: "2024-01-03-000000_nothing_yet",
        up: "",
        up_when_applied: "",
        down: Some(""),
    },
    Folder {
        id: "2024-01-04-000000_create_albums",
        up: "CREATE TABLE albums (id INTEGER PRIMARY KEY, title VARCHAR(200));\n",
        up_when_applied: "CREATE TABLE albums (id INTEGER PRIMARY KEY, title VARCHAR(200));\n",
        down: Some("DROP TABLE albums;\n"),
    },
];

/// The 0.4 source that wrote the tracking rows.
#[derive(Debug, Clone, Copy)]
enum Source04 {
    /// `EmbeddedMigrationSource` (`include_dir`).
    Embedded,
    /// `DirectoryMigrationSource`.
    Directory,
    /// `CodeMigrationSource` with the folders' text as `String` executables.
    Code,
}

fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            write!(hex, "{byte:02x}").expect("writing to a String");
            hex
        })
}

impl Source04 {
    const ALL: [Source04; 3] = [Source04::Embedded, Source04::Directory, Source04::Code];

    /// The checksum 0.4 stored for a file with `text`, `None` when the file is missing.
    fn checksum(self, text: Option<&str>) -> String {
        match (self, text) {
            (_, None) => sha256_hex(b""),
            (Source04::Embedded | Source04::Directory, Some(text)) => sha256_hex(text.as_bytes()),
            (Source04::Code, Some(text)) => sha256_hex(format!("EXEC_RAW:{text}").as_bytes()),
        }
    }
}

/// 0.4's `CREATE TABLE` for its tracking table, as its `switchy_database` backends render
/// `VersionTracker::ensure_table_exists` (no primary key; `DataType::DateTime` with
/// `DatabaseValue::Now` as default).
fn create_04_table(dialect: Dialect) -> String {
    match dialect {
        Dialect::Sqlite => format!(
            "CREATE TABLE IF NOT EXISTS {TABLE}(id TEXT NOT NULL,\
             run_on TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%f', 'now')),\
             finished_on TEXT,up_checksum VARCHAR(64) NOT NULL,down_checksum VARCHAR(64) NOT NULL,\
             status TEXT NOT NULL,failure_reason TEXT)"
        ),
        Dialect::Postgres => format!(
            "CREATE TABLE IF NOT EXISTS {TABLE} (id TEXT NOT NULL, \
             run_on TIMESTAMP WITH TIME ZONE NOT NULL DEFAULT NOW(), \
             finished_on TIMESTAMP WITH TIME ZONE, up_checksum VARCHAR(64) NOT NULL, \
             down_checksum VARCHAR(64) NOT NULL, status TEXT NOT NULL, failure_reason TEXT)"
        ),
        Dialect::MySql => format!(
            "CREATE TABLE IF NOT EXISTS {TABLE} (id TEXT NOT NULL, \
             run_on DATETIME NOT NULL DEFAULT NOW(), finished_on DATETIME, \
             up_checksum VARCHAR(64) NOT NULL, down_checksum VARCHAR(64) NOT NULL, \
             status TEXT NOT NULL, failure_reason TEXT)"
        ),
    }
}

/// "A second before now" in the form 0.4 wrote timestamps on `dialect`. On SQLite the rows
/// are text, so a row written later the same day in another layout would sort before them.
fn a_second_ago(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => "strftime('%Y-%m-%dT%H:%M:%f', 'now', '-1 seconds')",
        Dialect::Postgres => "(NOW() - INTERVAL '1 second')",
        Dialect::MySql => "(NOW() - INTERVAL 1 SECOND)",
    }
}

fn write_folder(root: &Path, id: &str, up: &str, down: Option<&str>) {
    let dir = root.join(id);
    std::fs::create_dir_all(&dir).expect("create migration folder");
    std::fs::write(dir.join("up.sql"), up).expect("write up.sql");
    if let Some(down) = down {
        std::fs::write(dir.join("down.sql"), down).expect("write down.sql");
    }
}

/// Leaves `db` as 0.4 left it after applying [`FOLDERS`] through `source`.
async fn migrate_with_04(db: &dyn Database, source: Source04) {
    let dialect = db.dialect();
    db.exec_raw(&create_04_table(dialect))
        .await
        .expect("create 0.4 table");
    for folder in &FOLDERS {
        if !folder.up.is_empty() {
            db.exec_raw(folder.up).await.expect("apply as 0.4 did");
        }
        let p = |i| dialect.placeholder(i);
        let sql = format!(
            "INSERT INTO {TABLE} (id, run_on, finished_on, up_checksum, down_checksum, status, failure_reason) \
             VALUES ({}, {now}, {now}, {}, {}, 'completed', NULL)",
            p(1),
            p(2),
            p(3),
            now = a_second_ago(dialect),
        );
        let params = [
            Value::from(folder.id),
            Value::from(source.checksum(Some(folder.up_when_applied))),
            Value::from(source.checksum(folder.down)),
        ];
        db.execute(&sql, &params).await.expect("insert 0.4 row");
    }
}

fn runner(root: &Path) -> MigrationRunner {
    MigrationRunner::new(DirectorySource::new(root)).with_table_name(TABLE)
}

async fn newest_by_run_on(db: &dyn Database) -> String {
    let limit = format!("SELECT id FROM {TABLE} ORDER BY run_on DESC, id DESC");
    let rows = db.query(&limit, &[]).await.expect("read tracking table");
    rows[0].get_str("id").expect("an id").to_owned()
}

async fn text_of(db: &dyn Database, sql: &str) -> String {
    let rows = db.query(sql, &[]).await.expect("query");
    rows[0]
        .get_index(0)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

/// On PostgreSQL, gives the test database a session time zone far from UTC, so that a
/// UTC wall-clock time written into 0.4's `timestamptz` columns would land hours away.
async fn far_from_utc(t: &TestDatabase) -> Box<dyn Database> {
    if t.backend.dialect() != Dialect::Postgres {
        return t.reopen().await;
    }
    let name = text_of(&*t.db, "SELECT current_database()::text").await;
    t.db.exec_raw(&format!(
        "ALTER DATABASE \"{}\" SET timezone TO 'Pacific/Kiritimati'",
        name.replace('"', "\"\"")
    ))
    .await
    .expect("set the database's time zone");
    t.reopen().await
}

async fn check_timestamp_of_new_row(db: &dyn Database, id: &str) {
    match db.dialect() {
        Dialect::Sqlite => {
            let sql = format!("SELECT run_on, finished_on FROM {TABLE} WHERE id = '{id}'");
            let rows = db.query(&sql, &[]).await.expect("read new row");
            for column in ["run_on", "finished_on"] {
                let text = rows[0].get_str(column).expect("a text timestamp");
                let bytes = text.as_bytes();
                assert!(
                    text.len() == 23 && bytes[10] == b'T' && bytes[19] == b'.',
                    "{column} `{text}` is not in the table's YYYY-MM-DDTHH:MM:SS.fff format"
                );
            }
        }
        Dialect::Postgres => {
            let sql = format!(
                "SELECT COUNT(*)::bigint FROM {TABLE} WHERE id = '{id}' \
                 AND run_on BETWEEN NOW() - INTERVAL '5 minutes' AND NOW() + INTERVAL '5 minutes' \
                 AND finished_on BETWEEN NOW() - INTERVAL '5 minutes' AND NOW() + INTERVAL '5 minutes'"
            );
            let rows = db.query(&sql, &[]).await.expect("read new row");
            assert_eq!(
                rows[0].get_index(0).and_then(Value::as_i64),
                Some(1),
                "the new row's timestamps are not the current instant"
            );
        }
        Dialect::MySql => {
            let sql = format!(
                "SELECT COUNT(*) FROM {TABLE} WHERE id = '{id}' \
                 AND run_on BETWEEN NOW() - INTERVAL 5 MINUTE AND NOW() + INTERVAL 5 MINUTE"
            );
            let rows = db.query(&sql, &[]).await.expect("read new row");
            assert_eq!(rows[0].get_index(0).and_then(Value::as_i64), Some(1));
        }
    }
}

async fn a_04_database_runs_as_a_no_op(backend: Backend, source: Source04) {
    let test = format!("upgrade_04_{source:?}").to_lowercase();
    let Some(t) = open(backend, &test).await else {
        return;
    };
    let context = format!("{} / 0.4 {source:?} source", backend.name());
    migrate_with_04(&*t.db, source).await;
    let db = far_from_utc(&t).await;
    let db = &*db;

    let folder = tempfile::tempdir().expect("temporary folder");
    for f in &FOLDERS {
        write_folder(folder.path(), f.id, f.up, f.down);
    }

    // Nothing to apply, nothing drifted, rollback's down checks pass.
    let listed = runner(folder.path()).list_migrations(db).await.unwrap();
    assert_eq!(listed.len(), FOLDERS.len(), "{context}");
    for info in &listed {
        assert!(!info.drifted, "{context}: {} reported as drift", info.id);
        assert!(info.in_source, "{context}");
    }
    let report = runner(folder.path())
        .run(db)
        .await
        .unwrap_or_else(|e| panic!("{context}: {e}"));
    assert!(report.applied.is_empty(), "{context}: {:?}", report.applied);
    runner(folder.path())
        .dry_run(true)
        .rollback(db, RollbackStrategy::DownTo(FOLDERS[1].id.to_owned()))
        .await
        .unwrap_or_else(|e| panic!("{context}: rollback plan refused: {e}"));

    // One added migration is the only one applied, and sorts last by run_on.
    let added = "2024-01-05-000000_create_genres";
    write_folder(
        folder.path(),
        added,
        "CREATE TABLE genres (id INTEGER PRIMARY KEY);\n",
        Some("DROP TABLE genres;\n"),
    );
    let report = runner(folder.path())
        .run(db)
        .await
        .unwrap_or_else(|e| panic!("{context}: {e}"));
    let applied: Vec<&str> = report.applied.iter().map(|a| a.id.as_str()).collect();
    assert_eq!(applied, [added], "{context}");
    assert_eq!(newest_by_run_on(db).await, added, "{context}");
    check_timestamp_of_new_row(db, added).await;

    // A real edit of an applied file is drift, in whichever form 0.4 stored its checksum.
    let edited = folder.path().join(FOLDERS[0].id).join("up.sql");
    std::fs::write(
        &edited,
        "CREATE TABLE artists (id INTEGER PRIMARY KEY, name TEXT);\n",
    )
    .expect("edit");
    match runner(folder.path()).run(db).await {
        Err(Error::Drift { id, file, .. }) => {
            assert_eq!(id, FOLDERS[0].id, "{context}");
            assert!(file.ends_with("up.sql"), "{context}: {file}");
        }
        other => panic!("{context}: expected drift, got {other:?}"),
    }
    // So is an edit of an applied down file.
    std::fs::write(&edited, FOLDERS[0].up).expect("restore");
    let down = folder.path().join(FOLDERS[3].id).join("down.sql");
    std::fs::write(&down, "DROP TABLE IF EXISTS albums;\n").expect("edit down");
    let refused = runner(folder.path())
        .dry_run(true)
        .rollback(db, RollbackStrategy::DownTo(FOLDERS[1].id.to_owned()))
        .await;
    assert!(
        matches!(refused, Err(Error::Drift { ref id, .. }) if id == FOLDERS[3].id),
        "{context}: {refused:?}"
    );
}

#[tokio::test]
async fn databases_of_every_04_source_run_as_a_no_op_on_sqlx_sqlite() {
    for source in Source04::ALL {
        a_04_database_runs_as_a_no_op(Backend::SqlxSqlite, source).await;
    }
}

#[tokio::test]
async fn databases_of_every_04_source_run_as_a_no_op_on_rusqlite() {
    for source in Source04::ALL {
        a_04_database_runs_as_a_no_op(Backend::Rusqlite, source).await;
    }
}

#[tokio::test]
async fn databases_of_every_04_source_run_as_a_no_op_on_sqlx_postgres() {
    for source in Source04::ALL {
        a_04_database_runs_as_a_no_op(Backend::SqlxPostgres, source).await;
    }
}

#[tokio::test]
async fn databases_of_every_04_source_run_as_a_no_op_on_tokio_postgres() {
    for source in Source04::ALL {
        a_04_database_runs_as_a_no_op(Backend::TokioPostgres, source).await;
    }
}

#[tokio::test]
async fn databases_of_every_04_source_run_as_a_no_op_on_mysql() {
    for source in Source04::ALL {
        a_04_database_runs_as_a_no_op(Backend::SqlxMySql, source).await;
    }
}
