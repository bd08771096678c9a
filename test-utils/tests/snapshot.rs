//! Schema snapshots and their diff, on every engine: each kind of difference is reported
//! as exactly one precise line, and the same schema built in different orders compares
//! equal.

mod common;

use common::each;
use switchy_schema::code::{CodeMigration, CodeSource};
use switchy_schema::{Database, Dialect, MigrationRunner};
use switchy_schema_test_utils::{SchemaSnapshot, SnapshotOptions};

/// Drops what the cases create.
async fn reset(db: &dyn Database) {
    db.exec_raw("DROP VIEW IF EXISTS v_child")
        .await
        .expect("drop view");
    db.exec_raw("DROP TABLE IF EXISTS child")
        .await
        .expect("drop child");
    db.exec_raw("DROP TABLE IF EXISTS parent")
        .await
        .expect("drop parent");
}

struct Schema {
    parent_columns: &'static str,
    parent_unique: &'static str,
    child_columns: String,
    child_constraint: &'static str,
    indexes: Vec<&'static str>,
    extra: Vec<&'static str>,
}

impl Schema {
    fn base() -> Self {
        Schema {
            parent_columns: "id INTEGER PRIMARY KEY, code VARCHAR(10) NOT NULL",
            parent_unique: ", CONSTRAINT parent_code_key UNIQUE (code)",
            child_columns: "id INTEGER PRIMARY KEY, parent_id INTEGER, name VARCHAR(20) DEFAULT 'x', note VARCHAR(30)".to_owned(),
            child_constraint: ", CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE",
            indexes: vec![
                "CREATE INDEX child_parent_id ON child (parent_id)",
                "CREATE INDEX child_name ON child (name)",
            ],
            extra: Vec::new(),
        }
    }

    async fn build(&self, db: &dyn Database) -> SchemaSnapshot {
        reset(db).await;
        db.exec_raw(&format!(
            "CREATE TABLE parent ({}{})",
            self.parent_columns, self.parent_unique
        ))
        .await
        .expect("create parent");
        db.exec_raw(&format!(
            "CREATE TABLE child ({}{})",
            self.child_columns, self.child_constraint
        ))
        .await
        .expect("create child");
        for sql in self.indexes.iter().chain(&self.extra) {
            db.exec_raw(sql).await.expect(sql);
        }
        SchemaSnapshot::capture(db).await.expect("capture")
    }
}

fn varchar(dialect: Dialect, n: u32) -> String {
    match dialect {
        Dialect::Postgres => format!("character varying({n})"),
        Dialect::Sqlite | Dialect::MySql => format!("varchar({n})"),
    }
}

fn text_default(dialect: Dialect, value: &str) -> String {
    match dialect {
        Dialect::Postgres => format!("'{value}'::character varying"),
        Dialect::Sqlite | Dialect::MySql => format!("'{value}'"),
    }
}

fn default_on_update(dialect: Dialect) -> &'static str {
    match dialect {
        Dialect::MySql => "RESTRICT",
        Dialect::Sqlite | Dialect::Postgres => "NO ACTION",
    }
}

