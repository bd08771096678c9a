//! A throw-away PostgreSQL database per test, with a tokio-postgres client on it.
//!
//! The database's life (creation from `SWITCHY_TEST_POSTGRES_URL`, the skip notice, the
//! drop at the end of the test) is [`switchy_schema_tests::servers::TestDatabase`]'s.

use switchy_schema::Dialect;
use switchy_schema_tests::servers;
use tokio_postgres::{Client, NoTls};

/// A database created for one test, dropped with the guard.
pub(crate) struct TestDatabase {
    /// A client connected to the test database.
    pub(crate) client: Client,
    server: servers::TestDatabase,
}

impl TestDatabase {
    /// Creates a fresh database for `test`, or returns `None` (after a notice on stderr)
    /// when `SWITCHY_TEST_POSTGRES_URL` is not set.
    pub(crate) async fn create(test: &str) -> Option<TestDatabase> {
        let server = servers::TestDatabase::from_env(Dialect::Postgres, test).await?;
        let client = connect(server.url()).await;
        Some(TestDatabase { client, server })
    }

    /// Another connection to the same test database.
    pub(crate) async fn connect_another(&self) -> Client {
        connect(self.server.url()).await
    }
}

/// Connects to `url` and drives the connection on a spawned task.
async fn connect(url: &str) -> Client {
    let (client, connection) = tokio_postgres::connect(url, NoTls)
        .await
        .unwrap_or_else(|error| panic!("cannot connect to PostgreSQL: {error:?}"));
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}
