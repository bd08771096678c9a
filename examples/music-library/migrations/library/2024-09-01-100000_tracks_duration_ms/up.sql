-- Durations were seconds as REAL; store whole milliseconds.
ALTER TABLE tracks ADD COLUMN duration_ms INTEGER;
UPDATE tracks SET duration_ms = CAST(ROUND(duration * 1000) AS INTEGER);
ALTER TABLE tracks DROP COLUMN duration;
