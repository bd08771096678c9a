//! The runtime's guarantees, each proven on every backend it applies to.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use switchy_schema::__private::checksum::sha256_hex;
use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema::{
    Database, Dialect, Error, ExecutionStrategy, MigrationHooks, MigrationRunner, MigrationStatus,
    Migrations, MissingPolicy, OutOfOrderPolicy, RollbackStrategy, TransactionMode,
};
use switchy_schema_tests::harness::Backend;
use switchy_schema_tests::support::{count, create, each, exists, sql_migration};

async fn tracked_ids(db: &dyn Database, table: &str) -> Vec<String> {
    let rows = db
        .query(&format!("SELECT id FROM {table} ORDER BY id"), &[])
        .await
        .expect("read tracking table");
    rows.iter()
        .map(|row| row.get_str("id").unwrap_or_default().to_owned())
        .collect()
}

#[tokio::test]
async fn applies_pending_migrations_then_is_a_no_op() {
    each(&Backend::ALL, "applies_then_no_op", async |t| {
        let db = &*t.db;
        let runner = MigrationRunner::new(
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(create("0002_b", "b")),
        );
        let report = runner.run(db).await.unwrap();
        assert_eq!(
            report.applied_ids().collect::<Vec<_>>(),
            ["0001_a", "0002_b"],
            "{:?}",
            t.backend
        );
        assert!(exists(db, "a").await && exists(db, "b").await);

        let again = runner.run(db).await.unwrap();
        assert!(again.applied.is_empty());
        assert_eq!(again.skipped, ["0001_a", "0002_b"]);

        let list = runner.list_migrations(db).await.unwrap();
        assert_eq!(list.len(), 2);
        for info in &list {
            assert_eq!(info.status, Some(MigrationStatus::Completed), "{info:?}");
            assert!(
                info.run_on.as_deref().is_some_and(|t| t.len() >= 19),
                "{info:?}"
            );
            assert!(info.finished_on.is_some(), "{info:?}");
            assert!(info.in_source && !info.drifted);
        }
    })
    .await;
}

#[tokio::test]
async fn a_failing_migration_leaves_earlier_ones_applied_and_no_trace_of_itself() {
    each(&Backend::TRANSACTIONAL, "atomic_failure", async |t| {
        let db = &*t.db;
        let source = CodeSource::new()
            .with(create("0001_a", "a"))
            .with(sql_migration(
                "0002_b",
                "CREATE TABLE b (id INTEGER); INSERT INTO no_such_table VALUES (1);",
                None,
                TransactionMode::Transactional,
            ))
            .with(create("0003_c", "c"));
        let runner = MigrationRunner::new(source);
        for attempt in 0..2 {
            let error = runner.run(db).await.unwrap_err();
            let Error::MigrationFailed {
                failed,
                recorded_as_failed,
                ..
            } = &error
            else {
                panic!("{:?}: expected MigrationFailed, got {error}", t.backend);
            };
            assert_eq!(failed.id, "0002_b");
            assert_eq!(failed.file, "migrations/0002_b/up.sql");
            assert!(!recorded_as_failed);
            if attempt == 0 {
                assert_eq!(failed.applied_before, ["0001_a"]);
            }
            let message = error.to_string();
            assert!(
                message.contains("0002_b") && message.contains("up.sql"),
                "{message}"
            );
            assert!(
                message.contains("no_such_table"),
                "the database's message is missing: {message}"
            );
            assert!(exists(db, "a").await);
            assert!(
                !exists(db, "b").await,
                "{:?}: the failed migration left its table",
                t.backend
            );
            assert!(!exists(db, "c").await);
            assert_eq!(tracked_ids(db, "__switchy_migrations").await, ["0001_a"]);
        }
    })
    .await;
}

#[tokio::test]
async fn mysql_failures_are_recorded_and_block_until_recovered() {
    each(&[Backend::SqlxMySql], "mysql_dirty", async |t| {
        let db = &*t.db;
        let failing = || {
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(sql_migration(
                    "0002_b",
                    "CREATE TABLE b (id INTEGER); INSERT INTO needed (id) VALUES (1);",
                    Some("DROP TABLE b"),
                    TransactionMode::Transactional,
                ))
                .with(create("0003_c", "c"))
        };
        let runner = MigrationRunner::new(failing());
        let error = runner.run(db).await.unwrap_err();
        assert!(
            matches!(&error, Error::MigrationFailed { failed, recorded_as_failed: true, .. } if failed.id == "0002_b"),
            "{error}"
        );
        // DDL committed implicitly: table b exists, and the failure is visible.
        assert!(exists(db, "b").await);
        let list = runner.list_migrations(db).await.unwrap();
        let failed = list.iter().find(|info| info.id == "0002_b").unwrap();
        assert_eq!(failed.status, Some(MigrationStatus::Failed));
        assert!(failed.failure_reason.as_deref().is_some_and(|r| r.contains("needed")), "{failed:?}");

        let blocked = runner.run(db).await.unwrap_err();
        assert!(matches!(&blocked, Error::Dirty { id, status: MigrationStatus::Failed, .. } if id == "0002_b"), "{blocked}");
        assert!(!exists(db, "c").await);

        // Recovery: undo by hand, provide what was missing, retry.
        db.exec_raw("DROP TABLE b; CREATE TABLE needed (id INTEGER);").await.unwrap();
        runner.retry_migration(db, "0002_b").await.unwrap();
        let report = runner.run(db).await.unwrap();
        assert_eq!(report.applied_ids().collect::<Vec<_>>(), ["0003_c"]);
    })
    .await;
}

