//! [`SchemaSnapshot`]: a normalized picture of a database's schema, read by introspection.
//!
//! | dialect | read from |
//! |---|---|
//! | SQLite | `sqlite_master` and the `table_xinfo`, `index_list`, `index_xinfo` and `foreign_key_list` pragmas |
//! | PostgreSQL | `pg_catalog` (every schema but the system ones) |
//! | MySQL / MariaDB | `information_schema`, for the current database |
//!
//! A snapshot covers tables, their columns (type, nullability, default, collation,
//! generation with its expression), primary keys, unique constraints, `CHECK`
//! constraints, indexes (key columns and expressions, partial-index predicates) and
//! foreign keys, and the other objects a
//! forgotten `DROP` leaves behind: views and triggers, and on PostgreSQL also schemas,
//! sequences, enum types, functions and extensions (on MySQL, routines). It leaves out the
//! migration tracking table, SQLite's internal tables (`sqlite_sequence`, `sqlite_stat1`)
//! and whatever [`SnapshotOptions::ignore_table`] names.
//!
//! # Normalization
//!
//! The same schema reached by different statement orders compares equal:
//!
//! - columns are compared by name, not position (`ADD COLUMN` appends, `CREATE TABLE` may
//!   list the same column elsewhere);
//! - constraints are compared by what they constrain, not by name, because engines name
//!   them after the order of creation (`sqlite_autoindex_users_2`, `users_email_key1`,
//!   `t_ibfk_3`): unique constraints by their column lists, foreign keys by columns,
//!   referenced table and columns and actions;
//! - indexes created with `CREATE INDEX` are compared by name, since a migration names
//!   them and a forgotten one must be reported by name;
//! - types are lowercased with whitespace collapsed (`VARCHAR( 10 )` is `varchar(10)`), and
//!   defaults lose redundant outer parentheses (`DEFAULT (0)` is `DEFAULT 0`);
//! - a SQLite foreign key that names no parent columns refers to the parent's primary key,
//!   and is stored with those columns;
//! - expressions (`CHECK`, generation, index expressions, partial-index predicates) are
//!   compared in a canonical form: keywords and unquoted names lowercased, quoted names
//!   unquoted, string literals as written, one space between tokens, no redundant outer
//!   parentheses (`CHECK(Price>0)` and `` CHECK (`price` > 0) `` are both `price > 0`).
//!   PostgreSQL and MySQL print expressions from their parsed form, so spelling cannot
//!   differ there; SQLite keeps the text as written, which this form absorbs;
//! - `CHECK` constraints are compared by expression, not by name, as engines name them
//!   after their position or column;
//! - a column's collation is recorded only when it is not the default: the one written
//!   with `COLLATE` on SQLite, one other than the type's default on PostgreSQL, one other
//!   than the table's default on MySQL.
//!
//! Where an engine cannot report a fact it is left out rather than guessed: MariaDB has
//! no expression indexes, and an expression key part of a MySQL 8 index is read from
//! `information_schema.STATISTICS.EXPRESSION`.
//!
//! On MySQL every unique key is an index (MySQL does not tell `UNIQUE (a)` and
//! `CREATE UNIQUE INDEX` apart), so `unique_constraints` is always empty there and unique
//! keys appear under `indexes`, with their names.
//!
//! # Serialization
//!
//! A snapshot implements `serde::Serialize` and `Deserialize`, and [`Display`](std::fmt::Display)
//! renders a stable text, one line per fact, for snapshot tests with `insta`:
//!
//! ```text
//! table users
//!   column email: text NULL
//!   column id: integer NOT NULL
//!   primary key (id)
//!   unique (email)
//!   index idx_users_name (name)
//! ```

mod mysql;
mod postgres;
mod sql_text;
mod sqlite;

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use serde::{Deserialize, Serialize};
use switchy_schema::{Database, DatabaseError, Dialect, Row, Value};

use crate::diff::{self, SchemaDiff};
use crate::error::{Error, Result};

