//! `CREATE INDEX` and `DROP INDEX`.

use std::fmt::Write as _;

use crate::database::Dialect;
use crate::error::Result;

use super::render::{invalid, non_empty, quote, unsupported};

/// One part of an index key.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum IndexPart {
    Column { name: String, descending: bool },
    Expression(String),
}

/// `CREATE INDEX`; see [`create_index`](super::create_index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CreateIndex {
    pub(crate) name: String,
    pub(crate) table: String,
    parts: Vec<IndexPart>,
    unique: bool,
    if_not_exists: bool,
    predicate: Option<String>,
    concurrently: bool,
}

impl CreateIndex {
    pub(crate) fn new(name: String, table: String) -> Self {
        Self {
            name,
            table,
            parts: Vec::new(),
            unique: false,
            if_not_exists: false,
            predicate: None,
            concurrently: false,
        }
    }

    /// Adds a column to the key, ascending.
    #[must_use]
    pub fn column(mut self, name: impl Into<String>) -> Self {
        self.parts.push(IndexPart::Column {
            name: name.into(),
            descending: false,
        });
        self
    }

    /// Adds columns to the key, ascending, in order.
    #[must_use]
    pub fn columns<C: Into<String>>(mut self, names: impl IntoIterator<Item = C>) -> Self {
        for name in names {
            self = self.column(name);
        }
        self
    }

    /// Adds a column to the key, descending.
    #[must_use]
    pub fn column_desc(mut self, name: impl Into<String>) -> Self {
        self.parts.push(IndexPart::Column {
            name: name.into(),
            descending: true,
        });
        self
    }

    /// Adds an expression to the key (`lower(email)`): SQLite and PostgreSQL, and MySQL
    /// 8.0.13 or later (MariaDB has no expression indexes and rejects the statement). The
    /// expression is raw SQL: never build it from untrusted input.
    #[must_use]
    pub fn expression(mut self, expression: impl Into<String>) -> Self {
        self.parts.push(IndexPart::Expression(expression.into()));
        self
    }

    /// Makes it a unique index (default: not unique).
    #[must_use]
    pub fn unique(mut self) -> Self {
        self.unique = true;
        self
    }

    /// Adds `IF NOT EXISTS` (default: off, an existing index is an error). MariaDB has it,
    /// MySQL does not and rejects the statement.
    #[must_use]
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }

    /// Makes it a partial index of the rows where `predicate` holds (SQLite and PostgreSQL;
    /// an error on MySQL, which has no partial indexes). The predicate is raw SQL: never
    /// build it from untrusted input. Default: every row.
    #[must_use]
    pub fn where_clause(mut self, predicate: impl Into<String>) -> Self {
        self.predicate = Some(predicate.into());
        self
    }

    /// Builds the index without blocking writes: `CREATE INDEX CONCURRENTLY` on PostgreSQL,
    /// which cannot run in a transaction (give the code migration
    /// [`TransactionMode::NoTransaction`](crate::TransactionMode::NoTransaction)). SQLite
    /// and MySQL build the same index either way, so there it changes nothing. Default: off.
    #[must_use]
    pub fn concurrently(mut self) -> Self {
        self.concurrently = true;
        self
    }

    /// The statement on `dialect`.
    pub fn to_sql(&self, dialect: Dialect) -> Result<Vec<String>> {
        let operation = format!("create_index `{}`", self.name);
        non_empty(&operation, "index", &self.name)?;
        non_empty(&operation, "table", &self.table)?;
        if self.parts.is_empty() {
            return Err(invalid(&operation, "the index has no column or expression"));
        }
        if self.predicate.is_some() && dialect == Dialect::MySql {
            return Err(unsupported(
                &format!("{operation} with a WHERE clause (a partial index)"),
                dialect,
                "MySQL and MariaDB have no partial indexes",
            ));
        }
        let mut parts = Vec::with_capacity(self.parts.len());
        for part in &self.parts {
            parts.push(match part {
                IndexPart::Column { name, descending } => {
                    non_empty(&operation, "column", name)?;
                    let mut sql = quote(name, dialect);
                    if *descending {
                        sql.push_str(" DESC");
                    }
                    sql
                }
                IndexPart::Expression(expression) => {
                    if expression.trim().is_empty() {
                        return Err(invalid(&operation, "an index expression is empty"));
                    }
                    match dialect {
                        // A functional key part is written in its own parentheses on MySQL.
                        Dialect::MySql => format!("(({expression}))"),
                        Dialect::Sqlite | Dialect::Postgres => format!("({expression})"),
                    }
                }
            });
        }
        let mut sql = String::from("CREATE ");
        if self.unique {
            sql.push_str("UNIQUE ");
        }
        sql.push_str("INDEX ");
        if self.concurrently && dialect == Dialect::Postgres {
            sql.push_str("CONCURRENTLY ");
        }
        if self.if_not_exists {
            sql.push_str("IF NOT EXISTS ");
        }
        let _ = write!(
            sql,
            "{} ON {} ({})",
            quote(&self.name, dialect),
            quote(&self.table, dialect),
            parts.join(", ")
        );
        if let Some(predicate) = &self.predicate {
            if predicate.trim().is_empty() {
                return Err(invalid(&operation, "the WHERE clause is empty"));
            }
            sql.push_str(" WHERE ");
            sql.push_str(predicate);
        }
        Ok(vec![sql])
    }
}

