//! Planning: applied rows × available migrations → what to run, or why not.
//!
//! Pure functions with no database access, so every rule is unit tested here.

use std::collections::HashMap;
use std::sync::Arc;

use crate::checksum;
use crate::database::Dialect;
use crate::error::{Error, Result};
use crate::migration::{Migration, MigrationStatus};
use crate::transaction_control::{self, Direction};
use crate::up_to_date::AsMigration;

/// A checksum written by switchy_schema 0.4 when it did not know the real one (rows from a
/// table upgraded in place). It matches any file.
pub(crate) const UNKNOWN_CHECKSUM: &str =
    "0000000000000000000000000000000000000000000000000000000000000000";

/// One row of the tracking table, as the planner needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct TrackedRow {
    pub id: String,
    /// `None` when the column holds an unrecognized value (treated as dirty).
    pub status: Option<MigrationStatus>,
    pub status_text: String,
    pub up_checksum: String,
    pub down_checksum: Option<String>,
    pub failure_reason: Option<String>,
}

/// Which pending migrations a run applies.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum ExecutionStrategy {
    /// Every pending migration (the default).
    #[default]
    All,
    /// Pending migrations up to and including this id. An id not in the source is an
    /// error.
    UpTo(String),
    /// The first `n` pending migrations (not the first `n` migrations).
    Steps(usize),
}

/// Which applied migrations a rollback reverts, most recently applied first.
///
/// The order of application is the tracking table's `run_on`, ties broken by the order the
/// rows were written on SQLite and by id elsewhere. It differs from id order only when
/// out-of-order migrations were applied ([`OutOfOrderPolicy::Apply`]). PostgreSQL records
/// microseconds; MySQL and SQLite record whole seconds (SQLite breaks ties exactly, MySQL
/// by id, so on MySQL an out-of-order migration applied in the same second as a later id
/// rolls back after it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RollbackStrategy {
    /// The most recently applied migration.
    Last,
    /// When this id is applied: every migration applied after it; this one stays applied.
    /// Otherwise (a known id that is not applied): every applied migration whose id sorts
    /// after it. An id neither in the source nor applied is an error.
    DownTo(String),
    /// The `n` most recently applied migrations.
    Steps(usize),
    /// Every applied migration.
    All,
}

/// What to do with a pending migration whose id sorts before the last applied one (typically
/// merged from a branch after a later migration shipped).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutOfOrderPolicy {
    /// Refuse to run, naming the migration (the default).
    #[default]
    Error,
    /// Apply it anyway, in id order with the other pending migrations.
    Apply,
}

/// What to do with applied migrations that the source does not have.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum MissingPolicy {
    /// The default. Applied ids that sort after every id in the source are ignored: they
    /// come from a newer version of the application, for example during a rollback of a
    /// deployment. Any other missing id (a deleted or renamed migration) is an error.
    #[default]
    IgnoreNewer,
    /// Every missing id is an error.
    Error,
    /// Missing ids are ignored.
    Ignore,
}

/// The planner's options.
#[derive(Debug, Clone, Default)]
pub(crate) struct PlanOptions {
    pub strategy: ExecutionStrategy,
    pub out_of_order: OutOfOrderPolicy,
    pub missing: MissingPolicy,
    pub skip_checksum_verification: bool,
}

/// What a run will do.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct UpPlan {
    /// Indexes into the (sorted) migrations, in order.
    pub pending: Vec<usize>,
    /// Indexes of migrations already applied.
    pub applied: Vec<usize>,
}

/// Rejects duplicate ids and sorts by id (byte order).
pub(crate) fn sort_migrations(migrations: &mut [Arc<dyn Migration>]) -> Result<()> {
    if !migrations.is_sorted_by(|a, b| a.id() < b.id()) {
        migrations.sort_by(|a, b| a.id().cmp(b.id()));
        if let Some(pair) = migrations
            .windows(2)
            .find(|pair| pair[0].id() == pair[1].id())
        {
            return Err(Error::Unsupported(format!(
                "two migrations have the id `{}`",
                pair[0].id()
            )));
        }
    }
    Ok(())
}

