//! Issue 9's runtime harness. `cargo run --release` (see README.md).
//!
//! The parent process spawns itself once per measurement (`runtime-bench child ...`),
//! interleaving tools within each round, and prints one markdown table of medians. Each
//! child does exactly one thing, prints `elapsed_ns=<n> queries=<n>` and exits; the parent
//! also times the whole child process and reads its peak RSS with `wait4`.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use sqlx::{AssertSqlSafe, Connection as _};
use switchy_schema::{Database, DatabaseError, DatabaseTransaction, Dialect, Row, Value};

static APPLY: switchy_schema::Migrations = switchy_schema::embed_migrations!("generated/apply");
static BIG: switchy_schema::Migrations = switchy_schema::embed_migrations!("generated/big");
static SQLX_APPLY: sqlx::migrate::Migrator = sqlx::migrate!("generated/sqlx");
static SQLX_BIG: sqlx::migrate::Migrator = sqlx::migrate!("generated/sqlx-big");

const TRACKING: &str = "__switchy_migrations";

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Driver {
    Rusqlite,
    SqlxSqlite,
    SqlxPostgres,
    TokioPostgres,
    SqlxMysql,
}

impl Driver {
    const ALL: [Driver; 5] = [
        Driver::Rusqlite,
        Driver::SqlxSqlite,
        Driver::SqlxPostgres,
        Driver::TokioPostgres,
        Driver::SqlxMysql,
    ];
    fn name(self) -> &'static str {
        match self {
            Driver::Rusqlite => "rusqlite",
            Driver::SqlxSqlite => "sqlx-sqlite",
            Driver::SqlxPostgres => "sqlx-postgres",
            Driver::TokioPostgres => "tokio-postgres",
            Driver::SqlxMysql => "sqlx-mysql",
        }
    }
    fn parse(s: &str) -> Driver {
        *Driver::ALL.iter().find(|d| d.name() == s).expect("driver")
    }
    fn engine(self) -> Engine {
        match self {
            Driver::Rusqlite | Driver::SqlxSqlite => Engine::Sqlite,
            Driver::SqlxPostgres | Driver::TokioPostgres => Engine::Postgres,
            Driver::SqlxMysql => Engine::Mysql,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
    Mysql,
}

/// What a child measures.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Figure {
    /// 1,000 migrations on a SQLite file (ext4) or on the server.
    Apply,
    /// 1,000 migrations on a SQLite file in /dev/shm (SQLite drivers only).
    ApplyTmpfs,
    /// First runner call in a fresh process, 1,000 applied.
    Noop,
    /// One ~10 MB up.sql (80,000 INSERTs).
    Big,
}

impl Figure {
    const ALL: [Figure; 4] = [Figure::Apply, Figure::ApplyTmpfs, Figure::Noop, Figure::Big];
    fn name(self) -> &'static str {
        match self {
            Figure::Apply => "apply",
            Figure::ApplyTmpfs => "apply-tmpfs",
            Figure::Noop => "noop",
            Figure::Big => "big",
        }
    }
    fn parse(s: &str) -> Figure {
        *Figure::ALL.iter().find(|f| f.name() == s).expect("figure")
    }
}

/// `floor`: the driver alone, no switchy code. `switchy`: the runner, the README's way.
/// `prepare`: applies the 1,000 migrations with switchy (set-up for `noop`, not reported).
/// `sqlx-migrate`: the peer `sqlx::migrate!` + `Migrator::run(&pool)` (sqlx drivers only);
/// `prepare-sqlx` is its set-up for `noop`.
const KINDS: [&str; 3] = ["floor", "switchy", "sqlx-migrate"];

fn env_list(name: &str) -> Option<Vec<String>> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child(&args[2], &args[3], &args[4], &args[5]);
        return;
    }
    parent();
}

// ---------------------------------------------------------------- child

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn sqlite_url(path: &str) -> String {
    format!("sqlite://{path}?mode=rwc")
}

