// require_down = true and migrations without down.sql.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("../tests/fixtures/irreversible", require_down = true);

fn main() {
    let _ = MIGRATIONS.len();
}
