//! Issue 11: the round-trip proof sees everything a migration can change.
//!
//! For each kind of definition (index expressions, partial-index predicates, `CHECK`
//! constraints, column collations, generation expressions) a migration changes it, and
//! its down restores it either correctly (spelled differently where the engine keeps the
//! text as written, to prove that equal definitions compare equal) or subtly wrong. The
//! proof must pass the first and fail the second, naming what differs, on every driver
//! whose engine has the feature.

use switchy_schema::Dialect;
use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema_test_utils::verify_migrations_full_cycle;
use switchy_schema_tests::harness::{Backend, open};

/// A down that restores the definition, or one that gets it subtly wrong.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Down {
    Right,
    Wrong,
}

/// The SQL of one case on one dialect: the table (with the definition under test) and
/// its drop, then the change and the down of each kind.
struct Case {
    create: String,
    drop: String,
    change: String,
    right_down: String,
    wrong_down: String,
}

impl Case {
    fn source(&self, down: Down) -> CodeSource {
        CodeSource::new()
            .with(
                CodeMigration::new("0001_create", self.create.clone()).with_down(self.drop.clone()),
            )
            .with(
                CodeMigration::new("0002_change", self.change.clone()).with_down(match down {
                    Down::Right => self.right_down.clone(),
                    Down::Wrong => self.wrong_down.clone(),
                }),
            )
    }
}

/// A case that recreates `people` with `columns` (the definition under test), changes it
/// to `changed`, and restores `right` or `wrong`.
fn recreated(columns: &str, changed: &str, right: &str, wrong: &str) -> Case {
    let table = |columns: &str| format!("CREATE TABLE people (id INTEGER PRIMARY KEY, {columns})");
    let recreate = |columns: &str| format!("DROP TABLE people;\n{}", table(columns));
    Case {
        create: table(columns),
        drop: "DROP TABLE people".to_owned(),
        change: recreate(changed),
        right_down: recreate(right),
        wrong_down: recreate(wrong),
    }
}

/// A case on a table with an index `index` created by `definition` (the text after
/// `ON people`), changed to `changed`, and restored to `right` or `wrong`.
fn reindexed(
    dialect: Dialect,
    unique: bool,
    definition: &str,
    changed: &str,
    right: &str,
    wrong: &str,
) -> Case {
    let text = if dialect == Dialect::MySql {
        "VARCHAR(100)"
    } else {
        "TEXT"
    };
    let kind = if unique { "UNIQUE INDEX" } else { "INDEX" };
    let create_index = |definition: &str| format!("CREATE {kind} people_ix ON people {definition}");
    let drop_index = if dialect == Dialect::MySql {
        "DROP INDEX people_ix ON people"
    } else {
        "DROP INDEX people_ix"
    };
    let reindex = |definition: &str| format!("{drop_index};\n{}", create_index(definition));
    Case {
        create: format!(
            "CREATE TABLE people (id INTEGER PRIMARY KEY, name {text}, email {text}, active INTEGER);\n{}",
            create_index(definition)
        ),
        drop: "DROP TABLE people".to_owned(),
        change: reindex(changed),
        right_down: reindex(right),
        wrong_down: reindex(wrong),
    }
}

/// Runs the proof of `case` with each down on a fresh database of `backend`, and checks
/// that the right one passes and the wrong one fails naming `expected`.
async fn check(backend: Backend, test: &str, case: &Case, expected: &str) {
    let name = backend.name();
    if let Some(t) = open(backend, &format!("{test}_right")).await {
        verify_migrations_full_cycle(&*t.db, case.source(Down::Right))
            .await
            .unwrap_or_else(|error| panic!("{name}, {test}: the right down failed: {error}"));
    }
    if let Some(t) = open(backend, &format!("{test}_wrong")).await {
        let error = verify_migrations_full_cycle(&*t.db, case.source(Down::Wrong))
            .await
            .expect_err(&format!("{name}, {test}: the wrong down passed"));
        let message = error.to_string();
        assert!(
            message.contains(expected),
            "{name}, {test}: expected `{expected}` in: {message}"
        );
    }
}

