DROP INDEX tracks_title;
