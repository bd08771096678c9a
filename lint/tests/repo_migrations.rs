//! The linter over every SQL file of the repository's migration folders and fixtures: it
//! never panics, and on the music-library example it reports exactly what is listed here.

use std::path::{Path, PathBuf};

use switchy_schema_lint::{Dialect, lint_sql};

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("the crate sits in the workspace")
        .to_path_buf()
}

/// Every `.sql` file of the repository: the ones git tracks when `dir` is a git checkout
/// (build outputs such as the benchmarks' generated 10 MB migrations are not the
/// repository's), else every one under `dir` outside build output and dot folders.
fn sql_files(dir: &Path) -> Vec<PathBuf> {
    let tracked = std::process::Command::new("git")
        .args(["ls-files", "-z", "--", "*.sql"])
        .current_dir(dir)
        .output()
        .ok()
        .filter(|output| output.status.success() && !output.stdout.is_empty());
    if let Some(output) = tracked {
        let mut files: Vec<PathBuf> = output
            .stdout
            .split(|&byte| byte == 0)
            .filter(|name| !name.is_empty())
            .map(|name| dir.join(String::from_utf8_lossy(name).as_ref()))
            .collect();
        files.sort();
        return files;
    }
    walk_sql_files(dir)
}

fn walk_sql_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(dir) = pending.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') || name == "target" || name == "generated" {
                continue;
            }
            if path.is_dir() {
                pending.push(path);
            } else if name.ends_with(".sql") {
                files.push(path);
            }
        }
    }
    files.sort();
    files
}

/// The dialects a migration file runs on: its suffix's (`up.postgres.sql`), or, for a base
/// file (`up.sql`), every dialect without an override next to it.
fn dialects_of(path: &Path) -> Vec<Dialect> {
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let stem = name.trim_end_matches(".sql");
    match stem.split_once('.') {
        Some((_, suffix)) => Dialect::from_suffix(suffix).into_iter().collect(),
        None => Dialect::ALL
            .into_iter()
            .filter(|dialect| {
                !path
                    .with_file_name(format!("{stem}.{}.sql", dialect.suffix()))
                    .exists()
            })
            .collect(),
    }
}

/// `folder/file dialect line rule` for every finding in the SQL files under `dir`.
fn lint_folder(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    for path in sql_files(dir) {
        let sql = std::fs::read_to_string(&path).expect("SQL files are UTF-8");
        let relative = path
            .strip_prefix(dir)
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        for dialect in dialects_of(&path) {
            for finding in lint_sql(&sql, dialect) {
                out.push(format!(
                    "{relative} {} {} {}",
                    dialect.suffix(),
                    finding.line,
                    finding.rule
                ));
            }
        }
    }
    out
}

#[test]
fn every_sql_file_in_the_repository_lints_without_panicking() {
    let root = workspace_root();
    let files = sql_files(&root);
    assert!(files.len() >= 100, "found only {} SQL files", files.len());
    for path in files {
        // Fixtures include files that are not UTF-8 on purpose.
        let Ok(sql) = std::fs::read_to_string(&path) else {
            continue;
        };
        for dialect in Dialect::ALL {
            for finding in lint_sql(&sql, dialect) {
                assert!(finding.line >= 1, "{}: {finding:?}", path.display());
                assert!(
                    finding.line <= sql.lines().count().max(1),
                    "{}: {finding:?}",
                    path.display()
                );
                assert!(!finding.message.is_empty() && !finding.message.contains('\n'));
                assert!(!finding.statement.contains('\n'));
            }
        }
    }
}

#[test]
fn music_library_findings_are_exactly_these() {
    let migrations = workspace_root().join("examples/music-library/migrations");
    let expected: Vec<String> = EXPECTED_MUSIC_LIBRARY
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with("//"))
        .map(str::to_owned)
        .collect();
    assert_eq!(lint_folder(&migrations), expected);
}

