//! Every rule on every dialect it applies to, positive and negative, through the public
//! interface.

use switchy_schema_lint::{Dialect, Finding, Rule, lint_sql};

const SQLITE: Dialect = Dialect::Sqlite;
const PG: Dialect = Dialect::Postgres;
const MYSQL: Dialect = Dialect::MySql;

/// `(line, rule name)` of each finding.
fn found(sql: &str, dialect: Dialect) -> Vec<(usize, &'static str)> {
    lint_sql(sql, dialect)
        .iter()
        .map(|finding| (finding.line, finding.rule.name()))
        .collect()
}

/// The rule names found in a one-statement text.
fn rules(sql: &str, dialect: Dialect) -> Vec<&'static str> {
    found(sql, dialect)
        .into_iter()
        .map(|(_, rule)| rule)
        .collect()
}

fn only(sql: &str, dialect: Dialect) -> Finding {
    let findings = lint_sql(sql, dialect);
    assert_eq!(findings.len(), 1, "{sql:?} on {dialect:?}: {findings:#?}");
    findings.into_iter().next().unwrap()
}

fn assert_clean(sql: &str, dialects: &[Dialect]) {
    for &dialect in dialects {
        assert_eq!(lint_sql(sql, dialect), [], "{sql:?} on {dialect:?}");
    }
}

#[test]
fn drop_table() {
    for dialect in Dialect::ALL {
        for sql in [
            "DROP TABLE users",
            "drop table if exists users cascade",
            "DROP TABLE \"users\"",
            "DROP TABLE public.users",
        ] {
            assert_eq!(rules(sql, dialect), ["drop-table"], "{sql} on {dialect:?}");
        }
    }
    assert_eq!(rules("DROP TABLE `users`", MYSQL), ["drop-table"]);
    assert_eq!(rules("DROP TEMPORARY TABLE t", MYSQL), ["drop-table"]);
    assert_eq!(rules("DROP TABLE [users]", SQLITE), ["drop-table"]);
    let finding = only("DROP TABLE a, b.c;", PG);
    assert_eq!(
        finding.message,
        "drops `a`, `b.c` and all their rows: first release code that no longer uses them, and keep a backup"
    );
    assert_eq!(
        only("DROP TABLE \"Users\";", PG).message,
        "drops `\"Users\"` and all its rows: first release code that no longer uses it, and keep a backup"
    );
    // Other objects are not tables.
    assert_clean(
        "DROP VIEW v; DROP TRIGGER t; DROP SEQUENCE s; DROP TYPE ty",
        &Dialect::ALL,
    );
}

#[test]
fn drop_table_of_a_table_created_in_the_same_file_is_fine() {
    let sql = "CREATE TABLE scratch (id INT);\nINSERT INTO scratch SELECT id FROM users;\nDROP TABLE scratch;";
    assert_clean(sql, &Dialect::ALL);
    // Qualified and quoted names match; unquoted names fold case.
    assert_clean(
        "CREATE TEMP TABLE IF NOT EXISTS s.Scratch (id INT); DROP TABLE S.scratch",
        &Dialect::ALL,
    );
    // A table created later, or another table, is still flagged.
    assert_eq!(
        found("DROP TABLE scratch;\nCREATE TABLE scratch (id INT);", PG),
        [(1, "drop-table")]
    );
    assert_eq!(
        found("CREATE TABLE a (id INT);\nDROP TABLE a, b;", PG),
        [(2, "drop-table")]
    );
    assert!(
        only("CREATE TABLE a (id INT);\nDROP TABLE a, b;", PG)
            .message
            .starts_with("drops `b` and")
    );
    assert_eq!(
        found("CREATE TABLE s.a (id INT);\nDROP TABLE t.a;", PG),
        [(2, "drop-table")]
    );
}

#[test]
fn drop_column() {
    for dialect in Dialect::ALL {
        let expected: &[&str] = if dialect == SQLITE {
            &["drop-column", "table-rewrite"]
        } else {
            &["drop-column"]
        };
        for sql in [
            "ALTER TABLE users DROP COLUMN email",
            "alter table users drop email",
            "ALTER TABLE IF EXISTS users DROP COLUMN IF EXISTS email CASCADE",
        ] {
            assert_eq!(rules(sql, dialect), expected, "{sql} on {dialect:?}");
        }
    }
    assert_eq!(
        only("ALTER TABLE users DROP COLUMN \"E\"", PG).message,
        "drops column `\"E\"` of `users` and its values: first release code that no longer reads or writes it"
    );
    // Constraints, indexes and defaults are not columns.
    assert_clean(
        "ALTER TABLE users DROP CONSTRAINT users_email_key;\
         ALTER TABLE users DROP CONSTRAINT IF EXISTS c;\
         ALTER TABLE users ALTER COLUMN email DROP DEFAULT;\
         ALTER TABLE users ALTER COLUMN email DROP NOT NULL",
        &[PG],
    );
    assert_clean(
        "ALTER TABLE users DROP INDEX i, DROP KEY k, DROP FOREIGN KEY f, DROP CHECK c",
        &[MYSQL],
    );
    // Several clauses: one finding each.
    assert_eq!(
        rules(
            "ALTER TABLE users DROP COLUMN a, DROP COLUMN b, ADD COLUMN c INT",
            PG
        ),
        ["drop-column", "drop-column"]
    );
}

