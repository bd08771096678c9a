//! [`SchemaDiff`]: what differs between two [`SchemaSnapshot`]s, as readable lines.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use crate::snapshot::{
    ColumnSchema, ForeignKeySchema, IndexSchema, SchemaSnapshot, TableSchema, foreign_key_text,
    index_text,
};

/// The differences between a snapshot taken before and one taken after, one
/// [`Difference`] per fact, in a stable order.
///
/// [`Display`](fmt::Display) prints one line per difference:
///
/// ```text
/// table `users`: column `email` missing after down
/// table `users`: index `idx_users_email` present after down but not before
/// table `users`: column `age`: nullability NULL before, NOT NULL after down
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SchemaDiff {
    differences: Vec<Difference>,
}

/// One difference of a [`SchemaDiff`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Difference {
    /// The table it is about, if any (`None` for views, sequences, ...).
    pub table: Option<String>,
    /// What it is about: ``column `email` ``, ``index `idx` ``, ``view `v` ``, or empty
    /// for the table itself.
    pub subject: String,
    /// What changed.
    pub change: Change,
    /// When the second snapshot was taken: `after`, `after down`, ...
    pub label: String,
    /// What the first snapshot is called: `before`, `expected`.
    pub before_label: String,
}

/// How a [`Difference`] differs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Change {
    /// Present before, absent after.
    Missing,
    /// Absent before, present after.
    Unexpected,
    /// Present in both, different: what (`type`, `nullability`, ...) and both values.
    Changed {
        /// Which property: `type`, `nullability`, `default`, `definition`, ...
        property: String,
        /// Its value before.
        before: String,
        /// Its value after.
        after: String,
    },
}

impl SchemaDiff {
    /// Whether the snapshots are equal.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.differences.is_empty()
    }

    /// How many differences there are.
    #[must_use]
    pub fn len(&self) -> usize {
        self.differences.len()
    }

    /// The differences, in a stable order.
    #[must_use]
    pub fn differences(&self) -> &[Difference] {
        &self.differences
    }

    /// The lines [`Display`](fmt::Display) prints.
    #[must_use]
    pub fn lines(&self) -> Vec<String> {
        self.differences.iter().map(ToString::to_string).collect()
    }
}

impl fmt::Display for SchemaDiff {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.differences.is_empty() {
            return f.write_str("no differences");
        }
        for (index, difference) in self.differences.iter().enumerate() {
            if index > 0 {
                f.write_str("\n")?;
            }
            write!(f, "{difference}")?;
        }
        Ok(())
    }
}

impl fmt::Display for Difference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (label, before_label) = (&self.label, &self.before_label);
        match (&self.table, self.subject.is_empty()) {
            (Some(table), true) => write!(f, "table `{table}`")?,
            (Some(table), false) => write!(f, "table `{table}`: {}", self.subject)?,
            (None, _) => f.write_str(&self.subject)?,
        }
        match &self.change {
            Change::Missing => write!(f, " missing {label}"),
            Change::Unexpected => write!(f, " present {label} but not {before_label}"),
            Change::Changed {
                property,
                before,
                after,
            } => write!(f, ": {property} {before} {before_label}, {after} {label}"),
        }
    }
}

/// Builds the differences of `after` from `before`.
struct Differ<'a> {
    label: &'a str,
    before_label: &'a str,
    differences: Vec<Difference>,
}

