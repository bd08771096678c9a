//! Every command and flag of `switchy-migrate`, end to end, on SQLite files.

mod support;

use support::{Project, sqlite, sqlite_has_table};

#[tokio::test]
async fn migrate_status_and_rollback_round_trip() {
    let project = Project::new();
    project.standard();
    let url = project.sqlite_url("app.db");

    // status on a database file that does not exist: all pending, and the file is not created.
    let status = project
        .run(&["status", "-d", &url, "--format", "json"])
        .ok()
        .json();
    assert_eq!(status["version"], 1);
    assert_eq!(status["summary"]["pending"], 3);
    assert_eq!(status["migrations"][0]["id"], "0001_users");
    assert!(!project.path().join("app.db").exists());

    // --dry-run prints the plan and the SQL, and writes nothing.
    let dry = project.run(&["migrate", "-d", &url, "--dry-run"]);
    dry.ok()
        .stdout_has("would apply 3 migrations")
        .stdout_has("-- 0002_posts (in a transaction)")
        .stdout_has("CREATE TABLE posts");
    assert!(!project.path().join("app.db").exists());

    project
        .run(&["migrate", "-d", &url, "--steps", "1"])
        .ok()
        .stdout_has("applied 0001_users");
    assert_eq!(project.completed(&url), ["0001_users"]);
    project
        .run(&["migrate", "-d", &url, "--up-to", "0002_posts"])
        .ok();
    assert_eq!(project.completed(&url), ["0001_users", "0002_posts"]);
    project
        .run(&["migrate", "-d", &url])
        .ok()
        .stdout_has("Applied 1 migration");
    project
        .run(&["migrate", "-d", &url])
        .ok()
        .stdout_has("Nothing to apply");
    assert!(sqlite_has_table(&url, "posts").await);

    // The human table names every migration with its status.
    let table = project.run(&["status", "-d", &url]);
    table
        .ok()
        .stdout_has("ID")
        .stdout_has("APPLIED AT")
        .stdout_has("DURATION")
        .stdout_has("DRIFT");
    assert_eq!(
        table.stdout.matches("completed").count(),
        4,
        "{}",
        table.stdout
    ); // 3 rows + summary

    let json = project
        .run(&["status", "-d", &url, "--format", "json"])
        .ok()
        .json();
    let first = &json["migrations"][0];
    assert_eq!(first["status"], "completed");
    assert_eq!(first["in_source"], true);
    assert_eq!(first["drifted"], false);
    assert!(
        first["applied_at"].is_string() && first["duration_ms"].is_u64(),
        "{first}"
    );

    // rollback --dry-run shows the down SQL and changes nothing.
    project
        .run(&["rollback", "-d", &url, "--all", "--dry-run"])
        .ok()
        .stdout_has("would roll back 3 migrations")
        .stdout_has("DROP TABLE posts");
    assert_eq!(project.completed(&url).len(), 3);

    project
        .run(&["rollback", "-d", &url, "--force"])
        .ok()
        .stdout_has("rolled back 0003_email");
    assert_eq!(project.completed(&url), ["0001_users", "0002_posts"]);
    project
        .run(&["rollback", "-d", &url, "--to", "0001_users", "--force"])
        .ok();
    assert_eq!(project.completed(&url), ["0001_users"]);
    project.run(&["migrate", "-d", &url]).ok();
    project
        .run(&["rollback", "-d", &url, "--steps", "2", "--force"])
        .ok();
    assert_eq!(project.completed(&url), ["0001_users"]);
    project
        .run(&["rollback", "-d", &url, "--all", "--yes"])
        .ok();
    assert!(project.completed(&url).is_empty());
    assert!(!sqlite_has_table(&url, "users").await);
    project
        .run(&["rollback", "-d", &url, "--force"])
        .ok()
        .stdout_has("Nothing to roll back");
}

