//! `ALTER TABLE`: each comma-separated clause on its own.

use super::{Checker, column};
use crate::statement::{Cursor, Name};
use crate::{Dialect, Rule};

/// The words after `ADD` / `ADD CONSTRAINT name` that start a constraint or index, not a
/// column.
const CONSTRAINT_KINDS: &[&str] = &[
    "primary",
    "unique",
    "foreign",
    "check",
    "index",
    "key",
    "fulltext",
    "spatial",
    "exclude",
    "partition",
    "period",
    "system",
];

/// The words after `DROP` that name something other than a column.
const NOT_A_COLUMN: &[&str] = &[
    "constraint",
    "index",
    "key",
    "primary",
    "foreign",
    "check",
    "partition",
    "default",
    "period",
    "system",
    "expression",
];

/// Where the advice for running without a transaction goes.
const NO_TRANSACTION: &str = "in a migration with run_in_transaction = false in metadata.toml";

impl Checker {
    /// `ALTER TABLE [IF EXISTS] [ONLY] name [*] clause, clause ...` (after `ALTER TABLE`).
    pub(super) fn alter_table(&mut self, mut c: Cursor<'_, '_>) {
        c.eat_all(&["if", "exists"]);
        c.eat("only");
        let Some(table) = c.name() else { return };
        c.eat_punct('*');
        let clauses = c.clauses();
        if self.is_created(&table) {
            // A table this file created is used by no running code and holds only the
            // rows this file put there; only a rename needs following.
            for mut clause in clauses {
                if clause.eat("rename")
                    && (clause.eat("to") || clause.eat("as"))
                    && let Some(to) = clause.name()
                {
                    self.rename_table(&table, to);
                }
            }
            return;
        }
        // MySQL copies the table to drop a primary key, unless the statement adds another.
        let adds_primary_key = clauses
            .iter()
            .any(|clause| clause.is("add") && clause.has_sequence(&["primary", "key"]));
        for clause in clauses {
            self.alter_clause(&table, clause, adds_primary_key);
        }
    }

    fn alter_clause(&mut self, table: &Name, mut c: Cursor<'_, '_>, adds_primary_key: bool) {
        if c.eat("add") {
            self.add(table, c);
        } else if c.eat("drop") {
            self.drop_clause(table, c, adds_primary_key);
        } else if c.eat("alter") {
            c.eat("column");
            let Some(column) = c.name() else { return };
            self.alter_column(table, &column, c);
        } else if c.eat("modify") && self.dialect == Dialect::MySql {
            c.eat("column");
            if let Some(column) = c.name() {
                self.mysql_redefine(table, &column);
            }
        } else if c.eat("change") && self.dialect == Dialect::MySql {
            c.eat("column");
            let (Some(old), Some(new)) = (c.name(), c.name()) else {
                return;
            };
            self.mysql_redefine(table, &old);
            if !old.object.eq_ignore_ascii_case(&new.object) {
                self.rename_column(table, &old, &new);
            }
        } else if c.eat("rename") {
            self.rename(table, c);
        } else if self.postgres() && c.eat("set") {
            if c.is_any(&["logged", "unlogged", "tablespace"]) {
                self.hit(
                    Rule::TableRewrite,
                    format!(
                        "SET {} rewrites `{table}` under an ACCESS EXCLUSIVE lock, blocking reads and writes for the whole copy",
                        c.peek().map_or("", |t| t.text)
                    ),
                );
            }
        } else if self.dialect == Dialect::MySql {
            self.mysql_option(table, c);
        }
    }

    fn add(&mut self, table: &Name, mut c: Cursor<'_, '_>) {
        let named_constraint = c.eat("constraint") && c.name().is_some();
        if named_constraint || c.is_any(CONSTRAINT_KINDS) {
            self.add_constraint(table, c);
            return;
        }
        c.eat("column");
        c.eat_all(&["if", "not", "exists"]);
        if c.peek().is_some_and(|token| token.is_punct('(')) {
            // MySQL `ADD (a INT, b INT)`.
            let mut inner = &c.rest()[1..];
            if inner.last().is_some_and(|token| token.is_punct(')')) {
                inner = &inner[..inner.len() - 1];
            }
            for definition in c.over(inner).clauses() {
                self.add_column(table, definition);
            }
        } else {
            self.add_column(table, c);
        }
    }

