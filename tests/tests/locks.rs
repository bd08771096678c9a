//! The migration lock is released, and no transaction is left open, on every path: runs,
//! rollbacks and recovery calls dropped at random await points, panicking hooks and
//! migrations. Plus: no stacking, a checked release, one lock per resolved table, and
//! migration transactions that own their connection.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sqlx::Connection as _;
use switchy_schema::code::{CodeMigration, CodeSource, from_fn};
use switchy_schema::{
    Database, DatabaseError, DatabaseTransaction, Dialect, Error, MigrationHooks, MigrationRunner,
    RollbackStrategy, Row, Value,
};
use switchy_schema_tests::harness::{Backend, TestDatabase, open};

/// Cancellations per driver.
const CANCELLATIONS: usize = 50;

/// A small xorshift generator; the seed is printed so that a failure can be replayed.
struct Rng(u64);

impl Rng {
    fn new(test: &str) -> Self {
        let seed = std::env::var("LOCKS_SEED")
            .ok()
            .and_then(|seed| seed.parse().ok())
            .unwrap_or_else(|| {
                SystemTime::now()
                    .duration_since(UNIX_EPOCH)
                    .map_or(1, |d| u64::from(d.subsec_nanos()) ^ d.as_secs())
                    | 1
            });
        eprintln!("{test}: LOCKS_SEED={seed}");
        Rng(seed)
    }

    fn below(&mut self, bound: u64) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0 % bound
    }
}

/// A statement that takes a few milliseconds on the server.
fn pause_sql(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::Postgres => "SELECT pg_sleep(0.003)",
        Dialect::MySql => "DO SLEEP(0.003)",
        Dialect::Sqlite => "SELECT 1",
    }
}

/// Four reversible, idempotent migrations with await points in SQL and in Rust.
fn source(dialect: Dialect) -> CodeSource {
    let pause = pause_sql(dialect);
    CodeSource::new()
        .with(
            CodeMigration::new("0001_a", "CREATE TABLE IF NOT EXISTS a (id INTEGER)")
                .with_down("DROP TABLE IF EXISTS a"),
        )
        .with(CodeMigration::new("0002_pause", pause).with_down(pause))
        .with(
            CodeMigration::new(
                "0003_b",
                from_fn(|db| {
                    Box::pin(async move {
                        tokio::time::sleep(Duration::from_millis(3)).await;
                        db.exec_raw("CREATE TABLE IF NOT EXISTS b (id INTEGER)")
                            .await?;
                        db.exec_raw("INSERT INTO b (id) VALUES (1)").await?;
                        Ok(())
                    })
                }),
            )
            .with_down(from_fn(|db| {
                Box::pin(async move {
                    tokio::time::sleep(Duration::from_millis(3)).await;
                    db.exec_raw("DROP TABLE IF EXISTS b").await?;
                    Ok(())
                })
            })),
        )
        .with(CodeMigration::new("0004_pause", pause).with_down(pause))
}

fn runner(dialect: Dialect) -> MigrationRunner {
    MigrationRunner::new(source(dialect)).with_lock_timeout(Duration::from_secs(1))
}

fn int(rows: &[Row]) -> i64 {
    match rows.first().and_then(|row| row.get_index(0)) {
        Some(Value::Int(n)) => *n,
        Some(Value::Text(n)) => n.parse().expect("a number"),
        other => panic!("not a number: {other:?}"),
    }
}

/// Asserts, from `checker` (another session), that no session holds a migration lock and
/// (on PostgreSQL and MySQL) that no other session of this database sits idle inside a
/// transaction. (MariaDB lists the data-dictionary transaction of a session's last DDL
/// for a while after it, in state `COMMITTING`: that is not an open transaction.)
///
/// Checked for up to 2 s: a pinned pool connection is closed by a task sqlx spawns, and
/// until it is gone it may still run what the cut-off runner had written to its socket
/// before quitting. A lock or transaction really left behind never goes away.
async fn assert_released(checker: &dyn Database, context: &str) {
    let deadline = std::time::Instant::now() + Duration::from_secs(2);
    loop {
        match check_released(checker).await {
            Ok(()) => return,
            Err(problem) if std::time::Instant::now() >= deadline => {
                panic!("{context}: {problem}")
            }
            Err(_) => tokio::time::sleep(Duration::from_millis(20)).await,
        }
    }
}

