//! Conformance tests for the `rusqlite` and `tokio-postgres` drivers.
//!
//! The same checks run against `Mutex<rusqlite::Connection>` and `tokio_postgres::Client`,
//! followed by driver-specific ones. The PostgreSQL tests need `SWITCHY_TEST_POSTGRES_URL`
//! (for example `postgres://postgres@127.0.0.1:5432/test`) and are skipped with a notice
//! without it; each creates and drops its own database.

mod common_pg;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use common_pg::TestDatabase;
use switchy_schema::{Database, DatabaseErrorKind, Dialect, Row, TextRows, Value};

/// Creates the test's PostgreSQL database, or returns from the test when no server is
/// configured.
macro_rules! postgres_or_skip {
    ($test:expr) => {
        match TestDatabase::create($test).await {
            Some(database) => database,
            None => return,
        }
    };
}

// ---------------------------------------------------------------------------------------
// Shared checks
// ---------------------------------------------------------------------------------------

/// Column types per dialect.
struct Types {
    int: &'static str,
    real: &'static str,
    blob: &'static str,
    boolean: &'static str,
}

fn types(db: &dyn Database) -> Types {
    match db.dialect() {
        Dialect::Postgres => Types {
            int: "BIGINT",
            real: "DOUBLE PRECISION",
            blob: "BYTEA",
            boolean: "BOOLEAN",
        },
        _ => Types {
            int: "INTEGER",
            real: "REAL",
            blob: "BLOB",
            boolean: "INTEGER",
        },
    }
}

fn ph(db: &dyn Database, index: usize) -> String {
    db.dialect().placeholder(index)
}

async fn count(db: &dyn Database, table: &str) -> i64 {
    let rows = db
        .query(&format!("SELECT COUNT(*) AS n FROM {table}"), &[])
        .await
        .expect("count");
    rows[0]
        .get("n")
        .and_then(Value::as_i64)
        .expect("an integer count")
}

async fn check_exec_raw_runs_several_statements(db: &dyn Database) {
    db.exec_raw(
        "CREATE TABLE first_t (id INTEGER);\n\
         CREATE TABLE second_t (id INTEGER);\n\
         INSERT INTO first_t VALUES (1);\n\
         INSERT INTO second_t VALUES (2); INSERT INTO second_t VALUES (3);",
    )
    .await
    .expect("exec_raw");
    assert_eq!(count(db, "first_t").await, 1);
    assert_eq!(count(db, "second_t").await, 2);
    // Empty and comment-only texts are fine.
    db.exec_raw("").await.expect("empty text");
    db.exec_raw("-- nothing to do\n")
        .await
        .expect("comment-only text");
}

async fn check_execute_binds_params_and_counts_rows(db: &dyn Database) {
    let t = types(db);
    db.exec_raw(&format!(
        "CREATE TABLE items (id {} PRIMARY KEY, name TEXT NOT NULL, score {})",
        t.int, t.real
    ))
    .await
    .expect("create");
    let insert = format!(
        "INSERT INTO items (id, name, score) VALUES ({}, {}, {})",
        ph(db, 1),
        ph(db, 2),
        ph(db, 3)
    );
    for (id, name, score) in [(1, "one", 1.5), (2, "two", 2.5), (3, "three", 3.5)] {
        let affected = db
            .execute(
                &insert,
                &[Value::Int(id), Value::from(name), Value::Real(score)],
            )
            .await
            .expect("insert");
        assert_eq!(affected, 1);
    }
    let update = format!(
        "UPDATE items SET name = {} WHERE id > {}",
        ph(db, 1),
        ph(db, 2)
    );
    assert_eq!(
        db.execute(&update, &[Value::from("many"), Value::Int(1)])
            .await
            .expect("update"),
        2
    );
    // Statements that change no rows report 0, also right after one that changed rows
    // (SQLite's `changes()` still holds the previous count after DDL).
    assert_eq!(
        db.execute("CREATE TABLE other_items (id INTEGER)", &[])
            .await
            .expect("ddl"),
        0
    );
    assert_eq!(
        db.execute(&update, &[Value::from("none"), Value::Int(99)])
            .await
            .expect("update"),
        0
    );
    let delete = format!("DELETE FROM items WHERE name = {}", ph(db, 1));
    assert_eq!(
        db.execute(&delete, &[Value::from("many")])
            .await
            .expect("delete"),
        2
    );
    assert_eq!(count(db, "items").await, 1);
    // `execute` tolerates statements that return rows.
    db.execute("SELECT id FROM items", &[])
        .await
        .expect("select through execute");
}