/// The migrations' SQL in id order, read from the generated folder (not timed; the
/// switchy side has it embedded).
fn texts(figure: Figure) -> Vec<String> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("generated")
        .join(if figure == Figure::Big { "big" } else { "apply" });
    let mut ids: Vec<PathBuf> = std::fs::read_dir(&dir)
        .expect("generated folder")
        .map(|e| e.unwrap().path())
        .collect();
    ids.sort();
    ids.iter()
        .map(|p| std::fs::read_to_string(p.join("up.sql")).unwrap())
        .collect()
}

fn report(elapsed: Duration, queries: usize) {
    println!("elapsed_ns={} queries={queries}", elapsed.as_nanos());
}

fn child(figure: &str, driver: &str, kind: &str, target: &str) {
    let figure = Figure::parse(figure);
    let driver = Driver::parse(driver);
    let rt = runtime();
    match kind {
        "floor" if figure == Figure::Noop => rt.block_on(floor_noop(driver, target)),
        "floor" => {
            let texts = texts(figure);
            rt.block_on(floor_apply(driver, target, &texts));
        }
        "switchy" | "prepare" => {
            let migrations = if figure == Figure::Big { &BIG } else { &APPLY };
            rt.block_on(switchy(driver, target, migrations, kind == "switchy", figure));
        }
        "sqlx-migrate" | "prepare-sqlx" => {
            let migrator = if figure == Figure::Big { &SQLX_BIG } else { &SQLX_APPLY };
            rt.block_on(sqlx_migrate(driver, target, migrator, kind == "sqlx-migrate"));
        }
        other => panic!("kind {other}"),
    }
}

/// Each migration in its own `BEGIN` ... `COMMIT`, directly on the driver, on one
/// connection opened before the clock starts.
async fn floor_apply(driver: Driver, target: &str, texts: &[String]) {
    let started;
    match driver {
        Driver::Rusqlite => {
            let conn = rusqlite::Connection::open(target).unwrap();
            started = Instant::now();
            for sql in texts {
                conn.execute_batch("BEGIN").unwrap();
                conn.execute_batch(sql).unwrap();
                conn.execute_batch("COMMIT").unwrap();
            }
        }
        Driver::SqlxSqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&sqlite_url(target)).await.unwrap();
            started = Instant::now();
            for sql in texts {
                sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
                sqlx::raw_sql(AssertSqlSafe(sql.as_str())).execute(&mut conn).await.unwrap();
                sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
            }
        }
        Driver::SqlxPostgres => {
            let mut conn = sqlx::PgConnection::connect(target).await.unwrap();
            started = Instant::now();
            for sql in texts {
                sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
                sqlx::raw_sql(AssertSqlSafe(sql.as_str())).execute(&mut conn).await.unwrap();
                sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
            }
        }
        Driver::SqlxMysql => {
            let mut conn = sqlx::MySqlConnection::connect(target).await.unwrap();
            started = Instant::now();
            for sql in texts {
                sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
                sqlx::raw_sql(AssertSqlSafe(sql.as_str())).execute(&mut conn).await.unwrap();
                sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
            }
        }
        Driver::TokioPostgres => {
            let client = tokio_postgres_client(target).await;
            started = Instant::now();
            for sql in texts {
                client.batch_execute("BEGIN").await.unwrap();
                client.batch_execute(sql).await.unwrap();
                client.batch_execute("COMMIT").await.unwrap();
            }
        }
    }
    report(started.elapsed(), texts.len() * 3);
}

