//! Throwaway PostgreSQL and MySQL/MariaDB databases for tests that need a server.
//!
//! A server test runs only when the server's URL is set, `SWITCHY_TEST_POSTGRES_URL`
//! (e.g. `postgres://postgres@127.0.0.1:5432/test`) or `SWITCHY_TEST_MYSQL_URL` (e.g.
//! `mysql://root@127.0.0.1:3306/test`); otherwise [`TestDatabase::create`] writes a notice
//! and the test returns early. Each test gets a database of its own, created on that server
//! and dropped when the [`TestDatabase`] is dropped, also when the test panics.

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{Connection as _, Executor as _};
use switchy_schema::Dialect;

/// The environment variable holding the server URL for `dialect` (`None` for SQLite).
pub fn url_variable(dialect: Dialect) -> Option<&'static str> {
    match dialect {
        Dialect::Postgres => Some("SWITCHY_TEST_POSTGRES_URL"),
        Dialect::MySql => Some("SWITCHY_TEST_MYSQL_URL"),
        Dialect::Sqlite => None,
    }
}

/// Tells that `test` is skipped because `variable` is not set.
///
/// Writes to stderr directly, so the notice shows even though libtest captures `eprintln!`.
pub fn skip_notice(test: &str, variable: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "note: {test} skipped: set {variable} to run it"
    );
}

/// A database created for one test, dropped with this value.
#[derive(Debug)]
pub struct TestDatabase {
    server: Server,
    url: String,
}

/// Where a test database lives: enough to create and drop it.
#[derive(Debug, Clone)]
struct Server {
    dialect: Dialect,
    admin_url: String,
    name: String,
}

impl TestDatabase {
    /// Creates a database named `sw_<test>_<pid>_<nanos>` on the `dialect` server, or writes
    /// a [`skip_notice`] and returns `None` when the server's URL is not set.
    ///
    /// # Panics
    /// When the URL is set but the database cannot be created.
    pub async fn create(dialect: Dialect, test: &str) -> Option<TestDatabase> {
        let variable = url_variable(dialect)?;
        let Ok(admin_url) = std::env::var(variable) else {
            skip_notice(test, variable);
            return None;
        };
        let name = unique_name(test);
        let url = with_database(&admin_url, &name);
        let server = Server {
            dialect,
            admin_url,
            name,
        };
        if let Err(error) = server.run(true).await {
            panic!(
                "{variable} is set but creating `{}` failed: {error}",
                server.name
            );
        }
        Some(TestDatabase { server, url })
    }

    /// The URL of the created database.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The name of the created database.
    pub fn name(&self) -> &str {
        &self.server.name
    }
}

impl Drop for TestDatabase {
    /// Drops the database from a thread of its own with its own runtime, as `Drop` cannot
    /// await and may run inside (or outside) the test's runtime.
    fn drop(&mut self) {
        let server = self.server.clone();
        let dropped = std::thread::spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
                .and_then(|runtime| {
                    runtime
                        .block_on(server.run(false))
                        .map_err(|e| e.to_string())
                });
            if let Err(error) = result {
                let _ = writeln!(
                    std::io::stderr(),
                    "warning: dropping `{}`: {error}",
                    server.name
                );
            }
        })
        .join();
        if dropped.is_err() {
            let _ = writeln!(
                std::io::stderr(),
                "warning: dropping a test database panicked"
            );
        }
    }
}

impl Server {
    /// Creates (`create`) or drops the database through the admin URL.
    async fn run(&self, create: bool) -> Result<(), sqlx::Error> {
        let (url, name) = (&self.admin_url, &self.name);
        match (self.dialect, create) {
            (Dialect::Postgres, true) => run_pg(url, format!("CREATE DATABASE \"{name}\"")).await,
            (Dialect::Postgres, false) => {
                run_pg(
                    url,
                    format!("DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"),
                )
                .await
            }
            (Dialect::MySql, true) => run_mysql(url, format!("CREATE DATABASE `{name}`")).await,
            (Dialect::MySql, false) => {
                run_mysql(url, format!("DROP DATABASE IF EXISTS `{name}`")).await
            }
            (Dialect::Sqlite, _) => Ok(()),
        }
    }
}

async fn run_pg(url: &str, sql: String) -> Result<(), sqlx::Error> {
    let mut conn = sqlx::PgConnection::connect(url).await?;
    conn.execute(sqlx::AssertSqlSafe(sql)).await?;
    conn.close().await
}

async fn run_mysql(url: &str, sql: String) -> Result<(), sqlx::Error> {
    let mut conn = sqlx::MySqlConnection::connect(url).await?;
    conn.execute(sqlx::AssertSqlSafe(sql)).await?;
    conn.close().await
}

/// `sw_<test>_<pid>_<nanos>`: lowercase, at most 63 characters (PostgreSQL's limit).
fn unique_name(test: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let test: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(28)
        .collect();
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    format!("sw_{test}_{}_{nanos}_{count}", std::process::id())
}

/// `url` with its database (the last path segment, before any `?query`) replaced by `name`.
fn with_database(url: &str, name: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let authority_end = base.find("://").map_or(0, |i| i + 3);
    let base = match base[authority_end..].find('/') {
        Some(slash) => &base[..authority_end + slash],
        None => base,
    };
    match query {
        Some(query) => format!("{base}/{name}?{query}"),
        None => format!("{base}/{name}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replaces_the_database_of_a_url() {
        assert_eq!(
            with_database("postgres://u@h:5432/test", "x"),
            "postgres://u@h:5432/x"
        );
        assert_eq!(
            with_database("mysql://root@h:3306/test?ssl-mode=disabled", "x"),
            "mysql://root@h:3306/x?ssl-mode=disabled"
        );
        assert_eq!(with_database("postgres://u@h", "x"), "postgres://u@h/x");
    }

    #[test]
    fn names_are_short_and_lowercase() {
        let name = unique_name("a very long test name that goes on and on and on");
        assert!(name.len() <= 63, "{name}");
        assert!(name.starts_with("sw_a_very_long_test_name_"));
    }
}