#[tokio::test]
async fn a_down_that_recreates_an_index_on_another_expression_fails() {
    for backend in Backend::ALL {
        // MariaDB has no expression indexes (MySQL 8's are read, but not tested here).
        let case = match backend.dialect() {
            Dialect::MySql => continue,
            Dialect::Sqlite => reindexed(
                Dialect::Sqlite,
                true,
                "(lower(name))",
                "(lower(email))",
                "( LOWER( \"name\" ) )",
                "(upper(name))",
            ),
            Dialect::Postgres => reindexed(
                Dialect::Postgres,
                true,
                "(lower(name))",
                "(lower(email))",
                "(LOWER(name))",
                "(upper(name))",
            ),
        };
        check(
            backend,
            "snap_index_expression",
            &case,
            "index `people_ix`: definition UNIQUE (lower(name)) before, UNIQUE (upper(name)) after down",
        )
        .await;
    }
}

#[tokio::test]
async fn a_down_that_recreates_a_partial_index_with_another_predicate_fails() {
    for backend in Backend::ALL {
        // MySQL and MariaDB have no partial indexes.
        let dialect = backend.dialect();
        if dialect == Dialect::MySql {
            continue;
        }
        let case = reindexed(
            dialect,
            false,
            "(name) WHERE active = 1",
            "(name) WHERE active = 2",
            "(name) where (ACTIVE=1)",
            "(name) WHERE active >= 1",
        );
        check(
            backend,
            "snap_partial_index",
            &case,
            "index `people_ix`: definition",
        )
        .await;
    }
}

#[tokio::test]
async fn a_down_that_restores_another_check_constraint_fails() {
    for backend in Backend::ALL {
        let right = match backend.dialect() {
            Dialect::MySql => "age INTEGER, CONSTRAINT adult CHECK(  `age`>=0 )",
            Dialect::Sqlite | Dialect::Postgres => {
                "age INTEGER, CONSTRAINT adult CHECK(  \"age\">=0 )"
            }
        };
        let case = recreated(
            "age INTEGER CHECK (age >= 0)",
            "age INTEGER CHECK (age >= 18)",
            right,
            "age INTEGER CHECK (age > 0)",
        );
        check(
            backend,
            "snap_check",
            &case,
            "check `age >= 0` missing after down",
        )
        .await;
    }
}

#[tokio::test]
async fn a_down_that_restores_another_collation_fails() {
    for backend in Backend::ALL {
        let case = match backend.dialect() {
            Dialect::Sqlite => recreated(
                "name TEXT COLLATE NOCASE",
                "name TEXT",
                "name TEXT collate nocase",
                "name TEXT COLLATE RTRIM",
            ),
            Dialect::Postgres => recreated(
                "name TEXT COLLATE \"C\"",
                "name TEXT",
                "name TEXT COLLATE \"C\"",
                "name TEXT COLLATE \"POSIX\"",
            ),
            Dialect::MySql => recreated(
                "name VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                "name VARCHAR(50) CHARACTER SET utf8mb4",
                "name VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin",
                "name VARCHAR(50) CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci",
            ),
        };
        check(backend, "snap_collation", &case, "column `name`: collation").await;
    }
}

#[tokio::test]
async fn a_down_that_restores_another_generation_expression_fails() {
    for backend in Backend::ALL {
        let generated = |expression: &str| match backend.dialect() {
            Dialect::MySql => format!("price INTEGER, total INTEGER AS ({expression}) STORED"),
            Dialect::Sqlite | Dialect::Postgres => {
                format!("price INTEGER, total INTEGER GENERATED ALWAYS AS ({expression}) STORED")
            }
        };
        let right = match backend.dialect() {
            Dialect::Sqlite => generated(" PRICE*2 "),
            Dialect::Postgres | Dialect::MySql => generated("price * 2"),
        };
        let case = recreated(
            &generated("price * 2"),
            "price INTEGER, total INTEGER",
            &right,
            &generated("price * 3"),
        );
        check(
            backend,
            "snap_generated",
            &case,
            "column `total`: generation",
        )
        .await;
    }
}

#[tokio::test]
async fn a_down_that_restores_another_virtual_column_expression_fails() {
    for backend in Backend::ALL {
        // PostgreSQL has virtual generated columns from version 18 only.
        let generated = match backend.dialect() {
            Dialect::Postgres => continue,
            Dialect::MySql => {
                |expression: &str| format!("price INTEGER, total INTEGER AS ({expression}) VIRTUAL")
            }
            Dialect::Sqlite => |expression: &str| {
                format!("price INTEGER, total INTEGER GENERATED ALWAYS AS ({expression}) VIRTUAL")
            },
        };
        let case = recreated(
            &generated("price + 1"),
            "price INTEGER, total INTEGER",
            &generated("(price+1)"),
            &generated("price - 1"),
        );
        check(backend, "snap_virtual", &case, "column `total`: generation").await;
    }
}
