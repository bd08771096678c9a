//! Issue 11: the schema builder on every driver.
//!
//! Each operation runs through each of the five drivers and is checked by what the database
//! then does (a default filled in, a duplicate refused, a cascade followed), not by the
//! text it was sent: the renderers' text is unit tested in `runtime/src/schema`.

use switchy_schema::code::{CodeMigration, CodeSource, Executable, from_async_fn, from_fn};
use switchy_schema::schema::{
    Column, ColumnType, ConstraintKind, DefaultValue, ForeignKey, Generated, ReferentialAction,
    TableConstraint, alter_table, create_index, create_table, drop_index, drop_table,
};
use switchy_schema::{Database, Dialect, Error, MigrationRunner, TransactionMode, Value};
use switchy_schema_tests::harness::{Backend, TestDatabase};
use switchy_schema_tests::support::{count, each, exists};

/// Foreign keys enforced on every driver: sqlx turns them on for SQLite, rusqlite leaves
/// SQLite's default (off).
async fn enforce_foreign_keys(db: &dyn Database) {
    if db.dialect() == Dialect::Sqlite {
        db.exec_raw("PRAGMA foreign_keys = ON")
            .await
            .expect("pragma");
    }
}

/// Runs `sql`, expecting the database to refuse it.
async fn refused(db: &dyn Database, sql: &str, backend: Backend) {
    assert!(
        db.exec_raw(sql).await.is_err(),
        "{}: `{sql}` was accepted",
        backend.name()
    );
}

/// Runs `sql`, expecting it to succeed.
async fn accepted(db: &dyn Database, sql: &str, backend: Backend) {
    if let Err(error) = db.exec_raw(sql).await {
        panic!("{}: `{sql}` failed: {error}", backend.name());
    }
}

/// The text of the first column of the first row of `sql`.
async fn text(db: &dyn Database, sql: &str) -> Option<String> {
    let rows = db.query(sql, &[]).await.expect(sql);
    match rows.first()?.get_index(0)? {
        Value::Text(text) => Some(text.clone()),
        Value::Int(n) => Some(n.to_string()),
        Value::Bool(b) => Some(if *b { "1" } else { "0" }.to_owned()),
        Value::Null => None,
        other => Some(format!("{other:?}")),
    }
}

fn artists() -> switchy_schema::schema::CreateTable {
    create_table("artists")
        .column(
            Column::new("id", ColumnType::BigInt)
                .primary_key()
                .auto_increment(),
        )
        .column(
            Column::new("name", ColumnType::VarChar(100))
                .not_null()
                .unique(),
        )
}

fn albums() -> switchy_schema::schema::CreateTable {
    create_table("albums")
        .column(
            Column::new("id", ColumnType::BigInt)
                .primary_key()
                .auto_increment(),
        )
        .column(
            Column::new("title", ColumnType::VarChar(100))
                .not_null()
                .default("it's untitled"),
        )
        .column(
            Column::new("artist_id", ColumnType::BigInt)
                .not_null()
                .references("artists", "id")
                .on_delete(ReferentialAction::Cascade),
        )
        .column(Column::new("year", ColumnType::Integer).default(0))
        .column(Column::new("rating", ColumnType::Double))
        .column(Column::new("added", ColumnType::DateTime).default(DefaultValue::CurrentTimestamp))
        .column(
            Column::new("explicit", ColumnType::Boolean)
                .not_null()
                .default(false),
        )
        .check("year_not_negative", "year >= 0")
}

