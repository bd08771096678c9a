//! The linter never panics, whatever the text: statements built from pieces of every rule's
//! syntax and of every lexical edge, in many random orders.

use switchy_schema_lint::{Dialect, lint_sql};

const PIECES: &[&str] = &[
    "ALTER",
    "TABLE",
    "ADD",
    "DROP",
    "COLUMN",
    "(",
    ")",
    ",",
    ";",
    "NOT",
    "NULL",
    "DEFAULT",
    "RENAME",
    "TO",
    "AS",
    "CREATE",
    "INDEX",
    "CONCURRENTLY",
    "ON",
    "ONLY",
    "x",
    "\"q\"",
    ".",
    "*",
    "=",
    "-- switchy:allow drop-table\n",
    "/* switchy:allow-file x */",
    "# c\n",
    "'s'",
    "$$",
    "$t$",
    "/*",
    "*/",
    "/*!1",
    "WITH",
    "UPDATE",
    "SET",
    "DELETE",
    "FROM",
    "WHERE",
    "INSERT",
    "INTO",
    "SELECT",
    "CHANGE",
    "MODIFY",
    "TYPE",
    "DATA",
    "CONSTRAINT",
    "FOREIGN",
    "KEY",
    "PRIMARY",
    "UNIQUE",
    "CHECK",
    "USING",
    "VALID",
    "IF",
    "EXISTS",
    "TRUNCATE",
    "VACUUM",
    "FULL",
    "REINDEX",
    "SCHEMA",
    "DATABASE",
    "TEMPORARY",
    "CASCADE",
    "ALGORITHM",
    "COPY",
    "foreign_key_checks",
    "0",
    "gen_random_uuid",
    "BIGSERIAL",
    "GENERATED",
    "STORED",
    "`",
    "[",
    "]",
    "\r",
    "\n",
    "\r\n",
    "é",
    "\\",
    "'",
    "\"",
    "E'",
    "--",
    "BEGIN",
    "END",
    "TRIGGER",
    "FUNCTION",
];

#[test]
fn random_statements_never_panic() {
    // A fixed linear congruential generator: the same texts on every run.
    let mut state: u64 = 0x5eed;
    let mut next = |bound: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        usize::try_from(state >> 33).unwrap_or(0) % bound
    };
    for _ in 0..3000 {
        let len = 1 + next(24);
        let mut sql = String::new();
        for _ in 0..len {
            sql.push_str(PIECES[next(PIECES.len())]);
            if next(3) > 0 {
                sql.push(' ');
            }
        }
        for dialect in Dialect::ALL {
            for finding in lint_sql(&sql, dialect) {
                assert!(finding.line >= 1, "{sql:?}");
                assert!(!finding.message.contains('\n'), "{sql:?}");
                assert!(
                    !finding.statement.contains(['\n', '\r']),
                    "{sql:?}: {finding:?}"
                );
            }
        }
    }
}

#[test]
fn every_prefix_of_a_migration_lints() {
    let sql = "-- switchy:allow table-rewrite\r\nCREATE TABLE n (id INT);\nINSERT INTO n SELECT * FROM \"o\";\nDROP TABLE o CASCADE; ALTER TABLE n RENAME TO o;\nALTER TABLE `t` ADD (a INT NOT NULL, b INT), CHANGE c d TEXT, DROP PRIMARY KEY;\nCREATE INDEX CONCURRENTLY IF NOT EXISTS i ON ONLY s.t (x) WHERE y = 'é';\n/* switchy:allow nope */ DO $$ BEGIN DROP TABLE z; END $$;";
    let mut cuts: Vec<usize> = sql.char_indices().map(|(i, _)| i).collect();
    cuts.push(sql.len());
    for &cut in &cuts {
        for dialect in Dialect::ALL {
            let _ = lint_sql(&sql[..cut], dialect);
            let _ = lint_sql(&sql[cut..], dialect);
        }
    }
}

#[test]
fn a_large_file_lints_quickly() {
    let statement = "-- switchy:allow drop-column\nALTER TABLE t DROP COLUMN c;\nUPDATE t SET a = 'x;y' WHERE id = 1;\nCREATE INDEX i ON t (a);\n";
    let sql = statement.repeat(5000);
    let started = std::time::Instant::now();
    let findings = lint_sql(&sql, Dialect::Postgres);
    assert_eq!(findings.len(), 5000);
    // Linear work: a debug build does this in well under a second; quadratic work would
    // take minutes.
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}
