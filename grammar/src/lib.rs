//! The migration folder grammar and the checksum rule of
//! [switchy_schema](https://docs.rs/switchy_schema): the one definition of what a migrations
//! folder may hold and of what is stored for each file, shared by `embed_migrations!`
//! (compile time, in `switchy_schema_macros`) and the directory source (run time, in
//! `switchy_schema_runtime`).
//!
//! This crate is an implementation detail with no stable interface: depend on
//! `switchy_schema`. It depends on `std`, `toml` and `sha2` only, and never panics.
//!
//! # Layout
//!
//! ```text
//! migrations/                              the root folder
//!   README.md                              allowed and ignored (also README, and dotfiles)
//!   2024-01-05-135538_create_users/        one folder per migration; its name is the id
//!     up.sql                               required; may be empty (a recorded no-op)
//!     down.sql                             optional; absent: the migration is irreversible
//!     up.postgres.sql                      optional override of up.sql on one dialect
//!     down.postgres.sql                    optional override of down.sql; needs down.sql
//!     metadata.toml                        optional
//! ```
//!
//! - The dialects of override files are `mysql`, `postgres` and `sqlite`
//!   ([`DIALECTS`]). An override replaces the base file on its dialect only; the base file
//!   (`up.sql` or `down.sql`) runs everywhere else and must exist, so that whether a
//!   migration can be rolled back never depends on the database.
//! - `README.md`, `README` and names starting with `.` (dotfiles, `.gitkeep`,
//!   `.gitattributes`, dot folders) are ignored at the top level and inside migration
//!   folders, whether files or folders. A folder holding nothing else (nothing, a lone
//!   `README`, a `README` folder, a `.git`) holds no migrations, and is rejected.
//! - An entry named like a migration file (`up.sql`, `down.postgres.sql`, `metadata.toml`)
//!   must be a regular file or a link to one: a folder, a broken link or a FIFO of that name
//!   is reported as such (and never read), not as a missing file.
//! - Anything else is rejected: a file at the top level (a loose `0001_init.sql` most of
//!   all), a folder inside a migration folder (migrations are not nested), an unknown file
//!   in a migration folder (`Up.sql`, `up.sq`, `up.sql.bak`, `up.oracle.sql`), a name that
//!   is not valid UTF-8.
//! - SQL files and `metadata.toml` must be UTF-8 text. Their content is kept byte for byte
//!   (CRLF line endings included; the checksum normalizes them).
//! - Symbolic links are followed, for the root, migration folders and files alike; a link
//!   whose target is missing is reported.
//!
//! # Ids and versions
//!
//! The folder name is the migration's id, and migrations run in the byte order of their ids.
//! An id may not start or end with whitespace nor hold control characters (a folder named
//! `0001_a ` or one holding a newline is rejected, see [`invalid_id_characters`]). An id is a
//! version, then `_`, then a name:
//!
//! ```text
//! id      = version "_" name
//! version = group { ("-" | "_") group }        group = one or more ASCII digits
//! name    = one or more characters
//! ```
//!
//! `_` may separate both groups of the version and the version from the name, so the
//! grammar alone is ambiguous. The rule: **the version is the longest prefix of the id that
//! matches `version` and is followed by `_` and at least one more character** (see
//! [`split_version`]). In other words, the leading `_`-separated words made only of digits
//! (and single `-` between digits) belong to the version, except that the name keeps at
//! least one character.
//!
//! | id                               | version             | name           |
//! |----------------------------------|---------------------|----------------|
//! | `2024-01-05-135538_create_users` | `2024-01-05-135538` | `create_users` |
//! | `0001_init`                      | `0001`              | `init`         |
//! | `1_a`                            | `1`                 | `a`            |
//! | `2024_01_05_135538_users`        | `2024_01_05_135538` | `users`        |
//! | `0001_2fa`                       | `0001`              | `2fa`          |
//! | `0001_2024_report`               | `0001_2024`         | `report`       |
//! | `0001_2024`                      | `0001`              | `2024`         |
//! | `create_users`, `v1_init`        | none: rejected      |                |
//! | `0001`, `0001_`                  | `0001`              | none: rejected |
//! | `0001-_init`, `01--02_init`      | none: rejected      |                |
//!
//! Why the longest prefix: diesel takes the text before the first `_` (and drops the
//! `-`s), which suits `2024-01-05-135538_create_users` but would give every migration named
//! like `2024_01_05_135538_users` the version `2024`, and then report them all as sharing
//! one version. The price of the longest rule is that a name whose first word is a number
//! joins the version (`0001_2024_report` has version `0001_2024`): start names with a
//! letter (`0001_report_2024`). Such an id next to `0001_init` or `0002_users` is rejected,
//! by the order rule below, and the message says why.
//!
//! Versions are compared by their digits alone, as numbers: separators and leading zeros
//! are dropped, so `01` equals `1`, `2024-01-05-135538` equals `20240105135538` (and
//! `2024_01_05_135538`), `2` is smaller than `10`, and `0001_2024` (12024) is greater than
//! `0002`. The folder is rejected when:
//!
//! - two ids have equal versions (`0001_a` and `0001_b`, `01_a` and `1_b`, or
//!   `2024-01-01-000000_a` and `20240101000000_b`);
//! - the byte order of ids disagrees with the numeric order of their versions. Versions of
//!   different widths do that: `1_a`, `10_b`, `2_c` sort as `10_b`, `1_a`, `2_c`; zero-pad
//!   them to one width (`0001_a`, `0002_c`, `0010_b`). So do versions of different shapes:
//!   `2024-01-03-000000_a` sorts before `20240102000000_b` (`-` sorts before every digit)
//!   but is the later date; write every version in one shape. And so does a name whose
//!   first word is a number, next to a later version: `0001_2024_report` (version
//!   `0001_2024`) sorts before `0002_users`;
//! - two ids differ only by ASCII case (`0001_users`, `0001_Users`): they cannot both
//!   exist on case-insensitive file systems (macOS, Windows). Such ids also share a
//!   version; only the case problem is reported for them.
//!
//! Each of these problems is reported on the id that sorts later.
//!
//! # `metadata.toml`
//!
//! Optional, diesel-compatible. Two keys, both optional; any other key is an error.
//!
//! ```toml
//! run_in_transaction = false   # boolean, default true; false for CREATE INDEX CONCURRENTLY
//! description = "adds users"   # string, default none
//! ```
//!
//! # Transaction control
//!
//! A migration that runs in a transaction (`run_in_transaction` absent or `true`) may not
//! start, commit or end a transaction itself: a top-level `BEGIN`, `START TRANSACTION`,
//! `COMMIT`, `END`, `ROLLBACK` (not `ROLLBACK TO` a savepoint), PostgreSQL's `ABORT` or
//! `PREPARE TRANSACTION` would commit the migration without its tracking row. Such a file is
//! rejected, with a hint pointing at `run_in_transaction = false`. Savepoints, and `BEGIN` /
//! `END` / `COMMIT` inside strings, comments, function, trigger and procedure bodies and `DO`
//! blocks, are fine (see [`sql::find_transaction_control`]). An override file is read with
//! its dialect's rules; a base file with the rules of every dialect it runs on, and is
//! rejected when all of them find transaction control (the runner checks again with the
//! database's dialect before anything runs).
//!
//! # Violations
//!
//! [`scan`] reports every problem at once, in a stable order: the top-level entries in the
//! byte order of their names (each migration folder with its own problems: its id, then its
//! entries in name order, then missing files), then "no migrations" if it applies, then the
//! problems between ids (same version, wrong order, case) in id order.

pub mod checksum;
pub mod sql;

use std::cmp::Ordering;
use std::collections::BTreeMap;
use std::ffi::OsString;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// The dialect suffixes of override files, in the order overrides are listed.
pub const DIALECTS: [&str; 3] = ["mysql", "postgres", "sqlite"];

/// The names ignored wherever they appear (besides dotfiles).
const README_NAMES: [&str; 2] = ["README.md", "README"];

/// One rule broken by a migrations folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation {
    /// The offending path.
    pub path: PathBuf,
    /// The rule, in words.
    pub rule: String,
    /// A hint, where one helps.
    pub hint: Option<String>,
}

impl Violation {
    fn new(path: impl Into<PathBuf>, rule: impl Into<String>) -> Self {
        Self {
            path: path.into(),
            rule: rule.into(),
            hint: None,
        }
    }

    fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    fn maybe_hint(mut self, hint: Option<String>) -> Self {
        self.hint = hint;
        self
    }
}

impl fmt::Display for Violation {
    /// `<path>: <rule> (<hint>)`, the path shown by [`display_path`].
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", display_path(&self.path), self.rule)?;
        if let Some(hint) = &self.hint {
            write!(f, " ({hint})")?;
        }
        Ok(())
    }
}

/// Whether `name` cannot be shown as is between backticks: whitespace at either end,
/// whitespace other than a plain space, or a control character.
fn needs_quotes(name: &str) -> bool {
    name.trim() != name
        || name
            .chars()
            .any(|c| c.is_control() || (c.is_whitespace() && c != ' '))
}

/// `name` for a message: `` `name` ``, or `"name "` (escaped, as Rust writes strings) when
/// it has whitespace at either end, whitespace other than a space, or a control character,
/// so that what is invisible between backticks shows.
///
/// ```
/// use switchy_schema_grammar::quoted;
///
/// assert_eq!(quoted("up.sql"), "`up.sql`");
/// assert_eq!(quoted("up.sql "), "\"up.sql \"");
/// assert_eq!(quoted("0001_a\tb"), "\"0001_a\\tb\"");
/// ```
#[must_use]
pub fn quoted(name: &str) -> String {
    if needs_quotes(name) {
        format!("{name:?}")
    } else {
        format!("`{name}`")
    }
}

/// `path` for a message: as is, or quoted and escaped (`"m/0001_a /up.sql"`) when one of
/// its components would hide whitespace or a control character (see [`quoted`]) or is not
/// UTF-8.
#[must_use]
pub fn display_path(path: &Path) -> String {
    let hidden = path
        .components()
        .any(|part| part.as_os_str().to_str().is_none_or(needs_quotes));
    if hidden {
        // Debug on purpose: quoted, with the hidden characters escaped.
        #[allow(clippy::unnecessary_debug_formatting)]
        let shown = format!("{path:?}");
        shown
    } else {
        path.display().to_string()
    }
}

/// Why `id` cannot be a migration id whatever its shape: it is empty, starts or ends with
/// whitespace, or holds a control character (a newline, a tab, NUL, ...). `None` when it
/// is fine.
///
/// Such ids are invisible in listings and logs, and databases compare them loosely: under
/// MariaDB's default PAD SPACE collations `x` and `x ` are the same primary key. The folder
/// grammar applies this to folder names, and the runtime's code source to the ids it is
/// given.
///
/// ```
/// use switchy_schema_grammar::invalid_id_characters;
///
/// assert_eq!(invalid_id_characters("0001_users"), None);
/// assert_eq!(invalid_id_characters("0001 users table"), None);
/// assert_eq!(invalid_id_characters("0001_users ").as_deref(), Some("it ends with whitespace"));
/// assert!(invalid_id_characters("0001_a\nb").is_some());
/// ```
#[must_use]
pub fn invalid_id_characters(id: &str) -> Option<String> {
    if id.is_empty() {
        return Some("it is empty".to_owned());
    }
    if let Some(control) = id.chars().find(|c| c.is_control()) {
        return Some(format!(
            "it holds the control character {control:?} (U+{:04X})",
            u32::from(control)
        ));
    }
    if id.starts_with(char::is_whitespace) {
        return Some("it starts with whitespace".to_owned());
    }
    if id.ends_with(char::is_whitespace) {
        return Some("it ends with whitespace".to_owned());
    }
    None
}

