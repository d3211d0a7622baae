-- viper--0.1.0.sql — install script of the viper extension, version 0.1.0.
--
-- Creates viper's roles (if missing), its catalog (DESIGN §2), the
-- catalog-version counter, the validation and feature functions (§7) and
-- the privileges of §12. Every object is schema-qualified and every
-- function runs with search_path = pg_catalog, pg_temp, so nothing a user
-- puts in another schema (public.now(), public.nextval(), ...) is ever
-- called by viper.

\echo Use "CREATE EXTENSION viper" to load this file. \quit

---------------------------------------------------------------------------
-- Roles. They are cluster-wide and outlive DROP EXTENSION, so they are
-- created only when missing (a second CREATE EXTENSION reuses them).
---------------------------------------------------------------------------
DO $roles$
BEGIN
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles
				   WHERE rolname OPERATOR(pg_catalog.=) 'viper_app') THEN
		CREATE ROLE viper_app NOLOGIN;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM pg_catalog.pg_roles
				   WHERE rolname OPERATOR(pg_catalog.=) 'viper_admin') THEN
		CREATE ROLE viper_admin NOLOGIN;
	END IF;
	-- an administrator can do what the application can (set_principal)
	IF NOT EXISTS (SELECT 1
				   FROM pg_catalog.pg_auth_members m
				   JOIN pg_catalog.pg_roles g ON g.oid OPERATOR(pg_catalog.=) m.roleid
				   JOIN pg_catalog.pg_roles u ON u.oid OPERATOR(pg_catalog.=) m.member
				   WHERE g.rolname OPERATOR(pg_catalog.=) 'viper_app'
					 AND u.rolname OPERATOR(pg_catalog.=) 'viper_admin') THEN
		GRANT viper_app TO viper_admin;
	END IF;
END
$roles$;