/// `DROP INDEX`; see [`drop_index`](super::drop_index).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropIndex {
    pub(crate) name: String,
    pub(crate) table: Option<String>,
    if_exists: bool,
}

impl DropIndex {
    pub(crate) fn new(name: String) -> Self {
        Self {
            name,
            table: None,
            if_exists: false,
        }
    }

    /// The index's table: required on MySQL (`DROP INDEX .. ON table`), unused elsewhere
    /// (index names are unique per schema there). Default: none.
    #[must_use]
    pub fn on(mut self, table: impl Into<String>) -> Self {
        self.table = Some(table.into());
        self
    }

    /// Adds `IF EXISTS` (default: off, an absent index is an error). MariaDB has it on
    /// `DROP INDEX`, MySQL does not and rejects the statement.
    #[must_use]
    pub fn if_exists(mut self) -> Self {
        self.if_exists = true;
        self
    }

    /// The statement on `dialect`.
    pub fn to_sql(&self, dialect: Dialect) -> Result<Vec<String>> {
        let operation = format!("drop_index `{}`", self.name);
        non_empty(&operation, "index", &self.name)?;
        let mut sql = String::from("DROP INDEX ");
        if self.if_exists {
            sql.push_str("IF EXISTS ");
        }
        sql.push_str(&quote(&self.name, dialect));
        if dialect == Dialect::MySql {
            let Some(table) = &self.table else {
                return Err(unsupported(
                    &format!("{operation} without its table"),
                    dialect,
                    "MySQL drops an index of a named table; add `.on(table)`",
                ));
            };
            non_empty(&operation, "table", table)?;
            sql.push_str(" ON ");
            sql.push_str(&quote(table, dialect));
        }
        Ok(vec![sql])
    }
}

#[cfg(test)]
mod tests {
    use super::super::{create_index, drop_index};
    use super::*;

    #[test]
    fn indexes_render_per_dialect() {
        let index = create_index("by_name", "users")
            .column("last")
            .column_desc("first")
            .expression("lower(email)")
            .unique()
            .if_not_exists();
        assert_eq!(
            index.to_sql(Dialect::Sqlite).unwrap(),
            [
                "CREATE UNIQUE INDEX IF NOT EXISTS \"by_name\" ON \"users\" (\"last\", \"first\" DESC, (lower(email)))"
            ]
        );
        assert_eq!(
            index.to_sql(Dialect::MySql).unwrap(),
            [
                "CREATE UNIQUE INDEX IF NOT EXISTS `by_name` ON `users` (`last`, `first` DESC, ((lower(email))))"
            ]
        );
        let partial = create_index("live", "users")
            .column("id")
            .where_clause("deleted IS NULL");
        assert_eq!(
            partial
                .clone()
                .concurrently()
                .to_sql(Dialect::Postgres)
                .unwrap(),
            ["CREATE INDEX CONCURRENTLY \"live\" ON \"users\" (\"id\") WHERE deleted IS NULL"]
        );
        let error = partial.to_sql(Dialect::MySql).unwrap_err().to_string();
        assert!(
            error.starts_with("create_index `live` with a WHERE clause (a partial index) cannot be expressed on MySQL"),
            "{error}"
        );
        assert!(
            create_index("none", "users")
                .to_sql(Dialect::Sqlite)
                .is_err()
        );
    }

    #[test]
    fn mysql_needs_the_table_to_drop_an_index() {
        let error = drop_index("i")
            .to_sql(Dialect::MySql)
            .unwrap_err()
            .to_string();
        assert!(
            error.contains("drop_index `i` without its table") && error.contains("MySQL"),
            "{error}"
        );
        assert_eq!(
            drop_index("i").on("t").to_sql(Dialect::MySql).unwrap(),
            ["DROP INDEX `i` ON `t`"]
        );
        assert_eq!(
            drop_index("i")
                .on("t")
                .if_exists()
                .to_sql(Dialect::Postgres)
                .unwrap(),
            ["DROP INDEX IF EXISTS \"i\""]
        );
    }
}
