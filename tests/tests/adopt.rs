//! Adopting another tool's history (`MigrationRunner::adopt_history`) on every backend.
//!
//! Each tool's history table is created here exactly as the tool creates it, and its rows
//! written as the tool writes them. The DDL was written from reading the tools' sources
//! (the crates are not dependencies):
//! - sqlx 0.9, `sqlx-{sqlite,postgres,mysql}/src/migrate.rs`: `ensure_migrations_table`,
//!   `apply` (MySQL inserts `success = FALSE` before the migration and sets it `TRUE`
//!   after, since DDL commits implicitly there).
//! - diesel 2, `diesel/src/migration/setup_migration_table.sql` (the same on every
//!   backend) and `diesel_migrations/src/migration_harness.rs` (`INSERT ... (version)`).
//! - refinery 0.9, `refinery_core/src/traits/mod.rs`: `ASSERT_MIGRATIONS_TABLE_QUERY` with
//!   `int4` versions (the default, without the `int8-versions` feature) and
//!   `insert_migration_query` (values formatted into the statement, `applied_on` as RFC 3339).

use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema::directory::DirectorySource;
use switchy_schema::{
    AdoptReport, Database, Dialect, Error, ForeignHistory, ForeignTool, Migration, MigrationRunner,
    MigrationStatus, Value,
};
use switchy_schema_tests::harness::{Backend, TestDatabase, open};

const TRACKING: &str = "__switchy_migrations";

/// Creates `tool`'s history table `table` as the tool does on `dialect`.
async fn create_history(db: &dyn Database, tool: ForeignTool, table: &str) {
    let sql = match tool {
        ForeignTool::Sqlx => {
            let (installed_on, checksum) = match db.dialect() {
                Dialect::Postgres => ("TIMESTAMPTZ NOT NULL DEFAULT now()", "BYTEA"),
                Dialect::Sqlite | Dialect::MySql => {
                    ("TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP", "BLOB")
                }
            };
            format!(
                "CREATE TABLE IF NOT EXISTS {table} (
    version BIGINT PRIMARY KEY,
    description TEXT NOT NULL,
    installed_on {installed_on},
    success BOOLEAN NOT NULL,
    checksum {checksum} NOT NULL,
    execution_time BIGINT NOT NULL
);"
            )
        }
        ForeignTool::Diesel => format!(
            "CREATE TABLE IF NOT EXISTS {table} (
       version VARCHAR(50) PRIMARY KEY NOT NULL,
       run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP
);"
        ),
        ForeignTool::Refinery => format!(
            "CREATE TABLE IF NOT EXISTS {table}(
             version int4 PRIMARY KEY,
             name VARCHAR(255),
             applied_on VARCHAR(255),
             checksum VARCHAR(255));"
        ),
        other => panic!("no DDL for {other}"),
    };
    db.exec_raw(&sql).await.expect("create the history table");
}

/// Records one applied migration in `tool`'s history as the tool does. `version` is what
/// the tool stores; `name` its description (sqlx) or name (refinery).
async fn record(db: &dyn Database, tool: ForeignTool, table: &str, version: &str, name: &str) {
    let dialect = db.dialect();
    let p = |i| dialect.placeholder(i);
    match tool {
        ForeignTool::Sqlx => {
            let version: i64 = version.parse().expect("sqlx versions are i64");
            // A SHA-384 digest of the file: 48 bytes (their value does not matter here).
            let checksum = Value::Bytes(vec![0xa5; 48]);
            let first = if dialect == Dialect::MySql {
                "FALSE"
            } else {
                "TRUE"
            };
            db.execute(
                &format!(
                    "INSERT INTO {table} ( version, description, success, checksum, execution_time ) VALUES ( {}, {}, {first}, {}, -1 )",
                    p(1),
                    p(2),
                    p(3)
                ),
                &[version.into(), name.into(), checksum],
            )
            .await
            .expect("insert sqlx row");
            if dialect == Dialect::MySql {
                db.execute(
                    &format!("UPDATE {table} SET success = TRUE WHERE version = {}", p(1)),
                    &[version.into()],
                )
                .await
                .expect("mark sqlx row successful");
            }
            db.execute(
                &format!(
                    "UPDATE {table} SET execution_time = {} WHERE version = {}",
                    p(1),
                    p(2)
                ),
                &[Value::Int(1_234_567), version.into()],
            )
            .await
            .expect("set sqlx execution time");
        }
        ForeignTool::Diesel => {
            db.execute(
                &format!("INSERT INTO {table} (version) VALUES ({})", p(1)),
                &[version.into()],
            )
            .await
            .expect("insert diesel row");
        }
        ForeignTool::Refinery => {
            let version: i32 = version.parse().expect("refinery versions are i32");
            db.exec_raw(&format!(
                "INSERT INTO {table} (version, name, applied_on, checksum) VALUES ({version}, '{name}', '2024-01-05T13:55:38.123456789Z', '{}')",
                11_233_445_566_778_899_u64 + u64::from(version.unsigned_abs())
            ))
            .await
            .expect("insert refinery row");
        }
        other => panic!("no rows for {other}"),
    }
}

