//! A migration with a large `up.sql` (20,000 statements): applied and rolled back
//! completely on every backend, atomic on a failure near its end, and the failure counts the
//! statements that completed before it (drivers may send such a text in pieces).

use std::fmt::Write as _;

use switchy_schema::code::CodeSource;
use switchy_schema::{
    Database, MigrationRunner, RollbackStrategy, SqlFile, SqlMigration, TransactionMode,
};
use switchy_schema_tests::harness::{Backend, open};

const STATEMENTS: usize = 20_000;

fn sql_migration(id: &str, up: String, down: Option<&str>) -> SqlMigration {
    let file =
        |name: &str, sql: String| SqlFile::owned(None, format!("migrations/{id}/{name}"), sql);
    SqlMigration {
        id: id.to_owned().into(),
        description: None,
        up: vec![file("up.sql", up)].into(),
        down: down
            .map(|sql| vec![file("down.sql", sql.to_owned())])
            .unwrap_or_default()
            .into(),
        transaction_mode: TransactionMode::Transactional,
    }
}

/// `count` inserts into `big`, with a comment holding a `;` and a quoted `;` on the way;
/// the statement at `failing` (0-based), if any, inserts into a missing table.
fn inserts(count: usize, failing: Option<usize>) -> String {
    let mut text = String::from("-- a large migration; with a comment\n");
    for n in 0..count {
        let table = if Some(n) == failing {
            "missing_table"
        } else {
            "big"
        };
        writeln!(
            text,
            "INSERT INTO {table} (id, name) VALUES ({n}, 'row {n}; padded to look like data');"
        )
        .expect("write to a String");
    }
    text
}

async fn rows(db: &dyn Database) -> Option<i64> {
    let rows = db.query("SELECT COUNT(*) AS n FROM big", &[]).await.ok()?;
    rows[0].get_index(0).and_then(switchy_schema::Value::as_i64)
}

#[tokio::test]
async fn a_large_migration_applies_and_rolls_back_completely() {
    for backend in Backend::ALL {
        let Some(t) = open(backend, "large_apply").await else {
            continue;
        };
        let db = &*t.db;
        let up = format!(
            "CREATE TABLE big (id INTEGER PRIMARY KEY, name VARCHAR(100));\n{}",
            inserts(STATEMENTS - 1, None)
        );
        let runner = MigrationRunner::new(CodeSource::new().with(sql_migration(
            "0001_big",
            up,
            Some("DROP TABLE big"),
        )));
        let report = runner.run(db).await.unwrap();
        assert_eq!(report.applied.len(), 1, "{backend:?}");
        assert_eq!(
            rows(db).await,
            Some(i64::try_from(STATEMENTS - 1).unwrap()),
            "{backend:?}"
        );
        runner.rollback(db, RollbackStrategy::All).await.unwrap();
        assert_eq!(rows(db).await, None, "{backend:?}: the table is dropped");
    }
}

#[tokio::test]
async fn a_failure_near_the_end_of_a_large_migration_leaves_nothing() {
    for backend in Backend::ALL {
        let Some(t) = open(backend, "large_fail").await else {
            continue;
        };
        let db = &*t.db;
        let create = sql_migration(
            "0001_create",
            "CREATE TABLE big (id INTEGER PRIMARY KEY, name VARCHAR(100))".to_owned(),
            None,
        );
        let failing = STATEMENTS - 10;
        let fill = sql_migration("0002_fill", inserts(STATEMENTS, Some(failing)), None);
        let error = MigrationRunner::new(CodeSource::new().with(create).with(fill))
            .run(db)
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("0002_fill"),
            "{backend:?}: {error}"
        );
        assert_eq!(
            rows(db).await,
            Some(0),
            "{backend:?}: every insert rolled back"
        );

        // The driver reports how many statements completed before the failing one.
        let tx = db.begin_transaction().await.unwrap();
        let error = tx
            .exec_raw(&inserts(STATEMENTS, Some(failing)))
            .await
            .unwrap_err();
        // tokio-postgres's `batch_execute` does not tell (a documented `None`).
        let expected = (backend != Backend::TokioPostgres).then_some(failing);
        assert_eq!(error.statements_completed(), expected, "{backend:?}");
        // Rolled back explicitly: a dropped sqlx transaction is rolled back only when its
        // connection is next used, and until then MariaDB keeps the metadata lock that the
        // test database's DROP DATABASE waits for.
        tx.rollback().await.unwrap();
        assert_eq!(rows(db).await, Some(0), "{backend:?}");
    }
}
