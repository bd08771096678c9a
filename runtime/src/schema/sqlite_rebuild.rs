//! SQLite table rebuilds, for what SQLite's `ALTER TABLE` lacks.
//!
//! SQLite's [procedure](https://www.sqlite.org/lang_altertable.html#otheralter) creates
//! the new table, copies the rows, drops the old table and renames the new one, with
//! foreign keys turned off. Two things stand in its way inside a migration: the runner's
//! transaction is already open, and `PRAGMA foreign_keys` cannot change inside a
//! transaction, while sqlx's `SqlitePool` turns foreign keys on for every connection. With
//! them on, dropping a table that others reference deletes its rows first, which cascades
//! into (or is refused by) the tables that reference it.
//!
//! So the rebuild here never renames the table with `ALTER TABLE`, and handles foreign
//! keys as follows:
//!
//! 1. It reads the table's `CREATE TABLE`, indexes and triggers from `sqlite_master`, and
//!    rewrites only the part of the `CREATE TABLE` the operation changes.
//! 2. When it can open a transaction itself (the migration runs with
//!    [`TransactionMode::NoTransaction`](crate::TransactionMode::NoTransaction), or the
//!    builder is executed directly on a pool or connection), it takes one connection,
//!    turns foreign keys off there, and runs in a transaction of its own, turning them
//!    back on afterwards: SQLite's procedure as documented.
//! 3. Inside the migration's transaction with foreign keys on, it sets
//!    `PRAGMA defer_foreign_keys = ON` (allowed in a transaction, and reset by its end) so
//!    that rows left without their parent for a moment are checked at the end only.
//! 4. Usually it copies the rows aside, drops the table, creates it again under its own
//!    name with the new definition and copies the rows back (the foreign keys that point
//!    to the table follow it by name, and with deferred checks each row put back settles
//!    the rows that reference it).
//!
//!    But inside the migration's transaction with foreign keys on, dropping a table that
//!    another references with an `ON DELETE` action (`CASCADE`, `SET NULL`,
//!    `SET DEFAULT`, `RESTRICT`) would run that action on the referencing rows. Renaming
//!    it first does not help: with foreign keys on, `ALTER TABLE .. RENAME` rewrites the
//!    other tables' `REFERENCES` clauses to the new name, also with
//!    `PRAGMA legacy_alter_table = ON` (see the table in
//!    <https://www.sqlite.org/lang_altertable.html#altertabrename>). So the old table is
//!    moved aside in the catalog only: its indexes and triggers are dropped, and its row
//!    in `sqlite_master` (with its automatic indexes and `AUTOINCREMENT` counter) gets a
//!    name of its own, with `PRAGMA writable_schema` and a `schema_version` bump, SQLite's
//!    [documented way](https://www.sqlite.org/lang_altertable.html#otheralter) of editing
//!    the schema inside a transaction. The referencing tables still name the table, and
//!    resolve to the new one created under that name; the rows are copied from the old
//!    table, which nothing references any more, so dropping it runs no action. A
//!    connection in SQLite's defensive mode refuses `writable_schema`: that is an error,
//!    and `TransactionMode::NoTransaction` is the way there.
//! 5. It recreates the indexes (expression and partial ones included) and triggers from
//!    their stored SQL. Views are kept, and each view that names the table must still
//!    work. The `AUTOINCREMENT` counter is kept.
//! 6. With foreign keys on, `PRAGMA foreign_key_check` must then find nothing.
//!
//! Any failure leaves the table as it was: the transaction (the migration's, or its own)
//! rolls back, the catalog edit with it.

use crate::database::{Database, DatabaseTransaction, Dialect};
use crate::error::{DatabaseErrorKind, Error, Result};

use super::alter::{AlterOperation, column_definition};
use super::render::{quote, unsupported};
use super::sqlite_catalog::{
    Stored, acting_references, autoincrement_counter, foreign_key_check, index_columns, move_aside,
    pragma_flag, read_stored, restore_autoincrement_counter, stored_columns, table_exists,
};
use super::sqlite_ddl::{Part, TableDefinition, kept_column_clauses};

const DIALECT: Dialect = Dialect::Sqlite;

