//! What every renderer shares: identifier quoting, lists, and the errors of rendering.

use crate::database::Dialect;
use crate::error::Error;

/// `identifier` quoted for `dialect` (the runner's own quoting: any name is safe).
pub(crate) fn quote(identifier: &str, dialect: Dialect) -> String {
    crate::ident::quote(identifier, dialect)
}

/// `names` quoted and joined by `, `.
pub(crate) fn quoted_list(names: &[String], dialect: Dialect) -> String {
    names
        .iter()
        .map(|name| quote(name, dialect))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The error for an operation `dialect` cannot express.
pub(crate) fn unsupported(operation: &str, dialect: Dialect, why: &str) -> Error {
    Error::Unsupported(format!(
        "{operation} cannot be expressed on {dialect}: {why}"
    ))
}

/// The error for a builder that is incomplete or contradicts itself, on any dialect.
pub(crate) fn invalid(operation: &str, why: &str) -> Error {
    Error::Unsupported(format!("invalid {operation}: {why}"))
}

/// Checks that a name given to a builder is not empty.
pub(crate) fn non_empty(operation: &str, what: &str, name: &str) -> Result<(), Error> {
    if name.is_empty() {
        return Err(invalid(operation, &format!("the {what} name is empty")));
    }
    Ok(())
}

/// Statements joined into one text, each ending with `;`, as dry runs show them.
pub(crate) fn script(statements: &[String]) -> String {
    let mut text = String::new();
    for statement in statements {
        if !text.is_empty() {
            text.push('\n');
        }
        text.push_str(statement);
        text.push(';');
    }
    text
}
