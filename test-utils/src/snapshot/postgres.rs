//! PostgreSQL: `pg_catalog`, every user schema (tables outside the current schema are
//! keyed `schema.name`). Lists are aggregated in SQL with the unit separator, since the
//! [`Value`](switchy_schema::Value) model has no arrays.

use std::collections::BTreeMap;

use switchy_schema::{Database, DatabaseError, Row};

use super::sql_text::canonical;
use super::{
    CaptureResult, ColumnSchema, ForeignKeySchema, IndexSchema, RowExt, SchemaSnapshot,
    TableSchema, collapse_outside_quotes, normalize_default, normalize_type, split_list,
};

/// The condition on a namespace alias `n` that keeps user schemas only.
const USER_SCHEMA: &str = "n.nspname NOT IN ('pg_catalog', 'information_schema') \
     AND n.nspname NOT LIKE 'pg\\_toast%' AND n.nspname NOT LIKE 'pg\\_temp\\_%'";

pub(super) async fn capture(db: &dyn Database) -> CaptureResult {
    let current = db
        .query("SELECT current_schema()::text AS name", &[])
        .await?
        .first()
        .and_then(|row| row.text("name"))
        .unwrap_or_else(|| "public".to_owned());
    let key = |row: &Row, schema: &str, name: &str| -> String {
        let schema = row.text(schema).unwrap_or_default();
        let name = row.text(name).unwrap_or_default();
        if schema == current {
            name
        } else {
            format!("{schema}.{name}")
        }
    };
    let mut snapshot = SchemaSnapshot::default();

    let tables = db
        .query(
            &format!(
                "SELECT n.nspname::text AS schema_name, c.relname::text AS table_name \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMA}"
            ),
            &[],
        )
        .await?;
    for row in &tables {
        snapshot.tables.insert(
            key(row, "schema_name", "table_name"),
            TableSchema::default(),
        );
    }

    let columns = db
        .query(
            &format!(
                "SELECT n.nspname::text AS schema_name, c.relname::text AS table_name, \
                 a.attname::text AS column_name, format_type(a.atttypid, a.atttypmod) AS data_type, \
                 a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default_value, \
                 a.attidentity::text AS identity, a.attgenerated::text AS generated, \
                 CASE WHEN a.attcollation <> t.typcollation THEN co.collname::text END AS collation \
                 FROM pg_attribute a \
                 JOIN pg_class c ON c.oid = a.attrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 JOIN pg_type t ON t.oid = a.atttypid \
                 LEFT JOIN pg_collation co ON co.oid = a.attcollation \
                 LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum \
                 WHERE a.attnum > 0 AND NOT a.attisdropped AND c.relkind IN ('r', 'p') AND {USER_SCHEMA}"
            ),
            &[],
        )
        .await?;
    for row in &columns {
        let Some(table) = snapshot
            .tables
            .get_mut(&key(row, "schema_name", "table_name"))
        else {
            continue;
        };
        let mut default = row.text("default_value").map(|d| normalize_default(&d));
        let generated = match (
            row.text("identity").unwrap_or_default().as_str(),
            row.text("generated").unwrap_or_default().as_str(),
        ) {
            ("a", _) => Some("identity always".to_owned()),
            ("d", _) => Some("identity by default".to_owned()),
            (_, "s") => default
                .take()
                .map(|expr| format!("stored: {}", canonical(&expr))),
            // PostgreSQL 18's virtual generated columns.
            (_, "v") => default
                .take()
                .map(|expr| format!("virtual: {}", canonical(&expr))),
            _ => None,
        };
        table.columns.insert(
            row.text("column_name").unwrap_or_default(),
            ColumnSchema {
                data_type: normalize_type(&row.text("data_type").unwrap_or_default()),
                nullable: !row.flag("not_null"),
                default,
                generated,
                collation: row.text("collation"),
            },
        );
    }

    constraints(db, &mut snapshot, &key).await?;
    indexes(db, &mut snapshot, &key).await?;
    objects(db, &mut snapshot, &current).await?;
    Ok(snapshot)
}

/// The column names of `attnums` (an `int2[]` expression) of relation `rel`, in order.
fn column_list(attnums: &str, rel: &str) -> String {
    format!(
        "(SELECT string_agg(a.attname::text, chr(31) ORDER BY k.ord) \
         FROM unnest({attnums}) WITH ORDINALITY AS k(attnum, ord) \
         JOIN pg_attribute a ON a.attrelid = {rel} AND a.attnum = k.attnum)"
    )
}

