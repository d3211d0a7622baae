--
-- permissions: row-level permissions (DESIGN §8, §12 "Privileges") on a
-- model of this test, exercised by ordinary roles (SET ROLE): default
-- deny, grants to a principal's own rows (owner_id = principal()), to
-- anonymous, authenticated, * and an application role, rows seen through
-- viper.query and through plain SQL (RLS) being the same, denied writes,
-- the principal living for one transaction only, revoke, grant
-- validation and the generated policies.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
DROP ROLE IF EXISTS perm_app;
DROP ROLE IF EXISTS perm_other;
DROP ROLE IF EXISTS perm_admin;
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

-- an application's database role, a role outside viper_app, an admin
CREATE ROLE perm_app IN ROLE viper_app;
CREATE ROLE perm_other;
CREATE ROLE perm_admin IN ROLE viper_admin;

SELECT count(*) > 0 AS migrated FROM viper.migrate('[{"app": "perm", "name": "Doc",
	"fields": [{"name": "owner_id", "type": "IntegerField", "null": true},
	           {"name": "title", "type": "CharField", "max_length": 40},
	           {"name": "status", "type": "CharField", "max_length": 10, "default": "draft"}]}]');
GRANT SELECT, INSERT, UPDATE, DELETE ON perm_doc TO perm_app, perm_other;
GRANT USAGE ON SEQUENCE perm_doc_id_seq TO perm_app, perm_other;
-- the superuser writes the rows (superusers are not subject to RLS)
INSERT INTO perm_doc (id, owner_id, title, status) VALUES
	(1, 1, 'one draft', 'draft'), (2, 1, 'one public', 'public'),
	(3, 2, 'two draft', 'draft'), (4, 2, 'two public', 'public'),
	(5, 3, 'three locked', 'locked'), (6, 3, 'three draft', 'draft');
SELECT setval('perm_doc_id_seq', 100);

-- what the current principal sees through viper.query | through plain SQL
CREATE FUNCTION public.perm_seen() RETURNS text LANGUAGE sql AS $$
	SELECT coalesce((SELECT string_agg(r->>'id', ',' ORDER BY (r->>'id')::int)
					 FROM viper.query('perm.Doc') AS r), '-')
		|| ' | ' ||
		coalesce((SELECT string_agg(id::text, ',' ORDER BY id) FROM public.perm_doc), '-')
$$;

-- default deny: no grant, no rows, no writes
SET ROLE perm_app;
BEGIN;
SELECT viper.set_principal('1');
SELECT perm_seen() AS seen, viper.count('perm.Doc') AS counted,
	   viper.exists('perm.Doc') AS any_row;
SELECT pg_temp.try($$SELECT viper.insert('perm.Doc', '{"owner_id": 1, "title": "x"}')$$);
SELECT viper.update('perm.Doc', '{}', '{"title": "hacked"}') AS updated,
	   viper.delete('perm.Doc', '{}') AS deleted;
SELECT pg_temp.try($$INSERT INTO perm_doc (owner_id, title) VALUES (1, 'plain')$$);
ROLLBACK;
RESET ROLE;

-- grants (viper_admin): everyone reads public rows, a principal reads and
-- writes its own rows, editors read everything and update what is not
-- locked, anonymous visitors may insert drafts
SET ROLE perm_admin;
SELECT viper.grant('perm.Doc', 'select', '*', 'status = ''public''');
SELECT viper.grant('perm.Doc', 'ALL', 'authenticated', 'owner_id = principal()');
SELECT viper.grant('perm.Doc', 'select', 'editor');
SELECT viper.grant('perm.Doc', 'update', 'editor', 'status <> ''locked''');
SELECT viper.grant('perm.Doc', 'insert', 'anonymous', 'status = ''draft'' AND owner_id IS NULL');
RESET ROLE;
SELECT model, action, role, predicate FROM viper.grants WHERE model = 'perm.Doc'
ORDER BY action, role;

-- the same grants as native policies (permissive, one per grant, plus the
-- audited bypass)
SELECT policyname, permissive, roles, cmd, qual, with_check
FROM pg_policies WHERE schemaname = 'public' AND tablename = 'perm_doc'
ORDER BY policyname;
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'perm_doc'::regclass;

-- each principal sees the same rows through viper.query and plain SQL
SET ROLE perm_app;
BEGIN;
SELECT 'anonymous' AS who, perm_seen() AS seen, viper.count('perm.Doc') AS counted;
SELECT viper.set_principal('1');
SELECT viper.principal(), viper.principal_roles(), perm_seen() AS seen,
	   viper.count('perm.Doc') AS counted,
	   viper.aggregate('perm.Doc', '{"aggregate": {"n": {"$count": "id"}, "top": {"$max": "id"}}}') AS agg;
SELECT viper.set_principal('2');
SELECT viper.principal(), perm_seen() AS seen, viper.count('perm.Doc') AS counted,
	   viper.exists('perm.Doc', '{"where": {"id": 1}}') AS sees_1;
SELECT viper.set_principal('9', '{editor}');
SELECT viper.principal(), viper.principal_roles(), perm_seen() AS seen,
	   viper.count('perm.Doc') AS counted;
