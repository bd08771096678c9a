//! The round-trip proofs on every engine: correct migrations pass, and each kind of broken
//! `down` is caught with a message naming the migration and what it left.

mod common;

use common::{each, each_of};
use switchy_schema::code::{CodeMigration, CodeSource, from_fn};
use switchy_schema::{Database, Dialect, MigrationRunner, Migrations, RollbackStrategy};
use switchy_schema_test_utils::{
    Error, Mutation, Mutations, SchemaSnapshot, VerifyOptions, assert_migrations_applied_in,
    assert_table_not_exists, mutation_fn, verify_migrations_full_cycle,
    verify_migrations_full_cycle_with, verify_migrations_with_mutations,
    verify_migrations_with_state,
};

static GOOD: Migrations = switchy_schema::embed_migrations!("tests/fixtures/good");
static FORGOTTEN_INDEX: Migrations =
    switchy_schema::embed_migrations!("tests/fixtures/forgotten_index");

#[tokio::test]
async fn correct_migrations_pass_and_leave_the_database_as_found() {
    each("verify_good", async |db| {
        let dialect = db.dialect();
        let report = verify_migrations_full_cycle(db, &GOOD)
            .await
            .unwrap_or_else(|error| panic!("{dialect}: {error}"));
        assert_eq!(
            report.ids().collect::<Vec<_>>(),
            [
                "0001_create_users",
                "0002_create_posts",
                "0003_add_user_bio",
                "0004_post_counts_view"
            ]
        );
        assert!(report.initial.tables.is_empty());
        let last = report.schema_after("0004_post_counts_view").unwrap();
        assert!(last.tables["users"].columns.contains_key("bio"), "{last}");
        assert!(last.objects["view"].contains_key("post_counts"), "{last}");
        assert!(
            !report.schema_after("0002_create_posts").unwrap().tables["users"]
                .columns
                .contains_key("bio")
        );
        // Everything rolled back: the database is as it was, tracking table aside.
        let end = SchemaSnapshot::capture(db).await.unwrap();
        assert!(end.tables.is_empty(), "{dialect}: {end}");
        assert_migrations_applied_in(db, "__switchy_migrations", &[])
            .await
            .unwrap();
    })
    .await;
}

#[tokio::test]
async fn a_down_that_forgets_its_index_is_caught_and_the_index_named() {
    each("verify_forgotten_index", async |db| {
        let error = verify_migrations_full_cycle(db, &FORGOTTEN_INDEX)
            .await
            .unwrap_err();
        assert!(matches!(error, Error::SchemaMismatch { .. }), "{error:?}");
        assert_eq!(
            error.to_string(),
            "rolling back `0002_index_users_email` did not restore the schema:\n\
             table `users`: index `idx_users_email` present after down but not before",
            "{}",
            db.dialect()
        );
    })
    .await;
}

#[tokio::test]
async fn comparing_only_the_ends_of_the_run_would_miss_that_index() {
    each("verify_ends_only", async |db| {
        let before = SchemaSnapshot::capture(db).await.unwrap();
        let runner = MigrationRunner::new(&FORGOTTEN_INDEX);
        runner.run(db).await.unwrap();
        runner.rollback(db, RollbackStrategy::All).await.unwrap();
        let after = SchemaSnapshot::capture(db).await.unwrap();
        // Dropping the table dropped the forgotten index too: why the proof goes step by step.
        assert!(before.diff(&after).is_empty());
    })
    .await;
}

/// A first migration creating `owners` and `accounts`, then `up` / `down` as the second.
fn two_step(second_up: &'static str, second_down: &'static str) -> CodeSource {
    CodeSource::new()
        .with(
            CodeMigration::new(
                "0001_accounts",
                "CREATE TABLE owners (id INTEGER PRIMARY KEY);
                 CREATE TABLE accounts (id INTEGER PRIMARY KEY, email VARCHAR(100), score INTEGER, owner_id INTEGER);",
            )
            .with_down("DROP TABLE accounts; DROP TABLE owners;"),
        )
        .with(CodeMigration::new("0002_change", second_up).with_down(second_down))
}

