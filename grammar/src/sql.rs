//! The SQL statement scanner: splits a SQL text into its statements at top-level `;`, and
//! finds top-level transaction control ([`find_transaction_control`]).
//!
//! The runner needs the split for PostgreSQL migrations that run outside a transaction: a
//! multi-statement text sent in one simple query runs as one implicit transaction, which
//! statements such as `CREATE INDEX CONCURRENTLY` refuse, so each statement is sent on its
//! own. `embed_migrations!`, the directory source and the runner's planning step use the
//! same scanner to refuse `BEGIN` / `COMMIT` in a migration that runs inside the runner's
//! transaction.
//!
//! The scanner is a small lexer, not a parser. It knows where a `;` cannot end a statement:
//!
//! - inside string literals: `'...'` with `''` escapes everywhere; PostgreSQL `E'...'` with
//!   backslash escapes; MySQL `'...'` and `"..."` with backslash escapes;
//! - inside quoted identifiers: `"..."` (`""` escapes), MySQL and SQLite backticks, SQLite
//!   `[...]`;
//! - inside PostgreSQL dollar quotes `$$...$$` and `$tag$...$tag$` (`$1` is a parameter,
//!   not a quote);
//! - inside comments: `-- ...` (MySQL: `--` followed by a space or control character),
//!   MySQL `# ...`, `/* ... */` (nested on PostgreSQL);
//! - inside parentheses (PostgreSQL rules such as `DO ALSO (INSERT ...; INSERT ...)`);
//! - inside the `BEGIN ... END` body of a PostgreSQL `CREATE [OR REPLACE] FUNCTION` or
//!   `PROCEDURE` (`BEGIN ATOMIC`) and of a SQLite `CREATE [TEMP] TRIGGER`, where `CASE ...
//!   END` nests as well;
//! - inside the compound statement of a MySQL `CREATE [OR REPLACE] [DEFINER = ...]
//!   PROCEDURE`, `FUNCTION`, `TRIGGER` or `EVENT`, and of a MariaDB top-level `BEGIN NOT
//!   ATOMIC ... END`: `BEGIN ... END` and `CASE ... END [CASE]` nest; `END IF`, `END LOOP`,
//!   `END WHILE` and `END REPEAT` close blocks that hold no `BEGIN`.
//!
//! Every delimiter is ASCII, so every cut falls on a character boundary; the scanner never
//! panics, and an unterminated quote or comment extends to the end of the text, where it
//! becomes part of the last statement (so that the database reports it; SQLite alone
//! accepts an unterminated block comment, so there it counts as a comment).

pub mod lexical;

use lexical::is_word_char;

/// The SQL dialect whose lexical rules the scanner follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum SqlDialect {
    /// SQLite: backticks and `[...]` quote identifiers; block comments do not nest.
    Sqlite,
    /// PostgreSQL: dollar quotes, `E'...'` strings, nested block comments.
    Postgres,
    /// MySQL and MariaDB: backslash escapes, `#` comments, compound statements.
    MySql,
}

impl SqlDialect {
    /// Every dialect.
    pub const ALL: [SqlDialect; 3] = [SqlDialect::MySql, SqlDialect::Postgres, SqlDialect::Sqlite];

    /// The dialect of an override file's suffix (one of [`DIALECTS`](crate::DIALECTS)).
    #[must_use]
    pub fn from_suffix(suffix: &str) -> Option<SqlDialect> {
        match suffix {
            "mysql" => Some(SqlDialect::MySql),
            "postgres" => Some(SqlDialect::Postgres),
            "sqlite" => Some(SqlDialect::Sqlite),
            _ => None,
        }
    }
}

/// Splits `sql` into its statements.
///
/// Returns trimmed slices of `sql` without their terminating `;`, in order. Fragments that
/// hold only whitespace and comments are dropped. See the module docs for the grammar.
///
/// ```
/// use switchy_schema_grammar::sql::{split_statements, SqlDialect};
///
/// let sql = "CREATE TABLE a (x TEXT DEFAULT ';'); -- done;\nDO $$ BEGIN PERFORM 1; END $$;";
/// assert_eq!(
///     split_statements(sql, SqlDialect::Postgres),
///     ["CREATE TABLE a (x TEXT DEFAULT ';')", "-- done;\nDO $$ BEGIN PERFORM 1; END $$"]
/// );
/// ```
#[must_use]
pub fn split_statements(sql: &str, dialect: SqlDialect) -> Vec<&str> {
    statements(sql, dialect)
        .into_iter()
        .map(|s| s.text)
        .collect()
}

/// One statement found by the scanner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Statement<'a> {
    /// The trimmed text, without its terminating `;`.
    text: &'a str,
    /// The byte offset of the first word in the input, if the statement has one.
    first_word_at: Option<usize>,
    /// The first three words (keywords, identifiers or numbers), fewer if it has fewer.
    lead: [Option<&'a str>; 3],
    /// Whether the statement is a routine, trigger or compound statement with a body.
    has_body: bool,
}

fn statements(sql: &str, dialect: SqlDialect) -> Vec<Statement<'_>> {
    Splitter::new(sql, dialect).run()
}

/// A top-level transaction-control statement found by [`find_transaction_control`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TransactionControl<'a> {
    /// The statement from its first keyword (leading comments left out), without its `;`.
    pub statement: &'a str,
    /// The 1-based line of its first keyword in the text.
    pub line: usize,
}

impl TransactionControl<'_> {
    /// The statement for a message: its first line, cut after 60 characters.
    #[must_use]
    pub fn short_statement(&self) -> String {
        let first_line = self.statement.lines().next().unwrap_or_default().trim_end();
        let mut short: String = first_line.chars().take(60).collect();
        if short.len() < self.statement.len() {
            short.push_str(" ...");
        }
        short
    }
}