/// A database's schema, normalized so that equal schemas compare equal; see the
/// [module docs](self).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SchemaSnapshot {
    /// Every table, by name (`schema.name` on PostgreSQL outside the current schema).
    pub tables: BTreeMap<String, TableSchema>,
    /// Other objects by kind (`view`, `trigger`, `sequence`, `type`, `function`, `schema`,
    /// `extension`, `routine`), then by name, with a normalized definition.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub objects: BTreeMap<String, BTreeMap<String, String>>,
}

/// One table of a [`SchemaSnapshot`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TableSchema {
    /// Columns by name.
    pub columns: BTreeMap<String, ColumnSchema>,
    /// The primary key's columns in key order; empty without a primary key.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub primary_key: Vec<String>,
    /// The column lists of the `UNIQUE` constraints (not of unique indexes created with
    /// `CREATE UNIQUE INDEX`, which are [`indexes`](Self::indexes)).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub unique_constraints: BTreeSet<Vec<String>>,
    /// Indexes that back no constraint, by name.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub indexes: BTreeMap<String, IndexSchema>,
    /// Foreign keys.
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub foreign_keys: BTreeSet<ForeignKeySchema>,
    /// The expressions of the `CHECK` constraints, column and table ones alike, in
    /// canonical form (see the [module docs](self)).
    #[serde(default, skip_serializing_if = "BTreeSet::is_empty")]
    pub checks: BTreeSet<String>,
}

/// One column of a [`TableSchema`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ColumnSchema {
    /// The type as the database reports it, lowercased with whitespace collapsed.
    pub data_type: String,
    /// Whether `NULL` is allowed.
    pub nullable: bool,
    /// The default expression, normalized; `None` without a default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub default: Option<String>,
    /// How the value is generated, when it is: `identity always`, `auto_increment`,
    /// `stored: <expression>`, `virtual: <expression>`, ...
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub generated: Option<String>,
    /// The collation, when it is not the default one (see the [module docs](self));
    /// `None` otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub collation: Option<String>,
}

/// One index of a [`TableSchema`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IndexSchema {
    /// The indexed columns or expressions (in canonical form), in order (`name DESC` for
    /// descending ones).
    pub columns: Vec<String>,
    /// Whether it is a unique index.
    pub unique: bool,
    /// The `WHERE` clause of a partial index.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub predicate: Option<String>,
}

/// One foreign key of a [`TableSchema`].
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ForeignKeySchema {
    /// The referencing columns, in key order.
    pub columns: Vec<String>,
    /// The referenced table.
    pub references_table: String,
    /// The referenced columns, in key order.
    pub references_columns: Vec<String>,
    /// `ON UPDATE` action, uppercase (`NO ACTION`, `CASCADE`, ...).
    pub on_update: String,
    /// `ON DELETE` action, uppercase.
    pub on_delete: String,
}

/// What a capture leaves out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SnapshotOptions {
    ignored: BTreeSet<String>,
}

impl Default for SnapshotOptions {
    /// Leaves out the default tracking table, `__switchy_migrations`.
    fn default() -> Self {
        Self::new().ignore_table(switchy_schema::DEFAULT_TABLE_NAME)
    }
}

impl SnapshotOptions {
    /// Options that leave out nothing (but SQLite's internal tables).
    #[must_use]
    pub fn new() -> Self {
        Self {
            ignored: BTreeSet::new(),
        }
    }

    /// Also leaves out `table` (for example a custom tracking table: pass the name given
    /// to `with_table_name`). A `schema.table` name leaves out both that key and the bare
    /// `table`, since a tracking table in the current schema is keyed by its bare name.
    #[must_use]
    pub fn ignore_table(mut self, table: impl Into<String>) -> Self {
        let table = table.into();
        // A tracking table in the current schema may be given qualified or not.
        if let Some((_, name)) = table.split_once('.') {
            self.ignored.insert(name.to_owned());
        }
        self.ignored.insert(table);
        self
    }

    fn ignores(&self, key: &str) -> bool {
        self.ignored.contains(key)
    }
}