/// The error of the cycle, after which the database is emptied for the next case.
async fn broken(db: &dyn Database, up: &'static str, down: &'static str) -> String {
    let result = verify_migrations_full_cycle(db, two_step(up, down)).await;
    db.exec_raw("DROP TABLE IF EXISTS accounts").await.unwrap();
    db.exec_raw("DROP TABLE IF EXISTS owners").await.unwrap();
    db.exec_raw("DROP TABLE IF EXISTS __switchy_migrations")
        .await
        .unwrap();
    match result {
        Ok(_) => panic!("{}: the broken down of `{up}` passed", db.dialect()),
        Err(error) => error.to_string(),
    }
}

fn mismatch(lines: &[&str]) -> String {
    format!(
        "rolling back `0002_change` did not restore the schema:\n{}",
        lines.join("\n")
    )
}

#[tokio::test]
async fn every_kind_of_forgotten_undo_is_caught_on_every_engine() {
    each("verify_broken_downs", async |db| {
        let dialect = db.dialect();
        // A forgotten column.
        assert_eq!(
            broken(
                db,
                "ALTER TABLE accounts ADD COLUMN nickname VARCHAR(20)",
                "SELECT 1"
            )
            .await,
            mismatch(&["table `accounts`: column `nickname` present after down but not before"]),
            "{dialect}"
        );
        // A forgotten unique index.
        assert_eq!(
            broken(
                db,
                "CREATE UNIQUE INDEX accounts_email ON accounts (email)",
                "SELECT 1"
            )
            .await,
            mismatch(&[
                "table `accounts`: index `accounts_email` present after down but not before"
            ]),
            "{dialect}"
        );
        // A down that drops what up did not create is caught too (here the table itself).
        assert_eq!(
            broken(db, "SELECT 1", "DROP TABLE accounts").await,
            mismatch(&["table `accounts` missing after down"]),
            "{dialect}"
        );
    })
    .await;
}

#[tokio::test]
async fn forgotten_constraint_default_and_nullability_changes_are_caught_on_servers() {
    each_of(&[Dialect::Postgres, Dialect::MySql], "verify_broken_alters", async |db| {
        let dialect = db.dialect();
        let mysql = dialect == Dialect::MySql;
        let on_update = if mysql { "RESTRICT" } else { "NO ACTION" };
        // A forgotten foreign key. MySQL also creates an index for it.
        let fk = format!(
            "table `accounts`: foreign key (owner_id) references owners (id) on update {on_update} on delete {on_update} present after down but not before"
        );
        let expected: Vec<&str> = if mysql {
            vec!["table `accounts`: index `accounts_owner` present after down but not before", &fk]
        } else {
            vec![&fk]
        };
        assert_eq!(
            broken(
                db,
                "ALTER TABLE accounts ADD CONSTRAINT accounts_owner FOREIGN KEY (owner_id) REFERENCES owners (id)",
                "SELECT 1"
            )
            .await,
            mismatch(&expected),
            "{dialect}"
        );
        // A forgotten default.
        assert_eq!(
            broken(db, "ALTER TABLE accounts ALTER COLUMN score SET DEFAULT 0", "SELECT 1").await,
            mismatch(&["table `accounts`: column `score`: default none before, `0` after down"]),
            "{dialect}"
        );
        // A forgotten NOT NULL.
        let not_null = if mysql {
            "ALTER TABLE accounts MODIFY email VARCHAR(100) NOT NULL"
        } else {
            "ALTER TABLE accounts ALTER COLUMN email SET NOT NULL"
        };
        assert_eq!(
            broken(db, not_null, "SELECT 1").await,
            mismatch(&["table `accounts`: column `email`: nullability NULL before, NOT NULL after down"]),
            "{dialect}"
        );
        // A forgotten unique constraint (an index on MySQL, which has no other kind).
        assert_eq!(
            broken(db, "ALTER TABLE accounts ADD CONSTRAINT accounts_email_key UNIQUE (email)", "SELECT 1").await,
            mismatch(&[if mysql {
                "table `accounts`: index `accounts_email_key` present after down but not before"
            } else {
                "table `accounts`: unique constraint on (`email`) present after down but not before"
            }]),
            "{dialect}"
        );
        // A type change undone to the wrong type.
        let (widen, wrong) = if mysql {
            ("ALTER TABLE accounts MODIFY email VARCHAR(200)", "ALTER TABLE accounts MODIFY email VARCHAR(150)")
        } else {
            ("ALTER TABLE accounts ALTER COLUMN email TYPE VARCHAR(200)", "ALTER TABLE accounts ALTER COLUMN email TYPE VARCHAR(150)")
        };
        let (v100, v150) = if mysql {
            ("varchar(100)", "varchar(150)")
        } else {
            ("character varying(100)", "character varying(150)")
        };
        assert_eq!(
            broken(db, widen, wrong).await,
            mismatch(&[&format!("table `accounts`: column `email`: type `{v100}` before, `{v150}` after down")]),
            "{dialect}"
        );
        // MySQL: dropping a foreign key keeps the index it created.
        if mysql {
            assert_eq!(
                broken(
                    db,
                    "ALTER TABLE accounts ADD CONSTRAINT accounts_owner FOREIGN KEY (owner_id) REFERENCES owners (id)",
                    "ALTER TABLE accounts DROP FOREIGN KEY accounts_owner"
                )
                .await,
                mismatch(&["table `accounts`: index `accounts_owner` present after down but not before"]),
            );
        }
    })
    .await;
}

