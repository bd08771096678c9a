// A SQL file at the top level instead of in a migration folder.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/loose_sql_file");

fn main() {
    let _ = MIGRATIONS.len();
}
