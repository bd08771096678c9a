// A folder that breaks many rules: all are reported at once.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("../tests/fixtures/invalid");

fn main() {
    let _ = MIGRATIONS.len();
}