/// One SQL file of a scanned migration.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedFile {
    /// `None` for `up.sql` / `down.sql`; the suffix of an override (one of [`DIALECTS`]).
    pub dialect: Option<&'static str>,
    /// `<root>/<id>/<file name>`, with `<root>` as given to [`scan`].
    pub path: PathBuf,
    /// The file's text, byte for byte.
    pub content: String,
    /// The dialects whose rules found no top-level transaction control in this file
    /// ([`sql::find_transaction_control`]), in [`sql::SqlDialect::ALL`] order. [`scan`]
    /// fills it for the files of a transactional migration, with the dialects each file
    /// runs on (an override's own, a base file's without an override); it is empty for the
    /// files of a migration with `run_in_transaction = false`, which are not checked. The
    /// runner skips its own check on these dialects.
    pub no_transaction_control: Vec<sql::SqlDialect>,
}

/// One migration folder that follows the grammar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScannedMigration {
    /// The folder name.
    pub id: String,
    /// `description` from `metadata.toml`.
    pub description: Option<String>,
    /// `run_in_transaction` from `metadata.toml`; `true` when absent.
    pub run_in_transaction: bool,
    /// `up.sql` first, then its overrides in [`DIALECTS`] order.
    pub up: Vec<ScannedFile>,
    /// `down.sql` first, then its overrides in [`DIALECTS`] order; empty without `down.sql`.
    pub down: Vec<ScannedFile>,
}

/// Splits an id into its version and name, or `None` when the id does not start with a
/// version followed by `_` and a non-empty name.
///
/// The version is the longest prefix made of digit groups separated by single `-` or `_`
/// that is followed by `_` and at least one character (more examples in the module docs):
///
/// ```
/// use switchy_schema_grammar::split_version;
///
/// assert_eq!(split_version("2024-01-05-135538_create_users"), Some(("2024-01-05-135538", "create_users")));
/// assert_eq!(split_version("2024_01_05_users"), Some(("2024_01_05", "users")));
/// assert_eq!(split_version("0001_2fa"), Some(("0001", "2fa")));
/// assert_eq!(split_version("0001_2024"), Some(("0001", "2024")));
/// assert_eq!(split_version("create_users"), None);
/// assert_eq!(split_version("0001_"), None);
/// ```
pub fn split_version(id: &str) -> Option<(&str, &str)> {
    let bytes = id.as_bytes();
    let mut best = None;
    let mut at = 0;
    loop {
        let group_start = at;
        while bytes.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == group_start {
            break;
        }
        if bytes.get(at) == Some(&b'_') && at + 1 < bytes.len() {
            best = Some(at);
        }
        match bytes.get(at) {
            Some(b'-' | b'_') => at += 1,
            _ => break,
        }
    }
    let end = best?;
    Some((id.get(..end)?, id.get(end + 1..)?))
}

/// Reads the migrations folder at `root`: every migration sorted by id, or every violation.
///
/// Reads each file once; nothing is written.
pub fn scan(root: &Path) -> Result<Vec<ScannedMigration>, Vec<Violation>> {
    let mut violations = Vec::new();
    match entry_kind(root) {
        Ok(Kind::Dir) => {}
        Ok(Kind::File) => {
            return Err(vec![Violation::new(
                root,
                "the migrations folder is a file, not a folder",
            )]);
        }
        Ok(Kind::Other) => {
            return Err(vec![Violation::new(
                root,
                "the migrations folder is not a folder",
            )]);
        }
        Err(Problem::Missing) => {
            return Err(vec![
                Violation::new(root, "the migrations folder does not exist").hint(
                    "create it with one folder per migration, such as `0001_create_users/up.sql`",
                ),
            ]);
        }
        Err(problem) => return Err(vec![problem.violation(root, "the migrations folder")]),
    }
    let entries = match read_sorted(root, &mut violations) {
        Ok(entries) => entries,
        Err(error) => {
            violations.push(Violation::new(
                root,
                format!("cannot read the migrations folder: {error}"),
            ));
            return Err(violations);
        }
    };

    let mut migrations = Vec::new();
    let mut ids = Vec::new();
    let mut folders = 0_usize;
    for (name, path) in entries {
        // Dotfiles and READMEs are ignored, folders too: a lone `README` folder is no
        // migration.
        if is_dotfile(&name)
            || name
                .to_str()
                .is_some_and(|name| README_NAMES.contains(&name))
        {
            continue;
        }
        let kind = entry_kind(&path);
        if matches!(kind, Ok(Kind::Dir)) {
            folders += 1;
        }
        let Some(name) = name.to_str() else {
            violations.push(not_utf8_name(&path));
            continue;
        };
        match kind {
            Ok(Kind::Dir) => {
                ids.push(name.to_owned());
                if let Some(migration) = scan_migration(&path, name, &mut violations) {
                    migrations.push(migration);
                }
            }
            Ok(Kind::File) => violations.push(loose_file(&path, name)),
            Ok(Kind::Other) => violations.push(Violation::new(
                &path,
                "not a file or a folder: the migrations folder holds one folder per migration",
            )),
            Err(problem) => violations.push(problem.violation(&path, "this entry")),
        }
    }
    if folders == 0 {
        violations.push(
            Violation::new(root, "the migrations folder holds no migrations")
                .hint("add one folder per migration, such as `0001_create_users/up.sql`"),
        );
    }
    check_ids(root, &mut ids, &mut violations);

    if violations.is_empty() {
        migrations.sort_by(|a, b| a.id.cmp(&b.id));
        Ok(migrations)
    } else {
        Err(violations)
    }
}

/// What an entry is, following symbolic links.
enum Kind {
    File,
    Dir,
    Other,
}

/// Why an entry's kind is unknown.
enum Problem {
    Missing,
    BrokenLink,
    Io(io::Error),
}

impl Problem {
    fn violation(self, path: &Path, what: &str) -> Violation {
        match self {
            Problem::Missing => Violation::new(path, format!("{what} does not exist")),
            Problem::BrokenLink => {
                Violation::new(path, "broken symbolic link: its target does not exist")
            }
            Problem::Io(error) => Violation::new(path, format!("cannot read {what}: {error}")),
        }
    }
}

fn entry_kind(path: &Path) -> Result<Kind, Problem> {
    match fs::metadata(path) {
        Ok(meta) if meta.is_dir() => Ok(Kind::Dir),
        Ok(meta) if meta.is_file() => Ok(Kind::File),
        Ok(_) => Ok(Kind::Other),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            if fs::symlink_metadata(path).is_ok_and(|meta| meta.file_type().is_symlink()) {
                Err(Problem::BrokenLink)
            } else {
                Err(Problem::Missing)
            }
        }
        Err(error) => Err(Problem::Io(error)),
    }
}

/// The entries of `dir` sorted by name (byte order), so that violations come in a stable
/// order. Entries that cannot be read are reported and skipped.
fn read_sorted(
    dir: &Path,
    violations: &mut Vec<Violation>,
) -> io::Result<Vec<(OsString, PathBuf)>> {
    let mut entries = Vec::new();
    for entry in fs::read_dir(dir)? {
        match entry {
            Ok(entry) => entries.push((entry.file_name(), entry.path())),
            Err(error) => violations.push(Violation::new(
                dir,
                format!("cannot read an entry of this folder: {error}"),
            )),
        }
    }
    entries.sort();
    Ok(entries)
}

fn is_dotfile(name: &std::ffi::OsStr) -> bool {
    name.as_encoded_bytes().first() == Some(&b'.')
}

fn not_utf8_name(path: &Path) -> Violation {
    Violation::new(path, "the name is not valid UTF-8").hint("rename it with UTF-8 characters only")
}

/// The violation for a file directly in the root.
fn loose_file(path: &Path, name: &str) -> Violation {
    let lower = name.to_ascii_lowercase();
    if let Some(stem) = lower
        .strip_suffix(".sql")
        .and_then(|_| name.get(..name.len().saturating_sub(4)))
    {
        let (folder, file) = if let Some(folder) = stem.strip_suffix(".up") {
            (folder, "up.sql")
        } else if let Some(folder) = stem.strip_suffix(".down") {
            (folder, "down.sql")
        } else {
            (stem, "up.sql")
        };
        let hint = if KNOWN_FILES.contains(&name) {
            format!("`{name}` belongs in a migration folder, such as `0001_create_users/{name}`")
        } else {
            let folder = if split_version(folder).is_some() {
                folder.to_owned()
            } else {
                format!("0001_{folder}")
            };
            format!("move it to `{folder}/{file}`")
        };
        return Violation::new(
            path,
            "loose sql file at the top level: each migration is a folder named after its id, holding `up.sql`",
        )
        .hint(hint);
    }
    let hint = if KNOWN_FILES.contains(&name) {
        Some(format!(
            "`{name}` belongs in a migration folder, such as `0001_create_users/{name}`"
        ))
    } else {
        did_you_mean(name, &README_NAMES)
    };
    Violation::new(
        path,
        "unknown file at the top level: the migrations folder holds only migration folders, `README.md` and dotfiles",
    )
    .maybe_hint(hint)
}

