--
-- migrate_types: every field type of DESIGN §3 created by migrate, then
-- read back through viper.introspect (column types, nullability, defaults,
-- constraints, foreign keys) and used with a row.
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

\set types_schemas '[{"app": "mt", "name": "Target", "fields": [{"name": "id", "type": "BigAutoField", "primary_key": true}, {"name": "label", "type": "CharField", "max_length": 10, "unique": true}]}, {"app": "mt", "name": "Every", "fields": [{"name": "f_integer", "type": "IntegerField", "default": 7}, {"name": "f_big", "type": "BigIntegerField", "null": true}, {"name": "f_small", "type": "SmallIntegerField", "null": true}, {"name": "f_positive", "type": "PositiveIntegerField", "default": 0}, {"name": "f_float", "type": "FloatField", "null": true}, {"name": "f_decimal", "type": "DecimalField", "max_digits": 10, "decimal_places": 2, "default": "12.50"}, {"name": "f_char", "type": "CharField", "max_length": 30, "default": "it''s"}, {"name": "f_text", "type": "TextField", "null": true}, {"name": "f_email", "type": "EmailField", "null": true}, {"name": "f_slug", "type": "SlugField", "null": true}, {"name": "f_url", "type": "URLField", "null": true}, {"name": "f_bool", "type": "BooleanField", "default": false}, {"name": "f_datetime", "type": "DateTimeField", "auto_now_add": true}, {"name": "f_date", "type": "DateField", "default": "2024-01-02"}, {"name": "f_time", "type": "TimeField", "default": "08:30"}, {"name": "f_uuid", "type": "UUIDField", "null": true, "unique": true}, {"name": "f_json", "type": "JSONField", "default": {"k": 1}}, {"name": "f_binary", "type": "BinaryField", "default": "00ff"}, {"name": "f_ip", "type": "GenericIPAddressField", "null": true}, {"name": "f_array", "type": "ArrayField", "base_field": {"type": "IntegerField"}, "default": [1, 2]}, {"name": "f_fk", "type": "ForeignKey", "to": "Target", "on_delete": "CASCADE", "null": true}, {"name": "f_o2o", "type": "OneToOneField", "to": "Target", "on_delete": "SET_NULL", "null": true}, {"name": "f_m2m", "type": "ManyToManyField", "to": "Target"}, {"name": "f_file", "type": "FileField", "null": true}, {"name": "f_password", "type": "PasswordField", "null": true}, {"name": "f_sensitive", "type": "SensitiveField", "null": true}]}]'

SELECT op, target, warning FROM viper.migrate(:'types_schemas');

-- the columns as the database holds them
SELECT * FROM pg_temp.cols('mt_every');
SELECT * FROM pg_temp.cols('mt_every_f_m2m');
SELECT * FROM pg_temp.cols('mt_target');

-- constraints and foreign keys
SELECT jsonb_pretty(viper.introspect('mt_every')->'checks') AS checks;
SELECT jsonb_pretty(viper.introspect('mt_every')->'uniques') AS uniques;
SELECT jsonb_pretty(viper.introspect('mt_every')->'foreign_keys') AS foreign_keys;
SELECT i.name, i.columns, i."unique", i."constraint"
FROM jsonb_to_recordset(viper.introspect('mt_every')->'indexes')
     AS i(name text, columns jsonb, "unique" boolean, "constraint" boolean)
ORDER BY i.name;

-- a row takes every default
INSERT INTO mt_target (label) VALUES ('t1'), ('t2');
INSERT INTO mt_every (f_fk_id, f_o2o_id)
	SELECT (SELECT id FROM mt_target WHERE label = 't1'), (SELECT id FROM mt_target WHERE label = 't2');
SELECT f_integer, f_positive, f_decimal, f_char, f_bool, f_datetime IS NOT NULL AS has_datetime,
       f_date, f_time, f_json, f_binary, f_array
FROM mt_every;
INSERT INTO mt_every_f_m2m (every_id, target_id) SELECT e.id, t.id FROM mt_every e, mt_target t;
-- the column types hold
SELECT pg_temp.try($$INSERT INTO mt_every (f_positive) VALUES (-1) RETURNING 'inserted'$$);
SELECT pg_temp.try($$INSERT INTO mt_every (f_small) VALUES (40000) RETURNING 'inserted'$$);
SELECT pg_temp.try($$INSERT INTO mt_every (f_char) VALUES (repeat('x', 31)) RETURNING 'inserted'$$);
SELECT pg_temp.try($$INSERT INTO mt_every (f_uuid) VALUES ('not-a-uuid') RETURNING 'inserted'$$);
SELECT pg_temp.try($$INSERT INTO mt_every (f_ip) VALUES ('10.0.0.300') RETURNING 'inserted'$$);
SELECT pg_temp.try($$INSERT INTO mt_every (f_o2o_id) SELECT f_o2o_id FROM mt_every RETURNING 'inserted'$$);
-- on_delete: SET NULL (the one-to-one), CASCADE (the foreign key and the
-- junction table)
DELETE FROM mt_target WHERE label = 't2';
SELECT count(*) AS rows, count(f_o2o_id) AS o2o_set FROM mt_every;
SELECT count(*) AS links FROM mt_every_f_m2m;
DELETE FROM mt_target WHERE label = 't1';
SELECT count(*) AS rows FROM mt_every;
SELECT count(*) AS links FROM mt_every_f_m2m;

-- migrating the same set again changes nothing
SELECT count(*) AS rows FROM viper.migrate(:'types_schemas');

-- clean up
DROP TABLE mt_every_f_m2m, mt_every, mt_target;
DELETE FROM viper.models WHERE app = 'mt';
