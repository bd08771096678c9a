// An unknown key in metadata.toml.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/unknown_metadata_key");

fn main() {
    let _ = MIGRATIONS.len();
}
