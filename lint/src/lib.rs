//! Flags destructive or risky statements in SQL migrations, per dialect.
//!
//! ```
//! use switchy_schema_lint::{lint_sql, Dialect, Rule};
//!
//! let sql = "\
//! CREATE INDEX tracks_title ON tracks (title);
//! -- switchy:allow drop-column (nothing reads it since 2.3)
//! ALTER TABLE tracks DROP COLUMN duration;
//! ";
//! let findings = lint_sql(sql, Dialect::Postgres);
//! assert_eq!(findings.len(), 1);
//! assert_eq!(findings[0].rule, Rule::NonConcurrentIndex);
//! assert_eq!(findings[0].line, 1);
//! assert_eq!(findings[0].statement, "CREATE INDEX tracks_title ON tracks (title)");
//! // The same file on MySQL, which builds indexes without blocking writes:
//! assert!(lint_sql(sql, Dialect::MySql).is_empty());
//! ```
//!
//! [`lint_sql`] reads one SQL file with one dialect's lexical rules, splits it into
//! statements with the splitter the runner uses (`switchy_schema_grammar::sql`), and
//! reports every statement that matches a [`Rule`]: dropped tables and columns, deleted
//! rows, renames that break running code, `NOT NULL` columns without a default, type
//! changes, index builds and constraints that lock a PostgreSQL table, and table rewrites.
//! The crate README lists every rule with an example.
//!
//! # What it knows and what it does not
//!
//! The linter is a tokenizer and keyword matcher, not a SQL parser, and it never connects
//! to a database. Words inside strings, quoted identifiers, comments and dollar-quoted or
//! `BEGIN ... END` bodies are never read as statements. It cannot know whether a table
//! exists or holds rows, so it assumes that every table is an existing one in use, except
//! tables created earlier in the same file: on those (and on tables renamed from them) no
//! rule fires, since no running code uses them and they hold only what the file put there.
//! That includes `DROP TABLE` of such a table (a scratch table).
//!
//! Create a table, fill it with `INSERT ... SELECT`, drop the old table and rename the new
//! one to the old name (SQLite's way to change a table) is reported once, as
//! [`Rule::TableRewrite`] on the `DROP TABLE`, instead of [`Rule::DropTable`].
//!
//! # Silencing a finding
//!
//! A comment `-- switchy:allow <rule>[, <rule>...]` (or `/* switchy:allow ... */`, or
//! MySQL's `# switchy:allow ...`) silences the named rules for one statement when it sits
//!
//! - on the statement's own lines (at the end of its first line, typically), or
//! - in the comment lines directly above the statement (no blank line between).
//!
//! `-- switchy:allow-file <rule>[, ...]` anywhere silences the rules for the whole file.
//! The list ends at the first name not followed by a comma; the rest of the comment is free
//! text, for the reason. A name that is no rule (a typo), an empty list, or an unknown
//! `switchy:` directive is itself a finding, [`Rule::UnknownAllow`], which cannot be
//! silenced.

// Runs the README's Rust examples as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;

mod allow;
mod check;
mod lex;
mod lines;
mod rule;
mod statement;

pub use rule::Rule;

use allow::{Directive, Scope};
use lines::{LineKind, Lines};
use statement::Statement;
use switchy_schema_grammar::sql::SqlDialect;

/// The SQL dialect a file is written in: decides its lexical rules and which rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Dialect {
    /// SQLite.
    Sqlite,
    /// PostgreSQL.
    Postgres,
    /// MySQL and MariaDB.
    MySql,
}

impl Dialect {
    /// Every dialect.
    pub const ALL: [Dialect; 3] = [Dialect::Sqlite, Dialect::Postgres, Dialect::MySql];

    /// The dialect of a migration file suffix: `sqlite`, `postgres` or `mysql` (as in
    /// `up.postgres.sql`); `None` for anything else.
    #[must_use]
    pub fn from_suffix(suffix: &str) -> Option<Dialect> {
        Dialect::ALL
            .into_iter()
            .find(|dialect| dialect.suffix() == suffix)
    }

