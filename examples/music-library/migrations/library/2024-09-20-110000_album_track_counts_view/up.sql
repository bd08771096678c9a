CREATE VIEW album_track_counts AS
SELECT albums.id AS album_id, albums.title, COUNT(tracks.id) AS tracks
FROM albums LEFT JOIN tracks ON tracks.album_id = albums.id
GROUP BY albums.id, albums.title;
