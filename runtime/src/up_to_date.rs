//! The start-up's fast path: whether the tracking table, read once, says a run has nothing
//! to do, decided as the rows arrive.

use std::sync::Arc;

use crate::database::Dialect;
use crate::migration::{Migration, MigrationStatus};
use crate::plan::{MissingPolicy, up_matches};
use crate::sql_migration::EmbeddedMigration;
use crate::text_sink::TextSink;

/// The columns [`UpToDateCheck`] expects, in this order.
pub(crate) const COLUMNS: [&str; 3] = ["id", "status", "up_checksum"];

/// An element of a migration list the check can walk: the runner's trait objects, or the
/// static list `embed_migrations!` emits (which spares building a thousand trait objects
/// when there is nothing to run).
pub(crate) trait AsMigration: Sync {
    fn migration(&self) -> &dyn Migration;
}

impl AsMigration for Arc<dyn Migration> {
    fn migration(&self) -> &dyn Migration {
        self.as_ref()
    }
}

impl AsMigration for EmbeddedMigration {
    fn migration(&self) -> &dyn Migration {
        self
    }
}

/// Whether every migration's id sorts strictly after the previous one's: what the check
/// (and the planner) need, and what the macro guarantees for its list.
pub(crate) fn strictly_sorted<M: AsMigration>(migrations: &[M]) -> bool {
    migrations
        .windows(2)
        .all(|pair| pair[0].migration().id() < pair[1].migration().id())
}

/// A [`TextSink`] for `SELECT id, status, up_checksum` of the tracking table that answers
/// one question once the read ends ([`is_up_to_date`](Self::is_up_to_date)): would a run
/// have nothing to do and nothing to refuse? That is: every row `completed`, every
/// migration applied with its checksum stored as is (unless checksums are not verified),
/// no id read twice, and no row missing from the source that the policy rejects.
///
/// Whenever it says `false`, the planner decides and explains: the check may say "not
/// sure" where the planner would accept, never the reverse.
///
/// Each value is compared as it arrives and dropped, so the read holds no row: its memory
/// does not grow with the number of applied migrations (one flag per migration aside).
/// The database returns rows in any order. A row usually carries the id of the migration
/// after the previous row's, which is tried first; otherwise the id is found by binary
/// search, so no row is sorted or hashed.
pub(crate) struct UpToDateCheck<'m, M> {
    /// Sorted by id, without duplicates.
    migrations: &'m [M],
    dialect: Dialect,
    missing: MissingPolicy,
    verify_checksums: bool,
    /// Which migrations a row has been read for.
    seen: Vec<bool>,
    seen_count: usize,
    /// The column of the next value.
    column: usize,
    /// The migration of the current row, when its id is in the source.
    current: Option<usize>,
    /// Where the next row's migration is looked for first.
    next_guess: usize,
    state: State,
}

/// Where the read stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Nothing read yet.
    NotStarted,
    /// Started with no column: an empty table, on a driver that learns the names from the
    /// first row.
    NoRow,
    /// Reading the three columns, and everything so far is up to date.
    UpToDateSoFar,
    /// Something the fast path does not accept; the rest of the read is ignored.
    Refused,
}

impl<'m, M: AsMigration> UpToDateCheck<'m, M> {
    /// A check of `migrations`, which are sorted by id without duplicates.
    pub(crate) fn new(
        migrations: &'m [M],
        dialect: Dialect,
        missing: MissingPolicy,
        verify_checksums: bool,
    ) -> Self {
        Self {
            migrations,
            dialect,
            missing,
            verify_checksums,
            seen: Vec::new(),
            seen_count: 0,
            column: 0,
            current: None,
            next_guess: 0,
            state: State::NotStarted,
        }
    }

    /// The answer, once the read has ended without error.
    pub(crate) fn is_up_to_date(&self) -> bool {
        matches!(self.state, State::NoRow | State::UpToDateSoFar)
            && self.column == 0
            && self.seen_count == self.migrations.len()
    }

