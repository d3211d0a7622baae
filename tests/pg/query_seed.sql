--
-- tests/pg/query_seed.sql — the data the query_* regression tests read
-- (included with \i by sql/query_*.sql; pg_regress runs from the
-- repository root; not echoed, and silent). Starts from an empty catalog
-- so earlier tests' models cannot interfere, migrates the blog example
-- (examples/blog/schemas) and inserts rows with plain SQL, explicit ids
-- and explicit timestamps, so every expected line is deterministic.
-- Includes NULLs (rating, publish_at, bio, a comment without author) and
-- non-ASCII text ('Über äbc').
--
\set ECHO none
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
-- earlier tests' tables and catalog rows go; the blog comes back fresh
DO $drop$
DECLARE
	t text;
BEGIN
	FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
	LOOP
		EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', t);
	END LOOP;
END
$drop$;
DELETE FROM viper.models;
RESET client_min_messages;
SET timezone = 'UTC';
SET datestyle = 'ISO, YMD';

\set author `cat examples/blog/schemas/Author.json`
\set comment `cat examples/blog/schemas/Comment.json`
\set post `cat examples/blog/schemas/Post.json`
\set settings `cat examples/blog/schemas/SiteSettings.json`
\set tag `cat examples/blog/schemas/Tag.json`
SELECT count(*) > 0 AS migrated
FROM viper.migrate(jsonb_build_array(:'author'::jsonb, :'comment'::jsonb, :'post'::jsonb,
                                     :'settings'::jsonb, :'tag'::jsonb)) \gset
-- row permissions are default deny (docs/permissions.md); this test is
-- about the query engine, so every model is open to everyone
SELECT count(*) AS models_opened FROM (SELECT viper.grant(label, 'all', '*')
	FROM viper.models ORDER BY label) AS g \gset

INSERT INTO blog_author (id, name, email, bio, public_id, is_active, joined_on, last_login_ip) VALUES
	(1, 'Alice', 'alice@example.org', 'Writes about Python', 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11', true, '2023-05-01', '10.0.0.1'),
	(2, 'Bob', 'bob@example.org', NULL, NULL, true, '2023-06-01', NULL),
	(3, 'Ünal', 'unal@example.org', 'ÄBC und mehr', NULL, true, '2023-07-01', NULL),
	(4, 'carol', 'carol@example.org', NULL, NULL, false, '2023-08-01', NULL);

INSERT INTO blog_tag (id, name, slug, color) VALUES
	(1, 'db', 'db', '#111111'),
	(2, 'python', 'python', '#222222'),
	(3, 'web', 'web', '#cccccc');

INSERT INTO blog_post (id, title, slug, body, author_id, status, views, rating, score,
					   metadata, keywords, publish_at, created_at, updated_at) VALUES
	(1, 'Python tips', 'python-tips', 'Use comprehensions.', 1, 'published', 1500, 4.5, 0.9,
	 '{"lang": "en"}', '{python,tips}', '2024-01-02 09:00+00', '2024-01-01 10:00+00', '2024-01-01 10:00+00'),
	(2, 'Learning SQL', 'learning-sql', 'SELECT 1;', 1, 'draft', 10, NULL, 0.5,
	 '{}', '{}', NULL, '2024-01-02 10:00+00', '2024-01-02 10:00+00'),
	(3, 'Über äbc', 'uber-abc', 'Umlaute überall.', 3, 'published', 300, 3.0, 0.25,
	 '{"lang": "de"}', '{}', '2024-01-04 09:00+00', '2024-01-03 10:00+00', '2024-01-03 10:00+00'),
	(4, '100% pure_fun', 'pure-fun', 'Percent and underscore.', 2, 'published', 42, 2.0, 0.5,
	 '{}', '{fun}', '2024-01-05 09:00+00', '2024-01-04 10:00+00', '2024-01-04 10:00+00'),
	(5, 'python internals', 'python-internals', 'CPython.', 2, 'draft', 1000, NULL, 0.75,
	 '{"lang": "en", "level": 3}', '{python}', NULL, '2024-01-05 10:00+00', '2024-01-05 10:00+00'),
	(6, '1000 ways', 'ways', 'Many.', 4, 'published', 0, 5.0, 0,
	 '{}', '{}', '2024-01-07 09:00+00', '2024-01-06 10:00+00', '2024-01-06 10:00+00');

INSERT INTO blog_post_tags (post_id, tag_id) VALUES (1, 2), (1, 3), (2, 1), (5, 2), (6, 3);

INSERT INTO blog_comment (id, post_id, author_id, parent_id, body, is_approved, created_at) VALUES
	(1, 1, 2, NULL, 'Nice tips', true, '2024-02-01 10:00+00'),
	(2, 1, NULL, 1, 'Anonymous reply', false, '2024-02-02 10:00+00'),
	(3, 3, 1, NULL, 'Sehr gut', true, '2024-02-03 10:00+00');

-- the identity sequences continue after the explicit ids
SELECT count(setval(pg_get_serial_sequence('public.' || t, 'id'), 100)) AS sequences
FROM unnest(ARRAY['blog_author', 'blog_tag', 'blog_post', 'blog_post_tags', 'blog_comment']) AS t \gset

-- helpers (session-local): SQLSTATE, message, detail and hint of a failing
-- statement as one value; the ids a spec selects (ordered by id unless the
-- spec orders); rows printed without alignment padding
CREATE FUNCTION pg_temp.try(sql text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	r text;
	d text;
	h text;
BEGIN
	EXECUTE sql INTO r;
	RETURN 'ok: ' || coalesce(r, '<NULL>');
EXCEPTION WHEN OTHERS THEN
	GET STACKED DIAGNOSTICS d = PG_EXCEPTION_DETAIL, h = PG_EXCEPTION_HINT;
	RETURN 'ERROR ' || SQLSTATE || ': ' || SQLERRM
		|| CASE WHEN d <> '' THEN E'\nDETAIL: ' || d ELSE '' END
		|| CASE WHEN h <> '' THEN E'\nHINT: ' || h ELSE '' END;
END
$$;
CREATE FUNCTION pg_temp.ids(model text, spec jsonb) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(r->>'id', ',' ORDER BY n), '-')
	FROM viper.query(model, CASE WHEN spec ? 'order_by' THEN spec
								 ELSE spec || '{"order_by": ["id"]}' END)
		 WITH ORDINALITY AS q(r, n)
$$;
-- every test ends with this: the tables and catalog rows it made go, so
-- later tests (writes*) start from the state they expect
CREATE FUNCTION pg_temp.cleanup() RETURNS text LANGUAGE plpgsql AS $$
DECLARE
	t text;
BEGIN
	PERFORM set_config('client_min_messages', 'warning', true);
	FOR t IN SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
			 WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p')
	LOOP
		EXECUTE format('DROP TABLE IF EXISTS public.%I CASCADE', t);
	END LOOP;
	DELETE FROM viper.models;
	RETURN 'clean';
END
$$;
\pset format unaligned
\set ECHO all
