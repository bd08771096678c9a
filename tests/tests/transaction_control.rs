//! Issue 8: transaction control inside a transactional migration.
//!
//! A top-level `BEGIN` / `COMMIT` in a migration that runs inside the runner's transaction
//! would commit it from inside (on PostgreSQL: a later failure leaves the first part
//! applied with no tracking row). Such a migration is refused before anything runs, on
//! every engine: by the directory source (and `embed_migrations!`, see the ui case
//! `ui/transaction/begin_commit.rs`) when the folder is read, and by the planning step for
//! every source (code migrations, hand-built `SqlMigration`s), for `up` and for `down`.
//! The same file marked `run_in_transaction = false` runs; bodies of triggers, functions,
//! procedures and `DO` blocks, and savepoints, are not refused.

use std::path::Path;

use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema::directory::DirectorySource;
use switchy_schema::{
    Database, Dialect, Error, MigrationRunner, RollbackStrategy, TransactionMode,
};
use switchy_schema_tests::harness::Backend;
use switchy_schema_tests::support::{each, exists, sql_migration};

/// The file: a transaction of its own around `a`, then a failing statement.
const BEGIN_COMMIT_THEN_FAIL: &str =
    "BEGIN;\nCREATE TABLE a (id INT);\nCOMMIT;\nINSERT INTO no_such_table VALUES (1);\n";

