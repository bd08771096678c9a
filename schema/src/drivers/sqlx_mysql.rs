//! The `sqlx_mysql` driver (stub).