/// Which file of a migration a name is.
#[derive(Clone, Copy)]
enum Role {
    Up,
    Down,
    UpOverride(&'static str),
    DownOverride(&'static str),
    Metadata,
}

/// The names a migration folder may hold, for "did you mean" hints.
const KNOWN_FILES: [&str; 10] = [
    "up.sql",
    "down.sql",
    "metadata.toml",
    "up.mysql.sql",
    "up.postgres.sql",
    "up.sqlite.sql",
    "down.mysql.sql",
    "down.postgres.sql",
    "down.sqlite.sql",
    "README.md",
];

/// The role of a known file name (`up.sql`, `down.postgres.sql`, `metadata.toml`, ...).
fn role_of(name: &str) -> Option<Role> {
    match name {
        "up.sql" => return Some(Role::Up),
        "down.sql" => return Some(Role::Down),
        "metadata.toml" => return Some(Role::Metadata),
        _ => {}
    }
    let dialect = |prefix: &str| {
        name.strip_prefix(prefix)
            .and_then(|rest| rest.strip_suffix(".sql"))
            .and_then(|suffix| DIALECTS.into_iter().find(|dialect| *dialect == suffix))
    };
    dialect("up.")
        .map(Role::UpOverride)
        .or_else(|| dialect("down.").map(Role::DownOverride))
}

/// The role of a file, or the violation of an unknown name.
fn classify(path: &Path, name: &str) -> Result<Role, Violation> {
    if let Some(role) = role_of(name) {
        return Ok(role);
    }
    if let Some((base, suffix)) = name
        .strip_suffix(".sql")
        .and_then(|rest| rest.split_once('.'))
        && (base == "up" || base == "down")
        && !suffix.is_empty()
        && !suffix.contains('.')
    {
        if let Some(dialect) = DIALECTS.into_iter().find(|dialect| *dialect == suffix) {
            return Ok(if base == "up" {
                Role::UpOverride(dialect)
            } else {
                Role::DownOverride(dialect)
            });
        }
        let hint =
            closest_dialect(suffix).map(|dialect| format!("did you mean `{base}.{dialect}.sql`?"));
        return Err(Violation::new(
            path,
            format!("unknown dialect `{suffix}`: the known dialects are `mysql`, `postgres` and `sqlite`"),
        )
        .maybe_hint(hint));
    }
    Err(Violation::new(
        path,
        "unknown file in a migration folder: a migration holds `up.sql`, `down.sql`, `up.<dialect>.sql`, `down.<dialect>.sql` and `metadata.toml`",
    )
    .maybe_hint(
        padded_copy(name, &KNOWN_FILES)
            .or_else(|| copy_of(name, &KNOWN_FILES))
            .or_else(|| did_you_mean(name, &KNOWN_FILES)),
    ))
}

/// A hint for a known name with whitespace or control characters around it (`up.sql `).
fn padded_copy(name: &str, known: &[&str]) -> Option<String> {
    let trimmed = name.trim_matches(|c: char| c.is_whitespace() || c.is_control());
    (trimmed != name && known.contains(&trimmed)).then(|| {
        format!("did you mean `{trimmed}`? the name {} has whitespace or control characters at its start or end", quoted(name))
    })
}

/// A hint naming the known name that `name` is most likely a typo of: equal but for ASCII
/// case, or within two edits.
fn did_you_mean(name: &str, known: &[&str]) -> Option<String> {
    let lower = name.to_ascii_lowercase();
    if let Some(found) = known
        .iter()
        .find(|known| known.to_ascii_lowercase() == lower)
    {
        return Some(format!("did you mean `{found}`? names are case-sensitive"));
    }
    closest(&lower, known, 2).map(|found| format!("did you mean `{found}`?"))
}

/// A hint for a file named like a known file plus an extension (`up.sql.bak`, `up.sql~`).
fn copy_of(name: &str, known: &[&str]) -> Option<String> {
    known
        .iter()
        .filter(|known| name.len() > known.len() && name.starts_with(**known))
        .max_by_key(|known| known.len())
        .map(|found| format!("it looks like a copy of `{found}`: delete it, or move it out of the migrations folder"))
}

/// The dialect that an unknown suffix most likely means.
fn closest_dialect(suffix: &str) -> Option<&'static str> {
    let lower = suffix.to_ascii_lowercase();
    let alias = match lower.as_str() {
        "pg" | "pgsql" | "psql" | "postgresql" => Some("postgres"),
        "mariadb" | "maria" => Some("mysql"),
        "sqlite3" => Some("sqlite"),
        // `up.sql.sql` is a doubled extension, not a misspelled `mysql`.
        "sql" => return None,
        _ => None,
    };
    alias.or_else(|| closest(&lower, &DIALECTS, 2))
}

/// The entry of `known` closest to `word` (compared in ASCII lowercase), if within
/// `max_distance` edits. Ties go to the first.
fn closest<'a>(word: &str, known: &[&'a str], max_distance: usize) -> Option<&'a str> {
    let mut best: Option<(usize, &'a str)> = None;
    for candidate in known {
        let distance = edit_distance(word, &candidate.to_ascii_lowercase());
        if distance <= max_distance && best.is_none_or(|(found, _)| distance < found) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}

/// The Levenshtein distance between two strings, counted in chars.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        let mut left = i + 1;
        let mut diagonal = i;
        for (slot, (cb, above)) in current
            .iter_mut()
            .skip(1)
            .zip(b.iter().zip(previous.iter().skip(1)))
        {
            let value = if ca == *cb {
                diagonal
            } else {
                1 + diagonal.min(left).min(*above)
            };
            diagonal = *above;
            left = value;
            *slot = value;
        }
        if let Some(first) = current.first_mut() {
            *first = i + 1;
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous.last().copied().unwrap_or(0)
}

/// Reads one migration folder; `None` when it has violations (all pushed).
fn scan_migration(
    dir: &Path,
    id: &str,
    violations: &mut Vec<Violation>,
) -> Option<ScannedMigration> {
    let before = violations.len();
    if let Some(violation) = check_id_shape(dir, id) {
        violations.push(violation);
    }
    let entries = match read_sorted(dir, violations) {
        Ok(entries) => entries,
        Err(error) => {
            violations.push(Violation::new(
                dir,
                format!("cannot read the migration folder: {error}"),
            ));
            return None;
        }
    };
    let mut found = Found::default();
    for (name, path) in entries {
        match migration_entry(&name, &path, violations) {
            Entry::File(role) => found.add(role, path, violations),
            Entry::Unusable(role) => found.saw(role, None),
            Entry::Ignored => {}
        }
    }
    found.check_base_files(dir, violations);
    if found.run_in_transaction.unwrap_or(true) {
        check_transaction_control(&mut found.up, violations);
        check_transaction_control(&mut found.down, violations);
    }
    if violations.len() > before {
        return None;
    }
    Some(found.into_migration(id))
}

/// What one entry of a migration folder is.
enum Entry {
    /// A file with a role, to read.
    File(Role),
    /// An entry with the name of a role that cannot be read as a file (a folder, a broken
    /// link, a FIFO): reported, and counted as present so that it is not also "missing".
    Unusable(Role),
    /// Ignored (a dotfile, a README) or reported.
    Ignored,
}

/// The role of one entry of a migration folder; violations are pushed.
fn migration_entry(name: &std::ffi::OsStr, path: &Path, violations: &mut Vec<Violation>) -> Entry {
    if is_dotfile(name) {
        return Entry::Ignored;
    }
    let Some(name) = name.to_str() else {
        violations.push(not_utf8_name(path));
        return Entry::Ignored;
    };
    if README_NAMES.contains(&name) {
        return Entry::Ignored;
    }
    let kind = entry_kind(path);
    if let Some(role) = role_of(name) {
        let violation = match kind {
            Ok(Kind::File) => return Entry::File(role),
            Ok(Kind::Dir) => {
                Violation::new(path, format!("{} is a folder, not a file", quoted(name)))
                    .hint(format!("replace it with a file named {}", quoted(name)))
            }
            Ok(Kind::Other) => Violation::new(
                path,
                format!(
                    "{} is not a regular file (a FIFO, a socket or a device)",
                    quoted(name)
                ),
            )
            .hint(format!("replace it with a file named {}", quoted(name))),
            Err(Problem::BrokenLink) => Violation::new(
                path,
                format!(
                    "{} is a broken symbolic link: its target does not exist",
                    quoted(name)
                ),
            )
            .hint("point the link at an existing file, or replace it with the file"),
            Err(problem) => problem.violation(path, &quoted(name)),
        };
        violations.push(violation);
        return Entry::Unusable(role);
    }
    let violation = match kind {
        Ok(Kind::File) => match classify(path, name) {
            Ok(role) => return Entry::File(role),
            Err(violation) => violation,
        },
        Ok(Kind::Dir) => {
            let hint = if split_version(name).is_some() {
                "migrations are not nested: move it to the top level of the migrations folder"
            } else {
                "delete it, or move it out of the migrations folder"
            };
            Violation::new(
                path,
                "unexpected folder inside a migration folder: a migration holds only files",
            )
            .hint(hint)
        }
        Ok(Kind::Other) => Violation::new(path, "not a file: a migration folder holds only files"),
        Err(problem) => problem.violation(path, "this file"),
    };
    violations.push(violation);
    Entry::Ignored
}

/// The files found so far in one migration folder.
#[derive(Default)]
struct Found {
    /// Whether `up.sql` exists, even when it cannot be read.
    has_up: bool,
    /// Whether `down.sql` exists, even when it cannot be read.
    has_down: bool,
    /// The `down.<dialect>.sql` files, to check that `down.sql` exists.
    down_overrides: Vec<PathBuf>,
    /// The readable `up` files, in any order.
    up: Vec<ScannedFile>,
    /// The readable `down` files, in any order.
    down: Vec<ScannedFile>,
    /// `description` from `metadata.toml`.
    description: Option<String>,
    /// `run_in_transaction` from `metadata.toml`.
    run_in_transaction: Option<bool>,
}

impl Found {
    /// Records that a file of `role` exists, even if it cannot be read; `path` is given for
    /// a `down.<dialect>.sql` that needs its `down.sql` checked.
    fn saw(&mut self, role: Role, path: Option<&Path>) {
        match role {
            Role::Up => self.has_up = true,
            Role::Down => self.has_down = true,
            Role::DownOverride(_) => {
                if let Some(path) = path {
                    self.down_overrides.push(path.to_path_buf());
                }
            }
            Role::UpOverride(_) | Role::Metadata => {}
        }
    }

    fn add(&mut self, role: Role, path: PathBuf, violations: &mut Vec<Violation>) {
        self.saw(role, Some(&path));
        let Some(content) = read_text(&path, violations) else {
            return;
        };
        let (list, dialect) = match role {
            Role::Up => (&mut self.up, None),
            Role::UpOverride(dialect) => (&mut self.up, Some(dialect)),
            Role::Down => (&mut self.down, None),
            Role::DownOverride(dialect) => (&mut self.down, Some(dialect)),
            Role::Metadata => {
                let metadata = parse_metadata(&path, &content, violations);
                self.description = metadata.description;
                self.run_in_transaction = Some(metadata.run_in_transaction);
                return;
            }
        };
        list.push(ScannedFile {
            dialect,
            path,
            content,
            no_transaction_control: Vec::new(),
        });
    }

    /// Reports a missing `up.sql`, and `down.<dialect>.sql` files without `down.sql`.
    fn check_base_files(&self, dir: &Path, violations: &mut Vec<Violation>) {
        if !self.has_up {
            let rule = if self.has_down {
                "missing `up.sql`: there is a `down.sql`, but every migration needs an `up.sql` (it may be empty)"
            } else {
                "missing `up.sql`: every migration needs one (it may be empty)"
            };
            violations.push(
                Violation::new(dir, rule)
                    .hint("an empty `up.sql` is a recorded no-op on dialects without an override"),
            );
        }
        if !self.has_down {
            for path in &self.down_overrides {
                let name = path
                    .file_name()
                    .map(|name| name.to_string_lossy().into_owned())
                    .unwrap_or_default();
                violations.push(
                    Violation::new(
                        path,
                        format!("`{name}` has no `down.sql`: a dialect override needs its base file, so that every dialect agrees on whether the migration can be rolled back"),
                    )
                    .hint("add a `down.sql` for the other dialects, or delete the override to make the migration irreversible"),
                );
            }
        }
    }

    /// The migration, base files first, then overrides in [`DIALECTS`] order.
    fn into_migration(mut self, id: &str) -> ScannedMigration {
        // `None` (the base file) sorts before every `Some(dialect)`.
        self.up.sort_by_key(|file| file.dialect);
        self.down.sort_by_key(|file| file.dialect);
        if self.down.first().is_some_and(|file| file.dialect.is_some()) {
            self.down.clear();
        }
        ScannedMigration {
            id: id.to_owned(),
            description: self.description,
            run_in_transaction: self.run_in_transaction.unwrap_or(true),
            up: self.up,
            down: self.down,
        }
    }
}

/// Reports the files of one direction (`up` or `down` and their overrides) of a
/// transactional migration that hold top-level transaction control
/// ([`sql::find_transaction_control`]), and records in each file the dialects whose rules
/// found none ([`ScannedFile::no_transaction_control`]).
///
/// An override is read with its dialect's rules. A base file is read with the rules of
/// each dialect it runs on (those without an override), and reported when every one of
/// them finds transaction control: a base file written for one database (a PostgreSQL `DO
/// $$ ... $$` block read with SQLite's rules looks like `END`) is left to the runner's
/// check, which knows the database.
fn check_transaction_control(files: &mut [ScannedFile], violations: &mut Vec<Violation>) {
    let overridden: Vec<sql::SqlDialect> = files
        .iter()
        .filter_map(|file| file.dialect.and_then(sql::SqlDialect::from_suffix))
        .collect();
    for file in files.iter_mut() {
        let dialects: Vec<sql::SqlDialect> = match file.dialect {
            Some(suffix) => sql::SqlDialect::from_suffix(suffix).into_iter().collect(),
            None => sql::SqlDialect::ALL
                .into_iter()
                .filter(|dialect| !overridden.contains(dialect))
                .collect(),
        };
        let mut first_found = None;
        let mut clean = Vec::new();
        for dialect in dialects {
            match sql::find_transaction_control(&file.content, dialect) {
                None => clean.push(dialect),
                Some(found) => {
                    first_found.get_or_insert(found);
                }
            }
        }
        if let Some(found) = first_found.filter(|_| clean.is_empty()) {
            violations.push(transaction_control_violation(&file.path, &found));
        }
        file.no_transaction_control = clean;
    }
}

/// The violation for transaction control found in the file at `path`.
fn transaction_control_violation(path: &Path, found: &sql::TransactionControl<'_>) -> Violation {
    Violation::new(
        path,
        format!(
            "`{}` on line {}: {}",
            found.short_statement(),
            found.line,
            sql::TRANSACTION_CONTROL_RULE
        ),
    )
    .hint("remove it (the runner already wraps the migration in a transaction), or set `run_in_transaction = false` in metadata.toml to run the migration outside a transaction")
}

/// The violation for an id that is not `version _ name`.
fn check_id_shape(dir: &Path, id: &str) -> Option<Violation> {
    if let Some(reason) = invalid_id_characters(id) {
        let trimmed = id.trim();
        let hint = (!trimmed.is_empty() && invalid_id_characters(trimmed).is_none())
            .then(|| format!("rename the folder to `{trimmed}`"));
        return Some(
            Violation::new(
                dir,
                format!(
                    "the id {} is not a valid id: {reason}; an id may not start or end with whitespace, nor hold control characters",
                    quoted(id)
                ),
            )
            .hint(hint.unwrap_or_else(|| "rename the folder without control characters".to_owned())),
        );
    }
    if split_version(id).is_some() {
        return None;
    }
    let all_version = !id.is_empty()
        && id
            .bytes()
            .all(|byte| byte.is_ascii_digit() || byte == b'-' || byte == b'_');
    let violation = if all_version && id.as_bytes().first().is_some_and(u8::is_ascii_digit) {
        let version = id.trim_end_matches(['-', '_']);
        Violation::new(
            dir,
            format!(
                "the id {} has no name: an id is a version, then `_`, then a name",
                quoted(id)
            ),
        )
        .hint(format!("for example `{version}_create_users`"))
    } else {
        let rule = format!(
            "the id {} does not start with a version: an id is a version (digits, optionally separated by single `-` or `_`), then `_`, then a name",
            quoted(id)
        );
        if id.as_bytes().first().is_some_and(u8::is_ascii_digit) {
            Violation::new(dir, rule)
                .hint("for example `0001_create_users` or `2024-01-05-135538_create_users`")
        } else {
            Violation::new(dir, rule).hint(format!("for example `0001_{id}`"))
        }
    };
    Some(violation)
}

/// Reads a file as UTF-8 text; `None` (with a violation) when it cannot be read or is not
/// UTF-8.
fn read_text(path: &Path, violations: &mut Vec<Violation>) -> Option<String> {
    let bytes = match fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) => {
            violations.push(Violation::new(
                path,
                format!("cannot read the file: {error}"),
            ));
            return None;
        }
    };
    match String::from_utf8(bytes) {
        Ok(text) => Some(text),
        Err(error) => {
            let bytes = error.as_bytes();
            let at = error.utf8_error().valid_up_to();
            let line = 1 + bytes.iter().take(at).filter(|byte| **byte == b'\n').count();
            let utf16 = bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]);
            let hint = if utf16 {
                "it looks like UTF-16: save it as UTF-8"
            } else {
                "save it as UTF-8"
            };
            violations.push(
                Violation::new(
                    path,
                    format!("the file is not valid UTF-8 text (first invalid byte on line {line})"),
                )
                .hint(hint),
            );
            None
        }
    }
}

