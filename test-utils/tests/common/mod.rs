//! One fresh database per test on each engine: in-memory SQLite always, PostgreSQL and
//! MariaDB/MySQL when their URLs are set (see `switchy_schema_test_utils::server`).

#![allow(dead_code, unreachable_pub)]

use switchy_schema::{Database, Dialect};
use switchy_schema_test_utils::create_empty_in_memory;
use switchy_schema_test_utils::server::FreshDatabase;

/// A fresh database; the server database is dropped with it.
pub struct Engine {
    pub db: Box<dyn Database>,
    _fresh: Option<FreshDatabase>,
}

impl Engine {
    pub fn dialect(&self) -> Dialect {
        self.db.dialect()
    }
}

/// A fresh database on `dialect`, or `None` (with a notice) when its server is not set.
///
/// # Panics
/// When a configured server cannot be reached.
pub async fn open(dialect: Dialect, test: &str) -> Option<Engine> {
    match dialect {
        Dialect::Sqlite => Some(Engine {
            db: Box::new(create_empty_in_memory().await.expect("in-memory SQLite")),
            _fresh: None,
        }),
        dialect => {
            let fresh = FreshDatabase::from_env(dialect, test).await?;
            let db = fresh
                .connect()
                .await
                .expect("connect to the fresh database");
            Some(Engine {
                db,
                _fresh: Some(fresh),
            })
        }
    }
}

/// Runs `body` on a fresh database of every available engine.
pub async fn each(test: &str, mut body: impl AsyncFnMut(&dyn Database)) {
    each_of(&Dialect::ALL, test, async |db| body(db).await).await;
}

/// Runs `body` on a fresh database of each of `dialects` that is available.
pub async fn each_of(dialects: &[Dialect], test: &str, mut body: impl AsyncFnMut(&dyn Database)) {
    for &dialect in dialects {
        if let Some(engine) = open(dialect, test).await {
            body(&*engine.db).await;
        }
    }
}
