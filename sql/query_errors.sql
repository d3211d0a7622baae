--
-- query_errors: every error path of the read functions with its SQLSTATE,
-- message, detail and hint (DESIGN §9): unknown model and field (with
-- the nearest name as hint), bad lookups and values, limits (54001),
-- unsafe regular expressions, get() without or with several rows,
-- for_update outside a transaction, ignore_permissions without bypass
-- rights. Messages never carry the bound values. Also: viper.compile
-- shows placeholders only, and a model migrated after the first query is
-- visible at once (the catalog cache is invalidated).
--
\i tests/pg/query_seed.sql

-- unknown model / field
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Pst')$$);
SELECT pg_temp.try($$SELECT viper.count('Blog.post')$$);
SELECT pg_temp.try($$SELECT viper.count('nothing')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"titel": "x"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"author__nam": "x"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"only": ["titel"]}')$$);
-- malformed specs
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '[]')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"wher": {}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": []}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"title__like": "x"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"views__range": [1]}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"views__in": 5}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"rating__isnull": "yes"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"for_update": {"nowait": true, "skip_locked": true}}')$$);
-- values of the wrong type name the field (and never echo the value)
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"views": "secret-value"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"views__in": [1, "two"]}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Author', '{"where": {"is_active": "yes"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Author', '{"where": {"public_id": "not-a-uuid"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"title": 5}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"views": 99999999999}}')$$);
-- bad dates and times (22007)
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"created_at__gte": "2024-13-01"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"publish_at": "yesterday"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Author', '{"where": {"joined_on": "2023-02-30"}}')$$);
-- limits: 6 hops, nesting deeper than 32, in lists over 10,000 items, spec over 1 MiB
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Comment', '{"where": {"post__author__posts__author__posts__author__name": "x"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Comment', '{"where": {"post__author__posts__author__posts__id": 1}}')$$) LIKE 'ok:%' AS five_hops_ok;
SELECT pg_temp.try(format($$SELECT count(*) FROM viper.query('blog.Post', '{"where": %s}')$$,
	repeat('{"$not": ', 33) || '{"id": 1}' || repeat('}', 33)));
SELECT pg_temp.try(format($$SELECT count(*) FROM viper.query('blog.Post', '{"where": %s}')$$,
	repeat('{"$not": ', 31) || '{"id": 1}' || repeat('}', 31))) AS depth_31;
SELECT pg_temp.try(format($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"id__in": %s}}')$$,
	(SELECT jsonb_agg(g) FROM generate_series(1, 10001) AS g)));
SELECT pg_temp.try(format($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"id__in": %s}}')$$,
	(SELECT jsonb_agg(g) FROM generate_series(1, 10000) AS g))) AS in_10000;
SELECT pg_temp.try(format($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"title__in": %s}}')$$,
	(SELECT jsonb_agg(repeat('x', 200)) FROM generate_series(1, 6000) AS g)));
-- regular expressions that could backtrack catastrophically (2201B)
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"title__regex": "(a+)+$"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"title__iregex": "(x|x)*y"}}')$$);
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"where": {"title__regex": "(a"}}')$$);

-- get: no row (P0002), several rows (P0003), exactly one
SELECT pg_temp.try($$SELECT viper.get('blog.Post', '{"where": {"slug": "missing"}}')$$);
SELECT pg_temp.try($$SELECT viper.get('blog.Post', '{"where": {"status": "draft"}}')$$);
SELECT pg_temp.try($$SELECT viper.get('blog.Post', '{"where": {"slug": "ways"}, "only": ["slug"]}')$$);

-- for_update: refused outside a transaction block (25P01), fine inside.
-- (Called at top level: inside a PL/pgSQL exception block the statement
-- runs in a subtransaction, which PostgreSQL counts as a transaction block.)
\set SHOW_CONTEXT never
SELECT count(*) FROM viper.query('blog.Post', '{"for_update": {}}');
\echo :LAST_ERROR_SQLSTATE
SELECT viper.get('blog.Post', '{"where": {"id": 1}, "for_update": {"nowait": true}}');
\echo :LAST_ERROR_SQLSTATE
\set SHOW_CONTEXT errors
BEGIN;
SELECT count(*) AS locked FROM viper.query('blog.Post', '{"where": {"status": "draft"}, "for_update": {}}');
SELECT viper.get('blog.Post', '{"where": {"id": 1}, "only": ["id"], "for_update": {"skip_locked": true}}') AS got;
SELECT count(*) AS locks FROM pg_locks WHERE locktype = 'transactionid' AND pid = pg_backend_pid() AND granted;
COMMIT;
SELECT sql FROM viper.compile('blog.Post', '{"where": {"author__name": "x"}, "only": ["title"], "for_update": {"nowait": true}}');

-- ignore_permissions: a role without bypass rights gets 42501; a
-- superuser may, and each use leaves an audit row
CREATE ROLE regress_viper_reader;
SET ROLE regress_viper_reader;
SELECT pg_temp.try($$SELECT count(*) FROM viper.query('blog.Post', '{"ignore_permissions": true}')$$);
SELECT pg_temp.try($$SELECT viper.count('blog.Post', '{"ignore_permissions": true}')$$);
RESET ROLE;
DROP ROLE regress_viper_reader;
SELECT count(*) AS rows FROM viper.query('blog.Post', '{"ignore_permissions": true}');
SELECT viper.exists('blog.Tag', '{"ignore_permissions": true}') AS tag_exists;
SELECT action, model, reason, db_user = session_user AS by_session_user
FROM viper.audit_log WHERE action = 'bypass' AND reason LIKE 'ignore_permissions %' ORDER BY id;

-- compile: placeholders and typed parameters, never the values' text
SELECT * FROM viper.compile('blog.Post', '{"where": {"title__icontains": "s3cr3t", "views__gte": 7,
	"publish_at__lt": "2030-01-01", "rating": null}, "only": ["title"], "limit": 5}');
SELECT position('s3cr3t' IN sql) = 0 AS no_value_text, params::text LIKE '%s3cr3t%' AS in_params
FROM viper.compile('blog.Post', '{"where": {"title__icontains": "s3cr3t"}}');
SELECT * FROM viper.compile('blog.Post', '{"where": {"title": "x"}, "ignore_permissions": false}') LIMIT 0;

-- NULL arguments: the functions are STRICT
SELECT count(*) AS no_rows FROM viper.query(NULL, '{}');
SELECT viper.count('blog.Post', NULL) IS NULL AS null_count;

-- the catalog cache follows migrations: a model migrated after the first
-- query is found at once, and forgotten when its catalog row goes
SELECT pg_temp.try($$SELECT viper.count('qtest.Note')$$);
SELECT count(*) > 0 AS migrated FROM viper.migrate('[{"app": "qtest", "name": "Note",
	"fields": [{"name": "text", "type": "CharField", "max_length": 20}]}]');
INSERT INTO qtest_note (text) VALUES ('hello');
SELECT viper.grant('qtest.Note', 'select', '*');  -- default deny until granted
SELECT * FROM viper.query('qtest.Note');
BEGIN;
DELETE FROM viper.models WHERE label = 'qtest.Note';
SELECT pg_temp.try($$SELECT viper.count('qtest.Note')$$);
ROLLBACK;
SELECT viper.count('qtest.Note') AS after_rollback;

-- leave the database as the test found it
SELECT pg_temp.cleanup();
