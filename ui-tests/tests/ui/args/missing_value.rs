// An argument without `= value`.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/valid", require_down);

fn main() {
    let _ = MIGRATIONS.len();
}
