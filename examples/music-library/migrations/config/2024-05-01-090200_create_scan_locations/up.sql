CREATE TABLE scan_locations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    profile_id INTEGER NOT NULL REFERENCES profiles (id) ON DELETE CASCADE,
    path TEXT NOT NULL,
    CONSTRAINT scan_locations_profile_path UNIQUE (profile_id, path)
);
