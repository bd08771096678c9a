//! Splits a SQL text into its statements at top-level `;`.
//!
//! The runner needs this for PostgreSQL migrations that run outside a transaction: a
//! multi-statement text sent in one simple query runs as one implicit transaction, which
//! statements such as `CREATE INDEX CONCURRENTLY` refuse, so each statement is sent on its
//! own.
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
//!   END` nests as well.
//!
//! MySQL compound statements (`BEGIN ... END` with `IF ... END IF`) are not recognized.
//!
//! Every delimiter is ASCII, so every cut falls on a character boundary; the scanner never
//! panics, and an unterminated quote or comment extends to the end of the text, where it
//! becomes part of the last statement (so that the database reports it; SQLite alone
//! accepts an unterminated block comment, so there it counts as a comment).

use crate::database::Dialect;

/// Splits `sql` into its statements.
///
/// Returns trimmed slices of `sql` without their terminating `;`, in order. Fragments that
/// hold only whitespace and comments are dropped. See the module docs for the grammar.
pub(crate) fn split_statements(sql: &str, dialect: Dialect) -> Vec<&str> {
    Splitter::new(sql, dialect).run()
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
    /// A routine or trigger header: `BEGIN`, `CASE` and `END` are tracked.
    Block,
    /// Any other statement.
    Other,
}

struct Splitter<'a> {
    sql: &'a str,
    bytes: &'a [u8],
    dialect: Dialect,
    statements: Vec<&'a str>,
    /// Start of the current fragment.
    start: usize,
    /// Whether the current fragment holds anything but whitespace and comments.
    has_content: bool,
    paren_depth: usize,
    block_depth: usize,
    header: Header,
}

