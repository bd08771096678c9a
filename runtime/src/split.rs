//! The statement scanner, from the grammar crate ([`switchy_schema_grammar::sql`]), where
//! `embed_migrations!` uses it too: one set of lexical rules for splitting statements and
//! for finding transaction control. This module adapts it to [`Dialect`].

use switchy_schema_grammar::sql::{self, SqlDialect};

use crate::database::Dialect;

/// Splits `sql` into its statements: trimmed slices without their terminating `;`, in
/// order, with fragments of only whitespace and comments dropped (see
/// [`switchy_schema_grammar::sql`]).
pub(crate) fn split_statements(sql: &str, dialect: Dialect) -> Vec<&str> {
    sql::split_statements(sql, sql_dialect(dialect))
}

/// `sql` cut into consecutive pieces of at least `target` bytes (the last one may be
/// shorter), each cut where a statement starts (as the scanner finds them), so that each
/// piece holds whole statements and the pieces together are exactly `sql`. (The sqlx
/// drivers send long SQLite texts this way.)
#[cfg_attr(
    not(any(
        feature = "sqlx-sqlite",
        feature = "sqlx-postgres",
        feature = "sqlx-mysql"
    )),
    allow(dead_code)
)]
pub(crate) fn chunks(sql: &str, dialect: Dialect, target: usize) -> Vec<&str> {
    if sql.len() <= target {
        return vec![sql];
    }
    let base = sql.as_ptr().addr();
    let mut pieces = Vec::new();
    let mut start = 0;
    // Never cut before the first statement: a piece starts with a statement or the text.
    for statement in split_statements(sql, dialect).into_iter().skip(1) {
        let at = statement.as_ptr().addr() - base;
        if at - start >= target {
            pieces.push(&sql[start..at]);
            start = at;
        }
    }
    pieces.push(&sql[start..]);
    pieces
}

/// The scanner's dialect for `dialect`.
pub(crate) const fn sql_dialect(dialect: Dialect) -> SqlDialect {
    match dialect {
        Dialect::Sqlite => SqlDialect::Sqlite,
        Dialect::Postgres => SqlDialect::Postgres,
        Dialect::MySql => SqlDialect::MySql,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_dialect_maps_to_the_scanner_dialect_of_its_suffix() {
        for dialect in Dialect::ALL {
            assert_eq!(
                Some(sql_dialect(dialect)),
                SqlDialect::from_suffix(dialect.suffix())
            );
        }
    }

    #[test]
    fn chunks_hold_whole_statements_and_the_whole_text() {
        let sql = "-- head\nCREATE TABLE t (a TEXT);\nINSERT INTO t VALUES ('x;y');\n/* c; */ INSERT INTO t VALUES (2);\nSELECT 3";
        for dialect in Dialect::ALL {
            for target in [0, 1, 10, 30, 60, sql.len(), sql.len() + 1] {
                let pieces = chunks(sql, dialect, target);
                assert_eq!(pieces.concat(), sql, "{dialect:?} {target}");
                let statements: Vec<&str> = pieces
                    .iter()
                    .flat_map(|piece| split_statements(piece, dialect))
                    .collect();
                assert_eq!(
                    statements,
                    split_statements(sql, dialect),
                    "{dialect:?} {target}"
                );
                if target <= 1 {
                    assert_eq!(pieces.len(), 4, "{pieces:?}");
                }
            }
        }
    }

    #[test]
    fn splits_with_the_dialect_rules() {
        let sql = "SELECT $$a;b$$; SELECT 2";
        assert_eq!(
            split_statements(sql, Dialect::Postgres),
            ["SELECT $$a;b$$", "SELECT 2"]
        );
        assert_eq!(
            split_statements(sql, Dialect::Sqlite),
            ["SELECT $$a", "b$$", "SELECT 2"]
        );
    }
}
