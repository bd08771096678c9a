//! Quoting of the table and column names the helpers write into SQL.
//!
//! Names given to assertions are looked up through bound parameters where the database
//! allows it; where a name must be part of the statement (`SELECT COUNT(*) FROM ...`) it is
//! validated (not empty, no control characters, at most one `.` between a schema and a
//! table) and quoted, doubling any quote character inside it, so that no name can change
//! the meaning of a statement.

use switchy_schema::Dialect;

use crate::error::{Error, Result};

/// `name` quoted for `dialect`, doubling the quote character.
pub(crate) fn quote(name: &str, dialect: Dialect) -> String {
    let mark = match dialect {
        Dialect::MySql => '`',
        Dialect::Sqlite | Dialect::Postgres => '"',
    };
    let mut quoted = String::with_capacity(name.len() + 2);
    quoted.push(mark);
    for c in name.chars() {
        if c == mark {
            quoted.push(mark);
        }
        quoted.push(c);
    }
    quoted.push(mark);
    quoted
}

/// A table name as given to a helper: `table` or `schema.table`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableRef {
    pub(crate) schema: Option<String>,
    pub(crate) name: String,
}

impl TableRef {
    /// Validates `text`.
    pub(crate) fn parse(text: &str) -> Result<Self> {
        let invalid = |reason| Error::InvalidIdentifier {
            name: text.to_owned(),
            reason,
        };
        if text.chars().any(char::is_control) {
            return Err(invalid("control characters are not allowed in a name"));
        }
        let mut parts = text.split('.');
        let first = parts.next().unwrap_or_default();
        let second = parts.next();
        if parts.next().is_some() {
            return Err(invalid(
                "at most one `.` is allowed, between a schema and a table",
            ));
        }
        if first.is_empty() || second.is_some_and(str::is_empty) {
            return Err(invalid("a table or schema name must not be empty"));
        }
        Ok(match second {
            Some(table) => TableRef {
                schema: Some(first.to_owned()),
                name: table.to_owned(),
            },
            None => TableRef {
                schema: None,
                name: first.to_owned(),
            },
        })
    }

    /// The name quoted for `dialect`.
    pub(crate) fn quoted(&self, dialect: Dialect) -> String {
        match &self.schema {
            Some(schema) => format!("{}.{}", quote(schema, dialect), quote(&self.name, dialect)),
            None => quote(&self.name, dialect),
        }
    }

    /// The key of this table in a [`SchemaSnapshot`](crate::SchemaSnapshot): the name as
    /// given.
    pub(crate) fn key(&self) -> String {
        match &self.schema {
            Some(schema) => format!("{schema}.{}", self.name),
            None => self.name.clone(),
        }
    }
}

/// Validates a column name given to a helper.
pub(crate) fn column(name: &str) -> Result<&str> {
    if name.is_empty() {
        return Err(Error::InvalidIdentifier {
            name: name.to_owned(),
            reason: "a column name must not be empty",
        });
    }
    if name.chars().any(char::is_control) {
        return Err(Error::InvalidIdentifier {
            name: name.to_owned(),
            reason: "control characters are not allowed in a name",
        });
    }
    Ok(name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_and_doubles_the_quote_character() {
        assert_eq!(quote("a\"b", Dialect::Sqlite), "\"a\"\"b\"");
        assert_eq!(quote("a`b", Dialect::MySql), "`a``b`");
        assert_eq!(
            TableRef::parse("app.users")
                .unwrap()
                .quoted(Dialect::Postgres),
            "\"app\".\"users\""
        );
        assert_eq!(
            TableRef::parse("x\"; DROP TABLE y; --")
                .unwrap()
                .quoted(Dialect::Sqlite),
            "\"x\"\"; DROP TABLE y; --\""
        );
    }

    #[test]
    fn rejects_unusable_names() {
        for name in ["", "a.b.c", ".a", "a.", "a\nb", "a\0b"] {
            assert!(
                matches!(TableRef::parse(name), Err(Error::InvalidIdentifier { .. })),
                "{name:?} was accepted"
            );
        }
        assert!(column("").is_err());
        assert!(column("a\u{7}").is_err());
        assert_eq!(column("email").unwrap(), "email");
    }
}
