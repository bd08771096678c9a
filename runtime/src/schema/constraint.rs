//! Table constraints: primary keys, unique keys, checks and foreign keys.

use std::fmt::Write as _;

use crate::database::Dialect;
use crate::error::Result;

use super::render::{invalid, non_empty, quote, quoted_list};

/// What a foreign key does when the row it references is deleted or its key updated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ReferentialAction {
    /// Fail at the end of the statement (the default of every dialect).
    NoAction,
    /// Fail at once.
    Restrict,
    /// Delete or update the referencing rows too.
    Cascade,
    /// Set the referencing columns to `NULL`.
    SetNull,
    /// Set the referencing columns to their defaults (not supported by MySQL's InnoDB,
    /// which rejects it).
    SetDefault,
}

impl ReferentialAction {
    /// The action's SQL words.
    #[must_use]
    pub const fn sql(self) -> &'static str {
        match self {
            ReferentialAction::NoAction => "NO ACTION",
            ReferentialAction::Restrict => "RESTRICT",
            ReferentialAction::Cascade => "CASCADE",
            ReferentialAction::SetNull => "SET NULL",
            ReferentialAction::SetDefault => "SET DEFAULT",
        }
    }
}

/// A foreign key: `columns` of this table reference `referenced_columns` of
/// `referenced_table`.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct ForeignKey {
    pub(crate) name: Option<String>,
    pub(crate) columns: Vec<String>,
    pub(crate) referenced_table: String,
    pub(crate) referenced_columns: Vec<String>,
    pub(crate) on_delete: Option<ReferentialAction>,
    pub(crate) on_update: Option<ReferentialAction>,
}

impl ForeignKey {
    /// `columns` referencing `referenced_columns` of `referenced_table`, unnamed (the
    /// database names it), with the dialect's default actions (no action).
    pub fn new<C, R>(
        columns: impl IntoIterator<Item = C>,
        referenced_table: impl Into<String>,
        referenced_columns: impl IntoIterator<Item = R>,
    ) -> Self
    where
        C: Into<String>,
        R: Into<String>,
    {
        Self {
            name: None,
            columns: columns.into_iter().map(Into::into).collect(),
            referenced_table: referenced_table.into(),
            referenced_columns: referenced_columns.into_iter().map(Into::into).collect(),
            on_delete: None,
            on_update: None,
        }
    }

    /// Names the constraint (needed to drop it later on PostgreSQL and MySQL).
    #[must_use]
    pub fn named(mut self, name: impl Into<String>) -> Self {
        self.name = Some(name.into());
        self
    }

    /// What happens when the referenced row is deleted (default: no action).
    #[must_use]
    pub fn on_delete(mut self, action: ReferentialAction) -> Self {
        self.on_delete = Some(action);
        self
    }

    /// What happens when the referenced key is updated (default: no action).
    #[must_use]
    pub fn on_update(mut self, action: ReferentialAction) -> Self {
        self.on_update = Some(action);
        self
    }

    /// `REFERENCES "t" ("c") [ON DELETE ..] [ON UPDATE ..]`.
    pub(crate) fn references_sql(&self, dialect: Dialect) -> Result<String> {
        non_empty("foreign key", "referenced table", &self.referenced_table)?;
        if self.referenced_columns.is_empty() {
            return Err(invalid("foreign key", "it references no column"));
        }
        let mut sql = format!(
            "REFERENCES {} ({})",
            quote(&self.referenced_table, dialect),
            quoted_list(&self.referenced_columns, dialect)
        );
        if let Some(action) = self.on_delete {
            sql.push_str(" ON DELETE ");
            sql.push_str(action.sql());
        }
        if let Some(action) = self.on_update {
            sql.push_str(" ON UPDATE ");
            sql.push_str(action.sql());
        }
        Ok(sql)
    }
}

/// A constraint on a table, written after its columns or added with
/// [`AlterTable::add_constraint`](super::AlterTable::add_constraint).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum TableConstraint {
    /// A primary key over one or more columns (composite when several).
    PrimaryKey {
        /// The constraint name, if any. MySQL ignores it (a primary key is always
        /// `PRIMARY` there).
        name: Option<String>,
        /// The key's columns, in order.
        columns: Vec<String>,
    },
    /// A unique key over one or more columns.
    Unique {
        /// The constraint name, if any.
        name: Option<String>,
        /// The key's columns, in order.
        columns: Vec<String>,
    },
    /// A check: `expression` must not be false for any row. The expression is raw SQL:
    /// never build it from untrusted input.
    Check {
        /// The constraint name, if any.
        name: Option<String>,
        /// The condition, as SQL.
        expression: String,
    },
    /// A foreign key.
    ForeignKey(ForeignKey),
}

