// An argument given twice.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/valid", require_down = true, require_down = false);

fn main() {
    let _ = MIGRATIONS.len();
}