#[tokio::test]
async fn a_failed_no_transaction_migration_is_dirty_until_marked_completed() {
    each(&Backend::ALL, "no_tx_dirty", async |t| {
        let db = &*t.db;
        let source = CodeSource::new()
            .with(sql_migration(
                "0001_a",
                // The second statement fails: the first one stays, so the failure is dirty.
                // (A failure on the first statement leaves nothing: see journal_mode.rs.)
                "CREATE TABLE partial (id INTEGER); SELECT * FROM no_such_table",
                None,
                TransactionMode::NoTransaction,
            ))
            .with(create("0002_b", "b"));
        let runner = MigrationRunner::new(source);
        let error = runner.run(db).await.unwrap_err();
        assert!(
            matches!(
                &error,
                Error::MigrationFailed {
                    recorded_as_failed: true,
                    ..
                }
            ),
            "{error}"
        );
        assert!(
            error.to_string().contains("recorded as `failed`"),
            "{error}"
        );
        let blocked = runner.run(db).await.unwrap_err();
        assert!(
            matches!(&blocked, Error::Dirty { id, .. } if id == "0001_a"),
            "{blocked}"
        );
        assert!(
            blocked.to_string().contains("no_such_table"),
            "the reason is missing: {blocked}"
        );

        runner.mark_migration_completed(db, "0001_a").await.unwrap();
        let report = runner.run(db).await.unwrap();
        assert_eq!(report.applied_ids().collect::<Vec<_>>(), ["0002_b"]);
    })
    .await;
}

#[tokio::test]
async fn baseline_marks_everything_completed_without_running_it() {
    each(&Backend::ALL, "baseline", async |t| {
        let db = &*t.db;
        let runner = MigrationRunner::new(
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(create("0002_b", "b")),
        );
        assert_eq!(runner.mark_all_migrations_completed(db).await.unwrap(), 2);
        assert!(!exists(db, "a").await);
        let report = runner.run(db).await.unwrap();
        assert!(report.applied.is_empty());
        assert!(
            runner
                .list_migrations(db)
                .await
                .unwrap()
                .iter()
                .all(switchy_schema::MigrationInfo::is_applied)
        );
    })
    .await;
}

#[tokio::test]
async fn postgres_runs_create_index_concurrently_outside_a_transaction() {
    each(
        &[Backend::SqlxPostgres, Backend::TokioPostgres],
        "pg_concurrently",
        async |t| {
            let db = &*t.db;
            let indexes = "CREATE INDEX CONCURRENTLY items_a ON items (a);\n\
                       -- a comment; with a semicolon\n\
                       CREATE INDEX CONCURRENTLY items_b ON items (b);\n";
            let source = CodeSource::new()
                .with(sql_migration(
                    "0001_items",
                    "CREATE TABLE items (a INTEGER, b TEXT)",
                    None,
                    TransactionMode::Transactional,
                ))
                .with(sql_migration(
                    "0002_indexes",
                    indexes,
                    None,
                    TransactionMode::NoTransaction,
                ));
            MigrationRunner::new(source).run(db).await.unwrap();
            let rows = db
                .query(
                    "SELECT COUNT(*) FROM pg_indexes WHERE tablename = 'items'",
                    &[],
                )
                .await
                .unwrap();
            assert_eq!(
                rows[0].get_index(0).and_then(switchy_schema::Value::as_i64),
                Some(2)
            );

            // The same file inside a transaction fails: the no-transaction path is what makes it work.
            let transactional = CodeSource::new().with(sql_migration(
                "0003_again",
                &indexes.replace("items_", "again_"),
                None,
                TransactionMode::Transactional,
            ));
            let error = MigrationRunner::new(transactional)
                .with_missing_policy(MissingPolicy::Ignore)
                .run(db)
                .await
                .unwrap_err();
            assert!(error.to_string().contains("CONCURRENTLY"), "{error}");
        },
    )
    .await;
}

