--
-- install: CREATE / DROP / CREATE EXTENSION, the objects and roles it
-- creates, fixed search_path on every function, privileges (DESIGN §12),
-- and that look-alike objects in public are never called by viper.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
DROP EXTENSION viper;
CREATE EXTENSION viper;
DROP EXTENSION viper;
CREATE EXTENSION viper;
RESET client_min_messages;
\pset null '<NULL>'

-- show SQLSTATE and message of a failing statement as a value
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

-- the extension's version is the control file's and viper.version()'s
SELECT default_version = installed_version AS installed_default,
       installed_version = viper.version() AS matches_version_function,
       viper.version() ~ '^[0-9]+\.[0-9]+\.[0-9]+$' AS semver
FROM pg_available_extensions WHERE name = 'viper';
SELECT extversion = viper.version() AS extversion_ok, extrelocatable,
       extnamespace::regnamespace AS schema
FROM pg_extension WHERE extname = 'viper';

-- every member object of the extension
SELECT pg_describe_object(classid, objid, objsubid) AS member
FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'viper')
  AND deptype = 'e'
ORDER BY 1;

-- catalog tables and their columns
SELECT c.relname, a.attname, format_type(a.atttypid, a.atttypmod) AS type,
       a.attnotnull AS not_null, pg_get_expr(d.adbin, d.adrelid) AS default
FROM pg_class c
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum > 0 AND NOT a.attisdropped
LEFT JOIN pg_attrdef d ON d.adrelid = c.oid AND d.adnum = a.attnum
WHERE c.relnamespace = 'viper'::regnamespace AND c.relkind = 'r'
ORDER BY c.relname, a.attnum;

-- keys and checks
SELECT conrelid::regclass AS "table", contype, pg_get_constraintdef(oid) AS definition
FROM pg_constraint
WHERE connamespace = 'viper'::regnamespace
ORDER BY 1, 2, 3;

-- catalog tables whose user rows pg_dump keeps
SELECT unnest(extconfig)::regclass AS dumped FROM pg_extension WHERE extname = 'viper' ORDER BY 1;

-- roles: created if missing, never able to log in, admin is a member of app
SELECT rolname, rolcanlogin, rolsuper FROM pg_roles
WHERE rolname IN ('viper_admin', 'viper_app') ORDER BY 1;
SELECT pg_has_role('viper_admin', 'viper_app', 'MEMBER') AS admin_is_app,
       pg_has_role('viper_app', 'viper_admin', 'MEMBER') AS app_is_admin;

-- every function: fixed search_path, volatility, strictness, parallel safety
SELECT p.oid::regprocedure AS function, p.proconfig, p.provolatile AS vol,
       p.proisstrict AS strict, p.proparallel AS par, p.prosecdef AS secdef
FROM pg_proc p
WHERE p.pronamespace = 'viper'::regnamespace
ORDER BY p.oid::regprocedure::text;
SELECT count(*) AS functions_without_fixed_search_path
FROM pg_proc p
WHERE p.pronamespace = 'viper'::regnamespace
  AND p.proconfig IS DISTINCT FROM ARRAY['search_path=pg_catalog, pg_temp']
  -- functions that touch model tables (schema public) name it after pg_catalog
  AND p.proconfig IS DISTINCT FROM ARRAY['search_path=pg_catalog, public, pg_temp'];

-- privileges of an ordinary role (what PUBLIC gets)
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_viper_nobody;
RESET client_min_messages;
CREATE ROLE regress_viper_nobody;
SELECT f AS function, has_function_privilege('regress_viper_nobody', f, 'EXECUTE') AS can_execute
FROM unnest(ARRAY[
	'viper.version()', 'viper.catalog_version()', 'viper.features()',
	'viper.validate_identifier(text,text)', 'viper.assert_safe_table_name(text)',
	'viper.quote_identifier(text,text)', 'viper.validate_sql_expression(text,text,text)',
	'viper.escape_like(text)', 'viper.validate_regex_pattern(text)',
	'viper.validate_on_delete(text)', 'viper.mask_url(text)',
	'viper._vendor_feature_defaults()', 'viper._bump_catalog_version()']) AS f;
