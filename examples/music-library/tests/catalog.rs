//! Tests of the `catalog` set, written with the schema builder: the round-trip proof on
//! SQLite, PostgreSQL and MariaDB (the servers when `SWITCHY_TEST_POSTGRES_URL` /
//! `SWITCHY_TEST_MYSQL_URL` are set), the column drop on a referenced table with rows in
//! it, and the SQL a dry run shows.

use music_library::catalog::{
    CATALOG_TABLE, CREATE_RELEASES, DROP_LABELS_COUNTRY, DROP_LABELS_FOUNDED, catalog_migrations,
};
use music_library::{MigrateOptions, Outcome, catalog_runner};
use switchy_schema::{Database, Dialect, MigrationRunner, Value};
use switchy_schema_test_utils::server::FreshDatabase;
use switchy_schema_test_utils::{
    MigrationTestBuilder, VerifyOptions, assert_column_exists, assert_column_not_exists,
    assert_foreign_key_integrity, assert_row_count, create_empty_in_memory,
    verify_migrations_full_cycle_with,
};

/// A fresh database of each available engine: in-memory SQLite (a sqlx pool, so foreign
/// keys are enforced), and PostgreSQL and MariaDB when their URLs are set.
async fn databases(test: &str) -> Vec<(Box<dyn Database>, Option<FreshDatabase>)> {
    let mut databases: Vec<(Box<dyn Database>, Option<FreshDatabase>)> =
        vec![(Box::new(create_empty_in_memory().await.unwrap()), None)];
    for dialect in [Dialect::Postgres, Dialect::MySql] {
        if let Some(fresh) = FreshDatabase::from_env(dialect, test).await {
            let db = fresh.connect().await.unwrap();
            databases.push((db, Some(fresh)));
        }
    }
    databases
}

#[tokio::test]
async fn every_down_of_the_catalog_undoes_its_up() {
    for (db, _guard) in databases("catalog_full_cycle").await {
        let db = &*db;
        let report = verify_migrations_full_cycle_with(
            db,
            catalog_migrations(),
            &VerifyOptions::new().with_table_name(CATALOG_TABLE),
        )
        .await
        .unwrap_or_else(|error| panic!("{}: {error}", db.dialect()));
        assert_eq!(report.after_each.len(), 8, "{}", db.dialect());
        let last = &report.after_each[7].1;
        let releases = &last.tables["releases"];
        assert!(releases.columns.contains_key("format"), "{}", db.dialect());
        let labels = &last.tables["labels"];
        for dropped in ["country", "founded"] {
            assert!(
                !labels.columns.contains_key(dropped),
                "{}: {dropped}",
                db.dialect()
            );
        }
        assert!(
            !labels.indexes.contains_key("labels_by_founded"),
            "{}",
            db.dialect()
        );
    }
}

async fn insert_labels_and_releases(
    db: &dyn Database,
) -> Result<(), switchy_schema_test_utils::BoxError> {
    db.exec_raw(
        "INSERT INTO labels (id, name, country, founded) VALUES
             (1, 'Blue Note', 'US', 1939), (2, 'Factory', 'GB', 1978);
         INSERT INTO releases (id, label_id, title, year) VALUES
             (1, 1, 'Somethin'' Else', 1958), (2, 1, 'Speak No Evil', 1966),
             (3, 2, 'Unknown Pleasures', 1979);",
    )
    .await?;
    Ok(())
}

/// The release titles, by id.
async fn release_titles(db: &dyn Database) -> Result<Vec<String>, switchy_schema::DatabaseError> {
    Ok(db
        .query("SELECT title FROM releases ORDER BY id", &[])
        .await?
        .iter()
        .map(|row| row.get_str("title").unwrap_or_default().to_owned())
        .collect())
}

#[tokio::test]
async fn dropping_a_column_of_a_referenced_table_keeps_the_rows_that_reference_it() {
    for (db, _guard) in databases("catalog_drop_column").await {
        let db = &*db;
        if db.dialect() == Dialect::Sqlite {
            // The point of the test: with enforcement on, deleting a label deletes its
            // releases, so a rebuild that dropped `labels` would empty `releases`.
            let on = db.query("PRAGMA foreign_keys", &[]).await.unwrap();
            assert_eq!(on[0].get_index(0), Some(&Value::Int(1)), "foreign keys on");
        }
        MigrationTestBuilder::new(catalog_migrations())
            .with_table_name(CATALOG_TABLE)
            .with_data_after(CREATE_RELEASES, async |db| {
                insert_labels_and_releases(db).await
            })
            .with_data_after(DROP_LABELS_COUNTRY, async |db| {
                assert_column_not_exists(db, "labels", "country").await?;
                assert_row_count(db, "labels", 2).await?;
                assert_eq!(
                    release_titles(db).await?,
                    ["Somethin' Else", "Speak No Evil", "Unknown Pleasures"]
                );
                assert_foreign_key_integrity(db).await?;
                Ok(())
            })
            .with_data_after(DROP_LABELS_FOUNDED, async |db| {
                assert_column_not_exists(db, "labels", "founded").await?;
                assert_row_count(db, "labels", 2).await?;
                assert_eq!(
                    release_titles(db).await?,
                    ["Somethin' Else", "Speak No Evil", "Unknown Pleasures"]
                );
                assert_foreign_key_integrity(db).await?;
                Ok(())
            })
            .with_rollback()
            .run(db)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", db.dialect()));
    }
}

#[tokio::test]
async fn the_rollback_of_the_column_drop_keeps_the_rows_too() {
    for (db, _guard) in databases("catalog_drop_column_down").await {
        let db = &*db;
        let runner = || {
            MigrationRunner::new(catalog_migrations())
                .with_table_name(CATALOG_TABLE)
                .with_strategy(switchy_schema::ExecutionStrategy::UpTo(
                    CREATE_RELEASES.to_owned(),
                ))
        };
        runner().run(db).await.unwrap();
        insert_labels_and_releases(db).await.unwrap();
        catalog_runner().run(db).await.unwrap();
        catalog_runner()
            .rollback(
                db,
                switchy_schema::RollbackStrategy::DownTo(CREATE_RELEASES.to_owned()),
            )
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", db.dialect()));
        assert_column_exists(db, "labels", "country").await.unwrap();
        assert_column_exists(db, "labels", "founded").await.unwrap();
        assert_eq!(
            release_titles(db).await.unwrap(),
            ["Somethin' Else", "Speak No Evil", "Unknown Pleasures"],
            "{}",
            db.dialect()
        );
    }
}

#[tokio::test]
async fn a_dry_run_shows_the_statements_of_each_dialect() {
    for (db, _guard) in databases("catalog_dry_run").await {
        let db = &*db;
        let report = catalog_runner().dry_run(true).run(db).await.unwrap();
        assert_eq!(report.planned.len(), 8);
        let create_labels = report.planned[0].sql.as_deref().unwrap_or_default();
        let quoted = match db.dialect() {
            Dialect::MySql => "CREATE TABLE `labels`",
            Dialect::Sqlite | Dialect::Postgres => "CREATE TABLE \"labels\"",
        };
        assert!(
            create_labels.contains(quoted),
            "{}: {create_labels}",
            db.dialect()
        );
        // Nothing ran, not even the tracking table.
        assert!(
            db.query("SELECT 1 FROM labels", &[]).await.is_err(),
            "{}",
            db.dialect()
        );
        let applied = music_library::migrate_catalog_with(db, MigrateOptions::default())
            .await
            .unwrap();
        assert!(matches!(applied, Outcome::Applied(ref r) if r.applied.len() == 8));
    }
}
