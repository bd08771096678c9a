//! `ALTER TABLE`: add, drop, rename and modify columns, add and drop constraints.

use crate::database::Dialect;
use crate::error::Result;

use super::column::Column;
use super::constraint::{ConstraintKind, TableConstraint};
use super::render::{ident, invalid, non_empty, unsupported};

/// One change of an [`AlterTable`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum AlterOperation {
    AddColumn(Column),
    DropColumn(String),
    RenameColumn { from: String, to: String },
    ModifyColumn(Column),
    AddConstraint(TableConstraint),
    DropConstraint { name: String, kind: ConstraintKind },
    RenameTable(String),
}

/// What one operation becomes on a dialect: statements, or (SQLite) a table rebuild whose
/// statements depend on the table as it is in the database.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// Statements to run in order.
    Sql(String),
    /// SQLite's own statement, and a rebuild applying the operation where SQLite refuses
    /// the statement (`DROP COLUMN` of an indexed column, `ADD COLUMN` of a unique one).
    SqliteNativeOrRebuild {
        sql: String,
        operation: AlterOperation,
    },
    /// A SQLite table rebuild applying the operation.
    SqliteRebuild(AlterOperation),
}

/// `ALTER TABLE`; see [`alter_table`](super::alter_table). The operations run in the order
/// given, one statement each.
///
/// # SQLite table rebuilds
///
/// What SQLite's `ALTER TABLE` lacks is done by rebuilding the table from the
/// `CREATE TABLE` that `sqlite_master` holds, with only the changed part rewritten: the
/// rows are copied aside, the table is dropped and created again under its own name, the
/// rows are copied back, and its indexes (expression and partial ones included) and
/// triggers are created again from their stored SQL; every view that names the table must
/// still work, and the `AUTOINCREMENT` counter is kept. The table is never renamed with
/// `ALTER TABLE`, so the foreign keys of other tables keep pointing at it, and views and
/// triggers elsewhere keep their text.
///
/// Foreign keys: where the rebuild can open a transaction itself (a code migration with
/// [`TransactionMode::NoTransaction`](crate::TransactionMode::NoTransaction), or the
/// builder executed directly on a pool or connection), it takes one connection, turns
/// `foreign_keys` off there, runs in a transaction of its own, checks with
/// `PRAGMA foreign_key_check`, and turns them back on: SQLite's documented procedure.
/// Inside the migration's transaction, where `PRAGMA foreign_keys` cannot change, it sets
/// `PRAGMA defer_foreign_keys = ON` (reset when the transaction ends) so that the rows
/// referencing the table are checked once they have their parent back. There, a table
/// that another table references with an `ON DELETE` action (`CASCADE`, `SET NULL`,
/// `SET DEFAULT`, `RESTRICT`) is not dropped, since that would run the action: it is
/// renamed aside in `sqlite_master` alone (with `PRAGMA writable_schema`, SQLite's
/// documented way of editing the schema in a transaction), so that the referencing tables
/// resolve to the new table and dropping the old one runs nothing. A connection in SQLite's
/// defensive mode refuses that edit; the error then says to use
/// `TransactionMode::NoTransaction`. With foreign keys off, nothing is enforced or
/// cascaded either way.
///
/// Any failure leaves the table as it was (the transaction rolls back).
#[derive(Debug, Clone, PartialEq)]
pub struct AlterTable {
    pub(crate) name: String,
    pub(crate) operations: Vec<AlterOperation>,
}

impl AlterTable {
    pub(crate) fn new(name: String) -> Self {
        Self {
            name,
            operations: Vec::new(),
        }
    }

    /// Adds a column. A column with a reference gets its foreign key in the same statement.
    /// On SQLite this is SQLite's own `ADD COLUMN`, and a table rebuild where SQLite refuses
    /// it (a unique or primary key column, a `NOT NULL` column whose default is not a
    /// constant, such as `CURRENT_TIMESTAMP`).
    #[must_use]
    pub fn add_column(mut self, column: Column) -> Self {
        self.operations.push(AlterOperation::AddColumn(column));
        self
    }

    /// Drops a column. PostgreSQL drops the indexes and table constraints that involve it;
    /// on SQLite this is SQLite's own `DROP COLUMN`, and a table rebuild where SQLite
    /// refuses it (the column is indexed, part of a key or a foreign key, ...), which drops
    /// the indexes and table constraints over the column like PostgreSQL (an expression or
    /// partial index that uses it makes the rebuild fail, naming the index). MySQL instead
    /// removes the column from a multi-column index and keeps the index: drop such indexes
    /// first for the same result everywhere.
    #[must_use]
    pub fn drop_column(mut self, name: impl Into<String>) -> Self {
        self.operations
            .push(AlterOperation::DropColumn(name.into()));
        self
    }

