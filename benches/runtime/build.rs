//! Generates the migration folders `embed_migrations!` embeds (they are not committed):
//! `generated/apply` (1,000 migrations, each a `CREATE TABLE` and one `INSERT`),
//! `generated/one` (the first of them alone, for the peak-RSS comparison of 1 against
//! 1,000 applied) and `generated/big` (one migration whose up.sql is ~10 MB: 80,000
//! INSERTs), and the same sets in sqlx's layout (`generated/sqlx`, `generated/sqlx-big`).
//! The SQL comes from `migrations_sql.rs`, shared with `peers/build.rs`.
use std::path::Path;

#[path = "migrations_sql.rs"]
mod migrations_sql;

use migrations_sql::{COUNT, big, migration, write_if_changed};

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-changed=migrations_sql.rs");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated");
    for n in 0..COUNT {
        let text = migration(n);
        write_if_changed(&root.join(format!("apply/{n:05}_bench/up.sql")), &text);
        if n == 0 {
            write_if_changed(&root.join(format!("one/{n:05}_bench/up.sql")), &text);
        }
        // The same migrations in sqlx's layout (`<version>_<description>.sql`).
        write_if_changed(&root.join(format!("sqlx/{:05}_bench.sql", n + 1)), &text);
    }
    let big = big();
    write_if_changed(&root.join("big/00001_big/up.sql"), &big);
    write_if_changed(&root.join("sqlx-big/00001_big.sql"), &big);
}
