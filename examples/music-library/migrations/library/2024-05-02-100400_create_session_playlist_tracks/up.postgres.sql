CREATE TABLE session_playlist_tracks (
    session_id BIGINT NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    track_id BIGINT NOT NULL REFERENCES tracks (id),
    position INTEGER NOT NULL
);
