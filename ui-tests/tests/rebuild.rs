//! A plain `cargo build` of an application embeds exactly what is on disk after each kind
//! of change to its migrations folder, with no build.rs in the application.
//!
//! The test writes a small application (it prints what it embedded) into
//! `target/tmp/rebuild-test/app-<unique>`, depending on this workspace's `switchy_schema` by path
//! with the workspace's `Cargo.lock`, builds it offline into the shared target directory
//! `target/tmp/rebuild-test/target`, and then walks through the changes: editing a file,
//! adding a migration folder, adding a file to an existing folder, renaming a folder,
//! deleting a folder, and `cp -a` of a folder (which keeps the old mtimes of what it
//! copies). Last, a second project built in the same target directory and then deleted
//! leaves the list of folders that the macro crate's build script watches. After each change it runs `cargo build` and then the binary, and compares its
//! output with what `DirectorySource` reads from the folder at that moment.
//!
//! Cargo decides what to rebuild from mtimes. Each change is made more than a second after
//! the previous build finished (see [`App::change`]), so that the test also holds on file
//! systems that store mtimes in whole seconds.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, SystemTime};

use switchy_schema::directory::DirectorySource;

struct App {
    dir: PathBuf,
    target: PathBuf,
}

impl App {
    /// Writes the application into a new folder under `base`, with two migrations, after
    /// removing the applications of earlier runs.
    fn create(base: &Path) -> Self {
        Self::new(base, true)
    }

    /// Writes an application into a new folder under `base`; with `clean`, first removes
    /// the applications of earlier runs.
    fn new(base: &Path, clean: bool) -> Self {
        let workspace = Path::new(env!("CARGO_MANIFEST_DIR"))
            .parent()
            .expect("the workspace");
        // A new folder each run, so that the first build always meets a folder the macro has
        // not listed yet (as a new application would); earlier runs' folders are removed.
        if let Ok(entries) = fs::read_dir(base)
            && clean
        {
            for entry in entries.flatten() {
                if entry.file_name().to_string_lossy().starts_with("app-") {
                    let _ = fs::remove_dir_all(entry.path());
                }
            }
        }
        let stamp = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .map_or(0, |elapsed| elapsed.as_nanos());
        let app = App {
            dir: base.join(format!("app-{}-{stamp}", std::process::id())),
            target: base.join("target"),
        };
        fs::create_dir_all(app.dir.join("src")).expect("create the app");
        let schema = workspace.join("schema");
        let manifest = format!(
            "[package]\nname = \"rebuild_app\"\nversion = \"0.0.0\"\nedition = \"2024\"\n\
             publish = false\n\n[workspace]\n\n[dependencies]\nswitchy_schema = {{ path = {:?}, \
             default-features = false, features = [\"macros\"] }}\n",
            schema.to_str().expect("a UTF-8 path")
        );
        fs::write(app.dir.join("Cargo.toml"), manifest).expect("write Cargo.toml");
        fs::copy(workspace.join("Cargo.lock"), app.dir.join("Cargo.lock"))
            .expect("copy Cargo.lock");
        fs::write(app.dir.join("src/main.rs"), MAIN).expect("write main.rs");
        app.write("0001_users/up.sql", "CREATE TABLE users (id INT);\n");
        app.write("0001_users/down.sql", "DROP TABLE users;\n");
        app.write("0002_posts/up.sql", "CREATE TABLE posts (id INT);\n");
        app
    }

    fn migrations(&self) -> PathBuf {
        self.dir.join("migrations")
    }

    fn write(&self, relative: &str, content: &str) {
        let path = self.migrations().join(relative);
        fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        fs::write(path, content).expect("write");
    }

    /// Waits until the clock is more than a second past the end of the last build, then
    /// makes `change`: a change made in the same second as a build would be invisible to
    /// cargo on file systems with one-second mtimes.
    fn change(&self, what: &str, change: impl FnOnce(&Self)) {
        std::thread::sleep(Duration::from_millis(1100));
        eprintln!("--- {what}");
        change(self);
    }

    /// Runs `cargo build`; returns cargo's stderr (its progress lines).
    fn build(&self) -> String {
        let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
        let output = Command::new(cargo)
            .args(["build", "--offline", "--color", "never"])
            .arg("--manifest-path")
            .arg(self.dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &self.target)
            .env_remove("SWITCHY_SCHEMA_NO_DIR_TRACKING")
            .env_remove("SWITCHY_SCHEMA_MACROS_BASE_DIR")
            .env_remove("RUSTFLAGS")
            .output()
            .expect("run cargo");
        let stderr = String::from_utf8_lossy(&output.stderr).into_owned();
        assert!(output.status.success(), "cargo build failed:\n{stderr}");
        stderr
    }

    /// What the built binary embedded: one line per file.
    fn embedded(&self) -> Vec<String> {
        let output = Command::new(self.target.join("debug").join("rebuild_app"))
            .output()
            .expect("run the app");
        assert!(output.status.success());
        String::from_utf8(output.stdout)
            .expect("UTF-8")
            .lines()
            .map(str::to_owned)
            .collect()
    }

    /// What is on disk, in the app's format, as `DirectorySource::new("migrations")` reads it.
    fn on_disk(&self) -> Vec<String> {
        let migrations = DirectorySource::new(self.migrations())
            .load()
            .expect("a valid folder");
        let mut lines = Vec::new();
        for migration in &migrations {
            for file in migration.up.iter().chain(migration.down.iter()) {
                let path = Path::new(&*file.path)
                    .strip_prefix(&self.dir)
                    .expect("under the app");
                lines.push(format!(
                    "{} {} {}",
                    migration.id,
                    path.display(),
                    file.checksum
                ));
            }
        }
        lines
    }

