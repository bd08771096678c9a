//! The lexical rules of the statement scanner, for every reader of SQL text that must agree
//! with it on where strings, quoted names, dollar quotes and comments begin and end (the
//! scanner itself, and `switchy_schema_lint`'s lexer).
//!
//! Each function takes the whole text (or its bytes) and an offset, and returns an offset;
//! none panics, and an unterminated construct extends to the end of the text.

use super::SqlDialect;

/// Whether the `--` at `i` starts a comment: MySQL wants a space or control character (or
/// the end of the text) after it; elsewhere it always does.
#[must_use]
pub fn starts_line_comment(bytes: &[u8], i: usize, dialect: SqlDialect) -> bool {
    dialect != SqlDialect::MySql || bytes.get(i + 2).is_none_or(|&b| b <= b' ' || b == 0x7f)
}

/// The offset of the first `\n` or `\r` at or after `from`, or the end of the text.
#[must_use]
pub fn line_end(bytes: &[u8], from: usize) -> usize {
    let from = from.min(bytes.len());
    bytes[from..]
        .iter()
        .position(|&b| b == b'\n' || b == b'\r')
        .map_or(bytes.len(), |offset| from + offset)
}

/// The offset just after the block comment opening (`/*`) at `i`, which nests on
/// PostgreSQL; `None` when it is not closed before the end of the text.
#[must_use]
pub fn block_comment_end(bytes: &[u8], i: usize, dialect: SqlDialect) -> Option<usize> {
    let nested = dialect == SqlDialect::Postgres;
    let mut depth = 1usize;
    let mut j = i + 2;
    while j < bytes.len() {
        match (bytes[j], bytes.get(j + 1)) {
            (b'*', Some(b'/')) => {
                depth -= 1;
                j += 2;
                if depth == 0 {
                    return Some(j);
                }
            }
            (b'/', Some(b'*')) if nested => {
                depth += 1;
                j += 2;
            }
            _ => j += 1,
        }
    }
    None
}

/// The offset just after a quoted literal or identifier whose body starts at `from`: a
/// doubled `quote` is an escaped quote, and with `backslash` a backslash escapes the next
/// byte. The end of the text when it is not closed.
#[must_use]
pub fn quoted_end(bytes: &[u8], from: usize, quote: u8, backslash: bool) -> usize {
    let len = bytes.len();
    let mut j = from;
    while j < len {
        let b = bytes[j];
        if backslash && b == b'\\' {
            j += 2;
        } else if b == quote {
            if bytes.get(j + 1) == Some(&quote) {
                j += 2;
            } else {
                return j + 1;
            }
        } else {
            j += 1;
        }
    }
    // A backslash as the last byte may step past the end.
    len
}

/// The offset just after the next `close` byte at or after `from` (SQLite's `[...]`
/// names), or the end of the text.
#[must_use]
pub fn until_after(bytes: &[u8], from: usize, close: u8) -> usize {
    bytes[from.min(bytes.len())..]
        .iter()
        .position(|&b| b == close)
        .map_or(bytes.len(), |offset| from + offset + 1)
}

/// If a PostgreSQL dollar-quote opening tag (`$$` or `$tag$`) starts at `i` (a `$`), the
/// offset just after it. The tag follows the identifier rules without `$`, and does not
/// start with a digit, so `$1` is a parameter.
#[must_use]
pub fn dollar_tag_end(sql: &str, i: usize) -> Option<usize> {
    for (offset, c) in sql.get(i + 1..)?.char_indices() {
        match c {
            '$' => return Some(i + 1 + offset + 1),
            c if offset == 0 && is_word_char(c) && !c.is_ascii_digit() => {}
            c if offset > 0 && (c.is_ascii_alphanumeric() || c == '_' || !c.is_ascii()) => {}
            _ => return None,
        }
    }
    None
}

/// The offset just after the dollar-quoted body whose opening tag spans `open..tag_end`
/// (see [`dollar_tag_end`]), or the end of the text.
#[must_use]
pub fn dollar_quoted_end(sql: &str, open: usize, tag_end: usize) -> usize {
    let tag = &sql[open..tag_end];
    sql[tag_end..]
        .find(tag)
        .map_or(sql.len(), |offset| tag_end + offset + tag.len())
}

/// Whether `c` belongs to a word (a keyword, an unquoted name or a number): an ASCII
/// letter or digit, `_`, or a non-ASCII character that is not whitespace.
#[must_use]
pub fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || (!c.is_ascii() && !c.is_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_of_each_construct() {
        let sql = "'it''s' \"a\"\"b\" [x] $tag$ $ $tag$ /* /* */ */ -- c\nrest";
        let bytes = sql.as_bytes();
        assert_eq!(quoted_end(bytes, 1, b'\'', false), 7);
        assert_eq!(&sql[8..quoted_end(bytes, 9, b'"', false)], r#""a""b""#);
        assert_eq!(&sql[15..until_after(bytes, 16, b']')], "[x]");
        let tag_end = dollar_tag_end(sql, 19).expect("a tag");
        assert_eq!(&sql[19..tag_end], "$tag$");
        assert_eq!(
            &sql[19..dollar_quoted_end(sql, 19, tag_end)],
            "$tag$ $ $tag$"
        );
        let open = sql.find("/*").expect("comment");
        assert_eq!(
            &sql[open..block_comment_end(bytes, open, SqlDialect::Postgres).expect("closed")],
            "/* /* */ */"
        );
        assert_eq!(
            &sql[open..block_comment_end(bytes, open, SqlDialect::Sqlite).expect("closed")],
            "/* /* */"
        );
        let dash = sql.find("--").expect("dash");
        assert!(starts_line_comment(bytes, dash, SqlDialect::MySql));
        assert_eq!(&sql[dash..line_end(bytes, dash)], "-- c");
    }

    #[test]
    fn unterminated_constructs_reach_the_end_and_parameters_are_not_tags() {
        let sql = "'open \\";
        assert_eq!(quoted_end(sql.as_bytes(), 1, b'\'', true), sql.len());
        assert_eq!(block_comment_end(b"/* open", 0, SqlDialect::MySql), None);
        assert_eq!(dollar_tag_end("$1", 0), None);
        assert_eq!(dollar_tag_end("$", 0), None);
        assert!(!starts_line_comment(b"--x", 0, SqlDialect::MySql));
        assert!(starts_line_comment(b"--x", 0, SqlDialect::Postgres));
    }
}
