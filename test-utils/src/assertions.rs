//! Assertions on a database's schema, data and migration status.
//!
//! Each returns `Ok(())` or an [`Error::Assertion`] whose message shows what was found
//! (the tables there are, a column's actual type, the actual row count, the violating
//! rows, the applied migrations), so `?` or `.unwrap()` in a test prints a useful failure.
//! Table names may be `table` or `schema.table`; they are validated and quoted.

use std::collections::BTreeSet;

use switchy_schema::code::CodeSource;
use switchy_schema::{Database, MigrationRunner, Value};

use crate::error::{Error, Result};
use crate::ident::{TableRef, column, quote};
use crate::snapshot::{
    ColumnSchema, SchemaSnapshot, SnapshotOptions, TableSchema, column_text, foreign_key_text,
    normalize_type,
};

/// The whole schema, the tracking table included.
async fn schema(db: &dyn Database) -> Result<SchemaSnapshot> {
    SchemaSnapshot::capture_with(db, &SnapshotOptions::new()).await
}

fn find<'s>(snapshot: &'s SchemaSnapshot, table: &TableRef) -> Option<&'s TableSchema> {
    snapshot.tables.get(&table.key()).or_else(|| {
        table
            .schema
            .as_ref()
            .and_then(|_| snapshot.tables.get(&table.name))
    })
}

fn table_list(snapshot: &SchemaSnapshot) -> String {
    if snapshot.tables.is_empty() {
        "there are no tables".to_owned()
    } else {
        format!(
            "the tables are {}",
            crate::list(&snapshot.tables.keys().cloned().collect::<Vec<_>>())
        )
    }
}

fn column_list(table: &TableSchema) -> String {
    if table.columns.is_empty() {
        return "it has no columns".to_owned();
    }
    let columns: Vec<String> = table
        .columns
        .iter()
        .map(|(name, schema)| format!("`{name}` ({})", column_text(schema)))
        .collect();
    format!("its columns are {}", columns.join(", "))
}

async fn existing_table(db: &dyn Database, table: &str) -> Result<(TableRef, TableSchema)> {
    let reference = TableRef::parse(table)?;
    let snapshot = schema(db).await?;
    match find(&snapshot, &reference) {
        Some(schema) => Ok((reference, schema.clone())),
        None => Err(Error::Assertion(format!(
            "table `{table}` does not exist; {}",
            table_list(&snapshot)
        ))),
    }
}

/// Asserts that `table` exists.
///
/// ```
/// # use switchy_schema_test_utils::*;
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// db.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY)").await?;
/// assert_table_exists(&db, "users").await?;
/// let error = assert_table_exists(&db, "posts").await.unwrap_err();
/// assert_eq!(error.to_string(), "table `posts` does not exist; the tables are `users`");
/// # Ok(())
/// # }
/// ```
pub async fn assert_table_exists(db: &dyn Database, table: &str) -> Result<()> {
    existing_table(db, table).await.map(drop)
}

/// Asserts that `table` does not exist.
///
/// ```
/// # use switchy_schema_test_utils::*;
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// assert_table_not_exists(&db, "users").await?;
/// db.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY)").await?;
/// let error = assert_table_not_exists(&db, "users").await.unwrap_err();
/// assert_eq!(error.to_string(), "table `users` exists; its columns are `id` (integer NULL)");
/// # Ok(())
/// # }
/// ```
pub async fn assert_table_not_exists(db: &dyn Database, table: &str) -> Result<()> {
    let reference = TableRef::parse(table)?;
    let snapshot = schema(db).await?;
    match find(&snapshot, &reference) {
        None => Ok(()),
        Some(schema) => Err(Error::Assertion(format!(
            "table `{table}` exists; {}",
            column_list(schema)
        ))),
    }
}

async fn existing_column(
    db: &dyn Database,
    table: &str,
    name: &str,
) -> Result<(TableSchema, Option<ColumnSchema>)> {
    column(name)?;
    let (_, schema) = existing_table(db, table).await?;
    let found = schema.columns.get(name).cloned();
    Ok((schema, found))
}

/// Asserts that `table` has a column `name`.
///
/// ```
/// # use switchy_schema_test_utils::*;
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// db.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)").await?;
/// assert_column_exists(&db, "users", "name").await?;
/// let error = assert_column_exists(&db, "users", "email").await.unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "table `users` has no column `email`; its columns are `id` (integer NULL), `name` (text NOT NULL)"
/// );
/// # Ok(())
/// # }
/// ```
pub async fn assert_column_exists(db: &dyn Database, table: &str, name: &str) -> Result<()> {
    match existing_column(db, table, name).await? {
        (_, Some(_)) => Ok(()),
        (schema, None) => Err(Error::Assertion(format!(
            "table `{table}` has no column `{name}`; {}",
            column_list(&schema)
        ))),
    }
}

