//! Conformance tests of the sqlx drivers: every [`Database`] implementation of
//! `switchy_schema::drivers::sqlx_*` (pool, pinned pool connection, mutex-guarded
//! connection) runs the same suite.
//!
//! SQLite tests always run. PostgreSQL and MySQL/MariaDB tests run when
//! `SWITCHY_TEST_POSTGRES_URL` / `SWITCHY_TEST_MYSQL_URL` are set, each on a database of its
//! own (see [`switchy_schema_tests::servers`]).

use std::time::{Duration, Instant};

use sqlx::mysql::MySqlPoolOptions;
use sqlx::postgres::PgPoolOptions;
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use sqlx::{Connection as _, MySqlConnection, PgConnection, SqliteConnection};
use switchy_schema::{Database, DatabaseErrorKind, Dialect, TextRows, Value};
use switchy_schema_tests::servers::TestDatabase;
use tokio::sync::Mutex;

// ---------------------------------------------------------------------------------------
// The suite
// ---------------------------------------------------------------------------------------

/// Runs every check of the suite on `db`, which must be an empty database.
async fn conformance(db: &dyn Database) {
    exec_raw_runs_several_statements(db).await;
    execute_binds_parameters_and_counts_rows(db).await;
    query_decodes_values(db).await;
    query_once_reads_every_value_as_text(db).await;
    transactions_commit_roll_back_and_drop(db).await;
    nested_transactions_are_refused(db).await;
    errors_carry_kind_code_message_and_position(db).await;
    pinned_handle_runs_on_one_connection(db).await;
}

fn ph(db: &dyn Database, index: usize) -> String {
    db.dialect().placeholder(index)
}

async fn count(db: &dyn Database, table: &str) -> i64 {
    let rows = db
        .query(&format!("SELECT COUNT(*) AS n FROM {table}"), &[])
        .await
        .unwrap();
    rows[0]
        .get("n")
        .and_then(Value::as_i64)
        .expect("COUNT(*) is an integer")
}

async fn exec_raw_runs_several_statements(db: &dyn Database) {
    let create = match db.dialect() {
        Dialect::Sqlite => {
            "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT, score REAL, flag BOOLEAN, data BLOB, n INTEGER);
             CREATE TABLE other (id INTEGER)"
        }
        Dialect::Postgres => {
            "CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT, score DOUBLE PRECISION, flag BOOLEAN, data BYTEA, n INTEGER);
             CREATE TABLE other (id INTEGER)"
        }
        Dialect::MySql => {
            "CREATE TABLE items (id BIGINT PRIMARY KEY, name TEXT, score DOUBLE, flag BOOLEAN, data BLOB, n INT) ENGINE = InnoDB;
             CREATE TABLE other (id INT) ENGINE = InnoDB"
        }
    };
    db.exec_raw(&format!(
        "{create};\nINSERT INTO other (id) VALUES (1);\nINSERT INTO other (id) VALUES (2);"
    ))
    .await
    .unwrap();
    assert_eq!(count(db, "other").await, 2);
    assert_eq!(count(db, "items").await, 0);
}

async fn execute_binds_parameters_and_counts_rows(db: &dyn Database) {
    let insert = format!(
        "INSERT INTO items (id, name, score, flag, data, n) VALUES ({}, {}, {}, {}, {}, {})",
        ph(db, 1),
        ph(db, 2),
        ph(db, 3),
        ph(db, 4),
        ph(db, 5),
        ph(db, 6)
    );
    let one = [
        1.into(),
        "one".into(),
        1.5.into(),
        true.into(),
        vec![0_u8, 1, 255].into(),
        7.into(),
    ];
    assert_eq!(db.execute(&insert, &one).await.unwrap(), 1);
    // NULL into TEXT, REAL, BOOLEAN, BLOB and INTEGER columns.
    let two = [
        2.into(),
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
    ];
    assert_eq!(db.execute(&insert, &two).await.unwrap(), 1);
    let three = [
        3.into(),
        "three".into(),
        3.0.into(),
        false.into(),
        Vec::new().into(),
        9.into(),
    ];
    assert_eq!(db.execute(&insert, &three).await.unwrap(), 1);

    let update = format!(
        "UPDATE items SET n = {} WHERE id >= {}",
        ph(db, 1),
        ph(db, 2)
    );
    assert_eq!(
        db.execute(&update, &[42.into(), 2.into()]).await.unwrap(),
        2
    );

    // The same statement with differently typed parameters.
    let rename = format!(
        "UPDATE items SET name = {} WHERE id = {}",
        ph(db, 1),
        ph(db, 2)
    );
    assert_eq!(
        db.execute(&rename, &["two".into(), 2.into()])
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        db.execute(&rename, &[Value::Null, 2.into()]).await.unwrap(),
        1
    );
    let missing = [Value::Null, 99.into()];
    assert_eq!(db.execute(&rename, &missing).await.unwrap(), 0);
}