    fn id_at(&self, index: usize) -> &'m str {
        self.migrations[index].migration().id()
    }

    /// The index of the migration with this id.
    fn find(&self, id: &str) -> Option<usize> {
        let guess = self.next_guess;
        if guess < self.migrations.len() && self.id_at(guess) == id {
            return Some(guess);
        }
        self.migrations
            .binary_search_by(|m| m.migration().id().cmp(id))
            .ok()
    }

    /// Whether the row of `id` is acceptable, remembering its migration if it has one.
    fn accept_id(&mut self, id: &str) -> bool {
        self.current = self.find(id);
        let Some(index) = self.current else {
            // A row missing from the source: only `Ignore` accepts it when it is older than
            // the newest migration.
            return match self.missing {
                MissingPolicy::Ignore => true,
                MissingPolicy::IgnoreNewer => self
                    .migrations
                    .last()
                    .is_none_or(|newest| id > newest.migration().id()),
                MissingPolicy::Error => false,
            };
        };
        if self.seen[index] {
            return false;
        }
        self.seen[index] = true;
        self.seen_count += 1;
        self.next_guess = index + 1;
        true
    }

    fn accept_checksum(&self, stored: &str) -> bool {
        match self.current {
            Some(index) if self.verify_checksums => {
                up_matches(stored, self.migrations[index].migration(), self.dialect)
            }
            _ => true,
        }
    }
}