async fn count_of(checker: &dyn Database, sql: &str) -> i64 {
    int(&checker.query(sql, &[]).await.expect(sql))
}

async fn check_released(checker: &dyn Database) -> Result<(), &'static str> {
    let (locks, open) = match checker.dialect() {
        Dialect::Postgres => (
            "SELECT count(*)::int8 FROM pg_locks WHERE locktype = 'advisory' \
             AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
            "SELECT count(*)::int8 FROM pg_stat_activity WHERE datname = current_database() \
             AND pid <> pg_backend_pid() AND state LIKE 'idle in transaction%'",
        ),
        Dialect::MySql => (
            "SELECT COUNT(*) FROM (SELECT IS_USED_LOCK(CONCAT('switchy_schema_', \
             SHA1(LOWER(CONCAT(DATABASE(), '.__switchy_migrations'))))) AS holder) AS lock_holder \
             WHERE holder IS NOT NULL",
            "SELECT COUNT(*) FROM information_schema.innodb_trx AS trx \
             JOIN information_schema.processlist AS session ON session.ID = trx.trx_mysql_thread_id \
             WHERE session.DB = DATABASE() AND session.COMMAND = 'Sleep' \
             AND session.ID <> CONNECTION_ID() AND trx.trx_state = 'RUNNING'",
        ),
        Dialect::Sqlite => return Ok(()),
    };
    if count_of(checker, locks).await != 0 {
        return Err("a migration lock is still held");
    }
    if count_of(checker, open).await != 0 {
        return Err("a transaction is still open");
    }
    Ok(())
}

/// Brings the database to "all applied" (`up`) or "none applied" with another runner whose
/// lock timeout is 1 s: a lock left held makes it fail. A MySQL migration cut off half-way
/// stays `in_progress` (by design, MySQL cannot roll DDL back): it is forgotten, which
/// also takes the lock, and run again (the migrations are idempotent).
async fn settle(db: &dyn Database, up: bool, context: &str) {
    let runner = runner(db.dialect());
    for _ in 0..5 {
        let result = if up {
            runner.run(db).await.map(drop)
        } else {
            runner.rollback(db, RollbackStrategy::All).await.map(drop)
        };
        match result {
            Ok(()) => return,
            Err(Error::Dirty { id, .. }) if db.dialect() == Dialect::MySql => {
                runner
                    .forget_migration(db, &id)
                    .await
                    .unwrap_or_else(|e| panic!("{context}: forgetting `{id}`: {e}"));
            }
            Err(e) => panic!("{context}: the next runner failed: {e}"),
        }
    }
    panic!("{context}: still dirty");
}

/// Cuts runs and rollbacks on `db` at random points, `CANCELLATIONS` times, each with a
/// timeout, a `select!` or an aborted task. After each, a runner on `next` (another session,
/// unless the handle can only release on its next use) must get the lock within 1 s, and
/// `checker` must see nothing held.
async fn cancel_at_random(
    test: &str,
    db: Arc<dyn Database>,
    next: &dyn Database,
    checker: &dyn Database,
) {
    let dialect = db.dialect();
    let mut rng = Rng::new(test);
    // Cut-off points spread over one whole operation, as long as it takes on this driver.
    settle(&*db, true, "warm up").await;
    settle(&*db, false, "warm up").await;
    let started = std::time::Instant::now();
    settle(&*db, true, "measure").await;
    settle(&*db, false, "measure").await;
    let span = u64::try_from(started.elapsed().as_micros() / 2)
        .unwrap_or(u64::MAX)
        .max(1_000);
    settle(next, false, "start").await;
    let mut cut = 0;
    for round in 0..CANCELLATIONS {
        let up = round % 2 == 0;
        let way = rng.below(3);
        let after = Duration::from_micros(rng.below(span));
        let context = format!("{test}: round {round}, way {way}, after {after:?}");
        let operation = {
            let db = Arc::clone(&db);
            async move {
                let runner = runner(dialect);
                if up {
                    runner.run(&*db).await.map(drop)
                } else if round % 4 == 1 {
                    runner.rollback(&*db, RollbackStrategy::All).await.map(drop)
                } else {
                    // A recovery call, then the rollback.
                    runner.forget_migration(&*db, "0009_unknown").await?;
                    runner.rollback(&*db, RollbackStrategy::All).await.map(drop)
                }
            }
        };
        let was_cut = match way {
            0 => tokio::time::timeout(after, operation).await.is_err(),
            1 => {
                tokio::select! {
                    _ = operation => false,
                    () = tokio::time::sleep(after) => true,
                }
            }
            _ => {
                let task = tokio::spawn(operation);
                tokio::time::sleep(after).await;
                task.abort();
                task.await.is_err_and(|e| e.is_cancelled())
            }
        };
        cut += usize::from(was_cut);
        if dialect == Dialect::MySql {
            // A chained run switches `autocommit` off; the cleanup an abandoned one queues
            // runs before this statement on a shared connection, and must switch it back.
            let rows = next.query("SELECT @@autocommit AS a", &[]).await.unwrap();
            assert_eq!(
                rows[0].get_index(0).and_then(Value::as_i64),
                Some(1),
                "{context}: autocommit left off"
            );
        }
        settle(next, up, &context).await;
        assert_released(checker, &context).await;
    }
    eprintln!("{test}: {cut} of {CANCELLATIONS} operations were cut off");
    assert!(
        cut >= CANCELLATIONS / 5,
        "{test}: only {cut} operations were cut off"
    );
}