async fn query_decodes_values(db: &dyn Database) {
    let sql = format!(
        "SELECT id, name, score, flag, data, n FROM items WHERE id <= {} ORDER BY id",
        ph(db, 1)
    );
    let rows = db.query(&sql, &[2.into()]).await.unwrap();
    assert_eq!(rows.len(), 2);
    assert_eq!(
        rows[0].columns(),
        ["id", "name", "score", "flag", "data", "n"]
    );
    // SQLite has no boolean storage class: a BOOLEAN column holds integers.
    let flag = if db.dialect() == Dialect::Sqlite {
        Value::Int(1)
    } else {
        Value::Bool(true)
    };
    let one = [
        1.into(),
        "one".into(),
        1.5.into(),
        flag,
        vec![0_u8, 1, 255].into(),
        7.into(),
    ];
    assert_eq!(rows[0].values(), one);
    let two = [
        2.into(),
        Value::Null,
        Value::Null,
        Value::Null,
        Value::Null,
        42.into(),
    ];
    assert_eq!(rows[1].values(), two);
    assert!(
        std::ptr::eq(rows[0].columns(), rows[1].columns()),
        "rows of one result share their column names"
    );
    assert_eq!(rows[1].get_str("NAME"), None);
    assert_eq!(rows[0].get_str("NAME"), Some("one"));

    let literals = db
        .query("SELECT 1 AS one, 'x' AS s, NULL AS absent", &[])
        .await
        .unwrap();
    assert_eq!(
        literals[0].values(),
        [Value::Int(1), "x".into(), Value::Null]
    );

    let none = db
        .query("SELECT id FROM items WHERE id < 0", &[])
        .await
        .unwrap();
    assert!(none.is_empty());
}

/// `query_once` gives every value as text in one buffer, `NULL` as `None`, numbers as their
/// decimal text, an empty result as no rows, and errors as errors.
async fn query_once_reads_every_value_as_text(db: &dyn Database) {
    let rows = TextRows::query_once(
        db,
        "SELECT id, name, n FROM items WHERE id <= 2 ORDER BY id",
    )
    .await
    .unwrap();
    assert_eq!(rows.columns(), ["id", "name", "n"]);
    assert_eq!(
        switchy_schema_tests::support::text_values(&rows),
        [
            vec![Some("1"), Some("one"), Some("7")],
            vec![Some("2"), None, Some("42")]
        ]
    );

    let literals = TextRows::query_once(db, "SELECT '' AS empty, 'é' AS accent")
        .await
        .unwrap();
    assert_eq!(
        switchy_schema_tests::support::text_values(&literals),
        [[Some(""), Some("é")]]
    );

    let none = TextRows::query_once(db, "SELECT id FROM items WHERE id < 0")
        .await
        .unwrap();
    assert!(none.is_empty());

    let error = TextRows::query_once(db, "SELECT nope FROM items")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DatabaseErrorKind::Query, "{error}");
}

