ALTER TABLE artists DROP COLUMN sort_name;