#[tokio::test]
async fn sqlite_switches_to_wal_outside_a_transaction() {
    each(
        &[Backend::SqlxSqlite, Backend::Rusqlite],
        "sqlite_wal",
        async |t| {
            let db = &*t.db;
            let in_transaction = CodeSource::new().with(sql_migration(
                "0001_wal",
                "PRAGMA journal_mode=WAL;",
                None,
                TransactionMode::Transactional,
            ));
            assert!(
                MigrationRunner::new(in_transaction).run(db).await.is_err(),
                "WAL cannot be set in a transaction"
            );

            let outside = CodeSource::new().with(sql_migration(
                "0001_wal",
                "PRAGMA journal_mode=WAL;",
                None,
                TransactionMode::NoTransaction,
            ));
            MigrationRunner::new(outside).run(db).await.unwrap();
            // A connection reports the journal mode it last read from the file, so read
            // first, on the same connection.
            let conn = db.pinned().await.unwrap();
            conn.query("SELECT COUNT(*) FROM sqlite_master", &[])
                .await
                .unwrap();
            let rows = conn.query("PRAGMA journal_mode", &[]).await.unwrap();
            assert_eq!(
                rows[0].get_index(0).and_then(switchy_schema::Value::as_str),
                Some("wal"),
                "{:?}",
                t.backend
            );
        },
    )
    .await;
}

#[tokio::test]
async fn drift_is_refused_before_anything_runs_and_line_endings_are_not_drift() {
    each(&Backend::ALL, "drift", async |t| {
        let db = &*t.db;
        let v1 = "CREATE TABLE a (id INTEGER);\nCREATE TABLE a2 (id INTEGER);\n";
        MigrationRunner::new(CodeSource::new().with(sql_migration(
            "0001_a",
            v1,
            None,
            TransactionMode::Transactional,
        )))
        .run(db)
        .await
        .unwrap();

        let edited = || {
            CodeSource::new()
                .with(sql_migration(
                    "0001_a",
                    "CREATE TABLE a (id BIGINT);\n",
                    None,
                    TransactionMode::Transactional,
                ))
                .with(create("0002_b", "b"))
        };
        let error = MigrationRunner::new(edited()).run(db).await.unwrap_err();
        assert!(
            matches!(&error, Error::Drift { id, .. } if id == "0001_a"),
            "{error}"
        );
        assert!(
            error.to_string().contains("migrations/0001_a/up.sql"),
            "{error}"
        );
        assert!(
            !exists(db, "b").await,
            "a migration ran although drift was detected"
        );

        // CRLF endings only: not drift.
        let crlf = v1.replace('\n', "\r\n");
        let with_crlf = CodeSource::new()
            .with(sql_migration(
                "0001_a",
                &crlf,
                None,
                TransactionMode::Transactional,
            ))
            .with(create("0002_b", "b"));
        MigrationRunner::new(with_crlf).run(db).await.unwrap();
        assert!(exists(db, "b").await);

        // A row written with the raw checksum of a CRLF file still matches the LF file.
        let p = if db.dialect() == Dialect::Postgres {
            "$1"
        } else {
            "?"
        };
        db.execute(
            &format!("UPDATE __switchy_migrations SET up_checksum = {p} WHERE id = '0001_a'"),
            &[sha256_hex(crlf.as_bytes()).into()],
        )
        .await
        .unwrap();
        MigrationRunner::new(
            CodeSource::new()
                .with(sql_migration(
                    "0001_a",
                    v1,
                    None,
                    TransactionMode::Transactional,
                ))
                .with(create("0002_b", "b")),
        )
        .run(db)
        .await
        .unwrap();

        // Opting out, and re-blessing.
        MigrationRunner::new(edited())
            .verify_checksums(false)
            .run(db)
            .await
            .unwrap();
        assert_eq!(
            MigrationRunner::new(edited())
                .rebless_checksums(db, Some(&["0001_a"]))
                .await
                .unwrap(),
            1
        );
        MigrationRunner::new(edited()).run(db).await.unwrap();
        let list = MigrationRunner::new(edited())
            .list_migrations(db)
            .await
            .unwrap();
        assert!(list.iter().all(|info| !info.drifted));
    })
    .await;
}

#[tokio::test]
async fn out_of_order_and_missing_migrations_follow_their_policies() {
    each(&Backend::ALL, "policies", async |t| {
        let db = &*t.db;
        MigrationRunner::new(
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(create("0003_c", "c")),
        )
        .run(db)
        .await
        .unwrap();
        let late = || {
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(create("0002_b", "b"))
                .with(create("0003_c", "c"))
        };
        let error = MigrationRunner::new(late()).run(db).await.unwrap_err();
        assert!(
            matches!(&error, Error::OutOfOrder { pending, .. } if pending == "0002_b"),
            "{error}"
        );
        assert!(!exists(db, "b").await);
        MigrationRunner::new(late())
            .with_out_of_order_policy(OutOfOrderPolicy::Apply)
            .run(db)
            .await
            .unwrap();
        assert!(exists(db, "b").await);

        // An older build that lacks 0003 starts fine (newer ids are ignored by default)...
        let older = || {
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(create("0002_b", "b"))
        };
        MigrationRunner::new(older()).run(db).await.unwrap();
        // ...unless told to refuse.
        let error = MigrationRunner::new(older())
            .with_missing_policy(MissingPolicy::Error)
            .run(db)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::MissingFromSource { ids } if ids == &["0003_c"]),
            "{error}"
        );
        // A deleted migration in the middle is an error by default.
        let gap = CodeSource::new()
            .with(create("0001_a", "a"))
            .with(create("0003_c", "c"));
        let error = MigrationRunner::new(gap).run(db).await.unwrap_err();
        assert!(
            matches!(&error, Error::MissingFromSource { ids } if ids == &["0002_b"]),
            "{error}"
        );
    })
    .await;
}