#[test]
fn truncate() {
    for dialect in [PG, MYSQL] {
        assert_eq!(rules("TRUNCATE TABLE sessions", dialect), ["truncate"]);
        assert_eq!(rules("truncate sessions", dialect), ["truncate"]);
    }
    assert_eq!(
        only("TRUNCATE ONLY a, b RESTART IDENTITY CASCADE", PG).message,
        "deletes every row of `a`, `b`: allow it if emptying the table is the point"
    );
    assert_clean("CREATE TABLE t (id INT); TRUNCATE t", &[PG, MYSQL]);
}

#[test]
fn delete_and_update_without_where() {
    for dialect in Dialect::ALL {
        assert_eq!(
            rules("DELETE FROM sessions", dialect),
            ["delete-without-where"]
        );
        assert_eq!(
            rules("UPDATE tracks SET seen = 0", dialect),
            ["update-without-where"]
        );
        assert_clean(
            "DELETE FROM sessions WHERE active = 0;\
             UPDATE tracks SET seen = 0 WHERE seen IS NULL;\
             UPDATE t SET a = (SELECT b FROM c WHERE c.id = t.id) WHERE t.id > 0",
            &[dialect],
        );
    }
    // A WHERE inside a subquery does not limit the statement.
    assert_eq!(
        rules("UPDATE t SET a = (SELECT b FROM c WHERE c.id = t.id)", PG),
        ["update-without-where"]
    );
    assert_eq!(
        rules("DELETE LOW_PRIORITY QUICK FROM `s`", MYSQL),
        ["delete-without-where"]
    );
    assert_eq!(
        rules("UPDATE OR IGNORE t SET a = 1", SQLITE),
        ["update-without-where"]
    );
    assert_eq!(
        only("UPDATE ONLY t SET a = 1", PG).message,
        "updates every row of `t` in one transaction, locking them all until the migration commits: on a large table, backfill in batches"
    );
    // Rows this file inserted into a table it created.
    assert_clean(
        "CREATE TABLE t (a INT); INSERT INTO t VALUES (1); UPDATE t SET a = 2; DELETE FROM t",
        &Dialect::ALL,
    );
    // `WITH ... DELETE` is not read; nor are DML statements inside routine bodies.
    assert_clean(
        "CREATE TRIGGER t AFTER INSERT ON a BEGIN DELETE FROM log; UPDATE b SET x = 1; END",
        &[SQLITE],
    );
}

#[test]
fn renames() {
    for dialect in Dialect::ALL {
        assert_eq!(
            rules("ALTER TABLE a RENAME TO b", dialect),
            ["rename-table"]
        );
        assert_eq!(
            rules("ALTER TABLE a RENAME COLUMN x TO y", dialect),
            ["rename-column"]
        );
    }
    assert_eq!(rules("ALTER TABLE a RENAME x TO y", PG), ["rename-column"]);
    assert_eq!(
        rules("ALTER TABLE a RENAME x TO y", SQLITE),
        ["rename-column"]
    );
    assert_eq!(
        rules("RENAME TABLE a TO b, c TO d", MYSQL),
        ["rename-table", "rename-table"]
    );
    assert_eq!(rules("ALTER TABLE a RENAME AS b", MYSQL), ["rename-table"]);
    assert_eq!(rules("ALTER TABLE a RENAME b", MYSQL), ["rename-table"]);
    assert_eq!(
        only("ALTER TABLE a RENAME TO b", PG).message,
        "renames table `a` to `b`: running code that still uses `a` fails until the new code is deployed; create the new table (or a view) and move in steps instead"
    );
    assert_eq!(
        only("ALTER TABLE t RENAME COLUMN x TO y", SQLITE).message,
        "renames `t`.`x` to `y`: running code that still uses `x` fails until the new code is deployed; add the new column, backfill it, and drop the old one in a later release"
    );
    // Renaming an index or a constraint breaks no query.
    assert_clean(
        "ALTER TABLE a RENAME CONSTRAINT c TO d; ALTER INDEX i RENAME TO j",
        &[PG],
    );
    assert_clean(
        "ALTER TABLE a RENAME INDEX i TO j, RENAME KEY k TO l",
        &[MYSQL],
    );
    // A table this file created may be renamed, and keeps being new under its new name.
    assert_clean(
        "CREATE TABLE a (id INT);\nALTER TABLE a RENAME TO b;\nDROP TABLE b;",
        &Dialect::ALL,
    );
    assert_clean(
        "CREATE TABLE a (id INT); RENAME TABLE a TO b; DROP TABLE b",
        &[MYSQL],
    );
}

#[test]
fn mysql_change_is_a_redefinition_and_maybe_a_rename() {
    assert_eq!(
        rules("ALTER TABLE t CHANGE COLUMN a b BIGINT NOT NULL", MYSQL),
        ["rename-column", "column-type-change"]
    );
    assert_eq!(
        rules("ALTER TABLE t CHANGE a A BIGINT", MYSQL),
        ["column-type-change"]
    );
}

