//! `lint`: destructive or risky statements in the `up` SQL of migrations, per dialect, with
//! the rules of `switchy_schema_lint` (`-- switchy:allow <rule>` silences one).

use std::collections::{BTreeMap, HashSet};

use serde::Serialize;
use switchy_schema::{Dialect, Migration as _, SqlMigration};
use switchy_schema_lint::lint_sql;

use crate::args::{Format, LintArgs};
use crate::commands::count;
use crate::context::Context;
use crate::error::{CliError, Exit};
use crate::output::Style;

/// The JSON document of `lint --format json` (schema version 1).
#[derive(Debug, Serialize)]
struct LintJson<'a> {
    version: u32,
    /// The dialects linted for: `sqlite`, `postgres`, `mysql`.
    dialects: Vec<&'static str>,
    /// How many migrations were linted.
    migrations: usize,
    findings: Vec<&'a FindingJson>,
}

#[derive(Debug, Serialize)]
struct FindingJson {
    migration: String,
    file: String,
    /// 1-based, in `file`.
    line: usize,
    /// The rule's name, as `-- switchy:allow` takes it.
    rule: &'static str,
    /// The dialects the finding holds for.
    dialects: Vec<&'static str>,
    /// The statement's first line.
    statement: String,
    message: String,
}

/// Migration, file, line, rule, message.
type FindingKey = (String, String, usize, &'static str, String);

fn lint_dialect(dialect: Dialect) -> Option<switchy_schema_lint::Dialect> {
    switchy_schema_lint::Dialect::from_suffix(dialect.suffix())
}

pub(crate) async fn run(context: &Context, args: &LintArgs) -> Result<Exit, CliError> {
    let migrations = context.load()?;
    let pending = pending_ids(context, args).await?;
    let dialects: Vec<Dialect> = match (args.dialect, context.target()) {
        (Some(dialect), _) => vec![dialect.dialect()],
        (None, Some(target)) => vec![target.dialect],
        (None, None) => vec![Dialect::Sqlite, Dialect::Postgres, Dialect::MySql],
    };
    let linted: Vec<&SqlMigration> = migrations
        .iter()
        .filter(|m| pending.as_ref().is_none_or(|ids| ids.contains(m.id())))
        .collect();
    // A file linted for several dialects reports a finding once, with the dialects it holds
    // for (the same rule with another message per dialect stays apart).
    let mut findings: BTreeMap<FindingKey, FindingJson> = BTreeMap::new();
    for migration in &linted {
        for &dialect in &dialects {
            let (Some(sql), Some(lint_as)) = (migration.up_sql(dialect), lint_dialect(dialect))
            else {
                continue;
            };
            let file = migration.up_origin(dialect);
            for finding in lint_sql(sql, lint_as) {
                let rule = finding.rule.name();
                let key = (
                    migration.id().to_owned(),
                    file.clone(),
                    finding.line,
                    rule,
                    finding.message.clone(),
                );
                findings
                    .entry(key)
                    .or_insert_with(|| FindingJson {
                        migration: migration.id().to_owned(),
                        file: file.clone(),
                        line: finding.line,
                        rule,
                        dialects: Vec::new(),
                        statement: finding.statement.clone(),
                        message: finding.message.clone(),
                    })
                    .dialects
                    .push(dialect.suffix());
            }
        }
    }
    let dialect_names: Vec<&'static str> = dialects.iter().map(|d| d.suffix()).collect();
    let out = &context.out;
    if args.format == Format::Json {
        let document = LintJson {
            version: 1,
            dialects: dialect_names,
            migrations: linted.len(),
            findings: findings.values().collect(),
        };
        out.data(&serde_json::to_string_pretty(&document).unwrap_or_default());
    } else {
        for finding in findings.values() {
            out.data(&format!(
                "{}:{}: {} [{}]: {}\n    {}",
                finding.file,
                finding.line,
                out.paint(Style::Yellow, finding.rule),
                finding.dialects.join(", "),
                finding.message,
                finding.statement
            ));
        }
        let scope = if pending.is_some() { "pending " } else { "" };
        if findings.is_empty() {
            out.info(&format!(
                "ok: nothing risky in {} ({})",
                count(linted.len(), &format!("{scope}migration")),
                dialect_names.join(", ")
            ));
        } else {
            out.info(&format!(
                "\n{} in {} ({}); silence one with `-- switchy:allow <rule>` on or above its statement",
                count(findings.len(), "finding"),
                count(linted.len(), &format!("{scope}migration")),
                dialect_names.join(", ")
            ));
        }
    }
    Ok(if findings.is_empty() {
        Exit::Ok
    } else {
        Exit::Lint
    })
}

/// With a database and without `--all`: the ids not applied yet. `None`: lint every one.
async fn pending_ids(
    context: &Context,
    args: &LintArgs,
) -> Result<Option<HashSet<String>>, CliError> {
    if args.all || context.target().is_none() {
        return Ok(None);
    }
    let connection = context.connect_read().await?;
    let listed = context.runner().list_migrations(connection.db()).await;
    connection.close().await;
    let list = listed.map_err(|e| CliError::library("reading the migration status", e))?;
    Ok(Some(
        list.into_iter()
            .filter(|info| info.in_source && info.status.is_none())
            .map(|info| info.id)
            .collect(),
    ))
}