impl<'a> Splitter<'a> {
    fn new(sql: &'a str, dialect: Dialect) -> Self {
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
        }
    }

    fn run(mut self) -> Vec<&'a str> {
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
                    self.has_content = true;
                }
                i + 1
            }
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => i + 1,
            b'-' if next == Some(b'-') && self.starts_line_comment(i) => self.skip_line(i + 2),
            b'#' if self.dialect == Dialect::MySql => self.skip_line(i + 1),
            b'/' if next == Some(b'*') => {
                // MySQL runs the text of `/*! ... */` comments: they are content.
                if self.dialect == Dialect::MySql && self.byte(i + 2) == Some(b'!') {
                    self.has_content = true;
                }
                self.skip_block_comment(i)
            }
            b'\'' => {
                self.has_content = true;
                self.skip_quoted(i + 1, b'\'', self.dialect == Dialect::MySql)
            }
            b'"' => {
                self.has_content = true;
                self.skip_quoted(i + 1, b'"', self.dialect == Dialect::MySql)
            }
            b'`' if self.dialect != Dialect::Postgres => {
                self.has_content = true;
                self.skip_quoted(i + 1, b'`', false)
            }
            b'[' if self.dialect == Dialect::Sqlite => {
                self.has_content = true;
                self.skip_until(i + 1, b']')
            }
            b'$' if self.dialect == Dialect::Postgres => {
                self.has_content = true;
                match self.dollar_tag_end(i) {
                    Some(tag_end) => self.skip_dollar_quoted(i, tag_end),
                    None => i + 1,
                }
            }
            b'(' => {
                self.has_content = true;
                self.paren_depth += 1;
                i + 1
            }
            b')' => {
                self.has_content = true;
                self.paren_depth = self.paren_depth.saturating_sub(1);
                i + 1
            }
            _ => {
                let c = self.sql[i..].chars().next().unwrap_or(' ');
                if c.is_whitespace() {
                    i + c.len_utf8()
                } else if is_word_start(c) {
                    self.has_content = true;
                    self.word(i)
                } else {
                    self.has_content = true;
                    i + c.len_utf8()
                }
            }
        }
    }

    /// Ends the current fragment at `end` (exclusive), keeping it when it has content.
    fn finish_fragment(&mut self, end: usize) {
        if self.has_content {
            let statement = self.sql[self.start..end].trim();
            if !statement.is_empty() {
                self.statements.push(statement);
            }
        }
        self.has_content = false;
        self.paren_depth = 0;
        self.block_depth = 0;
        self.header = Header::Start;
    }

    /// `--` at `i` starts a comment; MySQL wants a space or control character (or the end)
    /// after it.
    fn starts_line_comment(&self, i: usize) -> bool {
        self.dialect != Dialect::MySql || self.byte(i + 2).is_none_or(|b| b <= b' ' || b == 0x7f)
    }

    /// Skips to the end of the line (`\n` or `\r`) or of the text.
    fn skip_line(&self, from: usize) -> usize {
        self.bytes[from.min(self.bytes.len())..]
            .iter()
            .position(|&b| b == b'\n' || b == b'\r')
            .map_or(self.bytes.len(), |offset| from + offset + 1)
    }

    /// Skips the block comment opening at `i`, nested on PostgreSQL.
    fn skip_block_comment(&mut self, i: usize) -> usize {
        let nested = self.dialect == Dialect::Postgres;
        let mut depth = 1usize;
        let mut j = i + 2;
        while j < self.bytes.len() {
            match (self.bytes[j], self.byte(j + 1)) {
                (b'*', Some(b'/')) => {
                    depth -= 1;
                    j += 2;
                    if depth == 0 {
                        return j;
                    }
                }
                (b'/', Some(b'*')) if nested => {
                    depth += 1;
                    j += 2;
                }
                _ => j += 1,
            }
        }
        // Unterminated: PostgreSQL and MySQL reject it, so keep it for the database to
        // report; SQLite reads it as a comment up to the end.
        if self.dialect != Dialect::Sqlite {
            self.has_content = true;
        }
        self.bytes.len()
    }

    /// Skips a quoted literal or identifier whose body starts at `from`: a doubled `quote`
    /// is an escaped quote, and with `backslash` a backslash escapes the next byte.
    fn skip_quoted(&self, from: usize, quote: u8, backslash: bool) -> usize {
        let len = self.bytes.len();
        let mut j = from;
        while j < len {
            let b = self.bytes[j];
            if backslash && b == b'\\' {
                j += 2;
            } else if b == quote {
                if self.byte(j + 1) == Some(quote) {
                    j += 2;
                } else {
                    return j + 1;
                }
            } else {
                j += 1;
            }
        }
        len
    }

    /// Skips to just after the next `close` byte, or to the end.
    fn skip_until(&self, from: usize, close: u8) -> usize {
        self.bytes[from.min(self.bytes.len())..]
            .iter()
            .position(|&b| b == close)
            .map_or(self.bytes.len(), |offset| from + offset + 1)
    }

    /// If a PostgreSQL dollar-quote opening tag (`$$` or `$tag$`) starts at `i`, the
    /// position just after it. The tag follows the identifier rules without `$`, and does
    /// not start with a digit, so `$1` is a parameter.
    fn dollar_tag_end(&self, i: usize) -> Option<usize> {
        let rest = &self.sql[i + 1..];
        for (offset, c) in rest.char_indices() {
            match c {
                '$' => return Some(i + 1 + offset + 1),
                c if offset == 0 && is_word_start(c) && !c.is_ascii_digit() => {}
                c if offset > 0 && (c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()) => {}
                _ => return None,
            }
        }
        None
    }

    /// Skips the dollar-quoted body whose opening tag spans `open..tag_end`.
    fn skip_dollar_quoted(&self, open: usize, tag_end: usize) -> usize {
        let tag = &self.sql[open..tag_end];
        self.sql[tag_end..]
            .find(tag)
            .map_or(self.bytes.len(), |offset| tag_end + offset + tag.len())
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
        if self.dialect == Dialect::Postgres
            && word.eq_ignore_ascii_case("e")
            && self.byte(end) == Some(b'\'')
        {
            return self.skip_quoted(end + 1, b'\'', true);
        }
        self.track_word(word);
        end
    }

    /// Feeds a word to the header recognizer and, inside a routine or trigger, to the
    /// `BEGIN ... END` depth counter.
    fn track_word(&mut self, word: &str) {
        let is = |keyword: &str| word.eq_ignore_ascii_case(keyword);
        let routine = |dialect: Dialect| match dialect {
            Dialect::Postgres => is("function") || is("procedure"),
            Dialect::Sqlite => is("trigger"),
            Dialect::MySql => false,
        };
        self.header = match self.header {
            Header::Start if is("create") => Header::Create,
            Header::Create if is("or") && self.dialect == Dialect::Postgres => Header::CreateOr,
            Header::Create
                if (is("temp") || is("temporary")) && self.dialect == Dialect::Sqlite =>
            {
                Header::CreateTemp
            }
            Header::Create | Header::CreateOrReplace | Header::CreateTemp
                if routine(self.dialect) =>
            {
                Header::Block
            }
            Header::CreateOr if is("replace") => Header::CreateOrReplace,
            Header::Block => {
                if self.paren_depth == 0 {
                    // `CASE ... END` nests only inside a body.
                    if is("begin") || (is("case") && self.block_depth > 0) {
                        self.block_depth += 1;
                    } else if is("end") {
                        self.block_depth = self.block_depth.saturating_sub(1);
                    }
                }
                Header::Block
            }
            _ => Header::Other,
        };
    }
}

/// Whether `c` can start a word: an ASCII letter or digit, `_`, or a non-ASCII character
/// that is not whitespace.
fn is_word_start(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || (!c.is_ascii() && !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::split_statements;
    use crate::database::Dialect;

    fn pg(sql: &str) -> Vec<&str> {
        split_statements(sql, Dialect::Postgres)
    }

    fn sqlite(sql: &str) -> Vec<&str> {
        split_statements(sql, Dialect::Sqlite)
    }

    fn mysql(sql: &str) -> Vec<&str> {
        split_statements(sql, Dialect::MySql)
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
        let text = "E'\\'$$;$a$\"`[/*/*-- #\n'é';日$1$é$ */);(BEGIN CASE END\r\\";
        let mut cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        cuts.push(text.len());
        for &a in &cuts {
            for &b in cuts.iter().filter(|&&b| b >= a) {
                for dialect in Dialect::ALL {
                    for statement in split_statements(&text[a..b], dialect) {
                        assert!(!statement.is_empty());
                        assert_eq!(statement, statement.trim());
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
                    for dialect in Dialect::ALL {
                        let _ = split_statements(&sql, dialect);
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
}
