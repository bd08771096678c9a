//! The `rusqlite` driver (stub).
