//! `validate`: the folder against the grammar (no database needed, for CI); with a
//! database, also drift, dirty, missing and out-of-order migrations.

use serde::Serialize;
use switchy_schema::{Dialect, Error, Migration as _, MigrationInfo, MigrationStatus};

use crate::args::{Format, ValidateArgs};
use crate::commands::count;
use crate::context::Context;
use crate::error::{CliError, Exit};

/// The JSON document of `validate --format json` (schema version 1).
#[derive(Debug, Default, Serialize)]
struct ValidateJson {
    version: u32,
    /// Whether nothing was found (folder and, when checked, database).
    ok: bool,
    migrations: usize,
    violations: Vec<ViolationJson>,
    /// `null` without a database.
    database: Option<DatabaseFindings>,
}

#[derive(Debug, Serialize)]
struct ViolationJson {
    path: String,
    rule: String,
    hint: Option<String>,
}

#[derive(Debug, Default, Serialize)]
struct DatabaseFindings {
    drifted: Vec<String>,
    dirty: Vec<DirtyJson>,
    missing_from_source: Vec<String>,
    out_of_order: Vec<String>,
}

#[derive(Debug, Serialize)]
struct DirtyJson {
    id: String,
    status: &'static str,
    failure_reason: Option<String>,
}

impl DatabaseFindings {
    fn from_list(list: &[MigrationInfo]) -> Self {
        let last_applied = list
            .iter()
            .filter(|info| info.status.is_some())
            .map(|info| info.id.as_str())
            .max();
        let mut findings = Self::default();
        for info in list {
            if info.drifted {
                findings.drifted.push(info.id.clone());
            }
            if let Some(status @ (MigrationStatus::Failed | MigrationStatus::InProgress)) =
                info.status
            {
                findings.dirty.push(DirtyJson {
                    id: info.id.clone(),
                    status: status.as_str(),
                    failure_reason: info.failure_reason.clone(),
                });
            }
            if !info.in_source {
                findings.missing_from_source.push(info.id.clone());
            }
            if info.status.is_none() && last_applied.is_some_and(|last| info.id.as_str() < last) {
                findings.out_of_order.push(info.id.clone());
            }
        }
        findings
    }

    fn is_empty(&self) -> bool {
        self.drifted.is_empty()
            && self.dirty.is_empty()
            && self.missing_from_source.is_empty()
            && self.out_of_order.is_empty()
    }
}

pub(crate) async fn run(context: &Context, args: &ValidateArgs) -> Result<Exit, CliError> {
    let out = &context.out;
    let mut document = ValidateJson {
        version: 1,
        ..ValidateJson::default()
    };
    let migrations = match context.source().load() {
        Ok(migrations) => migrations,
        Err(Error::InvalidFolder(violations)) => {
            document.violations = violations
                .iter()
                .map(|v| ViolationJson {
                    path: v.path.display().to_string(),
                    rule: v.rule.clone(),
                    hint: v.hint.clone(),
                })
                .collect();
            if args.format == Format::Json {
                out.data(&to_json(&document));
            } else {
                out.data(&format!(
                    "{} in the migrations folder {}:",
                    count(violations.len(), "problem"),
                    context.global.migrations_dir.display()
                ));
                for violation in &violations {
                    out.data(&format!("  - {violation}"));
                }
            }
            return Ok(Exit::InvalidFolder);
        }
        Err(other) => return Err(CliError::library("reading the migrations folder", other)),
    };
    document.migrations = migrations.len();
    let human = args.format == Format::Human;
    if human {
        out.info(&format!(
            "ok: the migrations folder {} follows the grammar ({})",
            context.global.migrations_dir.display(),
            count(migrations.len(), "migration")
        ));
    }
    if human && args.verbose {
        let dialect = context.target().map_or(Dialect::Sqlite, |t| t.dialect);
        for migration in &migrations {
            out.data(&format!(
                "  {}  up {}  down {}",
                migration.id(),
                migration.up_checksum(dialect),
                migration.down_checksum(dialect)
            ));
        }
    }
    if context.target().is_none() {
        document.ok = true;
        if human {
            out.note("no database given: checked the folder only");
        } else {
            out.data(&to_json(&document));
        }
        return Ok(Exit::Ok);
    }
    let connection = context.connect_read().await?;
    let listed = context.runner().list_migrations(connection.db()).await;
    connection.close().await;
    let list = listed.map_err(|e| CliError::library("reading the tracking table", e))?;
    let findings = DatabaseFindings::from_list(&list);
    let clean = findings.is_empty();
    if human {
        print_findings(context, &findings, args.strict);
        if clean {
            out.info(&format!(
                "ok: the database matches the folder ({} applied)",
                list.iter().filter(|info| info.is_applied()).count()
            ));
        }
    }
    document.ok = clean;
    document.database = Some(findings);
    if !human {
        out.data(&to_json(&document));
    }
    Ok(if clean || !args.strict {
        Exit::Ok
    } else {
        Exit::Dirty
    })
}

fn print_findings(context: &Context, findings: &DatabaseFindings, strict: bool) {
    let out = &context.out;
    let report = |line: String| {
        if strict {
            out.data(&format!("error: {line}"));
        } else {
            out.warn(&line);
        }
    };
    for id in &findings.drifted {
        report(format!(
            "`{id}` changed after it was applied; restore it, or `switchy-migrate rebless {id}`"
        ));
    }
    for dirty in &findings.dirty {
        report(format!(
            "`{}` is {}{}; recover it with `switchy-migrate retry`, `mark-completed` or `forget`",
            dirty.id,
            dirty.status,
            dirty
                .failure_reason
                .as_deref()
                .map(|reason| format!(" ({reason})"))
                .unwrap_or_default()
        ));
    }
    for id in &findings.missing_from_source {
        report(format!("`{id}` is applied but its folder is missing"));
    }
    for id in &findings.out_of_order {
        report(format!(
            "`{id}` is pending but sorts before an applied migration (out of order)"
        ));
    }
}

fn to_json(document: &ValidateJson) -> String {
    serde_json::to_string_pretty(document).unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}"))
}