async fn transactions_commit_roll_back_and_drop(db: &dyn Database) {
    let insert = format!("INSERT INTO other (id) VALUES ({})", ph(db, 1));
    let before = count(db, "other").await;

    let tx = db.begin_transaction().await.unwrap();
    assert_eq!(tx.dialect(), db.dialect());
    assert_eq!(tx.execute(&insert, &[10.into()]).await.unwrap(), 1);
    assert_eq!(
        count(&*tx, "other").await,
        before + 1,
        "a transaction sees its own rows"
    );
    tx.commit().await.unwrap();
    assert_eq!(count(db, "other").await, before + 1, "commit persists");

    let tx = db.begin_transaction().await.unwrap();
    tx.execute(&insert, &[11.into()]).await.unwrap();
    tx.rollback().await.unwrap();
    assert_eq!(count(db, "other").await, before + 1, "rollback discards");

    let tx = db.begin_transaction().await.unwrap();
    tx.exec_raw("INSERT INTO other (id) VALUES (12); INSERT INTO other (id) VALUES (13)")
        .await
        .unwrap();
    assert_eq!(count(&*tx, "other").await, before + 3);
    drop(tx);
    assert_eq!(
        count(db, "other").await,
        before + 1,
        "dropping without commit discards"
    );

    // No transaction was left open: a new one begins, commits and persists.
    let tx = db.begin_transaction().await.unwrap();
    tx.execute(&insert, &[14.into()]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(count(db, "other").await, before + 2);
    db.execute(&insert, &[15.into()]).await.unwrap();
    assert_eq!(count(db, "other").await, before + 3);
}

async fn nested_transactions_are_refused(db: &dyn Database) {
    let before = count(db, "other").await;
    let tx = db.begin_transaction().await.unwrap();
    match tx.begin_transaction().await {
        Err(error) => assert_eq!(error.kind(), DatabaseErrorKind::NestedTransaction),
        Ok(_) => panic!("a transaction began inside a transaction"),
    }
    // A transaction's pinned handle is the transaction itself.
    let pinned = tx.pinned().await.unwrap();
    pinned
        .exec_raw("INSERT INTO other (id) VALUES (20)")
        .await
        .unwrap();
    drop(pinned);
    assert_eq!(count(&*tx, "other").await, before + 1);
    tx.rollback().await.unwrap();
    assert_eq!(count(db, "other").await, before);
}

async fn errors_carry_kind_code_message_and_position(db: &dyn Database) {
    let error = db.execute("SELEC 1", &[]).await.unwrap_err();
    assert_eq!(error.kind(), DatabaseErrorKind::Query, "{error}");
    assert!(!error.message().is_empty());
    assert!(error.driver_error().is_some());
    let syntax_code = match db.dialect() {
        Dialect::Sqlite => "1",
        Dialect::Postgres => "42601",
        Dialect::MySql => "1064",
    };
    assert_eq!(error.code(), Some(syntax_code), "{error}");
    if db.dialect() == Dialect::Postgres {
        assert_eq!(error.position(), Some(1), "{error}");
        assert!(error.to_string().contains("at character 1"), "{error}");
    }

    let error = db.exec_raw("SELECT 1; SELEC 2").await.unwrap_err();
    assert_eq!(error.kind(), DatabaseErrorKind::Query, "{error}");
    assert_eq!(error.code(), Some(syntax_code), "{error}");

    let duplicate = format!("INSERT INTO items (id) VALUES ({})", ph(db, 1));
    let error = db.execute(&duplicate, &[1.into()]).await.unwrap_err();
    let duplicate_code = match db.dialect() {
        Dialect::Sqlite => "1555",
        Dialect::Postgres => "23505",
        Dialect::MySql => "1062",
    };
    assert_eq!(
        (error.kind(), error.code()),
        (DatabaseErrorKind::Query, Some(duplicate_code)),
        "{error}"
    );

    // The connection is still usable after errors.
    assert_eq!(count(db, "items").await, 3);
}

/// SQL giving the id of the connection it runs on.
fn session_id_sql(dialect: Dialect) -> Option<&'static str> {
    match dialect {
        Dialect::Postgres => Some("SELECT pg_backend_pid() AS id"),
        Dialect::MySql => Some("SELECT CONNECTION_ID() AS id"),
        Dialect::Sqlite => None,
    }
}

async fn session_id(db: &dyn Database) -> i64 {
    let sql = session_id_sql(db.dialect()).expect("a server dialect");
    db.query(sql, &[]).await.unwrap()[0]
        .get_index(0)
        .and_then(Value::as_i64)
        .unwrap()
}

async fn pinned_handle_runs_on_one_connection(db: &dyn Database) {
    let pinned = db.pinned().await.unwrap();
    assert_eq!(pinned.dialect(), db.dialect());
    if session_id_sql(db.dialect()).is_some() {
        let id = session_id(&*pinned).await;
        for _ in 0..3 {
            assert_eq!(session_id(&*pinned).await, id);
        }
        let tx = pinned.begin_transaction().await.unwrap();
        assert_eq!(
            session_id(&*tx).await,
            id,
            "a pinned handle's transaction runs on it"
        );
        tx.rollback().await.unwrap();
        assert_eq!(session_id(&*pinned).await, id);
    } else {
        // A temporary table exists only on the connection that created it.
        pinned
            .exec_raw("CREATE TEMP TABLE scratch (x INTEGER); INSERT INTO scratch VALUES (1)")
            .await
            .unwrap();
        for _ in 0..3 {
            assert_eq!(count(&*pinned, "scratch").await, 1);
        }
        let tx = pinned.begin_transaction().await.unwrap();
        assert_eq!(
            count(&*tx, "scratch").await,
            1,
            "a pinned handle's transaction runs on it"
        );
        tx.rollback().await.unwrap();
        pinned.exec_raw("DROP TABLE scratch").await.unwrap();
    }
    drop(pinned);
    assert_eq!(
        count(db, "items").await,
        3,
        "usable after the pinned handle is dropped"
    );
}

