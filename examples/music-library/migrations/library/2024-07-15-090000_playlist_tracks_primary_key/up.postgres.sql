ALTER TABLE session_playlist_tracks
    ADD CONSTRAINT session_playlist_tracks_pkey PRIMARY KEY (session_id, position);
