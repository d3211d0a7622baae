-- migrate_sqlite.sql — what is particular to SQLite (docs/sqlite.md):
-- rebuilding a parent table keeps the rows of its child tables and their
-- foreign keys (SQLite's 12-step procedure, foreign_keys switched off
-- around it and restored), a rebuild that would break a foreign key is
-- rolled back, viper_migrate refuses to run inside a transaction or from
-- a statement that reads a table (25001), and the catalog writers cannot
-- be called from triggers or views (DIRECTONLY).
.headers on
PRAGMA foreign_keys = ON;
SELECT replace(viper_migrate('[
  {"app": "fk", "name": "Parent", "fields": [{"name": "name", "type": "CharField", "max_length": 20}]},
  {"app": "fk", "name": "Child", "fields": [
    {"name": "parent", "type": "ForeignKey", "to": "fk.Parent", "on_delete": "CASCADE"},
    {"name": "note", "type": "TextField", "null": true}]}
]'), '},{', '},' || char(10) || '{') AS rows;
INSERT INTO fk_parent (name) VALUES ('p1'), ('p2');
INSERT INTO fk_child (parent_id, note) VALUES (1, 'a'), (1, 'b'), (2, 'c');

-- widening the parent's column rebuilds the parent table
SELECT replace(viper_migrate('[
  {"app": "fk", "name": "Parent", "fields": [{"name": "name", "type": "CharField", "max_length": 40}]},
  {"app": "fk", "name": "Child", "fields": [
    {"name": "parent", "type": "ForeignKey", "to": "fk.Parent", "on_delete": "CASCADE"},
    {"name": "note", "type": "TextField", "null": true}]}
]'), '},{', '},' || char(10) || '{') AS rows;
-- the children are all still there, and so are the parents
SELECT id, parent_id, note FROM fk_child ORDER BY id;
SELECT id, name FROM fk_parent ORDER BY id;
-- the connection's settings are back
PRAGMA foreign_keys;
PRAGMA legacy_alter_table;
-- the foreign key is still enforced, with its action
INSERT INTO fk_child (parent_id, note) VALUES (99, 'orphan');
DELETE FROM fk_parent WHERE id = 2;
SELECT id, parent_id, note FROM fk_child ORDER BY id;
SELECT sql FROM sqlite_master WHERE name = 'fk_parent';

-- rebuilding the child table keeps its rows and its foreign key too
SELECT replace(viper_migrate('[
  {"app": "fk", "name": "Parent", "fields": [{"name": "name", "type": "CharField", "max_length": 40}]},
  {"app": "fk", "name": "Child", "fields": [
    {"name": "parent", "type": "ForeignKey", "to": "fk.Parent", "on_delete": "CASCADE"},
    {"name": "note", "type": "CharField", "max_length": 10, "null": true}]}
]'), '},{', '},' || char(10) || '{') AS rows;
SELECT id, parent_id, note FROM fk_child ORDER BY id;
SELECT f.value ->> 'name' AS name, f.value ->> 'ref_table' AS ref_table, f.value ->> 'on_delete' AS on_delete
FROM json_each(viper_introspect('fk_child'), '$.foreign_keys') AS f;

-- an orphan row slipped in while foreign keys were off: a rebuild of its
-- table would carry it over, so migrate refuses and changes nothing
PRAGMA foreign_keys = OFF;
INSERT INTO fk_child (parent_id, note) VALUES (77, 'orphan');
PRAGMA foreign_keys = ON;
CREATE TEMP TABLE before AS SELECT sql FROM sqlite_master WHERE name = 'fk_child';
SELECT viper_migrate('[
  {"app": "fk", "name": "Parent", "fields": [{"name": "name", "type": "CharField", "max_length": 40}]},
  {"app": "fk", "name": "Child", "fields": [
    {"name": "parent", "type": "ForeignKey", "to": "fk.Parent", "on_delete": "CASCADE"},
    {"name": "note", "type": "CharField", "max_length": 20, "null": true}]}
]');
SELECT (SELECT sql FROM sqlite_master WHERE name = 'fk_child') = (SELECT sql FROM before) AS child_unchanged;
PRAGMA foreign_keys;
DELETE FROM fk_child WHERE parent_id = 77;

-- indexes and triggers made by hand on a rebuilt table are re-created
-- from their saved text (step 8 of the procedure) ...
CREATE INDEX fk_child_note_hand ON fk_child (note);
CREATE TRIGGER fk_child_hand AFTER INSERT ON fk_child BEGIN SELECT 1; END;
SELECT json_array_length(viper_migrate('[
  {"app": "fk", "name": "Parent", "fields": [{"name": "name", "type": "CharField", "max_length": 40}]},
  {"app": "fk", "name": "Child", "fields": [
    {"name": "parent", "type": "ForeignKey", "to": "fk.Parent", "on_delete": "CASCADE"},
    {"name": "note", "type": "CharField", "max_length": 20, "null": true}]}
]')) AS ops;
SELECT type, name FROM sqlite_master WHERE tbl_name = 'fk_child' ORDER BY type, name;
-- ... and one that no longer fits the new table refuses the migrate
SELECT viper_migrate('[
  {"app": "fk", "name": "Parent", "fields": [{"name": "name", "type": "CharField", "max_length": 40}]},
  {"app": "fk", "name": "Child", "fields": [
    {"name": "parent", "type": "ForeignKey", "to": "fk.Parent", "on_delete": "CASCADE"}]}
]', '{"allow_drop": true}');
SELECT type, name FROM sqlite_master WHERE tbl_name = 'fk_child' ORDER BY type, name;
SELECT id, parent_id, note FROM fk_child ORDER BY id;

-- 25001: not inside a transaction ...
BEGIN;
SELECT viper_migrate('[]');
ROLLBACK;
-- ... nor from a statement that reads a table (it holds a transaction)
SELECT viper_migrate('[]') FROM fk_parent;
SELECT viper_migrate(p.value) FROM json_each('[[]]') AS p;
-- plan only reads: it may be used anywhere
BEGIN;
SELECT viper_plan('[{"app": "fk", "name": "Parent", "fields": [{"name": "name", "type": "CharField", "max_length": 40}]}]') AS rows;
SELECT count(*) AS parents FROM fk_parent WHERE viper_plan('[]') = '[]';
COMMIT;

-- DIRECTONLY: no migrate from a trigger or a view
CREATE TABLE requests (schemas TEXT);
CREATE TRIGGER requests_migrate AFTER INSERT ON requests
BEGIN SELECT viper_migrate(NEW.schemas); END;
INSERT INTO requests VALUES ('[]');
CREATE VIEW migrating AS SELECT viper_migrate('[]') AS rows;
SELECT * FROM migrating;
SELECT count(*) AS requests FROM requests;

-- the result is [] once everything is in place
SELECT viper_migrate('[
  {"app": "fk", "name": "Parent", "fields": [{"name": "name", "type": "CharField", "max_length": 40}]},
  {"app": "fk", "name": "Child", "fields": [
    {"name": "parent", "type": "ForeignKey", "to": "fk.Parent", "on_delete": "CASCADE"},
    {"name": "note", "type": "CharField", "max_length": 20, "null": true}]}
]') AS rows;
