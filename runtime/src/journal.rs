//! SQLite journal-mode changes in migrations that run outside a transaction.
//!
//! Leaving WAL mode (`PRAGMA journal_mode = DELETE`, or any mode but `WAL`) needs the only
//! open connection to the database file: every other connection, idle ones included, keeps
//! the WAL open, and SQLite answers `SQLITE_BUSY` ("database is locked"). A pool that may
//! hold several connections can therefore not run such a migration, and a library cannot
//! close a user's idle pool connections. The runner reads the statements of the migrations
//! it is about to run, follows the journal mode they set, and refuses the run before
//! anything is done ([`Error::LeavingWalNeedsOneConnection`]).

use std::collections::HashMap;

use crate::database::{Database, Dialect};
use crate::error::{Error, Result};
use crate::migration::{Migration, TransactionMode};
use crate::split::split_statements;

/// One `PRAGMA [schema.]journal_mode = mode` (or `(mode)`) statement.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct JournalModeChange {
    /// The schema, lowercased; `main` when none is written.
    pub(crate) schema: String,
    /// The mode as written, unquoted.
    pub(crate) mode: String,
}

impl JournalModeChange {
    /// The mode SQLite switches to, lowercased; `None` for a value SQLite ignores.
    fn target(&self) -> Option<String> {
        let mode = self.mode.to_ascii_lowercase();
        matches!(
            mode.as_str(),
            "delete" | "truncate" | "persist" | "memory" | "wal" | "off"
        )
        .then_some(mode)
    }
}

/// The journal-mode changes of `sql`, in order.
pub(crate) fn journal_mode_changes(sql: &str) -> Vec<JournalModeChange> {
    split_statements(sql, Dialect::Sqlite)
        .into_iter()
        .filter_map(parse_statement)
        .collect()
}

/// Refuses, before anything runs, a migration among `planned` (in the order they will run;
/// `up` tells the direction) that runs outside a transaction and would take the database
/// out of WAL mode through a handle that may have other connections open.
///
/// Reads the current journal mode only when such a change is planned; a run without one
/// costs no query.
pub(crate) async fn check_leaving_wal<'m>(
    db: &dyn Database,
    planned: impl IntoIterator<Item = &'m dyn Migration>,
    up: bool,
) -> Result<()> {
    if db.dialect() != Dialect::Sqlite || !db.may_have_other_connections() {
        return Ok(());
    }
    let changes: Vec<(&dyn Migration, Vec<JournalModeChange>)> = planned
        .into_iter()
        .filter(|migration| migration.transaction_mode() == TransactionMode::NoTransaction)
        .filter_map(|migration| {
            let sql = if up {
                migration.up_sql(Dialect::Sqlite)
            } else {
                migration.down_sql(Dialect::Sqlite)
            }?;
            let changes = journal_mode_changes(sql);
            (!changes.is_empty()).then_some((migration, changes))
        })
        .collect();
    let leaves_wal = |change: &JournalModeChange| change.target().is_some_and(|mode| mode != "wal");
    if !changes.iter().flat_map(|(_, c)| c).any(leaves_wal) {
        return Ok(());
    }
    // The mode of each schema as the planned migrations leave it, read when first needed.
    let mut modes: HashMap<String, String> = HashMap::new();
    for (migration, changes) in changes {
        for change in changes {
            let Some(target) = change.target() else {
                continue;
            };
            let current = match modes.get(&change.schema) {
                Some(mode) => mode.clone(),
                None => current_mode(db, &change.schema).await?,
            };
            if current == "wal" && target != "wal" {
                let file = if up {
                    migration.up_origin(Dialect::Sqlite)
                } else {
                    migration.down_origin(Dialect::Sqlite)
                };
                return Err(Error::LeavingWalNeedsOneConnection {
                    id: migration.id().to_owned(),
                    file,
                    mode: change.mode,
                });
            }
            // An in-memory database stays in `memory` mode whatever is asked, except `off`.
            let next = if current == "memory" && target != "off" {
                current
            } else {
                target
            };
            modes.insert(change.schema, next);
        }
    }
    Ok(())
}

/// The journal mode of `schema`, lowercased. Read on one connection after reading the
/// schema, since a connection reports WAL mode only once it has read the database file.
async fn current_mode(db: &dyn Database, schema: &str) -> Result<String> {
    let read = |e| Error::database(format!("reading the journal mode of schema `{schema}`"), e);
    let quoted = format!("\"{}\"", schema.replace('"', "\"\""));
    let conn = db.pinned().await.map_err(read)?;
    conn.query(&format!("SELECT COUNT(*) FROM {quoted}.sqlite_master"), &[])
        .await
        .map_err(read)?;
    let rows = conn
        .query(&format!("PRAGMA {quoted}.journal_mode"), &[])
        .await
        .map_err(read)?;
    Ok(rows
        .first()
        .and_then(|row| row.get_index(0))
        .and_then(crate::Value::as_str)
        .unwrap_or_default()
        .to_ascii_lowercase())
}