#[test]
fn not_null_without_default() {
    for dialect in Dialect::ALL {
        for sql in [
            "ALTER TABLE users ADD COLUMN age INT NOT NULL",
            "alter table users add age int not null",
            "ALTER TABLE users ADD COLUMN age INT CONSTRAINT c NOT NULL CHECK (age > 0)",
        ] {
            assert_eq!(
                rules(sql, dialect),
                ["not-null-without-default"],
                "{sql} on {dialect:?}"
            );
        }
        assert_clean(
            "ALTER TABLE users ADD COLUMN age INT NOT NULL DEFAULT 0;\
             ALTER TABLE users ADD COLUMN nick TEXT;\
             ALTER TABLE users ADD COLUMN note TEXT DEFAULT 'NOT NULL';\
             ALTER TABLE users ADD COLUMN n INT CHECK (n IS NOT NULL);\
             CREATE TABLE t (a INT NOT NULL);\
             ALTER TABLE t ADD COLUMN b INT NOT NULL",
            &[dialect],
        );
    }
    assert_eq!(
        rules(
            "ALTER TABLE users ADD COLUMN IF NOT EXISTS age INT NOT NULL",
            PG
        ),
        ["not-null-without-default"]
    );
    assert_eq!(
        rules(
            "ALTER TABLE users ADD (a INT NOT NULL, b INT NOT NULL DEFAULT 1)",
            MYSQL
        ),
        ["not-null-without-default"]
    );
    assert_clean(
        "ALTER TABLE users ADD COLUMN id INT NOT NULL AUTO_INCREMENT",
        &[MYSQL],
    );
    assert_clean(
        "ALTER TABLE users ADD COLUMN total INT GENERATED ALWAYS AS (a + b) VIRTUAL NOT NULL",
        &[MYSQL],
    );
    assert!(
        only("ALTER TABLE u ADD COLUMN a INT NOT NULL", SQLITE)
            .message
            .contains("SQLite refuses it")
    );
    assert!(
        only("ALTER TABLE u ADD COLUMN a INT NOT NULL", PG)
            .message
            .contains("fails if the table has rows")
    );
    assert!(
        only("ALTER TABLE u ADD COLUMN a INT NOT NULL", MYSQL)
            .message
            .contains("implicit default")
    );
}

#[test]
fn column_type_change() {
    for sql in [
        "ALTER TABLE t ALTER COLUMN a TYPE varchar(10)",
        "ALTER TABLE t ALTER a SET DATA TYPE bigint USING a::bigint",
    ] {
        assert_eq!(
            rules(sql, PG),
            ["column-type-change", "table-rewrite"],
            "{sql}"
        );
    }
    assert_eq!(
        rules("ALTER TABLE t MODIFY COLUMN a VARCHAR(10) NOT NULL", MYSQL),
        ["column-type-change"]
    );
    assert_eq!(
        rules("alter table t modify a text", MYSQL),
        ["column-type-change"]
    );
    // Two columns: two findings of each.
    assert_eq!(
        rules("ALTER TABLE t ALTER a TYPE int, ALTER b TYPE int", PG),
        [
            "column-type-change",
            "column-type-change",
            "table-rewrite",
            "table-rewrite"
        ]
    );
    // Defaults are no type change; MODIFY is MySQL's only.
    assert_clean(
        "ALTER TABLE t ALTER COLUMN a SET DEFAULT 1; ALTER TABLE t ALTER COLUMN a DROP DEFAULT",
        &[PG, MYSQL],
    );
    assert_clean("ALTER TABLE t ALTER COLUMN a SET DEFAULT 1", &[MYSQL]);
}

#[test]
fn set_not_null() {
    assert_eq!(
        rules("ALTER TABLE t ALTER COLUMN a SET NOT NULL", PG),
        ["set-not-null"]
    );
    assert_eq!(
        rules("alter table t alter a set not null", PG),
        ["set-not-null"]
    );
    assert_clean(
        "CREATE TABLE t (a INT); ALTER TABLE t ALTER a SET NOT NULL",
        &[PG],
    );
}

#[test]
fn non_concurrent_index() {
    for sql in [
        "CREATE INDEX i ON t (a)",
        "create unique index if not exists i on only s.t using btree (a)",
        "CREATE INDEX ON t (a)",
        "DROP INDEX i",
        "DROP INDEX IF EXISTS i, j CASCADE",
        "REINDEX TABLE t",
        "REINDEX (VERBOSE) INDEX i",
    ] {
        assert_eq!(rules(sql, PG), ["non-concurrent-index"], "{sql}");
    }
    assert_clean(
        "CREATE INDEX CONCURRENTLY i ON t (a);\
         CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS j ON t (b);\
         DROP INDEX CONCURRENTLY IF EXISTS i;\
         REINDEX INDEX CONCURRENTLY i;\
         REINDEX (VERBOSE) TABLE CONCURRENTLY t",
        &[PG],
    );
    // A table created in the same file, and an index created in the same file.
    assert_clean(
        "CREATE TABLE t (a INT);\nCREATE INDEX i ON t (a);\nDROP INDEX i;",
        &[PG],
    );
    // Other dialects build indexes without blocking (MySQL) or block anyway (SQLite).
    assert_clean(
        "CREATE INDEX i ON t (a); CREATE UNIQUE INDEX j ON t (b); DROP INDEX i",
        &[SQLITE],
    );
    assert_clean("CREATE INDEX i ON t (a); DROP INDEX i ON t", &[MYSQL]);
    assert_eq!(
        only("CREATE INDEX i ON \"T\" (a)", PG).message,
        "builds an index on `\"T\"` while blocking writes to it: use CREATE INDEX CONCURRENTLY (in a migration with run_in_transaction = false in metadata.toml)"
    );
}