#[tokio::test]
async fn identifiers_with_quotes_never_reach_sql_unquoted() {
    each(&Backend::ALL, "injection", async |t| {
        let db = &*t.db;
        db.exec_raw("CREATE TABLE victim (id INTEGER)")
            .await
            .unwrap();
        for name in [
            "x\"; DROP TABLE victim; --",
            "x`; DROP TABLE victim; --",
            "x'; DROP TABLE victim; --",
        ] {
            let error = MigrationRunner::new(CodeSource::new().with(create("0001_a", "a")))
                .with_table_name(name)
                .run(db)
                .await
                .unwrap_err();
            assert!(matches!(error, Error::InvalidIdentifier { .. }), "{error}");
        }
        assert!(exists(db, "victim").await);

        let id = "0001_it's \"quoted\" `x`; DROP TABLE victim; --";
        let runner = MigrationRunner::new(CodeSource::new().with(create(id, "a")))
            .with_table_name("custom_migrations");
        runner.run(db).await.unwrap();
        assert!(exists(db, "victim").await);
        assert_eq!(tracked_ids(db, "custom_migrations").await, [id]);
        assert!(!exists(db, "__switchy_migrations").await);
        assert_eq!(runner.list_migrations(db).await.unwrap()[0].id, id);
    })
    .await;
}

/// Counts every statement that reaches the wrapped database, and separately the
/// one-round-trip reads.
struct Counting<'a> {
    inner: &'a dyn Database,
    statements: AtomicUsize,
    once: AtomicUsize,
}

impl<'a> Counting<'a> {
    fn new(inner: &'a dyn Database) -> Self {
        Self {
            inner,
            statements: AtomicUsize::new(0),
            once: AtomicUsize::new(0),
        }
    }
}

#[async_trait::async_trait]
impl Database for Counting<'_> {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), switchy_schema::DatabaseError> {
        self.statements.fetch_add(1, Ordering::SeqCst);
        self.inner.exec_raw(sql).await
    }
    async fn execute(
        &self,
        sql: &str,
        params: &[switchy_schema::Value],
    ) -> Result<u64, switchy_schema::DatabaseError> {
        self.statements.fetch_add(1, Ordering::SeqCst);
        self.inner.execute(sql, params).await
    }
    async fn query(
        &self,
        sql: &str,
        params: &[switchy_schema::Value],
    ) -> Result<Vec<switchy_schema::Row>, switchy_schema::DatabaseError> {
        self.statements.fetch_add(1, Ordering::SeqCst);
        self.inner.query(sql, params).await
    }
    async fn query_once(
        &self,
        sql: &str,
        sink: &mut dyn switchy_schema::TextSink,
    ) -> Result<(), switchy_schema::DatabaseError> {
        self.statements.fetch_add(1, Ordering::SeqCst);
        self.once.fetch_add(1, Ordering::SeqCst);
        self.inner.query_once(sql, sink).await
    }
    async fn begin_transaction(
        &self,
    ) -> Result<Box<dyn switchy_schema::DatabaseTransaction + '_>, switchy_schema::DatabaseError>
    {
        self.statements.fetch_add(1, Ordering::SeqCst);
        self.inner.begin_transaction().await
    }
    async fn pinned(&self) -> Result<Box<dyn Database + '_>, switchy_schema::DatabaseError> {
        self.statements.fetch_add(1, Ordering::SeqCst);
        Ok(Box::new(self))
    }
}

#[tokio::test]
async fn the_no_op_start_up_issues_a_constant_number_of_queries() {
    each(&Backend::ALL, "noop_count", async |t| {
        let mut counts = Vec::new();
        for (prefix, size) in [("s", 3), ("l", 200)] {
            let mut source = CodeSource::new();
            for n in 0..size {
                source.add(create(&format!("{n:04}_{prefix}"), &format!("{prefix}{n}")));
            }
            let runner = MigrationRunner::new(source).with_table_name(format!("track_{prefix}"));
            runner.run(&*t.db).await.unwrap();
            let counting = Counting::new(&*t.db);
            let report = runner.run(&counting).await.unwrap();
            assert_eq!(report.skipped.len(), size);
            counts.push(counting.statements.load(Ordering::SeqCst));
            // The read goes through the driver's one-round-trip path, and its answer was
            // understood (otherwise the full path would have sent more).
            assert_eq!(counting.once.load(Ordering::SeqCst), 1, "{:?}", t.backend);
        }
        assert_eq!(
            counts[0], counts[1],
            "{:?}: queries grow with the number of migrations",
            t.backend
        );
        assert_eq!(counts[0], 1, "{:?}", t.backend);
    })
    .await;
}

