//! Prints the cost of applying ONE migration whose `up.sql` is large (10 MB, 80,000
//! `INSERT`s by default), beside the floor: the same driver executing the same text
//! directly in one transaction (no switchy_schema code), on each backend configured.
//!
//! `cargo bench -p switchy_schema_tests --bench large_file` (PostgreSQL and MySQL figures
//! need `SWITCHY_TEST_POSTGRES_URL` / `SWITCHY_TEST_MYSQL_URL`). `SWITCHY_BENCH_STATEMENTS`
//! changes the 80,000 statements.

use std::fmt::Write as _;
use std::time::{Duration, Instant};

use switchy_schema::__private::checksum::checksum;
use switchy_schema::__private::{EmbeddedFile, EmbeddedMigration};
use switchy_schema::{Dialect, Migrations, TransactionMode};
use switchy_schema_tests::harness::{Backend, open};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

/// About 125 bytes a statement: 80,000 statements are 10 MB.
fn up_sql(statements: usize) -> String {
    let mut text = String::from("CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT);\n");
    for n in 1..statements {
        writeln!(
            text,
            "INSERT INTO big (id, name) VALUES ({n}, 'row {n:08} of a large migration, padded to about one hundred and twenty-five bytes');"
        )
        .expect("write to a String");
    }
    text
}

fn migrations(up: &'static str) -> &'static Migrations {
    let file = EmbeddedFile {
        dialect: None,
        path: "migrations/0001_large/up.sql",
        checksum: Box::leak(checksum(up).into_boxed_str()),
        sql: up,
        // What the macro records for a text with no transaction control.
        no_transaction_control: &Dialect::ALL,
    };
    let list = vec![EmbeddedMigration {
        id: "0001_large",
        description: None,
        up: Box::leak(Box::new([file])),
        down: &[],
        transaction_mode: TransactionMode::Transactional,
    }];
    Box::leak(Box::new(switchy_schema::__private::migrations(Box::leak(
        list.into_boxed_slice(),
    ))))
}

/// The raw driver: `BEGIN`, the whole text in one call, `COMMIT`.
async fn floor(backend: Backend, location: &str, up: &str) -> Duration {
    let started = Instant::now();
    match backend {
        Backend::Rusqlite => {
            let conn = rusqlite::Connection::open(location).expect("open");
            conn.execute_batch("BEGIN").expect("begin");
            conn.execute_batch(up).expect("apply");
            conn.execute_batch("COMMIT").expect("commit");
        }
        Backend::SqlxSqlite => {
            let pool = sqlx::SqlitePool::connect(location).await.expect("open");
            let mut tx = pool.begin().await.expect("begin");
            sqlx::raw_sql(sqlx::AssertSqlSafe(up))
                .execute(&mut *tx)
                .await
                .expect("apply");
            tx.commit().await.expect("commit");
        }
        Backend::SqlxPostgres | Backend::TokioPostgres => {
            let pool = sqlx::PgPool::connect(location).await.expect("open");
            let mut tx = pool.begin().await.expect("begin");
            sqlx::raw_sql(sqlx::AssertSqlSafe(up))
                .execute(&mut *tx)
                .await
                .expect("apply");
            tx.commit().await.expect("commit");
        }
        Backend::SqlxMySql => {
            let pool = sqlx::MySqlPool::connect(location).await.expect("open");
            let mut tx = pool.begin().await.expect("begin");
            sqlx::raw_sql(sqlx::AssertSqlSafe(up))
                .execute(&mut *tx)
                .await
                .expect("apply");
            tx.commit().await.expect("commit");
        }
    }
    started.elapsed()
}

async fn bench(backend: Backend, up: &'static str, statements: usize) {
    let Some(floor_db) = open(backend, "bench_large_floor").await else {
        return;
    };
    let floor = floor(backend, &floor_db.location, up).await;
    drop(floor_db);

    let test = open(backend, "bench_large").await.expect("database");
    let started = Instant::now();
    let report = migrations(up).run(&*test.db).await.expect("apply");
    let ours = started.elapsed();
    assert_eq!(report.applied.len(), 1);
    if backend == Backend::Rusqlite {
        // The same driver call on the text ended by a NUL byte, which SQLite reads in place
        // instead of copying the rest of the text for every statement: the linear floor.
        let linear_db = open(backend, "bench_large_linear").await.expect("database");
        let started = Instant::now();
        let conn = rusqlite::Connection::open(&linear_db.location).expect("open");
        conn.execute_batch("BEGIN").expect("begin");
        conn.execute_batch(&format!("{up}\0")).expect("apply");
        conn.execute_batch("COMMIT").expect("commit");
        println!(
            "{:<15} floor with the text NUL-terminated (what the sqlite3 shell does): {:>9.3?}",
            backend.name(),
            started.elapsed()
        );
    }
    println!(
        "{:<15} one up.sql of {} kB ({statements} statements): switchy_schema {:>9.3?}   floor {:>9.3?}   ratio {:.3}x",
        backend.name(),
        up.len() / 1000,
        ours,
        floor,
        ours.as_secs_f64() / floor.as_secs_f64()
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing else we use.
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let statements = env_number("SWITCHY_BENCH_STATEMENTS", 80_000).max(1);
    let up: &'static str = Box::leak(up_sql(statements).into_boxed_str());
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        for backend in [
            Backend::Rusqlite,
            Backend::SqlxSqlite,
            Backend::SqlxPostgres,
            Backend::TokioPostgres,
            Backend::SqlxMySql,
        ] {
            bench(backend, up, statements).await;
        }
    });
}
