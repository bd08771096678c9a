//! The markdown tables the parent prints: medians per figure, driver row and tool.

use std::time::Duration;

use switchy_schema::Dialect;

use crate::parent::{Sample, Samples};
use crate::{APPLY, BIG, Driver, Figure, Tool};

pub(crate) fn fmt_ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1e3;
    if ms < 10.0 {
        format!("{ms:.3} ms")
    } else {
        format!("{ms:.1} ms")
    }
}

fn fmt_mb(kib: i64) -> String {
    format!("{:.1} MB", kib as f64 / 1024.0)
}

fn median<T: Copy + Ord>(mut v: Vec<T>) -> T {
    v.sort_unstable();
    v[v.len() / 2]
}

/// The medians of one tool on one row.
#[derive(Clone, Copy)]
struct Stat {
    elapsed: Duration,
    process: Duration,
    rss_kib: i64,
    queries: Option<usize>,
}

fn stat(samples: &Samples, figure: Figure, driver: Driver, tool: Tool) -> Option<Stat> {
    let s: &[Sample] = samples.get(&(figure, driver, tool))?;
    Some(Stat {
        elapsed: median(s.iter().map(|x| x.elapsed).collect()),
        process: median(s.iter().map(|x| x.process).collect()),
        rss_kib: median(s.iter().map(|x| x.rss_kib).collect()),
        queries: median(s.iter().map(|x| x.queries).collect()),
    })
}

/// One markdown table row.
fn print_row<const N: usize>(cells: [String; N]) {
    println!("| {} |", cells.join(" | "));
}

fn ratio(of: Duration, to: Duration) -> String {
    format!("{:.3}×", of.as_secs_f64() / to.as_secs_f64())
}

