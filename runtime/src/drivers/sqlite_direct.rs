//! A text of several statements on a [`SqliteConnection`], run on the connection's own
//! SQLite handle instead of through sqlx's worker thread.
//!
//! sqlx runs each statement on the connection's worker thread and sends each statement's
//! result back to the async side through a channel: a thread hand-off per statement. For a
//! migration of many statements that hand-off dominated: a 10 MB `up.sql` of 80,000
//! `INSERT`s took 3× as long as SQLite executing the same text, and each migration of the
//! apply benchmark paid it once per statement too. Here the connection's handle is taken
//! from the worker ([`SqliteConnection::lock_handle`], sqlx's API for calling SQLite
//! directly) and the statements are prepared and stepped one after the other on the
//! calling thread, as `sqlite3_exec` would, but counting the statements that completed so
//! that an error still says how many ran ([`DatabaseError::statements_completed`]).
//!
//! The calling thread is busy for as long as the statements run (as with rusqlite); no
//! await point lies between two statements, so a cancelled call never stops half-way
//! through a text.
//!
//! This is the only `unsafe` code of the crate: three calls into SQLite's C API
//! (`sqlite3_prepare_v3`, `sqlite3_step`, `sqlite3_finalize`); the error is read through
//! sqlx's [`LockedSqliteHandle::last_error`](sqlx::sqlite::LockedSqliteHandle::last_error).

#![allow(unsafe_code)]

use std::ffi::{CString, c_char};
use std::ptr::{self, NonNull};

use libsqlite3_sys as ffi;
use sqlx::sqlite::{Sqlite, SqliteConnection};

use super::sqlx_common::map_error;
use crate::error::{DatabaseError, DatabaseErrorKind};

/// Runs the statements of `sql` in order on `conn`'s handle, each stepped to its end, and
/// stops at the first error.
///
/// A text holding a NUL byte is refused before anything runs: SQLite would take the NUL for
/// the end of the text and silently skip the rest.
pub(crate) async fn exec_raw(conn: &mut SqliteConnection, sql: &str) -> Result<(), DatabaseError> {
    // SQLite reads a NUL-terminated text in place; given a length instead, it copies the
    // rest of the text to prepare each statement (quadratic in the text's length).
    let text =
        CString::new(sql).map_err(|error| super::nul_in_sqlite_text(error.nul_position()))?;
    let mut handle = conn.lock_handle().await.map_err(map_error::<Sqlite>)?;
    let db = handle.as_raw_handle();
    let mut completed = 0;
    // SAFETY: `handle` keeps sqlx's worker thread off the connection until it is dropped,
    // after this call; `db` is its open connection.
    let failed = unsafe { run_statements(db, &text, &mut completed) };
    match failed {
        None => Ok(()),
        Some(code) => {
            let error = handle.last_error().map_or_else(
                || {
                    DatabaseError::new(
                        DatabaseErrorKind::Query,
                        format!("SQLite failed with result code {code}"),
                    )
                },
                |error| map_error::<Sqlite>(sqlx::Error::Database(Box::new(error))),
            );
            Err(error.with_statements_completed(completed))
        }
    }
}

/// Prepares and steps each statement of `text` on `db`, counting the completed ones in
/// `completed`; returns the result code of the first failure, with `db`'s error message
/// still set for it.
///
/// # Safety
/// `db` is an open SQLite connection that nothing else uses until this returns.
unsafe fn run_statements(
    db: NonNull<ffi::sqlite3>,
    text: &CString,
    completed: &mut usize,
) -> Option<i32> {
    let db = db.as_ptr();
    let mut rest: *const c_char = text.as_ptr();
    // SAFETY (whole loop): `rest` always points into `text` (SQLite sets the tail to the
    // end of the statement it prepared, at most the terminating NUL), which outlives the
    // loop; every prepared statement is finalized by `Prepared`'s drop before the next
    // one is prepared or the function returns.
    while unsafe { *rest } != 0 {
        let mut statement = ptr::null_mut();
        let mut tail = ptr::null();
        let code =
            unsafe { ffi::sqlite3_prepare_v3(db, rest, -1, 0, &raw mut statement, &raw mut tail) };
        if code != ffi::SQLITE_OK {
            return Some(code);
        }
        rest = tail;
        // Only whitespace or a comment was left: no statement.
        let Some(statement) = NonNull::new(statement) else {
            continue;
        };
        let prepared = Prepared(statement);
        let code = loop {
            let code = unsafe { ffi::sqlite3_step(prepared.0.as_ptr()) };
            if code != ffi::SQLITE_ROW {
                break code;
            }
        };
        // Finalizing a failed statement leaves its error as the connection's error,
        // which the caller reads.
        drop(prepared);
        if code != ffi::SQLITE_DONE {
            return Some(code);
        }
        *completed += 1;
    }
    None
}

/// A prepared statement, finalized when dropped.
struct Prepared(NonNull<ffi::sqlite3_stmt>);

impl Drop for Prepared {
    fn drop(&mut self) {
        // SAFETY: made from a statement `sqlite3_prepare_v3` returned, finalized only here.
        unsafe { ffi::sqlite3_finalize(self.0.as_ptr()) };
    }
}
