-- Albums kept one artwork path in a column; artwork gets a table of its own (a source per
-- image comes next). Move the values, then drop the column.
CREATE TABLE album_artwork (
    album_id BIGINT PRIMARY KEY REFERENCES albums (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    source TEXT NOT NULL DEFAULT 'local'
);
INSERT INTO album_artwork (album_id, path)
SELECT id, artwork FROM albums WHERE artwork IS NOT NULL;
ALTER TABLE albums DROP COLUMN artwork;
