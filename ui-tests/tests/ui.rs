//! Compile-fail and pass cases of `embed_migrations!`, in `tests/ui/<category>/<case>.rs`,
//! each with the expected compiler output in a `.stderr` beside it.
//!
//! Regenerate the `.stderr` files with `TRYBUILD=overwrite cargo test -p
//! switchy_schema_ui_tests --test ui`, then read every changed one. The expected output is
//! that of the stable toolchain (1.95 when written); on a beta or nightly compiler, whose
//! diagnostics may differ, the test is skipped with a notice.
//!
//! Under trybuild, `CARGO_MANIFEST_DIR` is a generated crate under `target/`, so the cases
//! name their folders relative to this package and the test runs trybuild with the macro's
//! internal `SWITCHY_SCHEMA_MACROS_BASE_DIR` set to this package's folder. Setting an
//! environment variable in-process needs `unsafe` in edition 2024, so the test runs itself
//! again as a child process with the variable set. The same child also has
//! `SWITCHY_SCHEMA_NO_DIR_TRACKING=1`, so that the test folders are not watched by the
//! macro crate's build script.
//!
//! Folders that git cannot hold portably (a Latin-1 file, a name that is not UTF-8, ids
//! that differ only by case, names with whitespace at the end or a tab, a FIFO, a broken
//! symbolic link) are written into `tests/generated/` (ignored by git) first.

use std::fs;
use std::path::Path;
use std::process::Command;

const BASE_DIR: &str = "SWITCHY_SCHEMA_MACROS_BASE_DIR";

#[test]
fn ui() {
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let version = Command::new(rustc)
        .arg("--version")
        .output()
        .map(|output| String::from_utf8_lossy(&output.stdout).into_owned())
        .unwrap_or_default();
    if ["nightly", "beta", "dev"]
        .iter()
        .any(|channel| version.contains(channel))
    {
        eprintln!(
            "skipping the UI tests: their expected output is that of a stable rustc, not {version}"
        );
        return;
    }
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    if std::env::var_os(BASE_DIR).is_some() {
        let cases = trybuild::TestCases::new();
        cases.pass("tests/ui/pass/*.rs");
        for category in [
            "args",
            "folder",
            "files",
            "ids",
            "metadata",
            "require_down",
            "many",
            "transaction",
        ] {
            cases.compile_fail(format!("tests/ui/{category}/*.rs"));
        }
        // Cases on folders written by `generate`: non-UTF-8 content and names, and ids
        // that differ only by case.
        if generate(&manifest_dir.join("tests/generated")) {
            cases.compile_fail("tests/ui/generated/*.rs");
        }
        return;
    }
    let status = Command::new(std::env::current_exe().expect("the test binary"))
        .args(["ui", "--exact", "--nocapture", "--test-threads=1"])
        .env(BASE_DIR, manifest_dir)
        .env("SWITCHY_SCHEMA_NO_DIR_TRACKING", "1")
        .status()
        .expect("run the UI tests");
    assert!(status.success(), "the UI tests failed (output above)");
}

/// Writes the generated folders; `false` where the file system cannot hold them
/// (names that are not UTF-8, or case-insensitive).
fn generate(dir: &Path) -> bool {
    let _ = fs::remove_dir_all(dir);
    let write = |relative: &str, content: &[u8]| {
        let path = dir.join(relative);
        fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
        fs::write(path, content).expect("write");
    };
    write(
        "non_utf8_content/0001_users/up.sql",
        b"-- caf\xe9\nCREATE TABLE users (id INT);\n",
    );
    write(
        "case_only/0001_users/up.sql",
        b"CREATE TABLE users (id INT);\n",
    );
    write(
        "case_only/0001_Users/up.sql",
        b"CREATE TABLE users (id INT);\n",
    );
    // Names that Windows cannot hold: whitespace at the end, a tab.
    write(
        "id_whitespace/0001_users /up.sql",
        b"CREATE TABLE users (id INT);\n",
    );
    write(
        "id_whitespace/0002_posts\t/up.sql",
        b"CREATE TABLE posts (id INT);\n",
    );
    write(
        "id_whitespace/0003_tags/up.sql",
        b"CREATE TABLE tags (id INT);\n",
    );
    write(
        "file_whitespace/0001_users/up.sql ",
        b"CREATE TABLE users (id INT);\n",
    );
    let case_sensitive = fs::read_dir(dir.join("case_only"))
        .map(Iterator::count)
        .ok()
        == Some(2);
    non_utf8_name(dir) && unusable_up_sql(&dir.join("unusable_up_sql")) && case_sensitive
}

/// `up.sql` as a folder, a broken symbolic link and a FIFO, one per migration.
#[cfg(unix)]
fn unusable_up_sql(dir: &Path) -> bool {
    let made = fs::create_dir_all(dir.join("0001_folder/up.sql")).is_ok()
        && fs::create_dir_all(dir.join("0002_link")).is_ok()
        && std::os::unix::fs::symlink("missing.sql", dir.join("0002_link/up.sql")).is_ok()
        && fs::create_dir_all(dir.join("0003_fifo")).is_ok()
        && Command::new("mkfifo")
            .arg(dir.join("0003_fifo/up.sql"))
            .status()
            .is_ok_and(|status| status.success());
    made && fs::write(dir.join("0003_fifo/down.sql"), "SELECT 1;\n").is_ok()
}

#[cfg(not(unix))]
fn unusable_up_sql(_dir: &Path) -> bool {
    false
}

#[cfg(unix)]
fn non_utf8_name(dir: &Path) -> bool {
    use std::ffi::OsStr;
    use std::os::unix::ffi::OsStrExt;

    let folder = dir
        .join("non_utf8_name")
        .join(OsStr::from_bytes(b"0001_caf\xe9"));
    fs::create_dir_all(&folder).is_ok() && fs::write(folder.join("up.sql"), "SELECT 1;\n").is_ok()
}

#[cfg(not(unix))]
fn non_utf8_name(_dir: &Path) -> bool {
    false
}