/// Asserts that `table` has a column `name` of type `data_type`, compared as the snapshot
/// normalizes types (case and whitespace do not matter; `integer` is not `int`).
///
/// ```
/// # use switchy_schema_test_utils::*;
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// db.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(20))").await?;
/// assert_column_type(&db, "users", "name", "VARCHAR(20)").await?;
/// let error = assert_column_type(&db, "users", "name", "text").await.unwrap_err();
/// assert_eq!(error.to_string(), "column `users`.`name` has type `varchar(20)`, expected `text`");
/// # Ok(())
/// # }
/// ```
pub async fn assert_column_type(
    db: &dyn Database,
    table: &str,
    name: &str,
    data_type: &str,
) -> Result<()> {
    let expected = normalize_type(data_type);
    match existing_column(db, table, name).await? {
        (_, Some(found)) if found.data_type == expected => Ok(()),
        (_, Some(found)) => Err(Error::Assertion(format!(
            "column `{table}`.`{name}` has type `{}`, expected `{expected}`",
            found.data_type
        ))),
        (schema, None) => Err(Error::Assertion(format!(
            "table `{table}` has no column `{name}`; {}",
            column_list(&schema)
        ))),
    }
}

/// Asserts that `table` exists and has no column `name`.
///
/// ```
/// # use switchy_schema_test_utils::*;
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// db.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY, legacy TEXT DEFAULT 'x')").await?;
/// assert_column_not_exists(&db, "users", "email").await?;
/// let error = assert_column_not_exists(&db, "users", "legacy").await.unwrap_err();
/// assert_eq!(error.to_string(), "table `users` has a column `legacy` (text NULL DEFAULT 'x')");
/// # Ok(())
/// # }
/// ```
pub async fn assert_column_not_exists(db: &dyn Database, table: &str, name: &str) -> Result<()> {
    match existing_column(db, table, name).await? {
        (_, None) => Ok(()),
        (_, Some(found)) => Err(Error::Assertion(format!(
            "table `{table}` has a column `{name}` ({})",
            column_text(&found)
        ))),
    }
}

/// The number of rows of `table`.
pub async fn row_count(db: &dyn Database, table: &str) -> Result<i64> {
    let reference = TableRef::parse(table)?;
    let rows = db
        .query(
            &format!(
                "SELECT COUNT(*) AS n FROM {}",
                reference.quoted(db.dialect())
            ),
            &[],
        )
        .await
        .map_err(|error| Error::database(format!("counting the rows of `{table}`"), error))?;
    rows.first()
        .and_then(|row| match row.get_index(0) {
            Some(Value::Int(n)) => Some(*n),
            Some(Value::Real(n)) => format!("{n:.0}").parse().ok(),
            Some(Value::Text(n)) => n.parse().ok(),
            _ => None,
        })
        .ok_or_else(|| {
            Error::Assertion(format!("counting the rows of `{table}` returned no number"))
        })
}

/// Asserts that `table` has exactly `expected` rows.
///
/// ```
/// # use switchy_schema_test_utils::*;
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// db.exec_raw("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2)").await?;
/// assert_row_count(&db, "t", 2).await?;
/// let error = assert_row_count(&db, "t", 3).await.unwrap_err();
/// assert_eq!(error.to_string(), "table `t` has 2 row(s), expected 3");
/// # Ok(())
/// # }
/// ```
pub async fn assert_row_count(db: &dyn Database, table: &str, expected: i64) -> Result<()> {
    let found = row_count(db, table).await?;
    if found == expected {
        Ok(())
    } else {
        Err(Error::Assertion(format!(
            "table `{table}` has {found} row(s), expected {expected}"
        )))
    }
}

/// Asserts that `table` has at least `minimum` rows.
///
/// ```
/// # use switchy_schema_test_utils::*;
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// db.exec_raw("CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1)").await?;
/// assert_min_row_count(&db, "t", 1).await?;
/// let error = assert_min_row_count(&db, "t", 2).await.unwrap_err();
/// assert_eq!(error.to_string(), "table `t` has 1 row(s), expected at least 2");
/// # Ok(())
/// # }
/// ```
pub async fn assert_min_row_count(db: &dyn Database, table: &str, minimum: i64) -> Result<()> {
    let found = row_count(db, table).await?;
    if found >= minimum {
        Ok(())
    } else {
        Err(Error::Assertion(format!(
            "table `{table}` has {found} row(s), expected at least {minimum}"
        )))
    }
}

