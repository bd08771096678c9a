// A folder holding only a `README` folder: ignored like a README file, so no migration.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/readme_folder_only");

fn main() {
    let _ = MIGRATIONS.len();
}
