//! The planning check that a migration running inside the runner's transaction does not
//! start, commit or end a transaction itself.
//!
//! On PostgreSQL a `COMMIT` in `up.sql` commits the runner's transaction from inside: a
//! later failure in the same file leaves the first part applied with no tracking row, and
//! every later run fails on it. SQLite and MySQL fail or commit in their own ways. So a
//! transactional migration whose SQL (on the database's dialect) holds top-level
//! transaction control is refused while planning, before anything runs, with
//! [`Error::TransactionControlInTransactionalMigration`]. What counts as transaction
//! control, and what does not (savepoints, bodies of functions, triggers, `DO` blocks), is
//! the grammar crate's
//! [`find_transaction_control`](switchy_schema_grammar::sql::find_transaction_control),
//! which `embed_migrations!` and the directory source apply too.
//!
//! Migrations marked [`TransactionMode::NoTransaction`] are not checked: there the file's
//! own `BEGIN` / `COMMIT` are the point. Code migrations are checked through their SQL
//! text ([`Migration::up_sql`] / [`Migration::down_sql`]); closures have none. Files that
//! `embed_migrations!` or the directory source already checked on the dialect
//! ([`Migration::up_checked_for_transaction_control`]) are not read again.

use std::sync::Arc;

use switchy_schema_grammar::sql::find_transaction_control;

use crate::database::Dialect;
use crate::error::{Error, Result};
use crate::migration::{Migration, TransactionMode};
use crate::split::sql_dialect;

/// Which SQL of a migration is about to run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    /// `up`, for a run.
    Up,
    /// `down`, for a rollback.
    Down,
}

/// Refuses the first of the planned migrations (`indexes` into `migrations`) that runs
/// in a transaction and whose SQL in `direction` on `dialect` holds transaction control.
pub(crate) fn check_planned(
    migrations: &[Arc<dyn Migration>],
    indexes: &[usize],
    dialect: Dialect,
    direction: Direction,
) -> Result<()> {
    indexes
        .iter()
        .filter_map(|&index| migrations.get(index))
        .try_for_each(|migration| check(migration.as_ref(), dialect, direction))
}

