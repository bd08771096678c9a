//! What a SQLite table rebuild reads from and writes to SQLite's catalog: the stored
//! definitions, column and index lists, the foreign keys that point to a table, the
//! `AUTOINCREMENT` counter, and `PRAGMA foreign_key_check`.

use crate::database::{Database, Row, Value};
use crate::error::{Error, Result};

/// Whether `PRAGMA name` is on.
pub(crate) async fn pragma_flag(db: &dyn Database, name: &str) -> Result<bool> {
    let rows = db.query(&format!("PRAGMA {name}"), &[]).await?;
    Ok(rows
        .first()
        .and_then(|row| row.get_index(0))
        .is_some_and(|value| matches!(value, Value::Int(1) | Value::Bool(true))))
}

/// Whether table `table` exists (names compare case-insensitively, as in SQLite).
pub(crate) async fn table_exists(db: &dyn Database, table: &str) -> Result<bool> {
    let rows = db
        .query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
            &[Value::from(table)],
        )
        .await?;
    Ok(!rows.is_empty())
}

/// What `sqlite_master` holds about the table.
pub(crate) struct Stored {
    /// The table's name as stored (SQLite compares names case-insensitively).
    pub(crate) name: String,
    pub(crate) sql: String,
    /// `(name, sql)` of the indexes created with `CREATE INDEX`.
    pub(crate) indexes: Vec<(String, String)>,
    pub(crate) triggers: Vec<(String, String)>,
    /// Views whose definition names the table.
    pub(crate) views: Vec<String>,
}

pub(crate) async fn read_stored(db: &dyn Database, table: &str) -> Result<Stored> {
    let text = |row: &Row, column: &str| row.get_str(column).unwrap_or_default().to_owned();
    let rows = db
        .query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name = ?1 COLLATE NOCASE",
            &[Value::from(table)],
        )
        .await?;
    let Some(row) = rows.first() else {
        return Err(Error::Unsupported(format!(
            "cannot rebuild table `{table}`: no such table"
        )));
    };
    let name = text(row, "name");
    let sql = text(row, "sql");
    let owned = db
        .query(
            "SELECT type, name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ?1 AND sql IS NOT NULL ORDER BY rowid",
            &[Value::from(name.as_str())],
        )
        .await?;
    let mut indexes = Vec::new();
    let mut triggers = Vec::new();
    for row in &owned {
        let entry = (text(row, "name"), text(row, "sql"));
        if row.get_str("type") == Some("index") {
            indexes.push(entry);
        } else {
            triggers.push(entry);
        }
    }
    let views = db
        .query(
            "SELECT name, sql FROM sqlite_master WHERE type = 'view' ORDER BY rowid",
            &[],
        )
        .await?
        .iter()
        .filter(|row| {
            row.get_str("sql")
                .is_some_and(|sql| sql.to_lowercase().contains(&name.to_lowercase()))
        })
        .map(|row| text(row, "name"))
        .collect();
    Ok(Stored {
        name,
        sql,
        indexes,
        triggers,
        views,
    })
}

/// The table's columns that hold stored values (not generated ones).
pub(crate) async fn stored_columns(db: &dyn Database, table: &str) -> Result<Vec<String>> {
    names(
        db,
        "SELECT name FROM pragma_table_xinfo(?1) WHERE hidden = 0 ORDER BY cid",
        table,
    )
    .await
}

/// The columns of index `index`, by name (expressions have none).
pub(crate) async fn index_columns(db: &dyn Database, index: &str) -> Result<Vec<String>> {
    names(
        db,
        "SELECT name FROM pragma_index_info(?1) WHERE name IS NOT NULL",
        index,
    )
    .await
}

/// The `name` column of `sql`'s rows, run with `argument` as `?1`.
async fn names(db: &dyn Database, sql: &str, argument: &str) -> Result<Vec<String>> {
    let rows = db.query(sql, &[Value::from(argument)]).await?;
    Ok(rows
        .iter()
        .filter_map(|row| row.get_str("name").map(str::to_owned))
        .collect())
}

