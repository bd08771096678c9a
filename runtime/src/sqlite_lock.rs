//! SQLite's migration lock: an OS file lock next to the database file.
//!
//! PostgreSQL and MySQL have session locks that the server drops with the connection of a
//! dead process. SQLite's own write lock lasts one transaction, so a runner holds an
//! exclusive OS file lock (`flock` on Unix, `LockFileEx` on Windows, through
//! [`std::fs::File::lock`]) on a sidecar file next to the database,
//! `<database file>-switchy-<table>.lock`, for its whole locked operation (a run, a
//! rollback, a recovery call, an adoption), exactly where the server databases hold their
//! lock. The OS releases it when the process dies, however it dies. It gives SQLite what
//! the server locks give:
//!
//! - the plan read under it stays true until this runner changes a row, so a step claims
//!   its row without re-reading it;
//! - nobody else can be between writing `in_progress` and its outcome, so an
//!   `in_progress` row seen under it was left by a dead process and is reported as dirty
//!   at once, not after the lock timeout.
//!
//! Each step still runs in its own `BEGIN IMMEDIATE` transaction, so writers that are not
//! migration runners wait for it as before.
//!
//! Limits: the sidecar file is created on first use and left in place (removing a lock
//! file races with its next user); the directory of the database must be writable, as it
//! must be for SQLite's own journal. An in-memory or temporary database has no file: its
//! runners (all in one process) re-check each step's row inside the step's write
//! transaction instead, and wait for an `in_progress` row up to the lock timeout. A
//! database file shared across machines through a network file system needs a file
//! system whose locks work across them.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::database::{Database, Dialect};
use crate::error::{Error, Result};
use crate::ident::TableName;

/// A held SQLite migration lock; released when dropped.
#[derive(Debug)]
pub(crate) struct Running {
    _file: File,
}

/// The sidecar lock file of `table` on `db`, or `None` when the database has no
/// file (in-memory, temporary) or is not SQLite.
pub(crate) async fn sidecar(db: &dyn Database, table: &TableName) -> Result<Option<PathBuf>> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(None);
    }
    let schema = table.schema().unwrap_or("main");
    let rows = db
        .query("SELECT name, file FROM pragma_database_list", &[])
        .await
        .map_err(|e| Error::database("reading the database's file name", e))?;
    let file = rows
        .iter()
        .find(|row| {
            row.get_str("name")
                .is_some_and(|n| n.eq_ignore_ascii_case(schema))
        })
        .and_then(|row| row.get_str("file"))
        .filter(|file| !file.is_empty());
    Ok(file.map(|file| PathBuf::from(format!("{file}-switchy-{}.lock", table.name()))))
}

fn open(path: &Path) -> Result<File> {
    OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(path)
        .map_err(|e| lock_file_error(path, &e))
}

fn lock_file_error(path: &Path, error: &std::io::Error) -> Error {
    Error::Unsupported(format!(
        "cannot use the lock file {} that marks a running migration: {error}",
        path.display()
    ))
}

/// Takes the lock at `path` if no process holds it: `None` when one does.
pub(crate) fn try_mark(path: &Path) -> Result<Option<Running>> {
    let file = open(path)?;
    match file.try_lock() {
        Ok(()) => Ok(Some(Running { _file: file })),
        Err(TryLockError::WouldBlock) => Ok(None),
        Err(TryLockError::Error(e)) => Err(lock_file_error(path, &e)),
    }
}

/// Takes the lock at `path`, waiting up to `timeout` while another process holds it.
pub(crate) async fn mark(path: &Path, timeout: Duration, poll: Duration) -> Result<Running> {
    let started = Instant::now();
    loop {
        if let Some(running) = try_mark(path)? {
            return Ok(running);
        }
        let waited = started.elapsed();
        if waited >= timeout {
            return Err(Error::LockTimeout {
                waited,
                lock: format!(
                    "the SQLite migration lock {}, held by another runner",
                    path.display()
                ),
            });
        }
        tokio::time::sleep(poll).await;
    }
}