#[allow(clippy::too_many_lines)]
async fn check_values_round_trip(db: &dyn Database) {
    let t = types(db);
    db.exec_raw(&format!(
        "CREATE TABLE vals (id {int} PRIMARY KEY, i {int}, r {real}, t TEXT, b {blob}, f {boolean})",
        int = t.int,
        real = t.real,
        blob = t.blob,
        boolean = t.boolean,
    ))
    .await
    .expect("create");
    let insert = format!(
        "INSERT INTO vals (id, i, r, t, b, f) VALUES ({}, {}, {}, {}, {}, {})",
        ph(db, 1),
        ph(db, 2),
        ph(db, 3),
        ph(db, 4),
        ph(db, 5),
        ph(db, 6)
    );
    let text = "héllo; 'quoted' \"text\" 日本";
    let bytes = vec![0u8, 1, 2, 255, 0];
    db.execute(
        &insert,
        &[
            Value::Int(1),
            Value::Int(-9_007_199_254_740_993),
            Value::Real(-0.125),
            Value::from(text),
            Value::Bytes(bytes.clone()),
            Value::Bool(true),
        ],
    )
    .await
    .expect("insert values");
    // NULL binds into every column type.
    db.execute(
        &insert,
        &[
            Value::Int(2),
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
        ],
    )
    .await
    .expect("insert nulls");

    let rows = db
        .query("SELECT id, i, r, t, b, f FROM vals ORDER BY id", &[])
        .await
        .expect("select");
    assert_eq!(rows.len(), 2);
    assert_eq!(rows[0].columns(), ["id", "i", "r", "t", "b", "f"]);
    // One column list per result, shared by its rows.
    assert!(std::ptr::eq(rows[0].columns(), rows[1].columns()));
    let expected_true = if db.dialect() == Dialect::Postgres {
        Value::Bool(true)
    } else {
        Value::Int(1)
    };
    assert_eq!(
        rows[0].values(),
        [
            Value::Int(1),
            Value::Int(-9_007_199_254_740_993),
            Value::Real(-0.125),
            Value::from(text),
            Value::Bytes(bytes),
            expected_true,
        ]
    );
    assert_eq!(
        rows[1].values()[1..],
        [
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null,
            Value::Null
        ]
    );

    // NULL parameters compare as NULL.
    let null_filter = format!(
        "SELECT id FROM vals WHERE t IS NOT DISTINCT FROM {}",
        ph(db, 1)
    );
    let filter_value_sql = if db.dialect() == Dialect::Sqlite {
        "SELECT id FROM vals WHERE t IS ?".to_owned()
    } else {
        null_filter
    };
    let rows = db
        .query(&filter_value_sql, &[Value::Null])
        .await
        .expect("null filter");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get_index(0), Some(&Value::Int(2)));

    // A query without rows gives no rows.
    assert!(
        db.query("SELECT id FROM vals WHERE id < 0", &[])
            .await
            .expect("empty")
            .is_empty()
    );
}

/// `query_once` gives every value as text in one buffer (rusqlite through the trait's
/// default, tokio-postgres through the simple query protocol).
async fn check_query_once_reads_every_value_as_text(db: &dyn Database) {
    let t = types(db);
    db.exec_raw(&format!(
        "CREATE TABLE once_read (id {int} PRIMARY KEY, name TEXT); \
         INSERT INTO once_read VALUES (1, 'one'); INSERT INTO once_read VALUES (2, NULL); \
         INSERT INTO once_read VALUES (3, '')",
        int = t.int
    ))
    .await
    .expect("create");
    let rows = TextRows::query_once(db, "SELECT id, name FROM once_read ORDER BY id")
        .await
        .unwrap();
    assert_eq!(rows.columns(), ["id", "name"]);
    assert_eq!(
        switchy_schema_tests::support::text_values(&rows),
        [
            vec![Some("1"), Some("one")],
            vec![Some("2"), None],
            vec![Some("3"), Some("")]
        ]
    );
    let none = TextRows::query_once(db, "SELECT id FROM once_read WHERE id < 0")
        .await
        .unwrap();
    assert!(none.is_empty());
    assert!(
        TextRows::query_once(db, "SELECT nope FROM once_read")
            .await
            .is_err()
    );
}

async fn check_commit_persists(db: &dyn Database) {
    db.exec_raw("CREATE TABLE tx_commit (id INTEGER)")
        .await
        .expect("create");
    let tx = db.begin_transaction().await.expect("begin");
    assert_eq!(tx.dialect(), db.dialect());
    tx.exec_raw("INSERT INTO tx_commit VALUES (1)")
        .await
        .expect("insert");
    let insert = format!("INSERT INTO tx_commit VALUES ({})", ph(db, 1));
    assert_eq!(
        tx.execute(&insert, &[Value::Int(2)]).await.expect("insert"),
        1
    );
    assert_eq!(
        tx.query("SELECT id FROM tx_commit", &[])
            .await
            .expect("select")
            .len(),
        2
    );
    tx.commit().await.expect("commit");
    assert_eq!(count(db, "tx_commit").await, 2);
}

async fn check_rollback_discards(db: &dyn Database) {
    db.exec_raw("CREATE TABLE tx_rollback (id INTEGER)")
        .await
        .expect("create");
    let tx = db.begin_transaction().await.expect("begin");
    tx.exec_raw("INSERT INTO tx_rollback VALUES (1); CREATE TABLE made_in_tx (id INTEGER)")
        .await
        .expect("insert");
    tx.rollback().await.expect("rollback");
    assert_eq!(count(db, "tx_rollback").await, 0);
    // DDL is transactional on both.
    assert!(db.query("SELECT * FROM made_in_tx", &[]).await.is_err());
}

