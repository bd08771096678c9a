//! The lexer: turns a SQL text into code tokens and comments, following the lexical rules
//! of `switchy_schema_grammar::sql` (the statement splitter), so that a word inside a
//! string, a quoted identifier or a comment is never read as a keyword.

use switchy_schema_grammar::sql::lexical::{self, is_word_char};

use crate::Dialect;

/// What a code token is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// A keyword, an unquoted identifier or a number.
    Word,
    /// A quoted identifier: `"x"`, `` `x` ``, `[x]` (and MySQL's `"x"`, which is a string
    /// unless `ANSI_QUOTES` is set; both read it as a name here).
    Quoted,
    /// A string literal (`'...'`, `E'...'`, a dollar-quoted body).
    Str,
    /// Any other single character: `(`, `)`, `,`, `.`, `=`, ...
    Punct,
}

/// A code token: a byte range of the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Token<'a> {
    pub(crate) kind: Kind,
    /// The token's text as written, quotes included.
    pub(crate) text: &'a str,
    /// The byte offset of its first character.
    pub(crate) at: usize,
}

impl Token<'_> {
    /// The byte offset just after it.
    pub(crate) fn end(&self) -> usize {
        self.at + self.text.len()
    }

    /// Whether it is the keyword `keyword` (ASCII case-insensitive; quoted names never
    /// are keywords).
    pub(crate) fn is(&self, keyword: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(keyword)
    }

    /// Whether it is the punctuation character `c`.
    pub(crate) fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.text.starts_with(c)
    }

    /// The name it stands for: a quoted identifier without its quotes (doubled quotes
    /// undone), an unquoted one in lowercase (every dialect compares those
    /// case-insensitively).
    pub(crate) fn name(&self) -> String {
        match self.kind {
            Kind::Quoted if self.text.len() >= 2 => {
                let close = self.text.as_bytes()[0];
                let close = if close == b'[' {
                    ']'
                } else {
                    char::from(close)
                };
                let inner = self.text[1..]
                    .strip_suffix(close)
                    .unwrap_or(&self.text[1..]);
                inner.replace(&format!("{close}{close}"), &close.to_string())
            }
            _ => self.text.to_lowercase(),
        }
    }
}

/// A comment: its text without the markers (`--`, `#`, `/*`, `*/`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Comment<'a> {
    pub(crate) text: &'a str,
    /// The byte offset of its opening marker.
    pub(crate) at: usize,
    /// The byte offset just after its closing marker (or line end).
    pub(crate) end: usize,
}

/// The tokens and comments of a text, each in order.
#[derive(Debug, Default)]
pub(crate) struct Lexed<'a> {
    pub(crate) tokens: Vec<Token<'a>>,
    pub(crate) comments: Vec<Comment<'a>>,
}

/// Splits `sql` into tokens and comments. Never panics; an unterminated quote or comment
/// runs to the end of the text.
pub(crate) fn lex(sql: &str, dialect: Dialect) -> Lexed<'_> {
    Lexer {
        sql,
        bytes: sql.as_bytes(),
        dialect,
        out: Lexed::default(),
        in_executable_comment: false,
    }
    .run()
}

struct Lexer<'a> {
    sql: &'a str,
    bytes: &'a [u8],
    dialect: Dialect,
    out: Lexed<'a>,
    /// MySQL: inside `/*! ... */`, whose text the server runs.
    in_executable_comment: bool,
}

