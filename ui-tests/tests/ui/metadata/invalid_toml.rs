// metadata.toml that is not TOML.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/invalid_toml");

fn main() {
    let _ = MIGRATIONS.len();
}