/// What `metadata.toml` sets.
struct Metadata {
    description: Option<String>,
    run_in_transaction: bool,
}

/// The keys `metadata.toml` may hold.
const METADATA_KEYS: [&str; 2] = ["run_in_transaction", "description"];

fn parse_metadata(path: &Path, text: &str, violations: &mut Vec<Violation>) -> Metadata {
    let mut metadata = Metadata {
        description: None,
        run_in_transaction: true,
    };
    let table = match text.parse::<toml::Table>() {
        Ok(table) => table,
        Err(error) => {
            let place = error.span().map_or_else(String::new, |span| {
                let (line, column) = line_column(text, span.start);
                format!(" at line {line}, column {column}")
            });
            violations.push(Violation::new(
                path,
                format!("invalid toml{place}: {}", error.message().trim()),
            ));
            return metadata;
        }
    };
    for (key, value) in &table {
        match (key.as_str(), value) {
            ("run_in_transaction", toml::Value::Boolean(value)) => {
                metadata.run_in_transaction = *value;
            }
            ("run_in_transaction", other) => {
                let hint = match other.as_str() {
                    Some(text @ ("true" | "false")) => {
                        format!("write `run_in_transaction = {text}` without quotes")
                    }
                    _ => "for example `run_in_transaction = false`".to_owned(),
                };
                violations.push(
                    Violation::new(
                        path,
                        format!(
                            "`run_in_transaction` must be a boolean (`true` or `false`), not {}",
                            with_article(other.type_str())
                        ),
                    )
                    .hint(hint),
                );
            }
            ("description", toml::Value::String(text)) => metadata.description = Some(text.clone()),
            ("description", other) => violations.push(
                Violation::new(
                    path,
                    format!(
                        "`description` must be a string, not {}",
                        with_article(other.type_str())
                    ),
                )
                .hint("for example `description = \"create the users table\"`"),
            ),
            (key, _) => {
                let hint = did_you_mean(key, &METADATA_KEYS);
                violations.push(
                    Violation::new(
                        path,
                        format!("unknown key `{key}` in metadata.toml: the known keys are `run_in_transaction` and `description`"),
                    )
                    .maybe_hint(hint),
                );
            }
        }
    }
    metadata
}

fn with_article(type_name: &str) -> String {
    let article = if type_name.starts_with(['a', 'e', 'i', 'o', 'u']) {
        "an"
    } else {
        "a"
    };
    format!("{article} {type_name}")
}

/// The 1-based line and column (in chars) of byte offset `at` in `text`.
fn line_column(text: &str, at: usize) -> (usize, usize) {
    let mut line = 1;
    let mut column = 1;
    for (offset, character) in text.char_indices() {
        if offset >= at {
            break;
        }
        if character == '\n' {
            line += 1;
            column = 1;
        } else {
            column += 1;
        }
    }
    (line, column)
}

/// The value of a version: its digits with separators and leading zeros dropped, compared
/// as a number by [`compare_numbers`]. `2024-01-05-135538` and `20240105135538` have the
/// same value; `0001` and `1` too.
fn version_number(version: &str) -> String {
    let digits: String = version.chars().filter(char::is_ascii_digit).collect();
    digits.trim_start_matches('0').to_owned()
}

/// Compares two [`version_number`]s as numbers.
fn compare_numbers(a: &str, b: &str) -> Ordering {
    a.len().cmp(&b.len()).then_with(|| a.cmp(b))
}

/// The separators of a version, in order: its shape, widths aside (`2024-01-05-135538`
/// has `---`, `20240105135538` none, `0001_2024` one `_`).
fn separators(version: &str) -> String {
    version.chars().filter(|c| !c.is_ascii_digit()).collect()
}

/// Checks the ids against each other: equal versions, versions in the wrong byte order,
/// ids equal but for case. Ids with invalid characters are left out (already reported).
fn check_ids(root: &Path, ids: &mut Vec<String>, violations: &mut Vec<Violation>) {
    ids.retain(|id| invalid_id_characters(id).is_none());
    ids.sort();
    // The widest group at each position, per shape, for the zero-padding hint.
    let mut widths: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (version, _) in ids.iter().filter_map(|id| split_version(id)) {
        let groups: Vec<usize> = version.split(['-', '_']).map(str::len).collect();
        let entry = widths
            .entry(separators(version))
            .or_insert_with(|| vec![0; groups.len()]);
        for (width, group) in entry.iter_mut().zip(groups) {
            *width = (*width).max(group);
        }
    }

    let mut first_by_number: BTreeMap<String, (&str, &str)> = BTreeMap::new();
    let mut first_by_lowercase: BTreeMap<String, &str> = BTreeMap::new();
    let mut greatest: Option<(String, &str, &str)> = None;
    for id in ids.iter() {
        let path = root.join(id);
        let lower = id.to_ascii_lowercase();
        let case_twin = first_by_lowercase.get(&lower).copied();
        first_by_lowercase.entry(lower).or_insert(id);

        if let Some((version, name)) = split_version(id) {
            let number = version_number(version);
            match first_by_number.get(&number) {
                Some(&(other, other_version)) if case_twin.is_none() => {
                    violations.push(same_version(&path, (id, version), (other, other_version)));
                }
                Some(_) => {}
                None => {
                    first_by_number.insert(number.clone(), (id, version));
                }
            }
            match &greatest {
                Some((max_number, max_id, max_version))
                    if compare_numbers(&number, max_number) == Ordering::Less =>
                {
                    let rule = format!(
                        "`{id}` runs after `{max_id}` (ids run in byte order), but its version `{version}` is smaller than `{max_version}`"
                    );
                    let hint = order_hint(version, name, max_version, &widths);
                    violations.push(Violation::new(&path, rule).hint(hint));
                }
                Some((max_number, _, _))
                    if compare_numbers(&number, max_number) != Ordering::Greater => {}
                _ => greatest = Some((number, id, version)),
            }
        }

        if let Some(twin) = case_twin {
            violations.push(
                Violation::new(
                    &path,
                    format!("`{id}` and `{twin}` differ only by case: they cannot both exist on case-insensitive file systems (macOS, Windows)"),
                )
                .hint("rename or merge one of them"),
            );
        }
    }
}

/// The violation for `id` whose version equals that of `other`, which sorts before it.
fn same_version(
    path: &Path,
    (id, version): (&str, &str),
    (other, other_version): (&str, &str),
) -> Violation {
    if other_version == version {
        Violation::new(
            path,
            format!(
                "version `{version}` is used by both `{other}` and `{id}`: each migration needs its own version"
            ),
        )
        .hint("give one of them the next free version")
    } else {
        let hint = if separators(version) == separators(other_version) {
            "give one of them the next free version".to_owned()
        } else {
            format!(
                "give one of them the next free version, and write every version in one shape{}",
                reshape(version, other_version)
                    .map(|example| format!(", for example `{example}` for `{version}`"))
                    .unwrap_or_default()
            )
        };
        Violation::new(
            path,
            format!(
                "version `{version}` of `{id}` equals version `{other_version}` of `{other}` (versions are compared by their digits, separators and leading zeros dropped): each migration needs its own version"
            ),
        )
        .hint(hint)
    }
}

/// The hint for `version` (of `<version>_<name>`), smaller than `max_version` but sorted
/// after it.
fn order_hint(
    version: &str,
    name: &str,
    max_version: &str,
    widths: &BTreeMap<String, Vec<usize>>,
) -> String {
    let (shape, max_shape) = (separators(version), separators(max_version));
    if shape == max_shape {
        let padded = pad_version(version, widths.get(&shape).map_or(&[][..], Vec::as_slice));
        return format!("zero-pad every version to the same width, for example `{padded}_{name}`");
    }
    let mut hint = format!(
        "versions are compared by their digits alone, separators dropped, so versions written in different shapes (`{version}`, `{max_version}`) run in the wrong order: write every version in one shape"
    );
    if let Some(example) = reshape(version, max_version) {
        hint = format!("{hint}, for example `{example}_{name}`");
    }
    // `0001_2024_report` has the version `0001_2024`.
    let longer = if shape.len() > max_shape.len() {
        &shape
    } else {
        &max_shape
    };
    if longer.ends_with('_') {
        hint.push_str("; a name whose first word is a number joins the version: start names with a letter (`0001_report_2024`, not `0001_2024_report`)");
    }
    hint
}

/// The digits of `version` written in the shape of `model` (its separators and group
/// widths), when they have as many digits.
fn reshape(version: &str, model: &str) -> Option<String> {
    let digits: Vec<char> = version.chars().filter(char::is_ascii_digit).collect();
    let model_digits = model.chars().filter(char::is_ascii_digit).count();
    if digits.len() != model_digits {
        return None;
    }
    let mut digits = digits.into_iter();
    let mut reshaped = String::with_capacity(model.len());
    for c in model.chars() {
        reshaped.push(if c.is_ascii_digit() {
            digits.next()?
        } else {
            c
        });
    }
    Some(reshaped)
}

