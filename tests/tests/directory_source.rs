//! `DirectorySource` over the fixture folders in `tests/fixtures/`.

use std::path::{Path, PathBuf};

use switchy_schema::__private::checksum::{EMPTY_CHECKSUM, checksum, sha256_hex};
use switchy_schema::directory::DirectorySource;
use switchy_schema::{
    Dialect, Error, Migration, MigrationSource, SqlFile, SqlMigration, TransactionMode,
};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn load(name: &str) -> Vec<SqlMigration> {
    match DirectorySource::new(fixture(name)).load() {
        Ok(migrations) => migrations,
        Err(error) => panic!("fixture `{name}` should load: {error}"),
    }
}

fn ids(migrations: &[SqlMigration]) -> Vec<&str> {
    migrations.iter().map(|migration| &*migration.id).collect()
}

/// The file names and dialects of `files`, in order.
fn files(files: &[SqlFile]) -> Vec<(Option<Dialect>, String)> {
    files
        .iter()
        .map(|file| {
            let name = Path::new(&*file.path)
                .file_name()
                .expect("a file name")
                .to_string_lossy()
                .into_owned();
            (file.dialect, name)
        })
        .collect()
}

/// Checks that each file's path is `<fixture>/<id>/<name>`, that its SQL is the file's
/// content, and that its checksum is that of its content.
fn check_files(fixture_name: &str, migration: &SqlMigration) {
    for file in migration.up.iter().chain(migration.down.iter()) {
        let path = Path::new(&*file.path);
        assert_eq!(
            path.parent(),
            Some(&*fixture(fixture_name).join(&*migration.id))
        );
        let content = std::fs::read_to_string(path).expect("read the fixture file");
        assert_eq!(file.sql, content);
        assert_eq!(file.checksum, checksum(&content));
        assert_eq!(file.checksum.len(), 64);
    }
}

#[test]
fn basic() {
    let migrations = load("basic");
    assert_eq!(
        ids(&migrations),
        [
            "0001_create_users",
            "0002_create_posts",
            "0003_add_user_email"
        ]
    );
    for migration in &migrations {
        check_files("basic", migration);
        assert_eq!(files(&migration.up), [(None, "up.sql".to_owned())]);
        assert_eq!(files(&migration.down), [(None, "down.sql".to_owned())]);
        assert_eq!(migration.transaction_mode, TransactionMode::Transactional);
        assert!(migration.is_reversible());
    }
    let descriptions: Vec<Option<&str>> = migrations
        .iter()
        .map(|migration| migration.description.as_deref())
        .collect();
    assert_eq!(descriptions, [None, Some("posts written by users"), None]);

    let users = &migrations[0];
    assert_eq!(
        users.up[0].path,
        fixture("basic")
            .join("0001_create_users")
            .join("up.sql")
            .to_string_lossy()
    );
    // LF files: the checksum is the SHA-256 of the raw bytes.
    let raw = std::fs::read(fixture("basic/0001_create_users/up.sql")).expect("read");
    assert_eq!(users.up[0].checksum, sha256_hex(&raw));
    for dialect in Dialect::ALL {
        assert_eq!(users.up_checksum(dialect), users.up[0].checksum);
        assert_eq!(users.down_checksum(dialect), users.down[0].checksum);
        assert_eq!(users.up_sql(dialect), Some(&*users.up[0].sql));
    }
}

