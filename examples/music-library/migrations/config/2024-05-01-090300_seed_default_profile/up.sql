INSERT INTO profiles (name) VALUES ('default');
