ALTER TABLE artists ADD COLUMN sort_name TEXT;
UPDATE artists SET sort_name = CASE WHEN name LIKE 'The %' THEN substr(name, 5) ELSE name END;