#[test]
fn dialects() {
    let migrations = load("dialects");
    assert_eq!(ids(&migrations), ["0001_create_items", "0002_seed_items"]);
    for migration in &migrations {
        check_files("dialects", migration);
    }
    let items = &migrations[0];
    assert_eq!(
        files(&items.up),
        [
            (None, "up.sql".to_owned()),
            (Some(Dialect::MySql), "up.mysql.sql".to_owned()),
            (Some(Dialect::Postgres), "up.postgres.sql".to_owned()),
        ]
    );
    assert_eq!(
        files(&items.down),
        [
            (None, "down.sql".to_owned()),
            (Some(Dialect::Postgres), "down.postgres.sql".to_owned()),
        ]
    );
    let up = |dialect| items.up_file(dialect).expect("an up file");
    assert!(up(Dialect::Sqlite).sql.contains("AUTOINCREMENT"));
    assert_eq!(up(Dialect::Sqlite).dialect, None);
    assert!(up(Dialect::Postgres).sql.contains("SERIAL"));
    assert!(up(Dialect::MySql).sql.contains("AUTO_INCREMENT"));
    assert_ne!(
        items.up_checksum(Dialect::Sqlite),
        items.up_checksum(Dialect::Postgres)
    );
    assert_ne!(
        items.up_checksum(Dialect::Postgres),
        items.up_checksum(Dialect::MySql)
    );
    assert!(
        items
            .down_sql(Dialect::Postgres)
            .expect("down")
            .contains("CASCADE")
    );
    assert!(
        !items
            .down_sql(Dialect::MySql)
            .expect("down")
            .contains("CASCADE")
    );

    let seed = &migrations[1];
    assert_eq!(files(&seed.up), [(None, "up.sql".to_owned())]);
    assert_eq!(files(&seed.down), [(None, "down.sql".to_owned())]);
}

#[test]
fn no_transaction() {
    let migrations = load("no_transaction");
    assert_eq!(
        ids(&migrations),
        ["0001_create_events", "0002_index_events"]
    );
    for migration in &migrations {
        check_files("no_transaction", migration);
    }
    assert_eq!(
        migrations[0].transaction_mode,
        TransactionMode::Transactional
    );
    let index = &migrations[1];
    assert_eq!(index.transaction_mode, TransactionMode::NoTransaction);
    assert_eq!(
        Migration::transaction_mode(index),
        TransactionMode::NoTransaction
    );
    assert_eq!(
        index.description.as_deref(),
        Some("index events without locking the table")
    );
    assert_eq!(
        files(&index.up),
        [
            (None, "up.sql".to_owned()),
            (Some(Dialect::Postgres), "up.postgres.sql".to_owned()),
            (Some(Dialect::Sqlite), "up.sqlite.sql".to_owned()),
        ]
    );
    assert_eq!(
        files(&index.down),
        [
            (None, "down.sql".to_owned()),
            (Some(Dialect::Postgres), "down.postgres.sql".to_owned()),
            (Some(Dialect::Sqlite), "down.sqlite.sql".to_owned()),
        ]
    );
    let postgres = index.up_sql(Dialect::Postgres).expect("up");
    assert_eq!(postgres.matches("CREATE INDEX CONCURRENTLY").count(), 2);
    assert!(
        index
            .up_sql(Dialect::Sqlite)
            .expect("up")
            .contains("PRAGMA journal_mode=WAL;")
    );
    let mysql = index.up_sql(Dialect::MySql).expect("up");
    assert_eq!(mysql.matches("CREATE INDEX ").count(), 2);
    assert!(!mysql.contains("CONCURRENTLY"));
}

#[test]
fn crlf() {
    let migrations = load("crlf");
    assert_eq!(ids(&migrations), ["0001_create_notes"]);
    let notes = &migrations[0];
    check_files("crlf", notes);
    assert_eq!(notes.description.as_deref(), Some("written on windows"));
    assert_eq!(notes.transaction_mode, TransactionMode::Transactional);
    for file in notes.up.iter().chain(notes.down.iter()) {
        let raw = std::fs::read(&*file.path).expect("read");
        assert!(
            raw.windows(2).any(|pair| pair == b"\r\n"),
            "{} should have CRLF endings (is `.gitattributes` in effect?)",
            file.path
        );
        // The SQL is kept byte for byte ...
        assert_eq!(file.sql.as_bytes(), raw);
        // ... and its checksum is that of the same text with LF endings.
        let lf = file.sql.replace("\r\n", "\n");
        assert_eq!(file.checksum, checksum(&lf));
        assert_eq!(file.checksum, sha256_hex(lf.as_bytes()));
        assert_ne!(file.checksum, sha256_hex(&raw));
    }
}

#[test]
fn irreversible() {
    let migrations = load("irreversible");
    assert_eq!(ids(&migrations), ["0001_create_logs", "0002_seed_logs"]);
    for migration in &migrations {
        check_files("irreversible", migration);
        assert!(migration.down.is_empty());
        assert!(!migration.is_reversible());
        for dialect in Dialect::ALL {
            assert_eq!(migration.down_checksum(dialect), EMPTY_CHECKSUM);
            assert_eq!(migration.down_sql(dialect), None);
        }
    }
}