/// How many rows of each foreign key's table show at most.
const SHOWN_VIOLATIONS: usize = 3;

/// Asserts that every foreign key of every table holds: each row whose key columns are all
/// non-`NULL` has a parent row. Checked with a query per foreign key, so it also finds the
/// violations a database let through (SQLite with `PRAGMA foreign_keys = OFF`, MySQL with
/// `FOREIGN_KEY_CHECKS = 0`, data copied during a table rebuild).
///
/// ```
/// # use switchy_schema_test_utils::*;
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// db.exec_raw(
///     "CREATE TABLE users (id INTEGER PRIMARY KEY);
///      CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER REFERENCES users (id));
///      INSERT INTO users (id) VALUES (1);
///      INSERT INTO posts (id, user_id) VALUES (10, 1), (11, NULL);",
/// ).await?;
/// assert_foreign_key_integrity(&db).await?;
///
/// db.exec_raw("PRAGMA foreign_keys = OFF; INSERT INTO posts (id, user_id) VALUES (12, 7);").await?;
/// let error = assert_foreign_key_integrity(&db).await.unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "foreign key violations:\ntable `posts`: 1 row(s) violate foreign key (user_id) \
///      references users (id) on update NO ACTION on delete NO ACTION, such as (user_id) = (7)"
/// );
/// # Ok(())
/// # }
/// ```
pub async fn assert_foreign_key_integrity(db: &dyn Database) -> Result<()> {
    let dialect = db.dialect();
    let snapshot = schema(db).await?;
    let mut violations = Vec::new();
    for (name, table) in &snapshot.tables {
        let child = TableRef::parse(name)?.quoted(dialect);
        for key in &table.foreign_keys {
            if key.columns.len() != key.references_columns.len() {
                continue;
            }
            let parent = TableRef::parse(&key.references_table)?.quoted(dialect);
            let not_null: Vec<String> = key
                .columns
                .iter()
                .map(|c| format!("c.{} IS NOT NULL", quote(c, dialect)))
                .collect();
            let matches: Vec<String> = key
                .columns
                .iter()
                .zip(&key.references_columns)
                .map(|(c, p)| format!("p.{} = c.{}", quote(p, dialect), quote(c, dialect)))
                .collect();
            let selected: Vec<String> = key
                .columns
                .iter()
                .map(|c| format!("c.{}", quote(c, dialect)))
                .collect();
            let sql = format!(
                "SELECT {} FROM {child} c WHERE {} AND NOT EXISTS (SELECT 1 FROM {parent} p WHERE {})",
                selected.join(", "),
                not_null.join(" AND "),
                matches.join(" AND ")
            );
            let rows = db.query(&sql, &[]).await.map_err(|error| {
                Error::database(format!("checking the foreign keys of `{name}`"), error)
            })?;
            if rows.is_empty() {
                continue;
            }
            let examples: Vec<String> = rows
                .iter()
                .take(SHOWN_VIOLATIONS)
                .map(|row| {
                    let values: Vec<String> = row
                        .values()
                        .iter()
                        .map(|v| crate::snapshot::value_text(v).unwrap_or_else(|| "NULL".into()))
                        .collect();
                    format!("({}) = ({})", key.columns.join(", "), values.join(", "))
                })
                .collect();
            violations.push(format!(
                "table `{name}`: {} row(s) violate foreign key {}, such as {}",
                rows.len(),
                foreign_key_text(key),
                examples.join("; ")
            ));
        }
    }
    if violations.is_empty() {
        Ok(())
    } else {
        Err(Error::Assertion(format!(
            "foreign key violations:\n{}",
            violations.join("\n")
        )))
    }
}

/// The tracked migrations with their status, read from the tracking table `table_name`.
async fn tracked(db: &dyn Database, table_name: &str) -> Result<Vec<(String, String)>> {
    let infos = MigrationRunner::new(CodeSource::new())
        .with_table_name(table_name)
        .list_migrations(db)
        .await
        .map_err(|error| Error::migration("reading the tracking table", error))?;
    Ok(infos
        .into_iter()
        .map(|info| {
            let status = info
                .status
                .map_or_else(|| "pending".to_owned(), |s| s.as_str().to_owned());
            (info.id, status)
        })
        .collect())
}

fn tracked_list(tracked: &[(String, String)]) -> String {
    if tracked.is_empty() {
        return "the tracking table has no rows".to_owned();
    }
    let shown: Vec<String> = tracked
        .iter()
        .map(|(id, status)| format!("`{id}` ({status})"))
        .collect();
    format!("tracked: {}", shown.join(", "))
}