/// A token of a SQLite statement: a word or quoted name/string (unquoted), or one
/// punctuation character.
#[derive(Debug, PartialEq, Eq)]
enum Token {
    Word(String),
    Punct(char),
}

/// The journal-mode change `statement` makes, if it is one.
fn parse_statement(statement: &str) -> Option<JournalModeChange> {
    let tokens = tokenize(statement);
    let word = |index: usize| match tokens.get(index) {
        Some(Token::Word(word)) => Some(word.as_str()),
        _ => None,
    };
    if !word(0)?.eq_ignore_ascii_case("pragma") {
        return None;
    }
    let (schema, next) = if tokens.get(2) == Some(&Token::Punct('.')) {
        (word(1)?.to_ascii_lowercase(), 3)
    } else {
        ("main".to_owned(), 1)
    };
    if !word(next)?.eq_ignore_ascii_case("journal_mode") {
        return None;
    }
    let mode = match tokens.get(next + 1)? {
        Token::Punct('=' | '(') => word(next + 2)?,
        _ => return None,
    };
    Some(JournalModeChange {
        schema,
        mode: mode.to_owned(),
    })
}

/// Splits one statement into tokens, skipping whitespace and comments.
fn tokenize(statement: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut chars = statement.char_indices().peekable();
    while let Some((start, c)) = chars.next() {
        match c {
            c if c.is_whitespace() => {}
            '-' if chars.peek().is_some_and(|&(_, n)| n == '-') => {
                for (_, n) in chars.by_ref() {
                    if n == '\n' {
                        break;
                    }
                }
            }
            '/' if chars.peek().is_some_and(|&(_, n)| n == '*') => {
                chars.next();
                let mut star = false;
                for (_, n) in chars.by_ref() {
                    if star && n == '/' {
                        break;
                    }
                    star = n == '*';
                }
            }
            '\'' | '"' | '`' | '[' => {
                let close = if c == '[' { ']' } else { c };
                let mut text = String::new();
                while let Some((_, n)) = chars.next() {
                    if n == close {
                        if close != ']' && chars.peek().is_some_and(|&(_, m)| m == close) {
                            chars.next();
                            text.push(close);
                        } else {
                            break;
                        }
                    } else {
                        text.push(n);
                    }
                }
                tokens.push(Token::Word(text));
            }
            c if c.is_alphanumeric() || c == '_' || c == '$' => {
                let mut end = start + c.len_utf8();
                while let Some(&(index, n)) = chars.peek() {
                    if n.is_alphanumeric() || n == '_' || n == '$' {
                        end = index + n.len_utf8();
                        chars.next();
                    } else {
                        break;
                    }
                }
                tokens.push(Token::Word(statement[start..end].to_owned()));
            }
            c => tokens.push(Token::Punct(c)),
        }
    }
    tokens
}

#[cfg(test)]
mod tests {
    use super::*;

    fn modes(sql: &str) -> Vec<(String, String)> {
        journal_mode_changes(sql)
            .into_iter()
            .map(|change| (change.schema, change.mode))
            .collect()
    }

    fn pair(schema: &str, mode: &str) -> (String, String) {
        (schema.to_owned(), mode.to_owned())
    }

    #[test]
    fn finds_every_spelling_of_a_journal_mode_change() {
        assert_eq!(
            modes("PRAGMA journal_mode = DELETE;"),
            [pair("main", "DELETE")]
        );
        assert_eq!(modes("pragma journal_mode=wal"), [pair("main", "wal")]);
        assert_eq!(
            modes("PRAGMA journal_mode('truncate')"),
            [pair("main", "truncate")]
        );
        assert_eq!(
            modes("-- leave WAL\nPRAGMA /* here */ \"Main\".\"journal_mode\" = 'delete';"),
            [pair("main", "delete")]
        );
        assert_eq!(
            modes("PRAGMA aux.journal_mode = [persist]"),
            [pair("aux", "persist")]
        );
        assert_eq!(
            modes(
                "CREATE TABLE t (x); PRAGMA journal_mode = DELETE; VACUUM; PRAGMA journal_mode = WAL"
            ),
            [pair("main", "DELETE"), pair("main", "WAL")]
        );
    }

    #[test]
    fn ignores_reads_other_pragmas_and_text_that_only_mentions_it() {
        assert!(modes("PRAGMA journal_mode").is_empty());
        assert!(modes("PRAGMA journal_size_limit = 100; PRAGMA foreign_keys = OFF").is_empty());
        assert!(modes("INSERT INTO notes VALUES ('PRAGMA journal_mode = DELETE')").is_empty());
        assert!(modes("-- PRAGMA journal_mode = DELETE\nSELECT 1").is_empty());
        assert!(modes("").is_empty());
    }

    #[test]
    fn only_the_modes_sqlite_knows_change_anything() {
        let change = |mode: &str| JournalModeChange {
            schema: "main".to_owned(),
            mode: mode.to_owned(),
        };
        assert_eq!(change("DELETE").target().as_deref(), Some("delete"));
        assert_eq!(change("Wal").target().as_deref(), Some("wal"));
        assert_eq!(change("sideways").target(), None);
    }
}
