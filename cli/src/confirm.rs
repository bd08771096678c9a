//! Confirmation of dangerous commands: asked on a terminal, refused without `--force`
//! elsewhere.

use std::io::{BufRead as _, IsTerminal as _, Write as _};

use crate::error::{CliError, Exit};
use crate::output;

/// Where an answer may come from when stdin is not a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Piped {
    /// Refuse without `--force`.
    Refuse,
    /// Accept a `y` / `yes` line on stdin: switchy_schema 0.4's `rollback` read its
    /// confirmation from stdin, so scripts pipe `echo y |` into it.
    AcceptYes,
}

/// Goes on when `force` is set or the user confirms `action` (a phrase such as "mark
/// `0001_a` completed without running it"); otherwise fails.
pub(crate) fn confirm(
    action: &str,
    warning: &str,
    force: bool,
    piped: Piped,
) -> Result<(), CliError> {
    if force {
        return Ok(());
    }
    let stdin = std::io::stdin();
    let on_terminal = stdin.is_terminal() && std::io::stderr().is_terminal();
    if !on_terminal && piped == Piped::Refuse {
        return Err(refused(action));
    }
    if on_terminal {
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(stderr, "{}", output::scrub(warning));
        let _ = write!(stderr, "{}? [y/N] ", output::scrub(&capitalized(action)));
        let _ = stderr.flush();
    }
    let mut answer = String::new();
    if stdin.lock().read_line(&mut answer).is_err() {
        return Err(refused(action));
    }
    match answer.trim().to_ascii_lowercase().as_str() {
        "y" | "yes" => Ok(()),
        _ if !on_terminal => Err(refused(action)),
        _ => Err(CliError::new(
            Exit::Other,
            format!("cancelled: did not {action}; nothing was changed"),
        )),
    }
}

fn refused(action: &str) -> CliError {
    CliError::usage(format!(
        "refusing to {action} without confirmation: not on a terminal; pass --force to do it anyway"
    ))
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
