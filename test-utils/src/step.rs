//! Async closures as stored steps.
//!
//! The helpers take `impl AsyncFn(&dyn Database) -> Result<(), BoxError>`, so a test writes
//! `async |db| { ...; Ok(()) }` with no `Box::pin`. Closures of different types are kept in
//! one list behind [`Step`], a dyn-compatible trait whose method borrows the closure and the
//! database for the future's lifetime (an `AsyncFn`'s future borrows the closure, which a
//! `Box<dyn Fn(&dyn Database) -> BoxFuture>` cannot express).
//!
//! The futures are not required to be `Send`: the helpers await them in place and never
//! spawn them, and stable Rust cannot yet require `Send` of an `AsyncFn`'s future. A test
//! awaits the helpers in `#[tokio::test]` (or any executor) as usual.

use std::future::Future;
use std::pin::Pin;

use switchy_schema::Database;

use crate::error::BoxError;

/// A boxed future that may borrow, and need not be `Send`.
pub type LocalBoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + 'a>>;

/// One stored async closure.
pub(crate) trait Step {
    fn call<'a>(&'a self, db: &'a dyn Database) -> LocalBoxFuture<'a, Result<(), BoxError>>;
}

/// An async closure as a [`Step`].
pub(crate) struct FnStep<F>(pub(crate) F);

impl<F> Step for FnStep<F>
where
    F: AsyncFn(&dyn Database) -> Result<(), BoxError>,
{
    fn call<'a>(&'a self, db: &'a dyn Database) -> LocalBoxFuture<'a, Result<(), BoxError>> {
        Box::pin((self.0)(db))
    }
}
