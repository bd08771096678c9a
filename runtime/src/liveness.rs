//! SQLite: telling a migration another process is running from one whose process died.
//!
//! On PostgreSQL and MySQL a runner holds the migration lock while it runs, and the server
//! drops the lock with the connection of a dead process, so an `in_progress` row seen
//! under the lock always belongs to a dead run. SQLite has no such lock across a
//! no-transaction step (its write lock is per transaction), so a runner marks itself
//! instead: while it runs a guarded step (a migration or `down` outside a transaction) it
//! holds an exclusive OS file lock (`flock` on Unix, `LockFileEx` on Windows, through
//! [`std::fs::File::lock`]) on a sidecar file next to the database,
//! `<database file>-switchy-<table>.lock`. It takes the lock before it writes the
//! `in_progress` row and releases it after it wrote the outcome; the OS releases it when
//! the process dies, however it dies.
//!
//! A runner that sees an `in_progress` row tries the same lock. Held: the row belongs to a
//! running process, so it waits (up to the lock timeout). Free: while it holds the lock
//! (or SQLite's write lock), nobody can be between writing `in_progress` and writing the
//! outcome, so a row still `in_progress` belongs to a dead process and is reported as
//! dirty at once, not after the lock timeout.
//!
//! Limits: the sidecar file is created on first use and left in place (removing a lock
//! file races with its next user). An in-memory or temporary database has no file, and
//! runners of switchy_schema before 0.5 take no such lock; for those an `in_progress` row
//! is waited for up to the lock timeout, as before. A database file shared across
//! machines through a network file system needs a file system whose locks work across
//! them.

use std::fs::{File, OpenOptions, TryLockError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use crate::database::{Database, Dialect};
use crate::error::{Error, Result};
use crate::tracker::Tracker;

/// A held liveness lock; released when dropped.
#[derive(Debug)]
pub(crate) struct Running {
    _file: File,
}

/// The sidecar lock file of `tracker`'s table on `db`, or `None` when the database has no
/// file (in-memory, temporary) or is not SQLite.
pub(crate) async fn sidecar(db: &dyn Database, tracker: &Tracker) -> Result<Option<PathBuf>> {
    if db.dialect() != Dialect::Sqlite {
        return Ok(None);
    }
    let schema = tracker.table().schema().unwrap_or("main");
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
    Ok(file.map(|file| PathBuf::from(format!("{file}-switchy-{}.lock", tracker.table().name()))))
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
                    "another process is running a migration outside a transaction ({})",
                    path.display()
                ),
            });
        }
        tokio::time::sleep(poll).await;
    }
}