#[tokio::test]
async fn create_table_keys_defaults_checks_and_cascades_work_on_every_driver() {
    each(
        &Backend::ALL,
        "builder_create_table",
        async |t: TestDatabase| {
            let (db, b) = (&*t.db, t.backend);
            enforce_foreign_keys(db).await;
            artists().execute(db).await.expect("artists");
            albums().execute(db).await.expect("albums");

            accepted(db, "INSERT INTO artists (name) VALUES ('a')", b).await;
            accepted(db, "INSERT INTO artists (name) VALUES ('b')", b).await;
            assert_eq!(count(db, "artists").await.unwrap(), 2);
            assert_eq!(
                text(
                    db,
                    "SELECT COUNT(DISTINCT id) FROM artists WHERE id IS NOT NULL"
                )
                .await
                .as_deref(),
                Some("2"),
                "{}: auto-increment ids",
                b.name()
            );
            refused(db, "INSERT INTO artists (name) VALUES ('a')", b).await; // unique
            refused(db, "INSERT INTO artists (name) VALUES (NULL)", b).await; // not null

            let first = text(db, "SELECT id FROM artists WHERE name = 'a'")
                .await
                .unwrap();
            accepted(
                db,
                &format!("INSERT INTO albums (artist_id) VALUES ({first})"),
                b,
            )
            .await;
            assert_eq!(
                text(db, "SELECT title FROM albums").await.as_deref(),
                Some("it's untitled"),
                "{}: the escaped default",
                b.name()
            );
            assert_eq!(
                text(db, "SELECT year FROM albums").await.as_deref(),
                Some("0")
            );
            assert!(
                text(db, "SELECT added FROM albums").await.is_some(),
                "{}: CURRENT_TIMESTAMP",
                b.name()
            );
            assert_eq!(
                text(db, "SELECT explicit FROM albums").await.as_deref(),
                Some("0")
            );
            refused(
                db,
                &format!("INSERT INTO albums (artist_id, year) VALUES ({first}, -1)"),
                b,
            )
            .await; // check
            refused(db, "INSERT INTO albums (artist_id) VALUES (999)", b).await; // foreign key
            accepted(db, "DELETE FROM artists WHERE name = 'a'", b).await;
            assert_eq!(
                count(db, "albums").await.unwrap(),
                0,
                "{}: on delete cascade",
                b.name()
            );

            // IF NOT EXISTS: a second create is a no-op; without it, an error.
            albums()
                .if_not_exists()
                .execute(db)
                .await
                .expect("if not exists");
            assert!(albums().execute(db).await.is_err(), "{}", b.name());
        },
    )
    .await;
}

#[tokio::test]
async fn composite_primary_keys_and_named_constraints_on_every_driver() {
    each(
        &Backend::ALL,
        "builder_composite",
        async |t: TestDatabase| {
            let (db, b) = (&*t.db, t.backend);
            enforce_foreign_keys(db).await;
            artists().execute(db).await.expect("artists");
            create_table("memberships")
                .column(Column::new("artist_id", ColumnType::BigInt))
                .column(Column::new("member", ColumnType::VarChar(50)))
                .column(Column::new("since", ColumnType::Integer))
                .primary_key(["artist_id", "member"])
                .unique("one_start_per_artist", ["artist_id", "since"])
                .foreign_key(
                    ForeignKey::new(["artist_id"], "artists", ["id"])
                        .named("fk_membership_artist")
                        .on_delete(ReferentialAction::Restrict),
                )
                .execute(db)
                .await
                .expect("memberships");
            accepted(db, "INSERT INTO artists (name) VALUES ('a')", b).await;
            let id = text(db, "SELECT id FROM artists").await.unwrap();
            accepted(
                db,
                &format!("INSERT INTO memberships VALUES ({id}, 'x', 1)"),
                b,
            )
            .await;
            accepted(
                db,
                &format!("INSERT INTO memberships VALUES ({id}, 'y', 2)"),
                b,
            )
            .await;
            refused(
                db,
                &format!("INSERT INTO memberships VALUES ({id}, 'x', 3)"),
                b,
            )
            .await; // key
            refused(
                db,
                &format!("INSERT INTO memberships VALUES ({id}, 'z', 1)"),
                b,
            )
            .await; // unique
            refused(
                db,
                &format!("INSERT INTO memberships VALUES ({id}, NULL, 4)"),
                b,
            )
            .await; // key columns are NOT NULL
            refused(db, "DELETE FROM artists", b).await; // restrict
        },
    )
    .await;
}

