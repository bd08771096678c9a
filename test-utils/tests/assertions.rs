//! The assertions on every engine: each passes on what it asserts and fails with a message
//! showing what it found; names are quoted.

mod common;

use common::each;
use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema::{Database, Dialect, MigrationRunner};
use switchy_schema_test_utils::{
    Error, SchemaSnapshot, assert_column_exists, assert_column_not_exists, assert_column_type,
    assert_foreign_key_integrity, assert_migrations_applied, assert_migrations_applied_in,
    assert_migrations_not_applied, assert_min_row_count, assert_row_count, assert_schema_matches,
    assert_table_exists, assert_table_not_exists, row_count,
};

fn message(result: switchy_schema_test_utils::Result<()>) -> String {
    match result {
        Ok(()) => panic!("the assertion passed"),
        Err(Error::Assertion(message)) => message,
        Err(other) => panic!("not an assertion failure: {other}"),
    }
}

async fn schema(db: &dyn Database) {
    db.exec_raw(
        "CREATE TABLE users (id INTEGER PRIMARY KEY, name VARCHAR(50) NOT NULL);
         CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER, CONSTRAINT posts_user FOREIGN KEY (user_id) REFERENCES users (id));
         INSERT INTO users (id, name) VALUES (1, 'ada'), (2, 'grace');
         INSERT INTO posts (id, user_id) VALUES (10, 1), (11, NULL);",
    )
    .await
    .unwrap();
}

#[tokio::test]
async fn table_and_column_assertions_show_what_is_there() {
    each("assert_schema", async |db| {
        let dialect = db.dialect();
        schema(db).await;
        let (int, varchar) = match dialect {
            Dialect::Sqlite => ("integer", "varchar(50)"),
            Dialect::Postgres => ("integer", "character varying(50)"),
            Dialect::MySql => ("int(11)", "varchar(50)"),
        };
        let id_null = if dialect == Dialect::Sqlite { "NULL" } else { "NOT NULL" };

        assert_table_exists(db, "users").await.unwrap();
        assert_eq!(
            message(assert_table_exists(db, "user").await),
            "table `user` does not exist; the tables are `posts`, `users`"
        );
        assert_table_not_exists(db, "user").await.unwrap();
        assert_eq!(
            message(assert_table_not_exists(db, "users").await),
            format!("table `users` exists; its columns are `id` ({int} {id_null}), `name` ({varchar} NOT NULL)")
        );

        assert_column_exists(db, "users", "name").await.unwrap();
        assert_eq!(
            message(assert_column_exists(db, "users", "email").await),
            format!("table `users` has no column `email`; its columns are `id` ({int} {id_null}), `name` ({varchar} NOT NULL)")
        );
        assert_eq!(
            message(assert_column_exists(db, "nothing", "email").await),
            "table `nothing` does not exist; the tables are `posts`, `users`"
        );
        assert_column_not_exists(db, "users", "email").await.unwrap();
        assert_eq!(
            message(assert_column_not_exists(db, "users", "name").await),
            format!("table `users` has a column `name` ({varchar} NOT NULL)")
        );

        assert_column_type(db, "users", "name", &varchar.to_uppercase())
            .await
            .unwrap();
        assert_eq!(
            message(assert_column_type(db, "users", "name", "text").await),
            format!("column `users`.`name` has type `{varchar}`, expected `text`")
        );
    })
    .await;
}

#[tokio::test]
async fn row_counts() {
    each("assert_rows", async |db| {
        schema(db).await;
        assert_eq!(row_count(db, "users").await.unwrap(), 2);
        assert_row_count(db, "users", 2).await.unwrap();
        assert_eq!(
            message(assert_row_count(db, "users", 3).await),
            "table `users` has 2 row(s), expected 3"
        );
        assert_min_row_count(db, "users", 1).await.unwrap();
        assert_min_row_count(db, "users", 2).await.unwrap();
        assert_eq!(
            message(assert_min_row_count(db, "users", 5).await),
            "table `users` has 2 row(s), expected at least 5"
        );
        // A missing table is a database error, with the table named.
        let error = assert_row_count(db, "nothing", 0).await.unwrap_err();
        assert!(
            error
                .to_string()
                .starts_with("counting the rows of `nothing`: "),
            "{error}"
        );
    })
    .await;
}

