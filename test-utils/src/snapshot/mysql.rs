//! MySQL and MariaDB: `information_schema`, for the current database (`DATABASE()`).
//!
//! Every unique key is an index here (MySQL does not keep `UNIQUE (a)` apart from
//! `CREATE UNIQUE INDEX`), so unique keys are [`IndexSchema`]s with their names.

use std::collections::BTreeMap;

use switchy_schema::{Database, DatabaseError};

use super::{
    CaptureResult, ColumnSchema, ForeignKeySchema, IndexSchema, RowExt, SchemaSnapshot,
    TableSchema, collapse_outside_quotes, normalize_default, normalize_type,
};

pub(super) async fn capture(db: &dyn Database) -> CaptureResult {
    let mut snapshot = SchemaSnapshot::default();
    let tables = db
        .query(
            "SELECT TABLE_NAME AS table_name, TABLE_TYPE AS table_type \
             FROM information_schema.TABLES WHERE TABLE_SCHEMA = DATABASE()",
            &[],
        )
        .await?;
    for row in &tables {
        if row.text("table_type").as_deref() == Some("BASE TABLE") {
            snapshot.tables.insert(
                row.text("table_name").unwrap_or_default(),
                TableSchema::default(),
            );
        }
    }

    let columns = db
        .query(
            "SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name, COLUMN_TYPE AS column_type, \
             IS_NULLABLE AS is_nullable, COLUMN_DEFAULT AS column_default, EXTRA AS extra, \
             GENERATION_EXPRESSION AS generation_expression \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = DATABASE()",
            &[],
        )
        .await?;
    for row in &columns {
        let Some(table) = snapshot
            .tables
            .get_mut(&row.text("table_name").unwrap_or_default())
        else {
            continue;
        };
        let extra = row.text("extra").unwrap_or_default().to_lowercase();
        let extra = collapse_outside_quotes(&extra.replace("default_generated", ""));
        let expression = row
            .text("generation_expression")
            .filter(|e| !e.trim().is_empty());
        let generated = match (extra.as_str(), expression) {
            ("", None) => None,
            (extra, Some(expression)) => {
                Some(format!("{extra}: {}", collapse_outside_quotes(&expression)))
            }
            (extra, None) => Some(extra.to_owned()),
        };
        // MariaDB reports "no default" of a nullable column as the text `NULL`.
        let default = row
            .text("column_default")
            .filter(|d| !d.eq_ignore_ascii_case("null"))
            .map(|d| normalize_default(&d));
        table.columns.insert(
            row.text("column_name").unwrap_or_default(),
            ColumnSchema {
                data_type: normalize_type(&row.text("column_type").unwrap_or_default()),
                nullable: row.flag("is_nullable"),
                default: if generated.as_deref().is_some_and(|g| g.contains(':')) {
                    None
                } else {
                    default
                },
                generated,
            },
        );
    }

    indexes(db, &mut snapshot).await?;
    foreign_keys(db, &mut snapshot).await?;
    objects(db, &mut snapshot).await?;
    Ok(snapshot)
}

async fn indexes(db: &dyn Database, snapshot: &mut SchemaSnapshot) -> Result<(), DatabaseError> {
    let rows = db
        .query(
            "SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, NON_UNIQUE AS non_unique, \
             SEQ_IN_INDEX AS seq, COLUMN_NAME AS column_name, SUB_PART AS sub_part \
             FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
             ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX",
            &[],
        )
        .await?;
    for row in &rows {
        let Some(table) = snapshot
            .tables
            .get_mut(&row.text("table_name").unwrap_or_default())
        else {
            continue;
        };
        let index_name = row.text("index_name").unwrap_or_default();
        let mut column = row
            .text("column_name")
            .unwrap_or_else(|| "<expression>".to_owned());
        if let Some(part) = row.int("sub_part") {
            column = format!("{column}({part})");
        }
        if index_name == "PRIMARY" {
            table.primary_key.push(column);
            continue;
        }
        table
            .indexes
            .entry(index_name)
            .or_insert_with(|| IndexSchema {
                columns: Vec::new(),
                unique: !row.flag("non_unique"),
                predicate: None,
            })
            .columns
            .push(column);
    }
    Ok(())
}

