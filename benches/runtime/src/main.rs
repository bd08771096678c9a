//! Issue 9's runtime harness. `cargo run --release` (see README.md).
//!
//! The parent process spawns itself once per measurement (`runtime-bench child ...`), and
//! the peers binary (`peers/`, refinery and diesel_migrations) the same way, interleaving
//! tools within each round, and prints markdown tables of medians. Each child does exactly
//! one thing, prints `elapsed_ns=<n> queries=<n or ->` and exits; the parent also times the
//! whole child process and reads its peak RSS with `wait4`.

mod child;
mod counting;
mod parent;
mod peers;
mod rebuild;
mod table;
mod tracked_floor;

static APPLY: switchy_schema::Migrations = switchy_schema::embed_migrations!("generated/apply");
/// The first migration of `APPLY` alone: the no-op start-up with 1 applied, for peak RSS.
static ONE: switchy_schema::Migrations = switchy_schema::embed_migrations!("generated/one");
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

impl Engine {
    /// The engine argument of the peers binary.
    fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
            Engine::Mysql => "mysql",
        }
    }
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
    /// First runner call in a fresh process, 1 applied (`ONE`): the peak-RSS baseline of
    /// `Noop` (floor and switchy_schema only).
    NoopOne,
    /// One ~10 MB up.sql (80,000 INSERTs).
    Big,
}

impl Figure {
    const ALL: [Figure; 5] = [
        Figure::Apply,
        Figure::ApplyTmpfs,
        Figure::Noop,
        Figure::NoopOne,
        Figure::Big,
    ];
    fn name(self) -> &'static str {
        match self {
            Figure::Apply => "apply",
            Figure::ApplyTmpfs => "apply-tmpfs",
            Figure::Noop => "noop",
            Figure::NoopOne => "noop-1",
            Figure::Big => "big",
        }
    }
    fn parse(s: &str) -> Figure {
        *Figure::ALL.iter().find(|f| f.name() == s).expect("figure")
    }
    /// The switchy_schema set this figure applies (or finds applied).
    fn migrations(self) -> &'static switchy_schema::Migrations {
        match self {
            Figure::Big => &BIG,
            Figure::NoopOne => &ONE,
            Figure::Apply | Figure::ApplyTmpfs | Figure::Noop => &APPLY,
        }
    }
    fn is_noop(self) -> bool {
        matches!(self, Figure::Noop | Figure::NoopOne)
    }
    /// The row label in the tables.
    fn label(self, engine: Engine) -> &'static str {
        match (self, engine) {
            (Figure::ApplyTmpfs, _) => "apply, SQLite on tmpfs",
            (Figure::Apply, Engine::Sqlite) => "apply, SQLite file (ext4)",
            (Figure::Apply, _) => "apply, server",
            (Figure::Noop, _) => "no-op start-up, first call",
            (Figure::NoopOne, _) => "no-op start-up, 1 applied",
            (Figure::Big, _) => "one 10 MB up.sql",
        }
    }
}

/// Who runs the migrations in a child.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Tool {
    /// The driver alone, no switchy code.
    Floor,
    /// The driver alone plus the `INSERT` of a tracking row in each migration's transaction
    /// (SQLite apply figures only; `tracked_floor.rs`).
    FloorTracked,
    /// switchy_schema's runner, the README's way.
    Switchy,
    /// `sqlx::migrate!` + `Migrator::run(&pool)` (sqlx drivers only).
    SqlxMigrate,
    /// refinery 0.10 (peers binary), on the row of its engine's host driver.
    Refinery,
    /// diesel_migrations 2.3 (peers binary), on the row of its engine's host driver.
    Diesel,
}

impl Tool {
    const ALL: [Tool; 6] = [
        Tool::Floor,
        Tool::FloorTracked,
        Tool::Switchy,
        Tool::SqlxMigrate,
        Tool::Refinery,
        Tool::Diesel,
    ];
    /// The child's `kind` argument.
    fn kind(self) -> &'static str {
        match self {
            Tool::Floor => "floor",
            Tool::FloorTracked => "floor-tracked",
            Tool::Switchy => "switchy",
            Tool::SqlxMigrate => "sqlx-migrate",
            Tool::Refinery => "refinery",
            Tool::Diesel => "diesel",
        }
    }
    /// The `kind` that applies the 1,000 before a no-op child (the floor reads
    /// switchy_schema's tracking table, so switchy_schema prepares it).
    fn prepare(self) -> &'static str {
        match self {
            Tool::Floor | Tool::FloorTracked | Tool::Switchy => "prepare",
            Tool::SqlxMigrate => "prepare-sqlx",
            Tool::Refinery => "prepare-refinery",
            Tool::Diesel => "prepare-diesel",
        }
    }
    fn label(self) -> &'static str {
        match self {
            Tool::Floor => "floor",
            Tool::FloorTracked => "floor + tracking row",
            Tool::Switchy => "switchy_schema",
            Tool::SqlxMigrate => "sqlx migrate",
            Tool::Refinery => "refinery",
            Tool::Diesel => "diesel_migrations",
        }
    }
    fn is_peer(self) -> bool {
        matches!(self, Tool::SqlxMigrate | Tool::Refinery | Tool::Diesel)
    }
    /// Whether this tool is measured on `driver`'s row of `figure`. refinery and diesel
    /// bring their own drivers; their figures sit on the row of the driver closest to
    /// theirs: rusqlite (both call libsqlite3 synchronously), tokio-postgres, sqlx-mysql
    /// (the only MySQL row).
    fn measured(self, figure: Figure, driver: Driver) -> bool {
        let host = matches!(
            driver,
            Driver::Rusqlite | Driver::TokioPostgres | Driver::SqlxMysql
        );
        match self {
            Tool::Floor | Tool::Switchy => true,
            Tool::FloorTracked => {
                matches!(figure, Figure::Apply | Figure::ApplyTmpfs)
                    && driver.engine() == Engine::Sqlite
            }
            _ if figure == Figure::NoopOne => false,
            Tool::SqlxMigrate => matches!(
                driver,
                Driver::SqlxSqlite | Driver::SqlxPostgres | Driver::SqlxMysql
            ),
            Tool::Refinery | Tool::Diesel => host,
        }
    }
}

fn env_list(name: &str) -> Option<Vec<String>> {
    std::env::var(name)
        .ok()
        .filter(|v| !v.trim().is_empty())
        .map(|v| v.split(',').map(|s| s.trim().to_owned()).collect())
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("runtime")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("child") {
        child::child(&args[2], &args[3], &args[4], &args[5]);
        return;
    }
    parent::parent();
}
