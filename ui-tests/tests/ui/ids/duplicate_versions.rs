// Two ids with the same version, spelled the same or not.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/duplicate_versions");

fn main() {
    let _ = MIGRATIONS.len();
}
