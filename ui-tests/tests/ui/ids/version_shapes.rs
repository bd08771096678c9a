// Versions of different shapes whose byte order and numeric order disagree: January 3
// (`2024-01-03-000000`) sorts before January 2 (`20240102000000`).
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/version_shapes");

fn main() {
    let _ = MIGRATIONS.len();
}
