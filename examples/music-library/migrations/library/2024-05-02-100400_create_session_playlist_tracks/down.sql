DROP TABLE session_playlist_tracks;