/// The first dirty row, as an error.
pub(crate) fn check_dirty(migrations: &[Arc<dyn Migration>], rows: &[TrackedRow]) -> Result<()> {
    let mut dirty: Vec<&TrackedRow> = rows
        .iter()
        .filter(|row| row.status != Some(MigrationStatus::Completed))
        .collect();
    dirty.sort_by(|a, b| a.id.cmp(&b.id));
    match dirty.first() {
        None => Ok(()),
        Some(row) => Err(Error::Dirty {
            id: row.id.clone(),
            status: row.status.unwrap_or(MigrationStatus::Failed),
            reason: row.failure_reason.clone().or_else(|| {
                row.status
                    .is_none()
                    .then(|| format!("unrecognized status `{}`", row.status_text))
            }),
            in_source: migrations.binary_search_by(|m| m.id().cmp(&row.id)).is_ok(),
        }),
    }
}

/// Whether the `stored` up checksum accepts `migration` as it is now.
///
/// The exact comparison comes first: it is the answer for every row of a database this
/// crate migrated, and costs a fraction of the case-insensitive one and of looking up the
/// migration's text (the no-op start-up makes it for every applied migration).
pub(crate) fn up_matches(stored: &str, migration: &dyn Migration, dialect: Dialect) -> bool {
    if stored == UNKNOWN_CHECKSUM {
        return true;
    }
    let canonical = migration.up_checksum(dialect);
    stored == canonical || checksum::matches(stored, &canonical, migration.up_sql(dialect))
}

/// Whether the stored down checksum accepts `migration` as it is now.
pub(crate) fn down_matches(row: &TrackedRow, migration: &dyn Migration, dialect: Dialect) -> bool {
    match &row.down_checksum {
        None => true,
        Some(stored) => {
            stored == UNKNOWN_CHECKSUM
                || checksum::matches(
                    stored,
                    &migration.down_checksum(dialect),
                    migration.down_sql(dialect),
                )
        }
    }
}

/// Plans a run. `migrations` must be sorted by id.
pub(crate) fn plan_up(
    migrations: &[Arc<dyn Migration>],
    rows: &[TrackedRow],
    dialect: Dialect,
    options: &PlanOptions,
) -> Result<UpPlan> {
    check_dirty(migrations, rows)?;
    let applied: HashMap<&str, &TrackedRow> =
        rows.iter().map(|row| (row.id.as_str(), row)).collect();

    let mut plan = UpPlan::default();
    for (index, migration) in migrations.iter().enumerate() {
        match applied.get(migration.id()) {
            Some(row) => {
                if !options.skip_checksum_verification
                    && !up_matches(&row.up_checksum, migration.as_ref(), dialect)
                {
                    return Err(Error::Drift {
                        id: migration.id().to_owned(),
                        file: migration.up_origin(dialect),
                        expected: row.up_checksum.clone(),
                        found: migration.up_checksum(dialect).into_owned(),
                    });
                }
                plan.applied.push(index);
            }
            None => plan.pending.push(index),
        }
    }

    check_missing(migrations, rows, options.missing)?;

    if options.out_of_order == OutOfOrderPolicy::Error
        && let (Some(&first_pending), Some(last_applied)) = (
            plan.pending.first(),
            rows.iter().map(|row| row.id.as_str()).max(),
        )
        && migrations[first_pending].id() < last_applied
    {
        return Err(Error::OutOfOrder {
            pending: migrations[first_pending].id().to_owned(),
            last_applied: last_applied.to_owned(),
        });
    }

    match &options.strategy {
        ExecutionStrategy::All => {}
        ExecutionStrategy::UpTo(target) => {
            check_strategy(migrations, &options.strategy)?;
            plan.pending
                .retain(|&index| migrations[index].id() <= target.as_str());
        }
        ExecutionStrategy::Steps(steps) => plan.pending.truncate(*steps),
    }
    transaction_control::check_planned(migrations, &plan.pending, dialect, Direction::Up)?;
    Ok(plan)
}

