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
