//! The tracking table: creating, upgrading, reading and writing it.
//!
//! Layout (compatible with switchy_schema 0.4's `__switchy_migrations`):
//!
//! | column | type | meaning |
//! |---|---|---|
//! | `id` | text, primary key (new tables) | the migration id |
//! | `run_on` | timestamp, UTC | when it started |
//! | `finished_on` | timestamp, UTC, nullable | when it finished |
//! | `up_checksum` | varchar(64) | lowercase hex SHA-256 of the up file |
//! | `down_checksum` | varchar(64) | lowercase hex SHA-256 of the down file |
//! | `status` | text | `in_progress`, `completed` or `failed` |
//! | `failure_reason` | text, nullable | the error of a `failed` row |

use std::sync::OnceLock;

use crate::database::{Database, Dialect, Row, Value};
use crate::error::{DatabaseError, Error, Result};
use crate::ident::TableName;
use crate::migration::{Migration, MigrationInfo, MigrationStatus};
use crate::plan::{TrackedRow, UNKNOWN_CHECKSUM};
use crate::text_sink::TextSink;
use crate::timestamps::Clock;

/// The columns of a current tracking table.
const COLUMNS: [&str; 7] = [
    "id",
    "run_on",
    "finished_on",
    "up_checksum",
    "down_checksum",
    "status",
    "failure_reason",
];

/// What an existing table looks like.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum TableShape {
    Missing,
    Current,
    /// An older layout that can be upgraded in place.
    Legacy {
        has_id: bool,
        columns: Vec<String>,
    },
}

/// One column of an existing table, as the database describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct ColumnInfo {
    /// Lowercase.
    pub name: String,
    pub data_type: Option<String>,
    pub default: Option<String>,
}

/// The tracking table of one runner, for one dialect.
#[derive(Debug, Clone)]
pub(crate) struct Tracker {
    table: TableName,
    quoted: String,
    dialect: Dialect,
    /// How timestamps are written: learnt from the table by [`Tracker::ensure`], which every
    /// writing operation calls first; the dialect's default until then.
    clock: OnceLock<Clock>,
    /// Set once this runner holds a migration lock that every other runner of the table
    /// takes first (see [`Tracker::is_exclusive`]).
    exclusive: OnceLock<()>,
}

impl Tracker {
    pub(crate) fn new(table: &str, dialect: Dialect) -> Result<Self> {
        let table = TableName::parse(table)?;
        let quoted = table.quoted(dialect);
        Ok(Self {
            table,
            quoted,
            dialect,
            clock: OnceLock::new(),
            exclusive: OnceLock::new(),
        })
    }

    /// Records that this runner now holds the table's migration lock.
    pub(crate) fn set_exclusive(&self) {
        let _ = self.exclusive.set(());
    }

    /// Whether this runner holds a migration lock that every other runner of the table
    /// takes before it reads a plan or writes a row: the PostgreSQL advisory lock, MySQL's
    /// `GET_LOCK`, or on a SQLite database file the OS lock on its sidecar file (see
    /// [`crate::lock`]). Then nobody else is between writing `in_progress` and its
    /// outcome, and the rows read under the lock stay as read until this runner changes
    /// them. `false` on an in-memory SQLite database, which has no file to lock.
    pub(crate) fn is_exclusive(&self) -> bool {
        self.exclusive.get().is_some()
    }

    pub(crate) fn table(&self) -> &TableName {
        &self.table
    }

    fn p(&self, index: usize) -> String {
        self.dialect.placeholder(index)
    }

    /// The SQL expression for "now" in the table's own convention (see [`Clock`]).
    fn now(&self) -> &str {
        self.clock
            .get_or_init(|| Clock::default_for(self.dialect))
            .sql()
    }

    fn timestamp_as_text(&self, column: &str) -> String {
        match self.dialect {
            Dialect::Sqlite => format!("CAST({column} AS TEXT) AS {column}"),
            Dialect::Postgres => format!("to_char({column}, 'YYYY-MM-DD HH24:MI:SS') AS {column}"),
            Dialect::MySql => format!("DATE_FORMAT({column}, '%Y-%m-%d %H:%i:%s') AS {column}"),
        }
    }