/// The rule that [`find_transaction_control`] enforces, for messages.
pub const TRANSACTION_CONTROL_RULE: &str = "a migration that runs inside the runner's transaction may not start, commit or end a transaction itself (top-level `BEGIN`, `START TRANSACTION`, `COMMIT`, `END`, `ROLLBACK`, `ABORT`, `PREPARE TRANSACTION`): the migration would commit without its tracking row";

/// The first top-level statement of `sql` that starts, commits or ends a transaction, read
/// with `dialect`'s lexical rules; `None` when there is none.
///
/// Such a statement inside the runner's transaction would commit (or roll back) the
/// migration without its tracking row, so a transactional migration may not hold one:
///
/// - refused: `BEGIN [TRANSACTION | WORK | DEFERRED | IMMEDIATE | EXCLUSIVE ...]`,
///   `START TRANSACTION ...`, `COMMIT ...`, `END [TRANSACTION]`, `ROLLBACK [WORK |
///   TRANSACTION]` (and `AND CHAIN`), PostgreSQL's `ABORT` and `PREPARE TRANSACTION`,
///   case-insensitive, after any leading comments;
/// - allowed: savepoints, which stay inside the runner's transaction (`SAVEPOINT x`,
///   `RELEASE [SAVEPOINT] x`, `ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] x`), and every
///   `BEGIN` / `END` / `COMMIT` that is not a statement of its own: inside strings, quoted
///   identifiers, comments, dollar-quoted bodies (PL/pgSQL functions, `DO` blocks), SQLite
///   trigger bodies, PostgreSQL `BEGIN ATOMIC` bodies, MySQL compound statements of
///   routines, triggers and events, and MariaDB's `BEGIN NOT ATOMIC ... END`.
///
/// Statements that commit implicitly (MySQL DDL, `LOCK TABLES`, `SET autocommit = 1`) are
/// not looked for: on MySQL every migration is tracked as if non-transactional anyway.
///
/// ```
/// use switchy_schema_grammar::sql::{find_transaction_control, SqlDialect};
///
/// let sql = "-- setup\nBEGIN;\nCREATE TABLE a (id INT);\nCOMMIT;";
/// let found = find_transaction_control(sql, SqlDialect::Postgres).unwrap();
/// assert_eq!((found.statement, found.line), ("BEGIN", 2));
///
/// let function = "CREATE FUNCTION f() RETURNS void AS $$ BEGIN COMMIT; END $$ LANGUAGE plpgsql;";
/// assert_eq!(find_transaction_control(function, SqlDialect::Postgres), None);
/// ```
#[must_use]
pub fn find_transaction_control(sql: &str, dialect: SqlDialect) -> Option<TransactionControl<'_>> {
    statements(sql, dialect).into_iter().find_map(|statement| {
        let at = statement.first_word_at?;
        if statement.has_body || !is_transaction_control(statement.lead) {
            return None;
        }
        let end = statement.text.as_ptr() as usize - sql.as_ptr() as usize + statement.text.len();
        Some(TransactionControl {
            statement: sql.get(at..end).unwrap_or(statement.text),
            line: line_of(sql, at),
        })
    })
}

/// Whether a statement starting with the words `lead` starts, commits or ends a transaction.
fn is_transaction_control(lead: [Option<&str>; 3]) -> bool {
    let is = |index: usize, keyword: &str| {
        lead[index].is_some_and(|word| word.eq_ignore_ascii_case(keyword))
    };
    if is(0, "rollback") {
        // `ROLLBACK [WORK | TRANSACTION] TO [SAVEPOINT] x` stays in the transaction.
        let to_savepoint = is(1, "to") || ((is(1, "work") || is(1, "transaction")) && is(2, "to"));
        return !to_savepoint;
    }
    ["begin", "commit", "end", "abort"]
        .iter()
        .any(|keyword| is(0, keyword))
        || (is(0, "start") && is(1, "transaction"))
        || (is(0, "prepare") && is(1, "transaction"))
}

/// The 1-based line of byte offset `at` (lines end at `\n`, `\r\n` or a lone `\r`).
fn line_of(sql: &str, at: usize) -> usize {
    let before = &sql.as_bytes()[..at.min(sql.len())];
    let breaks = before
        .iter()
        .enumerate()
        .filter(|&(index, &byte)| {
            byte == b'\n' || (byte == b'\r' && before.get(index + 1) != Some(&b'\n'))
        })
        .count();
    1 + breaks
}

/// Where the scanner is in the header of the current statement, which decides whether
/// `BEGIN ... END` blocks are tracked.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Header {
    /// No word seen yet.
    Start,
    /// `CREATE`
    Create,
    /// `CREATE OR`
    CreateOr,
    /// `CREATE OR REPLACE`
    CreateOrReplace,
    /// `CREATE TEMP` / `CREATE TEMPORARY` (SQLite)
    CreateTemp,
    /// MySQL `CREATE ... DEFINER = ...`: a routine keyword may still follow.
    CreateDefiner,
    /// A routine or trigger header: `BEGIN`, `CASE` and `END` are tracked.
    Block,
    /// Any other statement.
    Other,
}

