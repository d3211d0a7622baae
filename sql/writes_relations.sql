--
-- writes_relations: the many-to-many helpers (m2m_add, m2m_remove,
-- m2m_set, m2m_clear), get_or_create / update_or_create (created true
-- once, then the same row; several matches are P0003; a conflict on a
-- unique field of defaults is 23505, never swallowed; events sent only
-- for what changed) and the single-model helpers (get_single,
-- create_single — a second row is 23505 —, update_single,
-- get_or_create_single; 22023 on a model that is not single).
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
-- the row without the values the clock decides
CREATE FUNCTION pg_temp.clean(r jsonb) RETURNS jsonb LANGUAGE sql AS $$
	SELECT r - 'created_at' - 'updated_at' - 'joined_on'
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
	  "fields": [{"name": "label", "type": "CharField", "max_length": 20},
	             {"name": "tags", "type": "ManyToManyField", "to": "blog.Tag"}]}'::jsonb));

-- row permissions are default deny (docs/permissions.md); this test is
-- about the query engine, so every model is open to everyone
SELECT count(*) AS models_opened FROM (SELECT viper.grant(label, 'all', '*')
	FROM viper.models ORDER BY label) AS g;

-- the tags of a post, from the junction table
CREATE FUNCTION pg_temp.tags_of(post bigint) RETURNS text LANGUAGE sql AS $$
	SELECT coalesce(string_agg(t.slug, ',' ORDER BY t.slug), '-')
	FROM blog_post_tags pt JOIN blog_tag t ON t.id = pt.tag_id
	WHERE pt.post_id = post
$$;

SELECT viper.insert('blog.Author', '{"name": "Ann", "email": "ann@example.com"}') ->> 'id' AS ann;
SELECT viper.insert('blog.Post', '{"title": "Hello", "slug": "hello", "body": "b", "author": 1}') ->> 'id' AS hello;
SELECT viper.insert('blog.Post', '{"title": "World", "slug": "world", "body": "b", "author": 1}') ->> 'id' AS world;
SELECT viper.bulk_create('blog.Tag', '[{"name": "A", "slug": "a"}, {"name": "B", "slug": "b"},
	{"name": "C", "slug": "c"}, {"name": "D", "slug": "d"}]') AS tags;

-- many-to-many: the counts are links added / removed
SELECT viper.m2m_add('blog.Post', '1', 'tags', '[1, 2]') AS added, pg_temp.tags_of(1);
SELECT viper.m2m_add('blog.Post', '1', 'tags', '[2, 3]') AS added_one_new, pg_temp.tags_of(1);
SELECT viper.m2m_add('blog.Post', '1', 'tags', '[]') AS added_nothing, pg_temp.tags_of(1);
SELECT viper.m2m_remove('blog.Post', '1', 'tags', '[1, 4]') AS removed, pg_temp.tags_of(1);
SELECT viper.m2m_set('blog.Post', '1', 'tags', '[3, 4]') AS set_changes, pg_temp.tags_of(1);
SELECT viper.m2m_set('blog.Post', '1', 'tags', '[3, 4]') AS set_again, pg_temp.tags_of(1);
SELECT viper.m2m_add('blog.Post', '2', 'tags', '[1]') AS other_post, pg_temp.tags_of(2);
SELECT viper.m2m_clear('blog.Post', '1', 'tags') AS cleared, pg_temp.tags_of(1), pg_temp.tags_of(2);
SELECT viper.m2m_set('blog.Post', '1', 'tags', '[1, 2, 3]') AS set_from_empty, pg_temp.tags_of(1);

\pset format unaligned
SELECT c AS "case", pg_temp.try(q) AS result
FROM (VALUES
	('unknown model', $$SELECT viper.m2m_add('blog.Pst', '1', 'tags', '[1]')$$),
	('unknown field', $$SELECT viper.m2m_add('blog.Post', '1', 'tagz', '[1]')$$),
	('not a ManyToManyField', $$SELECT viper.m2m_add('blog.Post', '1', 'title', '[1]')$$),
	('pk of the wrong type', $$SELECT viper.m2m_add('blog.Post', '"one"', 'tags', '[1]')$$),
	('target pk of the wrong type', $$SELECT viper.m2m_add('blog.Post', '1', 'tags', '["a"]')$$),
	('pks not an array', $$SELECT viper.m2m_remove('blog.Post', '1', 'tags', '{"id": 1}')$$),
	('read_only model', $$SELECT viper.m2m_add('wt.Frozen', '1', 'tags', '[1]')$$),
	('read_only model, clear', $$SELECT viper.m2m_clear('wt.Frozen', '1', 'tags')$$)
) AS t(c, q);
\pset format aligned
-- a target that does not exist is not linked, like one the principal
-- cannot read: the INSERT takes the target keys from the readable rows of
-- blog_tag (DESIGN §8), so the answer is 0 and tells the two apart no more
SELECT viper.m2m_add('blog.Post', '1', 'tags', '[999]') AS no_such_tag;
SELECT pg_temp.tags_of(1) AS unchanged;