impl SchemaSnapshot {
    /// Reads the schema of `db`, leaving out the default tracking table.
    ///
    /// ```
    /// use switchy_schema::Database as _; // exec_raw, query, ...
    /// use switchy_schema_test_utils::{SchemaSnapshot, create_empty_in_memory};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = create_empty_in_memory().await?;
    /// db.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT UNIQUE)").await?;
    /// let snapshot = SchemaSnapshot::capture(&db).await?;
    /// let users = &snapshot.tables["users"];
    /// assert_eq!(users.primary_key, ["id"]);
    /// assert_eq!(users.columns["email"].data_type, "text");
    /// assert!(users.unique_constraints.contains(&vec!["email".to_owned()]));
    /// # Ok(())
    /// # }
    /// ```
    pub async fn capture(db: &dyn Database) -> Result<SchemaSnapshot> {
        Self::capture_with(db, &SnapshotOptions::default()).await
    }

    /// Reads the schema of `db`, leaving out what `options` say.
    pub async fn capture_with(
        db: &dyn Database,
        options: &SnapshotOptions,
    ) -> Result<SchemaSnapshot> {
        let mut snapshot = match db.dialect() {
            Dialect::Sqlite => sqlite::capture(db).await,
            Dialect::Postgres => postgres::capture(db).await,
            Dialect::MySql => mysql::capture(db).await,
        }
        .map_err(|error| Error::database("reading the schema", error))?;
        snapshot.tables.retain(|name, _| !options.ignores(name));
        snapshot.normalize();
        Ok(snapshot)
    }

    /// What differs from `self` (before) in `after`; see [`SchemaDiff`].
    #[must_use]
    pub fn diff(&self, after: &SchemaSnapshot) -> SchemaDiff {
        diff::diff(self, after, "before", "after")
    }

    /// Like [`diff`](Self::diff), with `label` in every line: `"after down"` gives
    /// ``table `users`: column `email` missing after down``.
    ///
    /// ```
    /// use switchy_schema::Database as _; // exec_raw, query, ...
    /// use switchy_schema_test_utils::{SchemaSnapshot, create_empty_in_memory};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let db = create_empty_in_memory().await?;
    /// db.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT DEFAULT '')").await?;
    /// let before = SchemaSnapshot::capture(&db).await?;
    /// db.exec_raw("ALTER TABLE users DROP COLUMN email; CREATE INDEX users_id ON users (id)").await?;
    /// let after = SchemaSnapshot::capture(&db).await?;
    /// assert_eq!(
    ///     before.diff_labeled(&after, "after down").to_string(),
    ///     "table `users`: column `email` missing after down\n\
    ///      table `users`: index `users_id` present after down but not before"
    /// );
    /// # Ok(())
    /// # }
    /// ```
    #[must_use]
    pub fn diff_labeled(&self, after: &SchemaSnapshot, label: &str) -> SchemaDiff {
        diff::diff(self, after, "before", label)
    }

    /// Like [`diff_labeled`](Self::diff_labeled), also naming `self`: with `"expected"`
    /// and `"in the database"`, ``column `a`: type `text` expected, `integer` in the
    /// database``.
    #[must_use]
    pub fn diff_named(
        &self,
        after: &SchemaSnapshot,
        before_label: &str,
        label: &str,
    ) -> SchemaDiff {
        diff::diff(self, after, before_label, label)
    }

    /// The names of the tables, in order.
    pub fn table_names(&self) -> impl Iterator<Item = &str> {
        self.tables.keys().map(String::as_str)
    }

    /// Fills in what introspection leaves implicit (a SQLite foreign key without parent
    /// columns refers to the parent's primary key).
    fn normalize(&mut self) {
        let primary_keys: BTreeMap<String, Vec<String>> = self
            .tables
            .iter()
            .map(|(name, table)| (name.clone(), table.primary_key.clone()))
            .collect();
        for table in self.tables.values_mut() {
            let keys = std::mem::take(&mut table.foreign_keys);
            table.foreign_keys = keys
                .into_iter()
                .map(|mut key| {
                    if key.references_columns.is_empty()
                        && let Some(primary) = primary_keys.get(&key.references_table)
                    {
                        key.references_columns.clone_from(primary);
                    }
                    key
                })
                .collect();
        }
    }
}

