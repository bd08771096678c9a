//! Reading and rewriting a SQLite `CREATE TABLE` statement, as `sqlite_master` keeps it.
//!
//! A table rebuild starts from the statement that created the table, so that everything
//! it says (checks, collations, generated columns, `WITHOUT ROWID`, `STRICT`, comments)
//! survives: only the part an operation changes is rewritten. The lexer follows SQLite's
//! tokens closely enough to split the statement into its column definitions and table
//! constraints: strings, the four identifier quotes, comments and nested parentheses.

use crate::error::{Error, Result};

/// A token's kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// A bare word: a keyword or an unquoted identifier.
    Word,
    /// A quoted identifier (`"x"`, `` `x` ``, `[x]`).
    Quoted,
    /// A string literal.
    Str,
    Open,
    Close,
    Comma,
    /// Anything else: numbers, operators.
    Other,
}

#[derive(Debug, Clone, Copy)]
struct Token {
    kind: Kind,
    start: usize,
    end: usize,
}

/// The tokens of `sql`, without whitespace and comments.
fn tokens(sql: &str) -> Vec<Token> {
    let bytes = sql.as_bytes();
    let mut tokens = Vec::new();
    let mut i = 0;
    let closing = |from: usize, quote: u8, doubled: bool| -> usize {
        let mut j = from + 1;
        while j < bytes.len() {
            if bytes[j] == quote {
                if doubled && bytes.get(j + 1) == Some(&quote) {
                    j += 2;
                    continue;
                }
                return j + 1;
            }
            j += 1;
        }
        bytes.len()
    };
    while i < bytes.len() {
        let c = bytes[i];
        let (kind, end) = match c {
            b if b.is_ascii_whitespace() => {
                i += 1;
                continue;
            }
            b'-' if bytes.get(i + 1) == Some(&b'-') => {
                i = sql[i..].find('\n').map_or(bytes.len(), |n| i + n + 1);
                continue;
            }
            b'/' if bytes.get(i + 1) == Some(&b'*') => {
                i = sql[i + 2..]
                    .find("*/")
                    .map_or(bytes.len(), |n| i + 2 + n + 2);
                continue;
            }
            b'\'' => (Kind::Str, closing(i, b'\'', true)),
            b'"' => (Kind::Quoted, closing(i, b'"', true)),
            b'`' => (Kind::Quoted, closing(i, b'`', true)),
            b'[' => (Kind::Quoted, closing(i, b']', false)),
            b'(' => (Kind::Open, i + 1),
            b')' => (Kind::Close, i + 1),
            b',' => (Kind::Comma, i + 1),
            b if b.is_ascii_alphabetic() || b == b'_' || b >= 0x80 => {
                let mut j = i + 1;
                while j < bytes.len()
                    && (bytes[j].is_ascii_alphanumeric()
                        || bytes[j] == b'_'
                        || bytes[j] == b'$'
                        || bytes[j] >= 0x80)
                {
                    j += 1;
                }
                (Kind::Word, j)
            }
            b if b.is_ascii_digit() => {
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j].is_ascii_alphanumeric() || bytes[j] == b'.') {
                    j += 1;
                }
                (Kind::Other, j)
            }
            _ => {
                // One character, whole (a non-ASCII one is taken by the word arm above).
                (Kind::Other, i + 1)
            }
        };
        tokens.push(Token {
            kind,
            start: i,
            end,
        });
        i = end;
    }
    tokens
}

/// The identifier a token names: a bare word as written, a quoted one unquoted.
fn identifier(sql: &str, token: Token) -> Option<String> {
    let text = &sql[token.start..token.end];
    match token.kind {
        Kind::Word => Some(text.to_owned()),
        Kind::Quoted => {
            let quote = text.chars().next()?;
            let inner = text
                .get(1..text.len().saturating_sub(1))
                .unwrap_or_default();
            Some(match quote {
                '"' => inner.replace("\"\"", "\""),
                '`' => inner.replace("``", "`"),
                _ => inner.to_owned(),
            })
        }
        _ => None,
    }
}

fn is_word(sql: &str, token: Token, word: &str) -> bool {
    token.kind == Kind::Word && sql[token.start..token.end].eq_ignore_ascii_case(word)
}

/// One entry of a table's body: a column definition or a table constraint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Part {
    /// Its text, as written.
    pub(crate) text: String,
    /// The column's name, for a column definition.
    pub(crate) column: Option<String>,
    /// The name given with `CONSTRAINT name`, for a table constraint.
    pub(crate) constraint: Option<String>,
}