async fn check_drop_without_commit_discards(db: &dyn Database) {
    db.exec_raw("CREATE TABLE tx_drop (id INTEGER)")
        .await
        .expect("create");
    let tx = db.begin_transaction().await.expect("begin");
    tx.exec_raw("INSERT INTO tx_drop VALUES (1)")
        .await
        .expect("insert");
    drop(tx);
    assert_eq!(count(db, "tx_drop").await, 0);
    // The connection is usable and outside a transaction: a new one can begin.
    db.exec_raw("INSERT INTO tx_drop VALUES (2)")
        .await
        .expect("insert after drop");
    let tx = db.begin_transaction().await.expect("begin after drop");
    tx.rollback().await.expect("rollback");
    assert_eq!(count(db, "tx_drop").await, 1);

    // Also after a failed statement inside the transaction.
    let tx = db.begin_transaction().await.expect("begin");
    tx.exec_raw("INSERT INTO tx_drop VALUES (3)")
        .await
        .expect("insert");
    assert!(
        tx.exec_raw("INSERT INTO no_such_table VALUES (1)")
            .await
            .is_err()
    );
    drop(tx);
    assert_eq!(count(db, "tx_drop").await, 1);
}

async fn check_nested_begin_fails(db: &dyn Database) {
    let tx = db.begin_transaction().await.expect("begin");
    let error = tx
        .begin_transaction()
        .await
        .map(drop)
        .expect_err("nested begin must fail");
    assert_eq!(error.kind(), DatabaseErrorKind::NestedTransaction);
    // The outer transaction is still usable.
    tx.query("SELECT 1", &[])
        .await
        .expect("query after nested begin");
    tx.rollback().await.expect("rollback");
}

/// Checks the kind, code and message of a syntax error; returns it for driver-specific
/// checks.
async fn check_syntax_error(db: &dyn Database) -> switchy_schema::DatabaseError {
    let error = db
        .exec_raw("SELECT 1; SELEC 2")
        .await
        .expect_err("syntax error");
    assert_eq!(error.kind(), DatabaseErrorKind::Query, "{error:?}");
    assert!(error.message().contains("syntax error"), "{error:?}");
    assert!(error.code().is_some(), "{error:?}");
    assert!(error.driver_error().is_some());
    let error_via_query = db.query("SELEC 1", &[]).await.expect_err("syntax error");
    assert_eq!(error_via_query.kind(), DatabaseErrorKind::Query);
    assert!(
        error_via_query.message().contains("syntax error"),
        "{error_via_query:?}"
    );
    error
}

async fn check_unique_violation(db: &dyn Database) -> switchy_schema::DatabaseError {
    db.exec_raw("CREATE TABLE uniq (id INTEGER PRIMARY KEY); INSERT INTO uniq VALUES (1)")
        .await
        .expect("create");
    let insert = format!("INSERT INTO uniq VALUES ({})", ph(db, 1));
    let error = db
        .execute(&insert, &[Value::Int(1)])
        .await
        .expect_err("duplicate key");
    assert_eq!(error.kind(), DatabaseErrorKind::Query);
    error
}

// ---------------------------------------------------------------------------------------
// rusqlite
// ---------------------------------------------------------------------------------------

fn sqlite_memory() -> Mutex<rusqlite::Connection> {
    Mutex::new(rusqlite::Connection::open_in_memory().expect("open in-memory database"))
}

fn is_autocommit(db: &Mutex<rusqlite::Connection>) -> bool {
    db.lock().expect("lock").is_autocommit()
}

#[tokio::test]
async fn rusqlite_dialect_is_sqlite() {
    assert_eq!(sqlite_memory().dialect(), Dialect::Sqlite);
}

#[tokio::test]
async fn rusqlite_exec_raw_runs_several_statements() {
    check_exec_raw_runs_several_statements(&sqlite_memory()).await;
}

/// SQLite would stop reading at a NUL byte and skip the rest: the text is refused whole.
#[tokio::test]
async fn rusqlite_exec_raw_refuses_a_nul_byte() {
    let db = sqlite_memory();
    db.exec_raw("CREATE TABLE t (x INTEGER)").await.unwrap();
    let error = db
        .exec_raw("INSERT INTO t VALUES (1);\0 DROP TABLE t")
        .await
        .unwrap_err();
    assert!(error.message().contains("NUL byte at byte 25"), "{error}");
    assert_eq!(error.statements_completed(), Some(0), "{error}");
    assert_eq!(count(&db, "t").await, 0);
}

#[tokio::test]
async fn rusqlite_execute_binds_params_and_counts_rows() {
    check_execute_binds_params_and_counts_rows(&sqlite_memory()).await;
}

#[tokio::test]
async fn rusqlite_values_round_trip() {
    check_values_round_trip(&sqlite_memory()).await;
}

#[tokio::test]
async fn rusqlite_query_decodes_dynamic_types() {
    let db = sqlite_memory();
    let rows = db
        .query(
            "SELECT 42 AS i, 2.5 AS r, 'text' AS t, x'00ff' AS b, NULL AS n, ? AS p_bool, ? AS p_real",
            &[Value::Bool(false), Value::Real(1e300)],
        )
        .await
        .expect("select");
    assert_eq!(
        rows,
        [Row::new(
            Arc::from(["i", "r", "t", "b", "n", "p_bool", "p_real"].map(str::to_owned)),
            vec![
                Value::Int(42),
                Value::Real(2.5),
                Value::from("text"),
                Value::Bytes(vec![0, 255]),
                Value::Null,
                Value::Int(0),
                Value::Real(1e300),
            ],
        )]
    );
    // Text that is not UTF-8 is a decode error naming the column.
    let error = db
        .query("SELECT CAST(x'ff' AS TEXT) AS bad", &[])
        .await
        .expect_err("decode error");
    assert_eq!(error.kind(), DatabaseErrorKind::Decode);
    assert!(error.message().contains("`bad`"), "{error:?}");
}