#[tokio::test]
async fn single_transaction_applies_all_or_nothing() {
    let project = Project::new();
    project
        .migration("0001_a", "CREATE TABLE a (id INTEGER);", None)
        .migration(
            "0002_b",
            "CREATE TABLE b (id INTEGER); INSERT INTO nowhere VALUES (1);",
            None,
        );
    let url = project.sqlite_url("app.db");
    let failed = project.run(&["migrate", "-d", &url, "--single-transaction"]);
    failed.code(4).stderr_has("0002_b");
    assert!(project.completed(&url).is_empty());
    assert!(
        !sqlite_has_table(&url, "a").await,
        "the single transaction kept 0001_a"
    );
    // Without it, the first one stays applied.
    project.run(&["migrate", "-d", &url]).code(4);
    assert_eq!(project.completed(&url), ["0001_a"]);
}

#[test]
fn usage_errors_exit_2() {
    let project = Project::new();
    project.standard();
    let url = project.sqlite_url("app.db");
    project.run(&["migrate", "--no-such-flag"]).code(2);
    project
        .run(&[
            "migrate",
            "-d",
            &url,
            "--up-to",
            "0001_users",
            "--steps",
            "1",
        ])
        .code(2);
    project
        .run(&["status"])
        .code(2)
        .stderr_has("no database given");
    project
        .run(&["migrate", "-d", &url, "--up-to", "9999_nope"])
        .code(2)
        .stderr_has("9999_nope");
    project
        .run(&["status", "-d", "oracle://scott:tiger@db/x"])
        .code(2)
        .stderr_has("not supported");
    project
        .run(&["rollback", "-d", &url, "--steps", "0"])
        .code(2);
    project
        .run(&["migrate", "-d", &url, "--lock-timeout", "5x"])
        .code(2);
    project
        .run(&["status", "-d", &url, "--migration-table", "bad name; drop"])
        .code(2);
}

#[test]
fn connection_errors_exit_3() {
    let project = Project::new();
    project.standard();
    let run = project.run(&["migrate", "-d", "sqlite:/nonexistent-dir/sub/app.db"]);
    run.code(3)
        .stderr_has("connecting to sqlite:/nonexistent-dir/sub/app.db failed")
        .stderr_has("cause:");
    let refused = project.run(&["status", "-d", "postgres://app:Pa55w0rdXyz@127.0.0.1:1/db"]);
    refused.code(3);
    assert!(!refused.all().contains("Pa55w0rdXyz"), "{}", refused.all());
    assert!(
        refused.stderr.contains("postgres://app:***@127.0.0.1:1/db"),
        "{}",
        refused.stderr
    );
}

#[test]
fn a_failing_migration_exits_4_naming_it() {
    let project = Project::new();
    project
        .migration("0001_ok", "CREATE TABLE ok (id INTEGER);", None)
        .migration("0002_broken", "CREATE TABLE broken (id INTEGER;", None);
    let url = project.sqlite_url("app.db");
    let run = project.run(&["migrate", "-d", &url]);
    run.code(4)
        .stderr_has("error: applying the migrations failed; fix the migration")
        .stderr_has("cause: migration `0002_broken` failed");
    // One line of what failed and what to do, then the cause.
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert!(
        lines[0].starts_with("error: ") && lines[1].starts_with("  cause: "),
        "{}",
        run.stderr
    );
    assert_eq!(project.completed(&url), ["0001_ok"]);
}

