//! SQLite table rebuilds, for what SQLite's `ALTER TABLE` lacks.

use crate::database::{Database, Dialect};
use crate::error::Result;

use super::alter::AlterOperation;
use super::render::{quote, unsupported};

/// SQLite's `DROP COLUMN`.
pub(crate) async fn drop_column(db: &dyn Database, table: &str, column: &str) -> Result<()> {
    let dialect = Dialect::Sqlite;
    db.exec_raw(&format!(
        "ALTER TABLE {} DROP COLUMN {}",
        quote(table, dialect),
        quote(column, dialect)
    ))
    .await?;
    Ok(())
}

/// Rebuilds `table` with `operation` applied.
#[allow(clippy::unused_async)] // until the rebuild lands: its callers await it already
pub(crate) async fn rebuild(
    db: &dyn Database,
    table: &str,
    operation: &AlterOperation,
) -> Result<()> {
    let _ = db;
    Err(unsupported(
        &format!("alter_table `{table}` ({})", operation.label()),
        Dialect::Sqlite,
        "the table rebuild is not implemented yet",
    ))
}

/// What [`drop_column`] does, for dry runs.
pub(crate) fn describe_drop_column(table: &str, column: &str) -> String {
    let dialect = Dialect::Sqlite;
    format!(
        "ALTER TABLE {} DROP COLUMN {}",
        quote(table, dialect),
        quote(column, dialect)
    )
}

/// What [`rebuild`] does, for dry runs.
pub(crate) fn describe(table: &str, operation: &AlterOperation) -> String {
    format!(
        "-- rebuild table {} with {} (SQLite table rebuild: its statements depend on the table in the database)",
        quote(table, Dialect::Sqlite),
        operation.label()
    )
}
