//! The parent side: builds the peers binary, spawns one child per measurement
//! (interleaved), reaps each with `wait4` for its peak RSS, and prints the tables.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use sqlx::{AssertSqlSafe, Connection as _};

use crate::{Driver, Engine, Figure, TRACKING, Tool, env_list, peers, rebuild, runtime, table};

/// One child's figures.
pub(crate) struct Sample {
    /// The timed call, as the child reports it.
    pub(crate) elapsed: Duration,
    /// The whole child process, spawn to reap.
    pub(crate) process: Duration,
    /// The child's peak resident set (`ru_maxrss`).
    pub(crate) rss_kib: i64,
    /// Statements sent, when the child counts them (floor and switchy_schema).
    pub(crate) queries: Option<usize>,
    /// MySQL apply only: the server's redo-log writes (`Innodb_log_writes`, one per flushed
    /// commit group) while the child ran.
    pub(crate) log_writes: Option<u64>,
}

/// All samples of a run, by figure, driver row and tool.
pub(crate) type Samples = BTreeMap<(Figure, Driver, Tool), Vec<Sample>>;

/// Spawns `<exe> child <figure> <driver> <kind> <target>` and reaps it with `wait4` for
/// its own peak RSS.
#[expect(
    clippy::zombie_processes,
    reason = "reaped with `wait4` below, which also returns its rusage"
)]
fn spawn(exe: &Path, figure: Figure, driver: &str, kind: &str, target: &str) -> Sample {
    let started = Instant::now();
    let mut child = Command::new(exe)
        .args(["child", figure.name(), driver, kind, target])
        .stdout(Stdio::piped())
        .spawn()
        .expect("spawn child");
    let mut out = String::new();
    child
        .stdout
        .take()
        .unwrap()
        .read_to_string(&mut out)
        .unwrap();
    let pid = libc::pid_t::try_from(child.id()).unwrap();
    let mut status = 0;
    // SAFETY: plain libc call with valid out-pointers; reaps our own child.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let reaped = unsafe { libc::wait4(pid, &raw mut status, 0, &raw mut usage) };
    let process = started.elapsed();
    assert_eq!(reaped, pid, "wait4");
    assert!(
        libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0,
        "child {} {driver} {kind} failed",
        figure.name(),
    );
    let field =
        |key: &str| -> Option<&str> { out.split_whitespace().find_map(|w| w.strip_prefix(key)) };
    let is_prepare = kind.starts_with("prepare");
    let elapsed = field("elapsed_ns=").map(|v| v.parse::<u64>().expect("elapsed_ns"));
    assert!(
        is_prepare || elapsed.is_some(),
        "child {} {driver} {kind} printed no elapsed_ns: {out:?}",
        figure.name()
    );
    Sample {
        elapsed: Duration::from_nanos(elapsed.unwrap_or(0)),
        process,
        rss_kib: usage.ru_maxrss,
        queries: field("queries=").and_then(|v| v.parse().ok()),
        log_writes: None,
    }
}

