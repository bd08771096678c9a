//! [`MigrationRunner::clear_history`]: forgetting every tracked migration at once.

use crate::database::Database;
use crate::error::{Error, Result};
use crate::lock::MigrationLock;
use crate::runner::{MigrationRunner, pin, release, with_lock};
use crate::tracker::Tracker;

impl MigrationRunner {
    /// **Dangerous.** Deletes every row of the tracking table, whatever its status, without
    /// running or undoing anything: the database forgets which migrations ran. Meant to be
    /// followed by [`mark_all_migrations_completed`](Self::mark_all_migrations_completed)
    /// to rebuild the history of a database whose schema is known to match the source
    /// (what switchy_schema 0.4's CLI called `mark-all-completed --drop`). The table itself
    /// is kept (created or upgraded first, like every writing call), under the migration
    /// lock.
    ///
    /// Returns how many rows were deleted; in a [dry run](Self::dry_run), how many would be.
    ///
    /// ```
    /// use switchy_schema::MigrationRunner;
    /// use switchy_schema::code::{CodeMigration, CodeSource};
    ///
    /// # #[tokio::main(flavor = "current_thread")]
    /// # async fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
    /// let source = || CodeSource::new().with(CodeMigration::new("0001_users", "CREATE TABLE users (id INTEGER)"));
    /// MigrationRunner::new(source()).run(&pool).await?;
    ///
    /// assert_eq!(MigrationRunner::new(source()).dry_run(true).clear_history(&pool).await?, 1);
    /// assert_eq!(MigrationRunner::new(source()).clear_history(&pool).await?, 1);
    /// let listed = MigrationRunner::new(source()).list_migrations(&pool).await?;
    /// assert_eq!(listed[0].status, None); // pending again, though `users` exists
    /// # Ok(())
    /// # }
    /// ```
    pub async fn clear_history(&self, db: &dyn Database) -> Result<usize> {
        let tracker = Tracker::new(&self.table_name, db.dialect())?;
        if self.dry_run {
            return Ok(self.read_without_writing(db, &tracker).await?.len());
        }
        let quoted = tracker.table().quoted(db.dialect());
        with_lock!(self, db, &tracker, |session| {
            let deleted = session
                .execute(&format!("DELETE FROM {quoted}"), &[])
                .await
                .map_err(|e| Error::database("clearing the tracking table", e))?;
            Ok(usize::try_from(deleted).unwrap_or(usize::MAX))
        })
    }
}
