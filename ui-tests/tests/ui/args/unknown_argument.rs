// A misspelled argument.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/valid", reqire_down = true);

fn main() {
    let _ = MIGRATIONS.len();
}
