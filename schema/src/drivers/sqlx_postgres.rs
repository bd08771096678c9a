//! The `sqlx_postgres` driver (stub).