/// One migration of a scenario: our id, the SQL it runs, and how the tool recorded it.
#[derive(Clone, Copy)]
struct Step {
    id: &'static str,
    up: &'static str,
    foreign_version: &'static str,
    foreign_name: &'static str,
}

const USERS: &str = "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(100))";
const POSTS: &str = "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER)";
const EMAIL: &str = "ALTER TABLE users ADD COLUMN email VARCHAR(255)";

/// The migrations the tool applied, then one it did not, as each tool names them after
/// the folders were renamed into ours (see the guide).
fn scenario(tool: ForeignTool, dialect: Dialect) -> (Vec<Step>, Step) {
    let step = |id, up, foreign_version, foreign_name| Step {
        id,
        up,
        foreign_version,
        foreign_name,
    };
    match tool {
        // `migrations/20240101000000_create_users.sql` → `20240101000000_create_users/up.sql`
        ForeignTool::Sqlx => (
            vec![
                step(
                    "20240101000000_create_users",
                    USERS,
                    "20240101000000",
                    "create users",
                ),
                step(
                    "20240102000000_create_posts",
                    POSTS,
                    "20240102000000",
                    "create posts",
                ),
            ],
            step("20240103000000_add_email", EMAIL, "", ""),
        ),
        // Folders keep their names; `diesel setup` adds the initial setup on PostgreSQL.
        ForeignTool::Diesel => {
            let mut applied = Vec::new();
            if dialect == Dialect::Postgres {
                applied.push(step(
                    "00000000000000_diesel_initial_setup",
                    "SELECT 1",
                    "00000000000000",
                    "",
                ));
            }
            applied.push(step(
                "2024-01-05-135538_create_users",
                USERS,
                "20240105135538",
                "",
            ));
            applied.push(step(
                "2024-01-06-090000_create_posts",
                POSTS,
                "20240106090000",
                "",
            ));
            (applied, step("2024-01-07-000000_add_email", EMAIL, "", ""))
        }
        // `V1__create_users.sql` → `0001_create_users/up.sql`
        ForeignTool::Refinery => (
            vec![
                step("0001_create_users", USERS, "1", "create_users"),
                step("0002_create_posts", POSTS, "2", "create_posts"),
            ],
            step("0003_add_email", EMAIL, "", ""),
        ),
        other => panic!("no scenario for {other}"),
    }
}

fn migration(step: &Step) -> CodeMigration {
    CodeMigration::new(step.id, step.up)
}

fn source(steps: &[Step]) -> CodeSource {
    steps.iter().fold(CodeSource::new(), |source, step| {
        source.with(migration(step))
    })
}

/// Creates the history of `steps` as `tool` left it, with the schema they made.
async fn migrated_by(db: &dyn Database, tool: ForeignTool, table: &str, steps: &[Step]) {
    create_history(db, tool, table).await;
    for step in steps {
        db.exec_raw(step.up).await.expect("schema of the tool");
        record(db, tool, table, step.foreign_version, step.foreign_name).await;
    }
}

async fn count(db: &dyn Database, table: &str) -> Option<i64> {
    let rows = db
        .query(&format!("SELECT COUNT(*) AS n FROM {table}"), &[])
        .await
        .ok()?;
    rows[0].get_index(0).and_then(Value::as_i64)
}