SELECT t AS "table",
       has_table_privilege('regress_viper_nobody', t, 'SELECT') AS sel,
       has_table_privilege('regress_viper_nobody', t, 'INSERT') AS ins,
       has_table_privilege('regress_viper_nobody', t, 'UPDATE') AS upd,
       has_table_privilege('regress_viper_nobody', t, 'DELETE') AS del,
       has_table_privilege('viper_admin', t, 'SELECT') AS admin_sel
FROM unnest(ARRAY['viper.models', 'viper.grants', 'viper.patches',
                  'viper.vendor_features', 'viper.audit_log']) AS t;
SELECT has_schema_privilege('regress_viper_nobody', 'viper', 'USAGE') AS schema_usage,
       has_schema_privilege('regress_viper_nobody', 'viper', 'CREATE') AS schema_create,
       has_sequence_privilege('regress_viper_nobody', 'viper.catalog_version_seq', 'USAGE') AS seq_nextval;

-- the same, by acting as that role
SET ROLE regress_viper_nobody;
SELECT viper.validate_identifier('ok_name') AS validated,
       viper.catalog_version() > 0 AS has_catalog_version,
       viper.features()->>'vendor' AS vendor,
       (SELECT count(*) FROM viper.models) AS models;
SELECT pg_temp.try('SELECT count(*)::text FROM viper.audit_log');
SELECT pg_temp.try('SELECT count(*)::text FROM viper._vendor_feature_defaults()');
SELECT pg_temp.try($$INSERT INTO viper.vendor_features VALUES ('x', 'y', true) RETURNING 'inserted'$$);
SELECT pg_temp.try($$UPDATE viper.vendor_features SET enabled = false RETURNING 'updated'$$);
SELECT pg_temp.try($$SELECT pg_catalog.nextval('viper.catalog_version_seq')::text$$);
-- and as psql shows it
SELECT * FROM viper.audit_log;
RESET ROLE;
DROP ROLE regress_viper_nobody;

-- catalog_version() moves with every statement that changes the catalog
SELECT viper.catalog_version() AS v0 \gset
SELECT count(*) AS seen FROM viper.vendor_features;
SELECT viper.catalog_version() = :v0 AS unchanged_by_reading;
INSERT INTO viper.models (label, app, name, table_name, schema)
VALUES ('blog.Post', 'blog', 'Post', 'blog_post', '{}');
SELECT viper.catalog_version() > :v0 AS bumped_by_insert;
SELECT viper.catalog_version() AS v1 \gset
INSERT INTO viper.grants (model, action, role) VALUES ('blog.Post', 'select', 'anonymous');
SELECT viper.catalog_version() > :v1 AS bumped_by_grant;
SELECT viper.catalog_version() AS v2 \gset
DELETE FROM viper.models WHERE label = 'blog.Post';
SELECT viper.catalog_version() > :v2 AS bumped_by_delete,
       (SELECT count(*) FROM viper.grants) AS grants_cascaded;

-- catalog checks (terse: the failing row would show a timestamp)
\set VERBOSITY terse
INSERT INTO viper.grants (model, action, role) VALUES ('no.Such', 'select', 'x');
INSERT INTO viper.models (label, app, name, table_name, schema)
VALUES ('blog.Post', 'blog', 'Post', 'blog_post', '{}');
INSERT INTO viper.grants (model, action, role) VALUES ('blog.Post', 'drop', 'x');
INSERT INTO viper.patches (name, phase, checksum, checksum_algorithm)
VALUES ('p1', 'middle', 'abc', 'sha256');
\set VERBOSITY default
DELETE FROM viper.models;

--
-- Hijack: look-alikes in public of what viper calls internally, each
-- raising 'hijacked', with public searched before pg_catalog. viper must
-- call none of them.
--
CREATE FUNCTION public._bump_catalog_version() RETURNS trigger LANGUAGE plpgsql
AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
CREATE FUNCTION public.nextval(regclass) RETURNS bigint LANGUAGE plpgsql
AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
CREATE FUNCTION public.nextval(text) RETURNS bigint LANGUAGE plpgsql
AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
CREATE FUNCTION public.now() RETURNS timestamptz LANGUAGE plpgsql
AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
CREATE FUNCTION public.clock_timestamp() RETURNS timestamptz LANGUAGE plpgsql
AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
CREATE FUNCTION public.current_setting(text) RETURNS text LANGUAGE plpgsql
AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
CREATE FUNCTION public.validate_identifier(text, text) RETURNS text LANGUAGE plpgsql
AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
CREATE FUNCTION public.escape_like(text) RETURNS text LANGUAGE plpgsql
AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
CREATE FUNCTION public.catalog_version() RETURNS bigint LANGUAGE plpgsql
AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
CREATE FUNCTION public.hijacked_eq(text, text) RETURNS boolean LANGUAGE plpgsql
AS $$BEGIN RAISE EXCEPTION 'hijacked'; END$$;
CREATE OPERATOR public.= (LEFTARG = text, RIGHTARG = text, FUNCTION = public.hijacked_eq);
-- tables named like viper's, holding the opposite of the truth
CREATE TABLE public.vendor_features (vendor text, feature text, enabled boolean);
INSERT INTO public.vendor_features
	SELECT 'postgresql', feature, false FROM viper.vendor_features WHERE vendor OPERATOR(pg_catalog.=) 'postgresql';