type Case = (&'static str, Box<dyn Fn(&mut Schema)>, String);

#[tokio::test]
async fn every_kind_of_difference_is_one_precise_line() {
    each("snapshot_differences", async |db| {
        let dialect = db.dialect();
        let base = Schema::base().build(db).await;
        assert!(base.tables.contains_key("parent") && base.tables.contains_key("child"), "{base}");

        let cases: Vec<Case> = vec![
            (
                "forgotten index",
                Box::new(|s: &mut Schema| s.indexes.retain(|i| !i.contains("child_name"))),
                "table `child`: index `child_name` missing after".to_owned(),
            ),
            (
                "forgotten column",
                Box::new(|s: &mut Schema| s.child_columns = s.child_columns.replace(", note VARCHAR(30)", "")),
                "table `child`: column `note` missing after".to_owned(),
            ),
            (
                "forgotten foreign key",
                Box::new(|s: &mut Schema| s.child_constraint = ""),
                format!(
                    "table `child`: foreign key (parent_id) references parent (id) on update {} on delete CASCADE missing after",
                    default_on_update(dialect)
                ),
            ),
            (
                "default change",
                Box::new(|s: &mut Schema| s.child_columns = s.child_columns.replace("DEFAULT 'x'", "DEFAULT 'y'")),
                format!(
                    "table `child`: column `name`: default `{}` before, `{}` after",
                    text_default(dialect, "x"),
                    text_default(dialect, "y")
                ),
            ),
            (
                "nullability change",
                Box::new(|s: &mut Schema| s.child_columns = s.child_columns.replace("note VARCHAR(30)", "note VARCHAR(30) NOT NULL")),
                "table `child`: column `note`: nullability NULL before, NOT NULL after".to_owned(),
            ),
            (
                "type change",
                Box::new(|s: &mut Schema| s.child_columns = s.child_columns.replace("note VARCHAR(30)", "note VARCHAR(40)")),
                format!(
                    "table `child`: column `note`: type `{}` before, `{}` after",
                    varchar(dialect, 30),
                    varchar(dialect, 40)
                ),
            ),
            (
                "forgotten unique constraint",
                Box::new(|s: &mut Schema| s.parent_unique = ""),
                if dialect == Dialect::MySql {
                    // MySQL keeps no unique constraint apart from its index.
                    "table `parent`: index `parent_code_key` missing after".to_owned()
                } else {
                    "table `parent`: unique constraint on (`code`) missing after".to_owned()
                },
            ),
            (
                "index made unique",
                Box::new(|s: &mut Schema| {
                    for index in &mut s.indexes {
                        if index.contains("child_name") {
                            *index = "CREATE UNIQUE INDEX child_name ON child (name)";
                        }
                    }
                }),
                "table `child`: index `child_name`: definition (name) before, UNIQUE (name) after".to_owned(),
            ),
            (
                "view left behind",
                Box::new(|s: &mut Schema| s.extra.push("CREATE VIEW v_child AS SELECT id FROM child")),
                "view `v_child` present after but not before".to_owned(),
            ),
            (
                "table left behind",
                Box::new(|s: &mut Schema| s.extra.push("CREATE TABLE leftover (id INTEGER)")),
                "table `leftover` present after but not before".to_owned(),
            ),
        ];
        for (name, change, expected) in cases {
            let mut schema = Schema::base();
            change(&mut schema);
            let after = schema.build(db).await;
            let diff = base.diff(&after);
            assert_eq!(diff.lines(), std::slice::from_ref(&expected), "{dialect}: {name}\n{diff}");
            // And the other way round: the opposite change.
            let back = after.diff(&base);
            assert_eq!(back.len(), 1, "{dialect}: {name} reversed\n{back}");
            db.exec_raw("DROP TABLE IF EXISTS leftover").await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn the_same_schema_built_in_another_order_compares_equal() {
    each("snapshot_normalized", async |db| {
        let dialect = db.dialect();
        let first = Schema::base().build(db).await;
        let other = Schema {
            // Other column order, other default spelling, the last column added later,
            // indexes created in the other order, unnamed constraints where names do not
            // matter.
            parent_columns: "code VARCHAR(10) NOT NULL, id INTEGER PRIMARY KEY",
            parent_unique: if dialect == Dialect::MySql {
                ", CONSTRAINT parent_code_key UNIQUE (code)"
            } else {
                ", UNIQUE (code)"
            },
            child_columns: if dialect == Dialect::MySql {
                "parent_id INTEGER, id INTEGER PRIMARY KEY, name VARCHAR(20) DEFAULT 'x'"
            } else {
                "parent_id INTEGER, id INTEGER PRIMARY KEY, name VarChar( 20 ) DEFAULT ('x')"
            }
            .to_owned(),
            child_constraint: if dialect == Dialect::MySql {
                ", CONSTRAINT child_parent FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE"
            } else {
                ", FOREIGN KEY (parent_id) REFERENCES parent (id) ON DELETE CASCADE"
            },
            indexes: vec![
                "CREATE INDEX child_name ON child (name)",
                "CREATE INDEX child_parent_id ON child (parent_id)",
                "ALTER TABLE child ADD COLUMN note VARCHAR(30)",
            ],
            extra: Vec::new(),
        };
        let second = other.build(db).await;
        let diff = first.diff(&second);
        assert!(diff.is_empty(), "{dialect}:\n{diff}\n--- first\n{first}--- second\n{second}");
        assert_eq!(first, second);
        assert_eq!(first.to_string(), second.to_string());
    })
    .await;
}

#[tokio::test]
async fn sqlite_snapshot_text_is_stable() {
    common::each_of(&[Dialect::Sqlite], "snapshot_text", async |db| {
        let snapshot = Schema::base().build(db).await;
        assert_eq!(
            snapshot.to_string(),
            "table child
  column id: integer NULL
  column name: varchar(20) NULL DEFAULT 'x'
  column note: varchar(30) NULL
  column parent_id: integer NULL
  primary key (id)
  index child_name (name)
  index child_parent_id (parent_id)
  foreign key (parent_id) references parent (id) on update NO ACTION on delete CASCADE
table parent
  column code: varchar(10) NOT NULL
  column id: integer NULL
  primary key (id)
  unique (code)
"
        );
    })
    .await;
}

#[tokio::test]
async fn snapshots_serialize_and_deserialize() {
    common::each_of(&[Dialect::Sqlite], "snapshot_serde", async |db| {
        let snapshot = Schema::base().build(db).await;
        let json = serde_json::to_string_pretty(&snapshot).unwrap();
        assert!(json.contains("\"child_parent_id\""), "{json}");
        let back: SchemaSnapshot = serde_json::from_str(&json).unwrap();
        assert_eq!(back, snapshot);
    })
    .await;
}

#[tokio::test]
async fn the_tracking_table_and_sqlite_internals_are_left_out() {
    each("snapshot_exclusions", async |db| {
        let autoincrement = match db.dialect() {
            Dialect::Sqlite => "CREATE TABLE counted (id INTEGER PRIMARY KEY AUTOINCREMENT)",
            Dialect::Postgres => "CREATE TABLE counted (id SERIAL PRIMARY KEY)",
            Dialect::MySql => "CREATE TABLE counted (id INTEGER AUTO_INCREMENT PRIMARY KEY)",
        };
        let source = || CodeSource::new().with(CodeMigration::new("0001_counted", autoincrement));
        MigrationRunner::new(source()).run(db).await.unwrap();
        MigrationRunner::new(source())
            .with_table_name("custom_tracking")
            .run(db)
            .await
            .unwrap_err(); // `counted` exists already: the second tracking table is created all the same.

        let default = SchemaSnapshot::capture(db).await.unwrap();
        assert_eq!(
            default.table_names().collect::<Vec<_>>(),
            ["counted", "custom_tracking"],
            "{default}"
        );
        let custom = SchemaSnapshot::capture_with(
            db,
            &SnapshotOptions::default().ignore_table("custom_tracking"),
        )
        .await
        .unwrap();
        assert_eq!(custom.table_names().collect::<Vec<_>>(), ["counted"]);
        let everything = SchemaSnapshot::capture_with(db, &SnapshotOptions::new())
            .await
            .unwrap();
        assert_eq!(
            everything.table_names().collect::<Vec<_>>(),
            ["__switchy_migrations", "counted", "custom_tracking"]
        );
        let id = &custom.tables["counted"].columns["id"];
        match db.dialect() {
            Dialect::Sqlite => assert_eq!(id.data_type, "integer"),
            Dialect::Postgres => {
                assert_eq!(
                    id.default.as_deref(),
                    Some("nextval('counted_id_seq'::regclass)")
                );
                assert!(
                    custom.objects["sequence"].contains_key("counted_id_seq"),
                    "{custom}"
                );
            }
            Dialect::MySql => assert_eq!(id.generated.as_deref(), Some("auto_increment")),
        }
    })
    .await;
}

#[tokio::test]
async fn postgres_objects_a_drop_table_leaves_behind_are_captured() {
    common::each_of(&[Dialect::Postgres], "snapshot_pg_objects", async |db| {
        let before = SchemaSnapshot::capture(db).await.unwrap();
        db.exec_raw(
            "CREATE SCHEMA reporting;
             CREATE TABLE reporting.daily (day DATE PRIMARY KEY, total BIGINT GENERATED ALWAYS AS IDENTITY);
             CREATE TYPE mood AS ENUM ('sad', 'ok', 'happy');
             CREATE SEQUENCE ticket_numbers START 100;
             CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NEW; END $$;
             CREATE INDEX daily_total ON reporting.daily (total DESC) WHERE total > 0;",
        )
        .await
        .unwrap();
        let after = SchemaSnapshot::capture(db).await.unwrap();
        assert_eq!(
            before.diff(&after).lines(),
            [
                "table `reporting.daily` present after but not before",
                "function `touch()` present after but not before",
                "schema `reporting` present after but not before",
                "sequence `reporting.daily_total_seq` present after but not before",
                "sequence `ticket_numbers` present after but not before",
                "type `mood` present after but not before",
            ],
            "{after}"
        );
        let daily = &after.tables["reporting.daily"];
        assert_eq!(daily.columns["total"].generated.as_deref(), Some("identity always"));
        assert_eq!(daily.indexes["daily_total"].columns, ["total DESC"]);
        assert_eq!(daily.indexes["daily_total"].predicate.as_deref(), Some("total > 0"));
        assert_eq!(after.objects["type"]["mood"], "enum ('sad', 'ok', 'happy')");
    })
    .await;
}
