//! Adopting the history of another migration tool (sqlx, diesel, refinery) into the
//! tracking table: [`MigrationRunner::adopt_history`].
//!
//! Each version the other tool applied is matched to the migration of the source with the
//! same version, and that migration is recorded `completed`, with this crate's checksums,
//! without running it. The match compares digits only: separators (`-`, `_`) are dropped and
//! leading zeros ignored, so diesel's `20240105135538` (from the folder
//! `2024-01-05-135538_create_users`) matches the id `2024-01-05-135538_create_users`, and
//! refinery's `1` (from `V1__init.rs`) matches `0001_init`. A migration's version is the
//! leading version of its id, as [`grammar::split_version`] reads it.
//!
//! The matching is `match_history`, a pure function unit tested below without a database; the
//! runner method reads both tables, plans, and writes every row in one transaction.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

use crate::database::{Database, Row, Value};
use crate::error::{Error, Result};
use crate::grammar;
use crate::ident::TableName;
use crate::lock::MigrationLock;
use crate::migration::{Migration, MigrationStatus};
use crate::plan::TrackedRow;
use crate::runner::{MigrationRunner, pin, release, with_lock};
use crate::tracker::Tracker;

/// The default history table of sqlx: `_sqlx_migrations`.
pub const SQLX_TABLE: &str = "_sqlx_migrations";
/// The history table of diesel: `__diesel_schema_migrations`.
pub const DIESEL_TABLE: &str = "__diesel_schema_migrations";
/// The default history table of refinery: `refinery_schema_history`.
pub const REFINERY_TABLE: &str = "refinery_schema_history";

/// A migration tool whose history [`MigrationRunner::adopt_history`] can adopt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ForeignTool {
    /// sqlx (`sqlx migrate`, `sqlx::migrate!`): table `_sqlx_migrations`, an `i64` version
    /// per migration file (`20240101000000_name.sql` → `20240101000000`), and a `success`
    /// flag. A row with `success = false` (a failed or partly applied migration) is refused.
    Sqlx,
    /// diesel (`diesel migration run`, `diesel_migrations`): table
    /// `__diesel_schema_migrations`, the text before the folder name's first `_` with the
    /// `-` removed as the version (`2024-01-05-135538_name` → `20240105135538`).
    Diesel,
    /// refinery: table `refinery_schema_history`, an integer version (`V1__name.sql` → `1`)
    /// and the migration's name.
    Refinery,
}

impl ForeignTool {
    /// The table the tool uses unless configured otherwise: [`SQLX_TABLE`],
    /// [`DIESEL_TABLE`] or [`REFINERY_TABLE`].
    #[must_use]
    pub const fn default_table(self) -> &'static str {
        match self {
            ForeignTool::Sqlx => SQLX_TABLE,
            ForeignTool::Diesel => DIESEL_TABLE,
            ForeignTool::Refinery => REFINERY_TABLE,
        }
    }

    /// The tool's name: `sqlx`, `diesel` or `refinery`.
    #[must_use]
    pub const fn name(self) -> &'static str {
        match self {
            ForeignTool::Sqlx => "sqlx",
            ForeignTool::Diesel => "diesel",
            ForeignTool::Refinery => "refinery",
        }
    }

    /// The columns read from the history table; the first is the version.
    const fn columns(self) -> &'static [&'static str] {
        match self {
            ForeignTool::Sqlx => &["version", "description", "success"],
            ForeignTool::Diesel => &["version"],
            ForeignTool::Refinery => &["version", "name"],
        }
    }
}

impl fmt::Display for ForeignTool {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Which history to adopt: a tool and its table.
///
/// ```
/// use switchy_schema::ForeignHistory;
///
/// let sqlx = ForeignHistory::sqlx(); // `_sqlx_migrations`
/// let custom = ForeignHistory::refinery().with_table("app.refinery_history");
/// assert_eq!(custom.table(), "app.refinery_history");
/// # let _ = sqlx;
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ForeignHistory {
    tool: ForeignTool,
    table: String,
}

impl ForeignHistory {
    /// The history of `tool` in its default table ([`ForeignTool::default_table`]).
    #[must_use]
    pub fn new(tool: ForeignTool) -> Self {
        Self {
            tool,
            table: tool.default_table().to_owned(),
        }
    }

