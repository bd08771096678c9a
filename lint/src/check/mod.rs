//! The rules, applied statement by statement with what the file did before (tables it
//! created, filled and dropped), which turns some findings off (an index on a table this
//! file created blocks nobody) or into others (create-copy-drop-rename is a rebuild).

mod alter;
mod column;

use crate::statement::{Cursor, Name, Statement};
use crate::{Dialect, Rule};

/// A finding before suppression: the statement's index, the rule, the message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hit {
    pub(crate) statement: usize,
    pub(crate) rule: Rule,
    pub(crate) message: String,
}

/// A `DROP TABLE` of a table this file did not create, which stays a `drop-table` finding
/// unless a later rename shows it was the old half of a rebuild.
#[derive(Debug)]
struct DroppedTable {
    statement: usize,
    table: Name,
    /// The table renamed to `table` after the drop, making the drop part of a rebuild.
    rebuilt_from: Option<Name>,
}

/// Applies every rule to the statements of one file.
pub(crate) fn check(statements: &[Statement<'_, '_>], dialect: Dialect) -> Vec<Hit> {
    let mut checker = Checker {
        dialect,
        statement: 0,
        created_tables: Vec::new(),
        created_indexes: Vec::new(),
        created_schemas: Vec::new(),
        filled_tables: Vec::new(),
        drops: Vec::new(),
        drop_cascades: Vec::new(),
        foreign_key_checks_off: false,
        hits: Vec::new(),
    };
    for (index, statement) in statements.iter().enumerate() {
        checker.statement = index;
        checker.statement(Cursor::for_dialect(statement.tokens, dialect));
    }
    checker.finish()
}

struct Checker {
    dialect: Dialect,
    /// The index of the statement being checked.
    statement: usize,
    /// Tables created earlier in the file (and tables renamed from those).
    created_tables: Vec<Name>,
    /// Indexes created earlier in the file.
    created_indexes: Vec<Name>,
    /// Schemas (MySQL: databases) created earlier in the file.
    created_schemas: Vec<Name>,
    /// Tables that an `INSERT ... SELECT` filled earlier in the file.
    filled_tables: Vec<Name>,
    drops: Vec<DroppedTable>,
    /// The `DROP TABLE ... CASCADE` statements.
    drop_cascades: Vec<usize>,
    /// MySQL: `SET foreign_key_checks = 0` ran earlier in the file.
    foreign_key_checks_off: bool,
    hits: Vec<Hit>,
}

impl Checker {
    fn hit(&mut self, rule: Rule, message: String) {
        let applies = rule.dialects().contains(&self.dialect);
        debug_assert!(applies, "{rule} reported on {:?}", self.dialect);
        if !applies {
            return;
        }
        let hit = Hit {
            statement: self.statement,
            rule,
            message,
        };
        // A repeated clause would repeat its finding: report it once per statement.
        let repeated = self
            .hits
            .iter()
            .rev()
            .take_while(|earlier| earlier.statement == hit.statement)
            .any(|earlier| *earlier == hit);
        if !repeated {
            self.hits.push(hit);
        }
    }

    fn is_created(&self, table: &Name) -> bool {
        self.created_tables
            .iter()
            .any(|created| created.same(table))
    }

    fn postgres(&self) -> bool {
        self.dialect == Dialect::Postgres
    }

    fn statement(&mut self, mut c: Cursor<'_, '_>) {
        if c.eat("with") {
            // `WITH ... AS (...) DELETE / UPDATE / INSERT`: the statement after the CTEs.
            c.skip_to_top_level(&["delete", "update", "insert", "replace", "select"]);
        }
        if c.eat("create") {
            self.create(c);
        } else if c.eat("drop") {
            self.drop(c);
        } else if c.eat("alter") {
            c.eat("online");
            c.eat("ignore");
            if c.eat("table") {
                self.alter_table(c);
            }
        } else if c.eat("truncate") && self.dialect != Dialect::Sqlite {
            self.truncate(c);
        } else if c.eat("delete") {
            self.delete(c);
        } else if c.eat("update") {
            self.update(c);
        } else if c.is_any(&["insert", "replace"]) {
            self.insert(c);
        } else if c.eat_all(&["rename", "table"]) {
            self.rename_tables(c);
        } else if c.is_any(&["vacuum", "cluster", "optimize"]) {
            self.maintenance(c);
        } else if c.eat("reindex") && self.postgres() && !c.has_top_level("concurrently") {
            self.hit(
                Rule::NonConcurrentIndex,
                "REINDEX without CONCURRENTLY blocks writes to the table while it rebuilds: use REINDEX ... CONCURRENTLY (in a migration with run_in_transaction = false in metadata.toml)".to_owned(),
            );
        } else if c.eat("set") && self.dialect == Dialect::MySql {
            self.set(c);
        }
    }