#[tokio::test]
async fn dirty_state_exits_5_until_recovered() {
    let project = Project::new();
    project
        .migration("0001_ok", "CREATE TABLE ok (id INTEGER);", None)
        .migration(
            "0002_half",
            "CREATE TABLE half (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n",
            None,
        )
        .file(
            "migrations/0002_half/metadata.toml",
            "run_in_transaction = false\n",
        );
    let url = project.sqlite_url("app.db");
    project
        .run(&["migrate", "-d", &url])
        .code(4)
        .stderr_has("retry 0002_half");
    project
        .run(&["migrate", "-d", &url])
        .code(5)
        .stderr_has("switchy-migrate retry 0002_half");
    project.run(&["rollback", "-d", &url, "--force"]).code(5);
    let status = project.run(&["status", "-d", &url, "--show-failed"]);
    status
        .ok()
        .stdout_has("failed")
        .stdout_has("0002_half failed: ");
    let json = project
        .run(&["status", "-d", &url, "--format", "json"])
        .ok()
        .json();
    assert_eq!(json["summary"]["failed"], 1);
    assert!(
        json["migrations"][1]["failure_reason"]
            .as_str()
            .unwrap()
            .contains("nowhere")
    );
    project.run(&["validate", "-d", &url]).ok();
    project
        .run(&["validate", "-d", &url, "--strict"])
        .code(5)
        .stdout_has("0002_half");

    // Fix the database and the file, then retry.
    let pool = sqlite(&url).await;
    sqlx::query("DROP TABLE half").execute(&pool).await.unwrap();
    pool.close().await;
    project.migration("0002_half", "CREATE TABLE half (id INTEGER);\n", None);
    project
        .run(&["retry", "-d", &url, "0002_half"])
        .ok()
        .stdout_has("Retried 0002_half");
    assert_eq!(project.completed(&url), ["0001_ok", "0002_half"]);
    project
        .run(&["retry", "-d", &url, "0002_half"])
        .code(1)
        .stderr_has("already completed");
}

#[test]
fn drift_exits_5_and_rebless_accepts_it() {
    let project = Project::new();
    project.standard();
    let url = project.sqlite_url("app.db");
    project.run(&["migrate", "-d", &url, "--steps", "1"]).ok();
    project.migration(
        "0001_users",
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n",
        Some("DROP TABLE users;\n"),
    );
    project
        .run(&["migrate", "-d", &url])
        .code(5)
        .stderr_has("rebless 0001_users");
    project
        .run(&["validate", "-d", &url])
        .ok()
        .stderr_has("`0001_users` changed");
    let strict = project.run(&["validate", "-d", &url, "--strict", "--format", "json"]);
    strict.code(5);
    let json = strict.json();
    assert_eq!(json["ok"], false);
    assert_eq!(json["database"]["drifted"][0], "0001_users");
    assert_eq!(
        project
            .run(&["status", "-d", &url, "--format", "json"])
            .json()["migrations"][0]["drifted"],
        true
    );

    project
        .run(&["rebless", "-d", &url, "0001_users"])
        .code(2)
        .stderr_has("--force");
    project
        .run(&["rebless", "-d", &url, "0001_users", "--force"])
        .ok()
        .stdout_has("1 migration");
    project.run(&["validate", "-d", &url, "--strict"]).ok();
    project.run(&["migrate", "-d", &url]).ok();
    project
        .run(&["rebless", "-d", &url, "--all", "--force"])
        .ok()
        .stdout_has("0 migrations");
}

#[tokio::test]
async fn lock_timeout_exits_6() {
    let project = Project::new();
    project.standard();
    let url = project.sqlite_url("app.db");
    project.run(&["migrate", "-d", &url, "--steps", "1"]).ok();
    // Another process holds SQLite's write lock.
    let pool = sqlite(&url).await;
    let mut holder = pool.acquire().await.unwrap();
    sqlx::query("BEGIN IMMEDIATE")
        .execute(&mut *holder)
        .await
        .unwrap();
    let started = std::time::Instant::now();
    let run = project.run(&["migrate", "-d", &url, "--lock-timeout", "1s"]);
    run.code(6).stderr_has("--lock-timeout");
    assert!(started.elapsed() < std::time::Duration::from_secs(30));
    sqlx::query("ROLLBACK").execute(&mut *holder).await.unwrap();
    drop(holder);
    pool.close().await;
    project.run(&["migrate", "-d", &url]).ok();
}

#[test]
fn an_invalid_folder_exits_7_listing_every_problem() {
    let project = Project::new();
    project
        .standard()
        .file("migrations/0004_typo/Up.sql", "SELECT 1;")
        .file("migrations/loose.sql", "SELECT 1;");
    let url = project.sqlite_url("app.db");
    // Without a database: the CI check.
    let run = project.run(&["validate"]);
    run.code(7).stdout_has("Up.sql").stdout_has("loose.sql");
    let json = project.run(&["validate", "--format", "json"]);
    json.code(7);
    let json = json.json();
    assert_eq!(json["ok"], false);
    assert!(json["violations"].as_array().unwrap().len() >= 2, "{json}");
    assert!(json["violations"][0]["rule"].is_string());
    project
        .run(&["migrate", "-d", &url])
        .code(7)
        .stderr_has("Up.sql");
    project.run(&["status", "-d", &url]).code(7);
    assert!(!project.path().join("app.db").exists());
}