async fn cancel_backend(backend: Backend, test: &str) {
    let Some(t) = open(backend, test).await else {
        return;
    };
    let next = t.reopen().await;
    let checker = t.reopen().await;
    cancel_at_random(test, Arc::from(t.db), &*next, &*checker).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_sqlx_sqlite_releases_everything() {
    cancel_backend(Backend::SqlxSqlite, "locks_cancel_sqlx_sqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_rusqlite_releases_everything() {
    cancel_backend(Backend::Rusqlite, "locks_cancel_rusqlite").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_sqlx_postgres_pool_releases_everything() {
    cancel_backend(Backend::SqlxPostgres, "locks_cancel_pg_pool").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_tokio_postgres_client_releases_everything() {
    cancel_backend(Backend::TokioPostgres, "locks_cancel_tokio_pg").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_sqlx_mysql_pool_releases_everything() {
    cancel_backend(Backend::SqlxMySql, "locks_cancel_mysql_pool").await;
}

/// `tokio::sync::Mutex<PgConnection>`: the release queued on drop runs before the next
/// statement through the mutex, so the next runner uses the same handle.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_sqlx_postgres_connection_releases_on_next_use() {
    let Some(t) = open(Backend::SqlxPostgres, "locks_cancel_pg_conn").await else {
        return;
    };
    let conn = sqlx::PgConnection::connect(&t.location)
        .await
        .expect("connect");
    let db: Arc<dyn Database> = Arc::new(tokio::sync::Mutex::new(conn));
    cancel_at_random("locks_cancel_pg_conn", Arc::clone(&db), &*db, &*t.db).await;
}

/// `tokio::sync::Mutex<MySqlConnection>`: as above.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_sqlx_mysql_connection_releases_on_next_use() {
    let Some(t) = open(Backend::SqlxMySql, "locks_cancel_mysql_conn").await else {
        return;
    };
    let conn = sqlx::MySqlConnection::connect(&t.location)
        .await
        .expect("connect");
    let db: Arc<dyn Database> = Arc::new(tokio::sync::Mutex::new(conn));
    cancel_at_random("locks_cancel_mysql_conn", Arc::clone(&db), &*db, &*t.db).await;
}

async fn tokio_postgres_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls)
        .await
        .expect("connect");
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// `tokio::sync::Mutex<tokio_postgres::Client>`: the release is queued on the client's
/// connection task at once when the mutex is free, so another session gets the lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn cancelled_shared_tokio_postgres_client_releases_everything() {
    let Some(t) = open(Backend::TokioPostgres, "locks_cancel_tokio_pg_mutex").await else {
        return;
    };
    let db: Arc<dyn Database> = Arc::new(tokio::sync::Mutex::new(
        tokio_postgres_client(&t.location).await,
    ));
    let next = t.reopen().await;
    cancel_at_random("locks_cancel_tokio_pg_mutex", db, &*next, &*t.db).await;
}

/// Runs `runner` on `db` in a task and expects it to panic.
async fn expect_panic(db: &Arc<dyn Database>, runner: MigrationRunner, context: &str) {
    let db = Arc::clone(db);
    let joined = tokio::spawn(async move { runner.run(&*db).await.map(drop) }).await;
    match joined {
        Err(error) if error.is_panic() => {}
        other => panic!("{context}: expected a panic, got {other:?}"),
    }
}

/// After a panic: another runner (1 s lock timeout) takes the lock, nothing is held, and
/// the panicking migration's own changes were rolled back where the database can.
async fn after_panic(t: &TestDatabase, context: &str, panicked_in_migration: bool) {
    let next = t.reopen().await;
    let probe = runner(t.backend.dialect());
    // `forget_migration` always takes the lock.
    probe
        .forget_migration(&*next, "0003_b")
        .await
        .unwrap_or_else(|e| panic!("{context}: the next runner failed: {e}"));
    assert_released(&*next, context).await;
    if panicked_in_migration && t.backend.dialect().has_transactional_ddl() {
        assert!(
            next.query("SELECT id FROM b", &[]).await.is_err(),
            "{context}: the panicking migration's table was committed"
        );
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_hook_releases_everything() {
    for backend in Backend::ALL {
        let Some(t) = open(backend, "locks_panic_hook").await else {
            continue;
        };
        let db: Arc<dyn Database> = Arc::from(t.reopen().await);
        let runner = runner(backend.dialect()).with_hooks(MigrationHooks::new().before(|id| {
            assert!(id != "0003_b", "a hook panics before {id}");
        }));
        let context = format!("{backend:?} panicking hook");
        expect_panic(&db, runner, &context).await;
        after_panic(&t, &context, false).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_panicking_closure_migration_releases_everything() {
    for backend in Backend::ALL {
        let Some(t) = open(backend, "locks_panic_migration").await else {
            continue;
        };
        let db: Arc<dyn Database> = Arc::from(t.reopen().await);
        let source = CodeSource::new()
            .with(CodeMigration::new(
                "0001_a",
                "CREATE TABLE IF NOT EXISTS a (id INTEGER)",
            ))
            .with(CodeMigration::new(
                "0003_b",
                from_fn(|db| {
                    Box::pin(async move {
                        db.exec_raw("CREATE TABLE b (id INTEGER)").await?;
                        tokio::time::sleep(Duration::from_millis(1)).await;
                        panic!("a migration panics half-way");
                    })
                }),
            ));
        let context = format!("{backend:?} panicking migration");
        expect_panic(&db, MigrationRunner::new(source), &context).await;
        after_panic(&t, &context, true).await;
    }
}

/// The advisory key the runtime derives for `public.__switchy_migrations` (FNV-1a).
fn pg_key() -> i64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in "switchy_schema:public.__switchy_migrations".bytes() {
        hash ^= u64::from(byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    i64::from_le_bytes(hash.to_le_bytes())
}

/// A migration that takes the migration lock once more on the runner's own session: the
/// release must release both levels.
#[tokio::test]
async fn a_stacked_lock_is_released_fully() {
    for backend in [Backend::TokioPostgres, Backend::SqlxMySql] {
        let Some(t) = open(backend, "locks_stacked").await else {
            continue;
        };
        // Single sessions: a pinned pool connection is closed afterwards anyway.
        let db: Box<dyn Database> = match backend {
            Backend::TokioPostgres => t.reopen().await,
            _ => Box::new(tokio::sync::Mutex::new(
                sqlx::MySqlConnection::connect(&t.location)
                    .await
                    .expect("connect"),
            )),
        };
        let stack = match backend.dialect() {
            Dialect::Postgres => format!("SELECT pg_advisory_lock({})", pg_key()),
            _ => "SELECT GET_LOCK(CONCAT('switchy_schema_', SHA1(LOWER(CONCAT(DATABASE(), \
                  '.__switchy_migrations')))), 0)"
                .to_owned(),
        };
        let source = CodeSource::new().with(CodeMigration::new("0001_stack", stack));
        MigrationRunner::new(source)
            .run(&*db)
            .await
            .unwrap_or_else(|e| panic!("{backend:?}: {e}"));
        let checker = t.reopen().await;
        assert_released(&*checker, &format!("{backend:?} stacked")).await;
    }
}

/// Two runners sharing one connection at the same time: the second waits for the first
/// instead of stacking the lock on the shared session, and every migration runs once.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn runners_sharing_a_connection_do_not_stack_the_lock() {
    for backend in [Backend::TokioPostgres, Backend::SqlxMySql] {
        let Some(t) = open(backend, "locks_shared_session").await else {
            continue;
        };
        let db: Arc<dyn Database> = match backend {
            Backend::TokioPostgres => Arc::from(t.reopen().await),
            _ => Arc::new(tokio::sync::Mutex::new(
                sqlx::MySqlConnection::connect(&t.location)
                    .await
                    .expect("connect"),
            )),
        };
        let runs = AtomicUsize::new(0);
        let runs = Arc::new(runs);
        let make = |runs: Arc<AtomicUsize>| {
            let slow = from_fn(move |db| {
                let runs = Arc::clone(&runs);
                Box::pin(async move {
                    runs.fetch_add(1, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(300)).await;
                    db.exec_raw("CREATE TABLE IF NOT EXISTS slow (id INTEGER)")
                        .await?;
                    Ok(())
                })
            });
            MigrationRunner::new(CodeSource::new().with(CodeMigration::new("0001_slow", slow)))
                .with_lock_timeout(Duration::from_secs(5))
        };
        let first = {
            let (db, runner) = (Arc::clone(&db), make(Arc::clone(&runs)));
            tokio::spawn(async move { runner.run(&*db).await })
        };
        tokio::time::sleep(Duration::from_millis(100)).await;
        let second = make(Arc::clone(&runs)).run(&*db).await;
        let first = first.await.expect("no panic");
        first.unwrap_or_else(|e| panic!("{backend:?}: first: {e}"));
        let second = second.unwrap_or_else(|e| panic!("{backend:?}: second: {e}"));
        assert_eq!(second.applied_ids().count(), 0, "{backend:?}");
        assert_eq!(runs.load(Ordering::SeqCst), 1, "{backend:?}: ran twice");
        let checker = t.reopen().await;
        assert_released(&*checker, &format!("{backend:?} shared")).await;
    }
}

/// `t` and `public.t` (`db.t` on MySQL) are the same table, so they take the same lock.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn qualified_and_unqualified_names_share_the_lock() {
    for backend in [Backend::SqlxPostgres, Backend::SqlxMySql] {
        let Some(t) = open(backend, "locks_same_table").await else {
            continue;
        };
        let schema = if backend.dialect() == Dialect::Postgres {
            "public".to_owned()
        } else {
            {
                let rows =
                    t.db.query("SELECT DATABASE()", &[])
                        .await
                        .expect("database");
                rows[0]
                    .get_index(0)
                    .and_then(Value::as_str)
                    .expect("name")
                    .to_owned()
            }
        };
        let holding = Arc::new(AtomicBool::new(false));
        let slow = {
            let holding = Arc::clone(&holding);
            from_fn(move |_| {
                let holding = Arc::clone(&holding);
                Box::pin(async move {
                    holding.store(true, Ordering::SeqCst);
                    tokio::time::sleep(Duration::from_millis(800)).await;
                    Ok(())
                })
            })
        };
        let qualified =
            MigrationRunner::new(CodeSource::new().with(CodeMigration::new("0001_slow", slow)))
                .with_table_name(format!("{schema}.t"));
        let db: Arc<dyn Database> = Arc::from(t.reopen().await);
        let first = {
            let db = Arc::clone(&db);
            tokio::spawn(async move { qualified.run(&*db).await })
        };
        while !holding.load(Ordering::SeqCst) {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
        let unqualified = MigrationRunner::new(
            CodeSource::new().with(CodeMigration::new("0001_other", "SELECT 1")),
        )
        .with_table_name("t")
        .with_lock_timeout(Duration::from_millis(200));
        let error = unqualified
            .run(&*t.db)
            .await
            .expect_err("must wait for the lock");
        assert!(
            matches!(error, Error::LockTimeout { .. }),
            "{backend:?}: {error}"
        );
        first.await.expect("no panic").expect("first run");
    }
}

/// A custom `Database` that does not pin: each statement goes to the next of two
/// connections, so the lock is taken on one and released on the other.
struct RoundRobin {
    connections: [tokio::sync::Mutex<sqlx::PgConnection>; 2],
    next: AtomicUsize,
}

impl RoundRobin {
    fn pick(&self) -> &tokio::sync::Mutex<sqlx::PgConnection> {
        &self.connections[self.next.fetch_add(1, Ordering::SeqCst) % 2]
    }
}

#[async_trait::async_trait]
impl Database for RoundRobin {
    fn dialect(&self) -> Dialect {
        Dialect::Postgres
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        self.pick().exec_raw(sql).await
    }
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        self.pick().execute(sql, params).await
    }
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        self.pick().query(sql, params).await
    }
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        self.pick().begin_transaction().await
    }
}

#[tokio::test]
async fn a_database_that_does_not_pin_is_reported() {
    let Some(t) = open(Backend::SqlxPostgres, "locks_no_pin").await else {
        return;
    };
    let connect = || async {
        tokio::sync::Mutex::new(
            sqlx::PgConnection::connect(&t.location)
                .await
                .expect("connect"),
        )
    };
    let db = RoundRobin {
        connections: [connect().await, connect().await],
        next: AtomicUsize::new(0),
    };
    let runner =
        MigrationRunner::new(CodeSource::new().with(CodeMigration::new("0001", "SELECT 1")))
            .with_lock_timeout(Duration::from_secs(1));
    let mut saw_error = false;
    for _ in 0..4 {
        match runner.rollback(&db, RollbackStrategy::All).await {
            Err(error) if error.to_string().contains("did not hold") => saw_error = true,
            _ => {}
        }
    }
    assert!(
        saw_error,
        "locking on one connection and unlocking on another went unnoticed"
    );
}

/// A write from another task through the same handle while a migration transaction is
/// open waits for it, instead of running inside it and being rolled back with it.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_writer_keeps_its_row_when_a_migration_fails() {
    for backend in [
        Backend::Rusqlite,
        Backend::SqlxSqlite,
        Backend::TokioPostgres,
    ] {
        let Some(t) = open(backend, "locks_concurrent_writer").await else {
            continue;
        };
        let db: Arc<dyn Database> = match backend {
            Backend::SqlxSqlite => Arc::new(tokio::sync::Mutex::new(
                sqlx::SqliteConnection::connect(&format!("sqlite://{}", t.location))
                    .await
                    .expect("connect"),
            )),
            // A bare `Client` cannot keep other tasks out of its session: share it behind
            // a `tokio::sync::Mutex`.
            Backend::TokioPostgres => Arc::new(tokio::sync::Mutex::new(
                tokio_postgres_client(&t.location).await,
            )),
            _ => Arc::from(t.reopen().await),
        };
        db.exec_raw("CREATE TABLE log (id INTEGER)")
            .await
            .expect("log");
        let started = Arc::new(tokio::sync::Notify::new());
        let failing = {
            let started = Arc::clone(&started);
            from_fn(move |db| {
                let started = Arc::clone(&started);
                Box::pin(async move {
                    db.exec_raw("INSERT INTO log (id) VALUES (1)").await?;
                    started.notify_one();
                    tokio::time::sleep(Duration::from_millis(200)).await;
                    db.exec_raw("INSERT INTO no_such_table VALUES (1)").await?;
                    Ok(())
                })
            })
        };
        let runner =
            MigrationRunner::new(CodeSource::new().with(CodeMigration::new("0001_fails", failing)));
        let migration = {
            let db = Arc::clone(&db);
            tokio::spawn(async move { runner.run(&*db).await })
        };
        started.notified().await;
        db.exec_raw("INSERT INTO log (id) VALUES (2)")
            .await
            .expect("concurrent write");
        migration
            .await
            .expect("no panic")
            .expect_err("the migration fails");
        let rows = db
            .query("SELECT id FROM log ORDER BY id", &[])
            .await
            .expect("read");
        let ids: Vec<_> = rows.iter().map(|row| row.get_index(0).cloned()).collect();
        assert_eq!(ids, [Some(Value::Int(2))], "{backend:?}");
    }
}