/// Refuses a strategy that names a migration the source does not have (`UpTo`), whatever
/// the tracking table holds: checked before the no-op fast path too.
pub(crate) fn check_strategy<M: AsMigration>(
    migrations: &[M],
    strategy: &ExecutionStrategy,
) -> Result<()> {
    match strategy {
        ExecutionStrategy::UpTo(target)
            if migrations
                .binary_search_by(|m| m.migration().id().cmp(target))
                .is_err() =>
        {
            Err(Error::UnknownMigration(target.clone()))
        }
        _ => Ok(()),
    }
}

fn check_missing(
    migrations: &[Arc<dyn Migration>],
    rows: &[TrackedRow],
    policy: MissingPolicy,
) -> Result<()> {
    if policy == MissingPolicy::Ignore {
        return Ok(());
    }
    let newest = migrations.last().map(|m| m.id());
    let mut missing: Vec<String> = rows
        .iter()
        .filter(|row| {
            migrations
                .binary_search_by(|m| m.id().cmp(&row.id))
                .is_err()
        })
        .filter(|row| {
            policy == MissingPolicy::Error || newest.is_some_and(|newest| row.id.as_str() < newest)
        })
        .map(|row| row.id.clone())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    missing.sort();
    Err(Error::MissingFromSource { ids: missing })
}

