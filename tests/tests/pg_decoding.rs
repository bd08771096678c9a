//! The two PostgreSQL drivers decode the same value the same way: one row with a column of
//! each supported type (and one of NULLs), read through `sqlx::PgPool` and
//! `tokio_postgres::Client` from the same database, gives equal `Value`s, and the values
//! are the documented ones (see `runtime/src/drivers/pg_decode.rs`).

use switchy_schema::{Database, DatabaseErrorKind, Row, Value};
use switchy_schema_tests::harness::{Backend, connect, open};

const TABLE: &str = "CREATE DOMAIN positive AS INT4 CHECK (VALUE > 0);
CREATE TYPE mood AS ENUM ('happy', 'sad');
CREATE TABLE every_type (
    id INT4 PRIMARY KEY,
    n_small NUMERIC,
    n_big NUMERIC,
    n_scale NUMERIC(30, 6),
    n_nan NUMERIC,
    u UUID,
    ts TIMESTAMP,
    tstz TIMESTAMPTZ,
    ts_inf TIMESTAMP,
    d DATE,
    d_old DATE,
    t TIME,
    j JSON,
    jb JSONB,
    b BOOL,
    i2 INT2,
    i4 INT4,
    i8 INT8,
    f4 FLOAT4,
    f8 FLOAT8,
    txt TEXT,
    vc VARCHAR(10),
    bp CHAR(4),
    by BYTEA,
    dom positive,
    en mood
);
INSERT INTO every_type VALUES (
    1,
    1.5,
    -123456789012345678901234567890.123456789,
    0.000100,
    'NaN',
    'A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11',
    '2024-01-05 13:55:38.120',
    '2024-01-05 13:55:38.5+02',
    'infinity',
    '2024-02-29',
    '1969-07-20',
    '23:59:59.999999',
    '{\"a\": [1, 2.50]}',
    '{\"b\": 1,   \"a\": [1, 2.50]}',
    true,
    -32768,
    2147483647,
    -9223372036854775808,
    1.1,
    0.1,
    'héllo ''world''',
    'abc',
    'ab',
    '\\x00ff10',
    7,
    'sad'
);
INSERT INTO every_type (id) VALUES (2);";

fn text(value: &str) -> Value {
    Value::Text(value.to_owned())
}

/// The expected first row, column by column.
fn expected_row() -> Vec<(&'static str, Value)> {
    vec![
        ("id", Value::Int(1)),
        ("n_small", text("1.5")),
        ("n_big", text("-123456789012345678901234567890.123456789")),
        ("n_scale", text("0.000100")),
        ("n_nan", text("NaN")),
        ("u", text("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")),
        ("ts", text("2024-01-05 13:55:38.12")),
        ("tstz", text("2024-01-05 11:55:38.5")),
        ("ts_inf", text("infinity")),
        ("d", text("2024-02-29")),
        ("d_old", text("1969-07-20")),
        ("t", text("23:59:59.999999")),
        ("j", text("{\"a\": [1, 2.50]}")),
        ("jb", text("{\"a\": [1, 2.50], \"b\": 1}")),
        ("b", Value::Bool(true)),
        ("i2", Value::Int(-32768)),
        ("i4", Value::Int(2_147_483_647)),
        ("i8", Value::Int(i64::MIN)),
        ("f4", Value::Real(1.1)),
        ("f8", Value::Real(0.1)),
        ("txt", text("héllo 'world'")),
        ("vc", text("abc")),
        ("bp", text("ab  ")),
        ("by", Value::Bytes(vec![0x00, 0xff, 0x10])),
        ("dom", Value::Int(7)),
        ("en", text("sad")),
    ]
}

async fn read(db: &dyn Database, sql: &str) -> Vec<Row> {
    match db.query(sql, &[]).await {
        Ok(rows) => rows,
        Err(error) => panic!("{sql}: {error}"),
    }
}