#[test]
fn invalid_reports_every_violation() {
    let root = fixture("invalid");
    let error = DirectorySource::new(&root).load().expect_err("invalid");
    let Error::InvalidFolder(violations) = &error else {
        panic!("expected Error::InvalidFolder, got {error:?}");
    };
    let found: Vec<(String, &str)> = violations
        .iter()
        .map(|violation| {
            let relative = violation
                .path
                .strip_prefix(&root)
                .expect("a path in the fixture");
            (
                relative.to_string_lossy().replace('\\', "/"),
                violation.rule.as_str(),
            )
        })
        .collect();
    let found: Vec<(&str, &str)> = found
        .iter()
        .map(|(path, rule)| (path.as_str(), *rule))
        .collect();
    assert_eq!(
        found,
        [
            (
                "0001_init/up.sq",
                "unknown file in a migration folder: a migration holds `up.sql`, `down.sql`, `up.<dialect>.sql`, `down.<dialect>.sql` and `metadata.toml`"
            ),
            (
                "0002_posts",
                "missing `up.sql`: there is a `down.sql`, but every migration needs an `up.sql` (it may be empty)"
            ),
            (
                "0003_tags/up.oracle.sql",
                "unknown dialect `oracle`: the known dialects are `mysql`, `postgres` and `sqlite`"
            ),
            (
                "0003_tags/down.postgres.sql",
                "`down.postgres.sql` has no `down.sql`: a dialect override needs its base file, so that every dialect agrees on whether the migration can be rolled back"
            ),
            (
                "0004_meta/metadata.toml",
                "`run_in_transaction` must be a boolean (`true` or `false`), not a string"
            ),
            (
                "0004_meta/metadata.toml",
                "unknown key `timeout` in metadata.toml: the known keys are `run_in_transaction` and `description`"
            ),
            (
                "0006_latin1/up.sql",
                "the file is not valid UTF-8 text (first invalid byte on line 1)"
            ),
            (
                "0007_nested/sub",
                "unexpected folder inside a migration folder: a migration holds only files"
            ),
            (
                "create_comments",
                "the id `create_comments` does not start with a version: an id is a version (digits, optionally separated by single `-` or `_`), then `_`, then a name"
            ),
            (
                "stray.sql",
                "loose sql file at the top level: each migration is a folder named after its id, holding `up.sql`"
            ),
            (
                "0003_tags",
                "version `0003` is used by both `0003_labels` and `0003_tags`: each migration needs its own version"
            ),
            (
                "5_early",
                "`5_early` runs after `10_late` (ids run in byte order), but its version `5` is smaller than `10`"
            ),
        ]
    );
    let hints: Vec<Option<&str>> = violations
        .iter()
        .map(|violation| violation.hint.as_deref())
        .collect();
    assert_eq!(hints[0], Some("did you mean `up.sql`?"));
    assert_eq!(hints[8], Some("for example `0001_create_comments`"));
    assert_eq!(hints[9], Some("move it to `0001_stray/up.sql`"));
    assert_eq!(
        hints[11],
        Some("zero-pad every version to the same width, for example `0005_early`")
    );

    let message = error.to_string();
    assert!(
        message.starts_with("12 problem(s) in the migrations folder:\n  - "),
        "{message}"
    );
    assert!(
        message.contains("0001_init/up.sq: unknown file in a migration folder"),
        "{message}"
    );
}

#[test]
fn a_missing_folder_is_an_invalid_folder() {
    let error = DirectorySource::new(fixture("does_not_exist"))
        .load()
        .expect_err("missing");
    let Error::InvalidFolder(violations) = error else {
        panic!("expected Error::InvalidFolder");
    };
    assert_eq!(violations.len(), 1);
    assert_eq!(violations[0].rule, "the migrations folder does not exist");
}

