//! Generates the migration folders `embed_migrations!` embeds (they are not committed):
//! `generated/apply` (1,000 migrations, each a `CREATE TABLE` and one `INSERT`) and
//! `generated/big` (one migration whose up.sql is ~10 MB: 80,000 INSERTs), and the same
//! two sets in sqlx's layout (`generated/sqlx`, `generated/sqlx-big`).
use std::fmt::Write as _;
use std::path::Path;

const COUNT: usize = 1000;
const BIG_ROWS: usize = 80_000;

fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn main() {
    println!("cargo:rerun-if-changed=build.rs");
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("generated");
    for n in 0..COUNT {
        let text = format!(
            "CREATE TABLE bench_{n:05} (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO bench_{n:05} (id, name) VALUES (1, 'row {n}');\n"
        );
        write_if_changed(&root.join(format!("apply/{n:05}_bench/up.sql")), &text);
        // The same migrations in sqlx's layout (`<version>_<description>.sql`).
        write_if_changed(&root.join(format!("sqlx/{:05}_bench.sql", n + 1)), &text);
    }
    let mut big = String::from(
        "CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, payload TEXT);\n",
    );
    for n in 0..BIG_ROWS {
        writeln!(
            big,
            "INSERT INTO big (id, name, payload) VALUES ({n}, 'row {n:06}', 'payload payload payload payload payload payload {n:08}');"
        )
        .unwrap();
    }
    write_if_changed(&root.join("big/00001_big/up.sql"), &big);
    write_if_changed(&root.join("sqlx-big/00001_big.sql"), &big);
}
