//! Statements as token slices (the splitter of `switchy_schema_grammar` decides where each
//! ends), and a cursor that matches keyword sequences over them.

use crate::Dialect;
use crate::lex::{Kind, Lexed, Token};
use crate::lines::Lines;

/// The longest [`Finding::statement`](crate::Finding::statement), in characters.
const SHORT_STATEMENT_CHARS: usize = 100;

/// One statement of the file.
#[derive(Debug)]
pub(crate) struct Statement<'t, 'a> {
    /// Its code tokens, comments left out, without the terminating `;`.
    pub(crate) tokens: &'t [Token<'a>],
    /// The 1-based line of its first token.
    pub(crate) line: usize,
    /// The 1-based line of its last token.
    pub(crate) end_line: usize,
    /// Its first line from the first token, trimmed, cut after 100 characters.
    pub(crate) short: String,
}

/// The statements of `sql`, split by the grammar crate's splitter, in order.
pub(crate) fn statements<'t, 'a>(
    sql: &'a str,
    dialect: Dialect,
    lexed: &'t Lexed<'a>,
    lines: &Lines,
) -> Vec<Statement<'t, 'a>> {
    let base = sql.as_ptr() as usize;
    let mut out = Vec::new();
    for text in switchy_schema_grammar::sql::split_statements(sql, dialect.into()) {
        // The splitter returns slices of `sql`, so the offset is the pointer difference.
        let Some(start) = (text.as_ptr() as usize).checked_sub(base) else {
            continue;
        };
        let end = start + text.len();
        let first = lexed.tokens.partition_point(|token| token.at < start);
        let last = lexed.tokens.partition_point(|token| token.at < end);
        let tokens = &lexed.tokens[first..last];
        let (Some(head), Some(tail)) = (tokens.first(), tokens.last()) else {
            continue;
        };
        let line = lines.line_of(head.at);
        let line_end = lines.next_line_start(line).unwrap_or(sql.len()).min(end);
        out.push(Statement {
            tokens,
            line,
            end_line: lines.line_of(tail.at),
            short: shorten(sql.get(head.at..line_end).unwrap_or_default()),
        });
    }
    out
}

/// `text` trimmed, cut after [`SHORT_STATEMENT_CHARS`] characters (marked with `...`).
pub(crate) fn shorten(text: &str) -> String {
    let text = text.trim();
    match text.char_indices().nth(SHORT_STATEMENT_CHARS) {
        Some((cut, _)) => format!("{} ...", text[..cut].trim_end()),
        None => text.to_owned(),
    }
}

/// A possibly schema-qualified name: `t`, `s.t`, `"S"."T"`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name {
    /// The qualifier, if any (a database or schema).
    pub(crate) schema: Option<String>,
    /// The object's name ([`Token::name`]: unquoted, lowercase when unquoted).
    pub(crate) object: String,
    /// The name as written, for messages.
    pub(crate) written: String,
}

impl Name {
    /// Whether both names can denote the same object: the same name, and the same
    /// qualifier unless one has none.
    pub(crate) fn same(&self, other: &Name) -> bool {
        self.object == other.object
            && match (&self.schema, &other.schema) {
                (Some(a), Some(b)) => a == b,
                _ => true,
            }
    }
}

impl std::fmt::Display for Name {
    /// The name as written, with control characters (a line break inside a quoted name)
    /// escaped so that a message stays on one line.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use std::fmt::Write;
        for c in self.written.chars() {
            if c.is_control() {
                write!(f, "{}", c.escape_default())?;
            } else {
                f.write_char(c)?;
            }
        }
        Ok(())
    }
}

/// A position in a token slice.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Cursor<'t, 'a> {
    tokens: &'t [Token<'a>],
    pos: usize,
    /// Whether names compare case-insensitively even when quoted.
    fold_case: bool,
}