/// `version` with each digit group left-padded with zeros to `widths` (at least 4 digits
/// when the version is a single group), keeping its separators.
fn pad_version(version: &str, widths: &[usize]) -> String {
    let single = !version.contains(['-', '_']);
    let mut padded = String::new();
    for (index, group) in version.split_inclusive(['-', '_']).enumerate() {
        let digits = group.trim_end_matches(['-', '_']);
        let mut width = widths.get(index).copied().unwrap_or(0);
        if single {
            width = width.max(4);
        }
        for _ in digits.len()..width {
            padded.push('0');
        }
        padded.push_str(group);
    }
    padded
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering as AtomicOrdering};

    /// A scratch folder under the system temp dir, removed on drop.
    struct Scratch {
        base: PathBuf,
    }

    impl Scratch {
        fn new() -> Self {
            static COUNTER: AtomicUsize = AtomicUsize::new(0);
            let base = std::env::temp_dir().join(format!(
                "switchy-grammar-{}-{}",
                std::process::id(),
                COUNTER.fetch_add(1, AtomicOrdering::Relaxed)
            ));
            let _ = fs::remove_dir_all(&base);
            fs::create_dir_all(base.join("m")).expect("create scratch folder");
            Self { base }
        }

        /// The migrations folder, `<base>/m`.
        fn root(&self) -> PathBuf {
            self.base.join("m")
        }

        /// Writes `<root>/<relative>`, creating its parent folders.
        fn file(&self, relative: &str, content: impl AsRef<[u8]>) -> &Self {
            let path = self.root().join(relative);
            fs::create_dir_all(path.parent().expect("a parent")).expect("create folders");
            fs::write(&path, content).expect("write file");
            self
        }

        /// Creates the folder `<root>/<relative>`.
        fn dir(&self, relative: &str) -> &Self {
            fs::create_dir_all(self.root().join(relative)).expect("create folder");
            self
        }

        fn scan(&self) -> Result<Vec<ScannedMigration>, Vec<Violation>> {
            scan(&self.root())
        }

        /// The violations as (path relative to `<root>`, rule, hint).
        fn violations(&self) -> Vec<(String, String, Option<String>)> {
            let violations = self.scan().expect_err("the folder should be rejected");
            violations
                .into_iter()
                .map(|violation| {
                    let relative = violation.path.strip_prefix(self.root()).map_or_else(
                        |_| violation.path.display().to_string(),
                        |path| path.display().to_string(),
                    );
                    (relative, violation.rule, violation.hint)
                })
                .collect()
        }

        /// The only violation.
        fn violation(&self) -> (String, String, Option<String>) {
            let mut violations = self.violations();
            assert_eq!(violations.len(), 1, "{violations:#?}");
            violations.remove(0)
        }

        fn ok(&self) -> Vec<ScannedMigration> {
            match self.scan() {
                Ok(migrations) => migrations,
                Err(violations) => panic!("unexpected violations: {violations:#?}"),
            }
        }
    }

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = fs::remove_dir_all(&self.base);
        }
    }

    fn ids(migrations: &[ScannedMigration]) -> Vec<&str> {
        migrations
            .iter()
            .map(|migration| migration.id.as_str())
            .collect()
    }

    fn names(files: &[ScannedFile]) -> Vec<String> {
        files
            .iter()
            .map(|file| {
                file.path
                    .file_name()
                    .expect("a name")
                    .to_string_lossy()
                    .into_owned()
            })
            .collect()
    }

    #[test]
    fn a_valid_folder_is_read_in_id_order() {
        let s = Scratch::new();
        s.file("README.md", "# migrations\n")
            .file("README", "notes\n")
            .file(".gitkeep", "")
            .file(".hidden/anything.txt", "ignored")
            .file("0002_posts/up.sql", "CREATE TABLE posts (id INT);\n")
            .file(
                "0002_posts/up.sqlite.sql",
                "CREATE TABLE posts (id INTEGER);\n",
            )
            .file(
                "0002_posts/up.postgres.sql",
                "CREATE TABLE posts (id SERIAL);\n",
            )
            .file(
                "0002_posts/up.mysql.sql",
                "CREATE TABLE posts (id INT AUTO_INCREMENT);\n",
            )
            .file("0002_posts/down.sql", "DROP TABLE posts;\n")
            .file(
                "0002_posts/down.postgres.sql",
                "DROP TABLE posts CASCADE;\n",
            )
            .file("0002_posts/README.md", "about posts\n")
            .file("0002_posts/.DS_Store", [0xff, 0x00])
            .file("0001_users/up.sql", "CREATE TABLE users (id INT);\n")
            .file("0001_users/down.sql", "DROP TABLE users;\n")
            .file(
                "0001_users/metadata.toml",
                "description = \"the users\"\nrun_in_transaction = false\n",
            )
            .file("0003_noop/up.sql", "");
        let migrations = s.ok();
        assert_eq!(ids(&migrations), ["0001_users", "0002_posts", "0003_noop"]);

        let users = &migrations[0];
        assert_eq!(users.description.as_deref(), Some("the users"));
        assert!(!users.run_in_transaction);
        assert_eq!(names(&users.up), ["up.sql"]);
        assert_eq!(users.up[0].content, "CREATE TABLE users (id INT);\n");
        assert_eq!(users.up[0].path, s.root().join("0001_users").join("up.sql"));
        assert_eq!(names(&users.down), ["down.sql"]);

        let posts = &migrations[1];
        assert_eq!(posts.description, None);
        assert!(posts.run_in_transaction);
        assert_eq!(
            names(&posts.up),
            ["up.sql", "up.mysql.sql", "up.postgres.sql", "up.sqlite.sql"]
        );
        assert_eq!(
            posts.up.iter().map(|file| file.dialect).collect::<Vec<_>>(),
            [None, Some("mysql"), Some("postgres"), Some("sqlite")]
        );
        assert_eq!(names(&posts.down), ["down.sql", "down.postgres.sql"]);
        assert_eq!(posts.down[1].dialect, Some("postgres"));

        let noop = &migrations[2];
        assert_eq!(noop.up[0].content, "");
        assert!(noop.down.is_empty(), "no down.sql: irreversible");
    }

    #[test]
    fn content_is_kept_byte_for_byte() {
        let s = Scratch::new();
        s.file(
            "0001_crlf/up.sql",
            "CREATE TABLE a (x INT);\r\nCREATE TABLE b (y INT);\r\n",
        )
        .file("0001_crlf/down.sql", "\u{feff}DROP TABLE a;\n");
        let migrations = s.ok();
        assert_eq!(
            migrations[0].up[0].content,
            "CREATE TABLE a (x INT);\r\nCREATE TABLE b (y INT);\r\n"
        );
        assert_eq!(migrations[0].down[0].content, "\u{feff}DROP TABLE a;\n");
    }

    #[test]
    fn split_version_takes_the_longest_version() {
        let cases: [(&str, Option<(&str, &str)>); 16] = [
            (
                "2024-01-05-135538_create_users",
                Some(("2024-01-05-135538", "create_users")),
            ),
            ("0001_init", Some(("0001", "init"))),
            ("1_a", Some(("1", "a"))),
            (
                "2024_01_05_135538_users",
                Some(("2024_01_05_135538", "users")),
            ),
            ("2024_01_05_users", Some(("2024_01_05", "users"))),
            ("0001_2fa", Some(("0001", "2fa"))),
            ("0001_2024_report", Some(("0001_2024", "report"))),
            ("0001_2024", Some(("0001", "2024"))),
            ("0001_2_", Some(("0001", "2_"))),
            ("0001__x", Some(("0001", "_x"))),
            ("2024-01_05_x", Some(("2024-01_05", "x"))),
            ("create_users", None),
            ("0001", None),
            ("0001_", None),
            ("0001-_init", None),
            ("01--02_init", None),
        ];
        for (id, expected) in cases {
            assert_eq!(split_version(id), expected, "{id}");
        }
        assert_eq!(split_version(""), None);
        assert_eq!(split_version("_0001_x"), None);
        assert_eq!(split_version("v1_init"), None);
        assert_eq!(split_version("١_arabic_digit"), None);
    }

    #[test]
    fn root_missing() {
        let s = Scratch::new();
        let missing = s.base.join("nope");
        let violations = scan(&missing).expect_err("missing");
        assert_eq!(violations.len(), 1);
        assert_eq!(violations[0].path, missing);
        assert_eq!(violations[0].rule, "the migrations folder does not exist");
    }

    #[test]
    fn root_is_a_file() {
        let s = Scratch::new();
        let file = s.base.join("file.sql");
        fs::write(&file, "").expect("write");
        let violations = scan(&file).expect_err("a file");
        assert_eq!(violations[0].path, file);
        assert_eq!(
            violations[0].rule,
            "the migrations folder is a file, not a folder"
        );
        assert_eq!(violations.len(), 1);
    }

    #[test]
    fn root_without_migrations() {
        let s = Scratch::new();
        let (path, rule, _) = s.violation();
        assert_eq!(
            (path.as_str(), rule.as_str()),
            ("", "the migrations folder holds no migrations")
        );

        s.file("README.md", "").file(".gitkeep", "").dir(".git");
        let (_, rule, hint) = s.violation();
        assert_eq!(rule, "the migrations folder holds no migrations");
        assert!(hint.expect("a hint").contains("0001_create_users/up.sql"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn non_utf8_names() {
        use std::ffi::OsStr;
        use std::os::unix::ffi::OsStrExt;

        let s = Scratch::new();
        s.file("0001_ok/up.sql", "");
        fs::create_dir(s.root().join(OsStr::from_bytes(b"0002_\xff"))).expect("create");
        fs::write(
            s.root()
                .join("0001_ok")
                .join(OsStr::from_bytes(b"up\xfe.sql")),
            "",
        )
        .expect("write");
        fs::write(s.root().join(OsStr::from_bytes(b".\xff")), "").expect("a dotfile is ignored");
        let violations = s.scan().expect_err("non-UTF-8 names");
        assert_eq!(violations.len(), 2, "{violations:#?}");
        assert_eq!(
            violations[0].path,
            s.root()
                .join("0001_ok")
                .join(OsStr::from_bytes(b"up\xfe.sql"))
        );
        assert_eq!(violations[0].rule, "the name is not valid UTF-8");
        assert_eq!(
            violations[1].path,
            s.root().join(OsStr::from_bytes(b"0002_\xff"))
        );
        assert_eq!(violations[1].rule, "the name is not valid UTF-8");
    }

    #[test]
    fn a_folder_without_up_sql() {
        let s = Scratch::new();
        s.dir("0001_empty");
        let (path, rule, hint) = s.violation();
        assert_eq!(path, "0001_empty");
        assert_eq!(
            rule,
            "missing `up.sql`: every migration needs one (it may be empty)"
        );
        assert_eq!(
            hint.as_deref(),
            Some("an empty `up.sql` is a recorded no-op on dialects without an override")
        );
    }

    #[test]
    fn an_up_override_without_up_sql_is_a_missing_up_sql() {
        let s = Scratch::new();
        s.file("0001_pg/up.postgres.sql", "SELECT 1;");
        let (path, rule, _) = s.violation();
        assert_eq!(path, "0001_pg");
        assert_eq!(
            rule,
            "missing `up.sql`: every migration needs one (it may be empty)"
        );
    }

    #[test]
    fn down_sql_without_up_sql() {
        let s = Scratch::new();
        s.file("0001_down_only/down.sql", "DROP TABLE t;");
        let (path, rule, _) = s.violation();
        assert_eq!(path, "0001_down_only");
        assert_eq!(
            rule,
            "missing `up.sql`: there is a `down.sql`, but every migration needs an `up.sql` (it may be empty)"
        );
    }

    fn unknown_file(name: &str) -> (String, String, Option<String>) {
        let s = Scratch::new();
        s.file("0001_a/up.sql", "")
            .file(&format!("0001_a/{name}"), "");
        let violation = s.violation();
        assert_eq!(violation.0, format!("0001_a/{name}"));
        violation
    }

    const UNKNOWN_FILE: &str = "unknown file in a migration folder: a migration holds `up.sql`, `down.sql`, `up.<dialect>.sql`, `down.<dialect>.sql` and `metadata.toml`";

    #[test]
    fn unknown_files_with_hints() {
        let cases = [
            ("Up.sql", "did you mean `up.sql`? names are case-sensitive"),
            (
                "DOWN.SQL",
                "did you mean `down.sql`? names are case-sensitive",
            ),
            ("up.sq", "did you mean `up.sql`?"),
            ("dwon.sql", "did you mean `down.sql`?"),
            ("metadata.yml", "did you mean `metadata.toml`?"),
            (
                "readme.md",
                "did you mean `README.md`? names are case-sensitive",
            ),
            (
                "up.sql.bak",
                "it looks like a copy of `up.sql`: delete it, or move it out of the migrations folder",
            ),
            (
                "up.postgres.sql~",
                "it looks like a copy of `up.postgres.sql`: delete it, or move it out of the migrations folder",
            ),
        ];
        for (name, hint) in cases {
            let (_, rule, found) = unknown_file(name);
            assert_eq!(rule, UNKNOWN_FILE, "{name}");
            assert_eq!(found.as_deref(), Some(hint), "{name}");
        }
        let (_, rule, hint) = unknown_file("notes.txt");
        assert_eq!(rule, UNKNOWN_FILE);
        assert_eq!(hint, None);
    }

    #[test]
    fn unknown_dialects() {
        let known = "the known dialects are `mysql`, `postgres` and `sqlite`";
        let (_, rule, hint) = unknown_file("up.oracle.sql");
        assert_eq!(rule, format!("unknown dialect `oracle`: {known}"));
        assert_eq!(hint, None);
        let cases = [
            ("down.postgre.sql", "postgre", "down.postgres.sql"),
            ("up.postgresql.sql", "postgresql", "up.postgres.sql"),
            ("up.pg.sql", "pg", "up.postgres.sql"),
            ("up.mariadb.sql", "mariadb", "up.mysql.sql"),
            ("up.sqlite3.sql", "sqlite3", "up.sqlite.sql"),
            ("up.Postgres.sql", "Postgres", "up.postgres.sql"),
            ("down.mysq.sql", "mysq", "down.mysql.sql"),
        ];
        for (name, suffix, meant) in cases {
            let (_, rule, hint) = unknown_file(name);
            assert_eq!(
                rule,
                format!("unknown dialect `{suffix}`: {known}"),
                "{name}"
            );
            assert_eq!(hint, Some(format!("did you mean `{meant}`?")), "{name}");
        }
        let (_, rule, hint) = unknown_file("up.sql.sql");
        assert_eq!(rule, format!("unknown dialect `sql`: {known}"));
        assert_eq!(hint, None);
    }

    #[test]
    fn a_down_override_needs_down_sql() {
        let s = Scratch::new();
        s.file("0001_a/up.sql", "")
            .file("0001_a/up.postgres.sql", "")
            .file("0001_a/down.postgres.sql", "")
            .file("0001_a/down.sqlite.sql", "");
        let violations = s.violations();
        assert_eq!(violations.len(), 2, "{violations:#?}");
        assert_eq!(violations[0].0, "0001_a/down.postgres.sql");
        assert_eq!(
            violations[0].1,
            "`down.postgres.sql` has no `down.sql`: a dialect override needs its base file, so that every dialect agrees on whether the migration can be rolled back"
        );
        assert!(
            violations[0]
                .2
                .as_deref()
                .unwrap_or_default()
                .contains("add a `down.sql`")
        );
        assert_eq!(violations[1].0, "0001_a/down.sqlite.sql");
    }

    #[test]
    fn transaction_control_in_a_transactional_migration() {
        let s = Scratch::new();
        s.file(
            "0001_a/up.sql",
            "-- setup\nBEGIN;\nCREATE TABLE a (id INT);\nCOMMIT;\n",
        )
        .file("0001_a/down.sql", "DROP TABLE a;\nCOMMIT WORK;\n")
        .file("0002_b/up.sql", "SELECT 1;")
        .file("0002_b/up.postgres.sql", "SELECT 1;\nEND;");
        let violations = s.violations();
        assert_eq!(violations.len(), 3, "{violations:#?}");
        assert_eq!(violations[0].0, "0001_a/up.sql");
        assert_eq!(
            violations[0].1,
            format!("`BEGIN` on line 2: {}", sql::TRANSACTION_CONTROL_RULE)
        );
        assert!(
            violations[0]
                .2
                .as_deref()
                .unwrap_or_default()
                .contains("`run_in_transaction = false` in metadata.toml")
        );
        assert_eq!(violations[1].0, "0001_a/down.sql");
        assert!(violations[1].1.starts_with("`COMMIT WORK` on line 2: "));
        assert_eq!(violations[2].0, "0002_b/up.postgres.sql");
        assert!(violations[2].1.starts_with("`END` on line 2: "));
    }

    #[test]
    fn transaction_control_outside_a_transaction_or_in_bodies_is_fine() {
        let s = Scratch::new();
        s.file(
            "0001_a/up.sql",
            "BEGIN;\nCREATE TABLE a (id INT);\nCOMMIT;\n",
        )
        .file("0001_a/metadata.toml", "run_in_transaction = false\n")
        // PostgreSQL syntax in a base file: read with SQLite's rules the `END` of the
        // `DO` block is a statement, but not with PostgreSQL's, so it is left to the
        // runner, which knows the database.
        .file("0002_b/up.sql", "DO $$ BEGIN PERFORM 1; END $$;")
        // Every dialect but SQLite has an override: the base file is read as SQLite.
        .file(
            "0003_c/up.sql",
            "CREATE TRIGGER t AFTER INSERT ON a BEGIN SELECT 1; END;",
        )
        .file("0003_c/up.mysql.sql", "SELECT 1;")
        .file("0003_c/up.postgres.sql", "SELECT 1;")
        .file(
            "0004_d/up.sql",
            "SAVEPOINT s; ROLLBACK TO SAVEPOINT s; RELEASE s;",
        );
        assert_eq!(ids(&s.ok()), ["0001_a", "0002_b", "0003_c", "0004_d"]);
    }

    #[test]
    fn each_file_records_the_dialects_that_found_no_transaction_control() {
        use sql::SqlDialect::{MySql, Postgres, Sqlite};
        let s = Scratch::new();
        s.file("0001_a/up.sql", "CREATE TABLE a (id INT);")
            .file("0001_a/down.sql", "DROP TABLE a;")
            // Clean on PostgreSQL only: the others read the `END` of the `DO` block.
            .file("0002_b/up.sql", "DO $$ BEGIN PERFORM 1; END $$;")
            // The base file runs on SQLite only; each override on its own dialect.
            .file("0003_c/up.sql", "SELECT 1;")
            .file("0003_c/up.mysql.sql", "SELECT 1;")
            .file("0003_c/up.postgres.sql", "SELECT 1;\nEND;")
            .file("0003_c/metadata.toml", "run_in_transaction = false\n")
            .file("0004_d/up.sql", "SELECT 1;")
            .file("0004_d/up.postgres.sql", "SELECT 2;");
        let migrations = s.ok();
        let recorded = |files: &[ScannedFile]| -> Vec<Vec<sql::SqlDialect>> {
            files
                .iter()
                .map(|file| file.no_transaction_control.clone())
                .collect()
        };
        assert_eq!(recorded(&migrations[0].up), [vec![MySql, Postgres, Sqlite]]);
        assert_eq!(
            recorded(&migrations[0].down),
            [vec![MySql, Postgres, Sqlite]]
        );
        assert_eq!(recorded(&migrations[1].up), [vec![Postgres]]);
        // Not checked outside a transaction, so nothing is vouched for.
        assert_eq!(recorded(&migrations[2].up), [vec![], vec![], vec![]]);
        assert_eq!(
            recorded(&migrations[3].up),
            [vec![MySql, Sqlite], vec![Postgres]]
        );
    }

    #[test]
    fn an_up_override_alone_is_fine() {
        let s = Scratch::new();
        s.file("0001_a/up.sql", "")
            .file("0001_a/up.postgres.sql", "SELECT 1;");
        let migrations = s.ok();
        assert_eq!(names(&migrations[0].up), ["up.sql", "up.postgres.sql"]);
        assert!(migrations[0].down.is_empty());
    }

    #[test]
    fn loose_files_at_the_top_level() {
        let s = Scratch::new();
        s.file("0001_a/up.sql", "")
            .file("0002_b.sql", "")
            .file("0003_c.up.sql", "")
            .file("0003_c.down.sql", "")
            .file("down.sql", "")
            .file("metadata.toml", "")
            .file("notes.txt", "")
            .file("readme.md", "")
            .file("stray.sql", "");
        let loose = "loose sql file at the top level: each migration is a folder named after its id, holding `up.sql`";
        let unknown = "unknown file at the top level: the migrations folder holds only migration folders, `README.md` and dotfiles";
        let expected = [
            ("0002_b.sql", loose, Some("move it to `0002_b/up.sql`")),
            (
                "0003_c.down.sql",
                loose,
                Some("move it to `0003_c/down.sql`"),
            ),
            ("0003_c.up.sql", loose, Some("move it to `0003_c/up.sql`")),
            (
                "down.sql",
                loose,
                Some(
                    "`down.sql` belongs in a migration folder, such as `0001_create_users/down.sql`",
                ),
            ),
            (
                "metadata.toml",
                unknown,
                Some(
                    "`metadata.toml` belongs in a migration folder, such as `0001_create_users/metadata.toml`",
                ),
            ),
            ("notes.txt", unknown, None),
            (
                "readme.md",
                unknown,
                Some("did you mean `README.md`? names are case-sensitive"),
            ),
            ("stray.sql", loose, Some("move it to `0001_stray/up.sql`")),
        ];
        let violations = s.violations();
        let found: Vec<(&str, &str, Option<&str>)> = violations
            .iter()
            .map(|(path, rule, hint)| (path.as_str(), rule.as_str(), hint.as_deref()))
            .collect();
        assert_eq!(found, expected);
    }

    #[test]
    fn nested_folders_are_unknown_entries() {
        let s = Scratch::new();
        s.file("0001_a/up.sql", "")
            .file("0001_a/0002_b/up.sql", "")
            .file("0001_a/sql/extra.sql", "")
            .file("0001_a/.idea/x", "")
            .file("0001_a/README.md", "");
        let violations = s.violations();
        let rule = "unexpected folder inside a migration folder: a migration holds only files";
        assert_eq!(
            violations,
            [
                (
                    "0001_a/0002_b".to_owned(),
                    rule.to_owned(),
                    Some("migrations are not nested: move it to the top level of the migrations folder".to_owned())
                ),
                (
                    "0001_a/sql".to_owned(),
                    rule.to_owned(),
                    Some("delete it, or move it out of the migrations folder".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn non_utf8_content() {
        let s = Scratch::new();
        s.file("0001_a/up.sql", b"SELECT 1;\nSELECT '\xe9';\n")
            .file("0001_a/down.sql", [0xff, 0xfe, b'D', 0])
            .file("0001_a/metadata.toml", b"description = \"\xff\"");
        let violations = s.violations();
        assert_eq!(
            violations,
            [
                (
                    "0001_a/down.sql".to_owned(),
                    "the file is not valid UTF-8 text (first invalid byte on line 1)".to_owned(),
                    Some("it looks like UTF-16: save it as UTF-8".to_owned())
                ),
                (
                    "0001_a/metadata.toml".to_owned(),
                    "the file is not valid UTF-8 text (first invalid byte on line 1)".to_owned(),
                    Some("save it as UTF-8".to_owned())
                ),
                (
                    "0001_a/up.sql".to_owned(),
                    "the file is not valid UTF-8 text (first invalid byte on line 2)".to_owned(),
                    Some("save it as UTF-8".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn ids_without_a_version() {
        let s = Scratch::new();
        s.file("create_users/up.sql", "")
            .file("0001/up.sql", "")
            .file("0002-_x/up.sql", "");
        let violations = s.violations();
        let rule = |id: &str| {
            format!(
                "the id `{id}` does not start with a version: an id is a version (digits, optionally separated by single `-` or `_`), then `_`, then a name"
            )
        };
        assert_eq!(
            violations,
            [
                (
                    "0001".to_owned(),
                    "the id `0001` has no name: an id is a version, then `_`, then a name"
                        .to_owned(),
                    Some("for example `0001_create_users`".to_owned())
                ),
                (
                    "0002-_x".to_owned(),
                    rule("0002-_x"),
                    Some(
                        "for example `0001_create_users` or `2024-01-05-135538_create_users`"
                            .to_owned()
                    )
                ),
                (
                    "create_users".to_owned(),
                    rule("create_users"),
                    Some("for example `0001_create_users`".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn version_formats_that_are_accepted() {
        let s = Scratch::new();
        for id in [
            "2024-01-05-135538_create_users",
            "2024-01-06-090000_create_posts",
            "2024-01-06-090001_2fa",
        ] {
            s.file(&format!("{id}/up.sql"), "");
        }
        assert_eq!(s.ok().len(), 3);

        let s = Scratch::new();
        for id in ["2024_01_05_135538_users", "2024_01_06_000000_posts"] {
            s.file(&format!("{id}/up.sql"), "");
        }
        assert_eq!(
            s.ok().len(),
            2,
            "underscore-separated dates are one version each"
        );
    }

    #[test]
    fn two_ids_with_the_same_version() {
        let s = Scratch::new();
        s.file("0001_a/up.sql", "")
            .file("0001_b/up.sql", "")
            .file("0001_c/up.sql", "")
            .file("02_x/up.sql", "")
            .file("2_y/up.sql", "");
        let hint = Some("give one of them the next free version".to_owned());
        assert_eq!(
            s.violations(),
            [
                (
                    "0001_b".to_owned(),
                    "version `0001` is used by both `0001_a` and `0001_b`: each migration needs its own version".to_owned(),
                    hint.clone()
                ),
                (
                    "0001_c".to_owned(),
                    "version `0001` is used by both `0001_a` and `0001_c`: each migration needs its own version".to_owned(),
                    hint.clone()
                ),
                (
                    "2_y".to_owned(),
                    "version `2` of `2_y` equals version `02` of `02_x` (versions are compared by their digits, separators and leading zeros dropped): each migration needs its own version".to_owned(),
                    hint
                ),
            ]
        );
    }

    #[test]
    fn version_widths_that_sort_wrongly() {
        let s = Scratch::new();
        s.file("1_a/up.sql", "")
            .file("10_b/up.sql", "")
            .file("2_c/up.sql", "");
        assert_eq!(
            s.violations(),
            [
                (
                    "1_a".to_owned(),
                    "`1_a` runs after `10_b` (ids run in byte order), but its version `1` is smaller than `10`".to_owned(),
                    Some("zero-pad every version to the same width, for example `0001_a`".to_owned())
                ),
                (
                    "2_c".to_owned(),
                    "`2_c` runs after `10_b` (ids run in byte order), but its version `2` is smaller than `10`".to_owned(),
                    Some("zero-pad every version to the same width, for example `0002_c`".to_owned())
                ),
            ]
        );

        let s = Scratch::new();
        s.file("2024_1_5_a/up.sql", "")
            .file("2024_01_10_b/up.sql", "");
        assert_eq!(
            s.violations(),
            [(
                "2024_1_5_a".to_owned(),
                "`2024_1_5_a` runs after `2024_01_10_b` (ids run in byte order), but its version `2024_1_5` is smaller than `2024_01_10`".to_owned(),
                Some("zero-pad every version to the same width, for example `2024_01_05_a`".to_owned())
            )]
        );

        // Zero-padded widths are fine, whatever the width.
        let s = Scratch::new();
        s.file("01_a/up.sql", "")
            .file("02_b/up.sql", "")
            .file("10_c/up.sql", "");
        assert_eq!(ids(&s.ok()), ["01_a", "02_b", "10_c"]);
    }

    #[test]
    fn a_name_starting_with_a_number_joins_the_version() {
        let s = Scratch::new();
        s.file("0001_init/up.sql", "")
            .file("0001_2024_report/up.sql", "");
        let (path, rule, hint) = s.violation();
        assert_eq!(path, "0001_init");
        assert_eq!(
            rule,
            "`0001_init` runs after `0001_2024_report` (ids run in byte order), but its version `0001` is smaller than `0001_2024`"
        );
        assert!(hint.expect("a hint").contains("start names with a letter"));
    }

    #[test]
    fn ids_that_differ_only_by_case() {
        let s = Scratch::new();
        s.file("0001_Users/up.sql", "")
            .file("0001_users/up.sql", "");
        assert_eq!(
            s.violations(),
            [(
                "0001_users".to_owned(),
                "`0001_users` and `0001_Users` differ only by case: they cannot both exist on case-insensitive file systems (macOS, Windows)".to_owned(),
                Some("rename or merge one of them".to_owned())
            )]
        );
    }

    fn metadata(text: &str) -> Result<ScannedMigration, Vec<(String, String, Option<String>)>> {
        let s = Scratch::new();
        s.file("0001_a/up.sql", "")
            .file("0001_a/metadata.toml", text);
        match s.scan() {
            Ok(mut migrations) => Ok(migrations.remove(0)),
            Err(_) => Err(s.violations()),
        }
    }

    #[test]
    fn metadata_keys() {
        let migration = metadata("").expect("empty metadata is fine");
        assert!(migration.run_in_transaction);
        assert_eq!(migration.description, None);

        let migration = metadata("run_in_transaction = true\n").expect("valid");
        assert!(migration.run_in_transaction);

        let migration =
            metadata("# diesel's only key\nrun_in_transaction = false\n").expect("valid");
        assert!(!migration.run_in_transaction);

        let migration = metadata("description = \"adds 'users'\"\r\n").expect("valid");
        assert_eq!(migration.description.as_deref(), Some("adds 'users'"));
    }

    #[test]
    fn invalid_toml() {
        let violations =
            metadata("description = \"a\"\nrun_in_transaction = \n").expect_err("invalid");
        assert_eq!(
            violations,
            [(
                "0001_a/metadata.toml".to_owned(),
                "invalid toml at line 2, column 22: string values must be quoted, expected literal string".to_owned(),
                None
            )]
        );
    }

    #[test]
    fn metadata_with_unknown_keys_and_wrong_types() {
        let violations = metadata(
            "run_in_transactions = false\ndescription = 3\nrun_in_transaction = \"false\"\n[table]\nx = 1\n",
        )
        .expect_err("invalid");
        let path = "0001_a/metadata.toml";
        let mut found: Vec<(&str, &str, Option<&str>)> = violations
            .iter()
            .map(|(path, rule, hint)| (path.as_str(), rule.as_str(), hint.as_deref()))
            .collect();
        // The key order depends on whether `toml` preserves document order.
        found.sort_unstable();
        assert_eq!(
            found,
            [
                (
                    path,
                    "`description` must be a string, not an integer",
                    Some("for example `description = \"create the users table\"`")
                ),
                (
                    path,
                    "`run_in_transaction` must be a boolean (`true` or `false`), not a string",
                    Some("write `run_in_transaction = false` without quotes")
                ),
                (
                    path,
                    "unknown key `run_in_transactions` in metadata.toml: the known keys are `run_in_transaction` and `description`",
                    Some("did you mean `run_in_transaction`?")
                ),
                (
                    path,
                    "unknown key `table` in metadata.toml: the known keys are `run_in_transaction` and `description`",
                    None
                ),
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn symlinks_are_followed() {
        use std::os::unix::fs::symlink;

        let s = Scratch::new();
        let elsewhere = s.base.join("elsewhere");
        fs::create_dir_all(elsewhere.join("0002_linked")).expect("create");
        fs::write(elsewhere.join("0002_linked/up.sql"), "SELECT 2;").expect("write");
        fs::write(elsewhere.join("shared_down.sql"), "SELECT 'down';").expect("write");
        s.file("0001_a/up.sql", "SELECT 1;");
        symlink(elsewhere.join("0002_linked"), s.root().join("0002_linked"))
            .expect("link a folder");
        symlink(
            elsewhere.join("shared_down.sql"),
            s.root().join("0001_a/down.sql"),
        )
        .expect("link a file");
        let link_to_root = s.base.join("root-link");
        symlink(s.root(), &link_to_root).expect("link the root");

        let migrations = scan(&link_to_root).expect("valid through links");
        assert_eq!(ids(&migrations), ["0001_a", "0002_linked"]);
        assert_eq!(migrations[0].down[0].content, "SELECT 'down';");
        assert_eq!(
            migrations[0].down[0].path,
            link_to_root.join("0001_a/down.sql")
        );
        assert_eq!(migrations[1].up[0].content, "SELECT 2;");

        symlink(s.base.join("missing"), s.root().join("0003_broken")).expect("link");
        symlink(
            s.base.join("missing.sql"),
            s.root().join("0001_a/up.postgres.sql"),
        )
        .expect("link");
        assert_eq!(
            s.violations(),
            [
                (
                    "0001_a/up.postgres.sql".to_owned(),
                    "`up.postgres.sql` is a broken symbolic link: its target does not exist"
                        .to_owned(),
                    Some(
                        "point the link at an existing file, or replace it with the file"
                            .to_owned()
                    )
                ),
                (
                    "0003_broken".to_owned(),
                    "broken symbolic link: its target does not exist".to_owned(),
                    None
                ),
            ]
        );
    }

    /// A folder that breaks many rules at once: every violation, in a stable order.
    #[test]
    fn every_violation_is_reported_in_a_stable_order() {
        let s = Scratch::new();
        s.file("README.md", "allowed")
            .file("0001_init/up.sql", "CREATE TABLE t (x INT);")
            .file("0001_init/Up.sql", "")
            .file("0001_init/down.postgres.sql", "")
            .file("0001_init/metadata.toml", "run_in_transaction = 'no'")
            .file("0002_users/down.sql", "")
            .file("10_late/up.sql", "")
            .file("3_early/up.sql", "")
            .file("3_Early/up.sql", "")
            .file("create_posts/up.sql", "")
            .file("create_posts/up.oracle.sql", "")
            .file("stray.sql", "");
        let found = s.violations();
        let found: Vec<(&str, &str)> = found
            .iter()
            .map(|(path, rule, _)| (path.as_str(), rule.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                ("0001_init/Up.sql", UNKNOWN_FILE),
                (
                    "0001_init/metadata.toml",
                    "`run_in_transaction` must be a boolean (`true` or `false`), not a string"
                ),
                (
                    "0001_init/down.postgres.sql",
                    "`down.postgres.sql` has no `down.sql`: a dialect override needs its base file, so that every dialect agrees on whether the migration can be rolled back"
                ),
                (
                    "0002_users",
                    "missing `up.sql`: there is a `down.sql`, but every migration needs an `up.sql` (it may be empty)"
                ),
                (
                    "create_posts",
                    "the id `create_posts` does not start with a version: an id is a version (digits, optionally separated by single `-` or `_`), then `_`, then a name"
                ),
                (
                    "create_posts/up.oracle.sql",
                    "unknown dialect `oracle`: the known dialects are `mysql`, `postgres` and `sqlite`"
                ),
                (
                    "stray.sql",
                    "loose sql file at the top level: each migration is a folder named after its id, holding `up.sql`"
                ),
                (
                    "3_Early",
                    "`3_Early` runs after `10_late` (ids run in byte order), but its version `3` is smaller than `10`"
                ),
                (
                    "3_early",
                    "`3_early` runs after `10_late` (ids run in byte order), but its version `3` is smaller than `10`"
                ),
                (
                    "3_early",
                    "`3_early` and `3_Early` differ only by case: they cannot both exist on case-insensitive file systems (macOS, Windows)"
                ),
            ]
        );
        // Scanning again gives the same list.
        assert_eq!(
            s.scan().expect_err("invalid"),
            s.scan().expect_err("invalid")
        );
    }

    #[test]
    fn violations_display_path_rule_and_hint() {
        let violation =
            Violation::new("m/0001_a/Up.sql", "unknown file").hint("did you mean `up.sql`?");
        assert_eq!(
            violation.to_string(),
            "m/0001_a/Up.sql: unknown file (did you mean `up.sql`?)"
        );
        assert_eq!(
            Violation::new("m", "no migrations").to_string(),
            "m: no migrations"
        );
    }

    #[test]
    fn edit_distances() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("up.sql", "up.sql"), 0);
        assert_eq!(edit_distance("up.sq", "up.sql"), 1);
        assert_eq!(edit_distance("dwon.sql", "down.sql"), 2);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("abc", ""), 3);
    }

    #[test]
    fn versions_compare_by_their_digits_as_numbers() {
        let cmp = |a: &str, b: &str| compare_numbers(&version_number(a), &version_number(b));
        assert_eq!(cmp("2", "10"), Ordering::Less);
        assert_eq!(cmp("01", "1"), Ordering::Equal);
        assert_eq!(cmp("0", "000"), Ordering::Equal);
        assert_eq!(cmp("2024-01-05", "2024_01_05"), Ordering::Equal);
        assert_eq!(cmp("2024-01-05-135538", "20240105135538"), Ordering::Equal);
        assert_eq!(
            cmp("2024-01-03-000000", "20240102000000"),
            Ordering::Greater
        );
        // Digits, not groups: `2024_1_5` is 202415.
        assert_eq!(cmp("2024_1_5", "2024_01_05"), Ordering::Less);
        assert_eq!(cmp("0001", "0001_2024"), Ordering::Less);
        assert_eq!(cmp("0002", "0001_2024"), Ordering::Less);
        assert_eq!(
            cmp("99999999999999999999999", "100000000000000000000000"),
            Ordering::Less
        );
        assert_eq!(pad_version("2", &[2]), "0002");
        assert_eq!(pad_version("12345", &[5]), "12345");
        assert_eq!(pad_version("2024-1-5", &[4, 2, 2]), "2024-01-05");
        assert_eq!(
            reshape("20240102000000", "2024-01-03-000000").as_deref(),
            Some("2024-01-02-000000")
        );
        assert_eq!(reshape("2024-01-02", "20240103000000"), None);
    }

    #[test]
    fn versions_of_different_shapes() {
        // January 3 sorts before January 2: `-` sorts before every digit.
        let s = Scratch::new();
        s.file("2024-01-03-000000_a/up.sql", "")
            .file("20240102000000_b/up.sql", "");
        let (path, rule, hint) = s.violation();
        assert_eq!(path, "20240102000000_b");
        assert_eq!(
            rule,
            "`20240102000000_b` runs after `2024-01-03-000000_a` (ids run in byte order), but its version `20240102000000` is smaller than `2024-01-03-000000`"
        );
        assert_eq!(
            hint.as_deref(),
            Some(
                "versions are compared by their digits alone, separators dropped, so versions written in different shapes (`20240102000000`, `2024-01-03-000000`) run in the wrong order: write every version in one shape, for example `2024-01-02-000000_b`"
            )
        );

        // The same instant in two shapes is one version.
        let s = Scratch::new();
        s.file("2024-01-01-000000_a/up.sql", "")
            .file("20240101000000_b/up.sql", "");
        let (path, rule, hint) = s.violation();
        assert_eq!(path, "20240101000000_b");
        assert_eq!(
            rule,
            "version `20240101000000` of `20240101000000_b` equals version `2024-01-01-000000` of `2024-01-01-000000_a` (versions are compared by their digits, separators and leading zeros dropped): each migration needs its own version"
        );
        assert_eq!(
            hint.as_deref(),
            Some(
                "give one of them the next free version, and write every version in one shape, for example `2024-01-01-000000` for `20240101000000`"
            )
        );

        // Different shapes whose byte order agrees with their digits are accepted.
        let s = Scratch::new();
        s.file("2024-01-03-000000_a/up.sql", "")
            .file("20240104000000_b/up.sql", "")
            .file("2024_01_05_000000_c/up.sql", "");
        assert_eq!(
            ids(&s.ok()),
            [
                "2024-01-03-000000_a",
                "20240104000000_b",
                "2024_01_05_000000_c"
            ]
        );
    }

    #[test]
    fn a_name_starting_with_a_number_before_a_later_version() {
        let s = Scratch::new();
        s.file("0001_2024_report/up.sql", "")
            .file("0002_users/up.sql", "");
        let (path, rule, hint) = s.violation();
        assert_eq!(path, "0002_users");
        assert_eq!(
            rule,
            "`0002_users` runs after `0001_2024_report` (ids run in byte order), but its version `0002` is smaller than `0001_2024`"
        );
        assert!(hint.expect("a hint").ends_with(
            "a name whose first word is a number joins the version: start names with a letter (`0001_report_2024`, not `0001_2024_report`)"
        ));
    }

    #[test]
    fn invalid_id_characters_rule() {
        for id in ["0001_a", "1_a b", "0001_café", "2024-01-05-135538_x"] {
            assert_eq!(invalid_id_characters(id), None, "{id:?}");
        }
        let cases = [
            ("", "it is empty"),
            ("0001_a ", "it ends with whitespace"),
            ("0001_a\u{a0}", "it ends with whitespace"),
            (" 0001_a", "it starts with whitespace"),
            ("0001_a\n", "it holds the control character '\\n' (U+000A)"),
            ("0001\t_a", "it holds the control character '\\t' (U+0009)"),
            ("0001_\0a", "it holds the control character '\\0' (U+0000)"),
            (
                "0001_\u{7f}",
                "it holds the control character '\\u{7f}' (U+007F)",
            ),
        ];
        for (id, reason) in cases {
            assert_eq!(invalid_id_characters(id).as_deref(), Some(reason), "{id:?}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn ids_with_whitespace_or_control_characters() {
        let s = Scratch::new();
        s.file("0001_a/up.sql", "")
            .file("0001_a /up.sql", "")
            .file(" 0002_b/up.sql", "")
            .file("0003_c\td/up.sql", "")
            .file("0004_d\n/up.sql", "");
        let rule = |id: &str, reason: &str| {
            format!(
                "the id {id} is not a valid id: {reason}; an id may not start or end with whitespace, nor hold control characters"
            )
        };
        let control = "rename the folder without control characters".to_owned();
        assert_eq!(
            s.violations(),
            [
                (
                    " 0002_b".to_owned(),
                    rule("\" 0002_b\"", "it starts with whitespace"),
                    Some("rename the folder to `0002_b`".to_owned())
                ),
                (
                    "0001_a ".to_owned(),
                    rule("\"0001_a \"", "it ends with whitespace"),
                    Some("rename the folder to `0001_a`".to_owned())
                ),
                (
                    "0003_c\td".to_owned(),
                    rule(
                        "\"0003_c\\td\"",
                        "it holds the control character '\\t' (U+0009)"
                    ),
                    Some(control.clone())
                ),
                (
                    "0004_d\n".to_owned(),
                    rule(
                        "\"0004_d\\n\"",
                        "it holds the control character '\\n' (U+000A)"
                    ),
                    Some("rename the folder to `0004_d`".to_owned())
                ),
            ],
            "no second violation for `0001_a ` sharing the version of `0001_a`"
        );
        let violations = s.scan().expect_err("invalid");
        let shown = violations
            .iter()
            .find(|violation| violation.path.ends_with("0001_a "))
            .expect("reported")
            .to_string();
        assert!(
            shown.starts_with(&format!("{:?}: the id", s.root().join("0001_a "))),
            "the path is quoted: {shown}"
        );
    }

    #[test]
    fn a_lone_readme_folder_holds_no_migrations() {
        let s = Scratch::new();
        s.file("README/notes.md", "");
        let (path, rule, _) = s.violation();
        assert_eq!(
            (path.as_str(), rule.as_str()),
            ("", "the migrations folder holds no migrations")
        );
        // Beside a migration, a README folder is ignored.
        s.file("0001_a/up.sql", "").file("0001_a/README/x", "");
        assert_eq!(ids(&s.ok()), ["0001_a"]);
    }

    #[test]
    fn an_up_sql_folder_is_reported_once() {
        let s = Scratch::new();
        s.dir("0001_a/up.sql").file("0001_a/down.sql", "");
        s.dir("0002_b/down.sql").file("0002_b/up.sql", "");
        s.dir("0003_c/metadata.toml").file("0003_c/up.sql", "");
        let folder = |name: &str| {
            (
                format!("`{name}` is a folder, not a file"),
                Some(format!("replace it with a file named `{name}`")),
            )
        };
        let expected: Vec<(String, String, Option<String>)> = [
            ("0001_a/up.sql", "up.sql"),
            ("0002_b/down.sql", "down.sql"),
            ("0003_c/metadata.toml", "metadata.toml"),
        ]
        .into_iter()
        .map(|(path, name)| {
            let (rule, hint) = folder(name);
            (path.to_owned(), rule, hint)
        })
        .collect();
        assert_eq!(s.violations(), expected);
    }

    #[cfg(unix)]
    #[test]
    fn unusable_up_sql_entries_are_reported_once() {
        use std::os::unix::fs::symlink;

        let s = Scratch::new();
        s.dir("0001_link")
            .dir("0002_fifo")
            .file("0002_fifo/down.sql", "");
        symlink(
            s.base.join("missing.sql"),
            s.root().join("0001_link/up.sql"),
        )
        .expect("link");
        let status = std::process::Command::new("mkfifo")
            .arg(s.root().join("0002_fifo/up.sql"))
            .status()
            .expect("run mkfifo");
        assert!(status.success());
        // Never read: reading a FIFO would block.
        assert_eq!(
            s.violations(),
            [
                (
                    "0001_link/up.sql".to_owned(),
                    "`up.sql` is a broken symbolic link: its target does not exist".to_owned(),
                    Some(
                        "point the link at an existing file, or replace it with the file"
                            .to_owned()
                    )
                ),
                (
                    "0002_fifo/up.sql".to_owned(),
                    "`up.sql` is not a regular file (a FIFO, a socket or a device)".to_owned(),
                    Some("replace it with a file named `up.sql`".to_owned())
                ),
            ]
        );
    }

    #[test]
    fn names_with_whitespace_are_shown_quoted() {
        let (path, rule, hint) = unknown_file("up.sql ");
        assert_eq!(path, "0001_a/up.sql ");
        assert_eq!(rule, UNKNOWN_FILE);
        assert_eq!(
            hint.as_deref(),
            Some(
                "did you mean `up.sql`? the name \"up.sql \" has whitespace or control characters at its start or end"
            )
        );
        let (_, _, hint) = unknown_file(" down.sql");
        assert!(
            hint.expect("a hint")
                .starts_with("did you mean `down.sql`?")
        );

        assert_eq!(quoted("up.sql"), "`up.sql`");
        assert_eq!(quoted("create users"), "`create users`");
        assert_eq!(quoted("up.sql "), "\"up.sql \"");
        assert_eq!(quoted("a\u{3000}b"), "\"a\\u{3000}b\"");
        assert_eq!(
            display_path(Path::new("m/0001_a/up.sql")),
            "m/0001_a/up.sql"
        );
        assert_eq!(
            display_path(Path::new("m/0001_a /up.sql")),
            "\"m/0001_a /up.sql\""
        );
        assert_eq!(
            display_path(Path::new("m/0001_a/up.sql\n")),
            "\"m/0001_a/up.sql\\n\""
        );
        assert_eq!(
            Violation::new("m/up.sql ", "unknown file").to_string(),
            "\"m/up.sql \": unknown file"
        );
    }
}