/// A pool's pinned connection is closed, not returned to the pool, when dropped.
async fn pinned_pool_connection_is_closed(pool: &dyn Database) {
    let pinned = pool.pinned().await.unwrap();
    let id = session_id(&*pinned).await;
    drop(pinned);
    let alive = match pool.dialect() {
        Dialect::Postgres => "SELECT COUNT(*) AS n FROM pg_stat_activity WHERE pid = $1",
        Dialect::MySql => "SELECT COUNT(*) AS n FROM information_schema.PROCESSLIST WHERE ID = ?",
        Dialect::Sqlite => unreachable!("SQLite pinned connections go back to the pool"),
    };
    let started = Instant::now();
    loop {
        let rows = pool.query(alive, &[id.into()]).await.unwrap();
        if rows[0].get_index(0) == Some(&Value::Int(0)) {
            break;
        }
        assert!(
            started.elapsed() < Duration::from_secs(10),
            "connection {id} still open"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    for _ in 0..5 {
        assert_ne!(
            session_id(pool).await,
            id,
            "the closed connection is not reused"
        );
    }
}

// ---------------------------------------------------------------------------------------
// SQLite
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn sqlite_memory_pool() {
    // One connection: the pinned handle and transactions take the pool's only connection,
    // and the in-memory database must survive them.
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    assert_eq!(pool.dialect(), Dialect::Sqlite);
    conformance(&pool).await;
    sqlite_values_have_their_own_types(&pool).await;
    pool.close().await;
}

#[tokio::test]
async fn sqlite_file_pool() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("pool.db"))
        .create_if_missing(true);
    let pool = SqlitePoolOptions::new()
        .max_connections(3)
        .connect_with(options)
        .await
        .unwrap();
    conformance(&pool).await;
    pool.close().await;
}

#[tokio::test]
async fn sqlite_connection() {
    let conn = Mutex::new(SqliteConnection::connect("sqlite::memory:").await.unwrap());
    conformance(&conn).await;
    sqlite_values_have_their_own_types(&conn).await;
    assert!(!conn.lock().await.is_in_transaction());
}

#[tokio::test]
async fn sqlite_file_connection() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("conn.db"))
        .create_if_missing(true);
    let conn = Mutex::new(SqliteConnection::connect_with(&options).await.unwrap());
    conformance(&conn).await;
}

async fn sqlite_values_have_their_own_types(db: &dyn Database) {
    let rows = db
        .query(
            "SELECT 1 AS i, 1.5 AS r, 'a' AS t, x'00ff' AS b, NULL AS n, TRUE AS yes",
            &[],
        )
        .await
        .unwrap();
    let expected = [
        1.into(),
        1.5.into(),
        "a".into(),
        vec![0_u8, 255].into(),
        Value::Null,
        1.into(),
    ];
    assert_eq!(rows[0].values(), expected);
    // A value keeps its own type whatever the column's declared type.
    db.exec_raw("CREATE TABLE loose (x INTEGER); INSERT INTO loose VALUES ('text'), (2.5), (3)")
        .await
        .unwrap();
    let rows = db
        .query("SELECT x FROM loose ORDER BY rowid", &[])
        .await
        .unwrap();
    let values: Vec<_> = rows.iter().map(|row| row.values()[0].clone()).collect();
    assert_eq!(values, ["text".into(), 2.5.into(), 3.into()]);
    // A bound boolean is stored as an integer.
    let rows = db
        .query(
            "SELECT ? AS b, typeof(?) AS t",
            &[true.into(), false.into()],
        )
        .await
        .unwrap();
    assert_eq!(rows[0].values(), [1.into(), "integer".into()]);
}

