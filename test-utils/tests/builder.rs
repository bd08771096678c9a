//! `MigrationTestBuilder` on every engine: closures run grouped around their migration,
//! borrow from the test, unknown ids are named, rollback is opt-in and checked.

mod common;

use std::cell::RefCell;

use common::{each, each_of};
use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema::{Database, Dialect};
use switchy_schema_test_utils::{
    Error, MigrationTestBuilder, assert_migrations_applied_in, assert_migrations_not_applied,
    assert_row_count, assert_table_exists, assert_table_not_exists,
};

fn three() -> CodeSource {
    CodeSource::new()
        .with(CodeMigration::new("0001_a", "CREATE TABLE a (id INTEGER)").with_down("DROP TABLE a"))
        .with(CodeMigration::new("0002_b", "CREATE TABLE b (id INTEGER)").with_down("DROP TABLE b"))
        .with(CodeMigration::new("0003_c", "CREATE TABLE c (id INTEGER)").with_down("DROP TABLE c"))
}

/// Which of the tables `a`, `b`, `c` exist.
async fn tables(db: &dyn Database) -> String {
    let mut found = String::new();
    for table in ["a", "b", "c"] {
        if db
            .query(&format!("SELECT COUNT(*) AS n FROM {table}"), &[])
            .await
            .is_ok()
        {
            found.push_str(table);
        }
    }
    found
}

#[tokio::test]
async fn closures_run_grouped_around_their_migration_in_order() {
    each("builder_order", async |db| {
        let log = RefCell::new(Vec::<String>::new());
        let record = async |label: &str, db: &dyn Database| {
            let seen = tables(db).await;
            log.borrow_mut().push(format!("{label} [{seen}]"));
        };
        let report = MigrationTestBuilder::new(three())
            .with_data_after("0002_b", async |db| {
                record("after b #1", db).await;
                Ok(())
            })
            .with_data_before("0002_b", async |db| {
                record("before b #1", db).await;
                Ok(())
            })
            .with_initial_setup(async |db| {
                record("setup", db).await;
                Ok(())
            })
            .with_data_before("0002_b", async |db| {
                record("before b #2", db).await;
                Ok(())
            })
            .with_data_after("0003_c", async |db| {
                record("after c", db).await;
                Ok(())
            })
            .with_data_after("0002_b", async |db| {
                record("after b #2", db).await;
                Ok(())
            })
            .run(db)
            .await
            .unwrap();
        assert_eq!(
            log.into_inner(),
            [
                "setup []",
                "before b #1 [a]",
                "before b #2 [a]",
                "after b #1 [ab]",
                "after b #2 [ab]",
                "after c [abc]",
            ],
            "{}",
            db.dialect()
        );
        assert_eq!(report.applied, ["0001_a", "0002_b", "0003_c"]);
        assert!(report.rolled_back.is_empty());
        // No rollback by default: the schema is there for the rest of the test.
        assert_eq!(tables(db).await, "abc");
    })
    .await;
}