    /// The dialect's file suffix: `sqlite`, `postgres` or `mysql`.
    #[must_use]
    pub fn suffix(self) -> &'static str {
        match self {
            Dialect::Sqlite => "sqlite",
            Dialect::Postgres => "postgres",
            Dialect::MySql => "mysql",
        }
    }
}

impl From<Dialect> for SqlDialect {
    fn from(dialect: Dialect) -> Self {
        match dialect {
            Dialect::Sqlite => SqlDialect::Sqlite,
            Dialect::Postgres => SqlDialect::Postgres,
            Dialect::MySql => SqlDialect::MySql,
        }
    }
}

/// One risky statement (or one mistaken allow comment).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Finding {
    /// The rule it breaks.
    pub rule: Rule,
    /// The 1-based line where the statement starts (its first keyword; for
    /// [`Rule::UnknownAllow`], the comment's line).
    pub line: usize,
    /// The statement's first line, trimmed, cut after 100 characters (marked ` ...`).
    pub statement: String,
    /// One line: what is risky, and what to do instead.
    pub message: String,
}

impl std::fmt::Display for Finding {
    /// `line 3: drop-table: drops ...`
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "line {}: {}: {}", self.line, self.rule, self.message)
    }
}

/// Lints one SQL file written in `dialect`: every finding, ordered by line, then by rule
/// (the order of [`Rule::ALL`]).
///
/// Never panics, whatever the input; text that is not SQL yields no findings.
#[must_use]
pub fn lint_sql(sql: &str, dialect: Dialect) -> Vec<Finding> {
    let lexed = lex::lex(sql, dialect);
    let lines = Lines::new(sql, &lexed);
    let statements = statement::statements(sql, dialect, &lexed, &lines);
    let mut findings = Vec::new();
    let mut file_allows: Vec<Rule> = Vec::new();
    // (first line, rules) of each statement-scoped allow comment.
    let mut allows: Vec<(usize, Vec<Rule>)> = Vec::new();
    for comment in &lexed.comments {
        let line = lines.line_of(comment.at);
        let (scope, rules) = match allow::parse(comment.text) {
            None => continue,
            Some(Directive::Allow { scope, rules }) => (Some(scope), rules),
            Some(Directive::Invalid {
                scope,
                rules,
                problem,
            }) => {
                let first_line = sql[comment.at..comment.end]
                    .split(['\n', '\r'])
                    .next()
                    .unwrap_or_default();
                findings.push(Finding {
                    rule: Rule::UnknownAllow,
                    line,
                    statement: statement::shorten(first_line),
                    message: problem,
                });
                (scope, rules)
            }
        };
        match scope {
            Some(Scope::File) => file_allows.extend(rules),
            Some(Scope::Statement) => allows.push((line, rules)),
            None => {}
        }
    }
    for hit in check::check(&statements, dialect) {
        let statement = &statements[hit.statement];
        // Comments come in text order, so the ones on lines `own_lines` are a run.
        let own_lines = allow_lines(statement, &lines);
        let first = allows.partition_point(|(line, _)| line < own_lines.start());
        let allowed = file_allows.contains(&hit.rule)
            || allows[first..]
                .iter()
                .take_while(|(line, _)| own_lines.contains(line))
                .any(|(_, rules)| rules.contains(&hit.rule));
        if !allowed {
            findings.push(Finding {
                rule: hit.rule,
                line: statement.line,
                statement: statement.short.clone(),
                message: hit.message,
            });
        }
    }
    findings.sort_by_key(|finding| (finding.line, finding.rule));
    findings
}

/// The lines where an allow comment belongs to `statement`: the comment lines right above
/// it, and its own lines.
fn allow_lines(statement: &Statement<'_, '_>, lines: &Lines) -> std::ops::RangeInclusive<usize> {
    let mut above = statement.line;
    while above > 1 && lines.kind(above - 1) == LineKind::Comment {
        above -= 1;
    }
    above..=statement.end_line
}