    /// sqlx's history, in `_sqlx_migrations` unless [`with_table`](Self::with_table) says
    /// otherwise.
    #[must_use]
    pub fn sqlx() -> Self {
        Self::new(ForeignTool::Sqlx)
    }

    /// diesel's history, in `__diesel_schema_migrations` unless
    /// [`with_table`](Self::with_table) says otherwise.
    #[must_use]
    pub fn diesel() -> Self {
        Self::new(ForeignTool::Diesel)
    }

    /// refinery's history, in `refinery_schema_history` unless
    /// [`with_table`](Self::with_table) says otherwise.
    #[must_use]
    pub fn refinery() -> Self {
        Self::new(ForeignTool::Refinery)
    }

    /// Reads the history from table `name` instead of the tool's default. `name` or
    /// `schema.name` with the rules of the tracking table's name (ASCII letters, digits and
    /// `_`, not starting with a digit, at most 63 bytes); anything else makes
    /// [`adopt_history`](MigrationRunner::adopt_history) fail with
    /// [`Error::InvalidIdentifier`]. The name is quoted in every statement, so it is
    /// case-sensitive on PostgreSQL.
    #[must_use]
    pub fn with_table(mut self, name: impl Into<String>) -> Self {
        self.table = name.into();
        self
    }

    /// The tool.
    #[must_use]
    pub fn tool(&self) -> ForeignTool {
        self.tool
    }

    /// The history table's name.
    #[must_use]
    pub fn table(&self) -> &str {
        &self.table
    }
}

/// One migration recorded (or, in a dry run, to be recorded) as applied by an adoption.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptedMigration {
    /// The id of the migration of the source.
    pub id: String,
    /// The version as the other tool stored it (`20240105135538`, `1`).
    pub foreign_version: String,
    /// The name the other tool stored with it: sqlx's `description`, refinery's `name`;
    /// `None` for diesel, which stores none. Informative only: it is not compared.
    pub foreign_name: Option<String>,
}

/// What [`MigrationRunner::adopt_history`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdoptReport {
    /// Whose history was read.
    pub tool: ForeignTool,
    /// The history table read (left untouched).
    pub table: String,
    /// Migrations newly recorded as completed, in id order. In a dry run: those that
    /// would be.
    pub adopted: Vec<AdoptedMigration>,
    /// Migrations of the history that the tracking table already recorded as completed
    /// (by an earlier adoption), in id order; they were left as they are.
    pub already_recorded: Vec<String>,
    /// Migrations of the source newer than every adopted one and not applied yet: the
    /// next [`run`](MigrationRunner::run) applies them.
    pub pending: Vec<String>,
    /// Whether this was a dry run (nothing was written).
    pub dry_run: bool,
}

/// Why a history cannot be adopted, every problem at once
/// (in [`Error::AdoptionRefused`]). Each list is sorted.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct AdoptionProblems {
    /// Versions the other tool recorded as failed or partly applied (sqlx's
    /// `success = false`).
    pub failed_versions: Vec<String>,
    /// Versions of the history that no migration of the source has.
    pub unknown_versions: Vec<String>,
    /// Groups of versions of the history that are the same number (`01` and `1`).
    pub duplicate_versions: Vec<Vec<String>>,
    /// Groups of migration ids of the source whose versions are the same number once
    /// separators and leading zeros are dropped (`0001_a`, `1_b`; `2024-01-05_a`,
    /// `20240105_b`): a history version could not tell them apart.
    pub shared_versions: Vec<Vec<String>>,
    /// Migrations of the source that sort before the newest adopted one but are not in
    /// the history: adopting would record a history with a hole in it.
    pub missing_between: Vec<String>,
    /// Rows of the tracking table, as `id (status)`, other than `completed` rows of
    /// migrations of this history (an earlier adoption) or of migrations newer than every
    /// one of them (applied by [`run`](MigrationRunner::run) since).
    pub conflicting_rows: Vec<String>,
}

