--
-- migrate_alter: changes to an existing table. AddColumn, RenameColumn via
-- old_name (every row kept), widening (no warning), narrowing (a warning
-- row when the data fits, 22001 and nothing applied when it does not),
-- incompatible changes (22023 naming the field, applied with force),
-- nullability and defaults (NULLs filled from the default; refused without
-- one; a NOT NULL column added only to an empty table or with a default),
-- indexes, check constraints, a change made by
-- hand, and plan applying nothing. Runs as superuser: prechecks must see
-- every row of tables with FORCE ROW LEVEL SECURITY.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
RESET client_min_messages;
\pset null '<NULL>'

-- SQLSTATE and message of a failing statement, as a value
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
BEGIN
	EXECUTE sql INTO r;
	RETURN 'ok: ' || coalesce(r, '<NULL>');
EXCEPTION WHEN OTHERS THEN
	RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM;
END
$$;
-- the live columns of a table as rows
CREATE FUNCTION pg_temp.cols(t text)
RETURNS TABLE (name text, type text, nullable boolean, "default" text)
LANGUAGE sql AS $$
	SELECT c.name, c.type, c.nullable, c."default"
	FROM jsonb_to_recordset(viper.introspect(t)->'columns')
	     AS c(name text, type text, nullable boolean, "default" text)
$$;

-- the starting point
SELECT op, target, warning FROM viper.migrate($j$[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "title", "type": "CharField", "max_length": 50},
    {"name": "qty", "type": "IntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true}
  ]}]$j$);
INSERT INTO ma_item (title, qty, code, note)
VALUES ('apple', 3, '10', 'short'), ('banana', 5, '20', 'a rather longer note'), ('cherry', 7, NULL, NULL);

