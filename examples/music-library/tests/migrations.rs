//! Tests of the music library's migrations, written with `switchy_schema_test_utils`:
//! the round-trip proof on SQLite (and PostgreSQL when `SWITCHY_TEST_POSTGRES_URL` is set),
//! the data-transforming migrations with old-format rows inserted before them, the staged
//! and baseline entry points, and the schema after each migration as insta snapshots.

use music_library::{
    CONFIG_MIGRATIONS, CONFIG_TABLE, LIBRARY_MIGRATIONS, LIBRARY_TABLE, MigrateOptions, Outcome,
    library_runner, migrate_config_with, migrate_library_until, migrate_library_with,
};
use switchy_schema::{Database, Dialect, RollbackStrategy, Value};
use switchy_schema_test_utils::server::FreshDatabase;
use switchy_schema_test_utils::{
    MigrationTestBuilder, SchemaSnapshot, VerifyOptions, assert_column_exists,
    assert_column_not_exists, assert_foreign_key_integrity, assert_migrations_applied_in,
    assert_migrations_not_applied_in, assert_row_count, assert_table_exists,
    assert_table_not_exists, create_empty_in_memory, schema_history_with,
    verify_migrations_full_cycle_with,
};

const SORT_NAME: &str = "2024-06-10-120000_add_artists_sort_name";
const ARTWORK: &str = "2024-07-01-080000_move_album_artwork";
const PLAYLIST_KEY: &str = "2024-07-15-090000_playlist_tracks_primary_key";
const TITLE_INDEX: &str = "2024-08-01-070000_index_tracks_title";
const DURATION: &str = "2024-09-01-100000_tracks_duration_ms";

/// A fresh database of each available dialect: in-memory SQLite, and PostgreSQL when its
/// URL is set. The server database is dropped with the returned guard.
async fn databases(test: &str) -> Vec<(Box<dyn Database>, Option<FreshDatabase>)> {
    let mut databases: Vec<(Box<dyn Database>, Option<FreshDatabase>)> =
        vec![(Box::new(create_empty_in_memory().await.unwrap()), None)];
    if let Some(fresh) = FreshDatabase::from_env(Dialect::Postgres, test).await {
        let db = fresh.connect().await.unwrap();
        databases.push((db, Some(fresh)));
    }
    databases
}

fn library_options() -> VerifyOptions {
    VerifyOptions::new().with_table_name(LIBRARY_TABLE)
}

#[tokio::test]
async fn every_down_undoes_its_up_for_both_sets() {
    for (db, _guard) in databases("music_full_cycle").await {
        let db = &*db;
        let config = verify_migrations_full_cycle_with(
            db,
            &CONFIG_MIGRATIONS,
            &VerifyOptions::new().with_table_name(CONFIG_TABLE),
        )
        .await
        .unwrap_or_else(|error| panic!("{}: {error}", db.dialect()));
        assert_eq!(config.after_each.len(), 4);
        let library =
            verify_migrations_full_cycle_with(db, &LIBRARY_MIGRATIONS, &library_options())
                .await
                .unwrap_or_else(|error| panic!("{}: {error}", db.dialect()));
        assert_eq!(library.after_each.len(), 11);
    }
}

#[tokio::test]
async fn both_sets_share_one_database_with_separate_histories() {
    for (db, _guard) in databases("music_two_sets").await {
        let db = &*db;
        migrate_config_with(db, MigrateOptions::default())
            .await
            .unwrap();
        migrate_library_with(db, MigrateOptions::default())
            .await
            .unwrap();
        assert_migrations_applied_in(
            db,
            CONFIG_TABLE,
            &["2024-05-01-090300_seed_default_profile"],
        )
        .await
        .unwrap();
        assert_migrations_applied_in(db, LIBRARY_TABLE, &[DURATION])
            .await
            .unwrap();
        assert_migrations_not_applied_in(
            db,
            LIBRARY_TABLE,
            &["2024-05-01-090300_seed_default_profile"],
        )
        .await
        .unwrap();
        assert_table_not_exists(db, "__switchy_migrations")
            .await
            .unwrap();
        assert_row_count(db, "profiles", 1).await.unwrap();
        // The library's full cycle runs with the config tables present and untouched.
        library_runner()
            .rollback(db, RollbackStrategy::All)
            .await
            .unwrap();
        verify_migrations_full_cycle_with(db, &LIBRARY_MIGRATIONS, &library_options())
            .await
            .unwrap();
        assert_row_count(db, "profiles", 1).await.unwrap();
    }
}