/// Our tracking table's rows: (id, status, up checksum, down checksum).
async fn tracking_rows(db: &dyn Database) -> Vec<(String, String, String, String)> {
    let rows = db
        .query(
            &format!("SELECT id, status, up_checksum, down_checksum FROM {TRACKING} ORDER BY id"),
            &[],
        )
        .await
        .expect("read the tracking table");
    rows.iter()
        .map(|row| {
            let text = |name| row.get_str(name).unwrap_or_default().to_owned();
            (
                text("id"),
                text("status"),
                text("up_checksum"),
                text("down_checksum"),
            )
        })
        .collect()
}

async fn each(test: &str, mut body: impl AsyncFnMut(TestDatabase)) {
    for backend in Backend::ALL {
        if let Some(database) = open(backend, test).await {
            body(database).await;
        }
    }
}

fn refused(error: Error) -> switchy_schema::AdoptionProblems {
    match error {
        Error::AdoptionRefused { problems, .. } => *problems,
        other => panic!("expected AdoptionRefused, got {other}"),
    }
}

/// The whole story for one tool: adopt, then `run` applies only the new migration, and
/// adopting again (as every start-up may) changes nothing.
async fn adopt_then_run(tool: ForeignTool, test: &str) {
    each(test, async |t| {
        let db = &*t.db;
        let dialect = db.dialect();
        let backend = t.backend;
        let (applied, new) = scenario(tool, dialect);
        let history = ForeignHistory::new(tool);
        migrated_by(db, tool, history.table(), &applied).await;

        let mut all = applied.clone();
        all.push(new);
        let runner = MigrationRunner::new(source(&all));
        let report = runner.adopt_history(db, history.clone()).await.unwrap();
        let adopted: Vec<(&str, &str, Option<&str>)> = report
            .adopted
            .iter()
            .map(|a| {
                (
                    a.id.as_str(),
                    a.foreign_version.as_str(),
                    a.foreign_name.as_deref(),
                )
            })
            .collect();
        let expected: Vec<(&str, &str, Option<&str>)> = applied
            .iter()
            .map(|s| {
                let name = (tool != ForeignTool::Diesel).then_some(s.foreign_name);
                (s.id, s.foreign_version, name)
            })
            .collect();
        assert_eq!(adopted, expected, "{backend:?}");
        assert_eq!(report.tool, tool);
        assert_eq!(report.table, tool.default_table());
        assert_eq!(report.pending, [new.id], "{backend:?}");
        assert!(report.already_recorded.is_empty() && !report.dry_run);

        // Recorded completed with our checksums.
        let expected_rows: Vec<(String, String, String, String)> = applied
            .iter()
            .map(|step| {
                let m = migration(step);
                (
                    step.id.to_owned(),
                    "completed".to_owned(),
                    m.up_checksum(dialect).into_owned(),
                    m.down_checksum(dialect).into_owned(),
                )
            })
            .collect();
        assert_eq!(tracking_rows(db).await, expected_rows, "{backend:?}");
        for info in runner.list_migrations(db).await.unwrap() {
            let adopted = info.id != new.id;
            assert_eq!(info.is_applied(), adopted, "{info:?}");
            assert!(!info.drifted && info.in_source, "{info:?}");
        }

        // `run` applies only the migration the tool never ran.
        let run = runner.run(db).await.unwrap();
        assert_eq!(
            run.applied_ids().collect::<Vec<_>>(),
            [new.id],
            "{backend:?}"
        );
        db.execute(
            "INSERT INTO users (id, name, email) VALUES (1, 'a', 'a@example.com')",
            &[],
        )
        .await
        .expect("the new column exists");

        // Adopting again, after `run`, is a no-op; the tool's table was never touched.
        let again = runner.adopt_history(db, history.clone()).await.unwrap();
        assert!(again.adopted.is_empty(), "{again:?}");
        let ids: Vec<&str> = applied.iter().map(|s| s.id).collect();
        assert_eq!(again.already_recorded, ids);
        assert!(again.pending.is_empty());
        assert_eq!(tracking_rows(db).await.len(), all.len());
        let applied_count = i64::try_from(applied.len()).unwrap();
        assert_eq!(count(db, history.table()).await, Some(applied_count));
        assert!(runner.run(db).await.unwrap().applied.is_empty());
    })
    .await;
}

#[tokio::test]
async fn adopts_a_sqlx_history_then_runs_only_new_migrations() {
    adopt_then_run(ForeignTool::Sqlx, "adopt_sqlx").await;
}

