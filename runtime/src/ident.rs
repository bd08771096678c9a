//! Validation and quoting of the identifiers the runner writes into SQL.
//!
//! The tracking table name is the only identifier that comes from the caller. It must be
//! `name` or `schema.name`, each part made of ASCII letters, digits and `_`, not starting
//! with a digit, at most 63 bytes (PostgreSQL's limit). Each part is then quoted anyway, so a
//! validated name can never change the meaning of a statement.

use crate::database::Dialect;
use crate::error::{Error, Result};

/// The longest identifier PostgreSQL accepts without truncating it.
const MAX_PART_LEN: usize = 63;

/// A validated table name, optionally schema-qualified.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableName {
    schema: Option<String>,
    name: String,
}

impl TableName {
    /// Validates `text`.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let mut parts = text.split('.');
        let first = parts.next().unwrap_or_default();
        let second = parts.next();
        if parts.next().is_some() {
            return Err(invalid(
                text,
                "at most one `.` is allowed, between a schema and a table",
            ));
        }
        validate_part(text, first)?;
        if let Some(table) = second {
            validate_part(text, table)?;
            Ok(Self {
                schema: Some(first.to_owned()),
                name: table.to_owned(),
            })
        } else {
            Ok(Self {
                schema: None,
                name: first.to_owned(),
            })
        }
    }

    /// The unqualified table name.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }

    /// The schema, if qualified.
    pub(crate) fn schema(&self) -> Option<&str> {
        self.schema.as_deref()
    }

    /// The name quoted for `dialect`, schema-qualified when given.
    pub(crate) fn quoted(&self, dialect: Dialect) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", quote(schema, dialect), quote(&self.name, dialect)),
            None => quote(&self.name, dialect),
        }
    }
}

impl std::fmt::Display for TableName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        if let Some(schema) = &self.schema {
            write!(f, "{schema}.")?;
        }
        f.write_str(&self.name)
    }
}

fn invalid(name: &str, reason: &'static str) -> Error {
    Error::InvalidIdentifier {
        name: name.to_owned(),
        reason,
    }
}

fn validate_part(whole: &str, part: &str) -> Result<()> {
    if part.is_empty() {
        return Err(invalid(whole, "a table or schema name must not be empty"));
    }
    if part.len() > MAX_PART_LEN {
        return Err(invalid(
            whole,
            "a table or schema name must be at most 63 bytes",
        ));
    }
    if part.starts_with(|c: char| c.is_ascii_digit()) {
        return Err(invalid(
            whole,
            "a table or schema name must not start with a digit",
        ));
    }
    if !part.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
        return Err(invalid(
            whole,
            "only ASCII letters, digits and `_` are allowed in a table or schema name",
        ));
    }
    Ok(())
}

/// Quotes `identifier` for `dialect`, doubling any quote character inside it.
pub(crate) fn quote(identifier: &str, dialect: Dialect) -> String {
    let mark = match dialect {
        Dialect::MySql => '`',
        Dialect::Sqlite | Dialect::Postgres => '"',
    };
    let mut quoted = String::with_capacity(identifier.len() + 2);
    quoted.push(mark);
    for c in identifier.chars() {
        if c == mark {
            quoted.push(mark);
        }
        quoted.push(c);
    }
    quoted.push(mark);
    quoted
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_plain_and_qualified_names() {
        assert_eq!(
            TableName::parse("__switchy_migrations")
                .unwrap()
                .quoted(Dialect::Postgres),
            "\"__switchy_migrations\""
        );
        assert_eq!(
            TableName::parse("app.migrations")
                .unwrap()
                .quoted(Dialect::MySql),
            "`app`.`migrations`"
        );
    }

    #[test]
    fn rejects_quotes_and_statements() {
        for name in [
            "a\"b",
            "t; DROP TABLE x; --",
            "a`b",
            "a b",
            "",
            "1abc",
            "a.b.c",
            ".a",
            "a.",
            "é",
        ] {
            assert!(
                matches!(TableName::parse(name), Err(Error::InvalidIdentifier { .. })),
                "{name:?} was accepted"
            );
        }
        assert!(TableName::parse(&"a".repeat(64)).is_err());
        assert!(TableName::parse(&"a".repeat(63)).is_ok());
    }

    #[test]
    fn quoting_doubles_the_quote_character() {
        assert_eq!(quote("a\"b", Dialect::Sqlite), "\"a\"\"b\"");
        assert_eq!(quote("a`b", Dialect::MySql), "`a``b`");
    }
}