#[tokio::test]
async fn drop_table_if_exists_and_cascade_on_every_driver() {
    each(
        &Backend::ALL,
        "builder_drop_table",
        async |t: TestDatabase| {
            let (db, b) = (&*t.db, t.backend);
            drop_table("absent")
                .if_exists()
                .execute(db)
                .await
                .expect("if exists");
            assert!(
                drop_table("absent").execute(db).await.is_err(),
                "{}",
                b.name()
            );
            artists().execute(db).await.expect("artists");
            accepted(
                db,
                "CREATE VIEW artist_names AS SELECT name FROM artists",
                b,
            )
            .await;
            let cascade = drop_table("artists").cascade().execute(db).await;
            if b.dialect() == Dialect::Postgres {
                cascade.expect("cascade on PostgreSQL");
                assert!(
                    !exists(db, "artist_names").await,
                    "the dependent view went too"
                );
            } else {
                let error = cascade.expect_err("cascade elsewhere");
                assert!(matches!(error, Error::Unsupported(_)), "{error:?}");
                let message = error.to_string();
                assert!(
                    message.starts_with("drop_table `artists` with cascade cannot be expressed on"),
                    "{message}"
                );
                assert!(
                    exists(db, "artists").await,
                    "{}: nothing was dropped",
                    b.name()
                );
                accepted(db, "DROP VIEW artist_names", b).await;
                drop_table("artists").execute(db).await.expect("drop");
            }
            assert!(!exists(db, "artists").await, "{}", b.name());
        },
    )
    .await;
}

fn users() -> switchy_schema::schema::CreateTable {
    create_table("users")
        .column(Column::new("id", ColumnType::Integer).primary_key())
        .column(Column::new("email", ColumnType::VarChar(100)))
        .column(Column::new("org", ColumnType::Integer))
        .column(
            Column::new("deleted", ColumnType::Integer)
                .not_null()
                .default(0),
        )
}

/// Whether this MySQL-dialect server is MariaDB (which has no expression indexes).
async fn is_mariadb(db: &dyn Database) -> bool {
    text(db, "SELECT VERSION()")
        .await
        .is_some_and(|v| v.contains("MariaDB"))
}

#[tokio::test]
async fn unique_multi_column_indexes_and_drop_index_on_every_driver() {
    each(&Backend::ALL, "builder_indexes", async |t: TestDatabase| {
        let (db, b) = (&*t.db, t.backend);
        users().execute(db).await.expect("users");
        let by_org = create_index("users_by_org_email", "users")
            .columns(["org", "email"])
            .unique();
        by_org.execute(db).await.expect("index");
        by_org
            .clone()
            .if_not_exists()
            .execute(db)
            .await
            .expect("if not exists");
        assert!(
            by_org.execute(db).await.is_err(),
            "{}: exists already",
            b.name()
        );
        accepted(
            db,
            "INSERT INTO users (id, email, org) VALUES (1, 'a', 1)",
            b,
        )
        .await;
        accepted(
            db,
            "INSERT INTO users (id, email, org) VALUES (2, 'a', 2)",
            b,
        )
        .await;
        refused(
            db,
            "INSERT INTO users (id, email, org) VALUES (3, 'a', 1)",
            b,
        )
        .await;

        // DROP INDEX: MySQL needs the table.
        let bare = drop_index("users_by_org_email");
        if b.dialect() == Dialect::MySql {
            let error = bare.execute(db).await.expect_err("no table");
            assert!(error.to_string().contains("without its table"), "{error}");
        }
        let drop = drop_index("users_by_org_email").on("users");
        drop.execute(db).await.expect("drop index");
        accepted(
            db,
            "INSERT INTO users (id, email, org) VALUES (3, 'a', 1)",
            b,
        )
        .await;
        drop.clone()
            .if_exists()
            .execute(db)
            .await
            .expect("if exists");
        assert!(
            drop.execute(db).await.is_err(),
            "{}: already dropped",
            b.name()
        );
    })
    .await;
}

