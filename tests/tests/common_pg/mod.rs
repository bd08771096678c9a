//! A throw-away PostgreSQL database per test, for the tokio-postgres driver tests.
//!
//! Tests run only when `SWITCHY_TEST_POSTGRES_URL` names a server (for example
//! `postgres://postgres@127.0.0.1:5432/test`); otherwise [`TestDatabase::create`] writes a
//! notice to stderr and returns `None`. Each test gets its own database, created on the
//! server of that URL and dropped (`WITH (FORCE)`) when the guard is dropped, also when the
//! test panics.

use std::io::Write as _;
use std::time::{SystemTime, UNIX_EPOCH};

use tokio_postgres::{Client, Config, NoTls};

/// The environment variable naming the PostgreSQL server.
pub(crate) const URL_VAR: &str = "SWITCHY_TEST_POSTGRES_URL";

/// A database created for one test, dropped with the guard.
pub(crate) struct TestDatabase {
    /// A client connected to the test database.
    pub(crate) client: Client,
    config: Config,
    admin: Config,
    name: String,
}

impl TestDatabase {
    /// Creates a fresh database for `test`, or returns `None` (after a notice on stderr)
    /// when `SWITCHY_TEST_POSTGRES_URL` is not set.
    ///
    /// # Panics
    /// When the URL is invalid or the server refuses.
    pub(crate) async fn create(test: &str) -> Option<TestDatabase> {
        let Ok(url) = std::env::var(URL_VAR) else {
            // A direct write, so that libtest's capture does not swallow it.
            let _ = writeln!(std::io::stderr(), "skipping {test}: {URL_VAR} is not set");
            return None;
        };
        let admin: Config = url
            .parse()
            .unwrap_or_else(|error| panic!("invalid {URL_VAR}: {error}"));
        let nanos = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.subsec_nanos());
        let short: String = test
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || *c == '_')
            .take(30)
            .collect();
        let name = format!(
            "sw_{}_{}_{nanos}",
            short.to_ascii_lowercase(),
            std::process::id()
        );

        let admin_client = connect(&admin).await;
        admin_client
            .batch_execute(&format!("CREATE DATABASE \"{name}\""))
            .await
            .unwrap_or_else(|error| panic!("cannot create database {name}: {error:?}"));
        drop(admin_client);

        let mut config = admin.clone();
        config.dbname(&name);
        let client = connect(&config).await;
        Some(TestDatabase {
            client,
            config,
            admin,
            name,
        })
    }

    /// Another connection to the same test database.
    pub(crate) async fn connect_another(&self) -> Client {
        connect(&self.config).await
    }
}

/// Connects with `config` and drives the connection on a spawned task.
pub(crate) async fn connect(config: &Config) -> Client {
    let (client, connection) = config
        .connect(NoTls)
        .await
        .unwrap_or_else(|error| panic!("cannot connect to PostgreSQL: {error:?}"));
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        // The test's runtime may be shutting down (or be a current-thread runtime that this
        // thread is driving), so the database is dropped from a thread with its own runtime.
        let admin = self.admin.clone();
        let name = self.name.clone();
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async move {
                let (client, connection) = admin.connect(NoTls).await?;
                tokio::spawn(async move {
                    let _ = connection.await;
                });
                client
                    .batch_execute(&format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"))
                    .await
            })?;
            Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
        })
        .join();
        match dropped {
            Ok(Ok(())) => {}
            Ok(Err(error)) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "cannot drop test database {}: {error:?}",
                    self.name
                );
            }
            Err(_) => {
                let _ = writeln!(
                    std::io::stderr(),
                    "cannot drop test database {}: the thread panicked",
                    self.name
                );
            }
        }
    }
}
