CREATE TABLE session_playlist_tracks (
    session_id INTEGER NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    track_id INTEGER NOT NULL REFERENCES tracks (id),
    position INTEGER NOT NULL
);
