//! Records the migrations folders read, so that the build script of this crate watches
//! them (see `build.rs` and "Rebuilding" in the crate docs). Best-effort: any failure
//! only loses the tracking, never the build.

use std::fs;
use std::io::Write;
use std::path::Path;

/// The list that `build.rs` reads, in this crate's `OUT_DIR` (known when this crate was
/// compiled).
const LIST: &str = concat!(env!("OUT_DIR"), "/tracked-dirs");

/// The opt-out, also read by `build.rs`.
pub(crate) const OPT_OUT: &str = "SWITCHY_SCHEMA_NO_DIR_TRACKING";

/// Whether folder tracking is turned off with `SWITCHY_SCHEMA_NO_DIR_TRACKING`.
pub(crate) fn opted_out() -> bool {
    std::env::var_os(OPT_OUT).is_some_and(|value| !value.is_empty() && value != "0")
}

/// Appends `dir` to the list unless it is there already. Appending (rather than
/// rewriting) keeps concurrent expansions in several crates from losing each other's
/// lines; `build.rs` removes duplicates.
pub(crate) fn record(dir: &Path) {
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