#[test]
fn postgres_constraints() {
    assert_eq!(
        rules(
            "ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b_id) REFERENCES b (id)",
            PG
        ),
        ["foreign-key-without-not-valid"]
    );
    assert_eq!(
        rules("ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b", PG),
        ["foreign-key-without-not-valid"]
    );
    assert_eq!(
        rules("ALTER TABLE a ADD CONSTRAINT c CHECK (n > 0)", PG),
        ["check-without-not-valid"]
    );
    assert_eq!(
        rules("ALTER TABLE a ADD CHECK (n > 0)", PG),
        ["check-without-not-valid"]
    );
    assert_eq!(
        rules("ALTER TABLE a ADD CONSTRAINT u UNIQUE (n)", PG),
        ["unique-constraint-without-index"]
    );
    assert_eq!(
        rules("ALTER TABLE a ADD PRIMARY KEY (id)", PG),
        ["unique-constraint-without-index"]
    );
    assert_clean(
        "ALTER TABLE a ADD CONSTRAINT f FOREIGN KEY (b_id) REFERENCES b (id) NOT VALID;\
         ALTER TABLE a VALIDATE CONSTRAINT f;\
         ALTER TABLE a ADD CONSTRAINT c CHECK (n > 0) NOT VALID;\
         ALTER TABLE a ADD CONSTRAINT u UNIQUE USING INDEX a_n;\
         ALTER TABLE a ADD CONSTRAINT p PRIMARY KEY USING INDEX a_id;\
         ALTER TABLE a ADD COLUMN b_id INT REFERENCES b (id)",
        &[PG],
    );
    assert_clean(
        "CREATE TABLE a (id INT, b_id INT);\
         ALTER TABLE a ADD FOREIGN KEY (b_id) REFERENCES b, ADD PRIMARY KEY (id)",
        &[PG],
    );
    // Not PostgreSQL rules.
    assert_clean(
        "ALTER TABLE a ADD CONSTRAINT c CHECK (n > 0); ALTER TABLE a ADD UNIQUE (n)",
        &[MYSQL],
    );
}

#[test]
fn postgres_rewrites() {
    for sql in [
        "ALTER TABLE t ADD COLUMN id UUID NOT NULL DEFAULT gen_random_uuid()",
        "ALTER TABLE t ADD COLUMN n BIGSERIAL",
        "ALTER TABLE t ADD COLUMN n INT GENERATED ALWAYS AS IDENTITY",
        "ALTER TABLE t ADD COLUMN s INT GENERATED ALWAYS AS (a * 2) STORED",
        "ALTER TABLE t SET LOGGED",
        "ALTER TABLE t SET UNLOGGED",
        "ALTER TABLE t SET TABLESPACE fast",
        "VACUUM FULL t",
        "VACUUM (FULL, ANALYZE) t",
        "CLUSTER t USING t_pkey",
    ] {
        assert_eq!(rules(sql, PG), ["table-rewrite"], "{sql}");
    }
    assert_eq!(
        only(
            "ALTER TABLE t ADD COLUMN id UUID DEFAULT gen_random_uuid()",
            PG
        )
        .message,
        "adds column `id` with a volatile DEFAULT (gen_random_uuid() differs per row), which rewrites `t` under an ACCESS EXCLUSIVE lock: add it without that, then fill existing rows in batches"
    );
    assert_clean(
        "ALTER TABLE t ADD COLUMN at TIMESTAMPTZ NOT NULL DEFAULT now();\
         ALTER TABLE t ADD COLUMN n INT DEFAULT 0;\
         VACUUM t; VACUUM (ANALYZE) t;\
         ALTER TABLE t SET (fillfactor = 70)",
        &[PG],
    );
}

#[test]
fn mysql_rewrites() {
    for sql in [
        "ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (b_id) REFERENCES b (id)",
        "ALTER TABLE t DROP PRIMARY KEY",
        "ALTER TABLE t ADD COLUMN c INT, ALGORITHM=COPY",
        "ALTER TABLE t CONVERT TO CHARACTER SET utf8mb4",
        "ALTER TABLE t ENGINE = InnoDB",
        "ALTER TABLE t FORCE",
        "OPTIMIZE TABLE t",
    ] {
        assert_eq!(rules(sql, MYSQL), ["table-rewrite"], "{sql}");
    }
    assert_clean(
        "ALTER TABLE t DROP PRIMARY KEY, ADD PRIMARY KEY (a, b);\
         ALTER TABLE t ADD COLUMN c INT, ALGORITHM=INSTANT;\
         ALTER TABLE t ADD INDEX i (c), ALGORITHM = INPLACE, LOCK = NONE",
        &[MYSQL],
    );
    // With foreign key checks off, MySQL adds a foreign key in place.
    assert_clean(
        "SET foreign_key_checks = 0;\
         ALTER TABLE t ADD CONSTRAINT f FOREIGN KEY (b_id) REFERENCES b (id);\
         SET foreign_key_checks = 1",
        &[MYSQL],
    );
    assert_eq!(
        rules(
            "SET foreign_key_checks = 0; SET @@foreign_key_checks = 1;\
             ALTER TABLE t ADD FOREIGN KEY (b_id) REFERENCES b (id)",
            MYSQL
        ),
        ["table-rewrite"]
    );
}

