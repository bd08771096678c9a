//! `Database` implementations, one file per driver, each behind the feature named after it.

#[cfg(any(
    feature = "sqlx-sqlite",
    feature = "sqlx-postgres",
    feature = "sqlx-mysql",
    feature = "tokio-postgres"
))]
mod cleanup;
#[cfg(any(feature = "sqlx-postgres", feature = "tokio-postgres"))]
mod pg_decode;
#[cfg(feature = "rusqlite")]
pub mod rusqlite;
#[cfg(feature = "sqlx-sqlite")]
mod sqlite_direct;
#[cfg(any(
    feature = "sqlx-sqlite",
    feature = "sqlx-postgres",
    feature = "sqlx-mysql"
))]
mod sqlx_common;
#[cfg(feature = "sqlx-mysql")]
pub mod sqlx_mysql;
#[cfg(feature = "sqlx-postgres")]
pub mod sqlx_postgres;
#[cfg(feature = "sqlx-sqlite")]
pub mod sqlx_sqlite;
#[cfg(feature = "tokio-postgres")]
pub mod tokio_postgres;

/// The error for a SQL text with a NUL byte at byte `at`, which the SQLite drivers refuse.
#[cfg(any(feature = "sqlx-sqlite", feature = "rusqlite"))]
pub(crate) fn nul_in_sqlite_text(at: usize) -> crate::DatabaseError {
    crate::DatabaseError::new(
        crate::DatabaseErrorKind::Query,
        format!(
            "the SQL text holds a NUL byte at byte {at}: SQLite would take it for the end of \
             the text and skip the rest, so nothing was run"
        ),
    )
    .with_statements_completed(0)
}
