//! Issue 11: savepoints on `DatabaseTransaction`, on every driver.
//!
//! A savepoint is a scope inside an open transaction: released, its work joins the
//! transaction; rolled back to (or dropped), only the work since the savepoint is undone.
//! The runner's transaction of a transactional code migration takes savepoints too.

use switchy_schema::code::{CodeMigration, CodeSource, from_fn};
use switchy_schema::{
    Database, DatabaseErrorKind, DatabaseTransaction, Dialect, MigrationRunner, TransactionMode,
    Value,
};
use switchy_schema_tests::harness::Backend;
use switchy_schema_tests::support::each;

/// Creates the table the tests write to, outside any transaction.
async fn create_items(db: &dyn Database) {
    db.exec_raw("CREATE TABLE sp_items (id INTEGER PRIMARY KEY)")
        .await
        .expect("create sp_items");
}

async fn insert(db: &dyn Database, id: i64) {
    db.exec_raw(&format!("INSERT INTO sp_items (id) VALUES ({id})"))
        .await
        .unwrap_or_else(|e| panic!("insert {id}: {e}"));
}

/// The ids in `sp_items`, ascending.
async fn ids(db: &dyn Database) -> Vec<i64> {
    db.query("SELECT id FROM sp_items ORDER BY id", &[])
        .await
        .expect("read sp_items")
        .iter()
        .map(|row| {
            row.get_index(0)
                .and_then(Value::as_i64)
                .expect("an integer id")
        })
        .collect()
}

async fn begin(db: &dyn Database) -> Box<dyn DatabaseTransaction + '_> {
    db.begin_transaction().await.expect("begin")
}

#[tokio::test]
async fn release_keeps_the_work() {
    each(&Backend::ALL, "sp_release", async |t| {
        let db = &*t.db;
        create_items(db).await;
        let tx = begin(db).await;
        insert(&*tx, 1).await;
        let sp = tx.savepoint().await.expect("savepoint");
        insert(&*sp, 2).await;
        sp.commit().await.expect("release");
        insert(&*tx, 3).await;
        tx.commit().await.expect("commit");
        assert_eq!(ids(db).await, [1, 2, 3], "{}", t.backend.name());
    })
    .await;
}

#[tokio::test]
async fn rollback_to_undoes_only_the_work_after_the_savepoint() {
    each(&Backend::ALL, "sp_rollback", async |t| {
        let db = &*t.db;
        create_items(db).await;
        let tx = begin(db).await;
        insert(&*tx, 1).await;
        let sp = tx.savepoint().await.expect("savepoint");
        insert(&*sp, 2).await;
        sp.rollback().await.expect("rollback to");
        assert_eq!(ids(&*tx).await, [1], "{}: inside", t.backend.name());
        insert(&*tx, 3).await;
        tx.commit().await.expect("commit");
        assert_eq!(ids(db).await, [1, 3], "{}", t.backend.name());
    })
    .await;
}

#[tokio::test]
async fn a_dropped_savepoint_is_rolled_back_to() {
    each(&Backend::ALL, "sp_drop", async |t| {
        let db = &*t.db;
        let name = t.backend.name();
        create_items(db).await;

        // Dropped, then another statement on the transaction.
        let tx = begin(db).await;
        insert(&*tx, 1).await;
        let sp = tx.savepoint().await.expect("savepoint");
        insert(&*sp, 2).await;
        drop(sp);
        insert(&*tx, 3).await;
        tx.commit().await.expect("commit");
        assert_eq!(ids(db).await, [1, 3], "{name}: dropped, then a statement");

        // Dropped right before the commit: the commit must not keep its work.
        let tx = begin(db).await;
        insert(&*tx, 4).await;
        let sp = tx.savepoint().await.expect("savepoint");
        insert(&*sp, 5).await;
        drop(sp);
        tx.commit().await.expect("commit");
        assert_eq!(ids(db).await, [1, 3, 4], "{name}: dropped, then commit");

        // A nested savepoint dropped with its parent's work still undone.
        let tx = begin(db).await;
        let outer = tx.savepoint().await.expect("outer savepoint");
        insert(&*outer, 6).await;
        let inner = outer.savepoint().await.expect("inner savepoint");
        insert(&*inner, 7).await;
        drop(inner);
        outer.commit().await.expect("release outer");
        tx.commit().await.expect("commit");
        assert_eq!(ids(db).await, [1, 3, 4, 6], "{name}: nested drop");
    })
    .await;
}

#[tokio::test]
async fn savepoints_nest_to_any_depth() {
    each(&Backend::ALL, "sp_nested", async |t| {
        let db = &*t.db;
        let name = t.backend.name();
        create_items(db).await;
        let tx = begin(db).await;
        insert(&*tx, 1).await;
        let first = tx.savepoint().await.expect("first");
        insert(&*first, 2).await;
        let second = first.savepoint().await.expect("second");
        insert(&*second, 3).await;
        let third = second.savepoint().await.expect("third");
        insert(&*third, 4).await;
        third.rollback().await.expect("roll back third");
        second.commit().await.expect("release second");
        insert(&*first, 5).await;
        first.commit().await.expect("release first");
        tx.commit().await.expect("commit");
        assert_eq!(ids(db).await, [1, 2, 3, 5], "{name}");

        // Rolling back an outer savepoint undoes an inner one that was released.
        let tx = begin(db).await;
        let outer = tx.savepoint().await.expect("outer");
        let inner = outer.savepoint().await.expect("inner");
        insert(&*inner, 6).await;
        inner.commit().await.expect("release inner");
        assert_eq!(ids(&*outer).await, [1, 2, 3, 5, 6], "{name}: inside");
        outer.rollback().await.expect("roll back outer");
        tx.commit().await.expect("commit");
        assert_eq!(ids(db).await, [1, 2, 3, 5], "{name}: outer rolled back");
    })
    .await;
}

