//! `migrate`: applies pending migrations, or prints the plan and its SQL (`--dry-run`).

use std::sync::Arc;

use switchy_schema::{
    ExecutionStrategy, MigrationHooks, MigrationRunner, MigrationStatus, PlannedMigration,
    TransactionMode,
};

use crate::args::MigrateArgs;
use crate::commands::count;
use crate::context::Context;
use crate::duration;
use crate::error::{CliError, Exit};
use crate::output::{Output, Style};

pub(crate) async fn run(context: &Context, args: &MigrateArgs) -> Result<Exit, CliError> {
    if args.force {
        return Err(CliError::usage(
            "--force (switchy_schema 0.4: run despite a dirty state) is no longer supported; recover the dirty migration with `switchy-migrate retry <id>`, `mark-completed <id>` or `forget <id>`, then migrate",
        ));
    }
    context.load()?;
    let connection = if args.dry_run {
        context.connect_read().await?
    } else {
        context.connect_write().await?
    };
    let result = migrate(context, args, connection.db()).await;
    connection.close().await;
    result
}

fn runner(context: &Context, args: &MigrateArgs) -> MigrationRunner {
    let strategy = match (&args.up_to, args.steps) {
        (Some(id), _) => ExecutionStrategy::UpTo(id.clone()),
        (None, Some(steps)) => ExecutionStrategy::Steps(steps),
        (None, None) => ExecutionStrategy::All,
    };
    let mut runner = context
        .runner()
        .with_strategy(strategy)
        .single_transaction(args.single_transaction);
    if let Some(timeout) = args.lock_timeout {
        runner = runner.with_lock_timeout(timeout);
    }
    runner
}

async fn migrate(
    context: &Context,
    args: &MigrateArgs,
    db: &dyn switchy_schema::Database,
) -> Result<Exit, CliError> {
    let out = &context.out;
    if args.retry_failed {
        retry_failed(context, args, db).await?;
    }
    if args.dry_run {
        let report = runner(context, args)
            .dry_run(true)
            .run(db)
            .await
            .map_err(|e| CliError::library("planning the migrations", e))?;
        print_plan(out, "apply", &report.planned);
        return Ok(Exit::Ok);
    }
    let progress = Progress::start(context, args, db).await;
    let mut runner = runner(context, args);
    if let Some(progress) = &progress {
        runner = runner.with_hooks(progress.hooks());
    }
    let result = runner.run(db).await;
    if let Some(progress) = progress {
        progress.finish();
    }
    let report = result.map_err(|e| CliError::library("applying the migrations", e))?;
    for applied in &report.applied {
        out.info(&format!(
            "{} {} ({})",
            out.paint(Style::Green, "applied"),
            applied.id,
            duration::human(applied.duration)
        ));
    }
    if report.applied.is_empty() {
        out.info(&format!(
            "Nothing to apply: the database is up to date ({} already applied).",
            count(report.skipped.len(), "migration")
        ));
    } else {
        out.info(&format!(
            "Applied {} in {} ({} already applied).",
            count(report.applied.len(), "migration"),
            duration::human(report.total),
            report.skipped.len()
        ));
    }
    Ok(Exit::Ok)
}

/// switchy_schema 0.4's `--retry-failed`: each failed migration is run again first.
async fn retry_failed(
    context: &Context,
    args: &MigrateArgs,
    db: &dyn switchy_schema::Database,
) -> Result<(), CliError> {
    let list = context
        .runner()
        .list_migrations(db)
        .await
        .map_err(|e| CliError::library("reading the migration status", e))?;
    for info in list
        .iter()
        .filter(|info| info.in_source && info.status == Some(MigrationStatus::Failed))
    {
        let retried = runner(context, args)
            .dry_run(args.dry_run)
            .retry_migration(db, &info.id)
            .await
            .map_err(|e| CliError::library(format!("retrying `{}`", info.id), e))?;
        if args.dry_run {
            print_plan(&context.out, "retry", &retried.planned);
        } else {
            context.out.info(&format!("retried {}", info.id));
        }
    }
    Ok(())
}

/// Prints what a dry run would do, with the SQL (data: printed even with `-q`).
pub(crate) fn print_plan(out: &Output, verb: &str, planned: &[PlannedMigration]) {
    if planned.is_empty() {
        out.info(&format!("Dry run: nothing to {verb}."));
        return;
    }
    out.info(&format!(
        "Dry run: would {verb} {}; nothing was written.",
        count(planned.len(), "migration")
    ));
    for migration in planned {
        let mode = match migration.transaction_mode {
            TransactionMode::NoTransaction => "outside a transaction",
            TransactionMode::Transactional => "in a transaction",
        };
        out.data(&format!("\n-- {} ({mode})", migration.id));
        out.data(
            migration
                .sql
                .as_deref()
                .map_or("-- (code migration)", str::trim_end),
        );
    }
}

/// A progress bar on a terminal (stderr), driven by the runner's hooks.
struct Progress {
    bar: indicatif::ProgressBar,
}

impl Progress {
    /// `None` unless stderr is a terminal, `-q` is off and there is something to apply.
    async fn start(
        context: &Context,
        args: &MigrateArgs,
        db: &dyn switchy_schema::Database,
    ) -> Option<Progress> {
        if context.out.quiet || !context.out.err_terminal {
            return None;
        }
        let pending = runner(context, args)
            .dry_run(true)
            .run(db)
            .await
            .ok()?
            .planned
            .len();
        if pending == 0 {
            return None;
        }
        let bar = indicatif::ProgressBar::new(pending as u64);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "{spinner} [{elapsed}] {bar:30} {pos}/{len} {msg}",
        ) {
            bar.set_style(style);
        }
        bar.enable_steady_tick(std::time::Duration::from_millis(120));
        Some(Progress { bar })
    }

    fn hooks(&self) -> MigrationHooks {
        let before = self.bar.clone();
        let after = self.bar.clone();
        let failed = Arc::new(self.bar.clone());
        MigrationHooks::new()
            .before(move |id| before.set_message(id.to_owned()))
            .after(move |_, _| after.inc(1))
            .on_error(move |id, _| failed.set_message(format!("{id} failed")))
    }

    fn finish(self) {
        self.bar.finish_and_clear();
    }
}