#[test]
fn validate_without_a_database_checks_the_folder_only() {
    let project = Project::new();
    project.standard();
    project
        .run(&["validate"])
        .ok()
        .stdout_has("follows the grammar (3 migrations)")
        .stderr_has("folder only");
    let json = project.run(&["validate", "--format", "json"]).ok().json();
    assert_eq!(json["ok"], true);
    assert_eq!(json["migrations"], 3);
    assert!(json["database"].is_null());
    project
        .run(&["validate", "--verbose"])
        .ok()
        .stdout_has("0002_posts  up ");
}

#[test]
fn validate_reports_missing_and_out_of_order_migrations() {
    let project = Project::new();
    project.standard();
    let url = project.sqlite_url("app.db");
    project.run(&["migrate", "-d", &url]).ok();
    std::fs::remove_dir_all(project.path().join("migrations/0002_posts")).unwrap();
    project.migration("0000_early", "CREATE TABLE early (id INTEGER);", None);
    let json = project.run(&["validate", "-d", &url, "--format", "json", "--strict"]);
    json.code(5);
    let json = json.json();
    assert_eq!(json["database"]["missing_from_source"][0], "0002_posts");
    assert_eq!(json["database"]["out_of_order"][0], "0000_early");
    project
        .run(&["validate", "-d", &url])
        .ok()
        .stderr_has("out of order")
        .stderr_has("folder is missing");
}

#[test]
fn create_follows_the_folder_and_the_grammar() {
    let project = Project::new();
    // An empty folder: diesel / switchy_schema 0.4 timestamps.
    project
        .run(&["create", "create_users"])
        .ok()
        .stdout_has("Created migration ");
    let ids = ids(&project);
    assert_eq!(ids.len(), 1);
    let id = &ids[0];
    assert!(
        id.ends_with("_create_users") && id.len() == "2024-01-05-135538_create_users".len(),
        "{id}"
    );
    let folder = project.path().join("migrations").join(id);
    assert!(folder.join("up.sql").exists() && folder.join("down.sql").exists());
    // A second one in the same second still sorts after it.
    project
        .run(&[
            "create",
            "add_email",
            "--no-down",
            "--dialect",
            "postgres",
            "--dialect",
            "mysql",
            "--no-transaction",
        ])
        .ok();
    let ids = self::ids(&project);
    assert_eq!(ids.len(), 2);
    assert!(ids[1].ends_with("_add_email") && ids[0] < ids[1], "{ids:?}");
    let second = project.path().join("migrations").join(&ids[1]);
    let mut files: Vec<String> = std::fs::read_dir(&second)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    files.sort();
    assert_eq!(
        files,
        ["metadata.toml", "up.mysql.sql", "up.postgres.sql", "up.sql"]
    );
    assert!(
        std::fs::read_to_string(second.join("metadata.toml"))
            .unwrap()
            .contains("run_in_transaction = false")
    );
    // What create writes, the folder grammar accepts (the CLI and the macro share it).
    project.run(&["validate"]).ok();

    // Sequential folders get the next number; sqlx-style folders a compact timestamp.
    let sequential = Project::new();
    sequential
        .migration("0001_a", "", None)
        .migration("0009_b", "", None);
    sequential.run(&["create", "c"]).ok();
    assert_eq!(self::ids(&sequential)[2], "0010_c");
    let compact = Project::new();
    compact.migration("20240101000000_a", "", None);
    compact.run(&["create", "b"]).ok();
    let created = &self::ids(&compact)[1];
    assert!(
        created.len() == "20240101000000_b".len()
            && created.chars().take(14).all(|c| c.is_ascii_digit()),
        "{created}"
    );

    // Names the grammar (or the file system) rejects write nothing.
    let refused = Project::new();
    refused
        .run(&["create", "bad\u{7}name"])
        .code(2)
        .stderr_has("breaks the folder grammar");
    refused.run(&["create", "../escape"]).code(2);
    refused.run(&["create", "   "]).code(2);
    assert!(self::ids(&refused).is_empty());
}

