//! `switchy-migrate` against PostgreSQL and MariaDB, each test on a database of its own.
//! Skipped with a notice unless SWITCHY_TEST_POSTGRES_URL / SWITCHY_TEST_MYSQL_URL are set.

mod support;

use support::Project;
use switchy_schema::Dialect;
use switchy_schema_test_utils::server::FreshDatabase;

const SERVERS: [Dialect; 2] = [Dialect::Postgres, Dialect::MySql];

/// `url` with `password` as the user's password.
fn with_password(url: &str, password: &str) -> String {
    let (scheme, rest) = url.split_once("://").unwrap();
    let (authority, path) = rest.split_once('/').unwrap_or((rest, ""));
    let (user, host) = authority.rsplit_once('@').unwrap();
    let user = user.split(':').next().unwrap();
    format!("{scheme}://{user}:{password}@{host}/{path}")
}

#[tokio::test]
async fn every_command_on_each_server() {
    for dialect in SERVERS {
        let Some(fresh) = FreshDatabase::from_env(dialect, "cli_every_command").await else {
            continue;
        };
        let url = fresh.url().to_owned();
        let project = Project::new();
        project.standard();

        project
            .run(&["migrate", "-d", &url, "--dry-run"])
            .ok()
            .stdout_has("CREATE TABLE posts");
        assert!(
            project.completed(&url).is_empty(),
            "{dialect}: the dry run wrote"
        );
        project.run(&["migrate", "-d", &url, "--steps", "1"]).ok();
        project
            .run(&["migrate", "-d", &url, "--up-to", "0002_posts"])
            .ok();
        assert_eq!(
            project.completed(&url),
            ["0001_users", "0002_posts"],
            "{dialect}"
        );
        project
            .run(&["migrate", "-d", &url, "--lock-timeout", "30s"])
            .ok()
            .stdout_has("Applied 1 migration");
        let json = project
            .run(&["status", "-d", &url, "--format", "json"])
            .ok()
            .json();
        assert_eq!(json["summary"]["completed"], 3, "{dialect}");
        assert!(json["migrations"][2]["applied_at"].is_string());
        project.run(&["validate", "-d", &url, "--strict"]).ok();
        if dialect == Dialect::Postgres {
            let long_scheme = url.replacen("postgres:", "postgresql:", 1);
            project
                .run(&["status", "-d", &long_scheme])
                .ok()
                .stdout_has("0003_email  completed");
        }

        project
            .run(&["rollback", "-d", &url, "--steps", "2", "--force"])
            .ok();
        assert_eq!(project.completed(&url), ["0001_users"], "{dialect}");
        project
            .run(&["rollback", "-d", &url, "--all", "--dry-run"])
            .ok()
            .stdout_has("DROP TABLE users");
        project.run(&["rollback", "-d", &url, "--all"]).code(2);

        // Drift, then rebless.
        project.migration(
            "0001_users",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT);\n",
            Some("DROP TABLE users;\n"),
        );
        project.run(&["migrate", "-d", &url]).code(5);
        project.run(&["validate", "-d", &url, "--strict"]).code(5);
        project
            .run(&["rebless", "-d", &url, "0001_users", "--force"])
            .ok();
        project.run(&["migrate", "-d", &url]).ok();

        // Recovery and baseline.
        project
            .run(&["forget", "-d", &url, "0003_email", "--force"])
            .ok();
        project
            .run(&["mark-completed", "-d", &url, "0003_email", "--force"])
            .ok();
        project
            .run(&[
                "mark-all-completed",
                "-d",
                &url,
                "--drop",
                "--all",
                "--force",
            ])
            .ok()
            .stdout_has("Deleted 3 records");
        assert_eq!(project.completed(&url).len(), 3, "{dialect}");

        // A failing migration: exit 4, naming it.
        project.migration("0004_broken", "CREATE TABLE broken (id INTEGER;\n", None);
        project
            .run(&["migrate", "-d", &url])
            .code(4)
            .stderr_has("0004_broken");
        project
            .run(&["import", "-d", &url, "--from", "refinery"])
            .code(1)
            .stderr_has("refinery_schema_history");
    }
}

