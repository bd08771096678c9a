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
//! The runner's start-up read ([`query_once`]) runs here too: through the worker, every
//! row is one more hand-off, and a thousand rows cost milliseconds.
//!
//! This is the only `unsafe` code of the crate: calls into SQLite's C API to prepare, step
//! and finalize statements and to read the columns of a row; the error is read through
//! sqlx's [`LockedSqliteHandle::last_error`](sqlx::sqlite::LockedSqliteHandle::last_error).

#![allow(unsafe_code)]

use std::borrow::Cow;
use std::ffi::{CStr, CString, c_char};
use std::ptr::{self, NonNull};

use libsqlite3_sys as ffi;
use sqlx::sqlite::{LockedSqliteHandle, Sqlite, SqliteConnection};

use super::sqlx_common::map_error;
use crate::error::{DatabaseError, DatabaseErrorKind};
use crate::text_sink::{TextSink, push_display, utf8};

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
        Some(code) => Err(sqlite_error(&mut handle, code).with_statements_completed(completed)),
    }
}

/// [`Database::query_once`](crate::Database::query_once): the one statement of `sql`, its
/// rows read on the calling thread and handed to `sink` as text as each row is stepped:
/// numbers as their decimal text, text and blobs read as UTF-8, `NULL` as `None`.
///
/// Text after the statement (other than whitespace and comments) is refused, as rusqlite
/// refuses it.
pub(crate) async fn query_once(
    conn: &mut SqliteConnection,
    sql: &str,
    sink: &mut dyn TextSink,
) -> Result<(), DatabaseError> {
    let text =
        CString::new(sql).map_err(|error| super::nul_in_sqlite_text(error.nul_position()))?;
    let mut handle = conn.lock_handle().await.map_err(map_error::<Sqlite>)?;
    let db = handle.as_raw_handle();
    // SAFETY: as in `exec_raw`.
    match unsafe { read_rows(db, &text, sink) } {
        Ok(()) => Ok(()),
        Err(ReadFailure::Sqlite(code)) => Err(sqlite_error(&mut handle, code)),
        Err(ReadFailure::Other(error)) => Err(error),
    }
}

/// The connection's error for the failed result `code`.
fn sqlite_error(handle: &mut LockedSqliteHandle<'_>, code: i32) -> DatabaseError {
    handle.last_error().map_or_else(
        || {
            DatabaseError::new(
                DatabaseErrorKind::Query,
                format!("SQLite failed with result code {code}"),
            )
        },
        |error| map_error::<Sqlite>(sqlx::Error::Database(Box::new(error))),
    )
}

/// Why [`read_rows`] stopped.
enum ReadFailure {
    /// A SQLite result code; the connection's error message describes it.
    Sqlite(i32),
    /// A value that is not UTF-8, or a second statement.
    Other(DatabaseError),
}