    /// What breaks ties between rows with the same `run_on`.
    fn insertion_order(&self) -> &'static str {
        match self.dialect {
            Dialect::Sqlite => "rowid",
            Dialect::Postgres | Dialect::MySql => "id",
        }
    }

    fn context(&self, what: &str) -> String {
        format!("{what} the tracking table `{}`", self.table)
    }

    /// The table's columns, empty when it does not exist.
    pub(crate) async fn columns(&self, db: &dyn Database) -> Result<Vec<ColumnInfo>> {
        let table = Value::from(self.table.name());
        let schema = Value::from(self.table.schema().map(str::to_owned));
        let rows = match self.dialect {
            Dialect::Sqlite => {
                let sql = "SELECT name, type, dflt_value FROM pragma_table_info(?, ?)";
                let schema = Value::from(self.table.schema().unwrap_or("main"));
                db.query(sql, &[table, schema]).await
            }
            Dialect::Postgres => {
                let sql = "SELECT column_name::text AS name, data_type::text AS type, \
                           column_default::text AS dflt_value FROM information_schema.columns \
                           WHERE table_schema = COALESCE($1::text, current_schema()) AND table_name = $2::text";
                db.query(sql, &[schema, table]).await
            }
            Dialect::MySql => {
                let sql = "SELECT CAST(column_name AS CHAR) AS name, CAST(data_type AS CHAR) AS type, \
                           CAST(column_default AS CHAR) AS dflt_value FROM information_schema.columns \
                           WHERE table_schema = COALESCE(?, DATABASE()) AND table_name = ?";
                db.query(sql, &[schema, table]).await
            }
        }
        .map_err(|e| Error::database(self.context("inspecting"), e))?;
        let text = |row: &Row, index: usize| {
            row.get_index(index)
                .and_then(Value::as_str)
                .map(str::to_owned)
        };
        Ok(rows
            .iter()
            .filter_map(|row| {
                Some(ColumnInfo {
                    name: text(row, 0)?.to_ascii_lowercase(),
                    data_type: text(row, 1),
                    default: text(row, 2),
                })
            })
            .collect())
    }

    pub(crate) async fn shape(&self, db: &dyn Database) -> Result<TableShape> {
        let columns = self.columns(db).await?;
        self.shape_of(&columns)
    }

    fn shape_of(&self, columns: &[ColumnInfo]) -> Result<TableShape> {
        if columns.is_empty() {
            return Ok(TableShape::Missing);
        }
        let has = |name: &str| columns.iter().any(|c| c.name == name);
        if COLUMNS.iter().all(|c| has(c)) {
            return Ok(TableShape::Current);
        }
        if has("run_on") && (has("id") || has("name")) {
            return Ok(TableShape::Legacy {
                has_id: has("id"),
                columns: columns.iter().map(|c| c.name.clone()).collect(),
            });
        }
        Err(Error::IncompatibleTrackingTable {
            table: self.table.to_string(),
            columns: columns
                .iter()
                .map(|c| c.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    }

    /// Learns how an existing table writes its timestamps (see [`Clock`]).
    async fn learn_clock(&self, db: &dyn Database, columns: &[ColumnInfo]) -> Result<Clock> {
        let column = |name: &str| columns.iter().find(|c| c.name == name);
        Ok(match self.dialect {
            Dialect::Sqlite => {
                let default = column("run_on").and_then(|c| c.default.as_deref());
                // A `strftime` default states the layout; otherwise the rows show it.
                let newest = if default.is_some_and(|d| d.contains("strftime(")) {
                    None
                } else {
                    let sql = format!(
                        "SELECT CAST(max(run_on) AS TEXT) AS newest FROM {}",
                        self.quoted
                    );
                    let rows = db
                        .query(&sql, &[])
                        .await
                        .map_err(|e| Error::database(self.context("reading"), e))?;
                    rows.first()
                        .and_then(|row| row.get_str("newest"))
                        .map(str::to_owned)
                };
                Clock::for_sqlite(default, newest.as_deref())
            }
            Dialect::Postgres => {
                Clock::for_postgres(column("run_on").and_then(|c| c.data_type.as_deref()))
            }
            Dialect::MySql => Clock::for_mysql(column("id").and_then(|c| c.data_type.as_deref())),
        })
    }

    fn create_sql(&self) -> String {
        let t = &self.quoted;
        match self.dialect {
            Dialect::Sqlite => format!(
                "CREATE TABLE IF NOT EXISTS {t} (id TEXT NOT NULL PRIMARY KEY, \
                 run_on DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, finished_on DATETIME, \
                 up_checksum VARCHAR(64) NOT NULL, down_checksum VARCHAR(64) NOT NULL, \
                 status TEXT NOT NULL, failure_reason TEXT)"
            ),
            Dialect::Postgres => format!(
                "CREATE TABLE IF NOT EXISTS {t} (id TEXT NOT NULL PRIMARY KEY, \
                 run_on TIMESTAMP NOT NULL DEFAULT (now() AT TIME ZONE 'UTC'), finished_on TIMESTAMP, \
                 up_checksum VARCHAR(64) NOT NULL, down_checksum VARCHAR(64) NOT NULL, \
                 status TEXT NOT NULL, failure_reason TEXT)"
            ),
            Dialect::MySql => format!(
                "CREATE TABLE IF NOT EXISTS {t} (id VARCHAR(255) CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NOT NULL PRIMARY KEY, \
                 run_on DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, finished_on DATETIME NULL, \
                 up_checksum VARCHAR(64) NOT NULL, down_checksum VARCHAR(64) NOT NULL, \
                 status VARCHAR(32) NOT NULL, failure_reason TEXT NULL)"
            ),
        }
    }

    /// The statements that bring a legacy table up to date, keeping its rows.
    fn upgrade_sql(&self, has_id: bool, columns: &[String]) -> Vec<String> {
        let t = &self.quoted;
        let has = |name: &str| columns.iter().any(|c| c == name);
        let timestamp = match self.dialect {
            Dialect::Sqlite | Dialect::MySql => "DATETIME",
            Dialect::Postgres => "TIMESTAMP",
        };
        let status_type = match self.dialect {
            Dialect::MySql => "VARCHAR(32)",
            Dialect::Sqlite | Dialect::Postgres => "TEXT",
        };
        let mut statements = Vec::new();
        if !has_id {
            statements.push(format!("ALTER TABLE {t} RENAME COLUMN name TO id"));
        }
        let additions = [
            ("finished_on", format!("{timestamp} NULL")),
            (
                "up_checksum",
                format!("VARCHAR(64) NOT NULL DEFAULT '{UNKNOWN_CHECKSUM}'"),
            ),
            (
                "down_checksum",
                format!("VARCHAR(64) NOT NULL DEFAULT '{UNKNOWN_CHECKSUM}'"),
            ),
            (
                "status",
                format!("{status_type} NOT NULL DEFAULT 'completed'"),
            ),
            ("failure_reason", "TEXT NULL".to_owned()),
        ];
        for (name, definition) in additions {
            if !has(name) {
                statements.push(format!("ALTER TABLE {t} ADD COLUMN {name} {definition}"));
            }
        }
        statements
    }

    /// Creates the table, or upgrades a legacy one in place (in one transaction where the
    /// database allows DDL in transactions, unless `db` already is one). Call with the
    /// migration lock held.
    pub(crate) async fn ensure(&self, db: &dyn Database, in_transaction: bool) -> Result<()> {
        let columns = self.columns(db).await?;
        match self.shape_of(&columns)? {
            TableShape::Current => {}
            TableShape::Missing => {
                return db
                    .exec_raw(&self.create_sql())
                    .await
                    .map_err(|e| Error::database(self.context("creating"), e));
            }
            TableShape::Legacy { has_id, columns } => {
                let statements = self.upgrade_sql(has_id, &columns);
                let fail = |e: DatabaseError| Error::database(self.context("upgrading"), e);
                if self.dialect.has_transactional_ddl() && !in_transaction {
                    let tx = db.begin_transaction().await.map_err(fail)?;
                    for statement in &statements {
                        tx.exec_raw(statement).await.map_err(fail)?;
                    }
                    tx.commit().await.map_err(fail)?;
                } else {
                    for statement in &statements {
                        db.exec_raw(statement).await.map_err(fail)?;
                    }
                }
            }
        }
        // An existing table keeps its own timestamp convention.
        let clock = self.learn_clock(db, &columns).await?;
        let _ = self.clock.set(clock);
        Ok(())
    }

    /// Every row, with what planning needs, in order of application: by `run_on`, ties
    /// in the order the rows were written on SQLite (its `rowid`), by id elsewhere. Fails
    /// when the table is missing or old.
    pub(crate) async fn read(&self, db: &dyn Database) -> Result<Vec<TrackedRow>, DatabaseError> {
        let sql = format!(
            "SELECT id, status, up_checksum, down_checksum, failure_reason FROM {} ORDER BY run_on, {}",
            self.quoted,
            self.insertion_order()
        );
        let rows = db.query(&sql, &[]).await?;
        Ok(rows.iter().map(tracked_row).collect())
    }

    /// What the no-op start-up needs (id, status, up checksum of every row), in one
    /// statement sent in one round trip, each value handed to `sink` as text as it is read
    /// (the runner's sink is an [`UpToDateCheck`](crate::up_to_date::UpToDateCheck)).
    ///
    /// A plain read of the three columns: the server does nothing the application's own
    /// first query would not do. Aggregating the rows into one text on the server costs
    /// more: a fresh PostgreSQL backend looks up every function, operator and aggregate of
    /// a statement in catalogs it has not cached yet (`string_agg`, `||`: about 0.9 ms
    /// measured with psql on a fresh session), MariaDB's `GROUP_CONCAT` of a thousand
    /// entries takes about 1 ms more than reading the rows, and SQLite's `group_concat`
    /// steps 1.7× the instructions of the plain read. No `ORDER BY` either: the server
    /// would sort by its collation, not by the byte order of the ids.
    pub(crate) async fn read_for_start_up(
        &self,
        db: &dyn Database,
        sink: &mut dyn TextSink,
    ) -> Result<(), DatabaseError> {
        let sql = format!(
            "SELECT {} FROM {}",
            crate::up_to_date::COLUMNS.join(", "),
            self.quoted
        );
        db.query_once(&sql, sink).await
    }

    /// Rows of a legacy table, as completed rows with unknown checksums (dry runs only).
    pub(crate) async fn read_legacy(
        &self,
        db: &dyn Database,
        has_id: bool,
    ) -> Result<Vec<TrackedRow>> {
        let column = if has_id { "id" } else { "name" };
        let sql = format!(
            "SELECT {column} AS id FROM {} ORDER BY run_on, {column}",
            self.quoted
        );
        let rows = db
            .query(&sql, &[])
            .await
            .map_err(|e| Error::database(self.context("reading"), e))?;
        Ok(rows
            .iter()
            .map(|row| TrackedRow {
                id: row.get_str("id").unwrap_or_default().to_owned(),
                status: Some(MigrationStatus::Completed),
                status_text: MigrationStatus::Completed.as_str().to_owned(),
                up_checksum: UNKNOWN_CHECKSUM.to_owned(),
                down_checksum: None,
                failure_reason: None,
            })
            .collect())
    }

    /// Every row, with timestamps, for listing.
    pub(crate) async fn read_full(
        &self,
        db: &dyn Database,
    ) -> Result<Vec<(TrackedRow, Option<String>, Option<String>)>> {
        let sql = format!(
            "SELECT id, status, up_checksum, down_checksum, failure_reason, {}, {} FROM {}",
            self.timestamp_as_text("run_on"),
            self.timestamp_as_text("finished_on"),
            self.quoted
        );
        let rows = db
            .query(&sql, &[])
            .await
            .map_err(|e| Error::database(self.context("reading"), e))?;
        Ok(rows
            .iter()
            .map(|row| {
                (
                    tracked_row(row),
                    row.get_str("run_on").map(str::to_owned),
                    row.get_str("finished_on").map(str::to_owned),
                )
            })
            .collect())
    }

    /// The status text of `id`'s row, if there is one.
    pub(crate) async fn status_of(&self, db: &dyn Database, id: &str) -> Result<Option<String>> {
        let sql = format!(
            "SELECT status FROM {} WHERE id = {}",
            self.quoted,
            self.p(1)
        );
        let rows = db
            .query(&sql, &[id.into()])
            .await
            .map_err(|e| Error::database(self.context("reading"), e))?;
        Ok(rows
            .first()
            .map(|row| row.get_str("status").unwrap_or_default().to_owned()))
    }

    /// Inserts `migration`'s row with `status` and its checksums for this dialect;
    /// `completed` rows get `finished_on` too.
    pub(crate) async fn insert(
        &self,
        db: &dyn Database,
        migration: &dyn Migration,
        status: MigrationStatus,
    ) -> Result<(), DatabaseError> {
        let finished = if status == MigrationStatus::InProgress {
            "NULL"
        } else {
            self.now()
        };
        let sql = format!(
            "INSERT INTO {} (id, run_on, finished_on, up_checksum, down_checksum, status) VALUES ({}, {}, {finished}, {}, {}, {})",
            self.quoted,
            self.p(1),
            self.now(),
            self.p(2),
            self.p(3),
            self.p(4),
        );
        db.execute(
            &sql,
            &[
                migration.id().into(),
                migration.up_checksum(self.dialect).into_owned().into(),
                migration.down_checksum(self.dialect).into_owned().into(),
                status.as_str().into(),
            ],
        )
        .await
        .map(drop)
    }

    /// Sets `id`'s status, with `finished_on` = now and `failure_reason`.
    pub(crate) async fn finish(
        &self,
        db: &dyn Database,
        id: &str,
        status: MigrationStatus,
        failure_reason: Option<&str>,
    ) -> Result<u64, DatabaseError> {
        let sql = format!(
            "UPDATE {} SET status = {}, finished_on = {}, failure_reason = {} WHERE id = {}",
            self.quoted,
            self.p(1),
            self.now(),
            self.p(2),
            self.p(3)
        );
        db.execute(
            &sql,
            &[
                status.as_str().into(),
                failure_reason.map(str::to_owned).into(),
                id.into(),
            ],
        )
        .await
    }

    /// Sets `id`'s status and `failure_reason`, keeping its timestamps (a rollback's
    /// guard, and undoing it).
    pub(crate) async fn set_status(
        &self,
        db: &dyn Database,
        id: &str,
        status: MigrationStatus,
        reason: Option<&str>,
    ) -> Result<u64, DatabaseError> {
        let sql = format!(
            "UPDATE {} SET status = {}, failure_reason = {} WHERE id = {}",
            self.quoted,
            self.p(1),
            self.p(2),
            self.p(3)
        );
        db.execute(
            &sql,
            &[
                status.as_str().into(),
                reason.map(str::to_owned).into(),
                id.into(),
            ],
        )
        .await
    }

    /// Replaces `id`'s checksums.
    pub(crate) async fn set_checksums(
        &self,
        db: &dyn Database,
        id: &str,
        up: &str,
        down: &str,
    ) -> Result<u64, DatabaseError> {
        let sql = format!(
            "UPDATE {} SET up_checksum = {}, down_checksum = {} WHERE id = {}",
            self.quoted,
            self.p(1),
            self.p(2),
            self.p(3)
        );
        db.execute(&sql, &[up.into(), down.into(), id.into()]).await
    }

    /// Deletes `id`'s row.
    pub(crate) async fn delete(&self, db: &dyn Database, id: &str) -> Result<u64, DatabaseError> {
        let sql = format!("DELETE FROM {} WHERE id = {}", self.quoted, self.p(1));
        db.execute(&sql, &[id.into()]).await
    }
}

fn tracked_row(row: &Row) -> TrackedRow {
    let status_text = row.get_str("status").unwrap_or_default().to_owned();
    TrackedRow {
        id: row.get_str("id").unwrap_or_default().to_owned(),
        status: MigrationStatus::parse(&status_text),
        status_text,
        up_checksum: row.get_str("up_checksum").unwrap_or_default().to_owned(),
        down_checksum: row.get_str("down_checksum").map(str::to_owned),
        failure_reason: row.get_str("failure_reason").map(str::to_owned),
    }
}

/// Builds the listing entry of a row that the source does not have.
pub(crate) fn orphan_info(
    row: TrackedRow,
    run_on: Option<String>,
    finished_on: Option<String>,
) -> MigrationInfo {
    MigrationInfo {
        id: row.id,
        description: None,
        status: row.status,
        run_on,
        finished_on,
        failure_reason: row.failure_reason,
        in_source: false,
        drifted: false,
    }
}
