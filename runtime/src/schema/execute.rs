//! The builders as [`Executable`]s: each renders for the dialect of the database it runs on.

use std::borrow::Cow;

use async_trait::async_trait;

use crate::code::Executable;
use crate::database::{Database, Dialect};
use crate::error::Result;

use super::alter::{AlterTable, Step};
use super::index::{CreateIndex, DropIndex};
use super::render::script;
use super::table::{CreateTable, DropTable};

/// Runs `statements` one at a time (so that PostgreSQL never wraps them in one implicit
/// transaction, which `CREATE INDEX CONCURRENTLY` refuses).
async fn run_all(db: &dyn Database, statements: &[String]) -> Result<()> {
    for statement in statements {
        db.exec_raw(statement).await?;
    }
    Ok(())
}

/// The text of `statements` for [`Executable::sql`], or the error as a SQL comment (what
/// a dry run shows; running it fails with the error).
fn text(statements: Result<Vec<String>>) -> Cow<'static, str> {
    Cow::Owned(match statements {
        Ok(statements) => script(&statements),
        Err(error) => format!("-- error: {error}"),
    })
}

macro_rules! plain_executable {
    ($type:ty) => {
        #[async_trait]
        impl Executable for $type {
            async fn execute(&self, db: &dyn Database) -> Result<()> {
                run_all(db, &self.to_sql(db.dialect())?).await
            }

            fn sql(&self, dialect: Dialect) -> Option<Cow<'_, str>> {
                Some(text(self.to_sql(dialect)))
            }
        }
    };
}

plain_executable!(CreateTable);
plain_executable!(DropTable);
plain_executable!(CreateIndex);
plain_executable!(DropIndex);

#[async_trait]
impl Executable for AlterTable {
    async fn execute(&self, db: &dyn Database) -> Result<()> {
        let dialect = db.dialect();
        for step in self.steps(dialect)? {
            match step {
                Step::Sql(sql) => db.exec_raw(&sql).await?,
                Step::SqliteNativeOrRebuild { sql, operation } => {
                    super::sqlite_rebuild::native_or_rebuild(db, &self.name, &sql, &operation)
                        .await?;
                }
                Step::SqliteRebuild(operation) => {
                    super::sqlite_rebuild::rebuild(db, &self.name, &operation).await?;
                }
            }
        }
        Ok(())
    }

    fn sql(&self, dialect: Dialect) -> Option<Cow<'_, str>> {
        let steps = match self.steps(dialect) {
            Ok(steps) => steps,
            Err(error) => return Some(text(Err(error))),
        };
        let mut statements = Vec::with_capacity(steps.len());
        for step in steps {
            statements.push(match step {
                Step::Sql(sql) => sql,
                Step::SqliteNativeOrRebuild { sql, operation } => {
                    super::sqlite_rebuild::describe_native_or_rebuild(&self.name, &sql, &operation)
                }
                Step::SqliteRebuild(operation) => {
                    super::sqlite_rebuild::describe(&self.name, &operation)
                }
            });
        }
        Some(text(Ok(statements)))
    }
}
