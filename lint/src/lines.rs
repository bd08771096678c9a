//! Line numbers of byte offsets, and what each line holds (code, only comments, nothing),
//! which decides the statement an allow comment belongs to.

use crate::lex::Lexed;

/// What a line holds, from least to most.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum LineKind {
    /// Whitespace only.
    Blank,
    /// Comments (and whitespace) only.
    Comment,
    /// At least part of a code token.
    Code,
}

/// The lines of a text. Lines end at `\n`, `\r\n` or a lone `\r`.
#[derive(Debug)]
pub(crate) struct Lines {
    /// The byte offset where each line starts; `starts[0] == 0`.
    starts: Vec<usize>,
    /// The kind of each line, by 0-based index.
    kinds: Vec<LineKind>,
}

impl Lines {
    pub(crate) fn new(sql: &str, lexed: &Lexed<'_>) -> Self {
        let bytes = sql.as_bytes();
        let mut starts = vec![0];
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'\n' || (b == b'\r' && bytes.get(i + 1) != Some(&b'\n')) {
                starts.push(i + 1);
            }
        }
        let mut lines = Self {
            kinds: vec![LineKind::Blank; starts.len()],
            starts,
        };
        for comment in &lexed.comments {
            lines.mark(comment.at, comment.end, LineKind::Comment);
        }
        for token in &lexed.tokens {
            lines.mark(token.at, token.end(), LineKind::Code);
        }
        lines
    }

    /// The 1-based line of byte offset `at`.
    pub(crate) fn line_of(&self, at: usize) -> usize {
        self.starts.partition_point(|&start| start <= at).max(1)
    }

    /// The kind of 1-based line `line` (blank past the end).
    pub(crate) fn kind(&self, line: usize) -> LineKind {
        line.checked_sub(1)
            .and_then(|index| self.kinds.get(index))
            .copied()
            .unwrap_or(LineKind::Blank)
    }

    /// The byte offset where the 1-based line after `line` starts, if there is one.
    pub(crate) fn next_line_start(&self, line: usize) -> Option<usize> {
        self.starts.get(line).copied()
    }

    /// Raises the kind of every line that `at..end` touches to at least `kind`.
    fn mark(&mut self, at: usize, end: usize, kind: LineKind) {
        let first = self.line_of(at);
        let last = self.line_of(end.saturating_sub(1).max(at));
        for slot in &mut self.kinds[first - 1..last] {
            *slot = (*slot).max(kind);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Dialect, lex::lex};

    fn lines(sql: &str) -> Lines {
        Lines::new(sql, &lex(sql, Dialect::Postgres))
    }

    #[test]
    fn line_numbers_for_every_line_ending() {
        let text = "a\nb\r\nc\rd";
        let lines = lines(text);
        let of = |c: char| lines.line_of(text.find(c).unwrap());
        assert_eq!([of('a'), of('b'), of('c'), of('d')], [1, 2, 3, 4]);
        assert_eq!(lines.line_of(text.len()), 4);
        assert_eq!(lines.next_line_start(1), Some(2));
        assert_eq!(lines.next_line_start(4), None);
    }

    #[test]
    fn line_kinds() {
        let lines = lines("-- c\n\nSELECT 1 -- c\n/* a\n\n b */\n'x\n\n'\n");
        let kinds: Vec<_> = (1..=10).map(|line| lines.kind(line)).collect();
        assert_eq!(
            kinds,
            [
                LineKind::Comment,
                LineKind::Blank,
                LineKind::Code,
                LineKind::Comment,
                LineKind::Comment,
                LineKind::Comment,
                LineKind::Code,
                LineKind::Code,
                LineKind::Code,
                LineKind::Blank,
            ]
        );
    }
}