/// The SQLite driver runs `exec_raw` on the connection's own handle: statements run in
/// order, rows are read past, an error stops the text and says how many statements
/// completed and why, with SQLite's code and kind, and a NUL byte is refused before
/// anything runs.
async fn sqlite_exec_raw_runs_on_the_handle(db: &dyn Database) {
    db.exec_raw(
        "-- leading comment;\nCREATE TABLE d (x INTEGER);\nINSERT INTO d VALUES (1), (2), (3);\n\
         SELECT x FROM d; /* between */ INSERT INTO d SELECT x + 10 FROM d;\n-- trailing",
    )
    .await
    .unwrap();
    assert_eq!(count(db, "d").await, 6);

    let error = db
        .exec_raw(
            "INSERT INTO d VALUES (7); INSERT INTO d VALUES (8);\n\
             INSERT INTO missing VALUES (1); INSERT INTO d VALUES (9)",
        )
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DatabaseErrorKind::Query, "{error}");
    assert_eq!(error.code(), Some("1"), "{error}");
    assert!(
        error.message().contains("no such table: missing"),
        "{error}"
    );
    assert!(error.driver_error().is_some(), "{error}");
    assert_eq!(error.statements_completed(), Some(2), "{error}");
    // Outside a transaction the two statements before the failure stay; the one after it
    // never ran.
    assert_eq!(count(db, "d").await, 8);

    let error = db
        .exec_raw("INSERT INTO d VALUES (10);\0 DROP TABLE d")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DatabaseErrorKind::Query, "{error}");
    assert!(error.message().contains("NUL byte at byte 26"), "{error}");
    assert_eq!(error.statements_completed(), Some(0), "{error}");
    assert_eq!(count(db, "d").await, 8);
}

#[tokio::test]
async fn sqlite_exec_raw_and_query_once_run_on_the_handle_of_a_pool_and_a_connection() {
    let pool = SqlitePoolOptions::new()
        .max_connections(1)
        .connect("sqlite::memory:")
        .await
        .unwrap();
    sqlite_exec_raw_runs_on_the_handle(&pool).await;
    switchy_schema_tests::support::check_sqlite_query_once(&pool).await;
    pool.close().await;
    let conn = Mutex::new(SqliteConnection::connect("sqlite::memory:").await.unwrap());
    sqlite_exec_raw_runs_on_the_handle(&conn).await;
    switchy_schema_tests::support::check_sqlite_query_once(&conn).await;
    // sqlx's own statements still run on the connection afterwards.
    let mut conn = conn.into_inner();
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM d")
        .fetch_one(&mut conn)
        .await
        .unwrap();
    assert_eq!(n, 8);
}

/// A text that `exec_raw` runs while another connection holds the write lock fails with
/// `Busy` after the busy timeout, and nothing of it ran.
#[tokio::test]
async fn sqlite_exec_raw_is_busy_while_another_connection_writes() {
    let dir = tempfile::tempdir().unwrap();
    let options = SqliteConnectOptions::new()
        .filename(dir.path().join("busy.db"))
        .create_if_missing(true)
        .busy_timeout(Duration::from_millis(100));
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options)
        .await
        .unwrap();
    pool.exec_raw("CREATE TABLE t (x INTEGER)").await.unwrap();
    let writer = pool.begin_transaction().await.unwrap();
    let error = pool
        .exec_raw("INSERT INTO t VALUES (1); INSERT INTO t VALUES (2)")
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DatabaseErrorKind::Busy, "{error}");
    assert_eq!(error.statements_completed(), Some(0), "{error}");
    writer.rollback().await.unwrap();
    assert_eq!(count(&pool, "t").await, 0);
    pool.close().await;
}

/// `BEGIN IMMEDIATE`: a second writer cannot begin while the first transaction is open;
/// it waits up to the busy timeout, then fails with `Busy`.
#[tokio::test]
async fn sqlite_begin_immediate_waits_then_is_busy() {
    let dir = tempfile::tempdir().unwrap();
    let options = |timeout| {
        SqliteConnectOptions::new()
            .filename(dir.path().join("busy.db"))
            .create_if_missing(true)
            .busy_timeout(timeout)
    };
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options(Duration::from_millis(200)))
        .await
        .unwrap();
    pool.exec_raw("CREATE TABLE t (x INTEGER)").await.unwrap();

    // The first transaction has written nothing yet: only BEGIN IMMEDIATE holds the lock.
    let first = pool.begin_transaction().await.unwrap();
    let started = Instant::now();
    let Err(error) = pool.begin_transaction().await else {
        panic!("a second write transaction began while the first was open");
    };
    assert_eq!(error.kind(), DatabaseErrorKind::Busy, "{error}");
    assert_eq!(
        error.code().map(|code| code.parse::<i32>().unwrap() & 0xff),
        Some(5)
    );
    assert!(
        started.elapsed() >= Duration::from_millis(150),
        "it waited for the busy timeout"
    );
    // Readers are not blocked.
    assert_eq!(count(&pool, "t").await, 0);
    first
        .execute("INSERT INTO t VALUES (1)", &[])
        .await
        .unwrap();
    first.commit().await.unwrap();
    pool.close().await;

    // With a longer timeout the second writer waits until the first commits.
    let pool = SqlitePoolOptions::new()
        .max_connections(2)
        .connect_with(options(Duration::from_secs(10)))
        .await
        .unwrap();
    let first = pool.begin_transaction().await.unwrap();
    first
        .execute("INSERT INTO t VALUES (2)", &[])
        .await
        .unwrap();
    let ((second, waited), ()) = tokio::join!(
        async {
            let started = Instant::now();
            (pool.begin_transaction().await, started.elapsed())
        },
        async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            first.commit().await.unwrap();
        }
    );
    let second = second.unwrap();
    assert!(
        waited >= Duration::from_millis(250),
        "the second writer began after {waited:?}"
    );
    assert_eq!(count(&*second, "t").await, 2);
    second.rollback().await.unwrap();
    pool.close().await;
}

