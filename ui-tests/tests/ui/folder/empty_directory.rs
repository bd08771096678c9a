// A folder with no migration (only a .gitkeep, which is ignored).
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/empty");

fn main() {
    let _ = MIGRATIONS.len();
}