fn ids(project: &Project) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(project.path().join("migrations")) else {
        return Vec::new();
    };
    let mut ids: Vec<String> = entries
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    ids.sort();
    ids
}

#[test]
fn dangerous_commands_are_refused_without_a_terminal_or_force() {
    let project = Project::new();
    project.standard();
    let url = project.sqlite_url("app.db");
    project.run(&["migrate", "-d", &url, "--steps", "1"]).ok();
    for args in [
        vec!["mark-completed", "0002_posts"],
        vec!["mark-all-completed"],
        vec!["mark-all-completed", "--drop", "--all"],
        vec!["forget", "0001_users"],
        vec!["rebless", "0001_users"],
        vec!["rollback"],
    ] {
        let mut full = args.clone();
        full.extend(["-d", url.as_str()]);
        project
            .run(&full)
            .code(2)
            .stderr_has("not on a terminal; pass --force");
    }
    // A piped answer that is not yes is a refusal too.
    project
        .run_with(&["rollback", "-d", &url], &[], Some("no\n"))
        .code(2);
    assert_eq!(project.completed(&url), ["0001_users"]);
    // switchy_schema 0.4 read rollback's confirmation from stdin: `echo y |` still works.
    project
        .run_with(&["rollback", "-d", &url], &[], Some("y\n"))
        .ok();
    assert!(project.completed(&url).is_empty());
}

#[tokio::test]
async fn recovery_commands_with_force() {
    let project = Project::new();
    project.standard();
    let url = project.sqlite_url("app.db");
    project
        .run(&["mark-completed", "-d", &url, "0001_users", "--force"])
        .ok()
        .stdout_has("Marked 0001_users");
    project
        .run(&["mark-completed", "-d", &url, "0001_users", "--force"])
        .ok()
        .stdout_has("already was completed");
    assert!(
        !sqlite_has_table(&url, "users").await,
        "mark-completed ran the migration"
    );
    project
        .run(&["forget", "-d", &url, "0001_users", "--force"])
        .ok()
        .stdout_has("Forgot 0001_users");
    project
        .run(&["forget", "-d", &url, "0001_users", "--force"])
        .ok()
        .stdout_has("had no record");
    assert!(project.completed(&url).is_empty());
    project
        .run(&["mark-completed", "-d", &url, "9999_nope", "--force"])
        .code(2);
}

#[test]
fn mark_all_completed_scopes() {
    let project = Project::new();
    project
        .migration("0001_ok", "CREATE TABLE ok (id INTEGER);", None)
        .migration(
            "0002_half",
            "CREATE TABLE half (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n",
            None,
        )
        .file(
            "migrations/0002_half/metadata.toml",
            "run_in_transaction = false\n",
        )
        .migration("0003_later", "CREATE TABLE later (id INTEGER);", None);
    let url = project.sqlite_url("app.db");
    project.run(&["migrate", "-d", &url]).code(4);
    // Default: pending only; the failed one is left, and said so.
    project
        .run(&["mark-all-completed", "-d", &url, "--force"])
        .ok()
        .stdout_has("Marked 1 migration")
        .stderr_has("0002_half");
    assert_eq!(project.statuses(&url)[1].1, "failed");
    project
        .run(&[
            "mark-all-completed",
            "-d",
            &url,
            "--include-failed",
            "--force",
        ])
        .ok()
        .stdout_has("marked 0002_half");
    assert_eq!(project.completed(&url).len(), 3);
    // --drop: the history is deleted, then rebuilt.
    project
        .run(&["mark-all-completed", "-d", &url, "--drop", "--force"])
        .ok()
        .stdout_has("Deleted 3 records")
        .stdout_has("Marked 3 migrations");
    assert_eq!(project.completed(&url).len(), 3);
}

