CREATE TABLE sessions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    name TEXT NOT NULL,
    active BOOLEAN NOT NULL DEFAULT 0,
    playing BOOLEAN NOT NULL DEFAULT 0,
    position INTEGER,
    seek REAL,
    volume REAL
);
