// down.postgres.sql without down.sql.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/override_without_base");

fn main() {
    let _ = MIGRATIONS.len();
}
