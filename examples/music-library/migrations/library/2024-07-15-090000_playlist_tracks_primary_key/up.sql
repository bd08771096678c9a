-- SQLite cannot add a primary key to an existing table: rebuild it (create the new
-- shape, copy the rows, drop the old table, rename). Nothing references this table, so
-- dropping it is safe with foreign keys on.
CREATE TABLE session_playlist_tracks_new (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    track_id INTEGER NOT NULL REFERENCES tracks (id),
    position INTEGER NOT NULL,
    PRIMARY KEY (session_id, position)
);
INSERT INTO session_playlist_tracks_new (session_id, track_id, position)
SELECT session_id, track_id, position FROM session_playlist_tracks;
DROP TABLE session_playlist_tracks;
ALTER TABLE session_playlist_tracks_new RENAME TO session_playlist_tracks;
