//! `import --from sqlx|diesel|refinery|switchy-0.4`: adopts another tool's history
//! (`MigrationRunner::adopt_history`), so that only the migrations it never ran are applied.

use switchy_schema::ForeignHistory;

use crate::args::{ImportArgs, ImportFrom};
use crate::commands::count;
use crate::context::Context;
use crate::error::{CliError, Exit};

pub(crate) async fn run(context: &Context, args: &ImportArgs) -> Result<Exit, CliError> {
    context.load()?;
    let history = match args.from {
        ImportFrom::Sqlx => ForeignHistory::sqlx(),
        ImportFrom::Diesel => ForeignHistory::diesel(),
        ImportFrom::Refinery => ForeignHistory::refinery(),
        ImportFrom::Switchy04 => return from_switchy_04(context, args).await,
    };
    let history = match &args.table {
        Some(table) => history.with_table(table.clone()),
        None => history,
    };
    let connection = if args.dry_run {
        context.connect_read().await?
    } else {
        context.connect_write().await?
    };
    let result = context
        .runner()
        .dry_run(args.dry_run)
        .adopt_history(connection.db(), history)
        .await;
    connection.close().await;
    let report = result.map_err(|e| CliError::library("adopting the history", e))?;
    let out = &context.out;
    for adopted in &report.adopted {
        out.info(&format!(
            "{} {} (version {} in {})",
            if report.dry_run {
                "would adopt"
            } else {
                "adopted"
            },
            adopted.id,
            adopted.foreign_version,
            report.table
        ));
    }
    out.info(&format!(
        "{} {} from {} `{}`; {} already recorded; {} pending.",
        if report.dry_run {
            "Dry run: would adopt"
        } else {
            "Adopted"
        },
        count(report.adopted.len(), "migration"),
        report.tool,
        report.table,
        report.already_recorded.len(),
        report.pending.len()
    ));
    if !report.pending.is_empty() {
        out.info("Run `switchy-migrate migrate` to apply the pending ones.");
    }
    Ok(Exit::Ok)
}

/// switchy_schema 0.4's tracking table is read as it is (and upgraded in place by the first
/// run): there is nothing to copy. This checks it and reports what it holds.
async fn from_switchy_04(context: &Context, args: &ImportArgs) -> Result<Exit, CliError> {
    let mut runner = context.runner();
    if let Some(table) = &args.table {
        runner = runner.with_table_name(table.clone());
    }
    let connection = context.connect_read().await?;
    let listed = runner.list_migrations(connection.db()).await;
    connection.close().await;
    let list = listed.map_err(|e| CliError::library("reading switchy_schema 0.4's table", e))?;
    let applied = list.iter().filter(|info| info.is_applied()).count();
    let pending = list.iter().filter(|info| info.status.is_none()).count();
    let drifted: Vec<&str> = list
        .iter()
        .filter(|info| info.drifted)
        .map(|info| info.id.as_str())
        .collect();
    let table = args
        .table
        .as_deref()
        .unwrap_or(&context.global.migration_table);
    context.out.info(&format!(
        "Nothing to import: switchy_schema 0.4's table `{table}` is used as it is ({} recorded as applied, {pending} pending).",
        count(applied, "migration")
    ));
    if drifted.is_empty() {
        Ok(Exit::Ok)
    } else {
        Err(CliError::new(
            Exit::Dirty,
            "the folder differs from what 0.4 applied; restore the files, or `switchy-migrate rebless <id>`",
        )
        .caused_by(format!("changed after being applied: {}", drifted.join(", "))))
    }
}