#[tokio::test]
async fn partial_and_expression_indexes_on_every_driver() {
    each(
        &Backend::ALL,
        "builder_partial_indexes",
        async |t: TestDatabase| {
            let (db, b) = (&*t.db, t.backend);
            users().execute(db).await.expect("users");
            // A partial unique index: SQLite and PostgreSQL; MySQL has none.
            let live = create_index("one_live_email", "users")
                .column("email")
                .unique()
                .where_clause("deleted = 0");
            if b.dialect() == Dialect::MySql {
                let error = live.execute(db).await.expect_err("partial on MySQL");
                assert!(
                    error.to_string().contains("cannot be expressed on MySQL"),
                    "{error}"
                );
            } else {
                live.execute(db).await.expect("partial");
                accepted(
                    db,
                    "INSERT INTO users (id, email, deleted) VALUES (1, 'x', 1)",
                    b,
                )
                .await;
                accepted(
                    db,
                    "INSERT INTO users (id, email, deleted) VALUES (2, 'x', 1)",
                    b,
                )
                .await;
                accepted(
                    db,
                    "INSERT INTO users (id, email, deleted) VALUES (3, 'x', 0)",
                    b,
                )
                .await;
                refused(
                    db,
                    "INSERT INTO users (id, email, deleted) VALUES (4, 'x', 0)",
                    b,
                )
                .await;
            }

            // An expression index; MariaDB has none and refuses the statement.
            accepted(db, "DELETE FROM users", b).await;
            let lower = create_index("users_by_lower_email", "users")
                .expression("lower(email)")
                .unique();
            if b.dialect() == Dialect::MySql && is_mariadb(db).await {
                assert!(
                    lower.execute(db).await.is_err(),
                    "MariaDB has no expression index"
                );
            } else {
                lower.execute(db).await.expect("expression index");
                accepted(db, "INSERT INTO users (id, email) VALUES (1, 'Ab')", b).await;
                refused(db, "INSERT INTO users (id, email) VALUES (2, 'aB')", b).await;
            }
        },
    )
    .await;
}

#[tokio::test]
async fn add_rename_and_drop_columns_on_every_driver() {
    each(&Backend::ALL, "builder_columns", async |t: TestDatabase| {
        let (db, b) = (&*t.db, t.backend);
        enforce_foreign_keys(db).await;
        artists().execute(db).await.expect("artists");
        create_table("songs")
            .column(Column::new("id", ColumnType::Integer).primary_key())
            .column(Column::new("name", ColumnType::VarChar(100)))
            .column(Column::new("legacy", ColumnType::Text))
            .execute(db)
            .await
            .expect("songs");
        accepted(db, "INSERT INTO artists (name) VALUES ('a')", b).await;
        accepted(
            db,
            "INSERT INTO songs (id, name, legacy) VALUES (1, 'one', 'old')",
            b,
        )
        .await;

        alter_table("songs")
            .add_column(
                Column::new("plays", ColumnType::BigInt)
                    .not_null()
                    .default(7),
            )
            .add_column(Column::new("artist_id", ColumnType::BigInt).references("artists", "id"))
            // SQLite cannot add a unique column itself: a table rebuild there.
            .add_column(Column::new("code", ColumnType::VarChar(20)).unique())
            .rename_column("name", "title")
            .drop_column("legacy")
            .execute(db)
            .await
            .expect("alter");
        assert_eq!(
            text(db, "SELECT plays FROM songs").await.as_deref(),
            Some("7"),
            "{}",
            b.name()
        );
        assert_eq!(
            text(db, "SELECT title FROM songs").await.as_deref(),
            Some("one")
        );
        refused(db, "SELECT name FROM songs", b).await;
        refused(db, "SELECT legacy FROM songs", b).await;
        refused(db, "UPDATE songs SET artist_id = 999", b).await; // the added reference
        let artist = text(db, "SELECT id FROM artists").await.unwrap();
        accepted(db, &format!("UPDATE songs SET artist_id = {artist}"), b).await;

        accepted(db, "UPDATE songs SET code = 'c1'", b).await;
        refused(
            db,
            "INSERT INTO songs (id, title, code) VALUES (2, 'two', 'c1')",
            b,
        )
        .await;
        alter_table("songs")
            .rename_to("tracks")
            .execute(db)
            .await
            .expect("rename table");
        assert_eq!(count(db, "tracks").await.unwrap(), 1);
        assert!(!exists(db, "songs").await);
    })
    .await;
}

