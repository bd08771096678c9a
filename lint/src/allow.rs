//! Allow comments: `-- switchy:allow <rule>[, <rule>...] [reason]` silences rules for one
//! statement, `-- switchy:allow-file <rule>[, ...]` for the whole file.

use crate::Rule;

/// The prefix every directive starts with.
const PREFIX: &str = "switchy:";

/// How far a directive reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    /// The statement the comment belongs to.
    Statement,
    /// The whole file.
    File,
}

/// A parsed `switchy:` comment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Directive {
    /// An allow comment naming only known rules.
    Allow { scope: Scope, rules: Vec<Rule> },
    /// A `switchy:` comment that silences nothing as written: the message says why. Its
    /// known rules still apply, so one typo does not turn the others off.
    Invalid {
        scope: Option<Scope>,
        rules: Vec<Rule>,
        problem: String,
    },
}

/// The directive in a comment's text (without its markers), if the comment is one: its
/// text, trimmed, starts with `switchy:`.
///
/// The rule list is names separated by commas; it ends at the first name not followed by a
/// comma, and what follows is a free-form reason: `switchy:allow drop-table, drop-column
/// the data moved to archive`.
pub(crate) fn parse(comment: &str) -> Option<Directive> {
    let text = comment.trim().trim_start_matches('*').trim_start();
    let rest = text.strip_prefix(PREFIX)?;
    let keyword_len = rest
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        .unwrap_or(rest.len());
    let (keyword, list) = rest.split_at(keyword_len);
    let scope = match keyword {
        "allow" => Scope::Statement,
        "allow-file" => Scope::File,
        _ => {
            return Some(Directive::Invalid {
                scope: None,
                rules: Vec::new(),
                problem: format!(
                    "unknown directive `{PREFIX}{keyword}`: use `{PREFIX}allow <rule>` or `{PREFIX}allow-file <rule>`"
                ),
            });
        }
    };
    let names = rule_names(list);
    let mut rules = Vec::new();
    let mut unknown = Vec::new();
    for name in &names {
        match Rule::from_name(&name.to_ascii_lowercase()) {
            Some(Rule::UnknownAllow) | None => unknown.push(*name),
            Some(rule) => rules.push(rule),
        }
    }
    let problem = if names.is_empty() {
        format!(
            "`{PREFIX}{keyword}` names no rule: list the rules to silence, e.g. `{PREFIX}{keyword} drop-table`"
        )
    } else if unknown.is_empty() {
        return Some(Directive::Allow { scope, rules });
    } else {
        let unknown = unknown
            .iter()
            .map(|name| format!("`{name}`"))
            .collect::<Vec<_>>()
            .join(", ");
        let known = Rule::ALL
            .iter()
            .filter(|rule| **rule != Rule::UnknownAllow)
            .map(|rule| rule.name())
            .collect::<Vec<_>>()
            .join(", ");
        format!("`{PREFIX}{keyword}` names unknown rule {unknown}; the rules are: {known}")
    };
    Some(Directive::Invalid {
        scope: Some(scope),
        rules,
        problem,
    })
}

/// The comma-separated names at the start of `list`.
fn rule_names(list: &str) -> Vec<&str> {
    let mut names = Vec::new();
    let mut rest = list.trim_start();
    loop {
        let len = rest
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(rest.len());
        if len == 0 {
            break;
        }
        names.push(&rest[..len]);
        let after = rest[len..].trim_start();
        match after.strip_prefix(',') {
            Some(more) => rest = more.trim_start(),
            None => break,
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    fn allow(scope: Scope, rules: &[Rule]) -> Directive {
        Directive::Allow {
            scope,
            rules: rules.to_vec(),
        }
    }

    #[test]
    fn allow_lists() {
        assert_eq!(
            parse(" switchy:allow drop-table"),
            Some(allow(Scope::Statement, &[Rule::DropTable]))
        );
        assert_eq!(
            parse("switchy:allow drop-table,drop-column , truncate  the reason, with commas"),
            Some(allow(
                Scope::Statement,
                &[Rule::DropTable, Rule::DropColumn, Rule::Truncate]
            ))
        );
        assert_eq!(
            parse(" switchy:allow-file table-rewrite "),
            Some(allow(Scope::File, &[Rule::TableRewrite]))
        );
        assert_eq!(
            parse("switchy:allow truncate: the table is a cache"),
            Some(allow(Scope::Statement, &[Rule::Truncate]))
        );
        // Block comments written as `/** ... */` or with a leading `*`.
        assert_eq!(
            parse("* switchy:allow Set-Not-Null"),
            Some(allow(Scope::Statement, &[Rule::SetNotNull]))
        );
    }

    #[test]
    fn other_comments_are_not_directives() {
        for text in [
            "",
            " drop the table",
            " note: switchy:allow drop-table",
            " switchy allow drop-table",
        ] {
            assert_eq!(parse(text), None, "{text:?}");
        }
    }

    #[test]
    fn mistakes_are_reported() {
        let invalid = |text: &str| match parse(text) {
            Some(Directive::Invalid {
                scope,
                rules,
                problem,
            }) => (scope, rules, problem),
            other => panic!("{text:?}: {other:?}"),
        };
        let (scope, rules, problem) = invalid("switchy:allow drop-tabel, drop-column");
        assert_eq!(
            (scope, rules),
            (Some(Scope::Statement), vec![Rule::DropColumn])
        );
        assert!(
            problem.starts_with(
                "`switchy:allow` names unknown rule `drop-tabel`; the rules are: drop-schema, drop-table, "
            ),
            "{problem}"
        );
        let (scope, rules, problem) = invalid("switchy:allow");
        assert_eq!((scope, rules), (Some(Scope::Statement), vec![]));
        assert!(problem.contains("names no rule"), "{problem}");
        let (_, _, problem) = invalid("switchy:allow-file unknown-allow");
        assert!(
            problem.contains("unknown rule `unknown-allow`"),
            "{problem}"
        );
        let (scope, _, problem) = invalid("switchy:alow drop-table");
        assert_eq!(scope, None);
        assert!(
            problem.starts_with("unknown directive `switchy:alow`"),
            "{problem}"
        );
        let (scope, _, _) = invalid("switchy:allowdrop-table");
        assert_eq!(scope, None);
    }
}