#[tokio::test]
async fn mariadb_scheme_and_dirty_state() {
    let Some(fresh) = FreshDatabase::from_env(Dialect::MySql, "cli_mariadb_dirty").await else {
        return;
    };
    let url = fresh.url().replacen("mysql:", "mariadb:", 1);
    let project = Project::new();
    project
        .migration("0001_ok", "CREATE TABLE ok (id INTEGER);", None)
        .migration(
            "0002_half",
            "CREATE TABLE half (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n",
            None,
        );
    // MySQL commits DDL: the half-applied migration is recorded failed and blocks runs.
    project
        .run(&["migrate", "-d", &url])
        .code(4)
        .stderr_has("retry 0002_half");
    project.run(&["migrate", "-d", &url]).code(5);
    project
        .run(&["status", "-d", &url, "--show-failed"])
        .ok()
        .stdout_has("0002_half failed: ");
    project
        .run(&["mark-all-completed", "-d", &url, "--force"])
        .ok()
        .stderr_has("0002_half");
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
    project
        .run(&["migrate", "-d", &url])
        .ok()
        .stdout_has("Nothing to apply");
}

#[tokio::test]
async fn a_password_in_the_url_never_appears() {
    const PASSWORD: &str = "Zq8sEcretPw";
    for dialect in SERVERS {
        let Some(fresh) = FreshDatabase::from_env(dialect, "cli_password").await else {
            continue;
        };
        let project = Project::new();
        project
            .standard()
            .migration("0004_broken", "CREATE TABLE broken (id INTEGER;\n", None);
        let url = with_password(fresh.url(), PASSWORD);
        let mut runs = Vec::new();
        for args in [
            vec!["status"],
            vec!["status", "--format", "json"],
            vec!["migrate", "--dry-run"],
            vec!["migrate", "-v"],
            vec!["migrate", "-vv"],
            vec!["validate", "--strict", "--verbose"],
            vec!["rollback", "--force"],
            vec!["status", "--show-failed"],
        ] {
            let mut full = args.clone();
            full.extend(["-d", url.as_str()]);
            runs.push(project.run(&full));
            runs.push(project.run_with(&args, &[("SWITCHY_DATABASE_URL", url.as_str())], None));
        }
        // A database that does not exist: a connection error that names the URL.
        let missing = with_password(
            &fresh.url().replace(fresh.name(), "sw_no_such_database"),
            PASSWORD,
        );
        let failed = project.run(&["status", "-d", &missing]);
        failed.code(3).stderr_has(":***@");
        runs.push(failed);
        for run in &runs {
            assert!(
                !run.all().contains(PASSWORD),
                "{dialect}: `{}` printed the password:\n{}",
                run.args.join(" "),
                run.all()
            );
        }
        // The server may or may not check passwords; either way the runs went somewhere.
        assert!(
            runs.iter().any(|run| run.code == 0 || run.code == 3),
            "{dialect}"
        );
    }
}

#[tokio::test]
async fn import_adopts_diesel_history_on_each_server() {
    for dialect in SERVERS {
        let Some(fresh) = FreshDatabase::from_env(dialect, "cli_import_diesel").await else {
            continue;
        };
        let url = fresh.url().to_owned();
        {
            let db = fresh.connect().await.unwrap();
            // What `diesel migration run` leaves behind after its first migration.
            db.exec_raw(
                "CREATE TABLE __diesel_schema_migrations (version VARCHAR(50) PRIMARY KEY NOT NULL, run_on TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP)",
            )
            .await
            .unwrap();
            db.exec_raw(
                "INSERT INTO __diesel_schema_migrations (version) VALUES ('20240105135538')",
            )
            .await
            .unwrap();
            db.exec_raw("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL)")
                .await
                .unwrap();
        }
        let project = Project::new();
        project
            .migration(
                "2024-01-05-135538_users",
                "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);",
                None,
            )
            .migration(
                "2024-02-01-000000_email",
                "ALTER TABLE users ADD COLUMN email TEXT;",
                None,
            );
        project
            .run(&["import", "-d", &url, "--from", "diesel", "--dry-run"])
            .ok()
            .stdout_has("would adopt 2024-01-05-135538_users");
        assert!(
            project.completed(&url).is_empty(),
            "{dialect}: the dry run wrote"
        );
        project
            .run(&["import", "-d", &url, "--from", "diesel"])
            .ok()
            .stdout_has("Adopted 1 migration");
        project
            .run(&["migrate", "-d", &url])
            .ok()
            .stdout_has("applied 2024-02-01-000000_email");
        assert_eq!(project.completed(&url).len(), 2, "{dialect}");
    }
}
