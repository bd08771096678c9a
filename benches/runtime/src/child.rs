//! The child side: one measurement per process (floor, switchy_schema, sqlx migrate).
//! The refinery and diesel children live in the peers binary (`peers/`).

use std::ffi::{CStr, CString};
use std::path::Path;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection as _};
use switchy_schema::Database;

use crate::counting::Counting;
use crate::{Driver, Engine, Figure, SQLX_APPLY, SQLX_BIG, TRACKING, runtime};

pub(crate) fn sqlite_url(path: &str) -> String {
    format!("sqlite://{path}?mode=rwc")
}

/// The migrations' SQL in id order, read from the generated folder (not timed; the
/// switchy side has it embedded).
fn texts(figure: Figure) -> Vec<String> {
    generated(figure).into_iter().map(|(_, sql)| sql).collect()
}

/// Each migration of the figure's generated folder in id order: its id (the folder name)
/// and its `up.sql`.
pub(crate) fn generated(figure: Figure) -> Vec<(String, String)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("generated")
        .join(if figure == Figure::Big {
            "big"
        } else {
            "apply"
        });
    let mut ids: Vec<String> = std::fs::read_dir(&dir)
        .expect("generated folder")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    ids.sort();
    ids.into_iter()
        .map(|id| {
            let sql = std::fs::read_to_string(dir.join(&id).join("up.sql")).unwrap();
            (id, sql)
        })
        .collect()
}

pub(crate) fn report(elapsed: Duration, queries: usize) {
    println!("elapsed_ns={} queries={queries}", elapsed.as_nanos());
}

pub(crate) fn child(figure: &str, driver: &str, kind: &str, target: &str) {
    let figure = Figure::parse(figure);
    let driver = Driver::parse(driver);
    let rt = runtime();
    match kind {
        "floor" if figure.is_noop() => {
            rt.block_on(floor_noop(driver, target, figure.migrations().len()))
        }
        "floor" if figure == Figure::Big && driver.engine() == Engine::Sqlite => {
            sqlite_floor_big(&rt, driver, target, &texts(figure)[0]);
        }
        "floor" => {
            let texts = texts(figure);
            rt.block_on(floor_apply(driver, target, &texts));
        }
        "floor-tracked" => rt.block_on(crate::tracked_floor::apply(driver, target)),
        "switchy" | "prepare" => {
            rt.block_on(switchy(
                driver,
                target,
                figure.migrations(),
                kind == "switchy",
                figure,
            ));
        }
        "sqlx-migrate" | "prepare-sqlx" => {
            let migrator = if figure == Figure::Big {
                &SQLX_BIG
            } else {
                &SQLX_APPLY
            };
            rt.block_on(sqlx_migrate(
                driver,
                target,
                migrator,
                kind == "sqlx-migrate",
            ));
        }
        other => panic!("kind {other}"),
    }
}

/// `sqlite3_exec` of a NUL-terminated text on a raw SQLite handle.
///
/// # Safety
/// `db` is an open connection that nothing else uses during the call.
unsafe fn sqlite_exec(db: *mut rusqlite::ffi::sqlite3, sql: &CStr) {
    // SAFETY: the caller's contract; no callback, no error-message out-pointer.
    let rc = unsafe {
        rusqlite::ffi::sqlite3_exec(
            db,
            sql.as_ptr(),
            None,
            std::ptr::null_mut(),
            std::ptr::null_mut(),
        )
    };
    assert_eq!(rc, rusqlite::ffi::SQLITE_OK, "sqlite3_exec");
}

/// The SQLite floor of the 10 MB `up.sql`: `BEGIN`, the text, `COMMIT` through
/// `sqlite3_exec` on the driver's own handle, with the text NUL-terminated (made before the
/// clock starts). `execute_batch` / `raw_sql` hand SQLite a `&str` with a length, and
/// SQLite then copies the rest of the text for every statement: quadratic, 15–30 s here
/// instead of a fraction of a second, which is no floor.
fn sqlite_floor_big(rt: &tokio::runtime::Runtime, driver: Driver, target: &str, sql: &str) {
    let text = CString::new(sql).expect("no NUL in the migration");
    let (begin, commit) = (c"BEGIN", c"COMMIT");
    let started;
    match driver {
        Driver::Rusqlite => {
            let conn = rusqlite::Connection::open(target).unwrap();
            // SAFETY: `conn` is open and used by this thread only.
            let db = unsafe { conn.handle() };
            started = Instant::now();
            for sql in [begin, text.as_c_str(), commit] {
                // SAFETY: as above.
                unsafe { sqlite_exec(db, sql) };
            }
        }
        Driver::SqlxSqlite => {
            let mut conn = rt
                .block_on(sqlx::SqliteConnection::connect(&sqlite_url(target)))
                .unwrap();
            let mut handle = rt.block_on(conn.lock_handle()).unwrap();
            let db = handle.as_raw_handle().as_ptr();
            started = Instant::now();
            for sql in [begin, text.as_c_str(), commit] {
                // SAFETY: the handle is locked for this thread until `handle` drops.
                unsafe { sqlite_exec(db, sql) };
            }
        }
        other => panic!("{other:?} is not a SQLite driver"),
    }
    report(started.elapsed(), 3);
}

