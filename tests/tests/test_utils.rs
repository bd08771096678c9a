//! The test utilities on every driver of the harness (sqlx and rusqlite on SQLite files,
//! sqlx and tokio-postgres on PostgreSQL, sqlx on MariaDB), with the shared fixture
//! folders: every down of every fixture undoes its up, step by step.

use switchy_schema::{Migrations, embed_migrations};
use switchy_schema_test_utils::{SchemaSnapshot, verify_migrations_full_cycle};
use switchy_schema_tests::harness::{Backend, open};

static BASIC: Migrations = embed_migrations!("fixtures/basic");
static DIALECTS: Migrations = embed_migrations!("fixtures/dialects");
static NO_TRANSACTION: Migrations = embed_migrations!("fixtures/no_transaction");
static CRLF: Migrations = embed_migrations!("fixtures/crlf");

#[tokio::test]
async fn every_fixture_passes_the_round_trip_proof_on_every_driver() {
    for backend in Backend::ALL {
        for (name, migrations) in [
            ("basic", &BASIC),
            ("dialects", &DIALECTS),
            ("no_transaction", &NO_TRANSACTION),
            ("crlf", &CRLF),
        ] {
            let Some(t) = open(backend, &format!("test_utils_{name}")).await else {
                continue;
            };
            let db = &*t.db;
            let report = verify_migrations_full_cycle(db, migrations)
                .await
                .unwrap_or_else(|error| panic!("{}, {name}: {error}", backend.name()));
            assert_eq!(report.after_each.len(), migrations.len());
            assert!(
                SchemaSnapshot::capture(db).await.unwrap().tables.is_empty(),
                "{}, {name}: tables left",
                backend.name()
            );
        }
    }
}