#[tokio::test]
async fn rusqlite_query_once_reads_every_value_as_text() {
    check_query_once_reads_every_value_as_text(&sqlite_memory()).await;
    switchy_schema_tests::support::check_sqlite_query_once(&sqlite_memory()).await;
}

#[tokio::test]
async fn rusqlite_commit_persists() {
    check_commit_persists(&sqlite_memory()).await;
}

#[tokio::test]
async fn rusqlite_rollback_discards() {
    check_rollback_discards(&sqlite_memory()).await;
}

#[tokio::test]
async fn rusqlite_drop_without_commit_discards() {
    let db = sqlite_memory();
    check_drop_without_commit_discards(&db).await;
    assert!(is_autocommit(&db));

    let tx = db.begin_transaction().await.expect("begin");
    assert!(!is_autocommit(&db));
    drop(tx);
    assert!(
        is_autocommit(&db),
        "the connection must not stay inside the transaction"
    );
}

#[tokio::test]
async fn rusqlite_nested_begin_fails() {
    let db = sqlite_memory();
    check_nested_begin_fails(&db).await;
    // Beginning on the outer handle while a transaction is open waits for it to end
    // (the transaction owns the connection), then begins.
    let tx = db.begin_transaction().await.expect("begin");
    assert!(
        tokio::time::timeout(Duration::from_millis(50), db.begin_transaction())
            .await
            .is_err(),
        "a second begin must wait for the open transaction"
    );
    let (second, ()) = tokio::join!(db.begin_transaction(), async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        tx.commit().await.expect("commit");
    });
    second
        .expect("begin after commit")
        .rollback()
        .await
        .expect("rollback");
}

#[tokio::test]
async fn rusqlite_outer_handle_waits_for_the_transaction() {
    // The transaction owns the connection: a statement through the outer handle waits for
    // it to end instead of running inside it (and being rolled back with it).
    let db = sqlite_memory();
    db.exec_raw("CREATE TABLE t (id INTEGER)")
        .await
        .expect("create");
    let tx = db.begin_transaction().await.expect("begin");
    tx.exec_raw("INSERT INTO t VALUES (1)")
        .await
        .expect("insert");
    let (written, ()) = tokio::join!(db.exec_raw("INSERT INTO t VALUES (2)"), async {
        tokio::time::sleep(Duration::from_millis(20)).await;
        tx.rollback().await.expect("rollback");
    });
    written.expect("outer insert");
    assert_eq!(
        count(&db, "t").await,
        1,
        "the outer write was kept, the transaction's was not"
    );
}

#[tokio::test]
async fn rusqlite_syntax_error_has_code_message_and_position() {
    let db = sqlite_memory();
    let error = check_syntax_error(&db).await;
    assert_eq!(error.code(), Some("1"), "{error:?}");
    assert_eq!(error.message(), "near \"SELEC\": syntax error", "{error:?}");
    // rusqlite is built with `bundled` here, which reports the offset.
    assert_eq!(error.position(), Some(11), "{error:?}");
    assert!(error.driver_error().unwrap().is::<rusqlite::Error>());

    let error = db
        .exec_raw("CREATE TABLE ü (x);\nSELECT nope FROM ü;")
        .await
        .expect_err("no such column");
    assert_eq!(error.message(), "no such column: nope", "{error:?}");
    assert_eq!(error.position(), Some(28), "{error:?}");
}

#[tokio::test]
async fn rusqlite_constraint_error_has_extended_code() {
    let error = check_unique_violation(&sqlite_memory()).await;
    // SQLITE_CONSTRAINT_PRIMARYKEY
    assert_eq!(error.code(), Some("1555"), "{error:?}");
    assert!(
        error.message().contains("UNIQUE constraint failed"),
        "{error:?}"
    );
}

#[tokio::test]
async fn rusqlite_parameter_count_mismatch_is_an_error() {
    let db = sqlite_memory();
    let error = db
        .query("SELECT ?", &[])
        .await
        .expect_err("missing parameter");
    assert!(error.message().contains("parameters"), "{error:?}");
    assert_eq!(error.kind(), DatabaseErrorKind::Other);
}

#[tokio::test]
async fn rusqlite_empty_statements_are_harmless() {
    let db = sqlite_memory();
    assert_eq!(db.execute("", &[]).await.expect("empty execute"), 0);
    assert_eq!(
        db.execute("-- only a comment", &[])
            .await
            .expect("comment execute"),
        0
    );
    assert!(db.query("", &[]).await.expect("empty query").is_empty());
    assert!(
        db.query("/* nothing */", &[])
            .await
            .expect("comment query")
            .is_empty()
    );
    assert!(db.query(" ; ;", &[]).await.expect("semicolons").is_empty());
    assert_eq!(
        db.execute("/* unterminated", &[])
            .await
            .expect("open comment"),
        0
    );
}

