//! The rebuild figure: runs the compile-time harness (`benches/compile`) for
//! switchy_schema alone, which measures the release rebuild after touching one migration
//! and after touching `main.rs`, and passes its table through.

use std::path::Path;
use std::process::Command;

/// Runs `cargo run --release --manifest-path benches/compile/Cargo.toml` with
/// `BENCH_TOOLS` from `BENCH_REBUILD_TOOLS` (default `switchy`) and `BENCH_RUNS=rounds`;
/// its progress goes to stderr and its table to stdout.
pub(crate) fn run(rounds: usize) {
    let manifest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../compile/Cargo.toml");
    let tools = std::env::var("BENCH_REBUILD_TOOLS").unwrap_or_else(|_| "switchy".to_owned());
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    eprintln!("rebuild: benches/compile with BENCH_TOOLS={tools} BENCH_RUNS={rounds}");
    println!("\n### Release rebuild (benches/compile, BENCH_TOOLS={tools})");
    let status = Command::new(cargo)
        .args(["run", "--release", "--quiet", "--manifest-path"])
        .arg(&manifest)
        .env("BENCH_TOOLS", &tools)
        .env("BENCH_RUNS", rounds.to_string())
        // The compile harness builds its fixtures with its own target directory.
        .env_remove("CARGO_TARGET_DIR")
        .status()
        .expect("run the compile harness");
    assert!(status.success(), "the compile harness failed (see above)");
}