#[tokio::test]
async fn import_adopts_sqlx_history() {
    let project = Project::new();
    project
        .migration(
            "20240101000000_users",
            "CREATE TABLE users (id INTEGER PRIMARY KEY);",
            None,
        )
        .migration(
            "20240201000000_email",
            "ALTER TABLE users ADD COLUMN email TEXT;",
            None,
        );
    let url = project.sqlite_url("app.db");
    let pool = sqlx::SqlitePool::connect(&format!("{url}?mode=rwc"))
        .await
        .unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(
        "CREATE TABLE _sqlx_migrations (version BIGINT PRIMARY KEY, description TEXT NOT NULL,
             installed_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, success BOOLEAN NOT NULL,
             checksum BLOB NOT NULL, execution_time BIGINT NOT NULL);
         INSERT INTO _sqlx_migrations (version, description, success, checksum, execution_time)
             VALUES (20240101000000, 'users', TRUE, x'00', 1);
         CREATE TABLE users (id INTEGER PRIMARY KEY);",
    ))
    .execute(&pool)
    .await
    .unwrap();
    pool.close().await;
    project
        .run(&["import", "-d", &url, "--from", "sqlx", "--dry-run"])
        .ok()
        .stdout_has("would adopt 20240101000000_users");
    assert!(project.completed(&url).is_empty());
    project
        .run(&["import", "-d", &url, "--from", "sqlx"])
        .ok()
        .stdout_has("Adopted 1 migration")
        .stdout_has("1 pending");
    assert_eq!(project.completed(&url), ["20240101000000_users"]);
    project
        .run(&["migrate", "-d", &url])
        .ok()
        .stdout_has("applied 20240201000000_email");
    // Refused adoptions exit non-zero with the reason.
    project
        .run(&["import", "-d", &url, "--from", "diesel"])
        .code(1)
        .stderr_has("__diesel_schema_migrations");
    project
        .run(&["import", "-d", &url, "--from", "switchy-0.4"])
        .ok()
        .stdout_has("Nothing to import");
}

#[test]
fn url_from_env_and_dotenv_with_precedence() {
    let project = Project::new();
    project.standard();
    let env_db = project.sqlite_url("env.db");
    let switchy_db = project.sqlite_url("switchy.db");
    let flag_db = project.sqlite_url("flag.db");
    project.file(".env", &format!("DATABASE_URL={env_db}\n"));
    project.run(&["migrate", "--steps", "1"]).ok();
    assert!(project.path().join("env.db").exists());
    project
        .run_with(
            &["migrate", "--steps", "1"],
            &[("SWITCHY_DATABASE_URL", &switchy_db)],
            None,
        )
        .ok();
    assert!(project.path().join("switchy.db").exists());
    project
        .run_with(
            &["migrate", "--steps", "1", "-d", &flag_db],
            &[("SWITCHY_DATABASE_URL", &switchy_db)],
            None,
        )
        .ok();
    assert!(project.path().join("flag.db").exists());
    assert_eq!(project.completed(&switchy_db).len(), 1);
    assert_eq!(project.completed(&env_db).len(), 1);
    // Folder and table from the environment, too.
    std::fs::rename(project.path().join("migrations"), project.path().join("db")).unwrap();
    let other_db = project.sqlite_url("other.db");
    project
        .run_with(
            &["migrate"],
            &[
                ("SWITCHY_DATABASE_URL", &other_db),
                ("SWITCHY_MIGRATIONS_DIR", "db"),
                ("SWITCHY_MIGRATION_TABLE", "my_history"),
            ],
            None,
        )
        .ok()
        .stdout_has("Applied 3 migrations");
    let json = project
        .run_with(
            &[
                "status",
                "-d",
                &other_db,
                "--format",
                "json",
                "-m",
                "db",
                "--migration-table",
                "my_history",
            ],
            &[],
            None,
        )
        .ok()
        .json();
    assert_eq!(json["summary"]["completed"], 3);
    assert_eq!(json["migration_table"], "my_history");
}