#[tokio::test]
async fn rusqlite_begin_immediate_makes_a_second_writer_busy() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("busy.db");
    let first = Mutex::new(rusqlite::Connection::open(&path).expect("open"));
    let second_connection = rusqlite::Connection::open(&path).expect("open");
    second_connection
        .busy_timeout(Duration::from_millis(50))
        .expect("busy timeout");
    let second = Mutex::new(second_connection);
    first
        .exec_raw("CREATE TABLE t (id INTEGER)")
        .await
        .expect("create");

    let tx = first.begin_transaction().await.expect("first begin");
    let error = second
        .begin_transaction()
        .await
        .map(drop)
        .expect_err("second begin must be busy");
    assert_eq!(error.kind(), DatabaseErrorKind::Busy, "{error:?}");
    assert_eq!(error.code(), Some("5"), "{error:?}");
    // The failed begin left the second connection outside a transaction.
    assert!(is_autocommit(&second));
    // Reads still work while the write lock is held (rollback journal: until commit).
    assert_eq!(count(&second, "t").await, 0);
    tx.exec_raw("INSERT INTO t VALUES (1)")
        .await
        .expect("insert");
    tx.commit().await.expect("commit");

    let tx = second
        .begin_transaction()
        .await
        .expect("second begin after commit");
    tx.exec_raw("INSERT INTO t VALUES (2)")
        .await
        .expect("insert");
    tx.commit().await.expect("commit");
    assert_eq!(count(&first, "t").await, 2);
}

#[tokio::test]
async fn rusqlite_poisoned_mutex_is_recovered() {
    let db = sqlite_memory();
    std::thread::scope(|scope| {
        let poisoner = scope.spawn(|| {
            let _guard = db.lock().expect("lock");
            panic!("poison the mutex (expected panic)");
        });
        assert!(poisoner.join().is_err());
    });
    assert!(db.is_poisoned());
    db.exec_raw("CREATE TABLE t (id INTEGER)")
        .await
        .expect("works after poisoning");
    let tx = db.begin_transaction().await.expect("begin after poisoning");
    tx.commit().await.expect("commit");
}

