//! Asks for a rebuild when a migrations folder changes: on stable, by listing the folder
//! for the build script of this crate to watch (see `build.rs` and "Rebuilding" in the
//! crate docs); on a nightly with `proc_macro::tracked::path`, by telling rustc.
//! Best-effort: any failure only loses the tracking, never the build.

use std::fs;
use std::io::Write;
use std::path::Path;

/// The list that `build.rs` reads, in this crate's `OUT_DIR` (known when this crate was
/// compiled).
const LIST: &str = concat!(env!("OUT_DIR"), "/tracked-dirs");

/// The opt-out, also read by `build.rs`.
const OPT_OUT: &str = "SWITCHY_SCHEMA_NO_DIR_TRACKING";

/// Whether folder tracking is turned off with `SWITCHY_SCHEMA_NO_DIR_TRACKING`.
fn opted_out() -> bool {
    std::env::var_os(OPT_OUT).is_some_and(|value| !value.is_empty() && value != "0")
}

/// Asks for a rebuild of the calling crate when `root` or one of its `migrations` folders
/// changes: on a compiler with `proc_macro::tracked::path`, by telling rustc; otherwise by
/// listing `root` for the build script.
pub(crate) fn track(root: &Path, migrations: &[&str]) {
    #[cfg(switchy_schema_tracked_path)]
    {
        // Cargo compares each path rustc lists with the last build; the folders themselves
        // change when an entry is added, removed or renamed.
        proc_macro::tracked::path(root);
        for id in migrations {
            proc_macro::tracked::path(root.join(id));
        }
    }
    #[cfg(not(switchy_schema_tracked_path))]
    {
        let _ = migrations;
        record(root);
    }
}

/// Appends `dir` to the list unless it is there already. Appending (rather than
/// rewriting) keeps concurrent expansions in several crates from losing each other's
/// lines; `build.rs` removes duplicates.
#[cfg_attr(switchy_schema_tracked_path, allow(dead_code))]
fn record(dir: &Path) {
    if opted_out() {
        return;
    }
    let dir = fs::canonicalize(dir).unwrap_or_else(|_| dir.to_path_buf());
    let Some(line) = dir.to_str() else {
        // Not representable in the list; this folder is not watched.
        return;
    };
    if line.contains('\n') {
        return;
    }
    let listed = fs::read_to_string(LIST).unwrap_or_default();
    if listed.lines().any(|listed| listed == line) {
        return;
    }
    if let Ok(mut file) = fs::OpenOptions::new().append(true).create(true).open(LIST) {
        let _ = writeln!(file, "{line}");
    }
}
