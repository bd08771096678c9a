//! Issue 8: every guarantee holds at the edges (strategies, rollback order, hooks, dry-run
//! recovery, MySQL transactions, SQLite recovery under the write lock).

use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema::{Error, ExecutionStrategy, MigrationRunner};
use switchy_schema_tests::harness::{Backend, TestDatabase, open};

/// A reversible migration creating table `table`.
fn create(id: &str, table: &str) -> CodeMigration {
    CodeMigration::new(id, format!("CREATE TABLE {table} (id INTEGER)"))
        .with_down(format!("DROP TABLE {table}"))
}

async fn each(backends: &[Backend], test: &str, mut body: impl AsyncFnMut(TestDatabase)) {
    for &backend in backends {
        if let Some(database) = open(backend, test).await {
            body(database).await;
        }
    }
}

#[tokio::test]
async fn up_to_an_unknown_id_is_an_error_even_when_everything_is_applied() {
    each(&Backend::ALL, "up_to_unknown", async |t| {
        let db = &*t.db;
        let source = || CodeSource::new().with(create("0001_a", "a"));
        MigrationRunner::new(source()).run(db).await.unwrap();
        for dry_run in [false, true] {
            let error = MigrationRunner::new(source())
                .with_strategy(ExecutionStrategy::UpTo("no-such-id".into()))
                .dry_run(dry_run)
                .run(db)
                .await
                .unwrap_err();
            assert!(
                matches!(&error, Error::UnknownMigration(id) if id == "no-such-id"),
                "{:?}: {error}",
                t.backend
            );
        }
        // A known id on the fast path is still a no-op.
        let report = MigrationRunner::new(source())
            .with_strategy(ExecutionStrategy::UpTo("0001_a".into()))
            .run(db)
            .await
            .unwrap();
        assert!(report.applied.is_empty());
    })
    .await;
}
