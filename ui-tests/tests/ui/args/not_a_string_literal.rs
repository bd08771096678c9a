// The path must be a string literal.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!(migrations);

fn main() {
    let _ = MIGRATIONS.len();
}
