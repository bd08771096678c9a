//! The `tokio_postgres` driver (stub).