// ---------------------------------------------------------------------------------------
// PostgreSQL
// ---------------------------------------------------------------------------------------

#[tokio::test]
async fn postgres_pool() {
    let Some(database) = TestDatabase::from_env(Dialect::Postgres, "postgres_pool").await else {
        return;
    };
    let pool = PgPoolOptions::new()
        .max_connections(3)
        .connect(database.url())
        .await
        .unwrap();
    assert_eq!(pool.dialect(), Dialect::Postgres);
    conformance(&pool).await;
    pinned_pool_connection_is_closed(&pool).await;
    pool.close().await;
}

#[tokio::test]
async fn postgres_connection() {
    let Some(database) = TestDatabase::from_env(Dialect::Postgres, "postgres_connection").await
    else {
        return;
    };
    let conn = Mutex::new(PgConnection::connect(database.url()).await.unwrap());
    conformance(&conn).await;
    assert!(!conn.lock().await.is_in_transaction());
    conn.into_inner().close().await.unwrap();
}

#[tokio::test]
async fn postgres_types() {
    let Some(database) = TestDatabase::from_env(Dialect::Postgres, "postgres_types").await else {
        return;
    };
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(database.url())
        .await
        .unwrap();
    pool.exec_raw(
        "CREATE DOMAIN positive AS INTEGER CHECK (VALUE > 0);
         CREATE TYPE mood AS ENUM ('happy', 'sad');
         SET TIME ZONE 'Europe/Paris';",
    )
    .await
    .unwrap();
    let sql =
        "SELECT 1::int2 AS a, 2::int4 AS b, 3::int8 AS c, 1.25::float4 AS d, 2.5::float8 AS e,
                      12345.678::numeric AS f, (-0.001)::numeric AS g, 0::numeric AS h,
                      'x'::varchar AS i, 'y'::char(2) AS j, 'n'::name AS k,
                      '{\"a\":1}'::json AS l, '{\"a\":1}'::jsonb AS m, '\\x00ff'::bytea AS n,
                      TIMESTAMP '2024-02-29 13:45:07' AS o, TIMESTAMP '2024-02-29 13:45:07.25' AS p,
                      TIMESTAMPTZ '2024-02-29 13:45:07+02' AS q, DATE '1999-12-31' AS r,
                      DATE '0001-01-01' AS s, 'infinity'::timestamp AS t,
                      5::positive AS u, 'happy'::mood AS v, 'pg_class'::regclass::oid AS w,
                      TRUE AS x, 'NaN'::numeric AS y";
    let rows = pool.query(sql, &[]).await.unwrap();
    let values = rows[0].values();
    let expected: [Value; 24] = [
        1.into(),
        2.into(),
        3.into(),
        1.25.into(),
        2.5.into(),
        // NUMERIC is exact text, as through tokio-postgres (tests/pg_decoding.rs).
        "12345.678".into(),
        "-0.001".into(),
        "0".into(),
        "x".into(),
        "y ".into(),
        "n".into(),
        "{\"a\":1}".into(),
        "{\"a\": 1}".into(),
        vec![0_u8, 255].into(),
        "2024-02-29 13:45:07".into(),
        "2024-02-29 13:45:07.25".into(),
        "2024-02-29 11:45:07".into(),
        "1999-12-31".into(),
        "0001-01-01".into(),
        "infinity".into(),
        5.into(),
        "happy".into(),
        1259.into(),
        true.into(),
    ];
    assert_eq!(&values[..24], expected);
    assert_eq!(values[24], "NaN".into());

    pool.close().await;
}