async fn constraints(
    db: &dyn Database,
    snapshot: &mut SchemaSnapshot,
    key: &impl Fn(&Row, &str, &str) -> String,
) -> Result<(), DatabaseError> {
    let rows = db
        .query(
            &format!(
                "SELECT n.nspname::text AS schema_name, c.relname::text AS table_name, \
                 con.contype::text AS kind, {columns} AS columns, \
                 fn.nspname::text AS parent_schema, f.relname::text AS parent_table, \
                 {parent_columns} AS parent_columns, \
                 con.confupdtype::text AS on_update, con.confdeltype::text AS on_delete, \
                 pg_get_constraintdef(con.oid, true) AS definition \
                 FROM pg_constraint con \
                 JOIN pg_class c ON c.oid = con.conrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 LEFT JOIN pg_class f ON f.oid = con.confrelid \
                 LEFT JOIN pg_namespace fn ON fn.oid = f.relnamespace \
                 WHERE con.contype IN ('p', 'u', 'f', 'c') AND {USER_SCHEMA}",
                columns = column_list("con.conkey", "con.conrelid"),
                parent_columns = column_list("con.confkey", "con.confrelid"),
            ),
            &[],
        )
        .await?;
    for row in &rows {
        let Some(table) = snapshot
            .tables
            .get_mut(&key(row, "schema_name", "table_name"))
        else {
            continue;
        };
        let columns = split_list(row.text("columns"));
        match row.text("kind").as_deref() {
            Some("p") => table.primary_key = columns,
            Some("u") => {
                table.unique_constraints.insert(columns);
            }
            Some("f") => {
                table.foreign_keys.insert(ForeignKeySchema {
                    columns,
                    references_table: key(row, "parent_schema", "parent_table"),
                    references_columns: split_list(row.text("parent_columns")),
                    on_update: action(row.text("on_update").as_deref()),
                    on_delete: action(row.text("on_delete").as_deref()),
                });
            }
            Some("c") => {
                table.checks.insert(check_expression(
                    &row.text("definition").unwrap_or_default(),
                ));
            }
            _ => {}
        }
    }
    Ok(())
}

/// The canonical expression of `CHECK (<expression>) [NO INHERIT] [NOT VALID]`, as
/// `pg_get_constraintdef` prints it.
fn check_expression(definition: &str) -> String {
    let mut text = definition.trim();
    if let Some(rest) = text.strip_prefix("CHECK") {
        text = rest;
    }
    for suffix in [" NOT VALID", " NO INHERIT"] {
        if let Some(rest) = text.strip_suffix(suffix) {
            text = rest;
        }
    }
    canonical(text)
}

fn action(code: Option<&str>) -> String {
    match code {
        Some("r") => "RESTRICT",
        Some("c") => "CASCADE",
        Some("n") => "SET NULL",
        Some("d") => "SET DEFAULT",
        _ => "NO ACTION",
    }
    .to_owned()
}

async fn indexes(
    db: &dyn Database,
    snapshot: &mut SchemaSnapshot,
    key: &impl Fn(&Row, &str, &str) -> String,
) -> Result<(), DatabaseError> {
    let rows = db
        .query(
            &format!(
                "SELECT n.nspname::text AS schema_name, c.relname::text AS table_name, \
                 ic.relname::text AS index_name, i.indisunique AS is_unique, \
                 pg_get_expr(i.indpred, i.indrelid) AS predicate, \
                 (SELECT string_agg(pg_get_indexdef(i.indexrelid, k, true) \
                     || CASE WHEN i.indoption[k - 1] & 1 = 1 THEN ' DESC' ELSE '' END, \
                     chr(31) ORDER BY k) \
                  FROM generate_series(1, i.indnkeyatts::int) AS k) AS columns \
                 FROM pg_index i \
                 JOIN pg_class ic ON ic.oid = i.indexrelid \
                 JOIN pg_class c ON c.oid = i.indrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('r', 'p') AND {USER_SCHEMA} \
                 AND NOT EXISTS (SELECT 1 FROM pg_constraint con WHERE con.conindid = i.indexrelid \
                     AND con.conrelid = i.indrelid AND con.contype IN ('p', 'u', 'x'))"
            ),
            &[],
        )
        .await?;
    for row in &rows {
        let Some(table) = snapshot
            .tables
            .get_mut(&key(row, "schema_name", "table_name"))
        else {
            continue;
        };
        table.indexes.insert(
            row.text("index_name").unwrap_or_default(),
            IndexSchema {
                columns: split_list(row.text("columns")),
                unique: row.flag("is_unique"),
                predicate: row.text("predicate").map(|p| canonical(&p)),
            },
        );
    }
    Ok(())
}

