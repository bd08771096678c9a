// Override files with unknown dialect suffixes.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/unknown_dialect");

fn main() {
    let _ = MIGRATIONS.len();
}