/// Embedded migrations take the no-op start-up as the macro's static list: one query, and
/// the report borrows their ids from the binary. The list's fast path refuses what the
/// planner refuses: a drifted checksum still stops the run with its explanation.
#[tokio::test]
async fn the_no_op_start_up_of_embedded_migrations_reads_the_static_list() {
    static BASIC: Migrations = switchy_schema::embed_migrations!("fixtures/basic");
    each(&Backend::ALL, "noop_embedded", async |t| {
        let runner = BASIC.runner().with_table_name("track_embedded");
        runner.run(&*t.db).await.unwrap();
        let counting = Counting::new(&*t.db);
        let report = runner.run(&counting).await.unwrap();
        assert_eq!(
            counting.statements.load(Ordering::SeqCst),
            1,
            "{:?}",
            t.backend
        );
        assert_eq!(counting.once.load(Ordering::SeqCst), 1, "{:?}", t.backend);
        let ids: Vec<&str> = BASIC.iter().map(switchy_schema::Migration::id).collect();
        assert_eq!(report.skipped, ids);
        assert!(
            report
                .skipped
                .iter()
                .all(|id| matches!(id, std::borrow::Cow::Borrowed(_))),
            "{:?}: the ids were copied, so the static list's path was not taken",
            t.backend
        );

        t.db.execute(
            &format!(
                "UPDATE track_embedded SET up_checksum = {} WHERE id = {}",
                t.db.dialect().placeholder(1),
                t.db.dialect().placeholder(2)
            ),
            &["ab".repeat(32).into(), ids[1].into()],
        )
        .await
        .unwrap();
        let error = runner.run(&*t.db).await.unwrap_err();
        assert!(
            matches!(&error, Error::Drift { id, .. } if id == ids[1]),
            "{:?}: {error}",
            t.backend
        );
    })
    .await;
}

/// MySQL's default `group_concat_max_len` is 1024 bytes (MariaDB's is 1 MiB): the no-op
/// start-up must stay one statement with the aggregate far past the session's limit.
#[tokio::test]
async fn the_no_op_start_up_is_one_query_past_group_concat_max_len() {
    each(&[Backend::SqlxMySql], "noop_concat_len", async |t| {
        let mut source = CodeSource::new();
        for n in 0..200 {
            source.add(create(&format!("{n:04}_t"), &format!("t{n}")));
        }
        let runner = MigrationRunner::new(source);
        runner.run(&*t.db).await.unwrap();
        let pinned = t.db.pinned().await.unwrap();
        pinned
            .exec_raw("SET SESSION group_concat_max_len = 1024")
            .await
            .unwrap();
        let counting = Counting::new(&*pinned);
        let report = runner.run(&counting).await.unwrap();
        assert_eq!(report.skipped.len(), 200);
        assert_eq!(counting.statements.load(Ordering::SeqCst), 1);
        // The session's own limit is untouched.
        let rows = pinned
            .query("SELECT @@SESSION.group_concat_max_len AS n", &[])
            .await
            .unwrap();
        assert_eq!(rows[0].values()[0].as_i64(), Some(1024));
    })
    .await;
}

#[tokio::test]
async fn a_dry_run_reports_the_plan_and_writes_nothing() {
    each(&Backend::ALL, "dry_run", async |t| {
        let db = &*t.db;
        let runner = MigrationRunner::new(
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(create("0002_b", "b")),
        );
        let report = runner.dry_run(true).run(db).await.unwrap();
        assert!(report.dry_run);
        assert_eq!(report.planned.len(), 2);
        assert_eq!(
            report.planned[0].sql.as_deref(),
            Some("CREATE TABLE a (id INTEGER)")
        );
        assert!(!exists(db, "a").await);
        assert!(
            !exists(db, "__switchy_migrations").await,
            "a dry run created the tracking table"
        );

        let runner = MigrationRunner::new(
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(create("0002_b", "b")),
        );
        runner.run(db).await.unwrap();
        let runner = runner.dry_run(true);
        let rollback = runner.rollback(db, RollbackStrategy::All).await.unwrap();
        assert_eq!(
            rollback
                .planned
                .iter()
                .map(|p| p.id.as_str())
                .collect::<Vec<_>>(),
            ["0002_b", "0001_a"]
        );
        assert_eq!(rollback.planned[0].sql.as_deref(), Some("DROP TABLE b"));
        assert!(exists(db, "b").await);
    })
    .await;
}