/// Each migration in its own `BEGIN` ... `COMMIT`, directly on the driver, on one
/// connection opened before the clock starts.
async fn floor_apply(driver: Driver, target: &str, texts: &[String]) {
    let started;
    match driver {
        Driver::Rusqlite => {
            let conn = rusqlite::Connection::open(target).unwrap();
            started = Instant::now();
            for sql in texts {
                conn.execute_batch("BEGIN").unwrap();
                conn.execute_batch(sql).unwrap();
                conn.execute_batch("COMMIT").unwrap();
            }
        }
        Driver::SqlxSqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&sqlite_url(target))
                .await
                .unwrap();
            started = Instant::now();
            sqlx_apply(&mut conn, texts).await;
        }
        Driver::SqlxPostgres => {
            let mut conn = sqlx::PgConnection::connect(target).await.unwrap();
            started = Instant::now();
            sqlx_apply(&mut conn, texts).await;
        }
        Driver::SqlxMysql => {
            let mut conn = sqlx::MySqlConnection::connect(target).await.unwrap();
            started = Instant::now();
            sqlx_apply(&mut conn, texts).await;
        }
        Driver::TokioPostgres => {
            let client = tokio_postgres_client(target).await;
            started = Instant::now();
            for sql in texts {
                client.batch_execute("BEGIN").await.unwrap();
                client.batch_execute(sql).await.unwrap();
                client.batch_execute("COMMIT").await.unwrap();
            }
        }
    }
    report(started.elapsed(), texts.len() * 3);
}

/// The sqlx floor's loop on one connection: each text between `BEGIN` and `COMMIT`.
async fn sqlx_apply<C>(conn: &mut C, texts: &[String])
where
    for<'c> &'c mut C: sqlx::Executor<'c>,
{
    for sql in texts {
        sqlx::raw_sql("BEGIN").execute(&mut *conn).await.unwrap();
        sqlx::raw_sql(AssertSqlSafe(sql.as_str()))
            .execute(&mut *conn)
            .await
            .unwrap();
        sqlx::raw_sql("COMMIT").execute(&mut *conn).await.unwrap();
    }
}

/// One read of the tracking table on a fresh connection (opened before the clock starts),
/// every value read as text borrowed from its row: the cheapest read that still looks at
/// each value (no `String` per value), so the floor is as low as the driver allows.
async fn floor_noop(driver: Driver, target: &str, applied: usize) {
    let sql = format!("SELECT id, status, up_checksum FROM {TRACKING}");
    let (started, rows, bytes);
    match driver {
        Driver::Rusqlite => {
            let conn = rusqlite::Connection::open(target).unwrap();
            started = Instant::now();
            let mut stmt = conn.prepare(&sql).unwrap();
            let mut read = stmt.query([]).unwrap();
            let (mut n, mut total) = (0, 0);
            while let Some(row) = read.next().unwrap() {
                for index in 0..3 {
                    let text = row.get_ref(index).unwrap().as_str_or_null().unwrap();
                    total += text.map_or(0, str::len);
                }
                n += 1;
            }
            (rows, bytes) = (n, total);
        }
        Driver::SqlxSqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&sqlite_url(target))
                .await
                .unwrap();
            started = Instant::now();
            let r = sqlx::query(AssertSqlSafe(sql.clone()))
                .fetch_all(&mut conn)
                .await
                .unwrap();
            (rows, bytes) = (r.len(), sqlx_text_bytes(&r));
        }
        Driver::SqlxPostgres => {
            let mut conn = sqlx::PgConnection::connect(target).await.unwrap();
            started = Instant::now();
            let r = sqlx::query(AssertSqlSafe(sql.clone()))
                .fetch_all(&mut conn)
                .await
                .unwrap();
            (rows, bytes) = (r.len(), sqlx_text_bytes(&r));
        }
        Driver::SqlxMysql => {
            let mut conn = sqlx::MySqlConnection::connect(target).await.unwrap();
            started = Instant::now();
            let r = sqlx::query(AssertSqlSafe(sql.clone()))
                .fetch_all(&mut conn)
                .await
                .unwrap();
            (rows, bytes) = (r.len(), sqlx_text_bytes(&r));
        }
        Driver::TokioPostgres => {
            let client = tokio_postgres_client(target).await;
            started = Instant::now();
            let r = client.query(&sql, &[]).await.unwrap();
            let mut total = 0;
            for row in &r {
                for index in 0..3 {
                    let text: Option<&str> = row.get(index);
                    total += text.map_or(0, str::len);
                }
            }
            (rows, bytes) = (r.len(), total);
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(rows, applied, "the no-op floor reads every applied row");
    assert!(bytes > 0, "the no-op floor reads the values");
    report(elapsed, 1);
}