impl AdoptionProblems {
    /// Whether there is no problem.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.failed_versions.is_empty()
            && self.unknown_versions.is_empty()
            && self.duplicate_versions.is_empty()
            && self.shared_versions.is_empty()
            && self.missing_between.is_empty()
            && self.conflicting_rows.is_empty()
    }

    /// One line per kind of problem, each starting with `\n  - `.
    pub(crate) fn lines(&self, tool: ForeignTool) -> String {
        fn list(items: &[String]) -> String {
            items
                .iter()
                .map(|item| format!("`{item}`"))
                .collect::<Vec<_>>()
                .join(", ")
        }
        fn groups(groups: &[Vec<String>]) -> String {
            groups
                .iter()
                .map(|group| format!("({})", list(group)))
                .collect::<Vec<_>>()
                .join(", ")
        }
        let mut text = String::new();
        let mut line = |condition: bool, message: String| {
            if condition {
                text.push_str("\n  - ");
                text.push_str(&message);
            }
        };
        line(
            !self.failed_versions.is_empty(),
            format!(
                "{tool} recorded version(s) {} as failed (success = false): repair or revert them with {tool} first",
                list(&self.failed_versions)
            ),
        );
        line(
            !self.unknown_versions.is_empty(),
            format!(
                "applied version(s) {} have no migration with that version in the source: add them (the version is the leading digits of the id)",
                list(&self.unknown_versions)
            ),
        );
        line(
            !self.duplicate_versions.is_empty(),
            format!(
                "versions of the history that are the same number: {}",
                groups(&self.duplicate_versions)
            ),
        );
        line(
            !self.shared_versions.is_empty(),
            format!(
                "migrations of the source with the same version number: {}: give each its own version",
                groups(&self.shared_versions)
            ),
        );
        line(
            !self.missing_between.is_empty(),
            format!(
                "migration(s) {} sort before the newest applied one but are not in the history: remove them or give them later versions",
                list(&self.missing_between)
            ),
        );
        line(
            !self.conflicting_rows.is_empty(),
            format!(
                "the tracking table already holds row(s) that are not completed migrations of this history: {}",
                list(&self.conflicting_rows)
            ),
        );
        text
    }
}

/// One row of another tool's history.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ForeignRow {
    /// The version as stored.
    pub version: String,
    /// sqlx's description, refinery's name.
    pub name: Option<String>,
    /// sqlx's `success = false`.
    pub failed: bool,
}

/// The outcome of [`match_history`]: indexes into the sorted ids.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct AdoptionPlan {
    /// (migration index, foreign row index) to record, in id order.
    pub adopt: Vec<(usize, usize)>,
    /// Migration indexes already recorded as completed.
    pub already: Vec<usize>,
    /// Migration indexes after the newest adopted one and not yet applied.
    pub pending: Vec<usize>,
}

/// The number a version stands for, as text: its digits with separators (`-`, `_`)
/// dropped and leading zeros removed (`0` for all zeros). `None` unless `version` starts
/// with a digit and holds only digits and separators.
pub(crate) fn numeric_version(version: &str) -> Option<String> {
    if !version.starts_with(|c: char| c.is_ascii_digit())
        || !version
            .chars()
            .all(|c| c.is_ascii_digit() || c == '-' || c == '_')
    {
        return None;
    }
    let digits: String = version.chars().filter(char::is_ascii_digit).collect();
    let trimmed = digits.trim_start_matches('0');
    Some(if trimmed.is_empty() {
        "0".to_owned()
    } else {
        trimmed.to_owned()
    })
}

