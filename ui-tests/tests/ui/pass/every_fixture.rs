// Every valid fixture folder of the `tests` package, embedded in statics, read through the
// public API (`Migrations::iter` and the `Migration` trait).
use switchy_schema::{Dialect, Migrations, TransactionMode};

static BASIC: Migrations = switchy_schema::embed_migrations!("../tests/fixtures/basic");
static DIALECTS: Migrations = switchy_schema::embed_migrations!("../tests/fixtures/dialects");
static NO_TRANSACTION: Migrations =
    switchy_schema::embed_migrations!("../tests/fixtures/no_transaction");
static CRLF: Migrations = switchy_schema::embed_migrations!("../tests/fixtures/crlf");
static IRREVERSIBLE: Migrations =
    switchy_schema::embed_migrations!("../tests/fixtures/irreversible");

fn main() {
    let ids: Vec<&str> = BASIC.iter().map(|m| m.id()).collect();
    assert_eq!(
        ids,
        ["0001_create_users", "0002_create_posts", "0003_add_user_email"]
    );
    assert!(BASIC.iter().nth(1).and_then(|m| m.description()).is_some());

    let items = DIALECTS.iter().next().expect("a migration");
    let origins: Vec<String> = Dialect::ALL.iter().map(|d| items.up_origin(*d)).collect();
    assert_eq!(
        origins,
        [
            "../tests/fixtures/dialects/0001_create_items/up.mysql.sql",
            "../tests/fixtures/dialects/0001_create_items/up.postgres.sql",
            "../tests/fixtures/dialects/0001_create_items/up.sql",
        ]
    );

    let modes: Vec<TransactionMode> = NO_TRANSACTION.iter().map(|m| m.transaction_mode()).collect();
    assert_eq!(
        modes,
        [TransactionMode::Transactional, TransactionMode::NoTransaction]
    );

    let crlf = CRLF.iter().next().expect("a migration");
    let sql = crlf.up_sql(Dialect::Sqlite).expect("SQL");
    assert!(sql.contains("\r\n"));
    assert_eq!(
        crlf.up_checksum(Dialect::Sqlite),
        switchy_schema::__private::checksum::checksum(&sql.replace("\r\n", "\n"))
    );

    assert!(IRREVERSIBLE.iter().all(|m| !m.is_reversible()));
}
