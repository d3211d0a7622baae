--
-- migrate_refusals: every bad schema is refused with a clear error naming
-- the model and field, nothing is created when any model of the set is
-- invalid, unknown options, and who may call what (DESIGN §12
-- "Privileges": migrate and register_model are viper_admin's).
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

-- bad identifiers: field, app, table, db_column, too long (42602)
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "ti-tle", "type": "TextField"}]}]');
SELECT * FROM viper.migrate('[{"app": "1rf", "name": "Post", "fields": []}]');
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "table": "rf post", "fields": []}]');
SELECT * FROM viper.migrate($j$[{"app": "rf", "name": "Post", "fields": [{"name": "a", "type": "TextField", "db_column": "a\"; DROP TABLE x; --"}]}]$j$);
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "a123456789b123456789c123456789d123456789e123456789f123456789xyzw", "type": "TextField"}]}]');
-- unknown type (22023, with the nearest type as hint)
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "title", "type": "Charfield", "max_length": 5}]}]');
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "title", "type": "StringField"}]}]');
-- unknown foreign-key target (42P01, nearest label as hint)
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Author", "fields": []},
  {"app": "rf", "name": "Post", "fields": [{"name": "author", "type": "ForeignKey", "to": "rf.Autor", "on_delete": "CASCADE"}]}]');
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "tags", "type": "ManyToManyField", "to": "nowhere.Tag"}]}]');
-- dangerous index condition and check expression (42601 naming the token)
SELECT * FROM viper.migrate($j$[{"app": "rf", "name": "Post", "fields": [{"name": "views", "type": "IntegerField"}],
  "meta": {"indexes": [{"fields": ["views"], "name": "rf_post_v", "condition": "views > 0; DROP TABLE rf_post"}]}}]$j$);
SELECT * FROM viper.migrate($j$[{"app": "rf", "name": "Post", "fields": [{"name": "views", "type": "IntegerField"}],
  "meta": {"constraints": [{"type": "check", "name": "rf_post_c", "check": "(SELECT count(*) FROM pg_authid) > 0"}]}}]$j$);
SELECT * FROM viper.migrate($j$[{"app": "rf", "name": "Post", "fields": [{"name": "views", "type": "IntegerField"}],
  "meta": {"constraints": [{"type": "check", "name": "rf_post_c", "check": "views > 0 -- comment"}]}}]$j$);
SELECT * FROM viper.migrate($j$[{"app": "rf", "name": "Post", "fields": [{"name": "views", "type": "IntegerField"}],
  "meta": {"constraints": [{"type": "check", "name": "rf_post_c", "check": "viewz > 0"}]}}]$j$);
-- unknown on_delete (22023)
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Author", "fields": []},
  {"app": "rf", "name": "Post", "fields": [{"name": "author", "type": "ForeignKey", "to": "Author", "on_delete": "EXPLODE"}]}]');
-- duplicate field names, two primary keys (22023)
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "a", "type": "TextField"}, {"name": "a", "type": "IntegerField"}]}]');
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "a", "type": "IntegerField", "primary_key": true}, {"name": "b", "type": "IntegerField", "primary_key": true}]}]');
-- more malformed schemas: missing option, unknown key, wrong default type
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "title", "type": "CharField"}]}]');
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "title", "type": "TextField", "nul": true}]}]');
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "views", "type": "IntegerField", "default": "0"}]}]');
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": []}, {"app": "rf", "name": "Post", "fields": []}]');
-- schemas must be an array of objects; options an object of known keys
SELECT * FROM viper.migrate('{"app": "rf", "name": "Post", "fields": []}');
SELECT * FROM viper.migrate(NULL);
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": []}]', '{"forse": true}');
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": []}]', '[]');
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": []}]', '{"apps": "rf"}');
-- NULL options mean {}
SELECT op, target FROM viper.plan('[{"app": "rf", "name": "Post", "fields": []}]', NULL);