/// The operations SQLite's ALTER TABLE lacks, on the dialects that have them (SQLite
/// rebuilds are tested in `sqlite_rebuild.rs`).
#[tokio::test]
async fn modify_column_and_constraints_on_postgres_and_mysql() {
    let servers = [
        Backend::SqlxPostgres,
        Backend::TokioPostgres,
        Backend::SqlxMySql,
    ];
    each(&servers, "builder_modify", async |t: TestDatabase| {
        let (db, b) = (&*t.db, t.backend);
        artists().execute(db).await.expect("artists");
        create_table("songs")
            .column(Column::new("id", ColumnType::Integer).primary_key())
            .column(Column::new("plays", ColumnType::Integer))
            .column(Column::new("artist_id", ColumnType::BigInt))
            .execute(db)
            .await
            .expect("songs");
        alter_table("songs")
            .modify_column(
                Column::new("plays", ColumnType::BigInt)
                    .not_null()
                    .default(3),
            )
            .add_constraint(TableConstraint::check("plays_positive", "plays > 0"))
            .add_constraint(TableConstraint::unique("one_artist", ["artist_id"]))
            .add_constraint(
                ForeignKey::new(["artist_id"], "artists", ["id"]).named("fk_song_artist"),
            )
            .execute(db)
            .await
            .expect("modify and add");
        accepted(db, "INSERT INTO songs (id) VALUES (1)", b).await;
        assert_eq!(
            text(db, "SELECT plays FROM songs").await.as_deref(),
            Some("3")
        );
        refused(db, "INSERT INTO songs (id, plays) VALUES (2, NULL)", b).await;
        refused(db, "INSERT INTO songs (id, plays) VALUES (2, 0)", b).await;
        refused(db, "INSERT INTO songs (id, artist_id) VALUES (2, 999)", b).await;
        accepted(db, "INSERT INTO artists (name) VALUES ('a')", b).await;
        let artist = text(db, "SELECT id FROM artists").await.unwrap();
        accepted(db, &format!("UPDATE songs SET artist_id = {artist}"), b).await;
        refused(
            db,
            &format!("INSERT INTO songs (id, artist_id) VALUES (2, {artist})"),
            b,
        )
        .await;

        alter_table("songs")
            .drop_constraint("plays_positive", ConstraintKind::Check)
            .drop_constraint("fk_song_artist", ConstraintKind::ForeignKey)
            .drop_constraint("one_artist", ConstraintKind::Unique)
            .modify_column(Column::new("plays", ColumnType::BigInt))
            .execute(db)
            .await
            .expect("drop constraints");
        accepted(
            db,
            "INSERT INTO songs (id, plays, artist_id) VALUES (2, 0, 999)",
            b,
        )
        .await;
        accepted(
            db,
            "INSERT INTO songs (id, plays, artist_id) VALUES (3, NULL, 999)",
            b,
        )
        .await;
        accepted(db, "INSERT INTO songs (id) VALUES (4)", b).await;
        assert_eq!(
            text(db, "SELECT plays FROM songs WHERE id = 4").await,
            None,
            "the default is gone"
        );
    })
    .await;
}

fn library_migrations() -> CodeSource {
    CodeSource::new()
        .with(
            CodeMigration::new("0001_library", vec![artists().boxed(), albums().boxed()])
                .with_down(vec![
                    drop_table("albums").boxed(),
                    drop_table("artists").boxed(),
                ]),
        )
        .with(
            CodeMigration::new(
                "0002_by_year",
                create_index("albums_by_year", "albums").column("year"),
            )
            .with_down(drop_index("albums_by_year").on("albums")),
        )
}

