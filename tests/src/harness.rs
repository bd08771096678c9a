//! One fresh database per test, on every backend this machine offers.
//!
//! SQLite backends always run, on a file in a temporary directory. PostgreSQL and MySQL
//! backends run when their server URL is set, each test on a database of its own (see
//! [`servers`]); otherwise they are skipped with a notice.

use std::path::PathBuf;

use switchy_schema::{Database, Dialect};

use crate::servers;

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

/// A fresh, empty database for one test, and how to reach it from another process.
pub struct TestDatabase {
    /// The backend.
    pub backend: Backend,
    /// The handle under test.
    pub db: Box<dyn Database>,
    /// A URL (server backends) or file path (SQLite) naming the same database.
    pub location: String,
    _server: Option<servers::TestDatabase>,
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
///
/// # Panics
/// When the temporary directory or the database cannot be created.
pub async fn open(backend: Backend, test: &str) -> Option<TestDatabase> {
    let (location, server, dir) = match backend.dialect() {
        Dialect::Sqlite => {
            let dir = tempfile::tempdir().expect("temporary directory");
            let path: PathBuf = dir.path().join("test.db");
            (path.to_string_lossy().into_owned(), None, Some(dir))
        }
        dialect @ (Dialect::Postgres | Dialect::MySql) => {
            let server = servers::TestDatabase::from_env(dialect, test).await?;
            (server.url().to_owned(), Some(server), None)
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
