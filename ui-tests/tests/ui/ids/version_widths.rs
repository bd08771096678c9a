// Versions of different widths that sort wrongly: 1, 10, 2.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/version_widths");

fn main() {
    let _ = MIGRATIONS.len();
}