    /// Builds, runs, and checks that the binary embeds what is on disk.
    fn check(&self, step: &str) {
        let start = std::time::Instant::now();
        self.build();
        eprintln!(
            "{step}: cargo build took {:.1} s",
            start.elapsed().as_secs_f64()
        );
        assert_eq!(self.embedded(), self.on_disk(), "after: {step}");
    }
}

const MAIN: &str = r#"
static MIGRATIONS: switchy_schema::Migrations = switchy_schema::embed_migrations!("migrations");

fn main() {
    // Every embedded file, which the public API does not list: through the internals.
    for migration in switchy_schema::__private::embedded_list(&MIGRATIONS) {
        for file in migration.up.iter().chain(migration.down) {
            println!("{} {} {}", migration.id, file.path, file.checksum);
        }
    }
}
"#;

/// Every folder listed for the macro crate's build script in the target directory
/// `target` (see `schema-macros/build.rs`).
fn tracked_dirs(target: &Path) -> Vec<String> {
    let mut listed = Vec::new();
    for entry in fs::read_dir(target.join("debug/build"))
        .expect("the build folder")
        .flatten()
    {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with("switchy_schema_macros-")
            && let Ok(text) = fs::read_to_string(entry.path().join("out/tracked-dirs"))
        {
            listed.extend(text.lines().map(str::to_owned));
        }
    }
    listed
}

fn set_mtime(path: &Path, time: SystemTime) {
    let file = fs::File::open(path).expect("open");
    file.set_modified(time).expect("set mtime");
}

#[cfg(unix)] // `cp -a`
#[test]
fn a_plain_cargo_build_embeds_what_is_on_disk() {
    let base = Path::new(env!("CARGO_TARGET_TMPDIR")).join("rebuild-test");
    let app = App::create(&base);
    // A folder to `cp -a` later, made long ago: the copy keeps these old mtimes.
    let old = base.join("old");
    let _ = fs::remove_dir_all(&old);
    fs::create_dir_all(old.join("0009_archived")).expect("create");
    fs::write(
        old.join("0009_archived/up.sql"),
        "CREATE TABLE archived (id INT);\n",
    )
    .expect("write");
    let long_ago = SystemTime::UNIX_EPOCH + Duration::from_secs(1_600_000_000);
    set_mtime(&old.join("0009_archived/up.sql"), long_ago);
    set_mtime(&old.join("0009_archived"), long_ago);

    app.check("the first build");
    // The first expansion of a new folder lists it for the macro crate's build script,
    // which costs one more round of rebuilding on the next build; after that, a build
    // with no change rebuilds nothing.
    app.check("the build after the first");
    let idle = app.build();
    assert!(
        !idle.contains("Compiling"),
        "a build with no change rebuilt something:\n{idle}"
    );

    app.change("edit a file", |app| {
        app.write(
            "0001_users/up.sql",
            "CREATE TABLE users (id INT, name TEXT);\n",
        );
    });
    app.check("editing a file");

    app.change("add a migration folder", |app| {
        app.write("0003_tags/up.sql", "CREATE TABLE tags (id INT);\n");
    });
    app.check("adding a migration folder");

    app.change("add a file to an existing folder", |app| {
        app.write("0002_posts/down.sql", "DROP TABLE posts;\n");
    });
    app.check("adding a file to an existing folder");

    app.change("rename a folder", |app| {
        fs::rename(
            app.migrations().join("0003_tags"),
            app.migrations().join("0004_labels"),
        )
        .expect("rename");
    });
    app.check("renaming a folder");

    app.change("delete a folder", |app| {
        fs::remove_dir_all(app.migrations().join("0001_users")).expect("delete");
    });
    app.check("deleting a folder");

    app.change("cp -a a folder", |app| {
        let status = Command::new("cp")
            .arg("-a")
            .arg(old.join("0009_archived"))
            .arg(app.migrations())
            .status()
            .expect("run cp");
        assert!(status.success());
        let copied = app.migrations().join("0009_archived/up.sql");
        let mtime = fs::metadata(&copied).and_then(|meta| meta.modified());
        assert_eq!(mtime.ok(), Some(long_ago), "cp -a keeps the old mtime");
    });
    app.check("cp -a of a folder");
    assert!(
        app.embedded()
            .iter()
            .any(|line| line.starts_with("0009_archived migrations/0009_archived/up.sql"))
    );

    let idle = app.build();
    assert!(
        !idle.contains("Compiling"),
        "a build with no change rebuilt something:\n{idle}"
    );

    // A second project in the same target directory: its folder joins the list, and
    // leaves it once the project is deleted (cargo reruns the build script when a path it
    // watches is gone), so the list does not grow with every project ever built there.
    let other = App::new(&base, false);
    let other_folder = fs::canonicalize(other.migrations()).expect("canonicalize");
    let other_folder = other_folder.to_str().expect("a UTF-8 path").to_owned();
    other.check("a second project in the same target directory");
    other.check("the second project's build after its first");
    assert!(
        tracked_dirs(&app.target).contains(&other_folder),
        "the second project's folder is listed"
    );
    app.change("delete the second project", |_| {
        fs::remove_dir_all(&other.dir).expect("delete the second project");
    });
    app.check("building the first project after deleting the second");
    let listed = tracked_dirs(&app.target);
    assert!(
        !listed.contains(&other_folder),
        "the deleted project's folder is dropped: {listed:?}"
    );
    let app_folder = fs::canonicalize(app.migrations()).expect("canonicalize");
    assert!(
        listed.iter().any(|line| Path::new(line) == app_folder),
        "the first project's folder stays listed: {listed:?}"
    );
    let idle = app.build();
    assert!(
        !idle.contains("Compiling"),
        "a build with no change rebuilt something after the drop:\n{idle}"
    );
}
