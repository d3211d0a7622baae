--
-- writes_errors: every way a write is refused, with SQLSTATE, message,
-- detail and hint — validation by core (null, blank, max_length 22001,
-- choices, wrong types 22P02 / 22007 / 22003, unknown model 42P01 and
-- field 42703 with the nearest name), read_only models (25006), malformed
-- arguments (22023), constraints the database enforces (23505, 23503,
-- 23514), and max_affected (P0003) leaving every row unchanged.
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
RESET client_min_messages;
\pset null '<NULL>'

-- SQLSTATE, message, detail and hint of a failing statement, as a value
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
	st text;
	msg text;
	det text;
	hin text;
BEGIN
	EXECUTE sql INTO r;
	RETURN 'ok: ' || coalesce(r, '<NULL>');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS st = RETURNED_SQLSTATE, msg = MESSAGE_TEXT,
		det = PG_EXCEPTION_DETAIL, hin = PG_EXCEPTION_HINT;
	RETURN 'ERROR ' || st || ': ' || msg
		|| CASE WHEN det <> '' THEN E'\nDETAIL: ' || det ELSE '' END
		|| CASE WHEN hin <> '' THEN E'\nHINT: ' || hin ELSE '' END;
END
$$;

\set author `cat examples/blog/schemas/Author.json`
\set comment `cat examples/blog/schemas/Comment.json`
\set post `cat examples/blog/schemas/Post.json`
\set settings `cat examples/blog/schemas/SiteSettings.json`
\set tag `cat examples/blog/schemas/Tag.json`
SELECT count(*) > 0 AS migrated
FROM viper.migrate(jsonb_build_array(:'author'::jsonb, :'comment'::jsonb,
                                     :'post'::jsonb, :'settings'::jsonb,
                                     :'tag'::jsonb,
	'{"app": "wt", "name": "Frozen", "meta": {"read_only": true},
	  "fields": [{"name": "label", "type": "CharField", "max_length": 20}]}'::jsonb));

-- row permissions are default deny (docs/permissions.md); this test is
-- about the query engine, so every model is open to everyone
SELECT count(*) AS models_opened FROM (SELECT viper.grant(label, 'all', '*')
	FROM viper.models ORDER BY label) AS g;
-- a read-only model's rows come from elsewhere
INSERT INTO wt_frozen (label) VALUES ('ice');

SELECT viper.insert('blog.Author', '{"name": "Ann", "email": "ann@example.com"}') ->> 'id' AS ann;
SELECT viper.insert('blog.Post', '{"title": "Hello", "slug": "hello", "body": "b", "author": 1}') ->> 'id' AS hello;
SELECT viper.insert('blog.Post', '{"title": "World", "slug": "world", "body": "b", "author": 1, "views": 5}') ->> 'id' AS world;

\pset format unaligned
-- insert: what core refuses before any SQL runs
SELECT c AS "case", pg_temp.try(format('SELECT viper.insert(%L, %L)', m, r)) AS result
FROM (VALUES
	('unknown model', 'blog.Pst', '{"title": "t"}'),
	('unknown field', 'blog.Post', '{"titel": "t", "slug": "s", "body": "b", "author": 1}'),
	('null for a NOT NULL field', 'blog.Post', '{"title": null, "slug": "s", "body": "b", "author": 1}'),
	('required field missing', 'blog.Post', '{"title": "t", "slug": "s", "author": 1}'),
	('blank not allowed', 'blog.Post', '{"title": "", "slug": "s", "body": "b", "author": 1}'),
	('max_length', 'blog.Post', format('{"title": "%s", "slug": "s", "body": "b", "author": 1}', repeat('x', 201))),
	('max_length of an array element', 'blog.Post', format('{"title": "t", "slug": "s", "body": "b", "author": 1, "keywords": ["%s"]}', repeat('k', 31))),
	('not a choice', 'blog.Post', '{"title": "t", "slug": "s", "body": "b", "author": 1, "status": "archived"}'),
	('string for an integer', 'blog.Post', '{"title": "t", "slug": "s", "body": "b", "author": 1, "views": "many"}'),
	('fraction for an integer', 'blog.Post', '{"title": "t", "slug": "s", "body": "b", "author": 1, "views": 1.5}'),
	('negative positive integer', 'blog.Post', '{"title": "t", "slug": "s", "body": "b", "author": 1, "views": -1}'),
	('too many decimal digits', 'blog.Post', '{"title": "t", "slug": "s", "body": "b", "author": 1, "rating": 123.4}'),
	('bad timestamp', 'blog.Post', '{"title": "t", "slug": "s", "body": "b", "author": 1, "publish_at": "yesterday"}'),
	('impossible date', 'blog.Post', '{"title": "t", "slug": "s", "body": "b", "author": 1, "publish_at": "2024-02-30"}'),
	('number for a string', 'blog.Post', '{"title": 42, "slug": "s", "body": "b", "author": 1}'),
	('object for an array', 'blog.Post', '{"title": "t", "slug": "s", "body": "b", "author": 1, "keywords": {"a": 1}}'),
	('string for a ForeignKey', 'blog.Post', '{"title": "t", "slug": "s", "body": "b", "author": "ann"}'),
	('ManyToMany in a row', 'blog.Post', '{"title": "t", "slug": "s", "body": "b", "author": 1, "tags": [1]}'),
	('string for a boolean', 'blog.Author', '{"name": "n", "email": "e@x.org", "is_active": "yes"}'),
	('bad uuid', 'blog.Author', '{"name": "n", "email": "e@x.org", "public_id": "not-a-uuid"}'),
	('bad date', 'blog.SiteSettings', '{"launch_date": "2024-13-01"}'),
	('bad time', 'blog.SiteSettings', '{"open_time": "25:00"}'),
	('smallint out of range', 'blog.SiteSettings', '{"posts_per_page": 40000}'),
	('bigint out of range', 'blog.SiteSettings', '{"build": -9223372036854775809}'),
	('integer of more than 64 bits', 'blog.SiteSettings', '{"build": 99999999999999999999}'),
	('row is not an object', 'blog.Post', '[1, 2]'),
	('read_only model', 'wt.Frozen', '{"label": "new"}')
) AS t(c, m, r);

-- insert: what the database refuses (its own messages)
SELECT c AS "case", pg_temp.try(format('SELECT viper.insert(%L, %L)', m, r)) AS result
FROM (VALUES
	('unique slug', 'blog.Post', '{"title": "Other", "slug": "hello", "body": "b", "author": 1}'),
	('unique_together', 'blog.Post', '{"title": "Hello", "slug": "other", "body": "b", "author": 1}'),
	('check constraint', 'blog.SiteSettings', '{"posts_per_page": 500}')
) AS t(c, m, r);
\pset format aligned
-- foreign keys are DEFERRABLE INITIALLY DEFERRED (like Django's): a missing
-- author is reported when the transaction commits
SELECT viper.insert('blog.Post', '{"title": "t", "slug": "s", "body": "b", "author": 999}') ->> 'slug' AS orphan;
SELECT count(*) AS orphans FROM blog_post WHERE slug = 's';
\pset format unaligned

-- update
SELECT c AS "case", pg_temp.try(format('SELECT viper.update(%L, %L, %L)', m, s, ch)) AS result
FROM (VALUES
	('unknown model', 'blog.Pots', '{}', '{"views": 1}'),
	('unknown spec key', 'blog.Post', '{"limit": 1}', '{"views": 1}'),
	('unknown field in where', 'blog.Post', '{"where": {"sluggo": "x"}}', '{"views": 1}'),
	('unknown field in changes', 'blog.Post', '{}', '{"veiws": 1}'),
	('unknown field in an F expression', 'blog.Post', '{}', '{"views": {"$add": [{"$f": "veiws"}, 1]}}'),
	('unknown operator', 'blog.Post', '{}', '{"views": {"$pow": [{"$f": "views"}, 2]}}'),
	('null for a NOT NULL field', 'blog.Post', '{}', '{"title": null}'),
	('blank not allowed', 'blog.Post', '{}', '{"title": ""}'),
	('max_length', 'blog.Post', '{}', format('{"title": "%s"}', repeat('y', 201))),
	('not a choice', 'blog.Post', '{}', '{"status": "gone"}'),
	('wrong type', 'blog.Post', '{}', '{"views": "many"}'),
	('bad timestamp', 'blog.Post', '{}', '{"publish_at": "soon"}'),
	('out of range', 'blog.Post', '{}', '{"views": 3000000000}'),
	('ManyToMany in changes', 'blog.Post', '{}', '{"tags": [1]}'),
	('changes not an object', 'blog.Post', '{}', '[1]'),
	('negative max_affected', 'blog.Post', '{"max_affected": -1}', '{"views": 1}'),
	('read_only model', 'wt.Frozen', '{}', '{"label": "melted"}')
) AS t(c, m, s, ch);

-- delete, bulk_create, bulk_update
SELECT c AS "case", pg_temp.try(q) AS result
FROM (VALUES
	('delete: unknown model', $$SELECT viper.delete('blog.Tga', '{}')$$),
	('delete: unknown field', $$SELECT viper.delete('blog.Tag', '{"where": {"nmae": "x"}}')$$),
	('delete: unknown spec key', $$SELECT viper.delete('blog.Tag', '{"order_by": ["name"]}')$$),
	('delete: read_only model', $$SELECT viper.delete('wt.Frozen', '{}')$$),
	('bulk_create: rows not an array', $$SELECT viper.bulk_create('blog.Tag', '{"name": "x"}')$$),
	('bulk_create: a row not an object', $$SELECT viper.bulk_create('blog.Tag', '[{"name": "x", "slug": "x"}, 7]')$$),
	('bulk_create: bad value in the second row', $$SELECT viper.bulk_create('blog.Tag', '[{"name": "x", "slug": "x"}, {"name": "y", "slug": "y", "color": "#1234567"}]')$$),
	('bulk_create: unknown field', $$SELECT viper.bulk_create('blog.Tag', '[{"name": "x", "slgu": "x"}]')$$),
	('bulk_create: read_only model', $$SELECT viper.bulk_create('wt.Frozen', '[{"label": "a"}]')$$),
	('bulk_update: unknown field', $$SELECT viper.bulk_update('blog.Post', '[{"id": 1, "views": 1}]', '{veiws}')$$),
	('bulk_update: row without its pk', $$SELECT viper.bulk_update('blog.Post', '[{"views": 1}]', '{views}')$$),
	('bulk_update: a listed field in no row', $$SELECT viper.bulk_update('blog.Post', '[{"id": 1, "views": 1}]', '{views,status}')$$),
	('bulk_update: wrong type', $$SELECT viper.bulk_update('blog.Post', '[{"id": 1, "views": "x"}]', '{views}')$$),
	('bulk_update: no fields', $$SELECT viper.bulk_update('blog.Post', '[{"id": 1, "views": 1}]', '{}')$$),
	('bulk_update: read_only model', $$SELECT viper.bulk_update('wt.Frozen', '[{"id": 1, "label": "a"}]', '{label}')$$)
) AS t(c, q);
\pset format aligned

-- max_affected exceeded: P0003, and the statement's changes are rolled back
SELECT id, views, status FROM blog_post ORDER BY id;
SELECT pg_temp.try($$SELECT viper.update('blog.Post', '{"max_affected": 1}', '{"views": 0, "status": "published"}')$$) AS update_over_bound;
SELECT pg_temp.try($$SELECT viper.delete('blog.Post', '{"where": {"author": 1}, "max_affected": 1}')$$) AS delete_over_bound;
SELECT viper.update('blog.Post', '{"max_affected": 1}', '{"views": 0}');
SELECT id, views, status FROM blog_post ORDER BY id;
-- inside a transaction the failed statement leaves the earlier work alone
BEGIN;
SELECT viper.update('blog.Post', '{"where": {"slug": "hello"}}', '{"views": 42}') AS first_update;
SAVEPOINT s;
SELECT viper.delete('blog.Post', '{"max_affected": 0}');
ROLLBACK TO SAVEPOINT s;
COMMIT;
SELECT id, views FROM blog_post ORDER BY id;
-- exactly at the bound is allowed
SELECT viper.update('blog.Post', '{"max_affected": 2}', '{"views": 7}') AS at_bound;
SELECT id, views FROM blog_post ORDER BY id;

-- clean up
DROP TABLE blog_comment, blog_post_tags, blog_post, blog_tag, blog_author,
	blog_sitesettings, wt_frozen;
DELETE FROM viper.models WHERE app IN ('blog', 'wt');
