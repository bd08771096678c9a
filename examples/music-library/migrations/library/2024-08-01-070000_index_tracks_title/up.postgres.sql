-- Builds without blocking writes to tracks; cannot run inside a transaction.
CREATE INDEX CONCURRENTLY tracks_title ON tracks (title);
