//! Throwaway PostgreSQL and MySQL/MariaDB databases for tests that need a server.
//!
//! The logic lives in [`switchy_schema_test_utils::server`], shared with users of the test
//! utilities: a server test runs only when `SWITCHY_TEST_POSTGRES_URL` (e.g.
//! `postgres://postgres@127.0.0.1:5432/test`) or `SWITCHY_TEST_MYSQL_URL` (e.g.
//! `mysql://root@127.0.0.1:3306/test`) is set; otherwise
//! [`TestDatabase::from_env`](switchy_schema_test_utils::server::FreshDatabase::from_env)
//! writes a notice and the test returns early. Each test gets a database of its own,
//! dropped when the value is dropped, also when the test panics.

pub use switchy_schema_test_utils::server::{
    FreshDatabase as TestDatabase, skip_notice, url_variable,
};
