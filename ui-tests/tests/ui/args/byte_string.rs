// A byte string is not a path.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!(b"migrations");

fn main() {
    let _ = MIGRATIONS.len();
}
