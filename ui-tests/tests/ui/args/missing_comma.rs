// Arguments are separated by commas.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/valid" require_down = true);

fn main() {
    let _ = MIGRATIONS.len();
}
