//! [`FreshDatabase`]: a uniquely named database on a PostgreSQL or MySQL/MariaDB server,
//! created for one test and dropped after it, also when the test fails.
//!
//! Tests usually take the server from an environment variable and skip (with a notice)
//! when it is not set, so that `cargo test` passes on a machine without servers:
//!
//! | dialect | variable | example |
//! |---|---|---|
//! | PostgreSQL | `SWITCHY_TEST_POSTGRES_URL` | `postgres://postgres@127.0.0.1:5432/test` |
//! | MySQL / MariaDB | `SWITCHY_TEST_MYSQL_URL` | `mysql://root@127.0.0.1:3306/test` |
//!
//! ```no_run
//! use switchy_schema::Dialect;
//! use switchy_schema_test_utils::server::FreshDatabase;
//!
//! # async fn test() -> Result<(), Box<dyn std::error::Error>> {
//! // `None` (after a notice on stderr) when SWITCHY_TEST_POSTGRES_URL is not set.
//! let Some(fresh) = FreshDatabase::from_env(Dialect::Postgres, "my_test").await else {
//!     return Ok(());
//! };
//! let db = fresh.connect().await?; // a sqlx::PgPool, as a Box<dyn Database>
//! switchy_schema_test_utils::verify_migrations_full_cycle(&*db, switchy_schema::code::CodeSource::new()).await?;
//! # Ok(())
//! # }
//! // `fresh` is dropped here: the database is dropped, even if the test panicked.
//! ```

use std::io::Write as _;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use sqlx::{Connection as _, Executor as _};
use switchy_schema::{Database, Dialect};

use crate::error::{Error, Result};
use crate::ident::quote;

/// The environment variable holding the server URL of `dialect`: `SWITCHY_TEST_POSTGRES_URL`
/// or `SWITCHY_TEST_MYSQL_URL` (`None` for SQLite).
#[must_use]
pub fn url_variable(dialect: Dialect) -> Option<&'static str> {
    match dialect {
        Dialect::Postgres => Some("SWITCHY_TEST_POSTGRES_URL"),
        Dialect::MySql => Some("SWITCHY_TEST_MYSQL_URL"),
        Dialect::Sqlite => None,
    }
}

/// Tells that `test` is skipped because `variable` is not set. Writes to stderr directly,
/// so the notice shows although the test harness captures `eprintln!`.
pub fn skip_notice(test: &str, variable: &str) {
    let _ = writeln!(
        std::io::stderr(),
        "note: {test} skipped: set {variable} to run it"
    );
}

/// A database created for one test, dropped when this value is dropped.
///
/// Dropping runs `DROP DATABASE` (on PostgreSQL `WITH (FORCE)`, which also ends the
/// test's open connections) from a thread of its own, since `Drop` cannot await and may run
/// inside or outside the test's runtime, and while a failing test unwinds.
#[derive(Debug)]
pub struct FreshDatabase {
    target: Target,
    url: String,
}

/// Where a fresh database lives: enough to create and drop it.
#[derive(Debug, Clone)]
struct Target {
    dialect: Dialect,
    admin_url: String,
    name: String,
}

impl FreshDatabase {
    /// Creates a database named `sw_<test>_<pid>_<nanos>_<n>` (lowercase, at most 63
    /// characters) on the server of the variable [`url_variable`]`(dialect)`, or writes a
    /// [`skip_notice`] and returns `None` when that variable is not set (or for SQLite).
    ///
    /// # Panics
    /// When the variable is set but the database cannot be created: a configured server
    /// that does not work must fail the test, not skip it.
    pub async fn from_env(dialect: Dialect, test: &str) -> Option<FreshDatabase> {
        let variable = url_variable(dialect)?;
        let Ok(admin_url) = std::env::var(variable) else {
            skip_notice(test, variable);
            return None;
        };
        match Self::create(dialect, &admin_url, test).await {
            Ok(fresh) => Some(fresh),
            Err(error) => panic!("{variable} is set but {error}"),
        }
    }

