//! The floor plus a tracking row: the SQLite drivers alone, no switchy code, each
//! migration in its own `BEGIN` ... `COMMIT` together with the one `INSERT` of its row into
//! a table laid out as switchy_schema's (`runtime/src/tracker.rs`), with the statement the
//! runner sends. What the guarantee "the migration and its row commit together" costs on
//! the driver, whoever writes the row: switchy_schema against it is the runner's own cost.

use std::time::Instant;

use sqlx::{AssertSqlSafe, Connection as _};
use switchy_schema::__private::checksum::checksum;

use crate::child::{generated, report, sqlite_url};
use crate::{Driver, Figure};

/// switchy_schema's SQLite tracking table (`Tracker::create_sql`).
const TABLE: &str = "CREATE TABLE IF NOT EXISTS \"__switchy_migrations\" (id TEXT NOT NULL PRIMARY KEY, \
     run_on DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP, finished_on DATETIME, \
     up_checksum VARCHAR(64) NOT NULL, down_checksum VARCHAR(64) NOT NULL, \
     status TEXT NOT NULL, failure_reason TEXT)";

/// The row of a completed migration (`Tracker::insert`).
const ROW: &str = "INSERT INTO \"__switchy_migrations\" (id, run_on, finished_on, up_checksum, down_checksum, status) \
     VALUES (?1, CURRENT_TIMESTAMP, CURRENT_TIMESTAMP, ?2, ?3, ?4)";

/// One migration: its id, text and the checksums of its row (computed before the clock).
struct Planned {
    id: String,
    sql: String,
    up: String,
    down: String,
}

/// The 1,000 migrations of `generated/apply`, in id order.
fn planned() -> Vec<Planned> {
    generated(Figure::Apply)
        .into_iter()
        .map(|(id, sql)| Planned {
            up: checksum(&sql),
            down: checksum(""),
            id,
            sql,
        })
        .collect()
}

pub(crate) async fn apply(driver: Driver, target: &str) {
    let planned = planned();
    let started;
    match driver {
        Driver::Rusqlite => {
            let conn = rusqlite::Connection::open(target).unwrap();
            conn.execute_batch(TABLE).unwrap();
            started = Instant::now();
            for m in &planned {
                conn.execute_batch("BEGIN").unwrap();
                conn.execute_batch(&m.sql).unwrap();
                let row = rusqlite::params![m.id, m.up, m.down, "completed"];
                assert_eq!(conn.execute(ROW, row).unwrap(), 1);
                conn.execute_batch("COMMIT").unwrap();
            }
        }
        Driver::SqlxSqlite => {
            let mut conn = sqlx::SqliteConnection::connect(&sqlite_url(target))
                .await
                .unwrap();
            sqlx::raw_sql(TABLE).execute(&mut conn).await.unwrap();
            started = Instant::now();
            for m in &planned {
                sqlx::raw_sql("BEGIN").execute(&mut conn).await.unwrap();
                sqlx::raw_sql(AssertSqlSafe(m.sql.as_str()))
                    .execute(&mut conn)
                    .await
                    .unwrap();
                let done = sqlx::query(ROW)
                    .bind(&m.id)
                    .bind(&m.up)
                    .bind(&m.down)
                    .bind("completed")
                    .execute(&mut conn)
                    .await
                    .unwrap();
                assert_eq!(done.rows_affected(), 1);
                sqlx::raw_sql("COMMIT").execute(&mut conn).await.unwrap();
            }
        }
        other => panic!("{other:?}: the tracked floor is measured on the SQLite drivers only"),
    }
    report(started.elapsed(), planned.len() * 4);
}