#[test]
fn quiet_verbose_and_no_color() {
    let project = Project::new();
    project.standard();
    let url = project.sqlite_url("app.db");
    let quiet = project.run(&["migrate", "-d", &url, "-q", "--steps", "1"]);
    quiet.ok();
    assert_eq!(quiet.stdout, "", "-q printed: {}", quiet.stdout);
    // -q keeps the data asked for.
    let status = project.run(&["status", "-d", &url, "-q"]);
    assert!(status.stdout.starts_with("ID "), "{}", status.stdout);
    // -v shows the library's tracing events, per run and per migration.
    let verbose = project.run_with(
        &["migrate", "-d", &url, "-v", "--steps", "1"],
        &[("NO_COLOR", "1")],
        None,
    );
    verbose
        .ok()
        .stderr_has("run started")
        .stderr_has("migration{id=\"0002_posts\"}")
        .stderr_has("finished")
        .stderr_has("run ended");
    // Not a terminal: no colour codes anywhere.
    let failed = project.run(&["migrate", "-d", &url, "--up-to", "nope"]);
    assert!(!failed.all().contains('\u{1b}'), "{}", failed.all());
    assert!(!verbose.all().contains('\u{1b}'), "{}", verbose.all());
}

#[test]
fn in_memory_databases_and_env_over_dotenv() {
    let project = Project::new();
    project.standard();
    for url in ["sqlite::memory:", "sqlite://:memory:"] {
        project
            .run(&["migrate", "-d", url])
            .ok()
            .stdout_has("Applied 3 migrations");
    }
    // A variable set in the environment wins over the same one in .env.
    let from_env = project.sqlite_url("from_env.db");
    project.file(
        ".env",
        &format!(
            "SWITCHY_DATABASE_URL={}\n",
            project.sqlite_url("from_dotenv.db")
        ),
    );
    project
        .run_with(&["migrate"], &[("SWITCHY_DATABASE_URL", &from_env)], None)
        .ok();
    assert!(project.path().join("from_env.db").exists());
    assert!(!project.path().join("from_dotenv.db").exists());
}

#[test]
fn lint_flags_risky_statements_with_exit_8() {
    let project = Project::new();
    project
        .migration("0001_users", "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\nCREATE TABLE old (id INTEGER);\n", None)
        .migration("0002_drop", "-- cleanup\nDROP TABLE old;\n", None)
        .migration("0003_index", "CREATE INDEX users_name ON users (name);\n", None);
    let url = project.sqlite_url("app.db");
    // Without a database: every migration, for every dialect.
    let run = project.run(&["lint"]);
    run.code(8)
        .stdout_has("0002_drop/up.sql:2: drop-table [sqlite, postgres, mysql]")
        .stdout_has("DROP TABLE old");
    let json = project.run(&["lint", "--format", "json", "--dialect", "postgres"]);
    json.code(8);
    let json = json.json();
    assert_eq!(json["version"], 1);
    assert_eq!(json["dialects"][0], "postgres");
    let rules: Vec<&str> = json["findings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["rule"].as_str().unwrap())
        .collect();
    assert_eq!(rules, ["drop-table", "non-concurrent-index"]);
    assert_eq!(json["findings"][1]["migration"], "0003_index");
    assert_eq!(json["findings"][1]["line"], 1);
    // MySQL builds indexes online: only the drop.
    let mysql = project
        .run(&["lint", "--format", "json", "--dialect", "mysql"])
        .json();
    assert_eq!(mysql["findings"].as_array().unwrap().len(), 1);
    // With a database: pending migrations only (and the database's dialect).
    project.run(&["migrate", "-d", &url, "--steps", "2"]).ok();
    project
        .run(&["lint", "-d", &url])
        .ok()
        .stdout_has("nothing risky in 1 pending migration (sqlite)");
    project
        .run(&["lint", "-d", &url, "--all"])
        .code(8)
        .stdout_has("drop-table [sqlite]");
    // A reasoned allow comment silences it.
    project.migration(
        "0002_drop",
        "-- switchy:allow drop-table (scratch table)\nDROP TABLE old;\n",
        None,
    );
    project.run(&["lint", "--dialect", "sqlite"]).ok();
    project.run(&["lint", "--dialect", "sqlite", "-q"]).ok();
}