/// The tables whose foreign keys reference `table` with an `ON DELETE` action other than
/// `NO ACTION`, with that action: dropping `table` with foreign keys on would run it.
pub(crate) async fn acting_references(
    db: &dyn Database,
    table: &str,
) -> Result<Vec<(String, String)>> {
    let rows = db
        .query(
            "SELECT m.name AS child, f.on_delete AS action FROM sqlite_master AS m, pragma_foreign_key_list(m.name) AS f WHERE m.type = 'table' AND m.name <> ?1 COLLATE NOCASE AND f.\"table\" = ?1 COLLATE NOCASE AND upper(f.on_delete) <> 'NO ACTION'",
            &[Value::from(table)],
        )
        .await?;
    Ok(rows
        .iter()
        .map(|row| {
            (
                row.get_str("child").unwrap_or_default().to_owned(),
                row.get_str("action").unwrap_or_default().to_owned(),
            )
        })
        .collect())
}

/// The `AUTOINCREMENT` counter of `table`, when it has one.
pub(crate) async fn autoincrement_counter(db: &dyn Database, table: &str) -> Result<Option<i64>> {
    let exists = db
        .query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
            &[],
        )
        .await?;
    if exists.is_empty() {
        return Ok(None);
    }
    let rows = db
        .query(
            "SELECT seq FROM sqlite_sequence WHERE name = ?1",
            &[Value::from(table)],
        )
        .await?;
    Ok(rows
        .first()
        .and_then(|row| row.get_index(0))
        .and_then(Value::as_i64))
}

/// Puts the counter back (dropping the table removed it), when the new table still
/// counts.
pub(crate) async fn restore_autoincrement_counter(
    db: &dyn Database,
    table: &str,
    counter: i64,
) -> Result<()> {
    let updated = db
        .execute(
            "UPDATE sqlite_sequence SET seq = max(seq, ?1) WHERE name = ?2",
            &[Value::Int(counter), Value::from(table)],
        )
        .await?;
    if updated == 0 {
        let counts = db
            .query(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
                &[],
            )
            .await?;
        if !counts.is_empty() {
            db.execute(
                "INSERT INTO sqlite_sequence (name, seq) SELECT ?1, ?2 WHERE EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1 AND sql LIKE '%AUTOINCREMENT%')",
                &[Value::from(table), Value::Int(counter)],
            )
            .await?;
        }
    }
    Ok(())
}

/// `PRAGMA foreign_key_check`: any row whose parent is missing is an error naming it.
pub(crate) async fn foreign_key_check(db: &dyn Database, table: &str) -> Result<()> {
    let rows = db.query("PRAGMA foreign_key_check", &[]).await?;
    if let Some(row) = rows.first() {
        let cell = |index: usize| match row.get_index(index) {
            Some(Value::Text(text)) => text.clone(),
            Some(Value::Int(n)) => n.to_string(),
            _ => "?".to_owned(),
        };
        return Err(Error::Unsupported(format!(
            "rebuilding table `{table}` would break a foreign key: row {} of table `{}` references a missing row of `{}` ({} violation(s) in all); the table is left as it was",
            cell(1),
            cell(0),
            cell(2),
            rows.len()
        )));
    }
    Ok(())
}

