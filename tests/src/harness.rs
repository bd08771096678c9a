//! One fresh database per test, on every backend this machine offers.
//!
//! SQLite backends always run, on a file in a temporary directory. PostgreSQL backends run
//! when `SWITCHY_TEST_POSTGRES_URL` is set and MySQL when `SWITCHY_TEST_MYSQL_URL` is set;
//! each test then gets a database of its own, created from that server URL and dropped
//! when the test ends, even when it fails. Without the variables, those backends are
//! skipped with a notice written straight to stderr (so that libtest's capture does not
//! hide it).

use std::io::Write;
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use switchy_schema::{Database, Dialect};

/// A driver and engine a test can run on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// `sqlx::SqlitePool` on a file.
    SqlxSqlite,
    /// `Mutex<rusqlite::Connection>` on a file.
    Rusqlite,
    /// `sqlx::PgPool`.
    SqlxPostgres,
    /// `tokio_postgres::Client`.
    TokioPostgres,
    /// `sqlx::MySqlPool` (MariaDB here).
    SqlxMySql,
}

impl Backend {
    /// Every backend.
    pub const ALL: [Backend; 5] = [
        Backend::SqlxSqlite,
        Backend::Rusqlite,
        Backend::SqlxPostgres,
        Backend::TokioPostgres,
        Backend::SqlxMySql,
    ];

    /// The backends whose databases have transactional DDL.
    pub const TRANSACTIONAL: [Backend; 4] = [
        Backend::SqlxSqlite,
        Backend::Rusqlite,
        Backend::SqlxPostgres,
        Backend::TokioPostgres,
    ];

    /// The SQL dialect.
    #[must_use]
    pub fn dialect(self) -> Dialect {
        match self {
            Backend::SqlxSqlite | Backend::Rusqlite => Dialect::Sqlite,
            Backend::SqlxPostgres | Backend::TokioPostgres => Dialect::Postgres,
            Backend::SqlxMySql => Dialect::MySql,
        }
    }

    /// The name used in `migrate_once` arguments and messages.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Backend::SqlxSqlite => "sqlx-sqlite",
            Backend::Rusqlite => "rusqlite",
            Backend::SqlxPostgres => "sqlx-postgres",
            Backend::TokioPostgres => "tokio-postgres",
            Backend::SqlxMySql => "sqlx-mysql",
        }
    }

    /// The backend named `name`.
    #[must_use]
    pub fn from_name(name: &str) -> Option<Backend> {
        Backend::ALL.into_iter().find(|b| b.name() == name)
    }
}

/// Writes a notice to stderr, bypassing libtest's output capture.
pub fn notice(text: &str) {
    let _ = writeln!(std::io::stderr().lock(), "notice: {text}");
}

/// The server URL for `dialect` from the environment, or `None` (with a notice) when
/// unset.
#[must_use]
pub fn server_url(dialect: Dialect, test: &str) -> Option<String> {
    let variable = match dialect {
        Dialect::Postgres => "SWITCHY_TEST_POSTGRES_URL",
        Dialect::MySql => "SWITCHY_TEST_MYSQL_URL",
        Dialect::Sqlite => return Some(String::new()),
    };
    match std::env::var(variable) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            notice(&format!(
                "{test}: skipped on {dialect}: set {variable} to run it"
            ));
            None
        }
    }
}

/// A name no other test or run uses: `sw_<test>_<pid>_<time>_<counter>`, lowercase,
/// at most 63 bytes.
#[must_use]
pub fn unique_name(test: &str) -> String {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let count = COUNTER.fetch_add(1, Ordering::Relaxed);
    let prefix: String = test
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '_'
            }
        })
        .take(30)
        .collect();
    format!("sw_{prefix}_{}_{nanos}_{count}", std::process::id())
}

/// Replaces the database name (the path) of a server URL.
fn with_database(url: &str, database: &str) -> String {
    let (base, query) = url
        .split_once('?')
        .map_or((url, None), |(b, q)| (b, Some(q)));
    let scheme_end = base.find("://").map_or(0, |i| i + 3);
    let host_end = base[scheme_end..]
        .find('/')
        .map_or(base.len(), |i| scheme_end + i);
    let mut out = format!("{}/{database}", &base[..host_end]);
    if let Some(query) = query {
        out.push('?');
        out.push_str(query);
    }
    out
}

/// Drops the database it names when dropped.
struct ServerDatabase {
    admin_url: String,
    name: String,
    dialect: Dialect,
}

impl Drop for ServerDatabase {
    fn drop(&mut self) {
        let admin_url = self.admin_url.clone();
        let name = self.name.clone();
        let dialect = self.dialect;
        // The test's own runtime may be gone or busy; drop from a thread with its own.
        let handle = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build();
            if let Ok(runtime) = runtime {
                runtime.block_on(drop_database(&admin_url, &name, dialect));
            }
        });
        let _ = handle.join();
    }
}