#[tokio::test]
async fn adopts_a_diesel_history_then_runs_only_new_migrations() {
    adopt_then_run(ForeignTool::Diesel, "adopt_diesel").await;
}

#[tokio::test]
async fn adopts_a_refinery_history_then_runs_only_new_migrations() {
    adopt_then_run(ForeignTool::Refinery, "adopt_refinery").await;
}

/// Unknown versions and holes, for every tool: every problem in one error, and nothing
/// written (not even the tracking table).
#[tokio::test]
async fn unknown_versions_and_holes_are_refused_and_nothing_is_written() {
    each("adopt_refused", async |t| {
        let db = &*t.db;
        let backend = t.backend;
        for tool in [
            ForeignTool::Sqlx,
            ForeignTool::Diesel,
            ForeignTool::Refinery,
        ] {
            let (applied, new) = scenario(tool, db.dialect());
            let history = ForeignHistory::new(tool);
            // The tool applied the first and the last of ours, and one we do not have.
            let first = applied[0];
            let unknown = match tool {
                ForeignTool::Refinery => "7",
                _ => "20991231235959",
            };
            let mut foreign = vec![first, new];
            foreign[1].foreign_version = match tool {
                ForeignTool::Sqlx => "20240103000000",
                ForeignTool::Diesel => "20240107000000",
                _ => "3",
            };
            create_history(db, tool, history.table()).await;
            for step in &foreign {
                record(db, tool, history.table(), step.foreign_version, "x").await;
            }
            record(db, tool, history.table(), unknown, "gone").await;

            let mut all = applied.clone();
            all.push(new);
            let runner = MigrationRunner::new(source(&all));
            let error = runner.adopt_history(db, history.clone()).await.unwrap_err();
            let message = error.to_string();
            let problems = refused(error);
            assert_eq!(problems.unknown_versions, [unknown], "{backend:?} {tool}");
            let holes: Vec<&str> = applied[1..].iter().map(|s| s.id).collect();
            assert_eq!(problems.missing_between, holes, "{backend:?} {tool}");
            assert!(
                message.contains(&format!("`{unknown}`")) && message.contains(holes[0]),
                "{message}"
            );
            assert!(message.contains("nothing was recorded"), "{message}");

            assert_eq!(
                count(db, TRACKING).await,
                None,
                "{backend:?} {tool}: written"
            );
            assert_eq!(count(db, history.table()).await, Some(3));
            db.exec_raw(&format!("DROP TABLE {}", history.table()))
                .await
                .unwrap();
        }
    })
    .await;
}

/// sqlx leaves `success = false` when a migration fails half-way on MySQL (its DDL
/// committed, the flag not yet set): adopting it would record a half-applied migration.
#[tokio::test]
async fn a_failed_sqlx_migration_is_refused() {
    each("adopt_sqlx_failed", async |t| {
        let db = &*t.db;
        let (applied, new) = scenario(ForeignTool::Sqlx, db.dialect());
        let table = ForeignTool::Sqlx.default_table();
        create_history(db, ForeignTool::Sqlx, table).await;
        record(db, ForeignTool::Sqlx, table, applied[0].foreign_version, "create users").await;
        // Written directly on SQLite and PostgreSQL, where sqlx itself would roll it back.
        db.execute(
            &format!(
                "INSERT INTO {table} ( version, description, success, checksum, execution_time ) VALUES ( 20240102000000, 'create posts', FALSE, {}, -1 )",
                db.dialect().placeholder(1)
            ),
            &[Value::Bytes(vec![0x5a; 48])],
        )
        .await
        .unwrap();

        let mut all = applied.clone();
        all.push(new);
        let runner = MigrationRunner::new(source(&all));
        let error = runner
            .adopt_history(db, ForeignHistory::sqlx())
            .await
            .unwrap_err();
        let message = error.to_string();
        let problems = refused(error);
        assert_eq!(problems.failed_versions, ["20240102000000"], "{:?}", t.backend);
        assert!(problems.missing_between.is_empty() && problems.unknown_versions.is_empty());
        assert!(
            message.contains("`20240102000000` as failed (success = false)"),
            "{message}"
        );
        assert_eq!(count(db, TRACKING).await, None, "{:?}", t.backend);
    })
    .await;
}