struct Splitter<'a> {
    sql: &'a str,
    bytes: &'a [u8],
    dialect: SqlDialect,
    statements: Vec<Statement<'a>>,
    /// Start of the current fragment.
    start: usize,
    /// Whether the current fragment holds anything but whitespace and comments.
    has_content: bool,
    paren_depth: usize,
    block_depth: usize,
    header: Header,
    /// The offset of the current fragment's first word, if it starts with one.
    first_word_at: Option<usize>,
    /// The current fragment's leading words, while nothing but words has been seen.
    lead: [Option<&'a str>; 3],
    /// Whether the leading words are still being collected.
    lead_open: bool,
    /// MySQL: the next `CASE` is the one of `END CASE`, not an opening `CASE`.
    closing_case: bool,
}

impl<'a> Splitter<'a> {
    fn new(sql: &'a str, dialect: SqlDialect) -> Self {
        Self {
            sql,
            bytes: sql.as_bytes(),
            dialect,
            statements: Vec::new(),
            start: 0,
            has_content: false,
            paren_depth: 0,
            block_depth: 0,
            header: Header::Start,
            first_word_at: None,
            lead: [None; 3],
            lead_open: true,
            closing_case: false,
        }
    }

    fn run(mut self) -> Vec<Statement<'a>> {
        let len = self.bytes.len();
        let mut i = 0;
        // Invariant: `i` is a character boundary of `sql` and `i <= len`.
        while i < len {
            i = self.step(i);
        }
        self.finish_fragment(len);
        self.statements
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    /// Scans the token at `i` and returns the position after it.
    fn step(&mut self, i: usize) -> usize {
        let b = self.bytes[i];
        let next = self.byte(i + 1);
        match b {
            b';' => {
                if self.paren_depth == 0 && self.block_depth == 0 {
                    self.finish_fragment(i);
                    self.start = i + 1;
                } else {
                    self.content();
                }
                i + 1
            }
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => i + 1,
            b'-' if next == Some(b'-') && self.starts_line_comment(i) => self.skip_line(i + 2),
            b'#' if self.dialect == SqlDialect::MySql => self.skip_line(i + 1),
            b'/' if next == Some(b'*') => {
                // MySQL runs the text of `/*! ... */` comments: they are content.
                if self.dialect == SqlDialect::MySql && self.byte(i + 2) == Some(b'!') {
                    self.content();
                }
                self.skip_block_comment(i)
            }
            b'\'' => {
                self.content();
                lexical::quoted_end(self.bytes, i + 1, b'\'', self.dialect == SqlDialect::MySql)
            }
            b'"' => {
                self.content();
                lexical::quoted_end(self.bytes, i + 1, b'"', self.dialect == SqlDialect::MySql)
            }
            b'`' if self.dialect != SqlDialect::Postgres => {
                self.content();
                lexical::quoted_end(self.bytes, i + 1, b'`', false)
            }
            b'[' if self.dialect == SqlDialect::Sqlite => {
                self.content();
                lexical::until_after(self.bytes, i + 1, b']')
            }
            b'$' if self.dialect == SqlDialect::Postgres => {
                self.content();
                match lexical::dollar_tag_end(self.sql, i) {
                    Some(tag_end) => lexical::dollar_quoted_end(self.sql, i, tag_end),
                    None => i + 1,
                }
            }
            b'(' => {
                self.content();
                self.paren_depth += 1;
                i + 1
            }
            b')' => {
                self.content();
                self.paren_depth = self.paren_depth.saturating_sub(1);
                i + 1
            }
            _ => {
                let c = self.sql[i..].chars().next().unwrap_or(' ');
                if c.is_whitespace() {
                    i + c.len_utf8()
                } else if is_word_char(c) {
                    self.word(i)
                } else {
                    self.content();
                    i + c.len_utf8()
                }
            }
        }
    }

    /// Marks the current fragment as holding something other than a word: its leading
    /// words end here.
    fn content(&mut self) {
        self.has_content = true;
        self.lead_open = false;
    }

    /// Ends the current fragment at `end` (exclusive), keeping it when it has content.
    fn finish_fragment(&mut self, end: usize) {
        if self.has_content {
            let text = self.sql[self.start..end].trim();
            if !text.is_empty() {
                self.statements.push(Statement {
                    text,
                    first_word_at: self.first_word_at,
                    lead: self.lead,
                    has_body: self.header == Header::Block,
                });
            }
        }
        self.has_content = false;
        self.paren_depth = 0;
        self.block_depth = 0;
        self.header = Header::Start;
        self.first_word_at = None;
        self.lead = [None; 3];
        self.lead_open = true;
        self.closing_case = false;
    }

    /// `--` at `i` starts a comment (see [`lexical::starts_line_comment`]).
    fn starts_line_comment(&self, i: usize) -> bool {
        lexical::starts_line_comment(self.bytes, i, self.dialect)
    }

    /// Skips to just after the end of the line (`\n` or `\r`), or to the end of the text.
    fn skip_line(&self, from: usize) -> usize {
        let end = lexical::line_end(self.bytes, from);
        if end < self.bytes.len() { end + 1 } else { end }
    }

    /// Skips the block comment opening at `i`, nested on PostgreSQL.
    fn skip_block_comment(&mut self, i: usize) -> usize {
        if let Some(end) = lexical::block_comment_end(self.bytes, i, self.dialect) {
            return end;
        }
        // Unterminated: PostgreSQL and MySQL reject it, so keep it for the database to
        // report; SQLite reads it as a comment up to the end.
        if self.dialect != SqlDialect::Sqlite {
            self.content();
        }
        self.bytes.len()
    }