/// The ids in the tracking table; none when it does not exist.
async fn tracked_ids(db: &dyn Database) -> Vec<String> {
    db.query("SELECT id FROM __switchy_migrations ORDER BY id", &[])
        .await
        .map(|rows| {
            rows.iter()
                .map(|row| row.get_str("id").unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

/// Writes `files` (`(relative path, content)`) under `root`.
fn write_folder(root: &Path, files: &[(&str, &str)]) {
    for (relative, content) in files {
        let path = root.join(relative);
        std::fs::create_dir_all(path.parent().expect("a parent")).expect("create folder");
        std::fs::write(path, content).expect("write file");
    }
}

#[tokio::test]
async fn begin_commit_in_a_transactional_migration_is_refused_before_anything_runs() {
    each(&Backend::ALL, "txctl_refused", async |t| {
        let db = &*t.db;
        let runner = MigrationRunner::new(
            CodeSource::new()
                .with(CodeMigration::new(
                    "0001_first",
                    "CREATE TABLE first_t (id INT)",
                ))
                .with(sql_migration(
                    "0002_own_transaction",
                    BEGIN_COMMIT_THEN_FAIL,
                    None,
                    TransactionMode::Transactional,
                )),
        );
        let error = runner.run(db).await.expect_err("refused");
        let Error::TransactionControlInTransactionalMigration {
            id,
            file,
            statement,
            line,
        } = &error
        else {
            panic!("{:?}: unexpected error {error}", t.backend);
        };
        assert_eq!(
            (id.as_str(), file.as_str(), statement.as_str(), *line),
            (
                "0002_own_transaction",
                "migrations/0002_own_transaction/up.sql",
                "BEGIN",
                1
            ),
            "{:?}",
            t.backend
        );
        let message = error.to_string();
        assert!(
            message.contains("`run_in_transaction = false` in its metadata.toml"),
            "{message}"
        );
        // Nothing ran: not even the first, valid, migration.
        assert!(!exists(db, "a").await, "{:?}", t.backend);
        assert!(!exists(db, "first_t").await, "{:?}", t.backend);
        assert!(tracked_ids(db).await.is_empty(), "{:?}", t.backend);
        // A dry run reports the same refusal.
        let dry = MigrationRunner::new(CodeSource::new().with(sql_migration(
            "0002_own_transaction",
            BEGIN_COMMIT_THEN_FAIL,
            None,
            TransactionMode::Transactional,
        )))
        .dry_run(true);
        assert!(matches!(
            dry.run(db).await,
            Err(Error::TransactionControlInTransactionalMigration { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn code_migrations_are_checked_through_their_sql() {
    each(&Backend::ALL, "txctl_code", async |t| {
        let db = &*t.db;
        let runner = MigrationRunner::new(CodeSource::new().with(CodeMigration::new(
            "0001_code",
            "-- a code migration\nSTART TRANSACTION;\nCREATE TABLE a (id INT);\nCOMMIT WORK;",
        )));
        let error = runner.run(db).await.expect_err("refused");
        assert!(
            matches!(
                &error,
                Error::TransactionControlInTransactionalMigration { statement, line: 2, file, .. }
                    if statement == "START TRANSACTION" && file == "code migration `0001_code` (up)"
            ),
            "{:?}: {error}",
            t.backend
        );
        assert!(!exists(db, "a").await);
        assert!(tracked_ids(db).await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn the_directory_source_rejects_the_file_when_it_reads_the_folder() {
    let dir = tempfile::tempdir().expect("temporary directory");
    write_folder(
        dir.path(),
        &[
            ("0001_a/up.sql", "CREATE TABLE first_t (id INT);"),
            ("0002_b/up.sql", BEGIN_COMMIT_THEN_FAIL),
        ],
    );
    let Err(Error::InvalidFolder(violations)) = DirectorySource::new(dir.path()).load() else {
        panic!("the folder should be rejected");
    };
    assert_eq!(violations.len(), 1, "{violations:#?}");
    assert_eq!(violations[0].path, dir.path().join("0002_b/up.sql"));
    assert!(
        violations[0]
            .rule
            .starts_with("`BEGIN` on line 1: a migration that runs inside the runner's transaction may not start, commit or end a transaction itself"),
        "{}",
        violations[0].rule
    );
    // Nothing runs through a runner either.
    each(&Backend::ALL, "txctl_directory", async |t| {
        let runner = MigrationRunner::new(DirectorySource::new(dir.path()));
        assert!(matches!(
            runner.run(&*t.db).await,
            Err(Error::InvalidFolder(_))
        ));
        assert!(!exists(&*t.db, "a").await);
        assert!(!exists(&*t.db, "first_t").await);
        assert!(tracked_ids(&*t.db).await.is_empty());
    })
    .await;

    // The same file outside a transaction is accepted.
    write_folder(
        dir.path(),
        &[("0002_b/metadata.toml", "run_in_transaction = false\n")],
    );
    let migrations = DirectorySource::new(dir.path()).load().expect("accepted");
    assert_eq!(
        migrations[1].transaction_mode,
        TransactionMode::NoTransaction
    );
}

#[tokio::test]
async fn the_same_file_runs_outside_a_transaction() {
    each(&Backend::ALL, "txctl_no_transaction", async |t| {
        let db = &*t.db;
        let runner = MigrationRunner::new(CodeSource::new().with(sql_migration(
            "0001_own_transaction",
            "BEGIN;\nCREATE TABLE a (id INT);\nINSERT INTO a VALUES (1);\nCOMMIT;\n",
            Some("DROP TABLE a;"),
            TransactionMode::NoTransaction,
        )));
        let report = runner.run(db).await;
        assert!(report.is_ok(), "{:?}: {report:?}", t.backend);
        assert!(exists(db, "a").await, "{:?}", t.backend);
        assert_eq!(tracked_ids(db).await, ["0001_own_transaction"]);
        runner
            .rollback(db, RollbackStrategy::Last)
            .await
            .expect("rolled back");
        assert!(!exists(db, "a").await);
    })
    .await;
}

#[tokio::test]
async fn a_down_with_commit_is_refused_before_anything_is_rolled_back() {
    each(&Backend::ALL, "txctl_down", async |t| {
        let db = &*t.db;
        let runner = MigrationRunner::new(
            CodeSource::new()
                .with(sql_migration(
                    "0001_a",
                    "CREATE TABLE a (id INT);",
                    Some("DROP TABLE a;"),
                    TransactionMode::Transactional,
                ))
                .with(sql_migration(
                    "0002_b",
                    "CREATE TABLE b (id INT);",
                    Some("DROP TABLE b;\nCOMMIT;"),
                    TransactionMode::Transactional,
                )),
        );
        runner.run(db).await.expect("applied");
        let error = runner
            .rollback(db, RollbackStrategy::All)
            .await
            .expect_err("refused");
        assert!(
            matches!(
                &error,
                Error::TransactionControlInTransactionalMigration { id, file, line: 2, .. }
                    if id == "0002_b" && file == "migrations/0002_b/down.sql"
            ),
            "{:?}: {error}",
            t.backend
        );
        assert!(exists(db, "a").await && exists(db, "b").await);
        assert_eq!(tracked_ids(db).await, ["0001_a", "0002_b"]);
    })
    .await;
}

/// Statements with `BEGIN`, `END` and `COMMIT` that are not transaction control, per
/// dialect; each ends with a check that its bodies ran: one row in `log`.
fn bodies(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Sqlite => {
            "CREATE TABLE t (id INTEGER, note TEXT);\n\
             CREATE TABLE log (what TEXT);\n\
             -- COMMIT; in a comment\n\
             CREATE TRIGGER t_ai AFTER INSERT ON t\n\
             BEGIN\n  INSERT INTO log VALUES (CASE WHEN new.id > 0 THEN 'begin; commit;' ELSE 'end' END);\n\
             END;\n\
             SAVEPOINT s;\n\
             INSERT INTO t VALUES (1, 'BEGIN; COMMIT; END;');\n\
             RELEASE SAVEPOINT s;\n\
             SAVEPOINT s2;\nINSERT INTO t VALUES (2, 'rolled back');\nROLLBACK TO SAVEPOINT s2;\nRELEASE s2;\n"
        }
        Dialect::Postgres => {
            "CREATE TABLE t (id INT, note TEXT);\n\
             CREATE TABLE log (what TEXT);\n\
             /* COMMIT; /* nested */ END; */\n\
             CREATE FUNCTION t_log() RETURNS trigger LANGUAGE plpgsql AS $$\n\
             BEGIN\n  INSERT INTO log VALUES ('commit; end;');\n  RETURN NEW;\nEND;\n$$;\n\
             CREATE TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW EXECUTE FUNCTION t_log();\n\
             CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC\n  SELECT CASE WHEN true THEN 1 END;\nEND;\n\
             DO $do$ BEGIN PERFORM 1; END $do$;\n\
             SAVEPOINT s;\n\
             INSERT INTO t VALUES (1, E'BEGIN; COMMIT; it\\'s END;');\n\
             RELEASE SAVEPOINT s;\n\
             SAVEPOINT s2;\nINSERT INTO t VALUES (2, 'rolled back');\nROLLBACK TO SAVEPOINT s2;\n"
        }
        Dialect::MySql => {
            "CREATE TABLE t (id INT, note TEXT);\n\
             CREATE TABLE log (what TEXT);\n\
             # COMMIT; in a comment\n\
             CREATE TRIGGER t_ai AFTER INSERT ON t FOR EACH ROW\n\
             BEGIN\n  IF NEW.id > 0 THEN\n    INSERT INTO log VALUES ('commit; end;');\n  END IF;\nEND;\n\
             CREATE PROCEDURE p(n INT)\nBEGIN\n  DECLARE i INT DEFAULT 0;\n  \
             WHILE i < n DO\n    SET i = i + 1;\n  END WHILE;\n  \
             CASE n WHEN 0 THEN BEGIN END; ELSE SET i = 0; END CASE;\nEND;\n\
             CALL p(2);\n\
             INSERT INTO t VALUES (1, 'BEGIN; COMMIT; END;');\n"
        }
    }
}

#[tokio::test]
async fn bodies_and_savepoints_are_not_refused_and_apply() {
    each(&Backend::ALL, "txctl_bodies", async |t| {
        let db = &*t.db;
        let dir = tempfile::tempdir().expect("temporary directory");
        write_folder(
            dir.path(),
            &[("0001_bodies/up.sql", bodies(t.backend.dialect()))],
        );
        let runner = MigrationRunner::new(DirectorySource::new(dir.path()));
        let report = runner.run(db).await;
        assert!(report.is_ok(), "{:?}: {report:?}", t.backend);
        assert_eq!(tracked_ids(db).await, ["0001_bodies"]);
        let rows = db
            .query("SELECT COUNT(*) AS n FROM log", &[])
            .await
            .expect("read log");
        assert_eq!(
            rows[0].get_index(0).and_then(switchy_schema::Value::as_i64),
            Some(1),
            "{:?}",
            t.backend
        );
        let rows = db
            .query("SELECT COUNT(*) AS n FROM t", &[])
            .await
            .expect("read t");
        assert_eq!(
            rows[0].get_index(0).and_then(switchy_schema::Value::as_i64),
            Some(1),
            "{:?}",
            t.backend
        );
    })
    .await;
}