    /// Renames column `from` to `to` (MariaDB 10.5 or later, MySQL 8.0 or later).
    #[must_use]
    pub fn rename_column(mut self, from: impl Into<String>, to: impl Into<String>) -> Self {
        self.operations.push(AlterOperation::RenameColumn {
            from: from.into(),
            to: to.into(),
        });
        self
    }

    /// Changes the type, collation, nullability and default of the column named like
    /// `column` to those of `column` (a column without a default loses its default, one
    /// without a collation gets the default collation). Keys, checks, references,
    /// generation and auto-increment are not changed this way (an error): use
    /// [`add_constraint`](Self::add_constraint). PostgreSQL converts the existing values
    /// with the assignment cast to the new type (`ALTER COLUMN .. TYPE` without `USING`)
    /// and fails where there is none; MySQL and SQLite convert as they store values. On
    /// SQLite this is a table rebuild.
    #[must_use]
    pub fn modify_column(mut self, column: Column) -> Self {
        self.operations.push(AlterOperation::ModifyColumn(column));
        self
    }

    /// Adds a table constraint. On SQLite this is a table rebuild.
    #[must_use]
    pub fn add_constraint(mut self, constraint: impl Into<TableConstraint>) -> Self {
        self.operations
            .push(AlterOperation::AddConstraint(constraint.into()));
        self
    }

    /// Drops the constraint `name` of `kind` (MySQL drops each kind with its own
    /// statement). On SQLite this is a table rebuild, which finds the constraint by the
    /// name it was given in `CREATE TABLE`.
    #[must_use]
    pub fn drop_constraint(mut self, name: impl Into<String>, kind: ConstraintKind) -> Self {
        self.operations.push(AlterOperation::DropConstraint {
            name: name.into(),
            kind,
        });
        self
    }

    /// Renames the table to `to`.
    #[must_use]
    pub fn rename_to(mut self, to: impl Into<String>) -> Self {
        self.operations.push(AlterOperation::RenameTable(to.into()));
        self
    }

    /// The statements on `dialect`, or an error for an operation that needs a SQLite table
    /// rebuild, whose statements depend on the table in the database (run the builder, or
    /// read what it does with [`Executable::sql`](crate::code::Executable::sql)).
    pub fn to_sql(&self, dialect: Dialect) -> Result<Vec<String>> {
        self.steps(dialect)?
            .into_iter()
            .map(|step| match step {
                Step::Sql(sql) | Step::SqliteNativeOrRebuild { sql, .. } => Ok(sql),
                Step::SqliteRebuild(operation) => Err(unsupported(
                    &format!("alter_table `{}` ({})", self.name, operation.label()),
                    dialect,
                    "SQLite's ALTER TABLE lacks it, so it runs as a table rebuild whose statements depend on the table in the database",
                )),
            })
            .collect()
    }