/// Brings the server to rest before a timed child: the previous child's dirty pages are
/// written out now, not by the server's background flushing while the next tool is being
/// timed. (Without this, on MariaDB the tool right after the 1,000-table floor run paid for
/// flushing the floor's tables: the floor always ran on a clean server and looked 1.5×
/// faster than the same statements right after it.) PostgreSQL: `CHECKPOINT`. MySQL: the
/// dirty-page limit at 0 until no page is dirty (at most 20 s), then the old limit back.
async fn settle(engine: Engine, admin: &str) {
    if engine == Engine::Postgres {
        let mut c = sqlx::PgConnection::connect(admin).await.unwrap();
        sqlx::raw_sql("CHECKPOINT").execute(&mut c).await.unwrap();
        c.close().await.unwrap();
        return;
    }
    let mut c = sqlx::MySqlConnection::connect(admin).await.unwrap();
    let (limit,): (f64,) = sqlx::query_as("SELECT @@GLOBAL.innodb_max_dirty_pages_pct")
        .fetch_one(&mut c)
        .await
        .unwrap();
    sqlx::raw_sql("SET GLOBAL innodb_max_dirty_pages_pct = 0")
        .execute(&mut c)
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        let (_, dirty): (String, String) =
            sqlx::query_as("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'")
                .fetch_one(&mut c)
                .await
                .unwrap();
        if dirty == "0" || Instant::now() > deadline {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    sqlx::query("SET GLOBAL innodb_max_dirty_pages_pct = ?")
        .bind(limit)
        .execute(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
}

/// The MySQL server's `Innodb_log_writes`: a global counter, read around a child; the
/// children run one at a time, so what it gains meanwhile is theirs (and the server's own
/// background work, small beside a thousand commits).
async fn innodb_log_writes(admin: &str) -> u64 {
    let mut c = sqlx::MySqlConnection::connect(admin).await.unwrap();
    let row: (String, String) = sqlx::query_as("SHOW GLOBAL STATUS LIKE 'Innodb_log_writes'")
        .fetch_one(&mut c)
        .await
        .unwrap();
    c.close().await.unwrap();
    row.1.parse().expect("Innodb_log_writes")
}

/// A throwaway target: a SQLite file path, or a fresh server database (URL).
struct Target {
    location: String,
    drop: Option<(Engine, String, String)>,
}

static SEQ: AtomicUsize = AtomicUsize::new(0);

fn make_target(rt: &tokio::runtime::Runtime, figure: Figure, driver: Driver) -> Option<Target> {
    let n = SEQ.fetch_add(1, Ordering::Relaxed);
    // Only digits and `_`: safe to splice into CREATE / DROP DATABASE.
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
            Some(Target {
                location: path.to_string_lossy().into_owned(),
                drop: None,
            })
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
            rt.block_on(admin_exec(
                engine,
                &admin,
                &format!("CREATE DATABASE {name}"),
            ));
            Some(Target {
                location: format!("{base}/{name}"),
                drop: Some((engine, admin, name)),
            })
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

pub(crate) fn parent() {
    let rounds: usize = std::env::var("BENCH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3)
        .max(1);
    let only = env_list("BENCH_ONLY");
    let wanted = |name: &str| only.as_ref().is_none_or(|o| o.iter().any(|x| x == name));
    let drivers_only = env_list("BENCH_DRIVERS");
    let figures: Vec<Figure> = Figure::ALL
        .into_iter()
        .filter(|f| wanted(f.name()))
        .collect();
    let drivers: Vec<Driver> = Driver::ALL
        .into_iter()
        .filter(|d| {
            drivers_only
                .as_ref()
                .is_none_or(|o| o.iter().any(|x| x == d.name()))
        })
        .collect();
    for (var, what) in [
        ("SWITCHY_TEST_POSTGRES_URL", "PostgreSQL"),
        ("SWITCHY_TEST_MYSQL_URL", "MySQL"),
    ] {
        if std::env::var(var).is_err() {
            eprintln!("{var} is not set: {what} drivers skipped");
        }
    }
    let peers_off = std::env::var("BENCH_PEERS").is_ok_and(|v| v == "0");
    // Built before the first child, so its compile time never overlaps a measurement.
    let peers_exe = if peers_off || figures.is_empty() {
        None
    } else {
        Some(peers::build())
    };
    let own_exe = std::env::current_exe().unwrap();
    let rt = runtime();
    let bench = Bench {
        rt: &rt,
        own_exe: &own_exe,
        peers_exe: peers_exe.as_deref(),
    };
    let noop_samples = noop_samples();
    let mut samples = Samples::new();
    for round in 0..rounds {
        eprintln!("round {}/{rounds}", round + 1);
        for &figure in &figures {
            // Interleaved: within a figure, the tools alternate driver by driver, and each
            // round starts the row with the next tool, so no tool always follows the same one.
            for &driver in &drivers {
                let tools: Vec<Tool> = Tool::ALL
                    .into_iter()
                    .filter(|tool| tool.measured(figure, driver) && !(tool.is_peer() && peers_off))
                    .collect();
                if figure.is_noop() {
                    bench.noop_row(figure, driver, &tools, round, noop_samples, &mut samples);
                    continue;
                }
                let mut tools = tools;
                let start = round % tools.len().max(1);
                tools.rotate_left(start);
                for tool in tools {
                    let Some(target) = make_target(&rt, figure, driver) else {
                        continue;
                    };
                    let sample = bench.timed(figure, driver, tool, &target);
                    samples
                        .entry((figure, driver, tool))
                        .or_default()
                        .push(sample);
                    remove_target(&rt, target);
                }
            }
        }
    }
    if !figures.is_empty() {
        table::print(&samples, &figures, &drivers, rounds, noop_samples);
    }
    if wanted("rebuild") {
        rebuild::run(rounds);
    }
}

/// Timed children of the no-op figures per tool and round (`BENCH_NOOP_SAMPLES`, default 7).
fn noop_samples() -> usize {
    std::env::var("BENCH_NOOP_SAMPLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(7)
        .max(1)
}

/// What spawning a child needs.
struct Bench<'a> {
    rt: &'a tokio::runtime::Runtime,
    own_exe: &'a Path,
    peers_exe: Option<&'a Path>,
}

impl Bench<'_> {
    /// The binary that runs `tool`, and the driver argument it takes.
    fn exe(&self, tool: Tool, driver: Driver) -> (&Path, &'static str) {
        match tool {
            Tool::Refinery | Tool::Diesel => (
                self.peers_exe.expect("peers binary"),
                driver.engine().name(),
            ),
            _ => (self.own_exe, driver.name()),
        }
    }

    /// Applies the migrations to `target` the way `tool` does, untimed.
    fn prepare(&self, figure: Figure, driver: Driver, tool: Tool, target: &Target) {
        let (exe, driver_arg) = self.exe(tool, driver);
        spawn(exe, figure, driver_arg, tool.prepare(), &target.location);
    }

    /// One timed child of `tool` on `target`, after settling its server; logged to stderr.
    fn timed(&self, figure: Figure, driver: Driver, tool: Tool, target: &Target) -> Sample {
        let (exe, driver_arg) = self.exe(tool, driver);
        let admin = match &target.drop {
            Some((Engine::Mysql, admin, _)) if figure == Figure::Apply => Some(admin.clone()),
            _ => None,
        };
        if let Some((engine, admin, _)) = &target.drop {
            self.rt.block_on(settle(*engine, admin));
        }
        let before = admin
            .as_deref()
            .map(|a| self.rt.block_on(innodb_log_writes(a)));
        let mut sample = spawn(exe, figure, driver_arg, tool.kind(), &target.location);
        if let (Some(admin), Some(before)) = (admin.as_deref(), before) {
            let after = self.rt.block_on(innodb_log_writes(admin));
            sample.log_writes = Some(after.saturating_sub(before));
        }
        eprintln!(
            "  {:<12} {:<15} {:<13} {:>12}  process {:>12}  rss {:>7} KiB  queries {}{}",
            figure.name(),
            driver.name(),
            tool.kind(),
            table::fmt_ms(sample.elapsed),
            table::fmt_ms(sample.process),
            sample.rss_kib,
            sample
                .queries
                .map_or_else(|| "-".to_owned(), |q| q.to_string()),
            sample
                .log_writes
                .map_or_else(String::new, |n| format!("  redo-log writes {n}")),
        );
        sample
    }

    /// A no-op row: one target per way of applying (the floors and switchy_schema share
    /// switchy_schema's), each prepared once, then `per_round` timed children of every tool,
    /// interleaved (each pass starts one tool later), all on those same targets: a no-op
    /// child changes nothing, so the tools are compared on the same databases and the
    /// round's preparation is paid once.
    fn noop_row(
        &self,
        figure: Figure,
        driver: Driver,
        tools: &[Tool],
        round: usize,
        per_round: usize,
        samples: &mut Samples,
    ) {
        let mut targets: Vec<(&'static str, Target)> = Vec::new();
        for &tool in tools {
            if targets.iter().any(|(kind, _)| *kind == tool.prepare()) {
                continue;
            }
            let Some(target) = make_target(self.rt, figure, driver) else {
                return;
            };
            self.prepare(figure, driver, tool, &target);
            targets.push((tool.prepare(), target));
        }
        for pass in 0..per_round {
            let mut order = tools.to_vec();
            let start = (round * per_round + pass) % order.len().max(1);
            order.rotate_left(start);
            for tool in order {
                let (_, target) = targets
                    .iter()
                    .find(|(kind, _)| *kind == tool.prepare())
                    .expect("prepared above");
                let sample = self.timed(figure, driver, tool, target);
                samples
                    .entry((figure, driver, tool))
                    .or_default()
                    .push(sample);
            }
        }
        for (_, target) in targets {
            remove_target(self.rt, target);
        }
    }
}
