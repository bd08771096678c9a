// The tracking table belongs to the runner, not to the macro.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/valid", table_name = "migrations");

fn main() {
    let _ = MIGRATIONS.len();
}