    fn add_column(&mut self, table: &Name, c: Cursor<'_, '_>) {
        let Some(def) = column::parse(c) else { return };
        let column = &def.name;
        if def.not_null && !def.fills_itself() {
            let consequence = match self.dialect {
                Dialect::Sqlite => {
                    "SQLite refuses it (Cannot add a NOT NULL column with default value NULL): give it a DEFAULT"
                }
                Dialect::Postgres => {
                    "it fails if the table has rows: give it a DEFAULT, or add it nullable, backfill, then SET NOT NULL"
                }
                Dialect::MySql => {
                    "existing rows get the type's implicit default (0, '', a zero date): give it an explicit DEFAULT"
                }
            };
            self.hit(
                Rule::NotNullWithoutDefault,
                format!(
                    "adds NOT NULL column `{column}` to `{table}` without a DEFAULT: {consequence}"
                ),
            );
        }
        if !self.postgres() {
            return;
        }
        let why = if let Some(function) = &def.volatile_default {
            format!("a volatile DEFAULT ({function}() differs per row)")
        } else if def.serial {
            "a serial type (a sequence DEFAULT numbers every row)".to_owned()
        } else if def.identity {
            "an identity (every row gets a number)".to_owned()
        } else if def.stored {
            "a stored generated value (computed for every row)".to_owned()
        } else {
            return;
        };
        self.hit(
            Rule::TableRewrite,
            format!(
                "adds column `{column}` with {why}, which rewrites `{table}` under an ACCESS EXCLUSIVE lock: add it without that, then fill existing rows in batches"
            ),
        );
    }

    fn add_constraint(&mut self, table: &Name, c: Cursor<'_, '_>) {
        let not_valid = c.has_sequence(&["not", "valid"]);
        let kind = if c.is("foreign") {
            "foreign"
        } else if c.is("check") {
            "check"
        } else if c.is("unique") || c.is("primary") {
            "unique"
        } else {
            return;
        };
        match (self.dialect, kind) {
            (Dialect::Postgres, "foreign") if !not_valid => self.hit(
                Rule::ForeignKeyWithoutNotValid,
                format!(
                    "adds a foreign key to `{table}` and checks every row while blocking writes to `{table}` and the referenced table: add it NOT VALID, then VALIDATE CONSTRAINT in a separate statement"
                ),
            ),
            (Dialect::Postgres, "check") if !not_valid => self.hit(
                Rule::CheckWithoutNotValid,
                format!(
                    "adds a CHECK constraint to `{table}` and scans every row under an ACCESS EXCLUSIVE lock: add it NOT VALID, then VALIDATE CONSTRAINT in a separate statement"
                ),
            ),
            (Dialect::Postgres, "unique") if !c.has_sequence(&["using", "index"]) => self.hit(
                Rule::UniqueConstraintWithoutIndex,
                format!(
                    "adds a {} constraint to `{table}`, building its index under an ACCESS EXCLUSIVE lock: CREATE UNIQUE INDEX CONCURRENTLY first ({NO_TRANSACTION}), then ADD CONSTRAINT ... USING INDEX",
                    if c.is("primary") { "PRIMARY KEY" } else { "UNIQUE" }
                ),
            ),
            (Dialect::MySql, "foreign") if !self.foreign_key_checks_off => self.hit(
                Rule::TableRewrite,
                format!(
                    "adds a foreign key to `{table}`, which MySQL does by copying the table (ALGORITHM=COPY) while writes wait, unless foreign_key_checks is off"
                ),
            ),
            _ => {}
        }
    }