impl fmt::Display for SchemaSnapshot {
    /// One line per fact, in a stable order; see the [module docs](self).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tables.is_empty() && self.objects.is_empty() {
            return writeln!(f, "(empty schema)");
        }
        for (name, table) in &self.tables {
            writeln!(f, "table {name}")?;
            for (column, schema) in &table.columns {
                writeln!(f, "  column {column}: {}", column_text(schema))?;
            }
            if !table.primary_key.is_empty() {
                writeln!(f, "  primary key ({})", table.primary_key.join(", "))?;
            }
            for columns in &table.unique_constraints {
                writeln!(f, "  unique ({})", columns.join(", "))?;
            }
            for (index, schema) in &table.indexes {
                writeln!(f, "  index {index} {}", index_text(schema))?;
            }
            for key in &table.foreign_keys {
                writeln!(f, "  foreign key {}", foreign_key_text(key))?;
            }
            for check in &table.checks {
                writeln!(f, "  check ({check})")?;
            }
        }
        for (kind, objects) in &self.objects {
            for (name, definition) in objects {
                writeln!(f, "{kind} {name}: {definition}")?;
            }
        }
        Ok(())
    }
}

/// `text NOT NULL DEFAULT 'x'`.
pub(crate) fn column_text(column: &ColumnSchema) -> String {
    let mut text = format!(
        "{} {}",
        column.data_type,
        if column.nullable { "NULL" } else { "NOT NULL" }
    );
    if let Some(collation) = &column.collation {
        text.push_str(" COLLATE ");
        text.push_str(collation);
    }
    if let Some(default) = &column.default {
        text.push_str(" DEFAULT ");
        text.push_str(default);
    }
    if let Some(generated) = &column.generated {
        text.push_str(" GENERATED ");
        text.push_str(generated);
    }
    text
}

/// `UNIQUE (a, b) WHERE x`.
pub(crate) fn index_text(index: &IndexSchema) -> String {
    let mut text = String::new();
    if index.unique {
        text.push_str("UNIQUE ");
    }
    text.push('(');
    text.push_str(&index.columns.join(", "));
    text.push(')');
    if let Some(predicate) = &index.predicate {
        text.push_str(" WHERE ");
        text.push_str(predicate);
    }
    text
}

/// `(a) references t (id) on update NO ACTION on delete CASCADE`.
pub(crate) fn foreign_key_text(key: &ForeignKeySchema) -> String {
    format!(
        "({}) references {} ({}) on update {} on delete {}",
        key.columns.join(", "),
        key.references_table,
        key.references_columns.join(", "),
        key.on_update,
        key.on_delete
    )
}

/// Lowercase, whitespace collapsed, no space inside parentheses or before commas.
pub(crate) fn normalize_type(text: &str) -> String {
    let collapsed = collapse_whitespace(&text.to_lowercase());
    collapsed
        .replace("( ", "(")
        .replace(" )", ")")
        .replace(" (", "(")
        .replace(" ,", ",")
        .replace(", ", ",")
}

/// Whitespace runs become one space; trimmed.
pub(crate) fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// A default expression without redundant outer parentheses and with whitespace
/// collapsed; lowercased when it holds no quoted text (`CURRENT_TIMESTAMP` is
/// `current_timestamp`).
pub(crate) fn normalize_default(text: &str) -> String {
    let mut text = normalize_expression(text);
    if !text.contains(['\'', '"', '`']) {
        text = text.to_lowercase();
    }
    text
}

/// An expression with whitespace collapsed outside quotes and without redundant outer
/// parentheses (`(total > 0)` is `total > 0`).
pub(crate) fn normalize_expression(text: &str) -> String {
    let mut text = collapse_outside_quotes(text);
    while text.starts_with('(') && text.ends_with(')') && wraps_whole(&text) {
        text = text[1..text.len() - 1].trim().to_owned();
    }
    text
}