#[tokio::test]
async fn postgres_parameters_and_special_types() {
    let Some(database) = TestDatabase::from_env(Dialect::Postgres, "postgres_parameters").await
    else {
        return;
    };
    let pool = PgPoolOptions::new()
        .max_connections(2)
        .connect(database.url())
        .await
        .unwrap();
    // `VOID` results (advisory locks) read as NULL; information_schema's domains by base type.
    let lock = pool
        .query("SELECT pg_advisory_lock(7) AS locked", &[])
        .await
        .unwrap();
    assert_eq!(lock[0].values(), [Value::Null]);
    let unlock = pool
        .query("SELECT pg_advisory_unlock(7) AS unlocked", &[])
        .await;
    assert!(unlock.is_ok());
    pool.exec_raw("CREATE TABLE t (id INTEGER, label TEXT)")
        .await
        .unwrap();
    let columns = pool
        .query(
            "SELECT column_name, ordinal_position FROM information_schema.columns
             WHERE table_name = $1 ORDER BY ordinal_position",
            &["t".into()],
        )
        .await
        .unwrap();
    assert_eq!(columns[1].values(), ["label".into(), 2.into()]);

    // NULL parameters take the type their use gives them.
    let rows = pool
        .query(
            "SELECT $1::text IS NULL AS a, $2::int8 AS b",
            &[Value::Null, Value::Null],
        )
        .await
        .unwrap();
    assert_eq!(rows[0].values(), [true.into(), Value::Null]);
    assert_eq!(
        pool.execute("INSERT INTO t VALUES ($1, $2)", &[Value::Null, Value::Null])
            .await
            .unwrap(),
        1
    );
    // Statements with parameters get a comment appended: a trailing `;` or line comment
    // stays harmless.
    for sql in ["SELECT $1::int8 AS v;", "SELECT $1::int8 AS v -- the value"] {
        let rows = pool.query(sql, &[1.into()]).await.unwrap();
        assert_eq!(rows[0].values(), [1.into()]);
    }
    // The same SQL with parameters of other types.
    for (param, text) in [
        (Value::Int(5), "5"),
        ("five".into(), "five"),
        (true.into(), "true"),
    ] {
        let rows = pool.query("SELECT $1::text AS v", &[param]).await.unwrap();
        assert_eq!(rows[0].values(), [text.into()]);
    }

    // UUIDs read as text; types without a value (arrays) are decode errors.
    let rows = pool
        .query(
            "SELECT '00000000-0000-0000-0000-00000000000A'::uuid AS id",
            &[],
        )
        .await
        .unwrap();
    assert_eq!(
        rows[0].values(),
        ["00000000-0000-0000-0000-00000000000a".into()]
    );
    let error = pool
        .query("SELECT ARRAY[gen_random_uuid()] AS id", &[])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DatabaseErrorKind::Decode, "{error}");
    assert!(error.message().contains("`id`"), "{error}");
    pool.close().await;
}

// ---------------------------------------------------------------------------------------
// MySQL / MariaDB
// ---------------------------------------------------------------------------------------

/// The pool's `query_once` skips sqlx's liveness ping; when the idle connection it takes
/// was killed by the server, it closes it and reads on a new one.
async fn query_once_survives_a_killed_idle_connection(
    pool: &dyn Database,
    admin: &dyn Database,
    kill: &str,
) {
    let rows = TextRows::query_once(pool, "SELECT 1 AS one").await.unwrap();
    assert_eq!(rows.len(), 1);
    let id = session_id(pool).await;
    // The pool's only connection is idle (sqlx returns it in the background) when another
    // session kills it.
    tokio::time::sleep(Duration::from_millis(100)).await;
    admin
        .exec_raw(&kill.replace("{id}", &id.to_string()))
        .await
        .unwrap();
    tokio::time::sleep(Duration::from_millis(100)).await;
    let rows = TextRows::query_once(pool, "SELECT 2 AS two").await.unwrap();
    assert_eq!(
        rows.row(0).and_then(|row| row.get(0)),
        Some("2"),
        "{rows:?}"
    );
    assert_eq!(rows.columns(), ["two"]);
    assert_ne!(session_id(pool).await, id, "a new connection");
}

#[tokio::test]
async fn postgres_pool_query_once_survives_a_killed_connection() {
    let Some(database) = TestDatabase::from_env(Dialect::Postgres, "pg_query_once_killed").await
    else {
        return;
    };
    let pool = PgPoolOptions::new()
        .max_connections(1)
        .connect(database.url())
        .await
        .unwrap();
    let admin = Mutex::new(PgConnection::connect(database.url()).await.unwrap());
    query_once_survives_a_killed_idle_connection(
        &pool,
        &admin,
        "SELECT pg_terminate_backend({id})",
    )
    .await;
    pool.close().await;
}