#[tokio::test]
async fn the_transactions_rollback_undoes_released_savepoints() {
    each(&Backend::ALL, "sp_outer_rollback", async |t| {
        let db = &*t.db;
        create_items(db).await;
        let tx = begin(db).await;
        insert(&*tx, 1).await;
        let sp = tx.savepoint().await.expect("savepoint");
        insert(&*sp, 2).await;
        sp.commit().await.expect("release");
        tx.rollback().await.expect("rollback");
        assert_eq!(ids(db).await, Vec::<i64>::new(), "{}", t.backend.name());
    })
    .await;
}

#[tokio::test]
async fn a_failed_statement_is_recovered_by_rolling_back_to_the_savepoint() {
    each(&Backend::ALL, "sp_failed_statement", async |t| {
        let db = &*t.db;
        let name = t.backend.name();
        create_items(db).await;
        let tx = begin(db).await;
        insert(&*tx, 1).await;
        let sp = tx.savepoint().await.expect("savepoint");
        insert(&*sp, 2).await;
        sp.exec_raw("INSERT INTO sp_items (id) VALUES (1)")
            .await
            .expect_err("a duplicate key");
        if db.dialect() == Dialect::Postgres {
            // PostgreSQL aborted the whole transaction: nothing runs until the rollback.
            let error = sp
                .query("SELECT 1 AS one", &[])
                .await
                .expect_err("the transaction is aborted");
            assert_eq!(error.code(), Some("25P02"), "{name}: {error}");
        }
        sp.rollback().await.expect("rollback to");
        insert(&*tx, 3).await;
        tx.commit().await.expect("commit");
        assert_eq!(ids(db).await, [1, 3], "{name}");
    })
    .await;
}

#[tokio::test]
async fn nesting_a_transaction_is_an_error_that_points_to_savepoints() {
    each(&Backend::ALL, "sp_nested_tx", async |t| {
        let db = &*t.db;
        let name = t.backend.name();
        let tx = begin(db).await;
        let Err(error) = tx.begin_transaction().await else {
            panic!("{name}: a transaction began inside a transaction");
        };
        assert_eq!(error.kind(), DatabaseErrorKind::NestedTransaction, "{name}");
        assert!(error.message().contains("savepoint"), "{name}: {error}");
        let sp = tx.savepoint().await.expect("savepoint");
        let Err(error) = sp.begin_transaction().await else {
            panic!("{name}: a transaction began inside a savepoint");
        };
        assert_eq!(error.kind(), DatabaseErrorKind::NestedTransaction, "{name}");
        drop(sp);
        tx.rollback().await.expect("rollback");
    })
    .await;
}

#[tokio::test]
async fn a_savepoint_outside_a_transaction_is_an_error() {
    each(&Backend::ALL, "sp_outside", async |t| {
        let db = &*t.db;
        let Err(error) = db.savepoint().await else {
            panic!("{}: a savepoint outside a transaction", t.backend.name());
        };
        assert!(
            error.message().contains("needs an open transaction"),
            "{}: {error}",
            t.backend.name()
        );
    })
    .await;
}

/// A transactional code migration that keeps one part and rolls another back through
/// savepoints on the `&dyn Database` the runner hands it.
fn savepoint_migration() -> CodeMigration {
    CodeMigration::new(
        "0002_savepoints",
        from_fn(|db| {
            Box::pin(async move {
                db.exec_raw("INSERT INTO sp_items (id) VALUES (1)").await?;
                let discarded = db.savepoint().await?;
                discarded
                    .exec_raw("INSERT INTO sp_items (id) VALUES (2)")
                    .await?;
                discarded.rollback().await?;
                let kept = db.savepoint().await?;
                kept.exec_raw("INSERT INTO sp_items (id) VALUES (3)")
                    .await?;
                kept.commit().await?;
                Ok(())
            })
        }),
    )
}

#[tokio::test]
async fn a_code_migration_takes_savepoints_from_its_transaction() {
    each(&Backend::ALL, "sp_migration", async |t| {
        let db = &*t.db;
        let name = t.backend.name();
        let source = CodeSource::new()
            .with(CodeMigration::new(
                "0001_items",
                "CREATE TABLE sp_items (id INTEGER PRIMARY KEY)",
            ))
            .with(savepoint_migration());
        let report = MigrationRunner::new(source)
            .run(db)
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(report.applied.len(), 2, "{name}");
        assert_eq!(ids(db).await, [1, 3], "{name}");
    })
    .await;
}

#[tokio::test]
async fn a_no_transaction_migration_gets_an_error_from_savepoint() {
    each(&Backend::ALL, "sp_migration_no_tx", async |t| {
        let db = &*t.db;
        let name = t.backend.name();
        let source = CodeSource::new().with(
            CodeMigration::new(
                "0001_no_tx",
                from_fn(|db| {
                    Box::pin(async move {
                        db.savepoint().await?;
                        Ok(())
                    })
                }),
            )
            .with_transaction_mode(TransactionMode::NoTransaction),
        );
        let error = MigrationRunner::new(source)
            .run(db)
            .await
            .expect_err("a savepoint outside a transaction");
        assert!(
            error.to_string().contains("needs an open transaction"),
            "{name}: {error}"
        );
    })
    .await;
}
