// An id that is only a version.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/id_without_name");

fn main() {
    let _ = MIGRATIONS.len();
}