-- AddColumn: nullable, and NOT NULL with a default (existing rows get it)
SELECT * FROM viper.migrate($j$[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "title", "type": "CharField", "max_length": 50},
    {"name": "qty", "type": "IntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]$j$);
SELECT id, title, qty, color, active FROM ma_item ORDER BY id;

-- RenameColumn through old_name: title → name, every row keeps its value
SELECT * FROM viper.migrate($j$[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 50, "old_name": "title"},
    {"name": "qty", "type": "IntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]$j$);
SELECT id, name, qty FROM ma_item ORDER BY id;
SELECT count(*) AS rows FROM ma_item;
-- old_name stays in the schema; migrating it again does nothing
SELECT * FROM viper.migrate($j$[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 50, "old_name": "title"},
    {"name": "qty", "type": "IntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]$j$);

-- widening: varchar(50) → varchar(200), integer → bigint: applied, no warning
SELECT * FROM viper.migrate($j$[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 200},
    {"name": "qty", "type": "BigIntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]$j$);
SELECT * FROM pg_temp.cols('ma_item');

-- narrowing that the data fits: applied, with a warning row
SELECT * FROM viper.migrate($j$[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 10},
    {"name": "qty", "type": "BigIntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]$j$);
SELECT name, type FROM pg_temp.cols('ma_item') WHERE name = 'name';

-- narrowing that the data does not fit ('a rather longer note' is 20
-- characters): refused with 22001, nothing applied
SELECT * FROM viper.migrate($j$[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 10},
    {"name": "qty", "type": "BigIntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 8, "null": true},
    {"name": "color", "type": "CharField", "max_length": 40, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]$j$);
SELECT * FROM pg_temp.cols('ma_item');
SELECT note FROM ma_item ORDER BY id;
SELECT schema->'fields'->4->>'max_length' AS note_max_length_in_catalog
FROM viper.models WHERE label = 'ma.Item';

-- incompatible: text → integer without force is 22023 naming the field
SELECT * FROM viper.migrate($j$[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 10},
    {"name": "qty", "type": "BigIntegerField", "default": 0},
    {"name": "code", "type": "IntegerField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]$j$);
-- plan refuses the same way
SELECT pg_temp.try($q$SELECT count(*)::text FROM viper.plan('[{"app": "ma", "name": "Item", "fields": [{"name": "name", "type": "CharField", "max_length": 10}, {"name": "qty", "type": "BigIntegerField", "default": 0}, {"name": "code", "type": "IntegerField", "null": true}, {"name": "note", "type": "CharField", "max_length": 100, "null": true}, {"name": "color", "type": "CharField", "max_length": 20, "null": true}, {"name": "active", "type": "BooleanField", "default": true}]}]')$q$);
-- with force it is applied (the values convert)
SELECT * FROM viper.migrate($j$[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 10},
    {"name": "qty", "type": "BigIntegerField", "default": 0},
    {"name": "code", "type": "IntegerField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]$j$, '{"force": true}');
SELECT id, code, pg_typeof(code) AS type FROM ma_item ORDER BY id;

-- nullability and defaults. color becomes NOT NULL with a default while
-- rows hold NULL there: the same row first sets those NULLs to the default
-- (UPDATE), then SET NOT NULL; the row that had a color keeps it
UPDATE ma_item SET color = 'blue' WHERE name = 'apple';
SELECT * FROM viper.migrate($j$[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 10},
    {"name": "qty", "type": "BigIntegerField", "default": 1},
    {"name": "code", "type": "IntegerField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "default": "red"},
    {"name": "active", "type": "BooleanField", "null": true}
  ]}]$j$);
SELECT * FROM pg_temp.cols('ma_item');
SELECT id, name, color, active FROM ma_item ORDER BY id;

-- indexes: db_index, meta.indexes with a condition, unique
\set item_fields '{"name": "name", "type": "CharField", "max_length": 10}, {"name": "qty", "type": "BigIntegerField", "default": 1}, {"name": "code", "type": "IntegerField", "null": true}, {"name": "note", "type": "CharField", "max_length": 100, "null": true}, {"name": "color", "type": "CharField", "max_length": 20, "default": "red"}, {"name": "active", "type": "BooleanField", "null": true}'
SELECT * FROM viper.migrate(('[{"app": "ma", "name": "Item", "fields": [' || :'item_fields' || $j$],
  "meta": {"indexes": [{"fields": ["qty"], "name": "ma_item_big_qty", "condition": "qty > 100"},
                       {"fields": ["name", "-qty"], "name": "ma_item_name_qty"}]}}]$j$)::jsonb);
SELECT i.name, i.columns, i."unique", i.predicate
FROM jsonb_to_recordset(viper.introspect('ma_item')->'indexes')
     AS i(name text, columns jsonb, "unique" boolean, predicate text)
ORDER BY i.name;
-- change one (its condition), remove the other
SELECT * FROM viper.migrate(('[{"app": "ma", "name": "Item", "fields": [' || :'item_fields' || $j$],
  "meta": {"indexes": [{"fields": ["qty"], "name": "ma_item_big_qty", "condition": "qty > 1000"}]}}]$j$)::jsonb);
SELECT i.name, i.predicate
FROM jsonb_to_recordset(viper.introspect('ma_item')->'indexes')
     AS i(name text, predicate text)
ORDER BY i.name;

-- check constraints: add, then change its expression
SELECT * FROM viper.migrate(('[{"app": "ma", "name": "Item", "fields": [' || :'item_fields' || $j$],
  "meta": {"indexes": [{"fields": ["qty"], "name": "ma_item_big_qty", "condition": "qty > 1000"}],
           "constraints": [{"type": "check", "name": "ma_item_qty_pos", "check": "qty >= 0"}]}}]$j$)::jsonb);
SELECT * FROM viper.migrate(('[{"app": "ma", "name": "Item", "fields": [' || :'item_fields' || $j$],
  "meta": {"indexes": [{"fields": ["qty"], "name": "ma_item_big_qty", "condition": "qty > 1000"}],
           "constraints": [{"type": "check", "name": "ma_item_qty_pos", "check": "qty >= 1"}]}}]$j$)::jsonb);
SELECT viper.introspect('ma_item')->'checks' AS checks;
INSERT INTO ma_item (name, qty) VALUES ('zero', 0);
-- a second migrate of the same set does nothing
SELECT count(*) AS rows FROM viper.migrate(('[{"app": "ma", "name": "Item", "fields": [' || :'item_fields' || $j$],
  "meta": {"indexes": [{"fields": ["qty"], "name": "ma_item_big_qty", "condition": "qty > 1000"}],
           "constraints": [{"type": "check", "name": "ma_item_qty_pos", "check": "qty >= 1"}]}}]$j$)::jsonb);