    /// What each operation becomes on `dialect`.
    pub(crate) fn steps(&self, dialect: Dialect) -> Result<Vec<Step>> {
        let operation = format!("alter_table `{}`", self.name);
        non_empty(&operation, "table", &self.name)?;
        if self.operations.is_empty() {
            return Err(invalid(&operation, "it has no operation"));
        }
        let table = ident(&self.name, dialect)?;
        let mut steps = Vec::with_capacity(self.operations.len());
        for op in &self.operations {
            let label = format!("{operation} ({})", op.label());
            steps.push(match op {
                AlterOperation::AddColumn(column) => {
                    let sql = format!(
                        "ALTER TABLE {table} ADD COLUMN {}",
                        column_definition(column, dialect, &label)?
                    );
                    if dialect == Dialect::Sqlite {
                        Step::SqliteNativeOrRebuild {
                            sql,
                            operation: op.clone(),
                        }
                    } else {
                        Step::Sql(sql)
                    }
                }
                AlterOperation::DropColumn(column) => {
                    non_empty(&label, "column", column)?;
                    let sql = format!(
                        "ALTER TABLE {table} DROP COLUMN {}",
                        ident(column, dialect)?
                    );
                    if dialect == Dialect::Sqlite {
                        Step::SqliteNativeOrRebuild {
                            sql,
                            operation: op.clone(),
                        }
                    } else {
                        Step::Sql(sql)
                    }
                }
                AlterOperation::RenameColumn { from, to } => {
                    non_empty(&label, "column", from)?;
                    non_empty(&label, "new column", to)?;
                    Step::Sql(format!(
                        "ALTER TABLE {table} RENAME COLUMN {} TO {}",
                        ident(from, dialect)?,
                        ident(to, dialect)?
                    ))
                }
                AlterOperation::ModifyColumn(column) => {
                    check_modifiable(column, &label)?;
                    match dialect {
                        Dialect::Sqlite => {
                            // Validates the definition now, not half-way through a rebuild.
                            column.sql(dialect, &label)?;
                            Step::SqliteRebuild(op.clone())
                        }
                        Dialect::Postgres => Step::Sql(modify_postgres(&table, column, &label)?),
                        Dialect::MySql => Step::Sql(format!(
                            "ALTER TABLE {table} MODIFY COLUMN {}",
                            column.sql(dialect, &label)?
                        )),
                    }
                }
                AlterOperation::AddConstraint(constraint) => {
                    let sql = constraint.sql(dialect)?;
                    if dialect == Dialect::Sqlite {
                        Step::SqliteRebuild(op.clone())
                    } else {
                        Step::Sql(format!("ALTER TABLE {table} ADD {sql}"))
                    }
                }
                AlterOperation::DropConstraint { name, kind } => {
                    non_empty(&label, "constraint", name)?;
                    let name = ident(name, dialect)?;
                    match (dialect, kind) {
                        (Dialect::Sqlite, _) => Step::SqliteRebuild(op.clone()),
                        (Dialect::Postgres, _) | (Dialect::MySql, ConstraintKind::Check) => {
                            Step::Sql(format!("ALTER TABLE {table} DROP CONSTRAINT {name}"))
                        }
                        (Dialect::MySql, ConstraintKind::PrimaryKey) => {
                            Step::Sql(format!("ALTER TABLE {table} DROP PRIMARY KEY"))
                        }
                        (Dialect::MySql, ConstraintKind::Unique) => {
                            Step::Sql(format!("ALTER TABLE {table} DROP INDEX {name}"))
                        }
                        (Dialect::MySql, ConstraintKind::ForeignKey) => {
                            Step::Sql(format!("ALTER TABLE {table} DROP FOREIGN KEY {name}"))
                        }
                    }
                }
                AlterOperation::RenameTable(to) => {
                    non_empty(&label, "new table", to)?;
                    Step::Sql(format!(
                        "ALTER TABLE {table} RENAME TO {}",
                        ident(to, dialect)?
                    ))
                }
            });
        }
        Ok(steps)
    }
}

impl AlterOperation {
    /// The operation's name and subject, for messages: `drop_column \`c\``.
    pub(crate) fn label(&self) -> String {
        match self {
            AlterOperation::AddColumn(column) => format!("add_column `{}`", column.name),
            AlterOperation::DropColumn(column) => format!("drop_column `{column}`"),
            AlterOperation::RenameColumn { from, .. } => format!("rename_column `{from}`"),
            AlterOperation::ModifyColumn(column) => format!("modify_column `{}`", column.name),
            AlterOperation::AddConstraint(constraint) => match constraint.name() {
                Some(name) => format!("add_constraint `{name}`"),
                None => "add_constraint".to_owned(),
            },
            AlterOperation::DropConstraint { name, .. } => format!("drop_constraint `{name}`"),
            AlterOperation::RenameTable(to) => format!("rename_to `{to}`"),
        }
    }
}

/// An added column's definition, with its reference: inline on SQLite and PostgreSQL, a
/// second `ADD` on MySQL.
pub(crate) fn column_definition(column: &Column, dialect: Dialect, label: &str) -> Result<String> {
    let mut sql = column.sql(dialect, label)?;
    if let Some(key) = &column.references {
        match dialect {
            // MySQL ignores REFERENCES in a column definition: a table constraint it is.
            Dialect::MySql => {
                sql.push_str(", ADD ");
                sql.push_str(&TableConstraint::ForeignKey(key.clone()).sql(dialect)?);
            }
            Dialect::Sqlite | Dialect::Postgres => {
                sql.push(' ');
                sql.push_str(&key.references_sql(dialect)?);
            }
        }
    }
    Ok(sql)
}

fn check_modifiable(column: &Column, label: &str) -> Result<()> {
    if column.auto_increment
        || column.primary_key
        || column.unique
        || column.check.is_some()
        || column.references.is_some()
        || column.generated.is_some()
    {
        return Err(invalid(
            label,
            "modify_column changes a column's type, collation, nullability and default only; add keys, checks and references with add_constraint",
        ));
    }
    Ok(())
}

