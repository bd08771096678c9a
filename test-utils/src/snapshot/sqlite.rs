//! SQLite: `sqlite_master` and the table-valued pragma functions, every name bound as a
//! parameter. What the pragmas do not report (CHECK constraints, column collations,
//! generation expressions, index expressions and predicates) is read from the statement
//! text SQLite keeps in `sqlite_master` (see [`sql_text`](super::sql_text)).

use std::collections::BTreeMap;

use switchy_schema::{Database, Value};

use super::sql_text::{self, IndexText};
use super::{
    CaptureResult, ColumnSchema, ForeignKeySchema, IndexSchema, RowExt, SchemaSnapshot,
    TableSchema, collapse_outside_quotes, normalize_default, normalize_type,
};

pub(super) async fn capture(db: &dyn Database) -> CaptureResult {
    let mut snapshot = SchemaSnapshot::default();
    let objects = db
        .query(
            "SELECT type, name, tbl_name, sql FROM sqlite_master \
             WHERE type IN ('table', 'view', 'trigger', 'index') \
             AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY name",
            &[],
        )
        .await?;
    let mut index_sql = BTreeMap::new();
    let mut tables = Vec::new();
    for object in &objects {
        let (Some(kind), Some(name)) = (object.text("type"), object.text("name")) else {
            continue;
        };
        let sql = object.text("sql").unwrap_or_default();
        match kind.as_str() {
            "table" => tables.push((name, sql)),
            "index" => {
                index_sql.insert(name, sql);
            }
            _ => {
                snapshot
                    .objects
                    .entry(kind)
                    .or_default()
                    .insert(name, collapse_outside_quotes(&sql));
            }
        }
    }
    for (name, sql) in tables {
        let table = table(db, &name, &sql, &index_sql).await?;
        snapshot.tables.insert(name, table);
    }
    Ok(snapshot)
}

async fn table(
    db: &dyn Database,
    name: &str,
    sql: &str,
    index_sql: &BTreeMap<String, String>,
) -> Result<TableSchema, switchy_schema::DatabaseError> {
    let param = [Value::from(name)];
    let declared = sql_text::table_text(sql);
    let mut table = TableSchema {
        checks: declared.checks.iter().cloned().collect(),
        ..TableSchema::default()
    };
    // SQLite column names are case-insensitive; `table_text` lowercases them.
    let declared_for = |list: &[(String, String)], column: &str| {
        list.iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(column))
            .map(|(_, value)| value.clone())
    };

    let columns = db
        .query(
            "SELECT name, type, \"notnull\" AS not_null, dflt_value, pk, hidden \
             FROM pragma_table_xinfo(?) ORDER BY cid",
            &param,
        )
        .await?;
    let mut primary = Vec::new();
    for column in &columns {
        let Some(column_name) = column.text("name") else {
            continue;
        };
        let hidden = column.int("hidden").unwrap_or(0);
        if hidden == 1 {
            // A hidden column of a virtual table.
            continue;
        }
        let expression = || {
            declared_for(&declared.generated, &column_name)
                .unwrap_or_else(|| "<unknown expression>".to_owned())
        };
        let generated = match hidden {
            2 => Some(format!("virtual: {}", expression())),
            3 => Some(format!("stored: {}", expression())),
            _ => None,
        };
        if let Some(position) = column.int("pk").filter(|&pk| pk > 0) {
            primary.push((position, column_name.clone()));
        }
        let collation = declared_for(&declared.collations, &column_name);
        table.columns.insert(
            column_name,
            ColumnSchema {
                data_type: normalize_type(&column.text("type").unwrap_or_default()),
                nullable: !column.flag("not_null"),
                default: column.text("dflt_value").map(|d| normalize_default(&d)),
                generated,
                collation,
            },
        );
    }
    primary.sort();
    table.primary_key = primary.into_iter().map(|(_, column)| column).collect();
    indexes(db, name, index_sql, &mut table).await?;
    table.foreign_keys = foreign_keys(db, name).await?;
    Ok(table)
}

/// The unique constraints and indexes of table `name`.
async fn indexes(
    db: &dyn Database,
    name: &str,
    index_sql: &BTreeMap<String, String>,
    table: &mut TableSchema,
) -> Result<(), switchy_schema::DatabaseError> {
    let indexes = db
        .query(
            "SELECT name, \"unique\" AS is_unique, origin, partial FROM pragma_index_list(?)",
            &[Value::from(name)],
        )
        .await?;
    for index in &indexes {
        let Some(index_name) = index.text("name") else {
            continue;
        };
        let origin = index.text("origin").unwrap_or_default();
        if origin == "pk" {
            continue;
        }
        let text = index_sql
            .get(&index_name)
            .map(|sql| sql_text::index_text(sql))
            .unwrap_or_default();
        let columns = index_columns(db, &index_name, &text).await?;
        if origin == "u" {
            table.unique_constraints.insert(columns);
            continue;
        }
        let predicate = if index.flag("partial") {
            text.predicate
        } else {
            None
        };
        table.indexes.insert(
            index_name,
            IndexSchema {
                columns,
                unique: index.flag("is_unique"),
                predicate,
            },
        );
    }
    Ok(())
}

/// The foreign keys of table `name`.
async fn foreign_keys(
    db: &dyn Database,
    name: &str,
) -> Result<std::collections::BTreeSet<ForeignKeySchema>, switchy_schema::DatabaseError> {
    let keys = db
        .query(
            "SELECT id, seq, \"table\" AS parent, \"from\" AS child_column, \"to\" AS parent_column, \
             on_update, on_delete FROM pragma_foreign_key_list(?) ORDER BY id, seq",
            &[Value::from(name)],
        )
        .await?;
    let mut by_id: BTreeMap<i64, ForeignKeySchema> = BTreeMap::new();
    for key in &keys {
        let entry = by_id
            .entry(key.int("id").unwrap_or(0))
            .or_insert_with(|| ForeignKeySchema {
                columns: Vec::new(),
                references_table: key.text("parent").unwrap_or_default(),
                references_columns: Vec::new(),
                on_update: key.text("on_update").unwrap_or_default().to_uppercase(),
                on_delete: key.text("on_delete").unwrap_or_default().to_uppercase(),
            });
        entry
            .columns
            .push(key.text("child_column").unwrap_or_default());
        if let Some(parent) = key.text("parent_column") {
            entry.references_columns.push(parent);
        }
    }
    Ok(by_id.into_values().collect())
}

/// The key columns of an index, in order: `name`, `name DESC`, or the canonical
/// expression from the index's statement `text`, with a non-default collation appended.
async fn index_columns(
    db: &dyn Database,
    index: &str,
    text: &IndexText,
) -> Result<Vec<String>, switchy_schema::DatabaseError> {
    let rows = db
        .query(
            "SELECT seqno, cid, name, \"desc\" AS descending, coll, key \
             FROM pragma_index_xinfo(?) ORDER BY seqno",
            &[Value::from(index)],
        )
        .await?;
    Ok(rows
        .iter()
        .filter(|row| row.flag("key"))
        .enumerate()
        .map(|(position, row)| {
            // An expression has no name; its text is the key at the same position.
            let mut column = row.text("name").unwrap_or_else(|| {
                text.keys
                    .get(position)
                    .cloned()
                    .unwrap_or_else(|| "<unknown expression>".to_owned())
            });
            if let Some(collation) = row.text("coll").filter(|c| c != "BINARY") {
                column.push_str(" COLLATE ");
                column.push_str(&collation);
            }
            if row.flag("descending") {
                column.push_str(" DESC");
            }
            column
        })
        .collect())
}