/// Matches a history to the migrations `ids` (sorted by id) and the rows already in the
/// tracking table: what to record, or every problem.
pub(crate) fn match_history(
    ids: &[&str],
    foreign: &[ForeignRow],
    tracked: &[TrackedRow],
) -> Result<AdoptionPlan, Box<AdoptionProblems>> {
    let mut problems = AdoptionProblems::default();

    // Our migrations by version number.
    let mut ours: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, id) in ids.iter().enumerate() {
        if let Some(number) = grammar::split_version(id).and_then(|(v, _)| numeric_version(v)) {
            ours.entry(number).or_default().push(index);
        }
    }
    for group in ours.values().filter(|group| group.len() > 1) {
        problems
            .shared_versions
            .push(group.iter().map(|&i| ids[i].to_owned()).collect());
    }

    // The history's versions by number, and what they match.
    let mut theirs: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (index, row) in foreign.iter().enumerate() {
        if row.failed {
            problems.failed_versions.push(row.version.clone());
        }
        match numeric_version(&row.version) {
            Some(number) => theirs.entry(number).or_default().push(index),
            None => problems.unknown_versions.push(row.version.clone()),
        }
    }
    let mut matched: BTreeMap<usize, usize> = BTreeMap::new();
    for (number, rows) in &theirs {
        if rows.len() > 1 {
            let mut versions: Vec<String> =
                rows.iter().map(|&r| foreign[r].version.clone()).collect();
            versions.sort();
            problems.duplicate_versions.push(versions);
            continue;
        }
        let row = rows[0];
        match ours.get(number).map(Vec::as_slice) {
            None => problems.unknown_versions.push(foreign[row].version.clone()),
            // A shared version is reported above.
            Some([index]) if !foreign[row].failed => {
                matched.insert(*index, row);
            }
            Some(_) => {}
        }
    }

    // Holes: our migrations before the newest matched one whose version the history
    // lacks (a version it has but that is failed, duplicate or shared is reported above).
    let newest = matched.keys().next_back().copied();
    if let Some(newest) = newest {
        for id in ids.iter().take(newest) {
            let number = grammar::split_version(id).and_then(|(v, _)| numeric_version(v));
            if !number.is_some_and(|n| theirs.contains_key(&n)) {
                problems.missing_between.push((*id).to_owned());
            }
        }
    }

    // Our tracking table: `completed` rows of matched migrations (an earlier adoption),
    // and `completed` rows of migrations newer than every matched one (applied by `run`
    // since then), so that adopting before every start-up's `run` stays a no-op.
    let first_after = newest.map_or(0, |n| n + 1);
    let position: BTreeMap<&str, usize> = ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
    let mut already = Vec::new();
    let mut applied_since = Vec::new();
    for row in tracked {
        let completed = row.status == Some(MigrationStatus::Completed);
        match position.get(row.id.as_str()) {
            Some(&index) if completed && matched.contains_key(&index) => already.push(index),
            Some(&index) if completed && index >= first_after => applied_since.push(index),
            _ => problems
                .conflicting_rows
                .push(format!("{} ({})", row.id, row.status_text)),
        }
    }

    problems.failed_versions.sort();
    problems.unknown_versions.sort();
    problems.conflicting_rows.sort();
    if !problems.is_empty() {
        return Err(Box::new(problems));
    }
    already.sort_unstable();
    let adopt = matched
        .into_iter()
        .filter(|(index, _)| already.binary_search(index).is_err())
        .collect();
    let pending = (first_after..ids.len())
        .filter(|index| !applied_since.contains(index))
        .collect();
    Ok(AdoptionPlan {
        adopt,
        already,
        pending,
    })
}

