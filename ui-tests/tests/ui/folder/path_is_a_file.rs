// The path names a file.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/a_file.sql");

fn main() {
    let _ = MIGRATIONS.len();
}
