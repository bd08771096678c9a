//! SQL text as a snapshot compares it: a small tokenizer, the canonical form of an
//! expression, and the parts of SQLite's stored `CREATE TABLE` / `CREATE INDEX` text that
//! its pragmas do not report (CHECK constraints, column collations, generation
//! expressions, index expressions and predicates).
//!
//! The canonical form makes equal definitions compare equal however they were written:
//! keywords and unquoted names are lowercased, quoted names lose their quotes (`"a"`,
//! `` `a` `` and `[a]` are `a`), string literals are kept as written, tokens are separated
//! by one space (none inside parentheses, before a comma, or between a function name and
//! its parenthesis), and redundant outer parentheses are removed. So `CHECK(Price>0)`,
//! `check ( "price" > 0 )` and MariaDB's `` `price` > 0 `` are all `price > 0`.

/// One token of SQL text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Token {
    /// A keyword, an unquoted name or a number, as written.
    Word(String),
    /// A quoted name, without its quotes (doubled quotes undone).
    Name(String),
    /// A string literal, with its quotes, as written.
    Literal(String),
    /// An operator or punctuation: `(`, `)`, `,`, `>=`, `::`, ...
    Symbol(String),
}

impl Token {
    /// Whether this is the keyword (or unquoted name) `word`, in any case.
    pub(crate) fn is_word(&self, word: &str) -> bool {
        matches!(self, Token::Word(w) if w.eq_ignore_ascii_case(word))
    }

    fn is_symbol(&self, symbol: &str) -> bool {
        matches!(self, Token::Symbol(s) if s == symbol)
    }

    /// The name this token stands for: a word lowercased, a quoted name as quoted.
    pub(crate) fn name(&self) -> Option<String> {
        match self {
            Token::Word(word) => Some(word.to_lowercase()),
            Token::Name(name) => Some(name.clone()),
            _ => None,
        }
    }
}

/// Operators of more than one character, longest first.
const OPERATORS: [&str; 11] = [
    "->>", "<=", ">=", "<>", "!=", "==", "||", "<<", ">>", "->", "::",
];

/// Splits `sql` into tokens, leaving out whitespace and comments. Never fails: an
/// unterminated quote or comment runs to the end of the text.
pub(crate) fn tokenize(sql: &str) -> Vec<Token> {
    let chars: Vec<char> = sql.chars().collect();
    let mut tokens = Vec::new();
    let mut at = 0;
    while at < chars.len() {
        let c = chars[at];
        let next = chars.get(at + 1).copied();
        if c.is_whitespace() {
            at += 1;
        } else if c == '-' && next == Some('-') {
            while at < chars.len() && chars[at] != '\n' {
                at += 1;
            }
        } else if c == '/' && next == Some('*') {
            at += 2;
            while at < chars.len() && !(chars[at] == '*' && chars.get(at + 1) == Some(&'/')) {
                at += 1;
            }
            at += 2;
        } else if matches!(c, '\'' | '"' | '`' | '[') {
            let close = if c == '[' { ']' } else { c };
            let start = at;
            let mut text = String::new();
            at += 1;
            while at < chars.len() {
                if chars[at] == close {
                    if close != ']' && chars.get(at + 1) == Some(&close) {
                        text.push(close);
                        at += 2;
                        continue;
                    }
                    at += 1;
                    break;
                }
                text.push(chars[at]);
                at += 1;
            }
            tokens.push(if c == '\'' {
                Token::Literal(chars[start..at.min(chars.len())].iter().collect())
            } else {
                Token::Name(text)
            });
        } else if c.is_alphanumeric() || c == '_' || c == '$' {
            let start = at;
            while at < chars.len()
                && (chars[at].is_alphanumeric() || matches!(chars[at], '_' | '$' | '.'))
            {
                at += 1;
            }
            tokens.push(Token::Word(chars[start..at].iter().collect()));
        } else {
            let rest: String = chars[at..chars.len().min(at + 3)].iter().collect();
            let symbol = OPERATORS
                .iter()
                .find(|op| rest.starts_with(*op))
                .map_or_else(|| c.to_string(), |op| (*op).to_owned());
            at += symbol.chars().count();
            tokens.push(Token::Symbol(symbol));
        }
    }
    tokens
}

/// The canonical form of the expression in `sql`; see the [module docs](self).
pub(crate) fn canonical(sql: &str) -> String {
    render(&tokenize(sql))
}