/// Prepares the statement of `text` on `db` and hands every row of it to `sink`.
///
/// # Safety
/// `db` is an open SQLite connection that nothing else uses until this returns.
unsafe fn read_rows(
    db: NonNull<ffi::sqlite3>,
    text: &CString,
    sink: &mut dyn TextSink,
) -> Result<(), ReadFailure> {
    let db = db.as_ptr();
    // SAFETY: `text` is NUL-terminated and outlives the statement.
    let (prepared, tail) = unsafe { prepare(db, text.as_ptr()) }.map_err(ReadFailure::Sqlite)?;
    let Some(prepared) = prepared else {
        sink.start(&mut std::iter::empty());
        return Ok(());
    };
    // SAFETY: `tail` points into `text`, at most at its NUL.
    if unsafe { holds_a_statement(db, tail) } {
        let at = (tail as usize).saturating_sub(text.as_ptr() as usize);
        return Err(ReadFailure::Other(DatabaseError::new(
            DatabaseErrorKind::Query,
            format!("a query runs one statement, and another one follows at byte {at}"),
        )));
    }
    let stmt = prepared.0.as_ptr();
    // SAFETY (rest of the function): `stmt` is prepared and alive until `prepared` drops.
    let width = unsafe { ffi::sqlite3_column_count(stmt) };
    // The names live as long as the statement, which outlives `columns`.
    let columns: Vec<Cow<'_, str>> = (0..width)
        .map(|index| {
            let name = unsafe { ffi::sqlite3_column_name(stmt, index) };
            if name.is_null() {
                return Cow::Borrowed("");
            }
            unsafe { CStr::from_ptr(name) }.to_string_lossy()
        })
        .collect();
    sink.start(&mut columns.iter().map(AsRef::as_ref));
    let mut scratch = String::new();
    loop {
        match unsafe { ffi::sqlite3_step(stmt) } {
            ffi::SQLITE_ROW => {}
            ffi::SQLITE_DONE => return Ok(()),
            code => return Err(ReadFailure::Sqlite(code)),
        }
        for (index, name) in (0..width).zip(&columns) {
            match unsafe { ffi::sqlite3_column_type(stmt, index) } {
                ffi::SQLITE_NULL => sink.push(None),
                ffi::SQLITE_INTEGER => {
                    let value = unsafe { ffi::sqlite3_column_int64(stmt, index) };
                    push_display(sink, &mut scratch, value);
                }
                ffi::SQLITE_FLOAT => {
                    let value = unsafe { ffi::sqlite3_column_double(stmt, index) };
                    push_display(sink, &mut scratch, value);
                }
                kind => {
                    // The pointer first, then the length: asking for the length first could
                    // convert the value a second time.
                    let data = if kind == ffi::SQLITE_BLOB {
                        unsafe { ffi::sqlite3_column_blob(stmt, index) }.cast::<u8>()
                    } else {
                        unsafe { ffi::sqlite3_column_text(stmt, index) }
                    };
                    let length = usize::try_from(unsafe { ffi::sqlite3_column_bytes(stmt, index) })
                        .unwrap_or_default();
                    let bytes = if data.is_null() || length == 0 {
                        &[][..]
                    } else {
                        // SAFETY: SQLite keeps `length` bytes at `data` until the next
                        // step, reset or finalize of `stmt`.
                        unsafe { std::slice::from_raw_parts(data, length) }
                    };
                    sink.push(Some(utf8(bytes, name).map_err(ReadFailure::Other)?));
                }
            }
        }
    }
}

/// Whether the text at `rest` holds a statement (not only whitespace and comments).
///
/// # Safety
/// `db` is an open connection used by nothing else; `rest` points into a NUL-terminated
/// text that outlives the call.
unsafe fn holds_a_statement(db: *mut ffi::sqlite3, rest: *const c_char) -> bool {
    if unsafe { *rest } == 0 {
        return false;
    }
    // SAFETY: the caller's contract; a statement prepared here is finalized at once.
    match unsafe { prepare(db, rest) } {
        Ok((prepared, _)) => prepared.is_some(),
        // A syntax error after the statement is text after it too.
        Err(_) => true,
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
        let (prepared, tail) = match unsafe { prepare(db, rest) } {
            Ok(prepared) => prepared,
            Err(code) => return Some(code),
        };
        rest = tail;
        // Only whitespace or a comment was left: no statement.
        let Some(prepared) = prepared else {
            continue;
        };
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

/// Prepares the first statement of the NUL-terminated text at `at`: the statement (`None`
/// when only whitespace or comments were left) and where the rest of the text starts, or
/// the failed result code, with `db`'s error message set for it.
///
/// # Safety
/// `db` is an open connection used by nothing else; `at` points into a NUL-terminated text
/// that outlives the returned statement.
unsafe fn prepare(
    db: *mut ffi::sqlite3,
    at: *const c_char,
) -> Result<(Option<Prepared>, *const c_char), i32> {
    let mut statement = ptr::null_mut();
    let mut tail = ptr::null();
    // SAFETY: the caller's contract; SQLite sets `tail` within the text, at most at its NUL.
    let code = unsafe { ffi::sqlite3_prepare_v3(db, at, -1, 0, &raw mut statement, &raw mut tail) };
    if code != ffi::SQLITE_OK {
        return Err(code);
    }
    Ok((NonNull::new(statement).map(Prepared), tail))
}

/// A prepared statement, finalized when dropped.
struct Prepared(NonNull<ffi::sqlite3_stmt>);

impl Drop for Prepared {
    fn drop(&mut self) {
        // SAFETY: made from a statement `sqlite3_prepare_v3` returned, finalized only here.
        unsafe { ffi::sqlite3_finalize(self.0.as_ptr()) };
    }
}