/// SQLite's own `sql` for `operation`, and the rebuild where SQLite refuses it (`DROP
/// COLUMN` of a column that is indexed, part of a key or a foreign key, or on SQLite older
/// than 3.35; `ADD COLUMN` of a unique column or one with a default that is not constant).
pub(crate) async fn native_or_rebuild(
    db: &dyn Database,
    table: &str,
    sql: &str,
    operation: &AlterOperation,
) -> Result<()> {
    let Err(refused) = db.exec_raw(sql).await else {
        return Ok(());
    };
    // A failed statement changed nothing, also inside a transaction. Without the table
    // there is nothing to rebuild, and SQLite's own error says so best.
    if !table_exists(db, table).await? {
        return Err(refused.into());
    }
    rebuild(db, table, operation).await
}

/// What [`native_or_rebuild`] does, for dry runs.
pub(crate) fn describe_native_or_rebuild(
    table: &str,
    sql: &str,
    operation: &AlterOperation,
) -> String {
    format!(
        "{sql}\n-- (or, where SQLite refuses it, a rebuild of table {} with {})",
        quote(table, DIALECT),
        operation.label()
    )
}

/// What [`rebuild`] does, for dry runs.
pub(crate) fn describe(table: &str, operation: &AlterOperation) -> String {
    format!(
        "-- rebuild of table {} with {} (a SQLite table rebuild: its statements depend on the table in the database)",
        quote(table, DIALECT),
        operation.label()
    )
}

/// Rebuilds `table` with `operation` applied.
pub(crate) async fn rebuild(
    db: &dyn Database,
    table: &str,
    operation: &AlterOperation,
) -> Result<()> {
    let connection = db.pinned().await?;
    let connection: &dyn Database = &*connection;
    let foreign_keys = pragma_flag(connection, "foreign_keys").await?;
    if foreign_keys {
        // A no-op inside a transaction: `begin_transaction` below tells which case it is.
        connection.exec_raw("PRAGMA foreign_keys = OFF").await?;
    }
    match connection.begin_transaction().await {
        Ok(transaction) => {
            let result = in_own_transaction(transaction, table, operation, foreign_keys).await;
            if foreign_keys {
                let restored = connection.exec_raw("PRAGMA foreign_keys = ON").await;
                result.and(restored.map_err(Error::from))
            } else {
                result
            }
        }
        Err(error) if error.kind() == DatabaseErrorKind::NestedTransaction => {
            let enforced = foreign_keys && pragma_flag(connection, "foreign_keys").await?;
            steps(connection, table, operation, enforced, true).await
        }
        Err(error) => Err(error.into()),
    }
}

async fn in_own_transaction(
    transaction: Box<dyn DatabaseTransaction + '_>,
    table: &str,
    operation: &AlterOperation,
    check_foreign_keys: bool,
) -> Result<()> {
    // Foreign keys are off here: nothing is enforced or cascaded until the check.
    match steps(&*transaction, table, operation, false, false).await {
        Ok(()) => {
            if check_foreign_keys && let Err(error) = foreign_key_check(&*transaction, table).await
            {
                transaction.rollback().await?;
                return Err(error);
            }
            Ok(transaction.commit().await?)
        }
        Err(error) => {
            transaction.rollback().await?;
            Err(error)
        }
    }
}

