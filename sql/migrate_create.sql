--
-- migrate_create: the blog example (examples/blog/schemas/*.json) created
-- from nothing — CreateTable rows in dependency order, the M2M junction
-- table, the single-row guard, row-level security on (default deny) —
-- then a second migrate that returns no rows, plan applying nothing, and
-- the model kinds that create nothing (abstract, proxy, managed: false).
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

-- the example's schemas, read from the repository
\set author `cat examples/blog/schemas/Author.json`
\set comment `cat examples/blog/schemas/Comment.json`
\set post `cat examples/blog/schemas/Post.json`
\set settings `cat examples/blog/schemas/SiteSettings.json`
\set tag `cat examples/blog/schemas/Tag.json`
SELECT jsonb_build_array(:'author'::jsonb, :'comment'::jsonb, :'post'::jsonb,
                         :'settings'::jsonb, :'tag'::jsonb) AS blog \gset

-- plan lists what migrate would do and applies nothing
SELECT op, target, warning FROM viper.plan(:'blog');
SELECT viper.introspect('blog_post') AS post_before_migrate;
SELECT count(*) AS catalog_rows FROM viper.models WHERE app = 'blog';

-- migrate creates the tables (targets first), the junction table, the
-- indexes, the single-row guard, and turns row security on
SELECT op, target, warning FROM viper.migrate(:'blog');

-- the statements of a small model, as they were run
SELECT op, target, sql FROM viper.plan(jsonb_build_array(:'tag'::jsonb - 'app' || '{"app": "preview"}'));

-- what the database now holds
\d blog_tag
\d blog_post_tags
SELECT jsonb_pretty(viper.introspect('blog_tag')) AS blog_tag;
SELECT c.relname, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
FROM pg_class c
WHERE c.relnamespace = 'public'::regnamespace AND c.relkind = 'r' AND c.relname LIKE 'blog\_%'
ORDER BY 1;

-- the catalog holds every model with its normalised schema
SELECT label, app, name, table_name, managed, read_only, single, version
FROM viper.models WHERE app = 'blog' ORDER BY label;
SELECT viper.model('blog.Post')->'fields'->4 AS author_field;

-- a second migrate returns no rows and changes nothing
SELECT viper.catalog_version() AS v \gset
SELECT * FROM viper.migrate(:'blog');
SELECT viper.catalog_version() = :v AS catalog_unchanged;
SELECT * FROM viper.plan(:'blog');

-- single model: the database holds at most one row
INSERT INTO blog_sitesettings DEFAULT VALUES;
INSERT INTO blog_sitesettings DEFAULT VALUES;
SELECT pg_temp.try($$INSERT INTO blog_sitesettings (site_name) VALUES ('second') RETURNING 'inserted'$$);
SELECT site_name, posts_per_page, theme FROM blog_sitesettings;

-- a model with permissions (default) has row security forced: with no
-- policy yet, an ordinary role that may SELECT still sees nothing
INSERT INTO blog_author (name, email) VALUES ('Ann', 'ann@example.com');
SET client_min_messages = warning;
DROP ROLE IF EXISTS regress_viper_reader;
RESET client_min_messages;
CREATE ROLE regress_viper_reader;
GRANT SELECT ON blog_author, blog_sitesettings TO regress_viper_reader;
SET ROLE regress_viper_reader;
SELECT count(*) AS authors_visible FROM blog_author;
SELECT count(*) AS settings_visible FROM blog_sitesettings;
RESET ROLE;
SELECT count(*) AS authors_as_superuser FROM blog_author;

-- the M2M junction table works with both foreign keys
INSERT INTO blog_tag (name, slug) VALUES ('c', 'c');
INSERT INTO blog_post (title, slug, body, author_id)
	SELECT 'Hello', 'hello', 'first post', id FROM blog_author;
INSERT INTO blog_post_tags (post_id, tag_id)
	SELECT p.id, t.id FROM blog_post p, blog_tag t;
SELECT count(*) AS links FROM blog_post_tags;
DELETE FROM blog_tag;
SELECT count(*) AS links_after_tag_delete FROM blog_post_tags;

-- abstract, proxy and managed: false models create nothing (the catalog
-- records them)
SELECT op, target FROM viper.migrate($j$[
  {"app": "mk", "name": "Base", "fields": [{"name": "created", "type": "DateTimeField", "auto_now_add": true}],
   "meta": {"abstract": true}},
  {"app": "mk", "name": "Real", "fields": [{"name": "title", "type": "CharField", "max_length": 20}]},
  {"app": "mk", "name": "RealProxy", "fields": [], "meta": {"proxy": true, "proxy_for": "mk.Real"}},
  {"app": "mk", "name": "Legacy", "table": "legacy_table",
   "fields": [{"name": "x", "type": "IntegerField"}], "meta": {"managed": false}}
]$j$);
SELECT label, table_name, managed FROM viper.models WHERE app = 'mk' ORDER BY label;
SELECT viper.introspect('legacy_table')->'exists' AS legacy_table_exists;

-- clean up
DROP TABLE blog_comment, blog_post_tags, blog_post, blog_tag, blog_author,
	blog_sitesettings, mk_real;
DROP ROLE regress_viper_reader;
DELETE FROM viper.models WHERE app IN ('blog', 'mk');
