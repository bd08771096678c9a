//! `create`: a new migration folder whose id follows the folder's existing ids, checked
//! against the folder grammar before anything is written.

use std::path::{Path, PathBuf};

use switchy_schema::Error;
use switchy_schema::directory::DirectorySource;

use crate::args::CreateArgs;
use crate::context::Context;
use crate::error::{CliError, Exit};
use crate::timestamp::Utc;

/// How the folder's versions look, so that a new id sorts after them in the same shape.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Shape {
    /// `2024-01-05-135538` (diesel's and switchy_schema 0.4's; the default).
    DashedTimestamp,
    /// `20240105135538` (sqlx's).
    CompactTimestamp,
    /// `0001`, `0002`, ...: the next number, zero-padded to the width.
    Sequential { width: usize, next: u64 },
}

/// The version part of an id: its leading digits, `-` and `_`, up to the `_` before the name.
fn version_of(id: &str) -> &str {
    let end = id
        .find(|c: char| !(c.is_ascii_digit() || c == '-' || c == '_'))
        .unwrap_or(id.len());
    id[..end].trim_end_matches(['_', '-'])
}

fn shape_of(ids: &[String]) -> Shape {
    let Some(last) = ids.iter().max() else {
        return Shape::DashedTimestamp;
    };
    let version = version_of(last);
    let pattern: String = version
        .chars()
        .map(|c| if c.is_ascii_digit() { 'D' } else { c })
        .collect();
    match pattern.as_str() {
        "DDDD-DD-DD-DDDDDD" => Shape::DashedTimestamp,
        "DDDDDDDDDDDDDD" => Shape::CompactTimestamp,
        digits if !digits.is_empty() && digits.chars().all(|c| c == 'D') => Shape::Sequential {
            width: version.len(),
            next: version.parse::<u64>().map_or(1, |n| n.saturating_add(1)),
        },
        _ => Shape::DashedTimestamp,
    }
}

fn new_version(shape: &Shape, now: Utc) -> String {
    let Utc {
        year,
        month,
        day,
        hour,
        minute,
        second,
    } = now;
    match shape {
        Shape::DashedTimestamp => {
            format!("{year:04}-{month:02}-{day:02}-{hour:02}{minute:02}{second:02}")
        }
        Shape::CompactTimestamp => {
            format!("{year:04}{month:02}{day:02}{hour:02}{minute:02}{second:02}")
        }
        Shape::Sequential { width, next } => format!("{next:0width$}"),
    }
}

/// The version for `now`, or, when the folder already has it or a later one (two `create`s
/// in one second, a clock behind), the first later second that sorts after every id.
fn free_version(existing: &[String], shape: &Shape, now: i64) -> String {
    let latest = existing
        .iter()
        .map(|id| version_of(id))
        .max()
        .unwrap_or_default();
    let mut second = now;
    loop {
        let version = new_version(shape, Utc::from_unix(second));
        if matches!(shape, Shape::Sequential { .. }) || version.as_str() > latest {
            return version;
        }
        second += 1;
        if second - now > 366 * 86_400 {
            // A folder dated more than a year ahead: keep the clock's version; the grammar
            // check below reports any clash.
            return new_version(shape, Utc::from_unix(now));
        }
    }
}

/// The ids of the folder's migrations (its subfolders, dotfolders aside).
fn existing_ids(dir: &Path) -> Result<Vec<String>, CliError> {
    if !dir.exists() {
        return Ok(Vec::new());
    }
    let entries = std::fs::read_dir(dir)
        .map_err(|e| CliError::io(format!("reading {}", dir.display()), &e))?;
    let mut ids = Vec::new();
    for entry in entries.flatten() {
        if entry.path().is_dir()
            && let Some(name) = entry.file_name().to_str()
            && !name.starts_with('.')
        {
            ids.push(name.to_owned());
        }
    }
    Ok(ids)
}

