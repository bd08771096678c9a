// Keys of the wrong type in metadata.toml.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/metadata_wrong_type");

fn main() {
    let _ = MIGRATIONS.len();
}
