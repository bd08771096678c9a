CREATE TABLE albums (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    artist_id INTEGER NOT NULL REFERENCES artists (id) ON DELETE CASCADE,
    title TEXT NOT NULL,
    release_date TEXT,
    artwork TEXT
);
CREATE INDEX albums_artist_id ON albums (artist_id);
