//! `lint`: not wired yet (waits for the `switchy_schema_lint` crate).

use crate::args::LintArgs;
use crate::context::Context;
use crate::error::{CliError, Exit};

#[allow(clippy::unused_async)]
pub(crate) async fn run(context: &Context, args: &LintArgs) -> Result<Exit, CliError> {
    let _ = (context, args);
    Err(CliError::new(
        Exit::Lint,
        "lint is not available in this build",
    ))
}
