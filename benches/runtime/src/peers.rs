//! The refinery and diesel_migrations children live in their own binary and Cargo
//! workspace (`peers/`: their SQLite and client libraries need not fit beside sqlx's);
//! the parent builds it in release before the first measurement.

use std::path::{Path, PathBuf};
use std::process::Command;

/// Builds `peers/` (`cargo build --release`, its own target directory) and returns the
/// path of `runtime-bench-peers`.
pub(crate) fn build() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("peers");
    let target = dir.join("target");
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!(
        "building the peers binary (refinery, diesel_migrations): {}",
        dir.display()
    );
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "--manifest-path"])
        .arg(dir.join("Cargo.toml"))
        .arg("--target-dir")
        .arg(&target)
        .status()
        .expect("run cargo for the peers binary");
    assert!(
        status.success(),
        "building the peers binary failed (see above); BENCH_PEERS=0 skips the peers"
    );
    target.join("release/runtime-bench-peers")
}