/// The kind of constraint [`AlterTable::drop_constraint`](super::AlterTable::drop_constraint)
/// drops: MySQL drops each kind with its own statement.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ConstraintKind {
    /// A primary key.
    PrimaryKey,
    /// A unique key.
    Unique,
    /// A check.
    Check,
    /// A foreign key.
    ForeignKey,
}

impl TableConstraint {
    /// A primary key over `columns`.
    pub fn primary_key<C: Into<String>>(columns: impl IntoIterator<Item = C>) -> Self {
        TableConstraint::PrimaryKey {
            name: None,
            columns: columns.into_iter().map(Into::into).collect(),
        }
    }

    /// A unique key named `name` over `columns`.
    pub fn unique<C: Into<String>>(
        name: impl Into<String>,
        columns: impl IntoIterator<Item = C>,
    ) -> Self {
        TableConstraint::Unique {
            name: Some(name.into()),
            columns: columns.into_iter().map(Into::into).collect(),
        }
    }

    /// A check named `name`; `expression` is raw SQL.
    pub fn check(name: impl Into<String>, expression: impl Into<String>) -> Self {
        TableConstraint::Check {
            name: Some(name.into()),
            expression: expression.into(),
        }
    }

    /// The constraint's name, if it has one.
    #[must_use]
    pub fn name(&self) -> Option<&str> {
        match self {
            TableConstraint::PrimaryKey { name, .. }
            | TableConstraint::Unique { name, .. }
            | TableConstraint::Check { name, .. } => name.as_deref(),
            TableConstraint::ForeignKey(key) => key.name.as_deref(),
        }
    }

    /// The constraint as written in `CREATE TABLE` or after `ADD`.
    pub(crate) fn sql(&self, dialect: Dialect) -> Result<String> {
        let mut sql = String::new();
        if let Some(name) = self.name() {
            non_empty("constraint", "constraint", name)?;
            sql.push_str("CONSTRAINT ");
            sql.push_str(&quote(name, dialect));
            sql.push(' ');
        }
        let columns = |columns: &[String], what: &str| {
            if columns.is_empty() {
                Err(invalid(what, "it has no column"))
            } else {
                Ok(quoted_list(columns, dialect))
            }
        };
        match self {
            TableConstraint::PrimaryKey { columns: list, .. } => {
                let _ = write!(sql, "PRIMARY KEY ({})", columns(list, "primary key")?);
            }
            TableConstraint::Unique { columns: list, .. } => {
                let _ = write!(sql, "UNIQUE ({})", columns(list, "unique constraint")?);
            }
            TableConstraint::Check { expression, .. } => {
                if expression.trim().is_empty() {
                    return Err(invalid("check constraint", "its expression is empty"));
                }
                let _ = write!(sql, "CHECK ({expression})");
            }
            TableConstraint::ForeignKey(key) => {
                let _ = write!(
                    sql,
                    "FOREIGN KEY ({}) {}",
                    columns(&key.columns, "foreign key")?,
                    key.references_sql(dialect)?
                );
            }
        }
        Ok(sql)
    }
}

impl From<ForeignKey> for TableConstraint {
    fn from(key: ForeignKey) -> Self {
        TableConstraint::ForeignKey(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn constraints_render_with_quoted_names() {
        let key = ForeignKey::new(["artist_id"], "artists", ["id"])
            .named("fk_album_artist")
            .on_delete(ReferentialAction::Cascade)
            .on_update(ReferentialAction::SetNull);
        assert_eq!(
            TableConstraint::from(key).sql(Dialect::MySql).unwrap(),
            "CONSTRAINT `fk_album_artist` FOREIGN KEY (`artist_id`) REFERENCES `artists` (`id`) ON DELETE CASCADE ON UPDATE SET NULL"
        );
        assert_eq!(
            TableConstraint::primary_key(["a", "b"])
                .sql(Dialect::Postgres)
                .unwrap(),
            "PRIMARY KEY (\"a\", \"b\")"
        );
        assert_eq!(
            TableConstraint::check("positive", "n > 0")
                .sql(Dialect::Sqlite)
                .unwrap(),
            "CONSTRAINT \"positive\" CHECK (n > 0)"
        );
        assert!(
            TableConstraint::primary_key(Vec::<String>::new())
                .sql(Dialect::Sqlite)
                .is_err()
        );
    }
}
