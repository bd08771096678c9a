//! The SQL of the benchmark's migrations, shared by the build scripts of the harness and
//! of its peers binary (`#[path]`-included), so every tool applies byte-identical text.
use std::fmt::Write as _;
use std::path::Path;

/// How many migrations the apply and no-op figures use.
pub const COUNT: usize = 1000;
/// How many `INSERT`s the one big `up.sql` holds (about 10 MB).
pub const BIG_ROWS: usize = 80_000;

/// Migration `n` (0-based): one `CREATE TABLE` and one `INSERT`.
pub fn migration(n: usize) -> String {
    format!(
        "CREATE TABLE bench_{n:05} (id INTEGER PRIMARY KEY, name TEXT);\nINSERT INTO bench_{n:05} (id, name) VALUES (1, 'row {n}');\n"
    )
}

/// The one big migration: a `CREATE TABLE` and `BIG_ROWS` `INSERT`s.
pub fn big() -> String {
    let mut big =
        String::from("CREATE TABLE big (id INTEGER PRIMARY KEY, name TEXT, payload TEXT);\n");
    for n in 0..BIG_ROWS {
        writeln!(
            big,
            "INSERT INTO big (id, name, payload) VALUES ({n}, 'row {n:06}', 'payload payload payload payload payload payload {n:08}');"
        )
        .unwrap();
    }
    big
}

/// Writes `text` to `path` unless it already holds it (keeps mtimes, so the embedding
/// macros do not rebuild for nothing).
pub fn write_if_changed(path: &Path, text: &str) {
    if std::fs::read_to_string(path).ok().as_deref() != Some(text) {
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}
