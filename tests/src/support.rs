//! Small helpers the integration tests share: migrations built by hand, and looks at tables.

use switchy_schema::code::CodeMigration;
use switchy_schema::{
    Database, DatabaseError, DatabaseErrorKind, SqlFile, SqlMigration, TextRows, TransactionMode,
    Value,
};

use crate::harness::{Backend, TestDatabase, open};

/// Runs `body` on a fresh database of each of `backends` this machine offers (server
/// backends without their URL are skipped with a notice).
pub async fn each(backends: &[Backend], test: &str, mut body: impl AsyncFnMut(TestDatabase)) {
    for &backend in backends {
        if let Some(database) = open(backend, test).await {
            body(database).await;
        }
    }
}

/// A reversible code migration creating table `table`.
#[must_use]
pub fn create(id: &str, table: &str) -> CodeMigration {
    CodeMigration::new(id, format!("CREATE TABLE {table} (id INTEGER)"))
        .with_down(format!("DROP TABLE {table}"))
}

/// A migration as the directory source builds it: SQL files with paths.
#[must_use]
pub fn sql_migration(
    id: &str,
    up: &str,
    down: Option<&str>,
    mode: TransactionMode,
) -> SqlMigration {
    let file = |name: &str, sql: &str| {
        SqlFile::owned(None, format!("migrations/{id}/{name}"), sql.to_owned())
    };
    SqlMigration {
        id: id.to_owned().into(),
        description: None,
        up: vec![file("up.sql", up)].into(),
        down: down
            .map(|sql| vec![file("down.sql", sql)])
            .unwrap_or_default()
            .into(),
        transaction_mode: mode,
    }
}

/// The number of rows of `table` (-1 when the count cannot be read as an integer).
pub async fn count(db: &dyn Database, table: &str) -> Result<i64, DatabaseError> {
    let rows = db
        .query(&format!("SELECT COUNT(*) AS n FROM {table}"), &[])
        .await?;
    Ok(rows[0].get_index(0).and_then(Value::as_i64).unwrap_or(-1))
}

/// Whether `table` exists (can be counted).
pub async fn exists(db: &dyn Database, table: &str) -> bool {
    count(db, table).await.is_ok()
}

/// Every value of every row of `rows`, row by row (`None` for `NULL`), for comparing
/// with a literal.
#[must_use]
pub fn text_values(rows: &TextRows) -> Vec<Vec<Option<&str>>> {
    rows.iter().map(|row| row.values().collect()).collect()
}

/// `query_once` on a SQLite handle: each value by its storage class as text (numbers as
/// their decimal text, blobs read as UTF-8), `NULL` as `None`; column names even without
/// rows; a blob that is not UTF-8, a second statement and a NUL byte are errors.
///
/// # Panics
/// When one of these does not hold.
pub async fn check_sqlite_query_once(db: &dyn Database) {
    let rows = TextRows::query_once(
        db,
        "SELECT 1.5 AS r, x'6f6b' AS b, -2 AS i, NULL AS n, 'é' AS t",
    )
    .await
    .unwrap();
    assert_eq!(rows.columns(), ["r", "b", "i", "n", "t"]);
    assert_eq!(
        text_values(&rows),
        [[Some("1.5"), Some("ok"), Some("-2"), None, Some("é")]]
    );

    let none = TextRows::query_once(db, "SELECT 1 AS one WHERE 0")
        .await
        .unwrap();
    assert!(none.is_empty());
    assert_eq!(none.columns(), ["one"]);

    let trailing = TextRows::query_once(db, "SELECT 3 AS three; -- a comment after the statement")
        .await
        .unwrap();
    assert_eq!(trailing.row(0).unwrap().get(0), Some("3"));

    let error = TextRows::query_once(db, "SELECT x'ff' AS bad")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DatabaseErrorKind::Decode, "{error}");
    assert!(error.message().contains("`bad`"), "{error}");

    let error = TextRows::query_once(db, "SELECT 1; SELECT 2")
        .await
        .unwrap_err();
    assert!(error.message().contains("statement"), "{error}");

    let error = TextRows::query_once(db, "SELECT 1;\0 SELECT 2")
        .await
        .unwrap_err();
    assert!(error.message().contains("NUL byte at byte 9"), "{error}");
}