#[tokio::test]
async fn rusqlite_transaction_can_be_dropped_on_another_thread() {
    let db = sqlite_memory();
    db.exec_raw("CREATE TABLE t (id INTEGER)")
        .await
        .expect("create");
    let tx = db.begin_transaction().await.expect("begin");
    tx.exec_raw("INSERT INTO t VALUES (1)")
        .await
        .expect("insert");
    std::thread::scope(|scope| {
        scope.spawn(move || drop(tx));
    });
    assert!(is_autocommit(&db));
    assert_eq!(count(&db, "t").await, 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rusqlite_works_on_a_multi_threaded_runtime() {
    // The transaction object is `Send` and can be held across `.await`s in a spawned task.
    let db: &'static Mutex<rusqlite::Connection> = Box::leak(Box::new(sqlite_memory()));
    db.exec_raw("CREATE TABLE t (id INTEGER)")
        .await
        .expect("create");
    tokio::spawn(async move {
        let tx = db.begin_transaction().await.expect("begin");
        tx.exec_raw("INSERT INTO t VALUES (1)")
            .await
            .expect("insert");
        tokio::task::yield_now().await;
        tx.exec_raw("INSERT INTO t VALUES (2)")
            .await
            .expect("insert");
        tx.commit().await.expect("commit");
    })
    .await
    .expect("task");
    assert_eq!(count(db, "t").await, 2);
}

// ---------------------------------------------------------------------------------------
// tokio-postgres
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn postgres_dialect_is_postgres() {
    let pg = postgres_or_skip!("postgres_dialect_is_postgres");
    assert_eq!(pg.client.dialect(), Dialect::Postgres);
}

#[tokio::test]
async fn postgres_exec_raw_runs_several_statements() {
    let pg = postgres_or_skip!("postgres_exec_raw_runs_several_statements");
    check_exec_raw_runs_several_statements(&pg.client).await;
}

#[tokio::test]
async fn postgres_execute_binds_params_and_counts_rows() {
    let pg = postgres_or_skip!("postgres_execute_binds_params_and_counts_rows");
    check_execute_binds_params_and_counts_rows(&pg.client).await;
}

#[tokio::test]
async fn postgres_query_once_reads_every_value_as_text() {
    let pg = postgres_or_skip!("postgres_query_once_reads_every_value_as_text");
    check_query_once_reads_every_value_as_text(&pg.client).await;
    let db: &dyn Database = &pg.client;
    // Integers and text come from the binary rows of one extended-protocol round trip...
    let numbers = TextRows::query_once(
        db,
        "SELECT (-5)::int2 AS a, 7::int8 AS b, 42::oid AS c, 'x'::varchar AS d",
    )
    .await
    .unwrap();
    assert_eq!(
        switchy_schema_tests::support::text_values(&numbers),
        [[Some("-5"), Some("7"), Some("42"), Some("x")]]
    );
    // ...any other type is written as text by the server (the simple query protocol).
    let others = TextRows::query_once(
        db,
        "SELECT true AS flag, 1.5::float8 AS r, DATE '2024-01-02' AS d, NULL::bool AS n",
    )
    .await
    .unwrap();
    assert_eq!(others.columns(), ["flag", "r", "d", "n"]);
    assert_eq!(
        switchy_schema_tests::support::text_values(&others),
        [[Some("t"), Some("1.5"), Some("2024-01-02"), None]]
    );
}

#[tokio::test]
async fn postgres_values_round_trip() {
    let pg = postgres_or_skip!("postgres_values_round_trip");
    check_values_round_trip(&pg.client).await;
}

#[tokio::test]
async fn postgres_query_decodes_each_type() {
    let pg = postgres_or_skip!("postgres_query_decodes_each_type");
    let db: &dyn Database = &pg.client;
    db.exec_raw("CREATE TYPE mood AS ENUM ('happy', 'sad')")
        .await
        .expect("enum");
    let rows = db
        .query(
            "SELECT 1::int2 AS a, 2::int4 AS b, 3::int8 AS c, 1.5::float4 AS d, 2.25::float8 AS e, \
                    'x'::text AS f, 'y'::varchar AS g, 'z'::char(3) AS h, 'n'::name AS i, true AS j, \
                    '\\x00ff'::bytea AS k, NULL::text AS l, 42::oid AS m, 'c'::\"char\" AS n, \
                    'happy'::mood AS o, '{\"a\": 1}'::jsonb AS p, '[1, 2]'::json AS q, \
                    'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS r, \
                    -12.340::numeric AS s, 0.000012::numeric AS t, 12345678.9::numeric AS u, \
                    'NaN'::numeric AS v, 100000000000000000000::numeric AS w, 0::numeric AS x",
            &[],
        )
        .await
        .expect("select");
    assert_eq!(
        rows[0].values(),
        [
            Value::Int(1),
            Value::Int(2),
            Value::Int(3),
            Value::Real(1.5),
            Value::Real(2.25),
            Value::from("x"),
            Value::from("y"),
            Value::from("z  "),
            Value::from("n"),
            Value::Bool(true),
            Value::Bytes(vec![0, 255]),
            Value::Null,
            Value::Int(42),
            Value::from("c"),
            Value::from("happy"),
            Value::from("{\"a\": 1}"),
            Value::from("[1, 2]"),
            Value::from("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            Value::from("-12.340"),
            Value::from("0.000012"),
            Value::from("12345678.9"),
            Value::from("NaN"),
            Value::from("100000000000000000000"),
            Value::from("0"),
        ]
    );
    // Each numeric prints exactly as PostgreSQL's own text output.
    let rows = db
        .query(
            "SELECT v, v::text AS t FROM (VALUES (0.0::numeric), (-0.5), (1e-20), (123456789012345678901234567890.123456789), \
                    (10000), (9999.9999), ('Infinity'), ('-Infinity')) AS x(v)",
            &[],
        )
        .await
        .expect("numerics");
    for row in &rows {
        assert_eq!(
            row.get("v").and_then(Value::as_str),
            row.get_str("t"),
            "{row:?}"
        );
    }

    // Unsupported types are decode errors naming the column and the type.
    let error = db
        .query("SELECT '1 day'::interval AS started", &[])
        .await
        .expect_err("decode error");
    assert_eq!(error.kind(), DatabaseErrorKind::Decode);
    assert!(error.message().contains("`started`"), "{error:?}");
    assert!(error.message().contains("interval"), "{error:?}");
    // ... which a cast in SQL avoids.
    let rows = db
        .query("SELECT '1 day'::interval::text AS started", &[])
        .await
        .expect("cast");
    assert!(rows[0].get_str("started").is_some());
}

#[tokio::test]
#[allow(clippy::too_many_lines)]
async fn postgres_params_bind_to_inferred_types() {
    let pg = postgres_or_skip!("postgres_params_bind_to_inferred_types");
    let db: &dyn Database = &pg.client;
    db.exec_raw(
        "CREATE TABLE typed (id INT4 PRIMARY KEY, small INT2, big INT8, flag BOOL, real8 FLOAT8, \
         real4 FLOAT4, txt TEXT, vc VARCHAR(20), data BYTEA, at TIMESTAMP, amount NUMERIC(10, 2), \
         doc JSONB, key UUID)",
    )
    .await
    .expect("create");
    let insert =
        "INSERT INTO typed VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)";
    let affected = db
        .execute(
            insert,
            &[
                Value::Int(1),
                Value::Int(-7),
                Value::Int(i64::MAX),
                Value::Bool(false),
                Value::Real(0.1),
                Value::Real(0.1),
                Value::from("text"),
                Value::from("varchar"),
                Value::Bytes(vec![1, 2, 3]),
                Value::from("2024-01-05 13:55:38"),
                Value::Real(12.5),
                Value::from("{\"k\": [1, 2]}"),
                Value::from("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
            ],
        )
        .await
        .expect("insert");
    assert_eq!(affected, 1);
    let nulls: Vec<Value> = std::iter::once(Value::Int(2))
        .chain(std::iter::repeat_n(Value::Null, 12))
        .collect();
    db.execute(insert, &nulls).await.expect("insert nulls");

    let rows = db
        .query(
            "SELECT id, small, big, flag, real8, real4, txt, vc, data, at::text AS at, amount, doc, key \
             FROM typed WHERE id = $1",
            &[Value::Int(1)],
        )
        .await
        .expect("select");
    assert_eq!(
        rows[0].values(),
        [
            Value::Int(1),
            Value::Int(-7),
            Value::Int(i64::MAX),
            Value::Bool(false),
            Value::Real(0.1),
            // FLOAT4 reads as the shortest decimal of the `f32`, as PostgreSQL prints it.
            Value::Real(0.1),
            Value::from("text"),
            Value::from("varchar"),
            Value::Bytes(vec![1, 2, 3]),
            Value::from("2024-01-05 13:55:38"),
            Value::from("12.50"),
            Value::from("{\"k\": [1, 2]}"),
            Value::from("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"),
        ]
    );
    let rows = db
        .query("SELECT * FROM typed WHERE id = 2", &[])
        .await
        .expect("select nulls");
    assert!(rows[0].values()[1..].iter().all(Value::is_null), "{rows:?}");

    // Parameters in expressions, comparisons and untyped positions.
    let rows = db
        .query(
            "SELECT $1 + 1 AS sum, $2 AS untyped, $3::int8 * 2 AS doubled, $4 = 'x' AS same",
            &[
                Value::Int(41),
                Value::from("as text"),
                Value::Int(21),
                Value::from("x"),
            ],
        )
        .await
        .expect("expressions");
    assert_eq!(
        rows[0].values(),
        [
            Value::Int(42),
            Value::from("as text"),
            Value::Int(42),
            Value::Bool(true)
        ]
    );

    // An out-of-range integer is the server's error, not a client-side panic.
    let error = db
        .execute(
            "UPDATE typed SET small = $1 WHERE id = 1",
            &[Value::Int(70_000)],
        )
        .await
        .expect_err("out of range");
    assert_eq!(error.code(), Some("22003"), "{error:?}");
    // Bytes only bind to bytea.
    let error = db
        .query("SELECT $1::text AS t", &[Value::Bytes(vec![1])])
        .await
        .expect_err("bytes into text");
    assert!(error.message().contains("bytea"), "{error:?}");
    assert_eq!(error.kind(), DatabaseErrorKind::Other);
    // A wrong parameter count is an error: the server's, since the statement is sent in
    // one round trip, and the session goes on.
    let error = db
        .query("SELECT $1::int4", &[])
        .await
        .expect_err("missing parameter");
    assert!(error.message().contains("parameters"), "{error:?}");
    assert_eq!(error.kind(), DatabaseErrorKind::Query, "{error:?}");
    let rows = db
        .query("SELECT 1::int4 AS one", &[])
        .await
        .expect("still usable");
    assert_eq!(rows[0].values(), [Value::Int(1)]);
}

#[tokio::test]
async fn postgres_commit_persists() {
    let pg = postgres_or_skip!("postgres_commit_persists");
    check_commit_persists(&pg.client).await;
    let other = pg.connect_another().await;
    assert_eq!(count(&other, "tx_commit").await, 2);
}

#[tokio::test]
async fn postgres_rollback_discards() {
    let pg = postgres_or_skip!("postgres_rollback_discards");
    check_rollback_discards(&pg.client).await;
}

#[tokio::test]
async fn postgres_drop_without_commit_discards() {
    let pg = postgres_or_skip!("postgres_drop_without_commit_discards");
    check_drop_without_commit_discards(&pg.client).await;

    // After the drop, statements on the client are outside any transaction: what they
    // write is visible to another connection at once.
    let db: &dyn Database = &pg.client;
    let other = pg.connect_another().await;
    db.exec_raw("CREATE TABLE visible (id INTEGER)")
        .await
        .expect("create");
    let tx = db.begin_transaction().await.expect("begin");
    tx.exec_raw("INSERT INTO visible VALUES (1)")
        .await
        .expect("insert");
    drop(tx);
    db.exec_raw("INSERT INTO visible VALUES (2)")
        .await
        .expect("insert after drop");
    let rows = other
        .query("SELECT id FROM visible", &[])
        .await
        .expect("select");
    assert_eq!(rows.len(), 1);
    assert_eq!(rows[0].get::<_, i32>(0), 2);
    // The backend is idle, not idle in transaction.
    let rows = other
        .query(
            "SELECT state FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
            &[],
        )
        .await
        .expect("activity");
    let states: Vec<String> = rows.iter().map(|row| row.get(0)).collect();
    assert!(states.iter().all(|state| state == "idle"), "{states:?}");

    // Every later response still reaches its own request.
    for n in 0..20i64 {
        let rows = db
            .query("SELECT $1::int8 AS n", &[Value::Int(n)])
            .await
            .expect("select");
        assert_eq!(rows[0].get("n"), Some(&Value::Int(n)));
    }
}

#[tokio::test]
async fn postgres_transaction_dropped_outside_any_runtime_rolls_back() {
    let pg = postgres_or_skip!("postgres_transaction_dropped_outside_any_runtime_rolls_back");
    let db: &dyn Database = &pg.client;
    db.exec_raw("CREATE TABLE t (id INTEGER)")
        .await
        .expect("create");
    let tx = db.begin_transaction().await.expect("begin");
    tx.exec_raw("INSERT INTO t VALUES (1)")
        .await
        .expect("insert");
    // A plain thread has no tokio context: one poll with a no-op waker must be enough.
    std::thread::scope(|scope| {
        scope.spawn(move || drop(tx));
    });
    db.exec_raw("INSERT INTO t VALUES (2)")
        .await
        .expect("insert after drop");
    let other = pg.connect_another().await;
    assert_eq!(count(&other, "t").await, 1);
}

#[tokio::test]
async fn postgres_nested_begin_fails() {
    let pg = postgres_or_skip!("postgres_nested_begin_fails");
    check_nested_begin_fails(&pg.client).await;
}

#[tokio::test]
async fn postgres_syntax_error_has_code_message_and_position() {
    let pg = postgres_or_skip!("postgres_syntax_error_has_code_message_and_position");
    let db: &dyn Database = &pg.client;
    let error = check_syntax_error(db).await;
    assert_eq!(error.code(), Some("42601"), "{error:?}");
    assert_eq!(
        error.message(),
        "syntax error at or near \"SELEC\"",
        "{error:?}"
    );
    assert_eq!(error.position(), Some(11), "{error:?}");
    assert!(error.driver_error().unwrap().is::<tokio_postgres::Error>());

    // Positions count characters, through the extended protocol too.
    let error = db
        .query("SELECT 'é' AS x FROM nope WHERE id = $1", &[Value::Int(1)])
        .await
        .expect_err("undefined table");
    assert_eq!(error.code(), Some("42P01"), "{error:?}");
    assert_eq!(error.position(), Some(22), "{error:?}");
}

#[tokio::test]
async fn postgres_constraint_error_has_sqlstate_and_detail() {
    let pg = postgres_or_skip!("postgres_constraint_error_has_sqlstate_and_detail");
    let error = check_unique_violation(&pg.client).await;
    assert_eq!(error.code(), Some("23505"), "{error:?}");
    assert!(
        error
            .message()
            .starts_with("duplicate key value violates unique constraint"),
        "{error:?}"
    );
    assert!(
        error.message().contains("Key (id)=(1) already exists"),
        "{error:?}"
    );
}

#[tokio::test]
async fn postgres_closed_connection_is_a_connection_error() {
    let pg = postgres_or_skip!("postgres_closed_connection_is_a_connection_error");
    let victim = pg.connect_another().await;
    let db: &dyn Database = &victim;
    let rows = db
        .query("SELECT pg_backend_pid() AS pid", &[])
        .await
        .expect("pid");
    let pid = rows[0].get("pid").and_then(Value::as_i64).expect("pid");
    let killed = pg
        .client
        .query_one(
            "SELECT pg_terminate_backend($1)",
            &[&i32::try_from(pid).expect("pid fits")],
        )
        .await
        .expect("terminate");
    assert!(killed.get::<_, bool>(0));
    // The backend exits asynchronously: wait for the first failure. The server's FATAL
    // message (57P01) may arrive as that answer; after it, the connection is closed.
    let mut first = None;
    for _ in 0..250 {
        if let Err(error) = db.query("SELECT 1", &[]).await {
            first = Some(error);
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let first = first.expect("the terminated connection must fail");
    assert_eq!(first.kind(), DatabaseErrorKind::Connection, "{first:?}");
    let second = db
        .query("SELECT 1", &[])
        .await
        .expect_err("closed connection");
    assert_eq!(second.kind(), DatabaseErrorKind::Connection, "{second:?}");
    assert!(second.message().contains("closed"), "{second:?}");
}

#[tokio::test]
async fn postgres_client_during_transaction_runs_inside_it() {
    // Documented behaviour: the client and its transaction object share one session.
    let pg = postgres_or_skip!("postgres_client_during_transaction_runs_inside_it");
    let db: &dyn Database = &pg.client;
    db.exec_raw("CREATE TABLE t (id INTEGER)")
        .await
        .expect("create");
    let tx = db.begin_transaction().await.expect("begin");
    tx.exec_raw("INSERT INTO t VALUES (1)")
        .await
        .expect("insert");
    assert_eq!(count(db, "t").await, 1);
    tx.rollback().await.expect("rollback");
    assert_eq!(count(db, "t").await, 0);
}

#[tokio::test]
async fn postgres_non_transactional_statements_run_one_by_one() {
    // `CREATE INDEX CONCURRENTLY` refuses a multi-statement simple query: each statement
    // must be sent on its own, outside a transaction.
    let pg = postgres_or_skip!("postgres_non_transactional_statements_run_one_by_one");
    let db: &dyn Database = &pg.client;
    db.exec_raw("CREATE TABLE users (id INT, email TEXT, name TEXT)")
        .await
        .expect("create");
    let error = db
        .exec_raw("CREATE INDEX CONCURRENTLY a ON users (email); CREATE INDEX CONCURRENTLY b ON users (name);")
        .await
        .expect_err("concurrent index in a batch");
    assert_eq!(error.code(), Some("25001"), "{error:?}");
    for statement in [
        "CREATE INDEX CONCURRENTLY a ON users (email)",
        "CREATE INDEX CONCURRENTLY b ON users (name)",
    ] {
        db.exec_raw(statement).await.expect("one statement");
    }
}
