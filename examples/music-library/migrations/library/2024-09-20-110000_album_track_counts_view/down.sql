DROP VIEW album_track_counts;