/// One read of the tracking table on a fresh connection (opened before the clock starts).
async fn floor_noop(driver: Driver, target: &str) {
    let sql = format!("SELECT id, status, up_checksum FROM {TRACKING}");
    let (started, rows);
    match driver {
        Driver::Rusqlite => {
            let conn = rusqlite::Connection::open(target).unwrap();
            started = Instant::now();
            let mut stmt = conn.prepare(&sql).unwrap();
            let r: Vec<(String, String, Option<String>)> = stmt
                .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
                .unwrap()
                .collect::<Result<_, _>>()
                .unwrap();
            rows = r.len();
        }
        Driver::SqlxSqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&sqlite_url(target)).await.unwrap();
            started = Instant::now();
            let r: Vec<(String, String, Option<String>)> =
                sqlx::query_as(AssertSqlSafe(sql.clone())).fetch_all(&mut conn).await.unwrap();
            rows = r.len();
        }
        Driver::SqlxPostgres => {
            let mut conn = sqlx::PgConnection::connect(target).await.unwrap();
            started = Instant::now();
            let r: Vec<(String, String, Option<String>)> =
                sqlx::query_as(AssertSqlSafe(sql.clone())).fetch_all(&mut conn).await.unwrap();
            rows = r.len();
        }
        Driver::SqlxMysql => {
            let mut conn = sqlx::MySqlConnection::connect(target).await.unwrap();
            started = Instant::now();
            let r: Vec<(String, String, Option<String>)> =
                sqlx::query_as(AssertSqlSafe(sql.clone())).fetch_all(&mut conn).await.unwrap();
            rows = r.len();
        }
        Driver::TokioPostgres => {
            let client = tokio_postgres_client(target).await;
            started = Instant::now();
            let r = client.query(&sql, &[]).await.unwrap();
            rows = r.len();
        }
    }
    let elapsed = started.elapsed();
    assert_eq!(rows, APPLY.len(), "the no-op floor reads every applied row");
    report(elapsed, 1);
}

/// The peer: sqlx's own migrator on the pool, the way sqlx documents it.
async fn sqlx_migrate(driver: Driver, target: &str, migrator: &sqlx::migrate::Migrator, timed: bool) {
    let started;
    match driver {
        Driver::SqlxSqlite => {
            let pool = sqlx::SqlitePool::connect(&sqlite_url(target)).await.unwrap();
            started = Instant::now();
            migrator.run(&pool).await.unwrap();
        }
        Driver::SqlxPostgres => {
            let pool = sqlx::PgPool::connect(target).await.unwrap();
            started = Instant::now();
            migrator.run(&pool).await.unwrap();
        }
        Driver::SqlxMysql => {
            let pool = sqlx::MySqlPool::connect(target).await.unwrap();
            started = Instant::now();
            migrator.run(&pool).await.unwrap();
        }
        other => panic!("sqlx migrate has no {other:?} driver"),
    }
    if timed {
        report(started.elapsed(), 0);
    }
}

async fn tokio_postgres_client(url: &str) -> tokio_postgres::Client {
    let (client, connection) = tokio_postgres::connect(url, tokio_postgres::NoTls).await.unwrap();
    tokio::spawn(async move {
        let _ = connection.await;
    });
    client
}

/// switchy_schema the way the README says: `MIGRATIONS.run(&pool)` on the handle the
/// application holds (a sqlx pool, `Mutex<rusqlite::Connection>`, `tokio_postgres::Client`),
/// wrapped in a query counter. The handle is opened before the clock starts.
async fn switchy(
    driver: Driver,
    target: &str,
    migrations: &'static switchy_schema::Migrations,
    timed: bool,
    figure: Figure,
) {
    let count = AtomicUsize::new(0);
    let (elapsed, report_) = match driver {
        Driver::Rusqlite => {
            let db = Mutex::new(rusqlite::Connection::open(target).unwrap());
            timed_run(migrations, &db, &count).await
        }
        Driver::SqlxSqlite => {
            let db = sqlx::SqlitePool::connect(&sqlite_url(target)).await.unwrap();
            timed_run(migrations, &db, &count).await
        }
        Driver::SqlxPostgres => {
            let db = sqlx::PgPool::connect(target).await.unwrap();
            timed_run(migrations, &db, &count).await
        }
        Driver::SqlxMysql => {
            let db = sqlx::MySqlPool::connect(target).await.unwrap();
            timed_run(migrations, &db, &count).await
        }
        Driver::TokioPostgres => {
            let db = tokio_postgres_client(target).await;
            timed_run(migrations, &db, &count).await
        }
    };
    let expected = if figure == Figure::Noop && timed { 0 } else { migrations.len() };
    assert_eq!(report_.applied.len(), expected, "applied count");
    if timed {
        report(elapsed, count.load(Ordering::Relaxed));
    }
}