/// Renames table `stored` to `aside` in `sqlite_master` only, with `sql` (its definition
/// under the new name): the foreign keys, triggers and views of other tables keep naming
/// the old name, so they resolve to the table created next under it. This is what
/// `ALTER TABLE .. RENAME` did with foreign keys off before SQLite 3.26; with them on it
/// rewrites the other tables' foreign keys too (also with `legacy_alter_table`), and
/// inside a transaction they cannot be turned off. It follows SQLite's documented way of
/// editing the schema in a transaction
/// (<https://www.sqlite.org/lang_altertable.html#otheralter>, the simpler procedure): with
/// `writable_schema` on, update the rows, then bump `schema_version` so that the schema is
/// read again. The table's own indexes and triggers must have been dropped before (their
/// SQL names the old table); its automatic indexes, `AUTOINCREMENT` counter and `ANALYZE`
/// statistics move with it.
pub(crate) async fn move_aside(
    db: &dyn Database,
    stored: &Stored,
    aside: &str,
    sql: &str,
) -> Result<()> {
    let version = db
        .query("PRAGMA schema_version", &[])
        .await?
        .first()
        .and_then(|row| row.get_index(0))
        .and_then(Value::as_i64)
        .ok_or_else(|| Error::Unsupported("PRAGMA schema_version returned nothing".to_owned()))?;
    let writable_before = pragma_flag(db, "writable_schema").await?;
    db.exec_raw("PRAGMA writable_schema = ON").await?;
    let moved = rename_rows(db, stored, aside, sql, version).await;
    // A connection flag, not undone by a rollback: always put it back.
    let restored = if writable_before {
        Ok(())
    } else {
        db.exec_raw("PRAGMA writable_schema = OFF").await
    };
    moved?;
    restored?;
    let found = db
        .query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
            &[Value::from(aside)],
        )
        .await?;
    if found.is_empty() {
        return Err(Error::Unsupported(format!(
            "cannot move table `{}` aside: SQLite did not take the renamed definition",
            stored.name
        )));
    }
    Ok(())
}

async fn rename_rows(
    db: &dyn Database,
    stored: &Stored,
    aside: &str,
    sql: &str,
    version: i64,
) -> Result<()> {
    let refused = |error: crate::error::DatabaseError| {
        Error::database(
            format!(
                "cannot move table `{}` aside in sqlite_master (the connection may be in SQLite's defensive mode, which forbids PRAGMA writable_schema); give this migration TransactionMode::NoTransaction, and the rebuild turns foreign keys off instead",
                stored.name
            ),
            error,
        )
    };
    db.execute(
        "UPDATE sqlite_master SET name = ?1, tbl_name = ?1, sql = ?2 WHERE type = 'table' AND name = ?3",
        &[Value::from(aside), Value::from(sql), Value::from(stored.name.as_str())],
    )
    .await
    .map_err(refused)?;
    // `sqlite_autoindex_<table>_<n>`: SQLite names them after the table, and reading the
    // schema again matches them to the table's UNIQUE and PRIMARY KEY constraints by name.
    db.execute(
        "UPDATE sqlite_master SET tbl_name = ?1, name = 'sqlite_autoindex_' || ?1 || substr(name, length(?2) + 18) WHERE type = 'index' AND tbl_name = ?2 AND sql IS NULL",
        &[Value::from(aside), Value::from(stored.name.as_str())],
    )
    .await
    .map_err(refused)?;
    let left = db
        .query(
            "SELECT name FROM sqlite_master WHERE tbl_name = ?1 AND type IN ('index', 'trigger')",
            &[Value::from(stored.name.as_str())],
        )
        .await?;
    if let Some(row) = left.first() {
        return Err(Error::Unsupported(format!(
            "cannot move table `{}` aside: `{}` still belongs to it",
            stored.name,
            row.get_str("name").unwrap_or_default()
        )));
    }
    let counts = db
        .query(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_sequence'",
            &[],
        )
        .await?;
    if !counts.is_empty() {
        db.execute(
            "UPDATE sqlite_sequence SET name = ?1 WHERE name = ?2",
            &[Value::from(aside), Value::from(stored.name.as_str())],
        )
        .await?;
    }
    // `ANALYZE` statistics follow too, so that dropping the old table clears them, as
    // dropping it under its own name would have.
    for statistics in ["sqlite_stat1", "sqlite_stat4"] {
        let exists = db
            .query(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?1",
                &[Value::from(statistics)],
            )
            .await?;
        if !exists.is_empty() {
            db.execute(
                &format!("UPDATE {statistics} SET tbl = ?1 WHERE tbl = ?2"),
                &[Value::from(aside), Value::from(stored.name.as_str())],
            )
            .await?;
        }
    }
    // Bumping the version makes this connection read the schema again before its next
    // statement (and any other connection after the commit).
    db.exec_raw(&format!("PRAGMA schema_version = {}", version + 1))
        .await?;
    Ok(())
}