#[tokio::test]
async fn the_source_gives_the_loaded_migrations() {
    let source = DirectorySource::new(fixture("dialects"));
    let loaded = source.load().expect("valid");
    let migrations = source.migrations().await.expect("valid");
    assert_eq!(migrations.len(), loaded.len());
    for (migration, expected) in migrations.iter().zip(&loaded) {
        assert_eq!(migration.id(), expected.id);
        assert!(migration.is_reversible());
        for dialect in Dialect::ALL {
            assert_eq!(
                migration.up_checksum(dialect),
                expected.up_checksum(dialect)
            );
            assert_eq!(
                migration.down_checksum(dialect),
                expected.down_checksum(dialect)
            );
            assert_eq!(migration.up_origin(dialect), expected.up_origin(dialect));
        }
    }
    assert!(
        migrations[0]
            .up_origin(Dialect::Postgres)
            .ends_with("0001_create_items/up.postgres.sql")
    );

    let error = DirectorySource::new(fixture("invalid"))
        .migrations()
        .await
        .err()
        .expect("invalid");
    assert!(matches!(error, Error::InvalidFolder(ref violations) if violations.len() == 12));
}

/// The valid fixtures' SQLite files run: every `up` in order, then every `down` in reverse.
/// (Applied here with rusqlite directly, independently of the runner.)
#[test]
fn valid_fixtures_run_on_sqlite() {
    for name in [
        "basic",
        "dialects",
        "no_transaction",
        "crlf",
        "irreversible",
    ] {
        let dir = tempfile::tempdir().expect("a temp dir");
        let db = rusqlite::Connection::open(dir.path().join("fixture.db")).expect("open");
        db.execute_batch("PRAGMA foreign_keys = ON;")
            .expect("pragma");
        let migrations = load(name);
        for migration in &migrations {
            let sql = migration.up_sql(Dialect::Sqlite).expect("an up file");
            db.execute_batch(sql)
                .unwrap_or_else(|error| panic!("{name}/{}: up failed: {error}", migration.id));
        }
        for migration in migrations.iter().rev() {
            if let Some(sql) = migration.down_sql(Dialect::Sqlite) {
                db.execute_batch(sql).unwrap_or_else(|error| {
                    panic!("{name}/{}: down failed: {error}", migration.id)
                });
            }
        }
        if migrations.iter().all(Migration::is_reversible) {
            let tables: i64 = db
                .query_row(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
                    [],
                    |row| row.get(0),
                )
                .expect("count tables");
            assert_eq!(tables, 0, "{name}: every table is dropped by the downs");
        }
    }
}

/// The directory source applies the grammar's rules on ids and versions (the macro's side
/// is in `ui-tests/tests/ui/ids/` and `ui-tests/tests/ui/generated/`).
#[test]
fn version_shapes_and_id_characters_are_checked() {
    let dir = tempfile::tempdir().expect("a scratch folder");
    for id in [
        "2024-01-03-000000_a",
        "20240102000000_b",
        "2024-01-05-000000_c",
        "20240105000000_d",
        "20240106000000_e ",
    ] {
        std::fs::create_dir(dir.path().join(id)).expect("create");
        std::fs::write(dir.path().join(id).join("up.sql"), "SELECT 1;\n").expect("write");
    }
    let error = DirectorySource::new(dir.path())
        .load()
        .expect_err("invalid");
    let Error::InvalidFolder(violations) = &error else {
        panic!("expected Error::InvalidFolder, got {error:?}");
    };
    let found: Vec<(String, &str)> = violations
        .iter()
        .map(|violation| {
            let name = violation.path.file_name().expect("a name");
            (name.to_string_lossy().into_owned(), violation.rule.as_str())
        })
        .collect();
    assert_eq!(
        found,
        [
            (
                "20240106000000_e ".to_owned(),
                "the id \"20240106000000_e \" is not a valid id: it ends with whitespace; an id may not start or end with whitespace, nor hold control characters"
            ),
            (
                "20240102000000_b".to_owned(),
                "`20240102000000_b` runs after `2024-01-05-000000_c` (ids run in byte order), but its version `20240102000000` is smaller than `2024-01-05-000000`"
            ),
            (
                "20240105000000_d".to_owned(),
                "version `20240105000000` of `20240105000000_d` equals version `2024-01-05-000000` of `2024-01-05-000000_c` (versions are compared by their digits, separators and leading zeros dropped): each migration needs its own version"
            ),
        ]
    );
    // The message shows the trailing whitespace.
    assert!(
        error.to_string().contains("/20240106000000_e \": the id"),
        "{error}"
    );
}