    fn create(&mut self, mut c: Cursor<'_, '_>) {
        c.eat_all(&["or", "replace"]);
        while c.eat("global")
            || c.eat("local")
            || c.eat("temp")
            || c.eat("temporary")
            || c.eat("unlogged")
        {}
        if c.eat("table") {
            c.eat_all(&["if", "not", "exists"]);
            if let Some(table) = c.name() {
                self.created_tables.push(table);
            }
            return;
        }
        if c.eat("schema") || c.eat("database") {
            c.eat_all(&["if", "not", "exists"]);
            if let Some(schema) = c.name() {
                self.created_schemas.push(schema);
            }
            return;
        }
        c.eat("unique");
        c.eat("fulltext");
        c.eat("spatial");
        if !c.eat("index") {
            return;
        }
        let concurrently = c.eat("concurrently");
        c.eat_all(&["if", "not", "exists"]);
        let index = if c.is("on") { None } else { c.name() };
        if !c.eat("on") {
            return;
        }
        c.eat("only");
        let Some(table) = c.name() else { return };
        if let Some(index) = index {
            self.created_indexes.push(index);
        }
        if self.postgres() && !concurrently && !self.is_created(&table) {
            self.hit(
                Rule::NonConcurrentIndex,
                format!(
                    "builds an index on `{table}` while blocking writes to it: use CREATE INDEX CONCURRENTLY (in a migration with run_in_transaction = false in metadata.toml)"
                ),
            );
        }
    }

    fn drop(&mut self, mut c: Cursor<'_, '_>) {
        c.eat("temporary");
        if c.eat("table") {
            c.eat_all(&["if", "exists"]);
            for table in c.names() {
                if !self.is_created(&table) {
                    self.drops.push(DroppedTable {
                        statement: self.statement,
                        table,
                        rebuilt_from: None,
                    });
                }
            }
            if c.eat("cascade") {
                self.drop_cascades.push(self.statement);
            }
        } else if (c.eat("schema") || c.eat("database")) && self.dialect != Dialect::Sqlite {
            c.eat_all(&["if", "exists"]);
            let schemas: Vec<Name> = c
                .names()
                .into_iter()
                .filter(|schema| {
                    !self
                        .created_schemas
                        .iter()
                        .any(|created| created.same(schema))
                })
                .collect();
            if !schemas.is_empty() {
                self.hit(
                    Rule::DropSchema,
                    format!(
                        "drops {} with every table, view and function in it: take a backup, and drop what it holds in earlier, reviewed migrations",
                        list(&schemas)
                    ),
                );
            }
        } else if c.eat("index") && self.postgres() {
            if c.eat("concurrently") {
                return;
            }
            c.eat_all(&["if", "exists"]);
            let indexes = c.names();
            let all_created = indexes.iter().all(|index| {
                self.created_indexes
                    .iter()
                    .any(|created| created.same(index))
            });
            if !all_created {
                self.hit(
                    Rule::NonConcurrentIndex,
                    "DROP INDEX without CONCURRENTLY takes an ACCESS EXCLUSIVE lock on the table, blocking reads and writes behind any running query: use DROP INDEX CONCURRENTLY (in a migration with run_in_transaction = false in metadata.toml)".to_owned(),
                );
            }
        }
    }

    fn truncate(&mut self, mut c: Cursor<'_, '_>) {
        c.eat("table");
        c.eat("only");
        let tables: Vec<Name> = c
            .names()
            .into_iter()
            .filter(|table| !self.is_created(table))
            .collect();
        if !tables.is_empty() {
            self.hit(
                Rule::Truncate,
                format!(
                    "deletes every row of {}: allow it if emptying the table is the point",
                    list(&tables)
                ),
            );
        }
    }

    fn delete(&mut self, mut c: Cursor<'_, '_>) {
        if c.has_top_level("where") {
            return;
        }
        while c.eat("low_priority") || c.eat("quick") || c.eat("ignore") {}
        c.eat("from");
        c.eat("only");
        let Some(table) = c.name() else { return };
        if !self.is_created(&table) {
            self.hit(
                Rule::DeleteWithoutWhere,
                format!(
                    "deletes every row of `{table}`: add a WHERE clause, or allow it if emptying the table is the point"
                ),
            );
        }
    }

    fn update(&mut self, mut c: Cursor<'_, '_>) {
        if c.has_top_level("where") {
            return;
        }
        while c.eat("low_priority") || c.eat("ignore") || c.eat("only") {}
        if c.eat("or") {
            c.bump();
        }
        let Some(table) = c.name() else { return };
        if !self.is_created(&table) {
            self.hit(
                Rule::UpdateWithoutWhere,
                format!(
                    "updates every row of `{table}` in one transaction, locking them all until the migration commits: on a large table, backfill in batches"
                ),
            );
        }
    }

    /// Remembers the table an `INSERT ... SELECT` fills, for the rebuild pattern.
    fn insert(&mut self, mut c: Cursor<'_, '_>) {
        c.bump();
        if c.eat("or") {
            c.bump();
        }
        while c.eat("low_priority") || c.eat("high_priority") || c.eat("delayed") || c.eat("ignore")
        {
        }
        c.eat("into");
        let Some(table) = c.name() else { return };
        if c.has_top_level("select") || c.has_sequence(&["(", "select"]) {
            self.filled_tables.push(table);
        }
    }