async fn insert_catalog(db: &dyn Database) -> Result<(), switchy_schema_test_utils::BoxError> {
    db.exec_raw(
        "INSERT INTO artists (id, name) VALUES (1, 'The Beatles'), (2, 'Nina Simone');
         INSERT INTO albums (id, artist_id, title, artwork) VALUES
             (1, 1, 'Abbey Road', '/covers/abbey-road.jpg'),
             (2, 1, 'Let It Be', NULL),
             (3, 2, 'Pastel Blues', '/covers/pastel-blues.png');",
    )
    .await?;
    Ok(())
}

#[tokio::test]
async fn album_artwork_moves_into_its_own_table_and_back() {
    for (db, _guard) in databases("music_artwork").await {
        let db = &*db;
        MigrationTestBuilder::new(&LIBRARY_MIGRATIONS)
            .with_table_name(LIBRARY_TABLE)
            .with_data_before(ARTWORK, async |db| insert_catalog(db).await)
            .with_data_after(ARTWORK, async |db| {
                assert_column_not_exists(db, "albums", "artwork").await?;
                let rows = db
                    .query(
                        "SELECT album_id, path, source FROM album_artwork ORDER BY album_id",
                        &[],
                    )
                    .await?;
                let moved: Vec<(Option<i64>, Option<&str>, Option<&str>)> = rows
                    .iter()
                    .map(|row| {
                        (
                            row.get("album_id").and_then(Value::as_i64),
                            row.get_str("path"),
                            row.get_str("source"),
                        )
                    })
                    .collect();
                assert_eq!(
                    moved,
                    [
                        (Some(1), Some("/covers/abbey-road.jpg"), Some("local")),
                        (Some(3), Some("/covers/pastel-blues.png"), Some("local")),
                    ]
                );
                assert_foreign_key_integrity(db).await?;
                Ok(())
            })
            .run(db)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", db.dialect()));

        // Its down puts the paths back.
        library_runner()
            .rollback(db, RollbackStrategy::DownTo(SORT_NAME.to_owned()))
            .await
            .unwrap();
        assert_table_not_exists(db, "album_artwork").await.unwrap();
        let rows = db
            .query("SELECT artwork FROM albums ORDER BY id", &[])
            .await
            .unwrap();
        let artwork: Vec<Option<&str>> = rows.iter().map(|row| row.get_str("artwork")).collect();
        assert_eq!(
            artwork,
            [
                Some("/covers/abbey-road.jpg"),
                None,
                Some("/covers/pastel-blues.png")
            ],
            "{}",
            db.dialect()
        );
    }
}

#[tokio::test]
async fn sort_names_and_durations_are_derived_from_old_rows() {
    for (db, _guard) in databases("music_transforms").await {
        let db = &*db;
        MigrationTestBuilder::new(&LIBRARY_MIGRATIONS)
            .with_table_name(LIBRARY_TABLE)
            .with_data_before(SORT_NAME, async |db| insert_catalog(db).await)
            .with_data_after(SORT_NAME, async |db| {
                let rows = db
                    .query("SELECT sort_name FROM artists ORDER BY id", &[])
                    .await?;
                assert_eq!(rows[0].get_str("sort_name"), Some("Beatles"));
                assert_eq!(rows[1].get_str("sort_name"), Some("Nina Simone"));
                Ok(())
            })
            .with_data_before(DURATION, async |db| {
                db.exec_raw(
                    "INSERT INTO tracks (id, album_id, number, title, duration) VALUES
                         (1, 1, 1, 'Come Together', 259.5),
                         (2, 1, 2, 'Something', 182.0),
                         (3, 3, 1, 'Be My Husband', NULL);",
                )
                .await?;
                Ok(())
            })
            .with_data_after(DURATION, async |db| {
                assert_column_not_exists(db, "tracks", "duration").await?;
                assert_column_exists(db, "tracks", "duration_ms").await?;
                let rows = db
                    .query("SELECT duration_ms FROM tracks ORDER BY id", &[])
                    .await?;
                let ms: Vec<Option<i64>> = rows
                    .iter()
                    .map(|row| row.get("duration_ms").and_then(Value::as_i64))
                    .collect();
                assert_eq!(ms, [Some(259_500), Some(182_000), None]);
                Ok(())
            })
            .with_rollback()
            .run(db)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", db.dialect()));
    }
}

