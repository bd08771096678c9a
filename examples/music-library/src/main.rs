//! `music-library <database.db>`: applies the three migration sets to a SQLite file (creating
//! it if needed) and prints their status. With `MUSIC_LIBRARY_BASELINE=1`, records every
//! migration as applied without running any.

use std::error::Error;

use music_library::{
    Outcome, catalog_runner, config_runner, library_runner, migrate_catalog, migrate_config,
    migrate_library,
};
use sqlx::sqlite::{SqliteConnectOptions, SqlitePool};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn Error>> {
    let Some(path) = std::env::args().nth(1) else {
        return Err("usage: music-library <database.db>".into());
    };
    let pool = SqlitePool::connect_with(
        SqliteConnectOptions::new()
            .filename(&path)
            .create_if_missing(true),
    )
    .await?;

    for (set, outcome) in [
        ("config", migrate_config(&pool).await?),
        ("library", migrate_library(&pool).await?),
        ("catalog", migrate_catalog(&pool).await?),
    ] {
        match outcome {
            Outcome::Applied(report) => {
                println!("{set}: applied {}", report.applied.len());
            }
            Outcome::Baselined(count) => println!("{set}: baselined {count}"),
        }
    }
    for (set, runner) in [
        ("config", config_runner()),
        ("library", library_runner()),
        ("catalog", catalog_runner()),
    ] {
        for info in runner.list_migrations(&pool).await? {
            let status = info.status.map_or("pending", |s| s.as_str());
            println!("{set} {} {status}", info.id);
        }
    }
    pool.close().await;
    Ok(())
}