#[tokio::test]
async fn a_data_migration_is_tested_with_rows_inserted_before_it() {
    each("builder_data_migration", async |db| {
        let migrations = CodeSource::new()
            .with(
                CodeMigration::new(
                    "0001_albums",
                    "CREATE TABLE albums (id INTEGER PRIMARY KEY, title VARCHAR(100), artwork VARCHAR(200))",
                )
                .with_down("DROP TABLE albums"),
            )
            .with(
                CodeMigration::new(
                    "0002_artwork_table",
                    "CREATE TABLE album_artwork (album_id INTEGER PRIMARY KEY, path VARCHAR(200) NOT NULL);
                     INSERT INTO album_artwork (album_id, path) SELECT id, artwork FROM albums WHERE artwork IS NOT NULL;
                     ALTER TABLE albums DROP COLUMN artwork;",
                )
                .with_down(
                    "ALTER TABLE albums ADD COLUMN artwork VARCHAR(200);
                     UPDATE albums SET artwork = (SELECT path FROM album_artwork WHERE album_id = albums.id);
                     DROP TABLE album_artwork;",
                ),
            );
        MigrationTestBuilder::new(migrations)
            .with_data_before("0002_artwork_table", async |db| {
                db.exec_raw(
                    "INSERT INTO albums (id, title, artwork) VALUES (1, 'Blue', 'blue.jpg'), (2, 'Red', NULL)",
                )
                .await?;
                Ok(())
            })
            .with_data_after("0002_artwork_table", async |db| {
                assert_row_count(db, "album_artwork", 1).await?;
                let rows = db.query("SELECT album_id, path FROM album_artwork", &[]).await?;
                assert_eq!(rows[0].get_str("path"), Some("blue.jpg"));
                switchy_schema_test_utils::assert_column_not_exists(db, "albums", "artwork").await?;
                Ok(())
            })
            .with_rollback()
            .run(db)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", db.dialect()));
        assert_table_not_exists(db, "albums").await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn rollback_is_opt_in_and_checks_the_schema() {
    each("builder_rollback", async |db| {
        let report = MigrationTestBuilder::new(three())
            .with_rollback()
            .run(db)
            .await
            .unwrap();
        assert_eq!(report.rolled_back, ["0003_c", "0002_b", "0001_a"]);
        assert_eq!(tables(db).await, "");
        assert_migrations_not_applied(db, &["0001_a", "0002_b", "0003_c"])
            .await
            .unwrap();

        let broken = CodeSource::new().with(
            CodeMigration::new(
                "0001_a",
                "CREATE TABLE a (id INTEGER); CREATE INDEX a_id ON a (id)",
            )
            .with_down("DROP INDEX a_id"),
        );
        let mysql = db.dialect() == Dialect::MySql;
        let broken = if mysql {
            CodeSource::new().with(
                CodeMigration::new("0001_a", "CREATE TABLE a (id INTEGER); CREATE INDEX a_id ON a (id)")
                    .with_down("DROP INDEX a_id ON a"),
            )
        } else {
            broken
        };
        let error = MigrationTestBuilder::new(broken)
            .with_rollback()
            .run(db)
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "rolling back the migrations did not restore the schema:\ntable `a` present after the rollback but not before"
        );
    })
    .await;
}

#[tokio::test]
async fn unknown_ids_are_named_before_anything_runs() {
    each_of(&[Dialect::Sqlite], "builder_unknown", async |db| {
        let error = MigrationTestBuilder::new(three())
            .with_data_before("0002_b", async |_| Ok(()))
            .with_data_after("0002_bee", async |_| Ok(()))
            .run(db)
            .await
            .unwrap_err();
        assert!(matches!(&error, Error::UnknownMigration { id, .. } if id == "0002_bee"));
        assert_eq!(
            error.to_string(),
            "unknown migration `0002_bee` given to with_data_after; the source has `0001_a`, `0002_b`, `0003_c`"
        );
        assert_eq!(tables(db).await, "");
    })
    .await;
}

#[tokio::test]
async fn a_failing_closure_is_named_and_stops_the_run() {
    each_of(&[Dialect::Sqlite], "builder_failing_closure", async |db| {
        let error = MigrationTestBuilder::new(three())
            .with_data_before("0003_c", async |_| Ok(()))
            .with_data_before("0003_c", async |db| {
                db.exec_raw("INSERT INTO missing VALUES (1)").await?;
                Ok(())
            })
            .run(db)
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("with_data_before(`0003_c`) #2 failed: ") && message.contains("missing"),
            "{message}"
        );
        assert_eq!(tables(db).await, "ab");

        // Its migration was not applied, so the test can be run again on this database;
        // closures around an applied migration are refused.
        let error = MigrationTestBuilder::new(three())
            .with_data_after("0002_b", async |_| Ok(()))
            .run(db)
            .await
            .unwrap_err();
        assert_eq!(
            error.to_string(),
            "migration `0002_b` is already applied, so its with_data_before / with_data_after closures cannot run around it"
        );
        MigrationTestBuilder::new(three())
            .with_data_before("0003_c", async |db| {
                assert_table_exists(db, "b").await?;
                Ok(())
            })
            .run(db)
            .await
            .unwrap();
        assert_eq!(tables(db).await, "abc");
    })
    .await;
}

#[tokio::test]
async fn a_custom_tracking_table_is_used() {
    each("builder_table_name", async |db| {
        MigrationTestBuilder::new(three())
            .with_table_name("music_migrations")
            .with_data_after("0001_a", async |db| {
                assert_migrations_applied_in(db, "music_migrations", &["0001_a"]).await?;
                Ok(())
            })
            .run(db)
            .await
            .unwrap();
        assert_migrations_applied_in(db, "music_migrations", &["0001_a", "0002_b", "0003_c"])
            .await
            .unwrap();
        assert_table_not_exists(db, "__switchy_migrations")
            .await
            .unwrap();
    })
    .await;
}