#[test]
fn sqlite_rebuild_is_one_table_rewrite() {
    let sql = "\
-- Add a primary key: rebuild the table.
CREATE TABLE items_new (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL
);
INSERT INTO items_new (id, name)
SELECT id, name FROM items;
DROP TABLE items;
ALTER TABLE items_new RENAME TO items;
CREATE INDEX items_name ON items (name);
";
    for dialect in Dialect::ALL {
        assert_eq!(found(sql, dialect), [(8, "table-rewrite")], "{dialect:?}");
    }
    assert_eq!(
        only(sql, SQLITE).message,
        "rebuilds `items` (create `items_new`, copy the rows, drop `items`, rename): writes wait for the whole copy, and the indexes and triggers of `items` are dropped with it, so recreate them"
    );
    assert_eq!(only(sql, SQLITE).statement, "DROP TABLE items");
    // MySQL's RENAME TABLE ends the same rebuild.
    let mysql = "CREATE TABLE n (id INT); INSERT INTO n SELECT * FROM o; DROP TABLE o; RENAME TABLE n TO o;";
    assert_eq!(rules(mysql, MYSQL), ["table-rewrite"]);
    // Without the copy, the old rows are lost: a drop.
    let no_copy = "CREATE TABLE n (id INT); DROP TABLE o; ALTER TABLE n RENAME TO o;";
    assert_eq!(rules(no_copy, SQLITE), ["drop-table"]);
    // Without the rename, a drop.
    let no_rename = "CREATE TABLE n (id INT); INSERT INTO n SELECT * FROM o; DROP TABLE o;";
    assert_eq!(rules(no_rename, SQLITE), ["drop-table"]);
    // A rename onto another name leaves the drop a drop.
    let other = "CREATE TABLE n (id INT); INSERT INTO n SELECT * FROM o; DROP TABLE o; ALTER TABLE n RENAME TO p;";
    assert_eq!(rules(other, SQLITE), ["drop-table"]);
    // Only the rebuilt one of two dropped tables.
    let two = "CREATE TABLE n (id INT); INSERT INTO n SELECT * FROM o; DROP TABLE o, q; ALTER TABLE n RENAME TO o;";
    assert_eq!(rules(two, PG), ["drop-table", "table-rewrite"]);
    assert!(
        only("DROP TABLE o, q", PG)
            .message
            .starts_with("drops `o`, `q`")
    );
}

#[test]
fn sqlite_vacuum() {
    assert_eq!(rules("VACUUM", SQLITE), ["table-rewrite"]);
    assert_clean("VACUUM", &[MYSQL]);
}

#[test]
fn statements_in_strings_and_comments_never_trigger() {
    let sql = "\
-- DROP TABLE a;
/* DROP TABLE b; */
INSERT INTO log (note) VALUES ('DROP TABLE c; TRUNCATE d;');
SELECT 'ALTER TABLE e DROP COLUMN f' AS \"DROP TABLE g\";
";
    assert_clean(sql, &Dialect::ALL);
    assert_clean(
        "CREATE FUNCTION f() RETURNS void AS $$ BEGIN DROP TABLE a; TRUNCATE b; END $$ LANGUAGE plpgsql;\
         DO $body$ BEGIN EXECUTE 'DROP TABLE c'; DELETE FROM d; END $body$;\
         /* nested /* DROP TABLE e; */ DROP TABLE f; */",
        &[PG],
    );
    assert_clean(
        "# DROP TABLE a;\nSELECT \"DROP TABLE b\"; /*! SELECT 1 */",
        &[MYSQL],
    );
    assert_clean(
        "CREATE PROCEDURE p() BEGIN DROP TABLE a; DELETE FROM b; END",
        &[MYSQL],
    );
    // A MySQL executable comment is code.
    assert_eq!(rules("/*!40000 DROP TABLE a */", MYSQL), ["drop-table"]);
}

#[test]
fn identifiers_that_look_like_keywords() {
    assert_clean(
        "CREATE TABLE \"drop\" (\"table\" INT); ALTER TABLE t ADD COLUMN \"not\" INT NULL",
        &[PG],
    );
    // A table named like a keyword, quoted.
    assert_eq!(rules("DROP TABLE \"where\"", PG), ["drop-table"]);
    assert_eq!(
        rules("DELETE FROM `where`", MYSQL),
        ["delete-without-where"]
    );
}

#[test]
fn line_numbers_and_statements() {
    let sql = "CREATE TABLE a (id INT);\n\n-- why\nDROP TABLE b;\r\nALTER TABLE c\r\n  DROP COLUMN d;\rTRUNCATE e;";
    let findings = lint_sql(sql, PG);
    let summary: Vec<_> = findings
        .iter()
        .map(|f| (f.line, f.rule.name(), f.statement.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (4, "drop-table", "DROP TABLE b"),
            (5, "drop-column", "ALTER TABLE c"),
            (7, "truncate", "TRUNCATE e"),
        ]
    );
    assert_eq!(
        findings[0].to_string(),
        "line 4: drop-table: drops `b` and all its rows: first release code that no longer uses it, and keep a backup"
    );
    // Two statements on one line, each found.
    assert_eq!(
        found("DROP TABLE a; TRUNCATE b;", PG),
        [(1, "drop-table"), (1, "truncate")]
    );
}