#[tokio::test]
async fn builders_are_code_migrations_with_text_per_dialect_and_roll_back() {
    each(
        &Backend::ALL,
        "builder_migrations",
        async |t: TestDatabase| {
            let (db, b) = (&*t.db, t.backend);
            let dialect = b.dialect();
            let dry = MigrationRunner::new(library_migrations())
                .dry_run(true)
                .run(db)
                .await
                .expect("dry run");
            let planned = dry.planned[0].sql.as_deref().expect("builders have text");
            let quoted_albums = if dialect == Dialect::MySql {
                "`albums`"
            } else {
                "\"albums\""
            };
            assert!(planned.starts_with("CREATE TABLE "), "{planned}");
            assert!(
                planned.contains(&format!("CREATE TABLE {quoted_albums}")),
                "{planned}"
            );
            assert!(!exists(db, "artists").await, "a dry run changes nothing");

            let runner = MigrationRunner::new(library_migrations());
            let report = runner.run(db).await.expect("run");
            assert_eq!(report.applied.len(), 2);
            assert!(exists(db, "albums").await);
            // The stored checksum is that of this dialect's text: a second run is a no-op.
            let rows = db
                .query(
                    "SELECT up_checksum FROM __switchy_migrations ORDER BY id",
                    &[],
                )
                .await
                .expect("tracking rows");
            let source = library_migrations();
            let migrations = switchy_schema::MigrationSource::migrations(&source)
                .await
                .unwrap();
            assert_eq!(
                rows[0].get_str("up_checksum"),
                Some(&*migrations[0].up_checksum(dialect)),
                "{}",
                b.name()
            );
            let others: Vec<_> = Dialect::ALL
                .into_iter()
                .filter(|d| *d != dialect)
                .map(|d| migrations[0].up_checksum(d).into_owned())
                .collect();
            assert!(!others.contains(&migrations[0].up_checksum(dialect).into_owned()));
            assert!(runner.run(db).await.expect("again").applied.is_empty());

            runner
                .rollback(db, switchy_schema::RollbackStrategy::All)
                .await
                .expect("rollback");
            assert!(
                !exists(db, "albums").await && !exists(db, "artists").await,
                "{}",
                b.name()
            );
        },
    )
    .await;
}

/// SQL text in a code migration honours `TransactionMode::NoTransaction`: on PostgreSQL its
/// statements are sent one at a time, so `CREATE INDEX CONCURRENTLY` runs.
#[tokio::test]
async fn create_index_concurrently_in_a_code_migration_on_postgres() {
    let postgres = [Backend::SqlxPostgres, Backend::TokioPostgres];
    each(&postgres, "builder_concurrently", async |t: TestDatabase| {
        let db = &*t.db;
        let runner = MigrationRunner::new(
            CodeSource::new()
                .with(CodeMigration::new("0001_t", "CREATE TABLE t (id INT, n INT)"))
                .with(
                    CodeMigration::new(
                        "0002_text",
                        "CREATE INDEX CONCURRENTLY t_by_id ON t (id);\nCREATE INDEX CONCURRENTLY t_by_n ON t (n);",
                    )
                    .with_transaction_mode(TransactionMode::NoTransaction),
                )
                .with(
                    CodeMigration::new(
                        "0003_builder",
                        create_index("t_by_both", "t").columns(["id", "n"]).concurrently(),
                    )
                    .with_transaction_mode(TransactionMode::NoTransaction),
                ),
        );
        let report = runner.run(db).await.expect("concurrently");
        assert_eq!(report.applied.len(), 3, "{}", t.backend.name());
        let indexes = text(
            db,
            "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 't' AND indexname IN ('t_by_id', 't_by_n', 't_by_both')",
        )
        .await;
        assert_eq!(indexes.as_deref(), Some("3"));
    })
    .await;
}

const SETTINGS: &str = "settings";

