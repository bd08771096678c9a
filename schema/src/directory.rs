//! Migrations read from a directory at run time (stub).