/// The table's definition with `operation` applied.
fn rewrite(stored: &Stored, operation: &AlterOperation, label: &str) -> Result<TableDefinition> {
    let mut definition = TableDefinition::parse(&stored.sql)?;
    let missing = |what: &str| {
        Error::Unsupported(format!(
            "{label} failed: table `{}` has no {what}",
            stored.name
        ))
    };
    match operation {
        AlterOperation::DropColumn(column) => {
            let position = definition
                .column(column)
                .ok_or_else(|| missing(&format!("column `{column}`")))?;
            definition.parts.remove(position);
            // Table constraints over the column go with it, as on PostgreSQL.
            definition
                .parts
                .retain(|part| part.column.is_some() || !part.mentions(column));
            if definition.parts.iter().all(|part| part.column.is_none()) {
                return Err(Error::Unsupported(format!(
                    "{label} failed: it is the only column of table `{}`",
                    stored.name
                )));
            }
        }
        AlterOperation::ModifyColumn(column) => {
            let position = definition
                .column(&column.name)
                .ok_or_else(|| missing(&format!("column `{}`", column.name)))?;
            let old = &definition.parts[position];
            let mut text = column.sql(DIALECT, label)?;
            for clause in kept_column_clauses(&old.text) {
                text.push(' ');
                text.push_str(&clause);
            }
            definition.parts[position] = Part {
                text,
                column: Some(column.name.clone()),
                constraint: None,
            };
        }
        AlterOperation::AddConstraint(constraint) => {
            definition.parts.push(Part {
                text: constraint.sql(DIALECT)?,
                column: None,
                constraint: constraint.name().map(str::to_owned),
            });
        }
        AlterOperation::DropConstraint { name, .. } => {
            let position = definition
                .constraint(name)
                .ok_or_else(|| missing(&format!("table constraint named `{name}`")))?;
            definition.parts.remove(position);
        }
        AlterOperation::AddColumn(column) => {
            let after_columns = definition
                .parts
                .iter()
                .rposition(|part| part.column.is_some())
                .map_or(0, |last| last + 1);
            definition.parts.insert(
                after_columns,
                Part {
                    text: column_definition(column, DIALECT, label)?,
                    column: Some(column.name.clone()),
                    constraint: None,
                },
            );
        }
        AlterOperation::RenameColumn { .. } | AlterOperation::RenameTable(_) => {
            return Err(unsupported(
                label,
                DIALECT,
                "SQLite's ALTER TABLE does this itself; it needs no rebuild",
            ));
        }
    }
    Ok(definition)
}

/// The rebuild's statements, on `db`, inside a transaction. `enforced`: foreign keys are
/// on (so checks are deferred, and a table referenced with an `ON DELETE` action is moved
/// aside rather than dropped). `shared`: the transaction is the migration's, not the
/// rebuild's own.
async fn steps(
    db: &dyn Database,
    table: &str,
    operation: &AlterOperation,
    enforced: bool,
    shared: bool,
) -> Result<()> {
    let label = format!("alter_table `{table}` ({})", operation.label());
    let stored = read_stored(db, table).await?;
    let definition = rewrite(&stored, operation, &label)?;
    let quoted = quote(&stored.name, DIALECT);

    // Inside the migration's transaction with foreign keys on, dropping a table that
    // another references with an ON DELETE action would run it: the old table is then
    // moved aside in the catalog instead, where nothing references it any more.
    let moves_aside = enforced && !acting_references(db, &stored.name).await?.is_empty();
    let deferred_before = if enforced {
        let before = pragma_flag(db, "defer_foreign_keys").await?;
        db.exec_raw("PRAGMA defer_foreign_keys = ON").await?;
        Some(before)
    } else {
        None
    };

    let skipped_indexes = match operation {
        AlterOperation::DropColumn(column) => {
            let mut skipped = Vec::new();
            for (name, _) in &stored.indexes {
                let columns = index_columns(db, name).await?;
                if columns.iter().any(|c| c.eq_ignore_ascii_case(column)) {
                    skipped.push(name.clone());
                }
            }
            skipped
        }
        _ => Vec::new(),
    };
    let old_columns = stored_columns(db, &stored.name).await?;
    let sequence = autoincrement_counter(db, &stored.name).await?;

    let aside = format!("__switchy_rebuild_{}", stored.name);
    let holding = quote(&aside, DIALECT);
    if moves_aside {
        // Their SQL names the table: they go, and are created again below.
        for (name, _) in &stored.indexes {
            db.exec_raw(&format!("DROP INDEX {}", quote(name, DIALECT)))
                .await?;
        }
        for (name, _) in &stored.triggers {
            db.exec_raw(&format!("DROP TRIGGER {}", quote(name, DIALECT)))
                .await?;
        }
        let unchanged = TableDefinition::parse(&stored.sql)?.to_sql(&holding);
        move_aside(db, &stored, &aside, &unchanged).await?;
    } else {
        db.exec_raw(&format!("CREATE TABLE {holding} AS SELECT * FROM {quoted}"))
            .await?;
        db.exec_raw(&format!("DROP TABLE {quoted}")).await?;
    }
    db.exec_raw(&definition.to_sql(&quoted))
        .await
        .map_err(|error| failed(&label, "creating the new table", error))?;
    let new_columns = stored_columns(db, &stored.name).await?;
    let copied: Vec<String> = old_columns
        .iter()
        .filter(|old| new_columns.iter().any(|new| new.eq_ignore_ascii_case(old)))
        .map(|column| quote(column, DIALECT))
        .collect();
    let list = copied.join(", ");
    db.exec_raw(&format!(
        "INSERT INTO {quoted} ({list}) SELECT {list} FROM {holding}"
    ))
    .await
    .map_err(|error| failed(&label, "copying the rows", error))?;
    // Nothing references the old table by its name aside, so dropping it runs no action.
    db.exec_raw(&format!("DROP TABLE {holding}")).await?;

    for (name, sql) in &stored.indexes {
        if skipped_indexes.contains(name) {
            continue;
        }
        db.exec_raw(sql)
            .await
            .map_err(|error| failed(&label, &format!("recreating index `{name}`"), error))?;
    }
    for (name, sql) in &stored.triggers {
        db.exec_raw(sql)
            .await
            .map_err(|error| failed(&label, &format!("recreating trigger `{name}`"), error))?;
    }
    for view in &stored.views {
        db.query(
            &format!("SELECT * FROM {} LIMIT 0", quote(view, DIALECT)),
            &[],
        )
        .await
        .map_err(|error| failed(&label, &format!("checking view `{view}`"), error))?;
    }
    if let Some(counter) = sequence {
        restore_autoincrement_counter(db, &stored.name, counter).await?;
    }
    if let Some(before) = deferred_before {
        foreign_key_check(db, &stored.name).await?;
        if !before && shared {
            db.exec_raw("PRAGMA defer_foreign_keys = OFF").await?;
        }
    }
    Ok(())
}