/// Plans a rollback: indexes into `migrations`, most recently applied first (`rows` are in
/// order of application). Every planned migration must
/// be in the source and reversible on `dialect`, and its down file unchanged unless
/// `skip_checksum_verification`; this is checked before anything runs.
pub(crate) fn plan_rollback(
    migrations: &[Arc<dyn Migration>],
    rows: &[TrackedRow],
    dialect: Dialect,
    strategy: &RollbackStrategy,
    skip_checksum_verification: bool,
) -> Result<Vec<usize>> {
    check_dirty(migrations, rows)?;
    // `rows` come in order of application; the most recent first.
    let applied: Vec<&TrackedRow> = rows.iter().rev().collect();

    let selected: Vec<&TrackedRow> = match strategy {
        RollbackStrategy::Last => applied.into_iter().take(1).collect(),
        RollbackStrategy::Steps(steps) => applied.into_iter().take(*steps).collect(),
        RollbackStrategy::All => applied,
        RollbackStrategy::DownTo(target) => {
            if let Some(position) = applied.iter().position(|row| &row.id == target) {
                applied.into_iter().take(position).collect()
            } else if migrations.binary_search_by(|m| m.id().cmp(target)).is_ok() {
                applied
                    .into_iter()
                    .filter(|row| row.id.as_str() > target.as_str())
                    .collect()
            } else {
                return Err(Error::UnknownMigration(target.clone()));
            }
        }
    };

    let planned = selected
        .into_iter()
        .map(|row| {
            let index = migrations
                .binary_search_by(|m| m.id().cmp(&row.id))
                .map_err(|_| Error::MissingForRollback(row.id.clone()))?;
            let migration = migrations[index].as_ref();
            if !migration.is_reversible() {
                return Err(Error::Irreversible(row.id.clone()));
            }
            if !skip_checksum_verification && !down_matches(row, migration, dialect) {
                return Err(Error::Drift {
                    id: row.id.clone(),
                    file: migration.down_origin(dialect),
                    expected: row.down_checksum.clone().unwrap_or_default(),
                    found: migration.down_checksum(dialect).into_owned(),
                });
            }
            Ok(index)
        })
        .collect::<Result<Vec<usize>>>()?;
    transaction_control::check_planned(migrations, &planned, dialect, Direction::Down)?;
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::CodeMigration;
    use crate::migration::Migration;
    use crate::text_sink::TextSink as _;
    use crate::up_to_date::UpToDateCheck;

    fn migrations(ids: &[&str]) -> Vec<Arc<dyn Migration>> {
        ids.iter()
            .map(|id| {
                Arc::new(
                    CodeMigration::new(*id, format!("CREATE TABLE t{id} (x INT);"))
                        .with_down(format!("DROP TABLE t{id};")),
                ) as Arc<dyn Migration>
            })
            .collect()
    }

    fn row(migration: &dyn Migration, status: MigrationStatus) -> TrackedRow {
        TrackedRow {
            id: migration.id().to_owned(),
            status: Some(status),
            status_text: status.as_str().to_owned(),
            up_checksum: migration.up_checksum(Dialect::Sqlite).into_owned(),
            down_checksum: Some(migration.down_checksum(Dialect::Sqlite).into_owned()),
            failure_reason: None,
        }
    }

    fn applied(all: &[Arc<dyn Migration>], count: usize) -> Vec<TrackedRow> {
        all.iter()
            .take(count)
            .map(|m| row(m.as_ref(), MigrationStatus::Completed))
            .collect()
    }

    fn ids(all: &[Arc<dyn Migration>], indexes: &[usize]) -> Vec<String> {
        indexes.iter().map(|&i| all[i].id().to_owned()).collect()
    }

    fn plan(
        all: &[Arc<dyn Migration>],
        rows: &[TrackedRow],
        strategy: ExecutionStrategy,
    ) -> Result<Vec<String>> {
        let options = PlanOptions {
            strategy,
            ..PlanOptions::default()
        };
        plan_up(all, rows, Dialect::Sqlite, &options).map(|p| ids(all, &p.pending))
    }

    #[test]
    fn all_plans_every_pending_migration_in_order() {
        let all = migrations(&["1_a", "2_b", "3_c"]);
        assert_eq!(
            plan(&all, &applied(&all, 1), ExecutionStrategy::All).unwrap(),
            ["2_b", "3_c"]
        );
        assert!(
            plan(&all, &applied(&all, 3), ExecutionStrategy::All)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn steps_counts_pending_migrations_only() {
        let all = migrations(&["1_a", "2_b", "3_c", "4_d"]);
        assert_eq!(
            plan(&all, &applied(&all, 2), ExecutionStrategy::Steps(1)).unwrap(),
            ["3_c"]
        );
        assert_eq!(
            plan(&all, &applied(&all, 2), ExecutionStrategy::Steps(9)).unwrap(),
            ["3_c", "4_d"]
        );
    }

    #[test]
    fn up_to_stops_at_the_target_and_rejects_unknown_ids() {
        let all = migrations(&["1_a", "2_b", "3_c"]);
        assert_eq!(
            plan(&all, &[], ExecutionStrategy::UpTo("2_b".into())).unwrap(),
            ["1_a", "2_b"]
        );
        assert!(matches!(
            plan(&all, &[], ExecutionStrategy::UpTo("9_z".into())),
            Err(Error::UnknownMigration(id)) if id == "9_z"
        ));
    }

    #[test]
    fn dirty_rows_block_the_run() {
        let all = migrations(&["1_a", "2_b"]);
        let mut rows = applied(&all, 2);
        rows[1].status = Some(MigrationStatus::Failed);
        rows[1].failure_reason = Some("boom".into());
        let error = plan(&all, &rows, ExecutionStrategy::All).unwrap_err();
        assert!(
            matches!(&error, Error::Dirty { id, status: MigrationStatus::Failed, .. } if id == "2_b"),
            "{error}"
        );
        assert!(error.to_string().contains("boom"));
    }

    #[test]
    fn drift_names_the_migration() {
        let all = migrations(&["1_a", "2_b"]);
        let mut rows = applied(&all, 2);
        rows[0].up_checksum = checksum::checksum("something else");
        let error = plan(&all, &rows, ExecutionStrategy::All).unwrap_err();
        assert!(
            matches!(&error, Error::Drift { id, .. } if id == "1_a"),
            "{error}"
        );
        let options = PlanOptions {
            skip_checksum_verification: true,
            ..PlanOptions::default()
        };
        assert!(plan_up(&all, &rows, Dialect::Sqlite, &options).is_ok());
    }

    #[test]
    fn unknown_checksums_from_upgraded_tables_match() {
        let all = migrations(&["1_a"]);
        let mut rows = applied(&all, 1);
        rows[0].up_checksum = UNKNOWN_CHECKSUM.into();
        assert!(
            plan(&all, &rows, ExecutionStrategy::All)
                .unwrap()
                .is_empty()
        );
    }

    #[test]
    fn out_of_order_is_an_error_by_default_and_applied_when_allowed() {
        let all = migrations(&["1_a", "2_b", "3_c"]);
        let rows = vec![
            row(all[0].as_ref(), MigrationStatus::Completed),
            row(all[2].as_ref(), MigrationStatus::Completed),
        ];
        assert!(matches!(
            plan(&all, &rows, ExecutionStrategy::All),
            Err(Error::OutOfOrder { pending, last_applied }) if pending == "2_b" && last_applied == "3_c"
        ));
        let options = PlanOptions {
            out_of_order: OutOfOrderPolicy::Apply,
            ..PlanOptions::default()
        };
        assert_eq!(
            ids(
                &all,
                &plan_up(&all, &rows, Dialect::Sqlite, &options)
                    .unwrap()
                    .pending
            ),
            ["2_b"]
        );
    }

    #[test]
    fn missing_policy_ignores_newer_ids_by_default() {
        let all = migrations(&["1_a", "2_b", "3_c"]);
        let newer = migrations(&["9_z"]);
        let deleted = migrations(&["1_5_gone"]);
        let mut rows = applied(&all, 3);
        rows.push(row(newer[0].as_ref(), MigrationStatus::Completed));
        assert!(plan(&all, &rows, ExecutionStrategy::All).is_ok());

        rows.push(row(deleted[0].as_ref(), MigrationStatus::Completed));
        assert!(matches!(
            plan(&all, &rows, ExecutionStrategy::All),
            Err(Error::MissingFromSource { ids }) if ids == ["1_5_gone"]
        ));

        let strict = PlanOptions {
            missing: MissingPolicy::Error,
            ..PlanOptions::default()
        };
        assert!(matches!(
            plan_up(&all, &rows, Dialect::Sqlite, &strict),
            Err(Error::MissingFromSource { ids }) if ids == ["1_5_gone", "9_z"]
        ));
        let lax = PlanOptions {
            missing: MissingPolicy::Ignore,
            ..PlanOptions::default()
        };
        assert!(plan_up(&all, &rows, Dialect::Sqlite, &lax).is_ok());
    }

    #[test]
    fn rollback_strategies_pick_newest_first() {
        let all = migrations(&["1_a", "2_b", "3_c", "4_d"]);
        let rows = applied(&all, 3);
        let rb = |strategy| {
            plan_rollback(&all, &rows, Dialect::Sqlite, &strategy, false).map(|p| ids(&all, &p))
        };
        assert_eq!(rb(RollbackStrategy::Last).unwrap(), ["3_c"]);
        assert_eq!(rb(RollbackStrategy::Steps(2)).unwrap(), ["3_c", "2_b"]);
        assert_eq!(rb(RollbackStrategy::All).unwrap(), ["3_c", "2_b", "1_a"]);
        assert_eq!(
            rb(RollbackStrategy::DownTo("1_a".into())).unwrap(),
            ["3_c", "2_b"]
        );
        assert!(matches!(
            rb(RollbackStrategy::DownTo("0_x".into())),
            Err(Error::UnknownMigration(_))
        ));
    }

    #[test]
    fn rollback_follows_the_order_of_application() {
        let all = migrations(&["1_a", "2_b", "3_c"]);
        // 2_b was applied out of order, after 3_c.
        let rows = vec![
            row(all[0].as_ref(), MigrationStatus::Completed),
            row(all[2].as_ref(), MigrationStatus::Completed),
            row(all[1].as_ref(), MigrationStatus::Completed),
        ];
        let rb = |strategy| {
            plan_rollback(&all, &rows, Dialect::Sqlite, &strategy, false).map(|p| ids(&all, &p))
        };
        assert_eq!(rb(RollbackStrategy::Last).unwrap(), ["2_b"]);
        assert_eq!(rb(RollbackStrategy::All).unwrap(), ["2_b", "3_c", "1_a"]);
        assert_eq!(rb(RollbackStrategy::DownTo("3_c".into())).unwrap(), ["2_b"]);
        assert_eq!(
            rb(RollbackStrategy::DownTo("1_a".into())).unwrap(),
            ["2_b", "3_c"]
        );
    }

    #[test]
    fn rolling_back_an_irreversible_migration_is_an_error_before_anything_runs() {
        let mut all = migrations(&["1_a"]);
        all.push(Arc::new(CodeMigration::new(
            "2_b",
            "CREATE TABLE b (x INT);",
        )));
        let rows = applied(&all, 2);
        assert!(matches!(
            plan_rollback(&all, &rows, Dialect::Sqlite, &RollbackStrategy::All, false),
            Err(Error::Irreversible(id)) if id == "2_b"
        ));
    }

    /// What the fast path must agree with: `plan_up` succeeds with nothing pending.
    fn agrees(all: &[Arc<dyn Migration>], rows: &[TrackedRow], missing: MissingPolicy) -> bool {
        let mut check = UpToDateCheck::new(all, Dialect::Sqlite, missing, true);
        check.start(&mut crate::up_to_date::COLUMNS.into_iter());
        for row in rows {
            check.push(Some(&row.id));
            check.push(Some(&row.status_text));
            check.push(Some(&row.up_checksum));
        }
        let fast = check.is_up_to_date();
        let options = PlanOptions {
            missing,
            ..PlanOptions::default()
        };
        let full =
            plan_up(all, rows, Dialect::Sqlite, &options).is_ok_and(|plan| plan.pending.is_empty());
        // The fast path may say "not sure" (false) where the full plan succeeds, never the reverse.
        assert!(!fast || full, "fast path accepted what the planner refuses");
        fast
    }

    #[test]
    fn the_fast_path_accepts_only_what_the_planner_accepts() {
        let all = migrations(&["1_a", "2_b", "3_c"]);
        assert!(agrees(&all, &applied(&all, 3), MissingPolicy::IgnoreNewer));
        assert!(!agrees(&all, &applied(&all, 2), MissingPolicy::IgnoreNewer));

        let mut dirty = applied(&all, 3);
        dirty[1].status_text = "failed".into();
        dirty[1].status = Some(MigrationStatus::Failed);
        assert!(!agrees(&all, &dirty, MissingPolicy::IgnoreNewer));

        let mut drifted = applied(&all, 3);
        drifted[2].up_checksum = checksum::checksum("other");
        assert!(!agrees(&all, &drifted, MissingPolicy::IgnoreNewer));

        // Rows written by switchy_schema 0.4's code source (the tag `EXEC_RAW:` hashed in
        // front of the text) are the same migrations, and stay on the fast path.
        let mut from_04 = applied(&all, 3);
        for (row, migration) in from_04.iter_mut().zip(&all) {
            let text = migration.up_sql(Dialect::Sqlite).unwrap();
            row.up_checksum = checksum::sha256_hex(format!("EXEC_RAW:{text}").as_bytes());
        }
        assert!(agrees(&all, &from_04, MissingPolicy::IgnoreNewer));

        // The database returns the rows in any order; a row read twice is not up to date.
        let mut shuffled = applied(&all, 3);
        shuffled.swap(0, 2);
        assert!(agrees(&all, &shuffled, MissingPolicy::IgnoreNewer));
        let mut twice = applied(&all, 3);
        twice.push(twice[1].clone());
        assert!(!agrees(&all, &twice, MissingPolicy::Ignore));

        let extra = migrations(&["9_z", "1_5_gone"]);
        let mut newer = applied(&all, 3);
        newer.push(row(extra[0].as_ref(), MigrationStatus::Completed));
        assert!(agrees(&all, &newer, MissingPolicy::IgnoreNewer));
        assert!(!agrees(&all, &newer, MissingPolicy::Error));
        newer.push(row(extra[1].as_ref(), MigrationStatus::Completed));
        assert!(!agrees(&all, &newer, MissingPolicy::IgnoreNewer));
        assert!(agrees(&all, &newer, MissingPolicy::Ignore));
        // Missing rows on both sides of the source, in no particular order.
        newer.rotate_left(2);
        assert!(agrees(&all, &newer, MissingPolicy::Ignore));
        assert!(!agrees(&all, &newer, MissingPolicy::IgnoreNewer));
    }

    #[test]
    fn duplicate_ids_are_rejected() {
        let mut all = migrations(&["2_b", "1_a", "2_b"]);
        assert!(sort_migrations(&mut all).is_err());
        let mut all = migrations(&["2_b", "1_a"]);
        sort_migrations(&mut all).unwrap();
        assert_eq!(all[0].id(), "1_a");
    }
}
