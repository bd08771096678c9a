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
