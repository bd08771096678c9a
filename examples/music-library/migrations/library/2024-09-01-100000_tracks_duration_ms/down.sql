ALTER TABLE tracks ADD COLUMN duration REAL;
UPDATE tracks SET duration = duration_ms / 1000.0;
ALTER TABLE tracks DROP COLUMN duration_ms;