/// Asserts that every migration in `ids` is applied (`completed`) according to the
/// default tracking table.
///
/// ```
/// # use switchy_schema_test_utils::*;
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// use switchy_schema::code::{CodeMigration, CodeSource};
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// switchy_schema::MigrationRunner::new(CodeSource::new().with(CodeMigration::new("0001_a", "CREATE TABLE a (x INTEGER)")))
///     .run(&db)
///     .await?;
/// assert_migrations_applied(&db, &["0001_a"]).await?;
/// let error = assert_migrations_applied(&db, &["0001_a", "0002_b"]).await.unwrap_err();
/// assert_eq!(error.to_string(), "not applied: `0002_b` (no record); tracked: `0001_a` (completed)");
/// # Ok(())
/// # }
/// ```
pub async fn assert_migrations_applied(db: &dyn Database, ids: &[&str]) -> Result<()> {
    assert_migrations_applied_in(db, switchy_schema::DEFAULT_TABLE_NAME, ids).await
}

/// [`assert_migrations_applied`] with the tracking table `table_name`.
pub async fn assert_migrations_applied_in(
    db: &dyn Database,
    table_name: &str,
    ids: &[&str],
) -> Result<()> {
    let tracked = tracked(db, table_name).await?;
    let wrong: Vec<String> = ids
        .iter()
        .filter_map(|id| match tracked.iter().find(|(each, _)| each == id) {
            Some((_, status)) if status == "completed" => None,
            Some((_, status)) => Some(format!("`{id}` ({status})")),
            None => Some(format!("`{id}` (no record)")),
        })
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(Error::Assertion(format!(
            "not applied: {}; {}",
            wrong.join(", "),
            tracked_list(&tracked)
        )))
    }
}

/// Asserts that no migration in `ids` has a record (of any status) in the default
/// tracking table.
///
/// ```
/// # use switchy_schema_test_utils::*;
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let db = create_empty_in_memory().await?;
/// assert_migrations_not_applied(&db, &["0001_a"]).await?;
/// # Ok(())
/// # }
/// ```
pub async fn assert_migrations_not_applied(db: &dyn Database, ids: &[&str]) -> Result<()> {
    assert_migrations_not_applied_in(db, switchy_schema::DEFAULT_TABLE_NAME, ids).await
}

/// [`assert_migrations_not_applied`] with the tracking table `table_name`.
pub async fn assert_migrations_not_applied_in(
    db: &dyn Database,
    table_name: &str,
    ids: &[&str],
) -> Result<()> {
    let tracked = tracked(db, table_name).await?;
    let wanted: BTreeSet<&str> = ids.iter().copied().collect();
    let wrong: Vec<String> = tracked
        .iter()
        .filter(|(id, _)| wanted.contains(id.as_str()))
        .map(|(id, status)| format!("`{id}` ({status})"))
        .collect();
    if wrong.is_empty() {
        Ok(())
    } else {
        Err(Error::Assertion(format!(
            "expected not applied, but tracked: {}",
            wrong.join(", ")
        )))
    }
}

/// Asserts that the schema of `db` (without the default tracking table) equals
/// `expected`, listing every difference.
///
/// ```
/// # use switchy_schema_test_utils::*;
/// use switchy_schema::Database as _; // exec_raw, query, ...
/// # #[tokio::main(flavor = "current_thread")]
/// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
/// let reference = create_empty_in_memory().await?;
/// reference.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT NOT NULL)").await?;
/// let expected = SchemaSnapshot::capture(&reference).await?;
///
/// let db = create_empty_in_memory().await?;
/// db.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)").await?;
/// let error = assert_schema_matches(&db, &expected).await.unwrap_err();
/// assert_eq!(
///     error.to_string(),
///     "the schema differs from the expected one:\n\
///      table `users`: column `email`: nullability NOT NULL expected, NULL in the database"
/// );
/// # Ok(())
/// # }
/// ```
pub async fn assert_schema_matches(db: &dyn Database, expected: &SchemaSnapshot) -> Result<()> {
    assert_schema_matches_with(db, expected, &SnapshotOptions::default()).await
}

/// [`assert_schema_matches`], capturing with `options`.
pub async fn assert_schema_matches_with(
    db: &dyn Database,
    expected: &SchemaSnapshot,
    options: &SnapshotOptions,
) -> Result<()> {
    let actual = SchemaSnapshot::capture_with(db, options).await?;
    let diff = expected.diff_named(&actual, "expected", "in the database");
    if diff.is_empty() {
        Ok(())
    } else {
        Err(Error::Assertion(format!(
            "the schema differs from the expected one:\n{diff}"
        )))
    }
}