impl<'t, 'a> Cursor<'t, 'a> {
    /// A cursor at the first of `tokens`, reading names with PostgreSQL's rules (quoted
    /// names keep their case).
    pub(crate) fn new(tokens: &'t [Token<'a>]) -> Self {
        Self {
            tokens,
            pos: 0,
            fold_case: false,
        }
    }

    /// A cursor at the first of `tokens` for `dialect`: SQLite and MySQL compare quoted
    /// names case-insensitively too (MySQL's table names follow the server's
    /// `lower_case_table_names`; folding keeps false positives down).
    pub(crate) fn for_dialect(tokens: &'t [Token<'a>], dialect: Dialect) -> Self {
        Self {
            fold_case: dialect != Dialect::Postgres,
            ..Self::new(tokens)
        }
    }

    /// A cursor over `tokens` that reads names like this one.
    pub(crate) fn over(&self, tokens: &'t [Token<'a>]) -> Self {
        Self {
            tokens,
            pos: 0,
            fold_case: self.fold_case,
        }
    }

    /// The tokens not consumed yet.
    pub(crate) fn rest(&self) -> &'t [Token<'a>] {
        &self.tokens[self.pos.min(self.tokens.len())..]
    }

    pub(crate) fn peek(&self) -> Option<&'t Token<'a>> {
        self.tokens.get(self.pos)
    }

    /// Whether the next token is the keyword `keyword`.
    pub(crate) fn is(&self, keyword: &str) -> bool {
        self.peek().is_some_and(|token| token.is(keyword))
    }

    /// Whether the next token is one of `keywords`.
    pub(crate) fn is_any(&self, keywords: &[&str]) -> bool {
        keywords.iter().any(|keyword| self.is(keyword))
    }

    /// Consumes the next token if it is the keyword `keyword`.
    pub(crate) fn eat(&mut self, keyword: &str) -> bool {
        let found = self.is(keyword);
        if found {
            self.pos += 1;
        }
        found
    }

    /// Consumes the next tokens if they are the keywords `keywords`, in order; consumes
    /// nothing otherwise.
    pub(crate) fn eat_all(&mut self, keywords: &[&str]) -> bool {
        let rest = self.rest();
        let found = rest.len() >= keywords.len()
            && keywords
                .iter()
                .zip(rest)
                .all(|(keyword, token)| token.is(keyword));
        if found {
            self.pos += keywords.len();
        }
        found
    }

    /// Consumes the next token if it is the punctuation `c`.
    pub(crate) fn eat_punct(&mut self, c: char) -> bool {
        let found = self.peek().is_some_and(|token| token.is_punct(c));
        if found {
            self.pos += 1;
        }
        found
    }

    /// Consumes and returns the next token.
    pub(crate) fn bump(&mut self) -> Option<&'t Token<'a>> {
        let token = self.peek()?;
        self.pos += 1;
        Some(token)
    }

    /// Consumes a possibly qualified name (`a`, `a.b`, `"a"."b"`, `a.b.c`).
    pub(crate) fn name(&mut self) -> Option<Name> {
        let is_part = |token: &Token<'_>| matches!(token.kind, Kind::Word | Kind::Quoted);
        let first = self.peek().filter(|token| is_part(token))?;
        self.pos += 1;
        let mut parts = vec![first];
        while self.peek().is_some_and(|token| token.is_punct('.'))
            && self.tokens.get(self.pos + 1).is_some_and(is_part)
        {
            parts.push(&self.tokens[self.pos + 1]);
            self.pos += 2;
        }
        let last = parts.pop()?;
        let fold = |name: String| {
            if self.fold_case {
                name.to_lowercase()
            } else {
                name
            }
        };
        Some(Name {
            schema: parts.last().map(|token| fold(token.name())),
            object: fold(last.name()),
            written: parts
                .iter()
                .chain([&last])
                .map(|token| token.text)
                .collect::<Vec<_>>()
                .join("."),
        })
    }

    /// Consumes names separated by commas.
    pub(crate) fn names(&mut self) -> Vec<Name> {
        let mut names = Vec::new();
        while let Some(name) = self.name() {
            names.push(name);
            if !self.eat_punct(',') {
                break;
            }
        }
        names
    }

    /// Consumes the rest, split at the commas outside parentheses.
    pub(crate) fn clauses(&mut self) -> Vec<Cursor<'t, 'a>> {
        let rest = self.rest();
        self.pos = self.tokens.len();
        let mut clauses = Vec::new();
        let mut depth = 0usize;
        let mut start = 0;
        for (index, token) in rest.iter().enumerate() {
            if token.is_punct('(') {
                depth += 1;
            } else if token.is_punct(')') {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && token.is_punct(',') {
                clauses.push(self.over(&rest[start..index]));
                start = index + 1;
            }
        }
        clauses.push(self.over(&rest[start..]));
        clauses
    }

    /// Skips to the first of `keywords` outside parentheses (to the end if none is).
    pub(crate) fn skip_to_top_level(&mut self, keywords: &[&str]) {
        let mut depth = 0usize;
        while let Some(token) = self.peek() {
            if token.is_punct('(') {
                depth += 1;
            } else if token.is_punct(')') {
                depth = depth.saturating_sub(1);
            } else if depth == 0 && keywords.iter().any(|keyword| token.is(keyword)) {
                return;
            }
            self.pos += 1;
        }
    }

    /// Whether the keyword `keyword` occurs in the rest outside parentheses.
    pub(crate) fn has_top_level(&self, keyword: &str) -> bool {
        let mut depth = 0usize;
        self.rest().iter().any(|token| {
            if token.is_punct('(') {
                depth += 1;
            } else if token.is_punct(')') {
                depth = depth.saturating_sub(1);
            }
            depth == 0 && token.is(keyword)
        })
    }

    /// Whether the keywords `keywords` occur in the rest in a row, at any depth.
    pub(crate) fn has_sequence(&self, keywords: &[&str]) -> bool {
        self.rest().windows(keywords.len()).any(|window| {
            window
                .iter()
                .zip(keywords)
                .all(|(token, keyword)| token.is(keyword))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lex::lex;

    fn with_statements(sql: &str, dialect: Dialect, check: impl FnOnce(&[Statement<'_, '_>])) {
        let lexed = lex(sql, dialect);
        let lines = Lines::new(sql, &lexed);
        check(&statements(sql, dialect, &lexed, &lines));
    }

    #[test]
    fn statements_have_lines_and_short_texts() {
        let sql = "-- lead\r\nCREATE TABLE a (\r\n  x INT\r\n);\r\n\r\n  DROP TABLE a; /* c */ SELECT ';'";
        with_statements(sql, Dialect::Sqlite, |statements| {
            let summary: Vec<_> = statements
                .iter()
                .map(|s| (s.line, s.end_line, s.short.as_str(), s.tokens.len()))
                .collect();
            assert_eq!(
                summary,
                [
                    (2, 4, "CREATE TABLE a (", 7),
                    (6, 6, "DROP TABLE a", 3),
                    (6, 6, "SELECT ';'", 2),
                ]
            );
        });
    }

    #[test]
    fn long_first_lines_are_cut() {
        let sql = format!("SELECT {}", "x, ".repeat(60));
        with_statements(&sql, Dialect::Postgres, |statements| {
            let short = &statements[0].short;
            assert!(short.ends_with(" ..."), "{short}");
            // 100 characters, less a trailing space, then the mark.
            assert_eq!(short.trim_end_matches(" ...").len(), 99);
            assert!(sql.starts_with(short.trim_end_matches(" ...")));
        });
        assert_eq!(shorten(&"é".repeat(100)), "é".repeat(100));
    }

    #[test]
    fn cursor_matching() {
        let sql = "ALTER TABLE IF EXISTS \"S\".Users ADD a INT, DROP (b), c";
        let lexed = lex(sql, Dialect::Postgres);
        let mut cursor = Cursor::new(&lexed.tokens);
        assert!(cursor.eat_all(&["alter", "table"]));
        assert!(!cursor.eat_all(&["if", "not"]));
        assert!(cursor.is("IF"));
        assert!(cursor.eat_all(&["if", "exists"]));
        let name = cursor.name().unwrap();
        assert_eq!(
            (
                name.schema.as_deref(),
                name.object.as_str(),
                name.written.as_str()
            ),
            (Some("S"), "users", "\"S\".Users")
        );
        assert!(cursor.has_top_level("drop"));
        assert!(!cursor.has_top_level("b"));
        assert!(cursor.has_sequence(&["add", "a", "int"]));
        let clauses = cursor.clauses();
        assert!(cursor.rest().is_empty());
        let texts: Vec<Vec<&str>> = clauses
            .iter()
            .map(|clause| clause.rest().iter().map(|t| t.text).collect())
            .collect();
        assert_eq!(
            texts,
            [
                vec!["ADD", "a", "INT"],
                vec!["DROP", "(", "b", ")"],
                vec!["c"]
            ]
        );
    }

    #[test]
    fn names_compare_by_qualifier_when_both_have_one() {
        let name = |sql: &str| {
            Cursor::new(&lex(sql, Dialect::Postgres).tokens)
                .name()
                .unwrap()
        };
        assert!(name("a").same(&name("public.A")));
        assert!(name("s.a").same(&name("S.a")));
        assert!(!name("s.a").same(&name("t.a")));
        assert!(!name("\"A\"").same(&name("a")));
        let lexed = lex("a, b.c , d", Dialect::Postgres);
        let names: Vec<_> = Cursor::new(&lexed.tokens)
            .names()
            .into_iter()
            .map(|n| n.written)
            .collect();
        assert_eq!(names, ["a", "b.c", "d"]);
    }
}