/// Checks `id` against the grammar, beside the existing ids, on an empty copy of the folder
/// (so the check is the grammar's own, and nothing is written when it fails).
fn check_with_grammar(existing: &[String], id: &str) -> Result<(), CliError> {
    let scratch = std::env::temp_dir().join(format!(
        "switchy-migrate-create-{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos())
    ));
    let result = (|| {
        for name in existing.iter().map(String::as_str).chain([id]) {
            let folder = scratch.join(name);
            std::fs::create_dir_all(&folder)
                .map_err(|e| CliError::io("checking the new id", &e))?;
            std::fs::write(folder.join("up.sql"), "")
                .map_err(|e| CliError::io("checking the new id", &e))?;
        }
        match DirectorySource::new(&scratch).load() {
            Ok(_) => Ok(()),
            Err(Error::InvalidFolder(violations)) => {
                let about_new: Vec<String> = violations
                    .iter()
                    .filter(|v| v.path.to_string_lossy().contains(id) || v.rule.contains(id))
                    .map(|v| {
                        let text = v.to_string();
                        text.replace(&format!("{}/", scratch.display()), "")
                            .replace(&scratch.display().to_string(), "")
                    })
                    .collect();
                if about_new.is_empty() {
                    Ok(())
                } else {
                    Err(CliError::usage(format!(
                        "the migration id `{id}` breaks the folder grammar; choose another name"
                    ))
                    .caused_by(about_new.join("; ")))
                }
            }
            Err(other) => Err(CliError::library("checking the new id", other)),
        }
    })();
    let _ = std::fs::remove_dir_all(&scratch);
    result
}

pub(crate) fn run(context: &Context, args: &CreateArgs) -> Result<Exit, CliError> {
    let name = args.name.trim();
    if name.is_empty() || name.contains(['/', '\\']) || name.starts_with('.') {
        return Err(CliError::usage(format!(
            "`{}` cannot be a migration name; use letters, digits, `_` and `-`",
            args.name
        )));
    }
    let dir = &context.global.migrations_dir;
    let existing = existing_ids(dir)?;
    let version = free_version(&existing, &shape_of(&existing), Utc::now_unix());
    let id = format!("{version}_{name}");
    check_with_grammar(&existing, &id)?;
    let folder = dir.join(&id);
    let written = write_files(&folder, name, args)
        .map_err(|e| CliError::io(format!("writing {}", folder.display()), &e))?;
    let out = &context.out;
    out.info(&format!("Created migration {id}"));
    for path in written {
        out.info(&format!("  {}", path.display()));
    }
    Ok(Exit::Ok)
}

fn write_files(folder: &Path, name: &str, args: &CreateArgs) -> std::io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(folder)?;
    let mut written = Vec::new();
    let mut write = |file: String, text: String| -> std::io::Result<()> {
        let path = folder.join(file);
        std::fs::write(&path, text)?;
        written.push(path);
        Ok(())
    };
    write(
        "up.sql".to_owned(),
        format!("-- {name}: the change. Runs on `switchy-migrate migrate`.\n"),
    )?;
    if !args.no_down {
        write(
            "down.sql".to_owned(),
            format!("-- {name}: undoes up.sql. Runs on `switchy-migrate rollback`.\n"),
        )?;
    }
    for dialect in &args.dialect {
        let suffix = dialect.dialect().suffix();
        write(
            format!("up.{suffix}.sql"),
            format!(
                "-- {name} on {}: replaces up.sql there.\n",
                dialect.dialect()
            ),
        )?;
        if !args.no_down {
            write(
                format!("down.{suffix}.sql"),
                format!(
                    "-- {name} on {}: replaces down.sql there.\n",
                    dialect.dialect()
                ),
            )?;
        }
    }
    if args.no_transaction {
        write(
            "metadata.toml".to_owned(),
            "# For statements that cannot run in a transaction (CREATE INDEX CONCURRENTLY, VACUUM).\nrun_in_transaction = false\n".to_owned(),
        )?;
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    #[test]
    fn new_ids_follow_the_folder() {
        let now = Utc::from_unix(1_704_459_338);
        assert_eq!(new_version(&shape_of(&[]), now), "2024-01-05-125538");
        assert_eq!(
            new_version(&shape_of(&ids(&["20231201000000_init"])), now),
            "20240105125538"
        );
        assert_eq!(
            new_version(&shape_of(&ids(&["0001_a", "0009_b"])), now),
            "0010"
        );
        assert_eq!(
            new_version(&shape_of(&ids(&["2023-12-01-000000_init"])), now),
            "2024-01-05-125538"
        );
        assert_eq!(version_of("2024_01_05_create_users"), "2024_01_05");
    }

    #[test]
    fn a_second_create_in_the_same_second_gets_the_next_second() {
        let existing = ids(&["2024-01-05-125538_a"]);
        let shape = shape_of(&existing);
        assert_eq!(
            free_version(&existing, &shape, 1_704_459_338),
            "2024-01-05-125539"
        );
        assert_eq!(
            free_version(&existing, &shape, 1_704_459_340),
            "2024-01-05-125540"
        );
    }
}
