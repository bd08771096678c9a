//! One module per command.

mod create;
mod import;
mod lint;
mod migrate;
mod recovery;
mod rollback;
mod status;
mod validate;

use crate::args::Command;
use crate::context::Context;
use crate::error::{CliError, Exit};

/// Runs `command`; the exit code on success (`validate` and `lint` report findings with a
/// non-zero code and no error).
pub(crate) async fn run(context: &Context, command: Command) -> Result<Exit, CliError> {
    match command {
        Command::Create(args) => create::run(context, &args),
        Command::Status(args) => status::run(context, &args).await,
        Command::Migrate(args) => migrate::run(context, &args).await,
        Command::Rollback(args) => rollback::run(context, &args).await,
        Command::Validate(args) => validate::run(context, &args).await,
        Command::Retry(args) => recovery::retry(context, &args).await,
        Command::MarkCompleted(args) => recovery::mark_completed(context, &args).await,
        Command::MarkAllCompleted(args) => recovery::mark_all_completed(context, &args).await,
        Command::Forget(args) => recovery::forget(context, &args).await,
        Command::Rebless(args) => recovery::rebless(context, &args).await,
        Command::Import(args) => import::run(context, &args).await,
        Command::Lint(args) => lint::run(context, &args).await,
    }
}

/// `n thing` or `n things`.
pub(crate) fn count(n: usize, thing: &str) -> String {
    if n == 1 {
        format!("{n} {thing}")
    } else {
        format!("{n} {thing}s")
    }
}
