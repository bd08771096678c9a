// An id that does not start with a version.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/id_without_version");

fn main() {
    let _ = MIGRATIONS.len();
}