pub(crate) fn print(
    samples: &Samples,
    figures: &[Figure],
    drivers: &[Driver],
    rounds: usize,
    noop_samples: usize,
) {
    println!(
        "\n{} migrations (each CREATE TABLE + one INSERT); big: one up.sql of {:.1} MB; medians of {rounds} round(s), of {rounds}×{noop_samples} children on the no-op figures\n",
        APPLY.len(),
        BIG.iter()
            .next()
            .map_or(0, |m| m.up_sql(Dialect::Sqlite).map_or(0, str::len)) as f64
            / 1e6
    );
    println!("### switchy_schema against the driver floor\n");
    println!(
        "| figure | driver | floor | switchy_schema | ratio | floor process | switchy process | floor peak RSS | switchy peak RSS | switchy queries |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
    for &figure in figures {
        for &driver in drivers {
            let (Some(f), Some(s)) = (
                stat(samples, figure, driver, Tool::Floor),
                stat(samples, figure, driver, Tool::Switchy),
            ) else {
                continue;
            };
            print_row([
                figure.label(driver.engine()).to_owned(),
                driver.name().to_owned(),
                fmt_ms(f.elapsed),
                fmt_ms(s.elapsed),
                ratio(s.elapsed, f.elapsed),
                fmt_ms(f.process),
                fmt_ms(s.process),
                fmt_mb(f.rss_kib),
                fmt_mb(s.rss_kib),
                s.queries.map_or_else(|| "-".to_owned(), |q| q.to_string()),
            ]);
        }
    }
    tracking_row_table(samples, figures, drivers);
    peers_table(
        samples,
        figures,
        drivers,
        "timed call (ratio to the floor of the row)",
        |s, f| format!("{} ({})", fmt_ms(s.elapsed), ratio(s.elapsed, f.elapsed)),
    );
    peers_table(
        samples,
        figures,
        drivers,
        "whole process, exec to exit",
        |s, _| fmt_ms(s.process),
    );
    peers_table(samples, figures, drivers, "peak RSS", |s, _| {
        fmt_mb(s.rss_kib)
    });
    rss_growth(samples, drivers);
    log_writes(samples, drivers);
}

/// The MySQL server's redo-log writes while each tool applied the migrations: commits the
/// server flushed, a count that does not depend on how fast the disk is today.
fn log_writes(samples: &Samples, drivers: &[Driver]) {
    if !drivers.contains(&Driver::SqlxMysql) {
        return;
    }
    let cells: Vec<Option<u64>> = Tool::ALL
        .iter()
        .map(|&tool| {
            let s = samples.get(&(Figure::Apply, Driver::SqlxMysql, tool))?;
            let counts: Option<Vec<u64>> = s.iter().map(|x| x.log_writes).collect();
            counts.map(median)
        })
        .collect();
    if cells.iter().all(Option::is_none) {
        return;
    }
    println!(
        "\n### MySQL redo-log writes while applying {} migrations (`Innodb_log_writes`)\n",
        APPLY.len()
    );
    let header: Vec<&str> = Tool::ALL.iter().map(|t| t.label()).collect();
    println!("| {} |", header.join(" | "));
    println!("|{}", "---:|".repeat(header.len()));
    let row: Vec<String> = cells
        .iter()
        .map(|c| c.map_or_else(|| "–".to_owned(), |n| n.to_string()))
        .collect();
    println!("| {} |", row.join(" | "));
}

/// The SQLite apply figures beside the floor that also writes a tracking row in each
/// migration's transaction: what the row itself costs on the driver, and what is left to
/// the runner.
fn tracking_row_table(samples: &Samples, figures: &[Figure], drivers: &[Driver]) {
    let rows: Vec<(Figure, Driver, [Stat; 3])> = figures
        .iter()
        .flat_map(|&figure| drivers.iter().map(move |&driver| (figure, driver)))
        .filter_map(|(figure, driver)| {
            let stats = [Tool::Floor, Tool::FloorTracked, Tool::Switchy]
                .map(|tool| stat(samples, figure, driver, tool));
            let [Some(floor), Some(tracked), Some(switchy)] = stats else {
                return None;
            };
            Some((figure, driver, [floor, tracked, switchy]))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    println!("\n### The tracking row's own cost (SQLite apply)\n");
    println!(
        "| figure | driver | floor | floor + tracking row | its ratio to the floor | switchy_schema | ratio to the floor | ratio to floor + tracking row |"
    );
    println!("|---|---|---:|---:|---:|---:|---:|---:|");
    for (figure, driver, [floor, tracked, switchy]) in rows {
        print_row([
            figure.label(driver.engine()).to_owned(),
            driver.name().to_owned(),
            fmt_ms(floor.elapsed),
            fmt_ms(tracked.elapsed),
            ratio(tracked.elapsed, floor.elapsed),
            fmt_ms(switchy.elapsed),
            ratio(switchy.elapsed, floor.elapsed),
            ratio(switchy.elapsed, tracked.elapsed),
        ]);
    }
}

/// One row per figure and driver that has a peer, one column per tool.
fn peers_table(
    samples: &Samples,
    figures: &[Figure],
    drivers: &[Driver],
    what: &str,
    cell: impl Fn(Stat, Stat) -> String,
) {
    println!("\n### Peers: {what}\n");
    let header: Vec<&str> = Tool::ALL.iter().map(|t| t.label()).collect();
    println!("| figure | driver row | {} |", header.join(" | "));
    println!("|---|---|{}", "---:|".repeat(header.len()));
    for &figure in figures {
        for &driver in drivers {
            let Some(floor) = stat(samples, figure, driver, Tool::Floor) else {
                continue;
            };
            let peers_here = Tool::ALL
                .iter()
                .any(|&t| t.is_peer() && samples.contains_key(&(figure, driver, t)));
            if !peers_here {
                continue;
            }
            let cells: Vec<String> = Tool::ALL
                .iter()
                .map(|&t| {
                    stat(samples, figure, driver, t)
                        .map_or_else(|| "–".to_owned(), |s| cell(s, floor))
                })
                .collect();
            println!(
                "| {} | {} | {} |",
                figure.label(driver.engine()),
                driver.name(),
                cells.join(" | ")
            );
        }
    }
}

/// Peak RSS of the no-op start-up with 1 applied (1 embedded) against 1,000 applied
/// (1,000 embedded): does it grow with the number of applied migrations?
fn rss_growth(samples: &Samples, drivers: &[Driver]) {
    let rows: Vec<(Driver, [Stat; 4])> = drivers
        .iter()
        .filter_map(|&d| {
            Some((
                d,
                [
                    stat(samples, Figure::NoopOne, d, Tool::Floor)?,
                    stat(samples, Figure::Noop, d, Tool::Floor)?,
                    stat(samples, Figure::NoopOne, d, Tool::Switchy)?,
                    stat(samples, Figure::Noop, d, Tool::Switchy)?,
                ],
            ))
        })
        .collect();
    if rows.is_empty() {
        return;
    }
    println!(
        "\n### Peak RSS of the no-op start-up: 1 applied against {} applied\n",
        APPLY.len()
    );
    println!(
        "| driver | floor, 1 | floor, {n} | floor growth | switchy_schema, 1 | switchy_schema, {n} | switchy growth | switchy growth beyond the floor's |",
        n = APPLY.len()
    );
    println!("|---|---:|---:|---:|---:|---:|---:|---:|");
    for (driver, [f1, fn_, s1, sn]) in rows {
        let floor_growth = fn_.rss_kib - f1.rss_kib;
        let ours = sn.rss_kib - s1.rss_kib;
        println!(
            "| {} | {} | {} | {:+} KiB | {} | {} | {:+} KiB | {:+} KiB |",
            driver.name(),
            fmt_mb(f1.rss_kib),
            fmt_mb(fn_.rss_kib),
            floor_growth,
            fmt_mb(s1.rss_kib),
            fmt_mb(sn.rss_kib),
            ours,
            ours - floor_growth,
        );
    }
}