-- a row the principal may not read is not there for get either
SELECT viper.set_principal('2');
SELECT pg_temp.try($$SELECT viper.get('perm.Doc', '{"where": {"id": 1}}')$$);
COMMIT;

-- the compiled SQL does not depend on the principal (one cached plan)
BEGIN;
SELECT viper.set_principal('1');
CREATE TEMP TABLE compiled AS SELECT sql, params FROM viper.compile('perm.Doc', '{"where": {"title__startswith": "t"}}');
SELECT viper.set_principal('2', '{editor}');
SELECT c.sql = k.sql AND c.params = k.params AS same_sql
FROM compiled c, viper.compile('perm.Doc', '{"where": {"title__startswith": "t"}}') k;
SELECT position('''1''' IN sql) = 0 AND position('editor' IN sql) = 0 AS no_principal_in_sql FROM compiled;
DROP TABLE compiled;
ROLLBACK;

-- writes: a principal writes its own rows only
BEGIN;
SELECT viper.set_principal('1');
SELECT viper.insert('perm.Doc', '{"owner_id": 1, "title": "mine"}') - 'id' AS inserted;
SELECT pg_temp.try($$SELECT viper.insert('perm.Doc', '{"owner_id": 2, "title": "theirs"}')$$);
SELECT pg_temp.try($$SELECT viper.bulk_create('perm.Doc', '[{"owner_id": 1, "title": "a"}, {"owner_id": 2, "title": "b"}]')$$);
SELECT viper.bulk_create('perm.Doc', '[{"owner_id": 1, "title": "a"}, {"owner_id": 1, "title": "b"}]') AS bulk;
-- update / delete of rows the grants do not allow affect 0 rows
SELECT viper.update('perm.Doc', '{"where": {"id": 3}}', '{"title": "hacked"}') AS update_theirs,
	   viper.delete('perm.Doc', '{"where": {"id": 4}}') AS delete_theirs,
	   viper.update('perm.Doc', '{"where": {"id": 1}}', '{"title": "one edited"}') AS update_mine;
-- moving a row out of reach is a new row the grants refuse
SELECT pg_temp.try($$SELECT viper.update('perm.Doc', '{"where": {"id": 1}}', '{"owner_id": 2}')$$);
SELECT pg_temp.try($$SELECT viper.bulk_update('perm.Doc', '[{"id": 2, "owner_id": 3}]', '{owner_id}')$$);
SELECT pg_temp.try($$UPDATE perm_doc SET owner_id = 2 WHERE id = 1$$);
SELECT * FROM viper.get_or_create('perm.Doc', '{"title": "goc"}', '{"owner_id": 1}');
SELECT pg_temp.try($$SELECT row FROM viper.get_or_create('perm.Doc', '{"title": "goc2"}', '{"owner_id": 5}')$$);
SELECT string_agg(id || ':' || title, ', ' ORDER BY id) AS rows_of_1 FROM perm_doc;
ROLLBACK;

-- an editor updates what is not locked; an anonymous visitor inserts a draft
BEGIN;
SELECT viper.set_principal('9', '{editor}');
SELECT viper.update('perm.Doc', '{}', '{"title": "edited"}') AS edited;
SELECT viper.delete('perm.Doc', '{}') AS deleted;
SELECT viper.set_principal(NULL);
SELECT viper.bulk_create('perm.Doc', '[{"title": "from a visitor"}]') AS visitor_rows;
SELECT pg_temp.try($$SELECT viper.bulk_create('perm.Doc', '[{"title": "published", "status": "public"}]')$$);
-- viper.insert reads the new row back (RETURNING), so under RLS it also
-- needs a select grant that the visitor's draft does not have
SELECT viper.insert('perm.Doc', '{"title": "from a visitor"}');
ROLLBACK;
RESET ROLE;

-- superusers are not subject to RLS: viper checks their new rows itself
BEGIN;
SELECT viper.set_principal('1');
SELECT pg_temp.try($$SELECT viper.insert('perm.Doc', '{"owner_id": 2, "title": "theirs"}')$$);
SELECT pg_temp.try($$SELECT viper.update('perm.Doc', '{"where": {"id": 2}}', '{"owner_id": 2}')$$);
SELECT pg_temp.try($$SELECT viper.bulk_create('perm.Doc', '[{"owner_id": 1, "title": "a"}, {"owner_id": 2, "title": "b"}]')$$);
SELECT viper.update('perm.Doc', '{}', '{"title": "super"}') AS updated_own;
ROLLBACK;

