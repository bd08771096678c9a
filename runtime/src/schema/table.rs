//! `CREATE TABLE` and `DROP TABLE`.

use crate::database::Dialect;
use crate::error::Result;

use super::column::Column;
use super::constraint::{ForeignKey, TableConstraint};
use super::render::{invalid, non_empty, quote, unsupported};

/// `CREATE TABLE`; see [`create_table`](super::create_table).
#[derive(Debug, Clone, PartialEq)]
pub struct CreateTable {
    pub(crate) name: String,
    pub(crate) columns: Vec<Column>,
    pub(crate) constraints: Vec<TableConstraint>,
    pub(crate) if_not_exists: bool,
}

impl CreateTable {
    pub(crate) fn new(name: String) -> Self {
        Self {
            name,
            columns: Vec::new(),
            constraints: Vec::new(),
            if_not_exists: false,
        }
    }

    /// Adds a column (in order).
    #[must_use]
    pub fn column(mut self, column: Column) -> Self {
        self.columns.push(column);
        self
    }

    /// Makes `columns` the primary key (composite when several); its columns become
    /// `NOT NULL`, as PostgreSQL and MySQL make them (SQLite would allow `NULL` otherwise).
    /// Default: none, or the column marked [`Column::primary_key`].
    #[must_use]
    pub fn primary_key<C: Into<String>>(mut self, columns: impl IntoIterator<Item = C>) -> Self {
        self.constraints.push(TableConstraint::primary_key(columns));
        self
    }

    /// Adds a unique key named `name` over `columns`.
    #[must_use]
    pub fn unique<C: Into<String>>(
        mut self,
        name: impl Into<String>,
        columns: impl IntoIterator<Item = C>,
    ) -> Self {
        self.constraints
            .push(TableConstraint::unique(name, columns));
        self
    }

    /// Adds a check named `name`; `expression` is raw SQL.
    #[must_use]
    pub fn check(mut self, name: impl Into<String>, expression: impl Into<String>) -> Self {
        self.constraints
            .push(TableConstraint::check(name, expression));
        self
    }

    /// Adds a foreign key.
    #[must_use]
    pub fn foreign_key(mut self, key: ForeignKey) -> Self {
        self.constraints.push(TableConstraint::ForeignKey(key));
        self
    }

    /// Adds any table constraint.
    #[must_use]
    pub fn constraint(mut self, constraint: TableConstraint) -> Self {
        self.constraints.push(constraint);
        self
    }

    /// Adds `IF NOT EXISTS`: nothing happens when the table exists, whatever its columns
    /// (default: off, an existing table is an error).
    #[must_use]
    pub fn if_not_exists(mut self) -> Self {
        self.if_not_exists = true;
        self
    }

    /// The statement on `dialect`.
    pub fn to_sql(&self, dialect: Dialect) -> Result<Vec<String>> {
        let operation = format!("create_table `{}`", self.name);
        non_empty(&operation, "table", &self.name)?;
        if self.columns.is_empty() {
            return Err(invalid(&operation, "the table has no column"));
        }
        let composite_keys: Vec<&Vec<String>> = self
            .constraints
            .iter()
            .filter_map(|constraint| match constraint {
                TableConstraint::PrimaryKey { columns, .. } => Some(columns),
                _ => None,
            })
            .collect();
        let column_keys = self.columns.iter().filter(|c| c.primary_key).count();
        if composite_keys.len() + column_keys > 1 {
            return Err(invalid(
                &operation,
                "the table has more than one primary key",
            ));
        }
        let mut lines = Vec::with_capacity(self.columns.len() + self.constraints.len());
        for column in &self.columns {
            let in_key = composite_keys.iter().any(|key| key.contains(&column.name));
            if in_key && column.auto_increment && dialect == Dialect::Sqlite {
                return Err(unsupported(
                    &operation,
                    dialect,
                    "an auto-increment column must be the whole primary key on SQLite; mark the column itself with Column::primary_key",
                ));
            }
            let mut column = column.clone();
            if in_key {
                column.nullable = false;
            }
            lines.push(column.sql(dialect, &operation)?);
        }
        for constraint in &self.constraints {
            lines.push(constraint.sql(dialect)?);
        }
        for column in &self.columns {
            if let Some(key) = &column.references {
                lines.push(TableConstraint::ForeignKey(key.clone()).sql(dialect)?);
            }
        }
        let mut sql = String::from("CREATE TABLE ");
        if self.if_not_exists {
            sql.push_str("IF NOT EXISTS ");
        }
        sql.push_str(&quote(&self.name, dialect));
        sql.push_str(" (\n    ");
        sql.push_str(&lines.join(",\n    "));
        sql.push_str("\n)");
        Ok(vec![sql])
    }
}

/// `DROP TABLE`; see [`drop_table`](super::drop_table).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DropTable {
    pub(crate) name: String,
    pub(crate) if_exists: bool,
    pub(crate) cascade: bool,
}

impl DropTable {
    pub(crate) fn new(name: String) -> Self {
        Self {
            name,
            if_exists: false,
            cascade: false,
        }
    }