#[tokio::test]
async fn a_sqlite_table_rebuild_that_loses_a_foreign_key_is_caught() {
    each_of(&[Dialect::Sqlite], "verify_sqlite_rebuild", async |db| {
        let migrations = CodeSource::new()
            .with(
                CodeMigration::new(
                    "0001_tables",
                    "CREATE TABLE owners (id INTEGER PRIMARY KEY);
                     CREATE TABLE accounts (id INTEGER PRIMARY KEY, owner_id INTEGER REFERENCES owners (id));",
                )
                .with_down("DROP TABLE accounts; DROP TABLE owners;"),
            )
            .with(
                CodeMigration::new("0002_add_note", "ALTER TABLE accounts ADD COLUMN note TEXT")
                    // The rebuild SQLite needs to drop a column, without the foreign key.
                    .with_down(
                        "CREATE TABLE accounts_new (id INTEGER PRIMARY KEY, owner_id INTEGER);
                         INSERT INTO accounts_new (id, owner_id) SELECT id, owner_id FROM accounts;
                         DROP TABLE accounts;
                         ALTER TABLE accounts_new RENAME TO accounts;",
                    ),
            );
        let error = verify_migrations_full_cycle(db, migrations).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "rolling back `0002_add_note` did not restore the schema:\n\
             table `accounts`: foreign key (owner_id) references owners (id) on update NO ACTION on delete NO ACTION missing after down"
        );
    })
    .await;
}

#[tokio::test]
async fn a_postgres_type_left_behind_is_caught() {
    each_of(&[Dialect::Postgres], "verify_pg_type", async |db| {
        let migrations = CodeSource::new().with(
            CodeMigration::new(
                "0001_moods",
                "CREATE TYPE mood AS ENUM ('sad', 'happy'); CREATE TABLE people (id INTEGER PRIMARY KEY, mood mood);",
            )
            .with_down("DROP TABLE people"),
        );
        let error = verify_migrations_full_cycle(db, migrations).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "rolling back `0001_moods` did not restore the schema:\ntype `mood` present after down but not before"
        );
    })
    .await;
}

