//! `rollback`: reverts applied migrations, most recently applied first.

use switchy_schema::RollbackStrategy;

use crate::args::RollbackArgs;
use crate::commands::count;
use crate::commands::migrate::print_plan;
use crate::confirm::{Piped, confirm};
use crate::context::Context;
use crate::duration;
use crate::error::{CliError, Exit};
use crate::output::Style;

fn strategy(args: &RollbackArgs) -> RollbackStrategy {
    match (&args.to, args.all, args.steps) {
        (Some(id), _, _) => RollbackStrategy::DownTo(id.clone()),
        (None, true, _) => RollbackStrategy::All,
        (None, false, None | Some(1)) => RollbackStrategy::Last,
        (None, false, Some(steps)) => RollbackStrategy::Steps(steps),
    }
}

pub(crate) async fn run(context: &Context, args: &RollbackArgs) -> Result<Exit, CliError> {
    if args.steps == Some(0) {
        return Err(CliError::usage(
            "--steps 0 rolls nothing back; give at least 1, or --all",
        ));
    }
    context.load()?;
    let connection = if args.dry_run {
        context.connect_read().await?
    } else {
        context.connect_write().await?
    };
    let result = rollback(context, args, connection.db()).await;
    connection.close().await;
    result
}

async fn rollback(
    context: &Context,
    args: &RollbackArgs,
    db: &dyn switchy_schema::Database,
) -> Result<Exit, CliError> {
    let out = &context.out;
    let mut runner = context.runner();
    if let Some(timeout) = args.lock_timeout {
        runner = runner.with_lock_timeout(timeout);
    }
    let plan = runner
        .dry_run(true)
        .rollback(db, strategy(args))
        .await
        .map_err(|e| CliError::library("planning the rollback", e))?;
    if args.dry_run {
        print_plan(out, "roll back", &plan.planned);
        return Ok(Exit::Ok);
    }
    if plan.planned.is_empty() {
        out.info("Nothing to roll back.");
        return Ok(Exit::Ok);
    }
    let ids: Vec<&str> = plan.planned.iter().map(|m| m.id.as_str()).collect();
    confirm(
        &format!("roll back {}", count(ids.len(), "migration")),
        &format!(
            "Rolling back runs the down SQL of {} and may lose data.",
            ids.join(", ")
        ),
        args.force,
        Piped::AcceptYes,
    )?;
    let mut runner = context.runner();
    if let Some(timeout) = args.lock_timeout {
        runner = runner.with_lock_timeout(timeout);
    }
    let report = runner
        .rollback(db, strategy(args))
        .await
        .map_err(|e| CliError::library("rolling back", e))?;
    for done in &report.rolled_back {
        out.info(&format!(
            "{} {} ({})",
            out.paint(Style::Yellow, "rolled back"),
            done.id,
            duration::human(done.duration)
        ));
    }
    out.info(&format!(
        "Rolled back {}.",
        count(report.rolled_back.len(), "migration")
    ));
    Ok(Exit::Ok)
}