    /// Adds `IF EXISTS`: nothing happens when the table is absent (default: off, an absent
    /// table is an error).
    #[must_use]
    pub fn if_exists(mut self) -> Self {
        self.if_exists = true;
        self
    }

    /// Adds `CASCADE`: also drops the views and foreign keys that depend on the table.
    /// PostgreSQL only: SQLite has no such clause and MySQL accepts it but does nothing,
    /// so on both it is an error rather than a silently different drop. Default: off.
    #[must_use]
    pub fn cascade(mut self) -> Self {
        self.cascade = true;
        self
    }

    /// The statement on `dialect`.
    pub fn to_sql(&self, dialect: Dialect) -> Result<Vec<String>> {
        let operation = format!("drop_table `{}` with cascade", self.name);
        non_empty(&operation, "table", &self.name)?;
        if self.cascade && dialect != Dialect::Postgres {
            let why = match dialect {
                Dialect::MySql => {
                    "MySQL accepts CASCADE on DROP TABLE but ignores it; drop the dependent views and foreign keys first"
                }
                _ => "SQLite's DROP TABLE has no CASCADE; drop the dependent views first",
            };
            return Err(unsupported(&operation, dialect, why));
        }
        let mut sql = String::from("DROP TABLE ");
        if self.if_exists {
            sql.push_str("IF EXISTS ");
        }
        sql.push_str(&quote(&self.name, dialect));
        if self.cascade {
            sql.push_str(" CASCADE");
        }
        Ok(vec![sql])
    }
}

#[cfg(test)]
mod tests {
    use super::super::{ColumnType, ReferentialAction, create_table, drop_table};
    use super::*;

    fn albums() -> CreateTable {
        create_table("albums")
            .column(
                Column::new("id", ColumnType::BigInt)
                    .primary_key()
                    .auto_increment(),
            )
            .column(Column::new("title", ColumnType::VarChar(200)).not_null())
            .column(
                Column::new("artist_id", ColumnType::BigInt)
                    .references("artists", "id")
                    .on_delete(ReferentialAction::Cascade),
            )
            .check("title_not_empty", "title <> ''")
            .if_not_exists()
    }

    #[test]
    fn create_table_renders_per_dialect() {
        assert_eq!(
            albums().to_sql(Dialect::Sqlite).unwrap(),
            [
                "CREATE TABLE IF NOT EXISTS \"albums\" (\n    \"id\" INTEGER NOT NULL PRIMARY KEY AUTOINCREMENT,\n    \"title\" VARCHAR(200) NOT NULL,\n    \"artist_id\" BIGINT,\n    CONSTRAINT \"title_not_empty\" CHECK (title <> ''),\n    FOREIGN KEY (\"artist_id\") REFERENCES \"artists\" (\"id\") ON DELETE CASCADE\n)"
            ]
        );
        assert_eq!(
            albums().to_sql(Dialect::MySql).unwrap(),
            [
                "CREATE TABLE IF NOT EXISTS `albums` (\n    `id` BIGINT NOT NULL AUTO_INCREMENT PRIMARY KEY,\n    `title` VARCHAR(200) NOT NULL,\n    `artist_id` BIGINT,\n    CONSTRAINT `title_not_empty` CHECK (title <> ''),\n    FOREIGN KEY (`artist_id`) REFERENCES `artists` (`id`) ON DELETE CASCADE\n)"
            ]
        );
    }

    #[test]
    fn composite_keys_make_their_columns_not_null() {
        let table = create_table("tags")
            .column(Column::new("a", ColumnType::Integer))
            .column(Column::new("b", ColumnType::Integer))
            .primary_key(["a", "b"]);
        assert_eq!(
            table.to_sql(Dialect::Postgres).unwrap(),
            [
                "CREATE TABLE \"tags\" (\n    \"a\" INTEGER NOT NULL,\n    \"b\" INTEGER NOT NULL,\n    PRIMARY KEY (\"a\", \"b\")\n)"
            ]
        );
        let twice = table.column(Column::new("c", ColumnType::Integer).primary_key());
        assert!(twice.to_sql(Dialect::Postgres).is_err());
        assert!(create_table("empty").to_sql(Dialect::Sqlite).is_err());
    }

    #[test]
    fn drop_table_cascade_is_postgres_only() {
        assert_eq!(
            drop_table("a")
                .if_exists()
                .cascade()
                .to_sql(Dialect::Postgres)
                .unwrap(),
            ["DROP TABLE IF EXISTS \"a\" CASCADE"]
        );
        for dialect in [Dialect::Sqlite, Dialect::MySql] {
            let error = drop_table("a")
                .cascade()
                .to_sql(dialect)
                .unwrap_err()
                .to_string();
            assert!(
                error.contains("drop_table `a`") && error.contains(&dialect.to_string()),
                "{error}"
            );
        }
        assert_eq!(
            drop_table("a").to_sql(Dialect::MySql).unwrap(),
            ["DROP TABLE `a`"]
        );
    }
}
