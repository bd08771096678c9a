// No argument at all.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!();

fn main() {
    let _ = MIGRATIONS.len();
}