#[tokio::test]
async fn both_postgres_drivers_read_the_same_row_as_the_same_values() {
    let Some(t) = open(Backend::SqlxPostgres, "pg_decoding_same_row").await else {
        return;
    };
    let sqlx_db = &*t.db;
    sqlx_db.exec_raw(TABLE).await.expect("create the table");
    let tokio_db = connect(Backend::TokioPostgres, &t.location).await;
    // The session time zone must not matter: TIMESTAMPTZ reads as UTC.
    tokio_db
        .exec_raw("SET TIME ZONE 'America/New_York'")
        .await
        .expect("set the time zone");

    let sql = "SELECT * FROM every_type ORDER BY id";
    let through_sqlx = read(sqlx_db, sql).await;
    let through_tokio = read(&*tokio_db, sql).await;
    assert_eq!(through_sqlx.len(), 2);
    assert_eq!(through_sqlx, through_tokio);

    let expected = expected_row();
    let row = &through_sqlx[0];
    assert_eq!(
        row.columns(),
        expected.iter().map(|(name, _)| *name).collect::<Vec<_>>()
    );
    for (name, value) in &expected {
        assert_eq!(row.get(name), Some(value), "column `{name}`");
    }
    // The second row: NULL everywhere but the key, whatever the type.
    let nulls = &through_tokio[1];
    assert_eq!(nulls.get("id"), Some(&Value::Int(2)));
    assert!(nulls.values()[1..].iter().all(Value::is_null), "{nulls:?}");
}

#[tokio::test]
async fn literals_and_edge_values_read_the_same_through_both_drivers() {
    let Some(t) = open(Backend::TokioPostgres, "pg_decoding_literals").await else {
        return;
    };
    let sqlx_db = connect(Backend::SqlxPostgres, &t.location).await;
    let sql = "SELECT '-infinity'::timestamptz AS a, '4713-01-01 BC'::date AS b, \
               '0.0000001'::numeric AS c, 1e30::numeric AS d, '-Infinity'::numeric AS e, \
               'Infinity'::float8 AS f, '-0.5'::float4 AS g, 'x'::\"char\" AS h, \
               'y'::name AS i, '00:00:00'::time AS j, 12::oid AS k, \
               '00000000-0000-0000-0000-000000000000'::uuid AS l, ''::bytea AS m, \
               '[]'::jsonb AS n, NULL::uuid AS o, NULL::numeric AS p";
    let through_tokio = read(&*t.db, sql).await;
    let through_sqlx = read(&*sqlx_db, sql).await;
    assert_eq!(through_tokio, through_sqlx);
    assert_eq!(
        through_tokio[0].values(),
        [
            text("-infinity"),
            text("-4712-01-01"),
            text("0.0000001"),
            text("1000000000000000000000000000000"),
            text("-Infinity"),
            Value::Real(f64::INFINITY),
            Value::Real(-0.5),
            text("x"),
            text("y"),
            text("00:00:00"),
            Value::Int(12),
            text("00000000-0000-0000-0000-000000000000"),
            Value::Bytes(Vec::new()),
            text("[]"),
            Value::Null,
            Value::Null,
        ]
    );
}

#[tokio::test]
async fn unsupported_types_are_the_same_decode_error_through_both_drivers() {
    let Some(t) = open(Backend::SqlxPostgres, "pg_decoding_unsupported").await else {
        return;
    };
    let tokio_db = connect(Backend::TokioPostgres, &t.location).await;
    for sql in [
        "SELECT ARRAY[1, 2]::int4[] AS a",
        "SELECT ARRAY['x']::text[] AS a",
        "SELECT '1 day'::interval AS a",
        "SELECT '12:00+02'::timetz AS a",
    ] {
        for db in [&*t.db, &*tokio_db] {
            let error = db.query(sql, &[]).await.expect_err(sql);
            assert_eq!(error.kind(), DatabaseErrorKind::Decode, "{sql}: {error}");
            assert!(error.message().contains("column `a`"), "{sql}: {error}");
        }
        // Cast to text, they read the same.
        let cast = sql.replace(" AS a", "::text AS a");
        assert_eq!(read(&*t.db, &cast).await, read(&*tokio_db, &cast).await);
    }
}