/// Whitespace runs outside quoted text become one space; trimmed.
pub(crate) fn collapse_outside_quotes(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut quote: Option<char> = None;
    let mut pending_space = false;
    for c in text.trim().chars() {
        match quote {
            Some(q) => {
                out.push(c);
                if c == q {
                    quote = None;
                }
            }
            None if c.is_whitespace() => pending_space = true,
            None => {
                if pending_space {
                    out.push(' ');
                    pending_space = false;
                }
                if matches!(c, '\'' | '"' | '`') {
                    quote = Some(c);
                }
                out.push(c);
            }
        }
    }
    out
}

/// Whether the parenthesis opening `text` closes at its last character.
fn wraps_whole(text: &str) -> bool {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    for (index, c) in text.char_indices() {
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None => match c {
                '\'' | '"' | '`' => quote = Some(c),
                '(' => depth += 1,
                ')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return index == text.len() - 1;
                    }
                }
                _ => {}
            },
        }
    }
    false
}

/// Reads introspection rows whatever the driver made of their values.
pub(crate) trait RowExt {
    /// The text in `column`: text, bytes as UTF-8, numbers and booleans printed; `None`
    /// when absent or `NULL`.
    fn text(&self, column: &str) -> Option<String>;
    /// The integer in `column` (also from text); `None` when absent, `NULL` or not a number.
    fn int(&self, column: &str) -> Option<i64>;
    /// The boolean in `column`: `true`, non-zero, `t`, `yes`, `YES`.
    fn flag(&self, column: &str) -> bool;
}

impl RowExt for Row {
    fn text(&self, column: &str) -> Option<String> {
        value_text(self.get(column)?)
    }
    fn int(&self, column: &str) -> Option<i64> {
        match self.get(column)? {
            Value::Int(value) => Some(*value),
            Value::Bool(value) => Some(i64::from(*value)),
            other => value_text(other)?.trim().parse().ok(),
        }
    }
    fn flag(&self, column: &str) -> bool {
        match self.get(column) {
            Some(Value::Bool(value)) => *value,
            Some(Value::Int(value)) => *value != 0,
            Some(other) => value_text(other).is_some_and(|text| {
                matches!(
                    text.to_ascii_lowercase().as_str(),
                    "t" | "true" | "yes" | "y" | "1"
                )
            }),
            None => false,
        }
    }
}

/// A value as text; `None` for `NULL`.
pub(crate) fn value_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::Bool(value) => Some(value.to_string()),
        Value::Int(value) => Some(value.to_string()),
        Value::Real(value) => Some(value.to_string()),
        Value::Text(text) => Some(text.clone()),
        Value::Bytes(bytes) => Some(String::from_utf8_lossy(bytes).into_owned()),
    }
}

/// Splits a list joined with the unit separator (used by the server queries, as names may
/// hold commas).
pub(crate) fn split_list(text: Option<String>) -> Vec<String> {
    text.map(|text| {
        text.split('\u{1f}')
            .filter(|part| !part.is_empty())
            .map(str::to_owned)
            .collect()
    })
    .unwrap_or_default()
}

pub(crate) type CaptureResult = std::result::Result<SchemaSnapshot, DatabaseError>;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_and_defaults_are_normalized() {
        assert_eq!(normalize_type("VARCHAR( 10 )"), "varchar(10)");
        assert_eq!(normalize_type("numeric (10 , 2)"), "numeric(10,2)");
        assert_eq!(
            normalize_type("Timestamp  With Time Zone"),
            "timestamp with time zone"
        );
        assert_eq!(normalize_default("(0)"), "0");
        assert_eq!(normalize_default("((1))"), "1");
        assert_eq!(normalize_default("(1) + (2)"), "(1) + (2)");
        assert_eq!(normalize_default("CURRENT_TIMESTAMP"), "current_timestamp");
        assert_eq!(normalize_default("'A  B'"), "'A  B'");
        assert_eq!(normalize_default("  lower(  'X' )"), "lower( 'X' )");
        assert_eq!(normalize_default("('(x')"), "'(x'");
    }
}