async fn timed_run(
    migrations: &'static switchy_schema::Migrations,
    db: &dyn Database,
    count: &AtomicUsize,
) -> (Duration, switchy_schema::RunReport) {
    let counting = Counting { inner: Box::new(db), count };
    let started = Instant::now();
    let report = migrations.run(&counting).await.expect("switchy run");
    (started.elapsed(), report)
}

// ---------------------------------------------------------------- query counter

/// Delegates to the wrapped handle and counts every statement sent (a `BEGIN`, a
/// `COMMIT` and a `ROLLBACK` count as one each).
struct Counting<'a> {
    inner: Box<dyn Database + 'a>,
    count: &'a AtomicUsize,
}

impl Counting<'_> {
    fn tick(&self) {
        self.count.fetch_add(1, Ordering::Relaxed);
    }
}

#[async_trait]
impl Database for Counting<'_> {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        self.tick();
        self.inner.exec_raw(sql).await
    }
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        self.tick();
        self.inner.execute(sql, params).await
    }
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        self.tick();
        self.inner.query(sql, params).await
    }
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        self.tick();
        let tx = self.inner.begin_transaction().await?;
        Ok(Box::new(CountingTx { inner: tx, count: self.count }))
    }
    async fn pinned(&self) -> Result<Box<dyn Database + '_>, DatabaseError> {
        let pinned = self.inner.pinned().await?;
        Ok(Box::new(Counting { inner: pinned, count: self.count }))
    }
    fn queue_cleanup(&self, sql: &str) -> bool {
        self.inner.queue_cleanup(sql)
    }
    fn may_have_other_connections(&self) -> bool {
        self.inner.may_have_other_connections()
    }
}

struct CountingTx<'a> {
    inner: Box<dyn DatabaseTransaction + 'a>,
    count: &'a AtomicUsize,
}

#[async_trait]
impl Database for CountingTx<'_> {
    fn dialect(&self) -> Dialect {
        self.inner.dialect()
    }
    async fn exec_raw(&self, sql: &str) -> Result<(), DatabaseError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.exec_raw(sql).await
    }
    async fn execute(&self, sql: &str, params: &[Value]) -> Result<u64, DatabaseError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.execute(sql, params).await
    }
    async fn query(&self, sql: &str, params: &[Value]) -> Result<Vec<Row>, DatabaseError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.query(sql, params).await
    }
    async fn begin_transaction(&self) -> Result<Box<dyn DatabaseTransaction + '_>, DatabaseError> {
        self.inner.begin_transaction().await
    }
    fn queue_cleanup(&self, sql: &str) -> bool {
        self.inner.queue_cleanup(sql)
    }
}

#[async_trait]
impl DatabaseTransaction for CountingTx<'_> {
    async fn commit(self: Box<Self>) -> Result<(), DatabaseError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.commit().await
    }
    async fn rollback(self: Box<Self>) -> Result<(), DatabaseError> {
        self.count.fetch_add(1, Ordering::Relaxed);
        self.inner.rollback().await
    }
}

// ---------------------------------------------------------------- parent

struct Sample {
    elapsed: Duration,
    process: Duration,
    rss_kib: i64,
    queries: usize,
}

/// Spawns `runtime-bench child <figure> <driver> <kind> <target>` and reaps it with
/// `wait4` for its own peak RSS.
fn spawn(figure: Figure, driver: Driver, kind: &str, target: &str) -> Sample {
    let exe = std::env::current_exe().unwrap();
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args(["child", figure.name(), driver.name(), kind, target])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn child");
    let mut out = String::new();
    child.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status = 0;
    // SAFETY: plain libc call with valid out-pointers; reaps our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    let process = started.elapsed();
    assert_eq!(reaped, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child {} {} {kind} failed",
        figure.name(),
        driver.name()
    );
    let field = |key: &str| -> u128 {
        out.split_whitespace()
            .find_map(|w| w.strip_prefix(key))
            .map_or(0, |v| v.parse().unwrap())
    };
    Sample {
        elapsed: Duration::from_nanos(u64::try_from(field("elapsed_ns=")).unwrap()),
        process,
        rss_kib: usage.ru_maxrss,
        queries: usize::try_from(field("queries=")).unwrap(),
    }
}