/// The canonical form of an expression already split into `tokens`.
pub(crate) fn render(tokens: &[Token]) -> String {
    let mut tokens = tokens;
    while tokens.len() >= 2
        && tokens[0].is_symbol("(")
        && closing(tokens, 0) == Some(tokens.len() - 1)
    {
        tokens = &tokens[1..tokens.len() - 1];
    }
    let mut out = String::new();
    let mut previous: Option<&Token> = None;
    for token in tokens {
        let glued = match (previous, token) {
            (None, _) => true,
            (Some(p), _) if p.is_symbol("(") || p.is_symbol("::") => true,
            (_, t) if t.is_symbol(")") || t.is_symbol(",") || t.is_symbol("::") => true,
            (Some(Token::Word(_) | Token::Name(_)), t) if t.is_symbol("(") => true,
            _ => false,
        };
        if !glued {
            out.push(' ');
        }
        match token {
            Token::Word(word) => out.push_str(&word.to_lowercase()),
            Token::Name(name) => out.push_str(name),
            Token::Literal(text) | Token::Symbol(text) => out.push_str(text),
        }
        previous = Some(token);
    }
    out
}

/// The index of the `)` that closes the `(` at `open`.
fn closing(tokens: &[Token], open: usize) -> Option<usize> {
    let mut depth = 0usize;
    for (index, token) in tokens.iter().enumerate().skip(open) {
        if token.is_symbol("(") {
            depth += 1;
        } else if token.is_symbol(")") {
            depth = depth.checked_sub(1)?;
            if depth == 0 {
                return Some(index);
            }
        }
    }
    None
}

/// The tokens inside the first top-level parenthesis at or after `from`, and the index
/// after its `)`.
fn group(tokens: &[Token], from: usize) -> Option<(&[Token], usize)> {
    let open = from + tokens[from..].iter().position(|t| t.is_symbol("("))?;
    let close = closing(tokens, open)?;
    Some((&tokens[open + 1..close], close + 1))
}

/// `tokens` split at top-level commas.
fn split_commas(tokens: &[Token]) -> Vec<&[Token]> {
    let mut parts = Vec::new();
    let mut depth = 0usize;
    let mut start = 0;
    for (index, token) in tokens.iter().enumerate() {
        if token.is_symbol("(") {
            depth += 1;
        } else if token.is_symbol(")") {
            depth = depth.saturating_sub(1);
        } else if depth == 0 && token.is_symbol(",") {
            parts.push(&tokens[start..index]);
            start = index + 1;
        }
    }
    parts.push(&tokens[start..]);
    parts
}

/// What a SQLite `CREATE TABLE` text declares beyond what the pragmas report.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct TableText {
    /// `(column name lowercased, collation uppercased)` for columns with `COLLATE`.
    pub collations: Vec<(String, String)>,
    /// `(column name lowercased, canonical expression)` of generated columns.
    pub generated: Vec<(String, String)>,
    /// The canonical expressions of every `CHECK`, column or table constraint.
    pub checks: Vec<String>,
}

/// Reads a SQLite `CREATE TABLE` statement; an empty answer for anything else.
pub(crate) fn table_text(sql: &str) -> TableText {
    let tokens = tokenize(sql);
    let mut text = TableText::default();
    // `CREATE TABLE t AS SELECT ...` declares nothing of this.
    let first_paren = tokens.iter().position(|t| t.is_symbol("("));
    let first_as = tokens.iter().position(|t| t.is_word("AS"));
    if first_paren.is_none() || first_as.is_some_and(|a| Some(a) < first_paren) {
        return text;
    }
    let Some((body, _)) = group(&tokens, 0) else {
        return text;
    };
    for item in split_commas(body) {
        let Some(first) = item.first() else { continue };
        let is_constraint = ["CONSTRAINT", "PRIMARY", "UNIQUE", "CHECK", "FOREIGN"]
            .iter()
            .any(|k| first.is_word(k));
        let column = if is_constraint { None } else { first.name() };
        let mut at = usize::from(!is_constraint);
        while at < item.len() {
            let token = &item[at];
            if token.is_symbol("(") {
                at = closing(item, at).map_or(item.len(), |close| close + 1);
                continue;
            }
            if token.is_word("CHECK") {
                if let Some((inner, after)) = group(item, at) {
                    text.checks.push(render(inner));
                    at = after;
                    continue;
                }
            } else if token.is_word("COLLATE") {
                if let (Some(column), Some(name)) =
                    (&column, item.get(at + 1).and_then(Token::name))
                {
                    text.collations.push((column.clone(), name.to_uppercase()));
                }
            } else if token.is_word("AS")
                && let Some(column) = &column
                && let Some((inner, after)) = group(item, at)
            {
                text.generated.push((column.clone(), render(inner)));
                at = after;
                continue;
            }
            at += 1;
        }
    }
    text
}