#[tokio::test]
async fn mysql_pool_query_once_survives_a_killed_connection() {
    let Some(database) = TestDatabase::from_env(Dialect::MySql, "my_query_once_killed").await
    else {
        return;
    };
    let pool = MySqlPoolOptions::new()
        .max_connections(1)
        .connect(database.url())
        .await
        .unwrap();
    let admin = Mutex::new(MySqlConnection::connect(database.url()).await.unwrap());
    query_once_survives_a_killed_idle_connection(&pool, &admin, "KILL {id}").await;
    pool.close().await;
}

#[tokio::test]
async fn mysql_pool() {
    let Some(database) = TestDatabase::from_env(Dialect::MySql, "mysql_pool").await else {
        return;
    };
    let pool = MySqlPoolOptions::new()
        .max_connections(3)
        .connect(database.url())
        .await
        .unwrap();
    assert_eq!(pool.dialect(), Dialect::MySql);
    conformance(&pool).await;
    pinned_pool_connection_is_closed(&pool).await;
    pool.close().await;
}

#[tokio::test]
async fn mysql_connection() {
    let Some(database) = TestDatabase::from_env(Dialect::MySql, "mysql_connection").await else {
        return;
    };
    let conn = Mutex::new(MySqlConnection::connect(database.url()).await.unwrap());
    conformance(&conn).await;
    assert!(!conn.lock().await.is_in_transaction());
    conn.into_inner().close().await.unwrap();
}

#[tokio::test]
async fn mysql_types() {
    let Some(database) = TestDatabase::from_env(Dialect::MySql, "mysql_types").await else {
        return;
    };
    let pool = MySqlPoolOptions::new()
        .max_connections(2)
        .connect(database.url())
        .await
        .unwrap();
    pool.exec_raw(
        "CREATE TABLE kinds (
             b BOOLEAN, ti TINYINT, si SMALLINT, mi MEDIUMINT, i INT, bi BIGINT,
             ubi BIGINT UNSIGNED, ui INT UNSIGNED, f FLOAT, d DOUBLE, de DECIMAL(10, 3),
             vc VARCHAR(10), vcb VARCHAR(10) COLLATE utf8mb4_bin, ch CHAR(3), tx TEXT,
             vb VARBINARY(4), bl BLOB, dt DATETIME, dtf DATETIME(6), ts TIMESTAMP NULL,
             da DATE, y YEAR, j JSON, e ENUM('a', 'b'), bt BIT(8));
         INSERT INTO kinds VALUES (
             TRUE, -5, -300, -70000, -2000000000, -9000000000000,
             9000000000, 4000000000, 1.5, 2.25, 1234.567,
             'vc', 'Bin', 'ch', 'text',
             X'00FF', X'01', '2024-02-29 13:45:07', '2024-02-29 13:45:07.250000', '2024-02-29 00:00:00',
             '1999-12-31', 2024, '{\"a\":1}', 'b', b'101');",
    )
    .await
    .unwrap();
    let rows = pool.query("SELECT * FROM kinds", &[]).await.unwrap();
    let expected: [Value; 25] = [
        true.into(),
        (-5).into(),
        (-300).into(),
        (-70000).into(),
        (-2_000_000_000).into(),
        Value::Int(-9_000_000_000_000),
        Value::Int(9_000_000_000),
        Value::Int(4_000_000_000),
        1.5.into(),
        2.25.into(),
        1234.567.into(),
        "vc".into(),
        "Bin".into(),
        "ch".into(),
        "text".into(),
        vec![0_u8, 255].into(),
        vec![1_u8].into(),
        "2024-02-29 13:45:07".into(),
        "2024-02-29 13:45:07.25".into(),
        "2024-02-29 00:00:00".into(),
        "1999-12-31".into(),
        2024.into(),
        "{\"a\":1}".into(),
        "b".into(),
        5.into(),
    ];
    assert_eq!(rows[0].values(), expected);

    let rows = pool
        .query("SELECT ? AS a, ? AS b", &[Value::Null, "x".into()])
        .await
        .unwrap();
    assert_eq!(rows[0].values(), [Value::Null, "x".into()]);

    let error = pool
        .query("SELECT CAST(18446744073709551615 AS UNSIGNED) AS big", &[])
        .await
        .unwrap_err();
    assert_eq!(error.kind(), DatabaseErrorKind::Decode, "{error}");
    assert!(error.message().contains("`big`"), "{error}");
    pool.close().await;
}