/// A throwaway target: a SQLite file path, or a fresh server database (URL).
struct Target {
    location: String,
    drop: Option<(Engine, String, String)>,
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

fn make_target(rt: &tokio::runtime::Runtime, figure: Figure, driver: Driver) -> Option<Target> {
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    let name = format!("switchy_rt_{}_{n}", std::process::id());
    match driver.engine() {
        Engine::Sqlite => {
            let dir = if figure == Figure::ApplyTmpfs {
                PathBuf::from("/dev/shm")
            } else {
                Path::new(env!("CARGO_MANIFEST_DIR")).join("target/dbs")
            };
            std::fs::create_dir_all(&dir).unwrap();
            let path = dir.join(format!("{name}.db"));
            Some(Target { location: path.to_string_lossy().into_owned(), drop: None })
        }
        engine => {
            if figure == Figure::ApplyTmpfs {
                return None;
            }
            let var = if engine == Engine::Postgres {
                "SWITCHY_TEST_POSTGRES_URL"
            } else {
                "SWITCHY_TEST_MYSQL_URL"
            };
            let admin = std::env::var(var).ok()?;
            let base = &admin[..admin.rfind('/').unwrap()];
            rt.block_on(admin_exec(engine, &admin, &format!("CREATE DATABASE {name}")));
            Some(Target { location: format!("{base}/{name}"), drop: Some((engine, admin, name)) })
        }
    }
}

async fn admin_exec(engine: Engine, admin: &str, sql: &str) {
    let sql = AssertSqlSafe(sql.to_owned());
    if engine == Engine::Postgres {
        let mut c = sqlx::PgConnection::connect(admin).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
        c.close().await.unwrap();
    } else {
        let mut c = sqlx::MySqlConnection::connect(admin).await.unwrap();
        sqlx::raw_sql(sql).execute(&mut c).await.unwrap();
        c.close().await.unwrap();
    }
}

fn remove_target(rt: &tokio::runtime::Runtime, target: Target) {
    match target.drop {
        None => {
            for suffix in ["", "-wal", "-shm", "-journal"] {
                let _ = std::fs::remove_file(format!("{}{suffix}", target.location));
            }
            // The runner's OS lock file beside the database, if any.
            let _ = std::fs::remove_file(format!("{}-switchy-{TRACKING}.lock", target.location));
        }
        Some((engine, admin, name)) => {
            let sql = if engine == Engine::Postgres {
                format!("DROP DATABASE {name} WITH (FORCE)")
            } else {
                format!("DROP DATABASE {name}")
            };
            rt.block_on(admin_exec(engine, &admin, &sql));
        }
    }
}

fn median<T: Copy + Ord>(mut v: Vec<T>) -> T {
    v.sort_unstable();
    v[v.len() / 2]
}

fn fmt_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 { format!("{ms:.3} ms") } else { format!("{ms:.1} ms") }
}

