//! Compile-time cost of embedding 1,000 migrations (each a `CREATE TABLE` and an `INSERT`),
//! in the release profile:
//!
//! - `switchy_schema::embed_migrations!` (with folder tracking, the default, and with
//!   `SWITCHY_SCHEMA_NO_DIR_TRACKING=1`),
//! - `sqlx::migrate!` (sqlx 0.9, features `macros`, `migrate`, `sqlite`),
//! - `refinery::embed_migrations!` (refinery 0.10; very slow, skip it with
//!   `BENCH_SKIP_REFINERY=1`).
//!
//! For each, a fixture crate is generated under `benches/compile/work/<tool>/` (one shared
//! target directory, `work/target`), its dependencies are built once, and then it measures:
//!
//! - **clean build**: `cargo clean --release -p <fixture>` then `cargo build --release`:
//!   the fixture crate alone, with every dependency already built;
//! - **touch one migration**: the mtime of one migration file set to now, then
//!   `cargo build --release`: what a developer waits for after editing a migration;
//! - **touch main.rs**: the mtime of the fixture's `src/main.rs` set to now, then
//!   `cargo build --release`: the same rebuild for an edit of the application's code,
//!   the baseline the migration figure compares with.
//!
//! Each figure is the median of `BENCH_RUNS` runs (default 3); `BENCH_MIGRATIONS` changes
//! the number of migrations (default 1000), `BENCH_TOOLS` picks the macros (default
//! `switchy,sqlx,refinery`), and `BENCH_PROFILE=dev` measures the dev profile instead of
//! release. Run from the repository root:
//!
//! ```sh
//! cargo run --release --manifest-path benches/compile/Cargo.toml
//! ```

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant, SystemTime};

fn main() {
    let bench_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let repo = bench_dir
        .parent()
        .and_then(Path::parent)
        .expect("benches/compile is two levels below the repository root");
    let work = bench_dir.join("work");
    let target = work.join("target");
    let count: usize = env_number("BENCH_MIGRATIONS", 1000);
    let runs: usize = env_number("BENCH_RUNS", 3);
    let tools = std::env::var("BENCH_TOOLS").unwrap_or_else(|_| "switchy,sqlx,refinery".into());
    let tools: Vec<&str> = tools.split(',').map(str::trim).collect();
    let skip_refinery = std::env::var_os("BENCH_SKIP_REFINERY").is_some_and(|v| v != "0")
        || !tools.contains(&"refinery");
    let profile = std::env::var("BENCH_PROFILE").unwrap_or_else(|_| "release".into());
    let profile: &'static str = if profile == "dev" { "dev" } else { "release" };

    let mut rows = Vec::new();

    if tools.contains(&"switchy") {
        let ours = Fixture {
            name: "switchy",
            dir: work.join("switchy"),
            target: target.clone(),
            touched: PathBuf::from(format!("migrations/{}/up.sql", switchy_id(count / 2))),
            env: Vec::new(),
            profile,
        };
        ours.create(
        &format!(
            "switchy_schema = {{ path = {:?}, default-features = false, features = [\"macros\"] }}\n",
            repo.join("schema").to_str().expect("a UTF-8 path")
        ),
        "static MIGRATIONS: switchy_schema::Migrations = switchy_schema::embed_migrations!(\"migrations\");\n\n\
         fn main() {\n    println!(\"{}\", MIGRATIONS.len());\n}\n",
    );
        // The same versions as the workspace, so that the figures are for the code under test.
        fs::copy(repo.join("Cargo.lock"), ours.dir.join("Cargo.lock")).expect("copy Cargo.lock");
        for index in 1..=count {
            ours.write(
                &format!("migrations/{}/up.sql", switchy_id(index)),
                &sql(index),
            );
        }
        rows.push(ours.measure("switchy_schema embed_migrations!", runs));
        let untracked = Fixture {
            env: vec![("SWITCHY_SCHEMA_NO_DIR_TRACKING", "1")],
            ..ours
        };
        rows.push(untracked.measure("switchy_schema, SWITCHY_SCHEMA_NO_DIR_TRACKING=1", runs));
    }

    if tools.contains(&"sqlx") {
        let sqlx = Fixture {
            name: "sqlx",
            dir: work.join("sqlx"),
            target: target.clone(),
            touched: PathBuf::from(format!(
                "migrations/{:04}_create_t{index:04}.sql",
                count / 2,
                index = count / 2
            )),
            env: Vec::new(),
            profile,
        };
        sqlx.create(
        "sqlx = { version = \"0.9\", default-features = false, features = [\"macros\", \"migrate\", \"sqlite\", \"runtime-tokio\"] }\n",
        "static MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!(\"./migrations\");\n\n\
         fn main() {\n    println!(\"{}\", MIGRATOR.iter().count());\n}\n",
    );
        for index in 1..=count {
            sqlx.write(
                &format!("migrations/{index:04}_create_t{index:04}.sql"),
                &sql(index),
            );
        }
        rows.push(sqlx.measure("sqlx 0.9 migrate!", runs));
    }

    if skip_refinery {
        eprintln!("skipping refinery (not in BENCH_TOOLS, or BENCH_SKIP_REFINERY is set)");
    } else {
        let refinery = Fixture {
            name: "refinery",
            dir: work.join("refinery"),
            target,
            touched: PathBuf::from(format!(
                "migrations/V{}__create_t{:04}.sql",
                count / 2,
                count / 2
            )),
            env: Vec::new(),
            profile,
        };
        refinery.create(
            "refinery = \"0.10\"\n",
            "mod embedded {\n    refinery::embed_migrations!(\"migrations\");\n}\n\n\
             fn main() {\n    println!(\"{}\", embedded::migrations::runner().get_migrations().len());\n}\n",
        );
        for index in 1..=count {
            refinery.write(
                &format!("migrations/V{index}__create_t{index:04}.sql"),
                &sql(index),
            );
        }
        rows.push(refinery.measure("refinery 0.10 embed_migrations!", runs));
    }

    let mut table = String::new();
    let _ = writeln!(
        table,
        "\n{count} migrations, {profile} profile, median of {runs} runs\n"
    );
    let _ = writeln!(
        table,
        "| macro | first build (with deps) | clean build of the crate | touch one migration | touch main.rs |"
    );
    let _ = writeln!(table, "|---|---:|---:|---:|---:|");
    for row in &rows {
        let _ = writeln!(
            table,
            "| {} | {} | {:.2} s | {:.2} s | {:.2} s |",
            row.name,
            row.first.map_or_else(
                || "(built above)".to_owned(),
                |first| format!("{:.1} s", first.as_secs_f64())
            ),
            row.clean.as_secs_f64(),
            row.touch.as_secs_f64(),
            row.touch_main.as_secs_f64()
        );
    }
    println!("{table}");
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|value| value.parse().ok())
        .unwrap_or(default)
}

