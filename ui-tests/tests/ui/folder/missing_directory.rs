// The folder does not exist.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/missing");

fn main() {
    let _ = MIGRATIONS.len();
}
