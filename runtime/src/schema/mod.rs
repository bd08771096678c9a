//! The schema builder: typed DDL rendered for the dialect of the database it runs on.
//!
//! Each builder is an [`Executable`](crate::code::Executable), so a
//! [`CodeMigration`](crate::code::CodeMigration) can be a builder, a list of them
//! (`Vec<Box<dyn Executable>>`, with [`Executable::boxed`](crate::code::Executable::boxed)),
//! or a closure that runs them. The same migration then runs on SQLite, PostgreSQL and
//! MySQL/MariaDB:
//!
//! ```
//! use switchy_schema::MigrationRunner;
//! use switchy_schema::code::{CodeMigration, CodeSource, Executable};
//! use switchy_schema::schema::{
//!     alter_table, create_index, create_table, drop_table, Column, ColumnType, ReferentialAction,
//! };
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let artists = create_table("artists")
//!     .column(Column::new("id", ColumnType::BigInt).primary_key().auto_increment())
//!     .column(Column::new("name", ColumnType::VarChar(200)).not_null());
//! let albums = create_table("albums")
//!     .column(Column::new("id", ColumnType::BigInt).primary_key().auto_increment())
//!     .column(Column::new("title", ColumnType::VarChar(200)).not_null().default("untitled"))
//!     .column(
//!         Column::new("artist_id", ColumnType::BigInt)
//!             .not_null()
//!             .references("artists", "id")
//!             .on_delete(ReferentialAction::Cascade),
//!     );
//!
//! let migrations = CodeSource::new()
//!     .with(
//!         CodeMigration::new("0001_library", vec![artists.boxed(), albums.boxed()])
//!             .with_down(vec![drop_table("albums").boxed(), drop_table("artists").boxed()]),
//!     )
//!     .with(
//!         CodeMigration::new(
//!             "0002_year",
//!             vec![
//!                 alter_table("albums")
//!                     .add_column(Column::new("year", ColumnType::Integer))
//!                     .boxed(),
//!                 create_index("albums_by_year", "albums").column("year").boxed(),
//!             ],
//!         ),
//!     );
//!
//! let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
//! MigrationRunner::new(migrations).run(&pool).await?;
//! # Ok(())
//! # }
//! ```
//!
//! # Rendering
//!
//! Every identifier is quoted for the dialect (`"name"`, or `` `name` `` on MySQL), so
//! any name is safe. Column types are portable ([`ColumnType`], with a table of what each
//! becomes), and defaults given as values are written as escaped literals
//! ([`DefaultValue`]). Where the builder takes SQL (a [`DefaultValue::Raw`] default, a
//! check, an index expression or predicate, [`ColumnType::Custom`]) the text is written as
//! is: never build it from untrusted input.
//!
//! Each builder's `to_sql(dialect)` returns its statements without touching a database.
//! What a dialect cannot express is an [`Error::Unsupported`](crate::Error::Unsupported)
//! naming the operation and the dialect (a partial index on MySQL, `DROP INDEX` on MySQL
//! without its table, `DROP TABLE .. CASCADE` outside PostgreSQL), never a silently
//! different statement.
//!
//! # SQLite table rebuilds
//!
//! SQLite's `ALTER TABLE` cannot modify a column, add or drop a constraint, drop a column
//! that is indexed or part of a key, nor add a unique, stored generated or
//! `CURRENT_TIMESTAMP`-defaulted column. Those operations rebuild the table following
//! [SQLite's procedure](https://www.sqlite.org/lang_altertable.html#otheralter), inside
//! the migration's transaction, keeping its rows, indexes, triggers, views and the foreign
//! keys into and out of it; a failure leaves the table as it was. A dry run shows them as
//! a comment, since their statements depend on the table as it is in the database. How
//! foreign keys are handled (no `ON DELETE` action of a referencing table ever runs, also
//! inside the migration's transaction with foreign keys on) is described with
//! [`AlterTable`].

mod alter;
mod column;
mod constraint;
mod default;
mod execute;
mod index;
mod render;
mod sqlite_catalog;
mod sqlite_ddl;
mod sqlite_rebuild;
mod table;
mod types;

pub use alter::AlterTable;
pub use column::{Column, Generated};
pub use constraint::{ConstraintKind, ForeignKey, ReferentialAction, TableConstraint};
pub use default::DefaultValue;
pub use index::{CreateIndex, DropIndex};
pub use table::{CreateTable, DropTable};
pub use types::ColumnType;

/// `CREATE TABLE name`; add columns with [`CreateTable::column`].
pub fn create_table(name: impl Into<String>) -> CreateTable {
    CreateTable::new(name.into())
}

/// `DROP TABLE name`.
pub fn drop_table(name: impl Into<String>) -> DropTable {
    DropTable::new(name.into())
}

/// `CREATE INDEX name ON table`; add its key with [`CreateIndex::column`] or
/// [`CreateIndex::expression`].
pub fn create_index(name: impl Into<String>, table: impl Into<String>) -> CreateIndex {
    CreateIndex::new(name.into(), table.into())
}

/// `DROP INDEX name`; MySQL also needs the table, given with [`DropIndex::on`].
pub fn drop_index(name: impl Into<String>) -> DropIndex {
    DropIndex::new(name.into())
}

/// `ALTER TABLE name`; add operations such as [`AlterTable::add_column`].
pub fn alter_table(name: impl Into<String>) -> AlterTable {
    AlterTable::new(name.into())
}
