//! The runner (stub).

use crate::database::Database;
use crate::error::Result;
use crate::migration::MigrationSource;
use crate::report::RunReport;

/// Applies, rolls back and lists migrations.
pub struct MigrationRunner {
    source: Box<dyn MigrationSource>,
}

impl MigrationRunner {
    /// A runner over `source`.
    pub fn new(source: impl MigrationSource + 'static) -> Self {
        Self { source: Box::new(source) }
    }

    /// Applies pending migrations.
    pub async fn run(&self, db: &dyn Database) -> Result<RunReport> {
        let _ = (db, &self.source);
        Ok(RunReport::default())
    }
}
