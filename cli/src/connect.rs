//! Database URLs: which backend, the password kept out of every output, and the connection.

use std::path::PathBuf;
use std::str::FromStr as _;
use std::time::Duration;

use sqlx::mysql::{MySqlConnectOptions, MySqlPoolOptions};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePoolOptions};
use switchy_schema::{Database, Dialect};

use crate::error::{CliError, Exit};
use crate::output;

/// How long connecting to a server may take before it is a connection error.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// A parsed database URL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub(crate) dialect: Dialect,
    /// The URL sqlx is given (`mariadb:` rewritten to `mysql:`).
    url: String,
    /// For SQLite: the file, `None` for an in-memory database.
    pub(crate) sqlite_file: Option<PathBuf>,
    /// Whether the URL sets SQLite's `mode=` itself.
    sqlite_mode_given: bool,
}

/// An open connection pool.
pub(crate) enum Connection {
    Sqlite(sqlx::SqlitePool),
    Postgres(sqlx::PgPool),
    MySql(sqlx::MySqlPool),
}

impl Connection {
    pub(crate) fn db(&self) -> &dyn Database {
        match self {
            Connection::Sqlite(pool) => pool,
            Connection::Postgres(pool) => pool,
            Connection::MySql(pool) => pool,
        }
    }

    pub(crate) async fn close(self) {
        match self {
            Connection::Sqlite(pool) => pool.close().await,
            Connection::Postgres(pool) => pool.close().await,
            Connection::MySql(pool) => pool.close().await,
        }
    }
}

/// `url` with its password (in the user part and in a `password=` parameter) replaced by
/// `***`.
pub(crate) fn redact(url: &str) -> String {
    let mut redacted = url.to_owned();
    for secret in secrets(url) {
        redacted = redacted.replace(&secret, "***");
    }
    redacted
}