    /// MySQL `RENAME TABLE a TO b [, c TO d ...]`.
    fn rename_tables(&mut self, mut c: Cursor<'_, '_>) {
        for mut pair in c.clauses() {
            let Some(from) = pair.name() else { continue };
            if !pair.eat("to") {
                continue;
            }
            if let Some(to) = pair.name() {
                self.rename_table(&from, to);
            }
        }
    }

    /// A table renamed from `from` to `to`: fine when this file created `from` (and the
    /// last step of a rebuild when it also dropped `to`); a `rename-table` finding
    /// otherwise.
    fn rename_table(&mut self, from: &Name, to: Name) {
        if !self.is_created(from) {
            self.hit(
                Rule::RenameTable,
                format!(
                    "renames table `{from}` to `{to}`: running code that still uses `{from}` fails until the new code is deployed; create the new table (or a view) and move in steps instead"
                ),
            );
            return;
        }
        let filled = self.filled_tables.iter().any(|filled| filled.same(from));
        if filled
            && let Some(drop) = self
                .drops
                .iter_mut()
                .rev()
                .find(|drop| drop.rebuilt_from.is_none() && drop.table.same(&to))
        {
            drop.rebuilt_from = Some(from.clone());
        }
        self.created_tables.push(to);
    }

    fn maintenance(&mut self, mut c: Cursor<'_, '_>) {
        let message = match (self.dialect, c.bump()) {
            (Dialect::Postgres, Some(word)) if word.is("vacuum") => {
                // `VACUUM FULL t` or `VACUUM (FULL, ANALYZE) t`.
                if !c.has_sequence(&["full"]) {
                    return;
                }
                "VACUUM FULL rewrites every table it names (the whole database without one) under an ACCESS EXCLUSIVE lock, blocking reads and writes: use plain VACUUM, or a tool such as pg_repack"
            }
            (Dialect::Postgres, Some(word)) if word.is("cluster") => {
                "CLUSTER rewrites the table under an ACCESS EXCLUSIVE lock, blocking reads and writes"
            }
            (Dialect::Sqlite, Some(word)) if word.is("vacuum") => {
                "VACUUM rewrites the whole database file and blocks every writer until it finishes"
            }
            (Dialect::MySql, Some(word)) if word.is("optimize") => {
                "OPTIMIZE TABLE rebuilds the table; on large tables, run it outside migrations"
            }
            _ => return,
        };
        self.hit(Rule::TableRewrite, message.to_owned());
    }

    /// MySQL `SET [SESSION] foreign_key_checks = 0`, which lets `ADD FOREIGN KEY` run in
    /// place.
    fn set(&mut self, c: Cursor<'_, '_>) {
        let tokens = c.rest();
        for (index, token) in tokens.iter().enumerate() {
            if token.is("foreign_key_checks") {
                let value = tokens[index + 1..]
                    .iter()
                    .find(|t| !t.is_punct('=') && !t.is_punct(':'));
                if let Some(value) = value {
                    self.foreign_key_checks_off = value.is("0") || value.is("off");
                }
            }
        }
    }

    fn finish(mut self) -> Vec<Hit> {
        let mut statements: Vec<usize> = self.drops.iter().map(|drop| drop.statement).collect();
        statements.dedup();
        for statement in statements {
            self.statement = statement;
            let mut dropped = Vec::new();
            let mut rebuilt = Vec::new();
            for drop in self.drops.iter().filter(|drop| drop.statement == statement) {
                match &drop.rebuilt_from {
                    Some(from) => rebuilt.push((drop.table.clone(), from.clone())),
                    None => dropped.push(drop.table.clone()),
                }
            }
            if !dropped.is_empty() {
                let (them, their) = if dropped.len() == 1 {
                    ("it", "its")
                } else {
                    ("them", "their")
                };
                let cascade = if self.drop_cascades.contains(&statement) {
                    format!(
                        " (CASCADE also drops the views and foreign keys that depend on {them})"
                    )
                } else {
                    String::new()
                };
                self.hit(
                    Rule::DropTable,
                    format!(
                        "drops {} and all {their} rows{cascade}: first release code that no longer uses {them}, and keep a backup",
                        list(&dropped)
                    ),
                );
            }
            for (table, from) in rebuilt {
                self.hit(
                    Rule::TableRewrite,
                    format!(
                        "rebuilds `{table}` (create `{from}`, copy the rows, drop `{table}`, rename): writes wait for the whole copy, and the indexes and triggers of `{table}` are dropped with it, so recreate them"
                    ),
                );
            }
        }
        self.hits
    }
}

/// `` `a` `` or `` `a`, `b` `` for messages.
fn list(names: &[Name]) -> String {
    names
        .iter()
        .map(|name| format!("`{name}`"))
        .collect::<Vec<_>>()
        .join(", ")
}