    fn drop_clause(&mut self, table: &Name, mut c: Cursor<'_, '_>, adds_primary_key: bool) {
        if c.is_any(NOT_A_COLUMN) {
            if self.dialect == Dialect::MySql && c.eat_all(&["primary", "key"]) && !adds_primary_key
            {
                self.hit(
                    Rule::TableRewrite,
                    format!(
                        "drops the primary key of `{table}` without adding one, which MySQL does by copying the table (ALGORITHM=COPY) while writes wait"
                    ),
                );
            }
            return;
        }
        c.eat("column");
        c.eat_all(&["if", "exists"]);
        let Some(column) = c.name() else { return };
        self.hit(
            Rule::DropColumn,
            format!(
                "drops column `{column}` of `{table}` and its values: first release code that no longer reads or writes it"
            ),
        );
        if self.dialect == Dialect::Sqlite {
            self.hit(
                Rule::TableRewrite,
                format!(
                    "SQLite's DROP COLUMN rewrites all of `{table}` while it holds the write lock (and fails if an index, view, trigger or constraint uses `{column}`)"
                ),
            );
        }
    }

    /// `ALTER [COLUMN] column ...` (after the column).
    fn alter_column(&mut self, table: &Name, column: &Name, mut c: Cursor<'_, '_>) {
        if !self.postgres() {
            return;
        }
        if c.eat_all(&["set", "data", "type"]) || c.eat("type") {
            self.hit(
                Rule::ColumnTypeChange,
                format!(
                    "changes the type of `{table}`.`{column}`: values the new type cannot hold make it fail or get truncated; add a new column, backfill it, then switch"
                ),
            );
            self.hit(
                Rule::TableRewrite,
                format!(
                    "rewrites `{table}` and its indexes under an ACCESS EXCLUSIVE lock unless the new type of `{column}` is binary-compatible (e.g. varchar(n) to text or a longer varchar)"
                ),
            );
        } else if c.eat_all(&["set", "not", "null"]) {
            self.hit(
                Rule::SetNotNull,
                format!(
                    "SET NOT NULL on `{table}`.`{column}` scans the whole table under an ACCESS EXCLUSIVE lock: first ADD CONSTRAINT ... CHECK ({column} IS NOT NULL) NOT VALID and VALIDATE it, then SET NOT NULL skips the scan"
                ),
            );
        }
    }

    /// MySQL `MODIFY` / `CHANGE`, which restate a column's whole definition.
    fn mysql_redefine(&mut self, table: &Name, column: &Name) {
        self.hit(
            Rule::ColumnTypeChange,
            format!(
                "redefines `{table}`.`{column}`: if its type changes, values may be truncated or rejected and MySQL copies the table (ALGORITHM=COPY) while writes wait; add ALGORITHM=INPLACE, LOCK=NONE to make MySQL refuse a blocking change"
            ),
        );
    }

    /// `RENAME TO t`, `RENAME [COLUMN] a TO b`, MySQL `RENAME [TO | AS] t` (after `RENAME`).
    fn rename(&mut self, table: &Name, mut c: Cursor<'_, '_>) {
        if c.is_any(&["constraint", "index", "key"]) {
            return;
        }
        if c.eat("to") || c.eat("as") {
            if let Some(to) = c.name() {
                self.rename_table(table, to);
            }
            return;
        }
        let explicit_column = c.eat("column");
        let Some(first) = c.name() else { return };
        if c.eat("to") {
            if let Some(to) = c.name() {
                self.rename_column(table, &first, &to);
            }
        } else if !explicit_column && self.dialect == Dialect::MySql {
            self.rename_table(table, first);
        }
    }

    fn rename_column(&mut self, table: &Name, from: &Name, to: &Name) {
        self.hit(
            Rule::RenameColumn,
            format!(
                "renames `{table}`.`{from}` to `{to}`: running code that still uses `{from}` fails until the new code is deployed; add the new column, backfill it, and drop the old one in a later release"
            ),
        );
    }

    /// MySQL table options that copy the table.
    fn mysql_option(&mut self, table: &Name, mut c: Cursor<'_, '_>) {
        let what = if c.eat("algorithm") {
            c.eat_punct('=');
            if !c.is("copy") {
                return;
            }
            "ALGORITHM=COPY copies"
        } else if c.eat_all(&["convert", "to"]) {
            "CONVERT TO CHARACTER SET converts and copies"
        } else if c.is("engine") {
            "ENGINE= rebuilds"
        } else if c.is("force") && c.rest().len() == 1 {
            "FORCE rebuilds"
        } else {
            return;
        };
        self.hit(
            Rule::TableRewrite,
            format!("{what} all of `{table}`; on a large table writes wait or replication lags for the whole copy"),
        );
    }
}
