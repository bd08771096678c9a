//! Recovery: `retry`, `mark-completed`, `mark-all-completed`, `forget`, `rebless`.
//! The ones that change the record without running SQL ask first (see `crate::confirm`).

use switchy_schema::MigrationStatus;

use crate::args::{ForcedIdArgs, IdArgs, MarkAllArgs, ReblessArgs};
use crate::commands::count;
use crate::confirm::{Piped, confirm};
use crate::connect::Connection;
use crate::context::Context;
use crate::duration;
use crate::error::{CliError, Exit};

/// Runs `work` on a fresh connection, closing it on every path.
async fn with_connection<T>(
    context: &Context,
    work: impl AsyncFnOnce(&Connection) -> Result<T, CliError>,
) -> Result<T, CliError> {
    context.load()?;
    let connection = context.connect_write().await?;
    let result = work(&connection).await;
    connection.close().await;
    result
}

pub(crate) async fn retry(context: &Context, args: &IdArgs) -> Result<Exit, CliError> {
    let id = &args.migration_id;
    let report = with_connection(context, async |connection| {
        context
            .runner()
            .retry_migration(connection.db(), id)
            .await
            .map_err(|e| CliError::library(format!("retrying `{id}`"), e))
    })
    .await?;
    match report.applied.first() {
        Some(applied) => context.out.info(&format!(
            "Retried {id}: applied ({})",
            duration::human(applied.duration)
        )),
        None => context
            .out
            .info(&format!("{id} was completed by another process meanwhile")),
    }
    Ok(Exit::Ok)
}

pub(crate) async fn mark_completed(
    context: &Context,
    args: &ForcedIdArgs,
) -> Result<Exit, CliError> {
    let id = &args.migration_id;
    confirm(
        &format!("mark `{id}` completed without running it"),
        "Marking a migration completed without running it can leave the schema different from what the migrations describe.",
        args.force,
        Piped::Refuse,
    )?;
    let changed = with_connection(context, async |connection| {
        context
            .runner()
            .mark_migration_completed(connection.db(), id)
            .await
            .map_err(|e| CliError::library(format!("marking `{id}` completed"), e))
    })
    .await?;
    context.out.info(&if changed {
        format!("Marked {id} as completed.")
    } else {
        format!("{id} already was completed; nothing changed.")
    });
    Ok(Exit::Ok)
}

pub(crate) async fn mark_all_completed(
    context: &Context,
    args: &MarkAllArgs,
) -> Result<Exit, CliError> {
    let include_failed = args.include_failed || args.all;
    let include_in_progress = args.include_in_progress || args.all;
    let scope = match (args.drop, include_failed, include_in_progress) {
        (true, _, _) => "every migration of the folder, after deleting the whole tracking history",
        (false, true, true) => {
            "every migration that is not completed (pending, failed and in progress)"
        }
        (false, true, false) => "pending and failed migrations",
        (false, false, true) => "pending and in-progress migrations",
        (false, false, false) => "pending migrations",
    };
    confirm(
        &format!("mark {scope} as completed without running them"),
        if args.drop {
            "CRITICAL: --drop deletes every record of the tracking table (when and how each migration ran); this cannot be undone."
        } else {
            "Marking migrations completed without running them can leave the schema different from what the migrations describe."
        },
        args.force,
        Piped::Refuse,
    )?;
    let (cleared, marked, skipped) = with_connection(context, async |connection| {
        let db = connection.db();
        let runner = context.runner();
        let cleared = if args.drop {
            runner
                .clear_history(db)
                .await
                .map_err(|e| CliError::library("clearing the tracking table", e))?
        } else {
            0
        };
        let list = runner
            .list_migrations(db)
            .await
            .map_err(|e| CliError::library("reading the migration status", e))?;
        let mut marked = Vec::new();
        let mut skipped = Vec::new();
        for info in list.iter().filter(|info| info.in_source) {
            let wanted = match info.status {
                None => true,
                Some(MigrationStatus::Completed) => false,
                Some(MigrationStatus::Failed) => include_failed,
                Some(MigrationStatus::InProgress) => include_in_progress,
            };
            if !wanted {
                if info.status.is_some_and(|s| s != MigrationStatus::Completed) {
                    skipped.push(info.id.clone());
                }
                continue;
            }
            if runner
                .mark_migration_completed(db, &info.id)
                .await
                .map_err(|e| CliError::library(format!("marking `{}` completed", info.id), e))?
            {
                marked.push(info.id.clone());
            }
        }
        Ok((cleared, marked, skipped))
    })
    .await?;
    let out = &context.out;
    if args.drop {
        out.info(&format!(
            "Deleted {} from the tracking table.",
            count(cleared, "record")
        ));
    }
    for id in &marked {
        out.info(&format!("marked {id}"));
    }
    out.info(&format!(
        "Marked {} as completed.",
        count(marked.len(), "migration")
    ));
    if !skipped.is_empty() {
        out.warn(&format!(
            "left as they are (use --include-failed / --include-in-progress / --all): {}",
            skipped.join(", ")
        ));
    }
    Ok(Exit::Ok)
}

pub(crate) async fn forget(context: &Context, args: &ForcedIdArgs) -> Result<Exit, CliError> {
    let id = &args.migration_id;
    confirm(
        &format!("forget the record of `{id}`"),
        "Forgetting a migration deletes its tracking record without undoing it: the next run applies it again.",
        args.force,
        Piped::Refuse,
    )?;
    let existed = with_connection(context, async |connection| {
        context
            .runner()
            .forget_migration(connection.db(), id)
            .await
            .map_err(|e| CliError::library(format!("forgetting `{id}`"), e))
    })
    .await?;
    context.out.info(&if existed {
        format!("Forgot {id}: its record is deleted.")
    } else {
        format!("{id} had no record; nothing changed.")
    });
    Ok(Exit::Ok)
}

pub(crate) async fn rebless(context: &Context, args: &ReblessArgs) -> Result<Exit, CliError> {
    let what = args.migration_id.as_deref().map_or_else(
        || "every changed applied migration".to_owned(),
        |id| format!("`{id}`"),
    );
    confirm(
        &format!("accept the current files of {what} as applied"),
        "Reblessing stores the files' current checksums: databases that ran the old text will not be told they differ.",
        args.force,
        Piped::Refuse,
    )?;
    let changed = with_connection(context, async |connection| {
        let ids = args.migration_id.as_deref().map(|id| [id]);
        context
            .runner()
            .rebless_checksums(connection.db(), ids.as_ref().map(<[&str; 1]>::as_slice))
            .await
            .map_err(|e| CliError::library("updating the checksums", e))
    })
    .await?;
    context.out.info(&format!(
        "Updated the checksums of {}.",
        count(changed, "migration")
    ));
    Ok(Exit::Ok)
}