/// The total length of the three text columns of `rows`, each borrowed from its row.
fn sqlx_text_bytes<R>(rows: &[R]) -> usize
where
    R: sqlx::Row,
    for<'r> &'r str: sqlx::Decode<'r, R::Database> + sqlx::Type<R::Database>,
    usize: sqlx::ColumnIndex<R>,
{
    rows.iter()
        .map(|row| {
            (0..3)
                .map(|index| {
                    let text: Option<&str> = row.try_get(index).unwrap();
                    text.map_or(0, str::len)
                })
                .sum::<usize>()
        })
        .sum()
}

/// The peer: sqlx's own migrator on the pool, the way sqlx documents it (it does not
/// count statements: `queries=-`).
async fn sqlx_migrate(
    driver: Driver,
    target: &str,
    migrator: &sqlx::migrate::Migrator,
    timed: bool,
) {
    let started;
    match driver {
        Driver::SqlxSqlite => {
            let pool = sqlx::SqlitePool::connect(&sqlite_url(target))
                .await
                .unwrap();
            started = Instant::now();
            migrator.run(&pool).await.unwrap();
        }
        Driver::SqlxPostgres => {
            let pool = sqlx::PgPool::connect(target).await.unwrap();
            started = Instant::now();
            migrator.run(&pool).await.unwrap();
        }
        Driver::SqlxMysql => {
            let pool = sqlx::MySqlPool::connect(target).await.unwrap();
            started = Instant::now();
            migrator.run(&pool).await.unwrap();
        }
        other => panic!("sqlx migrate has no {other:?} driver"),
    }
    if timed {
        println!("elapsed_ns={} queries=-", started.elapsed().as_nanos());
    }
}

async fn tokio_postgres_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// switchy_schema the way the README says: `MIGRATIONS.run(&pool)` on the handle the
/// application holds (a sqlx pool, `Mutex<rusqlite::Connection>`, `tokio_postgres::Client`),
/// wrapped in a query counter. The handle is opened before the clock starts.
async fn switchy(
    driver: Driver,
    target: &str,
    migrations: &'static switchy_schema::Migrations,
    timed: bool,
    figure: Figure,
) {
    let count = AtomicUsize::new(0);
    let (elapsed, report_) = match driver {
        Driver::Rusqlite => {
            let db = Mutex::new(rusqlite::Connection::open(target).unwrap());
            timed_run(migrations, &db, &count).await
        }
        Driver::SqlxSqlite => {
            let db = sqlx::SqlitePool::connect(&sqlite_url(target))
                .await
                .unwrap();
            timed_run(migrations, &db, &count).await
        }
        Driver::SqlxPostgres => {
            let db = sqlx::PgPool::connect(target).await.unwrap();
            timed_run(migrations, &db, &count).await
        }
        Driver::SqlxMysql => {
            let db = sqlx::MySqlPool::connect(target).await.unwrap();
            timed_run(migrations, &db, &count).await
        }
        Driver::TokioPostgres => {
            let db = tokio_postgres_client(target).await;
            timed_run(migrations, &db, &count).await
        }
    };
    let expected = if figure.is_noop() && timed {
        0
    } else {
        migrations.len()
    };
    assert_eq!(report_.applied.len(), expected, "applied count");
    if timed {
        report(elapsed, count.load(Ordering::Relaxed));
    }
}

async fn timed_run(
    migrations: &'static switchy_schema::Migrations,
    db: &dyn Database,
    count: &AtomicUsize,
) -> (Duration, switchy_schema::RunReport) {
    let counting = Counting {
        inner: Box::new(db),
        count,
    };
    let started = Instant::now();
    let report = migrations.run(&counting).await.expect("switchy run");
    (started.elapsed(), report)
}
