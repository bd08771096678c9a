// `up.sql.bak`, a copy.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/unknown_file_backup");

fn main() {
    let _ = MIGRATIONS.len();
}