#[tokio::test]
async fn strategies_and_rollbacks() {
    each(&Backend::ALL, "strategies", async |t| {
        let db = &*t.db;
        let source = || {
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(create("0002_b", "b"))
                .with(create("0003_c", "c"))
                .with(create("0004_d", "d"))
        };
        let error = MigrationRunner::new(source())
            .with_strategy(ExecutionStrategy::UpTo("0009_x".into()))
            .run(db)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::UnknownMigration(id) if id == "0009_x"),
            "{error}"
        );
        let up_to = MigrationRunner::new(source())
            .with_strategy(ExecutionStrategy::UpTo("0002_b".into()))
            .run(db)
            .await
            .unwrap();
        assert_eq!(
            up_to.applied_ids().collect::<Vec<_>>(),
            ["0001_a", "0002_b"]
        );
        let steps = MigrationRunner::new(source())
            .with_strategy(ExecutionStrategy::Steps(1))
            .run(db)
            .await
            .unwrap();
        assert_eq!(
            steps.applied_ids().collect::<Vec<_>>(),
            ["0003_c"],
            "Steps counts pending migrations"
        );
        MigrationRunner::new(source()).run(db).await.unwrap();

        let runner = MigrationRunner::new(source());
        let last = runner.rollback(db, RollbackStrategy::Last).await.unwrap();
        assert_eq!(last.rolled_back[0].id, "0004_d");
        assert!(!exists(db, "d").await);
        runner
            .rollback(db, RollbackStrategy::DownTo("0002_b".into()))
            .await
            .unwrap();
        assert!(!exists(db, "c").await && exists(db, "b").await);
        runner
            .rollback(db, RollbackStrategy::Steps(1))
            .await
            .unwrap();
        assert_eq!(tracked_ids(db, "__switchy_migrations").await, ["0001_a"]);
        runner.rollback(db, RollbackStrategy::All).await.unwrap();
        assert!(tracked_ids(db, "__switchy_migrations").await.is_empty());
        assert!(!exists(db, "a").await);

        // Irreversible: an error, and nothing is rolled back.
        let irreversible = MigrationRunner::new(
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(CodeMigration::new("0002_b", "CREATE TABLE b (id INTEGER)")),
        );
        irreversible.run(db).await.unwrap();
        let error = irreversible
            .rollback(db, RollbackStrategy::All)
            .await
            .unwrap_err();
        assert!(
            matches!(&error, Error::Irreversible(id) if id == "0002_b"),
            "{error}"
        );
        assert_eq!(
            tracked_ids(db, "__switchy_migrations").await,
            ["0001_a", "0002_b"]
        );
    })
    .await;
}

#[tokio::test]
async fn hooks_are_called_around_each_migration() {
    each(&[Backend::SqlxSqlite], "hooks", async |t| {
        let calls = Arc::new(std::sync::Mutex::new(Vec::new()));
        let (before, after, failed) = (Arc::clone(&calls), Arc::clone(&calls), Arc::clone(&calls));
        let hooks = MigrationHooks::new()
            .before(move |id| before.lock().unwrap().push(format!("before {id}")))
            .after(move |id, _| after.lock().unwrap().push(format!("after {id}")))
            .on_error(move |id, _| failed.lock().unwrap().push(format!("error {id}")));
        let source = CodeSource::new()
            .with(create("0001_a", "a"))
            .with(CodeMigration::new("0002_bad", "NOT SQL"));
        assert!(
            MigrationRunner::new(source)
                .with_hooks(hooks)
                .run(&*t.db)
                .await
                .is_err()
        );
        assert_eq!(
            *calls.lock().unwrap(),
            [
                "before 0001_a",
                "after 0001_a",
                "before 0002_bad",
                "error 0002_bad"
            ]
        );
    })
    .await;
}