impl<M: AsMigration> TextSink for UpToDateCheck<'_, M> {
    fn start(&mut self, columns: &mut dyn Iterator<Item = &str>) {
        self.seen.clear();
        self.seen.resize(self.migrations.len(), false);
        self.seen_count = 0;
        self.column = 0;
        self.current = None;
        self.next_guess = 0;
        // An empty table announces no column on some drivers (they learn the names from
        // the first row); otherwise the columns must be the three asked for.
        let mut columns = columns.peekable();
        self.state = if columns.peek().is_none() {
            State::NoRow
        } else if columns.eq(COLUMNS) {
            State::UpToDateSoFar
        } else {
            State::Refused
        };
    }

    fn push(&mut self, value: Option<&str>) {
        let column = self.column;
        self.column = (column + 1) % COLUMNS.len();
        // A value under no column, or a `NULL` in the tracking table (the planner
        // explains), is refused.
        let accepted = self.state == State::UpToDateSoFar
            && value.is_some_and(|value| match column {
                0 => self.accept_id(value),
                1 => value == MigrationStatus::Completed.as_str(),
                _ => self.accept_checksum(value),
            });
        if !accepted {
            self.state = State::Refused;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::code::CodeMigration;

    fn migrations(ids: &[&str]) -> Vec<Arc<dyn Migration>> {
        ids.iter()
            .map(|id| Arc::new(CodeMigration::new(*id, "SELECT 1;")) as Arc<dyn Migration>)
            .collect()
    }

    fn checksum_of(migration: &Arc<dyn Migration>) -> String {
        migration.up_checksum(Dialect::Sqlite).into_owned()
    }

    /// Feeds `rows` (id, status, checksum) after announcing `columns`.
    fn read(
        all: &[Arc<dyn Migration>],
        columns: &[&str],
        rows: &[[Option<&str>; 3]],
        missing: MissingPolicy,
    ) -> bool {
        let mut check = UpToDateCheck::new(all, Dialect::Sqlite, missing, true);
        check.start(&mut columns.iter().copied());
        for row in rows {
            for value in row {
                check.push(*value);
            }
        }
        check.is_up_to_date()
    }

    #[test]
    fn every_migration_completed_in_any_order_is_up_to_date() {
        let all = migrations(&["1_a", "2_b", "3_c"]);
        let sums: Vec<String> = all.iter().map(checksum_of).collect();
        let row = |index: usize| {
            [
                Some(all[index].id()),
                Some("completed"),
                Some(&*sums[index]),
            ]
        };
        let ignore_newer = MissingPolicy::IgnoreNewer;
        assert!(read(
            &all,
            &COLUMNS,
            &[row(0), row(1), row(2)],
            ignore_newer
        ));
        assert!(read(
            &all,
            &COLUMNS,
            &[row(2), row(0), row(1)],
            ignore_newer
        ));
        assert!(!read(&all, &COLUMNS, &[row(0), row(2)], ignore_newer));
        assert!(!read(
            &all,
            &COLUMNS,
            &[row(0), row(1), row(1), row(2)],
            ignore_newer
        ));
        // A row cut short: the read ended mid-row.
        let mut check = UpToDateCheck::new(&all, Dialect::Sqlite, ignore_newer, true);
        check.start(&mut COLUMNS.into_iter());
        for value in [row(0), row(1), row(2)].iter().flatten() {
            check.push(*value);
        }
        check.push(Some("4_d"));
        assert!(!check.is_up_to_date());
    }

    #[test]
    fn nulls_other_statuses_drift_and_other_columns_are_refused() {
        let all = migrations(&["1_a"]);
        let sum = checksum_of(&all[0]);
        let policy = MissingPolicy::IgnoreNewer;
        assert!(read(
            &all,
            &COLUMNS,
            &[[Some("1_a"), Some("completed"), Some(&sum)]],
            policy
        ));
        assert!(!read(
            &all,
            &COLUMNS,
            &[[Some("1_a"), Some("failed"), Some(&sum)]],
            policy
        ));
        assert!(!read(
            &all,
            &COLUMNS,
            &[[Some("1_a"), Some("completed"), None]],
            policy
        ));
        assert!(!read(
            &all,
            &COLUMNS,
            &[[Some("1_a"), Some("completed"), Some("0ab")]],
            policy
        ));
        let swapped = ["id", "up_checksum", "status"];
        assert!(!read(
            &all,
            &swapped,
            &[[Some("1_a"), Some(&sum), Some("completed")]],
            policy
        ));
        // Not verifying checksums accepts a drifted file, as the planner does.
        let mut lenient = UpToDateCheck::new(&all, Dialect::Sqlite, policy, false);
        lenient.start(&mut COLUMNS.into_iter());
        for value in [Some("1_a"), Some("completed"), Some("0ab")] {
            lenient.push(value);
        }
        assert!(lenient.is_up_to_date());
    }

    #[test]
    fn an_empty_read_is_up_to_date_only_without_migrations() {
        let none = migrations(&[]);
        let some = migrations(&["1_a"]);
        let policy = MissingPolicy::IgnoreNewer;
        assert!(read(&none, &[], &[], policy));
        assert!(read(&none, &COLUMNS, &[], policy));
        assert!(!read(&some, &[], &[], policy));
        // Never started: the read failed before anything came.
        assert!(!UpToDateCheck::new(&none, Dialect::Sqlite, policy, true).is_up_to_date());
        // Values under no column.
        assert!(!read(
            &none,
            &[],
            &[[Some("1_a"), Some("completed"), Some("x")]],
            policy
        ));
    }

    #[test]
    fn a_read_sent_again_starts_over() {
        let all = migrations(&["1_a", "2_b"]);
        let sums: Vec<String> = all.iter().map(checksum_of).collect();
        let mut check = UpToDateCheck::new(&all, Dialect::Sqlite, MissingPolicy::IgnoreNewer, true);
        check.start(&mut COLUMNS.into_iter());
        // The first connection broke after one row and a half.
        for value in [Some("1_a"), Some("completed"), Some(&*sums[0]), Some("2_b")] {
            check.push(value);
        }
        check.start(&mut COLUMNS.into_iter());
        for (migration, sum) in all.iter().zip(&sums) {
            check.push(Some(migration.id()));
            check.push(Some("completed"));
            check.push(Some(sum));
        }
        assert!(check.is_up_to_date());
    }

    #[test]
    fn rows_missing_from_the_source_follow_the_policy() {
        let all = migrations(&["2_b", "3_c"]);
        let sums: Vec<String> = all.iter().map(checksum_of).collect();
        let applied = [
            [Some("2_b"), Some("completed"), Some(&*sums[0])],
            [Some("3_c"), Some("completed"), Some(&*sums[1])],
        ];
        let newer = [Some("9_z"), Some("completed"), Some("x")];
        let older = [Some("1_a"), Some("completed"), Some("x")];
        let with = |extra| [applied[0], extra, applied[1]];
        assert!(read(
            &all,
            &COLUMNS,
            &with(newer),
            MissingPolicy::IgnoreNewer
        ));
        assert!(!read(
            &all,
            &COLUMNS,
            &with(older),
            MissingPolicy::IgnoreNewer
        ));
        assert!(read(&all, &COLUMNS, &with(older), MissingPolicy::Ignore));
        assert!(!read(&all, &COLUMNS, &with(newer), MissingPolicy::Error));
    }

    #[test]
    fn strictly_sorted_refuses_disorder_and_duplicates() {
        assert!(strictly_sorted(&migrations(&["1_a", "2_b"])));
        assert!(!strictly_sorted(&migrations(&["2_b", "1_a"])));
        assert!(!strictly_sorted(&migrations(&["1_a", "1_a"])));
    }
}
