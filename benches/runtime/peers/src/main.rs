//! The refinery and diesel_migrations peers of issue 9's runtime harness. The harness
//! (`benches/runtime`, `runtime-bench`) builds this binary and spawns it once per
//! measurement, with the same protocol as its own children:
//!
//! ```text
//! runtime-bench-peers child <figure> <engine> <kind> <target>
//! ```
//!
//! `figure`: `apply`, `apply-tmpfs` (the same code; the target is on tmpfs), `noop`, `big`.
//! `engine`: `sqlite`, `postgres`, `mysql`. `kind`: `refinery` or `diesel` (timed, prints
//! `elapsed_ns=<n> queries=-`), `prepare-refinery` / `prepare-diesel` (applies the 1,000 with
//! that tool, the set-up of `noop`; prints nothing). `target`: a SQLite file path or a
//! server URL. The connection is opened before the clock starts; each tool then runs the
//! way its README shows, on one connection (refinery's `mysql_async` driver takes a `Pool`,
//! which serves its statements from one connection at a time).

use std::time::{Duration, Instant};

use diesel::Connection as _;
use diesel_migrations::EmbeddedMigrations;

/// The 1,000 migrations in refinery's layout (`V{n}__bench.sql`, from `build.rs`).
mod refinery_apply {
    refinery::embed_migrations!("generated/refinery");
}

/// The one ~10 MB migration in refinery's layout.
mod refinery_big {
    refinery::embed_migrations!("generated/refinery-big");
}

/// The 1,000 migrations in diesel's layout (`{n:05}_bench/up.sql` + `down.sql`).
const DIESEL_APPLY: EmbeddedMigrations = diesel_migrations::embed_migrations!("generated/diesel");
/// The one ~10 MB migration in diesel's layout.
const DIESEL_BIG: EmbeddedMigrations = diesel_migrations::embed_migrations!("generated/diesel-big");

/// How many migrations the apply set holds (checked against what each tool reports).
const COUNT: usize = 1000;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Engine {
    Sqlite,
    Postgres,
    Mysql,
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, child, figure, engine, kind, target] = args.as_slice() else {
        eprintln!("usage: runtime-bench-peers child <figure> <engine> <kind> <target>");
        std::process::exit(2);
    };
    assert_eq!(child, "child", "the first argument is `child`");
    let engine = match engine.as_str() {
        "sqlite" => Engine::Sqlite,
        "postgres" => Engine::Postgres,
        "mysql" => Engine::Mysql,
        other => panic!("unknown engine {other}"),
    };
    let big = match figure.as_str() {
        "big" => true,
        "apply" | "apply-tmpfs" | "noop" => false,
        other => panic!("unknown figure {other}"),
    };
    // What the timed call must report as applied: nothing on a no-op start-up.
    let expected = match (figure.as_str(), kind.as_str()) {
        ("noop", "refinery" | "diesel") => 0,
        _ if big => 1,
        _ => COUNT,
    };
    let (elapsed, applied) = match kind.as_str() {
        "refinery" | "prepare-refinery" => refinery(engine, target, big),
        "diesel" | "prepare-diesel" => diesel(engine, target, big),
        other => panic!("unknown kind {other}"),
    };
    assert_eq!(
        applied, expected,
        "{kind} applied {applied} migrations, expected {expected}"
    );
    if !kind.starts_with("prepare") {
        println!("elapsed_ns={} queries=-", elapsed.as_nanos());
    }
}

/// refinery's README way: `embedded::migrations::runner().run(&mut conn)` (synchronous
/// drivers) or `.run_async(&mut client)` (asynchronous ones). Returns the time of that call
/// (`runner()` included) and how many migrations it applied.
fn refinery(engine: Engine, target: &str, big: bool) -> (Duration, usize) {
    // Built inside the timed region: `runner()` copies and checksums the embedded text,
    // and the README's call includes it.
    let runner = || {
        if big {
            refinery_big::migrations::runner()
        } else {
            refinery_apply::migrations::runner()
        }
    };
    let (elapsed, report) = match engine {
        Engine::Sqlite => {
            let mut conn = rusqlite::Connection::open(target).expect("open the SQLite file");
            let started = Instant::now();
            let report = runner().run(&mut conn).expect("refinery run");
            (started.elapsed(), report)
        }
        Engine::Postgres => runtime().block_on(async {
            let (mut client, connection) = tokio_postgres::connect(target, tokio_postgres::NoTls)
                .await
                .expect("connect to PostgreSQL");
            tokio::spawn(async move {
                let _ = connection.await;
            });
            let started = Instant::now();
            let report = runner().run_async(&mut client).await.expect("refinery run");
            (started.elapsed(), report)
        }),
        Engine::Mysql => runtime().block_on(async {
            let mut pool = mysql_async::Pool::new(target);
            // Open the connection before the clock starts; the pool keeps it for the run.
            drop(pool.get_conn().await.expect("connect to MySQL"));
            let started = Instant::now();
            let report = runner().run_async(&mut pool).await.expect("refinery run");
            let elapsed = started.elapsed();
            pool.disconnect().await.expect("disconnect from MySQL");
            (elapsed, report)
        }),
    };
    (elapsed, report.applied_migrations().len())
}

/// diesel's README way: `conn.run_pending_migrations(MIGRATIONS)` on its own connection
/// type. Returns the time of that call and how many migrations it applied.
fn diesel(engine: Engine, target: &str, big: bool) -> (Duration, usize) {
    let migrations = if big { DIESEL_BIG } else { DIESEL_APPLY };
    match engine {
        Engine::Sqlite => {
            let mut conn =
                diesel::SqliteConnection::establish(target).expect("open the SQLite file");
            run_diesel(&mut conn, migrations)
        }
        Engine::Postgres => {
            let mut conn = diesel::PgConnection::establish(target).expect("connect to PostgreSQL");
            run_diesel(&mut conn, migrations)
        }
        Engine::Mysql => {
            let mut conn = diesel::MysqlConnection::establish(target).expect("connect to MySQL");
            run_diesel(&mut conn, migrations)
        }
    }
}

fn run_diesel<C>(conn: &mut C, migrations: EmbeddedMigrations) -> (Duration, usize)
where
    C: diesel_migrations::MigrationHarness<C::Backend> + diesel::Connection,
{
    let started = Instant::now();
    let applied = conn
        .run_pending_migrations(migrations)
        .expect("diesel run_pending_migrations")
        .len();
    (started.elapsed(), applied)
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
}