#[tokio::test]
async fn a_single_transaction_run_applies_all_or_nothing() {
    each(&Backend::ALL, "single_tx", async |t| {
        let db = &*t.db;
        let source = || {
            CodeSource::new()
                .with(create("0001_a", "a"))
                .with(create("0002_b", "b"))
                .with(CodeMigration::new(
                    "0003_bad",
                    "INSERT INTO no_such_table VALUES (1)",
                ))
        };
        let error = MigrationRunner::new(source())
            .single_transaction(true)
            .run(db)
            .await
            .unwrap_err();
        if t.backend == Backend::SqlxMySql {
            assert!(matches!(error, Error::Unsupported(_)), "{error}");
            return;
        }
        assert!(
            matches!(&error, Error::MigrationFailed { failed, .. } if failed.id == "0003_bad"),
            "{error}"
        );
        assert!(!exists(db, "a").await && !exists(db, "b").await);
        let good = CodeSource::new()
            .with(create("0001_a", "a"))
            .with(create("0002_b", "b"));
        let report = MigrationRunner::new(good)
            .single_transaction(true)
            .run(db)
            .await
            .unwrap();
        assert_eq!(report.applied.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn an_old_tracking_table_is_upgraded_in_place_keeping_its_rows() {
    each(&Backend::ALL, "legacy_upgrade", async |t| {
        let db = &*t.db;
        let timestamp = match db.dialect() {
            Dialect::Postgres => "TIMESTAMP",
            Dialect::Sqlite | Dialect::MySql => "DATETIME",
        };
        db.exec_raw(&format!(
            "CREATE TABLE __switchy_migrations (name VARCHAR(255) NOT NULL, run_on {timestamp} NOT NULL DEFAULT CURRENT_TIMESTAMP); \
             INSERT INTO __switchy_migrations (name) VALUES ('0001_a');"
        ))
        .await
        .unwrap();
        let runner = MigrationRunner::new(CodeSource::new().with(create("0001_a", "a")).with(create("0002_b", "b")));
        let report = runner.run(db).await.unwrap();
        assert_eq!(report.applied_ids().collect::<Vec<_>>(), ["0002_b"]);
        assert!(!exists(db, "a").await, "the old row was not honoured");
        let list = runner.list_migrations(db).await.unwrap();
        assert!(list.iter().all(switchy_schema::MigrationInfo::is_applied), "{list:?}");
        assert_eq!(list[0].run_on.as_deref().map(str::len), Some(19), "{list:?}");
    })
    .await;
}

#[tokio::test]
async fn the_lock_is_released_after_a_failure_and_waiting_times_out() {
    each(&Backend::ALL, "lock", async |t| {
        let db = &*t.db;
        let failing =
            MigrationRunner::new(CodeSource::new().with(CodeMigration::new("0001_bad", "NOT SQL")))
                .with_lock_timeout(Duration::from_secs(2));
        assert!(matches!(
            failing.run(db).await,
            Err(Error::MigrationFailed { .. })
        ));
        let started = std::time::Instant::now();
        let second = failing.run(&*t.reopen().await).await.unwrap_err();
        assert!(
            !matches!(second, Error::LockTimeout { .. }),
            "the lock was left held: {second}"
        );
        assert!(started.elapsed() < Duration::from_secs(2));

        // Hold the lock in a slow migration, and time out waiting for it. (SQLite: see
        // `sqlite_waits_for_the_write_lock_up_to_the_timeout`.)
        let sleep = match db.dialect() {
            Dialect::Postgres => "SELECT pg_sleep(3)",
            Dialect::MySql => "SELECT SLEEP(3)",
            Dialect::Sqlite => return,
        };
        let holder_db = t.reopen().await;
        let holder = tokio::spawn(async move {
            let slow = MigrationRunner::new(
                CodeSource::new().with(CodeMigration::new("0001_slow", sleep)),
            )
            .with_table_name("slow_migrations");
            slow.run(&*holder_db).await.map(|r| r.applied.len())
        });
        tokio::time::sleep(Duration::from_millis(500)).await;
        let waiting =
            MigrationRunner::new(CodeSource::new().with(CodeMigration::new("0001_slow", sleep)))
                .with_table_name("slow_migrations")
                .with_lock_timeout(Duration::from_millis(300));
        let error = waiting.run(db).await.unwrap_err();
        assert!(
            matches!(error, Error::LockTimeout { .. }),
            "{:?}: {error}",
            t.backend
        );
        assert!(error.to_string().contains("timed out"), "{error}");
        assert_eq!(holder.await.unwrap().unwrap(), 1);
    })
    .await;
}

#[tokio::test]
async fn eight_processes_apply_each_migration_exactly_once() {
    each(
        &[
            Backend::SqlxSqlite,
            Backend::SqlxPostgres,
            Backend::SqlxMySql,
            Backend::Rusqlite,
            Backend::TokioPostgres,
        ],
        "concurrency",
        async |t| {
            const STEPS: usize = 12;
            let binary = env!("CARGO_BIN_EXE_migrate_once");
            let children: Vec<_> = (0..8)
                .map(|_| {
                    std::process::Command::new(binary)
                        .args([t.backend.name(), &t.location, &STEPS.to_string()])
                        .stdout(std::process::Stdio::piped())
                        .stderr(std::process::Stdio::piped())
                        .spawn()
                        .expect("start migrate_once")
                })
                .collect();
            let mut applied = 0;
            for child in children {
                let output = child.wait_with_output().unwrap();
                let stdout = String::from_utf8_lossy(&output.stdout);
                assert!(
                    output.status.success(),
                    "{:?}: a process failed: {}{}",
                    t.backend,
                    stdout,
                    String::from_utf8_lossy(&output.stderr)
                );
                applied += stdout
                    .split_whitespace()
                    .find_map(|field| field.strip_prefix("applied="))
                    .and_then(|n| n.parse::<usize>().ok())
                    .unwrap();
            }
            assert_eq!(
                applied,
                STEPS + 1,
                "{:?}: total applied across processes",
                t.backend
            );
            let db = &*t.db;
            assert_eq!(
                count(db, "migration_log").await.unwrap(),
                i64::try_from(STEPS).unwrap()
            );
            let rows = db
                .query(
                    "SELECT id, COUNT(*) AS n FROM migration_log GROUP BY id HAVING COUNT(*) > 1",
                    &[],
                )
                .await
                .unwrap();
            assert!(rows.is_empty(), "{:?}: applied twice: {rows:?}", t.backend);
            assert_eq!(
                tracked_ids(db, "__switchy_migrations").await.len(),
                STEPS + 1
            );
        },
    )
    .await;
}

#[tokio::test]
async fn sqlite_waits_for_the_write_lock_up_to_the_timeout() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.db");
    let options = |busy: u64| {
        sqlx::sqlite::SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true)
            .busy_timeout(Duration::from_millis(busy))
    };
    let holder = sqlx::SqlitePool::connect_with(options(50)).await.unwrap();
    let waiting = sqlx::SqlitePool::connect_with(options(50)).await.unwrap();
    let tx = holder.begin_transaction().await.unwrap();
    tx.exec_raw("CREATE TABLE held (id INTEGER)").await.unwrap();
    let runner = MigrationRunner::new(CodeSource::new().with(create("0001_a", "a")))
        .with_lock_timeout(Duration::from_millis(400));
    let error = runner.run(&waiting).await.unwrap_err();
    assert!(matches!(error, Error::LockTimeout { .. }), "{error}");
    tx.rollback().await.unwrap();
    runner.run(&waiting).await.unwrap();
}

/// A source that passes its migrations through unchecked: `CodeSource` rejects ids with
/// control characters, but a custom source (or a tracking table written by another tool)
/// can still hold them.
struct UncheckedSource(Vec<Arc<dyn switchy_schema::Migration>>);

#[async_trait::async_trait]
impl switchy_schema::MigrationSource for UncheckedSource {
    async fn migrations(&self) -> switchy_schema::Result<Vec<Arc<dyn switchy_schema::Migration>>> {
        Ok(self.0.clone())
    }
}

#[tokio::test]
async fn ids_holding_the_compact_reads_separators_are_still_recognized_as_applied() {
    each(&Backend::ALL, "separator_ids", async |t| {
        let db = &*t.db;
        let runner = MigrationRunner::new(UncheckedSource(vec![
            Arc::new(create("0001_a\u{1e}b", "a")),
            Arc::new(create("0002_c\u{1f}d", "b")),
        ]));
        assert_eq!(runner.run(db).await.unwrap().applied.len(), 2);
        let again = runner.run(db).await.unwrap();
        assert!(again.applied.is_empty(), "{:?}", t.backend);
        assert_eq!(again.skipped.len(), 2);
    })
    .await;
}

#[tokio::test]
async fn every_fixture_folder_applies_and_rolls_back_on_every_backend() {
    static BASIC: Migrations = switchy_schema::embed_migrations!("fixtures/basic");
    static DIALECTS: Migrations = switchy_schema::embed_migrations!("fixtures/dialects");
    static NO_TRANSACTION: Migrations =
        switchy_schema::embed_migrations!("fixtures/no_transaction");
    static CRLF: Migrations = switchy_schema::embed_migrations!("fixtures/crlf");
    static IRREVERSIBLE: Migrations = switchy_schema::embed_migrations!("fixtures/irreversible");
    each(&Backend::ALL, "fixtures", async |t| {
        for (fixture, migrations, reversible) in [
            ("basic", &BASIC, true),
            ("dialects", &DIALECTS, true),
            ("no_transaction", &NO_TRANSACTION, true),
            ("crlf", &CRLF, true),
            ("irreversible", &IRREVERSIBLE, false),
        ] {
            let table = format!("track_{fixture}");
            let runner = migrations.runner().with_table_name(&table);
            let report = runner
                .run(&*t.db)
                .await
                .unwrap_or_else(|e| panic!("{:?} {fixture}: {e}", t.backend));
            assert!(!report.applied.is_empty(), "{fixture}");
            assert!(runner.run(&*t.db).await.unwrap().applied.is_empty());
            let rolled_back = runner.rollback(&*t.db, RollbackStrategy::All).await;
            if reversible {
                rolled_back.unwrap_or_else(|e| panic!("{:?} {fixture}: {e}", t.backend));
                assert!(tracked_ids(&*t.db, &table).await.is_empty(), "{fixture}");
            } else {
                assert!(
                    matches!(rolled_back, Err(Error::Irreversible(_))),
                    "{fixture}"
                );
            }
        }
    })
    .await;
}

#[tokio::test]
async fn closures_are_code_migrations_too() {
    use switchy_schema::code::from_fn;
    each(&Backend::ALL, "closures", async |t| {
        let seed = from_fn(|db| {
            Box::pin(async move {
                let p = if db.dialect() == Dialect::Postgres {
                    "$1"
                } else {
                    "?"
                };
                db.execute(&format!("INSERT INTO a (id) VALUES ({p})"), &[7.into()])
                    .await?;
                Ok(())
            })
        });
        let source = CodeSource::new()
            .with(create("0001_a", "a"))
            .with(CodeMigration::new("0002_seed", seed).with_down("DELETE FROM a"));
        let runner = MigrationRunner::new(source);
        runner.run(&*t.db).await.unwrap();
        assert_eq!(count(&*t.db, "a").await.unwrap(), 1);
        runner
            .rollback(&*t.db, RollbackStrategy::Last)
            .await
            .unwrap();
        assert_eq!(count(&*t.db, "a").await.unwrap(), 0);
    })
    .await;
}
