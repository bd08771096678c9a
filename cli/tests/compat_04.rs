//! A script written against switchy_schema 0.4's documented commands, flags and
//! environment variables (`tests/compat_04/script.sh`) passes unchanged.

mod support;

use std::process::Command;

use support::Project;

#[test]
fn a_script_written_for_0_4_passes_unchanged() {
    let project = Project::new();
    let bin_dir = support::binary().parent().unwrap().to_path_buf();
    let path = format!(
        "{}:{}",
        bin_dir.display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/compat_04/script.sh");
    let mut command = Command::new("bash");
    command
        .arg(&script)
        .current_dir(project.path())
        .env("PATH", path);
    for variable in [
        "SWITCHY_DATABASE_URL",
        "DATABASE_URL",
        "SWITCHY_MIGRATIONS_DIR",
        "SWITCHY_MIGRATION_TABLE",
        "MIGRATION_REQUIRE_CHECKSUM_VALIDATION",
    ] {
        command.env_remove(variable);
    }
    let output = command.output().expect("bash runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        output.status.success() && stdout.contains("script finished"),
        "the 0.4 script failed ({}):\n--- stdout\n{stdout}\n--- stderr\n{stderr}",
        output.status
    );
    // It did what 0.4 would have: every migration applied, the retried one included.
    let url = format!("sqlite:{}", project.path().join("db.sqlite").display());
    let statuses = project.statuses(&url);
    assert_eq!(statuses.len(), 4, "{statuses:?}");
    assert!(
        statuses.iter().all(|(_, status)| status == "completed"),
        "{statuses:?}"
    );
}

#[test]
fn removed_0_4_flags_say_what_replaced_them() {
    let project = Project::new();
    project.migration("0001_a", "CREATE TABLE a (id INTEGER);", None);
    let url = project.sqlite_url("db.sqlite");
    project
        .run(&["migrate", "-d", &url, "--force"])
        .code(2)
        .stderr_has("no longer supported")
        .stderr_has("retry");
}