/// What a SQLite `CREATE INDEX` text declares: the canonical key expressions in key order
/// (without `COLLATE`, `ASC` / `DESC`, which the pragmas report), and the canonical
/// predicate of a partial index.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct IndexText {
    /// One per key column or expression.
    pub keys: Vec<String>,
    /// The `WHERE` clause.
    pub predicate: Option<String>,
}

/// Reads a SQLite `CREATE INDEX` statement; an empty answer for anything else.
pub(crate) fn index_text(sql: &str) -> IndexText {
    let tokens = tokenize(sql);
    let mut text = IndexText::default();
    let Some(on) = tokens.iter().position(|t| t.is_word("ON")) else {
        return text;
    };
    let Some((keys, after)) = group(&tokens, on) else {
        return text;
    };
    text.keys = split_commas(keys)
        .into_iter()
        .map(|key| {
            let mut key = key;
            loop {
                match key {
                    [rest @ .., last] if last.is_word("ASC") || last.is_word("DESC") => key = rest,
                    [rest @ .., collate, _] if collate.is_word("COLLATE") => key = rest,
                    _ => break,
                }
            }
            render(key)
        })
        .collect();
    if let Some(position) = tokens[after..].iter().position(|t| t.is_word("WHERE")) {
        text.predicate = Some(render(&tokens[after + position + 1..]));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_expressions_written_differently_are_equal() {
        assert_eq!(canonical("(Price>0)"), "price > 0");
        assert_eq!(canonical(" \"price\"  >  0 "), "price > 0");
        assert_eq!(canonical("`price` > 0"), "price > 0");
        assert_eq!(canonical("[price]>=0 AND x<>1"), "price >= 0 and x <> 1");
        assert_eq!(canonical("LOWER( name )"), "lower(name)");
        assert_eq!(canonical("lower(\"Name\")"), "lower(Name)");
        assert_eq!(canonical("x IN ( 'A' , 'b' )"), "x in('A', 'b')");
        assert_eq!(
            canonical("((price > (0)::numeric))"),
            "price > (0)::numeric"
        );
        assert_eq!(canonical("(a) + (b)"), "(a) + (b)");
        assert_eq!(canonical("'it''s' -- note\n"), "'it''s'");
        assert_ne!(canonical("lower(name)"), canonical("upper(name)"));
        assert_ne!(canonical("'A'"), canonical("'a'"));
    }

    #[test]
    fn a_create_table_text_yields_checks_collations_and_generation() {
        let sql = "CREATE TABLE \"t\" (\n  id INTEGER PRIMARY KEY,\n  \
                   name TEXT COLLATE nocase NOT NULL CHECK (length(name) > 0),\n  \
                   total INTEGER GENERATED ALWAYS AS (id * 2) STORED,\n  \
                   half REAL AS (id / 2.0),\n  \
                   d TEXT DEFAULT (CAST(1 AS TEXT)),\n  \
                   CONSTRAINT positive CHECK (id>0), UNIQUE (name))";
        let text = table_text(sql);
        assert_eq!(text.collations, [("name".to_owned(), "NOCASE".to_owned())]);
        assert_eq!(
            text.generated,
            [
                ("total".to_owned(), "id * 2".to_owned()),
                ("half".to_owned(), "id / 2.0".to_owned())
            ]
        );
        assert_eq!(text.checks, ["length(name) > 0", "id > 0"]);
        assert_eq!(
            table_text("CREATE TABLE t AS SELECT 1 AS (x)"),
            TableText::default()
        );
    }

    #[test]
    fn a_create_index_text_yields_keys_and_predicate() {
        let text = index_text(
            "CREATE UNIQUE INDEX i ON t (lower(name) COLLATE NOCASE DESC, id)\n WHERE deleted IS NULL",
        );
        assert_eq!(text.keys, ["lower(name)", "id"]);
        assert_eq!(text.predicate.as_deref(), Some("deleted is null"));
        let text = index_text("CREATE INDEX \"i\" ON \"t\" (\"a\")");
        assert_eq!(text.keys, ["a"]);
        assert_eq!(text.predicate, None);
    }
}