#[test]
fn allow_comments_silence_one_statement() {
    let sql = "\
-- switchy:allow drop-table
DROP TABLE a;
DROP TABLE b; -- switchy:allow drop-table the data moved to archive
DROP TABLE c;
/* switchy:allow drop-table, truncate */
-- (a reason on the next comment line)
DROP TABLE d;
-- switchy:allow drop-table

DROP TABLE e;
ALTER TABLE f -- switchy:allow drop-column
  DROP COLUMN x;
ALTER TABLE g
  DROP COLUMN y; -- switchy:allow drop-column
TRUNCATE h; -- switchy:allow drop-table
";
    assert_eq!(
        found(sql, PG),
        [(4, "drop-table"), (10, "drop-table"), (15, "truncate")]
    );
    // A trailing comment after one statement does not reach the next one.
    assert_eq!(
        found(
            "DROP TABLE a; -- switchy:allow drop-table\nDROP TABLE b;",
            PG
        ),
        [(2, "drop-table")]
    );
    // Several rules on one statement: each must be allowed.
    let sqlite = "ALTER TABLE t DROP COLUMN c; -- switchy:allow drop-column";
    assert_eq!(rules(sqlite, SQLITE), ["table-rewrite"]);
    let both = "-- switchy:allow drop-column, table-rewrite\nALTER TABLE t DROP COLUMN c;";
    assert_clean(both, &[SQLITE]);
    // MySQL `#` comments.
    assert_clean("# switchy:allow truncate\nTRUNCATE t", &[MYSQL]);
    // The rebuild finding is on the DROP TABLE.
    let rebuild = "CREATE TABLE n (id INT); INSERT INTO n SELECT * FROM o;\n-- switchy:allow table-rewrite\nDROP TABLE o;\nALTER TABLE n RENAME TO o;";
    assert_clean(rebuild, &[SQLITE]);
}

#[test]
fn allow_file_silences_everywhere() {
    let sql = "DROP TABLE a;\nTRUNCATE b;\n-- switchy:allow-file drop-table\nDROP TABLE c;";
    assert_eq!(found(sql, PG), [(2, "truncate")]);
    let sql = "/* switchy:allow-file drop-table, truncate */ DROP TABLE a; TRUNCATE b;";
    assert_clean(sql, &[PG]);
}

#[test]
fn unknown_allow_is_a_finding() {
    let sql = "-- switchy:allow drop-tabel\nDROP TABLE a;";
    let findings = lint_sql(sql, PG);
    let summary: Vec<_> = findings
        .iter()
        .map(|f| (f.line, f.rule.name(), f.statement.as_str()))
        .collect();
    assert_eq!(
        summary,
        [
            (1, "unknown-allow", "-- switchy:allow drop-tabel"),
            (2, "drop-table", "DROP TABLE a"),
        ]
    );
    assert!(
        findings[0]
            .message
            .starts_with("`switchy:allow` names unknown rule `drop-tabel`; the rules are: drop-schema, drop-table, drop-column,"),
        "{}",
        findings[0].message
    );
    // The known names of a list with a typo still apply.
    assert_eq!(
        found("DROP TABLE a; -- switchy:allow drop-table, trunate", PG),
        [(1, "unknown-allow")]
    );
    // An empty list, an unknown directive, an unknown file directive.
    for sql in [
        "-- switchy:allow\nSELECT 1",
        "-- switchy:alow drop-table\nSELECT 1",
        "/* switchy:allow-file nothing */ SELECT 1",
        "-- switchy:allow unknown-allow\nSELECT 1",
    ] {
        assert_eq!(found(sql, SQLITE), [(1, "unknown-allow")], "{sql}");
    }
    // unknown-allow cannot be silenced.
    assert_eq!(
        rules(
            "-- switchy:allow-file unknown-allow\n-- switchy:allow nope",
            PG
        ),
        ["unknown-allow", "unknown-allow"]
    );
    // Comments that merely mention the syntax are not directives.
    assert_clean(
        "-- use switchy:allow drop-table to silence\nSELECT 1",
        &[PG],
    );
}

#[test]
fn rules_report_only_on_their_dialects() {
    let sql = "\
DROP SCHEMA old_app;
DROP TABLE a;
ALTER TABLE b DROP COLUMN c;
TRUNCATE d;
DELETE FROM e;
UPDATE f SET x = 1;
ALTER TABLE g RENAME TO h;
ALTER TABLE i RENAME COLUMN j TO k;
ALTER TABLE l ADD COLUMN m INT NOT NULL;
ALTER TABLE n ALTER COLUMN o TYPE bigint;
ALTER TABLE n MODIFY o bigint;
ALTER TABLE p ALTER COLUMN q SET NOT NULL;
CREATE INDEX r ON s (t);
ALTER TABLE u ADD FOREIGN KEY (v) REFERENCES w;
ALTER TABLE x ADD CHECK (y > 0);
ALTER TABLE z ADD UNIQUE (a);
VACUUM;
-- switchy:allow nothing
";
    for dialect in Dialect::ALL {
        let findings = lint_sql(sql, dialect);
        for finding in &findings {
            assert!(
                finding.rule.dialects().contains(&dialect),
                "{finding:?} on {dialect:?}"
            );
        }
        let mut seen: Vec<Rule> = findings.iter().map(|f| f.rule).collect();
        seen.sort();
        seen.dedup();
        let expected: Vec<Rule> = Rule::ALL
            .into_iter()
            .filter(|rule| rule.dialects().contains(&dialect))
            .collect();
        assert_eq!(seen, expected, "{dialect:?}");
    }
}

