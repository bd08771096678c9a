//! Everything the tool prints goes through [`Output`]: secrets (the database password) are
//! replaced by `***` in every line, colour is used only on a terminal and never with
//! `NO_COLOR`, and `-q` silences all but errors and the data asked for.

use std::io::{IsTerminal as _, Write as _};
use std::sync::{Mutex, OnceLock};

use crate::error::CliError;

/// The texts never to print, registered as soon as the URL is known.
static SECRETS: OnceLock<Mutex<Vec<String>>> = OnceLock::new();

/// Registers `secret` (a password, as written and percent-decoded) for scrubbing.
pub(crate) fn add_secret(secret: &str) {
    if secret.is_empty() {
        return;
    }
    let mut secrets = SECRETS
        .get_or_init(|| Mutex::new(Vec::new()))
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if !secrets.iter().any(|known| known == secret) {
        secrets.push(secret.to_owned());
        // Longest first, so that a secret containing another is replaced whole.
        secrets.sort_by_key(|known| std::cmp::Reverse(known.len()));
    }
}

/// `text` with every registered secret replaced by `***`.
pub(crate) fn scrub(text: &str) -> String {
    let Some(secrets) = SECRETS.get() else {
        return text.to_owned();
    };
    let secrets = secrets
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    let mut text = text.to_owned();
    for secret in secrets.iter() {
        text = text.replace(secret.as_str(), "***");
    }
    text
}

/// ANSI styles.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Style {
    Bold,
    Red,
    Green,
    Yellow,
    Dim,
}

impl Style {
    fn code(self) -> &'static str {
        match self {
            Style::Bold => "1",
            Style::Red => "31",
            Style::Green => "32",
            Style::Yellow => "33",
            Style::Dim => "2",
        }
    }
}

/// Where and how the tool prints.
#[derive(Debug, Clone)]
#[allow(
    clippy::struct_excessive_bools,
    reason = "independent facts about the terminal"
)]
pub(crate) struct Output {
    pub(crate) quiet: bool,
    color_out: bool,
    color_err: bool,
    /// Whether stderr is a terminal (progress bars go there).
    pub(crate) err_terminal: bool,
}

/// Whether `NO_COLOR` forbids colour (set and not empty, per no-color.org).
pub(crate) fn no_color() -> bool {
    std::env::var_os("NO_COLOR").is_some_and(|value| !value.is_empty())
}

impl Output {
    pub(crate) fn new(quiet: bool) -> Self {
        let err_terminal = std::io::stderr().is_terminal();
        Self {
            quiet,
            color_out: !no_color() && std::io::stdout().is_terminal(),
            color_err: !no_color() && err_terminal,
            err_terminal,
        }
    }

    /// `text` in `style` when stdout takes colour.
    pub(crate) fn paint(&self, style: Style, text: &str) -> String {
        paint(self.color_out, style, text)
    }

    /// Data asked for (tables, JSON, SQL of a dry run): printed even with `-q`.
    #[allow(clippy::unused_self, reason = "every print goes through `Output`")]
    pub(crate) fn data(&self, text: &str) {
        let mut stdout = std::io::stdout().lock();
        let _ = writeln!(stdout, "{}", scrub(text));
    }

    /// Messages about what happened: silenced by `-q`.
    pub(crate) fn info(&self, text: &str) {
        if !self.quiet {
            self.data(text);
        }
    }

    /// A warning on stderr: silenced by `-q`.
    pub(crate) fn warn(&self, text: &str) {
        if !self.quiet {
            let label = paint(self.color_err, Style::Yellow, "warning:");
            let _ = writeln!(std::io::stderr().lock(), "{label} {}", scrub(text));
        }
    }

    /// A note on stderr: silenced by `-q`.
    pub(crate) fn note(&self, text: &str) {
        if !self.quiet {
            let label = paint(self.color_err, Style::Bold, "note:");
            let _ = writeln!(std::io::stderr().lock(), "{label} {}", scrub(text));
        }
    }

    /// The error, on stderr, always.
    pub(crate) fn error(&self, error: &CliError) {
        let label = paint(self.color_err, Style::Red, "error:");
        let _ = writeln!(
            std::io::stderr().lock(),
            "{label} {}",
            scrub(&error.to_string())
        );
    }
}

fn paint(enabled: bool, style: Style, text: &str) -> String {
    if enabled {
        format!("\x1b[{}m{text}\x1b[0m", style.code())
    } else {
        text.to_owned()
    }
}

/// A writer for the tracing subscriber: stderr, scrubbed.
pub(crate) struct ScrubbedStderr;

impl std::io::Write for ScrubbedStderr {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        std::io::stderr()
            .lock()
            .write_all(scrub(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed_longest_first() {
        add_secret("pass");
        add_secret("pass%40word");
        add_secret("");
        assert_eq!(scrub("u:pass%40word@h and pass"), "u:***@h and ***");
    }
}