-- the principal lives for one transaction: the next one on the same
-- connection (a pooled connection's next user) starts without it
SET ROLE perm_app;
BEGIN;
SELECT viper.set_principal('1', '{editor}');
SELECT viper.principal(), viper.principal_roles();
COMMIT;
SELECT viper.principal() AS after_commit, viper.principal_roles() AS roles_after_commit,
	   perm_seen() AS seen;
BEGIN;
SELECT viper.set_principal('2');
ROLLBACK;
SELECT viper.principal() AS after_rollback;
-- set in autocommit: gone with that statement's transaction
SELECT viper.set_principal('1');
SELECT viper.principal() AS next_statement;
-- argument errors
SELECT pg_temp.try($$SELECT viper.set_principal('')$$);
SELECT pg_temp.try($$SELECT viper.set_principal('1', '{editor,NULL}')$$);
RESET ROLE;

-- only members of viper_app (or viper_admin) may set the principal
SET ROLE perm_other;
SELECT pg_temp.try($$SELECT viper.set_principal('1')$$);
SELECT perm_seen() AS anonymous_view;
RESET ROLE;
-- even with EXECUTE granted, the function checks the membership itself
GRANT EXECUTE ON FUNCTION viper.set_principal(text, text[]) TO perm_other;
SET ROLE perm_other;
SELECT pg_temp.try($$SELECT viper.set_principal('1')$$);
RESET ROLE;
REVOKE EXECUTE ON FUNCTION viper.set_principal(text, text[]) FROM perm_other;
SET ROLE perm_admin;
SELECT pg_temp.try($$SELECT viper.set_principal('1')$$) AS admin_may;
RESET ROLE;

-- grant validation (messages name the problem)
SET ROLE perm_admin;
SELECT pg_temp.try($$SELECT viper.grant('perm.Doc', 'read', '*')$$);
SELECT pg_temp.try($$SELECT viper.grant('perm.Doc', 'select', 'bad role')$$);
SELECT pg_temp.try($$SELECT viper.grant('perm.Doc', 'select', '*', 'owner = principal()')$$);
SELECT pg_temp.try($$SELECT viper.grant('perm.Doc', 'select', '*', 'owner_id = 1; DROP TABLE perm_doc')$$);
SELECT pg_temp.try($$SELECT viper.grant('perm.Doc', 'select', '*', '(SELECT 1) = 1')$$);
SELECT pg_temp.try($$SELECT viper.grant('perm.Doc', 'select', '*', 'pg_sleep(1) IS NULL')$$);
SELECT pg_temp.try($$SELECT viper.grant('perm.Doc', 'select', '*', 'owner_id = ''x''')$$);
SELECT pg_temp.try($$SELECT viper.grant('perm.Nope', 'select', '*')$$);
SELECT pg_temp.try($$SELECT viper.grant('perm.Doc', NULL, '*')$$);
SELECT pg_temp.try($$SELECT viper.revoke('perm.Doc', 'read', '*')$$);
RESET ROLE;
-- only viper_admin grants and revokes
SET ROLE perm_app;
SELECT pg_temp.try($$SELECT viper.grant('perm.Doc', 'select', '*')$$);
SELECT pg_temp.try($$SELECT viper.revoke('perm.Doc', 'select', '*')$$);
SELECT pg_temp.try($$INSERT INTO viper.grants (model, action, role) VALUES ('perm.Doc', 'all', '*')$$);
RESET ROLE;
SELECT count(*) AS grants_after_errors FROM viper.grants WHERE model = 'perm.Doc';

-- a grant replaces the predicate of the same (model, action, role)
SET ROLE perm_admin;
SELECT viper.grant('perm.Doc', 'select', '*', 'status = ''public'' OR status = ''locked''');
SELECT predicate FROM viper.grants WHERE model = 'perm.Doc' AND action = 'select' AND role = '*';
RESET ROLE;
SET ROLE perm_app;
SELECT perm_seen() AS anonymous_after_replace;
RESET ROLE;

-- revoke removes access (true when a grant went, false when none was there)
SET ROLE perm_admin;
SELECT viper.revoke('perm.Doc', 'all', 'authenticated') AS revoked,
	   viper.revoke('perm.Doc', 'all', 'authenticated') AS again;
RESET ROLE;
SELECT policyname, cmd FROM pg_policies WHERE tablename = 'perm_doc' ORDER BY 1;
SET ROLE perm_app;
BEGIN;
SELECT viper.set_principal('1');
SELECT perm_seen() AS after_revoke;
SELECT pg_temp.try($$SELECT viper.insert('perm.Doc', '{"owner_id": 1, "title": "mine"}')$$);
ROLLBACK;
RESET ROLE;

-- a model migrated after its grants gets its policies from migrate
SELECT viper.register_model('{"app": "perm", "name": "Late", "fields": [{"name": "owner_id", "type": "IntegerField"}]}');
SET ROLE perm_admin;
SELECT viper.grant('perm.Late', 'select', 'authenticated', 'owner_id = principal()');
RESET ROLE;
SELECT count(*) > 0 AS migrated FROM viper.migrate('[{"app": "perm", "name": "Late",
	"fields": [{"name": "owner_id", "type": "IntegerField"}]}]');
SELECT policyname, cmd, qual FROM pg_policies WHERE tablename = 'perm_late' ORDER BY 1;

-- leave the database as the test found it
DROP FUNCTION public.perm_seen();
SET client_min_messages = warning;
DROP TABLE perm_doc, perm_late;
DELETE FROM viper.models WHERE app = 'perm';
DELETE FROM viper.audit_log;
DROP OWNED BY perm_app, perm_other, perm_admin;
DROP ROLE perm_app;
DROP ROLE perm_other;
DROP ROLE perm_admin;