#[test]
fn case_quoting_and_crlf() {
    let sql = "alter TABLE \"My Schema\".\"Users\"\r\n\tdrop COLUMN \"E-mail\";\r\n";
    let finding = only(sql, PG);
    assert_eq!(finding.line, 1);
    assert_eq!(
        finding.message,
        "drops column `\"E-mail\"` of `\"My Schema\".\"Users\"` and its values: first release code that no longer reads or writes it"
    );
    assert_eq!(finding.statement, "alter TABLE \"My Schema\".\"Users\"");
}

#[test]
fn empty_and_odd_inputs() {
    for sql in [
        "",
        ";;",
        "-- only a comment",
        "/* unterminated",
        "'",
        "DROP",
        "DROP TABLE",
        "ALTER TABLE",
        "ALTER TABLE t ADD",
        "ALTER TABLE t ADD (",
        "ALTER TABLE t RENAME",
        "ALTER TABLE t ALTER",
        "CREATE INDEX",
        "RENAME TABLE a",
        "UPDATE",
        "DELETE",
        "INSERT INTO",
        "TRUNCATE",
        "SET foreign_key_checks =",
    ] {
        for dialect in Dialect::ALL {
            let _ = lint_sql(sql, dialect);
        }
    }
}

#[test]
fn dialect_suffixes() {
    for dialect in Dialect::ALL {
        assert_eq!(Dialect::from_suffix(dialect.suffix()), Some(dialect));
    }
    assert_eq!(Dialect::from_suffix("pg"), None);
    assert_eq!(Dialect::from_suffix("Postgres"), None);
}

#[test]
fn the_readme_documents_every_rule() {
    let readme = include_str!("../README.md");
    for rule in Rule::ALL {
        let heading = format!("\n### `{}`\n", rule.name());
        assert!(readme.contains(&heading), "no {heading:?} in the README");
        let row = format!("\n| `{}` | ", rule.name());
        assert!(readme.contains(&row), "no table row for {rule}");
    }
}

#[test]
fn readme_allow_examples_work() {
    // The rebuild example of the README, whole.
    let sql = "\
CREATE TABLE sessions_new (id INTEGER PRIMARY KEY, name TEXT NOT NULL);
INSERT INTO sessions_new (id, name) SELECT id, name FROM sessions;
-- switchy:allow table-rewrite (sessions holds a few hundred rows)
DROP TABLE sessions;
ALTER TABLE sessions_new RENAME TO sessions;
";
    assert!(include_str!("../README.md").contains(sql));
    assert_clean(sql, &Dialect::ALL);
    let sql = "\
-- switchy:allow drop-table (nothing reads sessions since 2.3)
DROP TABLE sessions;

ALTER TABLE tracks DROP COLUMN duration; -- switchy:allow drop-column, table-rewrite

-- switchy:allow-file update-without-where
";
    assert!(include_str!("../README.md").contains(sql));
    assert_clean(&format!("{sql}UPDATE t SET a = 1;"), &Dialect::ALL);
}

#[test]
fn drop_schema() {
    for dialect in [PG, MYSQL] {
        assert_eq!(rules("DROP SCHEMA app CASCADE", dialect), ["drop-schema"]);
        assert_eq!(
            rules("drop database if exists app", dialect),
            ["drop-schema"]
        );
        assert_clean("CREATE SCHEMA s; DROP SCHEMA s", &[dialect]);
    }
    assert_eq!(
        only("DROP SCHEMA a, b", PG).message,
        "drops `a`, `b` with every table, view and function in it: take a backup, and drop what it holds in earlier, reviewed migrations"
    );
    assert_clean("DROP SCHEMA app", &[SQLITE]);
}

#[test]
fn drop_table_cascade_says_so() {
    assert!(
        only("DROP TABLE a CASCADE", PG)
            .message
            .contains("CASCADE also drops the views and foreign keys")
    );
    assert!(!only("DROP TABLE a", PG).message.contains("CASCADE"));
}

#[test]
fn statements_after_common_table_expressions() {
    assert_eq!(
        rules(
            "WITH old AS (SELECT id FROM s WHERE at < now()) DELETE FROM sessions",
            PG
        ),
        ["delete-without-where"]
    );
    assert_eq!(
        rules("WITH x AS (SELECT 1) UPDATE t SET a = 1", PG),
        ["update-without-where"]
    );
    assert_clean(
        "WITH x AS (DELETE FROM a WHERE b RETURNING *) INSERT INTO c SELECT * FROM x;\
         WITH x AS (SELECT 1) DELETE FROM t WHERE id IN (SELECT * FROM x)",
        &[PG],
    );
}

#[test]
fn allow_comment_findings_show_the_comment_line_only() {
    let finding = only("/* switchy:allow nope\r and more */ SELECT 1", PG);
    assert_eq!(finding.statement, "/* switchy:allow nope");
}

#[test]
fn names_with_line_breaks_stay_on_one_line() {
    let finding = only("DROP TABLE \"a\nb\"", PG);
    assert_eq!(
        finding.message,
        "drops `\"a\\nb\"` and all its rows: first release code that no longer uses it, and keep a backup"
    );
    assert_eq!(finding.statement, "DROP TABLE \"a");
    assert_eq!(
        only("ALTER TABLE t MODIFY `a\r` INT", MYSQL)
            .message
            .lines()
            .count(),
        1
    );
}