/// Rows of our own table that do not belong to the history are refused, and the table
/// keeps exactly what it had.
#[tokio::test]
async fn conflicting_tracking_rows_are_refused_and_nothing_is_added() {
    each("adopt_conflict", async |t| {
        let db = &*t.db;
        let (applied, new) = scenario(ForeignTool::Refinery, db.dialect());
        migrated_by(
            db,
            ForeignTool::Refinery,
            "refinery_schema_history",
            &applied,
        )
        .await;
        // Another source recorded a migration this one does not have.
        let other = Step {
            id: "0001_other",
            up: "SELECT 1",
            foreign_version: "",
            foreign_name: "",
        };
        MigrationRunner::new(source(&[other]))
            .mark_migration_completed(db, other.id)
            .await
            .unwrap();

        let mut all = applied.clone();
        all.push(new);
        let runner = MigrationRunner::new(source(&all));
        let problems = refused(
            runner
                .adopt_history(db, ForeignHistory::refinery())
                .await
                .unwrap_err(),
        );
        assert_eq!(problems.conflicting_rows, ["0001_other (completed)"]);
        let rows = tracking_rows(db).await;
        assert_eq!(rows.len(), 1, "{:?}: {rows:?}", t.backend);
        assert_eq!(rows[0].0, "0001_other");
    })
    .await;
}

#[tokio::test]
async fn a_dry_run_reports_and_writes_nothing() {
    each("adopt_dry_run", async |t| {
        let db = &*t.db;
        let (applied, new) = scenario(ForeignTool::Diesel, db.dialect());
        migrated_by(
            db,
            ForeignTool::Diesel,
            "__diesel_schema_migrations",
            &applied,
        )
        .await;
        let mut all = applied.clone();
        all.push(new);
        let runner = MigrationRunner::new(source(&all)).dry_run(true);
        let report: AdoptReport = runner
            .adopt_history(db, ForeignHistory::diesel())
            .await
            .unwrap();
        assert!(report.dry_run);
        let ids: Vec<&str> = applied.iter().map(|s| s.id).collect();
        assert_eq!(
            report
                .adopted
                .iter()
                .map(|a| a.id.as_str())
                .collect::<Vec<_>>(),
            ids
        );
        assert_eq!(count(db, TRACKING).await, None, "{:?}", t.backend);
    })
    .await;
}

/// A custom (and, on PostgreSQL, schema-qualified) table name is read; a missing table,
/// another tool's table and a name that is not an identifier are refused.
#[tokio::test]
async fn table_names_are_validated_and_the_table_must_be_the_tools() {
    each("adopt_tables", async |t| {
        let db = &*t.db;
        let backend = t.backend;
        let (applied, new) = scenario(ForeignTool::Sqlx, db.dialect());
        let table = if db.dialect() == Dialect::Postgres {
            db.exec_raw("CREATE SCHEMA legacy").await.unwrap();
            "legacy.app_migrations"
        } else {
            "app_migrations"
        };
        migrated_by(db, ForeignTool::Sqlx, table, &applied).await;
        let mut all = applied.clone();
        all.push(new);
        let runner = MigrationRunner::new(source(&all));

        let error = runner
            .adopt_history(db, ForeignHistory::sqlx())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::ForeignHistoryUnreadable { reason, .. } if reason == "the table does not exist"),
            "{backend:?}: {error}"
        );
        assert_eq!(
            error.to_string(),
            "cannot adopt the sqlx history `_sqlx_migrations`: the table does not exist; nothing was recorded"
        );

        let error = runner
            .adopt_history(db, ForeignHistory::refinery().with_table(table))
            .await
            .unwrap_err();
        assert!(
            error.to_string().contains("no column `name`")
                && error.to_string().contains("not a refinery history"),
            "{backend:?}: {error}"
        );

        let error = runner
            .adopt_history(
                db,
                ForeignHistory::sqlx().with_table("app_migrations; DROP TABLE users"),
            )
            .await
            .unwrap_err();
        assert!(
            matches!(error, Error::InvalidIdentifier { .. }),
            "{backend:?}: {error}"
        );
        assert_eq!(count(db, TRACKING).await, None, "{backend:?}");

        let report = runner
            .adopt_history(db, ForeignHistory::sqlx().with_table(table))
            .await
            .unwrap();
        assert_eq!(report.table, table);
        assert_eq!(report.adopted.len(), applied.len(), "{backend:?}");
        let statuses: Vec<String> = tracking_rows(db).await.into_iter().map(|r| r.1).collect();
        assert_eq!(statuses, [MigrationStatus::Completed.as_str(); 2]);
    })
    .await;
}

