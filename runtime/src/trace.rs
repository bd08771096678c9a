//! Optional [`tracing`](https://docs.rs/tracing) instrumentation, behind the `tracing`
//! feature (off by default).
//!
//! With the feature, every [`run`](crate::MigrationRunner::run) and
//! [`rollback`](crate::MigrationRunner::rollback) emits a `switchy_schema::run` event when it
//! starts and when it ends (with its elapsed time), and every migration step runs inside a
//! `migration` span (field `id`) with `started`, `finished` (with `elapsed_ms`) and `failed`
//! (with `error`) events, all under the target `switchy_schema`. Without the feature each
//! function here is an empty inline function or returns its argument unchanged, so the
//! runner's calls compile to nothing.

use std::future::Future;

use crate::database::Dialect;
use crate::error::Result;

/// Marks one run or rollback: emits its start now and its end (with the elapsed time) when
/// dropped, on every path out of the call, errors and early returns included.
#[must_use = "the run ends when this is dropped"]
pub(crate) struct RunTrace {
    #[cfg(feature = "tracing")]
    _inner: enabled::RunTrace,
}

/// Starts the trace of a `run` or `rollback` (`operation`) on `table`.
#[inline]
pub(crate) fn run(
    operation: &'static str,
    table: &str,
    dialect: Dialect,
    dry_run: bool,
) -> RunTrace {
    #[cfg(feature = "tracing")]
    {
        RunTrace {
            _inner: enabled::RunTrace::start(operation, table, dialect, dry_run),
        }
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = (operation, table, dialect, dry_run);
        RunTrace {}
    }
}

/// Runs the step of migration `id` (`work`) inside its `migration` span, with its events.
#[inline]
pub(crate) fn migration<'a, F>(id: &'a str, work: F) -> impl Future<Output = Result<()>> + 'a
where
    F: Future<Output = Result<()>> + 'a,
{
    #[cfg(feature = "tracing")]
    {
        enabled::migration(id, work)
    }
    #[cfg(not(feature = "tracing"))]
    {
        let _ = id;
        work
    }
}

#[cfg(feature = "tracing")]
mod enabled {
    use std::future::Future;
    use std::time::Instant;

    use tracing::Instrument as _;

    use crate::database::Dialect;
    use crate::error::Result;

    pub(super) struct RunTrace {
        operation: &'static str,
        started: Instant,
        span: tracing::Span,
    }

    impl RunTrace {
        pub(super) fn start(
            operation: &'static str,
            table: &str,
            dialect: Dialect,
            dry_run: bool,
        ) -> Self {
            let span = tracing::info_span!(
                target: "switchy_schema",
                "run",
                operation,
                table,
                dialect = %dialect,
                dry_run
            );
            span.in_scope(|| tracing::info!(target: "switchy_schema", "{operation} started"));
            Self {
                operation,
                started: Instant::now(),
                span,
            }
        }
    }

    impl Drop for RunTrace {
        fn drop(&mut self) {
            let elapsed_ms = self.started.elapsed().as_secs_f64() * 1000.0;
            let operation = self.operation;
            self.span.in_scope(|| {
                tracing::info!(target: "switchy_schema", elapsed_ms, "{operation} ended");
            });
        }
    }

    pub(super) fn migration<'a, F>(id: &'a str, work: F) -> impl Future<Output = Result<()>> + 'a
    where
        F: Future<Output = Result<()>> + 'a,
    {
        let span = tracing::info_span!(target: "switchy_schema", "migration", id);
        async move {
            tracing::info!(target: "switchy_schema", "started");
            let started = Instant::now();
            let result = work.await;
            let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
            match &result {
                Ok(()) => tracing::info!(target: "switchy_schema", elapsed_ms, "finished"),
                Err(error) => {
                    tracing::error!(target: "switchy_schema", elapsed_ms, %error, "failed");
                }
            }
            result
        }
        .instrument(span)
    }
}