/// One statement that breaks each rule on each dialect the rule applies to.
fn samples() -> Vec<(Rule, Dialect, &'static str)> {
    let mut samples = Vec::new();
    for dialect in Dialect::ALL {
        let common = [
            (Rule::DropTable, "DROP TABLE t"),
            (Rule::DropColumn, "ALTER TABLE t DROP COLUMN c"),
            (Rule::DeleteWithoutWhere, "DELETE FROM t"),
            (Rule::UpdateWithoutWhere, "UPDATE t SET c = 1"),
            (Rule::RenameTable, "ALTER TABLE t RENAME TO u"),
            (Rule::RenameColumn, "ALTER TABLE t RENAME COLUMN c TO d"),
            (
                Rule::NotNullWithoutDefault,
                "ALTER TABLE t ADD COLUMN c INT NOT NULL",
            ),
        ];
        for (rule, sql) in common {
            samples.push((rule, dialect, sql));
        }
    }
    for dialect in [PG, MYSQL] {
        samples.push((Rule::DropSchema, dialect, "DROP SCHEMA s"));
        samples.push((Rule::Truncate, dialect, "TRUNCATE t"));
    }
    samples.extend([
        (
            Rule::ColumnTypeChange,
            PG,
            "ALTER TABLE t ALTER COLUMN c TYPE int",
        ),
        (Rule::ColumnTypeChange, MYSQL, "ALTER TABLE t MODIFY c int"),
        (
            Rule::SetNotNull,
            PG,
            "ALTER TABLE t ALTER COLUMN c SET NOT NULL",
        ),
        (Rule::NonConcurrentIndex, PG, "CREATE INDEX i ON t (c)"),
        (
            Rule::ForeignKeyWithoutNotValid,
            PG,
            "ALTER TABLE t ADD FOREIGN KEY (c) REFERENCES u",
        ),
        (
            Rule::CheckWithoutNotValid,
            PG,
            "ALTER TABLE t ADD CHECK (c > 0)",
        ),
        (
            Rule::UniqueConstraintWithoutIndex,
            PG,
            "ALTER TABLE t ADD UNIQUE (c)",
        ),
        (Rule::TableRewrite, SQLITE, "VACUUM"),
        (Rule::TableRewrite, PG, "VACUUM FULL t"),
        (Rule::TableRewrite, MYSQL, "OPTIMIZE TABLE t"),
        (Rule::UnknownAllow, SQLITE, "-- switchy:allow x\nSELECT 1"),
        (Rule::UnknownAllow, PG, "-- switchy:allow x\nSELECT 1"),
        (Rule::UnknownAllow, MYSQL, "-- switchy:allow x\nSELECT 1"),
    ]);
    samples
}

#[test]
fn every_rule_has_a_sample_on_each_of_its_dialects() {
    let samples = samples();
    for rule in Rule::ALL {
        for &dialect in rule.dialects() {
            assert!(
                samples.iter().any(|s| s.0 == rule && s.1 == dialect),
                "no sample of {rule} on {dialect:?}"
            );
        }
    }
}

#[test]
fn each_sample_is_found_silenced_by_its_rule_and_only_by_it() {
    for (rule, dialect, sql) in samples() {
        let findings = lint_sql(sql, dialect);
        assert!(
            findings.iter().any(|f| (f.rule, f.line) == (rule, 1)),
            "{sql} on {dialect:?}: {findings:?}"
        );
        if rule == Rule::UnknownAllow {
            continue;
        }
        // Other rules the statement breaks too (SQLite's DROP COLUMN also rewrites).
        let others: Vec<String> = findings
            .iter()
            .filter(|f| f.rule != rule)
            .map(|f| format!(", {}", f.rule))
            .collect();
        let others = others.concat();
        for allow in [
            format!("-- switchy:allow {rule}{others}\n{sql};"),
            format!("{sql}; /* switchy:allow {rule}{others} */"),
            format!("-- switchy:allow-file {rule}{others}\n{sql};"),
            format!("{sql};\n-- switchy:allow-file {rule}{others}"),
        ] {
            assert_clean(&allow, &[dialect]);
        }
        // Without its own name, the allow leaves it.
        let other = if rule == Rule::DropTable {
            Rule::Truncate
        } else {
            Rule::DropTable
        };
        let other_allowed = format!("-- switchy:allow {other}{others}\n{sql};");
        assert_eq!(
            found(&other_allowed, dialect),
            [(2, rule.name())],
            "{other_allowed} on {dialect:?}"
        );
        // The same statement inside a string or a comment is nothing.
        assert_clean(&format!("SELECT '{}'", sql.replace('\'', "''")), &[dialect]);
        assert_clean(&format!("/* {sql} */"), &[dialect]);
    }
}

#[test]
fn quoted_names_fold_case_on_sqlite_and_mysql_only() {
    let sql = "CREATE TABLE \"Items\" (id INT); DROP TABLE items;";
    assert_clean(sql, &[SQLITE, MYSQL]);
    assert_eq!(rules(sql, PG), ["drop-table"]);
    let sql = "CREATE TABLE `Items` (id INT); DROP TABLE `ITEMS`;";
    assert_clean(sql, &[SQLITE, MYSQL]);
    // PostgreSQL folds unquoted names to lowercase, so these are one table.
    assert_clean("CREATE TABLE Items (id INT); DROP TABLE \"items\";", &[PG]);
}
