CREATE INDEX tracks_title ON tracks (title);
