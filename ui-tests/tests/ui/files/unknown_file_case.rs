// `Up.sql`: names are case-sensitive.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/unknown_file_case");

fn main() {
    let _ = MIGRATIONS.len();
}
