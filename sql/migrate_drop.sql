--
-- migrate_drop: RemoveColumn and DropTable happen only with
-- {"allow_drop": true} (otherwise a warning row), the "apps" option limits
-- a migrate to some apps, and a drop + add of the same type is only hinted
-- as a rename: a hint never drops a column that holds data.
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

SELECT op, target FROM viper.migrate($j$[
  {"app": "md", "name": "Keep", "fields": [
    {"name": "a", "type": "IntegerField", "null": true},
    {"name": "b", "type": "IntegerField", "null": true}]},
  {"app": "md", "name": "Gone", "fields": [{"name": "x", "type": "TextField", "null": true}]},
  {"app": "mo", "name": "Other", "fields": [{"name": "y", "type": "TextField", "null": true}]}
]$j$);
INSERT INTO md_keep (a, b) VALUES (1, 2);

-- a field and a model missing from the set: warning rows, nothing dropped
SELECT * FROM viper.migrate($j$[
  {"app": "md", "name": "Keep", "fields": [{"name": "a", "type": "IntegerField", "null": true}]}
]$j$);
SELECT name FROM pg_temp.cols('md_keep');
SELECT viper.introspect('md_gone')->'exists' AS md_gone_exists;
-- the other app is not part of this migrate: untouched, still in the catalog
SELECT viper.introspect('mo_other')->'exists' AS mo_other_exists;
SELECT label FROM viper.models WHERE app IN ('md', 'mo') ORDER BY label;

-- with allow_drop they are dropped
SELECT * FROM viper.migrate($j$[
  {"app": "md", "name": "Keep", "fields": [{"name": "a", "type": "IntegerField", "null": true}]}
]$j$, '{"allow_drop": true}');
SELECT name FROM pg_temp.cols('md_keep');
SELECT viper.introspect('md_gone')->'exists' AS md_gone_exists;
SELECT label FROM viper.models WHERE app IN ('md', 'mo') ORDER BY label;
SELECT a FROM md_keep;

-- apps: only the listed apps are planned; models of other apps in the set
-- are left alone
SELECT op, target FROM viper.plan($j$[
  {"app": "md", "name": "Keep", "fields": [{"name": "a", "type": "IntegerField", "null": true},
                                          {"name": "c", "type": "TextField", "null": true}]},
  {"app": "mo", "name": "Other", "fields": [{"name": "y", "type": "TextField", "null": true},
                                           {"name": "z", "type": "TextField", "null": true}]}
]$j$, '{"apps": ["mo"]}');
-- and an app listed with none of its models in the set loses them only
-- with allow_drop
SELECT op, target, warning FROM viper.plan('[]', '{"apps": ["mo"]}');
SELECT op, target FROM viper.migrate('[]', '{"apps": ["mo"], "allow_drop": true}');
SELECT viper.introspect('mo_other')->'exists' AS mo_other_exists;

-- rename hint: b2 replaces b with the same type, no old_name
SELECT op, target FROM viper.migrate($j$[
  {"app": "md", "name": "Keep", "fields": [
    {"name": "a", "type": "IntegerField", "null": true},
    {"name": "b", "type": "IntegerField", "null": true}]}
]$j$);
UPDATE md_keep SET b = 42;
SELECT * FROM viper.plan($j$[
  {"app": "md", "name": "Keep", "fields": [
    {"name": "a", "type": "IntegerField", "null": true},
    {"name": "b2", "type": "IntegerField", "null": true}]}
]$j$, '{"allow_drop": true}');
-- even with allow_drop, the hinted column that holds data is kept
SELECT * FROM viper.migrate($j$[
  {"app": "md", "name": "Keep", "fields": [
    {"name": "a", "type": "IntegerField", "null": true},
    {"name": "b2", "type": "IntegerField", "null": true}]}
]$j$, '{"allow_drop": true}');
SELECT a, b, b2 FROM md_keep;
-- the planner keeps proposing it; once the column is empty it goes
UPDATE md_keep SET b2 = b, b = NULL;
SELECT op, target, sql FROM viper.migrate($j$[
  {"app": "md", "name": "Keep", "fields": [
    {"name": "a", "type": "IntegerField", "null": true},
    {"name": "b2", "type": "IntegerField", "null": true}]}
]$j$, '{"allow_drop": true}');
SELECT * FROM md_keep;

-- clean up
DROP TABLE md_keep;
DELETE FROM viper.models WHERE app IN ('md', 'mo');
