DELETE FROM profiles WHERE name = 'default';