fn failed(label: &str, step: &str, error: crate::error::DatabaseError) -> Error {
    Error::database(
        format!("{label} failed while {step} (the table is left as it was)"),
        error,
    )
}

#[cfg(test)]
mod tests {
    use super::super::{Column, ColumnType, TableConstraint};
    use super::*;

    fn stored(sql: &str) -> Stored {
        Stored {
            name: "t".to_owned(),
            sql: sql.to_owned(),
            indexes: Vec::new(),
            triggers: Vec::new(),
            views: Vec::new(),
        }
    }

    #[test]
    fn dropping_a_column_drops_the_table_constraints_over_it() {
        let table = stored(
            "CREATE TABLE t (a INT, b TEXT, c INT, UNIQUE (a, b), CHECK (c > 0), CONSTRAINT fk FOREIGN KEY (b) REFERENCES u (id))",
        );
        let definition = rewrite(&table, &AlterOperation::DropColumn("B".into()), "x").unwrap();
        assert_eq!(
            definition.to_sql("\"t\""),
            "CREATE TABLE \"t\" (\n    a INT,\n    c INT,\n    CHECK (c > 0)\n)"
        );
        let missing = rewrite(&table, &AlterOperation::DropColumn("z".into()), "x").unwrap_err();
        assert!(
            missing.to_string().contains("has no column `z`"),
            "{missing}"
        );
        let only = rewrite(
            &stored("CREATE TABLE t (a INT)"),
            &AlterOperation::DropColumn("a".into()),
            "x",
        );
        assert!(only.is_err());
    }

    #[test]
    fn constraints_and_modified_columns_are_rewritten_in_place() {
        let table = stored(
            "CREATE TABLE t (a INT NOT NULL COLLATE BINARY, CONSTRAINT c CHECK (a > 0)) STRICT",
        );
        let modified = rewrite(
            &table,
            &AlterOperation::ModifyColumn(Column::new("a", ColumnType::BigInt).default(1)),
            "x",
        )
        .unwrap();
        assert_eq!(
            modified.to_sql("\"t\""),
            "CREATE TABLE \"t\" (\n    \"a\" BIGINT DEFAULT 1,\n    CONSTRAINT c CHECK (a > 0)\n) STRICT"
        );
        let dropped = rewrite(
            &table,
            &AlterOperation::DropConstraint {
                name: "C".into(),
                kind: super::super::ConstraintKind::Check,
            },
            "x",
        )
        .unwrap();
        assert_eq!(dropped.parts.len(), 1);
        let added = rewrite(
            &table,
            &AlterOperation::AddConstraint(TableConstraint::unique("u", ["a"])),
            "x",
        )
        .unwrap();
        assert_eq!(added.parts[2].text, "CONSTRAINT \"u\" UNIQUE (\"a\")");
    }
}
