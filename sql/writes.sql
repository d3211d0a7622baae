--
-- writes: viper.insert, bulk_create, update (values and F expressions,
-- max_affected within its bound), bulk_update and delete on the blog
-- example. Defaults, ids and auto_now/auto_now_add come from the database;
-- bulk_create runs one statement per batch (counted by a statement
-- trigger); blog.Post has meta.events, so its writes send NOTIFY
-- viper_events (psql prints the notifications; their PID is masked).
--
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS viper;
RESET client_min_messages;
\pset null '<NULL>'

-- the row without the values the clock decides
CREATE FUNCTION pg_temp.clean(r jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT r - 'created_at' - 'updated_at' - 'joined_on'
$$;

-- the blog example, read from the repository
\set author `cat examples/blog/schemas/Author.json`
\set comment `cat examples/blog/schemas/Comment.json`
\set post `cat examples/blog/schemas/Post.json`
\set settings `cat examples/blog/schemas/SiteSettings.json`
\set tag `cat examples/blog/schemas/Tag.json`
SELECT count(*) > 0 AS migrated
FROM viper.migrate(jsonb_build_array(:'author'::jsonb, :'comment'::jsonb,
                                     :'post'::jsonb, :'settings'::jsonb,
                                     :'tag'::jsonb));

-- row permissions are default deny (docs/permissions.md); this test is
-- about the query engine, so every model is open to everyone
SELECT count(*) AS models_opened FROM (SELECT viper.grant(label, 'all', '*')
	FROM viper.models ORDER BY label) AS g;

-- every INSERT statement on the blog tables, with its row count
CREATE TABLE public.write_stmts (id serial, tbl text, nrows bigint);
CREATE FUNCTION public.write_stmts_log() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO public.write_stmts (tbl, nrows)
		SELECT TG_TABLE_NAME, count(*) FROM new_rows;
	RETURN NULL;
END
$$;
CREATE TRIGGER write_stmts AFTER INSERT ON blog_tag
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION public.write_stmts_log();
CREATE TRIGGER write_stmts AFTER INSERT ON blog_post
	REFERENCING NEW TABLE AS new_rows
	FOR EACH STATEMENT EXECUTE FUNCTION public.write_stmts_log();

-- insert returns the stored row: id and defaults filled by the database
SELECT pg_temp.clean(viper.insert('blog.Author',
	'{"name": "Ann", "email": "ann@example.com"}')) AS ann;
-- auto_now_add is set by the database even when the row names it
SELECT r->>'name' AS name, (r->>'joined_on')::date = current_date AS joined_today
FROM viper.insert('blog.Author', '{"name": "Bob", "email": "bob@example.com",
	"bio": "writes", "joined_on": "2001-01-01", "is_active": false,
	"public_id": "A0EEBC99-9C0B-4EF8-BB6D-6BB9BD380A11",
	"last_login_ip": "192.0.2.1"}') AS r;
SELECT id, name, is_active, joined_on = current_date AS joined_today, public_id,
	last_login_ip FROM blog_author ORDER BY id;

-- a ForeignKey is given as "author" or "author_id"; typed values are
-- converted (decimal, timestamps with an offset, JSON, arrays)
SELECT pg_temp.clean(viper.insert('blog.Post', '{"title": "Hello", "slug": "hello",
	"body": "first post", "author": 1}')) AS hello;
SELECT pg_temp.clean(viper.insert('blog.Post', '{"title": "Typed", "slug": "typed",
	"body": "values", "author_id": 2, "status": "published", "views": 7,
	"rating": 4.5, "score": 0.25, "metadata": {"lang": "en", "n": [1, 2]},
	"keywords": ["c", "sql"], "publish_at": "2024-05-01T10:00:00+02:00"}')) AS typed;
SELECT id, title, author_id, status, views, rating, score, metadata, keywords,
	publish_at AT TIME ZONE 'UTC' AS publish_at_utc
FROM blog_post ORDER BY id;

-- created_at and updated_at: the database's now() (the transaction's start)
BEGIN;
SELECT (r->>'created_at')::timestamptz = now() AS created_now,
	(r->>'updated_at')::timestamptz = now() AS updated_now
FROM viper.insert('blog.Post', '{"title": "Clock", "slug": "clock", "body": "b",
	"author": 1, "created_at": "2001-01-01T00:00:00Z"}') AS r;
COMMIT;
SELECT slug, created_at = updated_at AS untouched FROM blog_post ORDER BY id;

-- update: plain values and F expressions; auto_now moves updated_at
SELECT viper.update('blog.Post', '{"where": {"slug": "hello"}}',
	'{"title": "Hello again", "views": {"$add": [{"$f": "views"}, 10]}}') AS updated;
SELECT viper.update('blog.Post', '{"where": {"author": 1}}',
	'{"views": {"$mul": [{"$add": [{"$f": "views"}, 1]}, 2]}}') AS updated;
SELECT viper.update('blog.Post', '{"where": {"views__gt": 1000}}', '{"views": 0}') AS none_matched;
-- within max_affected nothing is refused
SELECT viper.update('blog.Post', '{"where": {"slug__in": ["hello", "clock"]}, "max_affected": 2}',
	'{"score": {"$div": [{"$f": "score"}, 2]}}') AS within_bound;
SELECT slug, title, views, score, updated_at > created_at AS updated_at_moved
FROM blog_post ORDER BY id;

-- bulk_update: each row carries its pk; one statement for all of them
SELECT viper.bulk_update('blog.Post',
	'[{"id": 1, "views": 100, "status": "published"},
	  {"id": 2, "views": 200, "status": "draft"}]', '{views,status}') AS bulk_updated;
SELECT id, views, status FROM blog_post ORDER BY id;

-- bulk_create: one multi-row INSERT; missing keys take the column default
TRUNCATE public.write_stmts;
SELECT viper.bulk_create('blog.Post', '[
	{"title": "B1", "slug": "b1", "body": "x", "author": 1},
	{"title": "B2", "slug": "b2", "body": "x", "author": 2, "views": 5},
	{"title": "B3", "slug": "b3", "body": "x", "author_id": 1, "status": "published"}]') AS bulk_created;
SELECT tbl, nrows FROM public.write_stmts ORDER BY id;
SELECT slug, author_id, views, status, score, created_at IS NOT NULL AS stamped
FROM blog_post WHERE slug LIKE 'b_' ORDER BY slug;
SELECT viper.bulk_create('blog.Post', '[]') AS nothing_created;

-- 2,500 rows: several batches, one INSERT statement each
TRUNCATE public.write_stmts;
SELECT viper.bulk_create('blog.Tag',
	(SELECT jsonb_agg(jsonb_build_object('name', 'tag ' || i, 'slug', 'tag-' || i,
	                                     'color', '#' || lpad(to_hex(i), 6, '0'))
	                  ORDER BY i)
	 FROM generate_series(1, 2500) AS i)) AS tags_created;
SELECT count(*) AS statements, sum(nrows) AS rows, count(*) > 1 AS batched
FROM public.write_stmts WHERE tbl = 'blog_tag';
SELECT count(*) AS tags, count(DISTINCT slug) AS slugs, min(name) AS first,
	max(color) AS last_color FROM blog_tag;

-- delete
SELECT viper.delete('blog.Tag', '{"where": {"slug__startswith": "tag-1"}}') AS deleted;
SELECT viper.delete('blog.Tag', '{"where": {"slug": "no-such-tag"}}') AS deleted_none;
SELECT count(*) AS tags_left FROM blog_tag;

-- NOTIFY viper_events: blog.Post has meta.events, blog.Author has not.
-- One notification per row for insert, one per statement (pk null, with
-- the count) for update, delete, bulk_create and bulk_update; none when
-- nothing changed or the transaction rolled back.
LISTEN viper_events;
\o | sed -E 's/PID [0-9]+/PID <pid>/'
SELECT pg_temp.clean(viper.insert('blog.Post', '{"title": "Ev", "slug": "ev", "body": "b", "author": 1}')) ->> 'id' AS ev_id;
SELECT viper.update('blog.Post', '{"where": {"slug__in": ["ev", "b1"]}}', '{"views": 1}') AS updated;
SELECT viper.update('blog.Post', '{"where": {"slug": "nothing"}}', '{"views": 1}') AS updated_none;
SELECT viper.bulk_create('blog.Post', '[{"title": "E1", "slug": "e1", "body": "b", "author": 1},
	{"title": "E2", "slug": "e2", "body": "b", "author": 2}]') AS bulk_created;
SELECT viper.bulk_update('blog.Post', '[{"id": 1, "views": 3}]', '{views}') AS bulk_updated;
SELECT viper.delete('blog.Post', '{"where": {"slug__in": ["e1", "e2"]}}') AS deleted;
SELECT viper.update('blog.Author', '{"where": {"name": "Ann"}}', '{"bio": "no events"}') AS author_updated;
BEGIN;
SELECT viper.insert('blog.Post', '{"title": "Gone", "slug": "gone", "body": "b", "author": 1}') ->> 'slug' AS rolled_back;
ROLLBACK;
\o
UNLISTEN viper_events;

-- clean up
DROP TABLE blog_comment, blog_post_tags, blog_post, blog_tag, blog_author,
	blog_sitesettings, public.write_stmts;
DROP FUNCTION public.write_stmts_log();
DELETE FROM viper.models WHERE app = 'blog';