-- get_or_create: created once, then found
SELECT pg_temp.clean("row") AS "row", created
FROM viper.get_or_create('blog.Tag', '{"slug": "python"}', '{"name": "Python"}');
SELECT pg_temp.clean("row") AS "row", created
FROM viper.get_or_create('blog.Tag', '{"slug": "python"}', '{"name": "Ignored"}');
SELECT pg_temp.clean("row") AS "row", created
FROM viper.get_or_create('blog.Tag', '{"name": "Rust", "slug": "rust"}');
SELECT count(*) AS python_tags FROM blog_tag WHERE slug = 'python';
-- update_or_create: defaults go into the found row, or into a new one
SELECT pg_temp.clean("row") AS "row", created
FROM viper.update_or_create('blog.Tag', '{"slug": "python"}', '{"color": "#3776ab"}');
SELECT pg_temp.clean("row") AS "row", created
FROM viper.update_or_create('blog.Tag', '{"slug": "go"}', '{"name": "Go", "color": "#00add8"}');
SELECT slug, name, color FROM blog_tag WHERE slug IN ('python', 'go', 'rust') ORDER BY slug;

\pset format unaligned
SELECT c AS "case", pg_temp.try(q) AS result
FROM (VALUES
	('several rows match', $$SELECT created FROM viper.get_or_create('blog.Tag', '{"color": "#cccccc"}')$$),
	('unique field of defaults taken', $$SELECT created FROM viper.get_or_create('blog.Tag', '{"slug": "new"}', '{"name": "Python"}')$$),
	('unknown field in lookup', $$SELECT created FROM viper.get_or_create('blog.Tag', '{"slgu": "x"}')$$),
	('unknown field in defaults', $$SELECT created FROM viper.update_or_create('blog.Tag', '{"slug": "x"}', '{"nmae": "x"}')$$),
	('bad value in defaults', $$SELECT created FROM viper.get_or_create('blog.Tag', '{"slug": "x"}', '{"name": "x", "color": "#12345678"}')$$),
	('required field missing', $$SELECT created FROM viper.get_or_create('blog.Tag', '{"slug": "x"}')$$),
	('read_only model', $$SELECT created FROM viper.get_or_create('wt.Frozen', '{"label": "x"}')$$),
	('unknown model', $$SELECT created FROM viper.get_or_create('blog.Tags', '{"slug": "x"}')$$)
) AS t(c, q);
\pset format aligned
SELECT count(*) AS no_tag_x FROM blog_tag WHERE slug IN ('x', 'new');

-- events: only what was created or updated is announced
LISTEN viper_events;
\o | sed -E 's/PID [0-9]+/PID <pid>/'
SELECT created FROM viper.get_or_create('blog.Post', '{"slug": "ev"}', '{"title": "Ev", "body": "b", "author": 1}');
SELECT created FROM viper.get_or_create('blog.Post', '{"slug": "ev"}', '{"title": "Ev", "body": "b", "author": 1}');
SELECT created FROM viper.update_or_create('blog.Post', '{"slug": "ev"}', '{"views": 9}');
\o
UNLISTEN viper_events;
SELECT slug, views FROM blog_post WHERE slug = 'ev';

-- single models
SELECT pg_temp.try($$SELECT viper.get_single('blog.SiteSettings')$$) AS before_create;
SELECT viper.update_single('blog.SiteSettings', '{"site_name": "Nobody"}') AS updated_nothing;
SELECT viper.create_single('blog.SiteSettings', '{"site_name": "Viper blog", "launch_date": "2024-06-01"}') AS created;
SELECT pg_temp.try($$SELECT viper.create_single('blog.SiteSettings', '{"site_name": "Second"}')$$) AS second_create;
SELECT viper.update_single('blog.SiteSettings', '{"posts_per_page": {"$mul": [{"$f": "posts_per_page"}, 2]}, "maintenance": true}') AS updated;
SELECT viper.get_single('blog.SiteSettings') AS settings;
SELECT viper.get_or_create_single('blog.SiteSettings', '{"site_name": "Ignored"}') ->> 'site_name' AS existing;
SELECT viper.delete('blog.SiteSettings', '{}') AS deleted;
SELECT viper.get_or_create_single('blog.SiteSettings') AS recreated_with_defaults;
SELECT viper.get_or_create_single('blog.SiteSettings', '{"site_name": "Again"}') ->> 'site_name' AS found_again;
SELECT count(*) AS settings_rows FROM blog_sitesettings;

\pset format unaligned
SELECT c AS "case", pg_temp.try(q) AS result
FROM (VALUES
	('get_single: not single', $$SELECT viper.get_single('blog.Post')$$),
	('create_single: not single', $$SELECT viper.create_single('blog.Tag', '{"name": "s", "slug": "s"}')$$),
	('update_single: not single', $$SELECT viper.update_single('blog.Tag', '{"color": "#000000"}')$$),
	('get_or_create_single: not single', $$SELECT viper.get_or_create_single('blog.Author')$$),
	('get_single: unknown model', $$SELECT viper.get_single('blog.SiteSetings')$$),
	('update_single: bad value', $$SELECT viper.update_single('blog.SiteSettings', '{"posts_per_page": "many"}')$$),
	('update_single: check constraint (database)', $$SELECT viper.update_single('blog.SiteSettings', '{"posts_per_page": 500}')$$),
	('create_single: unknown field', $$SELECT viper.create_single('blog.SiteSettings', '{"site_nmae": "x"}')$$)
) AS t(c, q);
\pset format aligned

-- clean up
DROP TABLE blog_comment, blog_post_tags, blog_post, wt_frozen_tags, blog_tag,
	blog_author, blog_sitesettings, wt_frozen;
DELETE FROM viper.models WHERE app IN ('blog', 'wt');