fn switchy_id(index: usize) -> String {
    format!("{index:04}_create_t{index:04}")
}

fn sql(index: usize) -> String {
    format!(
        "CREATE TABLE t{index:04} (id INTEGER PRIMARY KEY, name TEXT NOT NULL);\n\
         INSERT INTO t{index:04} (id, name) VALUES (1, 'row {index}');\n"
    )
}

struct Fixture {
    name: &'static str,
    dir: PathBuf,
    target: PathBuf,
    /// The migration file touched for the incremental figure, relative to `dir`.
    touched: PathBuf,
    env: Vec<(&'static str, &'static str)>,
    /// `release` or `dev`.
    profile: &'static str,
}

struct Row {
    name: &'static str,
    first: Option<Duration>,
    clean: Duration,
    touch: Duration,
    touch_main: Duration,
}

impl Fixture {
    fn create(&self, dependency: &str, main: &str) {
        let _ = fs::remove_dir_all(&self.dir);
        fs::create_dir_all(self.dir.join("src")).expect("create the fixture");
        fs::write(
            self.dir.join("Cargo.toml"),
            format!(
                "[package]\nname = \"bench_{}\"\nversion = \"0.0.0\"\nedition = \"2024\"\npublish = false\n\n\
                 [workspace]\n\n[dependencies]\n{dependency}",
                self.name
            ),
        )
        .expect("write Cargo.toml");
        fs::write(self.dir.join("src/main.rs"), main).expect("write main.rs");
    }

    fn write(&self, relative: &str, content: &str) {
        let path = self.dir.join(relative);
        fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        fs::write(path, content).expect("write");
    }

    fn cargo(&self, args: &[&str]) -> Duration {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let mut command = Command::new(cargo);
        command
            .args(args)
            .arg("--manifest-path")
            .arg(self.dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("SWITCHY_SCHEMA_NO_DIR_TRACKING")
            .env_remove("SWITCHY_SCHEMA_MACROS_BASE_DIR");
        for (name, value) in &self.env {
            command.env(name, value);
        }
        let start = Instant::now();
        let status = command.status().expect("run cargo");
        let elapsed = start.elapsed();
        assert!(status.success(), "cargo {args:?} failed for {}", self.name);
        elapsed
    }

    fn build(&self) -> Duration {
        self.cargo(&["build", "--profile", self.profile, "--quiet"])
    }

    fn measure(&self, label: &'static str, runs: usize) -> Row {
        eprintln!("== {label}: first build");
        let first = self.build();
        // Settle: with folder tracking, the build after the first one rebuilds once more
        // (the macro crate's build script starts watching the folder); a third is a no-op.
        self.build();
        self.build();

        let package = format!("bench_{}", self.name);
        let mut clean = Vec::new();
        for run in 0..runs {
            eprintln!("== {label}: clean build {}/{runs}", run + 1);
            self.cargo(&[
                "clean",
                "--profile",
                self.profile,
                "--quiet",
                "-p",
                &package,
            ]);
            clean.push(self.build());
        }
        // Alternated, so that both figures see the same machine load.
        let mut touch = Vec::new();
        let mut touch_main = Vec::new();
        for run in 0..runs {
            eprintln!("== {label}: touch one migration {}/{runs}", run + 1);
            touch_file(&self.dir.join(&self.touched));
            touch.push(self.build());
            eprintln!("== {label}: touch main.rs {}/{runs}", run + 1);
            touch_file(&self.dir.join("src/main.rs"));
            touch_main.push(self.build());
        }
        Row {
            name: label,
            // The second fixture of a tool shares the first one's dependencies.
            first: (!self
                .env
                .iter()
                .any(|(name, _)| name.starts_with("SWITCHY_SCHEMA_NO")))
            .then_some(first),
            clean: median(clean),
            touch: median(touch),
            touch_main: median(touch_main),
        }
    }
}

/// Sets a file's mtime to now, as `touch` does.
fn touch_file(path: &Path) {
    let file = fs::File::options()
        .append(true)
        .open(path)
        .unwrap_or_else(|error| panic!("open {}: {error}", path.display()));
    file.set_modified(SystemTime::now()).expect("touch");
}

fn median(mut values: Vec<Duration>) -> Duration {
    values.sort();
    values.get(values.len() / 2).copied().unwrap_or_default()
}
