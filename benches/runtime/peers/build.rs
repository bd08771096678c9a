//! Generates the peers' migration folders (not committed) from the same SQL as the
//! harness (`../migrations_sql.rs`): refinery's layout (`generated/refinery/V{n}__bench.sql`,
//! `generated/refinery-big/V1__big.sql`) and diesel's (`generated/diesel/{n:05}_bench/up.sql`
//! with an empty `down.sql`, `generated/diesel-big/00001_big/...`).
use std::path::Path;

#[path = "../migrations_sql.rs"]
mod migrations_sql;

use migrations_sql::{COUNT, big, migration, write_if_changed};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=../migrations_sql.rs");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated");
    for n in 0..COUNT {
        let text = migration(n);
        write_if_changed(&root.join(format!("refinery/V{}__bench.sql", n + 1)), &text);
        write_if_changed(
            &root.join(format!("diesel/{:05}_bench/up.sql", n + 1)),
            &text,
        );
        write_if_changed(
            &root.join(format!("diesel/{:05}_bench/down.sql", n + 1)),
            "",
        );
    }
    let big = big();
    write_if_changed(&root.join("refinery-big/V1__big.sql"), &big);
    write_if_changed(&root.join("diesel-big/00001_big/up.sql"), &big);
    write_if_changed(&root.join("diesel-big/00001_big/down.sql"), "");
}
