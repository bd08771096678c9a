// Every valid fixture folder of the `tests` package, embedded in statics.
use switchy_schema::{Dialect, Migrations, TransactionMode};

static BASIC: Migrations = switchy_schema::embed_migrations!("../tests/fixtures/basic");
static DIALECTS: Migrations = switchy_schema::embed_migrations!("../tests/fixtures/dialects");
static NO_TRANSACTION: Migrations =
    switchy_schema::embed_migrations!("../tests/fixtures/no_transaction");
static CRLF: Migrations = switchy_schema::embed_migrations!("../tests/fixtures/crlf");
static IRREVERSIBLE: Migrations =
    switchy_schema::embed_migrations!("../tests/fixtures/irreversible");

fn main() {
    let ids: Vec<&str> = BASIC.as_slice().iter().map(|m| m.id).collect();
    assert_eq!(
        ids,
        ["0001_create_users", "0002_create_posts", "0003_add_user_email"]
    );
    assert!(BASIC.as_slice()[1].description.is_some());

    let items = &DIALECTS.as_slice()[0];
    let dialects: Vec<Option<Dialect>> = items.up.iter().map(|f| f.dialect).collect();
    assert_eq!(
        dialects,
        [None, Some(Dialect::MySql), Some(Dialect::Postgres)]
    );
    assert_eq!(
        items.up[2].path,
        "../tests/fixtures/dialects/0001_create_items/up.postgres.sql"
    );

    let modes: Vec<TransactionMode> = NO_TRANSACTION
        .as_slice()
        .iter()
        .map(|m| m.transaction_mode)
        .collect();
    assert_eq!(
        modes,
        [TransactionMode::Transactional, TransactionMode::NoTransaction]
    );

    let up = &CRLF.as_slice()[0].up[0];
    assert!(up.sql.contains("\r\n"));
    assert_eq!(
        up.checksum,
        switchy_schema::checksum::checksum(&up.sql.replace("\r\n", "\n"))
    );

    assert!(IRREVERSIBLE.as_slice().iter().all(|m| m.down.is_empty()));
}
