// A transactional migration with its own BEGIN / COMMIT; trigger bodies and migrations
// marked `run_in_transaction = false` are not reported.
use switchy_schema::Migrations;

static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("tests/fixtures/transaction_begin_commit");

fn main() {
    let _ = MIGRATIONS.len();
}
