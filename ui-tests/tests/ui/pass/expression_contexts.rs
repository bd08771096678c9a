// The expansion is a constant expression: it works in a `static`, a `const`, and as a
// value in a function (its array is promoted to `'static` there too).
use switchy_schema::Migrations;

const CONST: Migrations = switchy_schema::embed_migrations!("tests/fixtures/valid");

fn migrations() -> Migrations {
    switchy_schema::embed_migrations!("tests/fixtures/valid")
}

fn main() {
    let local = switchy_schema::embed_migrations!("tests/fixtures/valid");
    let in_fn = migrations();
    assert_eq!(CONST.len(), 2);
    assert_eq!(local.as_slice(), in_fn.as_slice());
    let first = &local.as_slice()[0];
    assert_eq!(first.id, "0001_users");
    assert_eq!(first.up[0].path, "tests/fixtures/valid/0001_users/up.sql");
    assert_eq!(first.up[0].sql, "CREATE TABLE users (id INT);\n");
    assert_eq!(
        first.up[0].checksum,
        switchy_schema::checksum::checksum(first.up[0].sql)
    );
}
