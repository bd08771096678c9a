//! `embed_migrations!` embeds exactly what `DirectorySource` reads from the same folder:
//! ids, order, descriptions, transaction modes, dialect overrides, paths, SQL text and
//! checksums, for every valid fixture folder.

use std::borrow::Cow;
use std::path::{Path, PathBuf};

use switchy_schema::__private::checksum::checksum;
use switchy_schema::__private::{EmbeddedMigration, embedded_list};
use switchy_schema::directory::DirectorySource;
use switchy_schema::{Dialect, Migrations, SqlFile, SqlMigration, embed_migrations};

static BASIC: Migrations = embed_migrations!("fixtures/basic");
static DIALECTS: Migrations = embed_migrations!("fixtures/dialects");
static NO_TRANSACTION: Migrations = embed_migrations!("fixtures/no_transaction");
static CRLF: Migrations = embed_migrations!("fixtures/crlf");
static IRREVERSIBLE: Migrations = embed_migrations!("fixtures/irreversible");

/// What the directory source reads from `fixtures/<name>`, with each path made relative to
/// this package as `DirectorySource::new("fixtures/<name>")` would give it from here.
fn load(name: &str) -> Vec<SqlMigration> {
    let manifest_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let root = manifest_dir.join("fixtures").join(name);
    let mut migrations = match DirectorySource::new(&root).load() {
        Ok(migrations) => migrations,
        Err(error) => panic!("fixture `{name}` should load: {error}"),
    };
    let relative = |file: &mut SqlFile| {
        let path = Path::new(&*file.path)
            .strip_prefix(manifest_dir)
            .expect("under the package");
        file.path = Cow::Owned(path.to_string_lossy().into_owned());
    };
    for migration in &mut migrations {
        migration.up.to_mut().iter_mut().for_each(relative);
        migration.down.to_mut().iter_mut().for_each(relative);
    }
    migrations
}

fn embedded(migrations: &Migrations) -> Vec<SqlMigration> {
    embedded_list(migrations)
        .iter()
        .map(SqlMigration::from)
        .collect()
}

fn assert_same(name: &str, migrations: &Migrations) {
    let embedded = embedded(migrations);
    let loaded = load(name);
    assert!(!loaded.is_empty());
    assert_eq!(embedded, loaded, "fixture `{name}`");
    for migration in &embedded {
        for file in migration.up.iter().chain(migration.down.iter()) {
            let expected_prefix: PathBuf = ["fixtures", name, &migration.id].iter().collect();
            assert_eq!(Path::new(&*file.path).parent(), Some(&*expected_prefix));
            assert_eq!(file.checksum, checksum(&file.sql));
        }
    }
}

#[test]
fn basic() {
    assert_same("basic", &BASIC);
}

#[test]
fn dialects() {
    assert_same("dialects", &DIALECTS);
    // The base `up.sql` runs (and was checked) on SQLite only, each override on its own
    // dialect: the runner skips its transaction-control check exactly there.
    let recorded: Vec<&[Dialect]> = embedded_list(&DIALECTS)[0]
        .up
        .iter()
        .map(|file| file.no_transaction_control)
        .collect();
    assert_eq!(
        recorded,
        [
            &[Dialect::Sqlite][..],
            &[Dialect::MySql][..],
            &[Dialect::Postgres][..]
        ]
    );
}

#[test]
fn no_transaction() {
    assert_same("no_transaction", &NO_TRANSACTION);
    let [transactional, outside] = embedded_list(&NO_TRANSACTION) else {
        panic!("two migrations");
    };
    let recorded = |migration: &EmbeddedMigration| -> Vec<&[Dialect]> {
        migration
            .up
            .iter()
            .chain(migration.down)
            .map(|file| file.no_transaction_control)
            .collect()
    };
    assert_eq!(
        recorded(transactional),
        [&Dialect::ALL[..], &Dialect::ALL[..]]
    );
    // Not checked outside a transaction, so nothing is vouched for.
    assert_eq!(recorded(outside), [&[][..]; 6]);
}

#[test]
fn crlf() {
    assert_same("crlf", &CRLF);
    let up = &embedded_list(&CRLF)[0].up[0];
    assert!(up.sql.contains("\r\n"), "embedded byte for byte");
    assert_eq!(up.checksum, checksum(&up.sql.replace("\r\n", "\n")));
}

#[test]
fn irreversible() {
    assert_same("irreversible", &IRREVERSIBLE);
    assert!(
        embedded_list(&IRREVERSIBLE)
            .iter()
            .all(|m| m.down.is_empty())
    );
}

/// Every valid fixture folder is covered above: a new one must be added here too.
#[test]
fn every_valid_fixture_is_compared() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut valid: Vec<String> = std::fs::read_dir(&fixtures)
        .expect("read fixtures")
        .filter_map(Result::ok)
        .filter(|entry| entry.path().is_dir())
        .map(|entry| entry.file_name().to_string_lossy().into_owned())
        .filter(|name| DirectorySource::new(fixtures.join(name)).load().is_ok())
        .collect();
    valid.sort();
    assert_eq!(
        valid,
        [
            "basic",
            "crlf",
            "dialects",
            "irreversible",
            "no_transaction"
        ]
    );
}