/// Reads another tool's history table.
async fn read_history(
    db: &dyn Database,
    from: &ForeignHistory,
    table: &TableName,
) -> Result<Vec<ForeignRow>> {
    let tool = from.tool;
    let unreadable = |reason: String| Error::ForeignHistoryUnreadable {
        tool,
        table: from.table.clone(),
        reason,
    };
    // The tracker's column query works for any validated table name.
    let columns: Vec<String> = match Tracker::new(&from.table, db.dialect())?.columns(db).await {
        Ok(columns) => columns.into_iter().map(|c| c.name).collect(),
        Err(Error::Database { error, .. }) => return Err(unreadable(error.to_string())),
        Err(other) => return Err(other),
    };
    if columns.is_empty() {
        return Err(unreadable("the table does not exist".to_owned()));
    }
    let wanted = tool.columns();
    let absent: Vec<&str> = wanted
        .iter()
        .copied()
        .filter(|column| !columns.iter().any(|c| c == column))
        .collect();
    if !absent.is_empty() {
        return Err(unreadable(format!(
            "it has no column {} (columns: {}), so it is not a {tool} history",
            absent
                .iter()
                .map(|c| format!("`{c}`"))
                .collect::<Vec<_>>()
                .join(", "),
            columns.join(", ")
        )));
    }
    let sql = format!(
        "SELECT {} FROM {} ORDER BY version",
        wanted.join(", "),
        table.quoted(db.dialect())
    );
    let rows = db
        .query(&sql, &[])
        .await
        .map_err(|e| unreadable(e.to_string()))?;
    rows.iter()
        .map(|row| foreign_row(tool, row).map_err(&unreadable))
        .collect()
}

fn foreign_row(tool: ForeignTool, row: &Row) -> Result<ForeignRow, String> {
    let text = |value: Option<&Value>| match value {
        Some(Value::Text(text)) => Some(text.clone()),
        Some(Value::Int(number)) => Some(number.to_string()),
        Some(Value::Bytes(bytes)) => Some(String::from_utf8_lossy(bytes).into_owned()),
        _ => None,
    };
    let version = text(row.get("version"))
        .ok_or_else(|| format!("a row has the version {:?}", row.get("version")))?;
    let (name, failed) = match tool {
        ForeignTool::Sqlx => {
            let success = match row.get("success") {
                Some(Value::Bool(flag)) => *flag,
                Some(Value::Int(number)) => *number != 0,
                Some(Value::Text(text)) => matches!(text.as_str(), "1" | "t" | "true" | "TRUE"),
                other => {
                    return Err(format!("version {version} has the success flag {other:?}"));
                }
            };
            (text(row.get("description")), !success)
        }
        ForeignTool::Diesel => (None, false),
        ForeignTool::Refinery => (text(row.get("name")), false),
    };
    Ok(ForeignRow {
        version,
        name,
        failed,
    })
}

/// Plans an adoption from what `db` holds now, without writing.
async fn plan_on(
    db: &dyn Database,
    from: &ForeignHistory,
    table: &TableName,
    tracked: &[TrackedRow],
    migrations: &[Arc<dyn Migration>],
) -> Result<(AdoptionPlan, Vec<ForeignRow>)> {
    let foreign = read_history(db, from, table).await?;
    let ids: Vec<&str> = migrations.iter().map(|m| m.id()).collect();
    let plan =
        match_history(&ids, &foreign, tracked).map_err(|problems| Error::AdoptionRefused {
            tool: from.tool,
            table: from.table.clone(),
            problems,
        })?;
    Ok((plan, foreign))
}

fn report(
    from: &ForeignHistory,
    plan: &AdoptionPlan,
    foreign: &[ForeignRow],
    migrations: &[Arc<dyn Migration>],
    dry_run: bool,
) -> AdoptReport {
    let id = |index: usize| migrations[index].id().to_owned();
    AdoptReport {
        tool: from.tool,
        table: from.table.clone(),
        adopted: plan
            .adopt
            .iter()
            .map(|&(index, row)| AdoptedMigration {
                id: id(index),
                foreign_version: foreign[row].version.clone(),
                foreign_name: foreign[row].name.clone(),
            })
            .collect(),
        already_recorded: plan.already.iter().map(|&index| id(index)).collect(),
        pending: plan.pending.iter().map(|&index| id(index)).collect(),
        dry_run,
    }
}