CREATE SEQUENCE public.catalog_version_seq START 1000000;
SELECT pg_catalog.nextval('public.catalog_version_seq') > 0 AS seq_ready;
CREATE TEMP TABLE vendor_features (vendor text, feature text, enabled boolean);

SET search_path = public, pg_catalog;
-- the look-alikes are live: an unqualified call reaches them
SELECT pg_temp.try('SELECT now()::text');
SELECT pg_temp.try($$SELECT 'a'::text = 'a'::text$$);
-- viper's functions and triggers are not fooled
SELECT viper.catalog_version() AS v3 \gset
SELECT pg_temp.try($$SELECT viper.validate_identifier('abc')$$);
SELECT pg_temp.try($$SELECT viper.escape_like('a%b')$$);
SELECT pg_temp.try($$SELECT viper.quote_identifier('a"b', 'sqlite')$$);
SELECT pg_temp.try($$SELECT viper.mask_url('postgresql://u:pw@h/db')$$);
SELECT pg_temp.try($$SELECT viper.validate_on_delete('set null')$$);
SELECT pg_temp.try($$SELECT (viper.features()->'supports_json')::text$$);
SELECT pg_temp.try($$SELECT (viper.version() IS NOT NULL)::text$$);
SELECT pg_temp.try($$INSERT INTO viper.vendor_features VALUES ('hijack', 'test', true) RETURNING 'inserted'$$);
SELECT pg_temp.try($$INSERT INTO viper.models (label, app, name, table_name, schema) VALUES ('h.M', 'h', 'M', 'h_m', '{}') RETURNING 'inserted'$$);
SELECT pg_temp.try($$INSERT INTO viper.audit_log (action, reason) VALUES ('test', 'hijack') RETURNING 'inserted'$$);
SELECT pg_temp.try($$DELETE FROM viper.models WHERE label OPERATOR(pg_catalog.=) 'h.M' RETURNING 'deleted'$$);
SELECT pg_temp.try('SELECT (viper.catalog_version() > ' || :v3 || ')::text AS bumped');
-- schema sync creates DDL whose defaults call now(): the look-alike is not used
SELECT pg_temp.try($$SELECT string_agg(op, ',') FROM viper.migrate('[{"app": "hj", "name": "Thing", "fields": [{"name": "created", "type": "DateTimeField", "auto_now_add": true}, {"name": "title", "type": "CharField", "max_length": 10}]}]')$$);
SELECT pg_temp.try($$INSERT INTO hj_thing (title) VALUES ('x') RETURNING (created IS NOT NULL)::text$$);
SELECT pg_temp.try($$SELECT string_agg(op, ',') FROM viper.migrate('[]', '{"apps": ["hj"], "allow_drop": true}')$$);
RESET search_path;

DELETE FROM viper.vendor_features WHERE vendor = 'hijack';
DELETE FROM viper.audit_log;
DROP OPERATOR public.= (text, text);
DROP FUNCTION public._bump_catalog_version(),
	public.nextval(regclass), public.nextval(text), public.now(),
	public.clock_timestamp(), public.current_setting(text),
	public.validate_identifier(text, text), public.escape_like(text),
	public.catalog_version(), public.hijacked_eq(text, text);
DROP TABLE public.vendor_features, pg_temp.vendor_features;
DROP SEQUENCE public.catalog_version_seq;

-- the GUC of the query engine
SHOW viper.max_query_rows;
SET viper.max_query_rows = 10;
SHOW viper.max_query_rows;
SET viper.max_query_rows = -1;
RESET viper.max_query_rows;
