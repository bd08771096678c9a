//! The database helpers: the in-memory SQLite pool is one database, and fresh server
//! databases are dropped, also when the test panics.

use std::sync::mpsc;

use switchy_schema::{Database, Dialect};
use switchy_schema_test_utils::create_empty_in_memory;
use switchy_schema_test_utils::server::{FreshDatabase, url_variable};

#[tokio::test]
async fn every_use_of_the_in_memory_pool_sees_one_database() {
    let db = create_empty_in_memory().await.unwrap();
    db.exec_raw("CREATE TABLE t (x INTEGER)").await.unwrap();
    // Concurrent statements from several tasks, a pinned handle, a transaction: all on
    // the same database.
    let mut tasks = tokio::task::JoinSet::new();
    for i in 0..20 {
        let db = db.clone();
        tasks.spawn(async move {
            db.execute("INSERT INTO t (x) VALUES (?)", &[i.into()])
                .await
        });
    }
    let mut inserted = 0;
    while let Some(result) = tasks.join_next().await {
        inserted += result.unwrap().unwrap();
    }
    assert_eq!(inserted, 20);
    {
        let pinned = db.pinned().await.unwrap();
        assert_eq!(
            pinned.query("SELECT x FROM t", &[]).await.unwrap().len(),
            20
        );
    }
    let tx = db.begin_transaction().await.unwrap();
    tx.execute("DELETE FROM t WHERE x < 10", &[]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(db.query("SELECT x FROM t", &[]).await.unwrap().len(), 10);
    // Still there after the pool had time to close idle connections (it never does).
    tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    assert_eq!(db.query("SELECT x FROM t", &[]).await.unwrap().len(), 10);
    assert_eq!(db.size(), 1);

    let other = create_empty_in_memory().await.unwrap();
    assert!(other.query("SELECT x FROM t", &[]).await.is_err());
}

async fn exists(dialect: Dialect, admin_url: &str, name: &str) -> bool {
    let url = admin_url.to_owned();
    let (sql, dialect) = match dialect {
        Dialect::Postgres => (
            "SELECT datname FROM pg_database WHERE datname = $1",
            dialect,
        ),
        _ => (
            "SELECT SCHEMA_NAME FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?",
            dialect,
        ),
    };
    let db: Box<dyn Database> = match dialect {
        Dialect::Postgres => Box::new(sqlx::PgPool::connect(&url).await.unwrap()),
        _ => Box::new(sqlx::MySqlPool::connect(&url).await.unwrap()),
    };
    !db.query(sql, &[name.into()]).await.unwrap().is_empty()
}

#[tokio::test]
async fn fresh_server_databases_are_dropped_even_when_the_test_panics() {
    for dialect in [Dialect::Postgres, Dialect::MySql] {
        let variable = url_variable(dialect).unwrap();
        let Ok(admin_url) = std::env::var(variable) else {
            switchy_schema_test_utils::server::skip_notice("fresh_databases", variable);
            continue;
        };
        // Normal drop.
        let fresh = FreshDatabase::create(dialect, &admin_url, "fresh drop")
            .await
            .unwrap();
        let name = fresh.name().to_owned();
        assert!(name.starts_with("sw_fresh_drop_"), "{name}");
        {
            let db = fresh.connect().await.unwrap();
            db.exec_raw("CREATE TABLE t (x INTEGER)").await.unwrap();
            assert_eq!(db.dialect(), dialect);
        }
        assert!(exists(dialect, &admin_url, &name).await);
        drop(fresh);
        assert!(!exists(dialect, &admin_url, &name).await, "{name} survived");

        // A test that panics while holding it, with a connection open.
        let (sender, receiver) = mpsc::channel();
        let url = admin_url.clone();
        let panicked = std::thread::spawn(move || {
            tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap()
                .block_on(async move {
                    let fresh = FreshDatabase::create(dialect, &url, "fresh panic")
                        .await
                        .unwrap();
                    let db = fresh.connect().await.unwrap();
                    db.exec_raw("CREATE TABLE t (x INTEGER)").await.unwrap();
                    sender.send(fresh.name().to_owned()).unwrap();
                    panic!("the test fails");
                });
        })
        .join();
        assert!(panicked.is_err());
        let name = receiver.recv().unwrap();
        assert!(
            !exists(dialect, &admin_url, &name).await,
            "{name} survived the panic"
        );
    }
}

#[tokio::test]
async fn fresh_databases_are_not_for_sqlite() {
    assert!(
        FreshDatabase::from_env(Dialect::Sqlite, "x")
            .await
            .is_none()
    );
    let error = FreshDatabase::create(Dialect::Sqlite, "sqlite::memory:", "x")
        .await
        .unwrap_err();
    assert!(
        error.to_string().contains("create_empty_in_memory"),
        "{error}"
    );
}
