#!/usr/bin/env bash
# A deployment script written against switchy_schema 0.4's `switchy-migrate`, using only the
# commands, flags and environment variables its README documents. It must pass unchanged
# with switchy_schema 0.5's tool. (Run by cli/tests/compat_04.rs in an empty folder.)
set -euo pipefail

DB=sqlite://db.sqlite

# create (0.4: `create <name>`, `-m`)
switchy-migrate create create_users
switchy-migrate create add_posts -m ./migrations
switchy-migrate create add_email --migrations-dir ./migrations
for dir in migrations/*_create_users; do
  echo "CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT NOT NULL);" > "$dir/up.sql"
  echo "DROP TABLE users;" > "$dir/down.sql"
done
for dir in migrations/*_add_posts; do
  echo "CREATE TABLE posts (id INTEGER PRIMARY KEY, user_id INTEGER NOT NULL);" > "$dir/up.sql"
  echo "DROP TABLE posts;" > "$dir/down.sql"
done
for dir in migrations/*_add_email; do
  echo "ALTER TABLE users ADD COLUMN email TEXT;" > "$dir/up.sql"
  echo "ALTER TABLE users DROP COLUMN email;" > "$dir/down.sql"
done
FIRST=$(ls migrations | sort | head -n 1)
SECOND=$(ls migrations | sort | sed -n 2p)

# status (0.4: `-d`, `-m`, `--migration-table`, `--show-failed`)
switchy-migrate status -d "$DB"
switchy-migrate status -d "$DB" --show-failed -m ./migrations --migration-table __switchy_migrations

# migrate (0.4: `--dry-run`, `--steps`, `--up-to`, `--require-checksum-validation`)
switchy-migrate migrate -d "$DB" --dry-run
switchy-migrate migrate -d "$DB" --steps 1
switchy-migrate migrate -d "$DB" --up-to "$SECOND"
switchy-migrate migrate -d "$DB" --require-checksum-validation
MIGRATION_REQUIRE_CHECKSUM_VALIDATION=true switchy-migrate migrate -d "$DB"
switchy-migrate migrate -d "$DB" --retry-failed

# validate (0.4: `--strict`, `--verbose`)
switchy-migrate validate -d "$DB"
switchy-migrate validate -d "$DB" --strict --verbose

# rollback (0.4: `--steps`, `--to`, `--all`, `--dry-run`; it asked for confirmation on stdin)
switchy-migrate rollback -d "$DB" --all --dry-run
switchy-migrate rollback -d "$DB" --to "$FIRST" --dry-run
echo y | switchy-migrate rollback -d "$DB"
echo y | switchy-migrate rollback -d "$DB" --steps 1
switchy-migrate migrate -d "$DB"

# environment variables (0.4: SWITCHY_DATABASE_URL, SWITCHY_MIGRATIONS_DIR, SWITCHY_MIGRATION_TABLE)
export SWITCHY_DATABASE_URL="$DB"
export SWITCHY_MIGRATIONS_DIR=./migrations
export SWITCHY_MIGRATION_TABLE=__switchy_migrations
switchy-migrate status
switchy-migrate validate --strict

# recovery (0.4: retry, mark-completed --force, mark-all-completed with its flags)
switchy-migrate mark-completed "$FIRST" --force
switchy-migrate mark-all-completed --force
switchy-migrate mark-all-completed --include-failed --force
switchy-migrate mark-all-completed --include-in-progress --force
switchy-migrate mark-all-completed --all --force
switchy-migrate mark-all-completed -d "$DB" --drop --force
switchy-migrate status -d "$DB" --show-failed

# A failed migration, then `retry` once it is fixed (0.4: `retry <migration-id>`).
mkdir -p migrations/2099-01-01-000000_half
printf 'run_in_transaction = false\n' > migrations/2099-01-01-000000_half/metadata.toml
printf 'CREATE TABLE half (id INTEGER);\nINSERT INTO nowhere VALUES (1);\n' > migrations/2099-01-01-000000_half/up.sql
if switchy-migrate migrate -d "$DB"; then echo "the broken migration passed" >&2; exit 1; fi
sqlite3 db.sqlite "DROP TABLE half;" 2>/dev/null || true
printf 'CREATE TABLE IF NOT EXISTS half (id INTEGER);\n' > migrations/2099-01-01-000000_half/up.sql
switchy-migrate retry -d "$DB" 2099-01-01-000000_half
switchy-migrate status -d "$DB"
echo "script finished"