-- the SQLSTATE of each refusal of the acceptance list
SELECT c AS "case", pg_temp.try(format('SELECT count(*)::text FROM viper.migrate(%L)', s)) AS result
FROM (VALUES
  ('bad identifier', '[{"app": "rf", "name": "Post", "fields": [{"name": "ti-tle", "type": "TextField"}]}]'),
  ('unknown type', '[{"app": "rf", "name": "Post", "fields": [{"name": "t", "type": "Charfield", "max_length": 5}]}]'),
  ('unknown FK target', '[{"app": "rf", "name": "Post", "fields": [{"name": "a", "type": "ForeignKey", "to": "rf.Autor"}]}]'),
  ('dangerous condition', '[{"app": "rf", "name": "Post", "fields": [{"name": "v", "type": "IntegerField"}], "meta": {"indexes": [{"fields": ["v"], "condition": "v > 0; DROP TABLE x"}]}}]'),
  ('dangerous check', '[{"app": "rf", "name": "Post", "fields": [{"name": "v", "type": "IntegerField"}], "meta": {"constraints": [{"type": "check", "name": "c", "check": "pg_sleep(1) IS NULL"}]}}]'),
  ('unknown on_delete', '[{"app": "rf", "name": "A", "fields": []}, {"app": "rf", "name": "Post", "fields": [{"name": "a", "type": "ForeignKey", "to": "A", "on_delete": "EXPLODE"}]}]'),
  ('duplicate field', '[{"app": "rf", "name": "Post", "fields": [{"name": "a", "type": "TextField"}, {"name": "a", "type": "TextField"}]}]'),
  ('two primary keys', '[{"app": "rf", "name": "Post", "fields": [{"name": "a", "type": "IntegerField", "primary_key": true}, {"name": "b", "type": "IntegerField", "primary_key": true}]}]')
) AS t(c, s);

-- one invalid model: nothing of the set is created or stored
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Good", "fields": [{"name": "t", "type": "TextField"}]},
  {"app": "rf", "name": "Bad", "fields": [{"name": "t", "type": "NoSuchField"}]}]');
SELECT viper.introspect('rf_good')->'exists' AS good_table_exists,
       (SELECT count(*) FROM viper.models WHERE app = 'rf') AS catalog_rows;

-- introspect validates its argument (42602)
SELECT viper.introspect('rf_post; DROP TABLE x');
SELECT viper.introspect('');
SELECT viper.introspect(NULL) AS null_table;

-- privileges: plan, model and introspect are for everyone; migrate and
-- register_model for viper_admin only (42501)
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_viper_user;
DROP ROLE IF EXISTS regress_viper_admin;
RESET client_min_messages;
CREATE ROLE regress_viper_user;
CREATE ROLE regress_viper_admin IN ROLE viper_admin;
SELECT f AS function,
       has_function_privilege('regress_viper_user', f, 'EXECUTE') AS "user",
       has_function_privilege('regress_viper_admin', f, 'EXECUTE') AS admin
FROM unnest(ARRAY['viper.register_model(jsonb)', 'viper.model(text)',
                  'viper.introspect(text)', 'viper.plan(jsonb,jsonb)',
                  'viper.migrate(jsonb,jsonb)']) AS f;
SELECT has_table_privilege('regress_viper_user', 'viper.models', 'INSERT') AS user_writes_catalog,
       has_table_privilege('regress_viper_admin', 'viper.models', 'INSERT') AS admin_writes_catalog;
SET ROLE regress_viper_user;
SELECT * FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": []}]');
SELECT viper.register_model('{"app": "rf", "name": "Post", "fields": []}');
SELECT op, target FROM viper.plan('[{"app": "rf", "name": "Post", "fields": []}]');
SELECT viper.introspect('rf_post')->'exists' AS rf_post_exists;
RESET ROLE;
-- an administrator may (the table needs CREATE on public, as ever)
GRANT CREATE ON SCHEMA public TO regress_viper_admin;
SET ROLE regress_viper_admin;
SELECT op, target FROM viper.migrate('[{"app": "rf", "name": "Post", "fields": [{"name": "t", "type": "TextField"}]}]');
SELECT viper.register_model('{"app": "rf", "name": "Draft", "fields": []}') AS registered;
RESET ROLE;
SELECT label, table_name FROM viper.models WHERE app = 'rf' ORDER BY label;

-- clean up
DROP TABLE rf_post;
DELETE FROM viper.models WHERE app = 'rf';
REVOKE CREATE ON SCHEMA public FROM regress_viper_admin;
DROP ROLE regress_viper_user;
DROP ROLE regress_viper_admin;
