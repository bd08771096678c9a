CREATE TABLE session_playlist_tracks_old (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    track_id INTEGER NOT NULL REFERENCES tracks (id),
    position INTEGER NOT NULL
);
INSERT INTO session_playlist_tracks_old (session_id, track_id, position)
SELECT session_id, track_id, position FROM session_playlist_tracks;
DROP TABLE session_playlist_tracks;
ALTER TABLE session_playlist_tracks_old RENAME TO session_playlist_tracks;