#[tokio::test]
async fn the_playlist_rebuild_keeps_every_row_and_adds_the_key() {
    for (db, _guard) in databases("music_rebuild").await {
        let db = &*db;
        let dialect = db.dialect();
        MigrationTestBuilder::new(&LIBRARY_MIGRATIONS)
            .with_table_name(LIBRARY_TABLE)
            .with_data_before(PLAYLIST_KEY, async |db| {
                db.exec_raw(
                    "INSERT INTO artists (id, name) VALUES (1, 'The Beatles'), (2, 'Nina Simone');
                     INSERT INTO albums (id, artist_id, title) VALUES (1, 1, 'Abbey Road'), (3, 2, 'Pastel Blues');
                     INSERT INTO tracks (id, album_id, title) VALUES (1, 1, 'Come Together'), (2, 3, 'Tell Me More');
                     INSERT INTO sessions (id, name) VALUES (1, 'kitchen');
                     INSERT INTO session_playlist_tracks (session_id, track_id, position) VALUES (1, 2, 0), (1, 1, 1);",
                )
                .await?;
                Ok(())
            })
            .with_data_after(PLAYLIST_KEY, async |db| {
                let schema = SchemaSnapshot::capture(db).await?;
                assert_eq!(schema.tables["session_playlist_tracks"].primary_key, ["session_id", "position"]);
                assert_eq!(schema.tables["session_playlist_tracks"].foreign_keys.len(), 2, "{schema}");
                let rows = db
                    .query("SELECT track_id FROM session_playlist_tracks ORDER BY position", &[])
                    .await?;
                let tracks: Vec<Option<i64>> =
                    rows.iter().map(|row| row.get("track_id").and_then(Value::as_i64)).collect();
                assert_eq!(tracks, [Some(2), Some(1)]);
                assert_foreign_key_integrity(db).await?;
                Ok(())
            })
            .with_data_after(TITLE_INDEX, async |db| {
                let schema = SchemaSnapshot::capture(db).await?;
                assert!(schema.tables["tracks"].indexes.contains_key("tracks_title"), "{schema}");
                Ok(())
            })
            .run(db)
            .await
            .unwrap_or_else(|error| panic!("{dialect}: {error}"));
    }
}

#[tokio::test]
async fn migrate_library_until_stops_at_the_id() {
    for (db, _guard) in databases("music_until").await {
        let db = &*db;
        match migrate_library_until(db, ARTWORK).await.unwrap() {
            Outcome::Applied(report) => assert_eq!(report.applied.len(), 7),
            Outcome::Baselined(_) => panic!("baselined without the variable"),
        }
        assert_migrations_applied_in(db, LIBRARY_TABLE, &[SORT_NAME, ARTWORK])
            .await
            .unwrap();
        assert_migrations_not_applied_in(db, LIBRARY_TABLE, &[PLAYLIST_KEY, DURATION])
            .await
            .unwrap();
        assert_table_exists(db, "album_artwork").await.unwrap();
        assert_column_exists(db, "tracks", "duration")
            .await
            .unwrap();

        let error = migrate_library_until(db, "2030-01-01-000000_nope")
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("2030-01-01-000000_nope"),
            "{error}"
        );

        match migrate_library_with(db, MigrateOptions::default())
            .await
            .unwrap()
        {
            Outcome::Applied(report) => assert_eq!(report.applied.len(), 4),
            Outcome::Baselined(_) => panic!("baselined"),
        }
    }
}

