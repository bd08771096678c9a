//! `status`: every migration with its status, as a table or as JSON.

use serde::Serialize;
use switchy_schema::{MigrationInfo, MigrationStatus};

use crate::args::{Format, StatusArgs};
use crate::commands::count;
use crate::connect::Target;
use crate::context::Context;
use crate::error::{CliError, Exit};
use crate::output::Style;
use crate::{duration, table, timestamp};

/// The JSON document of `status --format json` (schema version 1; fields are only ever
/// added).
#[derive(Debug, Serialize)]
struct StatusJson<'a> {
    /// Bumped only on an incompatible change.
    version: u32,
    migrations_dir: String,
    migration_table: &'a str,
    migrations: Vec<MigrationJson<'a>>,
    summary: Summary,
}

#[derive(Debug, Serialize)]
struct MigrationJson<'a> {
    id: &'a str,
    description: Option<&'a str>,
    /// `pending`, `completed`, `failed` or `in_progress`.
    status: &'static str,
    /// `false`: tracked, but its folder is gone.
    in_source: bool,
    applied_at: Option<&'a str>,
    finished_at: Option<&'a str>,
    duration_ms: Option<u64>,
    drifted: bool,
    failure_reason: Option<&'a str>,
}

#[derive(Debug, Default, Serialize)]
struct Summary {
    total: usize,
    completed: usize,
    pending: usize,
    failed: usize,
    in_progress: usize,
    drifted: usize,
    missing_from_source: usize,
}

fn status_text(info: &MigrationInfo) -> &'static str {
    info.status.map_or("pending", MigrationStatus::as_str)
}

fn duration_of(info: &MigrationInfo) -> Option<std::time::Duration> {
    timestamp::between(info.run_on.as_deref()?, info.finished_on.as_deref()?)
}

fn summarize(list: &[MigrationInfo]) -> Summary {
    let mut summary = Summary {
        total: list.len(),
        ..Summary::default()
    };
    for info in list {
        match info.status {
            None => summary.pending += 1,
            Some(MigrationStatus::Completed) => summary.completed += 1,
            Some(MigrationStatus::Failed) => summary.failed += 1,
            Some(MigrationStatus::InProgress) => summary.in_progress += 1,
        }
        summary.drifted += usize::from(info.drifted);
        summary.missing_from_source += usize::from(!info.in_source);
    }
    summary
}

pub(crate) async fn run(context: &Context, args: &StatusArgs) -> Result<Exit, CliError> {
    context.load()?;
    let connection = context.connect_read().await?;
    let listed = context.runner().list_migrations(connection.db()).await;
    connection.close().await;
    let list = listed.map_err(|e| CliError::library("reading the migration status", e))?;
    match args.format {
        Format::Json => print_json(context, &list),
        Format::Human => print_human(context, &list, args.show_failed),
    }
    Ok(Exit::Ok)
}

fn print_json(context: &Context, list: &[MigrationInfo]) {
    let document = StatusJson {
        version: 1,
        migrations_dir: context.global.migrations_dir.display().to_string(),
        migration_table: &context.global.migration_table,
        migrations: list
            .iter()
            .map(|info| MigrationJson {
                id: &info.id,
                description: info.description.as_deref(),
                status: status_text(info),
                in_source: info.in_source,
                applied_at: info.run_on.as_deref(),
                finished_at: info.finished_on.as_deref(),
                duration_ms: duration_of(info)
                    .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX)),
                drifted: info.drifted,
                failure_reason: info.failure_reason.as_deref(),
            })
            .collect(),
        summary: summarize(list),
    };
    context.out.data(
        &serde_json::to_string_pretty(&document)
            .unwrap_or_else(|e| format!("{{\"error\":\"{e}\"}}")),
    );
}

fn print_human(context: &Context, list: &[MigrationInfo], show_failed: bool) {
    let out = &context.out;
    out.info(&format!(
        "Database: {}\nMigrations directory: {}\nMigration table: {}\n",
        context.target().map(Target::redacted).unwrap_or_default(),
        context.global.migrations_dir.display(),
        context.global.migration_table
    ));
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|info| {
            let mut status = status_text(info).to_owned();
            if !info.in_source {
                status.push_str(" (not in folder)");
            }
            vec![
                info.id.clone(),
                status,
                info.run_on.clone().unwrap_or_else(|| "-".to_owned()),
                duration_of(info).map_or_else(|| "-".to_owned(), duration::human),
                if info.drifted { "changed" } else { "-" }.to_owned(),
            ]
        })
        .collect();
    let text = table::render(
        &["ID", "STATUS", "APPLIED AT", "DURATION", "DRIFT"],
        &rows,
        |column, cell, padded| match (column, cell) {
            (1, c) if c.starts_with("completed") => out.paint(Style::Green, &padded),
            (1, c) if c.starts_with("pending") => out.paint(Style::Dim, &padded),
            (1, _) => out.paint(Style::Red, &padded),
            (4, "changed") => out.paint(Style::Yellow, &padded),
            _ => padded,
        },
    );
    out.data(&text);
    if show_failed {
        for info in list {
            if let Some(reason) = &info.failure_reason {
                out.data(&format!("  {} failed: {reason}", info.id));
            } else if info.status == Some(MigrationStatus::InProgress) {
                out.data(&format!(
                    "  {} is in progress (or its process died)",
                    info.id
                ));
            }
        }
    }
    let summary = summarize(list);
    out.info(&format!(
        "\n{}: {} completed, {} pending, {} failed, {} in progress",
        count(summary.total, "migration"),
        summary.completed,
        summary.pending,
        summary.failed,
        summary.in_progress
    ));
    if summary.failed + summary.in_progress > 0 {
        out.warn("dirty migrations block every run: recover them with `switchy-migrate retry <id>`, `mark-completed <id>` or `forget <id>`");
    }
    if summary.drifted > 0 {
        out.warn(&format!(
            "{} changed after being applied: restore them, or accept the change with `switchy-migrate rebless <id>`",
            count(summary.drifted, "migration")
        ));
    }
    if summary.pending > 0 {
        out.info(&format!(
            "Run `switchy-migrate migrate` to apply {}.",
            count(summary.pending, "pending migration")
        ));
    }
}
