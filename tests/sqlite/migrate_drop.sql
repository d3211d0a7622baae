-- migrate_drop.sql — RemoveColumn and DropTable happen only with
-- {"allow_drop": true} (otherwise a warning row), the "apps" option limits
-- a migrate to some apps, and a drop + add of the same type is only hinted
-- as a rename: a hint never drops a column that holds data. Mirrors
-- sql/migrate_drop.sql. viper_migrate's JSON result is shown one
-- operation per line.
.headers on
CREATE VIEW keep_cols AS
  SELECT c.value ->> 'name' AS name
  FROM json_each(viper_introspect('md_keep'), '$.columns') AS c;

SELECT replace(viper_migrate('[
  {"app": "md", "name": "Keep", "fields": [
    {"name": "a", "type": "IntegerField", "null": true},
    {"name": "b", "type": "IntegerField", "null": true}]},
  {"app": "md", "name": "Gone", "fields": [{"name": "x", "type": "TextField", "null": true}]},
  {"app": "mo", "name": "Other", "fields": [{"name": "y", "type": "TextField", "null": true}]}
]'), '},{', '},' || char(10) || '{') AS rows;
INSERT INTO md_keep (a, b) VALUES (1, 2);

-- a field and a model missing from the set: warning rows, nothing dropped
SELECT replace(viper_migrate('[
  {"app": "md", "name": "Keep", "fields": [{"name": "a", "type": "IntegerField", "null": true}]}
]'), '},{', '},' || char(10) || '{') AS rows;
SELECT name FROM keep_cols;
SELECT viper_introspect('md_gone') -> '$.exists' AS md_gone_exists;
-- the other app is not part of this migrate: untouched, still in the catalog
SELECT viper_introspect('mo_other') -> '$.exists' AS mo_other_exists;
SELECT label FROM viper_models WHERE app IN ('md', 'mo') ORDER BY label;

-- with allow_drop they are dropped
SELECT replace(viper_migrate('[
  {"app": "md", "name": "Keep", "fields": [{"name": "a", "type": "IntegerField", "null": true}]}
]', '{"allow_drop": true}'), '},{', '},' || char(10) || '{') AS rows;
SELECT name FROM keep_cols;
SELECT viper_introspect('md_gone') -> '$.exists' AS md_gone_exists;
SELECT label FROM viper_models WHERE app IN ('md', 'mo') ORDER BY label;
SELECT a FROM md_keep;

-- apps: only the listed apps are planned; models of other apps in the set
-- are left alone
SELECT p.value ->> 'op' AS op, p.value ->> 'target' AS target
FROM json_each(viper_plan('[
  {"app": "md", "name": "Keep", "fields": [{"name": "a", "type": "IntegerField", "null": true},
                                          {"name": "c", "type": "TextField", "null": true}]},
  {"app": "mo", "name": "Other", "fields": [{"name": "y", "type": "TextField", "null": true},
                                           {"name": "z", "type": "TextField", "null": true}]}
]', '{"apps": ["mo"]}')) AS p;
-- and an app listed with none of its models in the set loses them only
-- with allow_drop
SELECT p.value ->> 'op' AS op, p.value ->> 'target' AS target, p.value ->> 'warning' AS warning
FROM json_each(viper_plan('[]', '{"apps": ["mo"]}')) AS p;
SELECT replace(viper_migrate('[]', '{"apps": ["mo"], "allow_drop": true}'), '},{', '},' || char(10) || '{') AS rows;
SELECT viper_introspect('mo_other') -> '$.exists' AS mo_other_exists;

-- rename hint: b2 replaces b with the same type, no old_name
SELECT replace(viper_migrate('[
  {"app": "md", "name": "Keep", "fields": [
    {"name": "a", "type": "IntegerField", "null": true},
    {"name": "b", "type": "IntegerField", "null": true}]}
]'), '},{', '},' || char(10) || '{') AS rows;
UPDATE md_keep SET b = 42;
SELECT p.value ->> 'op' AS op, p.value ->> 'target' AS target, p.value ->> 'sql' AS sql, p.value ->> 'warning' AS warning
FROM json_each(viper_plan('[
  {"app": "md", "name": "Keep", "fields": [
    {"name": "a", "type": "IntegerField", "null": true},
    {"name": "b2", "type": "IntegerField", "null": true}]}
]', '{"allow_drop": true}')) AS p;
-- even with allow_drop, the hinted column that holds data is kept. On
-- SQLite dropping b and adding b2 is one table rebuild: when b holds data
-- the whole rebuild is skipped (a warning row), so b2 is not added either
SELECT replace(viper_migrate('[
  {"app": "md", "name": "Keep", "fields": [
    {"name": "a", "type": "IntegerField", "null": true},
    {"name": "b2", "type": "IntegerField", "null": true}]}
]', '{"allow_drop": true}'), '},{', '},' || char(10) || '{') AS rows;
SELECT * FROM md_keep;
