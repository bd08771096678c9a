ALTER TABLE albums ADD COLUMN artwork TEXT;
UPDATE albums SET artwork = (SELECT path FROM album_artwork WHERE album_artwork.album_id = albums.id);
DROP TABLE album_artwork;