impl MigrationRunner {
    /// Adopts another tool's history: records every migration that `from` lists as
    /// applied as `completed` in this runner's tracking table, with the source's checksums,
    /// without running it. Afterwards [`run`](Self::run) applies only the migrations the
    /// other tool never ran.
    ///
    /// Versions match by number: the digits of the version, separators (`-`, `_`) dropped
    /// and leading zeros ignored, where a migration's version is the leading version of
    /// its id (see [`grammar::split_version`](crate::grammar::split_version)). So diesel's
    /// `20240105135538` matches `2024-01-05-135538_create_users`, and refinery's `1`
    /// matches `0001_init`.
    ///
    /// Each version of the history must match exactly one migration of the source, no migration of the
    /// source may be missing between adopted ones, and the tracking table may hold only
    /// `completed` rows of migrations of this history or newer ones. So calling it again,
    /// also after `run` applied newer migrations, is a no-op: it can run before `run` at
    /// every start-up.
    /// The rows are written in one transaction under the migration lock, all or none.
    /// Everything is checked before the lock is taken, so a refused adoption writes
    /// nothing, not even the tracking table. The other tool's table is only read, never changed;
    /// drop it yourself once you no longer need it. Hooks are not called (nothing runs).
    ///
    /// With [`dry_run(true)`](Self::dry_run) it checks the same and reports what it would
    /// record, writing nothing.
    ///
    /// # Errors
    /// [`Error::AdoptionRefused`], listing every problem at once (failed versions, versions
    /// without a migration, shared versions, holes, conflicting rows);
    /// [`Error::ForeignHistoryUnreadable`] when the table is missing or not the tool's;
    /// [`Error::InvalidIdentifier`] for an invalid table name; [`Error::LockTimeout`];
    /// [`Error::Database`].
    pub async fn adopt_history(
        &self,
        db: &dyn Database,
        from: ForeignHistory,
    ) -> Result<AdoptReport> {
        let dialect = db.dialect();
        let table = TableName::parse(&from.table)?;
        let tracker = Tracker::new(&self.table_name, dialect)?;
        let migrations = self.load().await?;

        // Check first without writing anything, so that a refused adoption leaves no
        // trace, not even an empty tracking table.
        let rows = self.read_without_writing(db, &tracker).await?;
        let (plan, foreign) = plan_on(db, &from, &table, &rows, &migrations).await?;
        if self.dry_run || plan.adopt.is_empty() {
            return Ok(report(&from, &plan, &foreign, &migrations, self.dry_run));
        }

        with_lock!(self, db, &tracker, |session| {
            // Again under the lock: another process may have written meanwhile.
            let tx = self.begin(session).await?;
            let rows = tracker
                .read(&*tx)
                .await
                .map_err(|e| Error::database("reading the tracking table", e))?;
            let (plan, foreign) = plan_on(&*tx, &from, &table, &rows, &migrations).await?;
            for &(index, _) in &plan.adopt {
                let migration = migrations[index].as_ref();
                let id = migration.id();
                tracker
                    .insert(&*tx, migration, MigrationStatus::Completed)
                    .await
                    .map_err(|e| {
                        Error::database(format!("recording adopted migration `{id}`"), e)
                    })?;
            }
            tx.commit()
                .await
                .map_err(|e| Error::database("committing the adopted history", e))?;
            Ok(report(&from, &plan, &foreign, &migrations, false))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(version: &str) -> ForeignRow {
        ForeignRow {
            version: version.to_owned(),
            name: None,
            failed: false,
        }
    }

    fn failed(version: &str) -> ForeignRow {
        ForeignRow {
            failed: true,
            ..row(version)
        }
    }

    fn tracked(id: &str, status: MigrationStatus) -> TrackedRow {
        TrackedRow {
            id: id.to_owned(),
            status: Some(status),
            status_text: status.as_str().to_owned(),
            up_checksum: String::new(),
            down_checksum: None,
            failure_reason: None,
        }
    }

    fn problems(ids: &[&str], foreign: &[ForeignRow], rows: &[TrackedRow]) -> AdoptionProblems {
        *match_history(ids, foreign, rows).expect_err("refused")
    }

    #[test]
    fn numeric_versions_drop_separators_and_leading_zeros() {
        assert_eq!(
            numeric_version("2024-01-05-135538").as_deref(),
            Some("20240105135538")
        );
        assert_eq!(
            numeric_version("2024_01_05_135538").as_deref(),
            Some("20240105135538")
        );
        assert_eq!(
            numeric_version("20240105135538").as_deref(),
            Some("20240105135538")
        );
        assert_eq!(numeric_version("0001").as_deref(), Some("1"));
        assert_eq!(numeric_version("00000000000000").as_deref(), Some("0"));
        assert_eq!(numeric_version("-5"), None);
        assert_eq!(numeric_version("v1"), None);
        assert_eq!(numeric_version(""), None);
        assert_eq!(numeric_version("1.2"), None);
    }

    #[test]
    fn every_tool_matches_its_versions() {
        let ids = [
            "2024-01-05-135538_create_users",
            "2024-01-06-090000_create_posts",
            "2024-01-07-000000_new",
        ];
        // diesel: the folder's version without `-`.
        let plan =
            match_history(&ids, &[row("20240105135538"), row("20240106090000")], &[]).unwrap();
        assert_eq!(plan.adopt, [(0, 0), (1, 1)]);
        assert!(plan.already.is_empty());
        assert_eq!(plan.pending, [2]);

        // refinery and sqlx: integers, matched to zero-padded ids.
        let ids = ["0001_init", "0002_users", "0003_posts"];
        let plan = match_history(&ids, &[row("1"), row("2")], &[]).unwrap();
        assert_eq!(plan.adopt, [(0, 0), (1, 1)]);
        assert_eq!(plan.pending, [2]);

        // The id's version is the longest leading version (the grammar's rule).
        let ids = ["2024_01_05_135538_users"];
        assert_eq!(
            match_history(&ids, &[row("20240105135538")], &[])
                .unwrap()
                .adopt,
            [(0, 0)]
        );
    }

    #[test]
    fn an_empty_history_adopts_nothing() {
        let plan = match_history(&["0001_a"], &[], &[]).unwrap();
        assert!(plan.adopt.is_empty());
        assert_eq!(plan.pending, [0]);
    }

    #[test]
    fn unknown_versions_are_listed_together() {
        let found = problems(
            &["0001_a", "0002_b"],
            &[
                row("1"),
                row("2"),
                row("7"),
                row("20240101000000"),
                row("x1"),
            ],
            &[],
        );
        assert_eq!(found.unknown_versions, ["20240101000000", "7", "x1"]);
        assert!(found.missing_between.is_empty());
    }

    #[test]
    fn holes_are_listed() {
        let found = problems(
            &["0001_a", "0002_b", "0003_c", "0004_d", "0005_e"],
            &[row("1"), row("3"), row("4")],
            &[],
        );
        assert_eq!(found.missing_between, ["0002_b"]);
        assert_eq!(found.unknown_versions, Vec::<String>::new());

        // Ids without a version never match; before the newest adopted one they are holes.
        let found = problems(&["0001_a", "0001b_x", "0002_b"], &[row("1"), row("2")], &[]);
        assert_eq!(found.missing_between, ["0001b_x"]);
    }

    #[test]
    fn failed_rows_are_refused_without_also_being_holes() {
        let found = problems(
            &["0001_a", "0002_b", "0003_c"],
            &[row("1"), failed("2"), row("3")],
            &[],
        );
        assert_eq!(found.failed_versions, ["2"]);
        assert!(found.missing_between.is_empty());
        assert!(found.unknown_versions.is_empty());
    }

    #[test]
    fn shared_and_duplicate_versions() {
        let found = problems(
            &["0001_a", "0002_c", "01_b", "2024-01-05_d", "20240105_e"],
            &[row("1"), row("2")],
            &[],
        );
        assert_eq!(
            found.shared_versions,
            [
                vec!["0001_a".to_owned(), "01_b".to_owned()],
                vec!["2024-01-05_d".to_owned(), "20240105_e".to_owned()],
            ]
        );
        // `0001_a` and `01_b` are ambiguous, not unknown, and not holes either.
        assert!(found.unknown_versions.is_empty());
        assert!(found.missing_between.is_empty());

        let found = problems(&["0001_a"], &[row("01"), row("1")], &[]);
        assert_eq!(
            found.duplicate_versions,
            [vec!["01".to_owned(), "1".to_owned()]]
        );
    }

    #[test]
    fn tracking_rows_must_be_completed_adoptions() {
        let ids = ["0001_a", "0002_b", "0003_c"];
        let history = [row("1"), row("2")];
        // An earlier adoption: idempotent.
        let plan = match_history(
            &ids,
            &history,
            &[
                tracked("0001_a", MigrationStatus::Completed),
                tracked("0002_b", MigrationStatus::Completed),
            ],
        )
        .unwrap();
        assert!(plan.adopt.is_empty());
        assert_eq!(plan.already, [0, 1]);
        // Partly recorded: the rest is adopted.
        let plan = match_history(
            &ids,
            &history,
            &[tracked("0001_a", MigrationStatus::Completed)],
        )
        .unwrap();
        assert_eq!(plan.adopt, [(1, 1)]);
        assert_eq!(plan.already, [0]);

        // Applied by `run` after an adoption: still a no-op, and no longer pending.
        let plan = match_history(
            &ids,
            &history,
            &[
                tracked("0001_a", MigrationStatus::Completed),
                tracked("0002_b", MigrationStatus::Completed),
                tracked("0003_c", MigrationStatus::Completed),
            ],
        )
        .unwrap();
        assert!(plan.adopt.is_empty());
        assert!(plan.pending.is_empty());

        let found = problems(
            &ids,
            &history,
            &[
                tracked("0001_a", MigrationStatus::Failed),
                tracked("0003_c", MigrationStatus::InProgress),
                tracked("0009_gone", MigrationStatus::Completed),
            ],
        );
        assert_eq!(
            found.conflicting_rows,
            [
                "0001_a (failed)",
                "0003_c (in_progress)",
                "0009_gone (completed)"
            ]
        );
        // A completed row of a migration that would be a hole conflicts too.
        let found = problems(
            &ids,
            &[row("1"), row("3")],
            &[tracked("0002_b", MigrationStatus::Completed)],
        );
        assert_eq!(found.missing_between, ["0002_b"]);
        assert_eq!(found.conflicting_rows, ["0002_b (completed)"]);
    }

    #[test]
    fn every_problem_is_in_one_message() {
        let found = problems(
            &["0001_a", "0002_b", "0003_c", "0003_d"],
            &[failed("1"), row("3"), row("9")],
            &[tracked("0005_x", MigrationStatus::Completed)],
        );
        let error = Error::AdoptionRefused {
            tool: ForeignTool::Sqlx,
            table: "_sqlx_migrations".to_owned(),
            problems: Box::new(found),
        };
        assert_eq!(
            error.to_string(),
            "cannot adopt the sqlx history `_sqlx_migrations`; nothing was recorded:\n  \
             - sqlx recorded version(s) `1` as failed (success = false): repair or revert them with sqlx first\n  \
             - applied version(s) `9` have no migration with that version in the source: add them (the version is the leading digits of the id)\n  \
             - migrations of the source with the same version number: (`0003_c`, `0003_d`): give each its own version\n  \
             - the tracking table already holds row(s) that are not completed migrations of this history: `0005_x (completed)`"
        );
    }
}