impl Differ<'_> {
    fn push(&mut self, table: Option<&str>, subject: String, change: Change) {
        self.differences.push(Difference {
            table: table.map(str::to_owned),
            subject,
            change,
            label: self.label.to_owned(),
            before_label: self.before_label.to_owned(),
        });
    }

    fn changed(
        &mut self,
        table: Option<&str>,
        subject: String,
        property: &str,
        before: String,
        after: String,
    ) {
        self.push(
            table,
            subject,
            Change::Changed {
                property: property.to_owned(),
                before,
                after,
            },
        );
    }

    /// Reports keys only in `before` as missing, keys only in `after` as unexpected, and
    /// calls `both` for keys in both.
    fn keyed<K: Ord, V>(
        &mut self,
        before: &BTreeMap<K, V>,
        after: &BTreeMap<K, V>,
        table: Option<&str>,
        subject: impl Fn(&K) -> String,
        mut both: impl FnMut(&mut Self, &K, &V, &V),
    ) {
        for (key, old) in before {
            match after.get(key) {
                None => self.push(table, subject(key), Change::Missing),
                Some(new) => both(self, key, old, new),
            }
        }
        for key in after.keys() {
            if !before.contains_key(key) {
                self.push(table, subject(key), Change::Unexpected);
            }
        }
    }

    fn sets<T: Ord>(
        &mut self,
        before: &BTreeSet<T>,
        after: &BTreeSet<T>,
        table: &str,
        subject: impl Fn(&T) -> String,
    ) {
        for item in before.difference(after) {
            self.push(Some(table), subject(item), Change::Missing);
        }
        for item in after.difference(before) {
            self.push(Some(table), subject(item), Change::Unexpected);
        }
    }

    fn table(&mut self, name: &str, before: &TableSchema, after: &TableSchema) {
        let table = Some(name);
        self.keyed(
            &before.columns,
            &after.columns,
            table,
            |column| format!("column `{column}`"),
            |this, column, old, new| this.column(name, column, old, new),
        );
        if before.primary_key != after.primary_key {
            self.changed(
                table,
                String::new(),
                "primary key",
                key_columns(&before.primary_key),
                key_columns(&after.primary_key),
            );
        }
        self.sets(
            &before.unique_constraints,
            &after.unique_constraints,
            name,
            |columns| format!("unique constraint on {}", columns_list(columns)),
        );
        self.keyed(
            &before.indexes,
            &after.indexes,
            table,
            |index| format!("index `{index}`"),
            |this, index, old: &IndexSchema, new| {
                if old != new {
                    this.changed(
                        table,
                        format!("index `{index}`"),
                        "definition",
                        index_text(old),
                        index_text(new),
                    );
                }
            },
        );
        self.sets(
            &before.foreign_keys,
            &after.foreign_keys,
            name,
            |key: &ForeignKeySchema| format!("foreign key {}", foreign_key_text(key)),
        );
        self.sets(&before.checks, &after.checks, name, |check| {
            format!("check `{check}`")
        });
    }

    fn column(&mut self, table: &str, column: &str, before: &ColumnSchema, after: &ColumnSchema) {
        let subject = || format!("column `{column}`");
        let table = Some(table);
        if before.data_type != after.data_type {
            self.changed(
                table,
                subject(),
                "type",
                format!("`{}`", before.data_type),
                format!("`{}`", after.data_type),
            );
        }
        if before.nullable != after.nullable {
            let text = |nullable| if nullable { "NULL" } else { "NOT NULL" }.to_owned();
            self.changed(
                table,
                subject(),
                "nullability",
                text(before.nullable),
                text(after.nullable),
            );
        }
        if before.default != after.default {
            let text = |default: &Option<String>| {
                default
                    .as_ref()
                    .map_or_else(|| "none".to_owned(), |d| format!("`{d}`"))
            };
            self.changed(
                table,
                subject(),
                "default",
                text(&before.default),
                text(&after.default),
            );
        }
        if before.collation != after.collation {
            let text = |collation: &Option<String>| {
                collation
                    .as_ref()
                    .map_or_else(|| "default".to_owned(), |c| format!("`{c}`"))
            };
            self.changed(
                table,
                subject(),
                "collation",
                text(&before.collation),
                text(&after.collation),
            );
        }
        if before.generated != after.generated {
            let text = |generated: &Option<String>| {
                generated
                    .as_ref()
                    .map_or_else(|| "none".to_owned(), |g| format!("`{g}`"))
            };
            self.changed(
                table,
                subject(),
                "generation",
                text(&before.generated),
                text(&after.generated),
            );
        }
    }
}

/// `(`a`, `b`)`, or `none`.
fn key_columns(columns: &[String]) -> String {
    if columns.is_empty() {
        "none".to_owned()
    } else {
        columns_list(columns)
    }
}

fn columns_list(columns: &[String]) -> String {
    let quoted: Vec<String> = columns.iter().map(|c| format!("`{c}`")).collect();
    format!("({})", quoted.join(", "))
}

pub(crate) fn diff(
    before: &SchemaSnapshot,
    after: &SchemaSnapshot,
    before_label: &str,
    label: &str,
) -> SchemaDiff {
    let mut differ = Differ {
        label,
        before_label,
        differences: Vec::new(),
    };
    differ.keyed(
        &before.tables,
        &after.tables,
        None,
        |table| format!("table `{table}`"),
        |this, name, old, new| this.table(name, old, new),
    );
    let empty = BTreeMap::new();
    let kinds: BTreeSet<&String> = before.objects.keys().chain(after.objects.keys()).collect();
    for kind in kinds {
        let old = before.objects.get(kind).unwrap_or(&empty);
        let new = after.objects.get(kind).unwrap_or(&empty);
        differ.keyed(
            old,
            new,
            None,
            |name| format!("{kind} `{name}`"),
            |this, name, old, new| {
                if old != new {
                    this.changed(
                        None,
                        format!("{kind} `{name}`"),
                        "definition",
                        format!("`{old}`"),
                        format!("`{new}`"),
                    );
                }
            },
        );
    }
    SchemaDiff {
        differences: differ.differences,
    }
}