-- a change made by hand is seen by the next plan (introspection, not the catalog)
\set item_final '[{"app": "ma", "name": "Item", "fields": [{"name": "name", "type": "CharField", "max_length": 10}, {"name": "qty", "type": "BigIntegerField", "default": 1}, {"name": "code", "type": "IntegerField", "null": true}, {"name": "note", "type": "CharField", "max_length": 100, "null": true}, {"name": "color", "type": "CharField", "max_length": 20, "default": "red"}, {"name": "active", "type": "BooleanField", "null": true}], "meta": {"indexes": [{"fields": ["qty"], "name": "ma_item_big_qty", "condition": "qty > 1000"}], "constraints": [{"type": "check", "name": "ma_item_qty_pos", "check": "qty >= 1"}]}}]'
ALTER TABLE ma_item DROP COLUMN color;
DROP INDEX ma_item_big_qty;
ALTER TABLE ma_item ALTER COLUMN note TYPE text;
SELECT * FROM viper.plan(:'item_final');
-- plan applied nothing
SELECT count(*) AS color_columns FROM pg_temp.cols('ma_item') WHERE name = 'color';
SELECT * FROM viper.migrate(:'item_final');
SELECT count(*) AS rows FROM viper.migrate(:'item_final');
SELECT id, name, qty, code, note, color FROM ma_item ORDER BY id;

-- the catalog row: version counts the applied changes
SELECT label, table_name, version > 1 AS changed, managed, read_only, single
FROM viper.models WHERE app = 'ma';

-- NOT NULL without a default while a row holds NULL: refused (22023,
-- the field named), nothing applied; {"force": true} does not invent a
-- value either
SELECT op, target FROM viper.migrate($j$[
  {"app": "mn", "name": "Box", "fields": [
    {"name": "label", "type": "CharField", "max_length": 20},
    {"name": "size", "type": "IntegerField", "null": true}
  ]}]$j$);
INSERT INTO mn_box (label, size) VALUES ('a', 1), ('b', NULL);
\set box_notnull '[{"app": "mn", "name": "Box", "fields": [{"name": "label", "type": "CharField", "max_length": 20}, {"name": "size", "type": "IntegerField"}, {"name": "note", "type": "TextField", "null": true}]}]'
SELECT * FROM viper.migrate(:'box_notnull');
SELECT pg_temp.try(format('SELECT count(*)::text FROM viper.migrate(%L, %L)', :'box_notnull', '{"force": true}'));
-- the table is unchanged (no note column either), rows kept
SELECT * FROM pg_temp.cols('mn_box');
SELECT label, size FROM mn_box ORDER BY id;
-- once no row holds NULL it applies
UPDATE mn_box SET size = 0 WHERE size IS NULL;
SELECT * FROM viper.migrate(:'box_notnull');
SELECT name, nullable FROM pg_temp.cols('mn_box') WHERE name = 'size';

-- AddColumn NOT NULL without a default on a table that has rows: refused
\set box_weight '[{"app": "mn", "name": "Box", "fields": [{"name": "label", "type": "CharField", "max_length": 20}, {"name": "size", "type": "IntegerField"}, {"name": "note", "type": "TextField", "null": true}, {"name": "weight", "type": "IntegerField"}]}]'
SELECT * FROM viper.migrate(:'box_weight');
SELECT pg_temp.try(format('SELECT count(*)::text FROM viper.migrate(%L)', :'box_weight'));
SELECT count(*) AS weight_columns FROM pg_temp.cols('mn_box') WHERE name = 'weight';
-- with a default (a constant, or auto_now_add) the database fills the rows
SELECT * FROM viper.migrate($j$[
  {"app": "mn", "name": "Box", "fields": [
    {"name": "label", "type": "CharField", "max_length": 20},
    {"name": "size", "type": "IntegerField"},
    {"name": "note", "type": "TextField", "null": true},
    {"name": "weight", "type": "IntegerField", "default": 5},
    {"name": "seen", "type": "DateTimeField", "auto_now_add": true}
  ]}]$j$);
SELECT label, size, weight, seen IS NOT NULL AS seen_filled FROM mn_box ORDER BY id;
-- on an empty table the NOT NULL column without a default is added
DELETE FROM mn_box;
SELECT * FROM viper.migrate($j$[
  {"app": "mn", "name": "Box", "fields": [
    {"name": "label", "type": "CharField", "max_length": 20},
    {"name": "size", "type": "IntegerField"},
    {"name": "note", "type": "TextField", "null": true},
    {"name": "weight", "type": "IntegerField", "default": 5},
    {"name": "seen", "type": "DateTimeField", "auto_now_add": true},
    {"name": "rank", "type": "IntegerField"}
  ]}]$j$);
SELECT name, nullable, "default" FROM pg_temp.cols('mn_box') WHERE name = 'rank';

-- clean up
DROP TABLE ma_item;
DROP TABLE mn_box;
DELETE FROM viper.models WHERE app IN ('ma', 'mn');
