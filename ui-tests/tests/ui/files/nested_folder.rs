// A folder inside a migration folder.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/nested_folder");

fn main() {
    let _ = MIGRATIONS.len();
}