impl Part {
    fn new(text: &str) -> Self {
        let toks = tokens(text);
        let first = toks.first().copied();
        let is_constraint = first.is_some_and(|t| {
            ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
                .iter()
                .any(|word| is_word(text, t, word))
        });
        let (column, constraint) = if is_constraint {
            let named = first.is_some_and(|t| is_word(text, t, "CONSTRAINT"));
            let name = if named {
                toks.get(1).and_then(|t| identifier(text, *t))
            } else {
                None
            };
            (None, name)
        } else {
            (first.and_then(|t| identifier(text, t)), None)
        };
        Self {
            text: text.to_owned(),
            column,
            constraint,
        }
    }

    /// Whether the part names `column` anywhere (as an identifier, not inside a string).
    pub(crate) fn mentions(&self, column: &str) -> bool {
        tokens(&self.text).into_iter().any(|t| {
            identifier(&self.text, t).is_some_and(|name| name.eq_ignore_ascii_case(column))
        })
    }
}

/// A `CREATE TABLE` statement cut into its body's parts and what follows the body
/// (`WITHOUT ROWID`, `STRICT`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TableDefinition {
    pub(crate) parts: Vec<Part>,
    pub(crate) tail: String,
}

impl TableDefinition {
    /// Cuts `sql`, a `CREATE TABLE` statement with a column list (not `AS SELECT`).
    pub(crate) fn parse(sql: &str) -> Result<Self> {
        let toks = tokens(sql);
        let unreadable = || {
            Error::Unsupported(format!(
                "cannot rebuild the table: its definition is not a CREATE TABLE statement with a column list: {sql}"
            ))
        };
        let open = toks
            .iter()
            .position(|t| t.kind == Kind::Open)
            .ok_or_else(unreadable)?;
        let mut depth = 0_usize;
        let mut close = None;
        // Each part runs from its first token to its last, so comments between parts
        // (`-- the key` after a comma) are left out.
        let mut ranges: Vec<(usize, usize)> = Vec::new();
        let mut first: Option<usize> = None;
        for (index, token) in toks.iter().enumerate().skip(open) {
            match token.kind {
                Kind::Open => {
                    depth += 1;
                    if depth == 1 {
                        continue;
                    }
                }
                Kind::Close => {
                    depth -= 1;
                    if depth == 0 {
                        if let Some(start) = first.take() {
                            ranges.push((start, index - 1));
                        }
                        close = Some(index);
                        break;
                    }
                }
                Kind::Comma if depth == 1 => {
                    if let Some(start) = first.take() {
                        ranges.push((start, index - 1));
                    }
                    continue;
                }
                _ => {}
            }
            first.get_or_insert(index);
        }
        let close = close.ok_or_else(unreadable)?;
        let parts = ranges
            .into_iter()
            .map(|(start, end)| Part::new(&sql[toks[start].start..toks[end].end]))
            .collect();
        Ok(Self {
            parts,
            tail: sql[toks[close].end..].trim_end().to_owned(),
        })
    }

    /// The statement creating table `quoted_name` with these parts.
    pub(crate) fn to_sql(&self, quoted_name: &str) -> String {
        let body: Vec<&str> = self.parts.iter().map(|part| part.text.as_str()).collect();
        format!(
            "CREATE TABLE {quoted_name} (\n    {}\n){}",
            body.join(",\n    "),
            self.tail
        )
    }

    /// The position of the definition of column `name` (ASCII case-insensitive, as SQLite
    /// compares names).
    pub(crate) fn column(&self, name: &str) -> Option<usize> {
        self.parts.iter().position(|part| {
            part.column
                .as_deref()
                .is_some_and(|column| column.eq_ignore_ascii_case(name))
        })
    }

    /// The position of the table constraint named `name`.
    pub(crate) fn constraint(&self, name: &str) -> Option<usize> {
        self.parts.iter().position(|part| {
            part.constraint
                .as_deref()
                .is_some_and(|constraint| constraint.eq_ignore_ascii_case(name))
        })
    }
}