/// Refuses `migration` when it runs in a transaction and its SQL in `direction` on
/// `dialect` holds transaction control.
fn check(migration: &dyn Migration, dialect: Dialect, direction: Direction) -> Result<()> {
    if migration.transaction_mode() == TransactionMode::NoTransaction {
        return Ok(());
    }
    let (checked, sql) = match direction {
        Direction::Up => (
            migration.up_checked_for_transaction_control(dialect),
            migration.up_sql(dialect),
        ),
        Direction::Down => (
            migration.down_checked_for_transaction_control(dialect),
            migration.down_sql(dialect),
        ),
    };
    if checked {
        return Ok(());
    }
    let Some(found) = sql.and_then(|sql| find_transaction_control(sql, sql_dialect(dialect)))
    else {
        return Ok(());
    };
    Err(Error::TransactionControlInTransactionalMigration {
        id: migration.id().to_owned(),
        file: match direction {
            Direction::Up => migration.up_origin(dialect),
            Direction::Down => migration.down_origin(dialect),
        },
        statement: found.short_statement(),
        line: found.line,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::CodeMigration;

    fn migrations(list: Vec<CodeMigration>) -> Vec<Arc<dyn Migration>> {
        list.into_iter()
            .map(|migration| Arc::new(migration) as Arc<dyn Migration>)
            .collect()
    }

    #[test]
    fn a_transactional_migration_with_commit_is_refused_on_every_dialect() {
        let list = migrations(vec![
            CodeMigration::new("0001_ok", "CREATE TABLE a (id INT);"),
            CodeMigration::new(
                "0002_bad",
                "BEGIN;\nCREATE TABLE b (id INT);\nCOMMIT;\nSELECT x;",
            ),
        ]);
        for dialect in Dialect::ALL {
            let error = check_planned(&list, &[0, 1], dialect, Direction::Up).expect_err("refused");
            let Error::TransactionControlInTransactionalMigration {
                id,
                file,
                statement,
                line,
            } = &error
            else {
                panic!("unexpected error {error:?}");
            };
            assert_eq!(
                (id.as_str(), file.as_str(), statement.as_str(), *line),
                ("0002_bad", "code migration `0002_bad` (up)", "BEGIN", 1)
            );
            let message = error.to_string();
            assert!(
                message.starts_with("migration `0002_bad` runs inside a transaction, but code migration `0002_bad` (up) controls the transaction itself with `BEGIN` on line 1"),
                "{message}"
            );
            assert!(
                message.contains("`run_in_transaction = false`"),
                "{message}"
            );
            assert!(
                message.contains("`TransactionMode::NoTransaction`"),
                "{message}"
            );
            // Only the planned migrations are checked.
            assert!(check_planned(&list, &[0], dialect, Direction::Up).is_ok());
        }
    }

    #[test]
    fn downs_are_checked_for_rollbacks_only() {
        let list = migrations(vec![
            CodeMigration::new("0001_a", "CREATE TABLE a (id INT);")
                .with_down("DROP TABLE a;\n-- done\nCOMMIT WORK;"),
        ]);
        assert!(check_planned(&list, &[0], Dialect::Postgres, Direction::Up).is_ok());
        let error =
            check_planned(&list, &[0], Dialect::Postgres, Direction::Down).expect_err("refused");
        assert!(matches!(
            error,
            Error::TransactionControlInTransactionalMigration { ref file, ref statement, line: 3, .. }
                if file == "code migration `0001_a` (down)" && statement == "COMMIT WORK"
        ));
    }

    #[test]
    fn non_transactional_migrations_and_bodies_are_not_refused() {
        let list = migrations(vec![
            CodeMigration::new("0001_a", "BEGIN; CREATE TABLE a (id INT); COMMIT;")
                .with_transaction_mode(TransactionMode::NoTransaction),
            CodeMigration::new(
                "0002_b",
                "CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;\n\
                 DO $$ BEGIN PERFORM 1; END $$;\nSAVEPOINT s;\nROLLBACK TO SAVEPOINT s;",
            ),
        ]);
        assert!(check_planned(&list, &[0, 1], Dialect::Postgres, Direction::Up).is_ok());
    }

    #[test]
    fn the_dialect_decides_how_the_text_is_read() {
        // `$$` quotes only on PostgreSQL: read with SQLite's rules, `END $$` is a statement.
        let list = migrations(vec![CodeMigration::new(
            "0001_do",
            "DO $$ BEGIN PERFORM 1; END $$;",
        )]);
        assert!(check_planned(&list, &[0], Dialect::Postgres, Direction::Up).is_ok());
        assert!(check_planned(&list, &[0], Dialect::Sqlite, Direction::Up).is_err());
    }

    #[test]
    fn files_already_checked_on_the_dialect_are_not_read_again() {
        use std::borrow::Cow;

        use crate::sql_migration::{SqlFile, SqlMigration};

        // The text holds a `COMMIT`, but its file vouches for PostgreSQL (as the macro and
        // the directory source do for what they checked): only that shows the text is not
        // read again there. Elsewhere it is read, and refused.
        let file = |sql: &'static str| SqlFile {
            no_transaction_control: Cow::Borrowed(&[Dialect::Postgres]),
            ..SqlFile::owned(None, "m/0001_a/up.sql".to_owned(), sql.to_owned())
        };
        let list: Vec<Arc<dyn Migration>> = vec![Arc::new(SqlMigration {
            id: Cow::Borrowed("0001_a"),
            description: None,
            up: Cow::Owned(vec![file("CREATE TABLE a (id INT);\nCOMMIT;")]),
            down: Cow::Owned(vec![file("COMMIT;")]),
            transaction_mode: TransactionMode::Transactional,
        })];
        for direction in [Direction::Up, Direction::Down] {
            assert!(check_planned(&list, &[0], Dialect::Postgres, direction).is_ok());
            for dialect in [Dialect::Sqlite, Dialect::MySql] {
                let error = check_planned(&list, &[0], dialect, direction).expect_err("read");
                assert!(matches!(
                    error,
                    Error::TransactionControlInTransactionalMigration { ref file, .. }
                        if file == "m/0001_a/up.sql"
                ));
            }
        }
    }
}
