DROP TABLE scan_locations;
