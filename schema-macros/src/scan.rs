//! Finds the migrations folder and reads it with the shared grammar.

use std::path::{Path, PathBuf};

use crate::grammar::{self, ScannedMigration, Violation};
use crate::parse::Args;
use crate::track;

/// Internal, for this project's UI tests only: the folder that relative paths are resolved
/// from instead of `CARGO_MANIFEST_DIR` (which points into `target/` under trybuild).
/// Not a stable interface.
const BASE_DIR_OVERRIDE: &str = "SWITCHY_SCHEMA_MACROS_BASE_DIR";

/// A migrations folder as read.
pub(crate) struct Folder {
    /// The folder as written in the macro call (`migrations`): the start of every path
    /// shown in errors and embedded in the migrations.
    pub(crate) shown: PathBuf,
    /// The folder as read: `shown` resolved from the crate's folder.
    pub(crate) root: PathBuf,
    /// Every migration sorted by id, or every violation of the grammar.
    pub(crate) scanned: Result<Vec<ScannedMigration>, Vec<Violation>>,
}

/// Reads the folder named by `args`, and asks for a rebuild when it changes (see
/// [`track`]).
pub(crate) fn scan(args: &Args) -> Folder {
    let shown = PathBuf::from(args.path.value());
    let root = base_dir().join(&shown);
    let scanned = grammar::scan(&root);
    if root.is_dir() {
        let ids: Vec<&str> = scanned
            .iter()
            .flatten()
            .map(|migration| migration.id.as_str())
            .collect();
        track::track(&root, &ids);
    }
    Folder {
        shown,
        root,
        scanned,
    }
}

/// The folder relative paths start from: the invoking crate's `CARGO_MANIFEST_DIR`.
fn base_dir() -> PathBuf {
    let dir = std::env::var_os(BASE_DIR_OVERRIDE)
        .filter(|dir| !dir.is_empty())
        .or_else(|| std::env::var_os("CARGO_MANIFEST_DIR"))
        .map(PathBuf::from);
    // Without cargo (rustc run by hand) the current directory is the best guess.
    dir.unwrap_or_else(|| Path::new(".").to_path_buf())
}
