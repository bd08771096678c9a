//! Prints the cost of applying 1,000 migrations and of the no-op start-up, beside the
//! floor: the same SQL run directly through the driver, one transaction per migration,
//! with no tracking.
//!
//! `cargo bench -p switchy_schema_tests --bench apply` (PostgreSQL figures need
//! `SWITCHY_TEST_POSTGRES_URL`). `SWITCHY_BENCH_MIGRATIONS` and `SWITCHY_BENCH_ROUNDS`
//! change the 1,000 migrations and 3 rounds.

use std::time::{Duration, Instant};

use switchy_schema::__private::checksum::checksum;
use switchy_schema::__private::{EmbeddedFile, EmbeddedMigration};
use switchy_schema::{Database, Dialect, Migrations, TransactionMode};
use switchy_schema_tests::harness::{Backend, open};

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn sql(n: usize) -> String {
    format!(
        "CREATE TABLE bench_{n:05} (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO bench_{n:05} (id, name) VALUES (1, 'row {n}');\n"
    )
}

/// The migrations as `embed_migrations!` would emit them: a static list (built through the
/// macro's internal constructor, to generate any number of them).
fn migrations(count: usize) -> &'static Migrations {
    let leak = |text: String| -> &'static str { Box::leak(text.into_boxed_str()) };
    let list: Vec<EmbeddedMigration> = (0..count)
        .map(|n| {
            let id = leak(format!("{n:05}_bench"));
            let text = sql(n);
            let file = EmbeddedFile {
                dialect: None,
                path: leak(format!("migrations/{id}/up.sql")),
                checksum: leak(checksum(&text)),
                sql: leak(text),
                // What the macro records for a text with no transaction control.
                no_transaction_control: &Dialect::ALL,
            };
            EmbeddedMigration {
                id,
                description: None,
                up: Box::leak(Box::new([file])),
                down: &[],
                transaction_mode: TransactionMode::Transactional,
            }
        })
        .collect();
    Box::leak(Box::new(switchy_schema::__private::migrations(Box::leak(
        list.into_boxed_slice(),
    ))))
}

async fn floor(db: &dyn Database, count: usize) -> Duration {
    let started = Instant::now();
    for n in 0..count {
        let tx = db.begin_transaction().await.expect("begin");
        tx.exec_raw(&sql(n)).await.expect("apply");
        tx.commit().await.expect("commit");
    }
    started.elapsed()
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

async fn bench(backend: Backend, count: usize, rounds: usize) {
    let migrations = migrations(count);
    let mut floors = Vec::new();
    let mut ours = Vec::new();
    let mut no_ops = Vec::new();
    for _ in 0..rounds {
        let Some(floor_db) = open(backend, "bench_floor").await else {
            return;
        };
        floors.push(floor(&*floor_db.db, count).await);
        drop(floor_db);

        let test = open(backend, "bench_runner").await.expect("database");
        let started = Instant::now();
        let report = migrations.run(&*test.db).await.expect("apply");
        ours.push(started.elapsed());
        assert_eq!(report.applied.len(), count);

        for _ in 0..20 {
            let started = Instant::now();
            let report = migrations.run(&*test.db).await.expect("no-op");
            no_ops.push(started.elapsed());
            assert!(report.applied.is_empty());
        }
    }
    let fastest_no_op = no_ops.iter().min().copied().unwrap_or_default();
    let (floor, ours, no_op) = (median(floors), median(ours), median(no_ops));
    println!(
        "{:<14} apply {count} migrations: switchy_schema {:>9.3?}   floor {:>9.3?}   ratio {:.3}x",
        backend.name(),
        ours,
        floor,
        ours.as_secs_f64() / floor.as_secs_f64()
    );
    println!(
        "{:<14} no-op start-up with {count} applied: median {:>9.3?}, fastest {:>9.3?} ({} runs; target < 1 ms)",
        backend.name(),
        no_op,
        fastest_no_op,
        rounds * 20
    );
}

fn main() {
    // `cargo bench` passes `--bench`; `cargo test --benches` passes nothing else we use.
    if std::env::args().any(|arg| arg == "--list") {
        return;
    }
    let count = env_number("SWITCHY_BENCH_MIGRATIONS", 1000);
    let rounds = env_number("SWITCHY_BENCH_ROUNDS", 3).max(1);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async {
        bench(Backend::SqlxSqlite, count, rounds).await;
        bench(Backend::SqlxPostgres, count, rounds).await;
    });
}