/// What the linter reports on examples/music-library/migrations: `file dialect line rule`.
/// Not reported: CREATE TABLE, CREATE INDEX on a table the same file creates, INSERT, the
/// CREATE INDEX of tracks_title (its PostgreSQL override builds it CONCURRENTLY), views.
const EXPECTED_MUSIC_LIBRARY: &str = "
// Every down.sql that undoes a CREATE TABLE drops it, on every dialect.
config/2024-05-01-090000_create_profiles/down.sql sqlite 1 drop-table
config/2024-05-01-090000_create_profiles/down.sql postgres 1 drop-table
config/2024-05-01-090000_create_profiles/down.sql mysql 1 drop-table
config/2024-05-01-090100_create_settings/down.sql sqlite 1 drop-table
config/2024-05-01-090100_create_settings/down.sql postgres 1 drop-table
config/2024-05-01-090100_create_settings/down.sql mysql 1 drop-table
config/2024-05-01-090200_create_scan_locations/down.sql sqlite 1 drop-table
config/2024-05-01-090200_create_scan_locations/down.sql postgres 1 drop-table
config/2024-05-01-090200_create_scan_locations/down.sql mysql 1 drop-table
library/2024-05-02-100000_create_artists/down.sql sqlite 1 drop-table
library/2024-05-02-100000_create_artists/down.sql postgres 1 drop-table
library/2024-05-02-100000_create_artists/down.sql mysql 1 drop-table
library/2024-05-02-100100_create_albums/down.sql sqlite 1 drop-table
library/2024-05-02-100100_create_albums/down.sql postgres 1 drop-table
library/2024-05-02-100100_create_albums/down.sql mysql 1 drop-table
library/2024-05-02-100200_create_tracks/down.sql sqlite 1 drop-table
library/2024-05-02-100200_create_tracks/down.sql postgres 1 drop-table
library/2024-05-02-100200_create_tracks/down.sql mysql 1 drop-table
library/2024-05-02-100300_create_sessions/down.sql sqlite 1 drop-table
library/2024-05-02-100300_create_sessions/down.sql postgres 1 drop-table
library/2024-05-02-100300_create_sessions/down.sql mysql 1 drop-table
library/2024-05-02-100400_create_session_playlist_tracks/down.sql sqlite 1 drop-table
library/2024-05-02-100400_create_session_playlist_tracks/down.sql postgres 1 drop-table
library/2024-05-02-100400_create_session_playlist_tracks/down.sql mysql 1 drop-table
// Dropping a column; SQLite also rewrites the table to do it.
library/2024-06-10-120000_add_artists_sort_name/down.sql sqlite 1 drop-column
library/2024-06-10-120000_add_artists_sort_name/down.sql sqlite 1 table-rewrite
library/2024-06-10-120000_add_artists_sort_name/down.sql postgres 1 drop-column
library/2024-06-10-120000_add_artists_sort_name/down.sql mysql 1 drop-column
// The backfill of the new column updates every row in one transaction.
library/2024-06-10-120000_add_artists_sort_name/up.sql sqlite 2 update-without-where
library/2024-06-10-120000_add_artists_sort_name/up.sql postgres 2 update-without-where
library/2024-06-10-120000_add_artists_sort_name/up.sql mysql 2 update-without-where
library/2024-07-01-080000_move_album_artwork/down.sql sqlite 2 update-without-where
library/2024-07-01-080000_move_album_artwork/down.sql sqlite 3 drop-table
library/2024-07-01-080000_move_album_artwork/down.sql postgres 2 update-without-where
library/2024-07-01-080000_move_album_artwork/down.sql postgres 3 drop-table
library/2024-07-01-080000_move_album_artwork/down.sql mysql 2 update-without-where
library/2024-07-01-080000_move_album_artwork/down.sql mysql 3 drop-table
// The artwork column is dropped after its values moved (CREATE TABLE album_artwork
// is new in the file, so nothing about it is flagged).
library/2024-07-01-080000_move_album_artwork/up.postgres.sql postgres 10 drop-column
library/2024-07-01-080000_move_album_artwork/up.sql sqlite 10 drop-column
library/2024-07-01-080000_move_album_artwork/up.sql sqlite 10 table-rewrite
library/2024-07-01-080000_move_album_artwork/up.sql mysql 10 drop-column
// The create-copy-drop-rename rebuild is one table-rewrite on the DROP TABLE (the
// down.postgres.sql override only drops a constraint: nothing to report).
library/2024-07-15-090000_playlist_tracks_primary_key/down.sql sqlite 8 table-rewrite
library/2024-07-15-090000_playlist_tracks_primary_key/down.sql mysql 8 table-rewrite
// ADD CONSTRAINT ... PRIMARY KEY builds its index under an ACCESS EXCLUSIVE lock.
library/2024-07-15-090000_playlist_tracks_primary_key/up.postgres.sql postgres 1 unique-constraint-without-index
library/2024-07-15-090000_playlist_tracks_primary_key/up.sql sqlite 12 table-rewrite
library/2024-07-15-090000_playlist_tracks_primary_key/up.sql mysql 12 table-rewrite
// Backfill, then drop the old column, both ways.
library/2024-09-01-100000_tracks_duration_ms/down.sql sqlite 2 update-without-where
library/2024-09-01-100000_tracks_duration_ms/down.sql sqlite 3 drop-column
library/2024-09-01-100000_tracks_duration_ms/down.sql sqlite 3 table-rewrite
library/2024-09-01-100000_tracks_duration_ms/down.sql postgres 2 update-without-where
library/2024-09-01-100000_tracks_duration_ms/down.sql postgres 3 drop-column
library/2024-09-01-100000_tracks_duration_ms/down.sql mysql 2 update-without-where
library/2024-09-01-100000_tracks_duration_ms/down.sql mysql 3 drop-column
library/2024-09-01-100000_tracks_duration_ms/up.sql sqlite 3 update-without-where
library/2024-09-01-100000_tracks_duration_ms/up.sql sqlite 4 drop-column
library/2024-09-01-100000_tracks_duration_ms/up.sql sqlite 4 table-rewrite
library/2024-09-01-100000_tracks_duration_ms/up.sql postgres 3 update-without-where
library/2024-09-01-100000_tracks_duration_ms/up.sql postgres 4 drop-column
library/2024-09-01-100000_tracks_duration_ms/up.sql mysql 3 update-without-where
library/2024-09-01-100000_tracks_duration_ms/up.sql mysql 4 drop-column
";