/// Closure migrations take Rust 2024 async closures, with no `Box::pin`, and can run
/// builders; `from_fn` keeps working beside them.
#[tokio::test]
async fn async_closure_migrations_run_builders_on_every_driver() {
    each(
        &Backend::ALL,
        "builder_async_closure",
        async |t: TestDatabase| {
            let (db, b) = (&*t.db, t.backend);
            let runner = MigrationRunner::new(
                CodeSource::new()
                    .with(CodeMigration::new(
                        "0001_settings",
                        from_async_fn(async |db| {
                            create_table(SETTINGS)
                                .column(Column::new("name", ColumnType::VarChar(50)).primary_key())
                                .execute(db)
                                .await?;
                            db.exec_raw("INSERT INTO settings (name) VALUES ('a')")
                                .await?;
                            Ok(())
                        }),
                    ))
                    .with(CodeMigration::new(
                        "0002_theme",
                        from_fn(|db| {
                            Box::pin(async move {
                                alter_table("settings")
                                    .add_column(
                                        Column::new("theme", ColumnType::Text).default("dark"),
                                    )
                                    .execute(db)
                                    .await
                            })
                        }),
                    )),
            );
            let report = runner.run(db).await.expect("closures");
            assert_eq!(report.applied.len(), 2, "{}", b.name());
            assert_eq!(
                text(db, "SELECT theme FROM settings").await.as_deref(),
                Some("dark")
            );
        },
    )
    .await;
}

#[tokio::test]
async fn generated_and_collated_columns_on_every_driver() {
    each(&Backend::ALL, "builder_generated", async |t: TestDatabase| {
        let (db, b) = (&*t.db, t.backend);
        let dialect = b.dialect();
        let collation = match dialect {
            Dialect::Sqlite => "NOCASE",
            Dialect::Postgres => "C",
            Dialect::MySql => "utf8mb4_bin",
        };
        create_table("items")
            .column(Column::new("id", ColumnType::Integer).primary_key())
            .column(Column::new("price", ColumnType::Integer).not_null())
            .column(Column::new("qty", ColumnType::Integer).not_null())
            .column(Column::new("total", ColumnType::Integer).generated("price * qty", Generated::Stored))
            .column(Column::new("code", ColumnType::VarChar(20)).collate(collation).unique())
            .execute(db)
            .await
            .expect("items");
        accepted(db, "INSERT INTO items (id, price, qty, code) VALUES (1, 3, 4, 'a')", b).await;
        assert_eq!(text(db, "SELECT total FROM items").await.as_deref(), Some("12"), "{}", b.name());
        refused(db, "UPDATE items SET total = 1", b).await;
        // The collation decides whether 'A' collides with 'a'.
        let upper = db.exec_raw("INSERT INTO items (id, price, qty, code) VALUES (2, 1, 1, 'A')").await;
        match dialect {
            Dialect::Sqlite => assert!(upper.is_err(), "NOCASE makes 'A' equal to 'a'"),
            // MariaDB's default collation is case-insensitive; utf8mb4_bin is not.
            Dialect::MySql | Dialect::Postgres => upper.expect("a case-sensitive collation"),
        }
        if dialect == Dialect::Postgres {
            assert_eq!(
                text(db, "SELECT collation_name FROM information_schema.columns WHERE table_name = 'items' AND column_name = 'code'").await.as_deref(),
                Some("C")
            );
        }

        // Added later: SQLite cannot add a stored generated column itself (a rebuild).
        alter_table("items")
            .add_column(Column::new("double_total", ColumnType::Integer).generated("price * qty * 2", Generated::Stored))
            .execute(db)
            .await
            .expect("stored generated column");
        assert_eq!(text(db, "SELECT double_total FROM items WHERE id = 1").await.as_deref(), Some("24"));
        let lazy = alter_table("items")
            .add_column(Column::new("half", ColumnType::Integer).generated("price - 1", Generated::Virtual));
        if dialect == Dialect::Postgres {
            let error = lazy.execute(db).await.expect_err("no virtual columns");
            assert!(error.to_string().contains("cannot be expressed on PostgreSQL"), "{error}");
        } else {
            lazy.execute(db).await.expect("virtual");
            assert_eq!(text(db, "SELECT half FROM items WHERE id = 1").await.as_deref(), Some("2"));
        }
    })
    .await;
}
