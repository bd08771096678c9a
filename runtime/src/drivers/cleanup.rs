//! Cleanup statements queued by [`Database::queue_cleanup`](crate::Database::queue_cleanup)
//! on a `tokio::sync::Mutex` around a connection that cannot be reached from `Drop`: they
//! wait here, under the mutex's address, and run before the next statement sent through the
//! same mutex.
//!
//! An address cannot be reused while the runner that queued a statement borrows the mutex;
//! a later mutex at the same address runs the statements against a session that does not
//! hold the lock, where releasing it is a no-op.

use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard, PoisonError};

/// `(address of the mutex, sequence number, SQL)`, oldest first.
static QUEUED: Mutex<Vec<(usize, u64, String)>> = Mutex::new(Vec::new());
/// How many statements [`QUEUED`] holds: a lock-free fast path for the common case.
static COUNT: AtomicUsize = AtomicUsize::new(0);
static SEQUENCE: AtomicU64 = AtomicU64::new(0);

fn queued() -> MutexGuard<'static, Vec<(usize, u64, String)>> {
    QUEUED.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The key of `mutex`: its address.
pub(crate) fn key<T>(mutex: &tokio::sync::Mutex<T>) -> usize {
    std::ptr::from_ref(mutex).addr()
}

/// Queues `sql` for the connection behind the mutex `key`.
pub(crate) fn queue(key: usize, sql: &str) {
    let sequence = SEQUENCE.fetch_add(1, Ordering::Relaxed);
    queued().push((key, sequence, sql.to_owned()));
    COUNT.fetch_add(1, Ordering::Release);
}

/// The oldest statement queued for `key`, with its sequence number for [`done`].
pub(crate) fn next(key: usize) -> Option<(u64, String)> {
    if COUNT.load(Ordering::Acquire) == 0 {
        return None;
    }
    queued()
        .iter()
        .find(|(at, ..)| *at == key)
        .map(|(_, sequence, sql)| (*sequence, sql.clone()))
}

/// Removes a statement once it ran. Until then it stays queued, so a caller dropped
/// half-way leaves it for the next one (running a release twice releases nothing more).
pub(crate) fn done(sequence: u64) {
    let mut queue = queued();
    if let Some(index) = queue.iter().position(|(_, s, _)| *s == sequence) {
        queue.remove(index);
        COUNT.fetch_sub(1, Ordering::Release);
    }
}