#[tokio::test]
async fn a_down_that_breaks_the_next_up_is_caught_by_applying_again() {
    each("verify_reapply", async |db| {
        db.exec_raw("CREATE TABLE settings (name VARCHAR(50) PRIMARY KEY)")
            .await
            .unwrap();
        let migrations = CodeSource::new().with(
            CodeMigration::new("0001_seed", "INSERT INTO settings (name) VALUES ('theme')")
                // Forgets to delete the row: the schema is restored, the next up fails.
                .with_down("SELECT 1"),
        );
        let error = verify_migrations_full_cycle(db, migrations).await.unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with(
                "applying every migration again after rolling all back: migration `0001_seed` failed"
            ),
            "{}: {message}",
            db.dialect()
        );
    })
    .await;
}

#[tokio::test]
async fn irreversible_or_applied_migrations_are_refused_before_anything_runs() {
    each("verify_refused", async |db| {
        let irreversible = CodeSource::new()
            .with(CodeMigration::new("0001_a", "CREATE TABLE a (id INTEGER)").with_down("DROP TABLE a"))
            .with(CodeMigration::new("0002_b", "CREATE TABLE b (id INTEGER)"));
        let error = verify_migrations_full_cycle(db, irreversible).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "an up/down cycle needs every migration to be reversible; without a down: `0002_b`"
        );
        assert_table_not_exists(db, "a").await.unwrap();

        let source = || {
            CodeSource::new()
                .with(CodeMigration::new("0001_a", "CREATE TABLE a (id INTEGER)").with_down("DROP TABLE a"))
        };
        MigrationRunner::new(source()).run(db).await.unwrap();
        let error = verify_migrations_full_cycle(db, source()).await.unwrap_err();
        assert_eq!(
            error.to_string(),
            "this check needs a database where no migration of the source is applied yet; applied: `0001_a`"
        );
    })
    .await;
}

#[tokio::test]
async fn a_custom_tracking_table_is_used_and_left_out() {
    each("verify_custom_table", async |db| {
        let options = VerifyOptions::new().with_table_name("app_migrations");
        verify_migrations_full_cycle_with(db, &GOOD, &options)
            .await
            .unwrap();
        let everything =
            SchemaSnapshot::capture_with(db, &switchy_schema_test_utils::SnapshotOptions::new())
                .await
                .unwrap();
        assert_eq!(
            everything.table_names().collect::<Vec<_>>(),
            ["app_migrations"]
        );
    })
    .await;
}

/// `people (id, name, phone)` with two rows, created by the setup.
async fn seed_people(db: &dyn Database) -> Result<(), switchy_schema_test_utils::BoxError> {
    db.exec_raw(
        "CREATE TABLE people (id INTEGER PRIMARY KEY, name VARCHAR(50), phone VARCHAR(20));
         INSERT INTO people (id, name, phone) VALUES (1, 'Ada', '555'), (2, 'Grace', NULL);",
    )
    .await?;
    Ok(())
}

/// Moves `people.phone` into a table of its own; `copy_back` decides whether the down
/// puts the numbers back.
fn move_phone(copy_back: bool) -> CodeSource {
    let down = if copy_back {
        "ALTER TABLE people ADD COLUMN phone VARCHAR(20);
         UPDATE people SET phone = (SELECT number FROM phones WHERE phones.person_id = people.id);
         DROP TABLE phones;"
    } else {
        "ALTER TABLE people ADD COLUMN phone VARCHAR(20);
         DROP TABLE phones;"
    };
    CodeSource::new().with(
        CodeMigration::new(
            "0001_move_phone",
            "CREATE TABLE phones (person_id INTEGER PRIMARY KEY, number VARCHAR(20) NOT NULL);
             INSERT INTO phones (person_id, number) SELECT id, phone FROM people WHERE phone IS NOT NULL;
             ALTER TABLE people DROP COLUMN phone;",
        )
        .with_down(down),
    )
}

