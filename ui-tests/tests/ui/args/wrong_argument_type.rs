// require_down takes a boolean.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/valid", require_down = "yes");

fn main() {
    let _ = MIGRATIONS.len();
}
