//! `switchy-migrate`: the command-line tool for switchy_schema migrations.
//!
//! A superset of switchy_schema 0.4's tool of the same name: its commands, flags and
//! environment variables keep working. See the README for every command, the exit codes
//! and the JSON schemas.

mod args;
mod commands;
mod confirm;
mod connect;
mod context;
mod duration;
mod error;
mod output;
mod table;
mod timestamp;

use clap::Parser as _;

use crate::args::Cli;
use crate::context::Context;
use crate::error::Exit;
use crate::output::Output;

fn main() -> std::process::ExitCode {
    // Before parsing: clap reads SWITCHY_* from the environment, and .env fills it in
    // (variables already set win).
    let _ = dotenvy::dotenv();
    let cli = Cli::parse();
    let out = Output::new(cli.global.quiet);
    init_tracing(cli.global.verbosity);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            out.error(&error::CliError::io("starting the async runtime", &error));
            return Exit::Other.into();
        }
    };
    let result = Context::new(cli.global, out.clone())
        .and_then(|context| runtime.block_on(commands::run(&context, cli.command)));
    match result {
        Ok(exit) => exit.into(),
        Err(error) => {
            out.error(&error);
            error.exit.into()
        }
    }
}

/// `-v`: the library's events (its `tracing` feature); `-vv`: also its debug events and
/// the driver's (sqlx's statements). Written to stderr, scrubbed of secrets.
fn init_tracing(verbosity: u8) {
    use tracing_subscriber::filter::{LevelFilter, Targets};
    use tracing_subscriber::layer::SubscriberExt as _;
    use tracing_subscriber::util::SubscriberInitExt as _;

    if verbosity == 0 {
        return;
    }
    let targets = if verbosity == 1 {
        Targets::new().with_target("switchy_schema", LevelFilter::INFO)
    } else {
        Targets::new()
            .with_target("switchy_schema", LevelFilter::TRACE)
            .with_target("sqlx", LevelFilter::DEBUG)
    };
    let ansi = !output::no_color() && std::io::IsTerminal::is_terminal(&std::io::stderr());
    let _ = tracing_subscriber::registry()
        .with(
            tracing_subscriber::fmt::layer()
                .with_writer(|| output::ScrubbedStderr)
                .with_ansi(ansi),
        )
        .with(targets)
        .try_init();
}