#[tokio::test]
async fn seeded_data_survives_a_correct_cycle() {
    each("verify_state_good", async |db| {
        verify_migrations_with_state(db, move_phone(true), async |db| seed_people(db).await)
            .await
            .unwrap_or_else(|error| panic!("{}: {error}", db.dialect()));
        let rows = db
            .query("SELECT phone FROM people WHERE id = 1", &[])
            .await
            .unwrap();
        assert_eq!(rows[0].get_str("phone"), Some("555"));
    })
    .await;
}

#[tokio::test]
async fn data_lost_by_a_down_is_reported_row_by_row() {
    each("verify_state_lost", async |db| {
        let error =
            verify_migrations_with_state(db, move_phone(false), async |db| seed_people(db).await)
                .await
                .unwrap_err();
        assert!(matches!(error, Error::DataMismatch { .. }), "{error:?}");
        let (missing, unexpected) = match db.dialect() {
            Dialect::Postgres => ("(1,Ada,555)", "(1,Ada,)"),
            Dialect::Sqlite | Dialect::MySql => ("(1, 'Ada', '555')", "(1, 'Ada', NULL)"),
        };
        assert_eq!(
            error.to_string(),
            format!(
                "rolling back `0001_move_phone` did not preserve the data:\n\
                 table `people`: 2 row(s) before, 2 after down\n  \
                 missing after down: {missing}\n  \
                 unexpected after down: {unexpected}"
            ),
            "{}",
            db.dialect()
        );
    })
    .await;
}

#[tokio::test]
async fn a_failing_setup_is_named() {
    each_of(&[Dialect::Sqlite], "verify_state_setup", async |db| {
        let error = verify_migrations_with_state(db, move_phone(true), async |db| {
            db.exec_raw("INSERT INTO nowhere VALUES (1)").await?;
            Ok(())
        })
        .await
        .unwrap_err();
        assert!(
            error.to_string().starts_with("the setup failed: ")
                && error.to_string().contains("nowhere"),
            "{error}"
        );
    })
    .await;
}

/// Users with a unique email; the second migration drops the uniqueness and its down
/// restores it, which fails once duplicates exist.
fn relax_emails(dialect: Dialect) -> CodeSource {
    let (drop_index, recreate) = match dialect {
        Dialect::MySql => (
            "DROP INDEX users_email ON users",
            "CREATE UNIQUE INDEX users_email ON users (email)",
        ),
        Dialect::Sqlite | Dialect::Postgres => (
            "DROP INDEX users_email",
            "CREATE UNIQUE INDEX users_email ON users (email)",
        ),
    };
    CodeSource::new()
        .with(
            CodeMigration::new(
                "0001_users",
                "CREATE TABLE users (id INTEGER PRIMARY KEY, email VARCHAR(100));
                 CREATE UNIQUE INDEX users_email ON users (email);",
            )
            .with_down("DROP TABLE users"),
        )
        .with(CodeMigration::new("0002_allow_duplicate_emails", drop_index).with_down(recreate))
}

