//! The migration folder grammar (stub, replaced by the real one).

use std::fmt;
use std::path::PathBuf;

/// One rule broken by a migrations folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The offending path.
    pub path: PathBuf,
    /// The rule, in words.
    pub rule: String,
    /// A hint, where one helps.
    pub hint: Option<String>,
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.path.display(), self.rule)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}