async fn foreign_keys(
    db: &dyn Database,
    snapshot: &mut SchemaSnapshot,
) -> Result<(), DatabaseError> {
    let rows = db
        .query(
            "SELECT k.TABLE_NAME AS table_name, k.CONSTRAINT_NAME AS constraint_name, \
             k.COLUMN_NAME AS column_name, k.REFERENCED_TABLE_SCHEMA AS parent_schema, \
             k.REFERENCED_TABLE_NAME AS parent_table, k.REFERENCED_COLUMN_NAME AS parent_column, \
             r.UPDATE_RULE AS on_update, r.DELETE_RULE AS on_delete \
             FROM information_schema.KEY_COLUMN_USAGE k \
             JOIN information_schema.REFERENTIAL_CONSTRAINTS r \
               ON r.CONSTRAINT_SCHEMA = k.CONSTRAINT_SCHEMA AND r.CONSTRAINT_NAME = k.CONSTRAINT_NAME \
              AND r.TABLE_NAME = k.TABLE_NAME \
             WHERE k.TABLE_SCHEMA = DATABASE() AND k.REFERENCED_TABLE_NAME IS NOT NULL \
             ORDER BY k.TABLE_NAME, k.CONSTRAINT_NAME, k.ORDINAL_POSITION",
            &[],
        )
        .await?;
    let current = db
        .query("SELECT DATABASE() AS name", &[])
        .await?
        .first()
        .and_then(|row| row.text("name"))
        .unwrap_or_default();
    let mut keys: BTreeMap<(String, String), ForeignKeySchema> = BTreeMap::new();
    for row in &rows {
        let table = row.text("table_name").unwrap_or_default();
        let parent_schema = row.text("parent_schema").unwrap_or_default();
        let parent = row.text("parent_table").unwrap_or_default();
        let key = keys
            .entry((table, row.text("constraint_name").unwrap_or_default()))
            .or_insert_with(|| ForeignKeySchema {
                columns: Vec::new(),
                references_table: if parent_schema == current || parent_schema.is_empty() {
                    parent
                } else {
                    format!("{parent_schema}.{parent}")
                },
                references_columns: Vec::new(),
                on_update: row.text("on_update").unwrap_or_default().to_uppercase(),
                on_delete: row.text("on_delete").unwrap_or_default().to_uppercase(),
            });
        key.columns
            .push(row.text("column_name").unwrap_or_default());
        key.references_columns
            .push(row.text("parent_column").unwrap_or_default());
    }
    for ((table, _), key) in keys {
        if let Some(table) = snapshot.tables.get_mut(&table) {
            table.foreign_keys.insert(key);
        }
    }
    Ok(())
}

/// Views, triggers and routines of the current database.
async fn objects(db: &dyn Database, snapshot: &mut SchemaSnapshot) -> Result<(), DatabaseError> {
    let queries = [
        (
            "view",
            "SELECT TABLE_NAME AS name, VIEW_DEFINITION AS definition \
             FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE()",
        ),
        (
            "trigger",
            "SELECT TRIGGER_NAME AS name, CONCAT(ACTION_TIMING, ' ', EVENT_MANIPULATION, ' ON ', \
             EVENT_OBJECT_TABLE, ': ', ACTION_STATEMENT) AS definition \
             FROM information_schema.TRIGGERS WHERE TRIGGER_SCHEMA = DATABASE()",
        ),
        (
            "routine",
            "SELECT CONCAT(ROUTINE_TYPE, ' ', ROUTINE_NAME) AS name, ROUTINE_DEFINITION AS definition \
             FROM information_schema.ROUTINES WHERE ROUTINE_SCHEMA = DATABASE()",
        ),
    ];
    for (kind, sql) in queries {
        let rows = db.query(sql, &[]).await?;
        let mut found = BTreeMap::new();
        for row in &rows {
            found.insert(
                row.text("name").unwrap_or_default(),
                collapse_outside_quotes(&row.text("definition").unwrap_or_default()),
            );
        }
        if !found.is_empty() {
            snapshot.objects.insert(kind.to_owned(), found);
        }
    }
    Ok(())
}
