-- migrate_types.sql — every field type of DESIGN §3 created by migrate,
-- then read back through viper_introspect (declared types, nullability,
-- defaults, constraints, foreign keys) and used with a row; the CHECKs
-- give SQLite's untyped columns the guarantees of the PostgreSQL types.
-- Mirrors sql/migrate_types.sql.
.headers on
.parameter set @types '[{"app": "mt", "name": "Target", "fields": [{"name": "id", "type": "BigAutoField", "primary_key": true}, {"name": "label", "type": "CharField", "max_length": 10, "unique": true}]}, {"app": "mt", "name": "Every", "fields": [{"name": "f_integer", "type": "IntegerField", "default": 7}, {"name": "f_big", "type": "BigIntegerField", "null": true}, {"name": "f_small", "type": "SmallIntegerField", "null": true}, {"name": "f_positive", "type": "PositiveIntegerField", "default": 0}, {"name": "f_float", "type": "FloatField", "null": true}, {"name": "f_decimal", "type": "DecimalField", "max_digits": 10, "decimal_places": 2, "default": "12.50"}, {"name": "f_char", "type": "CharField", "max_length": 30, "default": "its"}, {"name": "f_text", "type": "TextField", "null": true}, {"name": "f_email", "type": "EmailField", "null": true}, {"name": "f_slug", "type": "SlugField", "null": true}, {"name": "f_url", "type": "URLField", "null": true}, {"name": "f_bool", "type": "BooleanField", "default": false}, {"name": "f_datetime", "type": "DateTimeField", "auto_now_add": true}, {"name": "f_date", "type": "DateField", "default": "2024-01-02"}, {"name": "f_time", "type": "TimeField", "default": "08:30"}, {"name": "f_uuid", "type": "UUIDField", "null": true, "unique": true}, {"name": "f_json", "type": "JSONField", "default": {"k": 1}}, {"name": "f_binary", "type": "BinaryField", "default": "00ff"}, {"name": "f_ip", "type": "GenericIPAddressField", "null": true}, {"name": "f_array", "type": "ArrayField", "base_field": {"type": "IntegerField"}, "default": [1, 2]}, {"name": "f_fk", "type": "ForeignKey", "to": "Target", "on_delete": "CASCADE", "null": true}, {"name": "f_o2o", "type": "OneToOneField", "to": "Target", "on_delete": "SET_NULL", "null": true}, {"name": "f_m2m", "type": "ManyToManyField", "to": "Target"}, {"name": "f_file", "type": "FileField", "null": true}, {"name": "f_password", "type": "PasswordField", "null": true}, {"name": "f_sensitive", "type": "SensitiveField", "null": true}]}]'

SELECT replace(viper_migrate(@types), '},{', '},' || char(10) || '{') AS rows;

-- the columns as the database holds them
SELECT c.value ->> 'name' AS name, c.value ->> 'type' AS type,
       c.value -> 'nullable' AS nullable, c.value ->> 'default' AS "default"
FROM json_each(viper_introspect('mt_every'), '$.columns') AS c;
SELECT c.value ->> 'name' AS name, c.value ->> 'type' AS type, c.value -> 'nullable' AS nullable
FROM json_each(viper_introspect('mt_every_f_m2m'), '$.columns') AS c;
SELECT c.value ->> 'name' AS name, c.value ->> 'type' AS type, c.value -> 'identity' AS "identity"
FROM json_each(viper_introspect('mt_target'), '$.columns') AS c;

-- constraints and foreign keys
SELECT c.value ->> 'name' AS name, c.value ->> 'expression' AS expression
FROM json_each(viper_introspect('mt_every'), '$.checks') AS c;
SELECT viper_introspect('mt_every') -> '$.uniques' AS uniques;
SELECT f.value ->> 'name' AS name, f.value -> 'columns' AS columns, f.value ->> 'ref_table' AS ref_table,
       f.value -> 'ref_columns' AS ref_columns, f.value ->> 'on_delete' AS on_delete
FROM json_each(viper_introspect('mt_every'), '$.foreign_keys') AS f;
SELECT i.value ->> 'name' AS name, i.value -> 'columns' AS columns, i.value -> 'unique' AS "unique", i.value -> 'constraint' AS "constraint"
FROM json_each(viper_introspect('mt_every'), '$.indexes') AS i;

-- a row takes every default
PRAGMA foreign_keys = ON;
INSERT INTO mt_target (label) VALUES ('t1');
INSERT INTO mt_every (f_fk_id, f_o2o_id) SELECT id, id FROM mt_target;
SELECT f_integer, f_positive, f_decimal, f_char, f_bool, f_datetime IS NOT NULL AS has_datetime,
       f_date, f_time, f_json, hex(f_binary) AS f_binary, f_array, f_fk_id, f_o2o_id
FROM mt_every;
-- the type checks hold
INSERT INTO mt_every (f_positive) VALUES (-1);
INSERT INTO mt_every (f_small) VALUES (40000);
INSERT INTO mt_every (f_char) VALUES (printf('%.31c', 'x'));
INSERT INTO mt_every (f_integer) VALUES ('seven');
INSERT INTO mt_every (f_date) VALUES ('2024-02-30');
INSERT INTO mt_every (f_json) VALUES ('{oops');
INSERT INTO mt_every (f_uuid) VALUES ('not-a-uuid');
-- on_delete: SET NULL for the one-to-one, CASCADE for the foreign key
UPDATE mt_every SET f_fk_id = NULL;
DELETE FROM mt_target;
SELECT count(*) AS "rows", count(f_o2o_id) AS o2o_set FROM mt_every;

-- migrating the same set again changes nothing
SELECT viper_migrate(@types) AS rows;
