//! The `catalog` migration set (record labels and their releases), written entirely with
//! the schema builder: no SQL text, and the same code runs on SQLite, PostgreSQL and
//! MySQL/MariaDB, each getting its own statements.
//!
//! Two migrations drop a column of `labels`, which `releases` references with
//! `ON DELETE CASCADE`:
//! - `drop_labels_country`: on SQLite that is `ALTER TABLE .. DROP COLUMN`, which keeps
//!   the table (and so every release);
//! - `drop_labels_founded`: the column is indexed, which SQLite's `DROP COLUMN` refuses, so
//!   on SQLite the builder rebuilds `labels`. A hand-written rebuild that drops and
//!   recreates `labels` would delete every release through the cascade, with foreign keys
//!   enforced as sqlx enforces them by default, and `PRAGMA foreign_keys` cannot be turned
//!   off inside the migration's transaction. The builder's rebuild runs in that
//!   transaction all the same: it moves the old `labels` aside in SQLite's catalog, where
//!   `releases` no longer references it, so dropping it runs no cascade (see
//!   [`AlterTable`](switchy_schema::schema::AlterTable)).
//!
//! The tests prove that the releases survive both.
//!
//! ```
//! use switchy_schema::MigrationRunner;
//! use music_library::catalog::{CATALOG_TABLE, catalog_migrations};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let pool = sqlx::SqlitePool::connect("sqlite::memory:").await?;
//! let report = MigrationRunner::new(catalog_migrations())
//!     .with_table_name(CATALOG_TABLE)
//!     .run(&pool)
//!     .await?;
//! assert_eq!(report.applied.len(), 8);
//! # Ok(())
//! # }
//! ```

use switchy_schema::code::{CodeMigration, CodeSource, Executable};
use switchy_schema::schema::{
    Column, ColumnType, ReferentialAction, alter_table, create_index, create_table, drop_index,
    drop_table,
};

/// The tracking table of the `catalog` set.
pub const CATALOG_TABLE: &str = "music_catalog_migrations";

/// The id of the migration that creates `releases`.
pub const CREATE_RELEASES: &str = "2024-10-01-090100_create_releases";

/// The id of the migration that drops `labels.country`, a column of a referenced table.
pub const DROP_LABELS_COUNTRY: &str = "2024-10-03-080000_drop_labels_country";

/// The id of the migration that drops `labels.founded`, an indexed column of a referenced
/// table (a table rebuild on SQLite).
pub const DROP_LABELS_FOUNDED: &str = "2024-10-07-080000_drop_labels_founded";

/// The `catalog` migrations, in order.
#[must_use]
pub fn catalog_migrations() -> CodeSource {
    CodeSource::new()
        .with(create_labels())
        .with(create_releases())
        .with(add_labels_website())
        .with(drop_labels_country())
        .with(index_release_titles())
        .with(rename_release_format())
        .with(index_labels_founded())
        .with(drop_labels_founded())
}

fn create_labels() -> CodeMigration {
    CodeMigration::new(
        "2024-10-01-090000_create_labels",
        create_table("labels")
            .column(
                Column::new("id", ColumnType::BigInt)
                    .primary_key()
                    .auto_increment(),
            )
            .column(
                Column::new("name", ColumnType::VarChar(200))
                    .not_null()
                    .unique(),
            )
            .column(Column::new("country", ColumnType::Char(2)))
            .column(Column::new("founded", ColumnType::Integer)),
    )
    .with_down(drop_table("labels"))
    .with_description("record labels")
}

fn create_releases() -> CodeMigration {
    CodeMigration::new(
        CREATE_RELEASES,
        vec![
            create_table("releases")
                .column(
                    Column::new("id", ColumnType::BigInt)
                        .primary_key()
                        .auto_increment(),
                )
                .column(
                    Column::new("label_id", ColumnType::BigInt)
                        .not_null()
                        .references("labels", "id")
                        .on_delete(ReferentialAction::Cascade),
                )
                .column(Column::new("title", ColumnType::VarChar(200)).not_null())
                .column(Column::new("year", ColumnType::Integer))
                .column(
                    Column::new("medium", ColumnType::VarChar(20))
                        .not_null()
                        .default("cd"),
                )
                .boxed(),
            create_index("releases_by_label_year", "releases")
                .columns(["label_id", "year"])
                .boxed(),
        ],
    )
    .with_down(drop_table("releases"))
    .with_description("releases of a label; deleting a label deletes its releases")
}

fn add_labels_website() -> CodeMigration {
    CodeMigration::new(
        "2024-10-02-080000_add_labels_website",
        alter_table("labels").add_column(Column::new("website", ColumnType::VarChar(300))),
    )
    .with_down(alter_table("labels").drop_column("website"))
}

fn drop_labels_country() -> CodeMigration {
    CodeMigration::new(
        DROP_LABELS_COUNTRY,
        alter_table("labels").drop_column("country"),
    )
    .with_down(alter_table("labels").add_column(Column::new("country", ColumnType::Char(2))))
    .with_description("drops a column of a table that releases reference")
}

fn index_release_titles() -> CodeMigration {
    CodeMigration::new(
        "2024-10-04-080000_index_release_titles",
        create_index("releases_unique_title", "releases")
            .columns(["label_id", "title"])
            .unique(),
    )
    .with_down(drop_index("releases_unique_title").on("releases"))
}

fn rename_release_format() -> CodeMigration {
    CodeMigration::new(
        "2024-10-05-080000_rename_release_medium",
        alter_table("releases").rename_column("medium", "format"),
    )
    .with_down(alter_table("releases").rename_column("format", "medium"))
}

fn labels_by_founded() -> switchy_schema::schema::CreateIndex {
    create_index("labels_by_founded", "labels").column("founded")
}

fn index_labels_founded() -> CodeMigration {
    CodeMigration::new(
        "2024-10-06-080000_index_labels_founded",
        labels_by_founded(),
    )
    .with_down(drop_index("labels_by_founded").on("labels"))
}

fn drop_labels_founded() -> CodeMigration {
    CodeMigration::new(
        DROP_LABELS_FOUNDED,
        alter_table("labels").drop_column("founded"),
    )
    .with_down(vec![
        alter_table("labels")
            .add_column(Column::new("founded", ColumnType::Integer))
            .boxed(),
        labels_by_founded().boxed(),
    ])
    .with_description(
        "drops an indexed column of a table that releases reference: a rebuild on SQLite, \
         in the migration's transaction, that never cascades into releases",
    )
}
