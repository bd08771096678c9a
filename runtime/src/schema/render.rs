//! What every renderer shares: identifier quoting, lists, and the errors of rendering.

use crate::database::Dialect;
use crate::error::Error;

/// `identifier` quoted for `dialect` (the runner's own quoting: any name is safe); for
/// names read from the database. Names given to a builder go through [`ident`].
pub(crate) fn quote(identifier: &str, dialect: Dialect) -> String {
    crate::ident::quote(identifier, dialect)
}

/// The longest identifier PostgreSQL keeps whole: it truncates longer ones with a mere
/// notice, which would make the statement silently name something else.
const POSTGRES_MAX_IDENTIFIER: usize = 63;

/// A name given to a builder, quoted for `dialect`: an error when it is empty, or longer
/// than PostgreSQL keeps (on PostgreSQL).
pub(crate) fn ident(identifier: &str, dialect: Dialect) -> Result<String, Error> {
    if identifier.is_empty() {
        return Err(Error::InvalidIdentifier {
            name: String::new(),
            reason: "a name given to the schema builder is empty",
        });
    }
    if dialect == Dialect::Postgres && identifier.len() > POSTGRES_MAX_IDENTIFIER {
        return Err(Error::InvalidIdentifier {
            name: identifier.to_owned(),
            reason: "PostgreSQL truncates names longer than 63 bytes, so the statement would name something else",
        });
    }
    Ok(quote(identifier, dialect))
}

/// `names` checked and quoted as by [`ident`], joined by `, `.
pub(crate) fn ident_list(names: &[String], dialect: Dialect) -> Result<String, Error> {
    Ok(names
        .iter()
        .map(|name| ident(name, dialect))
        .collect::<Result<Vec<_>, _>>()?
        .join(", "))
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_postgres_would_truncate_are_refused_there() {
        let long = "a".repeat(64);
        assert!(ident(&long, Dialect::Postgres).is_err());
        assert_eq!(
            ident(&long, Dialect::Sqlite).unwrap(),
            format!("\"{long}\"")
        );
        assert!(ident(&"a".repeat(63), Dialect::Postgres).is_ok());
        assert!(ident("", Dialect::MySql).is_err());
        assert_eq!(ident("a`b", Dialect::MySql).unwrap(), "`a``b`");
    }
}