fn modify_postgres(table: &str, column: &Column, label: &str) -> Result<String> {
    let dialect = Dialect::Postgres;
    non_empty(label, "column", &column.name)?;
    let name = ident(&column.name, dialect)?;
    let collation = match &column.collation {
        Some(collation) => format!(" COLLATE {}", ident(collation, dialect)?),
        None => String::new(),
    };
    let nullability = if column.nullable {
        "DROP NOT NULL"
    } else {
        "SET NOT NULL"
    };
    let default = match &column.default {
        Some(default) => format!("SET DEFAULT {}", default.sql(dialect)?),
        None => "DROP DEFAULT".to_owned(),
    };
    Ok(format!(
        "ALTER TABLE {table} ALTER COLUMN {name} TYPE {}{collation}, ALTER COLUMN {name} {nullability}, ALTER COLUMN {name} {default}",
        column.ty.sql(dialect)?
    ))
}

#[cfg(test)]
mod tests {
    use super::super::{ColumnType, ForeignKey, alter_table};
    use super::*;

    #[test]
    fn column_operations_render_per_dialect() {
        let alter = alter_table("albums")
            .add_column(
                Column::new("year", ColumnType::Integer)
                    .not_null()
                    .default(0),
            )
            .rename_column("name", "title")
            .drop_column("legacy");
        assert_eq!(
            alter.to_sql(Dialect::MySql).unwrap(),
            [
                "ALTER TABLE `albums` ADD COLUMN `year` INT NOT NULL DEFAULT 0",
                "ALTER TABLE `albums` RENAME COLUMN `name` TO `title`",
                "ALTER TABLE `albums` DROP COLUMN `legacy`",
            ]
        );
        assert_eq!(
            alter.to_sql(Dialect::Sqlite).unwrap()[2],
            "ALTER TABLE \"albums\" DROP COLUMN \"legacy\""
        );
    }

    #[test]
    fn added_references_are_table_constraints_on_mysql() {
        let alter = alter_table("albums")
            .add_column(Column::new("artist_id", ColumnType::BigInt).references("artists", "id"));
        assert_eq!(
            alter.to_sql(Dialect::MySql).unwrap(),
            [
                "ALTER TABLE `albums` ADD COLUMN `artist_id` BIGINT, ADD FOREIGN KEY (`artist_id`) REFERENCES `artists` (`id`)"
            ]
        );
        assert_eq!(
            alter.to_sql(Dialect::Postgres).unwrap(),
            [
                "ALTER TABLE \"albums\" ADD COLUMN \"artist_id\" BIGINT REFERENCES \"artists\" (\"id\")"
            ]
        );
    }

    #[test]
    fn modify_and_constraints() {
        let alter = alter_table("t")
            .modify_column(Column::new("n", ColumnType::BigInt).not_null().default(1))
            .add_constraint(ForeignKey::new(["n"], "u", ["id"]).named("fk_n"))
            .drop_constraint("fk_n", ConstraintKind::ForeignKey);
        assert_eq!(
            alter.to_sql(Dialect::Postgres).unwrap(),
            [
                "ALTER TABLE \"t\" ALTER COLUMN \"n\" TYPE BIGINT, ALTER COLUMN \"n\" SET NOT NULL, ALTER COLUMN \"n\" SET DEFAULT 1",
                "ALTER TABLE \"t\" ADD CONSTRAINT \"fk_n\" FOREIGN KEY (\"n\") REFERENCES \"u\" (\"id\")",
                "ALTER TABLE \"t\" DROP CONSTRAINT \"fk_n\"",
            ]
        );
        assert_eq!(
            alter.to_sql(Dialect::MySql).unwrap(),
            [
                "ALTER TABLE `t` MODIFY COLUMN `n` BIGINT NOT NULL DEFAULT 1",
                "ALTER TABLE `t` ADD CONSTRAINT `fk_n` FOREIGN KEY (`n`) REFERENCES `u` (`id`)",
                "ALTER TABLE `t` DROP FOREIGN KEY `fk_n`",
            ]
        );
        let error = alter.to_sql(Dialect::Sqlite).unwrap_err().to_string();
        assert!(
            error.starts_with("alter_table `t` (modify_column `n`) cannot be expressed on SQLite"),
            "{error}"
        );
        let keyed = alter_table("t").modify_column(Column::new("n", ColumnType::Integer).unique());
        assert!(keyed.to_sql(Dialect::Postgres).is_err());
        assert!(alter_table("t").to_sql(Dialect::Postgres).is_err());
    }
}
