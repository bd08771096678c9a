//! Rebuilds on changes to the migrations folders that `embed_migrations!` expanded.
//!
//! The `include_bytes!` that the expansion holds for each embedded file makes cargo
//! rebuild the application when an embedded file is edited, renamed or deleted, but
//! nothing tells cargo about a file or folder *added* to a migrations folder. So the macro appends each migrations folder it reads to
//! `$OUT_DIR/tracked-dirs` (only when the folder is not listed yet), and this script,
//! which cargo reruns when that file changes, asks cargo to watch every listed folder
//! that still exists. Cargo then compares the newest mtime in each folder's tree with the
//! time this script last ran: any change there reruns this script, which rebuilds this
//! crate, and so `switchy_schema` and the application, whose `embed_migrations!` reads
//! the folder again. See "Rebuilding" in `src/lib.rs`.
//!
//! Everything here is best-effort: a file that cannot be read or written never fails the
//! build, it only loses the tracking. `SWITCHY_SCHEMA_NO_DIR_TRACKING=1` turns it off.
//!
//! On a nightly compiler that has `proc_macro::tracked::path` (probed by compiling a tiny
//! file), the macro tells rustc about the folders itself, so that only the application
//! is rebuilt; this script then watches nothing.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, SystemTime};

/// The opt-out, also read by the macro.
const OPT_OUT: &str = "SWITCHY_SCHEMA_NO_DIR_TRACKING";

fn main() {
    println!("cargo::rerun-if-changed=build.rs");
    println!("cargo::rerun-if-env-changed={OPT_OUT}");
    println!("cargo::rustc-check-cfg=cfg(switchy_schema_tracked_path)");
    let Some(out_dir) = std::env::var_os("OUT_DIR") else {
        return;
    };
    let tracked_path = has_tracked_path(Path::new(&out_dir));
    if tracked_path {
        println!("cargo::rustc-cfg=switchy_schema_tracked_path");
    }
    let list = Path::new(&out_dir).join("tracked-dirs");
    // With `tracked::path`, or when opted out, no folder is watched here.
    let opted_out = tracked_path
        || std::env::var_os(OPT_OUT).is_some_and(|value| !value.is_empty() && value != "0");

    let recorded = fs::read_to_string(&list).unwrap_or_default();
    let mut kept: Vec<PathBuf> = Vec::new();
    for line in recorded.lines().filter(|line| !line.is_empty()) {
        let dir = PathBuf::from(line);
        // A folder that is gone is forgotten: watching a missing path would rerun this
        // script on every build. If it comes back, the macro lists it again. Cargo reruns
        // this script when a folder it watches disappears, so in a target directory shared
        // by several projects the folders of deleted ones leave the list on the next build.
        if dir.is_dir() && !kept.contains(&dir) {
            kept.push(dir);
        }
    }
    if opted_out {
        kept.clear();
    }
    let mut text = String::new();
    for dir in &kept {
        text.push_str(&dir.to_string_lossy());
        text.push('\n');
    }
    // Written back-dated: cargo reruns this script when the file is newer than the script's
    // last run, which must happen when the macro lists a new folder, not because of this write.
    if text != recorded || !list.exists() {
        let _ = fs::write(&list, &text);
    }
    if let Ok(file) = File::options().append(true).open(&list) {
        let _ = file.set_modified(SystemTime::UNIX_EPOCH + Duration::from_secs(1));
    }
    println!("cargo::rerun-if-changed={}", list.display());
    for dir in &kept {
        println!("cargo::rerun-if-changed={}", dir.display());
    }
}

/// Whether the compiler accepts `proc_macro::tracked::path` (nightly only, for now).
fn has_tracked_path(out_dir: &Path) -> bool {
    const PROBE: &str = "#![feature(proc_macro_tracked_path)]\n\
        extern crate proc_macro;\n\
        pub fn probe(dir: &std::path::Path) { proc_macro::tracked::path(dir); }\n";
    let Some(rustc) = std::env::var_os("RUSTC") else {
        return false;
    };
    let probe = out_dir.join("probe_tracked_path.rs");
    if fs::write(&probe, PROBE).is_err() {
        return false;
    }
    Command::new(rustc)
        .args(["--edition=2021", "--crate-type=lib", "--emit=metadata"])
        .arg("--out-dir")
        .arg(out_dir)
        .arg(&probe)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}
