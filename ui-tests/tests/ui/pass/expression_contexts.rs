// The expansion is a constant expression: it works in a `static`, a `const`, and as a
// value in a function (its array is promoted to `'static` there too).
use switchy_schema::{Dialect, Migrations};

const CONST: Migrations = switchy_schema::embed_migrations!("tests/fixtures/valid");

fn migrations() -> Migrations {
    switchy_schema::embed_migrations!("tests/fixtures/valid")
}

fn ids(migrations: &Migrations) -> Vec<&'static str> {
    migrations.iter().map(|migration| migration.id()).collect()
}

fn main() {
    let local = switchy_schema::embed_migrations!("tests/fixtures/valid");
    let in_fn = migrations();
    assert_eq!(CONST.len(), 2);
    assert_eq!(ids(&local), ["0001_users", "0002_posts"]);
    assert_eq!(ids(&local), ids(&in_fn));
    assert_eq!(ids(&local), ids(&CONST));
    let first = local.iter().next().expect("a migration");
    assert_eq!(
        first.up_origin(Dialect::Sqlite),
        "tests/fixtures/valid/0001_users/up.sql"
    );
    let sql = "CREATE TABLE users (id INT);\n";
    assert_eq!(first.up_sql(Dialect::Postgres), Some(sql));
    assert_eq!(
        first.up_checksum(Dialect::MySql),
        switchy_schema::__private::checksum::checksum(sql)
    );
}
