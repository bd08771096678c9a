//! Quickstart: apply the migrations in `examples/quickstart/migrations` to a SQLite file,
//! run again (a no-op), then list their status.
//!
//! Run with `cargo run -p switchy_schema_examples --bin quickstart`.

use std::error::Error;

use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};
use switchy_schema::Migrations;

/// The migrations folder, embedded at compile time (the path is relative to this crate).
static MIGRATIONS: Migrations = switchy_schema::embed_migrations!("quickstart/migrations");

#[tokio::main]
async fn main() -> Result<(), Box<dyn Error>> {
    let folder = std::env::temp_dir().join(format!("switchy-quickstart-{}", std::process::id()));
    std::fs::create_dir_all(&folder)?;
    let file = folder.join("app.db");
    let pool = SqlitePool::connect_with(
        SqliteConnectOptions::new()
            .filename(&file)
            .create_if_missing(true),
    )
    .await?;

    let runner = MIGRATIONS.runner();

    println!("database: {}", file.display());
    let report = runner.run(&pool).await?;
    println!("first run: applied {} migration(s)", report.applied.len());
    for applied in &report.applied {
        println!("  applied {} in {:?}", applied.id, applied.duration);
    }

    let report = runner.run(&pool).await?;
    println!(
        "second run: applied {}, already applied {} (a no-op, in {:?})",
        report.applied.len(),
        report.skipped.len(),
        report.total
    );

    println!("status:");
    for info in runner.list_migrations(&pool).await? {
        let status = info.status.map_or("pending", |s| s.as_str());
        println!(
            "  {:<40} {:<11} {}",
            info.id,
            status,
            info.finished_on.as_deref().unwrap_or("-")
        );
    }

    pool.close().await;
    std::fs::remove_dir_all(&folder)?;
    Ok(())
}
