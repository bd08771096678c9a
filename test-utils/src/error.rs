//! [`Error`]: what every helper of this crate returns.

use std::fmt;

use switchy_schema::DatabaseError;

use crate::data::DataDiff;
use crate::diff::SchemaDiff;

/// The error type of user closures and of [`Executable`](switchy_schema::code::Executable)
/// mutations: anything that converts with `?` (a [`DatabaseError`], a
/// [`switchy_schema::Error`], a `String`, ...).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The result of this crate's helpers.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Everything a helper of this crate can report.
///
/// Messages are lowercase and self-contained: each names the step that failed (which
/// migration, which closure) and prints the underlying error, which is therefore not also
/// returned by `source()`.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// Applying or rolling back migrations failed.
    Migration {
        /// What the helper was doing: `applying \`0002_posts\``, `rolling back \`0002_posts\``.
        step: String,
        /// The runner's error (boxed: it is large).
        error: Box<switchy_schema::Error>,
    },
    /// A query of the helper itself (introspection, a count) failed.
    Database {
        /// What the helper was doing.
        context: String,
        /// The database's error (boxed: it is large).
        error: Box<DatabaseError>,
    },
    /// A step did not restore the schema it should have: the round-trip proof failed.
    SchemaMismatch {
        /// Which step: `rolling back \`0002_index\``.
        step: String,
        /// What differs, one line per difference.
        diff: SchemaDiff,
    },
    /// Data seeded before the migrations did not survive their up/down cycle.
    DataMismatch {
        /// Which step.
        step: String,
        /// What differs, table by table.
        diff: DataDiff,
    },
    /// A migration id given to a helper is not in the migration source.
    UnknownMigration {
        /// The unknown id.
        id: String,
        /// What the helper was given it for: `with_data_before`, a mutation, ...
        given_to: String,
        /// The ids of the source, in order.
        known: Vec<String>,
    },
    /// A closure or mutation written by the test failed.
    Step {
        /// Which one: `with_data_before(\`0003_artwork\`) #1`.
        step: String,
        /// Its error.
        error: BoxError,
    },
    /// An assertion helper found something else than expected; the message says what it
    /// found.
    Assertion(String),
    /// A table, column or schema name given to a helper cannot be used as an identifier.
    InvalidIdentifier {
        /// The name as given.
        name: String,
        /// Why it is rejected.
        reason: &'static str,
    },
    /// A fresh server database could not be created or reached.
    Server(String),
    /// The helper cannot do this on this database or with these migrations.
    Unsupported(String),
}

impl Error {
    pub(crate) fn database(context: impl Into<String>, error: DatabaseError) -> Self {
        Error::Database {
            context: context.into(),
            error: Box::new(error),
        }
    }

    pub(crate) fn migration(step: impl Into<String>, error: switchy_schema::Error) -> Self {
        Error::Migration {
            step: step.into(),
            error: Box::new(error),
        }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Migration { step, error } => write!(f, "{step}: {error}"),
            Error::Database { context, error } => write!(f, "{context}: {error}"),
            Error::SchemaMismatch { step, diff } => {
                write!(f, "{step} did not restore the schema:\n{diff}")
            }
            Error::DataMismatch { step, diff } => {
                write!(f, "{step} did not preserve the data:\n{diff}")
            }
            Error::UnknownMigration {
                id,
                given_to,
                known,
            } => {
                write!(
                    f,
                    "unknown migration `{id}` given to {given_to}; the source has "
                )?;
                if known.is_empty() {
                    f.write_str("no migrations")
                } else {
                    f.write_str(&crate::list(known))
                }
            }
            Error::Step { step, error } => write!(f, "{step} failed: {error}"),
            Error::Assertion(message) | Error::Server(message) | Error::Unsupported(message) => {
                f.write_str(message)
            }
            Error::InvalidIdentifier { name, reason } => {
                write!(f, "invalid identifier {name:?}: {reason}")
            }
        }
    }
}

impl std::error::Error for Error {}
