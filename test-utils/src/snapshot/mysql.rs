//! MySQL and MariaDB: `information_schema`, for the current database (`DATABASE()`).
//!
//! Every unique key is an index here (MySQL does not keep `UNIQUE (a)` apart from
//! `CREATE UNIQUE INDEX`), so unique keys are [`IndexSchema`]s with their names.
//!
//! MySQL and MariaDB differ in two catalog columns, probed first: MySQL 8 reports an
//! expression key part in `STATISTICS.EXPRESSION` (MariaDB has no expression indexes), and
//! MariaDB's `CHECK_CONSTRAINTS` has the `TABLE_NAME` that MySQL's lacks (there the table
//! comes from `TABLE_CONSTRAINTS`, check names being unique per schema).

use std::collections::BTreeMap;

use switchy_schema::{Database, DatabaseError};

use super::sql_text::canonical;
use super::{
    CaptureResult, ColumnSchema, ForeignKeySchema, IndexSchema, RowExt, SchemaSnapshot,
    TableSchema, collapse_outside_quotes, normalize_default, normalize_type,
};

/// Which optional catalog columns this server has.
#[derive(Debug, Clone, Copy)]
struct Catalog {
    /// `information_schema.STATISTICS.EXPRESSION` (MySQL 8.0.13+).
    index_expressions: bool,
    /// `information_schema.CHECK_CONSTRAINTS.TABLE_NAME` (MariaDB).
    check_table_name: bool,
}

async fn catalog(db: &dyn Database) -> Result<Catalog, DatabaseError> {
    let rows = db
        .query(
            "SELECT TABLE_NAME AS table_name, COLUMN_NAME AS column_name \
             FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = 'information_schema' \
             AND ((TABLE_NAME = 'STATISTICS' AND COLUMN_NAME = 'EXPRESSION') \
               OR (TABLE_NAME = 'CHECK_CONSTRAINTS' AND COLUMN_NAME = 'TABLE_NAME'))",
            &[],
        )
        .await?;
    let has = |table: &str| {
        rows.iter().any(|row| {
            row.text("table_name")
                .is_some_and(|t| t.eq_ignore_ascii_case(table))
        })
    };
    Ok(Catalog {
        index_expressions: has("STATISTICS"),
        check_table_name: has("CHECK_CONSTRAINTS"),
    })
}

pub(super) async fn capture(db: &dyn Database) -> CaptureResult {
    let mut snapshot = SchemaSnapshot::default();
    let catalog = catalog(db).await?;
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
            "SELECT c.TABLE_NAME AS table_name, c.COLUMN_NAME AS column_name, \
             c.COLUMN_TYPE AS column_type, c.IS_NULLABLE AS is_nullable, \
             c.COLUMN_DEFAULT AS column_default, c.EXTRA AS extra, \
             c.GENERATION_EXPRESSION AS generation_expression, \
             c.COLLATION_NAME AS collation_name, t.TABLE_COLLATION AS table_collation \
             FROM information_schema.COLUMNS c \
             JOIN information_schema.TABLES t \
               ON t.TABLE_SCHEMA = c.TABLE_SCHEMA AND t.TABLE_NAME = c.TABLE_NAME \
             WHERE c.TABLE_SCHEMA = DATABASE()",
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
            (extra, Some(expression)) => Some(format!("{extra}: {}", canonical(&expression))),
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
                collation: row
                    .text("collation_name")
                    .filter(|collation| Some(collation) != row.text("table_collation").as_ref()),
            },
        );
    }

    indexes(db, &mut snapshot, catalog).await?;
    checks(db, &mut snapshot, catalog).await?;
    foreign_keys(db, &mut snapshot).await?;
    objects(db, &mut snapshot).await?;
    Ok(snapshot)
}

async fn indexes(
    db: &dyn Database,
    snapshot: &mut SchemaSnapshot,
    catalog: Catalog,
) -> Result<(), DatabaseError> {
    let expression = if catalog.index_expressions {
        "EXPRESSION"
    } else {
        "NULL"
    };
    let rows = db
        .query(
            &format!(
                "SELECT TABLE_NAME AS table_name, INDEX_NAME AS index_name, \
                 NON_UNIQUE AS non_unique, SEQ_IN_INDEX AS seq, COLUMN_NAME AS column_name, \
                 SUB_PART AS sub_part, {expression} AS expression \
                 FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = DATABASE() \
                 ORDER BY TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX"
            ),
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
            .or_else(|| row.text("expression").map(|e| canonical(&e)))
            .unwrap_or_else(|| "<unknown expression>".to_owned());
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

/// The `CHECK` constraints, by table.
async fn checks(
    db: &dyn Database,
    snapshot: &mut SchemaSnapshot,
    catalog: Catalog,
) -> Result<(), DatabaseError> {
    let sql = if catalog.check_table_name {
        "SELECT TABLE_NAME AS table_name, CHECK_CLAUSE AS check_clause \
         FROM information_schema.CHECK_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = DATABASE()"
    } else {
        "SELECT tc.TABLE_NAME AS table_name, cc.CHECK_CLAUSE AS check_clause \
         FROM information_schema.TABLE_CONSTRAINTS tc \
         JOIN information_schema.CHECK_CONSTRAINTS cc \
           ON cc.CONSTRAINT_SCHEMA = tc.CONSTRAINT_SCHEMA \
          AND cc.CONSTRAINT_NAME = tc.CONSTRAINT_NAME \
         WHERE tc.TABLE_SCHEMA = DATABASE() AND tc.CONSTRAINT_TYPE = 'CHECK'"
    };
    for row in &db.query(sql, &[]).await? {
        if let Some(table) = snapshot
            .tables
            .get_mut(&row.text("table_name").unwrap_or_default())
        {
            table
                .checks
                .insert(canonical(&row.text("check_clause").unwrap_or_default()));
        }
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
