// down.sql without up.sql.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/down_without_up");

fn main() {
    let _ = MIGRATIONS.len();
}