#[tokio::test]
async fn names_reaching_sql_are_quoted() {
    each("assert_quoting", async |db| {
        let (create, name) = match db.dialect() {
            Dialect::MySql => ("CREATE TABLE `we``ird; x` (id INTEGER)", "we`ird; x"),
            Dialect::Sqlite | Dialect::Postgres => {
                ("CREATE TABLE \"we\"\"ird; x\" (id INTEGER)", "we\"ird; x")
            }
        };
        db.exec_raw(create).await.unwrap();
        db.exec_raw("CREATE TABLE victim (id INTEGER)")
            .await
            .unwrap();
        assert_table_exists(db, name).await.unwrap();
        assert_row_count(db, name, 0).await.unwrap();
        // An injection attempt is one (missing) name, not a statement.
        let error = assert_row_count(db, "victim; DROP TABLE victim", 0)
            .await
            .unwrap_err();
        assert!(matches!(error, Error::Database { .. }), "{error}");
        assert_table_exists(db, "victim").await.unwrap();
        assert!(matches!(
            assert_row_count(db, "a.b.c", 0).await,
            Err(Error::InvalidIdentifier { .. })
        ));
        assert!(matches!(
            assert_column_exists(db, "victim", "").await,
            Err(Error::InvalidIdentifier { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn foreign_key_integrity_finds_violations_the_database_let_through() {
    each("assert_fk", async |db| {
        let dialect = db.dialect();
        schema(db).await;
        assert_foreign_key_integrity(db).await.unwrap();
        // Each engine has its own way to let an orphan in.
        match dialect {
            Dialect::Sqlite => db
                .exec_raw("PRAGMA foreign_keys = OFF; INSERT INTO posts (id, user_id) VALUES (12, 9);")
                .await
                .unwrap(),
            Dialect::Postgres => db
                .exec_raw(
                    "ALTER TABLE posts DISABLE TRIGGER ALL; INSERT INTO posts (id, user_id) VALUES (12, 9); \
                     ALTER TABLE posts ENABLE TRIGGER ALL;",
                )
                .await
                .unwrap(),
            Dialect::MySql => {
                // FOREIGN_KEY_CHECKS belongs to a connection: one transaction, one connection.
                let tx = db.begin_transaction().await.unwrap();
                tx.exec_raw("SET FOREIGN_KEY_CHECKS = 0").await.unwrap();
                tx.exec_raw("INSERT INTO posts (id, user_id) VALUES (12, 9)")
                    .await
                    .unwrap();
                tx.exec_raw("SET FOREIGN_KEY_CHECKS = 1").await.unwrap();
                tx.commit().await.unwrap();
            }
        }
        let action = if dialect == Dialect::MySql { "RESTRICT" } else { "NO ACTION" };
        assert_eq!(
            message(assert_foreign_key_integrity(db).await),
            format!(
                "foreign key violations:\ntable `posts`: 1 row(s) violate foreign key (user_id) \
                 references users (id) on update {action} on delete {action}, such as (user_id) = (9)"
            )
        );
    })
    .await;
}

#[tokio::test]
async fn migration_status_assertions_read_the_tracking_table() {
    each("assert_migrations", async |db| {
        let source = || {
            CodeSource::new()
                .with(CodeMigration::new("0001_a", "CREATE TABLE a (id INTEGER)"))
                .with(CodeMigration::new("0002_b", "CREATE TABLE b (id INTEGER)"))
        };
        assert_migrations_not_applied(db, &["0001_a"])
            .await
            .unwrap();
        assert_eq!(
            message(assert_migrations_applied(db, &["0001_a"]).await),
            "not applied: `0001_a` (no record); the tracking table has no rows"
        );
        MigrationRunner::new(source())
            .with_strategy(switchy_schema::ExecutionStrategy::UpTo("0001_a".into()))
            .run(db)
            .await
            .unwrap();
        assert_migrations_applied(db, &["0001_a"]).await.unwrap();
        assert_migrations_not_applied(db, &["0002_b"])
            .await
            .unwrap();
        assert_eq!(
            message(assert_migrations_applied(db, &["0001_a", "0002_b"]).await),
            "not applied: `0002_b` (no record); tracked: `0001_a` (completed)"
        );
        assert_eq!(
            message(assert_migrations_not_applied(db, &["0001_a", "0002_b"]).await),
            "expected not applied, but tracked: `0001_a` (completed)"
        );
        // Another tracking table is another history.
        assert_eq!(
            message(assert_migrations_applied_in(db, "other_migrations", &["0001_a"]).await),
            "not applied: `0001_a` (no record); the tracking table has no rows"
        );
        assert!(matches!(
            assert_migrations_applied_in(db, "bad name; --", &["0001_a"]).await,
            Err(Error::Migration { .. })
        ));
    })
    .await;
}

#[tokio::test]
async fn schema_matches_lists_every_difference() {
    each("assert_schema_matches", async |db| {
        schema(db).await;
        let expected = SchemaSnapshot::capture(db).await.unwrap();
        assert_schema_matches(db, &expected).await.unwrap();
        db.exec_raw("ALTER TABLE users ADD COLUMN email VARCHAR(20)")
            .await
            .unwrap();
        db.exec_raw("DROP TABLE posts").await.unwrap();
        assert_eq!(
            message(assert_schema_matches(db, &expected).await),
            "the schema differs from the expected one:\n\
             table `posts` missing in the database\n\
             table `users`: column `email` present in the database but not expected"
        );
    })
    .await;
}