impl<'a> Lexer<'a> {
    fn run(mut self) -> Lexed<'a> {
        let mut i = 0;
        // Invariant: `i` is a character boundary and `i <= len`.
        while i < self.bytes.len() {
            i = self.step(i);
        }
        self.out
    }

    fn byte(&self, i: usize) -> Option<u8> {
        self.bytes.get(i).copied()
    }

    fn push(&mut self, kind: Kind, at: usize, end: usize) -> usize {
        let end = end.min(self.bytes.len());
        self.out.tokens.push(Token {
            kind,
            text: &self.sql[at..end],
            at,
        });
        end
    }

    fn comment(&mut self, at: usize, text_from: usize, text_to: usize, end: usize) -> usize {
        let text_to = text_to.clamp(text_from, self.bytes.len());
        self.out.comments.push(Comment {
            text: &self.sql[text_from..text_to],
            at,
            end,
        });
        end
    }

    fn step(&mut self, i: usize) -> usize {
        let b = self.bytes[i];
        let next = self.byte(i + 1);
        let mysql = self.dialect == Dialect::MySql;
        match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0x0b | 0x0c => i + 1,
            b'-' if next == Some(b'-') && self.starts_line_comment(i) => {
                let end = self.line_end(i + 2);
                self.comment(i, i + 2, end, end)
            }
            b'#' if mysql => {
                let end = self.line_end(i + 1);
                self.comment(i, i + 1, end, end)
            }
            b'*' if self.in_executable_comment && next == Some(b'/') => {
                self.in_executable_comment = false;
                i + 2
            }
            b'/' if next == Some(b'*') => {
                if mysql && self.byte(i + 2) == Some(b'!') {
                    // `/*!50700 ... */`: the version number is not code.
                    self.in_executable_comment = true;
                    let digits = self.bytes[i + 3..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit())
                        .count();
                    return i + 3 + digits;
                }
                self.block_comment(i)
            }
            b'\'' => {
                let end = lexical::quoted_end(self.bytes, i + 1, b'\'', mysql);
                self.push(Kind::Str, i, end)
            }
            b'"' => {
                let end = lexical::quoted_end(self.bytes, i + 1, b'"', mysql);
                self.push(Kind::Quoted, i, end)
            }
            b'`' if self.dialect != Dialect::Postgres => {
                let end = lexical::quoted_end(self.bytes, i + 1, b'`', false);
                self.push(Kind::Quoted, i, end)
            }
            b'[' if self.dialect == Dialect::Sqlite => {
                let end = lexical::until_after(self.bytes, i + 1, b']');
                self.push(Kind::Quoted, i, end)
            }
            b'$' if self.dialect == Dialect::Postgres => match lexical::dollar_tag_end(self.sql, i)
            {
                Some(tag_end) => {
                    let end = lexical::dollar_quoted_end(self.sql, i, tag_end);
                    self.push(Kind::Str, i, end)
                }
                None => self.push(Kind::Punct, i, i + 1),
            },
            _ => {
                let c = self.sql[i..].chars().next().unwrap_or(' ');
                if c.is_whitespace() {
                    i + c.len_utf8()
                } else if is_word_char(c) {
                    self.word(i)
                } else {
                    self.push(Kind::Punct, i, i + c.len_utf8())
                }
            }
        }
    }

    /// `--` at `i` starts a comment (see [`lexical::starts_line_comment`]).
    fn starts_line_comment(&self, i: usize) -> bool {
        lexical::starts_line_comment(self.bytes, i, self.dialect.into())
    }

    /// The offset of the next `\n` or `\r` at or after `from`, or the text's end.
    fn line_end(&self, from: usize) -> usize {
        lexical::line_end(self.bytes, from)
    }

    /// Records the block comment opening at `i` (nested on PostgreSQL; an unterminated one
    /// runs to the end).
    fn block_comment(&mut self, i: usize) -> usize {
        let len = self.bytes.len();
        match lexical::block_comment_end(self.bytes, i, self.dialect.into()) {
            Some(end) => self.comment(i, i + 2, end - 2, end),
            None => self.comment(i, i + 2, len, len),
        }
    }

    /// Records the word at `i` (PostgreSQL `E'...'` is a string).
    fn word(&mut self, i: usize) -> usize {
        let end = self.sql[i..]
            .char_indices()
            .find(|&(_, c)| !(is_word_char(c) || c == '$'))
            .map_or(self.bytes.len(), |(offset, _)| i + offset);
        if self.dialect == Dialect::Postgres
            && self.sql[i..end].eq_ignore_ascii_case("e")
            && self.byte(end) == Some(b'\'')
        {
            let close = lexical::quoted_end(self.bytes, end + 1, b'\'', true);
            return self.push(Kind::Str, i, close);
        }
        self.push(Kind::Word, i, end)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(sql: &str, dialect: Dialect) -> Vec<(Kind, &str)> {
        lex(sql, dialect)
            .tokens
            .iter()
            .map(|t| (t.kind, t.text))
            .collect()
    }

    fn comments(sql: &str, dialect: Dialect) -> Vec<&str> {
        lex(sql, dialect).comments.iter().map(|c| c.text).collect()
    }

    #[test]
    fn words_strings_and_punctuation() {
        assert_eq!(
            words("DROP TABLE \"a b\".x, 'y;z' ;", Dialect::Postgres),
            [
                (Kind::Word, "DROP"),
                (Kind::Word, "TABLE"),
                (Kind::Quoted, "\"a b\""),
                (Kind::Punct, "."),
                (Kind::Word, "x"),
                (Kind::Punct, ","),
                (Kind::Str, "'y;z'"),
                (Kind::Punct, ";"),
            ]
        );
    }

    #[test]
    fn dialect_quotes() {
        assert_eq!(
            words("`a``b` [c d]", Dialect::Sqlite),
            [(Kind::Quoted, "`a``b`"), (Kind::Quoted, "[c d]")]
        );
        // PostgreSQL has no backtick or bracket quotes.
        assert_eq!(words("[c]", Dialect::Postgres)[1], (Kind::Word, "c"));
        assert_eq!(
            words("'it\\'s' x", Dialect::MySql),
            [(Kind::Str, "'it\\'s'"), (Kind::Word, "x")]
        );
        assert_eq!(
            words(
                "E'a\\'b' $$ DROP TABLE x; $$ $t$ $$ $t$ $1",
                Dialect::Postgres
            ),
            [
                (Kind::Str, "E'a\\'b'"),
                (Kind::Str, "$$ DROP TABLE x; $$"),
                (Kind::Str, "$t$ $$ $t$"),
                (Kind::Punct, "$"),
                (Kind::Word, "1"),
            ]
        );
    }

    #[test]
    fn comments_are_not_tokens() {
        let sql = "-- DROP TABLE a\n/* DROP /* nested */ TABLE b */ SELECT # not mysql";
        assert_eq!(
            words(sql, Dialect::Postgres),
            [
                (Kind::Word, "SELECT"),
                (Kind::Punct, "#"),
                (Kind::Word, "not"),
                (Kind::Word, "mysql")
            ]
        );
        assert_eq!(
            comments(sql, Dialect::Postgres),
            [" DROP TABLE a", " DROP /* nested */ TABLE b "]
        );
        // MySQL: `#` comments; `--` needs a space; block comments do not nest.
        assert_eq!(
            words("SELECT 1 # DROP\n--x\n-- y", Dialect::MySql),
            [
                (Kind::Word, "SELECT"),
                (Kind::Word, "1"),
                (Kind::Punct, "-"),
                (Kind::Punct, "-"),
                (Kind::Word, "x")
            ]
        );
        assert_eq!(
            words("/* a /* b */ c */", Dialect::MySql),
            [(Kind::Word, "c"), (Kind::Punct, "*"), (Kind::Punct, "/")]
        );
    }

    #[test]
    fn mysql_executable_comments_are_code() {
        assert_eq!(
            words("/*!50700 DROP TABLE x */ y", Dialect::MySql),
            [
                (Kind::Word, "DROP"),
                (Kind::Word, "TABLE"),
                (Kind::Word, "x"),
                (Kind::Word, "y")
            ]
        );
    }

    #[test]
    fn names() {
        let name = |sql: &str, dialect| lex(sql, dialect).tokens[0].name();
        assert_eq!(name("Users", Dialect::Postgres), "users");
        assert_eq!(name("\"Us\"\"ers\"", Dialect::Postgres), "Us\"ers");
        assert_eq!(name("`a``b`", Dialect::MySql), "a`b");
        assert_eq!(name("[My Table]", Dialect::Sqlite), "My Table");
        assert_eq!(name("\"unterminated", Dialect::Sqlite), "unterminated");
        assert_eq!(name("\"", Dialect::Sqlite), "\"");
    }

    #[test]
    fn never_panics() {
        let text = "E'\\'$$;$a$\"`[/*/*-- #\n'é';日$1$é$ */);(/*!1 */\r\\";
        let mut cuts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        cuts.push(text.len());
        for &a in &cuts {
            for &b in cuts.iter().filter(|&&b| b >= a) {
                for dialect in Dialect::ALL {
                    let lexed = lex(&text[a..b], dialect);
                    for token in lexed.tokens {
                        assert!(!token.text.is_empty());
                        let _ = token.name();
                    }
                }
            }
        }
    }
}