async fn drop_database(admin_url: &str, name: &str, dialect: Dialect) {
    use sqlx::Connection;
    match dialect {
        Dialect::Postgres => {
            if let Ok(mut conn) = sqlx::PgConnection::connect(admin_url).await {
                let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                )))
                .execute(&mut conn)
                .await;
            }
        }
        Dialect::MySql => {
            if let Ok(mut conn) = sqlx::MySqlConnection::connect(admin_url).await {
                let _ = sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                    "DROP DATABASE IF EXISTS `{name}`"
                )))
                .execute(&mut conn)
                .await;
            }
        }
        Dialect::Sqlite => {}
    }
}

async fn create_database(admin_url: &str, name: &str, dialect: Dialect) -> ServerDatabase {
    use sqlx::Connection;
    // `name` comes from `unique_name`: ASCII letters, digits and `_` only.
    match dialect {
        Dialect::Postgres => {
            let mut conn = sqlx::PgConnection::connect(admin_url)
                .await
                .unwrap_or_else(|e| {
                    panic!("SWITCHY_TEST_POSTGRES_URL is set but {admin_url} is unreachable: {e}")
                });
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE \"{name}\"")))
                .execute(&mut conn)
                .await
                .expect("create the test database");
        }
        Dialect::MySql => {
            let mut conn = sqlx::MySqlConnection::connect(admin_url)
                .await
                .unwrap_or_else(|e| {
                    panic!("SWITCHY_TEST_MYSQL_URL is set but {admin_url} is unreachable: {e}")
                });
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE `{name}`")))
                .execute(&mut conn)
                .await
                .expect("create the test database");
        }
        Dialect::Sqlite => {}
    }
    ServerDatabase {
        admin_url: admin_url.to_owned(),
        name: name.to_owned(),
        dialect,
    }
}

/// A fresh, empty database for one test, and how to reach it from another process.
pub struct TestDatabase {
    /// The backend.
    pub backend: Backend,
    /// The handle under test.
    pub db: Box<dyn Database>,
    /// A URL (server backends) or file path (SQLite) naming the same database.
    pub location: String,
    _server: Option<ServerDatabase>,
    _dir: Option<tempfile::TempDir>,
}

impl TestDatabase {
    /// Opens another handle of the same backend on the same database.
    pub async fn reopen(&self) -> Box<dyn Database> {
        connect(self.backend, &self.location).await
    }
}

/// Connects `backend` to `location` (a URL, or a SQLite file path).
///
/// # Panics
/// When the connection fails: tests want to stop there.
pub async fn connect(backend: Backend, location: &str) -> Box<dyn Database> {
    match backend {
        Backend::SqlxSqlite => {
            let options = sqlx::sqlite::SqliteConnectOptions::new()
                .filename(location)
                .create_if_missing(true)
                .busy_timeout(std::time::Duration::from_secs(30));
            Box::new(
                sqlx::SqlitePool::connect_with(options)
                    .await
                    .expect("open SQLite file"),
            )
        }
        Backend::Rusqlite => {
            let conn = rusqlite::Connection::open(location).expect("open SQLite file");
            conn.busy_timeout(std::time::Duration::from_secs(30))
                .expect("busy timeout");
            Box::new(std::sync::Mutex::new(conn))
        }
        Backend::SqlxPostgres => Box::new(
            sqlx::PgPool::connect(location)
                .await
                .expect("connect to PostgreSQL"),
        ),
        Backend::TokioPostgres => {
            let (client, connection) = tokio_postgres::connect(location, tokio_postgres::NoTls)
                .await
                .expect("connect to PostgreSQL");
            tokio::spawn(async move {
                let _ = connection.await;
            });
            Box::new(client)
        }
        Backend::SqlxMySql => Box::new(
            sqlx::MySqlPool::connect(location)
                .await
                .expect("connect to MySQL"),
        ),
    }
}

/// A fresh database on `backend` for the test named `test`, or `None` (with a notice) when
/// the backend's server is not configured.
pub async fn open(backend: Backend, test: &str) -> Option<TestDatabase> {
    let dialect = backend.dialect();
    let admin_url = server_url(dialect, test)?;
    let name = unique_name(test);
    let (location, server, dir) = match dialect {
        Dialect::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let path: PathBuf = dir.path().join(format!("{name}.db"));
            (path.to_string_lossy().into_owned(), None, Some(dir))
        }
        Dialect::Postgres | Dialect::MySql => {
            let server = create_database(&admin_url, &name, dialect).await;
            (with_database(&admin_url, &name), Some(server), None)
        }
    };
    let db = connect(backend, &location).await;
    Some(TestDatabase {
        backend,
        db,
        location,
        _server: server,
        _dir: dir,
    })
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
    fn unique_names_are_short_and_distinct() {
        let a = unique_name("a_very_long_test_name_that_goes_on_and_on_and_on");
        let b = unique_name("a_very_long_test_name_that_goes_on_and_on_and_on");
        assert_ne!(a, b);
        assert!(a.len() <= 63, "{a}");
    }
}