#[tokio::test]
async fn mutations_run_after_their_migration_from_maps_lists_and_builders() {
    each("verify_mutations_kinds", async |db| {
        let dialect = db.dialect();
        // A map: one SQL mutation per migration. Each needs the table of its migration.
        let map: std::collections::BTreeMap<String, &'static str> = [
            (
                "0001_users".to_owned(),
                "INSERT INTO users (id, email) VALUES (1, 'a@x')",
            ),
            (
                "0002_allow_duplicate_emails".to_owned(),
                "INSERT INTO users (id, email) VALUES (2, 'b@x')",
            ),
        ]
        .into();
        verify_migrations_with_mutations(db, relax_emails(dialect), map)
            .await
            .unwrap_or_else(|error| panic!("{dialect}: {error}"));

        // A list: several for one migration, in order, here executables.
        let list: Vec<(String, Box<dyn Mutation>)> = vec![
            (
                "0001_users".to_owned(),
                Box::new(from_fn(|db| {
                    Box::pin(async move {
                        db.execute("INSERT INTO users (id, email) VALUES (10, 'c@x')", &[])
                            .await?;
                        Ok(())
                    })
                })),
            ),
            (
                "0001_users".to_owned(),
                Box::new(from_fn(|db| {
                    Box::pin(async move {
                        // Runs second: the first row is there.
                        let n = db
                            .execute("UPDATE users SET email = 'd@x' WHERE id = 10", &[])
                            .await?;
                        assert_eq!(n, 1);
                        Ok(())
                    })
                })),
            ),
            (
                "0002_allow_duplicate_emails".to_owned(),
                Box::new("INSERT INTO users (id, email) VALUES (11, 'g@x')"),
            ),
        ];
        verify_migrations_with_mutations(db, relax_emails(dialect), list)
            .await
            .unwrap_or_else(|error| panic!("{dialect}: {error}"));

        // The builder: SQL, an executable and an async closure mixed.
        let seen = std::cell::Cell::new(0);
        let mutations = Mutations::new()
            .sql(
                "0001_users",
                "INSERT INTO users (id, email) VALUES (20, 'e@x')",
            )
            .with(
                "0002_allow_duplicate_emails",
                String::from("INSERT INTO users (id, email) VALUES (21, 'f@x')"),
            )
            .with_fn("0002_allow_duplicate_emails", async |db| {
                let rows = db.query("SELECT COUNT(*) AS n FROM users", &[]).await?;
                assert_eq!(
                    rows[0].get_index(0).and_then(switchy_schema::Value::as_i64),
                    Some(2)
                );
                Ok(())
            })
            .with(
                "0001_users",
                mutation_fn(async |_db| {
                    seen.set(seen.get() + 1);
                    Ok(())
                }),
            );
        verify_migrations_with_mutations(db, relax_emails(dialect), &mutations)
            .await
            .unwrap_or_else(|error| panic!("{dialect}: {error}"));
        assert_eq!(seen.get(), 1);
    })
    .await;
}

#[tokio::test]
async fn mutations_reveal_a_down_that_cannot_cope_with_data() {
    each("verify_mutations_break_down", async |db| {
        let mutations = Mutations::new().sql(
            "0002_allow_duplicate_emails",
            "INSERT INTO users (id, email) VALUES (1, 'same@x'), (2, 'same@x')",
        );
        // Without the data the cycle passes...
        verify_migrations_full_cycle(db, relax_emails(db.dialect()))
            .await
            .unwrap();
        // ...with it, the down of 0002 fails on the duplicates.
        let error = verify_migrations_with_mutations(db, relax_emails(db.dialect()), mutations)
            .await
            .unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with(
                "rolling back `0002_allow_duplicate_emails`: migration `0002_allow_duplicate_emails` failed"
            ),
            "{}: {message}",
            db.dialect()
        );
    })
    .await;
}

#[tokio::test]
async fn unknown_or_failing_mutations_are_named() {
    each_of(&[Dialect::Sqlite], "verify_mutations_errors", async |db| {
        let error = verify_migrations_with_mutations(
            db,
            relax_emails(Dialect::Sqlite),
            vec![("0009_nope".to_owned(), "SELECT 1")],
        )
        .await
        .unwrap_err();
        assert_eq!(
            error.to_string(),
            "unknown migration `0009_nope` given to a mutation; the source has `0001_users`, `0002_allow_duplicate_emails`"
        );
        assert_table_not_exists(db, "users").await.unwrap();

        let error = verify_migrations_with_mutations(
            db,
            relax_emails(Dialect::Sqlite),
            Mutations::new()
                .sql("0001_users", "SELECT 1")
                .sql("0001_users", "INSERT INTO nowhere VALUES (1)"),
        )
        .await
        .unwrap_err();
        let message = error.to_string();
        assert!(
            message.starts_with("mutation #2 after `0001_users` failed: ") && message.contains("nowhere"),
            "{message}"
        );
    })
    .await;
}
