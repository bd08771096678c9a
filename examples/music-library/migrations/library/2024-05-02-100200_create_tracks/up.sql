CREATE TABLE tracks (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    album_id INTEGER NOT NULL REFERENCES albums (id) ON DELETE CASCADE,
    number INTEGER,
    title TEXT NOT NULL,
    duration REAL,
    file TEXT,
    format TEXT,
    CONSTRAINT tracks_file_key UNIQUE (file)
);
CREATE INDEX tracks_album_id ON tracks (album_id);
