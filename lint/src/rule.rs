//! The rules: their names (what `-- switchy:allow <name>` takes), descriptions and dialects.

use crate::Dialect;

const ALL_DIALECTS: &[Dialect] = &[Dialect::Sqlite, Dialect::Postgres, Dialect::MySql];
const POSTGRES: &[Dialect] = &[Dialect::Postgres];
const SERVERS: &[Dialect] = &[Dialect::Postgres, Dialect::MySql];

/// A kind of risky statement the linter looks for.
///
/// See the crate README for an example of each and how to silence it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Rule {
    /// `DROP SCHEMA` / `DROP DATABASE` of one this file did not create.
    DropSchema,
    /// `DROP TABLE` of a table this file did not create.
    DropTable,
    /// `ALTER TABLE ... DROP [COLUMN]`.
    DropColumn,
    /// `TRUNCATE` (PostgreSQL, MySQL).
    Truncate,
    /// `DELETE` without a `WHERE` clause.
    DeleteWithoutWhere,
    /// `UPDATE` without a `WHERE` clause.
    UpdateWithoutWhere,
    /// Renaming a table that running code may still use.
    RenameTable,
    /// Renaming a column that running code may still use.
    RenameColumn,
    /// `ADD COLUMN ... NOT NULL` without a `DEFAULT`.
    NotNullWithoutDefault,
    /// A column's type redefined: PostgreSQL `ALTER COLUMN ... TYPE`, MySQL `MODIFY` /
    /// `CHANGE`.
    ColumnTypeChange,
    /// PostgreSQL `ALTER COLUMN ... SET NOT NULL`.
    SetNotNull,
    /// PostgreSQL `CREATE INDEX` / `DROP INDEX` / `REINDEX` without `CONCURRENTLY`.
    NonConcurrentIndex,
    /// PostgreSQL `ADD FOREIGN KEY` without `NOT VALID`.
    ForeignKeyWithoutNotValid,
    /// PostgreSQL `ADD CHECK` without `NOT VALID`.
    CheckWithoutNotValid,
    /// PostgreSQL `ADD UNIQUE` / `ADD PRIMARY KEY` without `USING INDEX`.
    UniqueConstraintWithoutIndex,
    /// A statement that copies the whole table.
    TableRewrite,
    /// An allow comment that names no rule, or a rule that does not exist.
    UnknownAllow,
}

impl Rule {
    /// Every rule, in the order findings of one line are reported.
    pub const ALL: [Rule; 17] = [
        Rule::DropSchema,
        Rule::DropTable,
        Rule::DropColumn,
        Rule::Truncate,
        Rule::DeleteWithoutWhere,
        Rule::UpdateWithoutWhere,
        Rule::RenameTable,
        Rule::RenameColumn,
        Rule::NotNullWithoutDefault,
        Rule::ColumnTypeChange,
        Rule::SetNotNull,
        Rule::NonConcurrentIndex,
        Rule::ForeignKeyWithoutNotValid,
        Rule::CheckWithoutNotValid,
        Rule::UniqueConstraintWithoutIndex,
        Rule::TableRewrite,
        Rule::UnknownAllow,
    ];

