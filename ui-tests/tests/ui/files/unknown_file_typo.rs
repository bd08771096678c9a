// `up.sq`, a typo.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/unknown_file_typo");

fn main() {
    let _ = MIGRATIONS.len();
}
