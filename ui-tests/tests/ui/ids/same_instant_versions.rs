// One instant written in two shapes: versions are compared by their digits, so
// `2024-01-01-000000` and `20240101000000` collide.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/same_instant_versions");

fn main() {
    let _ = MIGRATIONS.len();
}