    /// The rule's kebab-case name, which `-- switchy:allow <name>` takes.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            Rule::DropSchema => "drop-schema",
            Rule::DropTable => "drop-table",
            Rule::DropColumn => "drop-column",
            Rule::Truncate => "truncate",
            Rule::DeleteWithoutWhere => "delete-without-where",
            Rule::UpdateWithoutWhere => "update-without-where",
            Rule::RenameTable => "rename-table",
            Rule::RenameColumn => "rename-column",
            Rule::NotNullWithoutDefault => "not-null-without-default",
            Rule::ColumnTypeChange => "column-type-change",
            Rule::SetNotNull => "set-not-null",
            Rule::NonConcurrentIndex => "non-concurrent-index",
            Rule::ForeignKeyWithoutNotValid => "foreign-key-without-not-valid",
            Rule::CheckWithoutNotValid => "check-without-not-valid",
            Rule::UniqueConstraintWithoutIndex => "unique-constraint-without-index",
            Rule::TableRewrite => "table-rewrite",
            Rule::UnknownAllow => "unknown-allow",
        }
    }

    /// The rule whose [`name`](Rule::name) is `name` (exact, kebab-case).
    #[must_use]
    pub fn from_name(name: &str) -> Option<Rule> {
        Rule::ALL.into_iter().find(|rule| rule.name() == name)
    }

    /// One sentence: what the rule flags and why it is risky.
    #[must_use]
    pub fn description(self) -> &'static str {
        match self {
            Rule::DropSchema => {
                "DROP SCHEMA / DROP DATABASE of one this file did not create: every table in it is lost"
            }
            Rule::DropTable => {
                "DROP TABLE of a table this file did not create: its rows are lost, and code still reading it fails"
            }
            Rule::DropColumn => {
                "ALTER TABLE ... DROP COLUMN: the column's values are lost, and code still reading or writing it fails"
            }
            Rule::Truncate => "TRUNCATE deletes every row of the table",
            Rule::DeleteWithoutWhere => "DELETE without WHERE deletes every row of the table",
            Rule::UpdateWithoutWhere => {
                "UPDATE without WHERE rewrites every row in one transaction, locking them all until it commits"
            }
            Rule::RenameTable => {
                "renaming a table breaks code that still uses the old name while the new code rolls out"
            }
            Rule::RenameColumn => {
                "renaming a column breaks code that still uses the old name while the new code rolls out"
            }
            Rule::NotNullWithoutDefault => {
                "ADD COLUMN ... NOT NULL without DEFAULT fails on a table that has rows (SQLite refuses it always; MySQL fills in 0 or '')"
            }
            Rule::ColumnTypeChange => {
                "changing a column's type may fail or truncate values the new type cannot hold, and usually rewrites the table under a lock"
            }
            Rule::SetNotNull => {
                "PostgreSQL's SET NOT NULL scans the whole table under an ACCESS EXCLUSIVE lock, blocking reads and writes"
            }
            Rule::NonConcurrentIndex => {
                "PostgreSQL's CREATE INDEX, DROP INDEX and REINDEX without CONCURRENTLY block writes to the table until they finish"
            }
            Rule::ForeignKeyWithoutNotValid => {
                "PostgreSQL's ADD FOREIGN KEY checks every row while it locks both tables against writes"
            }
            Rule::CheckWithoutNotValid => {
                "PostgreSQL's ADD CHECK scans every row under an ACCESS EXCLUSIVE lock, blocking reads and writes"
            }
            Rule::UniqueConstraintWithoutIndex => {
                "PostgreSQL's ADD UNIQUE / ADD PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock, blocking reads and writes"
            }
            Rule::TableRewrite => {
                "the statement (or the create-copy-drop-rename sequence) copies the whole table, blocking writes for as long as that takes"
            }
            Rule::UnknownAllow => {
                "a switchy:allow comment names no rule or a rule that does not exist, so it silences nothing"
            }
        }
    }

    /// The dialects on which the rule can report a finding.
    #[must_use]
    pub fn dialects(self) -> &'static [Dialect] {
        match self {
            Rule::DropTable
            | Rule::DropColumn
            | Rule::DeleteWithoutWhere
            | Rule::UpdateWithoutWhere
            | Rule::RenameTable
            | Rule::RenameColumn
            | Rule::NotNullWithoutDefault
            | Rule::TableRewrite
            | Rule::UnknownAllow => ALL_DIALECTS,
            Rule::DropSchema | Rule::Truncate | Rule::ColumnTypeChange => SERVERS,
            Rule::SetNotNull
            | Rule::NonConcurrentIndex
            | Rule::ForeignKeyWithoutNotValid
            | Rule::CheckWithoutNotValid
            | Rule::UniqueConstraintWithoutIndex => POSTGRES,
        }
    }
}

impl std::fmt::Display for Rule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_kebab_case_and_round_trip() {
        let mut names: Vec<_> = Rule::ALL.iter().map(|rule| rule.name()).collect();
        for name in &names {
            assert!(
                name.bytes().all(|b| b.is_ascii_lowercase() || b == b'-'),
                "{name}"
            );
            assert_eq!(Rule::from_name(name).map(Rule::name), Some(*name));
        }
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), Rule::ALL.len());
        assert_eq!(Rule::from_name("Drop-Table"), None);
        assert_eq!(Rule::DropTable.to_string(), "drop-table");
    }

    #[test]
    fn every_rule_has_a_description_and_a_dialect() {
        for rule in Rule::ALL {
            assert!(!rule.description().is_empty());
            assert!(!rule.dialects().is_empty());
        }
        assert_eq!(Rule::NonConcurrentIndex.dialects(), [Dialect::Postgres]);
    }

    #[test]
    fn all_is_in_declaration_order() {
        let mut sorted = Rule::ALL;
        sorted.sort();
        assert_eq!(sorted, Rule::ALL);
    }
}
