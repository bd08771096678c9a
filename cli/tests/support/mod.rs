//! Runs the built `switchy-migrate` in a temporary project folder, with an environment
//! cleared of every variable the tool reads, and no terminal (stdin is empty).

#![allow(dead_code, unreachable_pub)]

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The variables the tool reads; cleared so that the caller's environment never leaks in.
const TOOL_VARIABLES: [&str; 7] = [
    "SWITCHY_DATABASE_URL",
    "DATABASE_URL",
    "SWITCHY_MIGRATIONS_DIR",
    "SWITCHY_MIGRATION_TABLE",
    "MIGRATION_REQUIRE_CHECKSUM_VALIDATION",
    "NO_COLOR",
    "RUST_LOG",
];

/// The binary under test, built by cargo for the integration tests.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_switchy-migrate"))
}

/// A temporary project folder: `migrations/` inside, the tool's working directory.
pub struct Project {
    dir: tempfile::TempDir,
}

/// What one invocation did.
#[derive(Debug)]
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
    pub args: Vec<String>,
}

impl Run {
    /// Asserts the exit code, showing the output when it differs.
    #[track_caller]
    pub fn code(&self, expected: i32) -> &Self {
        assert_eq!(
            self.code,
            expected,
            "`switchy-migrate {}` exited {} (expected {expected})\n--- stdout\n{}\n--- stderr\n{}",
            self.args.join(" "),
            self.code,
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn ok(&self) -> &Self {
        self.code(0)
    }

    /// stdout parsed as JSON.
    #[track_caller]
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout)
            .unwrap_or_else(|e| panic!("stdout is not JSON ({e}):\n{}", self.stdout))
    }

    /// stdout and stderr together.
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    #[track_caller]
    pub fn stdout_has(&self, text: &str) -> &Self {
        assert!(
            self.stdout.contains(text),
            "stdout lacks {text:?}:\n{}\n--- stderr\n{}",
            self.stdout,
            self.stderr
        );
        self
    }

    #[track_caller]
    pub fn stderr_has(&self, text: &str) -> &Self {
        assert!(
            self.stderr.contains(text),
            "stderr lacks {text:?}:\n{}\n--- stdout\n{}",
            self.stderr,
            self.stdout
        );
        self
    }
}

impl Project {
    pub fn new() -> Self {
        Self {
            dir: tempfile::tempdir().expect("a temporary folder"),
        }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    /// `sqlite:<absolute path of name>`.
    pub fn sqlite_url(&self, name: &str) -> String {
        format!("sqlite:{}", self.path().join(name).display())
    }

    /// Writes `migrations/<id>/up.sql` (and `down.sql` when given).
    pub fn migration(&self, id: &str, up: &str, down: Option<&str>) -> &Self {
        self.file(&format!("migrations/{id}/up.sql"), up);
        if let Some(down) = down {
            self.file(&format!("migrations/{id}/down.sql"), down);
        }
        self
    }

    /// Writes `relative` under the project, creating folders.
    pub fn file(&self, relative: &str, text: &str) -> &Self {
        let path = self.path().join(relative);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    /// The three migrations most tests use: users, posts (reversible), email.
    pub fn standard(&self) -> &Self {
        self.migration(
            "0001_users",
            "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n",
            Some("DROP TABLE users;\n"),
        )
        .migration(
            "0002_posts",
            "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);\n",
            Some("DROP TABLE posts;\n"),
        )
        .migration(
            "0003_email",
            "ALTER TABLE users ADD COLUMN email TEXT;\n",
            Some("ALTER TABLE users DROP COLUMN email;\n"),
        )
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with(args, &[], None)
    }

    /// Runs with extra environment variables and, optionally, text on stdin.
    pub fn run_with(&self, args: &[&str], env: &[(&str, &str)], stdin: Option<&str>) -> Run {
        let mut command = Command::new(binary());
        command.args(args).current_dir(self.path());
        for variable in TOOL_VARIABLES {
            command.env_remove(variable);
        }
        command.env("COLUMNS", "100");
        for (key, value) in env {
            command.env(key, value);
        }
        command
            .stdin(if stdin.is_some() {
                Stdio::piped()
            } else {
                Stdio::null()
            })
            .stdout(Stdio::piped())
            .stderr(Stdio::piped());
        let mut child = command.spawn().expect("the binary starts");
        if let Some(text) = stdin {
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
        }
        let output = child.wait_with_output().expect("the binary finishes");
        Run {
            code: output.status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
            stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
        }
    }

    /// `status --format json` → (id, status) pairs.
    pub fn statuses(&self, url: &str) -> Vec<(String, String)> {
        let json = self
            .run(&["status", "-d", url, "--format", "json"])
            .ok()
            .json();
        json["migrations"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| {
                (
                    m["id"].as_str().unwrap().to_owned(),
                    m["status"].as_str().unwrap().to_owned(),
                )
            })
            .collect()
    }

    /// The ids whose status is `completed`.
    pub fn completed(&self, url: &str) -> Vec<String> {
        self.statuses(url)
            .into_iter()
            .filter(|(_, status)| status == "completed")
            .map(|(id, _)| id)
            .collect()
    }
}

/// A SQLite pool on `url`, to look at the database from outside the tool.
pub async fn sqlite(url: &str) -> sqlx::SqlitePool {
    sqlx::SqlitePool::connect(url)
        .await
        .expect("the test opens the database")
}

/// Whether `table` exists in the SQLite database at `url`.
pub async fn sqlite_has_table(url: &str, table: &str) -> bool {
    let pool = sqlite(url).await;
    let found: Option<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' AND name = ?")
            .bind(table)
            .fetch_optional(&pool)
            .await
            .unwrap();
    pool.close().await;
    found.is_some()
}
