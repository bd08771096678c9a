//! Turns a scanned folder into checked migrations, or into errors: every violation of the
//! grammar, and the macro's own rules (`require_down`), each at the span of the path
//! literal, all combined.

use std::path::{Path, PathBuf};

use crate::grammar::checksum::checksum;
use crate::grammar::sql::SqlDialect;
use crate::grammar::{ScannedFile, ScannedMigration, Violation, display_path};
use crate::parse::Args;
use crate::scan::Folder;

/// A migration ready to be emitted.
pub(crate) struct Migration {
    pub(crate) id: String,
    pub(crate) description: Option<String>,
    pub(crate) run_in_transaction: bool,
    pub(crate) up: Vec<File>,
    pub(crate) down: Vec<File>,
}

/// One SQL file ready to be emitted.
pub(crate) struct File {
    /// `None` for `up.sql` / `down.sql`, else the variant of `Dialect`: `Sqlite`,
    /// `Postgres` or `MySql`.
    pub(crate) dialect: Option<&'static str>,
    /// The path shown at run time: the folder as written in the macro call, then
    /// `<id>/<name>`, exactly as `DirectorySource::new(<folder as written>)` gives it.
    pub(crate) shown: String,
    /// The absolute path, for the `include_bytes!` that tells rustc (and so cargo) that
    /// the crate depends on the file.
    pub(crate) absolute: String,
    /// The text as the grammar read it: what is embedded, and what was hashed.
    pub(crate) sql: String,
    /// The checksum of `sql` (the grammar crate's checksum rule).
    pub(crate) checksum: String,
    /// The variants of `Dialect` on which the grammar found no top-level transaction
    /// control in `sql`, in the grammar's order.
    pub(crate) no_transaction_control: Vec<&'static str>,
}

/// Collects errors, all at the span of the path literal.
struct Errors<'a> {
    args: &'a Args,
    combined: Option<syn::Error>,
}

impl Errors<'_> {
    fn push(&mut self, message: impl std::fmt::Display) {
        let error = syn::Error::new(self.args.path.span(), message);
        match &mut self.combined {
            Some(combined) => combined.combine(error),
            None => self.combined = Some(error),
        }
    }

    fn violation(&mut self, folder: &Folder, violation: &Violation) {
        let path = shown(folder, &violation.path);
        let mut message = format!("{}: {}", display_path(&path), violation.rule);
        if let Some(hint) = &violation.hint {
            message.push_str("\n  help: ");
            message.push_str(hint);
        }
        self.push(message);
    }
}

/// The migrations of `folder`, or every error found.
pub(crate) fn validate(args: &Args, folder: &Folder) -> Result<Vec<Migration>, syn::Error> {
    let mut errors = Errors {
        args,
        combined: None,
    };
    let scanned = match &folder.scanned {
        Ok(scanned) => scanned.as_slice(),
        Err(violations) => {
            for violation in violations {
                errors.violation(folder, violation);
            }
            &[]
        }
    };
    let mut migrations = Vec::with_capacity(scanned.len());
    for migration in scanned {
        if args.require_down && migration.down.is_empty() {
            let dir = folder.shown.join(&migration.id);
            errors.push(format!(
                "{}: missing `down.sql`: `require_down = true` asks every migration for one\n  help: add `{}`, or drop `require_down = true` to allow irreversible migrations",
                display_path(&dir),
                display_path(&dir.join("down.sql")),
            ));
        }
        if let Some(migration) = convert(folder, migration, &mut errors) {
            migrations.push(migration);
        }
    }
    match errors.combined {
        Some(error) => Err(error),
        None => Ok(migrations),
    }
}

fn convert(
    folder: &Folder,
    migration: &ScannedMigration,
    errors: &mut Errors<'_>,
) -> Option<Migration> {
    let mut files = |scanned: &[ScannedFile]| -> Option<Vec<File>> {
        let mut files = Vec::with_capacity(scanned.len());
        let mut ok = true;
        for file in scanned {
            match convert_file(folder, &migration.id, file) {
                Ok(file) => files.push(file),
                Err(message) => {
                    errors.push(message);
                    ok = false;
                }
            }
        }
        ok.then_some(files)
    };
    let up = files(&migration.up);
    let down = files(&migration.down);
    Some(Migration {
        id: migration.id.clone(),
        description: migration.description.clone(),
        run_in_transaction: migration.run_in_transaction,
        up: up?,
        down: down?,
    })
}

fn convert_file(folder: &Folder, id: &str, file: &ScannedFile) -> Result<File, String> {
    let name = file.path.file_name().unwrap_or_default();
    let shown = folder.shown.join(id).join(name);
    let dialect = match file.dialect {
        None => None,
        Some(suffix) => match SqlDialect::from_suffix(suffix) {
            Some(dialect) => Some(dialect_variant(dialect)),
            // Unreachable while the grammar's dialects and `Dialect` agree; an error, not a
            // panic.
            None => {
                return Err(format!(
                    "{}: dialect `{suffix}` is not supported by this version of switchy_schema_macros",
                    display_path(&shown)
                ));
            }
        },
    };
    let absolute = file.path.to_str().ok_or_else(|| {
        format!(
            "{}: the absolute path of this file is not valid UTF-8, so `include_bytes!` cannot name it (cargo would not rebuild when it changes)\n  help: move the crate to a folder whose path is UTF-8",
            display_path(&shown)
        )
    })?;
    Ok(File {
        dialect,
        shown: shown.to_string_lossy().into_owned(),
        absolute: absolute.to_owned(),
        sql: file.content.clone(),
        checksum: checksum(&file.content),
        no_transaction_control: file
            .no_transaction_control
            .iter()
            .map(|dialect| dialect_variant(*dialect))
            .collect(),
    })
}

/// The variant of the runtime's `Dialect` that `dialect` is.
fn dialect_variant(dialect: SqlDialect) -> &'static str {
    match dialect {
        SqlDialect::MySql => "MySql",
        SqlDialect::Postgres => "Postgres",
        SqlDialect::Sqlite => "Sqlite",
    }
}

/// `path` (under the folder as read) shown under the folder as written.
fn shown(folder: &Folder, path: &Path) -> PathBuf {
    match path.strip_prefix(&folder.root) {
        Ok(rest) if rest.as_os_str().is_empty() => folder.shown.clone(),
        Ok(rest) => folder.shown.join(rest),
        Err(_) => path.to_path_buf(),
    }
}