/// Views, triggers, sequences, enum types, functions, extensions and non-default schemas.
async fn objects(
    db: &dyn Database,
    snapshot: &mut SchemaSnapshot,
    current: &str,
) -> Result<(), DatabaseError> {
    let qualified = |schema: String, name: String| {
        if schema == current {
            name
        } else {
            format!("{schema}.{name}")
        }
    };
    let queries: [(&str, String); 7] = [
        (
            "view",
            format!(
                "SELECT n.nspname::text AS schema_name, c.relname::text AS name, \
                 pg_get_viewdef(c.oid, true) AS definition \
                 FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE c.relkind IN ('v', 'm') AND {USER_SCHEMA}"
            ),
        ),
        (
            "trigger",
            format!(
                "SELECT n.nspname::text AS schema_name, t.tgname::text AS name, \
                 pg_get_triggerdef(t.oid, true) AS definition \
                 FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace \
                 WHERE NOT t.tgisinternal AND {USER_SCHEMA}"
            ),
        ),
        (
            "sequence",
            format!(
                "SELECT n.nspname::text AS schema_name, c.relname::text AS name, \
                 format_type(s.seqtypid, NULL) || ' start ' || s.seqstart::text \
                 || ' increment ' || s.seqincrement::text AS definition \
                 FROM pg_sequence s JOIN pg_class c ON c.oid = s.seqrelid \
                 JOIN pg_namespace n ON n.oid = c.relnamespace WHERE {USER_SCHEMA}"
            ),
        ),
        (
            "type",
            format!(
                "SELECT n.nspname::text AS schema_name, t.typname::text AS name, \
                 'enum (' || string_agg(quote_literal(e.enumlabel::text), ', ' ORDER BY e.enumsortorder) \
                 || ')' AS definition \
                 FROM pg_type t JOIN pg_enum e ON e.enumtypid = t.oid \
                 JOIN pg_namespace n ON n.oid = t.typnamespace \
                 WHERE {USER_SCHEMA} GROUP BY n.nspname, t.typname"
            ),
        ),
        (
            "function",
            format!(
                "SELECT n.nspname::text AS schema_name, \
                 p.proname::text || '(' || pg_get_function_identity_arguments(p.oid) || ')' AS name, \
                 'returns ' || pg_get_function_result(p.oid) || ' as ' || md5(p.prosrc) AS definition \
                 FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace \
                 WHERE {USER_SCHEMA} AND NOT EXISTS (SELECT 1 FROM pg_depend dep \
                     WHERE dep.classid = 'pg_proc'::regclass AND dep.objid = p.oid AND dep.deptype = 'e')"
            ),
        ),
        (
            "extension",
            "SELECT NULL::text AS schema_name, extname::text AS name, extversion::text AS definition \
             FROM pg_extension WHERE extname <> 'plpgsql'"
                .to_owned(),
        ),
        (
            "schema",
            format!(
                "SELECT NULL::text AS schema_name, n.nspname::text AS name, \
                 ''::text AS definition \
                 FROM pg_namespace n WHERE {USER_SCHEMA} AND n.nspname <> 'public' \
                 AND n.nspname <> current_schema()"
            ),
        ),
    ];
    for (kind, sql) in queries {
        let rows = db.query(&sql, &[]).await?;
        let mut found = BTreeMap::new();
        for row in &rows {
            let name = row.text("name").unwrap_or_default();
            let name = match row.text("schema_name") {
                Some(schema) => qualified(schema, name),
                None => name,
            };
            let definition = collapse_outside_quotes(&row.text("definition").unwrap_or_default());
            found.insert(name, definition);
        }
        if !found.is_empty() {
            snapshot.objects.insert(kind.to_owned(), found);
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_expression;

    #[test]
    fn a_check_definition_becomes_its_canonical_expression() {
        assert_eq!(
            check_expression("CHECK ((price > (0)::numeric))"),
            "price > (0)::numeric"
        );
        assert_eq!(
            check_expression("CHECK (age >= 0) NO INHERIT NOT VALID"),
            "age >= 0"
        );
        assert_ne!(
            check_expression("CHECK ((age >= 0))"),
            check_expression("CHECK ((age > 0))")
        );
    }
}