    /// Creates a uniquely named database for `test` on the server of `admin_url` (a URL
    /// whose user may create databases; its database part is replaced).
    pub async fn create(dialect: Dialect, admin_url: &str, test: &str) -> Result<FreshDatabase> {
        if dialect == Dialect::Sqlite {
            return Err(Error::Unsupported(
                "FreshDatabase is for PostgreSQL and MySQL; use create_empty_in_memory for SQLite"
                    .to_owned(),
            ));
        }
        let name = unique_name(test);
        let target = Target {
            dialect,
            admin_url: admin_url.to_owned(),
            name,
        };
        target.admin(true).await.map_err(|error| {
            Error::Server(format!("creating `{}` failed: {error}", target.name))
        })?;
        Ok(FreshDatabase {
            url: with_database(admin_url, &target.name),
            target,
        })
    }

    /// The URL of the created database.
    #[must_use]
    pub fn url(&self) -> &str {
        &self.url
    }

    /// The name of the created database.
    #[must_use]
    pub fn name(&self) -> &str {
        &self.target.name
    }

    /// The server's dialect.
    #[must_use]
    pub fn dialect(&self) -> Dialect {
        self.target.dialect
    }

    /// Connects a sqlx pool (`PgPool` or `MySqlPool`) to the created database. Needs the
    /// crate feature of the dialect (`postgres` or `mysql`); drop the pool before this
    /// value (declare it after).
    pub async fn connect(&self) -> Result<Box<dyn Database>> {
        let failed = |error: sqlx::Error| {
            Error::Server(format!("connecting to `{}`: {error}", self.target.name))
        };
        match self.target.dialect {
            #[cfg(feature = "postgres")]
            Dialect::Postgres => Ok(Box::new(
                sqlx::PgPool::connect(&self.url).await.map_err(failed)?,
            )),
            #[cfg(feature = "mysql")]
            Dialect::MySql => Ok(Box::new(
                sqlx::MySqlPool::connect(&self.url).await.map_err(failed)?,
            )),
            other => {
                let _ = failed;
                Err(Error::Unsupported(format!(
                    "connecting to {other} needs the crate feature `{}`",
                    if other == Dialect::MySql {
                        "mysql"
                    } else {
                        "postgres"
                    }
                )))
            }
        }
    }
}

impl Target {
    /// Creates (`create`) or drops the database through the admin URL.
    async fn admin(&self, create: bool) -> std::result::Result<(), sqlx::Error> {
        let name = quote(&self.name, self.dialect);
        let sql = match (self.dialect, create) {
            (_, true) => format!("CREATE DATABASE {name}"),
            (Dialect::Postgres, false) => format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"),
            (_, false) => format!("DROP DATABASE IF EXISTS {name}"),
        };
        match self.dialect {
            #[cfg(feature = "postgres")]
            Dialect::Postgres => {
                let mut conn = sqlx::PgConnection::connect(&self.admin_url).await?;
                conn.execute(sqlx::AssertSqlSafe(sql)).await?;
                conn.close().await
            }
            #[cfg(feature = "mysql")]
            Dialect::MySql => {
                let mut conn = sqlx::MySqlConnection::connect(&self.admin_url).await?;
                conn.execute(sqlx::AssertSqlSafe(sql)).await?;
                conn.close().await
            }
            other => Err(sqlx::Error::Configuration(
                format!(
                    "{other} test databases need the crate feature `{}` ({sql})",
                    if other == Dialect::MySql {
                        "mysql"
                    } else {
                        "postgres"
                    }
                )
                .into(),
            )),
        }
    }
}

impl Drop for FreshDatabase {
    fn drop(&mut self) {
        let target = self.target.clone();
        let dropped = std::thread::spawn(move || {
            let result = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .map_err(|e| e.to_string())
                .and_then(|runtime| {
                    runtime
                        .block_on(target.admin(false))
                        .map_err(|e| e.to_string())
                });
            if let Err(error) = result {
                let _ = writeln!(
                    std::io::stderr(),
                    "warning: dropping test database `{}`: {error}",
                    target.name
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

/// `sw_<test>_<pid>_<nanos>_<n>`: lowercase ASCII, at most 63 characters (PostgreSQL's
/// limit).
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
    fn names_are_short_unique_and_lowercase() {
        let name = unique_name("A very long test name that goes on and on and on");
        assert!(name.len() <= 63, "{name}");
        assert!(name.starts_with("sw_a_very_long_test_name_"));
        assert_ne!(unique_name("t"), unique_name("t"));
        assert!(
            unique_name("x\"; DROP DATABASE y")
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_')
        );
    }
}