/// The passwords written in `url`, as written and percent-decoded.
pub(crate) fn secrets(url: &str) -> Vec<String> {
    let mut found = Vec::new();
    if let Some((_, rest)) = url.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
        if let Some((userinfo, _)) = authority.rsplit_once('@')
            && let Some((_, password)) = userinfo.split_once(':')
        {
            found.push(password.to_owned());
        }
    }
    if let Some((_, query)) = url.split_once('?') {
        for pair in query.split('&') {
            if let Some((key, value)) = pair.split_once('=')
                && (key.eq_ignore_ascii_case("password") || key.eq_ignore_ascii_case("sslpassword"))
            {
                found.push(value.to_owned());
            }
        }
    }
    let decoded: Vec<String> = found.iter().map(|s| percent_decode(s)).collect();
    found.extend(decoded);
    found.retain(|secret| !secret.is_empty());
    found.sort();
    found.dedup();
    found
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(hex) = bytes.get(i + 1..i + 3)
            && let Some(byte) = std::str::from_utf8(hex)
                .ok()
                .and_then(|hex| u8::from_str_radix(hex, 16).ok())
        {
            out.push(byte);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

impl Target {
    /// Parses `url`, registering its password for scrubbing first.
    pub(crate) fn parse(url: &str) -> Result<Target, CliError> {
        for secret in secrets(url) {
            output::add_secret(&secret);
        }
        let url = url.trim();
        let Some((scheme, rest)) = url.split_once(':') else {
            return Err(unsupported(url));
        };
        match scheme.to_ascii_lowercase().as_str() {
            "sqlite" => {
                let (path, query) = match rest.split_once('?') {
                    Some((path, query)) => (path, Some(query)),
                    None => (rest, None),
                };
                let path = path.strip_prefix("//").unwrap_or(path);
                let sqlite_file = if path.is_empty() || path == ":memory:" {
                    None
                } else {
                    Some(PathBuf::from(path))
                };
                Ok(Target {
                    dialect: Dialect::Sqlite,
                    url: url.to_owned(),
                    sqlite_file,
                    sqlite_mode_given: query
                        .is_some_and(|q| q.split('&').any(|p| p.starts_with("mode="))),
                })
            }
            "postgres" | "postgresql" => Ok(Target {
                dialect: Dialect::Postgres,
                url: url.to_owned(),
                sqlite_file: None,
                sqlite_mode_given: false,
            }),
            "mysql" | "mariadb" => Ok(Target {
                dialect: Dialect::MySql,
                url: format!("mysql:{rest}"),
                sqlite_file: None,
                sqlite_mode_given: false,
            }),
            _ => Err(unsupported(url)),
        }
    }

    /// Connects. A SQLite file that does not exist is created when `create` is set (the
    /// commands that write); otherwise the caller decides (see [`Target::sqlite_missing`]).
    pub(crate) async fn connect(&self, create: bool) -> Result<Connection, CliError> {
        let redacted = redact(&self.url);
        let failed = |error: sqlx::Error| {
            CliError::new(
                Exit::Connection,
                format!(
                    "connecting to {redacted} failed; check the URL, the credentials and that the database is reachable"
                ),
            )
            .caused_by(error)
        };
        match self.dialect {
            Dialect::Sqlite => {
                let mut options = SqliteConnectOptions::from_str(&self.url).map_err(failed)?;
                if !self.sqlite_mode_given {
                    options = options.create_if_missing(create);
                }
                let pool = SqlitePoolOptions::new()
                    // One connection: a CLI runs one thing at a time, and leaving WAL mode
                    // needs the only open connection.
                    .max_connections(1)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(failed)?;
                Ok(Connection::Sqlite(pool))
            }
            Dialect::Postgres => {
                let options = PgConnectOptions::from_str(&self.url).map_err(failed)?;
                probe(&options).await.map_err(failed)?;
                let pool = PgPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(failed)?;
                Ok(Connection::Postgres(pool))
            }
            Dialect::MySql => {
                let options = MySqlConnectOptions::from_str(&self.url).map_err(failed)?;
                probe(&options).await.map_err(failed)?;
                let pool = MySqlPoolOptions::new()
                    .max_connections(2)
                    .acquire_timeout(CONNECT_TIMEOUT)
                    .connect_with(options)
                    .await
                    .map_err(failed)?;
                Ok(Connection::MySql(pool))
            }
        }
    }

    /// For a SQLite file URL whose file does not exist (and whose URL sets no `mode=`): the
    /// file. Read-only commands then show an empty database instead of creating the file.
    pub(crate) fn sqlite_missing(&self) -> Option<&std::path::Path> {
        match &self.sqlite_file {
            Some(path) if !self.sqlite_mode_given && !path.exists() => Some(path),
            _ => None,
        }
    }

    /// The URL with its password replaced by `***`.
    pub(crate) fn redacted(&self) -> String {
        redact(&self.url)
    }
}

/// Opens and closes one connection: its error says what is wrong ("connection refused",
/// "password authentication failed"), where the pool's would only say it timed out.
async fn probe<O>(options: &O) -> Result<(), sqlx::Error>
where
    O: sqlx::ConnectOptions,
    O::Connection: Sized,
{
    use sqlx::Connection as _;
    let connection = tokio::time::timeout(CONNECT_TIMEOUT, options.connect())
        .await
        .map_err(|_| sqlx::Error::PoolTimedOut)??;
    connection.close().await
}

fn unsupported(url: &str) -> CliError {
    CliError::usage(format!(
        "the database URL `{}` is not supported; write sqlite:PATH, sqlite::memory:, postgres://USER@HOST/DB, mysql://USER@HOST/DB or mariadb://USER@HOST/DB",
        redact(url)
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_are_found_and_redacted() {
        assert_eq!(
            redact("postgres://app:s3cr%40t@db:5432/x?sslmode=disable"),
            "postgres://app:***@db:5432/x?sslmode=disable"
        );
        assert_eq!(
            secrets("postgres://app:s3cr%40t@db/x"),
            ["s3cr%40t", "s3cr@t"]
        );
        assert_eq!(
            redact("mysql://root@db/x?password=hunter2"),
            "mysql://root@db/x?password=***"
        );
        assert!(secrets("sqlite:my:file.db").is_empty());
        assert!(secrets("postgres://app@db/x").is_empty());
    }

    #[test]
    fn schemes() {
        let sqlite = Target::parse("sqlite://data/app.db").unwrap();
        assert_eq!(sqlite.dialect, Dialect::Sqlite);
        assert_eq!(sqlite.sqlite_file, Some(PathBuf::from("data/app.db")));
        assert_eq!(
            Target::parse("sqlite:app.db").unwrap().sqlite_file,
            Some(PathBuf::from("app.db"))
        );
        assert_eq!(Target::parse("sqlite::memory:").unwrap().sqlite_file, None);
        assert_eq!(
            Target::parse("sqlite://:memory:").unwrap().sqlite_file,
            None
        );
        assert!(
            Target::parse("sqlite:x.db?mode=rwc")
                .unwrap()
                .sqlite_mode_given
        );
        assert_eq!(
            Target::parse("postgresql://h/d").unwrap().dialect,
            Dialect::Postgres
        );
        let maria = Target::parse("mariadb://root@h/d").unwrap();
        assert_eq!(maria.dialect, Dialect::MySql);
        assert_eq!(maria.url, "mysql://root@h/d");
        let error = Target::parse("mongodb://u:topsecret@h/d").unwrap_err();
        assert_eq!(error.exit, Exit::Usage);
        assert!(!error.to_string().contains("topsecret"), "{error}");
    }
}
