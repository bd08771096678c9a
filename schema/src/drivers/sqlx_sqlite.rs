//! The `sqlx_sqlite` driver (stub).