fn parent() {
    let rounds: usize = std::env::var("BENCH_ROUNDS").ok().and_then(|v| v.parse().ok()).unwrap_or(3).max(1);
    let only = env_list("BENCH_ONLY");
    let drivers_only = env_list("BENCH_DRIVERS");
    let figures: Vec<Figure> = Figure::ALL
        .into_iter()
        .filter(|f| only.as_ref().is_none_or(|o| o.iter().any(|x| x == f.name())))
        .collect();
    let drivers: Vec<Driver> = Driver::ALL
        .into_iter()
        .filter(|d| drivers_only.as_ref().is_none_or(|o| o.iter().any(|x| x == d.name())))
        .collect();
    for (var, what) in [("SWITCHY_TEST_POSTGRES_URL", "PostgreSQL"), ("SWITCHY_TEST_MYSQL_URL", "MySQL")] {
        if std::env::var(var).is_err() {
            eprintln!("{var} is not set: {what} drivers skipped");
        }
    }
    let peers_off = std::env::var("BENCH_PEERS").is_ok_and(|v| v == "0");
    let rt = runtime();
    let mut samples: BTreeMap<(Figure, Driver, &str), Vec<Sample>> = BTreeMap::new();
    for round in 0..rounds {
        eprintln!("round {}/{rounds}", round + 1);
        for &figure in &figures {
            // Interleaved: within a figure, floor and switchy alternate driver by driver.
            for &driver in &drivers {
                for kind in KINDS {
                    if kind == "sqlx-migrate"
                        && (!matches!(driver, Driver::SqlxSqlite | Driver::SqlxPostgres | Driver::SqlxMysql)
                            || peers_off)
                    {
                        continue;
                    }
                    let Some(target) = make_target(&rt, figure, driver) else { continue };
                    if figure == Figure::Noop {
                        let prepare = if kind == "sqlx-migrate" { "prepare-sqlx" } else { "prepare" };
                        spawn(figure, driver, prepare, &target.location);
                    }
                    let sample = spawn(figure, driver, kind, &target.location);
                    eprintln!(
                        "  {:<12} {:<15} {:<8} {:>12}  process {:>12}  rss {:>7} KiB  queries {}",
                        figure.name(),
                        driver.name(),
                        kind,
                        fmt_ms(sample.elapsed),
                        fmt_ms(sample.process),
                        sample.rss_kib,
                        sample.queries
                    );
                    samples.entry((figure, driver, kind)).or_default().push(sample);
                    remove_target(&rt, target);
                }
            }
        }
    }

    println!(
        "\n{} migrations (each CREATE TABLE + one INSERT); big: one up.sql of {:.1} MB; medians of {rounds} round(s)\n",
        APPLY.len(),
        BIG.iter().next().map_or(0, |m| m.up_sql(Dialect::Sqlite).map_or(0, str::len)) as f64 / 1e6
    );
    println!("| figure | driver | floor | switchy_schema | ratio | floor process | switchy process | floor peak RSS | switchy peak RSS | switchy queries | sqlx migrate | sqlx migrate ratio |");
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &figure in &figures {
        for &driver in &drivers {
            let (Some(floor), Some(ours)) =
                (samples.get(&(figure, driver, "floor")), samples.get(&(figure, driver, "switchy")))
            else {
                continue;
            };
            let stat = |s: &[Sample]| {
                (
                    median(s.iter().map(|x| x.elapsed).collect()),
                    median(s.iter().map(|x| x.process).collect()),
                    median(s.iter().map(|x| x.rss_kib).collect()),
                    median(s.iter().map(|x| x.queries).collect()),
                )
            };
            let (fe, fp, fr, _) = stat(floor);
            let (se, sp, sr, sq) = stat(ours);
            let location = match (figure, driver.engine()) {
                (Figure::ApplyTmpfs, _) => "apply, SQLite on tmpfs",
                (Figure::Apply, Engine::Sqlite) => "apply, SQLite file (ext4)",
                (Figure::Apply, _) => "apply, server",
                (Figure::Noop, _) => "no-op start-up, first call",
                (Figure::Big, _) => "one 10 MB up.sql",
            };
            let peer = samples.get(&(figure, driver, "sqlx-migrate")).map_or_else(
                || "– | –".to_owned(),
                |p| {
                    let pe = median(p.iter().map(|x| x.elapsed).collect());
                    format!("{} | {:.3}×", fmt_ms(pe), pe.as_secs_f64() / fe.as_secs_f64())
                },
            );
            println!(
                "| {location} | {} | {} | {} | {:.3}× | {} | {} | {:.1} MB | {:.1} MB | {sq} | {peer} |",
                driver.name(),
                fmt_ms(fe),
                fmt_ms(se),
                se.as_secs_f64() / fe.as_secs_f64(),
                fmt_ms(fp),
                fmt_ms(sp),
                fr as f64 / 1024.0,
                sr as f64 / 1024.0,
            );
        }
    }
}
