//! [`DataSnapshot`]: the rows of every table, to prove that seeded data survives an up/down
//! cycle.

use std::collections::BTreeMap;
use std::fmt::{self, Write as _};

use switchy_schema::{Database, Dialect, Value};

use crate::error::{Error, Result};
use crate::ident::quote;
use crate::snapshot::{SchemaSnapshot, SnapshotOptions};

/// How many differing rows a [`DataDiff`] shows per table.
const SHOWN_ROWS: usize = 5;

/// The rows of every table (but those the [`SnapshotOptions`] leave out), each row
/// rendered as text and the rows of a table sorted, so that row order does not matter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DataSnapshot {
    /// Rows by table.
    pub tables: BTreeMap<String, Vec<String>>,
}

impl DataSnapshot {
    /// Reads every row of every table of `schema` (a snapshot of the same database).
    ///
    /// On PostgreSQL each row is read as its text form (`t::text`), so every column type
    /// works; elsewhere through the driver's [`Value`]s.
    pub async fn capture(db: &dyn Database, schema: &SchemaSnapshot) -> Result<DataSnapshot> {
        let dialect = db.dialect();
        let mut tables = BTreeMap::new();
        for (name, table) in &schema.tables {
            let quoted = match name.split_once('.') {
                Some((schema, table)) if dialect == Dialect::Postgres => {
                    format!("{}.{}", quote(schema, dialect), quote(table, dialect))
                }
                _ => quote(name, dialect),
            };
            let sql = if dialect == Dialect::Postgres {
                format!("SELECT t::text AS row_text FROM {quoted} AS t")
            } else {
                let columns: Vec<String> = table
                    .columns
                    .keys()
                    .map(|column| quote(column, dialect))
                    .collect();
                if columns.is_empty() {
                    continue;
                }
                format!("SELECT {} FROM {quoted}", columns.join(", "))
            };
            let rows = db
                .query(&sql, &[])
                .await
                .map_err(|error| Error::database(format!("reading the rows of `{name}`"), error))?;
            let mut rendered: Vec<String> = rows
                .iter()
                .map(|row| {
                    if dialect == Dialect::Postgres {
                        row.get_str("row_text").unwrap_or_default().to_owned()
                    } else {
                        render(row.values())
                    }
                })
                .collect();
            rendered.sort();
            tables.insert(name.clone(), rendered);
        }
        Ok(DataSnapshot { tables })
    }

    /// Captures the schema (with `options`) and then every row.
    pub async fn capture_all(db: &dyn Database, options: &SnapshotOptions) -> Result<DataSnapshot> {
        let schema = SchemaSnapshot::capture_with(db, options).await?;
        Self::capture(db, &schema).await
    }

    /// What differs from `self` (before) in `after`, for the tables of `self` only (tables
    /// created in between are not compared).
    #[must_use]
    pub fn diff(&self, after: &DataSnapshot, label: &str) -> DataDiff {
        let mut tables = Vec::new();
        for (name, rows) in &self.tables {
            let Some(new_rows) = after.tables.get(name) else {
                tables.push(TableDataDiff {
                    table: name.clone(),
                    before: rows.len(),
                    after: None,
                    missing: rows.iter().take(SHOWN_ROWS).cloned().collect(),
                    unexpected: Vec::new(),
                });
                continue;
            };
            let missing = multiset_minus(rows, new_rows);
            let unexpected = multiset_minus(new_rows, rows);
            if !missing.is_empty() || !unexpected.is_empty() {
                tables.push(TableDataDiff {
                    table: name.clone(),
                    before: rows.len(),
                    after: Some(new_rows.len()),
                    missing: missing.into_iter().take(SHOWN_ROWS).collect(),
                    unexpected: unexpected.into_iter().take(SHOWN_ROWS).collect(),
                });
            }
        }
        DataDiff {
            label: label.to_owned(),
            tables,
        }
    }
}

/// Rows of `a` not matched by a row of `b` (both sorted), counting duplicates.
fn multiset_minus(a: &[String], b: &[String]) -> Vec<String> {
    let mut out = Vec::new();
    let mut j = 0;
    for row in a {
        while j < b.len() && b[j] < *row {
            j += 1;
        }
        if j < b.len() && b[j] == *row {
            j += 1;
        } else {
            out.push(row.clone());
        }
    }
    out
}

/// `(1, 'alice', NULL)`.
fn render(values: &[Value]) -> String {
    let parts: Vec<String> = values
        .iter()
        .map(|value| match value {
            Value::Null => "NULL".to_owned(),
            Value::Bool(v) => v.to_string(),
            Value::Int(v) => v.to_string(),
            Value::Real(v) => v.to_string(),
            Value::Text(v) => format!("'{}'", v.replace('\'', "''")),
            Value::Bytes(v) => {
                let hex = v.iter().fold(String::new(), |mut hex, b| {
                    let _ = write!(hex, "{b:02x}");
                    hex
                });
                format!("x'{hex}'")
            }
        })
        .collect();
    format!("({})", parts.join(", "))
}

/// What differs between two [`DataSnapshot`]s, table by table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DataDiff {
    label: String,
    /// The tables whose rows differ.
    pub tables: Vec<TableDataDiff>,
}

/// The rows of one table that differ.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TableDataDiff {
    /// The table.
    pub table: String,
    /// Its row count before.
    pub before: usize,
    /// Its row count after; `None` when the table is gone.
    pub after: Option<usize>,
    /// Some rows present before and not after (at most 5).
    pub missing: Vec<String>,
    /// Some rows present after and not before (at most 5).
    pub unexpected: Vec<String>,
}

impl DataDiff {
    /// Whether the data is the same.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.tables.is_empty()
    }
}

impl fmt::Display for DataDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.tables.is_empty() {
            return f.write_str("no differences");
        }
        let label = &self.label;
        for (index, table) in self.tables.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            let name = &table.table;
            match table.after {
                None => write!(
                    f,
                    "table `{name}`: missing {label}, with its {} row(s)",
                    table.before
                )?,
                Some(after) => write!(
                    f,
                    "table `{name}`: {} row(s) before, {after} {label}",
                    table.before
                )?,
            }
            for row in &table.missing {
                write!(f, "\n  missing {label}: {row}")?;
            }
            for row in &table.unexpected {
                write!(f, "\n  unexpected {label}: {row}")?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multiset_difference_counts_duplicates() {
        let a = vec!["1".to_owned(), "1".to_owned(), "2".to_owned()];
        let b = vec!["1".to_owned(), "3".to_owned()];
        assert_eq!(multiset_minus(&a, &b), ["1", "2"]);
        assert_eq!(multiset_minus(&b, &a), ["3"]);
    }

    #[test]
    fn renders_values_unambiguously() {
        assert_eq!(
            render(&[
                Value::Null,
                Value::Int(1),
                Value::Text("o'k".into()),
                Value::Bytes(vec![1, 255])
            ]),
            "(NULL, 1, 'o''k', x'01ff')"
        );
    }
}