---------------------------------------------------------------------------
-- Functions implemented in C (extension/*.c)
---------------------------------------------------------------------------
CREATE FUNCTION viper.version()
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_version';
COMMENT ON FUNCTION viper.version() IS 'version of the viper extension';

CREATE FUNCTION viper.validate_identifier(name text, description text DEFAULT 'identifier')
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_validate_identifier';
COMMENT ON FUNCTION viper.validate_identifier(text, text) IS
	'returns name when it matches [A-Za-z_][A-Za-z0-9_]* within 63 bytes, else raises 42602';

CREATE FUNCTION viper.assert_safe_table_name(name text)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_assert_safe_table_name';
COMMENT ON FUNCTION viper.assert_safe_table_name(text) IS
	'returns name when it is a valid table name, else raises 42602';

CREATE FUNCTION viper.quote_identifier(name text, dialect text DEFAULT 'postgresql')
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_quote_identifier';
COMMENT ON FUNCTION viper.quote_identifier(text, text) IS
	'name quoted for the dialect (postgresql, sqlite, mysql, mssql, oracle)';

-- not STRICT: field_name and context default to NULL; a NULL expr gives NULL
CREATE FUNCTION viper.validate_sql_expression(expr text,
											  field_name text DEFAULT NULL,
											  context text DEFAULT NULL)
RETURNS text
LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_validate_sql_expression';
COMMENT ON FUNCTION viper.validate_sql_expression(text, text, text) IS
	'returns expr when the expression grammar admits it, else raises 42601 naming the token';

CREATE FUNCTION viper.escape_like(value text)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_escape_like';
COMMENT ON FUNCTION viper.escape_like(text) IS
	'value with %, _ and \ escaped by \ for a LIKE pattern';

CREATE FUNCTION viper.validate_regex_pattern(pattern text)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_validate_regex_pattern';
COMMENT ON FUNCTION viper.validate_regex_pattern(text) IS
	'returns pattern when it is valid and safe from catastrophic backtracking, else raises 2201B';

CREATE FUNCTION viper.validate_on_delete(action text)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_validate_on_delete';
COMMENT ON FUNCTION viper.validate_on_delete(text) IS
	'normalised upper-case on_delete action, else raises 22023';

CREATE FUNCTION viper.mask_url(url text)
RETURNS text
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_mask_url';
COMMENT ON FUNCTION viper.mask_url(text) IS 'url with its password replaced by ***';

-- core's static vendor × feature table, the single source of the seed rows
CREATE FUNCTION viper._vendor_feature_defaults()
RETURNS TABLE (vendor text, feature text, enabled boolean)
LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_vendor_feature_defaults';

---------------------------------------------------------------------------
-- Catalog (DESIGN §2)
---------------------------------------------------------------------------
CREATE TABLE viper.models (
	label		text PRIMARY KEY,
	app			text NOT NULL,
	name		text NOT NULL,
	table_name	text NOT NULL,
	schema		jsonb NOT NULL,
	managed		boolean NOT NULL DEFAULT true,
	read_only	boolean NOT NULL DEFAULT false,
	single		boolean NOT NULL DEFAULT false,
	version		integer NOT NULL DEFAULT 1 CHECK (version OPERATOR(pg_catalog.>) 0),
	updated_at	timestamptz NOT NULL DEFAULT pg_catalog.now()
);
COMMENT ON TABLE viper.models IS 'registered models (label app.Model) and the JSON schema last applied';

CREATE TABLE viper.grants (
	model		text NOT NULL REFERENCES viper.models (label) ON DELETE CASCADE,
	action		text NOT NULL
		CHECK (action OPERATOR(pg_catalog.=) ANY (ARRAY['select', 'insert', 'update', 'delete', 'all']::pg_catalog.text[])),
	role		text NOT NULL,
	predicate	text,
	created_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	PRIMARY KEY (model, action, role)
);
COMMENT ON TABLE viper.grants IS 'row permissions: who may do what on a model, under which predicate';

CREATE TABLE viper.patches (
	name		text PRIMARY KEY,
	app			text,
	phase		text NOT NULL
		CHECK (phase OPERATOR(pg_catalog.=) ANY (ARRAY['pre', 'post']::pg_catalog.text[])),
	ord			integer NOT NULL DEFAULT 0,
	checksum	text NOT NULL,
	checksum_algorithm text NOT NULL,
	applied_at	timestamptz NOT NULL DEFAULT pg_catalog.now(),
	duration_ms double precision
);
COMMENT ON TABLE viper.patches IS 'data patches that ran, with the checksum of their text';

CREATE TABLE viper.vendor_features (
	vendor		text NOT NULL,
	feature		text NOT NULL,
	enabled		boolean NOT NULL,
	PRIMARY KEY (vendor, feature)
);
COMMENT ON TABLE viper.vendor_features IS
	'DatabaseFeatures per vendor; a DBA may switch a flag off here';

CREATE TABLE viper.audit_log (
	id			bigserial PRIMARY KEY,
	ts			timestamptz NOT NULL DEFAULT pg_catalog.clock_timestamp(),
	db_user		text NOT NULL DEFAULT SESSION_USER,
	principal	text,
	action		text NOT NULL,
	model		text,
	reason		text
);
COMMENT ON TABLE viper.audit_log IS 'permission bypasses and other audited actions';

-- rows users add survive pg_dump (vendor_features is re-seeded by the script)
SELECT pg_catalog.pg_extension_config_dump('viper.models'::pg_catalog.regclass, '');
SELECT pg_catalog.pg_extension_config_dump('viper.grants'::pg_catalog.regclass, '');
SELECT pg_catalog.pg_extension_config_dump('viper.patches'::pg_catalog.regclass, '');
SELECT pg_catalog.pg_extension_config_dump('viper.audit_log'::pg_catalog.regclass, '');
SELECT pg_catalog.pg_extension_config_dump('viper.audit_log_id_seq'::pg_catalog.regclass, '');

---------------------------------------------------------------------------
-- Catalog version: bumped by any statement that changes models, grants or
-- vendor_features, so clients can invalidate what they cached. A sequence
-- is not transactional: a rolled-back change still bumps it, which only
-- costs a needless cache refresh.
---------------------------------------------------------------------------
CREATE SEQUENCE viper.catalog_version_seq AS bigint MINVALUE 1 START 1;

-- Tells every backend's query engine to reload its cached catalog: a
-- relcache invalidation of viper.models, delivered to this backend at the
-- next command and to the others when the transaction commits
-- (extension/engine.c).
CREATE FUNCTION viper._catalog_changed()
RETURNS void
LANGUAGE C VOLATILE
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_catalog_changed';

-- SECURITY DEFINER: whoever changes the catalog (later viper_admin through
-- viper's functions) need not hold privileges on the sequence.
CREATE FUNCTION viper._bump_catalog_version()
RETURNS trigger
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = pg_catalog, pg_temp
AS $bump$
BEGIN
	PERFORM pg_catalog.nextval('viper.catalog_version_seq'::pg_catalog.regclass);
	PERFORM viper._catalog_changed();
	RETURN NULL;
END
$bump$;

CREATE TRIGGER catalog_version_bump
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON viper.models
	FOR EACH STATEMENT EXECUTE FUNCTION viper._bump_catalog_version();
CREATE TRIGGER catalog_version_bump
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON viper.grants
	FOR EACH STATEMENT EXECUTE FUNCTION viper._bump_catalog_version();
CREATE TRIGGER catalog_version_bump
	AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON viper.vendor_features
	FOR EACH STATEMENT EXECUTE FUNCTION viper._bump_catalog_version();

-- 0 before the first catalog change, then the number of changing statements
CREATE FUNCTION viper.catalog_version()
RETURNS bigint
LANGUAGE sql STABLE PARALLEL SAFE
SET search_path = pg_catalog, pg_temp
AS $cv$
	SELECT CASE WHEN s.is_called THEN s.last_value ELSE 0 END
	FROM viper.catalog_version_seq AS s
$cv$;
COMMENT ON FUNCTION viper.catalog_version() IS
	'number that changes whenever viper''s catalog changes';

CREATE FUNCTION viper.features()
RETURNS jsonb
LANGUAGE C STABLE STRICT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_features';
COMMENT ON FUNCTION viper.features() IS
	'feature flags of this server: viper.vendor_features for postgresql, gated by server_version_num';

-- seed from core's table (fires the trigger: catalog_version() becomes 1)
INSERT INTO viper.vendor_features (vendor, feature, enabled)
	SELECT d.vendor, d.feature, d.enabled FROM viper._vendor_feature_defaults() AS d;

---------------------------------------------------------------------------
-- Privileges (DESIGN §12). The catalog tables are written only by their
-- owner (later by viper_admin through viper's functions).
---------------------------------------------------------------------------
GRANT USAGE ON SCHEMA viper TO PUBLIC;

REVOKE ALL ON TABLE viper.models, viper.grants, viper.patches,
	viper.vendor_features, viper.audit_log FROM PUBLIC;
GRANT SELECT ON TABLE viper.models, viper.grants, viper.vendor_features TO PUBLIC;
GRANT SELECT ON TABLE viper.audit_log TO viper_admin;
REVOKE ALL ON SEQUENCE viper.catalog_version_seq, viper.audit_log_id_seq FROM PUBLIC;
GRANT SELECT ON SEQUENCE viper.catalog_version_seq TO PUBLIC;	-- catalog_version()

REVOKE ALL ON FUNCTION viper._vendor_feature_defaults() FROM PUBLIC;
REVOKE ALL ON FUNCTION viper._bump_catalog_version() FROM PUBLIC;
REVOKE ALL ON FUNCTION viper._catalog_changed() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION
	viper.version(),
	viper.catalog_version(),
	viper.features(),
	viper.validate_identifier(text, text),
	viper.assert_safe_table_name(text),
	viper.quote_identifier(text, text),
	viper.validate_sql_expression(text, text, text),
	viper.escape_like(text),
	viper.validate_regex_pattern(text),
	viper.validate_on_delete(text),
	viper.mask_url(text)
TO PUBLIC;

---------------------------------------------------------------------------
-- data patches (DESIGN §4, extension/patches.c). Run once each, under a
-- per-name advisory lock taken before viper.patches is read, in the
-- caller's transaction; every run leaves an audit row. Not STRICT: a NULL
-- argument is an error (22023), never a silent NULL that skips the patch.
-- The functions run with the caller's rights, so viper_admin may write
-- the patch record and the audit row (and read viper.patches).
---------------------------------------------------------------------------
CREATE FUNCTION viper.patch_claim(name text, phase text, ord integer, checksum text)
RETURNS boolean
LANGUAGE C VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_patch_claim';
COMMENT ON FUNCTION viper.patch_claim(text, text, integer, text) IS
	'takes the patch''s lock; true when it still has to run in this transaction (then call patch_done)';

CREATE FUNCTION viper.patch_done(name text)
RETURNS void
LANGUAGE C VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_patch_done';
COMMENT ON FUNCTION viper.patch_done(text) IS
	'records a patch claimed in this transaction as applied (plus an audit row)';

CREATE FUNCTION viper.apply_patch(name text, sql text, phase text DEFAULT 'post',
								  ord integer DEFAULT 0)
RETURNS boolean
LANGUAGE C VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_apply_patch';
COMMENT ON FUNCTION viper.apply_patch(text, text, text, integer) IS
	'runs a SQL patch exactly once; true when it ran now, false when it had already run';

REVOKE ALL ON FUNCTION viper.patch_claim(text, text, integer, text),
	viper.patch_done(text),
	viper.apply_patch(text, text, text, integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION viper.patch_claim(text, text, integer, text),
	viper.patch_done(text),
	viper.apply_patch(text, text, text, integer) TO viper_admin;
GRANT SELECT, INSERT ON TABLE viper.patches TO viper_admin;
GRANT INSERT ON TABLE viper.audit_log TO viper_admin;
GRANT USAGE ON SEQUENCE viper.audit_log_id_seq TO viper_admin;

---------------------------------------------------------------------------
-- schema sync (models, introspect, plan, migrate)
-- DESIGN §4. Model tables live in schema public, so the functions that
-- create or read them run with search_path = pg_catalog, public, pg_temp
-- (pg_catalog first: nothing in public can shadow a builtin). migrate and
-- register_model write viper.models: viper_admin only.
---------------------------------------------------------------------------
CREATE FUNCTION viper.register_model(schema jsonb)
RETURNS text
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_register_model';
COMMENT ON FUNCTION viper.register_model(jsonb) IS
	'validate one model schema and store its metadata in viper.models (creates no table)';

CREATE FUNCTION viper.model(label text)
RETURNS jsonb
LANGUAGE C STABLE STRICT
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_model';
COMMENT ON FUNCTION viper.model(text) IS
	'the normalised schema stored for a model label (42P01 when unknown)';

CREATE FUNCTION viper.introspect("table" text)
RETURNS jsonb
LANGUAGE C STABLE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_introspect';
COMMENT ON FUNCTION viper.introspect(text) IS
	'live columns, indexes, constraints, foreign keys, triggers and row security of a table in public';

-- not STRICT: NULL options means {}; NULL schemas is refused (22023)
CREATE FUNCTION viper.plan(schemas jsonb, options jsonb DEFAULT '{}')
RETURNS TABLE (op text, target text, sql text, warning text)
LANGUAGE C VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_plan';
COMMENT ON FUNCTION viper.plan(jsonb, jsonb) IS
	'operations that would bring the live database to the given models (applies nothing)';

CREATE FUNCTION viper.migrate(schemas jsonb, options jsonb DEFAULT '{}')
RETURNS TABLE (op text, target text, sql text, warning text)
LANGUAGE C VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_migrate';
COMMENT ON FUNCTION viper.migrate(jsonb, jsonb) IS
	'apply the operations of plan under an advisory lock and store the schemas in viper.models';

REVOKE ALL ON FUNCTION viper.register_model(jsonb), viper.migrate(jsonb, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION viper.register_model(jsonb), viper.migrate(jsonb, jsonb) TO viper_admin;
GRANT EXECUTE ON FUNCTION viper.model(text), viper.introspect(text), viper.plan(jsonb, jsonb)
TO PUBLIC;
-- migrate and register_model run with the caller's rights and write the catalog
GRANT INSERT, UPDATE, DELETE ON TABLE viper.models TO viper_admin;

---------------------------------------------------------------------------
-- query engine: reads
-- DESIGN §5, §6 (extension/query.c, extension/engine.c). core compiles the
-- spec into one parameterised statement (values are always bound); the
-- statement's plan is kept per backend, keyed by its SQL text. Rows come
-- back as JSON text built in C (query: SETOF json). They run with the
-- caller's rights (SECURITY INVOKER): the caller needs the table
-- privileges. query and get are VOLATILE because a spec may ask for
-- for_update (row locks); the others only read (STABLE). STRICT: a NULL
-- model or spec gives NULL (no rows).
---------------------------------------------------------------------------
CREATE FUNCTION viper.query(model text, spec jsonb DEFAULT '{}')
RETURNS SETOF json
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_query';
COMMENT ON FUNCTION viper.query(text, jsonb) IS
	'rows of a model matching a QuerySpec, one JSON object each';

CREATE FUNCTION viper.get(model text, spec jsonb)
RETURNS jsonb
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_get';
COMMENT ON FUNCTION viper.get(text, jsonb) IS
	'the one row matching spec (P0002 when none, P0003 when several)';

CREATE FUNCTION viper.count(model text, spec jsonb DEFAULT '{}')
RETURNS bigint
LANGUAGE C STABLE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_count';
COMMENT ON FUNCTION viper.count(text, jsonb) IS
	'number of rows viper.query would return for spec';

CREATE FUNCTION viper.exists(model text, spec jsonb DEFAULT '{}')
RETURNS boolean
LANGUAGE C STABLE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_exists';
COMMENT ON FUNCTION viper.exists(text, jsonb) IS
	'true when spec matches at least one row';

CREATE FUNCTION viper.aggregate(model text, spec jsonb)
RETURNS jsonb
LANGUAGE C STABLE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_aggregate';
COMMENT ON FUNCTION viper.aggregate(text, jsonb) IS
	'the aggregates of spec.aggregate over the matching rows, as one object';

CREATE FUNCTION viper.compile(model text, spec jsonb DEFAULT '{}')
RETURNS TABLE (sql text, params jsonb)
LANGUAGE C STABLE STRICT ROWS 1
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_compile';
COMMENT ON FUNCTION viper.compile(text, jsonb) IS
	'the statement viper.query runs for spec, with placeholders, and its bound parameters';

GRANT EXECUTE ON FUNCTION viper.query(text, jsonb), viper.get(text, jsonb),
	viper.count(text, jsonb), viper.exists(text, jsonb),
	viper.aggregate(text, jsonb), viper.compile(text, jsonb)
TO PUBLIC;

---------------------------------------------------------------------------
-- query engine: writes
-- DESIGN §6 (extension/writes.c, extension/writes_extra.c). Every write is
-- compiled by core into one parameterised statement per call (bulk_create:
-- one per batch), validated against the model (null/blank, max_length,
-- choices, types; read_only → 25006), and run with the caller's rights
-- (SECURITY INVOKER): the caller needs the table privileges. Models with
-- meta.events send NOTIFY viper_events. VOLATILE: they change data.
---------------------------------------------------------------------------
CREATE FUNCTION viper.insert(model text, "row" jsonb)
RETURNS jsonb
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_insert';
COMMENT ON FUNCTION viper.insert(text, jsonb) IS
	'insert one row; returns the stored row (defaults, auto_now fields and the id filled by the database)';

CREATE FUNCTION viper.bulk_create(model text, "rows" jsonb)
RETURNS bigint
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_bulk_create';
COMMENT ON FUNCTION viper.bulk_create(text, jsonb) IS
	'insert a JSON array of rows, one multi-row INSERT per batch; returns the number of rows inserted';

CREATE FUNCTION viper.update(model text, spec jsonb, changes jsonb)
RETURNS bigint
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_update';
COMMENT ON FUNCTION viper.update(text, jsonb, jsonb) IS
	'update the rows matching spec.where with changes (values or F expressions); returns the number of rows updated';

CREATE FUNCTION viper.bulk_update(model text, "rows" jsonb, fields text[])
RETURNS bigint
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_bulk_update';
COMMENT ON FUNCTION viper.bulk_update(text, jsonb, text[]) IS
	'set fields of each row (identified by its primary key) in one statement; returns the number of rows updated';

CREATE FUNCTION viper.delete(model text, spec jsonb)
RETURNS bigint
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_delete';
COMMENT ON FUNCTION viper.delete(text, jsonb) IS
	'delete the rows matching spec.where; returns the number of rows deleted';

CREATE FUNCTION viper.get_or_create(model text, lookup jsonb, defaults jsonb DEFAULT '{}')
RETURNS TABLE ("row" jsonb, created boolean)
LANGUAGE C VOLATILE STRICT ROWS 1
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_get_or_create';
COMMENT ON FUNCTION viper.get_or_create(text, jsonb, jsonb) IS
	'the row matching lookup, or a new row from lookup and defaults; safe when sessions race';

CREATE FUNCTION viper.update_or_create(model text, lookup jsonb, defaults jsonb DEFAULT '{}')
RETURNS TABLE ("row" jsonb, created boolean)
LANGUAGE C VOLATILE STRICT ROWS 1
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_update_or_create';
COMMENT ON FUNCTION viper.update_or_create(text, jsonb, jsonb) IS
	'the row matching lookup updated with defaults, or a new row from both; safe when sessions race';

CREATE FUNCTION viper.m2m_add(model text, pk jsonb, field text, pks jsonb DEFAULT '[]')
RETURNS bigint
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_m2m_add';
COMMENT ON FUNCTION viper.m2m_add(text, jsonb, text, jsonb) IS
	'link the row pk to the targets pks through a ManyToManyField; returns the number of links added';

CREATE FUNCTION viper.m2m_remove(model text, pk jsonb, field text, pks jsonb DEFAULT '[]')
RETURNS bigint
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_m2m_remove';
COMMENT ON FUNCTION viper.m2m_remove(text, jsonb, text, jsonb) IS
	'unlink the targets pks from the row pk; returns the number of links removed';

CREATE FUNCTION viper.m2m_set(model text, pk jsonb, field text, pks jsonb DEFAULT '[]')
RETURNS bigint
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_m2m_set';
COMMENT ON FUNCTION viper.m2m_set(text, jsonb, text, jsonb) IS
	'make the row pk link exactly the targets pks; returns the number of links removed plus added';

CREATE FUNCTION viper.m2m_clear(model text, pk jsonb, field text, pks jsonb DEFAULT '[]')
RETURNS bigint
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_m2m_clear';
COMMENT ON FUNCTION viper.m2m_clear(text, jsonb, text, jsonb) IS
	'remove every link of the row pk through a ManyToManyField; returns the number of links removed';

CREATE FUNCTION viper.get_single(model text)
RETURNS jsonb
LANGUAGE C STABLE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_get_single';
COMMENT ON FUNCTION viper.get_single(text) IS
	'the row of a single model (P0002 when it has none yet)';

CREATE FUNCTION viper.create_single(model text, "row" jsonb)
RETURNS jsonb
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_create_single';
COMMENT ON FUNCTION viper.create_single(text, jsonb) IS
	'create the row of a single model (23505 when it exists); returns it';

CREATE FUNCTION viper.update_single(model text, changes jsonb)
RETURNS bigint
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_update_single';
COMMENT ON FUNCTION viper.update_single(text, jsonb) IS
	'update the row of a single model; returns the number of rows updated (0 or 1)';

CREATE FUNCTION viper.get_or_create_single(model text, defaults jsonb DEFAULT '{}')
RETURNS jsonb
LANGUAGE C VOLATILE STRICT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_get_or_create_single';
COMMENT ON FUNCTION viper.get_or_create_single(text, jsonb) IS
	'the row of a single model, created from defaults when it has none yet';

GRANT EXECUTE ON FUNCTION
	viper.insert(text, jsonb),
	viper.bulk_create(text, jsonb),
	viper.update(text, jsonb, jsonb),
	viper.bulk_update(text, jsonb, text[]),
	viper.delete(text, jsonb),
	viper.get_or_create(text, jsonb, jsonb),
	viper.update_or_create(text, jsonb, jsonb),
	viper.m2m_add(text, jsonb, text, jsonb),
	viper.m2m_remove(text, jsonb, text, jsonb),
	viper.m2m_set(text, jsonb, text, jsonb),
	viper.m2m_clear(text, jsonb, text, jsonb),
	viper.get_single(text),
	viper.create_single(text, jsonb),
	viper.update_single(text, jsonb),
	viper.get_or_create_single(text, jsonb)
TO PUBLIC;

---------------------------------------------------------------------------
-- row permissions (DESIGN §8, §12 "Privileges"; extension/perm.c)
-- The principal, its roles and the bypass live in backend memory for the
-- current transaction only (cleared at commit/abort by a transaction
-- callback), never in a GUC a pooled connection would carry. The readers
-- are STABLE and PARALLEL RESTRICTED (a parallel worker does not share
-- backend memory) and LEAKPROOF (no arguments, nothing to leak): the
-- compiled queries and the RLS policies call them through scalar
-- sub-selects, once per statement.
---------------------------------------------------------------------------
CREATE FUNCTION viper.set_principal(id text, roles text[] DEFAULT '{}')
RETURNS void
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_set_principal';
COMMENT ON FUNCTION viper.set_principal(text, text[]) IS
	'who is asking, and with which application roles, for the rest of this transaction (NULL clears)';

CREATE FUNCTION viper.principal()
RETURNS text
LANGUAGE C STABLE LEAKPROOF PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_principal';
COMMENT ON FUNCTION viper.principal() IS
	'the principal set in this transaction, NULL when none';

CREATE FUNCTION viper.principal_roles()
RETURNS text[]
LANGUAGE C STABLE LEAKPROOF PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_principal_roles';
COMMENT ON FUNCTION viper.principal_roles() IS
	'the application roles of the principal set in this transaction, ''{}'' when none';

CREATE FUNCTION viper._bypass_active()
RETURNS boolean
LANGUAGE C STABLE LEAKPROOF PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_bypass_active';
COMMENT ON FUNCTION viper._bypass_active() IS
	'true while an audited bypass of row permissions is active in this transaction';

CREATE FUNCTION viper.bypass_permissions(reason text)
RETURNS void
LANGUAGE C VOLATILE CALLED ON NULL INPUT PARALLEL RESTRICTED
SET search_path = pg_catalog, pg_temp
AS 'MODULE_PATHNAME', 'viper_bypass_permissions';
COMMENT ON FUNCTION viper.bypass_permissions(text) IS
	'lift row permissions for the rest of this transaction (viper_admin; audited and logged)';

-- grant and revoke regenerate the model's RLS policies (viper_<action>_<n>
-- plus viper_bypass) on its table in public
CREATE FUNCTION viper.grant(model text, action text, role text, predicate text DEFAULT NULL)
RETURNS void
LANGUAGE C VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_grant';
COMMENT ON FUNCTION viper.grant(text, text, text, text) IS
	'allow action (select, insert, update, delete, all) on a model to a role (*, authenticated, anonymous or an application role), for rows matching predicate';

CREATE FUNCTION viper.revoke(model text, action text, role text)
RETURNS boolean
LANGUAGE C VOLATILE CALLED ON NULL INPUT
SET search_path = pg_catalog, public, pg_temp
AS 'MODULE_PATHNAME', 'viper_revoke';
COMMENT ON FUNCTION viper.revoke(text, text, text) IS
	'remove a grant; true when there was one';

REVOKE ALL ON FUNCTION viper.set_principal(text, text[]),
	viper.bypass_permissions(text),
	viper.grant(text, text, text, text),
	viper.revoke(text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION viper.set_principal(text, text[]) TO viper_app;
GRANT EXECUTE ON FUNCTION viper.bypass_permissions(text),
	viper.grant(text, text, text, text),
	viper.revoke(text, text, text) TO viper_admin;
GRANT EXECUTE ON FUNCTION viper.principal(), viper.principal_roles(),
	viper._bypass_active() TO PUBLIC;
-- grant and revoke run with the caller's rights and write viper.grants
GRANT INSERT, UPDATE, DELETE ON TABLE viper.grants TO viper_admin;