    /// Scans the word (keyword, identifier or number) at `i`, handles PostgreSQL `E'...'`
    /// strings and block tracking, and returns the position after it.
    fn word(&mut self, i: usize) -> usize {
        let mut end = i;
        for c in self.sql[i..].chars() {
            if c.is_ascii_alphanumeric()
                || c == '_'
                || c == '$'
                || (!c.is_ascii() && !c.is_whitespace())
            {
                end += c.len_utf8();
            } else {
                break;
            }
        }
        let word = &self.sql[i..end];
        if self.dialect == SqlDialect::Postgres
            && word.eq_ignore_ascii_case("e")
            && self.byte(end) == Some(b'\'')
        {
            self.content();
            return lexical::quoted_end(self.bytes, end + 1, b'\'', true);
        }
        self.has_content = true;
        if self.lead_open {
            if self.first_word_at.is_none() {
                self.first_word_at = Some(i);
            }
            match self.lead.iter_mut().find(|slot| slot.is_none()) {
                Some(slot) => *slot = Some(word),
                None => self.lead_open = false,
            }
        }
        self.track_word(word, end);
        end
    }

    /// The word after `from`, skipping whitespace (not comments); empty when there is none.
    fn peek_word(&self, from: usize) -> &'a str {
        let rest = &self.sql[from.min(self.sql.len())..];
        let rest = rest.trim_start();
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(rest.len());
        &rest[..len]
    }

    /// Feeds a word ending at `end` to the header recognizer and, inside a routine,
    /// trigger or compound statement, to the `BEGIN ... END` depth counter.
    fn track_word(&mut self, word: &str, end: usize) {
        let is = |keyword: &str| word.eq_ignore_ascii_case(keyword);
        let routine = |dialect: SqlDialect| match dialect {
            SqlDialect::Postgres => is("function") || is("procedure"),
            SqlDialect::Sqlite => is("trigger"),
            SqlDialect::MySql => is("procedure") || is("function") || is("trigger") || is("event"),
        };
        let mysql = self.dialect == SqlDialect::MySql;
        self.header = match self.header {
            Header::Start if is("create") => Header::Create,
            // MariaDB's anonymous compound statement.
            Header::Start
                if mysql && is("begin") && self.peek_word(end).eq_ignore_ascii_case("not") =>
            {
                self.block_depth = 1;
                Header::Block
            }
            Header::Create if is("or") && self.dialect != SqlDialect::Sqlite => Header::CreateOr,
            Header::Create
                if (is("temp") || is("temporary")) && self.dialect == SqlDialect::Sqlite =>
            {
                Header::CreateTemp
            }
            Header::Create
            | Header::CreateOrReplace
            | Header::CreateTemp
            | Header::CreateDefiner
                if routine(self.dialect) =>
            {
                Header::Block
            }
            Header::Create | Header::CreateOrReplace if mysql && is("definer") => {
                Header::CreateDefiner
            }
            // `DEFINER = user@host [SQL SECURITY ...]`: words until the object kind.
            Header::CreateDefiner if !is("view") => Header::CreateDefiner,
            Header::CreateOr if is("replace") => Header::CreateOrReplace,
            Header::Block => {
                if self.paren_depth == 0 {
                    self.track_block_word(word, end);
                }
                Header::Block
            }
            _ => Header::Other,
        };
    }

    /// Counts `BEGIN` / `CASE` / `END` inside a body.
    fn track_block_word(&mut self, word: &str, end: usize) {
        let is = |keyword: &str| word.eq_ignore_ascii_case(keyword);
        if self.dialect == SqlDialect::MySql {
            if is("case") && std::mem::take(&mut self.closing_case) {
                return;
            }
            self.closing_case = false;
            if is("begin") || (is("case") && self.block_depth > 0) {
                self.block_depth += 1;
            } else if is("end") {
                // `END IF`, `END LOOP`, `END WHILE`, `END REPEAT` close blocks that were
                // not counted; `END CASE` closes a counted `CASE`.
                let next = self.peek_word(end);
                let closes = |keyword: &str| next.eq_ignore_ascii_case(keyword);
                if !(closes("if") || closes("loop") || closes("while") || closes("repeat")) {
                    self.block_depth = self.block_depth.saturating_sub(1);
                    self.closing_case = closes("case");
                }
            }
            return;
        }
        // `CASE ... END` nests only inside a body.
        if is("begin") || (is("case") && self.block_depth > 0) {
            self.block_depth += 1;
        } else if is("end") {
            self.block_depth = self.block_depth.saturating_sub(1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(sql: &str) -> Vec<&str> {
        split_statements(sql, SqlDialect::Postgres)
    }

    fn sqlite(sql: &str) -> Vec<&str> {
        split_statements(sql, SqlDialect::Sqlite)
    }

    fn mysql(sql: &str) -> Vec<&str> {
        split_statements(sql, SqlDialect::MySql)
    }

    fn all(sql: &str) -> [Vec<&str>; 3] {
        [pg(sql), sqlite(sql), mysql(sql)]
    }

    #[test]
    fn empty_and_blank_texts_have_no_statements() {
        for sql in [
            "",
            " ",
            "\n\t ",
            ";",
            " ; ;\n;",
            "-- only a comment",
            "/* c */ ; -- d\n",
        ] {
            for statements in all(sql) {
                assert!(statements.is_empty(), "{sql:?} gave {statements:?}");
            }
        }
    }

    #[test]
    fn splits_at_top_level_semicolons_and_trims() {
        let sql = "  CREATE TABLE a (id INT);\n\n  INSERT INTO a VALUES (1) ;SELECT 1";
        for statements in all(sql) {
            assert_eq!(
                statements,
                [
                    "CREATE TABLE a (id INT)",
                    "INSERT INTO a VALUES (1)",
                    "SELECT 1"
                ]
            );
        }
    }

    #[test]
    fn two_concurrent_index_creations() {
        let sql = "CREATE INDEX CONCURRENTLY users_email ON users (email);\n\
                   CREATE INDEX CONCURRENTLY users_name ON users (name);\n";
        assert_eq!(
            pg(sql),
            [
                "CREATE INDEX CONCURRENTLY users_email ON users (email)",
                "CREATE INDEX CONCURRENTLY users_name ON users (name)"
            ]
        );
    }

    #[test]
    fn dollar_quoted_function_body() {
        let body = "CREATE FUNCTION touch() RETURNS trigger AS $$\n\
                    BEGIN\n  NEW.updated_at := now();\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql";
        let sql = format!("{body};\nSELECT 1;");
        assert_eq!(pg(&sql), [body, "SELECT 1"]);
    }

    #[test]
    fn tagged_dollar_quotes() {
        let body = "DO $body$ BEGIN PERFORM 1; RAISE NOTICE '$$;'; END $body$";
        let sql = format!("{body}; SELECT 2");
        assert_eq!(pg(&sql), [body, "SELECT 2"]);

        // A different tag inside does not close the quote.
        let nested = "SELECT $a$ x $b$ ; $b$ y; $a$";
        assert_eq!(pg(&format!("{nested};SELECT 3")), [nested, "SELECT 3"]);

        // Non-ASCII tags.
        let unicode = "SELECT $é$ ; $é$";
        assert_eq!(pg(&format!("{unicode};SELECT 4")), [unicode, "SELECT 4"]);
    }

    #[test]
    fn parameters_are_not_dollar_quotes() {
        assert_eq!(
            pg("SELECT $1; SELECT $2, $3"),
            ["SELECT $1", "SELECT $2, $3"]
        );
        assert_eq!(
            pg("UPDATE t SET a = $1 WHERE b = $2;"),
            ["UPDATE t SET a = $1 WHERE b = $2"]
        );
        // `$` inside an identifier does not open a quote either.
        assert_eq!(
            pg("SELECT a$b$ FROM t; SELECT 2"),
            ["SELECT a$b$ FROM t", "SELECT 2"]
        );
        // Only PostgreSQL has dollar quotes.
        assert_eq!(sqlite("SELECT $$; SELECT $$"), ["SELECT $$", "SELECT $$"]);
    }

    #[test]
    fn semicolons_inside_strings() {
        for statements in all("INSERT INTO t VALUES ('a;b', 'it''s; fine'); SELECT ';'") {
            assert_eq!(
                statements,
                ["INSERT INTO t VALUES ('a;b', 'it''s; fine')", "SELECT ';'"]
            );
        }
    }

    #[test]
    fn backslashes_in_standard_strings_are_literal_on_postgres_and_sqlite() {
        // `'a\'` is a complete string on PostgreSQL and SQLite.
        let sql = r"SELECT 'a\'; SELECT 2";
        assert_eq!(pg(sql), [r"SELECT 'a\'", "SELECT 2"]);
        assert_eq!(sqlite(sql), [r"SELECT 'a\'", "SELECT 2"]);
        // On MySQL the backslash escapes the quote, so the string is unterminated.
        assert_eq!(mysql(sql), [sql]);
    }

    #[test]
    fn postgres_escape_strings() {
        let sql = r"SELECT E'it\'s;'; SELECT e'\\'; SELECT E'a''b;c'; SELECT 3";
        assert_eq!(
            pg(sql),
            [
                r"SELECT E'it\'s;'",
                r"SELECT e'\\'",
                "SELECT E'a''b;c'",
                "SELECT 3"
            ]
        );
        // A word ending in `e` before a quote is not an escape-string prefix.
        assert_eq!(
            pg(r"SELECT name'\'; SELECT 2"),
            [r"SELECT name'\'", "SELECT 2"]
        );
    }

    #[test]
    fn mysql_strings_with_backslashes_and_double_quotes() {
        let sql = r#"INSERT INTO t VALUES ('it\'s;', "say \";\"", 'a''b;'); SELECT 1"#;
        assert_eq!(
            mysql(sql),
            [
                r#"INSERT INTO t VALUES ('it\'s;', "say \";\"", 'a''b;')"#,
                "SELECT 1"
            ]
        );
    }

    #[test]
    fn quoted_identifiers() {
        let sql = r#"CREATE TABLE "odd;name" ("col;""x" INT); SELECT 1"#;
        for statements in all(sql) {
            assert_eq!(
                statements,
                [r#"CREATE TABLE "odd;name" ("col;""x" INT)"#, "SELECT 1"]
            );
        }
        let sql = "CREATE TABLE `odd;name` (`a``;b` INT); SELECT 1";
        assert_eq!(
            mysql(sql),
            ["CREATE TABLE `odd;name` (`a``;b` INT)", "SELECT 1"]
        );
        assert_eq!(
            sqlite(sql),
            ["CREATE TABLE `odd;name` (`a``;b` INT)", "SELECT 1"]
        );
        assert_eq!(
            sqlite("SELECT [a;b] FROM t; SELECT 2"),
            ["SELECT [a;b] FROM t", "SELECT 2"]
        );
    }

    #[test]
    fn semicolons_inside_comments() {
        let sql = "SELECT 1 -- not; here\n; /* nor; here */ SELECT 2; -- trailing; comment";
        for statements in all(sql) {
            assert_eq!(
                statements,
                ["SELECT 1 -- not; here", "/* nor; here */ SELECT 2"]
            );
        }
        assert_eq!(
            mysql("SELECT 1 # a; b\n; SELECT 2"),
            ["SELECT 1 # a; b", "SELECT 2"]
        );
        // `#` is not a comment elsewhere (it is an operator on PostgreSQL).
        assert_eq!(pg("SELECT 1 # 2; SELECT 3"), ["SELECT 1 # 2", "SELECT 3"]);
        // MySQL needs a space after `--`.
        assert_eq!(mysql("SELECT 1--1; SELECT 2"), ["SELECT 1--1", "SELECT 2"]);
        assert_eq!(pg("SELECT 1--1; SELECT 2"), ["SELECT 1--1; SELECT 2"]);
    }

    #[test]
    fn line_comments_end_at_carriage_returns_too() {
        assert_eq!(
            pg("SELECT 1 -- c\r; SELECT 2"),
            ["SELECT 1 -- c", "SELECT 2"]
        );
    }

    #[test]
    fn nested_block_comments_on_postgres() {
        let sql = "/* outer /* inner; */ still; comment */ SELECT 1; SELECT 2";
        assert_eq!(
            pg(sql),
            [
                "/* outer /* inner; */ still; comment */ SELECT 1",
                "SELECT 2"
            ]
        );
        // Elsewhere, the first `*/` closes the comment.
        assert_eq!(
            sqlite(sql),
            [
                "/* outer /* inner; */ still",
                "comment */ SELECT 1",
                "SELECT 2"
            ]
        );
    }

    #[test]
    fn comment_only_fragments_are_dropped() {
        let sql = "-- header\n/* block */\nSELECT 1;\n-- between\n;\n/* x */;\nSELECT 2; -- done\n/* end */";
        for statements in all(sql) {
            assert_eq!(statements, ["-- header\n/* block */\nSELECT 1", "SELECT 2"]);
        }
    }

    #[test]
    fn mysql_executable_comments_are_content() {
        let sql = "/*!40101 SET NAMES utf8 */;\n/* plain */;\nSELECT 1";
        assert_eq!(mysql(sql), ["/*!40101 SET NAMES utf8 */", "SELECT 1"]);
    }

    #[test]
    fn unterminated_constructs_extend_to_the_end() {
        assert_eq!(
            pg("SELECT 1; SELECT 'abc; SELECT 2"),
            ["SELECT 1", "SELECT 'abc; SELECT 2"]
        );
        assert_eq!(
            pg("SELECT 1; SELECT \"abc; SELECT 2"),
            ["SELECT 1", "SELECT \"abc; SELECT 2"]
        );
        assert_eq!(
            pg("SELECT 1; SELECT $$abc; SELECT 2"),
            ["SELECT 1", "SELECT $$abc; SELECT 2"]
        );
        assert_eq!(
            pg("SELECT 1; SELECT E'abc\\"),
            ["SELECT 1", "SELECT E'abc\\"]
        );
        assert_eq!(
            mysql("SELECT 1; SELECT `abc; x"),
            ["SELECT 1", "SELECT `abc; x"]
        );
        assert_eq!(
            sqlite("SELECT 1; SELECT [abc; x"),
            ["SELECT 1", "SELECT [abc; x"]
        );
        // An unterminated block comment is kept, so that the database reports it.
        assert_eq!(
            pg("SELECT 1; /* abc; SELECT 2"),
            ["SELECT 1", "/* abc; SELECT 2"]
        );
        assert_eq!(
            pg("SELECT 1; /* a /* b */ c"),
            ["SELECT 1", "/* a /* b */ c"]
        );
        assert_eq!(
            mysql("SELECT 1; /* abc; SELECT 2"),
            ["SELECT 1", "/* abc; SELECT 2"]
        );
        // SQLite reads an unterminated block comment as a comment.
        assert_eq!(sqlite("SELECT 1; /* abc; SELECT 2"), ["SELECT 1"]);
        assert_eq!(
            sqlite("SELECT 1 /* abc; SELECT 2"),
            ["SELECT 1 /* abc; SELECT 2"]
        );
        // A line comment without a final newline simply ends the text.
        assert_eq!(pg("SELECT 1; -- the end"), ["SELECT 1"]);
    }

    #[test]
    fn utf8_text_is_cut_on_character_boundaries() {
        let sql = "INSERT INTO t VALUES ('héllo; wörld'); SELECT '日本語'; -- ünïcode ; comment\nSELECT \"ñ\"";
        for statements in all(sql) {
            assert_eq!(
                statements,
                [
                    "INSERT INTO t VALUES ('héllo; wörld')",
                    "SELECT '日本語'",
                    "-- ünïcode ; comment\nSELECT \"ñ\""
                ]
            );
        }
        // Non-ASCII whitespace around statements is trimmed; alone it is no statement.
        assert_eq!(pg("\u{a0}SELECT 1\u{3000};\u{a0};"), ["SELECT 1"]);
    }

    #[test]
    fn parentheses_hold_semicolons() {
        let sql = "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2)); SELECT 1";
        assert_eq!(
            pg(sql),
            [
                "CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO a VALUES (1); INSERT INTO b VALUES (2))",
                "SELECT 1"
            ]
        );
        // A stray closing parenthesis does not disturb later statements.
        assert_eq!(pg("SELECT 1); SELECT 2"), ["SELECT 1)", "SELECT 2"]);
    }

    #[test]
    fn postgres_sql_standard_function_bodies() {
        let function = "CREATE OR REPLACE FUNCTION f(begin_at int) RETURNS int LANGUAGE sql\n\
                        BEGIN ATOMIC\n  SELECT CASE WHEN begin_at > 0 THEN 1 ELSE 0 END;\n  SELECT 2;\nEND";
        let procedure =
            "create procedure p() language sql begin atomic insert into t values (1); end";
        let sql = format!("{function};\n{procedure};\nBEGIN;\nSELECT 3;\nEND;");
        assert_eq!(pg(&sql), [function, procedure, "BEGIN", "SELECT 3", "END"]);
    }

    #[test]
    fn sqlite_trigger_bodies() {
        let trigger = "CREATE TEMP TRIGGER IF NOT EXISTS audit AFTER INSERT ON t BEGIN\n  \
                       INSERT INTO log VALUES (CASE WHEN new.a THEN 'y' ELSE 'n' END);\n  \
                       UPDATE t SET seen = 1;\nEND";
        let sql = format!("{trigger};\nSELECT 1;");
        assert_eq!(sqlite(&sql), [trigger, "SELECT 1"]);
        // A plain BEGIN / END pair is not a block.
        assert_eq!(
            sqlite("BEGIN; SELECT 1; END;"),
            ["BEGIN", "SELECT 1", "END"]
        );
    }

    #[test]
    fn never_panics_on_arbitrary_input() {
        // Every prefix and suffix of a text full of delimiters, on every dialect.
        let text = "E'\\'$$;$a$\"`[/*/*-- #\n'é';日$1$é$ */);(BEGIN CASE END\r\\;COMMIT;create trigger x begin end";
        let mut cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        cuts.push(text.len());
        for &a in &cuts {
            for &b in cuts.iter().filter(|&&b| b >= a) {
                for dialect in SqlDialect::ALL {
                    for statement in split_statements(&text[a..b], dialect) {
                        assert!(!statement.is_empty());
                        assert_eq!(statement, statement.trim());
                    }
                    if let Some(found) = find_transaction_control(&text[a..b], dialect) {
                        assert!(!found.statement.is_empty());
                    }
                }
            }
        }
        // Short strings of every delimiter.
        let alphabet = [
            "'", "\"", "`", "[", "]", "$", "a", "E", "-", "/", "*", "#", ";", "\\", "(", ")", "é",
            "\n",
        ];
        for x in alphabet {
            for y in alphabet {
                for z in alphabet {
                    let sql = format!("{x}{y}{z}");
                    for dialect in SqlDialect::ALL {
                        let _ = split_statements(&sql, dialect);
                        let _ = find_transaction_control(&sql, dialect);
                    }
                }
            }
        }
    }

    #[test]
    fn statements_are_slices_of_the_input() {
        let sql = "SELECT 1; SELECT 2";
        let statements = pg(sql);
        let range = sql.as_bytes().as_ptr_range();
        for statement in statements {
            assert!(range.contains(&statement.as_ptr()));
        }
    }

    fn control(sql: &str, dialect: SqlDialect) -> Option<(&str, usize)> {
        find_transaction_control(sql, dialect).map(|found| (found.statement, found.line))
    }

    #[test]
    fn transaction_control_is_found_on_every_dialect() {
        let cases = [
            ("BEGIN; CREATE TABLE a (id INT); COMMIT;", "BEGIN", 1),
            ("begin transaction;", "begin transaction", 1),
            ("Begin Work;", "Begin Work", 1),
            ("START TRANSACTION;\nSELECT 1;", "START TRANSACTION", 1),
            (
                "start transaction read write",
                "start transaction read write",
                1,
            ),
            ("SELECT 1;\nCOMMIT;", "COMMIT", 2),
            ("SELECT 1;\n\ncommit work;", "commit work", 3),
            ("SELECT 1; END;", "END", 1),
            ("SELECT 1; END TRANSACTION;", "END TRANSACTION", 1),
            ("SELECT 1; ROLLBACK;", "ROLLBACK", 1),
            ("SELECT 1; ROLLBACK WORK;", "ROLLBACK WORK", 1),
            ("SELECT 1; ROLLBACK AND CHAIN;", "ROLLBACK AND CHAIN", 1),
            ("SELECT 1; COMMIT AND NO CHAIN;", "COMMIT AND NO CHAIN", 1),
            ("ABORT;", "ABORT", 1),
            ("PREPARE TRANSACTION 'x';", "PREPARE TRANSACTION 'x'", 1),
            // Leading comments are skipped, and the line is the keyword's.
            ("-- set up\n/* the\nwhole */ BEGIN;", "BEGIN", 3),
            ("SELECT 1;\r\nCOMMIT", "COMMIT", 2),
            ("SELECT 1;\rCOMMIT", "COMMIT", 2),
        ];
        for (sql, statement, line) in cases {
            for dialect in SqlDialect::ALL {
                assert_eq!(
                    control(sql, dialect),
                    Some((statement, line)),
                    "{sql:?} on {dialect:?}"
                );
            }
        }
        for (sql, statement) in [
            ("BEGIN DEFERRED;", "BEGIN DEFERRED"),
            (
                "BEGIN IMMEDIATE TRANSACTION;",
                "BEGIN IMMEDIATE TRANSACTION",
            ),
            ("begin exclusive", "begin exclusive"),
        ] {
            assert_eq!(control(sql, SqlDialect::Sqlite), Some((statement, 1)));
        }
        assert_eq!(
            control("# note\nBEGIN", SqlDialect::MySql),
            Some(("BEGIN", 2))
        );
        assert_eq!(
            control("/* a /* nested */ comment */ COMMIT", SqlDialect::Postgres),
            Some(("COMMIT", 1))
        );
    }

    #[test]
    fn savepoints_and_ordinary_statements_are_allowed() {
        for sql in [
            "SAVEPOINT a; SELECT 1; ROLLBACK TO SAVEPOINT a; RELEASE SAVEPOINT a;",
            "savepoint a; rollback to a; release a;",
            "SAVEPOINT a; ROLLBACK WORK TO SAVEPOINT a; ROLLBACK TRANSACTION TO a;",
            "CREATE TABLE begin_log (commit_id INT, \"end\" INT);",
            "INSERT INTO t VALUES ('BEGIN; COMMIT;');",
            "SELECT 1 -- COMMIT\n;",
            "/* BEGIN; */ SELECT 1; /* COMMIT */",
            "UPDATE t SET rollback = 1;",
            "SELECT 'x'; SELECT begin FROM t;",
            "",
            "-- nothing",
        ] {
            for dialect in SqlDialect::ALL {
                assert_eq!(control(sql, dialect), None, "{sql:?} on {dialect:?}");
            }
        }
        // A word that follows something else is not the first keyword.
        assert_eq!(control("(COMMIT)", SqlDialect::Postgres), None);
        assert_eq!(control("E'x' COMMIT", SqlDialect::Postgres), None);
    }

    #[test]
    fn postgres_bodies_are_not_transaction_control() {
        let sql = "CREATE OR REPLACE FUNCTION touch() RETURNS trigger AS $$\n\
                   BEGIN\n  NEW.at := now();\n  COMMIT;\n  RETURN NEW;\nEND;\n$$ LANGUAGE plpgsql;\n\
                   DO $body$ BEGIN PERFORM 1; END $body$;\n\
                   DO 'BEGIN PERFORM 2; END';\n\
                   CREATE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;\n\
                   CREATE FUNCTION g() RETURNS int LANGUAGE sql BEGIN ATOMIC SELECT CASE WHEN true THEN 1 END; END;\n\
                   SELECT 1;";
        assert_eq!(control(sql, SqlDialect::Postgres), None);
        // A real COMMIT after them is still found, on its line.
        assert_eq!(
            control(&format!("{sql}\nCOMMIT;"), SqlDialect::Postgres),
            Some(("COMMIT", 13))
        );
    }

    #[test]
    fn sqlite_trigger_bodies_are_not_transaction_control() {
        let sql = "CREATE TRIGGER t_audit AFTER INSERT ON t BEGIN\n  \
                   INSERT INTO log VALUES (CASE WHEN new.a THEN 'begin' ELSE 'end' END);\nEND;\n\
                   CREATE TEMP TRIGGER IF NOT EXISTS u AFTER UPDATE ON t BEGIN SELECT 1; END;";
        assert_eq!(control(sql, SqlDialect::Sqlite), None);
        assert_eq!(
            control(&format!("{sql}\nEND TRANSACTION;"), SqlDialect::Sqlite),
            Some(("END TRANSACTION", 5))
        );
    }

    #[test]
    fn mysql_compound_statements_are_not_transaction_control() {
        let procedure = "CREATE DEFINER = `root`@`localhost` PROCEDURE fill(n INT)\n\
                         BEGIN\n  DECLARE i INT DEFAULT 0;\n  \
                         lbl: WHILE i < n DO\n    INSERT INTO t VALUES (i);\n    SET i = i + 1;\n  END WHILE lbl;\n  \
                         IF n > 10 THEN\n    COMMIT;\n  ELSEIF n > 5 THEN\n    SELECT IF(n > 7, 1, 2);\n  END IF;\n  \
                         CASE n WHEN 1 THEN SELECT 1; ELSE BEGIN SELECT 2; END; END CASE;\n  \
                         SET @x = CASE WHEN n THEN 1 ELSE 0 END;\n  \
                         REPEAT SET i = i - 1; UNTIL i = 0 END REPEAT;\n  \
                         l2: LOOP LEAVE l2; END LOOP;\nEND";
        let trigger =
            "CREATE TRIGGER t_bi BEFORE INSERT ON t FOR EACH ROW BEGIN SET NEW.a = 1; END";
        let short_trigger = "CREATE TRIGGER t_bu BEFORE UPDATE ON t FOR EACH ROW SET NEW.a = 2";
        let function =
            "CREATE OR REPLACE FUNCTION f() RETURNS INT DETERMINISTIC BEGIN RETURN 1; END";
        let event = "CREATE EVENT e ON SCHEDULE EVERY 1 DAY DO BEGIN DELETE FROM t; END";
        let anonymous = "BEGIN NOT ATOMIC INSERT INTO t VALUES (1); END";
        let sql = format!(
            "{procedure};\n{trigger};\n{short_trigger};\n{function};\n{event};\n{anonymous};\nSELECT 1;"
        );
        assert_eq!(
            split_statements(&sql, SqlDialect::MySql),
            [
                procedure,
                trigger,
                short_trigger,
                function,
                event,
                anonymous,
                "SELECT 1"
            ]
        );
        assert_eq!(control(&sql, SqlDialect::MySql), None);
        assert_eq!(
            control(&format!("{sql}\nCOMMIT;"), SqlDialect::MySql),
            Some(("COMMIT", 24))
        );
        // `BEGIN` alone, or `BEGIN WORK`, starts a transaction.
        assert_eq!(
            control("BEGIN WORK;", SqlDialect::MySql),
            Some(("BEGIN WORK", 1))
        );
    }

    #[test]
    fn short_statements_for_messages() {
        let found =
            find_transaction_control("START TRANSACTION\n  READ WRITE;", SqlDialect::Postgres)
                .expect("found");
        assert_eq!(found.short_statement(), "START TRANSACTION ...");
        let found = find_transaction_control("COMMIT", SqlDialect::Postgres).expect("found");
        assert_eq!(found.short_statement(), "COMMIT");
    }
}