#[tokio::test]
async fn a_baseline_records_everything_and_runs_nothing() {
    for (db, _guard) in databases("music_baseline").await {
        let db = &*db;
        let baseline = MigrateOptions { baseline: true };
        assert!(matches!(
            migrate_library_with(db, baseline).await.unwrap(),
            Outcome::Baselined(11)
        ));
        assert!(matches!(
            migrate_config_with(db, baseline).await.unwrap(),
            Outcome::Baselined(4)
        ));
        assert_table_not_exists(db, "artists").await.unwrap();
        assert_table_not_exists(db, "profiles").await.unwrap();
        assert_migrations_applied_in(db, LIBRARY_TABLE, &[SORT_NAME, DURATION])
            .await
            .unwrap();
        // A later start-up has nothing to do.
        match migrate_library_with(db, MigrateOptions::default())
            .await
            .unwrap()
        {
            Outcome::Applied(report) => assert!(report.applied.is_empty()),
            Outcome::Baselined(_) => panic!("baselined"),
        }
    }
}

#[test]
fn the_binary_honours_the_baseline_variable() {
    let dir = tempfile::tempdir().unwrap();
    let run = |file: &str, baseline: bool| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_music-library"));
        command.arg(dir.path().join(file));
        if baseline {
            command.env(music_library::BASELINE_VARIABLE, "1");
        } else {
            command.env_remove(music_library::BASELINE_VARIABLE);
        }
        let output = command.output().unwrap();
        assert!(output.status.success(), "{output:?}");
        String::from_utf8(output.stdout).unwrap()
    };
    let migrated = run("migrated.db", false);
    assert!(
        migrated.starts_with("config: applied 4\nlibrary: applied 11\ncatalog: applied 8\n"),
        "{migrated}"
    );
    let baselined = run("baselined.db", true);
    assert!(
        baselined.starts_with("config: baselined 4\nlibrary: baselined 11\ncatalog: baselined 8\n"),
        "{baselined}"
    );
    assert_eq!(baselined.matches(" completed").count(), 23, "{baselined}");
    // The baselined file has the tracking tables only.
    let tables = {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap();
        runtime.block_on(async {
            let pool = sqlx::SqlitePool::connect(&format!(
                "sqlite://{}",
                dir.path().join("baselined.db").display()
            ))
            .await
            .unwrap();
            let snapshot = SchemaSnapshot::capture_with(
                &pool,
                &switchy_schema_test_utils::SnapshotOptions::new(),
            )
            .await
            .unwrap();
            snapshot
                .table_names()
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
    };
    assert_eq!(
        tables,
        [
            music_library::catalog::CATALOG_TABLE,
            CONFIG_TABLE,
            LIBRARY_TABLE
        ]
    );
}

/// The schema after each migration, as reviewed snapshots in `tests/snapshots/`: any change
/// to what a migration does shows up as a snapshot diff. Regenerate with
/// `INSTA_UPDATE=always cargo test -p music_library` (or `cargo insta review`).
#[tokio::test]
async fn schema_after_each_migration() {
    let config_db = create_empty_in_memory().await.unwrap();
    let config = schema_history_with(
        &config_db,
        &CONFIG_MIGRATIONS,
        &VerifyOptions::new().with_table_name(CONFIG_TABLE),
    )
    .await
    .unwrap();
    let library_db = create_empty_in_memory().await.unwrap();
    let library = schema_history_with(&library_db, &LIBRARY_MIGRATIONS, &library_options())
        .await
        .unwrap();
    let named = config
        .after_each
        .into_iter()
        .map(|(id, schema)| (format!("config__{id}"), schema))
        .chain(
            library
                .after_each
                .into_iter()
                .map(|(id, schema)| (format!("library__{id}"), schema)),
        );
    for (id, schema) in named {
        insta::assert_snapshot!(id, schema.to_string());
    }
}