/// When recording fails part-way, the rows already written in the same transaction are
/// rolled back: the tracking table (created under the lock) stays empty. The second
/// insert is made to fail by each engine's own rules: SQLite and PostgreSQL through a
/// trigger, MySQL by an id longer than the `VARCHAR(255)` id column (strict mode).
#[tokio::test]
async fn a_failure_while_recording_rolls_back_every_row() {
    each("adopt_rollback", async |t| {
        let db = &*t.db;
        let backend = t.backend;
        let second = match db.dialect() {
            Dialect::Sqlite | Dialect::Postgres => "0002_b".to_owned(),
            Dialect::MySql => format!("0002_{}", "b".repeat(300)),
        };
        let steps = [
            Step {
                id: "0001_a",
                up: USERS,
                foreign_version: "1",
                foreign_name: "a",
            },
            Step {
                id: second.leak(),
                up: POSTS,
                foreign_version: "2",
                foreign_name: "b",
            },
        ];
        migrated_by(db, ForeignTool::Refinery, "refinery_schema_history", &steps).await;
        if db.dialect() != Dialect::MySql {
            MigrationRunner::new(CodeSource::new())
                .mark_all_migrations_completed(db)
                .await
                .unwrap();
        }
        if db.dialect() == Dialect::Sqlite {
            db.exec_raw(&format!(
                "CREATE TRIGGER refuse BEFORE INSERT ON {TRACKING} WHEN NEW.id = '0002_b' \
                 BEGIN SELECT RAISE(ABORT, 'refused by trigger'); END"
            ))
            .await
            .unwrap();
        }
        if db.dialect() == Dialect::Postgres {
            db.exec_raw(
                "CREATE FUNCTION refuse() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN IF NEW.id = '0002_b' THEN RAISE EXCEPTION 'refused by trigger'; END IF; \
                 RETURN NEW; END $$",
            )
            .await
            .unwrap();
            db.exec_raw(&format!(
                "CREATE TRIGGER refuse BEFORE INSERT ON {TRACKING} \
                 FOR EACH ROW EXECUTE FUNCTION refuse()"
            ))
            .await
            .unwrap();
        }
        let runner = MigrationRunner::new(source(&steps));
        let error = runner
            .adopt_history(db, ForeignHistory::refinery())
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::Database { context, .. } if context.starts_with("recording adopted migration `0002_b")),
            "{backend:?}: {error}"
        );
        assert_eq!(count(db, TRACKING).await, Some(0), "{backend:?}: a row was kept");
    })
    .await;
}

/// The guide's sqlx renaming (`<version>_<name>.sql` → `<version>_<name>/up.sql`, `.down.sql`
/// → `down.sql`), read by the directory source: the checksums recorded are the directory
/// source's, so nothing counts as drift afterwards.
#[tokio::test]
async fn a_renamed_sqlx_folder_is_adopted_through_the_directory_source() {
    each("adopt_directory", async |t| {
        let db = &*t.db;
        let (applied, new) = scenario(ForeignTool::Sqlx, db.dialect());
        migrated_by(db, ForeignTool::Sqlx, "_sqlx_migrations", &applied).await;

        let dir = tempfile::tempdir().unwrap();
        for step in applied.iter().chain([&new]) {
            let folder = dir.path().join(step.id);
            std::fs::create_dir(&folder).unwrap();
            std::fs::write(folder.join("up.sql"), format!("{};\n", step.up)).unwrap();
        }
        std::fs::write(
            dir.path().join(applied[0].id).join("down.sql"),
            "DROP TABLE users;\n",
        )
        .unwrap();
        let runner = MigrationRunner::new(DirectorySource::new(dir.path()));

        let report = runner
            .adopt_history(db, ForeignHistory::sqlx())
            .await
            .unwrap();
        assert_eq!(report.adopted.len(), 2, "{:?}", t.backend);
        for info in runner.list_migrations(db).await.unwrap() {
            assert!(!info.drifted, "{:?}: {info:?}", t.backend);
        }
        let run = runner.run(db).await.unwrap();
        assert_eq!(run.applied_ids().collect::<Vec<_>>(), [new.id]);
    })
    .await;
}
