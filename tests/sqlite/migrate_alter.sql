-- migrate_alter.sql — changes to an existing table. AddColumn,
-- RenameColumn via old_name (every row kept), widening (no warning),
-- narrowing (a warning row when the data fits, 22001 and nothing applied
-- when it does not), incompatible changes (22023 naming the field, applied
-- with force), nullability and defaults (NULLs filled from the default;
-- refused without one; a NOT NULL column added only to an empty table or
-- with a default), indexes, check constraints, a
-- change made by hand, and plan applying nothing. SQLite has no ALTER
-- COLUMN: column changes rebuild the table (vc_ddl.h), keeping its rows.
-- Mirrors sql/migrate_alter.sql. viper_migrate's JSON result is shown one
-- operation per line.
.headers on
-- the starting point
SELECT replace(viper_migrate('[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "title", "type": "CharField", "max_length": 50},
    {"name": "qty", "type": "IntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true}
  ]}]'), '},{', '},' || char(10) || '{') AS rows;
INSERT INTO ma_item (title, qty, code, note)
VALUES ('apple', 3, '10', 'short'), ('banana', 5, '20', 'a rather longer note'), ('cherry', 7, NULL, NULL);
-- the live columns, as viper_introspect reports them
CREATE VIEW cols AS
  SELECT c.value ->> 'name' AS name, c.value ->> 'type' AS type,
         c.value -> 'nullable' AS nullable, c.value ->> 'default' AS "default"
  FROM json_each(viper_introspect('ma_item'), '$.columns') AS c;

-- AddColumn: nullable, and NOT NULL with a default (existing rows get it)
SELECT replace(viper_migrate('[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "title", "type": "CharField", "max_length": 50},
    {"name": "qty", "type": "IntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]'), '},{', '},' || char(10) || '{') AS rows;
SELECT id, title, qty, color, active FROM ma_item ORDER BY id;

-- RenameColumn through old_name: title → name, every row keeps its value
SELECT replace(viper_migrate('[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 50, "old_name": "title"},
    {"name": "qty", "type": "IntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]'), '},{', '},' || char(10) || '{') AS rows;
SELECT id, name, qty FROM ma_item ORDER BY id;
SELECT count(*) AS "rows" FROM ma_item;
-- old_name stays in the schema; migrating it again does nothing
SELECT viper_migrate('[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 50, "old_name": "title"},
    {"name": "qty", "type": "IntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]') AS rows;

-- widening: 50 → 200 characters, integer → big integer: applied (a table
-- rebuild), no warning, rows kept
SELECT replace(viper_migrate('[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 200},
    {"name": "qty", "type": "BigIntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]'), '},{', '},' || char(10) || '{') AS rows;
SELECT * FROM cols;
SELECT id, name, qty FROM ma_item ORDER BY id;
INSERT INTO ma_item (name, qty) VALUES (printf('%.150c', 'x'), 5000000000);
DELETE FROM ma_item WHERE qty = 5000000000;

-- narrowing that the data fits: applied, with a warning row
SELECT replace(viper_migrate('[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 10},
    {"name": "qty", "type": "BigIntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]'), '},{', '},' || char(10) || '{') AS rows;
INSERT INTO ma_item (name) VALUES ('eleven chars');

-- narrowing that the data does not fit ('a rather longer note' is 20
-- characters): refused with 22001, nothing applied (the widening of color
-- in the same call neither)
CREATE TEMP TABLE before AS SELECT sql FROM sqlite_master WHERE name = 'ma_item';
SELECT viper_migrate('[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 10},
    {"name": "qty", "type": "BigIntegerField", "default": 0},
    {"name": "code", "type": "TextField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 8, "null": true},
    {"name": "color", "type": "CharField", "max_length": 40, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]');
SELECT (SELECT sql FROM sqlite_master WHERE name = 'ma_item') = (SELECT sql FROM before) AS table_unchanged;
SELECT note FROM ma_item ORDER BY id;
SELECT viper_model('ma.Item') -> '$.fields[4].max_length' AS note_max_length_in_catalog;

-- incompatible: text → integer without force is 22023 naming the field
SELECT viper_migrate('[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 10},
    {"name": "qty", "type": "BigIntegerField", "default": 0},
    {"name": "code", "type": "IntegerField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]');
-- plan refuses the same way
SELECT viper_plan('[{"app": "ma", "name": "Item", "fields": [{"name": "name", "type": "CharField", "max_length": 10}, {"name": "qty", "type": "BigIntegerField", "default": 0}, {"name": "code", "type": "IntegerField", "null": true}, {"name": "note", "type": "CharField", "max_length": 100, "null": true}, {"name": "color", "type": "CharField", "max_length": 20, "null": true}, {"name": "active", "type": "BooleanField", "default": true}]}]');
-- with force it is applied (the values convert)
SELECT replace(viper_migrate('[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 10},
    {"name": "qty", "type": "BigIntegerField", "default": 0},
    {"name": "code", "type": "IntegerField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "null": true},
    {"name": "active", "type": "BooleanField", "default": true}
  ]}]', '{"force": true}'), '},{', '},' || char(10) || '{') AS rows;
SELECT id, code, typeof(code) AS type FROM ma_item ORDER BY id;

-- nullability and defaults: color becomes NOT NULL with a default while
-- rows hold NULL there: the rebuild copies coalesce(color, 'red'), so
-- those rows get the default; the row that had a color keeps it
UPDATE ma_item SET color = 'blue' WHERE name = 'apple';
SELECT replace(viper_migrate('[
  {"app": "ma", "name": "Item", "fields": [
    {"name": "name", "type": "CharField", "max_length": 10},
    {"name": "qty", "type": "BigIntegerField", "default": 1},
    {"name": "code", "type": "IntegerField", "null": true},
    {"name": "note", "type": "CharField", "max_length": 100, "null": true},
    {"name": "color", "type": "CharField", "max_length": 20, "default": "red"},
    {"name": "active", "type": "BooleanField", "null": true}
  ]}]'), '},{', '},' || char(10) || '{') AS rows;
SELECT * FROM cols;
SELECT id, name, color, active FROM ma_item ORDER BY id;

-- indexes: meta.indexes with a condition, and a two-column one
SELECT replace(viper_migrate('[{"app": "ma", "name": "Item", "fields": [{"name": "name", "type": "CharField", "max_length": 10}, {"name": "qty", "type": "BigIntegerField", "default": 1}, {"name": "code", "type": "IntegerField", "null": true}, {"name": "note", "type": "CharField", "max_length": 100, "null": true}, {"name": "color", "type": "CharField", "max_length": 20, "default": "red"}, {"name": "active", "type": "BooleanField", "null": true}],
  "meta": {"indexes": [{"fields": ["qty"], "name": "ma_item_big_qty", "condition": "qty > 100"},
                       {"fields": ["name", "-qty"], "name": "ma_item_name_qty"}]}}]'), '},{', '},' || char(10) || '{') AS rows;
SELECT i.value ->> 'name' AS name, i.value -> 'columns' AS columns, i.value -> 'unique' AS "unique", i.value ->> 'predicate' AS predicate
FROM json_each(viper_introspect('ma_item'), '$.indexes') AS i;
-- change one (its condition), remove the other
SELECT replace(viper_migrate('[{"app": "ma", "name": "Item", "fields": [{"name": "name", "type": "CharField", "max_length": 10}, {"name": "qty", "type": "BigIntegerField", "default": 1}, {"name": "code", "type": "IntegerField", "null": true}, {"name": "note", "type": "CharField", "max_length": 100, "null": true}, {"name": "color", "type": "CharField", "max_length": 20, "default": "red"}, {"name": "active", "type": "BooleanField", "null": true}],
  "meta": {"indexes": [{"fields": ["qty"], "name": "ma_item_big_qty", "condition": "qty > 1000"}]}}]'), '},{', '},' || char(10) || '{') AS rows;
SELECT i.value ->> 'name' AS name, i.value ->> 'predicate' AS predicate
FROM json_each(viper_introspect('ma_item'), '$.indexes') AS i;

-- check constraints: add, then change its expression
SELECT replace(viper_migrate('[{"app": "ma", "name": "Item", "fields": [{"name": "name", "type": "CharField", "max_length": 10}, {"name": "qty", "type": "BigIntegerField", "default": 1}, {"name": "code", "type": "IntegerField", "null": true}, {"name": "note", "type": "CharField", "max_length": 100, "null": true}, {"name": "color", "type": "CharField", "max_length": 20, "default": "red"}, {"name": "active", "type": "BooleanField", "null": true}],
  "meta": {"indexes": [{"fields": ["qty"], "name": "ma_item_big_qty", "condition": "qty > 1000"}],
           "constraints": [{"type": "check", "name": "ma_item_qty_pos", "check": "qty >= 0"}]}}]'), '},{', '},' || char(10) || '{') AS rows;
SELECT replace(viper_migrate('[{"app": "ma", "name": "Item", "fields": [{"name": "name", "type": "CharField", "max_length": 10}, {"name": "qty", "type": "BigIntegerField", "default": 1}, {"name": "code", "type": "IntegerField", "null": true}, {"name": "note", "type": "CharField", "max_length": 100, "null": true}, {"name": "color", "type": "CharField", "max_length": 20, "default": "red"}, {"name": "active", "type": "BooleanField", "null": true}],
  "meta": {"indexes": [{"fields": ["qty"], "name": "ma_item_big_qty", "condition": "qty > 1000"}],
           "constraints": [{"type": "check", "name": "ma_item_qty_pos", "check": "qty >= 1"}]}}]'), '},{', '},' || char(10) || '{') AS rows;
SELECT viper_introspect('ma_item') -> '$.checks' AS checks;
INSERT INTO ma_item (name, qty) VALUES ('zero', 0);
-- a second migrate of the same set does nothing
.parameter set @item_final '[{"app": "ma", "name": "Item", "fields": [{"name": "name", "type": "CharField", "max_length": 10}, {"name": "qty", "type": "BigIntegerField", "default": 1}, {"name": "code", "type": "IntegerField", "null": true}, {"name": "note", "type": "CharField", "max_length": 100, "null": true}, {"name": "color", "type": "CharField", "max_length": 20, "default": "red"}, {"name": "active", "type": "BooleanField", "null": true}], "meta": {"indexes": [{"fields": ["qty"], "name": "ma_item_big_qty", "condition": "qty > 1000"}], "constraints": [{"type": "check", "name": "ma_item_qty_pos", "check": "qty >= 1"}]}}]'
SELECT viper_migrate(@item_final) AS rows;

-- a change made by hand is seen by the next plan (introspection, not the catalog)
ALTER TABLE ma_item DROP COLUMN color;
DROP INDEX ma_item_big_qty;
SELECT p.value ->> 'op' AS op, p.value ->> 'target' AS target, p.value ->> 'warning' AS warning
FROM json_each(viper_plan(@item_final)) AS p;
-- plan applied nothing
SELECT count(*) AS color_columns FROM cols WHERE name = 'color';
SELECT replace(viper_migrate(@item_final), '},{', '},' || char(10) || '{') AS rows;
SELECT viper_migrate(@item_final) AS rows;
SELECT id, name, qty, code, note, color FROM ma_item ORDER BY id;

-- the catalog row: version counts the applied changes
SELECT label, table_name, version > 1 AS changed, managed, read_only, single
FROM viper_models WHERE app = 'ma';

-- NOT NULL without a default while a row holds NULL: refused (22023, the
-- field named) before the rebuild, nothing changed; {"force": true} does
-- not invent a value either
SELECT viper_migrate('[
  {"app": "mn", "name": "Box", "fields": [
    {"name": "label", "type": "CharField", "max_length": 20},
    {"name": "size", "type": "IntegerField", "null": true}
  ]}]') IS NOT NULL AS created;
INSERT INTO mn_box (label, size) VALUES ('a', 1), ('b', NULL);
.parameter set @box_notnull '[{"app": "mn", "name": "Box", "fields": [{"name": "label", "type": "CharField", "max_length": 20}, {"name": "size", "type": "IntegerField"}, {"name": "note", "type": "TextField", "null": true}]}]'
CREATE TEMP TABLE before_box AS SELECT sql FROM sqlite_master WHERE name = 'mn_box';
SELECT viper_migrate(@box_notnull);
SELECT viper_migrate(@box_notnull, '{"force": true}');
-- the table is unchanged (no note column either), rows kept
SELECT (SELECT sql FROM sqlite_master WHERE name = 'mn_box') = (SELECT sql FROM before_box) AS table_unchanged;
SELECT label, size FROM mn_box ORDER BY id;
-- once no row holds NULL it applies
UPDATE mn_box SET size = 0 WHERE size IS NULL;
SELECT replace(viper_migrate(@box_notnull), '},{', '},' || char(10) || '{') AS rows;
SELECT c.value ->> 'name' AS name, c.value -> 'nullable' AS nullable
FROM json_each(viper_introspect('mn_box'), '$.columns') AS c WHERE c.value ->> 'name' = 'size';

-- AddColumn NOT NULL without a default on a table that has rows: refused
.parameter set @box_weight '[{"app": "mn", "name": "Box", "fields": [{"name": "label", "type": "CharField", "max_length": 20}, {"name": "size", "type": "IntegerField"}, {"name": "note", "type": "TextField", "null": true}, {"name": "weight", "type": "IntegerField"}]}]'
SELECT viper_migrate(@box_weight);
SELECT count(*) AS weight_columns FROM pragma_table_info('mn_box') WHERE name = 'weight';
-- with a default the rows are filled: auto_now_add's expression default
-- needs a rebuild, whose copy leaves both new columns out, so the new
-- table's defaults fill them
SELECT replace(viper_migrate('[
  {"app": "mn", "name": "Box", "fields": [
    {"name": "label", "type": "CharField", "max_length": 20},
    {"name": "size", "type": "IntegerField"},
    {"name": "note", "type": "TextField", "null": true},
    {"name": "weight", "type": "IntegerField", "default": 5},
    {"name": "seen", "type": "DateTimeField", "auto_now_add": true}
  ]}]'), '},{', '},' || char(10) || '{') AS rows;
SELECT label, size, weight, seen IS NOT NULL AS seen_filled FROM mn_box ORDER BY id;
-- on an empty table the NOT NULL column without a default is added
DELETE FROM mn_box;
SELECT replace(viper_migrate('[
  {"app": "mn", "name": "Box", "fields": [
    {"name": "label", "type": "CharField", "max_length": 20},
    {"name": "size", "type": "IntegerField"},
    {"name": "note", "type": "TextField", "null": true},
    {"name": "weight", "type": "IntegerField", "default": 5},
    {"name": "seen", "type": "DateTimeField", "auto_now_add": true},
    {"name": "rank", "type": "IntegerField"}
  ]}]'), '},{', '},' || char(10) || '{') AS rows;
SELECT name, "notnull", dflt_value FROM pragma_table_info('mn_box') WHERE name = 'rank';