/// The clauses of a column definition other than its type, collation, nullability and
/// default, as written: kept when [`modify_column`](super::AlterTable::modify_column)
/// rewrites those four.
pub(crate) fn kept_column_clauses(definition: &str) -> Vec<String> {
    const STARTS: [&str; 11] = [
        "CONSTRAINT",
        "PRIMARY",
        "NOT",
        "NULL",
        "UNIQUE",
        "CHECK",
        "DEFAULT",
        "COLLATE",
        "REFERENCES",
        "GENERATED",
        "AS",
    ];
    let toks = tokens(definition);
    let mut clause_starts = Vec::new();
    let mut depth = 0_usize;
    for (index, token) in toks.iter().enumerate().skip(1) {
        match token.kind {
            Kind::Open => depth += 1,
            Kind::Close => depth = depth.saturating_sub(1),
            _ => {}
        }
        if depth > 0 || !STARTS.iter().any(|w| is_word(definition, *token, w)) {
            continue;
        }
        let previous = toks[index - 1];
        let next = toks.get(index + 1).copied();
        // `SET NULL` / `SET DEFAULT` and `NOT DEFERRABLE` belong to a REFERENCES clause,
        // `ALWAYS AS` to GENERATED.
        let continues = is_word(definition, previous, "SET")
            || is_word(definition, previous, "ALWAYS")
            || (is_word(definition, *token, "NOT")
                && next.is_some_and(|n| is_word(definition, n, "DEFERRABLE")));
        if !continues {
            clause_starts.push(index);
        }
    }
    let mut clauses: Vec<(usize, usize)> = Vec::new();
    for (i, &start) in clause_starts.iter().enumerate() {
        let end = clause_starts.get(i + 1).map_or(toks.len(), |&next| next);
        // `CONSTRAINT name` names the clause after it.
        if let Some(last) = clauses.last_mut()
            && is_word(definition, toks[last.0], "CONSTRAINT")
            && last.1 - last.0 <= 2
        {
            last.1 = end;
            continue;
        }
        clauses.push((start, end));
    }
    clauses
        .into_iter()
        .filter(|&(start, end)| {
            let mut first = start;
            if is_word(definition, toks[first], "CONSTRAINT") && end - start > 2 {
                first += 2;
            }
            !["NOT", "NULL", "DEFAULT", "COLLATE"]
                .iter()
                .any(|w| is_word(definition, toks[first], w))
        })
        .map(|(start, end)| definition[toks[start].start..toks[end - 1].end].to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQL: &str = "CREATE TABLE \"albums\" (\n  id INTEGER PRIMARY KEY, -- the key\n  \"ti,tle\" TEXT NOT NULL DEFAULT 'a, (b)' CHECK (length(\"ti,tle\") > 0),\n  [artist id] INT REFERENCES artists(id) ON DELETE SET NULL,\n  CONSTRAINT one_title UNIQUE (\"ti,tle\", [artist id]),\n  CHECK (id > 0)\n) STRICT";

    #[test]
    fn the_body_splits_into_columns_and_constraints() {
        let table = TableDefinition::parse(SQL).unwrap();
        let columns: Vec<_> = table.parts.iter().map(|p| p.column.clone()).collect();
        assert_eq!(
            columns,
            [
                Some("id".to_owned()),
                Some("ti,tle".to_owned()),
                Some("artist id".to_owned()),
                None,
                None
            ]
        );
        assert_eq!(table.parts[3].constraint.as_deref(), Some("one_title"));
        assert_eq!(table.parts[4].constraint, None);
        assert_eq!(
            table.parts[1].text,
            "\"ti,tle\" TEXT NOT NULL DEFAULT 'a, (b)' CHECK (length(\"ti,tle\") > 0)"
        );
        assert_eq!(table.tail, " STRICT");
        assert_eq!(table.column("TI,TLE"), Some(1));
        assert_eq!(table.constraint("ONE_TITLE"), Some(3));
        assert!(table.parts[3].mentions("artist ID"));
        assert!(!table.parts[4].mentions("ti,tle"));
        assert_eq!(
            table.to_sql("\"albums\""),
            "CREATE TABLE \"albums\" (\n    id INTEGER PRIMARY KEY,\n    \"ti,tle\" TEXT NOT NULL DEFAULT 'a, (b)' CHECK (length(\"ti,tle\") > 0),\n    [artist id] INT REFERENCES artists(id) ON DELETE SET NULL,\n    CONSTRAINT one_title UNIQUE (\"ti,tle\", [artist id]),\n    CHECK (id > 0)\n) STRICT"
        );
        assert!(TableDefinition::parse("CREATE TABLE t AS SELECT 1").is_err());
    }

    #[test]
    fn modify_keeps_every_clause_but_collation_nullability_and_default() {
        assert_eq!(
            kept_column_clauses(
                "\"n\" DOUBLE PRECISION CONSTRAINT nn NOT NULL DEFAULT (1 + 2) COLLATE NOCASE CONSTRAINT fk REFERENCES t(id) ON DELETE SET NULL NOT DEFERRABLE CHECK (n > 0) UNIQUE"
            ),
            [
                "CONSTRAINT fk REFERENCES t(id) ON DELETE SET NULL NOT DEFERRABLE",
                "CHECK (n > 0)",
                "UNIQUE"
            ]
        );
        assert_eq!(
            kept_column_clauses("g INT GENERATED ALWAYS AS (a * 2) STORED NULL"),
            ["GENERATED ALWAYS AS (a * 2) STORED"]
        );
        assert!(kept_column_clauses("x TEXT DEFAULT 'NOT NULL'").is_empty());
    }
}
